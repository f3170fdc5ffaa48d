//! Bylines: 来源, 作者/文, 记者/通讯员, 编辑/责编/审核 lines and the `本报讯(记者 X)` lead.

/// What a labelled field on a byline line credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Author,
    Reporter,
    Editor,
    /// A publish-time field (发布时间, 日期 …).
    Date,
    /// Counters, photo credits, font-size widgets and the like.
    Other,
}

/// Labels pages put before a colon, longest first so `责任编辑` wins over `编辑`.
const KEYS: &[(&str, Role)] = &[
    ("稿件来源", Role::Source),
    ("文章来源", Role::Source),
    ("信息来源", Role::Source),
    ("新闻来源", Role::Source),
    ("本文来源", Role::Source),
    ("内容来源", Role::Source),
    ("转载自", Role::Source),
    ("来源", Role::Source),
    ("转自", Role::Source),
    ("出处", Role::Source),
    ("作者", Role::Author),
    ("撰文", Role::Author),
    ("撰稿", Role::Author),
    ("文图", Role::Author),
    ("文", Role::Author),
    ("本报记者", Role::Reporter),
    ("特约记者", Role::Reporter),
    ("见习记者", Role::Reporter),
    ("融媒体记者", Role::Reporter),
    ("全媒体记者", Role::Reporter),
    ("记者", Role::Reporter),
    ("通讯员", Role::Reporter),
    ("实习生", Role::Reporter),
    ("责任编辑", Role::Editor),
    ("值班编辑", Role::Editor),
    ("网络编辑", Role::Editor),
    ("编辑", Role::Editor),
    ("责编", Role::Editor),
    ("编审", Role::Editor),
    ("审核", Role::Editor),
    ("发布时间", Role::Date),
    ("发布日期", Role::Date),
    ("发表时间", Role::Date),
    ("发表日期", Role::Date),
    ("更新时间", Role::Date),
    ("发表于", Role::Date),
    ("时间", Role::Date),
    ("日期", Role::Date),
    ("浏览次数", Role::Other),
    ("点击数", Role::Other),
    ("阅读数", Role::Other),
    ("浏览量", Role::Other),
    ("浏览", Role::Other),
    ("阅读", Role::Other),
    ("点击", Role::Other),
    ("字号", Role::Other),
    ("字体", Role::Other),
    ("摄影", Role::Other),
    ("校对", Role::Other),
    ("关键词", Role::Other),
    ("标签", Role::Other),
    ("分享", Role::Other),
];

/// One labelled field found on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit<'a> {
    pub role: Role,
    pub value: &'a str,
    /// Byte offset of the label in the line.
    pub at: usize,
}

/// Reads the labelled fields of a byline line: `来源:X 作者:Y 编辑:Z`, `文/X`, `记者 X`.
/// Returns nothing for lines that carry no label at a field boundary.
pub fn credits(line: &str) -> Vec<Credit<'_>> {
    let mut found: Vec<(usize, usize, Role)> = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if let Some((key_len, value_at, role)) = label_at(line, i) {
            found.push((i, value_at, role));
            i = value_at;
            let _ = key_len;
        } else {
            i += line[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    found
        .iter()
        .enumerate()
        .map(|(n, &(at, value_at, role))| {
            let end = found.get(n + 1).map_or(line.len(), |next| next.0);
            Credit {
                role,
                value: trim_value(&line[value_at..end]),
                at,
            }
        })
        .collect()
}

/// A label starting at byte `i` of `line`: returns (label length, value start, role).
fn label_at(line: &str, i: usize) -> Option<(usize, usize, Role)> {
    let before = line[..i].chars().next_back();
    if let Some(b) = before
        && !is_boundary(b)
    {
        return None;
    }
    let rest = &line[i..];
    for &(key, role) in KEYS {
        let Some(after) = rest.strip_prefix(key) else {
            continue;
        };
        let next = after.chars().next();
        let sep_ok = match next {
            Some(':') => true,
            Some('/') => key == "文" || key == "文图",
            Some(' ') => {
                matches!(role, Role::Reporter | Role::Editor | Role::Author)
                    && key != "文"
                    && after
                        .trim_start()
                        .starts_with(|c: char| super::super::text::is_han(c))
            }
            _ => false,
        };
        if !sep_ok {
            continue;
        }
        let sep_len = next.map_or(0, char::len_utf8);
        let mut value_at = i + key.len() + sep_len;
        value_at += line[value_at..].len() - line[value_at..].trim_start().len();
        return Some((key.len(), value_at, role));
    }
    None
}

fn is_boundary(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '|' | '['
                | '('
                | '【'
                | '『'
                | '「'
                | '/'
                | ','
                | ';'
                | '·'
                | '•'
                | '丨'
                | ']'
                | ')'
                | '】'
                | '、'
                | '，'
                | '；'
                | '>'
                | '-'
        )
}

fn trim_value(value: &str) -> &str {
    value.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '|' | '['
                    | ']'
                    | '('
                    | ')'
                    | '【'
                    | '】'
                    | '『'
                    | '』'
                    | '「'
                    | '」'
                    | ','
                    | ';'
                    | '。'
                    | '、'
                    | '丨'
            )
    })
}

/// Role words that may stand inside a name list, removed before splitting.
const ROLE_WORDS: &[&str] = &[
    "本报记者",
    "特约记者",
    "见习记者",
    "融媒体记者",
    "全媒体记者",
    "首席记者",
    "记者",
    "通讯员",
    "实习生",
    "责任编辑",
    "编辑",
];

/// Splits a credited value into names: `王某 李某`, `王某、李某`, `本报记者 王某`.
pub fn names(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in value.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '、' | ',' | '，' | ';' | '；' | '/' | '|' | '丨' | '(' | ')' | '（' | '）' | ':'
            )
    }) {
        let mut piece = piece.trim_matches(|c: char| !(super::super::text::is_han(c) || c == '·'));
        for role in ROLE_WORDS {
            if let Some(rest) = piece.strip_prefix(role) {
                piece = rest;
            }
        }
        for suffix in ["报道", "摄影", "摄", "整理", "编译", "发自"] {
            if let Some(rest) = piece.strip_suffix(suffix) {
                piece = rest;
            }
        }
        let len = piece.chars().count();
        let han = piece
            .chars()
            .filter(|&c| super::super::text::is_han(c))
            .count();
        let max = if piece.contains('·') { 12 } else { 6 };
        if (2..=max).contains(&len) && han >= 2 && !out.iter().any(|n| n == piece) {
            out.push(piece.to_string());
        }
    }
    out
}

/// Reads reporters from the opening of a body paragraph: `本报讯(记者 王某 通讯员 李某)`,
/// `新华社北京9月25日电(记者张三)`, `记者 王某 报道`. Returns the names and the byte offset where
/// the credit ends.
pub fn lead_reporters(paragraph: &str) -> Option<(Vec<String>, usize)> {
    let head_end = paragraph
        .char_indices()
        .nth(60)
        .map_or(paragraph.len(), |(i, _)| i);
    let head = &paragraph[..head_end];
    // Bracketed credit.
    for (open, close) in [('(', ')'), ('【', '】'), ('[', ']'), ('〔', '〕')] {
        let Some(start) = head.find(open) else {
            continue;
        };
        let inner_start = start + open.len_utf8();
        let Some(len) = paragraph[inner_start..].find(close) else {
            continue;
        };
        let inner = &paragraph[inner_start..inner_start + len];
        if inner.chars().count() <= 40 && ROLE_WORDS[..9].iter().any(|r| inner.contains(r)) {
            let names = names(inner);
            if !names.is_empty() {
                return Some((names, inner_start + len + close.len_utf8()));
            }
        }
    }
    // Unbracketed `记者 王某 报道` at the start.
    let start = ["本报记者", "记者"]
        .iter()
        .filter_map(|r| head.find(r))
        .min()?;
    if head[..start].chars().count() > 8 {
        return None;
    }
    let rest = &paragraph[start..];
    let end = rest
        .find([':', ',', '，', '。', '\n'])
        .into_iter()
        .chain(rest.find("报道"))
        .min()
        .unwrap_or(rest.len().min(60));
    let names = names(&rest[..end]);
    (!names.is_empty() && rest[..end].chars().count() <= 30).then(|| {
        let mut stop = start + end;
        if paragraph[stop..].starts_with("报道") {
            stop += "报道".len();
        }
        (names, stop)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(line: &str) -> Vec<(Role, &str)> {
        credits(line)
            .into_iter()
            .map(|c| (c.role, c.value))
            .collect()
    }

    #[test]
    fn reads_labelled_fields() {
        assert_eq!(
            roles("来源:中国消费者报•中国消费网     作者:刘浩    编辑:陈俊男    "),
            vec![
                (Role::Source, "中国消费者报•中国消费网"),
                (Role::Author, "刘浩"),
                (Role::Editor, "陈俊男")
            ]
        );
        assert_eq!(roles("【责任编辑:王小明】"), vec![(Role::Editor, "王小明")]);
        assert_eq!(roles("文/李四"), vec![(Role::Author, "李四")]);
        assert_eq!(
            roles("本报记者 张三 通讯员 李四"),
            vec![(Role::Reporter, "张三"), (Role::Reporter, "李四")]
        );
        // Labels inside running text are not fields.
        assert!(credits("他的作文:很好").is_empty());
        assert!(credits("来源地不明").is_empty());
    }

    #[test]
    fn splits_names() {
        assert_eq!(names("王某 李某"), vec!["王某", "李某"]);
        assert_eq!(names("本报记者 王小明、李四"), vec!["王小明", "李四"]);
        assert_eq!(names("热合曼·阿不都"), vec!["热合曼·阿不都"]);
        assert!(names("12 ab").is_empty());
    }

    #[test]
    fn reads_lead_credits() {
        let (n, end) = lead_reporters("中国消费者报报道(记者刘浩)今年以来,上海").unwrap();
        assert_eq!(n, vec!["刘浩"]);
        assert!("中国消费者报报道(记者刘浩)今年以来,上海"[end..].starts_with("今年"));
        let (n, _) = lead_reporters("本报讯(记者 王某 通讯员 李某)近日,").unwrap();
        assert_eq!(n, vec!["王某", "李某"]);
        let (n, _) = lead_reporters("记者 张三 报道:日前,").unwrap();
        assert_eq!(n, vec!["张三"]);
        assert!(lead_reporters("近日,市场监管总局(国家认监委)发布").is_none());
    }
}

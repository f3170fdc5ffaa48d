//! Places named in a body: China's provinces, autonomous regions, municipalities, SARs and
//! prefecture-level cities (and a few countries) from `places.txt`, matched on whole tokens.
//!
//! Matching whole tokens keeps common words out: 中山装 and 三明治 are single tokens, so neither
//! names a city. A place inside an organisation's name (杭州市市场监督管理局) is still a place
//! named in the body and is counted: a reader looking for articles about Hangzhou wants it.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use super::mentions::Mentions;
use crate::text::Script;
use crate::text::segment::Token;

/// At most this many places per article.
pub const CAP: usize = 20;

/// How a word of the table reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A full name (上海市), or a place with only one name (挪威).
    Full,
    /// The short form of exactly one full name (上海 → 上海市).
    Short(&'static str),
    /// A short form that is also a common word; a place only with its suffix (来宾市).
    Word,
    /// The short form of two or more places (吉林): kept as printed.
    Ambiguous,
}

static TABLE: LazyLock<FxHashMap<&'static str, Form>> = LazyLock::new(|| {
    let mut table: FxHashMap<&'static str, Form> = FxHashMap::default();
    let lines = include_str!("places.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    for line in lines {
        let mut names = line.split_whitespace();
        let Some(full) = names.next() else { continue };
        table.insert(full, Form::Full);
        for short in names {
            let (short, form) = match short.strip_suffix('*') {
                Some(word) => (word, Form::Word),
                None => (short, Form::Short(full)),
            };
            debug_assert!(full.starts_with(short), "{full} starts with {short}");
            table
                .entry(short)
                .and_modify(|f| {
                    if *f != Form::Full {
                        *f = Form::Ambiguous;
                    }
                })
                .or_insert(form);
        }
    }
    table
});

/// Suffixes that turn a short form into a full name when jieba cuts them off (吉林 / 市).
const SUFFIX_TOKENS: &[&str] = &["市", "省", "自治区", "特别行政区"];

/// Places in `tokens` (words of the simplified text, offsets into `text` as printed), most
/// mentioned first. Full names are returned as printed; unambiguous short forms get their full
/// name's suffix, in traditional characters when the article is traditional.
pub fn places(tokens: &[Token<'_>], text: &str, script: Script) -> Vec<String> {
    let mut found = Mentions::default();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let Some(&form) = TABLE.get(token.word) else {
            i += 1;
            continue;
        };
        let printed = text.get(token.start..token.end).unwrap_or(token.word);
        if form != Form::Full
            && let Some(next) = tokens.get(i + 1)
            && next.start == token.end
            && SUFFIX_TOKENS.contains(&next.word)
        {
            let full = format!("{}{}", token.word, next.word);
            if TABLE.get(full.as_str()) == Some(&Form::Full) {
                let printed = text.get(token.start..next.end).unwrap_or(&full);
                found.add(&full, printed);
                i += 2;
                continue;
            }
        }
        match form {
            Form::Full | Form::Ambiguous => found.add(token.word, printed),
            Form::Short(full) => {
                let suffix = &full[token.word.len()..];
                let shown = match script {
                    Script::Traditional => format!("{printed}{}", traditional(suffix)),
                    Script::Simplified => format!("{printed}{suffix}"),
                };
                found.add(full, &shown);
            }
            Form::Word => {}
        }
        i += 1;
    }
    found.ranked(CAP)
}

/// Whether `word` (simplified) names a place of the table on its own.
pub fn is_place(word: &str) -> bool {
    matches!(
        TABLE.get(word),
        Some(Form::Full | Form::Short(_) | Form::Ambiguous)
    )
}

/// The traditional form of an administrative suffix (自治区 → 自治區); only these characters
/// differ between the scripts in the table's suffixes.
fn traditional(suffix: &str) -> String {
    suffix
        .chars()
        .map(|c| match c {
            '区' => '區',
            '壮' => '壯',
            '维' => '維',
            '尔' => '爾',
            '别' => '別',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Segmenter;

    fn run(text: &str) -> Vec<String> {
        let (simplified, script) = crate::text::simplify(text);
        let segmenter = Segmenter::new("").unwrap();
        places(&segmenter.segment(&simplified), text, script)
    }

    #[test]
    fn short_forms_get_full_names_most_mentioned_first() {
        let got =
            run("浙江一家企业把货发往上海,上海的经销商再转运到广西和杭州,杭州和上海都有库存。");
        assert_eq!(got, vec!["上海市", "杭州市", "浙江省", "广西壮族自治区"]);
    }

    #[test]
    fn full_names_and_places_inside_organisations_count() {
        let got = run("杭州市市场监督管理局通报,香港特别行政区的买家也收到了货。");
        assert_eq!(got, vec!["杭州市", "香港特别行政区"]);
    }

    #[test]
    fn ambiguous_short_forms_stay_as_printed() {
        assert_eq!(run("他从吉林出发。"), vec!["吉林"]);
        assert_eq!(
            run("他在吉林市工作,后来去了吉林省。"),
            vec!["吉林市", "吉林省"]
        );
    }

    #[test]
    fn common_words_are_not_places() {
        assert!(run("老人穿着中山装,吃着三明治,向来宾致意;午后日照强烈。").is_empty());
        assert_eq!(run("今年来宾市的游客增多。"), vec!["来宾市"]);
    }

    #[test]
    fn traditional_text_keeps_its_script() {
        assert_eq!(
            run("廣西的荔枝運到香港,再轉往臺南。"),
            vec!["廣西壯族自治區", "香港特別行政區", "臺南市"]
        );
    }

    #[test]
    fn every_short_form_is_the_start_of_its_full_name() {
        for (word, form) in TABLE.iter() {
            if let Form::Short(full) = form {
                assert!(full.starts_with(word), "{word} → {full}");
            }
        }
        assert_eq!(TABLE.get("吉林"), Some(&Form::Ambiguous));
        assert_eq!(TABLE.get("上海"), Some(&Form::Short("上海市")));
    }
}

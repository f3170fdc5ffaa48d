//! Character-level normalisation: full-width forms, odd spaces, line endings, control characters
//! and the inline pinyin annotations that mirrored pages insert (`監(jiān)管`).

use super::is_han;

/// Normalises `input` in one pass.
///
/// - full-width ASCII (U+FF01–U+FF5E) becomes half-width, so `：２０２３` reads `:2023`;
/// - no-break, ideographic and other Unicode spaces become a plain space, tabs too;
/// - `\r\n` and `\r` become `\n`; zero-width and other control characters are dropped;
/// - a parenthesised pinyin syllable right after a Chinese character is removed.
pub fn normalize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.char_indices().peekable();
    // Characters that stay as they are (nearly all of them) are copied a run at a time; the
    // current run starts at `run`.
    let mut run = 0;
    while let Some((at, c)) = chars.next() {
        if !needs_care(c) {
            continue;
        }
        out.push_str(&input[run..at]);
        run = at + c.len_utf8();
        let c = fold(c);
        match c {
            '\r' => {
                if chars.peek().map(|&(_, n)| n) != Some('\n') {
                    out.push('\n');
                }
            }
            '\n' => out.push('\n'),
            // A parenthesis right after a Chinese character may open a pinyin annotation.
            '(' if out.chars().next_back().is_some_and(is_han) => {
                match pinyin_annotation(&input[run..]) {
                    Some(skip) => {
                        // Skip the annotation and its closing parenthesis. The character
                        // before stays the last one, so `發(fā)現(xiàn)` loses both.
                        run += skip;
                        while chars.peek().is_some_and(|&(i, _)| i < run) {
                            chars.next();
                        }
                    }
                    None => out.push('('),
                }
            }
            c if c.is_control() || is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out.push_str(&input[run..]);
    out
}

/// Whether `c` may change: a control, space, format or full-width character, or a parenthesis.
fn needs_care(c: char) -> bool {
    matches!(c,
        '\0'..='\x1f' | '(' | '\x7f'..='\u{a0}' | '\u{ad}' | '\u{1680}' | '\u{2000}'..='\u{206f}'
        | '\u{3000}' | '\u{feff}' | '\u{ff01}'..='\u{ff5e}')
}

/// Maps one character to its normal form.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\t'
        | '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => ' ',
        '\u{2028}' | '\u{2029}' | '\u{0085}' => '\n',
        _ => c,
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// If `rest` (the text after an opening parenthesis) starts with a pinyin syllable and a closing
/// parenthesis, returns the byte length to skip (syllable plus `)`).
fn pinyin_annotation(rest: &str) -> Option<usize> {
    let mut toned = false;
    let mut letters = 0;
    for (i, c) in rest.char_indices() {
        match c {
            ')' | '）' => {
                return (toned && (1..=7).contains(&letters)).then_some(i + c.len_utf8());
            }
            'a'..='z' => letters += 1,
            'ā' | 'á' | 'ǎ' | 'à' | 'ē' | 'é' | 'ě' | 'è' | 'ī' | 'í' | 'ǐ' | 'ì' | 'ō' | 'ó'
            | 'ǒ' | 'ò' | 'ū' | 'ú' | 'ǔ' | 'ù' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' | 'ḿ' | 'ń' | 'ň'
            | 'ǹ' => {
                letters += 1;
                toned = true;
            }
            _ => return None,
        }
        if letters > 7 {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_full_width_and_spaces() {
        assert_eq!(
            normalize("２０２３年：ＣＣＣ\u{3000}认证"),
            "2023年:CCC 认证"
        );
        assert_eq!(normalize("a\u{00A0}b\r\nc\rd"), "a b\nc\nd");
        assert_eq!(normalize("质\u{200B}量\u{0007}"), "质量");
    }

    #[test]
    fn keeps_ordinary_text_and_line_breaks() {
        let text = "标题\n\n正文第一段,含 ASCII (note) 与数字 2023。\n第二段\u{2028}第三段";
        assert_eq!(
            normalize(text),
            "标题\n\n正文第一段,含 ASCII (note) 与数字 2023。\n第二段\n第三段"
        );
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("(開頭"), "(開頭");
    }

    #[test]
    fn strips_inline_pinyin_after_han_only() {
        assert_eq!(normalize("發(fā)現(xiàn)缺陷"), "發現缺陷");
        assert_eq!(normalize("監(jiān)管部門"), "監管部門");
        // Not pinyin: no tone mark, or not after a Chinese character, or real content.
        assert_eq!(normalize("标准(GB 2760)"), "标准(GB 2760)");
        assert_eq!(normalize("abc(fā)"), "abc(fā)");
        assert_eq!(normalize("公司(上海)"), "公司(上海)");
        assert_eq!(normalize("示例(a)"), "示例(a)");
    }
}

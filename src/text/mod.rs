//! Text cleaning: normalisation, script handling, page structure, HTML and segmentation.

pub mod html;
pub mod normalize;
pub mod page;
pub mod script;
pub mod segment;

pub use normalize::normalize;
pub use page::{Page, read_page};
pub use script::{Script, simplify};
pub use segment::Segmenter;

/// Whether `c` is one of the punctuation marks and symbols Chinese text prints outside ASCII
/// (general punctuation, CJK brackets and marks, full-width punctuation). None of them is a
/// letter, a digit or a space, so callers can settle them without Unicode table lookups.
pub fn is_wide_punctuation(c: char) -> bool {
    matches!(c as u32,
        0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3004 | 0x3008..=0x3020 | 0x3030
            | 0x303D..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40
            | 0xFF5B..=0xFF65)
}

/// Whether `c` is a CJK ideograph (the characters Chinese words are made of).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x3007)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wide_punctuation_is_never_a_letter_digit_or_space() {
        let marks: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| super::is_wide_punctuation(c))
            .collect();
        assert!(marks.len() > 100, "{}", marks.len());
        for c in marks {
            assert!(!c.is_alphanumeric() && !c.is_whitespace(), "{c:?}");
        }
        for c in [
            '、', '。', '“', '”', '《', '》', '【', '】', '…', '—', '\u{FF01}', '\u{FF08}',
        ] {
            assert!(super::is_wide_punctuation(c), "{c:?}");
        }
    }
}

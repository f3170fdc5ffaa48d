//! Script detection and conversion of traditional characters to simplified ones.

/// The script an article is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Simplified Chinese (zh-Hans).
    Simplified,
    /// Traditional Chinese (zh-Hant).
    Traditional,
}

impl Script {
    /// The BCP 47 script subtag form used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Simplified => "zh-Hans",
            Script::Traditional => "zh-Hant",
        }
    }
}

/// Converts `text` to simplified characters and tells which script it was in.
///
/// The conversion maps character to character, and every converted character is three bytes in
/// UTF-8 as the original was, so byte offsets in the result point at the same characters in
/// `text`. An article counts as traditional when at least 5% of its Chinese characters change.
pub fn simplify(text: &str) -> (String, Script) {
    if !needs_conversion(text) {
        return (text.to_string(), Script::Simplified);
    }
    let simplified = convert(text);
    debug_assert_eq!(simplified.len(), text.len());
    let script = script_of(text, &simplified);
    (simplified, script)
}

/// The script of `text` given its conversion `simplified` (see [`simplify`]).
pub fn script_of(text: &str, simplified: &str) -> Script {
    let mut han = 0usize;
    let mut changed = 0usize;
    for (a, b) in text.chars().zip(simplified.chars()) {
        if super::is_han(a) {
            han += 1;
            changed += usize::from(a != b);
        }
    }
    if changed >= 2 && changed * 20 >= han {
        Script::Traditional
    } else {
        Script::Simplified
    }
}

/// `text` in simplified characters, byte for byte aligned with it (see [`simplify`]).
pub fn to_simplified(text: &str) -> String {
    if needs_conversion(text) {
        convert(text)
    } else {
        text.to_string()
    }
}

/// [`to_simplified`] for text that [`needs_conversion`] has flagged already.
pub fn convert(text: &str) -> String {
    fast2s::convert(text)
}

/// Whether any character of `text` may change in conversion. Most articles are simplified
/// and never reach the converter's per-character hash lookups.
pub fn needs_conversion(text: &str) -> bool {
    let map = &*CONVERTIBLE;
    // Only three-byte characters (U+0800..=U+FFFF) convert.
    text.chars()
        .filter(|c| c.len_utf8() == 3)
        .any(|c| map[c as usize >> 6] >> (c as u32 & 63) & 1 == 1)
}

/// One bit per BMP code point: set when the converter may change it, alone or in context.
static CONVERTIBLE: std::sync::LazyLock<Box<[u64; 1024]>> = std::sync::LazyLock::new(|| {
    let mut map = Box::new([0u64; 1024]);
    let mut mark = |c: char| map[c as usize >> 6] |= 1 << (c as u32 & 63);
    let mut one = String::with_capacity(4);
    for code in 0x800u32..=0xFFFF {
        let Some(c) = char::from_u32(code) else {
            continue;
        };
        one.clear();
        one.push(c);
        if fast2s::convert(&one) != one {
            mark(c);
        }
    }
    // Characters whose conversion depends on their neighbours (fast2s's special cases).
    "藉著苧闔鍾讎畫兒覆夥瞭麽幺於乾".chars().for_each(mark);
    map
});

/// Builds the conversion table now rather than on the first request.
pub fn warm_up() {
    std::sync::LazyLock::force(&CONVERTIBLE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_and_converts_traditional() {
        let (s, script) = simplify("國家市場監督管理總局發佈汽車召回公告");
        assert_eq!(script, Script::Traditional);
        assert_eq!(s, "国家市场监督管理总局发布汽车召回公告");
    }

    #[test]
    fn leaves_simplified_alone() {
        let text = "上海市市场监管局推动企业实施消费品召回37起";
        let (s, script) = simplify(text);
        assert_eq!(script, Script::Simplified);
        assert_eq!(s, text);
    }

    #[test]
    fn every_character_the_converter_changes_is_flagged() {
        // Sample whole blocks: a character that converts but is not flagged would leave
        // traditional text unconverted.
        let text: String = (0x4E00u32..0xA000).filter_map(char::from_u32).collect();
        assert!(needs_conversion("國"));
        assert!(!needs_conversion("国家市场监督管理总局 abc 123"));
        assert_eq!(to_simplified(&text), fast2s::convert(&text));
        // Context-dependent conversions (看著 → 看着) are flagged too.
        for words in ["看著", "計畫", "憑藉"] {
            assert_eq!(to_simplified(words), fast2s::convert(words), "{words}");
        }
    }

    #[test]
    fn keeps_byte_offsets() {
        let text = "香港消費者委員會:產品質量 ok 123";
        let (s, _) = simplify(text);
        assert_eq!(s.len(), text.len());
        assert!(s.is_char_boundary(9));
    }
}

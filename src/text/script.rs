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
    let simplified = fast2s::convert(text);
    debug_assert_eq!(simplified.len(), text.len());
    let mut han = 0usize;
    let mut changed = 0usize;
    for (a, b) in text.chars().zip(simplified.chars()) {
        if super::is_han(a) {
            han += 1;
            changed += usize::from(a != b);
        }
    }
    let script = if changed >= 2 && changed * 20 >= han {
        Script::Traditional
    } else {
        Script::Simplified
    };
    (simplified, script)
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
    fn keeps_byte_offsets() {
        let text = "香港消費者委員會:產品質量 ok 123";
        let (s, _) = simplify(text);
        assert_eq!(s.len(), text.len());
        assert!(s.is_char_boundary(9));
    }
}

//! Cited documents: 《…》 titles, document numbers (国市监质监规〔2023〕1号) and standard codes
//! (GB 2760-2014, GB/T 19001).

use std::sync::LazyLock;

use regex::Regex;

/// The year and serial of a document number (`〔2023〕1号`); the issuer's abbreviation is read
/// backwards from its start, so the search starts at a bracket, not at every Chinese character.
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*\d{1,4}\s*号").expect("valid regex")
});

/// The issuer's abbreviation before a document number: this many Chinese characters.
const ISSUER_CHARS: std::ops::RangeInclusive<usize> = 2..=14;

/// A standard code; the character before it must not be a letter, digit or slash.
static STANDARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<code>(?:GB|GB/T|GB/Z|QB/T|QB|SB/T|NY/T|JJG|JJF|YY/T|YY|HG/T|SN/T|T/[A-Z]{2,8}|DB\d{2}(?:/T)?|ISO|IEC|ISO/IEC)\s?\d{2,6}(?:\.\d+)?(?:\s?[-—]\s?(?:19|20)\d{2})?)")
        .expect("valid regex")
});

/// Every document the text cites, in order of first appearance, without repeats.
pub fn documents(text: &str) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find('《') {
        let after = open + '《'.len_utf8();
        let Some(len) = rest[after..].find(['》', '\n']) else {
            break;
        };
        let title = rest[after..after + len].trim();
        if rest[after + len..].starts_with('》') && (2..=80).contains(&title.chars().count()) {
            found.push((offset + open, format!("《{title}》")));
        }
        offset += after + len;
        rest = &rest[after + len..];
    }
    for m in DOC_NUMBER.find_iter(text) {
        let issuer = text[..m.start()]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| crate::text::is_han(c))
            .take(*ISSUER_CHARS.end())
            .enumerate()
            .last();
        let Some((n, (start, _))) = issuer else {
            continue;
        };
        if n + 1 < *ISSUER_CHARS.start() {
            continue;
        }
        let number = strip_lead_words(&text[start..m.end()]);
        found.push((m.end() - number.len(), number.to_string()));
    }
    for c in STANDARD.captures_iter(text) {
        if let Some(m) = c.name("code")
            && !text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(|p| p.is_ascii_alphanumeric() || p == '/')
        {
            found.push((m.start(), m.as_str().replace('—', "-")));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<String> = Vec::new();
    for (_, d) in found {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// Words that run into an issuer abbreviation in prose: `依据国市监质监规〔2023〕1号`.
fn strip_lead_words(number: &str) -> &str {
    const LEAD: &[&str] = &[
        "根据", "依据", "按照", "参照", "对照", "印发", "发布", "出台", "执行", "落实", "关于",
        "和", "及", "与", "的", "对", "以", "按", "据", "即", "见", "了", "是", "在", "、",
    ];
    let mut rest = number;
    'strip: loop {
        for lead in LEAD {
            if let Some(r) = rest.strip_prefix(lead)
                && r.chars().take_while(|c| crate::text::is_han(*c)).count() >= 2
            {
                rest = r;
                continue 'strip;
            }
        }
        return rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_titles_numbers_and_codes() {
        let text = "依据《缺陷汽车产品召回管理条例》和国市监质监规〔2023〕1号,按GB 2760-2014与GB/T 19001检测;再提《缺陷汽车产品召回管理条例》。";
        assert_eq!(
            documents(text),
            vec![
                "《缺陷汽车产品召回管理条例》",
                "国市监质监规〔2023〕1号",
                "GB 2760-2014",
                "GB/T 19001"
            ]
        );
    }
}

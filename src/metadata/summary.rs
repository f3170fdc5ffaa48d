//! The lead of an article as a short summary.

/// At most this many characters.
pub const MAX_CHARS: usize = 150;

/// The first sentences of `body` (after any lead credit) up to [`MAX_CHARS`], cut at a sentence
/// end. A first sentence longer than the limit is cut at the last clause break that fits.
pub fn summarize(body: &str) -> String {
    let lead = body.trim_start_matches([' ', ':', ',', '\n']);
    let mut cut = 0;
    let mut clause = 0;
    for (n, (i, c)) in lead.char_indices().enumerate() {
        if n >= MAX_CHARS {
            break;
        }
        let end = i + c.len_utf8();
        match c {
            '。' | '!' | '?' | '！' | '？' | '…' => cut = end,
            // A line break ends the summary only after a sentence end: a subheading does not.
            '\n' if cut == i => cut = end,
            ';' | '；' | ',' | '，' if n >= 40 => clause = end,
            '”' | '"' | '」' if cut == i => cut = end,
            _ => {}
        }
    }
    let end = if cut == 0 {
        if clause > 0 {
            clause
        } else {
            lead.char_indices()
                .nth(MAX_CHARS)
                .map_or(lead.len(), |(i, _)| i)
        }
    } else {
        cut
    };
    lead[..end].trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_sentence_end() {
        let body = format!("第一句话。{}第三句。", "很长".repeat(80));
        assert_eq!(summarize(&body), "第一句话。");
        assert_eq!(summarize("短讯一则。第二句。"), "短讯一则。第二句。");
        assert_eq!(summarize("第一段话。\n小标题\n第二段"), "第一段话。");
        let long = "没有句号".repeat(60);
        assert_eq!(summarize(&long).chars().count(), MAX_CHARS);
    }
}

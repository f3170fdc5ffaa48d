//! Word segmentation: the only module that names `jieba_rs`.

use std::io::BufReader;

use jieba_rs::Jieba;

use crate::error::{Error, Result};

/// A word of the segmented text, with its byte range in that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The word.
    pub word: &'a str,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// jieba with its default dictionary plus a domain user dictionary. Built once, shared read-only.
pub struct Segmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter").finish_non_exhaustive()
    }
}

/// `user_dict` (`word [frequency] [tag]` lines, `#` comments) in the form jieba's loader reads:
/// every entry gets a frequency (20000, high enough to win) and a tag (`n`) when it has none.
pub fn dictionary_entries(user_dict: &str) -> String {
    user_dict
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let word = parts.next().unwrap_or_default();
            let freq = parts.next().unwrap_or("20000");
            let tag = parts.next().unwrap_or("n");
            format!("{word} {freq} {tag}\n")
        })
        .collect()
}

impl Segmenter {
    /// Builds a segmenter from the default dictionary and `user_dict`, in jieba's dictionary
    /// format: one `word [frequency] [tag]` per line; `#` starts a comment line.
    pub fn new(user_dict: &str) -> Result<Self> {
        let mut jieba = Jieba::new();
        let entries = dictionary_entries(user_dict);
        jieba
            .load_dict(&mut BufReader::new(entries.as_bytes()))
            .map_err(|e| Error::Internal(format!("user dictionary: {e}")))?;
        Ok(Self { jieba })
    }

    /// Cuts `text` into words (HMM on for unseen words). Every byte of `text` is in one token.
    pub fn segment<'a>(&self, text: &'a str) -> Vec<Token<'a>> {
        self.jieba
            .cut(text, true)
            .into_iter()
            .map(|t| Token {
                word: t.word,
                start: t.byte_start,
                end: t.byte_end,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_dictionary_words_stay_whole() {
        let seg = Segmenter::new("强制性产品认证 50000 n\n# comment\n首席质量官\n").unwrap();
        let words: Vec<_> = seg
            .segment("推行强制性产品认证和首席质量官制度")
            .iter()
            .map(|t| t.word)
            .collect();
        assert!(words.contains(&"强制性产品认证"), "{words:?}");
        assert!(words.contains(&"首席质量官"), "{words:?}");
    }

    #[test]
    fn offsets_cover_the_text() {
        let seg = Segmenter::new("").unwrap();
        let text = "上海市市场监管局 2023年 GB/T 19001";
        let tokens = seg.segment(text);
        assert_eq!(tokens.first().unwrap().start, 0);
        assert_eq!(tokens.last().unwrap().end, text.len());
        for t in &tokens {
            assert_eq!(&text[t.start..t.end], t.word);
        }
    }
}

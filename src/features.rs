//! Terms of a segmented article (word unigrams and bigrams), the vocabulary fitted at training
//! time, and sparse tf-idf vectors over it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::metadata::fingerprint::{FNV_OFFSET, FNV_PRIME, finalize, hash64};
use crate::text::segment::Token;

/// Seed that keeps bigram keys apart from unigram keys.
const BIGRAM_SEED: u64 = 0x6269_6772_616d;

/// Which kinds of terms an article contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermKinds {
    /// Words.
    pub unigrams: bool,
    /// Pairs of adjacent content words.
    pub bigrams: bool,
    /// Two-character pieces inside words of three or more Chinese characters, keyed like
    /// words: `消费品召回` also counts as `召回`, so compounds from the user dictionary or
    /// jieba's HMM share evidence with the plain word.
    #[serde(default)]
    pub subwords: bool,
}

impl Default for TermKinds {
    fn default() -> Self {
        Self {
            unigrams: true,
            bigrams: true,
            subwords: true,
        }
    }
}

impl std::fmt::Display for TermKinds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = [
            (self.unigrams, "unigrams"),
            (self.bigrams, "bigrams"),
            (self.subwords, "subwords"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
        f.write_str(&names.join(","))
    }
}

impl std::str::FromStr for TermKinds {
    type Err = String;

    /// `unigrams,bigrams,subwords` or any subset.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut kinds = TermKinds {
            unigrams: false,
            bigrams: false,
            subwords: false,
        };
        for part in s.split(',').map(str::trim) {
            match part {
                "unigrams" => kinds.unigrams = true,
                "bigrams" => kinds.bigrams = true,
                "subwords" => kinds.subwords = true,
                other => return Err(format!("unknown term kind {other:?}")),
            }
        }
        Ok(kinds)
    }
}

/// One occurrence of a term: its key and the byte range of the words that formed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermHit {
    pub key: u64,
    pub start: usize,
    pub end: usize,
}

/// Words that carry no topic: function words and the commonest verbs of news prose.
const STOP_WORDS: &[&str] = &[
    "的", "了", "在", "是", "和", "与", "及", "或", "等", "对", "将", "为", "也", "都", "而", "并",
    "从", "向", "把", "被", "让", "给", "于", "以", "其", "之", "这", "那", "个", "中", "上", "下",
    "有", "就", "还", "又", "要", "会", "能", "可", "到", "说", "着", "过", "吗", "呢", "吧", "啊",
    "我们", "他们", "她们", "你们", "一个", "这个", "那个", "以及", "进行", "通过", "已经", "没有",
    "表示", "目前", "同时", "其中", "一些", "如果", "因为", "所以", "但是", "可以", "就是", "还是",
];

/// Whether a token can be a term: it has a letter or ideograph and is not a stop word (found by
/// the token's [`unigram_key`]).
fn is_content_token(word: &str, key: u64) -> bool {
    let Some(first) = word.chars().next() else {
        return false;
    };
    // Most words are Chinese: settle them without Unicode table lookups.
    let has_letter = crate::text::is_han(first)
        || word.chars().any(|c| {
            crate::text::is_han(c) || !crate::text::is_wide_punctuation(c) && c.is_alphabetic()
        }) && !word
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation());
    has_letter && !(word.len() <= 6 && STOP_KEYS.contains_key(&key))
}

/// Whether a word that is not a term breaks a bigram: punctuation does, spaces and stop words
/// do not.
fn breaks_bigrams(word: &str) -> bool {
    word.chars().any(|c| {
        if c.is_ascii() {
            c.is_ascii_punctuation()
        } else {
            crate::text::is_wide_punctuation(c)
                || !crate::text::is_han(c) && !c.is_whitespace() && !c.is_alphanumeric()
        }
    })
}

/// The keys of [`STOP_WORDS`] (every stop word is at most two characters, six bytes).
static STOP_KEYS: std::sync::LazyLock<KeyMap<()>> =
    std::sync::LazyLock::new(|| STOP_WORDS.iter().map(|w| (unigram_key(w), ())).collect());

/// The key of a word unigram (ASCII letters folded to lower case): [`hash64`] of the folded
/// bytes, folded as they are hashed.
pub fn unigram_key(word: &str) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in word.as_bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(FNV_PRIME);
    }
    finalize(h)
}

/// The key of a pair of adjacent content words.
pub fn bigram_key(first: u64, second: u64) -> u64 {
    hash64(&second.to_le_bytes(), first ^ BIGRAM_SEED)
}

/// The [`unigram_key`] of every token: computed once per article and shared by the features,
/// the keywords and the fingerprint.
pub fn token_keys(tokens: &[Token<'_>]) -> Vec<u64> {
    tokens.iter().map(|t| unigram_key(t.word)).collect()
}

/// Calls `emit` for every term of `tokens`, in text order.
pub fn terms(tokens: &[Token<'_>], kinds: TermKinds, emit: impl FnMut(TermHit)) {
    terms_keyed(tokens, &token_keys(tokens), kinds, emit);
}

/// [`terms`] with the tokens' keys from [`token_keys`].
pub fn terms_keyed(
    tokens: &[Token<'_>],
    keys: &[u64],
    kinds: TermKinds,
    mut emit: impl FnMut(TermHit),
) {
    debug_assert_eq!(tokens.len(), keys.len());
    let mut previous: Option<(u64, usize)> = None;
    for (t, &key) in tokens.iter().zip(keys) {
        if !is_content_token(t.word, key) {
            if breaks_bigrams(t.word) {
                previous = None;
            }
            continue;
        }
        if kinds.unigrams {
            emit(TermHit {
                key,
                start: t.start,
                end: t.end,
            });
        }
        if kinds.subwords && t.word.len() >= 9 {
            let mut chars = t.word.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let Some(&(j, d)) = chars.peek() else { break };
                if crate::text::is_han(c) && crate::text::is_han(d) {
                    // The hit spans the whole word, so evidence shows `消费品召回`, not `品召`.
                    emit(TermHit {
                        key: unigram_key(&t.word[i..j + d.len_utf8()]),
                        start: t.start,
                        end: t.end,
                    });
                }
            }
        }
        if kinds.bigrams
            && let Some((prev, start)) = previous
        {
            emit(TermHit {
                key: bigram_key(prev, key),
                start,
                end: t.end,
            });
        }
        previous = Some((key, t.start));
    }
}

/// Passages of at least this many characters (short paragraphs join the next).
pub const PASSAGE_CHARS: usize = 120;

/// Byte ranges of the passages of `text[start..]`: paragraphs (lines), short ones merged with
/// the following ones until a passage has [`PASSAGE_CHARS`] characters.
pub fn passages(text: &str, start: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    let mut chars = 0;
    let mut at = start;
    for line in text[start..].split_inclusive('\n') {
        at += line.len();
        chars += line.chars().count();
        if chars >= PASSAGE_CHARS {
            out.push((from, at));
            from = at;
            chars = 0;
        }
    }
    if at > from {
        match out.last_mut() {
            // A short tail belongs to the passage before it.
            Some(last) if chars < PASSAGE_CHARS / 2 => last.1 = at,
            _ => out.push((from, at)),
        }
    }
    out
}

/// The hits of each passage (a hit belongs to the passage its first word starts in).
pub fn split_hits(hits: &[TermHit], passages: &[(usize, usize)]) -> Vec<Vec<TermHit>> {
    split_by_passage(hits, |h| h.start, passages)
}

/// `items` grouped by the passage that the byte offset `start` of each falls in; items outside
/// every passage are dropped.
fn split_by_passage<T: Copy>(
    items: &[T],
    start: impl Fn(&T) -> usize,
    passages: &[(usize, usize)],
) -> Vec<Vec<T>> {
    let mut out = vec![Vec::new(); passages.len()];
    // Items come nearly in text order: try the passage of the one before first.
    let mut current = 0;
    for item in items {
        let at = start(item);
        let inside = |i: usize| {
            passages
                .get(i)
                .is_some_and(|&(from, to)| from <= at && at < to)
        };
        if !inside(current) {
            let i = passages.partition_point(|&(from, _)| from <= at);
            if i == 0 || at >= passages[i - 1].1 {
                continue;
            }
            current = i - 1;
        }
        out[current].push(*item);
    }
    out
}

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// HashMap keyed by term keys.
pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// A vocabulary term as stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub key: u64,
    /// The term as text (bigrams joined by a space), for evidence and inspection.
    pub text: String,
    pub idf: f32,
}

/// The fitted vocabulary: term keys to column indices, with IDF weights.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    kinds: TermKinds,
    terms: Vec<Term>,
    index: KeyMap<u32>,
}

/// A sparse, L2-normalised tf-idf vector: (column, value) sorted by column, plus where each
/// column's term first occurs in the text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub entries: Vec<(u32, f32)>,
    pub first_hit: Vec<(usize, usize)>,
}

impl Vocabulary {
    /// Builds the lookup index over `terms`.
    pub fn new(kinds: TermKinds, terms: Vec<Term>) -> Self {
        let index = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key, i as u32))
            .collect();
        Self {
            kinds,
            terms,
            index,
        }
    }

    pub fn kinds(&self) -> TermKinds {
        self.kinds
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The tf-idf vector of a segmented text: sublinear term frequency times IDF, L2-normalised.
    pub fn vectorize(&self, tokens: &[Token<'_>]) -> SparseVector {
        let mut hits = Vec::with_capacity(tokens.len() * 2);
        terms(tokens, self.kinds, |hit| hits.push(hit));
        self.vectorize_hits(&hits)
    }

    /// The tf-idf vector of a text's term occurrences (see [`terms`]).
    pub fn vectorize_hits(&self, hits: &[TermHit]) -> SparseVector {
        self.vectorize_located(&self.locate(hits))
    }

    /// The hits whose terms are in the vocabulary, with their columns, in the same order: each
    /// hit is looked up once, however many vectors it goes into.
    pub fn locate(&self, hits: &[TermHit]) -> Vec<Located> {
        hits.iter()
            .filter_map(|&hit| self.locate_one(hit))
            .collect()
    }

    /// The hit with its column, if its term is in the vocabulary.
    pub fn locate_one(&self, hit: TermHit) -> Option<Located> {
        self.index.get(&hit.key).map(|&column| Located {
            column,
            start: hit.start as u32,
            end: hit.end as u32,
        })
    }

    /// The tf-idf vector of located hits: sublinear term frequency times IDF, L2-normalised.
    pub fn vectorize_located(&self, located: &[Located]) -> SparseVector {
        // Sort (column, position) pairs packed in one integer: each column's hits end up
        // together, its first hit first.
        let mut order: Vec<u64> = located
            .iter()
            .enumerate()
            .map(|(i, l)| u64::from(l.column) << 32 | i as u64)
            .collect();
        order.sort_unstable();
        let mut entries: Vec<(u32, f32)> = Vec::with_capacity(order.len());
        let mut first_hit = Vec::with_capacity(order.len());
        for run in order.chunk_by(|a, b| a >> 32 == b >> 32) {
            let first = located[(run[0] & 0xFFFF_FFFF) as usize];
            let tf = 1.0 + (run.len() as f32).ln();
            entries.push((first.column, tf * self.terms[first.column as usize].idf));
            first_hit.push((first.start as usize, first.end as usize));
        }
        let norm = entries.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut entries {
                *v /= norm;
            }
        }
        SparseVector { entries, first_hit }
    }
}

/// A term occurrence whose term is in the vocabulary: its column and byte range (12 bytes: an
/// article has thousands, and they are copied into the passages too). Offsets fit in `u32`:
/// articles are limited to far less than 4 GiB (a gRPC message cannot be larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub column: u32,
    pub start: u32,
    pub end: u32,
}

/// The located hits of each passage (see [`split_hits`]).
pub fn split_located(located: &[Located], passages: &[(usize, usize)]) -> Vec<Vec<Located>> {
    split_by_passage(located, |l| l.start as usize, passages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(words: &[&'static str]) -> Vec<Token<'static>> {
        let mut at = 0;
        words
            .iter()
            .map(|w| {
                let t = Token {
                    word: w,
                    start: at,
                    end: at + w.len(),
                };
                at += w.len();
                t
            })
            .collect()
    }

    #[test]
    fn unigram_keys_are_the_hash_of_the_lower_cased_word() {
        // Model files store these keys: they must not change.
        assert_eq!(unigram_key("召回"), hash64("召回".as_bytes(), 0));
        assert_eq!(unigram_key("CCC认证"), hash64("ccc认证".as_bytes(), 0));
        assert_eq!(unigram_key("CCC认证"), unigram_key("ccc认证"));
        assert_eq!(unigram_key(""), hash64(b"", 0));
    }

    #[test]
    fn terms_skip_stop_words_and_break_bigrams_at_punctuation() {
        let tokens = tok(&["汽车", "的", "召回", ",", "公告", "2023"]);
        let mut keys = Vec::new();
        terms(&tokens, TermKinds::default(), |h| keys.push(h.key));
        let (car, recall, notice) = (
            unigram_key("汽车"),
            unigram_key("召回"),
            unigram_key("公告"),
        );
        assert_eq!(keys, vec![car, recall, bigram_key(car, recall), notice]);
    }

    #[test]
    fn passages_merge_short_paragraphs() {
        let long = "长".repeat(130);
        let text = format!("标题\n小标题\n{long}\n{long}\n尾巴");
        let p = passages(&text, "标题\n".len());
        assert_eq!(p.len(), 2);
        assert!(text[p[0].0..p[0].1].starts_with("小标题"));
        assert!(text[p[1].0..p[1].1].ends_with("尾巴"));
        assert_eq!(p[1].1, text.len());
        assert!(passages("", 0).is_empty());
    }

    #[test]
    fn vectors_are_normalised_and_sorted() {
        let vocab = Vocabulary::new(
            TermKinds::default(),
            vec![
                Term {
                    key: unigram_key("召回"),
                    text: "召回".into(),
                    idf: 2.0,
                },
                Term {
                    key: unigram_key("汽车"),
                    text: "汽车".into(),
                    idf: 1.0,
                },
            ],
        );
        let v = vocab.vectorize(&tok(&["召回", "汽车", "召回", "无关"]));
        assert_eq!(v.entries.len(), 2);
        assert!(v.entries[0].0 < v.entries[1].0);
        let norm: f32 = v.entries.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(
            v.entries[0].1 > v.entries[1].1,
            "repeated, rarer term weighs more"
        );
        assert_eq!(v.first_hit[0], (0, "召回".len()));
    }
}

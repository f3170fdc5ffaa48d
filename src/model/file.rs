//! The model file: a magic line, a header with format version, payload length and CRC-32, then
//! the model as JSON. Every way a file can be wrong gets its own clear message.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::{Term, TermKinds};

/// The format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

const MAGIC: &str = "NEWSTAG-MODEL";

/// Everything a model consists of, as stored on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub format_version: u32,
    pub version: String,
    pub trained_at: String,
    pub labels: Vec<String>,
    pub thresholds: Vec<f32>,
    /// `logistic` or `multinomial_nb`: the classifier family chosen by cross-validation.
    pub classifier: String,
    pub term_kinds: TermKinds,
    /// Per label, when set: a passage (paragraph) of the article can carry the label on its own
    /// once its margin minus this offset beats the article's. Empty: whole articles only.
    #[serde(default)]
    pub passage_offsets: Vec<Option<f32>>,
    pub terms: Vec<Term>,
    /// One weight row per label, one weight per term.
    pub weights: Vec<Vec<f32>>,
    pub biases: Vec<f32>,
    /// Corpus IDF of words for keyword extraction, sorted by word.
    pub keyword_idf: Vec<(String, f32)>,
    /// The jieba user dictionary the model was trained with.
    pub user_dict: String,
    /// Corpus hash, counts, parameters and metrics.
    pub training: serde_json::Value,
}

impl ModelFile {
    /// Serialises to the on-disk form.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload =
            serde_json::to_vec(self).map_err(|e| Error::Internal(format!("model: {e}")))?;
        let crc = crc32fast::hash(&payload);
        let mut out = format!(
            "{MAGIC}\nformat={} bytes={} crc32={crc:08x}\n",
            self.format_version,
            payload.len()
        )
        .into_bytes();
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Writes the file atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        let tmp = path.with_extension("tmp");
        let io = |e: std::io::Error| model_error(path, format!("cannot write: {e}"));
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads and validates a model file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "not found".to_string(),
                _ => format!("cannot read: {e}"),
            };
            model_error(path, reason)
        })?;
        Self::from_bytes(&bytes).map_err(|reason| model_error(path, reason))
    }

    /// Parses the on-disk form; the error says what is wrong with the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let (magic, rest) = split_line(bytes).ok_or("empty or not a newstag model file")?;
        if magic != MAGIC.as_bytes() {
            return Err("not a newstag model file (bad magic line)".into());
        }
        let (header, payload) = split_line(rest).ok_or("truncated: header missing")?;
        let header = std::str::from_utf8(header).map_err(|_| "corrupt header".to_string())?;
        let field = |name: &str| {
            header
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("corrupt header: no {name}"))
        };
        let format: u32 = field("format")?
            .parse()
            .map_err(|_| "corrupt header: bad format".to_string())?;
        if format != FORMAT_VERSION {
            return Err(format!(
                "unknown format version {format} (this build reads version {FORMAT_VERSION})"
            ));
        }
        let len: usize = field("bytes")?
            .parse()
            .map_err(|_| "corrupt header: bad length".to_string())?;
        let crc = u32::from_str_radix(field("crc32")?, 16)
            .map_err(|_| "corrupt header: bad checksum".to_string())?;
        if payload.len() < len {
            return Err(format!(
                "truncated: {} of {len} payload bytes present",
                payload.len()
            ));
        }
        if payload.len() > len {
            return Err(format!(
                "corrupt: {} bytes after the payload",
                payload.len() - len
            ));
        }
        if crc32fast::hash(payload) != crc {
            return Err("corrupt: checksum mismatch".into());
        }
        let file: ModelFile =
            serde_json::from_slice(payload).map_err(|e| format!("corrupt payload: {e}"))?;
        file.validate()?;
        Ok(file)
    }

    /// Checks that the parts agree with each other.
    pub fn validate(&self) -> Result<(), String> {
        let labels = self.labels.len();
        if labels == 0 {
            return Err("invalid: no labels".into());
        }
        if self.thresholds.len() != labels
            || self.biases.len() != labels
            || !(self.passage_offsets.is_empty() || self.passage_offsets.len() == labels)
        {
            return Err(
                "invalid: thresholds, biases or passage offsets do not match the labels".into(),
            );
        }
        if self.weights.len() != labels || self.weights.iter().any(|w| w.len() != self.terms.len())
        {
            return Err("invalid: weight matrix does not match labels × terms".into());
        }
        if self
            .thresholds
            .iter()
            .chain(&self.biases)
            .chain(self.passage_offsets.iter().flatten())
            .chain(self.weights.iter().flatten())
            .any(|v| !v.is_finite())
        {
            return Err("invalid: non-finite number".into());
        }
        Ok(())
    }
}

fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|&b| b == b'\n')?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

fn model_error(path: &Path, reason: String) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tiny() -> ModelFile {
        ModelFile {
            format_version: FORMAT_VERSION,
            version: "test".into(),
            trained_at: "2026-01-01T00:00:00Z".into(),
            labels: vec!["recall".into()],
            thresholds: vec![0.5],
            classifier: "logistic".into(),
            term_kinds: TermKinds::default(),
            passage_offsets: vec![Some(1.0)],
            terms: vec![Term {
                key: crate::features::unigram_key("召回"),
                text: "召回".into(),
                idf: 1.5,
            }],
            weights: vec![vec![3.0]],
            biases: vec![-1.0],
            keyword_idf: vec![("召回".into(), 1.5)],
            user_dict: String::new(),
            training: serde_json::json!({}),
        }
    }

    #[test]
    fn round_trips() {
        let file = tiny();
        let bytes = file.to_bytes().unwrap();
        assert_eq!(ModelFile::from_bytes(&bytes).unwrap(), file);
    }

    #[test]
    fn names_each_problem() {
        let bytes = tiny().to_bytes().unwrap();
        let err = |b: &[u8]| ModelFile::from_bytes(b).unwrap_err();
        assert!(err(&bytes[..bytes.len() - 5]).starts_with("truncated"));
        assert!(err(b"garbage\nmore").contains("not a newstag model"));
        assert!(err(b"").contains("not a newstag model"));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert!(err(&flipped).contains("checksum"));
        let future = String::from_utf8(bytes)
            .unwrap()
            .replace("format=1 ", "format=9 ");
        assert!(err(future.as_bytes()).contains("unknown format version 9"));
    }
}

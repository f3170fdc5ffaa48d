//! The labelled corpus: JSONL files of `{"id", "text", "labels"}`, a deterministic train/test
//! split by id hash, and counts.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metadata::fingerprint::hash64;

/// The taxonomy's labels, in the order models report them.
pub const LABELS: [&str; 4] = [
    "quality_regulation",
    "recall",
    "certification",
    "consumer_food",
];

/// One labelled article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub id: String,
    pub text: String,
    pub labels: Vec<String>,
}

impl Example {
    /// Membership of each of `labels` in this example's labels.
    pub fn targets(&self, labels: &[String]) -> Vec<bool> {
        labels.iter().map(|l| self.labels.contains(l)).collect()
    }
}

/// Every `*.jsonl` file under `path` (recursively, sorted), or `path` itself if it is a file.
pub fn files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::Corpus {
            path: dir.clone(),
            line: 0,
            reason: e.to_string(),
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Loads examples from JSONL files, checking ids are unique and labels are known.
/// Extra fields (e.g. `meta`, `script`) are ignored, so evaluation sets can carry more.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Example>> {
    let mut examples: Vec<Example> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        let content = std::fs::read_to_string(path).map_err(|e| Error::Corpus {
            path: path.clone(),
            line: 0,
            reason: e.to_string(),
        })?;
        for (n, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |reason: String| Error::Corpus {
                path: path.clone(),
                line: n + 1,
                reason,
            };
            let example: Example = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            if let Some(label) = example
                .labels
                .iter()
                .find(|l| !LABELS.contains(&l.as_str()))
            {
                return Err(bad(format!("unknown label {label:?}")));
            }
            if !seen.insert(example.id.clone()) {
                return Err(bad(format!("duplicate id {:?}", example.id)));
            }
            examples.push(example);
        }
    }
    Ok(examples)
}

/// Whether an example belongs to the held-out test split (one in five, by id hash).
pub fn is_test(id: &str) -> bool {
    hash64(id.as_bytes(), 0x7e57).is_multiple_of(5)
}

/// A hash of the corpus content, recorded in the model.
pub fn corpus_hash(examples: &[Example]) -> String {
    let mut h = 0u64;
    for e in examples {
        h = hash64(e.id.as_bytes(), h);
        h = hash64(e.text.as_bytes(), h);
        for l in &e.labels {
            h = hash64(l.as_bytes(), h);
        }
    }
    format!("{h:016x}")
}

/// Counts over a corpus.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub articles: usize,
    pub untagged: usize,
    pub per_label: Vec<(String, usize)>,
    pub traditional: usize,
    pub with_pinyin: usize,
    pub with_full_width: usize,
    pub with_furniture: usize,
    pub train: usize,
    pub test: usize,
    pub shortest: usize,
    pub median: usize,
    pub longest: usize,
}

impl Stats {
    pub fn of(examples: &[Example]) -> Self {
        let mut lengths: Vec<usize> = examples.iter().map(|e| e.text.chars().count()).collect();
        lengths.sort_unstable();
        let count = |f: &dyn Fn(&Example) -> bool| examples.iter().filter(|e| f(e)).count();
        Stats {
            articles: examples.len(),
            untagged: count(&|e| e.labels.is_empty()),
            per_label: LABELS
                .iter()
                .map(|l| (l.to_string(), count(&|e| e.labels.iter().any(|x| x == l))))
                .collect(),
            traditional: count(&|e| {
                crate::text::simplify(&e.text).1 == crate::text::Script::Traditional
            }),
            with_pinyin: count(&|e| {
                crate::text::normalize(&e.text).len() + 4 < e.text.len()
                    && e.text.contains([
                        'ā', 'á', 'ǎ', 'à', 'ī', 'í', 'ǐ', 'ì', 'ū', 'ú', 'ǔ', 'ù', 'ē', 'é', 'ě',
                        'è', 'ō', 'ó', 'ǒ', 'ò',
                    ])
            }),
            with_full_width: count(&|e| {
                e.text.chars().any(|c| {
                    ('\u{FF10}'..='\u{FF5A}').contains(&c)
                        && c != '\u{FF0C}'
                        && c != '\u{FF1A}'
                        && c != '\u{FF1B}'
                        && c != '\u{FF1F}'
                        && c != '\u{FF01}'
                })
            }),
            with_furniture: count(&|e| {
                [
                    "分享到",
                    "相关阅读",
                    "相关新闻",
                    "我也来说两句",
                    "上一篇",
                    "【打印】",
                    "More>>",
                    "责任编辑",
                ]
                .iter()
                .any(|m| e.text.contains(m))
            }),
            train: count(&|e| !is_test(&e.id)),
            test: count(&|e| is_test(&e.id)),
            shortest: lengths.first().copied().unwrap_or(0),
            median: lengths.get(lengths.len() / 2).copied().unwrap_or(0),
            longest: lengths.last().copied().unwrap_or(0),
        }
    }
}

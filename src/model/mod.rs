//! The tagging model: vocabulary, per-label linear classifiers and thresholds, and its versioned
//! file format.

pub mod file;
pub mod fit;

use crate::features::{SparseVector, Term, TermKinds, Vocabulary};

pub use file::{FORMAT_VERSION, ModelFile};

/// One label's score for an article.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelScore {
    /// Index into [`Model::labels`].
    pub label: usize,
    pub score: f32,
    /// Byte ranges (in the scored text) of the terms that pushed the score up most, strongest
    /// first. Only for labels at or above their threshold ([`Model::is_tagged`]): nothing shows
    /// the evidence of a label that is not given.
    pub evidence: Vec<(usize, usize)>,
}

/// A loaded model, ready to score articles. Immutable and shared between requests.
#[derive(Debug)]
pub struct Model {
    pub version: String,
    pub trained_at: String,
    pub labels: Vec<String>,
    pub thresholds: Vec<f32>,
    pub classifier: String,
    pub metrics_json: String,
    pub user_dict: String,
    /// Per label: offset below which a passage's margin may stand for the article's.
    pub passage_offsets: Vec<Option<f32>>,
    vocabulary: Vocabulary,
    /// Row-major `[term][label]`, so one pass over an article's terms scores every label.
    weights: Vec<f32>,
    biases: Vec<f32>,
    /// Unigram IDF for keyword weighting, by term key.
    keyword_idf: crate::features::KeyMap<f32>,
    default_keyword_idf: f32,
}

/// Most evidence terms reported per label.
pub const MAX_EVIDENCE: usize = 8;

impl Model {
    /// Builds the serving form of a model file (already validated by [`ModelFile::validate`]).
    pub fn from_file(file: ModelFile) -> Self {
        let n_labels = file.labels.len();
        let n_terms = file.terms.len();
        let mut weights = vec![0.0f32; n_terms * n_labels];
        for (label, row) in file.weights.iter().enumerate() {
            for (term, &w) in row.iter().enumerate() {
                weights[term * n_labels + label] = w;
            }
        }
        let keyword_idf: crate::features::KeyMap<f32> = file
            .keyword_idf
            .iter()
            .map(|(word, idf)| (crate::features::unigram_key(word), *idf))
            .collect();
        let default_keyword_idf = file
            .keyword_idf
            .iter()
            .map(|(_, idf)| *idf)
            .fold(0.0f32, f32::max);
        Self {
            version: file.version,
            trained_at: file.trained_at,
            labels: file.labels,
            thresholds: file.thresholds,
            classifier: file.classifier,
            metrics_json: serde_json::to_string(&file.training).unwrap_or_default(),
            user_dict: file.user_dict,
            passage_offsets: if file.passage_offsets.is_empty() {
                vec![None; n_labels]
            } else {
                file.passage_offsets
            },
            vocabulary: Vocabulary::new(file.term_kinds, file.terms),
            weights,
            biases: file.biases,
            keyword_idf,
            default_keyword_idf,
        }
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn term_kinds(&self) -> TermKinds {
        self.vocabulary.kinds()
    }

    /// The text of a vocabulary column.
    pub fn term(&self, column: u32) -> &Term {
        &self.vocabulary.terms()[column as usize]
    }

    /// The corpus IDF of a word, for keyword weighting; unseen words get the highest IDF.
    pub fn keyword_idf(&self, word: &str) -> f32 {
        self.keyword_idf_by_key(crate::features::unigram_key(word))
    }

    /// [`Model::keyword_idf`] of the word whose [`unigram_key`](crate::features::unigram_key)
    /// is `key`.
    pub fn keyword_idf_by_key(&self, key: u64) -> f32 {
        self.keyword_idf
            .get(&key)
            .copied()
            .unwrap_or(self.default_keyword_idf)
    }

    /// Whether any label is scored on passages too (see [`Model::score`]).
    pub fn uses_passages(&self) -> bool {
        self.passage_offsets.iter().any(Option::is_some)
    }

    /// Scores every label, in label order. A label's margin is the article's, or, for labels
    /// with a passage offset, a passage's margin minus that offset when that is higher: a topic
    /// covered in one paragraph of a long article is not drowned by the rest.
    pub fn score(&self, article: &SparseVector, passages: &[SparseVector]) -> Vec<LabelScore> {
        let n = self.labels.len();
        let mut best: Vec<(f32, &SparseVector)> = self
            .margins(article)
            .into_iter()
            .map(|m| (m, article))
            .collect();
        if passages.len() > 1 && self.uses_passages() {
            for passage in passages {
                for ((b, m), offset) in best
                    .iter_mut()
                    .zip(self.margins(passage))
                    .zip(&self.passage_offsets)
                {
                    if let Some(offset) = offset
                        && m - offset > b.0
                    {
                        *b = (m - offset, passage);
                    }
                }
            }
        }
        (0..n)
            .map(|label| {
                let mut scored = LabelScore {
                    label,
                    score: sigmoid(best[label].0),
                    evidence: Vec::new(),
                };
                if self.is_tagged(&scored) {
                    scored.evidence = self.evidence(best[label].1, label);
                }
                scored
            })
            .collect()
    }

    /// `w·x + b` for every label.
    pub fn margins(&self, x: &SparseVector) -> Vec<f32> {
        let n = self.labels.len();
        let mut margins = self.biases.clone();
        for &(column, value) in &x.entries {
            let row = &self.weights[column as usize * n..column as usize * n + n];
            for (m, w) in margins.iter_mut().zip(row) {
                *m += w * value;
            }
        }
        margins
    }

    /// Text ranges of the terms with the largest positive contribution to `label`.
    fn evidence(&self, x: &SparseVector, label: usize) -> Vec<(usize, usize)> {
        let n = self.labels.len();
        let mut contributions: Vec<(f32, usize)> = x
            .entries
            .iter()
            .enumerate()
            .map(|(i, &(column, value))| (self.weights[column as usize * n + label] * value, i))
            .filter(|&(c, _)| c > 0.0)
            .collect();
        // Largest first, ties by column order: a total order, so only the top needs sorting.
        let order = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if contributions.len() > MAX_EVIDENCE {
            contributions.select_nth_unstable_by(MAX_EVIDENCE - 1, order);
            contributions.truncate(MAX_EVIDENCE);
        }
        contributions.sort_unstable_by(order);
        contributions
            .into_iter()
            .map(|(_, i)| x.first_hit[i])
            .collect()
    }

    /// Whether `score` for `label` reaches its threshold.
    pub fn is_tagged(&self, score: &LabelScore) -> bool {
        score.score >= self.thresholds[score.label]
    }
}

/// The logistic function, safe for large margins.
pub fn sigmoid(margin: f32) -> f32 {
    if margin >= 0.0 {
        1.0 / (1.0 + (-margin).exp())
    } else {
        let e = margin.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Model>();
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(100.0) > 0.999);
        assert!(sigmoid(-100.0) < 0.001);
        assert!(sigmoid(-1000.0).is_finite());
    }
}

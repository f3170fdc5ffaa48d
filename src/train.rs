//! Training: segment the corpus with the serving pipeline, fit tf-idf vocabularies with
//! chi-square selection, compare logistic regression and naive Bayes under stratified k-fold
//! cross-validation, tune per-label thresholds on out-of-fold scores, fit the final model on the
//! training split and measure it on the held-out test split through the serving path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ndarray::Array2;
use serde::Serialize;

use crate::corpus::{self, Example, LABELS};
use crate::error::{Error, Result};
use crate::eval::{self, Report};
use crate::features::{
    KeyMap, SparseVector, Term, TermHit, TermKinds, Vocabulary, passages, split_hits, terms,
};
use crate::model::fit::{self, Classifier, Linear};
use crate::model::{FORMAT_VERSION, Model, ModelFile, sigmoid};
use crate::pipeline::{self, Format, Tagger};
use crate::text::Segmenter;

/// Everything `newstag train` needs.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Corpus directory or JSONL file.
    pub data: PathBuf,
    /// jieba user dictionary to embed in the model.
    pub user_dict: PathBuf,
    /// Where the model file goes.
    pub output: PathBuf,
    /// Where the model card goes, if anywhere.
    pub card: Option<PathBuf>,
    /// Cross-validation folds.
    pub folds: usize,
    /// Training time as Unix seconds (`SOURCE_DATE_EPOCH`), so retraining is reproducible.
    pub timestamp: u64,
    /// Terms kept per label by chi-square.
    pub terms_per_label: usize,
    /// Minimum document frequency of a term.
    pub min_df: u32,
    /// Which terms features are made of.
    pub term_kinds: TermKinds,
    /// The command line, recorded in the model card.
    pub command: String,
}

/// Classifier candidates compared under cross-validation.
pub const CANDIDATES: &[Classifier] = &[
    Classifier::Logistic { alpha: 0.03 },
    Classifier::Logistic { alpha: 0.1 },
    Classifier::MultinomialNb { alpha: 0.1 },
    Classifier::MultinomialNb { alpha: 0.5 },
];

/// A segmented training article.
#[derive(Debug, Clone)]
struct Doc {
    hits: Vec<TermHit>,
    /// The hits of each passage, for best-passage scoring.
    passages: Vec<Vec<TermHit>>,
    targets: Vec<bool>,
}

/// Cross-validation result of one candidate.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateResult {
    pub classifier: Classifier,
    /// Per label: the passage offset chosen, if passages help that label.
    pub passage_offsets: Vec<Option<f32>>,
    pub thresholds: Vec<f32>,
    pub report: Report,
}

/// What a training run produced.
#[derive(Debug, Clone, Serialize)]
pub struct TrainSummary {
    pub version: String,
    pub corpus_hash: String,
    pub stats: corpus::Stats,
    pub candidates: Vec<CandidateResult>,
    pub chosen: Classifier,
    pub passage_offsets: Vec<Option<f32>>,
    pub thresholds: Vec<f32>,
    pub cross_validation: Report,
    pub test: Report,
    pub terms: usize,
    pub seconds: f64,
}

/// Trains and writes the model (and card); progress goes to `progress`.
pub fn train(config: &TrainConfig, progress: &dyn Fn(&str)) -> Result<TrainSummary> {
    let started = std::time::Instant::now();
    let progress = |message: &str| {
        progress(&format!(
            "[{:5.1} s] {message}",
            started.elapsed().as_secs_f64()
        ));
    };
    let examples = corpus::load(&corpus::files(&config.data)?)?;
    if examples.is_empty() {
        return Err(Error::Corpus {
            path: config.data.clone(),
            line: 0,
            reason: "no examples".into(),
        });
    }
    let user_dict = std::fs::read_to_string(&config.user_dict).map_err(|e| Error::Corpus {
        path: config.user_dict.clone(),
        line: 0,
        reason: e.to_string(),
    })?;
    let labels: Vec<String> = LABELS.iter().map(|l| l.to_string()).collect();
    let stats = corpus::Stats::of(&examples);
    let corpus_hash = corpus::corpus_hash(&examples);
    let (train_set, test_set): (Vec<&Example>, Vec<&Example>) =
        examples.iter().partition(|e| !corpus::is_test(&e.id));
    progress(&format!(
        "corpus: {} articles ({} train, {} test), hash {corpus_hash}",
        examples.len(),
        train_set.len(),
        test_set.len()
    ));

    let segmenter = Segmenter::new(&user_dict)?;
    let kinds = config.term_kinds;
    progress("segmenting");
    let segmented = crate::parallel::map(&train_set, |e| segment(&segmenter, e, kinds));
    let mut display: KeyMap<String> = KeyMap::default();
    let mut word_df: BTreeMap<String, u32> = BTreeMap::new();
    let mut docs = Vec::with_capacity(segmented.len());
    for (example, (hits, passages, names, words)) in train_set.iter().zip(segmented) {
        for (key, name) in names {
            display.entry(key).or_insert(name);
        }
        for w in words {
            *word_df.entry(w).or_insert(0) += 1;
        }
        docs.push(Doc {
            hits,
            passages,
            targets: example.targets(&labels),
        });
    }

    // Cross-validation: every candidate, every label, out-of-fold scores.
    let folds = stratified_folds(&docs, config.folds);
    progress(&format!(
        "cross-validating {} candidates over {} folds",
        CANDIDATES.len(),
        config.folds
    ));
    let fold_ids: Vec<usize> = (0..config.folds).collect();
    let per_fold = crate::parallel::map(&fold_ids, |&fold| {
        let train_idx: Vec<usize> = (0..docs.len()).filter(|&i| folds[i] != fold).collect();
        let val_idx: Vec<usize> = (0..docs.len()).filter(|&i| folds[i] == fold).collect();
        let vocab = fit_vocabulary(&docs, &train_idx, kinds, config, &display);
        let x_train = matrix(&vocab, &docs, &train_idx);
        let x_val = matrix(&vocab, &docs, &val_idx);
        // Passage vectors of each validation doc (none for single-passage docs), built once.
        let val_passages: Vec<Vec<SparseVector>> = val_idx
            .iter()
            .map(|&i| match docs[i].passages.len() {
                0 | 1 => Vec::new(),
                _ => docs[i]
                    .passages
                    .iter()
                    .map(|p| vocab.vectorize_hits(p))
                    .collect(),
            })
            .collect();
        // Per candidate and label: (document score, best-passage score) of each validation doc.
        let scores: Vec<Vec<Vec<(f32, f32)>>> = CANDIDATES
            .iter()
            .map(|&c| {
                (0..labels.len())
                    .map(|l| {
                        let y: Vec<bool> = train_idx.iter().map(|&i| docs[i].targets[l]).collect();
                        let model = fit::fit(c, x_train.view(), &y).unwrap_or_else(|_| Linear {
                            weights: vec![0.0; vocab.len()],
                            bias: -10.0,
                        });
                        model
                            .margins(x_val.view())
                            .iter()
                            .zip(&val_passages)
                            .map(|(&m, passages)| {
                                let best =
                                    passages.iter().map(|p| model.margin(p)).fold(m, f32::max);
                                (m, best)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        (val_idx, scores)
    });
    let mut oof = vec![vec![vec![(0.0f32, 0.0f32); docs.len()]; labels.len()]; CANDIDATES.len()];
    for (val_idx, scores) in per_fold {
        for (c, per_label) in scores.into_iter().enumerate() {
            for (l, values) in per_label.into_iter().enumerate() {
                for (&i, v) in val_idx.iter().zip(values) {
                    oof[c][l][i] = v;
                }
            }
        }
    }
    let truth: Vec<Vec<bool>> = docs.iter().map(|d| d.targets.clone()).collect();
    let mut candidates: Vec<CandidateResult> = Vec::new();
    for (&classifier, margins) in CANDIDATES.iter().zip(&oof) {
        let mut thresholds = Vec::new();
        let mut offsets = Vec::new();
        let mut scores = Vec::new();
        for (l, pairs) in margins.iter().enumerate() {
            let y: Vec<bool> = truth.iter().map(|t| t[l]).collect();
            let (offset, threshold, s) = best_passage_offset(pairs, &y);
            offsets.push(offset);
            thresholds.push(threshold);
            scores.push(s);
        }
        let predicted: Vec<Vec<bool>> = (0..docs.len())
            .map(|i| {
                (0..labels.len())
                    .map(|l| scores[l][i] >= thresholds[l])
                    .collect()
            })
            .collect();
        candidates.push(CandidateResult {
            classifier,
            passage_offsets: offsets,
            thresholds,
            report: eval::evaluate(&labels, &truth, &predicted),
        });
    }
    for c in &candidates {
        progress(&format!(
            "  {:?}: cross-validated macro-F1 {:.3}, passage offsets {:?}",
            c.classifier, c.report.macro_f1, c.passage_offsets
        ));
    }
    let best = candidates
        .iter()
        .max_by(|a, b| a.report.macro_f1.total_cmp(&b.report.macro_f1))
        .expect("at least one candidate")
        .clone();

    // Final model on the whole training split.
    progress(&format!(
        "fitting {:?} on the training split",
        best.classifier
    ));
    let all: Vec<usize> = (0..docs.len()).collect();
    let vocab = fit_vocabulary(&docs, &all, kinds, config, &display);
    let x = matrix(&vocab, &docs, &all);
    let label_ids: Vec<usize> = (0..labels.len()).collect();
    let fitted = crate::parallel::map(&label_ids, |&l| {
        let y: Vec<bool> = docs.iter().map(|d| d.targets[l]).collect();
        fit::fit(best.classifier, x.view(), &y)
    });
    let fitted: Vec<Linear> = fitted
        .into_iter()
        .collect::<std::result::Result<_, _>>()
        .map_err(Error::Internal)?;

    let n_docs = docs.len() as f32;
    let keyword_idf: Vec<(String, f32)> = word_df
        .into_iter()
        .filter(|&(_, df)| df >= 2)
        .map(|(w, df)| (w, round4(((1.0 + n_docs) / (1.0 + df as f32)).ln() + 1.0)))
        .collect();
    let version = format!("{}-{}", utc_date(config.timestamp), &corpus_hash[..8]);
    let mut file = ModelFile {
        format_version: FORMAT_VERSION,
        version: version.clone(),
        trained_at: utc_rfc3339(config.timestamp),
        labels: labels.clone(),
        thresholds: best.thresholds.clone(),
        classifier: best.classifier.family().to_string(),
        term_kinds: kinds,
        passage_offsets: best.passage_offsets.clone(),
        terms: vocab.terms().to_vec(),
        weights: fitted
            .iter()
            .map(|m| m.weights.iter().map(|&w| round6(w)).collect())
            .collect(),
        biases: fitted.iter().map(|m| round6(m.bias)).collect(),
        keyword_idf,
        user_dict,
        training: serde_json::Value::Null,
    };

    // Held-out test split, scored through the serving path.
    progress("scoring the test split");
    let tagger = Tagger::new(Model::from_file(file.clone()))?;
    let test_examples: Vec<Example> = test_set.iter().map(|&e| e.clone()).collect();
    let (test, _) = eval::evaluate_tagger(&tagger, &test_examples);

    let summary = TrainSummary {
        version,
        corpus_hash,
        stats,
        candidates,
        chosen: best.classifier,
        passage_offsets: best.passage_offsets.clone(),
        thresholds: best.thresholds.clone(),
        cross_validation: best.report.clone(),
        test,
        terms: vocab.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    file.training = serde_json::json!({
        "corpus_hash": summary.corpus_hash,
        "counts": summary.stats,
        "classifier": summary.chosen,
        "passage_offsets": summary.passage_offsets,
        "folds": config.folds,
        "terms_per_label": config.terms_per_label,
        "min_df": config.min_df,
        "term_kinds": config.term_kinds,
        "terms": summary.terms,
        "candidates": summary.candidates.iter().map(|c| serde_json::json!({
            "classifier": c.classifier,
            "passage_offsets": c.passage_offsets,
            "macro_f1": round4(c.report.macro_f1 as f32),
            "f1": c.report.labels.iter().map(|m| round4(m.f1 as f32)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "cross_validation": brief(&summary.cross_validation),
        "test": brief(&summary.test),
        "command": config.command,
    });
    file.save(&config.output)?;
    if let Some(card) = &config.card {
        std::fs::write(card, model_card(&summary, config)).map_err(|e| Error::Model {
            path: card.clone(),
            reason: format!("cannot write model card: {e}"),
        })?;
    }
    Ok(summary)
}

/// One segmented example: its term hits, the hits of each passage, display names of its terms,
/// and its distinct keyword-candidate words.
type Segmented = (
    Vec<TermHit>,
    Vec<Vec<TermHit>>,
    Vec<(u64, String)>,
    Vec<String>,
);

/// Segments one example through the serving pipeline: its term hits, display names of its
/// terms, and its distinct keyword-candidate words.
fn segment(segmenter: &Segmenter, example: &Example, kinds: TermKinds) -> Segmented {
    let prepared = pipeline::prepare(&example.text, Format::Text);
    let tokens = segmenter.segment(&prepared.simplified);
    let mut hits = Vec::with_capacity(tokens.len() * 2);
    let mut names = Vec::new();
    terms(&tokens, kinds, |hit| {
        hits.push(hit);
        let name: String = prepared.simplified[hit.start..hit.end]
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        names.push((hit.key, name));
    });
    let mut words: Vec<String> = tokens
        .iter()
        .filter(|t| t.start >= prepared.body_start)
        .map(|t| t.word)
        .filter(|w| w.chars().count() >= 2 && w.chars().all(crate::text::is_han))
        .map(str::to_string)
        .collect();
    words.sort_unstable();
    words.dedup();
    let passages = split_hits(&hits, &passages(&prepared.text, prepared.body_start));
    (hits, passages, names, words)
}

/// Fold of each document: documents are grouped by label set and dealt round-robin, so every
/// fold sees each combination of labels in proportion.
fn stratified_folds(docs: &[Doc], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| (docs[i].targets.clone(), i));
    let mut folds = vec![0; docs.len()];
    for (rank, &i) in order.iter().enumerate() {
        folds[i] = rank % k;
    }
    folds
}

/// Fits a vocabulary on the documents `idx`: terms with enough document frequency, the top
/// `terms_per_label` per label by chi-square, IDF weights.
fn fit_vocabulary(
    docs: &[Doc],
    idx: &[usize],
    kinds: TermKinds,
    config: &TrainConfig,
    display: &KeyMap<String>,
) -> Vocabulary {
    let n_labels = docs.first().map_or(0, |d| d.targets.len());
    let mut df: KeyMap<(u32, Vec<u32>)> = KeyMap::default();
    let mut positives = vec![0u32; n_labels];
    for &i in idx {
        let doc = &docs[i];
        for (l, &t) in doc.targets.iter().enumerate() {
            positives[l] += u32::from(t);
        }
        let mut keys: Vec<u64> = doc.hits.iter().map(|h| h.key).collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            let entry = df.entry(key).or_insert_with(|| (0, vec![0; n_labels]));
            entry.0 += 1;
            for (l, &t) in doc.targets.iter().enumerate() {
                entry.1[l] += u32::from(t);
            }
        }
    }
    let n = idx.len() as f64;
    let mut keep: Vec<u64> = Vec::new();
    for l in 0..n_labels {
        let mut scored: Vec<(f64, u64)> = df
            .iter()
            .filter(|(_, (d, _))| *d >= config.min_df)
            .map(|(&key, (d, pos))| {
                let a = f64::from(pos[l]);
                let b = f64::from(*d) - a;
                let c = f64::from(positives[l]) - a;
                let dd = n - a - b - c;
                let denom = (a + c) * (b + dd) * (a + b) * (c + dd);
                let chi2 = if denom > 0.0 {
                    n * (a * dd - b * c).powi(2) / denom
                } else {
                    0.0
                };
                (chi2, key)
            })
            .collect();
        scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        keep.extend(scored.iter().take(config.terms_per_label).map(|&(_, k)| k));
    }
    keep.sort_unstable();
    keep.dedup();
    let terms = keep
        .into_iter()
        .map(|key| {
            let d = df[&key].0 as f32;
            Term {
                key,
                text: display.get(&key).cloned().unwrap_or_default(),
                idf: round4(((1.0 + n as f32) / (1.0 + d)).ln() + 1.0),
            }
        })
        .collect();
    Vocabulary::new(kinds, terms)
}

/// Dense tf-idf rows of documents `idx`, as serving computes them.
fn matrix(vocab: &Vocabulary, docs: &[Doc], idx: &[usize]) -> Array2<f32> {
    let mut x = Array2::<f32>::zeros((idx.len(), vocab.len()));
    for (row, &i) in idx.iter().enumerate() {
        for (column, value) in vocab.vectorize_hits(&docs[i].hits).entries {
            x[[row, column as usize]] = value;
        }
    }
    x
}

/// Passage offsets tried per label, in logit units; `None` scores whole articles only.
const PASSAGE_OFFSETS: &[Option<f32>] = &[
    None,
    Some(4.0),
    Some(3.0),
    Some(2.0),
    Some(1.5),
    Some(1.0),
    Some(0.5),
    Some(0.0),
];

/// For one label's out-of-fold (article, best passage) margins: the passage offset and threshold
/// with the best F1, and the resulting scores. Ties keep the more conservative offset.
fn best_passage_offset(pairs: &[(f32, f32)], truth: &[bool]) -> (Option<f32>, f32, Vec<f32>) {
    let mut best: Option<(f64, Option<f32>, f32, Vec<f32>)> = None;
    for &offset in PASSAGE_OFFSETS {
        let scores: Vec<f32> = pairs
            .iter()
            .map(|&(doc, passage)| match offset {
                Some(o) => sigmoid(doc.max(passage - o)),
                None => sigmoid(doc),
            })
            .collect();
        let threshold = best_threshold(&scores, truth);
        let tp = scores
            .iter()
            .zip(truth)
            .filter(|&(&s, &t)| t && s >= threshold)
            .count();
        let fp = scores
            .iter()
            .zip(truth)
            .filter(|&(&s, &t)| !t && s >= threshold)
            .count();
        let positives = truth.iter().filter(|&&t| t).count();
        let (_, _, f1) = eval::prf(tp, fp, positives - tp);
        if best.as_ref().is_none_or(|b| f1 > b.0 + 1e-9) {
            best = Some((f1, offset, threshold, scores));
        }
    }
    let (_, offset, threshold, scores) = best.expect("at least one offset");
    (offset, threshold, scores)
}

/// The score threshold with the best F1 on `scores` against `truth`; ties go to the higher
/// threshold (fewer false positives).
pub fn best_threshold(scores: &[f32], truth: &[bool]) -> f32 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let positives = truth.iter().filter(|&&t| t).count();
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut best = (0.0f64, 0.5f32);
    for (rank, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        // Only cut between distinct scores.
        let next = order.get(rank + 1).map(|&j| scores[j]);
        if next == Some(scores[i]) {
            continue;
        }
        let (_, _, f1) = eval::prf(tp, fp, positives - tp);
        let cut = match next {
            Some(n) => (scores[i] + n) / 2.0,
            None => scores[i] / 2.0,
        };
        if f1 > best.0 {
            best = (f1, cut);
        }
    }
    round6(best.1.clamp(0.01, 0.99))
}

fn round4(v: f32) -> f32 {
    (v * 1e4).round() / 1e4
}

fn round6(v: f32) -> f32 {
    (v * 1e6).round() / 1e6
}

fn brief(r: &Report) -> serde_json::Value {
    serde_json::json!({
        "articles": r.articles,
        "macro_f1": round4(r.macro_f1 as f32),
        "micro_f1": round4(r.micro_f1 as f32),
        "exact_match": round4(r.exact_match as f32),
        "hamming_loss": round4(r.hamming_loss as f32),
        "untagged_false_positive_rate": round4(r.untagged_false_positive_rate as f32),
        "labels": r.labels.iter().map(|m| serde_json::json!({
            "label": m.label,
            "precision": round4(m.precision as f32),
            "recall": round4(m.recall as f32),
            "f1": round4(m.f1 as f32),
            "support": m.support,
        })).collect::<Vec<_>>(),
    })
}

/// Days since 1970-01-01 to a civil (year, month, day), after Howard Hinnant's algorithm.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn utc_date(secs: u64) -> String {
    let (y, m, d) = civil((secs / 86_400) as i64);
    format!("{y:04}.{m:02}.{d:02}")
}

/// Unix seconds as RFC 3339 UTC.
pub fn utc_rfc3339(secs: u64) -> String {
    let (y, m, d) = civil((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn metrics_rows(r: &Report) -> String {
    let mut out =
        String::from("| label | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
    for m in &r.labels {
        out.push_str(&format!(
            "| `{}` | {:.3} | {:.3} | {:.3} | {} |\n",
            m.label, m.precision, m.recall, m.f1, m.support
        ));
    }
    out.push_str(&format!(
        "\nmicro-F1 **{:.3}**, macro-F1 **{:.3}**, exact match {:.3}, Hamming loss {:.4}, \
         untagged articles given any tag: {:.1}% ({} untagged articles of {}).\n",
        r.micro_f1,
        r.macro_f1,
        r.exact_match,
        r.hamming_loss,
        r.untagged_false_positive_rate * 100.0,
        r.untagged,
        r.articles
    ));
    out
}

/// The model card: what the model is, how it was trained, how well it does.
pub fn model_card(s: &TrainSummary, config: &TrainConfig) -> String {
    let mut out = format!(
        "# Model card: newstag {version}\n\n\
         Written by `newstag train`; do not edit by hand.\n\n\
         - **Task**: multi-label topic tagging of Chinese news (labels from the taxonomy: {labels}).\n\
         - **Model**: one binary classifier per label (one-vs-rest), family `{family}` ({chosen:?}), \
         chosen by {folds}-fold stratified cross-validation among logistic regression \
         (linfa-logistic) and multinomial naive Bayes (linfa-bayes).\n\
         - **Features**: jieba-rs segmentation of the cleaned page (the serving pipeline: \
         normalisation, page furniture removed, traditional → simplified), word unigrams and \
         bigrams, sublinear tf-idf, L2-normalised; {terms} terms kept by chi-square \
         (top {per_label} per label, document frequency ≥ {min_df}).\n\
         - **Passages**: per label, the article's margin or a passage's (≥{passage} characters) \
         margin minus an offset, whichever is higher; offsets chosen by cross-validation \
         ({offsets}; `none` = whole article only).\n\
         - **Thresholds** (tuned for best F1 on out-of-fold scores): {thresholds}.\n\
         - **Corpus**: {articles} written articles (hash `{hash}`), {train} for training and \
         {test} held out by id hash; trained in {secs:.1} s.\n\n",
        version = s.version,
        labels = LABELS.map(|l| format!("`{l}`")).join(", "),
        family = s.chosen.family(),
        offsets = LABELS
            .iter()
            .zip(&s.passage_offsets)
            .map(|(l, o)| match o {
                Some(o) => format!("`{l}` {o}"),
                None => format!("`{l}` none"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        passage = crate::features::PASSAGE_CHARS,
        chosen = s.chosen,
        folds = config.folds,
        terms = s.terms,
        per_label = config.terms_per_label,
        min_df = config.min_df,
        thresholds = LABELS
            .iter()
            .zip(&s.thresholds)
            .map(|(l, t)| format!("`{l}` {t:.3}"))
            .collect::<Vec<_>>()
            .join(", "),
        articles = s.stats.articles,
        hash = s.corpus_hash,
        train = s.stats.train,
        test = s.stats.test,
        secs = s.seconds,
    );
    out.push_str("## Label counts\n\n| label | articles |\n|---|---:|\n");
    for (l, n) in &s.stats.per_label {
        out.push_str(&format!("| `{l}` | {n} |\n"));
    }
    out.push_str(&format!(
        "| (no tag) | {} |\n\nTraditional script: {} articles; inline pinyin: {}; full-width forms: {}; page furniture: {}.\n\n",
        s.stats.untagged, s.stats.traditional, s.stats.with_pinyin, s.stats.with_full_width, s.stats.with_furniture
    ));
    out.push_str("## Held-out test split\n\n");
    out.push_str(&metrics_rows(&s.test));
    out.push_str("\n## Cross-validation (training split, out-of-fold, chosen classifier)\n\n");
    out.push_str(&metrics_rows(&s.cross_validation));
    out.push_str("\n## Classifiers compared (cross-validated, thresholds and passage offsets tuned per label)\n\n| classifier | macro-F1 | ");
    out.push_str(&LABELS.map(|l| format!("`{l}` F1")).join(" | "));
    out.push_str(" |\n|---|---:|");
    out.push_str(&"---:|".repeat(LABELS.len()));
    out.push('\n');
    for c in &s.candidates {
        out.push_str(&format!(
            "| {:?} | {:.3} | ",
            c.classifier, c.report.macro_f1
        ));
        out.push_str(
            &c.report
                .labels
                .iter()
                .map(|m| format!("{:.3}", m.f1))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        out.push_str(" |\n");
    }
    out.push_str(&format!(
        "\n## Reproduce\n\n```\n{}\n```\n\nThe same corpus and timestamp give a byte-identical model file (`cmp`).\n\n\
         ## Limits\n\nThe corpus is written by the team, not sampled from a live feed; the \
         real-article figures (`scripts/eval-dev.sh`) are the ones to trust for deployment.\n",
        config.command
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_maximises_f1() {
        let scores = [0.9, 0.8, 0.7, 0.4, 0.3, 0.1];
        let truth = [true, true, false, true, false, false];
        // Cut after 0.4 (between 0.4 and 0.3): tp 3 fp 1 → F1 0.857, better than any other cut.
        assert!((best_threshold(&scores, &truth) - 0.35).abs() < 1e-6);
    }

    #[test]
    fn dates_from_unix_seconds() {
        assert_eq!(utc_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_rfc3339(1_695_629_987), "2023-09-25T08:19:47Z");
        assert_eq!(utc_date(951_782_400), "2000.02.29");
    }
}

//! Multi-label evaluation: per-label precision/recall/F1, micro and macro F1, exact match,
//! Hamming loss and the false-positive rate on untagged articles.

use serde::Serialize;

use crate::corpus::Example;
use crate::pipeline::{Format, Options, Tagger};

/// Counts and scores for one label.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LabelMetrics {
    pub label: String,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub tn: usize,
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Scores over a labelled set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub articles: usize,
    pub labels: Vec<LabelMetrics>,
    pub micro_f1: f64,
    pub macro_f1: f64,
    /// Share of articles whose predicted label set equals the true one.
    pub exact_match: f64,
    /// Share of (article, label) decisions that are wrong.
    pub hamming_loss: f64,
    pub untagged: usize,
    /// Share of untagged articles that received any tag.
    pub untagged_false_positive_rate: f64,
}

/// Precision, recall and F1 from counts; 0 where undefined.
pub fn prf(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let p = ratio(tp, tp + fp);
    let r = ratio(tp, tp + fn_);
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// Scores predictions against the truth; rows are articles, columns follow `labels`.
pub fn evaluate(labels: &[String], truth: &[Vec<bool>], predicted: &[Vec<bool>]) -> Report {
    assert_eq!(truth.len(), predicted.len(), "one prediction per article");
    let mut per_label: Vec<LabelMetrics> = labels
        .iter()
        .map(|l| LabelMetrics {
            label: l.clone(),
            ..Default::default()
        })
        .collect();
    let mut exact = 0;
    let mut wrong = 0;
    let mut untagged = 0;
    let mut untagged_hit = 0;
    for (t, p) in truth.iter().zip(predicted) {
        if t == p {
            exact += 1;
        }
        if t.iter().all(|&v| !v) {
            untagged += 1;
            if p.iter().any(|&v| v) {
                untagged_hit += 1;
            }
        }
        for (m, (&t, &p)) in per_label.iter_mut().zip(t.iter().zip(p)) {
            match (t, p) {
                (true, true) => m.tp += 1,
                (false, true) => m.fp += 1,
                (true, false) => m.fn_ += 1,
                (false, false) => m.tn += 1,
            }
            wrong += usize::from(t != p);
        }
    }
    for m in &mut per_label {
        m.support = m.tp + m.fn_;
        (m.precision, m.recall, m.f1) = prf(m.tp, m.fp, m.fn_);
    }
    let sum = |f: fn(&LabelMetrics) -> usize| per_label.iter().map(f).sum::<usize>();
    let (_, _, micro_f1) = prf(sum(|m| m.tp), sum(|m| m.fp), sum(|m| m.fn_));
    let n = truth.len();
    let frac = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Report {
        articles: n,
        macro_f1: per_label.iter().map(|m| m.f1).sum::<f64>() / per_label.len().max(1) as f64,
        micro_f1,
        exact_match: frac(exact, n),
        hamming_loss: frac(wrong, n * labels.len()),
        untagged,
        untagged_false_positive_rate: frac(untagged_hit, untagged),
        labels: per_label,
    }
}

/// One article the model got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub id: String,
    pub expected: Vec<String>,
    pub predicted: Vec<String>,
    pub scores: Vec<(String, f32)>,
}

/// Tags every example with `tagger` and scores the result.
pub fn evaluate_tagger(tagger: &Tagger, examples: &[Example]) -> (Report, Vec<Miss>) {
    let labels = &tagger.model().labels;
    let results = crate::parallel::map(examples, |e| {
        tagger.tag(&e.text, Format::Text, Options::default())
    });
    let mut truth = Vec::new();
    let mut predicted = Vec::new();
    let mut misses = Vec::new();
    for (e, analysis) in examples.iter().zip(results) {
        let t = e.targets(labels);
        let p: Vec<bool> = labels
            .iter()
            .map(|l| analysis.tags.iter().any(|tag| &tag.label == l))
            .collect();
        if t != p {
            misses.push(Miss {
                id: e.id.clone(),
                expected: e.labels.clone(),
                predicted: analysis.tags.iter().map(|t| t.label.clone()).collect(),
                scores: analysis
                    .scores
                    .iter()
                    .map(|s| (s.label.clone(), (s.score * 1000.0).round() / 1000.0))
                    .collect(),
            });
        }
        truth.push(t);
        predicted.push(p);
    }
    (evaluate(labels, &truth, &predicted), misses)
}

/// The report as an aligned text table.
pub fn table(report: &Report) -> String {
    let mut out = format!(
        "{:<20} {:>9} {:>9} {:>9} {:>8}\n",
        "label", "precision", "recall", "f1", "support"
    );
    for m in &report.labels {
        out.push_str(&format!(
            "{:<20} {:>9.3} {:>9.3} {:>9.3} {:>8}\n",
            m.label, m.precision, m.recall, m.f1, m.support
        ));
    }
    out.push_str(&format!(
        "articles {}  micro-F1 {:.3}  macro-F1 {:.3}  exact-match {:.3}  hamming-loss {:.4}\n\
         untagged articles {}  of which tagged anyway {:.1}%\n",
        report.articles,
        report.micro_f1,
        report.macro_f1,
        report.exact_match,
        report.hamming_loss,
        report.untagged,
        report.untagged_false_positive_rate * 100.0
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_case() {
        // Two labels, four articles.
        // a: truth [1,0] pred [1,0]   exact
        // b: truth [1,1] pred [1,0]   one miss on label 2
        // c: truth [0,0] pred [0,1]   untagged, false positive
        // d: truth [0,1] pred [0,1]   exact
        let labels = vec!["x".to_string(), "y".to_string()];
        let truth = vec![
            vec![true, false],
            vec![true, true],
            vec![false, false],
            vec![false, true],
        ];
        let pred = vec![
            vec![true, false],
            vec![true, false],
            vec![false, true],
            vec![false, true],
        ];
        let r = evaluate(&labels, &truth, &pred);
        // x: tp 2 fp 0 fn 0 → P 1 R 1 F1 1
        assert_eq!((r.labels[0].tp, r.labels[0].fp, r.labels[0].fn_), (2, 0, 0));
        assert_eq!(r.labels[0].f1, 1.0);
        // y: tp 1 fp 1 fn 1 → P .5 R .5 F1 .5
        assert_eq!((r.labels[1].tp, r.labels[1].fp, r.labels[1].fn_), (1, 1, 1));
        assert!((r.labels[1].f1 - 0.5).abs() < 1e-12);
        assert!((r.macro_f1 - 0.75).abs() < 1e-12);
        // micro: tp 3 fp 1 fn 1 → P .75 R .75 F1 .75
        assert!((r.micro_f1 - 0.75).abs() < 1e-12);
        assert_eq!(r.exact_match, 0.5);
        // 2 wrong decisions of 8
        assert_eq!(r.hamming_loss, 0.25);
        assert_eq!(r.untagged, 1);
        assert_eq!(r.untagged_false_positive_rate, 1.0);
    }

    #[test]
    fn undefined_ratios_are_zero() {
        assert_eq!(prf(0, 0, 0), (0.0, 0.0, 0.0));
        assert_eq!(prf(0, 3, 0), (0.0, 0.0, 0.0));
    }
}

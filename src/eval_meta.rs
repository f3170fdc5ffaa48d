//! Metadata evaluation against pages whose `meta` a careful reader filled in: how often each
//! field is right where the page shows it, and empty where the page shows nothing.

use serde::{Deserialize, Serialize};

use crate::metadata::Metadata;
use crate::metadata::date;
use crate::pipeline::{Format, Options, Tagger};
use crate::text::normalize;

/// What a reader found on a page; `None` / empty where the page shows nothing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExpectedMeta {
    pub title: Option<String>,
    pub published_at: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub reporters: Vec<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub editors: Vec<String>,
}

/// A page with its expected metadata.
#[derive(Debug, Clone, Deserialize)]
pub struct MetaExample {
    pub id: String,
    pub text: String,
    pub meta: ExpectedMeta,
}

/// Agreement on one field.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FieldScore {
    pub field: String,
    /// Pages that show the field, and how many of those we got right.
    pub shown: usize,
    pub correct: usize,
    /// Pages that show nothing for the field, and how many of those we left empty.
    pub absent: usize,
    pub left_empty: usize,
}

impl FieldScore {
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.shown)
    }
    pub fn empty_rate(&self) -> f64 {
        ratio(self.left_empty, self.absent)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// One disagreement, for `--errors`.
#[derive(Debug, Clone, Serialize)]
pub struct MetaMiss {
    pub id: String,
    pub field: String,
    pub expected: String,
    pub got: String,
}

fn norm(s: &str) -> String {
    normalize(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn norm_set(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = v.iter().map(|s| norm(s)).collect();
    out.sort();
    out.dedup();
    out
}

/// The calendar date of a printed or RFC 3339 date, `YYYY-MM-DD`.
fn date_part(s: &str) -> Option<String> {
    date::find_date(s, None).map(|m| {
        let d = m.date;
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
    })
}

/// Scores the extractor on every page.
pub fn evaluate(tagger: &Tagger, examples: &[MetaExample]) -> (Vec<FieldScore>, Vec<MetaMiss>) {
    let metadata: Vec<Metadata> = crate::parallel::map(examples, |e| {
        tagger
            .tag(&e.text, Format::Text, Options::default())
            .metadata
    });
    let fields = [
        "published_at",
        "source",
        "title",
        "reporters",
        "editors",
        "authors",
    ];
    let mut scores: Vec<FieldScore> = fields
        .iter()
        .map(|f| FieldScore {
            field: f.to_string(),
            ..Default::default()
        })
        .collect();
    let mut misses = Vec::new();
    for (e, got) in examples.iter().zip(&metadata) {
        let cases: [(Option<String>, Option<String>); 6] = [
            (
                e.meta.published_at.as_deref().and_then(date_part),
                date_part(&got.published_at),
            ),
            (e.meta.source.as_deref().map(norm), Some(norm(&got.source))),
            (e.meta.title.as_deref().map(norm), Some(norm(&got.title))),
            (
                Some(norm_set(&e.meta.reporters).join("、")),
                Some(norm_set(&got.reporters).join("、")),
            ),
            (
                Some(norm_set(&e.meta.editors).join("、")),
                Some(norm_set(&got.editors).join("、")),
            ),
            (
                Some(norm_set(&e.meta.authors).join("、")),
                Some(norm_set(&got.authors).join("、")),
            ),
        ];
        for (score, (expected, got)) in scores.iter_mut().zip(cases) {
            let expected = expected.filter(|v| !v.is_empty());
            let got = got.filter(|v| !v.is_empty());
            match &expected {
                Some(want) => {
                    score.shown += 1;
                    if got.as_ref() == Some(want) {
                        score.correct += 1;
                        continue;
                    }
                }
                None => {
                    score.absent += 1;
                    if got.is_none() {
                        score.left_empty += 1;
                        continue;
                    }
                }
            }
            misses.push(MetaMiss {
                id: e.id.clone(),
                field: score.field.clone(),
                expected: expected.unwrap_or_default(),
                got: got.unwrap_or_default(),
            });
        }
    }
    (scores, misses)
}

/// The scores as a text table.
pub fn table(scores: &[FieldScore]) -> String {
    let mut out = format!(
        "{:<14} {:>6} {:>8} {:>9} {:>7} {:>10} {:>10}\n",
        "field", "shown", "correct", "accuracy", "absent", "left empty", "empty rate"
    );
    for s in scores {
        out.push_str(&format!(
            "{:<14} {:>6} {:>8} {:>8.1}% {:>7} {:>10} {:>9.1}%\n",
            s.field,
            s.shown,
            s.correct,
            s.accuracy() * 100.0,
            s.absent,
            s.left_empty,
            s.empty_rate() * 100.0
        ));
    }
    let absent: usize = scores.iter().map(|s| s.absent).sum();
    let empty: usize = scores.iter().map(|s| s.left_empty).sum();
    out.push_str(&format!(
        "no value extracted where the page shows none: {:.1}% ({empty} of {absent})\n",
        ratio(empty, absent) * 100.0
    ));
    out
}

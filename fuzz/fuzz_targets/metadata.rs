//! The whole `Tagger::tag` with the shipped model on arbitrary bytes, as text and as HTML: it
//! never panics, and every field keeps the promises the API documents.

#![no_main]

use libfuzzer_sys::fuzz_target;
use newstag::metadata::{keywords, summary};
use newstag::model::MAX_EVIDENCE;
use newstag::pipeline::{Options, prepare};
use newstag_fuzz::{TAGGER, article, check_date, check_prepared, check_unique, on_small_stack};

fuzz_target!(|data: &[u8]| on_small_stack(|| check(data)));

fn check(data: &[u8]) {
    let (format, raw) = article(data);
    let analysis = TAGGER.tag(&raw, format, Options { include_body: true });
    let prepared = prepare(&raw, format);
    check_prepared(&prepared, format);
    let model = TAGGER.model();
    let m = &analysis.metadata;

    // The body asked for is the prepared body, and the counts and summary come from it.
    let body = m.body.as_deref().expect("include_body returns the body");
    assert_eq!(body, prepared.page.body);
    assert_eq!(m.char_count as usize, body.chars().count(), "char_count");
    assert!(
        m.summary.chars().count() <= summary::MAX_CHARS,
        "summary {:?}",
        m.summary
    );
    assert!(
        body.contains(&m.summary),
        "summary {:?} is not in the body",
        m.summary
    );
    assert_eq!(m.title, prepared.page.title.clone().unwrap_or_default());
    assert_eq!(m.related_headlines, prepared.page.related_headlines);
    assert_eq!(m.script, Some(prepared.script));
    if !m.published_at.is_empty() {
        check_date(&m.published_at);
    }
    if !body.chars().any(newstag::text::is_han) {
        assert_eq!(
            m.fingerprint, 0,
            "fingerprint of a body without Chinese words"
        );
    }
    for (what, list) in [
        ("author", &m.authors),
        ("reporter", &m.reporters),
        ("editor", &m.editors),
        ("document", &m.documents),
    ] {
        check_unique(what, list);
    }

    // Keywords: at most COUNT distinct body words, weights in [0, 1], best first.
    assert!(m.keywords.len() <= keywords::COUNT);
    let words: Vec<String> = m.keywords.iter().map(|(w, _)| w.clone()).collect();
    check_unique("keyword", &words);
    for (i, (word, weight)) in m.keywords.iter().enumerate() {
        assert!(
            body.contains(word.as_str()),
            "keyword {word:?} not in the body"
        );
        assert!(
            weight.is_finite() && (0.0..=1.0).contains(weight),
            "{word}: {weight}"
        );
        assert!(
            i == 0 || m.keywords[i - 1].1 >= *weight,
            "keywords out of order"
        );
    }

    // Scores: every label once, in model order, a probability.
    assert_eq!(analysis.scores.len(), model.labels.len());
    for (score, label) in analysis.scores.iter().zip(&model.labels) {
        assert_eq!(&score.label, label);
        assert!(
            score.score.is_finite() && (0.0..=1.0).contains(&score.score),
            "{score:?}"
        );
        assert!(score.evidence.is_empty());
    }
    // Tags: exactly the labels at or above their threshold, best first, with evidence words
    // taken from the classified text.
    let tagged = analysis
        .scores
        .iter()
        .zip(&model.thresholds)
        .filter(|(s, t)| s.score >= **t)
        .count();
    assert_eq!(analysis.tags.len(), tagged, "tags {:?}", analysis.tags);
    for (i, tag) in analysis.tags.iter().enumerate() {
        let at = model
            .labels
            .iter()
            .position(|l| *l == tag.label)
            .expect("known label");
        assert_eq!(tag.score, analysis.scores[at].score);
        assert!(
            i == 0 || analysis.tags[i - 1].score >= tag.score,
            "tags out of order"
        );
        assert!(tag.evidence.len() <= MAX_EVIDENCE);
        check_unique("evidence word", &tag.evidence);
        for word in &tag.evidence {
            assert!(
                prepared.text.contains(word.as_str()),
                "evidence {word:?} not in the text"
            );
        }
    }
}

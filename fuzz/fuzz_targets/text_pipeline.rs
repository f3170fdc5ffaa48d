//! Cleaning, HTML flattening, page reading, script conversion and segmentation of arbitrary
//! bytes: nothing panics, and what `prepare` and the segmenter promise holds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use newstag::features;
use newstag::pipeline::prepare;
use newstag_fuzz::{TAGGER, article, check_prepared, on_small_stack};

fuzz_target!(|data: &[u8]| on_small_stack(|| check(data)));

fn check(data: &[u8]) {
    let (format, raw) = article(data);
    let prepared = prepare(&raw, format);
    check_prepared(&prepared, format);

    // Segmentation: every byte of the simplified text is in exactly one token, in order.
    let text = &prepared.simplified;
    let tokens = TAGGER.segmenter().segment(text);
    let mut at = 0;
    for t in &tokens {
        assert_eq!(t.start, at, "gap or overlap before {t:?}");
        assert!(t.end > t.start, "empty token {t:?}");
        assert_eq!(&text[t.start..t.end], t.word);
        at = t.end;
    }
    assert_eq!(at, text.len(), "tokens stop short of the end");

    // Passages tile the body, on character boundaries of the printed text.
    let passages = features::passages(&prepared.text, prepared.body_start);
    let mut from = prepared.body_start;
    for &(start, end) in &passages {
        assert!(start == from && end > start, "passages {passages:?}");
        assert!(prepared.text.is_char_boundary(end));
        from = end;
    }
    assert_eq!(
        from,
        prepared.text.len(),
        "passages {passages:?} stop short"
    );
}

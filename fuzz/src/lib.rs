//! Shared pieces of the fuzz targets: how fuzzer bytes become an article, the shipped model, and
//! the invariants the pipeline promises in its doc comments, checked on every input.

use std::path::Path;
use std::sync::LazyLock;

use newstag::pipeline::{Format, Prepared, Tagger};

/// The shipped model and its segmenter, loaded once per fuzzing process.
pub static TAGGER: LazyLock<Tagger> = LazyLock::new(|| {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/newstag.model");
    Tagger::load(&path).unwrap_or_else(|e| panic!("loading {}: {e}", path.display()))
});

/// Stack of the thread each input runs on: an eighth of the 2 MiB that tokio's blocking threads
/// (where the server tags articles) get. Fuzz inputs stop at 16 KB while a request may carry
/// 1 MiB, so depth that grows with the input (nested HTML walked recursively) must overflow here
/// at fuzz sizes to be found at all.
const STACK_BYTES: usize = 256 * 1024;

/// Runs `f` on a fresh thread with a [`STACK_BYTES`] stack. A panic there aborts the process
/// through libFuzzer's panic hook, so it is reported like one on the main thread.
pub fn on_small_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, f)
            .expect("spawning the fuzzing thread")
            .join()
            .expect("the fuzzing thread panicked");
    });
}

/// The first byte picks the format (odd: HTML, even: text); the rest is the article, decoded
/// lossily so invalid UTF-8 still reaches the pipeline as replacement characters.
/// Seed files start with `0` (text) or `1` (HTML).
pub fn article(data: &[u8]) -> (Format, String) {
    match data.split_first() {
        Some((first, rest)) => {
            let format = if first & 1 == 1 {
                Format::Html
            } else {
                Format::Text
            };
            (format, String::from_utf8_lossy(rest).into_owned())
        }
        None => (Format::Text, String::new()),
    }
}

/// What [`Prepared`] and [`newstag::text::Page`] promise about a prepared article.
pub fn check_prepared(p: &Prepared, format: Format) {
    // `simplified` is byte for byte aligned with `text`: same length, and every character
    // starts at the same offset with the same UTF-8 length.
    assert_eq!(p.simplified.len(), p.text.len(), "simplified length");
    for ((i, a), (j, b)) in p.text.char_indices().zip(p.simplified.char_indices()) {
        assert!(
            i == j && a.len_utf8() == b.len_utf8(),
            "{a:?} at {i} became {b:?} at {j}"
        );
    }

    // `text` is the title, a newline, then the body; `body_start` is where the body begins.
    assert!(
        p.text.is_char_boundary(p.body_start),
        "body_start {}",
        p.body_start
    );
    assert_eq!(
        &p.text[p.body_start..],
        p.page.body,
        "text after body_start"
    );
    match &p.page.title {
        Some(title) => {
            assert_eq!(p.body_start, title.len() + 1, "body_start after the title");
            assert_eq!(&p.text[..title.len()], title.as_str());
            assert_eq!(p.text.as_bytes()[title.len()], b'\n');
        }
        None => assert_eq!(p.body_start, 0, "body_start without a title"),
    }

    // The lead credit ends inside the body, on a character boundary.
    let body = &p.page.body;
    assert!(
        p.page.lead_offset <= body.len() && body.is_char_boundary(p.page.lead_offset),
        "lead_offset {} in a body of {} bytes",
        p.page.lead_offset,
        body.len()
    );

    // Normalisation: no carriage returns, tabs, other control or zero-width characters, and no
    // full-width ASCII left in what is classified.
    for c in p.text.chars() {
        assert!(
            c == '\n'
                || !(c.is_control() || is_invisible(c) || ('\u{FF01}'..='\u{FF5E}').contains(&c)),
            "{c:?} survived normalisation ({format:?})"
        );
    }
    if format == Format::Text {
        // In text the title is one line of the page.
        assert!(p.page.title.as_deref().is_none_or(|t| !t.contains('\n')));
    }

    if let Some(date) = p.page.published_at {
        check_date(&date.to_rfc3339());
    }
    for headline in &p.page.related_headlines {
        assert!(
            headline.chars().count() >= 4,
            "related headline {headline:?}"
        );
    }
}

/// `published_at`: a real calendar date in 1990–2100 as `YYYY-MM-DD`, or with a valid time of
/// day as `YYYY-MM-DDTHH:MM:SS+08:00`.
pub fn check_date(s: &str) {
    let num = |range: std::ops::Range<usize>| -> u32 {
        let part = s.get(range).unwrap_or_else(|| panic!("short date {s:?}"));
        assert!(part.bytes().all(|b| b.is_ascii_digit()), "date {s:?}");
        part.parse().unwrap()
    };
    assert!(s.len() == 10 || s.len() == 25, "date length {s:?}");
    assert!(&s[4..5] == "-" && &s[7..8] == "-", "date {s:?}");
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    assert!((1990..=2100).contains(&year), "year in {s:?}");
    assert!((1..=12).contains(&month), "month in {s:?}");
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    assert!((1..=days).contains(&day), "day in {s:?}");
    if s.len() == 25 {
        assert!(
            &s[10..11] == "T" && &s[13..14] == ":" && &s[16..17] == ":",
            "time {s:?}"
        );
        assert_eq!(&s[19..], "+08:00", "offset in {s:?}");
        assert!(
            num(11..13) < 24 && num(14..16) < 60 && num(17..19) < 60,
            "time in {s:?}"
        );
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Asserts that `items` holds no empty string and no repeat.
pub fn check_unique(what: &str, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        assert!(!item.is_empty(), "empty {what}");
        assert!(
            !items[..i].contains(item),
            "{what} {item:?} twice in {items:?}"
        );
    }
}

//! Metadata on written fixture pages: every field a careful reader found (`*.expected.json`),
//! full-output snapshots (`tests/snapshots/`, update with `UPDATE_EXPECT=1`), fingerprints of
//! reposts, and arbitrary input through the whole extractor.

mod common;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use newstag::metadata::fingerprint::distance;
use newstag::pipeline::{Format, Options, Tagger};
use serde_json::{Value, json};

static TAGGER: LazyLock<Tagger> =
    LazyLock::new(|| Tagger::load(&common::model_path()).expect("shipped model loads"));

fn fixtures(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

fn format_of(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => Format::Html,
        _ => Format::Text,
    }
}

fn pages() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures("pages")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.ends_with(".expected.json") {
            continue;
        }
        let stem = name.rsplit_once('.').unwrap().0;
        let expected = path.with_file_name(format!("{stem}.expected.json"));
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected).unwrap()).unwrap();
        out.push((path, expected));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn metadata_of(path: &Path) -> newstag::metadata::Metadata {
    let text = std::fs::read_to_string(path).unwrap();
    TAGGER
        .tag(&text, format_of(path), Options { include_body: true })
        .metadata
}

fn or_null(s: &str) -> Value {
    if s.is_empty() { Value::Null } else { json!(s) }
}

/// The fields a reader checked, in the shape of `*.expected.json`.
fn as_checked(m: &newstag::metadata::Metadata) -> Value {
    let body = m.body.clone().unwrap_or_default();
    let chars: Vec<char> = body.chars().collect();
    let first: String = chars.iter().take(12).collect();
    let last: String = chars[chars.len().saturating_sub(12)..].iter().collect();
    json!({
        "title": or_null(&m.title),
        "published_at": or_null(&m.published_at),
        "source": or_null(&m.source),
        "authors": m.authors,
        "reporters": m.reporters,
        "editors": m.editors,
        "site": or_null(&m.site),
        "column": or_null(&m.column),
        "related_headlines_count": m.related_headlines.len(),
        "body_first": first,
        "body_last": last,
        "documents": m.documents,
        "organizations": m.organizations,
        "locations": m.locations,
    })
}

#[test]
fn at_least_25_fixture_pages_in_every_style() {
    let pages = pages();
    assert!(pages.len() >= 25, "{} pages", pages.len());
    assert!(
        pages
            .iter()
            .filter(|(p, _)| format_of(p) == Format::Html)
            .count()
            >= 5
    );
}

#[test]
fn fixture_pages_match_what_a_reader_found() {
    let mut misses = Vec::new();
    let mut checked = 0;
    for (path, expected) in pages() {
        let got = as_checked(&metadata_of(&path));
        for (field, want) in expected.as_object().unwrap() {
            checked += 1;
            let have = &got[field];
            let equal = match (want, have) {
                (Value::Array(a), Value::Array(b)) => {
                    let mut a: Vec<_> = a.iter().map(|v| v.to_string()).collect();
                    let mut b: Vec<_> = b.iter().map(|v| v.to_string()).collect();
                    a.sort();
                    b.sort();
                    a == b
                }
                (Value::String(a), Value::String(b)) if field.starts_with("body_") => {
                    a.trim() == b.trim()
                }
                _ => want == have,
            };
            if !equal {
                misses.push(format!(
                    "{} {field}: expected {want} got {have}",
                    path.file_name().unwrap().to_str().unwrap()
                ));
            }
        }
    }
    // The extractor must agree with the reader on at least 95% of the checked fields; the
    // disagreements are printed either way so that a regression is visible.
    eprintln!(
        "{} of {checked} fields differ:\n{}",
        misses.len(),
        misses.join("\n")
    );
    assert!(
        misses.len() * 20 <= checked,
        "{} of {checked} fields differ:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn full_metadata_snapshots() {
    for (path, _) in pages() {
        let m = metadata_of(&path);
        let snapshot = json!({
            "title": m.title, "published_at": m.published_at, "source": m.source,
            "authors": m.authors, "reporters": m.reporters, "editors": m.editors,
            "site": m.site, "column": m.column, "organizations": m.organizations,
            "locations": m.locations, "documents": m.documents,
            "quantities": m.quantities.iter().map(|q| {
                format!("{} = {} {} ({})", q.text, q.value, q.unit, q.subject)
            }).collect::<Vec<_>>(),
            "keywords": m.keywords.iter().map(|(w, _)| w).collect::<Vec<_>>(),
            "summary": m.summary, "related_headlines": m.related_headlines,
            "script": m.script.map(|s| s.as_str()), "char_count": m.char_count,
            "fingerprint": format!("{:016x}", m.fingerprint), "body": m.body,
        });
        let name = path.file_name().unwrap().to_str().unwrap().to_string() + ".json";
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots")
            .join(name);
        expect_test::expect_file![file]
            .assert_eq(&serde_json::to_string_pretty(&snapshot).unwrap());
    }
}

fn fingerprint(path: &Path) -> u64 {
    metadata_of(path).fingerprint
}

#[test]
fn reposts_are_near_and_other_stories_far() {
    let dir = fixtures("reposts");
    let mut sets: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    let mut all: Vec<(String, u64)> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let f = fingerprint(&path);
        let set = match stem.rsplit_once('_') {
            Some((set, variant)) if !stem.starts_with("unrelated") && variant.len() == 1 => {
                set.to_string()
            }
            _ => stem.clone(),
        };
        sets.entry(set.clone()).or_default().push(f);
        all.push((set, f));
    }
    let mut reposted = 0;
    for (set, prints) in &sets {
        for (i, a) in prints.iter().enumerate() {
            for b in &prints[i + 1..] {
                reposted += 1;
                assert!(
                    distance(*a, *b) <= 3,
                    "{set}: reposts {} bits apart",
                    distance(*a, *b)
                );
            }
        }
    }
    assert!(reposted >= 6);
    for (i, (set_a, a)) in all.iter().enumerate() {
        for (set_b, b) in &all[i + 1..] {
            if set_a != set_b {
                assert!(
                    distance(*a, *b) > 10,
                    "{set_a} vs {set_b}: only {} bits apart",
                    distance(*a, *b)
                );
            }
        }
    }
}

#[test]
fn arbitrary_input_never_panics() {
    // Random cuts and splices of the fixtures, odd characters, and deep HTML.
    let mut texts: Vec<String> = pages()
        .iter()
        .map(|(p, _)| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let originals = texts.clone();
    for _ in 0..300 {
        let a = &originals[next() as usize % originals.len()];
        let b = &originals[next() as usize % originals.len()];
        let cut = |s: &str, n: u64| {
            let at = n as usize % (s.len() + 1);
            let mut at = at;
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (i, j) = (cut(a, next()), cut(b, next()));
        texts.push(format!("{}{}", &a[..i], &b[j..]));
    }
    texts.push("(ā)(".repeat(1000));
    texts.push("《".repeat(5000));
    texts.push("来源:作者:编辑:记者 ".repeat(500));
    texts.push("<div>".repeat(5000) + "正文" + &"</div>".repeat(5000));
    texts.push("\u{0}\u{1}\u{feff}\u{200b}日期:2023-02-30 99:99".into());
    texts.push("😀".repeat(3000));
    for (k, text) in texts.iter().enumerate() {
        for format in [Format::Text, Format::Html] {
            if k > 40 && format == Format::Html && k % 10 != 0 {
                continue;
            }
            let analysis = TAGGER.tag(text, format, Options { include_body: true });
            assert!(analysis.metadata.summary.chars().count() <= 150);
        }
    }
}

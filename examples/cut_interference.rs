//! How much slower jieba's segmentation runs when other work runs between two cuts.
//!
//! ```sh
//! cargo run --release --example cut_interference
//! ```
//!
//! Every round segments each fixture of `benches/fixtures/` (the same prepared text each time),
//! timed, and then runs one kind of other work, untimed. The table shows the median time of
//! the segmentation per round of the nine fixtures after each kind of work (rounds interleave
//! the kinds): `nothing` is the
//! tight loop a `jieba cut` benchmark measures, the others are what `Tagger::tag` puts between
//! two cuts. `touch N KiB` writes one byte per cache line of an N KiB buffer (data cache
//! pressure alone); `prepare ×20 tiny` reads a 100-byte page twenty times (other code, almost
//! no data).
//!
//! A second table shows how much of a streak's speed comes from cutting the *same* text again:
//! every tenth article of the written corpus (`data/corpus/*.jsonl`) is cut twenty times in a
//! row, article after article, and then twenty rounds of each article once, as a feed would
//! bring them. The same bytes are cut in both; only the order differs.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use newstag::features;
use newstag::pipeline::{self, Format, Options, Prepared, Tagger};

const ROUNDS: usize = 200;
const TINY_PAGE: &str =
    "标题\n2023年9月25日 来源:本网\n本报讯(记者 张三)某局发布《通知》,共3起。\n责任编辑:李四";

/// Work run after each cut, on the article just cut.
#[derive(Clone, Copy)]
enum Between {
    Nothing,
    Touch(usize),
    TinyPrepares,
    Prepare,
    Features,
    TagRest,
}

impl Between {
    fn name(self) -> String {
        match self {
            Between::Nothing => "nothing".into(),
            Between::Touch(kib) => format!("touch {kib} KiB"),
            Between::TinyPrepares => "prepare ×20 tiny page".into(),
            Between::Prepare => "prepare (same article)".into(),
            Between::Features => "keys + features".into(),
            Between::TagRest => "the rest of tag".into(),
        }
    }
}

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tagger = Tagger::load(&manifest.join("models/newstag.model")).expect("model loads");
    let dir = manifest.join("benches/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let articles: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("fixture reads"))
        .collect();
    let prepared: Vec<Prepared> = articles
        .iter()
        .map(|a| pipeline::prepare(a, Format::Text))
        .collect();
    let mut buffer = vec![0u8; 16 << 20];

    let kinds = [
        Between::Nothing,
        Between::Touch(256),
        Between::Touch(1024),
        Between::Touch(4096),
        Between::TinyPrepares,
        Between::Prepare,
        Between::Features,
        Between::TagRest,
    ];
    // Rounds interleave the kinds, so a busy moment of the machine slows them all alike. The
    // first row, though, is a streak: nothing but cuts for ROUNDS rounds, before and after
    // the interleaved rounds, as a benchmark of `cut` alone runs them.
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(ROUNDS); kinds.len() + 1];
    let schedule = (0..ROUNDS / 2)
        .map(|_| 0)
        .chain(
            (0..ROUNDS)
                .flat_map(|round| (0..kinds.len()).map(move |k| 1 + (k + round) % kinds.len())),
        )
        .chain((0..ROUNDS / 2).map(|_| 0));
    for slot in schedule {
        {
            let k = slot.saturating_sub(1);
            let mut segmenting = Duration::ZERO;
            for (raw, p) in articles.iter().zip(&prepared) {
                let start = Instant::now();
                let tokens = tagger.segmenter().segment(black_box(&p.simplified));
                segmenting += start.elapsed();
                match kinds[k] {
                    Between::Nothing => {}
                    Between::Touch(kib) => {
                        for byte in buffer[..kib << 10].iter_mut().step_by(64) {
                            *byte = byte.wrapping_add(1);
                        }
                        black_box(&buffer);
                    }
                    Between::TinyPrepares => {
                        for _ in 0..20 {
                            black_box(pipeline::prepare(black_box(TINY_PAGE), Format::Text));
                        }
                    }
                    Between::Prepare => {
                        black_box(pipeline::prepare(raw, Format::Text));
                    }
                    Between::Features => {
                        let keys = features::token_keys(&tokens);
                        black_box(tagger.features(p, &tokens, &keys));
                    }
                    Between::TagRest => {
                        black_box(pipeline::prepare(raw, Format::Text));
                        let keys = features::token_keys(&tokens);
                        let f = tagger.features(p, &tokens, &keys);
                        let scored = tagger.model().score(&f.vector, &f.passages);
                        black_box(tagger.analyse(p, &tokens, &keys, &scored, Options::default()));
                    }
                }
            }
            times[slot].push(segmenting);
        }
    }
    print_streak_table(times, kinds);
    print_repetition_table(&tagger, manifest);
}

fn print_streak_table(times: Vec<Vec<Duration>>, kinds: [Between; 8]) {
    println!("jieba segmentation of the fixtures, median of {ROUNDS} rounds");
    println!(
        "{:26} {:>12} {:>10}",
        "between two cuts", "segment µs", "× streak"
    );
    let mut baseline = None;
    let names = std::iter::once("nothing, in a streak".to_string()).chain(kinds.map(Between::name));
    for (name, mut rounds) in names.zip(times) {
        rounds.sort();
        let median = rounds[ROUNDS / 2].as_secs_f64() * 1e6;
        let base = *baseline.get_or_insert(median);
        println!("{name:26} {median:>12.1} {:>10.2}", median / base);
    }
}

/// The same articles cut twenty times each in a row, then in twenty rounds of one cut each.
fn print_repetition_table(tagger: &Tagger, manifest: &Path) {
    const REPEATS: usize = 20;
    let dir = manifest.join("data/corpus");
    let examples = newstag::corpus::files(&dir)
        .and_then(|files| newstag::corpus::load(&files))
        .expect("the written corpus loads");
    let texts: Vec<String> = examples.into_iter().step_by(10).map(|e| e.text).collect();
    let prepared: Vec<Prepared> = texts
        .iter()
        .map(|t| pipeline::prepare(t, Format::Text))
        .collect();
    let bytes: usize = prepared.iter().map(|p| p.simplified.len()).sum();
    let segmenter = tagger.segmenter();
    println!(
        "\njieba segmentation of {} corpus articles ({bytes} bytes), each cut {REPEATS} times",
        prepared.len()
    );
    println!("{:26} {:>12} {:>10}", "order", "ns per byte", "× in a row");
    for round in 1..=3 {
        let start = Instant::now();
        for p in &prepared {
            for _ in 0..REPEATS {
                black_box(segmenter.segment(black_box(&p.simplified)));
            }
        }
        let in_a_row = start.elapsed().as_secs_f64() * 1e9 / (REPEATS * bytes) as f64;
        let start = Instant::now();
        for _ in 0..REPEATS {
            for p in &prepared {
                black_box(segmenter.segment(black_box(&p.simplified)));
            }
        }
        let feed = start.elapsed().as_secs_f64() * 1e9 / (REPEATS * bytes) as f64;
        println!(
            "{:26} {in_a_row:>12.2} {:>10.2}",
            format!("{round}: each {REPEATS} × in a row"),
            1.0
        );
        println!(
            "{:26} {feed:>12.2} {:>10.2}",
            format!("{round}: one after another"),
            feed / in_a_row
        );
    }
}

//! Per-stage benchmarks of the tagging pipeline, with jieba-rs `cut` alone as the reference line.
//!
//! ```sh
//! cargo bench --bench pipeline                       # criterion groups, then the side-by-side table
//! NEWSTAG_BENCH_MODE=side-by-side cargo bench --bench pipeline   # only the side-by-side table (~20 s)
//! NEWSTAG_BENCH_MODE=criterion cargo bench --bench pipeline      # only the criterion groups
//! cargo bench --bench pipeline -- segment             # criterion's usual filter
//! ```
//!
//! Inputs: `seed` is the seed article (`$NEWSTAG_SEED`, else `../shared/seed_article.txt` beside
//! the checkout, else `/work/shared/seed_article.txt`; read at run time, skipped with a message
//! when missing) and `mix` is every hand-written article in `benches/fixtures/*.txt`, tagged one
//! after another in each iteration. Throughput is always the bytes of the *raw* articles, so the
//! MB/s of every stage are comparable and the stage times add up to the whole call.
//!
//! The side-by-side pass also runs `feed`: every tenth article of the written corpus
//! (`data/corpus/*.jsonl`, about 200 articles), each once per iteration. Cutting the same text
//! again and again, as a benchmark of one article or nine does, ran jieba 2.8–3.9 × faster per
//! byte than cutting articles it has not just cut, in three runs (`cargo run --release --example
//! cut_interference`); `feed` shows the ratio in the state a real feed of distinct articles
//! leaves the machine in. It is too long an iteration for criterion's sampling, so it has no
//! criterion groups.
//!
//! Groups, one per stage of `Tagger::tag`:
//! - `prepare`: `text::normalize`, `text::read_page`, `text::simplify`, and `pipeline::prepare`
//!   (all three plus assembling the classified text);
//! - `segment`: `Tagger::segmenter().segment` on the prepared, simplified text;
//! - `features`: `Vocabulary::vectorize` on the tokens, and `as_tag`, the tokens' keys plus
//!   `Tagger::features` (terms, article vector, passage vectors), as `Tagger::tag` runs them;
//! - `classify`: `Model::score` on the article and passage vectors;
//! - `metadata`: `Tagger::analyse`, everything `Tagger::tag` does after scoring (tag list with
//!   evidence, score list, metadata); the side-by-side table also reports `tag − other stages`;
//! - `tag`: the whole `Tagger::tag` call (plain text, no body in the answer);
//! - `jieba_cut`: `Jieba::cut(raw, true)` alone on the same raw articles, with the dictionary
//!   the service uses (default dictionary + the model's user dictionary, loaded the way
//!   `Segmenter::new` loads it) and HMM on. This is the reference line.
//!
//! After the criterion groups a side-by-side pass runs every stage in interleaved rounds (each
//! round times each stage once, in rotating order) so that ratios such as `tag ÷ jieba cut` come
//! from the same moments of a noisy machine. `NEWSTAG_BENCH_JSON=FILE` also writes that table as
//! JSON (used by `scripts/bench-load.sh`).

use std::hint::black_box;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use jieba_rs::Jieba;
use newstag::features;
use newstag::model::LabelScore;
use newstag::pipeline::{self, Features, Format, Options, Prepared, Tagger};
use newstag::text;
use newstag::text::page::Hints;
use newstag::text::segment::Token;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// One named set of raw articles (`seed`, `mix` or `feed`).
struct InputSet {
    name: &'static str,
    articles: Vec<String>,
    /// Whether the criterion groups run it (the side-by-side pass runs every set).
    in_criterion: bool,
}

impl InputSet {
    fn bytes(&self) -> u64 {
        self.articles.iter().map(|a| a.len() as u64).sum()
    }
}

fn seed_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NEWSTAG_SEED") {
        return Some(PathBuf::from(p));
    }
    [
        Path::new(MANIFEST_DIR).join("../shared/seed_article.txt"),
        PathBuf::from("/work/shared/seed_article.txt"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn load_inputs() -> Vec<InputSet> {
    let mut sets = Vec::new();
    match seed_path() {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(seed) => sets.push(InputSet {
                name: "seed",
                articles: vec![seed],
                in_criterion: true,
            }),
            Err(e) => eprintln!(
                "pipeline bench: cannot read the seed article {}: {e}; benchmarking the fixture mix only",
                path.display()
            ),
        },
        None => eprintln!(
            "pipeline bench: seed article not found (set NEWSTAG_SEED, or put shared/ beside the \
             checkout: ../shared/seed_article.txt); benchmarking the fixture mix only"
        ),
    }
    let dir = Path::new(MANIFEST_DIR).join("benches/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    sets.push(InputSet {
        name: "mix",
        articles: files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
            .collect(),
        in_criterion: true,
    });
    sets.push(InputSet {
        name: "feed",
        articles: feed_articles(),
        in_criterion: false,
    });
    sets
}

/// Every tenth article of the written corpus, in file and line order.
fn feed_articles() -> Vec<String> {
    let dir = Path::new(MANIFEST_DIR).join("data/corpus");
    let examples = newstag::corpus::files(&dir)
        .and_then(|files| newstag::corpus::load(&files))
        .unwrap_or_else(|e| panic!("the corpus in {}: {e}", dir.display()));
    assert!(!examples.is_empty(), "no corpus in {}", dir.display());
    examples.into_iter().step_by(10).map(|e| e.text).collect()
}

fn model_path() -> PathBuf {
    std::env::var_os("NEWSTAG_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(MANIFEST_DIR).join("models/newstag.model"))
}

/// jieba as the service builds it: default dictionary, then the model's user dictionary with
/// the frequency (20000) and tag (n) defaults that `Segmenter::new` fills in.
fn reference_jieba(user_dict: &str) -> Jieba {
    let entries = newstag::text::segment::dictionary_entries(user_dict);
    let mut jieba = Jieba::new();
    jieba
        .load_dict(&mut BufReader::new(entries.as_bytes()))
        .expect("the model's user dictionary loads");
    jieba
}

/// The features stage as `Tagger::tag` runs it: the tokens' keys, then terms and vectors.
fn features_as_tag(tagger: &Tagger, prepared: &Prepared, tokens: &[Token<'_>]) -> Features {
    let keys = features::token_keys(tokens);
    tagger.features(prepared, tokens, &keys)
}

/// The stage inputs of one set, computed once outside every timed closure.
struct Staged<'a> {
    set: &'a InputSet,
    normalized: Vec<String>,
    prepared: Vec<Prepared>,
}

impl<'a> Staged<'a> {
    fn new(set: &'a InputSet) -> Self {
        Self {
            set,
            normalized: set.articles.iter().map(|a| text::normalize(a)).collect(),
            prepared: set
                .articles
                .iter()
                .map(|a| pipeline::prepare(a, Format::Text))
                .collect(),
        }
    }
}

/// Checks that the re-composed stages and the jieba reference match what the service does, so
/// the figures are like with like. Prints a warning (does not fail) when they drift.
fn check_like_with_like(tagger: &Tagger, jieba: &Jieba, staged: &Staged<'_>) {
    let model = tagger.model();
    for (i, (raw, prepared)) in staged.set.articles.iter().zip(&staged.prepared).enumerate() {
        let name = format!("{}[{i}]", staged.set.name);
        let tokens = tagger.segmenter().segment(&prepared.simplified);
        let reference: Vec<&str> = jieba
            .cut(&prepared.simplified, true)
            .iter()
            .map(|t| t.word)
            .collect();
        let ours: Vec<&str> = tokens.iter().map(|t| t.word).collect();
        if reference != ours {
            eprintln!(
                "pipeline bench: WARNING {name}: the jieba reference segments differently from \
                 Segmenter::segment: the dictionary set-up is not like with like"
            );
        }
        let keys = features::token_keys(&tokens);
        let features = features_as_tag(tagger, prepared, &tokens);
        let scored = model.score(&features.vector, &features.passages);
        let staged_analysis = tagger.analyse(prepared, &tokens, &keys, &scored, Options::default());
        if staged_analysis != tagger.tag(raw, Format::Text, Options::default()) {
            eprintln!(
                "pipeline bench: WARNING {name}: the stages run one by one no longer give what \
                 Tagger::tag gives (src/pipeline.rs changed?)"
            );
        }
    }
}

fn criterion_groups(c: &mut Criterion, tagger: &Tagger, jieba: &Jieba, sets: &[Staged<'_>]) {
    let sets: Vec<&Staged<'_>> = sets.iter().filter(|s| s.set.in_criterion).collect();
    let model = tagger.model();
    let segmenter = tagger.segmenter();

    let mut group = c.benchmark_group("prepare");
    for &s in &sets {
        group.throughput(Throughput::Bytes(s.set.bytes()));
        group.bench_with_input(BenchmarkId::new("normalize", s.set.name), s, |b, s| {
            b.iter(|| {
                for raw in &s.set.articles {
                    black_box(text::normalize(black_box(raw)));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("read_page", s.set.name), s, |b, s| {
            b.iter(|| {
                for flat in &s.normalized {
                    black_box(text::read_page(black_box(flat), Hints::default()));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("simplify", s.set.name), s, |b, s| {
            b.iter(|| {
                for p in &s.prepared {
                    black_box(text::simplify(black_box(&p.text)));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("prepare", s.set.name), s, |b, s| {
            b.iter(|| {
                for raw in &s.set.articles {
                    black_box(pipeline::prepare(black_box(raw), Format::Text));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("segment");
    for &s in &sets {
        group.throughput(Throughput::Bytes(s.set.bytes()));
        group.bench_with_input(BenchmarkId::new("segment", s.set.name), s, |b, s| {
            b.iter(|| {
                for p in &s.prepared {
                    black_box(segmenter.segment(black_box(&p.simplified)));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("features");
    for &s in &sets {
        let tokens: Vec<Vec<Token<'_>>> = s
            .prepared
            .iter()
            .map(|p| segmenter.segment(&p.simplified))
            .collect();
        group.throughput(Throughput::Bytes(s.set.bytes()));
        group.bench_with_input(
            BenchmarkId::new("vectorize", s.set.name),
            &tokens,
            |b, t| {
                b.iter(|| {
                    for tokens in t {
                        black_box(model.vocabulary().vectorize(black_box(tokens)));
                    }
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("as_tag", s.set.name), &tokens, |b, t| {
            b.iter(|| {
                for (p, tokens) in s.prepared.iter().zip(t) {
                    black_box(features_as_tag(tagger, p, black_box(tokens)));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("classify");
    for &s in &sets {
        let vectors: Vec<Features> = s
            .prepared
            .iter()
            .map(|p| features_as_tag(tagger, p, &segmenter.segment(&p.simplified)))
            .collect();
        group.throughput(Throughput::Bytes(s.set.bytes()));
        group.bench_with_input(BenchmarkId::new("score", s.set.name), &vectors, |b, v| {
            b.iter(|| {
                for f in v {
                    black_box(model.score(black_box(&f.vector), black_box(&f.passages)));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("metadata");
    for &s in &sets {
        let tokens: Vec<Vec<Token<'_>>> = s
            .prepared
            .iter()
            .map(|p| segmenter.segment(&p.simplified))
            .collect();
        let keys: Vec<Vec<u64>> = tokens.iter().map(|t| features::token_keys(t)).collect();
        let scored: Vec<Vec<LabelScore>> = s
            .prepared
            .iter()
            .zip(&tokens)
            .map(|(p, t)| {
                let f = features_as_tag(tagger, p, t);
                model.score(&f.vector, &f.passages)
            })
            .collect();
        group.throughput(Throughput::Bytes(s.set.bytes()));
        group.bench_function(BenchmarkId::new("analyse", s.set.name), |b| {
            b.iter(|| {
                for (((p, t), k), sc) in s.prepared.iter().zip(&tokens).zip(&keys).zip(&scored) {
                    black_box(tagger.analyse(
                        p,
                        black_box(t),
                        k,
                        black_box(sc),
                        Options::default(),
                    ));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("tag");
    for &s in &sets {
        group.throughput(Throughput::Bytes(s.set.bytes()));
        group.bench_with_input(BenchmarkId::new("tag", s.set.name), s, |b, s| {
            b.iter(|| {
                for raw in &s.set.articles {
                    black_box(tagger.tag(black_box(raw), Format::Text, Options::default()));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("jieba_cut");
    for &s in &sets {
        group.throughput(Throughput::Bytes(s.set.bytes()));
        group.bench_with_input(BenchmarkId::new("cut", s.set.name), s, |b, s| {
            b.iter(|| {
                for raw in &s.set.articles {
                    black_box(jieba.cut(black_box(raw), true));
                }
            })
        });
    }
    group.finish();
}

/// One stage of the side-by-side pass.
struct Stage<'a> {
    name: &'static str,
    run: Box<dyn Fn() + 'a>,
}

/// Median of a non-empty slice.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Interleaved rounds over all stages of one input set; returns the JSON of the result and
/// prints a table.
fn side_by_side(tagger: &Tagger, jieba: &Jieba, s: &Staged<'_>) -> serde_json::Value {
    let model = tagger.model();
    let segmenter = tagger.segmenter();
    let tokens: Vec<Vec<Token<'_>>> = s
        .prepared
        .iter()
        .map(|p| segmenter.segment(&p.simplified))
        .collect();
    let keys: Vec<Vec<u64>> = tokens.iter().map(|t| features::token_keys(t)).collect();
    let vectors: Vec<Features> = s
        .prepared
        .iter()
        .zip(&tokens)
        .map(|(p, t)| features_as_tag(tagger, p, t))
        .collect();
    let scored: Vec<Vec<LabelScore>> = vectors
        .iter()
        .map(|f| model.score(&f.vector, &f.passages))
        .collect();

    let stages: Vec<Stage<'_>> = vec![
        Stage {
            name: "prepare",
            run: Box::new(|| {
                for raw in &s.set.articles {
                    black_box(pipeline::prepare(black_box(raw), Format::Text));
                }
            }),
        },
        Stage {
            name: "segment",
            run: Box::new(|| {
                for p in &s.prepared {
                    black_box(segmenter.segment(black_box(&p.simplified)));
                }
            }),
        },
        Stage {
            name: "features",
            run: Box::new(|| {
                for (p, t) in s.prepared.iter().zip(&tokens) {
                    black_box(features_as_tag(tagger, p, black_box(t)));
                }
            }),
        },
        Stage {
            name: "classify",
            run: Box::new(|| {
                for f in &vectors {
                    black_box(model.score(black_box(&f.vector), black_box(&f.passages)));
                }
            }),
        },
        Stage {
            name: "metadata",
            run: Box::new(|| {
                for (((p, t), k), sc) in s.prepared.iter().zip(&tokens).zip(&keys).zip(&scored) {
                    black_box(tagger.analyse(
                        p,
                        black_box(t),
                        k,
                        black_box(sc),
                        Options::default(),
                    ));
                }
            }),
        },
        Stage {
            name: "tag",
            run: Box::new(|| {
                for raw in &s.set.articles {
                    black_box(tagger.tag(black_box(raw), Format::Text, Options::default()));
                }
            }),
        },
        Stage {
            name: "jieba_cut_raw",
            run: Box::new(|| {
                for raw in &s.set.articles {
                    black_box(jieba.cut(black_box(raw), true));
                }
            }),
        },
        Stage {
            name: "jieba_cut_prepared",
            run: Box::new(|| {
                for p in &s.prepared {
                    black_box(jieba.cut(black_box(&p.simplified), true));
                }
            }),
        },
    ];

    // Calibrate: iterations per timed block so that each block takes about 25 ms.
    let block = Duration::from_millis(25);
    let iters: Vec<u32> = stages
        .iter()
        .map(|st| {
            (st.run)();
            let t = Instant::now();
            (st.run)();
            let once = t.elapsed().max(Duration::from_nanos(100));
            (block.as_secs_f64() / once.as_secs_f64()).clamp(1.0, 100_000.0) as u32
        })
        .collect();
    let rounds: usize = std::env::var("NEWSTAG_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(21)
        .clamp(3, 201);
    let mut per_iter: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); stages.len()];
    for round in 0..rounds {
        for k in 0..stages.len() {
            let i = (k + round) % stages.len();
            let t = Instant::now();
            for _ in 0..iters[i] {
                (stages[i].run)();
            }
            per_iter[i].push(t.elapsed().as_secs_f64() / f64::from(iters[i]));
        }
    }
    let index = |name: &str| stages.iter().position(|st| st.name == name).unwrap();
    let (tag, cut) = (index("tag"), index("jieba_cut_raw"));
    let mut round_ratios: Vec<f64> = (0..rounds)
        .map(|r| per_iter[cut][r] / per_iter[tag][r])
        .collect();
    let ratio_round_median = median(&mut round_ratios);
    let ratio_spread = (round_ratios[0], round_ratios[rounds - 1]);
    let medians: Vec<f64> = per_iter.iter().map(|v| median(&mut v.clone())).collect();
    let bytes = s.set.bytes() as f64;
    let staged_sum: f64 = ["prepare", "segment", "features", "classify"]
        .iter()
        .map(|n| medians[index(n)])
        .sum();
    let residual = medians[tag] - staged_sum;

    println!(
        "\nside by side: {} ({} article{}, {} bytes), {rounds} interleaved rounds, median per iteration",
        s.set.name,
        s.set.articles.len(),
        if s.set.articles.len() == 1 { "" } else { "s" },
        bytes
    );
    println!(
        "  {:<20} {:>12} {:>10} {:>10} {:>9}",
        "stage", "µs/iter", "MB/s", "% of tag", "× cut"
    );
    let mut rows = Vec::new();
    for (i, st) in stages.iter().enumerate() {
        let us = medians[i] * 1e6;
        let mbs = bytes / medians[i] / 1e6;
        println!(
            "  {:<20} {:>12.1} {:>10.2} {:>9.1}% {:>9.2}",
            st.name,
            us,
            mbs,
            100.0 * medians[i] / medians[tag],
            medians[cut] / medians[i]
        );
        rows.push(serde_json::json!({
            "stage": st.name, "us_per_iter": us, "mb_per_s": mbs,
            "share_of_tag": medians[i] / medians[tag],
        }));
    }
    println!(
        "  {:<20} {:>12.1} {:>10} {:>9.1}%   (tag − prepare − segment − features − classify)",
        "tag − stages",
        residual * 1e6,
        "",
        100.0 * residual / medians[tag]
    );
    println!(
        "  tag throughput ÷ jieba cut throughput: {:.3} (median of per-round ratios; min {:.3}, max {:.3}); target ≥ 0.50: {}",
        ratio_round_median,
        ratio_spread.0,
        ratio_spread.1,
        if ratio_round_median >= 0.5 {
            "MET"
        } else {
            "MISSED"
        }
    );
    serde_json::json!({
        "input": s.set.name,
        "articles": s.set.articles.len(),
        "bytes": s.set.bytes(),
        "rounds": rounds,
        "stages": rows,
        "tag_minus_stages_us": residual * 1e6,
        "tag_over_cut_ratio": ratio_round_median,
        "tag_over_cut_ratio_min": ratio_spread.0,
        "tag_over_cut_ratio_max": ratio_spread.1,
    })
}

/// Whether the command line asks criterion for a test run, a listing or a filtered run (then
/// the side-by-side pass is skipped).
fn side_by_side_wanted() -> bool {
    const VALUED: &[&str] = &[
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--measurement-time",
        "--warm-up-time",
        "--sample-size",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--output-format",
        "--color",
        "--format",
        "--plotting-backend",
        "--profile-time",
        "-c",
        "-s",
        "-b",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut filtered = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches!(a, "--test" | "--list" | "--profile-time") {
            return false;
        }
        if VALUED.contains(&a) {
            i += 1;
        } else if !a.starts_with('-') {
            filtered = true;
        }
        i += 1;
    }
    !filtered
}

fn main() {
    let mode = std::env::var("NEWSTAG_BENCH_MODE").unwrap_or_else(|_| "all".into());
    if !matches!(mode.as_str(), "all" | "criterion" | "side-by-side") {
        eprintln!("NEWSTAG_BENCH_MODE must be all, criterion or side-by-side, not {mode:?}");
        std::process::exit(2);
    }
    let path = model_path();
    let tagger = Tagger::load(&path)
        .unwrap_or_else(|e| panic!("cannot load the model {}: {e}", path.display()));
    let jieba = reference_jieba(&tagger.model().user_dict);
    let inputs = load_inputs();
    let staged: Vec<Staged<'_>> = inputs.iter().map(Staged::new).collect();
    for s in &staged {
        check_like_with_like(&tagger, &jieba, s);
    }

    if mode != "side-by-side" {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .sample_size(30)
            .configure_from_args();
        criterion_groups(&mut c, &tagger, &jieba, &staged);
        c.final_summary();
    }
    if mode != "criterion" && side_by_side_wanted() {
        let results: Vec<serde_json::Value> = staged
            .iter()
            .map(|s| side_by_side(&tagger, &jieba, s))
            .collect();
        if let Some(out) = std::env::var_os("NEWSTAG_BENCH_JSON") {
            let json = serde_json::json!({ "side_by_side": results });
            if let Err(e) = std::fs::write(&out, format!("{json:#}\n")) {
                eprintln!(
                    "pipeline bench: cannot write {}: {e}",
                    Path::new(&out).display()
                );
            }
        }
    }
}

//! The command line: `serve`, `tag`, `train`, `eval`, `corpus-stats` — one args struct each.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use newstag::batch::{self, BatchConfig, InputFormat};
use newstag::pipeline::Tagger;
use newstag::service::{Limits, State};
use newstag::{corpus, eval, server, train};

/// Topic tags and metadata for Chinese news articles, over gRPC or from the shell.
#[derive(Debug, Parser)]
#[command(name = "newstag", version, about)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(
        long,
        global = true,
        env = "NEWSTAG_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Tagger gRPC API, with health checks and reflection.
    Serve(ServeArgs),
    /// Tag JSONL or plain-text files (or stdin) and print one JSON TagResponse per line.
    Tag(TagArgs),
    /// Train a model from the labelled corpus and write the model file and model card.
    Train(TrainArgs),
    /// Evaluate a model on a labelled JSONL file.
    Eval(EvalArgs),
    /// Print the corpus counts: articles, labels, scripts, split.
    CorpusStats(CorpusStatsArgs),
    /// Evaluate metadata extraction on pages with reader-checked `meta` (e.g. dev.jsonl).
    EvalMeta(EvalMetaArgs),
}

/// The default model, shipped in `models/`.
const DEFAULT_MODEL: &str = "models/newstag.model";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "NEWSTAG_ADDR", default_value = "0.0.0.0:50051")]
    pub addr: SocketAddr,
    /// Model file to serve.
    #[arg(long, env = "NEWSTAG_MODEL", default_value = DEFAULT_MODEL)]
    pub model: PathBuf,
    /// Largest article text accepted, in bytes (larger: INVALID_ARGUMENT).
    #[arg(long, env = "NEWSTAG_MAX_TEXT_BYTES", default_value_t = 1 << 20)]
    pub max_text_bytes: usize,
    /// Most articles in one TagBatch call (more: INVALID_ARGUMENT).
    #[arg(long, env = "NEWSTAG_MAX_BATCH", default_value_t = 256)]
    pub max_batch: usize,
    /// Largest gRPC message decoded, in bytes (larger: RESOURCE_EXHAUSTED).
    #[arg(long, env = "NEWSTAG_MAX_MESSAGE_BYTES", default_value_t = 32 << 20)]
    pub max_message_bytes: usize,
    /// Articles tagged at once; defaults to the number of cores.
    #[arg(long, env = "NEWSTAG_WORKERS")]
    pub workers: Option<usize>,
    /// Responses a TagStream buffers ahead of a slow reader.
    #[arg(long, env = "NEWSTAG_STREAM_BUFFER", default_value_t = 64)]
    pub stream_buffer: usize,
    /// Seconds that calls in flight get to finish after SIGTERM or SIGINT.
    #[arg(long, env = "NEWSTAG_DRAIN_SECONDS", default_value_t = 30)]
    pub drain_seconds: u64,
    /// Calls in flight at once (Tag, TagBatch, open TagStreams); more: RESOURCE_EXHAUSTED.
    #[arg(long, env = "NEWSTAG_MAX_IN_FLIGHT", default_value_t = 256)]
    pub max_in_flight: usize,
    /// Allow the ReloadModel RPC and SIGHUP to reload the model file.
    #[arg(long, env = "NEWSTAG_ALLOW_RELOAD")]
    pub allow_reload: bool,
    /// File of bearer tokens (one per line) required on Tagger calls.
    #[arg(long, env = "NEWSTAG_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// Comma-separated bearer tokens required on Tagger calls (with or instead of --token-file).
    #[arg(long, env = "NEWSTAG_TOKENS", hide_env_values = true)]
    pub tokens: Option<String>,
    /// PEM certificate (chain) for TLS on the gRPC port; needs --tls-key.
    #[arg(long, env = "NEWSTAG_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "NEWSTAG_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA certificate(s): clients must present a certificate it signed (mutual TLS).
    #[arg(long, env = "NEWSTAG_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (off when not set).
    #[arg(long, env = "NEWSTAG_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

impl ServeArgs {
    /// Checks the limits against each other.
    fn limits(&self) -> anyhow::Result<Limits> {
        let workers = self.workers.unwrap_or_else(newstag::parallel::cores);
        if workers == 0
            || self.max_batch == 0
            || self.stream_buffer == 0
            || self.max_text_bytes == 0
        {
            bail!(
                "--workers, --max-batch, --stream-buffer and --max-text-bytes must be at least 1"
            );
        }
        if self.max_text_bytes > self.max_message_bytes {
            bail!(
                "--max-text-bytes ({}) is larger than --max-message-bytes ({}): such texts could never arrive",
                self.max_text_bytes,
                self.max_message_bytes
            );
        }
        Ok(Limits {
            max_text_bytes: self.max_text_bytes,
            max_batch: self.max_batch,
            max_message_bytes: self.max_message_bytes,
            workers,
            stream_buffer: self.stream_buffer,
            max_in_flight: self.max_in_flight,
        })
    }
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// Files or directories to tag; stdin when none.
    pub inputs: Vec<PathBuf>,
    /// Model file.
    #[arg(long, env = "NEWSTAG_MODEL", default_value = DEFAULT_MODEL)]
    pub model: PathBuf,
    /// How to read the inputs.
    #[arg(long, value_enum, default_value = "auto")]
    pub input_format: InputFormat,
    /// Threads; defaults to the number of cores.
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Print empty lists, zero scores and empty strings too (like grpcurl -emit-defaults).
    #[arg(long)]
    pub emit_defaults: bool,
    /// Largest article text accepted, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_text_bytes: usize,
    /// Do not print the tag counts on stderr at the end.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Corpus directory (every *.jsonl under it) or file.
    #[arg(long, default_value = "data/corpus")]
    pub data: PathBuf,
    /// jieba user dictionary to build in.
    #[arg(long, default_value = "models/userdict.txt")]
    pub user_dict: PathBuf,
    /// Model file to write.
    #[arg(long, short, default_value = DEFAULT_MODEL)]
    pub output: PathBuf,
    /// Model card to write.
    #[arg(long, default_value = "models/MODEL_CARD.md")]
    pub card: PathBuf,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Terms kept per label by chi-square.
    #[arg(long, default_value_t = 1000)]
    pub terms_per_label: usize,
    /// Minimum document frequency of a term.
    #[arg(long, default_value_t = 2)]
    pub min_df: u32,
    /// Term kinds features are made of: any of unigrams, bigrams, subwords.
    #[arg(long, default_value = "unigrams,bigrams,subwords")]
    pub features: newstag::features::TermKinds,
    /// Training time in Unix seconds, recorded in the model; set it to reproduce a model byte
    /// for byte. Defaults to now.
    #[arg(long, env = "SOURCE_DATE_EPOCH")]
    pub timestamp: Option<u64>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled JSONL file (`{"id","text","labels"}` per line).
    #[arg(long)]
    pub data: PathBuf,
    /// Model file.
    #[arg(long, env = "NEWSTAG_MODEL", default_value = DEFAULT_MODEL)]
    pub model: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// List the misclassified articles with their scores.
    #[arg(long)]
    pub errors: bool,
    /// Only the held-out test split of the file (by id hash, as training splits).
    #[arg(long)]
    pub test_split: bool,
}

#[derive(Debug, Args)]
pub struct EvalMetaArgs {
    /// JSONL with `{"id","text","meta":{"title","published_at","source","reporters","authors","editors"}}`.
    #[arg(long)]
    pub data: PathBuf,
    /// Model file (its user dictionary drives segmentation).
    #[arg(long, env = "NEWSTAG_MODEL", default_value = DEFAULT_MODEL)]
    pub model: PathBuf,
    /// Print the scores as JSON.
    #[arg(long)]
    pub json: bool,
    /// List every disagreement.
    #[arg(long)]
    pub errors: bool,
}

#[derive(Debug, Args)]
pub struct CorpusStatsArgs {
    /// Corpus directory or file.
    #[arg(long, default_value = "data/corpus")]
    pub data: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the chosen command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Tag(args) => tag(args),
        Command::Train(args) => train_model(args),
        Command::Eval(args) => evaluate(args),
        Command::CorpusStats(args) => corpus_stats(args),
        Command::EvalMeta(args) => evaluate_metadata(args),
    }
}

fn load_tagger(path: &std::path::Path) -> anyhow::Result<Tagger> {
    Ok(Tagger::load(path)?)
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let limits = args.limits()?;
    let token_file = match &args.token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read token file {}", path.display()))?,
        ),
        None => None,
    };
    let tokens = newstag::auth::Tokens::parse(token_file.as_deref(), args.tokens.as_deref());
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            newstag::tls::TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: args.tls_client_ca.clone(),
            }
            .load()?,
        ),
        _ => None,
    };
    let started = std::time::Instant::now();
    let tagger = load_tagger(&args.model)?;
    tracing::info!(
        model = %args.model.display(),
        version = %tagger.model().version,
        ms = started.elapsed().as_millis() as u64,
        "model loaded"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(limits.workers.clamp(1, 4))
        // Articles are tagged on the worker threads (`newstag::pool`); the blocking pool only
        // loads models on reload.
        .max_blocking_threads(4)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let local = listener.local_addr()?;
        let metrics_listener = match args.metrics_addr {
            Some(addr) => Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} for metrics"))?,
            ),
            None => None,
        };
        tracing::info!(
            addr = %local,
            workers = limits.workers,
            tls = tls.is_some(),
            mutual_tls = args.tls_client_ca.is_some(),
            "serving newstag.v1.Tagger"
        );
        let state = State::with_reload(
            tagger,
            limits,
            args.allow_reload.then(|| args.model.clone()),
        )?;
        if let Some(listener) = metrics_listener {
            let addr = listener.local_addr()?;
            tracing::info!(%addr, "serving Prometheus metrics at /metrics");
            let metrics = state.metrics().clone();
            tokio::spawn(async move {
                if let Err(e) =
                    newstag::metrics::serve(listener, metrics, std::future::pending()).await
                {
                    tracing::error!(error = %e, "metrics endpoint stopped");
                }
            });
        }
        if args.allow_reload {
            tokio::spawn(reload_on_sighup(state.clone()));
        }
        if tokens.is_enabled() {
            tracing::info!("bearer-token authentication on for newstag.v1.Tagger");
        }
        server::serve(
            listener,
            state,
            shutdown_signal(),
            server::ServeOptions {
                drain: Duration::from_secs(args.drain_seconds),
                tokens,
                tls,
            },
        )
        .await
        .context("serving")?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Reloads the model file on every SIGHUP; a bad file is logged and the old model kept.
async fn reload_on_sighup(state: std::sync::Arc<State>) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            tracing::error!("cannot listen for SIGHUP");
            return;
        };
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP received: reloading the model");
            let _ = state.reload().await;
        }
    }
    #[cfg(not(unix))]
    let _ = state;
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(%e, "cannot listen for SIGTERM");
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => tracing::info!("SIGINT received"),
            _ = term.recv() => tracing::info!("SIGTERM received"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn tag(args: TagArgs) -> anyhow::Result<()> {
    let tagger = load_tagger(&args.model)?;
    let config = BatchConfig {
        inputs: args.inputs,
        input_format: args.input_format,
        jobs: args.jobs.unwrap_or_else(newstag::parallel::cores),
        emit_defaults: args.emit_defaults,
        max_text_bytes: args.max_text_bytes,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let summary = batch::run(&tagger, &config, &mut out)?;
    std::io::Write::flush(&mut out)?;
    if !args.quiet {
        eprint!("{summary}");
    }
    Ok(())
}

fn train_model(args: TrainArgs) -> anyhow::Result<()> {
    let timestamp = args.timestamp.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let command = format!(
        "SOURCE_DATE_EPOCH={timestamp} cargo run --release -- train --data {} --user-dict {} --folds {} --terms-per-label {} --min-df {} --features {}",
        args.data.display(),
        args.user_dict.display(),
        args.folds,
        args.terms_per_label,
        args.min_df,
        args.features
    );
    if args.folds < 2 {
        bail!("--folds must be at least 2");
    }
    let config = train::TrainConfig {
        data: args.data,
        user_dict: args.user_dict,
        output: args.output.clone(),
        card: Some(args.card.clone()),
        folds: args.folds,
        timestamp,
        terms_per_label: args.terms_per_label,
        min_df: args.min_df,
        term_kinds: args.features,
        command,
    };
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.enable_steady_tick(Duration::from_millis(120));
    let progress = |message: &str| {
        if bar.is_hidden() {
            eprintln!("{message}");
        } else {
            bar.println(message);
            bar.set_message(message.to_string());
        }
    };
    let summary = train::train(&config, &progress)?;
    bar.finish_and_clear();
    eprintln!(
        "\nchosen: {:?}, {} terms, trained in {:.1} s\n\ncross-validation (training split):\n{}\ntest split:\n{}\nwrote {} and {}",
        summary.chosen,
        summary.terms,
        summary.seconds,
        eval::table(&summary.cross_validation),
        eval::table(&summary.test),
        args.output.display(),
        args.card.display()
    );
    Ok(())
}

fn evaluate(args: EvalArgs) -> anyhow::Result<()> {
    if !args.data.exists() {
        bail!("evaluation file {} does not exist", args.data.display());
    }
    let tagger = load_tagger(&args.model)?;
    let mut examples = corpus::load(std::slice::from_ref(&args.data))?;
    if args.test_split {
        examples.retain(|e| corpus::is_test(&e.id));
    }
    let (report, misses) = eval::evaluate_tagger(&tagger, &examples);
    if args.json {
        let mut value = serde_json::json!({ "model": tagger.model().version, "report": report });
        if args.errors {
            value["errors"] = serde_json::to_value(&misses)?;
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!(
            "model {} on {}",
            tagger.model().version,
            args.data.display()
        );
        print!("{}", eval::table(&report));
        if args.errors {
            println!("\nmisclassified ({}):", misses.len());
            for m in &misses {
                let scores: Vec<String> = m
                    .scores
                    .iter()
                    .map(|(l, s)| format!("{l}={s:.3}"))
                    .collect();
                println!(
                    "  {:<16} expected [{}] got [{}]  {}",
                    m.id,
                    m.expected.join(","),
                    m.predicted.join(","),
                    scores.join(" ")
                );
            }
        }
    }
    Ok(())
}

fn corpus_stats(args: CorpusStatsArgs) -> anyhow::Result<()> {
    let examples = corpus::load(&corpus::files(&args.data)?)?;
    let stats = corpus::Stats::of(&examples);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(());
    }
    println!("articles            {}", stats.articles);
    for (label, n) in &stats.per_label {
        println!("  {label:<20}{n}");
    }
    println!("  (no tag)            {}", stats.untagged);
    println!(
        "traditional script  {} ({:.1}%)",
        stats.traditional,
        100.0 * stats.traditional as f64 / stats.articles.max(1) as f64
    );
    println!("inline pinyin       {}", stats.with_pinyin);
    println!("full-width forms    {}", stats.with_full_width);
    println!("page furniture      {}", stats.with_furniture);
    println!(
        "length (chars)      min {} median {} max {}",
        stats.shortest, stats.median, stats.longest
    );
    println!(
        "split               {} train / {} test",
        stats.train, stats.test
    );
    Ok(())
}

fn evaluate_metadata(args: EvalMetaArgs) -> anyhow::Result<()> {
    let content = std::fs::read_to_string(&args.data)
        .with_context(|| format!("reading {}", args.data.display()))?;
    let examples: Vec<newstag::eval_meta::MetaExample> = content
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l).with_context(|| format!("{}:{}", args.data.display(), n + 1))
        })
        .collect::<anyhow::Result<_>>()?;
    let tagger = load_tagger(&args.model)?;
    let (scores, misses) = newstag::eval_meta::evaluate(&tagger, &examples);
    if args.json {
        let mut v = serde_json::json!({ "fields": scores });
        if args.errors {
            v["errors"] = serde_json::to_value(&misses)?;
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "metadata on {} ({} pages)",
        args.data.display(),
        examples.len()
    );
    print!("{}", newstag::eval_meta::table(&scores));
    if args.errors {
        for m in &misses {
            println!(
                "  {:<8} {:<13} expected {:?} got {:?}",
                m.id, m.field, m.expected, m.got
            );
        }
    }
    Ok(())
}

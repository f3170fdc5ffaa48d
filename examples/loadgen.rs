//! Load generator for the newstag gRPC server: unary, batch and stream throughput with latency
//! percentiles and error counts, a health wait that times server start-up, and two helpers for
//! `scripts/bench-load.sh` (a JSONL generator and a free loopback port).
//!
//! ```sh
//! cargo run --release --example loadgen -- --addr 127.0.0.1:50051 unary --concurrency 16 --requests 5000
//! cargo run --release --example loadgen -- batch --size 64 --requests 100
//! cargo run --release --example loadgen -- stream --messages 10000
//! cargo run --release --example loadgen -- --json --input articles.jsonl unary --duration 20
//! cargo run --release --example loadgen -- health --timeout-ms 10000 --since-ns "$(date +%s%N)"
//! ```
//!
//! Inputs (`--input`, repeatable): `.jsonl`/`.json` files with one `{"id","text"[,"format"]}`
//! per line, any other file as one plain-text article, or a directory of such files. Without
//! `--input` the hand-written articles in `benches/fixtures/` are used. Articles are sent in
//! turn, cycling. Every run is bounded: by its request count and by `--max-seconds` (default 120)
//! whichever comes first, and every call by `--timeout` seconds. Only loopback addresses are
//! accepted.

mod support;

use support::{Article, Latency, Rss, connect, latency, loopback, read_inputs, sample_rss};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use newstag::pb;
use newstag::pb::tagger_client::TaggerClient;
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Endpoint;

/// Load generator for the newstag gRPC server (loopback only).
#[derive(Debug, Parser)]
#[command(name = "loadgen")]
struct Cli {
    /// Server address (a loopback address: 127.0.0.0/8 or ::1).
    #[arg(long, global = true, default_value = "127.0.0.1:50051")]
    addr: String,
    /// Article files or directories (.jsonl/.json: one request per line; others: one article).
    #[arg(long = "input", global = true)]
    inputs: Vec<PathBuf>,
    /// Print the report as one JSON object.
    #[arg(long, global = true)]
    json: bool,
    /// Hard bound on the run's wall time, in seconds.
    #[arg(long, global = true, default_value_t = 120.0)]
    max_seconds: f64,
    /// Deadline of each call, in seconds.
    #[arg(long, global = true, default_value_t = 30.0)]
    timeout: f64,
    /// Sample this process's VmRSS (the server's pid) during the run.
    #[arg(long, global = true)]
    rss_pid: Option<u32>,
    /// A name for this run, echoed in the report.
    #[arg(long, global = true)]
    label: Option<String>,
    /// Client runtime threads (1: a single-threaded runtime, so the client uses at most one core).
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Tag calls from N concurrent clients.
    Unary {
        /// Concurrent clients (calls in flight).
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Total calls (default 1000 when --duration is not given).
        #[arg(long)]
        requests: Option<u64>,
        /// Run for this many seconds (bounded by --max-seconds).
        #[arg(long)]
        duration: Option<f64>,
        /// HTTP/2 connections shared by the clients (default: one per client).
        #[arg(long)]
        connections: Option<usize>,
    },
    /// TagBatch calls of --size articles each.
    Batch {
        /// Articles per call.
        #[arg(long, default_value_t = 64)]
        size: usize,
        /// Number of TagBatch calls.
        #[arg(long, default_value_t = 100)]
        requests: u64,
        /// Calls in flight.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
    },
    /// One TagStream call carrying --messages articles.
    Stream {
        /// Articles sent on the stream.
        #[arg(long, default_value_t = 10_000)]
        messages: u64,
        /// Most messages sent and not yet answered (latency then includes this queue).
        #[arg(long, default_value_t = 64)]
        window: usize,
    },
    /// Waits until grpc.health.v1.Health/Check answers SERVING; reports the time it took.
    Health {
        /// Give up after this many milliseconds.
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
        /// Measure from this instant (Unix time in ns, e.g. `date +%s%N` before starting the
        /// server) instead of from this command's start.
        #[arg(long)]
        since_ns: Option<u128>,
        /// Service name to check ("" is the whole server).
        #[arg(long, default_value = "")]
        service: String,
    },
    /// Writes a JSONL file of --lines requests, cycling through the inputs.
    Gen {
        #[arg(long, default_value_t = 10_000)]
        lines: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Prints a free TCP port on 127.0.0.1.
    FreePort,
}

#[derive(Debug, Default, Serialize)]
struct Report {
    mode: String,
    label: Option<String>,
    addr: String,
    concurrency: usize,
    connections: usize,
    batch_size: usize,
    /// Calls (unary, batch) or messages (stream) asked for; 0 when bounded by time only.
    requested: u64,
    /// Calls or messages answered (successfully or not).
    completed: u64,
    /// Articles answered without an error.
    articles_ok: u64,
    /// Failed calls plus items answered with `error`, plus answers with a wrong id.
    errors: u64,
    error_codes: BTreeMap<String, u64>,
    elapsed_s: f64,
    requests_per_s: f64,
    articles_per_s: f64,
    article_bytes_per_s: f64,
    /// Per call (unary, batch) or per message from send to answer (stream).
    latency: Latency,
    /// The run hit --max-seconds before its request count.
    stopped_early: bool,
    rss: Option<Rss>,
}

impl Report {
    fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string(self).expect("the report serialises")
            );
            return;
        }
        let l = &self.latency;
        println!(
            "{} {}: {} completed in {:.2} s{} | {:.1} req/s, {:.1} articles/s, {:.2} MB/s | latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2} | errors {}{}",
            self.mode,
            self.label.as_deref().unwrap_or(""),
            self.completed,
            self.elapsed_s,
            if self.stopped_early {
                " (stopped at --max-seconds)"
            } else {
                ""
            },
            self.requests_per_s,
            self.articles_per_s,
            self.article_bytes_per_s / 1e6,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.max_ms,
            self.errors,
            if self.error_codes.is_empty() {
                String::new()
            } else {
                format!(" {:?}", self.error_codes)
            }
        );
        if let Some(rss) = &self.rss {
            println!(
                "  server VmRSS kB: start {} end {} min {} max {} ({} samples)",
                rss.start_kb, rss.end_kb, rss.min_kb, rss.max_kb, rss.samples
            );
        }
    }
}

/// What one client task saw.
#[derive(Debug, Default)]
struct Tally {
    completed: u64,
    articles_ok: u64,
    bytes_ok: u64,
    errors: BTreeMap<String, u64>,
    latencies_ms: Vec<f64>,
}

impl Tally {
    fn error(&mut self, code: impl Into<String>) {
        *self.errors.entry(code.into()).or_default() += 1;
    }

    fn merge(&mut self, other: Tally) {
        self.completed += other.completed;
        self.articles_ok += other.articles_ok;
        self.bytes_ok += other.bytes_ok;
        for (code, n) in other.errors {
            *self.errors.entry(code).or_default() += n;
        }
        self.latencies_ms.extend(other.latencies_ms);
    }

    /// Checks one answer: an item error or a wrong id counts as an error.
    fn answer(&mut self, response: &pb::TagResponse, id: &str, bytes: usize) {
        if let Some(e) = &response.error {
            self.error(format!("item:{}", e.code));
        } else if response.id != id {
            self.error("wrong_id");
        } else {
            self.articles_ok += 1;
            self.bytes_ok += bytes as u64;
        }
    }
}

async fn run_unary(
    addr: SocketAddr,
    articles: Arc<Vec<Article>>,
    concurrency: usize,
    connections: usize,
    requests: Option<u64>,
    deadline: Instant,
    timeout: Duration,
) -> anyhow::Result<Tally> {
    let mut channels = Vec::new();
    for _ in 0..connections {
        channels.push(connect(addr).await?);
    }
    let next = Arc::new(AtomicU64::new(0));
    let limit = requests.unwrap_or(u64::MAX);
    let mut tasks = Vec::new();
    for k in 0..concurrency {
        let mut client = TaggerClient::new(channels[k % channels.len()].clone());
        let (next, articles) = (next.clone(), articles.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= limit || Instant::now() >= deadline {
                    break;
                }
                let article = &articles[(i % articles.len() as u64) as usize];
                let id = format!("u{i}");
                let mut request = tonic::Request::new(article.request(id.clone()));
                request.set_timeout(timeout);
                let started = Instant::now();
                let result = tokio::time::timeout(timeout, client.tag(request)).await;
                let ms = started.elapsed().as_secs_f64() * 1e3;
                tally.completed += 1;
                match result {
                    Ok(Ok(response)) => {
                        tally.answer(response.get_ref(), &id, article.text.len());
                        tally.latencies_ms.push(ms);
                    }
                    Ok(Err(status)) => tally.error(format!("{:?}", status.code())),
                    Err(_) => tally.error("client_timeout"),
                }
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for t in tasks {
        total.merge(t.await?);
    }
    Ok(total)
}

async fn run_batch(
    addr: SocketAddr,
    articles: Arc<Vec<Article>>,
    size: usize,
    requests: u64,
    concurrency: usize,
    deadline: Instant,
    timeout: Duration,
) -> anyhow::Result<Tally> {
    let channel = connect(addr).await?;
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let mut client = TaggerClient::new(channel.clone());
        let (next, articles) = (next.clone(), articles.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let call = next.fetch_add(1, Ordering::Relaxed);
                if call >= requests || Instant::now() >= deadline {
                    break;
                }
                let items: Vec<(String, &Article)> = (0..size as u64)
                    .map(|j| {
                        let i = call * size as u64 + j;
                        (
                            format!("b{i}"),
                            &articles[(i % articles.len() as u64) as usize],
                        )
                    })
                    .collect();
                let batch = pb::TagBatchRequest {
                    articles: items.iter().map(|(id, a)| a.request(id.clone())).collect(),
                };
                let mut request = tonic::Request::new(batch);
                request.set_timeout(timeout);
                let started = Instant::now();
                let result = tokio::time::timeout(timeout, client.tag_batch(request)).await;
                let ms = started.elapsed().as_secs_f64() * 1e3;
                tally.completed += 1;
                match result {
                    Ok(Ok(response)) => {
                        let results = &response.get_ref().results;
                        if results.len() != items.len() {
                            tally.error("wrong_count");
                        }
                        for (r, (id, a)) in results.iter().zip(&items) {
                            tally.answer(r, id, a.text.len());
                        }
                        tally.latencies_ms.push(ms);
                    }
                    Ok(Err(status)) => tally.error(format!("{:?}", status.code())),
                    Err(_) => tally.error("client_timeout"),
                }
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for t in tasks {
        total.merge(t.await?);
    }
    Ok(total)
}

async fn run_stream(
    addr: SocketAddr,
    articles: Arc<Vec<Article>>,
    messages: u64,
    window: usize,
    deadline: Instant,
) -> anyhow::Result<(Tally, bool)> {
    let mut client = TaggerClient::new(connect(addr).await?);
    let window = Arc::new(Semaphore::new(window.max(1)));
    let (tx, rx) = mpsc::channel::<pb::TagRequest>(16);
    let (sent_tx, mut sent_rx) = mpsc::unbounded_channel::<Instant>();
    let sender = {
        let (window, articles) = (window.clone(), articles.clone());
        tokio::spawn(async move {
            for i in 0..messages {
                let Ok(permit) = window.acquire().await else {
                    return;
                };
                permit.forget();
                let article = &articles[(i % articles.len() as u64) as usize];
                if sent_tx.send(Instant::now()).is_err()
                    || tx.send(article.request(format!("s{i}"))).await.is_err()
                {
                    return;
                }
            }
        })
    };
    let mut tally = Tally::default();
    let mut stopped_early = false;
    let call =
        tokio::time::timeout_at(deadline.into(), client.tag_stream(ReceiverStream::new(rx))).await;
    let mut inbound = match call {
        Ok(Ok(response)) => response.into_inner(),
        Ok(Err(status)) => {
            sender.abort();
            tally.error(format!("{:?}", status.code()));
            return Ok((tally, false));
        }
        Err(_) => {
            sender.abort();
            return Ok((tally, true));
        }
    };
    let mut i = 0u64;
    while i < messages {
        match tokio::time::timeout_at(deadline.into(), inbound.message()).await {
            Err(_) => {
                stopped_early = true;
                break;
            }
            Ok(Ok(Some(response))) => {
                let sent = sent_rx.recv().await.unwrap_or_else(Instant::now);
                tally.latencies_ms.push(sent.elapsed().as_secs_f64() * 1e3);
                let article = &articles[(i % articles.len() as u64) as usize];
                tally.completed += 1;
                tally.answer(&response, &format!("s{i}"), article.text.len());
                window.add_permits(1);
                i += 1;
            }
            Ok(Ok(None)) => {
                tally.error("stream_ended_early");
                break;
            }
            Ok(Err(status)) => {
                tally.error(format!("{:?}", status.code()));
                break;
            }
        }
    }
    sender.abort();
    Ok((tally, stopped_early))
}

async fn wait_healthy(
    addr: SocketAddr,
    service: String,
    timeout: Duration,
    since_ns: Option<u128>,
) -> anyhow::Result<f64> {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    let started = Instant::now();
    let elapsed_ms = || match since_ns {
        Some(t0) => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            now.saturating_sub(t0) as f64 / 1e6
        }
        None => started.elapsed().as_secs_f64() * 1e3,
    };
    let host = format!("http://{addr}");
    // Bounded: at most `timeout`, polling every 2 ms.
    while started.elapsed() < timeout {
        let endpoint = Endpoint::from_shared(host.clone())?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_millis(200))
            .timeout(Duration::from_millis(500));
        if let Ok(channel) = endpoint.connect().await {
            let mut client = HealthClient::new(channel);
            if let Ok(r) = client
                .check(HealthCheckRequest {
                    service: service.clone(),
                })
                .await
                && r.get_ref().status == ServingStatus::Serving as i32
            {
                return Ok(elapsed_ms());
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    bail!(
        "{addr} did not answer SERVING within {} ms",
        timeout.as_millis()
    )
}

fn generate(articles: &[Article], lines: usize, out: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut w = std::io::BufWriter::new(file);
    for i in 0..lines {
        let a = &articles[i % articles.len()];
        let mut line = serde_json::json!({ "id": format!("g{i}-{}", a.id), "text": a.text });
        if a.format == pb::Format::Html as i32 {
            line["format"] = "FORMAT_HTML".into();
        }
        writeln!(w, "{line}")?;
    }
    w.flush()?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match &cli.mode {
        Mode::FreePort => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
            println!("{}", listener.local_addr()?.port());
            return Ok(());
        }
        Mode::Gen { lines, out } => {
            let articles = read_inputs(&cli.inputs)?;
            generate(&articles, *lines, out)?;
            eprintln!(
                "wrote {lines} lines from {} articles to {}",
                articles.len(),
                out.display()
            );
            return Ok(());
        }
        _ => {}
    }
    let addr = loopback(&cli.addr)?;
    let runtime = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()?
    };
    runtime.block_on(run(cli, addr))
}

async fn run(cli: Cli, addr: SocketAddr) -> anyhow::Result<()> {
    if let Mode::Health {
        timeout_ms,
        since_ns,
        service,
    } = &cli.mode
    {
        let ms = wait_healthy(
            addr,
            service.clone(),
            Duration::from_millis(*timeout_ms),
            *since_ns,
        )
        .await?;
        if cli.json {
            println!(
                "{}",
                serde_json::json!({ "mode": "health", "serving_after_ms": ms })
            );
        } else {
            println!("SERVING after {ms:.1} ms");
        }
        return Ok(());
    }

    let articles = Arc::new(read_inputs(&cli.inputs)?);
    let max = Duration::from_secs_f64(cli.max_seconds.clamp(0.1, 3600.0));
    let timeout = Duration::from_secs_f64(cli.timeout.clamp(0.01, 600.0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = cli.rss_pid.map(|pid| sample_rss(pid, stop.clone()));
    let started = Instant::now();
    let mut report = Report {
        label: cli.label.clone(),
        addr: addr.to_string(),
        ..Default::default()
    };
    let (tally, requested) = match cli.mode {
        Mode::Unary {
            concurrency,
            requests,
            duration,
            connections,
        } => {
            let concurrency = concurrency.max(1);
            let connections = connections.unwrap_or(concurrency).clamp(1, concurrency);
            let requests = match (requests, duration) {
                (None, None) => Some(1000),
                (r, _) => r,
            };
            let run_for = duration.map_or(max, |d| Duration::from_secs_f64(d.max(0.0)).min(max));
            report.mode = "unary".into();
            report.concurrency = concurrency;
            report.connections = connections;
            let tally = run_unary(
                addr,
                articles.clone(),
                concurrency,
                connections,
                requests,
                started + run_for,
                timeout,
            )
            .await?;
            report.stopped_early = requests.is_some_and(|r| tally.completed < r);
            (tally, requests.unwrap_or(0))
        }
        Mode::Batch {
            size,
            requests,
            concurrency,
        } => {
            let (size, concurrency) = (size.max(1), concurrency.max(1));
            report.mode = "batch".into();
            report.concurrency = concurrency;
            report.connections = 1;
            report.batch_size = size;
            let tally = run_batch(
                addr,
                articles.clone(),
                size,
                requests,
                concurrency,
                started + max,
                timeout,
            )
            .await?;
            report.stopped_early = tally.completed < requests;
            (tally, requests)
        }
        Mode::Stream { messages, window } => {
            report.mode = "stream".into();
            report.concurrency = window;
            report.connections = 1;
            let (tally, early) =
                run_stream(addr, articles.clone(), messages, window, started + max).await?;
            report.stopped_early = early;
            (tally, messages)
        }
        Mode::Health { .. } | Mode::Gen { .. } | Mode::FreePort => unreachable!(),
    };
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    report.rss = sampler.and_then(|s| s.join().ok());
    report.requested = requested;
    report.completed = tally.completed;
    report.articles_ok = tally.articles_ok;
    report.errors = tally.errors.values().sum();
    report.error_codes = tally.errors;
    report.elapsed_s = elapsed;
    report.requests_per_s = tally.completed as f64 / elapsed;
    report.articles_per_s = tally.articles_ok as f64 / elapsed;
    report.article_bytes_per_s = tally.bytes_ok as f64 / elapsed;
    report.latency = latency(tally.latencies_ms);
    report.print(cli.json);
    Ok(())
}

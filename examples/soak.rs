//! Soak test for a running newstag server (loopback only): clients tag for a fixed time over
//! Tag, TagBatch and TagStream, one request in ten is bad on purpose, the model is reloaded
//! every few seconds, and a prober times health checks. It fails (exit 1) on any unexpected
//! error, any request id not answered exactly once, a health check slower than --health-ms, or
//! server memory that does not stay within --rss-tolerance.
//!
//! ```sh
//! cargo run --release --example soak -- --addr 127.0.0.1:50051 --seconds 60 --rss-pid "$PID"
//! ```
//! The server must run with `--allow-reload`. `scripts/soak.sh` starts one and runs this.

mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use newstag::pb;
use newstag::pb::tagger_client::TaggerClient;
use support::{Article, connect, latency, loopback, read_inputs, sample_rss};
use tonic::Code;
use tonic::transport::Channel;

/// Soak test for a running newstag server (loopback only).
#[derive(Debug, Parser)]
#[command(name = "soak")]
struct Cli {
    /// Server address (loopback only).
    #[arg(long, default_value = "127.0.0.1:50051")]
    addr: String,
    /// Concurrent clients: most call Tag, two call TagBatch and two hold TagStreams.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Length of the run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Seconds between ReloadModel calls (0: never).
    #[arg(long, default_value_t = 5)]
    reload_every: u64,
    /// Every n-th request is bad (an empty text: INVALID_ARGUMENT is expected).
    #[arg(long, default_value_t = 10)]
    bad_every: u64,
    /// The server's pid, to sample its resident memory.
    #[arg(long)]
    rss_pid: Option<u32>,
    /// Allowed change of resident memory from after warm-up to the end, in percent.
    #[arg(long, default_value_t = 10.0)]
    rss_tolerance: f64,
    /// Slowest acceptable health check while the server is loaded, in milliseconds.
    #[arg(long, default_value_t = 100.0)]
    health_ms: f64,
}

/// What a client expects for request number `n`.
fn is_bad(n: u64, bad_every: u64) -> bool {
    bad_every > 0 && n % bad_every == bad_every - 1
}

fn request(articles: &[Article], id: String, n: u64, bad: bool) -> pb::TagRequest {
    if bad {
        return pb::TagRequest {
            id,
            text: String::new(),
            ..Default::default()
        };
    }
    articles[(n % articles.len() as u64) as usize].request(id)
}

/// What the clients saw; ids are counted so that a lost or doubled answer shows.
#[derive(Debug, Default)]
struct Seen {
    answers: HashMap<String, u32>,
    sent: u64,
    ok: u64,
    expected_errors: u64,
    unexpected: Vec<String>,
    latencies_ms: Vec<f64>,
}

impl Seen {
    fn answered(&mut self, id: &str) {
        *self.answers.entry(id.to_string()).or_default() += 1;
    }

    /// Checks an item answer (batch or stream) against what was sent.
    fn item(&mut self, sent_id: &str, bad: bool, response: &pb::TagResponse) {
        self.answered(&response.id);
        if response.id != sent_id {
            self.unexpected.push(format!(
                "answer for {} where {sent_id} was due",
                response.id
            ));
        }
        match (&response.error, bad) {
            (None, false) => self.ok += 1,
            (Some(e), true) if e.code == Code::InvalidArgument as i32 => self.expected_errors += 1,
            (error, _) => self
                .unexpected
                .push(format!("{sent_id}: bad={bad} error={error:?}")),
        }
    }

    fn merge(&mut self, other: Seen) {
        for (id, n) in other.answers {
            *self.answers.entry(id).or_default() += n;
        }
        self.sent += other.sent;
        self.ok += other.ok;
        self.expected_errors += other.expected_errors;
        self.unexpected.extend(other.unexpected);
        self.latencies_ms.extend(other.latencies_ms);
    }
}

async fn unary_client(
    mut client: TaggerClient<Channel>,
    k: usize,
    articles: Arc<Vec<Article>>,
    bad_every: u64,
    until: Instant,
) -> Seen {
    let mut seen = Seen::default();
    let mut n = 0;
    while Instant::now() < until {
        let id = format!("u{k}-{n}");
        let bad = is_bad(n, bad_every);
        let started = Instant::now();
        seen.sent += 1;
        match client.tag(request(&articles, id.clone(), n, bad)).await {
            Ok(r) => {
                seen.latencies_ms
                    .push(started.elapsed().as_secs_f64() * 1e3);
                seen.answered(&r.get_ref().id);
                if bad || r.get_ref().id != id {
                    seen.unexpected
                        .push(format!("{id}: answered {:?}", r.get_ref().id));
                } else {
                    seen.ok += 1;
                }
            }
            Err(status) if bad && status.code() == Code::InvalidArgument => {
                seen.answered(&id);
                seen.expected_errors += 1;
            }
            Err(status) => {
                seen.answered(&id);
                seen.unexpected.push(format!("{id}: {status:?}"));
            }
        }
        n += 1;
    }
    seen
}

async fn batch_client(
    mut client: TaggerClient<Channel>,
    k: usize,
    articles: Arc<Vec<Article>>,
    bad_every: u64,
    until: Instant,
) -> Seen {
    let mut seen = Seen::default();
    let mut n = 0;
    while Instant::now() < until {
        let items: Vec<(String, bool)> = (n..n + 16)
            .map(|i| (format!("b{k}-{i}"), is_bad(i, bad_every)))
            .collect();
        let batch = pb::TagBatchRequest {
            articles: items
                .iter()
                .zip(n..)
                .map(|((id, bad), i)| request(&articles, id.clone(), i, *bad))
                .collect(),
        };
        n += 16;
        seen.sent += items.len() as u64;
        let started = Instant::now();
        match client.tag_batch(batch).await {
            Ok(r) => {
                seen.latencies_ms
                    .push(started.elapsed().as_secs_f64() * 1e3);
                let results = &r.get_ref().results;
                if results.len() != items.len() {
                    seen.unexpected.push(format!(
                        "batch of {} answered {}",
                        items.len(),
                        results.len()
                    ));
                }
                for ((id, bad), response) in items.iter().zip(results) {
                    seen.item(id, *bad, response);
                }
            }
            Err(status) => seen.unexpected.push(format!("batch b{k}-{n}: {status:?}")),
        }
    }
    seen
}

async fn stream_client(
    mut client: TaggerClient<Channel>,
    k: usize,
    articles: Arc<Vec<Article>>,
    bad_every: u64,
    until: Instant,
) -> Seen {
    let mut seen = Seen::default();
    let mut session = 0;
    while Instant::now() < until {
        // Streams of 200 items, sent as fast as the server takes them.
        let items: Vec<(String, bool)> = (0..200)
            .map(|i| (format!("s{k}-{session}-{i}"), is_bad(i, bad_every)))
            .collect();
        let requests: Vec<pb::TagRequest> = items
            .iter()
            .zip(0..)
            .map(|((id, bad), i)| request(&articles, id.clone(), i, *bad))
            .collect();
        seen.sent += items.len() as u64;
        session += 1;
        let mut answers = match client.tag_stream(tokio_stream::iter(requests)).await {
            Ok(r) => r.into_inner(),
            Err(status) => {
                seen.unexpected
                    .push(format!("stream s{k}-{session}: {status:?}"));
                continue;
            }
        };
        let mut due = items.iter();
        loop {
            match answers.message().await {
                Ok(Some(response)) => match due.next() {
                    Some((id, bad)) => seen.item(id, *bad, &response),
                    None => seen
                        .unexpected
                        .push(format!("extra answer {}", response.id)),
                },
                Ok(None) => break,
                Err(status) => {
                    seen.unexpected
                        .push(format!("stream s{k}-{session}: {status:?}"));
                    break;
                }
            }
        }
    }
    seen
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let addr = loopback(&cli.addr)?;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run(cli, addr))
}

async fn run(cli: Cli, addr: SocketAddr) -> anyhow::Result<()> {
    let articles = Arc::new(read_inputs(&[])?);
    let started = Instant::now();
    let until = started + Duration::from_secs(cli.seconds);
    let stop = Arc::new(AtomicBool::new(false));
    // Memory is compared from the end of a warm-up (a tenth of the run, at most 5 s), when the
    // server's buffers and caches have grown to their working size.
    let warm_up = Duration::from_secs((cli.seconds / 10).clamp(1, 5));
    let sampler = cli.rss_pid.map(|pid| {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(warm_up).await;
            sample_rss(pid, stop)
        })
    });

    let mut clients = Vec::new();
    for k in 0..cli.clients {
        let client = TaggerClient::new(connect(addr).await?);
        let articles = articles.clone();
        let bad = cli.bad_every;
        clients.push(match k {
            0 | 1 => tokio::spawn(batch_client(client, k, articles, bad, until)),
            2 | 3 => tokio::spawn(stream_client(client, k, articles, bad, until)),
            _ => tokio::spawn(unary_client(client, k, articles, bad, until)),
        });
    }

    // Reloads every few seconds; the version in answers must stay a loaded one.
    let mut reloader = TaggerClient::new(connect(addr).await?);
    let reload_every = cli.reload_every;
    let reloads = tokio::spawn(async move {
        let (mut ok, mut failed) = (0u32, Vec::new());
        if reload_every == 0 {
            return (ok, failed);
        }
        loop {
            tokio::time::sleep(Duration::from_secs(reload_every)).await;
            if Instant::now() >= until {
                return (ok, failed);
            }
            match reloader.reload_model(pb::ReloadModelRequest {}).await {
                Ok(_) => ok += 1,
                Err(status) => failed.push(format!("reload: {status:?}")),
            }
        }
    });

    // Health checks every 100 ms on a connection of their own.
    let mut health = tonic_health::pb::health_client::HealthClient::new(connect(addr).await?);
    let prober = tokio::spawn(async move {
        let mut ms = Vec::new();
        let mut failed = Vec::new();
        while Instant::now() < until {
            let t = Instant::now();
            let answer = health
                .check(tonic_health::pb::HealthCheckRequest {
                    service: "newstag.v1.Tagger".into(),
                })
                .await;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            match answer {
                Ok(r) if r.get_ref().status == 1 => {}
                other => failed.push(format!("health: {other:?}")),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (ms, failed)
    });

    let mut seen = Seen::default();
    for client in clients {
        seen.merge(client.await?);
    }
    let (reloads_ok, reload_failures) = reloads.await?;
    let (health_ms, health_failures) = prober.await?;
    stop.store(true, Ordering::Relaxed);
    let rss = match sampler {
        Some(s) => Some(
            s.await?
                .join()
                .map_err(|_| anyhow::anyhow!("the RSS sampler panicked"))?,
        ),
        None => None,
    };
    let elapsed = started.elapsed().as_secs_f64();

    let lost = seen.sent as usize - seen.answers.len().min(seen.sent as usize);
    let doubled = seen.answers.values().filter(|&&n| n > 1).count();
    let calls = latency(seen.latencies_ms);
    let checks = health_ms.len();
    let health = latency(health_ms);
    println!(
        "soak: {} clients for {elapsed:.1} s | {} requests sent, {} answered ok, {} bad ones refused as expected | {:.0} articles/s",
        cli.clients,
        seen.sent,
        seen.ok,
        seen.expected_errors,
        seen.ok as f64 / elapsed
    );
    println!(
        "  ids: {} distinct answered, {lost} lost, {doubled} answered twice | reloads: {reloads_ok} ok, {} failed",
        seen.answers.len(),
        reload_failures.len()
    );
    println!(
        "  call latency ms (Tag, TagBatch): p50 {:.2} p99 {:.2} max {:.2} | health check ms: p50 {:.2} p99 {:.2} max {:.2} ({} checks)",
        calls.p50_ms,
        calls.p99_ms,
        calls.max_ms,
        health.p50_ms,
        health.p99_ms,
        health.max_ms,
        checks
    );
    let mut failures: Vec<String> = seen
        .unexpected
        .into_iter()
        .chain(reload_failures)
        .chain(health_failures)
        .collect();
    if lost > 0 || doubled > 0 {
        failures.push(format!("{lost} ids lost, {doubled} answered twice"));
    }
    if health.max_ms > cli.health_ms {
        failures.push(format!(
            "slowest health check {:.1} ms (limit {} ms)",
            health.max_ms, cli.health_ms
        ));
    }
    if let Some(rss) = &rss {
        let change = (rss.end_kb as f64 - rss.start_kb as f64) / rss.start_kb.max(1) as f64 * 100.0;
        println!(
            "  server VmRSS kB: start {} end {} min {} max {} ({change:+.1}% start→end, {} samples)",
            rss.start_kb, rss.end_kb, rss.min_kb, rss.max_kb, rss.samples
        );
        if change.abs() > cli.rss_tolerance {
            failures.push(format!(
                "resident memory changed {change:+.1}% (tolerance {}%)",
                cli.rss_tolerance
            ));
        }
    }
    if failures.is_empty() {
        println!("soak: passed");
        return Ok(());
    }
    for f in failures.iter().take(20) {
        eprintln!("  unexpected: {f}");
    }
    eprintln!("soak: FAILED with {} unexpected outcomes", failures.len());
    std::process::exit(1)
}

//! What the load tools share: articles to send, loopback-only connections, the server's
//! resident memory, and latency percentiles.

// Each example uses a part of this module.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use newstag::pb;
use serde::Serialize;
use tonic::transport::{Channel, Endpoint};

/// One article to send.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub text: String,
    pub format: i32,
}

impl Article {
    pub fn request(&self, id: String) -> pb::TagRequest {
        pb::TagRequest {
            id,
            text: self.text.clone(),
            format: self.format,
            ..Default::default()
        }
    }
}

pub fn format_code(value: Option<&serde_json::Value>) -> i32 {
    match value {
        Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(0) as i32,
        Some(serde_json::Value::String(s)) => match s.as_str() {
            "FORMAT_HTML" | "html" | "HTML" => pb::Format::Html as i32,
            "FORMAT_TEXT" | "text" | "TEXT" => pb::Format::Text as i32,
            _ => 0,
        },
        _ => 0,
    }
}

pub fn read_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<Article>> {
    let default = [Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension()
                        .is_some_and(|x| x == "txt" || x == "jsonl" || x == "json")
                })
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p.clone());
        }
    }
    let mut articles = Vec::new();
    for f in files {
        let content =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        let jsonl = f.extension().is_some_and(|x| x == "jsonl" || x == "json");
        if jsonl {
            for (n, line) in content.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("{}:{}: not JSON", f.display(), n + 1))?;
                let text = v["text"]
                    .as_str()
                    .with_context(|| format!("{}:{}: no \"text\"", f.display(), n + 1))?;
                articles.push(Article {
                    id: v["id"]
                        .as_str()
                        .map_or_else(|| format!("{}:{}", f.display(), n + 1), str::to_string),
                    text: text.to_string(),
                    format: format_code(v.get("format")),
                });
            }
        } else {
            articles.push(Article {
                id: f.display().to_string(),
                text: content,
                format: 0,
            });
        }
    }
    if articles.is_empty() {
        bail!("no articles in the inputs");
    }
    Ok(articles)
}

/// Resolves `addr` and refuses anything but loopback.
pub fn loopback(addr: &str) -> anyhow::Result<SocketAddr> {
    let resolved: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {addr}"))?
        .collect();
    let Some(first) = resolved.first() else {
        bail!("{addr} resolves to nothing");
    };
    if !resolved.iter().all(|a| a.ip().is_loopback()) {
        bail!("{addr} is not a loopback address: this tool only loads servers on this machine");
    }
    Ok(*first)
}

pub async fn connect(addr: SocketAddr) -> anyhow::Result<Channel> {
    let host = match addr.ip() {
        IpAddr::V4(ip) => format!("http://{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}", addr.port()),
    };
    Endpoint::from_shared(host)?
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await
        .with_context(|| format!("connecting to {addr}"))
}

pub fn vm_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Rss {
    pub start_kb: u64,
    pub end_kb: u64,
    pub min_kb: u64,
    pub max_kb: u64,
    pub samples: usize,
}

/// Samples VmRSS every 250 ms until `stop` is set; returns the summary.
pub fn sample_rss(
    pid: u32,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<Rss> {
    std::thread::spawn(move || {
        let first = vm_rss_kb(pid).unwrap_or(0);
        let mut rss = Rss {
            start_kb: first,
            end_kb: first,
            min_kb: first,
            max_kb: first,
            samples: 1,
        };
        // Bounded: at most one hour of samples even if nobody sets `stop`.
        for _ in 0..14_400 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
            if let Some(kb) = vm_rss_kb(pid) {
                rss.end_kb = kb;
                rss.min_kb = rss.min_kb.min(kb);
                rss.max_kb = rss.max_kb.max(kb);
                rss.samples += 1;
            }
        }
        if let Some(kb) = vm_rss_kb(pid) {
            rss.end_kb = kb;
            rss.min_kb = rss.min_kb.min(kb);
            rss.max_kb = rss.max_kb.max(kb);
            rss.samples += 1;
        }
        rss
    })
}

#[derive(Debug, Default, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

pub fn latency(mut ms: Vec<f64>) -> Latency {
    if ms.is_empty() {
        return Latency::default();
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    Latency {
        p50_ms: at(0.50),
        p90_ms: at(0.90),
        p99_ms: at(0.99),
        max_ms: ms[ms.len() - 1],
        mean_ms: ms.iter().sum::<f64>() / ms.len() as f64,
    }
}

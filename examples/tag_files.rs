//! Tags files with a running newstag server: streams them through `TagStream` and prints one
//! JSON line per file (the protobuf JSON mapping, camelCase, as grpcurl prints it). The id of
//! each line is the file's path.
//!
//! ```sh
//! cargo run --release -- serve --addr 127.0.0.1:50051 &
//! cargo run --release --example tag_files -- --addr http://127.0.0.1:50051 page.txt page.html
//! ```
//!
//! Exit status: 0 when every file was tagged; 1 when a file could not be read or was answered
//! with an error (the others are still printed) or the call failed; 2 for bad arguments.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use newstag::pb;
use newstag::pb::tagger_client::TaggerClient;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Endpoint;

/// Largest message sent or received: a few large pages.
const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// Tag text and HTML files with a newstag server, one JSON line per file.
#[derive(Debug, Parser)]
#[command(name = "tag_files")]
struct Args {
    /// Server URL.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    addr: String,
    /// Deadline for the whole run, in seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Put the cleaned article text in `metadata.body`.
    #[arg(long)]
    include_body: bool,
    /// Add every label's score.
    #[arg(long)]
    include_scores: bool,
    /// Files to tag: `.html` and `.htm` as HTML, anything else as plain text (UTF-8).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Why a run stopped early.
#[derive(Debug)]
enum Failure {
    Connect(tonic::transport::Error),
    Call(tonic::Status),
    Output(std::io::Error),
    Deadline(u64),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Connect(e) => {
                // The transport error's own text is terse; its causes say what happened.
                let mut last = e.to_string();
                write!(f, "cannot connect: {last}")?;
                let mut source = std::error::Error::source(e);
                while let Some(cause) = source {
                    let text = cause.to_string();
                    if text != last {
                        write!(f, ": {text}")?;
                    }
                    last = text;
                    source = cause.source();
                }
                Ok(())
            }
            Failure::Call(status) => write!(
                f,
                "TagStream failed: {:?}: {}",
                status.code(),
                status.message()
            ),
            Failure::Output(e) => write!(f, "cannot write the output: {e}"),
            Failure::Deadline(secs) => write!(f, "not done within --timeout {secs} s"),
        }
    }
}

/// What a finished run did.
#[derive(Debug, Default)]
struct Summary {
    tagged: usize,
    failed: usize,
}

fn format_of(path: &Path) -> pb::Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm") => {
            pb::Format::Html
        }
        _ => pb::Format::Text,
    }
}

/// Reads the files one by one into the request stream; a file that cannot be read is reported
/// and skipped. Returns how many were skipped.
async fn send_files(args: Args, requests: mpsc::Sender<pb::TagRequest>) -> usize {
    let mut skipped = 0;
    for path in args.files {
        let text = match tokio::fs::read(&path).await.map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                eprintln!("tag_files: skipping {}: not UTF-8", path.display());
                skipped += 1;
                continue;
            }
            Err(e) => {
                eprintln!("tag_files: skipping {}: {e}", path.display());
                skipped += 1;
                continue;
            }
        };
        let request = pb::TagRequest {
            id: path.display().to_string(),
            text,
            format: format_of(&path) as i32,
            include_body: args.include_body,
            include_scores: args.include_scores,
        };
        if requests.send(request).await.is_err() {
            break; // the call ended; its error is reported by the reader side
        }
    }
    skipped
}

async fn run(args: Args, endpoint: Endpoint) -> Result<Summary, Failure> {
    let channel = endpoint.connect().await.map_err(Failure::Connect)?;
    let mut client = TaggerClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);

    let (tx, rx) = mpsc::channel(16);
    let sender = tokio::spawn(send_files(args, tx));
    let mut responses = client
        .tag_stream(ReceiverStream::new(rx))
        .await
        .map_err(Failure::Call)?
        .into_inner();

    let mut summary = Summary::default();
    while let Some(response) = responses.message().await.map_err(Failure::Call)? {
        if let Some(error) = &response.error {
            eprintln!(
                "tag_files: {}: error {}: {}",
                response.id, error.code, error.message
            );
            summary.failed += 1;
        } else {
            summary.tagged += 1;
        }
        let line = newstag::json::print_response(&response, false);
        writeln!(std::io::stdout().lock(), "{line}").map_err(Failure::Output)?;
    }
    summary.failed += sender.await.unwrap_or(0);
    Ok(summary)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let endpoint = match Endpoint::from_shared(args.addr.clone()) {
        Ok(endpoint) => endpoint.connect_timeout(Duration::from_secs(10)),
        Err(e) => {
            eprintln!("tag_files: --addr {}: {e}", args.addr);
            return ExitCode::from(2);
        }
    };
    let timeout = args.timeout;
    let result = tokio::time::timeout(Duration::from_secs(timeout), run(args, endpoint))
        .await
        .unwrap_or(Err(Failure::Deadline(timeout)));
    match result {
        Ok(summary) => {
            eprintln!(
                "tag_files: {} tagged, {} failed",
                summary.tagged, summary.failed
            );
            if summary.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(failure) => {
            eprintln!("tag_files: {failure}");
            ExitCode::FAILURE
        }
    }
}

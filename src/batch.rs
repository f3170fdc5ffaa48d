//! Local batch tagging (`newstag tag`): JSONL or plain-text files, directories or stdin, in
//! parallel, one JSON TagResponse per line in input order, and a summary of tag counts.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use crate::convert;
use crate::error::{Error, Result};
use crate::json;
use crate::pb;
use crate::pipeline::Tagger;

/// How input files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// JSONL for `.jsonl`/`.json` files and stdin starting with `{`, plain text otherwise.
    Auto,
    /// One TagRequest in JSON form per line.
    Jsonl,
    /// Each file (or stdin) is one article.
    Text,
}

/// Settings of a batch run.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    pub inputs: Vec<PathBuf>,
    pub input_format: InputFormat,
    pub jobs: usize,
    pub emit_defaults: bool,
    pub max_text_bytes: usize,
    pub progress: bool,
}

/// Counts of a batch run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchSummary {
    pub articles: usize,
    pub errors: usize,
    pub untagged: usize,
    pub per_label: Vec<(String, usize)>,
}

impl std::fmt::Display for BatchSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} articles, {} errors, {} without tags",
            self.articles, self.errors, self.untagged
        )?;
        for (label, n) in &self.per_label {
            writeln!(f, "  {label:<20} {n}")?;
        }
        Ok(())
    }
}

/// One unit of input: the id to answer with when no request can be read from it, and the
/// request, or the JSONL line still to parse (parsed on the workers, like the tagging).
struct Item {
    fallback_id: String,
    input: Input,
}

enum Input {
    Line(String),
    Request(Result<pb::TagRequest>),
}

/// One answer, printed: what the summary needs and the JSON line.
struct Answer {
    json: String,
    error: bool,
    labels: Vec<String>,
}

const CHUNK: usize = 512;

/// Tags every input and writes one JSON line per article to `out`.
pub fn run(tagger: &Tagger, config: &BatchConfig, out: &mut dyn Write) -> Result<BatchSummary> {
    let mut summary = BatchSummary {
        per_label: tagger
            .model()
            .labels
            .iter()
            .map(|l| (l.clone(), 0))
            .collect(),
        ..Default::default()
    };
    let bar = if config.progress {
        indicatif::ProgressBar::new_spinner().with_message("tagging")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut flush = |items: &mut Vec<Item>, out: &mut dyn Write| -> Result<()> {
        // Parsing, tagging and printing all run on the workers; this thread only reads lines
        // and writes the answers in input order.
        let answers = crate::parallel::map_on(config.jobs, items, |item| {
            let parsed;
            let request = match &item.input {
                Input::Line(line) => {
                    parsed = parse_line(line, &item.fallback_id);
                    &parsed
                }
                Input::Request(request) => request,
            };
            let version = &tagger.model().version;
            let response = match request {
                Ok(request) => match convert::article(request.clone(), config.max_text_bytes) {
                    Ok(a) => {
                        let analysis = tagger.tag(&a.text, a.format, a.options);
                        convert::response(a.id, analysis, a.include_scores, tagger.model())
                    }
                    Err(e) => convert::error_response(request.id.clone(), &e, version),
                },
                Err(e) => convert::error_response(item.fallback_id.clone(), e, version),
            };
            Answer {
                json: json::print_response(&response, config.emit_defaults),
                error: response.error.is_some(),
                labels: response.tags.into_iter().map(|t| t.label).collect(),
            }
        });
        for answer in &answers {
            summary.articles += 1;
            if answer.error {
                summary.errors += 1;
            } else if answer.labels.is_empty() {
                summary.untagged += 1;
            }
            for label in &answer.labels {
                if let Some(entry) = summary.per_label.iter_mut().find(|(l, _)| l == label) {
                    entry.1 += 1;
                }
            }
            writeln!(out, "{}", answer.json)
                .map_err(|e| Error::Internal(format!("writing output: {e}")))?;
        }
        bar.inc(answers.len() as u64);
        items.clear();
        Ok(())
    };

    let mut items: Vec<Item> = Vec::with_capacity(CHUNK);
    let sources: Vec<Option<PathBuf>> = if config.inputs.is_empty() {
        vec![None]
    } else {
        expand(&config.inputs)?.into_iter().map(Some).collect()
    };
    for source in sources {
        let (reader, name): (Box<dyn BufRead>, String) = match &source {
            None => (Box::new(std::io::stdin().lock()), "stdin".into()),
            Some(path) => {
                let file = std::fs::File::open(path).map_err(|e| Error::Corpus {
                    path: path.clone(),
                    line: 0,
                    reason: e.to_string(),
                })?;
                (
                    Box::new(std::io::BufReader::new(file)),
                    path.display().to_string(),
                )
            }
        };
        read_items(
            reader,
            &name,
            source.as_deref(),
            config.input_format,
            &mut |item| {
                items.push(item);
                if items.len() >= CHUNK {
                    flush(&mut items, out)?;
                }
                Ok(())
            },
        )?;
    }
    flush(&mut items, out)?;
    bar.finish_and_clear();
    Ok(summary)
}

/// Files of the inputs, directories expanded (sorted, recursively).
fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut stack = vec![input.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                let entries = std::fs::read_dir(&dir).map_err(|e| Error::Corpus {
                    path: dir.clone(),
                    line: 0,
                    reason: e.to_string(),
                })?;
                for entry in entries.flatten() {
                    let p = entry.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        found.push(p);
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn read_items(
    mut reader: Box<dyn BufRead>,
    name: &str,
    path: Option<&Path>,
    format: InputFormat,
    emit: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Corpus {
        path: PathBuf::from(name),
        line: 0,
        reason: e.to_string(),
    };
    let jsonl = match format {
        InputFormat::Jsonl => true,
        InputFormat::Text => false,
        InputFormat::Auto => match path.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
            Some("jsonl" | "json" | "ndjson") => true,
            Some(_) => false,
            None if path.is_some() => false,
            None => {
                reader
                    .fill_buf()
                    .map_err(io)?
                    .iter()
                    .find(|b| !b.is_ascii_whitespace())
                    == Some(&b'{')
            }
        },
    };
    if !jsonl {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(io)?;
        let html = path
            .and_then(|p| p.extension())
            .is_some_and(|e| e == "html" || e == "htm");
        let request = String::from_utf8(bytes)
            .map_err(|_| Error::invalid("text", format!("{name} is not UTF-8")))
            .map(|text| pb::TagRequest {
                id: name.to_string(),
                text,
                format: if html {
                    pb::Format::Html
                } else {
                    pb::Format::Text
                } as i32,
                ..Default::default()
            });
        return emit(Item {
            fallback_id: name.to_string(),
            input: Input::Request(request),
        });
    }
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let read = match reader.read_line(&mut line) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                emit(Item {
                    fallback_id: format!("{name}:{number}"),
                    input: Input::Request(Err(Error::invalid("line", "not UTF-8"))),
                })?;
                continue;
            }
            Err(e) => return Err(io(e)),
        };
        if read == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        emit(Item {
            fallback_id: format!("{name}:{number}"),
            input: Input::Line(line.trim_end().to_string()),
        })?;
    }
}

/// A JSONL line as a request; errors name the line (`file:number`).
fn parse_line(line: &str, at: &str) -> Result<pb::TagRequest> {
    json::parse_request(line).map_err(|e| match e {
        Error::InvalidArgument { reason, .. } => Error::InvalidArgument {
            field: "line",
            reason: format!("{at}: {reason}"),
        },
        other => other,
    })
}

//! The built binary: `tag` over stdin and files, `eval`, `corpus-stats`, and clear failures.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn newstag() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newstag"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env("RUST_LOG", "warn");
    cmd
}

fn run_with_stdin(mut cmd: Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The process may exit before reading (e.g. a bad model): a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

fn json_line(id: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "text": text }).to_string()
}

#[test]
fn tag_reads_jsonl_from_stdin_one_answer_per_line() {
    let input = [
        json_line("first", &common::fixture("recall_page.txt")),
        "{not json".to_string(),
        json_line("third", ""),
        json_line("fourth", &common::fixture("weather.txt")),
    ]
    .join("\n");
    let mut cmd = newstag();
    cmd.args(["tag", "--emit-defaults"]);
    let out = run_with_stdin(cmd, &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "first");
    assert!(
        lines[0]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["label"] == "recall")
    );
    assert_eq!(
        lines[0]["metadata"]["publishedAt"],
        "2024-06-18T10:05:12+08:00"
    );
    assert_eq!(lines[1]["id"], "stdin:2");
    assert_eq!(lines[1]["error"]["code"], 3);
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stdin:2")
    );
    assert_eq!(lines[2]["id"], "third");
    assert_eq!(lines[2]["error"]["code"], 3);
    assert_eq!(
        lines[3]["tags"],
        serde_json::json!([]),
        "emit-defaults shows empty tag lists"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("4 articles, 2 errors"), "{stderr}");
}

#[test]
fn tag_reads_plain_text_files_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), common::fixture("recall_page.txt")).unwrap();
    std::fs::write(dir.path().join("b.txt"), common::fixture("weather.txt")).unwrap();
    let out = newstag()
        .arg("tag")
        .arg(dir.path())
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["id"].as_str().unwrap().ends_with("a.txt"));
    assert_eq!(lines[0]["tags"][0]["label"], "recall");
    assert!(
        lines[1].get("tags").is_none(),
        "defaults omitted like grpcurl: {}",
        lines[1]
    );
}

#[test]
fn eval_reports_metrics_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("set.jsonl");
    let rows = [
        serde_json::json!({"id": "r1", "text": common::fixture("recall_page.txt"), "labels": ["recall"]}),
        serde_json::json!({"id": "w1", "text": common::fixture("weather.txt"), "labels": []}),
        serde_json::json!({"id": "w2", "text": common::fixture("weather.txt"), "labels": ["consumer_food"]}),
    ];
    let body: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    std::fs::write(&data, body.join("\n")).unwrap();
    let out = newstag()
        .args(["eval", "--json", "--errors", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["report"]["articles"], 3);
    assert_eq!(v["report"]["untagged"], 1);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["id"], "w2");
}

#[test]
fn broken_model_files_fail_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(common::model_path()).unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "truncated.model",
            good[..good.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "garbage.model",
            b"\x00\x01garbage".to_vec(),
            "not a newstag model file",
        ),
        (
            "future.model",
            String::from_utf8_lossy(&good)
                .replacen("format=1 ", "format=99 ", 1)
                .into_bytes(),
            "unknown format version 99",
        ),
    ];
    for (name, bytes, problem) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        for args in [
            vec!["tag", "--model"],
            vec!["serve", "--addr", "127.0.0.1:0", "--model"],
        ] {
            let out = run_with_stdin(
                {
                    let mut c = newstag();
                    c.args(&args).arg(&path);
                    c
                },
                "{}",
            );
            assert!(!out.status.success(), "{name} {args:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().last().unwrap_or_default();
            assert!(last.starts_with("error: "), "{stderr}");
            assert!(
                last.contains(name) && last.contains(problem),
                "{name}: {stderr}"
            );
        }
    }
    let out = newstag()
        .args(["tag", "--model", "/nonexistent/x.model"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.model: not found"));
}

#[test]
fn corpus_stats_counts_a_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        r#"{"id":"a","text":"國家市場監督管理總局發佈汽車召回公告","labels":["recall"]}"#,
        r#"{"id":"b","text":"天气晴","labels":[]}"#,
    ];
    std::fs::write(dir.path().join("x.jsonl"), rows.join("\n")).unwrap();
    let out = newstag()
        .args(["corpus-stats", "--json", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 2);
    assert_eq!(v["untagged"], 1);
    assert_eq!(v["traditional"], 1);
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, r#"{"id":"c","text":"x","labels":["sports"]}"#).unwrap();
    let out = newstag()
        .args(["corpus-stats", "--data"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown label \"sports\""));
}

#[test]
fn an_address_in_use_fails_with_one_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = newstag().args(["serve", "--addr", &addr]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
    assert!(last.contains("in use"), "{stderr}");
}

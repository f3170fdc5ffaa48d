//! Reload (good and bad files), the in-flight limit, and token authentication against a real
//! server.

mod common;

use common::{TestServer, fixture, model_path, wire};
use newstag::auth::Tokens;
use newstag::pb::{self, TagRequest};
use newstag::server::ServeOptions;
use newstag::service::Limits;
use tonic::Code;

fn request(text: &str) -> TagRequest {
    TagRequest {
        id: "x".into(),
        text: text.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn reload_swaps_a_good_file_and_keeps_serving_after_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.model");
    std::fs::copy(model_path(), &path).unwrap();
    let server = TestServer::start_with(
        Limits::default(),
        Some(path.clone()),
        ServeOptions::default(),
    )
    .await;
    let mut client = server.client().await;
    let before = client
        .get_model(pb::GetModelRequest {})
        .await
        .unwrap()
        .into_inner();

    let info = client
        .reload_model(pb::ReloadModelRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.version, before.version);

    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, &good[..good.len() / 3]).unwrap();
    let e = client
        .reload_model(pb::ReloadModelRequest {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("truncated"), "{}", e.message());
    let r = client
        .tag(request(&fixture("recall_page.txt")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        r.model_version, before.version,
        "the old model keeps serving"
    );
    assert!(r.tags.iter().any(|t| t.label == "recall"));
}

#[tokio::test]
async fn reload_is_refused_unless_allowed() {
    let server = TestServer::default().await;
    let mut client = server.client().await;
    let e = client
        .reload_model(pb::ReloadModelRequest {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    assert!(e.message().contains("--allow-reload"));
}

#[tokio::test]
async fn calls_beyond_the_in_flight_limit_are_resource_exhausted() {
    let limits = Limits {
        max_in_flight: 1,
        ..Limits::default()
    };
    let server = TestServer::start(limits).await;
    let mut client = server.client().await;
    // An open stream holds the only slot.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(request(&fixture("weather.txt"))).await.unwrap();
    let mut stream = client
        .tag_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    assert!(stream.message().await.unwrap().is_some());
    let e = client
        .tag(request(&fixture("weather.txt")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert!(e.message().contains("in flight"));
    drop(tx);
    assert!(stream.message().await.unwrap().is_none());
    // Once the stream has ended its slot is free again (bounded wait for the server task).
    let mut ok = false;
    for _ in 0..100 {
        if client.tag(request(&fixture("weather.txt"))).await.is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(ok, "slot not released after the stream ended");
}

#[tokio::test]
async fn bearer_tokens_guard_the_tagger_but_not_health() {
    let options = ServeOptions {
        tokens: Tokens::parse(None, Some("first-token,second-token")),
        ..ServeOptions::default()
    };
    let server = TestServer::start_with(Limits::default(), None, options).await;
    let mut client = server.client().await;
    let e = client.tag(request("天气晴")).await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);
    for token in ["first-token", "second-token"] {
        let mut req = tonic::Request::new(request("天气晴"));
        req.metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        assert!(client.tag(req).await.is_ok(), "{token}");
    }
    let mut req = tonic::Request::new(request("天气晴"));
    req.metadata_mut()
        .insert("authorization", "Bearer nope".parse().unwrap());
    assert_eq!(
        client.tag(req).await.unwrap_err().code(),
        Code::Unauthenticated
    );

    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let mut health = HealthClient::new(server.channel().await);
    assert!(
        health
            .check(HealthCheckRequest {
                service: String::new()
            })
            .await
            .is_ok()
    );
}

/// A batch that keeps one worker busy for a while: `n` copies of the recall page.
fn slow_batch(n: usize) -> pb::TagBatchRequest {
    pb::TagBatchRequest {
        articles: (0..n)
            .map(|i| TagRequest {
                id: format!("b{i}"),
                ..request(&fixture("recall_page.txt"))
            })
            .collect(),
    }
}

#[tokio::test]
async fn shutdown_lets_calls_in_flight_finish_and_turns_health_not_serving() {
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let limits = Limits {
        workers: 1,
        ..Limits::default()
    };
    let mut server = TestServer::start(limits).await;
    let mut health = HealthClient::new(server.channel().await);
    let mut watch = health
        .watch(HealthCheckRequest {
            service: "newstag.v1.Tagger".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(watch.message().await.unwrap().unwrap().status, 1); // SERVING

    // An open stream with one answer so far, and a batch on its way.
    let mut client = server.client().await;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(request(&fixture("weather.txt"))).await.unwrap();
    let mut stream = client
        .tag_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    assert!(stream.message().await.unwrap().is_some());
    let mut batch_client = client.clone();
    let batch = tokio::spawn(async move { batch_client.tag_batch(slow_batch(200)).await });
    while !server.scrape().await.contains("newstag_in_flight 2") {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }

    server.begin_shutdown();
    assert_eq!(watch.message().await.unwrap().unwrap().status, 2); // NOT_SERVING

    // The stream still takes and answers items until the client ends it.
    tx.send(request(&fixture("weather.txt"))).await.unwrap();
    assert!(stream.message().await.unwrap().is_some());
    drop(tx);
    assert!(stream.message().await.unwrap().is_none());
    let results = batch.await.unwrap().unwrap().into_inner().results;
    assert_eq!(results.len(), 200);
    assert!(results.iter().all(|r| r.error.is_none()));
    // An open health watch is a call in flight too: end it, or the drain waits it out.
    drop(watch);
    server.stop().await;
}

#[tokio::test]
async fn reloads_under_load_fail_no_call() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.model");
    std::fs::copy(model_path(), &path).unwrap();
    let server =
        TestServer::start_with(Limits::default(), Some(path), ServeOptions::default()).await;
    let client = server.client().await;
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move {
                for _ in 0..25 {
                    let r = client
                        .tag(request(&fixture("recall_page.txt")))
                        .await
                        .expect("no call fails during reloads")
                        .into_inner();
                    assert!(r.tags.iter().any(|t| t.label == "recall"));
                }
            })
        })
        .collect();
    let mut reloader = client.clone();
    let reloads = tokio::spawn(async move {
        for _ in 0..10 {
            reloader
                .reload_model(pb::ReloadModelRequest {})
                .await
                .expect("reload succeeds");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    });
    for caller in callers {
        caller.await.unwrap();
    }
    reloads.await.unwrap();
    let metrics = server.scrape().await;
    assert!(
        metrics.contains(r#"newstag_model_reloads_total{outcome="ok"} 10"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"newstag_calls_total{method="Tag",code="Ok"} 200"#),
        "{metrics}"
    );
}

/// `newstag_articles_total` on the metrics page.
fn articles_tagged(metrics: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("newstag_articles_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Deadlines are sent on raw HTTP/2 here: a client library keeps its own timer and, racing
/// the server, may report its own error instead of the server's answer.
#[tokio::test]
async fn expired_deadlines_are_deadline_exceeded_and_their_work_is_dropped() {
    // Batches far longer than the deadlines below, however fast tagging gets.
    let limits = Limits {
        workers: 1,
        max_batch: 5000,
        ..Limits::default()
    };
    let server = TestServer::start(limits).await;
    let mut client = server.client().await;
    let deadline_exceeded = Some(Code::DeadlineExceeded as i32);

    // A call whose deadline passes while it waits for the one (busy) worker.
    let mut busy_client = client.clone();
    let busy = tokio::spawn(async move { busy_client.tag_batch(slow_batch(1000)).await });
    while !server.scrape().await.contains("newstag_in_flight 1") {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let answer = wire::call(
        &server,
        "Tag",
        &[("grpc-timeout", "20m")],
        wire::framed(&request(&fixture("weather.txt"))),
    )
    .await;
    assert_eq!(answer.status, deadline_exceeded, "{}", answer.message);
    assert!(
        answer
            .message
            .contains("deadline exceeded before a worker was free"),
        "{}",
        answer.message
    );
    busy.await.unwrap().unwrap();

    // A batch far too long for its deadline is cut short, and the items not started by then
    // are never tagged.
    let before = articles_tagged(&server.scrape().await);
    let answer = wire::call(
        &server,
        "TagBatch",
        &[("grpc-timeout", "50m")],
        wire::framed(&slow_batch(5000)),
    )
    .await;
    assert_eq!(answer.status, deadline_exceeded, "{}", answer.message);
    // Give the chunk in progress time to notice the deadline, then count.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let tagged = articles_tagged(&server.scrape().await) - before;
    assert!(
        tagged < 5000,
        "{tagged} of 5000 items tagged after the deadline"
    );

    // A stream outliving its deadline ends with DEADLINE_EXCEEDED after its answers.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(request(&fixture("weather.txt"))).await.unwrap();
    let mut req = tonic::Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    req.set_timeout(std::time::Duration::from_millis(200));
    let mut stream = client.tag_stream(req).await.unwrap().into_inner();
    assert!(stream.message().await.unwrap().is_some());
    let e = stream.message().await.unwrap_err();
    assert_eq!(e.code(), Code::DeadlineExceeded, "{e:?}");
    drop(tx);

    // Generous deadlines are met, and the server serves on.
    let mut req = tonic::Request::new(request(&fixture("recall_page.txt")));
    req.set_timeout(std::time::Duration::from_secs(30));
    assert!(client.tag(req).await.is_ok());
    let answer = wire::call(
        &server,
        "Tag",
        &[("grpc-timeout", "10S")],
        wire::framed(&request(&fixture("weather.txt"))),
    )
    .await;
    assert_eq!(answer.status, Some(0), "{}", answer.message);
}

#[tokio::test]
async fn metrics_count_calls_articles_labels_batches_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.model");
    std::fs::copy(model_path(), &path).unwrap();
    let server = TestServer::start_with(
        Limits::default(),
        Some(path.clone()),
        ServeOptions::default(),
    )
    .await;
    let mut client = server.client().await;
    let before = server.scrape().await;
    assert!(!before.contains("newstag_calls_total{"), "{before}");

    client
        .tag(request(&fixture("recall_page.txt")))
        .await
        .unwrap();
    client.tag(request("")).await.unwrap_err();
    client.tag_batch(slow_batch(3)).await.unwrap();
    client
        .reload_model(pb::ReloadModelRequest {})
        .await
        .unwrap();
    std::fs::write(&path, b"not a model").unwrap();
    client
        .reload_model(pb::ReloadModelRequest {})
        .await
        .unwrap_err();

    let after = server.scrape().await;
    for line in [
        r#"newstag_calls_total{method="Tag",code="Ok"} 1"#,
        r#"newstag_calls_total{method="Tag",code="InvalidArgument"} 1"#,
        r#"newstag_calls_total{method="TagBatch",code="Ok"} 1"#,
        r#"newstag_calls_total{method="ReloadModel",code="Ok"} 1"#,
        r#"newstag_calls_total{method="ReloadModel",code="FailedPrecondition"} 1"#,
        r#"newstag_call_duration_seconds_count{method="Tag"} 2"#,
        "newstag_articles_total 4",
        r#"newstag_article_labels_total{label="recall"} 4"#,
        "newstag_batch_size_count 1",
        "newstag_batch_size_sum 3.0",
        "newstag_in_flight 0",
        r#"newstag_model_reloads_total{outcome="ok"} 1"#,
        r#"newstag_model_reloads_total{outcome="error"} 1"#,
    ] {
        assert!(after.contains(line), "missing {line:?} in\n{after}");
    }
    assert!(after.contains("newstag_model_info{version=\""));
}

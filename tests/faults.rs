//! Reload (good and bad files), the in-flight limit, and token authentication against a real
//! server.

mod common;

use common::{TestServer, fixture, model_path};
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

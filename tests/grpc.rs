//! The gRPC API against a real server on an ephemeral port: all four RPCs, health, reflection
//! and the error cases.

mod common;

use common::{TestServer, fixture};
use newstag::pb::{self, TagBatchRequest, TagRequest};
use newstag::service::Limits;
use tonic::Code;

fn request(id: &str, text: &str) -> TagRequest {
    TagRequest {
        id: id.into(),
        text: text.into(),
        ..Default::default()
    }
}

fn labels(response: &pb::TagResponse) -> Vec<&str> {
    response.tags.iter().map(|t| t.label.as_str()).collect()
}

#[tokio::test]
async fn tags_a_recall_page_and_reads_its_metadata() {
    let server = TestServer::default().await;
    let mut client = server.client().await;
    let mut req = request("page-1", &fixture("recall_page.txt"));
    req.include_body = true;
    req.include_scores = true;
    let r = client.tag(req).await.unwrap().into_inner();
    assert_eq!(r.id, "page-1");
    assert!(labels(&r).contains(&"recall"), "{:?}", r.tags);
    assert!(
        !labels(&r).contains(&"consumer_food"),
        "furniture is not the article: {:?}",
        r.tags
    );
    let recall = r.tags.iter().find(|t| t.label == "recall").unwrap();
    assert!(
        recall.evidence.iter().any(|e| e.contains("召回")),
        "{:?}",
        recall.evidence
    );
    assert!(
        r.tags.windows(2).all(|w| w[0].score >= w[1].score),
        "best first"
    );
    assert_eq!(r.scores.len(), 4);
    assert!(!r.model_version.is_empty());

    let m = r.metadata.unwrap();
    assert_eq!(m.title, "宁海县召回一批存在起火隐患的儿童电动玩具车");
    assert_eq!(m.published_at, "2024-06-18T10:05:12+08:00");
    assert_eq!(m.source, "甬城日报");
    assert_eq!(m.authors, vec!["邵雨桐"]);
    assert_eq!(m.reporters, vec!["邵雨桐", "葛立群"]);
    assert_eq!(m.editors, vec!["方晓岚"]);
    assert_eq!(m.site, "甬城网");
    assert_eq!(m.column, "质量安全");
    assert_eq!(m.related_headlines.len(), 3);
    assert_eq!(m.related_headlines[2], "夏季水果大量上市 价格稳中有降");
    assert_eq!(m.script, "zh-Hans");
    assert!(m.body.starts_with("本报讯"), "{}", m.body);
    for furniture in ["分享到", "相关阅读", "评论", "More>>", "来源:", "夏季水果"] {
        assert!(!m.body.contains(furniture), "{furniture} in body");
    }
    assert_eq!(m.char_count as usize, m.body.chars().count());
    assert!(m.summary.starts_with("近日"), "{}", m.summary);
    assert_ne!(m.fingerprint, 0);
}

#[tokio::test]
async fn untagged_news_and_text_without_chinese_get_normal_answers() {
    let server = TestServer::default().await;
    let mut client = server.client().await;
    let r = client
        .tag(request("w", &fixture("weather.txt")))
        .await
        .unwrap()
        .into_inner();
    assert!(r.tags.is_empty(), "{:?}", r.tags);
    assert!(r.error.is_none());
    let r = client
        .tag(request(
            "en",
            "Quarterly results beat expectations. Shares rose 3%.",
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(r.tags.is_empty());
    assert!(r.metadata.is_some());
}

#[tokio::test]
async fn batch_answers_in_order_and_fails_items_one_by_one() {
    let limits = Limits {
        max_batch: 8,
        ..Limits::default()
    };
    let server = TestServer::start(limits).await;
    let mut client = server.client().await;
    let articles = vec![
        request("a", &fixture("recall_page.txt")),
        request("b", "   "),
        request("c", &fixture("weather.txt")),
        request("d", &fixture("recall_page.txt")),
    ];
    let results = client
        .tag_batch(TagBatchRequest { articles })
        .await
        .unwrap()
        .into_inner()
        .results;
    let ids: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["a", "b", "c", "d"]);
    assert_eq!(
        results[1].error.as_ref().unwrap().code,
        Code::InvalidArgument as i32
    );
    assert!(results[1].metadata.is_none());
    assert!(labels(&results[0]).contains(&"recall"));
    assert!(results[2].tags.is_empty() && results[2].error.is_none());
    assert_eq!(
        results[0].tags, results[3].tags,
        "same article, same answer"
    );

    let too_many = (0..9).map(|i| request(&i.to_string(), "正文")).collect();
    let e = client
        .tag_batch(TagBatchRequest { articles: too_many })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("limit is 8"), "{}", e.message());
}

#[tokio::test]
async fn stream_answers_every_message_in_order() {
    let server = TestServer::default().await;
    let mut client = server.client().await;
    let n = 50;
    let requests: Vec<TagRequest> = (0..n)
        .map(|i| {
            let text = match i {
                17 => String::new(),
                i if i % 2 == 0 => fixture("recall_page.txt"),
                _ => fixture("weather.txt"),
            };
            request(&format!("item-{i}"), &text)
        })
        .collect();
    let mut stream = client
        .tag_stream(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    let mut got = Vec::new();
    while let Some(r) = stream.message().await.unwrap() {
        got.push(r);
    }
    assert_eq!(got.len(), n);
    for (i, r) in got.iter().enumerate() {
        assert_eq!(r.id, format!("item-{i}"));
        match i {
            17 => assert_eq!(r.error.as_ref().unwrap().code, 3),
            i if i % 2 == 0 => assert!(labels(r).contains(&"recall")),
            _ => assert!(r.tags.is_empty() && r.error.is_none()),
        }
    }
}

#[tokio::test]
async fn get_model_describes_the_model() {
    let server = TestServer::default().await;
    let mut client = server.client().await;
    let info = client
        .get_model(pb::GetModelRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        info.labels,
        vec![
            "quality_regulation",
            "recall",
            "certification",
            "consumer_food"
        ]
    );
    assert_eq!(info.thresholds.len(), 4);
    assert!(info.thresholds.values().all(|t| (0.0..1.0).contains(t)));
    assert!(!info.version.is_empty());
    assert!(info.trained_at.ends_with('Z'));
    let metrics: serde_json::Value = serde_json::from_str(&info.metrics_json).unwrap();
    assert!(metrics["test"]["macro_f1"].as_f64().unwrap() > 0.5);
}

#[tokio::test]
async fn health_reports_serving() {
    use tonic_health::pb::{
        HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
    };
    let server = TestServer::default().await;
    let mut health = HealthClient::new(server.channel().await);
    for service in ["", "newstag.v1.Tagger"] {
        let r = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.status(), ServingStatus::Serving, "{service:?}");
    }
}

#[tokio::test]
async fn reflection_lists_the_services_in_both_versions() {
    let server = TestServer::default().await;
    let channel = server.channel().await;
    let expected = [
        "newstag.v1.Tagger",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ];

    use tonic_reflection::pb::v1;
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let req = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([req]))
        .await
        .unwrap()
        .into_inner();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        stream.message().await.unwrap().unwrap().message_response
    else {
        panic!("expected a service list");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for name in expected {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }

    use tonic_reflection::pb::v1alpha as alpha;
    let mut client = alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let req = alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                "newstag.v1.Tagger".into(),
            ),
        ),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([req]))
        .await
        .unwrap()
        .into_inner();
    let response = stream
        .message()
        .await
        .unwrap()
        .unwrap()
        .message_response
        .unwrap();
    assert!(
        matches!(response, alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(ref f) if !f.file_descriptor_proto.is_empty()),
        "{response:?}"
    );
}

#[test]
fn reflection_descriptor_decodes() {
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(newstag::pb::FILE_DESCRIPTOR_SET).unwrap();
    let file = set
        .file
        .iter()
        .find(|f| f.package() == "newstag.v1")
        .unwrap();
    assert_eq!(file.service[0].method.len(), 5);
}

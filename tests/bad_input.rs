//! The bad-input battery against a real server: each input gets its documented status (or a
//! normal answer), and the server answers a normal request right after each.

mod common;

use std::time::Duration;

use common::{TestServer, fixture, wire};
use newstag::pb::{self, TagRequest, tagger_client::TaggerClient};
use newstag::service::Limits;
use tonic::Code;
use tonic::transport::Channel;

fn request(id: &str, text: &str) -> TagRequest {
    TagRequest {
        id: id.into(),
        text: text.into(),
        ..Default::default()
    }
}

/// A normal (short) article is tagged normally.
async fn still_serving(client: &mut TaggerClient<Channel>) {
    let article = "国家市场监督管理总局发布消息，某汽车公司将召回部分缺陷车辆，共计1200辆，\
                   原因是刹车软管可能磨损。";
    let r = client
        .tag(request("after", article))
        .await
        .expect("the server answers a normal request")
        .into_inner();
    assert!(r.tags.iter().any(|t| t.label == "recall"));
}

#[tokio::test]
async fn empty_whitespace_oversized_and_unknown_format_are_invalid_argument() {
    let limits = Limits {
        max_text_bytes: 1000,
        ..Limits::default()
    };
    let server = TestServer::start(limits).await;
    let mut client = server.client().await;
    for text in ["", " \n\t\u{3000}"] {
        let e = client.tag(request("e", text)).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument);
        assert!(e.message().starts_with("text:"), "{}", e.message());
        still_serving(&mut client).await;
    }
    let e = client
        .tag(request("big", &"质".repeat(400)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("limit is 1000"), "{}", e.message());
    still_serving(&mut client).await;
    let mut req = request("f", "正文");
    req.format = 42;
    let e = client.tag(req).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("format"), "{}", e.message());
    still_serving(&mut client).await;
}

#[tokio::test]
async fn messages_above_the_decoding_limit_are_resource_exhausted() {
    let limits = Limits {
        max_text_bytes: 16 << 10,
        max_message_bytes: 64 << 10,
        ..Limits::default()
    };
    let server = TestServer::start(limits).await;
    let mut client = server.client().await;
    let e = client
        .tag(request("huge", &"a".repeat(100 << 10)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert!(e.message().contains("message length too large"), "{e:?}");
    still_serving(&mut client).await;
}

#[tokio::test]
async fn odd_but_valid_texts_get_normal_answers() {
    let server = TestServer::default().await;
    let mut client = server.client().await;
    let nested = format!(
        "<html><body>{}<p>市场监管总局发布召回公告。</p>{}</body></html>",
        "<div><span>".repeat(20_000),
        "</span></div>".repeat(20_000)
    );
    let cases: Vec<(&str, String, pb::Format)> = vec![
        // 1 MB of Chinese with no punctuation and no line breaks.
        (
            "no-punctuation",
            "今天天气晴朗公园里游人很多孩子们在草地上放风筝".repeat(1_000_000 / 69),
            pb::Format::Text,
        ),
        (
            "control",
            "\u{1}\u{2}\u{7f}\u{1b}[31m\u{0}\u{8}".repeat(100),
            pb::Format::Text,
        ),
        ("emoji", "😀🎉🍜🚗👍".repeat(200), pb::Format::Text),
        (
            "english",
            "The city council met on Tuesday to discuss the new bus routes. ".repeat(50),
            pb::Format::Text,
        ),
        ("nested-html", nested, pb::Format::Html),
        (
            "unclosed-html",
            "<div><p>标题<table><tr><td>正文".repeat(500),
            pb::Format::Html,
        ),
    ];
    for (id, text, format) in cases {
        let started = std::time::Instant::now();
        let r = client
            .tag(TagRequest {
                id: id.into(),
                text,
                format: format as i32,
                include_body: true,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{id}: {e:?}"))
            .into_inner();
        assert_eq!(r.id, id);
        if id != "nested-html" {
            assert!(r.tags.is_empty(), "{id}: {:?}", r.tags);
        }
        eprintln!("{id}: answered in {:?}", started.elapsed());
        still_serving(&mut client).await;
    }
}

#[tokio::test]
async fn a_batch_of_ten_thousand_items_is_refused_or_answered_whole() {
    let articles: Vec<TagRequest> = (0..10_000)
        .map(|i| {
            request(
                &format!("n{i}"),
                &format!("第{i}条简讯：今天本市天气晴朗，气温回升。"),
            )
        })
        .collect();

    let server = TestServer::default().await;
    let mut client = server.client().await;
    let e = client
        .tag_batch(pb::TagBatchRequest {
            articles: articles.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(
        e.message()
            .contains("10000 items but the batch limit is 256"),
        "{e:?}"
    );
    still_serving(&mut client).await;

    let raised = TestServer::start(Limits {
        max_batch: 10_000,
        ..Limits::default()
    })
    .await;
    let mut client = raised.client().await;
    let results = client
        .tag_batch(pb::TagBatchRequest { articles })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(results.len(), 10_000);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.id, format!("n{i}"));
        assert!(r.error.is_none() && r.metadata.is_some(), "{r:?}");
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn streams_that_half_close_early_or_are_cancelled() {
    let server = TestServer::default().await;
    let mut client = server.client().await;

    // Half-closed after three items: three answers, then the end.
    let items =
        tokio_stream::iter((0..3).map(|i| request(&format!("s{i}"), &fixture("weather.txt"))));
    let mut answers = client.tag_stream(items).await.unwrap().into_inner();
    for i in 0..3 {
        assert_eq!(
            answers.message().await.unwrap().unwrap().id,
            format!("s{i}")
        );
    }
    assert!(answers.message().await.unwrap().is_none());

    // Half-closed before any item: the stream ends at once, OK.
    let mut answers = client
        .tag_stream(tokio_stream::iter(Vec::<TagRequest>::new()))
        .await
        .unwrap()
        .into_inner();
    assert!(answers.message().await.unwrap().is_none());

    // Cancelled mid-stream (RST_STREAM CANCEL after the first answer, as a client does when
    // its call is dropped): the server lets the stream go and frees its in-flight slot.
    let mut open = wire::stream_with_one_answer(&server).await;
    assert!(server.scrape().await.contains("newstag_in_flight 1"));
    open.send_reset(h2::Reason::CANCEL);
    let mut released = false;
    for _ in 0..200 {
        if server.scrape().await.contains("newstag_in_flight 0") {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        released,
        "a cancelled stream still counts as in flight:\n{}",
        server.scrape().await
    );
    still_serving(&mut client).await;
}

#[tokio::test]
async fn broken_wire_input_is_refused_with_a_status_that_names_it() {
    let server = TestServer::default().await;
    let mut client = server.client().await;
    let invalid_utf8 = wire::tag_request_with_text(b"\xe5\xb8\x82\xff\xfe\xe5");
    let cases: Vec<(&str, Vec<u8>, i32, &str)> = vec![
        (
            "invalid UTF-8 in text",
            wire::frame(0, invalid_utf8.len() as u32, &invalid_utf8),
            Code::Internal as i32,
            "not UTF-8",
        ),
        (
            "frame shorter than its length prefix",
            wire::frame(0, 4096, b"\x0a\x01x\x12\x03abc"),
            Code::Internal as i32,
            "EOF",
        ),
        (
            "invalid compression flag",
            wire::frame(7, 3, b"abc"),
            Code::Internal as i32,
            "compression flag",
        ),
        (
            "garbage protobuf",
            wire::frame(0, 6, b"\xff\xff\xff\xff\xff\xff"),
            Code::Internal as i32,
            "decode",
        ),
        (
            "half a length prefix",
            vec![0, 0, 1],
            Code::Internal as i32,
            "EOF",
        ),
    ];
    for (what, body, code, needle) in cases {
        let answer = wire::call(&server, "Tag", &[], body).await;
        assert_eq!(answer.status, Some(code), "{what}: {}", answer.message);
        assert!(
            answer.message.contains(needle),
            "{what}: {:?} does not mention {needle:?}",
            answer.message
        );
        still_serving(&mut client).await;
    }
}

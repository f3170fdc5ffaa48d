//! Raw HTTP/2 calls: what a broken or deadline-setting client puts on the wire, with no client
//! library in between.

use bytes::Bytes;

use super::TestServer;

pub struct Answer {
    pub status: Option<i32>,
    pub message: String,
}

/// Opens a call to the Tagger's `method` on a connection of its own, with extra `headers`.
async fn open(
    server: &TestServer,
    method: &str,
    headers: &[(&str, &str)],
) -> (h2::client::ResponseFuture, h2::SendStream<Bytes>) {
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (h2, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{}/newstag.v1.Tagger/{method}", server.addr))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    h2.send_request(request.body(()).unwrap(), false).unwrap()
}

/// Sends `body` as the request body of a unary call to `method` (e.g. `Tag`), with extra
/// request `headers`, and reads the gRPC status.
pub async fn call(
    server: &TestServer,
    method: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let (response, mut send) = open(server, method, headers).await;
    send.send_data(Bytes::from(body), true).unwrap();
    let response = response.await.unwrap();
    let (parts, mut body) = response.into_parts();
    let mut headers = parts.headers;
    while let Some(chunk) = body.data().await {
        let chunk = chunk.unwrap();
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    if let Some(trailers) = body.trailers().await.unwrap() {
        headers.extend(trailers);
    }
    Answer {
        status: headers
            .get("grpc-status")
            .and_then(|v| v.to_str().ok()?.parse().ok()),
        message: headers
            .get("grpc-message")
            .map(|v| percent_decoded(v.as_bytes()))
            .unwrap_or_default(),
    }
}

/// `grpc-message` is percent-encoded on the wire.
fn percent_decoded(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (raw[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Opens a TagStream, sends one article and waits for its answer; the stream stays open.
pub async fn stream_with_one_answer(server: &TestServer) -> h2::SendStream<Bytes> {
    let (response, mut send) = open(server, "TagStream", &[]).await;
    let article = tag_request_with_text("今天本市天气晴朗，气温回升。".as_bytes());
    send.send_data(Bytes::from(frame(0, article.len() as u32, &article)), false)
        .unwrap();
    let mut body = response.await.unwrap().into_body();
    let first = body.data().await.unwrap().unwrap();
    assert!(first.len() > 5, "an answer frame arrives");
    send
}

/// `message` in a gRPC frame.
pub fn framed(message: &impl prost::Message) -> Vec<u8> {
    let bytes = message.encode_to_vec();
    frame(0, bytes.len() as u32, &bytes)
}

/// A gRPC length-prefixed message frame.
pub fn frame(compressed: u8, declared_len: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![compressed];
    out.extend_from_slice(&declared_len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A TagRequest whose `text` (field 2) holds `text` bytes, not necessarily UTF-8.
pub fn tag_request_with_text(text: &[u8]) -> Vec<u8> {
    let mut out = vec![0x0a, 1, b'x', 0x12];
    let mut len = text.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(text);
    out
}

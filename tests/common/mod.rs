//! A real server on an ephemeral port, a client for it, and shutdown when the guard drops.

#![allow(dead_code)]

pub mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use newstag::pb::tagger_client::TaggerClient;
use newstag::pipeline::Tagger;
use newstag::server::ServeOptions;
use newstag::service::{Limits, State};
use tokio::sync::oneshot;
use tonic::transport::Channel;

/// The model shipped in `models/`.
pub fn model_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/newstag.model")
}

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A running server; dropping it shuts the server down.
pub struct TestServer {
    pub addr: SocketAddr,
    /// Where `/metrics` is served.
    pub metrics_addr: SocketAddr,
    pub state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server with the shipped model and `limits` on 127.0.0.1:0.
    pub async fn start(limits: Limits) -> Self {
        Self::start_with(limits, None, ServeOptions::default()).await
    }

    /// Starts a server that may reload its model from `reload_from`, with `options`.
    pub async fn start_with(
        limits: Limits,
        reload_from: Option<PathBuf>,
        options: ServeOptions,
    ) -> Self {
        let tagger = Tagger::load(&model_path()).expect("shipped model loads");
        let state = State::with_reload(tagger, limits, reload_from).expect("worker threads start");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics_addr = metrics_listener.local_addr().unwrap();
        tokio::spawn(newstag::metrics::serve(
            metrics_listener,
            state.metrics().clone(),
            std::future::pending(),
        ));
        let (tx, rx) = oneshot::channel::<()>();
        let server_state = state.clone();
        let handle = tokio::spawn(async move {
            newstag::server::serve(
                listener,
                server_state,
                async {
                    let _ = rx.await;
                },
                options,
            )
            .await
            .expect("server runs");
        });
        Self {
            addr,
            metrics_addr,
            state,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub async fn default() -> Self {
        Self::start(Limits::default()).await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn channel(&self) -> Channel {
        // The listener is bound before `start` returns, so the first connect succeeds.
        Channel::from_shared(self.url())
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    pub async fn client(&self) -> TaggerClient<Channel> {
        TaggerClient::new(self.channel().await)
    }

    /// The `/metrics` page, fetched over plain HTTP/1.1.
    pub async fn scrape(&self) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut conn = tokio::net::TcpStream::connect(self.metrics_addr)
            .await
            .unwrap();
        conn.write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut response = String::new();
        conn.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        response
    }

    /// Asks the server to shut down, without waiting.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Shuts down and waits for the server to finish.
    pub async fn stop(mut self) {
        self.begin_shutdown();
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}

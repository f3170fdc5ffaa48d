//! Server wiring: the Tagger service with its message limits, gRPC health, reflection (v1 and
//! v1alpha), optional TLS, and graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic::transport::Server;
use tonic_health::ServingStatus;

use crate::pb;
use crate::pb::tagger_server::TaggerServer;
use crate::service::{State, TaggerService};

/// How the server runs, beyond the request limits.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Time calls in flight get to finish after shutdown begins.
    pub drain: Duration,
    /// Bearer tokens required for Tagger calls; none configured means no authentication.
    pub tokens: crate::auth::Tokens,
    /// TLS (and mutual TLS, when it names a client CA); plaintext when none.
    pub tls: Option<tonic::transport::ServerTlsConfig>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            drain: Duration::from_secs(30),
            tokens: crate::auth::Tokens::default(),
            tls: None,
        }
    }
}

/// The fully qualified name of the Tagger service, as health checks name it.
pub const SERVICE_NAME: &str = "newstag.v1.Tagger";

/// Serves on `listener` until `shutdown` resolves; then health turns NOT_SERVING, new calls are
/// refused and calls in flight finish, for at most `drain`.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: ServeOptions,
) -> Result<(), tonic::transport::Error> {
    let ServeOptions { drain, tokens, tls } = options;
    let limits = state.limits();
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(SERVICE_NAME, ServingStatus::Serving)
        .await;
    reporter
        .set_service_status("", ServingStatus::Serving)
        .await;

    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .expect("the embedded descriptor set is valid");
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .expect("the embedded descriptor set is valid");

    let tagger = TaggerServer::new(TaggerService::new(state))
        .max_decoding_message_size(limits.max_message_bytes)
        .max_encoding_message_size(usize::MAX);
    let tagger = tonic::service::interceptor::InterceptedService::new(tagger, move |request| {
        tokens.check(request)
    });

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let draining = Arc::new(tokio::sync::Notify::new());
    let on_stop = (reporter.clone(), draining.clone());
    tokio::spawn(async move {
        shutdown.await;
        let (health, draining) = on_stop;
        health
            .set_service_status(SERVICE_NAME, ServingStatus::NotServing)
            .await;
        health
            .set_service_status("", ServingStatus::NotServing)
            .await;
        tracing::info!("shutting down: health NOT_SERVING, draining calls in flight");
        let _ = stop_tx.send(());
        draining.notify_one();
    });

    let mut builder = Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    let server = builder
        .layer(tower::util::MapRequestLayer::new(crate::deadline::stamp))
        .layer(tower::util::MapResponseLayer::new(
            oversized_is_resource_exhausted,
        ))
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(tagger)
        .serve_with_incoming_shutdown(incoming(listener), async {
            let _ = stop_rx.await;
        });
    // Run until the server has drained, or the drain time after shutdown has passed.
    tokio::select! {
        result = server => result,
        _ = async {
            draining.notified().await;
            tokio::time::sleep(drain).await;
        } => {
            tracing::warn!(seconds = drain.as_secs_f64(), "drain time exceeded, closing open calls");
            Ok(())
        }
    }
}

/// The accepted connections, with Nagle's algorithm off: tonic ignores `tcp_nodelay` for an
/// incoming stream it did not bind itself, and small unary replies then wait ~40 ms for the
/// client's delayed ACK.
fn incoming(listener: TcpListener) -> tonic::transport::server::TcpIncoming {
    tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true))
}

/// tonic answers a message above the decoding limit with OUT_OF_RANGE; the gRPC spec (and our
/// API contract) says RESOURCE_EXHAUSTED. Unary calls fail before a handler runs, with the status
/// in the response headers, so it is rewritten here; streams map it in the handler.
fn oversized_is_resource_exhausted<B>(mut response: http::Response<B>) -> http::Response<B> {
    let headers = response.headers_mut();
    let out_of_range = headers
        .get("grpc-status")
        .is_some_and(|v| v.as_bytes() == b"11");
    if out_of_range
        && headers
            .get("grpc-message")
            .is_some_and(|m| is_oversized_message(&String::from_utf8_lossy(m.as_bytes())))
    {
        headers.insert(
            "grpc-status",
            http::HeaderValue::from_static("8"), // RESOURCE_EXHAUSTED
        );
    }
    response
}

/// Whether a status message is tonic's "message too large" (plain or percent-encoded).
pub fn is_oversized_message(message: &str) -> bool {
    message
        .replace("%20", " ")
        .contains("message length too large")
}

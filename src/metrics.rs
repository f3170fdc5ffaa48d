//! Prometheus metrics: what the handlers count, and the `/metrics` endpoint that exposes them on
//! a port of its own (`--metrics-addr`).

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: &'static str,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LabelLabels {
    label: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The service's counters; cheap to update from any thread.
pub struct Metrics {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    latency: HistogramFamily<MethodLabels>,
    articles: Counter,
    labels: Family<LabelLabels, Counter>,
    batch_size: Histogram,
    in_flight: Gauge,
    model: Family<VersionLabels, Gauge>,
    reloads: Family<OutcomeLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … ~4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

impl Metrics {
    /// Fresh metrics for a server serving `version`.
    pub fn new(version: &str) -> Self {
        let mut registry = Registry::with_prefix("newstag");
        let calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "calls",
            "Finished calls by method and gRPC status code",
            calls.clone(),
        );
        let latency: HistogramFamily<MethodLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "call_duration_seconds",
            "Time from a call's arrival to its answer (to its end, for streams)",
            latency.clone(),
        );
        let articles = Counter::default();
        registry.register(
            "articles",
            "Articles tagged without error (unary, batch items and stream items)",
            articles.clone(),
        );
        let labels = Family::<LabelLabels, Counter>::default();
        registry.register(
            "article_labels",
            "Articles tagged with each label",
            labels.clone(),
        );
        let batch_size = Histogram::new(exponential_buckets(1.0, 2.0, 14));
        registry.register("batch_size", "Items per TagBatch call", batch_size.clone());
        let in_flight = Gauge::default();
        registry.register(
            "in_flight",
            "Calls running now (Tag, TagBatch, open TagStreams)",
            in_flight.clone(),
        );
        let model = Family::<VersionLabels, Gauge>::default();
        registry.register(
            "model_info",
            "The model version being served (value 1)",
            model.clone(),
        );
        let reloads = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "model_reloads",
            "Model reloads by outcome (ok, error)",
            reloads.clone(),
        );
        let metrics = Self {
            registry,
            calls,
            latency,
            articles,
            labels,
            batch_size,
            in_flight,
            model,
            reloads,
        };
        metrics.set_model(version);
        metrics
    }

    /// Counts a finished call.
    pub fn call(&self, method: &'static str, code: tonic::Code, seconds: f64) {
        self.calls
            .get_or_create(&CallLabels {
                method,
                code: format!("{code:?}"),
            })
            .inc();
        self.latency
            .get_or_create(&MethodLabels { method })
            .observe(seconds);
    }

    /// Counts a tagged article and the labels it was given.
    pub fn article<'a>(&self, labels: impl IntoIterator<Item = &'a str>) {
        self.articles.inc();
        for label in labels {
            self.labels
                .get_or_create(&LabelLabels {
                    label: label.to_string(),
                })
                .inc();
        }
    }

    pub fn batch(&self, items: usize) {
        self.batch_size.observe(items as f64);
    }

    /// A call started; the guard counts it finished when dropped.
    pub fn enter(self: &Arc<Self>) -> InFlight {
        self.in_flight.inc();
        InFlight(self.clone())
    }

    /// A reload attempt and, when it succeeded, the new version.
    pub fn reloaded(&self, new_version: Option<&str>) {
        let outcome = if new_version.is_some() { "ok" } else { "error" };
        self.reloads.get_or_create(&OutcomeLabels { outcome }).inc();
        if let Some(version) = new_version {
            self.set_model(version);
        }
    }

    fn set_model(&self, version: &str) {
        self.model.clear();
        self.model
            .get_or_create(&VersionLabels {
                version: version.to_string(),
            })
            .set(1);
    }

    /// The metrics in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// A call in flight, counted in `newstag_in_flight` until dropped.
#[derive(Debug)]
pub struct InFlight(Arc<Metrics>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.dec();
    }
}

/// Serves `GET /metrics` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::http::header::CONTENT_TYPE;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(
                        CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    metrics.render(),
                )
            }
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_show_in_the_text_format() {
        let metrics = Arc::new(Metrics::new("v1"));
        metrics.call("Tag", tonic::Code::Ok, 0.002);
        metrics.call("Tag", tonic::Code::InvalidArgument, 0.0001);
        metrics.article(["recall", "certification"]);
        metrics.batch(64);
        let guard = metrics.enter();
        metrics.reloaded(Some("v2"));
        metrics.reloaded(None);
        let text = metrics.render();
        for line in [
            r#"newstag_calls_total{method="Tag",code="Ok"} 1"#,
            r#"newstag_calls_total{method="Tag",code="InvalidArgument"} 1"#,
            r#"newstag_call_duration_seconds_count{method="Tag"} 2"#,
            "newstag_articles_total 1",
            r#"newstag_article_labels_total{label="recall"} 1"#,
            "newstag_batch_size_count 1",
            "newstag_in_flight 1",
            r#"newstag_model_info{version="v2"} 1"#,
            r#"newstag_model_reloads_total{outcome="ok"} 1"#,
            r#"newstag_model_reloads_total{outcome="error"} 1"#,
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        assert!(!text.contains(r#"version="v1""#), "old version still shown");
        drop(guard);
        assert!(metrics.render().contains("newstag_in_flight 0"));
    }
}

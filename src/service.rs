//! The gRPC handlers: validate at the edge, run the pipeline on the worker threads with a
//! snapshot of the current model, convert back. Batch and stream items fail one by one.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use arc_swap::ArcSwap;
use futures_util::{Stream, StreamExt};
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::convert::{self, Article};
use crate::deadline::Deadline;
use crate::error::{Error, Result};
use crate::metrics::{InFlight, Metrics};
use crate::pb;
use crate::pipeline::Tagger;
use crate::pool::Pool;

/// Request limits, validated by the command layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest article text in bytes.
    pub max_text_bytes: usize,
    /// Most items in one TagBatch call.
    pub max_batch: usize,
    /// Largest decoded gRPC message in bytes.
    pub max_message_bytes: usize,
    /// Articles tagged at once (the worker threads).
    pub workers: usize,
    /// Responses a stream buffers ahead of a slow reader.
    pub stream_buffer: usize,
    /// Calls (Tag, TagBatch, open TagStreams) in flight; beyond it: RESOURCE_EXHAUSTED at once.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_text_bytes: 1 << 20,
            max_batch: 256,
            max_message_bytes: 32 << 20,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            stream_buffer: 64,
            max_in_flight: 256,
        }
    }
}

/// What every handler shares: the current model and the pool that runs it.
#[derive(Debug)]
pub struct State {
    tagger: ArcSwap<Tagger>,
    limits: Limits,
    workers: Pool,
    in_flight: Arc<Semaphore>,
    /// The model file `ReloadModel` and SIGHUP reload, when reloading is allowed.
    reload_from: Option<PathBuf>,
    metrics: Arc<Metrics>,
}

/// A call's place among the calls in flight, held until it ends.
#[derive(Debug)]
pub struct Slot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    _counted: InFlight,
}

impl State {
    /// The shared state, with `limits.workers` worker threads started. Fails only when the
    /// system refuses the threads.
    pub fn new(tagger: Tagger, limits: Limits) -> Result<Arc<Self>> {
        Self::with_reload(tagger, limits, None)
    }

    /// Like [`State::new`], allowing reloads of the model file at `reload_from`.
    pub fn with_reload(
        tagger: Tagger,
        limits: Limits,
        reload_from: Option<PathBuf>,
    ) -> Result<Arc<Self>> {
        let workers = Pool::new(limits.workers)
            .map_err(|e| Error::Internal(format!("starting the worker threads: {e}")))?;
        let metrics = Arc::new(Metrics::new(&tagger.model().version));
        Ok(Arc::new(Self {
            tagger: ArcSwap::from_pointee(tagger),
            limits,
            workers,
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            reload_from,
            metrics,
        }))
    }

    /// The counters `/metrics` shows.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Loads and validates the model file on the blocking pool, then swaps it in; on failure the
    /// old model keeps serving.
    pub async fn reload(&self) -> Result<Arc<Tagger>> {
        let Some(path) = self.reload_from.clone() else {
            return Err(Error::PermissionDenied(
                "model reload is disabled; start the server with --allow-reload".into(),
            ));
        };
        let current = self.tagger();
        let loaded = tokio::task::spawn_blocking(move || Tagger::reload(&path, &current))
            .await
            .map_err(|e| Error::Internal(format!("reload task failed: {e}")))?;
        match loaded {
            Ok(tagger) => {
                let tagger = Arc::new(tagger);
                self.tagger.store(tagger.clone());
                self.metrics.reloaded(Some(&tagger.model().version));
                tracing::info!(version = %tagger.model().version, "model reloaded");
                Ok(tagger)
            }
            Err(e) => {
                self.metrics.reloaded(None);
                tracing::error!(error = %e, "model reload failed; the old model keeps serving");
                Err(e)
            }
        }
    }

    /// A slot for one call, or RESOURCE_EXHAUSTED when `max_in_flight` calls are running.
    fn admit(&self) -> Result<Slot> {
        let permit = self.in_flight.clone().try_acquire_owned().map_err(|_| {
            Error::Busy(format!(
                "{} calls in flight, the configured maximum",
                self.limits.max_in_flight
            ))
        })?;
        Ok(Slot {
            _permit: permit,
            _counted: self.metrics.enter(),
        })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The model serving new requests.
    pub fn tagger(&self) -> Arc<Tagger> {
        self.tagger.load_full()
    }

    /// Swaps in a new model; requests already running finish on the old one.
    pub fn replace_tagger(&self, tagger: Tagger) {
        let version = tagger.model().version.clone();
        self.tagger.store(Arc::new(tagger));
        self.metrics.reloaded(Some(&version));
    }

    /// Runs `job` on the worker pool with the current model. Work whose deadline passes while
    /// it waits for a worker is not started.
    async fn run<T: Send + 'static>(
        &self,
        deadline: Deadline,
        job: impl FnOnce(&Tagger) -> T + Send + 'static,
    ) -> Result<T> {
        deadline.check("tagging started")?;
        let tagger = self.tagger();
        let started = Arc::new(AtomicBool::new(false));
        let work = self.workers.run({
            let started = started.clone();
            move || {
                started.store(true, Ordering::Relaxed);
                deadline.check("a worker was free")?;
                Ok(job(&tagger))
            }
        });
        match deadline.race(work).await {
            Some(answer) => answer?,
            None if started.load(Ordering::Relaxed) => {
                Err(Error::DeadlineExceeded("tagging finished"))
            }
            None => Err(Error::DeadlineExceeded("a worker was free")),
        }
    }

    /// Tags one validated article.
    async fn tag(&self, article: Article, deadline: Deadline) -> Result<pb::TagResponse> {
        let metrics = self.metrics.clone();
        self.run(deadline, move |tagger| {
            let analysis = tagger.tag(&article.text, article.format, article.options);
            metrics.article(analysis.tags.iter().map(|t| t.label.as_str()));
            convert::response(article.id, analysis, article.include_scores, tagger.model())
        })
        .await
    }

    /// Tags a batch: valid items are spread over the workers in contiguous chunks, order kept.
    /// Items not started when the deadline passes are not tagged.
    async fn tag_batch(
        &self,
        requests: Vec<pb::TagRequest>,
        deadline: Deadline,
    ) -> Result<Vec<pb::TagResponse>> {
        let mut results: Vec<Option<pb::TagResponse>> = vec![None; requests.len()];
        let mut articles: Vec<(usize, Article)> = Vec::with_capacity(requests.len());
        let version = self.tagger().model().version.clone();
        for (i, request) in requests.into_iter().enumerate() {
            let id = request.id.clone();
            match convert::article(request, self.limits.max_text_bytes) {
                Ok(article) => articles.push((i, article)),
                Err(e) => results[i] = Some(convert::error_response(id, &e, &version)),
            }
        }
        let chunk = articles.len().div_ceil(self.limits.workers.max(1)).max(1);
        let mut jobs = Vec::new();
        while !articles.is_empty() {
            let rest = articles.split_off(articles.len().min(chunk));
            let part = std::mem::replace(&mut articles, rest);
            let metrics = self.metrics.clone();
            jobs.push(self.run(deadline, move |tagger| {
                part.into_iter()
                    .map_while(|(i, a)| {
                        if deadline.expired() {
                            return None;
                        }
                        let analysis = tagger.tag(&a.text, a.format, a.options);
                        metrics.article(analysis.tags.iter().map(|t| t.label.as_str()));
                        Some((
                            i,
                            convert::response(a.id, analysis, a.include_scores, tagger.model()),
                        ))
                    })
                    .collect::<Vec<_>>()
            }));
        }
        for done in futures_util::future::join_all(jobs).await {
            for (i, response) in done? {
                results[i] = Some(response);
            }
        }
        // A chunk stops early only when the deadline has passed.
        deadline.check("the batch was tagged")?;
        Ok(results.into_iter().map(Option::unwrap_or_default).collect())
    }
}

/// Stream items tagged in one blocking job (see `tag_stream_call`).
const ITEMS_PER_JOB: usize = 16;

impl State {
    /// Answers the stream items received so far, in order. A broken inbound message ends the
    /// answers after the items before it; an item that cannot be tagged gets its `error`; a
    /// passed deadline ends the stream.
    async fn tag_stream_items(
        &self,
        items: Vec<Result<pb::TagRequest, Status>>,
        deadline: Deadline,
    ) -> Vec<Result<pb::TagResponse, Status>> {
        let mut requests = Vec::with_capacity(items.len());
        let mut broken = None;
        for item in items {
            match item {
                Ok(request) => requests.push(request),
                Err(status)
                    if status.code() == tonic::Code::OutOfRange
                        && crate::server::is_oversized_message(status.message()) =>
                {
                    broken = Some(Status::resource_exhausted(status.message().to_string()));
                    break;
                }
                Err(status) => {
                    broken = Some(status);
                    break;
                }
            }
        }
        let ids: Vec<String> = requests.iter().map(|r| r.id.clone()).collect();
        let mut answers: Vec<Result<pb::TagResponse, Status>> =
            match self.tag_batch(requests, deadline).await {
                Ok(responses) => responses.into_iter().map(Ok).collect(),
                Err(e @ Error::DeadlineExceeded(_)) => vec![Err(Status::from(e))],
                Err(e) => {
                    // A failed job (a panic while tagging) fails its items, not the stream.
                    tracing::error!(detail = %e, "stream items failed");
                    let version = self.tagger().model().version.clone();
                    ids.into_iter()
                        .map(|id| Ok(convert::error_response(id, &e, &version)))
                        .collect()
                }
            };
        answers.extend(broken.map(Err));
        answers
    }
}

/// The `newstag.v1.Tagger` service.
#[derive(Debug, Clone)]
pub struct TaggerService {
    state: Arc<State>,
}

impl TaggerService {
    pub fn new(state: Arc<State>) -> Self {
        Self { state }
    }

    /// One log line and one metrics sample per call: method, request id (never the article
    /// text), status and duration.
    fn finished<T>(
        &self,
        method: &'static str,
        id: &str,
        started: Instant,
        result: Result<T, Status>,
    ) -> Result<T, Status> {
        let code = match &result {
            Ok(_) => tonic::Code::Ok,
            Err(status) => status.code(),
        };
        finished(&self.state.metrics, method, id, started, code);
        result
    }
}

fn finished(
    metrics: &Metrics,
    method: &'static str,
    id: &str,
    started: Instant,
    code: tonic::Code,
) {
    let seconds = started.elapsed().as_secs_f64();
    metrics.call(method, code, seconds);
    tracing::info!(method, id, code = ?code, ms = seconds * 1e3, "call");
}

type ResponseStream = Pin<Box<dyn Stream<Item = Result<pb::TagResponse, Status>> + Send>>;

#[tonic::async_trait]
impl pb::tagger_server::Tagger for TaggerService {
    async fn tag(
        &self,
        request: Request<pb::TagRequest>,
    ) -> Result<Response<pb::TagResponse>, Status> {
        let started = Instant::now();
        let deadline = Deadline::of(&request);
        let request = request.into_inner();
        let id = request.id.clone();
        let result = async {
            let _slot = self.state.admit()?;
            let article = convert::article(request, self.state.limits.max_text_bytes)?;
            Ok(Response::new(self.state.tag(article, deadline).await?))
        }
        .await;
        self.finished("Tag", &id, started, result)
    }

    async fn tag_batch(
        &self,
        request: Request<pb::TagBatchRequest>,
    ) -> Result<Response<pb::TagBatchResponse>, Status> {
        let started = Instant::now();
        let deadline = Deadline::of(&request);
        let articles = request.into_inner().articles;
        let what = format!("{} items", articles.len());
        let result = self.tag_batch_call(articles, deadline).await;
        self.finished("TagBatch", &what, started, result)
    }

    type TagStreamStream = ResponseStream;

    async fn tag_stream(
        &self,
        request: Request<Streaming<pb::TagRequest>>,
    ) -> Result<Response<Self::TagStreamStream>, Status> {
        let started = Instant::now();
        let result = self.tag_stream_call(request, started);
        if result.is_err() {
            return self.finished("TagStream", "", started, result);
        }
        result
    }

    async fn get_model(
        &self,
        _request: Request<pb::GetModelRequest>,
    ) -> Result<Response<pb::ModelInfo>, Status> {
        Ok(Response::new(convert::model_info(
            self.state.tagger().model(),
        )))
    }

    async fn reload_model(
        &self,
        _request: Request<pb::ReloadModelRequest>,
    ) -> Result<Response<pb::ModelInfo>, Status> {
        let started = Instant::now();
        let result = async {
            let tagger = self.state.reload().await?;
            Ok(Response::new(convert::model_info(tagger.model())))
        }
        .await;
        self.finished("ReloadModel", "", started, result)
    }
}

impl TaggerService {
    async fn tag_batch_call(
        &self,
        articles: Vec<pb::TagRequest>,
        deadline: Deadline,
    ) -> Result<Response<pb::TagBatchResponse>, Status> {
        let _slot = self.state.admit()?;
        let limit = self.state.limits.max_batch;
        self.state.metrics.batch(articles.len());
        if articles.len() > limit {
            return Err(Error::invalid(
                "articles",
                format!("{} items but the batch limit is {limit}", articles.len()),
            )
            .into());
        }
        let results = self.state.tag_batch(articles, deadline).await?;
        Ok(Response::new(pb::TagBatchResponse { results }))
    }

    /// Items are read and tagged ahead of the writer in groups of those already received,
    /// answered in order; an item that fails gets its `error`, a broken stream or a passed
    /// deadline ends the call with that status.
    fn tag_stream_call(
        &self,
        request: Request<Streaming<pb::TagRequest>>,
        started: Instant,
    ) -> Result<Response<ResponseStream>, Status> {
        let slot = self.state.admit()?;
        let deadline = Deadline::of(&request);
        let inbound = request.into_inner();
        let state = self.state.clone();
        let (tx, rx) = mpsc::channel(self.state.limits.stream_buffer.max(1));
        // Items already received are tagged together, a few per worker per job: one job per
        // item left the workers idle between articles.
        let chunk = self.state.limits.workers.max(1) * ITEMS_PER_JOB;
        tokio::spawn(async move {
            // The stream holds its slot until it ends.
            let _slot = slot;
            let results = inbound
                .ready_chunks(chunk)
                .map(|items| {
                    let state = state.clone();
                    async move { state.tag_stream_items(items, deadline).await }
                })
                .buffered(2)
                .flat_map(futures_util::stream::iter);
            tokio::pin!(results);
            let mut items = 0usize;
            let mut outcome = tonic::Code::Ok;
            loop {
                let next = deadline
                    .run("the stream ended", async { Ok(results.next().await) })
                    .await;
                let result = match next {
                    Ok(Some(result)) => result,
                    Ok(None) => break,
                    Err(e) => Err(Status::from(e)),
                };
                if let Err(status) = &result {
                    outcome = status.code();
                }
                let failed = result.is_err();
                if tx.send(result).await.is_err() {
                    // The client went away: stop reading its stream.
                    outcome = tonic::Code::Cancelled;
                    break;
                }
                if failed {
                    break;
                }
                items += 1;
            }
            finished(
                &state.metrics,
                "TagStream",
                &format!("{items} items"),
                started,
                outcome,
            );
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

//! The threads that tag articles: a fixed set, one per worker, taking jobs from one queue.
//!
//! A thread that finishes a job takes the next waiting one itself. With tokio's blocking pool
//! every job was a hand-off through the async runtime (a permit freed, a task woken, a job
//! spawned, a thread woken), and under load a core sat idle for part of every article.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crossbeam_channel::{Receiver, Sender};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

type Job = Box<dyn FnOnce() + Send>;

/// A fixed pool of named threads that run jobs in the order they were queued. The threads end
/// when the pool is dropped, after the jobs already queued.
#[derive(Debug)]
pub struct Pool {
    queue: Sender<Job>,
}

impl Pool {
    /// Starts `threads` threads (at least one), named `newstag-worker-N`.
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let (queue, jobs) = crossbeam_channel::unbounded::<Job>();
        for n in 0..threads.max(1) {
            let jobs: Receiver<Job> = jobs.clone();
            std::thread::Builder::new()
                .name(format!("newstag-worker-{n}"))
                .spawn(move || {
                    jobs.into_iter().for_each(|job| {
                        job();
                        // The job just woke the async side to send its answer. With a job
                        // always waiting, the worker would otherwise keep the core until the
                        // scheduler preempts it, and answers would wait for that.
                        std::thread::yield_now();
                    })
                })?;
        }
        Ok(Self { queue })
    }

    /// Queues `job` and waits for its result. A job whose caller stopped waiting (its future
    /// was dropped: a passed deadline, a cancelled call) is skipped when its turn comes; a job
    /// that panics is an internal error, and its thread goes on with the next job.
    pub fn run<T, F>(&self, job: F) -> impl Future<Output = Result<T>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (answer, result) = oneshot::channel();
        let queued = self.queue.send(Box::new(move || {
            if answer.is_closed() {
                return;
            }
            let _ = answer.send(catch_unwind(AssertUnwindSafe(job)).map_err(panic_message));
        }));
        async move {
            queued.map_err(|_| Error::Unavailable("server is shutting down".into()))?;
            result
                .await
                .map_err(|_| Error::Internal("a tagging job ended without an answer".into()))?
                .map_err(|panic| Error::Internal(format!("tagging job panicked: {panic}")))
        }
    }
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn runs_jobs_on_its_threads_and_survives_a_panic() {
        let pool = Pool::new(2).unwrap();
        let name = pool
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("newstag-worker-"));
        let failed = pool.run(|| -> u32 { panic!("bad article") }).await;
        assert!(
            matches!(&failed, Err(Error::Internal(m)) if m.contains("bad article")),
            "{failed:?}"
        );
        // Both threads still work after the panic.
        let answers = futures_util::future::join_all((0..8).map(|i| pool.run(move || i * 2))).await;
        let answers: Vec<u32> = answers.into_iter().map(Result::unwrap).collect();
        assert_eq!(answers, (0..8).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn skips_jobs_nobody_waits_for() {
        let pool = Pool::new(1).unwrap();
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let busy = pool.run(move || gate.recv().unwrap());
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = ran.clone();
        drop(pool.run(move || counter.fetch_add(1, Ordering::SeqCst)));
        let counter = ran.clone();
        let kept = pool.run(move || counter.fetch_add(1, Ordering::SeqCst));
        release.send(()).unwrap();
        busy.await.unwrap();
        kept.await.unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 1, "the dropped job did not run");
    }
}

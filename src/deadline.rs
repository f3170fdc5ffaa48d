//! Client deadlines (`grpc-timeout`): read once per call, checked before work starts, and raced
//! against the work so that an expired call is answered DEADLINE_EXCEEDED.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};

/// tonic's own timeout layer answers an expired unary call with CANCELLED. Our deadline falls
/// this much earlier, so the handler answers first, with the code the gRPC spec asks for.
const AHEAD: Duration = Duration::from_millis(3);

/// When the client stops waiting, if it said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// No deadline.
    pub fn none() -> Self {
        Self(None)
    }

    /// The deadline `timeout` from now.
    pub fn after(timeout: Duration) -> Self {
        let now = Instant::now();
        Self(Some(now + timeout.saturating_sub(AHEAD)))
    }

    /// From a call's `grpc-timeout` header; none when absent or malformed (as tonic does).
    pub fn from_headers(headers: &http::HeaderMap) -> Self {
        headers
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_timeout)
            .map_or_else(Self::none, Self::after)
    }

    /// The deadline [`stamp`] put on the call, or one read from its metadata now.
    pub fn of<T>(request: &tonic::Request<T>) -> Self {
        request
            .extensions()
            .get::<Self>()
            .copied()
            .unwrap_or_else(|| Self::from_headers(request.metadata().as_ref()))
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        self.0.is_some_and(|d| Instant::now() >= d)
    }

    /// Fails with DEADLINE_EXCEEDED, naming `stage`, when the deadline has passed.
    pub fn check(&self, stage: &'static str) -> Result<()> {
        if self.expired() {
            Err(Error::DeadlineExceeded(stage))
        } else {
            Ok(())
        }
    }

    /// Runs `work` until it finishes or the deadline passes, whichever is first.
    pub async fn run<T>(
        &self,
        stage: &'static str,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        self.race(work)
            .await
            .unwrap_or(Err(Error::DeadlineExceeded(stage)))
    }

    /// `work`'s output, or `None` when the deadline passes first (`work` is then dropped).
    pub async fn race<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        match self.0 {
            None => Some(work.await),
            Some(at) => tokio::time::timeout_at(at, work).await.ok(),
        }
    }
}

/// Puts the call's deadline on the request as it arrives, before its body is read: the client
/// counts from when it sent the call, and a large message takes a while to arrive and decode.
pub fn stamp<B>(mut request: http::Request<B>) -> http::Request<B> {
    let deadline = Deadline::from_headers(request.headers());
    request.extensions_mut().insert(deadline);
    request
}

/// `grpc-timeout`: at most 8 ASCII digits and a unit (H, M, S, m, u, n).
fn parse_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_in_every_unit() {
        assert_eq!(parse_timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse_timeout("10S"), Some(Duration::from_secs(10)));
        assert_eq!(parse_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(
            parse_timeout("99999999u"),
            Some(Duration::from_micros(99_999_999))
        );
        assert_eq!(parse_timeout("5n"), Some(Duration::from_nanos(5)));
    }

    #[test]
    fn malformed_timeouts_are_ignored() {
        for bad in ["", "S", "123456789S", "10s", "1.5S", "-1S", "10", "十S"] {
            assert_eq!(parse_timeout(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn work_past_the_deadline_is_deadline_exceeded() {
        let deadline = Deadline::after(Duration::from_millis(20));
        let slow = deadline
            .run("tagging", async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(())
            })
            .await;
        assert!(matches!(slow, Err(Error::DeadlineExceeded("tagging"))));
        assert!(deadline.expired());
        assert!(deadline.check("x").is_err());
        let none = Deadline::none();
        assert!(!none.expired());
        assert_eq!(none.run("x", async { Ok(7) }).await.unwrap(), 7);
    }
}

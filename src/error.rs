//! The crate's one error type and its mapping to gRPC status codes.

use std::path::PathBuf;

/// Everything that can go wrong between a request and its answer, or while loading a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request field is missing or malformed.
    #[error("{field}: {reason}")]
    InvalidArgument { field: &'static str, reason: String },

    /// A request is larger than a configured limit.
    #[error("{what} is {actual} bytes but the limit is {limit}")]
    TooLarge {
        what: &'static str,
        actual: usize,
        limit: usize,
    },

    /// The server is at its configured limit of work in flight.
    #[error("server busy: {0}")]
    Busy(String),

    /// The client's deadline passed before the work was done.
    #[error("deadline exceeded before {0}")]
    DeadlineExceeded(&'static str),

    /// The call is not allowed by the server's configuration.
    #[error("{0}")]
    PermissionDenied(String),

    /// The caller presented no credentials or wrong ones.
    #[error("{0}")]
    Unauthenticated(String),

    /// A model file could not be read or understood.
    #[error("model file {path}: {reason}")]
    Model { path: PathBuf, reason: String },

    /// A corpus file could not be read or has a bad line.
    #[error("{path}:{line}: {reason}")]
    Corpus {
        path: PathBuf,
        line: usize,
        reason: String,
    },

    /// The TLS files could not be read or do not make a valid configuration (startup only).
    #[error("{0}")]
    Tls(String),

    /// The server is shutting down or has no model.
    #[error("{0}")]
    Unavailable(String),

    /// A bug or an environment failure; logged in full, answered briefly.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for an invalid argument naming the field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field,
            reason: reason.into(),
        }
    }

    /// The gRPC status code this error is answered with.
    pub fn code(&self) -> tonic::Code {
        match self {
            Error::InvalidArgument { .. } => tonic::Code::InvalidArgument,
            Error::TooLarge { .. } => tonic::Code::InvalidArgument,
            Error::Busy(_) => tonic::Code::ResourceExhausted,
            Error::DeadlineExceeded(_) => tonic::Code::DeadlineExceeded,
            Error::Unauthenticated(_) => tonic::Code::Unauthenticated,
            Error::PermissionDenied(_) => tonic::Code::PermissionDenied,
            Error::Model { .. } => tonic::Code::FailedPrecondition,
            Error::Corpus { .. } => tonic::Code::FailedPrecondition,
            Error::Tls(_) => tonic::Code::FailedPrecondition,
            Error::Unavailable(_) => tonic::Code::Unavailable,
            Error::Internal(_) => tonic::Code::Internal,
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        if let Error::Internal(detail) = &error {
            tracing::error!(%detail, "internal error");
            return tonic::Status::internal("internal error");
        }
        tonic::Status::new(error.code(), error.to_string())
    }
}

/// Result with the crate's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

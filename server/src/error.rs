//! The relay's one error type, and how each kind of failure answers an HTTP request.

use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything that can go wrong in the relay. Messages name what failed but never carry
/// tokens or change bytes, so any of them may be logged.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The web app has not been built into the dist directory yet.
    #[error("the web app is not built: {} has no index.html", dist.display())]
    AppNotBuilt { dist: PathBuf },
    /// The database refused a read or a write, or holds something it should not.
    #[error("storage failed: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A blocking task panicked or was cancelled.
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("I/O failed: {0}")]
    Io(#[from] std::io::Error),
    /// The relay was started with settings it cannot use.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl AppError {
    /// A storage error for data that the database returned but that cannot be right.
    pub(crate) fn corrupt(what: &str) -> Self {
        AppError::Storage(format!("stored data is corrupt: {what}").into())
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(error: rusqlite::Error) -> Self {
        AppError::Storage(Box::new(error))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // Clients only learn the kind of failure; the details go to the log, where an
        // operator can read them.
        let (status, message) = match &self {
            AppError::AppNotBuilt { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The Meike app is not built yet. Build it into the dist directory, then reload.",
            ),
            AppError::Storage(_) | AppError::Task(_) | AppError::Io(_) | AppError::Config(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal error.")
            }
        };
        // An unbuilt app is an expected state on a fresh checkout, not worth an error line
        // per request.
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        }
        (status, message).into_response()
    }
}

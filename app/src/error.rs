//! The app crate's one error type.

use domain::DomainError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// IndexedDB refused or failed a request; nothing of the operation was written.
    #[error("{0}")]
    Storage(String),
    /// The device's storage (or the browser's share of it) is full: nothing of the operation
    /// was written, and everything saved before is still there.
    #[error("the device's storage is full")]
    Full,
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Wiping this device's files was refused: this many changes, photos or erasures have not
    /// reached its salon's relay yet, and would be lost.
    #[error("{0} changes not uploaded yet")]
    Unsent(u32),
}

impl From<indexed_db_futures::error::Error> for AppError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        let text = error.to_string();
        // The browser names it QuotaExceededError (a DOMException), whatever the store.
        if text.contains("QuotaExceeded") || text.contains("quota") {
            return AppError::Full;
        }
        AppError::Storage(text)
    }
}

impl From<indexed_db_futures::error::OpenDbError> for AppError {
    fn from(error: indexed_db_futures::error::OpenDbError) -> Self {
        AppError::Storage(error.to_string())
    }
}

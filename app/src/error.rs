//! The app crate's one error type.

use domain::DomainError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// IndexedDB refused or failed a request; nothing of the operation was written.
    #[error("{0}")]
    Storage(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<indexed_db_futures::error::Error> for AppError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        AppError::Storage(error.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for AppError {
    fn from(error: indexed_db_futures::error::OpenDbError) -> Self {
        AppError::Storage(error.to_string())
    }
}

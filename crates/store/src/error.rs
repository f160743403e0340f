use thiserror::Error;

/// What can go wrong in the store, in terms callers can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique key already holds this value; names the key.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The database cannot be reached or is overloaded: try again later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Stored data that does not parse into domain types.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Other(String),
}

// The one place where sqlx errors are classified.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_owned())
            }
            sqlx::Error::Database(db) if is_busy(db.message()) => {
                StoreError::Unavailable(db.message().to_owned())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

impl From<cairn_domain::ParseError> for StoreError {
    fn from(e: cairn_domain::ParseError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

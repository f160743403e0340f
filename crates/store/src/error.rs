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
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_owned())
            }
            sqlx::Error::Database(db)
                if is_busy(db.message()) || is_unavailable_state(db.code().as_deref()) =>
            {
                StoreError::Unavailable(db.message().to_owned())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

// The SQLite hot reads' errors (reads.rs), classified as sqlx's are.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, message)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy
                        | rusqlite::ErrorCode::DatabaseLocked
                        | rusqlite::ErrorCode::DiskFull
                        | rusqlite::ErrorCode::SystemIoFailure
                        | rusqlite::ErrorCode::CannotOpen
                ) =>
            {
                StoreError::Unavailable(message.clone().unwrap_or_else(|| e.to_string()))
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

/// SQLite: another writer holds the lock, or the disk is full or failing.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database is busy")
        || message.contains("database or disk is full")
        || message.contains("disk I/O error")
}

/// PostgreSQL SQLSTATEs of a server going away or out of room: connection
/// exceptions (08…), operator intervention such as a shutdown (57P…), and
/// insufficient resources (53…: disk full, too many connections).
fn is_unavailable_state(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c.starts_with("53"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_are_unavailable_and_the_rest_is_not() {
        let cases: &[(Option<&str>, bool)] = &[
            (Some("57P01"), true),  // admin shutdown
            (Some("57P03"), true),  // cannot connect now
            (Some("08006"), true),  // connection failure
            (Some("53100"), true),  // disk full
            (Some("53300"), true),  // too many connections
            (Some("23505"), false), // unique violation
            (Some("42P01"), false), // undefined table: a bug, not an outage
            (None, false),
        ];
        for (code, unavailable) in cases {
            assert_eq!(is_unavailable_state(*code), *unavailable, "{code:?}");
        }
        for (message, busy) in [
            ("database is locked", true),
            ("database or disk is full", true),
            ("disk I/O error", true),
            ("no such table: x", false),
        ] {
            assert_eq!(is_busy(message), busy, "{message}");
        }
    }
}

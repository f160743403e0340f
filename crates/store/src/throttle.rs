//! Throttling, shared by every app server: attempts per key (an account,
//! a client address) live in `sign_in_failures`.
//!
//! [`begin`] counts and records an attempt in one write transaction, under
//! one lock, before the caller checks any password; so simultaneous
//! attempts see each other and the rule (`cairn_domain::throttle`) holds
//! under concurrency. An attempt that succeeds is taken back with
//! [`succeeded`]; one that fails simply stays counted.

use cairn_domain::throttle::{self, Limit, Recent};

use crate::{Millis, Store, StoreError, new_id};

/// Attempts under $1 since $2 (an aggregate: always one row).
const RECENT: &str = "SELECT COUNT(*) AS count, MIN(at) AS oldest
                        FROM sign_in_failures WHERE throttle_key = $1 AND at > $2";

#[derive(sqlx::FromRow)]
struct RecentRow {
    count: i64,
    oldest: Option<i64>,
}

impl From<RecentRow> for Recent {
    fn from(r: RecentRow) -> Self {
        Recent {
            count: r.count,
            oldest: r.oldest,
        }
    }
}

/// An attempt that was let through and is counted until it succeeds.
#[derive(Debug)]
pub struct Attempt {
    id: String,
}

/// Counts every key's recent attempts and, when none is over its limit,
/// records this attempt under each key. Otherwise records nothing and
/// returns the seconds to wait (the longest of the keys that are over).
pub async fn begin(
    store: &Store,
    keys: &[(&str, Limit)],
    now: Millis,
) -> Result<Result<Attempt, i64>, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize("throttle").await?;
    let mut wait: Option<i64> = None;
    for (key, limit) in keys {
        let recent: RecentRow = sqlx::query_as(RECENT)
            .bind(*key)
            .bind(now - limit.window_ms)
            .fetch_one(tx.conn()?)
            .await?;
        if let Some(w) = throttle::wait(recent.into(), *limit, now) {
            wait = Some(wait.map_or(w, |old| old.max(w)));
        }
    }
    if let Some(w) = wait {
        tx.rollback().await?;
        return Ok(Err(w));
    }
    let id = new_id();
    for (key, _) in keys {
        sqlx::query(
            "INSERT INTO sign_in_failures (throttle_key, at, attempt_id) VALUES ($1, $2, $3)",
        )
        .bind(*key)
        .bind(now)
        .bind(&id)
        .execute(tx.conn()?)
        .await?;
    }
    let longest = keys.iter().map(|(_, l)| l.window_ms).max().unwrap_or(0);
    sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
        .bind(now - longest)
        .execute(tx.conn()?)
        .await?;
    tx.commit().await?;
    Ok(Ok(Attempt { id }))
}

/// Takes back a successful attempt, and forgets the earlier failures of
/// `forget` (the account that just proved its password).
pub async fn succeeded(
    store: &Store,
    attempt: &Attempt,
    forget: &[&str],
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE attempt_id = $1")
        .bind(&attempt.id)
        .execute(tx.conn()?)
        .await?;
    for key in forget {
        sqlx::query("DELETE FROM sign_in_failures WHERE throttle_key = $1")
            .bind(*key)
            .execute(tx.conn()?)
            .await?;
    }
    tx.commit().await
}

/// Attempts counted under `key` since `since` (for tests and reports).
pub async fn recent(store: &Store, key: &str, since: Millis) -> Result<Recent, StoreError> {
    let recent: RecentRow = sqlx::query_as(RECENT)
        .bind(key)
        .bind(since)
        .fetch_one(&store.pool)
        .await?;
    Ok(recent.into())
}

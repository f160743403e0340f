//! Schema migrations: embedded SQL files, applied in name order, each once.
//!
//! The rule for running several servers: migrations only add (tables,
//! columns with defaults, indexes), so an older server keeps working against
//! a newer schema. All pending files apply in one transaction under a lock
//! (`BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL), so two
//! servers starting at once never run a migration twice.

use sqlx::Executor;

use crate::{Backend, Store, StoreError};

mod files {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

pub(crate) fn files(backend: Backend) -> &'static [(&'static str, &'static str)] {
    match backend {
        Backend::Sqlite => files::SQLITE,
        Backend::Postgres => files::POSTGRES,
    }
}

/// An arbitrary constant naming cairn's migration lock on PostgreSQL.
const PG_LOCK: i64 = 0x0063_6169_726e; // "cairn"

pub(crate) async fn run(store: &Store) -> Result<Vec<&'static str>, StoreError> {
    let mut tx = store.begin_write().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PG_LOCK)
            .fetch_all(&mut *tx.conn()?)
            .await?;
    }
    tx.conn()?
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY,
                applied_at BIGINT NOT NULL
            )",
        )
        .await?;
    let applied: Vec<String> = sqlx::query_scalar("SELECT name FROM schema_migrations")
        .fetch_all(&mut *tx.conn()?)
        .await?;
    let mut ran = Vec::new();
    for (name, sql) in files(store.backend()) {
        if applied.iter().any(|a| a == name) {
            continue;
        }
        tx.conn()?.execute(*sql).await?;
        sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
            .bind(*name)
            .bind(crate::system_now())
            .execute(&mut *tx.conn()?)
            .await?;
        ran.push(*name);
    }
    tx.commit().await?;
    if !ran.is_empty() {
        tracing::info!(migrations = ?ran, "applied migrations");
    }
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migration_files() {
        let names = |b| files(b).iter().map(|(n, _)| *n).collect::<Vec<_>>();
        assert!(!names(Backend::Sqlite).is_empty());
        assert_eq!(names(Backend::Sqlite), names(Backend::Postgres));
    }
}

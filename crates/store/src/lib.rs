//! cairn's storage: one [`Store`] over SQLite (the embedded default) and
//! PostgreSQL (for scale-out), through sqlx's `Any` driver and one SQL text
//! per query for both.
//!
//! Durability rules, kept here so no caller has to remember them:
//! - every writing transaction starts with `BEGIN IMMEDIATE` on SQLite
//!   ([`Store::begin_write`]), so read-then-write transactions queue for the
//!   lock instead of failing with "database is locked";
//! - writes are stepped to completion (`execute`, `fetch_all`), never a
//!   `fetch_one` that could stop before SQLite reports an error;
//! - a connection whose COMMIT or ROLLBACK failed is closed, never returned
//!   to the pool in an unknown state.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};

pub mod ability_stats;
pub mod audit;
pub mod awards;
pub mod backup;
pub mod case;
pub mod check_ins;
pub mod conversations;
pub mod credentials;
pub mod deliveries;
pub mod demo;
mod error;
pub mod framework;
pub mod health;
pub mod insights;
pub mod jobs;
pub mod members;
mod migrate;
pub mod notifications;
pub mod observations;
pub mod org_export;
pub mod orgs;
pub mod paging;
pub mod password_resets;
pub mod people;
pub mod people_import;
pub mod proposals;
mod reads;
pub mod recency;
pub mod sso;
pub mod synthetic;
pub mod teams;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
pub mod versions;

pub use error::StoreError;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Framework snapshots, shared by every clone of this store.
    snapshots: std::sync::Arc<framework::Snapshots>,
    /// The URL it connected with (bulk loads open a native connection).
    url: Redacted,
    /// SQLite only: the hot reads' own connections (`reads`).
    readers: Option<std::sync::Arc<reads::Readers>>,
    /// SQLite only: this process's writers, in arrival order (`begin_write`).
    writers: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A connection URL, which may hold a password: never printed.
#[derive(Clone)]
struct Redacted(String);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("…")
    }
}

/// Unix milliseconds: how the store keeps every time.
pub type Millis = i64;

/// Turns a configured database setting into a URL sqlx understands:
/// `postgres://…` as is; `sqlite://…` or a bare path as a SQLite file that
/// is created when missing.
pub fn normalize_url(setting: &str) -> (Backend, String) {
    if setting.starts_with("postgres://") || setting.starts_with("postgresql://") {
        return (Backend::Postgres, setting.to_owned());
    }
    let path = setting
        .strip_prefix("sqlite://")
        .or_else(|| setting.strip_prefix("sqlite:"))
        .unwrap_or(setting);
    let url = if path.contains('?') {
        format!("sqlite://{path}")
    } else {
        format!("sqlite://{path}?mode=rwc")
    };
    (Backend::Sqlite, url)
}

impl Store {
    /// Connects (creating a SQLite file when missing). Does not migrate.
    pub async fn connect(setting: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalize_url(setting);
        let options = AnyPoolOptions::new()
            // Fail fast when the database is unreachable: a request should
            // answer 503 within seconds, not hang.
            .acquire_timeout(Duration::from_secs(3));
        let pool = match backend {
            Backend::Sqlite => options
                .max_connections(8)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // `synchronous = FULL`: WAL commits are synced to
                        // disk before COMMIT returns, so a write the user saw
                        // succeed survives a power cut, not only a crash.
                        // `mmap_size`: reads map the database file instead of
                        // copying pages through SQLite's page cache. Measured
                        // (bench/README.md): 1.8x to 3.3x the requests/s of
                        // every page at a million observations. Writes still
                        // go through the WAL, so durability is unchanged; the
                        // mapped pages are the kernel's cache, not the heap.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                             PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -8192;",
                        )
                        .await?;
                        // `optimize` with 0x10002 refreshes the planner's
                        // statistics where they are missing or stale, so
                        // SQLite picks the right index on large tables;
                        // `analysis_limit` keeps that to a sample (as SQLite
                        // advises at connect): a full ANALYZE of a million
                        // rows held the write lock for seconds whenever the
                        // pool opened a connection under load. It writes, so
                        // it may fail (disk full, lock held): the connection
                        // still serves reads, so that is only logged.
                        if let Err(e) = conn
                            .execute("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;")
                            .await
                        {
                            tracing::warn!(error = %e, "planner statistics not refreshed");
                        }
                        Ok::<(), sqlx::Error>(())
                    })
                })
                .connect(&url)
                .await
                .map_err(StoreError::from)?,
            Backend::Postgres => options.max_connections(16).connect(&url).await?,
        };
        // `CAIRN_BENCH_SQLX_READS` keeps every read on sqlx: only for
        // bench/run, which measures both drivers on the same dataset.
        let readers = match backend {
            Backend::Sqlite if std::env::var_os("CAIRN_BENCH_SQLX_READS").is_none() => {
                reads::Readers::for_url(&url).map(std::sync::Arc::new)
            }
            Backend::Sqlite | Backend::Postgres => None,
        };
        Ok(Store {
            pool,
            backend,
            readers,
            writers: std::sync::Arc::new(tokio::sync::Mutex::new(())),
            url: Redacted(url),
            snapshots: std::sync::Arc::new(framework::Snapshots::new(framework::DEFAULT_BUDGET)),
        })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(setting: &str) -> Result<Store, StoreError> {
        let store = Self::connect(setting).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This store with its own framework snapshots, kept within `bytes`
    /// (estimated); see `framework::snapshot`.
    pub fn with_snapshot_budget(mut self, bytes: usize) -> Store {
        self.snapshots = std::sync::Arc::new(framework::Snapshots::new(bytes));
        self
    }

    /// How many organizations' framework snapshots are held, and their
    /// estimated size in bytes.
    pub fn snapshots_held(&self) -> (usize, usize) {
        self.snapshots.held()
    }

    /// Applies pending migrations; safe when several servers start at once.
    pub async fn migrate(&self) -> Result<Vec<&'static str>, StoreError> {
        migrate::run(self).await
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").fetch_all(&self.pool).await?;
        Ok(())
    }

    /// A connection for a group of reads.
    pub(crate) async fn read(&self) -> Result<PoolConnection<Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a writing transaction: `BEGIN IMMEDIATE` on SQLite, so the
    /// write lock is taken up front.
    ///
    /// On SQLite the writers of this process also queue here, first come
    /// first served, before asking SQLite for its lock: SQLite's busy
    /// handler retries a waiting writer after sleeps of up to 100 ms, so
    /// under 64 concurrent publishers a few writers kept losing the race
    /// and waited 0.6 s at p99 (bench/README.md, "Publishing"). Queued
    /// here, each waits only for the writers ahead of it; writers of other
    /// processes (the command line) still meet SQLite's busy timeout.
    pub async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let (begin, turn) = match self.backend {
            Backend::Sqlite => (
                "BEGIN IMMEDIATE",
                Some(std::sync::Arc::clone(&self.writers).lock_owned().await),
            ),
            Backend::Postgres => ("BEGIN", None),
        };
        // The connection is inside the WriteTx before BEGIN is sent: if BEGIN
        // fails, or the caller stops waiting (a request cancelled while
        // SQLite waits for the write lock), dropping the WriteTx closes the
        // connection. Handed back to the pool, a BEGIN that completed after
        // the caller left would leave it inside a transaction.
        let mut tx = WriteTx {
            conn: Some(self.pool.acquire().await?),
            backend: self.backend,
            _turn: turn,
        };
        tx.conn()?.execute(begin).await?;
        Ok(tx)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A writing transaction. Commit it explicitly; dropping it without a
/// commit closes its connection, which rolls the transaction back.
pub struct WriteTx {
    conn: Option<PoolConnection<Any>>,
    backend: Backend,
    /// This process's write turn (SQLite), held until the transaction ends.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Makes writers that decide on the same rows (an owner remains, a
    /// throttle count) take turns until this transaction ends. SQLite's
    /// `BEGIN IMMEDIATE` already admits one writer at a time; PostgreSQL
    /// takes a transaction-scoped advisory lock named by `key`, so two
    /// transactions can never both read "another owner remains" and then
    /// each remove the other.
    pub(crate) async fn serialize(&mut self, key: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1)::bigint)")
                .bind(key)
                .execute(self.conn()?)
                .await?;
        }
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        self.conn
            .as_deref_mut()
            .ok_or_else(|| StoreError::Other("transaction already finished".into()))
    }

    /// Commits. If COMMIT fails the outcome is unknown to this connection,
    /// so it is closed instead of going back to the pool.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.finish("COMMIT").await
    }

    pub async fn rollback(mut self) -> Result<(), StoreError> {
        self.finish("ROLLBACK").await
    }

    async fn finish(&mut self, statement: &'static str) -> Result<(), StoreError> {
        // The connection stays in the WriteTx until the statement has
        // answered: a failure, or the caller giving up half way, leaves it
        // to Drop, which closes it.
        match self.conn()?.execute(statement).await {
            Ok(_) => {
                self.conn.take();
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, statement, "transaction end failed; discarding connection");
                Err(e.into())
            }
        }
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            // Unfinished: never hand a connection inside a transaction back.
            conn.close_on_drop();
        }
    }
}

/// The system clock in unix milliseconds, for callers without a clock of
/// their own (the CLI, migrations). The web layer uses its own `Clock`.
pub fn system_now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A new unique id: time-ordered, so inserts cluster in the index.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// A consistent copy of a SQLite database at `path` (`VACUUM INTO`), taken
/// while other connections keep reading and writing.
pub async fn copy_sqlite_to(store: &Store, path: &std::path::Path) -> Result<(), StoreError> {
    if store.backend() != Backend::Sqlite {
        return Err(StoreError::Other("a file copy needs SQLite".into()));
    }
    let target = path
        .to_str()
        .ok_or_else(|| StoreError::Other("the backup path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&store.pool)
        .await?;
    Ok(())
}

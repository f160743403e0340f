//! The hot pages' reads, run on SQLite through rusqlite and on PostgreSQL
//! through sqlx, with the same SQL text and one decoder per row type.
//!
//! Why two drivers for SQLite: sqlx's SQLite driver runs each connection on
//! its own worker thread and hands every row across a channel to the async
//! side, then converts it into an `AnyRow`. For the ability page's cards
//! statement (71 rows at a million observations) that cost 625 µs against
//! 180 µs for SQLite itself (bench/README.md, "The SQLite driver"). Here a
//! statement runs on one of tokio's blocking threads over a small pool of
//! read-only connections and comes back as decoded rows: one hand-off per
//! statement, none per row. Writes and transactions stay on sqlx, so the
//! durability rules in `lib.rs` are untouched; a read-only connection in
//! WAL mode sees every committed write, as the pool's own connections do.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OpenFlags};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::StoreError;

/// A statement's argument: the only two types the hot reads bind.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Arg::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::Int(n) => ToSqlOutput::Owned(Value::Integer(*n)),
        })
    }
}

/// A row as either driver gives it, read by column position.
pub(crate) trait Cols {
    fn text(&self, i: usize) -> Result<String, StoreError>;
    /// The text without a copy where the driver allows (rusqlite does):
    /// for reads that count rows rather than keep them.
    fn text_ref(&self, i: usize) -> Result<Cow<'_, str>, StoreError>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
    }
}

/// A row type of the hot reads: decoded once, by position, from either
/// driver.
pub(crate) trait FromCols: Sized + Send + 'static {
    fn from_cols(row: &dyn Cols) -> Result<Self, StoreError>;
}

impl Cols for AnyRow {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn text_ref(&self, i: usize) -> Result<Cow<'_, str>, StoreError> {
        Ok(Cow::Owned(self.try_get(i)?))
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }
}

impl Cols for rusqlite::Row<'_> {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.get(i)?)
    }
    fn text_ref(&self, i: usize) -> Result<Cow<'_, str>, StoreError> {
        self.get_ref(i)?
            .as_str()
            .map(Cow::Borrowed)
            .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(i)?)
    }
}

/// Read-only SQLite connections for the hot reads, opened on demand up to
/// `MAX` and kept for reuse.
pub(crate) struct Readers {
    path: String,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<tokio::sync::Semaphore>,
}

/// As many readers as can usefully run at once on a small machine; more
/// wait for a permit rather than pile up on the blocking pool.
const MAX: usize = 4;

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").finish_non_exhaustive()
    }
}

impl Readers {
    /// Readers of the SQLite file that the sqlx URL `url` names.
    pub(crate) fn for_url(url: &str) -> Option<Readers> {
        let rest = url.strip_prefix("sqlite://")?;
        let path = rest.split('?').next().unwrap_or(rest);
        if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
            return None;
        }
        Some(Readers {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(tokio::sync::Semaphore::new(MAX)),
        })
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // The same read settings as the pool's connections (lib.rs).
        conn.execute_batch(
            "PRAGMA busy_timeout = 5000; PRAGMA mmap_size = 1073741824; \
             PRAGMA cache_size = -8192;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// The rows of `sql` with `args` bound to `$1`, `$2`, …; `max` at most.
    async fn rows<T: FromCols>(
        self: &Arc<Self>,
        sql: String,
        args: Vec<Arg>,
        max: usize,
    ) -> Result<Vec<T>, StoreError> {
        self.blocking(move |conn| query(conn, &sql, &args, max))
            .await
    }

    /// Runs `work` on a reader connection on one of tokio's blocking
    /// threads.
    async fn blocking<R: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("readers closed".into()))?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            this.run(work)
        })
        .await
        .map_err(|e| StoreError::Other(format!("read task failed: {e}")))?
    }

    fn run<R>(
        &self,
        work: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = work(&conn);
        // A connection is only ever read with; whatever a statement's
        // outcome, it is fit to go back.
        if let Ok(mut v) = self.idle.lock() {
            v.push(conn);
        }
        out
    }
}

/// `sql` prepared on `conn` with `args` bound, ready to step.
fn prepared<'c>(
    conn: &'c Connection,
    sql: &str,
    args: &[Arg],
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    tracing::debug!(target: "cairn_store::query", { db.statement = sql }, "read");
    let mut stmt = conn.prepare_cached(sql)?;
    // `$n` names the n-th argument wherever it appears, as with sqlx;
    // SQLite numbers parameters by first appearance, so bind by name.
    for i in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(i)
            .and_then(|name| name.trim_start_matches(['$', '?']).parse::<usize>().ok())
            .ok_or_else(|| StoreError::Other(format!("parameter {i} of a read has no $n name")))?;
        let arg = args
            .get(n - 1)
            .ok_or_else(|| StoreError::Other(format!("no argument for ${n}")))?;
        stmt.raw_bind_parameter(i, arg)?;
    }
    Ok(stmt)
}

fn query<T: FromCols>(
    conn: &Connection,
    sql: &str,
    args: &[Arg],
    max: usize,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = prepared(conn, sql, args)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while out.len() < max {
        let Some(row) = rows.next()? else { break };
        out.push(T::from_cols(row)?);
    }
    Ok(out)
}

/// Every row of `sql` on `store`: rusqlite on SQLite, sqlx on PostgreSQL.
pub(crate) async fn all<T: FromCols>(
    store: &crate::Store,
    sql: String,
    args: Vec<Arg>,
) -> Result<Vec<T>, StoreError> {
    if let Some(readers) = &store.readers {
        return readers.rows(sql, args, usize::MAX).await;
    }
    let rows = bound(&sql, args).fetch_all(&store.pool).await?;
    rows.iter().map(|r| T::from_cols(r)).collect()
}

/// Folds every row of `sql` into `state` with `step`, without keeping the
/// rows: on SQLite on the reader's thread, straight from the driver's
/// buffers (`Cols::text_ref` borrows), so counting 20,000 rows allocates
/// nothing per row.
pub(crate) async fn fold<S, F>(
    store: &crate::Store,
    sql: String,
    args: Vec<Arg>,
    state: S,
    mut step: F,
) -> Result<S, StoreError>
where
    S: Send + 'static,
    F: FnMut(&mut S, &dyn Cols) -> Result<(), StoreError> + Send + 'static,
{
    if let Some(readers) = &store.readers {
        return readers
            .blocking(move |conn| {
                let mut state = state;
                let mut stmt = prepared(conn, &sql, &args)?;
                let mut rows = stmt.raw_query();
                while let Some(row) = rows.next()? {
                    step(&mut state, row)?;
                }
                Ok(state)
            })
            .await;
    }
    let mut state = state;
    for row in bound(&sql, args).fetch_all(&store.pool).await? {
        step(&mut state, &row)?;
    }
    Ok(state)
}

/// The first row of `sql`, if any (single-row reads).
pub(crate) async fn one<T: FromCols>(
    store: &crate::Store,
    sql: String,
    args: Vec<Arg>,
) -> Result<Option<T>, StoreError> {
    if let Some(readers) = &store.readers {
        return Ok(readers.rows(sql, args, 1).await?.pop());
    }
    let row = bound(&sql, args).fetch_optional(&store.pool).await?;
    row.as_ref().map(|r| T::from_cols(r)).transpose()
}

fn bound(sql: &str, args: Vec<Arg>) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s),
            Arg::Int(n) => q.bind(n),
        };
    }
    q
}

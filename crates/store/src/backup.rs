//! Logical backup and restore of a whole instance, on either backend.
//!
//! A dump is JSON lines: a header (format, the migrations the schema had),
//! then per table a line naming it and its columns followed by one line per
//! row (an array of strings, integers and nulls). It is read in one
//! snapshot (a read transaction), streamed row by row, and restores into
//! an empty database of either backend: a SQLite instance moves to
//! PostgreSQL this way. `TABLES` is the one list of what is backed up, in an
//! order that satisfies foreign keys; a test proves it names every table of
//! the schema.

use std::io::{BufRead, Write};

use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{Column, Executor, Row};

use crate::{Backend, Store, StoreError};

pub const FORMAT: &str = "cairn-backup/1";

/// Every table, parents before children.
pub const TABLES: &[&str] = &[
    "organizations",
    "people",
    "abilities",
    "milestones",
    "roles",
    "role_requirements",
    "positions",
    "position_roles",
    "position_requirements",
    "sessions",
    "api_tokens",
    "memberships",
    "reports_to",
    "teams",
    "tenures",
    "invitations",
    "sign_in_failures",
    "conversations",
    "comments",
    "history",
    "observations",
    "observation_observees",
    "observation_ratings",
    "observation_revisions",
    "ability_stats",
    "awards",
    "award_evidence",
    "check_ins",
    "check_in_ratings",
    "check_in_acknowledgements",
    "notifications",
    "notification_settings",
    "digests",
    "webhooks",
    "deliveries",
    "password_resets",
    "instance_keys",
    "identities",
    "sso_logins",
    "sso_pending_links",
    "org_domains",
    "join_requests",
    "framework_versions",
    "framework_drafts",
    "framework_forks",
    "proposals",
    "proposal_supports",
    "credential_keys",
    "credentials",
    "audit_log",
];

/// Rows per table, in `TABLES` order.
pub type Counts = Vec<(&'static str, u64)>;

fn io(e: std::io::Error) -> StoreError {
    StoreError::Other(format!("backup file: {e}"))
}

/// Tables the schema has (besides the migrations' own), for the test that
/// `TABLES` misses none.
pub async fn schema_tables(store: &Store) -> Result<Vec<String>, StoreError> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name"
        }
    };
    let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&store.pool).await?;
    Ok(rows)
}

/// Starts one read snapshot on `conn`: every table read after it shows the
/// same moment. End it with ROLLBACK (it wrote nothing).
pub(crate) async fn begin_snapshot(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), StoreError> {
    conn.execute(match backend {
        Backend::Sqlite => "BEGIN",
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    })
    .await?;
    Ok(())
}

/// The migrations the schema has had, for a document's header.
pub(crate) async fn migration_names(
    conn: &mut sqlx::AnyConnection,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT name FROM schema_migrations ORDER BY name")
        .fetch_all(conn)
        .await?;
    Ok(rows)
}

/// Streams the rows of `sql` (with `$1` bound to `bind`, when given) as
/// JSON values to `each`, with the row's index; returns how many.
pub(crate) async fn each_row(
    conn: &mut sqlx::AnyConnection,
    sql: String,
    bind: Option<&str>,
    mut each: impl FnMut(u64, Vec<Value>) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = q.bind(b.to_owned());
    }
    let mut rows = q.fetch(conn);
    let mut n = 0;
    while let Some(row) = rows.try_next().await? {
        let values: Vec<Value> = (0..row.columns().len())
            .map(|i| value(&row, i))
            .collect::<Result<_, _>>()?;
        each(n, values)?;
        n += 1;
    }
    Ok(n)
}

/// Writes a consistent dump of every table to `out`.
pub async fn dump(store: &Store, out: &mut impl Write) -> Result<Counts, StoreError> {
    let mut conn = store.read().await?;
    begin_snapshot(&mut conn, store.backend()).await?;
    let result = async {
        let header = serde_json::json!({
            "format": FORMAT,
            "migrations": migration_names(&mut conn).await?,
        });
        writeln!(out, "{header}").map_err(io)?;
        let mut counts = Vec::new();
        for table in TABLES {
            let columns = columns_of(&mut conn, store.backend(), table).await?;
            writeln!(
                out,
                "{}",
                serde_json::json!({ "table": table, "columns": columns })
            )
            .map_err(io)?;
            // `table` and the columns come from the constant list and the
            // schema itself.
            let sql = format!(
                "SELECT {} FROM {table} ORDER BY {}",
                columns.join(", "),
                columns.join(", ")
            );
            let n = each_row(&mut conn, sql, None, |_, values| {
                writeln!(out, "{}", Value::Array(values)).map_err(io)
            })
            .await?;
            counts.push((*table, n));
        }
        out.flush().map_err(io)?;
        Ok::<_, StoreError>(counts)
    }
    .await;
    // A read snapshot: ending it cannot lose anything.
    let _ = conn.execute("ROLLBACK").await;
    result
}

pub(crate) async fn columns_of(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    if rows.is_empty() {
        return Err(StoreError::Corrupt(format!("table {table} is missing")));
    }
    Ok(rows)
}

/// Which columns of `table` hold integers in this database (for binding
/// NULLs of the right type on restore).
pub(crate) async fn integer_columns(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<String> =
        match backend {
            Backend::Sqlite => sqlx::query_scalar(
                "SELECT name FROM pragma_table_info($1) WHERE upper(type) IN ('INTEGER', 'BIGINT')",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?,
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT column_name::text FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = $1
                AND data_type IN ('integer', 'bigint', 'smallint')",
                )
                .bind(table)
                .fetch_all(&mut *conn)
                .await?
            }
        };
    Ok(rows)
}

fn value(row: &sqlx::any::AnyRow, i: usize) -> Result<Value, StoreError> {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    Err(StoreError::Corrupt(format!(
        "column {} holds neither text nor an integer",
        row.columns()[i].name()
    )))
}

/// Why a dump was not restored; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreRefused {
    /// The target already holds organizations or people.
    NotEmpty,
    /// Line `line` of the dump is not what a dump holds there.
    Malformed { line: u64, message: String },
    /// The dump was made with a schema this build does not have.
    SchemaDiffers { missing: Vec<String> },
}

impl std::fmt::Display for RestoreRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreRefused::NotEmpty => write!(
                f,
                "the database is not empty: restore only into a new database"
            ),
            RestoreRefused::Malformed { line, message } => write!(f, "line {line}: {message}"),
            RestoreRefused::SchemaDiffers { missing } => write!(
                f,
                "the dump's schema has migrations this cairn does not know: {}",
                missing.join(", ")
            ),
        }
    }
}

/// One table being restored: its rows arrive in batches.
struct Current {
    table: &'static str,
    columns: Vec<String>,
    integer: Vec<bool>,
    rows: Vec<Vec<Value>>,
    count: u64,
}

/// Restores a dump into `store`, which must be migrated and empty. All of
/// it lands in one transaction, or none of it.
pub async fn restore(
    store: &Store,
    input: impl BufRead,
) -> Result<Result<Counts, RestoreRefused>, StoreError> {
    let refuse = |line: u64, message: String| Ok(Err(RestoreRefused::Malformed { line, message }));
    let mut lines = input.lines();
    let mut line_no = 0_u64;
    let mut next = || -> Result<Option<(u64, Result<Value, String>)>, StoreError> {
        let Some(line) = lines.next() else {
            return Ok(None);
        };
        line_no += 1;
        let line = line.map_err(io)?;
        Ok(Some((
            line_no,
            serde_json::from_str(&line).map_err(|e| e.to_string()),
        )))
    };
    let header = match next()? {
        None => return refuse(1, "the file is empty".into()),
        Some((_, Err(e))) => return refuse(1, e),
        Some((_, Ok(h))) => h,
    };
    if header.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return refuse(1, format!("not a cairn backup (format {FORMAT})"));
    }
    let known: Vec<&str> = crate::migrate::files(store.backend())
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let missing: Vec<String> = header
        .get("migrations")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|m| !known.contains(m))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if !missing.is_empty() {
        return Ok(Err(RestoreRefused::SchemaDiffers { missing }));
    }

    let backend = store.backend();
    let mut tx = store.begin_write().await?;
    let occupied: Vec<i64> =
        sqlx::query_scalar("SELECT 1 FROM organizations UNION ALL SELECT 1 FROM people")
            .fetch_all(tx.conn()?)
            .await?;
    if !occupied.is_empty() {
        return Ok(Err(RestoreRefused::NotEmpty));
    }
    let mut counts: Counts = Vec::new();
    let mut current: Option<Current> = None;
    while let Some((line, parsed)) = next()? {
        let v = match parsed {
            Ok(v) => v,
            Err(e) => return refuse(line, e),
        };
        if let Some(name) = v.get("table").and_then(Value::as_str) {
            if let Some(done) = current.take() {
                insert_rows(
                    tx.conn()?,
                    backend,
                    done.table,
                    &done.columns,
                    &done.integer,
                    &done.rows,
                )
                .await?;
                counts.push((done.table, done.count));
            }
            let Some(table) = TABLES.iter().copied().find(|t| *t == name) else {
                return refuse(line, format!("unknown table {name:?}"));
            };
            let Some(listed) = v.get("columns").and_then(Value::as_array) else {
                return refuse(line, "a table line names its columns".into());
            };
            let columns: Vec<String> = listed
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let have = columns_of(tx.conn()?, backend, table).await?;
            if let Some(c) = columns.iter().find(|c| !have.contains(c)) {
                return refuse(line, format!("{table} has no column {c:?}"));
            }
            let ints = integer_columns(tx.conn()?, backend, table).await?;
            current = Some(Current {
                table,
                integer: columns.iter().map(|c| ints.contains(c)).collect(),
                columns,
                rows: Vec::new(),
                count: 0,
            });
            continue;
        }
        let Some(cur) = current.as_mut() else {
            return refuse(line, "a row before any table line".into());
        };
        match v {
            Value::Array(values)
                if values.len() == cur.columns.len()
                    && values
                        .iter()
                        .all(|x| x.is_null() || x.is_string() || x.is_i64() || x.is_boolean()) =>
            {
                cur.rows.push(values);
                cur.count += 1;
                if cur.rows.len() >= 500 {
                    insert_rows(
                        tx.conn()?,
                        backend,
                        cur.table,
                        &cur.columns,
                        &cur.integer,
                        &cur.rows,
                    )
                    .await?;
                    cur.rows.clear();
                }
            }
            _ => {
                return refuse(
                    line,
                    format!(
                        "a row of {} is {} values (text, integers or null)",
                        cur.table,
                        cur.columns.len()
                    ),
                );
            }
        }
    }
    if let Some(done) = current.take() {
        insert_rows(
            tx.conn()?,
            backend,
            done.table,
            &done.columns,
            &done.integer,
            &done.rows,
        )
        .await?;
        counts.push((done.table, done.count));
    }
    // What is derived from other rows, for backups made before it was kept:
    // each membership's copy of its person's name, and the reports-to
    // closure (rebuilt whole; equal to a restored one).
    let conn = tx.conn()?;
    sqlx::query(
        "UPDATE memberships SET person_name = (SELECT p.name FROM people p WHERE p.id = memberships.person_id)
          WHERE person_name = ''",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE observation_observees SET observed_on = (
             SELECT o.observed_on FROM observations o WHERE o.id = observation_observees.observation_id)
          WHERE observed_on = 0",
    )
    .execute(&mut *conn)
    .await?;
    let orgs: Vec<String> = sqlx::query_scalar("SELECT id FROM organizations")
        .fetch_all(&mut *conn)
        .await?;
    for org in orgs {
        crate::members::rebuild_reports(&mut *conn, &crate::orgs::OrgId(org)).await?;
    }
    tx.commit().await?;
    Ok(Ok(counts))
}

/// Inserts `rows` into `table`; `integer` says which columns take a NULL
/// as an integer (PostgreSQL wants its type).
pub(crate) async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[String],
    integer: &[bool],
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=columns.len())
        .map(|n| match backend {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${n}"),
        })
        .collect();
    // `table` is from TABLES and the columns were checked against the schema.
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    );
    for row in rows {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (v, is_int) in row.iter().zip(integer) {
            q = match v {
                Value::Null if *is_int => q.bind(None::<i64>),
                Value::Null => q.bind(None::<String>),
                Value::Bool(b) => q.bind(i64::from(*b)),
                Value::Number(n) => q.bind(n.as_i64().unwrap_or_default()),
                Value::String(s) => q.bind(s.clone()),
                _ => q.bind(None::<String>),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

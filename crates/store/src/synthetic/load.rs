//! How the synthetic rows are written: multi-row INSERTs on SQLite,
//! COPY on PostgreSQL, with PostgreSQL's secondary indexes built once after
//! the load.

use sqlx::AnyConnection;

use crate::{Backend, StoreError};

#[derive(Clone)]
pub(super) enum V {
    T(String),
    I(i64),
    Null,
    /// PostgreSQL wants a NULL of the column's type.
    NullInt,
}

/// Where a bulk load goes: multi-row INSERTs through the store's
/// connection, or PostgreSQL's COPY on a native connection (the `Any`
/// driver offers no COPY), several times faster for a million rows.
pub(super) enum Loader<'a> {
    Insert(&'a mut AnyConnection, Backend),
    Copy(&'a mut sqlx::PgConnection),
}

impl Loader<'_> {
    pub(super) async fn load(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<V>],
    ) -> Result<(), StoreError> {
        match self {
            Loader::Insert(conn, backend) => insert(conn, *backend, table, columns, rows).await,
            Loader::Copy(conn) => copy(conn, table, columns, rows).await,
        }
    }
}

/// COPY … FROM STDIN in PostgreSQL's text format; `table` and `columns`
/// are constants.
async fn copy(
    conn: &mut sqlx::PgConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<V>],
) -> Result<(), StoreError> {
    let statement = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
    let mut sink = conn.copy_in_raw(&statement).await?;
    let mut buf = String::with_capacity(1 << 20);
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            match v {
                V::T(s) => {
                    for ch in s.chars() {
                        match ch {
                            '\\' => buf.push_str("\\\\"),
                            '\t' => buf.push_str("\\t"),
                            '\n' => buf.push_str("\\n"),
                            '\r' => buf.push_str("\\r"),
                            c => buf.push(c),
                        }
                    }
                }
                V::I(n) => buf.push_str(&n.to_string()),
                V::Null | V::NullInt => buf.push_str("\\N"),
            }
        }
        buf.push('\n');
        if buf.len() > (1 << 20) {
            sink.send(std::mem::take(&mut buf).into_bytes()).await?;
        }
    }
    if !buf.is_empty() {
        sink.send(buf.into_bytes()).await?;
    }
    sink.finish().await?;
    Ok(())
}

/// The secondary indexes of the tables a bulk load fills, as PostgreSQL
/// would recreate them: dropped before the load and built after it, once,
/// instead of being kept up to date row by row.
const BULK_TABLES: &str = "'observations', 'observation_observees', 'observation_ratings', 'awards', 'memberships', 'people'";

pub(super) async fn drop_indexes(conn: &mut sqlx::PgConnection) -> Result<Vec<String>, StoreError> {
    use sqlx::Row;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i
          WHERE i.schemaname = current_schema() AND i.tablename IN ({BULK_TABLES})
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut defs = Vec::new();
    for r in rows {
        let name: String = r.try_get("indexname")?;
        defs.push(r.try_get::<String, _>("indexdef")?);
        // The name comes from the catalogue, quoted as an identifier.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP INDEX \"{}\"",
            name.replace('"', "\"\"")
        )))
        .execute(&mut *conn)
        .await?;
    }
    Ok(defs)
}

/// INSERT … VALUES (…), (…) in chunks; `table` and `columns` are constants.
async fn insert(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<V>],
) -> Result<(), StoreError> {
    let per_row = columns.len();
    // SQLite gets anonymous `?` parameters: it looks numbered ones up in a
    // list, so binding them costs the square of a statement's parameters.
    // Every full chunk is the same text, prepared once.
    let params = match backend {
        Backend::Sqlite => 4000,
        Backend::Postgres => 20_000,
    };
    for chunk in rows.chunks((params / per_row).max(1)) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..per_row {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                match backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => sql.push_str(&format!("${n}")),
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    V::T(s) => q.bind(s.clone()),
                    V::I(i) => q.bind(*i),
                    V::Null => q.bind(None::<String>),
                    V::NullInt => q.bind(None::<i64>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

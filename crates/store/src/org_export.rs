//! Everything of one organization as one JSON document, importable into
//! another instance: its framework, members, observations, awards,
//! conversations, history, figures and audit log, and the people those
//! rows name (with no password: they set one on the new instance). Not
//! included: sessions, API tokens, sign-in failures and invitations, which
//! are secrets or belong to this instance.
//!
//! ```json
//! {"format": "cairn-org/1", "organization": "fernhill", "migrations": [..],
//!  "tables": [{"table": "organizations", "columns": [..], "rows": [[..], ..]}, ..]}
//! ```

use std::io::Write;

use serde_json::Value;
use sqlx::Executor;

use crate::backup::{
    begin_snapshot, columns_of, each_row, insert_rows, integer_columns, migration_names,
};
use crate::orgs::OrgId;
use crate::{Store, StoreError};

pub const FORMAT: &str = "cairn-org/1";

/// Tables of the backup that are not in an export: the organization and
/// people are chosen separately; the rest are secrets or belong to this
/// instance.
const NOT_EXPORTED: &[&str] = &[
    "organizations",
    "people",
    "sessions",
    "api_tokens",
    "sign_in_failures",
    "invitations",
];

/// Tables holding one organization's rows (by `org_id`), parents first:
/// the backup's list, so a new table is exported unless excluded above.
fn org_tables() -> impl Iterator<Item = &'static str> {
    crate::backup::TABLES
        .iter()
        .copied()
        .filter(|t| !NOT_EXPORTED.contains(t))
}

/// People named by the organization's rows.
const PEOPLE: &str = "SELECT person_id FROM memberships WHERE org_id = $1
    UNION SELECT manager_id FROM memberships WHERE org_id = $1
    UNION SELECT author_id FROM conversations WHERE org_id = $1
    UNION SELECT resolved_by FROM conversations WHERE org_id = $1
    UNION SELECT author_id FROM comments WHERE org_id = $1
    UNION SELECT actor_id FROM history WHERE org_id = $1
    UNION SELECT observer_id FROM observations WHERE org_id = $1
    UNION SELECT person_id FROM observation_observees WHERE org_id = $1
    UNION SELECT recipient_id FROM awards WHERE org_id = $1
    UNION SELECT certifier_id FROM awards WHERE org_id = $1
    UNION SELECT revoked_by FROM awards WHERE org_id = $1
    UNION SELECT actor_id FROM audit_log WHERE org_id = $1";

fn io(e: std::io::Error) -> StoreError {
    StoreError::Other(format!("export: {e}"))
}

/// Writes the document for `org`, read in one snapshot.
pub async fn export(store: &Store, org: &OrgId, out: &mut impl Write) -> Result<u64, StoreError> {
    let backend = store.backend();
    let mut conn = store.read().await?;
    begin_snapshot(&mut conn, backend).await?;
    let result = async {
        let (slug,): (String,) = sqlx::query_as("SELECT slug FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let migrations = migration_names(&mut conn).await?;
        write!(
            out,
            "{{\"format\":{},\"organization\":{},\"migrations\":{},\"tables\":[",
            Value::from(FORMAT),
            Value::from(slug),
            Value::from(migrations)
        )
        .map_err(io)?;
        let mut total = 0;
        let tables = std::iter::once(("organizations", "id = $1".to_owned()))
            .chain(std::iter::once(("people", format!("id IN ({PEOPLE})"))))
            .chain(org_tables().map(|t| (t, "org_id = $1".to_owned())));
        for (i, (table, filter)) in tables.enumerate() {
            let columns = columns_of(&mut conn, backend, table).await?;
            // Passwords stay on this instance.
            let select: Vec<String> = columns
                .iter()
                .map(|c| {
                    if table == "people" && c == "password_hash" {
                        "'!' AS password_hash".to_owned()
                    } else {
                        c.clone()
                    }
                })
                .collect();
            write!(
                out,
                "{}{{\"table\":{},\"columns\":{},\"rows\":[",
                if i == 0 { "" } else { "," },
                Value::from(table),
                Value::from(columns.clone())
            )
            .map_err(io)?;
            // Table and column names come from constants and the schema.
            let sql = format!(
                "SELECT {} FROM {table} WHERE {filter} ORDER BY {}",
                select.join(", "),
                columns.join(", ")
            );
            let n = each_row(&mut conn, sql, Some(org.as_str()), |i, values| {
                write!(
                    out,
                    "{}{}",
                    if i == 0 { "" } else { "," },
                    Value::Array(values)
                )
                .map_err(io)
            })
            .await?;
            total += n;
            write!(out, "]}}").map_err(io)?;
        }
        write!(out, "]}}").map_err(io)?;
        out.flush().map_err(io)?;
        Ok::<_, StoreError>(total)
    }
    .await;
    let _ = conn.execute("ROLLBACK").await;
    result
}

/// Why an organization was not imported; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRefused {
    /// Not a document this version reads.
    NotAnExport(String),
    /// This instance already has the organization (by slug or id).
    OrganizationExists(String),
    /// People of the document whose email belongs to someone else here.
    EmailsTaken(Vec<String>),
}

impl std::fmt::Display for ImportRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportRefused::NotAnExport(why) => write!(f, "not a cairn organization export: {why}"),
            ImportRefused::OrganizationExists(slug) => {
                write!(f, "this instance already has an organization {slug}")
            }
            ImportRefused::EmailsTaken(emails) => write!(
                f,
                "these emails belong to other accounts here: {}",
                emails.join(", ")
            ),
        }
    }
}

/// Imports a document written by `export`, in one transaction. People
/// already here with the same id are kept as they are.
pub async fn import(
    store: &Store,
    doc: &Value,
) -> Result<Result<String, ImportRefused>, StoreError> {
    let not = |why: &str| Ok(Err(ImportRefused::NotAnExport(why.to_owned())));
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return not("the format is not cairn-org/1");
    }
    let known: Vec<&str> = crate::migrate::files(store.backend())
        .iter()
        .map(|(n, _)| *n)
        .collect();
    if let Some(m) = doc
        .get("migrations")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .find(|m| !known.contains(m))
        })
    {
        return not(&format!("made by a newer cairn (migration {m})"));
    }
    let Some(tables) = doc.get("tables").and_then(Value::as_array) else {
        return not("no tables");
    };
    let slug = doc
        .get("organization")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let backend = store.backend();
    let mut tx = store.begin_write().await?;

    for t in tables {
        let (Some(name), Some(columns), Some(rows)) = (
            t.get("table").and_then(Value::as_str),
            t.get("columns").and_then(Value::as_array),
            t.get("rows").and_then(Value::as_array),
        ) else {
            return not("a table without its name, columns or rows");
        };
        let Some(table) = std::iter::once("organizations")
            .chain(std::iter::once("people"))
            .chain(org_tables())
            .find(|x| *x == name)
        else {
            return not(&format!("unknown table {name:?}"));
        };
        let columns: Vec<String> = columns
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let have = columns_of(tx.conn()?, backend, table).await?;
        if let Some(c) = columns.iter().find(|c| !have.contains(c)) {
            return not(&format!("{table} has no column {c:?}"));
        }
        let mut values: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
        for r in rows {
            match r.as_array() {
                Some(v) if v.len() == columns.len() => values.push(v.clone()),
                _ => return not(&format!("a row of {table} does not match its columns")),
            }
        }
        let at = |row: &Vec<Value>, col: &str| {
            columns
                .iter()
                .position(|c| c == col)
                .and_then(|i| row[i].as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        if table == "organizations" {
            for row in &values {
                let clash: Vec<(i64,)> =
                    sqlx::query_as("SELECT 1 FROM organizations WHERE id = $1 OR slug = $2")
                        .bind(at(row, "id"))
                        .bind(at(row, "slug"))
                        .fetch_all(tx.conn()?)
                        .await?;
                if !clash.is_empty() {
                    return Ok(Err(ImportRefused::OrganizationExists(at(row, "slug"))));
                }
            }
        }
        if table == "people" {
            // Someone already here (same id) stays as they are; an email
            // taken by another account is a refusal.
            let mut taken = Vec::new();
            let mut new_people = Vec::new();
            for row in values {
                let same: Vec<(String,)> =
                    sqlx::query_as("SELECT id FROM people WHERE id = $1 OR email = $2")
                        .bind(at(&row, "id"))
                        .bind(at(&row, "email"))
                        .fetch_all(tx.conn()?)
                        .await?;
                match same.first() {
                    None => new_people.push(row),
                    Some((id,)) if *id == at(&row, "id") => {}
                    Some(_) => taken.push(at(&row, "email")),
                }
            }
            if !taken.is_empty() {
                return Ok(Err(ImportRefused::EmailsTaken(taken)));
            }
            values = new_people;
        }
        let ints = integer_columns(tx.conn()?, backend, table).await?;
        let integer: Vec<bool> = columns.iter().map(|c| ints.contains(c)).collect();
        insert_rows(tx.conn()?, backend, table, &columns, &integer, &values).await?;
    }
    tx.commit().await?;
    Ok(Ok(slug))
}

//! Published versions of a framework: numbered per organization, each the
//! framework file as it was published and its release notes. Publishing
//! is one transaction that checks, under the organization's lock, that
//! nobody published first and that the framework did not move since it
//! was read.

use sqlx::AnyConnection;

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub number: i64,
    pub notes: String,
    pub published_at: Millis,
    /// Who published it ('' for the command line).
    pub by: String,
}

/// Why a publish changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Someone published first: the latest is this one.
    AlreadyPublished(i64),
    /// Nothing changed since the latest version.
    NothingToPublish,
    /// The framework changed while the version was being made.
    Moved,
}

/// What to publish: the framework file read at framework version
/// `read_at` (the organization's write counter), over version `after`.
pub struct Publish<'a> {
    pub after: i64,
    pub read_at: i64,
    pub snapshot: &'a str,
    pub notes: &'a str,
    pub by: Option<&'a PersonId>,
}

/// Publishes version `after + 1`. Its number, or why not.
pub async fn publish(
    store: &Store,
    org: &OrgId,
    p: &Publish<'_>,
    now: Millis,
) -> Result<Result<i64, Refused>, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("versions:{}", org.as_str())).await?;
    let latest = latest_in(tx.conn()?, org).await?;
    let latest_number = latest.as_ref().map_or(0, |(n, _)| *n);
    if latest_number != p.after {
        tx.rollback().await?;
        return Ok(Err(Refused::AlreadyPublished(latest_number)));
    }
    if latest.as_ref().is_some_and(|(_, s)| s == p.snapshot) {
        tx.rollback().await?;
        return Ok(Err(Refused::NothingToPublish));
    }
    let counter: Option<i64> =
        sqlx::query_scalar("SELECT framework_version FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(tx.conn()?)
            .await?;
    if counter != Some(p.read_at) {
        tx.rollback().await?;
        return Ok(Err(Refused::Moved));
    }
    let number = latest_number + 1;
    match insert(tx.conn()?, org, number, p.notes, p.snapshot, p.by, now).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Ok(Err(Refused::AlreadyPublished(number))),
        Err(e) => return Err(e),
    }
    tx.commit().await?;
    Ok(Ok(number))
}

/// The newest version's number and file, read in a writing transaction.
pub(crate) async fn latest_in(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT number, snapshot FROM framework_versions WHERE org_id = $1
          ORDER BY number DESC LIMIT 1",
    )
    .bind(org.as_str())
    .fetch_optional(&mut *conn)
    .await?)
}

/// Records version `number`, inside the publishing transaction.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    org: &OrgId,
    number: i64,
    notes: &str,
    snapshot: &str,
    by: Option<&PersonId>,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO framework_versions (org_id, number, notes, snapshot, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org.as_str())
    .bind(number)
    .bind(notes)
    .bind(snapshot)
    .bind(by.map(PersonId::as_str))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A page of the organization's versions, newest first, each with its
/// framework file, and whether older ones follow. `per + 1` rows are read
/// so the oldest of the page can be compared with the one before it (the
/// extra row, returned last when there is one).
pub async fn page(
    store: &Store,
    org: &OrgId,
    page: i64,
    per: i64,
) -> Result<(Vec<(Version, String)>, bool), StoreError> {
    let rows: Vec<(i64, String, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT v.number, v.notes, v.published_at, p.name, v.snapshot FROM framework_versions v
           LEFT JOIN people p ON p.id = v.published_by
          WHERE v.org_id = $1 ORDER BY v.number DESC LIMIT $2 OFFSET $3",
    )
    .bind(org.as_str())
    .bind(per + 1)
    .bind(page.max(0) * per)
    .fetch_all(&store.pool)
    .await?;
    let more = rows.len() as i64 > per;
    let list = rows
        .into_iter()
        .map(|(number, notes, published_at, by, snapshot)| {
            (
                Version {
                    number,
                    notes,
                    published_at,
                    by: by.unwrap_or_default(),
                },
                snapshot,
            )
        })
        .collect();
    Ok((list, more))
}

/// Up to `limit` versions older than `before` (None: the newest), newest
/// first, without their files; and the number the next page starts
/// before, when older ones follow.
pub async fn list(
    store: &Store,
    org: &OrgId,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<Version>, Option<i64>), StoreError> {
    let rows: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT v.number, v.notes, v.published_at, p.name FROM framework_versions v
           LEFT JOIN people p ON p.id = v.published_by
          WHERE v.org_id = $1 AND v.number < $2 ORDER BY v.number DESC LIMIT $3",
    )
    .bind(org.as_str())
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit + 1)
    .fetch_all(&store.pool)
    .await?;
    let mut list: Vec<Version> = rows
        .into_iter()
        .map(|(number, notes, published_at, by)| Version {
            number,
            notes,
            published_at,
            by: by.unwrap_or_default(),
        })
        .collect();
    let next = if list.len() as i64 > limit {
        list.truncate(limit as usize);
        list.last().map(|v| v.number)
    } else {
        None
    };
    Ok((list, next))
}

/// One version's framework file.
pub async fn snapshot(
    store: &Store,
    org: &OrgId,
    number: i64,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT snapshot FROM framework_versions WHERE org_id = $1 AND number = $2",
    )
    .bind(org.as_str())
    .bind(number)
    .fetch_optional(&store.pool)
    .await?)
}

/// One version (the newest when `number` is None) with its framework file.
pub async fn get(
    store: &Store,
    org: &OrgId,
    number: Option<i64>,
) -> Result<Option<(Version, String)>, StoreError> {
    let row: Option<(i64, String, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT v.number, v.notes, v.published_at, p.name, v.snapshot FROM framework_versions v
           LEFT JOIN people p ON p.id = v.published_by
          WHERE v.org_id = $1 AND v.number <= $2 ORDER BY v.number DESC LIMIT 1",
    )
    .bind(org.as_str())
    .bind(number.unwrap_or(i64::MAX))
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.filter(|r| number.is_none_or(|n| n == r.0)).map(
        |(number, notes, published_at, by, snapshot)| {
            (
                Version {
                    number,
                    notes,
                    published_at,
                    by: by.unwrap_or_default(),
                },
                snapshot,
            )
        },
    ))
}

/// The newest version's number, if any was published.
pub async fn latest(store: &Store, org: &OrgId) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT MAX(number) FROM framework_versions WHERE org_id = $1")
            .bind(org.as_str())
            .fetch_one(&store.pool)
            .await?,
    )
}

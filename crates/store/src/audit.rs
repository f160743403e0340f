//! The audit log (append-only; see migration 0010). Entries are written
//! after the change they describe has committed, so an entry never claims
//! something that did not happen.

use cairn_domain::audit::AuditAction;

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

/// One event to record.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// None for events about no single organization (sign-ins).
    pub org: Option<&'a OrgId>,
    /// None when nobody was signed in (a failed sign-in) or for an
    /// operator's command.
    pub actor: Option<&'a PersonId>,
    pub action: AuditAction,
    /// What it was done to, as people read it (a name, an email).
    pub subject: String,
    pub detail: String,
    pub client_ip: &'a str,
}

pub async fn record(store: &Store, e: &Entry<'_>, now: Millis) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    record_in(tx.conn()?, e, now).await?;
    tx.commit().await
}

/// Records `e` inside the caller's writing transaction, so the entry and
/// the change it describes are kept or lost together.
pub(crate) async fn record_in(
    conn: &mut sqlx::AnyConnection,
    e: &Entry<'_>,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (id, org_id, at, actor_id, action, subject, detail, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(e.org.map(OrgId::as_str))
    .bind(now)
    .bind(e.actor.map(PersonId::as_str))
    .bind(e.action.as_str())
    .bind(e.subject.chars().take(300).collect::<String>())
    .bind(e.detail.chars().take(1000).collect::<String>())
    .bind(e.client_ip.chars().take(64).collect::<String>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A recorded event as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Where a page of the log ends (with `at`).
    pub id: String,
    pub at: Millis,
    pub actor: Option<PersonId>,
    /// The actor's name, or "" when there was none.
    pub actor_name: String,
    pub action: AuditAction,
    pub subject: String,
    pub detail: String,
    pub client_ip: String,
}

/// Which records to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<AuditAction>,
    pub actor: Option<PersonId>,
    /// Only records older than this one (the next page).
    pub before: Option<crate::paging::Cursor>,
}

/// The newest `limit` records of `org` (or, with None, of no organization),
/// matching `filter`, newest first.
pub async fn list(
    store: &Store,
    org: Option<&OrgId>,
    filter: &Filter,
    limit: u32,
) -> Result<Vec<Record>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct RecordRow {
        id: String,
        at: i64,
        actor_id: Option<String>,
        actor_name: Option<String>,
        action: String,
        subject: String,
        detail: String,
        client_ip: String,
    }
    let rows: Vec<RecordRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT l.id, l.at, l.actor_id, p.name AS actor_name, l.action, l.subject, l.detail, l.client_ip
               FROM audit_log l LEFT JOIN people p ON p.id = l.actor_id
              WHERE (l.org_id = $1 OR ($1 = '' AND l.org_id IS NULL))
                AND ($2 = '' OR l.action = $2)
                AND ($3 = '' OR l.actor_id = $3)
                AND (l.at < $4 OR (l.at = $4 AND l.id < $5))
              ORDER BY l.at DESC, l.id DESC LIMIT {limit}"
    )))
    .bind(org.map_or("", OrgId::as_str))
    .bind(filter.action.map_or("", AuditAction::as_str))
    .bind(filter.actor.as_ref().map_or("", PersonId::as_str))
    .bind(filter.before.as_ref().map_or(i64::MAX, |c| c.at))
    .bind(filter.before.as_ref().map_or("", |c| c.id.as_str()))
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Record {
                id: r.id,
                at: r.at,
                actor: r.actor_id.map(PersonId),
                actor_name: r.actor_name.unwrap_or_default(),
                action: AuditAction::parse(&r.action)
                    .ok_or_else(|| StoreError::Corrupt(format!("audit action {:?}", r.action)))?,
                subject: r.subject,
                detail: r.detail,
                client_ip: r.client_ip,
            })
        })
        .collect()
}

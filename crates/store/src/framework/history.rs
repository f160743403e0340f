//! Each item's recorded changes: who, when, before and after.

use cairn_domain::history::Snapshot;
use cairn_domain::{Name, Slug};
use sqlx::AssertSqlSafe;

use super::*;
use crate::orgs::OrgId;
use crate::{Millis, Store, StoreError};

/// One entry of an item's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: Millis,
    /// None: a command-line import.
    pub actor: Option<Name>,
    pub change: String,
    pub before: Option<Snapshot>,
    pub after: Option<Snapshot>,
}

/// One item's changes, newest first, and whether it is archived now.
#[derive(Debug, Clone)]
pub struct ItemHistory {
    pub archived: bool,
    pub entries: Vec<HistoryEntry>,
}

/// An item's history, newest first. Works for archived items too.
pub async fn history(
    store: &Store,
    org: &OrgId,
    kind: ItemKind,
    slug: &Slug,
) -> Result<Option<ItemHistory>, StoreError> {
    let table = match kind {
        ItemKind::Ability => "abilities",
        ItemKind::Role => "roles",
        ItemKind::Position => "positions",
    };
    // `table` is one of three constants above.
    #[derive(sqlx::FromRow)]
    struct ItemRow {
        id: String,
        archived_at: Option<i64>,
    }
    #[derive(sqlx::FromRow)]
    struct EntryRow {
        at: i64,
        actor_name: Option<String>,
        change: String,
        before: Option<String>,
        after: Option<String>,
    }
    let item: Option<ItemRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT id, archived_at FROM {table} WHERE org_id = $1 AND slug = $2"
    )))
    .bind(org.as_str())
    .bind(slug.as_str())
    .fetch_optional(&store.pool)
    .await?;
    let Some(ItemRow { id, archived_at }) = item else {
        return Ok(None);
    };
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT h.at, p.name AS actor_name, h.change, h.before, h.after
           FROM history h LEFT JOIN people p ON p.id = h.actor_id
          WHERE h.org_id = $1 AND h.item_kind = $2 AND h.item_id = $3
          ORDER BY h.at DESC, h.id DESC",
    )
    .bind(org.as_str())
    .bind(kind.as_str())
    .bind(&id)
    .fetch_all(&store.pool)
    .await?;
    let parse = |s: Option<String>| s.map(|s| serde_json::from_str::<Snapshot>(&s)).transpose();
    rows.into_iter()
        .map(|e| {
            Ok(HistoryEntry {
                at: e.at,
                actor: e.actor_name.map(|a| Name::parse(&a, "name")).transpose()?,
                change: e.change,
                before: parse(e.before)?,
                after: parse(e.after)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
        .map(|entries| {
            Some(ItemHistory {
                archived: archived_at.is_some(),
                entries,
            })
        })
}

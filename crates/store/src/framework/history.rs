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
    let ids: Vec<(String, Option<i64>)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT id, archived_at FROM {table} WHERE org_id = $1 AND slug = $2"
    )))
    .bind(org.as_str())
    .bind(slug.as_str())
    .fetch_all(&store.pool)
    .await?;
    let Some((id, archived_at)) = ids.into_iter().next() else {
        return Ok(None);
    };
    let rows: Vec<(i64, Option<String>, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT h.at, p.name, h.change, h.before, h.after
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
        .map(|(at, actor, change, before, after)| {
            Ok(HistoryEntry {
                at,
                actor: actor.map(|a| Name::parse(&a, "name")).transpose()?,
                change,
                before: parse(before)?,
                after: parse(after)?,
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

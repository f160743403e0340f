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
    /// The version that published this change: the first published at or
    /// after it (a draft's changes are recorded as it is published). None
    /// while no version includes it yet.
    pub published_in: Option<i64>,
}

/// One item's changes, newest first, and whether it is archived now.
#[derive(Debug, Clone)]
pub struct ItemHistory {
    pub archived: bool,
    pub entries: Vec<HistoryEntry>,
    /// Where the next (older) page starts, when there is one.
    pub older: Option<crate::paging::Cursor>,
}

/// An item's history, newest first, older than `before`, `limit` entries
/// at most (None: all). Works for archived items too.
pub async fn history(
    store: &Store,
    org: &OrgId,
    kind: ItemKind,
    slug: &Slug,
    before: Option<&crate::paging::Cursor>,
    limit: Option<u32>,
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
        id: String,
        at: i64,
        actor_name: Option<String>,
        change: String,
        before: Option<String>,
        after: Option<String>,
        published_in: Option<i64>,
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
    // The limit is a number formatted here, never text from a request.
    let mut rows: Vec<EntryRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT h.id, h.at, p.name AS actor_name, h.change, h.before, h.after,
                (SELECT MIN(v.number) FROM framework_versions v
                  WHERE v.org_id = h.org_id AND v.published_at >= h.at) AS published_in
           FROM history h LEFT JOIN people p ON p.id = h.actor_id
          WHERE h.org_id = $1 AND h.item_kind = $2 AND h.item_id = $3
            AND (h.at < $4 OR (h.at = $4 AND h.id < $5))
          ORDER BY h.at DESC, h.id DESC{}",
        limit.map_or_else(String::new, |n| format!(" LIMIT {}", n + 1))
    )))
    .bind(org.as_str())
    .bind(kind.as_str())
    .bind(&id)
    .bind(before.map_or(i64::MAX, |c| c.at))
    .bind(before.map_or("", |c| c.id.as_str()))
    .fetch_all(&store.pool)
    .await?;
    let older = match limit {
        Some(n) if rows.len() > n as usize => {
            rows.truncate(n as usize);
            rows.last().map(|r| crate::paging::Cursor {
                at: r.at,
                id: r.id.clone(),
            })
        }
        _ => None,
    };
    let parse = |s: Option<String>| s.map(|s| serde_json::from_str::<Snapshot>(&s)).transpose();
    rows.into_iter()
        .map(|e| {
            Ok(HistoryEntry {
                at: e.at,
                actor: e.actor_name.map(|a| Name::parse(&a, "name")).transpose()?,
                change: e.change,
                before: parse(e.before)?,
                after: parse(e.after)?,
                published_in: e.published_in,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
        .map(|entries| {
            Some(ItemHistory {
                archived: archived_at.is_some(),
                entries,
                older,
            })
        })
}

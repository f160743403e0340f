//! Writing a whole framework: each item matched by slug and created,
//! updated, left alone or archived; every change recorded in the history.

use std::collections::{HashMap, HashSet};

use cairn_domain::history::Snapshot;
use cairn_domain::{Framework, Organization, Slug};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::*;
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, StoreError, new_id};

/// Who writes, where and when: what every write and history entry needs.
pub(super) struct Writer<'a> {
    pub(super) org: &'a OrgId,
    pub(super) actor: Option<&'a PersonId>,
    pub(super) now: Millis,
}

impl Writer<'_> {
    async fn record(
        &self,
        conn: &mut AnyConnection,
        kind: &str,
        item_id: &str,
        change: &str,
        before: Option<Snapshot>,
        after: Option<Snapshot>,
    ) -> Result<(), StoreError> {
        let json = |s: Option<Snapshot>| s.map(|s| serde_json::to_string(&s)).transpose();
        sqlx::query(
            "INSERT INTO history (id, org_id, item_kind, item_id, actor_id, at, change, before, after)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(self.org.as_str())
        .bind(kind)
        .bind(item_id)
        .bind(self.actor.map(PersonId::as_str))
        .bind(self.now)
        .bind(change)
        .bind(json(before)?)
        .bind(json(after)?)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Records what a plan did to one item.
    async fn record_plan<T: Written>(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        plan: &Plan,
        old: Option<&Stored<T>>,
        new: &T,
    ) -> Result<(), StoreError> {
        let (kind, snap) = (T::KIND.as_str(), T::snapshot);
        match (plan, old) {
            (Plan::Insert, _) => {
                self.record(conn, kind, id, "created", None, Some(snap(new)))
                    .await
            }
            (Plan::Update { .. }, Some(o)) if o.archived => {
                self.record(
                    conn,
                    kind,
                    id,
                    "restored",
                    Some(snap(&o.item)),
                    Some(snap(new)),
                )
                .await
            }
            (
                Plan::Update {
                    content_changed: true,
                    ..
                },
                Some(o),
            ) => {
                self.record(
                    conn,
                    kind,
                    id,
                    "updated",
                    Some(snap(&o.item)),
                    Some(snap(new)),
                )
                .await
            }
            _ => Ok(()),
        }
    }
}

/// Writes the desired framework over what is stored: items matched by
/// slug, changed rows only, missing items archived, every change recorded.
pub(super) async fn write_framework(
    conn: &mut AnyConnection,
    w: &Writer<'_>,
    fw: &Framework,
    existing: Items,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let org = w.org;
    let ability_ids = write_items(
        conn,
        w,
        &fw.abilities,
        existing.abilities,
        &mut summary.abilities,
    )
    .await?;
    let role_ids = write_items(conn, w, &fw.roles, existing.roles, &mut summary.roles).await?;
    let position_ids = write_items(
        conn,
        w,
        &fw.positions,
        existing.positions,
        &mut summary.positions,
    )
    .await?;
    // Requirements and position roles of active items are rewritten whole:
    // they have no identity of their own, and whether they changed is
    // already reflected in their owner's updated_at. Those of archived
    // items stay, so a restore brings an item back as it was.
    for (table, owner, owners) in [
        ("role_requirements", "role_id", "roles"),
        ("position_requirements", "position_id", "positions"),
        ("position_roles", "position_id", "positions"),
    ] {
        // Table and column names come from the constant list above.
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE org_id = $1
                AND {owner} IN (SELECT id FROM {owners} WHERE org_id = $1 AND archived_at IS NULL)"
        )))
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    }
    let lookup = |ids: &HashMap<Slug, String>, slug: &Slug| {
        ids.get(slug)
            .cloned()
            .ok_or_else(|| StoreError::Other(format!("unresolved reference to {slug}")))
    };
    for role in &fw.roles {
        let role_id = lookup(&role_ids, &role.slug)?;
        for (i, req) in role.requires.iter().enumerate() {
            sqlx::query(
                "INSERT INTO role_requirements (org_id, role_id, ability_id, level, sort_order)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org.as_str())
            .bind(&role_id)
            .bind(lookup(&ability_ids, &req.ability)?)
            .bind(i64::from(req.level.get()))
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
        }
    }
    for position in &fw.positions {
        let position_id = &lookup(&position_ids, &position.slug)?;
        let roles = position
            .required_roles
            .iter()
            .map(|r| ("required", r))
            .chain(position.suggested_roles.iter().map(|r| ("suggested", r)));
        for (i, (kind, role)) in roles.enumerate() {
            sqlx::query(
                "INSERT INTO position_roles (org_id, position_id, role_id, kind, sort_order)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org.as_str())
            .bind(position_id)
            .bind(lookup(&role_ids, role)?)
            .bind(kind)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
        }
        for (i, req) in position.requires.iter().enumerate() {
            sqlx::query(
                "INSERT INTO position_requirements (org_id, position_id, ability_id, level, sort_order)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org.as_str())
            .bind(position_id)
            .bind(lookup(&ability_ids, &req.ability)?)
            .bind(i64::from(req.level.get()))
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
        }
    }
    super::bump_version(conn, org).await?;
    Ok(())
}

pub(super) async fn upsert_organization(
    conn: &mut AnyConnection,
    org: &Organization,
    now: Millis,
    summary: &mut ImportSummary,
) -> Result<OrgId, StoreError> {
    let miles = serde_json::to_string(&org.miles.values())?;
    #[derive(sqlx::FromRow)]
    struct ExistingRow {
        id: String,
        name: String,
        miles: String,
        licence: String,
    }
    let licence = org.licence.as_str();
    let rows: Option<ExistingRow> =
        sqlx::query_as("SELECT id, name, miles, licence FROM organizations WHERE slug = $1")
            .bind(org.slug.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(ExistingRow {
        id,
        name,
        miles: old_miles,
        licence: old_licence,
    }) = rows
    {
        if name != org.name.as_str() || old_miles != miles || old_licence != licence {
            sqlx::query(
                "UPDATE organizations SET name = $1, miles = $2, licence = $5, updated_at = $3 WHERE id = $4",
            )
            .bind(org.name.as_str())
            .bind(&miles)
            .bind(now)
            .bind(&id)
            .bind(licence)
            .execute(&mut *conn)
            .await?;
        }
        // A file that names its attribution keeps it; one that does not
        // (an older export) never clears what a fork must say.
        if !org.attribution.is_empty() {
            sqlx::query("UPDATE organizations SET attribution = $1 WHERE id = $2")
                .bind(&org.attribution)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
        }
        return Ok(OrgId(id));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO organizations (id, slug, name, miles, published, created_at, updated_at, licence, attribution)
         VALUES ($1, $2, $3, $4, 1, $5, $5, $6, $7)",
    )
    .bind(&id)
    .bind(org.slug.as_str())
    .bind(org.name.as_str())
    .bind(&miles)
    .bind(now)
    .bind(licence)
    .bind(&org.attribution)
    .execute(&mut *conn)
    .await?;
    summary.organization_created = true;
    Ok(OrgId(id))
}

/// What to do with one item of the file, given what is stored.
pub(super) enum Plan {
    Insert,
    /// Update the row; bump `updated_at` only when the content changed.
    Update {
        id: String,
        content_changed: bool,
    },
    Keep {
        id: String,
    },
}

pub(super) fn plan<T: PartialEq>(existing: Option<&Stored<T>>, item: &T, sort_order: i64) -> Plan {
    match existing {
        None => Plan::Insert,
        Some(s) => {
            let content_changed = s.item != *item;
            if content_changed || s.archived || s.sort_order != sort_order {
                Plan::Update {
                    id: s.id.clone(),
                    content_changed,
                }
            } else {
                Plan::Keep { id: s.id.clone() }
            }
        }
    }
}

impl Plan {
    /// The plan without its id, to remember after the id moves on.
    fn shape(&self) -> Plan {
        match self {
            Plan::Insert => Plan::Insert,
            Plan::Update {
                id,
                content_changed,
            } => Plan::Update {
                id: id.clone(),
                content_changed: *content_changed,
            },
            Plan::Keep { id } => Plan::Keep { id: id.clone() },
        }
    }
}

pub(super) fn count(plan: &Plan, changes: &mut Changes) {
    match plan {
        Plan::Insert => changes.created += 1,
        Plan::Update {
            content_changed: true,
            ..
        } => changes.updated += 1,
        Plan::Update { .. } | Plan::Keep { .. } => changes.unchanged += 1,
    }
}

/// Archives stored items that the framework no longer lists.
pub(super) async fn archive_missing<T: Written>(
    conn: &mut AnyConnection,
    w: &Writer<'_>,
    existing: &[Stored<T>],
    kept: &HashMap<Slug, String>,
    changes: &mut Changes,
) -> Result<(), StoreError> {
    let (table, kind) = (T::KIND.area(), T::KIND.as_str());
    let kept: HashSet<&String> = kept.values().collect();
    for s in existing
        .iter()
        .filter(|s| !s.archived && !kept.contains(&s.id))
    {
        // `table` is one of the three item tables (`ItemKind::area`).
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET archived_at = $1, updated_at = $1 WHERE id = $2"
        )))
        .bind(w.now)
        .bind(&s.id)
        .execute(&mut *conn)
        .await?;
        w.record(
            conn,
            kind,
            &s.id,
            "archived",
            Some(T::snapshot(&s.item)),
            None,
        )
        .await?;
        changes.archived += 1;
    }
    Ok(())
}

/// Writes one kind of item: each matched by slug against what is stored,
/// then inserted, updated or left alone, its history recorded; stored
/// items missing from `items` are archived. Returns every written item's
/// id by slug (for the requirements that point at them).
pub(super) async fn write_items<T: Written>(
    conn: &mut AnyConnection,
    w: &Writer<'_>,
    items: &[T],
    existing: Vec<Stored<T>>,
    changes: &mut Changes,
) -> Result<HashMap<Slug, String>, StoreError> {
    let mut ids = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let order = i as i64;
        let old = existing.iter().find(|s| s.item.slug() == item.slug());
        let plan = plan(old, item, order);
        count(&plan, changes);
        let recorded = plan.shape();
        let (id, inserted) = match plan {
            Plan::Insert => {
                let id = new_id();
                item.insert(conn, w, &id, order).await?;
                (id, true)
            }
            Plan::Update {
                id,
                content_changed,
            } => {
                item.update(conn, w, &id, order, content_changed).await?;
                (id, false)
            }
            Plan::Keep { id } => (id, false),
        };
        item.write_parts(conn, w, &id, old.map(|o| &o.item), inserted)
            .await?;
        w.record_plan(conn, &id, &recorded, old, item).await?;
        ids.insert(item.slug().clone(), id);
    }
    archive_missing(conn, w, &existing, &ids, changes).await?;
    Ok(ids)
}

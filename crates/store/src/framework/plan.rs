//! Writing a whole framework: each item matched by slug and created,
//! updated, left alone or archived; every change recorded in the history.

use std::collections::{HashMap, HashSet};

use cairn_domain::history::{self, Snapshot};
use cairn_domain::{Ability, Framework, Level, Name, Organization, Position, Role, Slug};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::*;
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

/// Serializes framework writes per organization on PostgreSQL (SQLite's
/// `BEGIN IMMEDIATE` already does).
pub(super) async fn lock_org(
    store: &Store,
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<(), StoreError> {
    if store.backend() == crate::Backend::Postgres {
        sqlx::query("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
            .bind(org.as_str())
            .fetch_all(&mut *conn)
            .await?;
    }
    Ok(())
}

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
    #[allow(clippy::too_many_arguments)]
    async fn record_plan<T>(
        &self,
        conn: &mut AnyConnection,
        kind: &str,
        id: &str,
        plan: &Plan,
        old: Option<&Stored<T>>,
        new: &T,
        snap: fn(&T) -> Snapshot,
    ) -> Result<(), StoreError> {
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
    let ability_ids = write_abilities(
        conn,
        w,
        &fw.abilities,
        existing.abilities,
        &mut summary.abilities,
    )
    .await?;
    let role_ids = write_roles(conn, w, &fw.roles, existing.roles, &mut summary.roles).await?;
    let position_ids = write_positions(
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
    }
    let rows: Vec<ExistingRow> =
        sqlx::query_as("SELECT id, name, miles FROM organizations WHERE slug = $1")
            .bind(org.slug.as_str())
            .fetch_all(&mut *conn)
            .await?;
    if let Some(ExistingRow {
        id,
        name,
        miles: old_miles,
    }) = rows.into_iter().next()
    {
        if name != org.name.as_str() || old_miles != miles {
            sqlx::query(
                "UPDATE organizations SET name = $1, miles = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(org.name.as_str())
            .bind(&miles)
            .bind(now)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        }
        return Ok(OrgId(id));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO organizations (id, slug, name, miles, published, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(&id)
    .bind(org.slug.as_str())
    .bind(org.name.as_str())
    .bind(&miles)
    .bind(now)
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
#[allow(clippy::too_many_arguments)]
pub(super) async fn archive_missing<T>(
    conn: &mut AnyConnection,
    w: &Writer<'_>,
    table: &'static str,
    kind: &str,
    existing: &[Stored<T>],
    kept: &HashMap<Slug, String>,
    snap: fn(&T) -> Snapshot,
    changes: &mut Changes,
) -> Result<(), StoreError> {
    let kept: HashSet<&String> = kept.values().collect();
    for s in existing
        .iter()
        .filter(|s| !s.archived && !kept.contains(&s.id))
    {
        // `table` is one of three constants passed by this module.
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET archived_at = $1, updated_at = $1 WHERE id = $2"
        )))
        .bind(w.now)
        .bind(&s.id)
        .execute(&mut *conn)
        .await?;
        w.record(conn, kind, &s.id, "archived", Some(snap(&s.item)), None)
            .await?;
        changes.archived += 1;
    }
    Ok(())
}

pub(super) async fn write_abilities(
    conn: &mut AnyConnection,
    w: &Writer<'_>,
    abilities: &[Ability],
    existing: Vec<Stored<Ability>>,
    changes: &mut Changes,
) -> Result<HashMap<Slug, String>, StoreError> {
    let mut ids = HashMap::new();
    for (i, a) in abilities.iter().enumerate() {
        let order = i as i64;
        let old = existing.iter().find(|s| s.item.slug == a.slug);
        let plan = plan(old, a, order);
        count(&plan, changes);
        let recorded = plan.shape();
        let category = a.category.as_ref().map(Name::as_str);
        let (id, milestones_changed) = match plan {
            Plan::Insert => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO abilities (id, org_id, slug, name, category, description, sort_order, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(&id)
                .bind(w.org.as_str())
                .bind(a.slug.as_str())
                .bind(a.name.as_str())
                .bind(category)
                .bind(a.description.as_str())
                .bind(order)
                .bind(w.now)
                .execute(&mut *conn)
                .await?;
                (id, true)
            }
            Plan::Update {
                id,
                content_changed,
            } => {
                sqlx::query(
                    "UPDATE abilities SET name = $1, category = $2, description = $3, sort_order = $4,
                            archived_at = NULL, updated_at = CASE WHEN $5 = 1 THEN $6 ELSE updated_at END
                      WHERE id = $7",
                )
                .bind(a.name.as_str())
                .bind(category)
                .bind(a.description.as_str())
                .bind(order)
                .bind(i64::from(content_changed))
                .bind(w.now)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
                let changed = old.is_some_and(|o| o.item.milestones != a.milestones);
                (id, changed)
            }
            Plan::Keep { id } => (id, false),
        };
        if milestones_changed {
            sqlx::query("DELETE FROM milestones WHERE ability_id = $1")
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            for (level, m) in Level::ALL.iter().zip(&a.milestones) {
                sqlx::query(
                    "INSERT INTO milestones (org_id, ability_id, level, summary, examples)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(w.org.as_str())
                .bind(&id)
                .bind(i64::from(level.get()))
                .bind(m.summary.as_str())
                .bind(serde_json::to_string(&m.examples)?)
                .execute(&mut *conn)
                .await?;
            }
        }
        w.record_plan(conn, "ability", &id, &recorded, old, a, history::ability)
            .await?;
        ids.insert(a.slug.clone(), id);
    }
    archive_missing(
        conn,
        w,
        "abilities",
        "ability",
        &existing,
        &ids,
        history::ability,
        changes,
    )
    .await?;
    Ok(ids)
}

pub(super) async fn write_roles(
    conn: &mut AnyConnection,
    w: &Writer<'_>,
    roles: &[Role],
    existing: Vec<Stored<Role>>,
    changes: &mut Changes,
) -> Result<HashMap<Slug, String>, StoreError> {
    let mut ids = HashMap::new();
    for (i, r) in roles.iter().enumerate() {
        let order = i as i64;
        let old = existing.iter().find(|s| s.item.slug == r.slug);
        let plan = plan(old, r, order);
        count(&plan, changes);
        let recorded = plan.shape();
        let id = match plan {
            Plan::Insert => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO roles (id, org_id, slug, name, plural, description, sort_order, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(&id)
                .bind(w.org.as_str())
                .bind(r.slug.as_str())
                .bind(r.name.as_str())
                .bind(r.plural.as_str())
                .bind(r.description.as_str())
                .bind(order)
                .bind(w.now)
                .execute(&mut *conn)
                .await?;
                id
            }
            Plan::Update {
                id,
                content_changed,
            } => {
                sqlx::query(
                    "UPDATE roles SET name = $1, plural = $2, description = $3, sort_order = $4,
                            archived_at = NULL, updated_at = CASE WHEN $5 = 1 THEN $6 ELSE updated_at END
                      WHERE id = $7",
                )
                .bind(r.name.as_str())
                .bind(r.plural.as_str())
                .bind(r.description.as_str())
                .bind(order)
                .bind(i64::from(content_changed))
                .bind(w.now)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
                id
            }
            Plan::Keep { id } => id,
        };
        w.record_plan(conn, "role", &id, &recorded, old, r, history::role)
            .await?;
        ids.insert(r.slug.clone(), id);
    }
    archive_missing(
        conn,
        w,
        "roles",
        "role",
        &existing,
        &ids,
        history::role,
        changes,
    )
    .await?;
    Ok(ids)
}

pub(super) async fn write_positions(
    conn: &mut AnyConnection,
    w: &Writer<'_>,
    positions: &[Position],
    existing: Vec<Stored<Position>>,
    changes: &mut Changes,
) -> Result<HashMap<Slug, String>, StoreError> {
    let mut ids = HashMap::new();
    for (i, p) in positions.iter().enumerate() {
        let order = i as i64;
        let old = existing.iter().find(|s| s.item.slug == p.slug);
        let plan = plan(old, p, order);
        count(&plan, changes);
        let recorded = plan.shape();
        let (rule, value) = miles_rule_to(p.miles);
        let id = match plan {
            Plan::Insert => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO positions (id, org_id, slug, title, level, description, miles_rule, miles_value,
                                            sort_order, created_at, updated_at, plural)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
                )
                .bind(&id)
                .bind(w.org.as_str())
                .bind(p.slug.as_str())
                .bind(p.title.as_str())
                .bind(p.level.as_str())
                .bind(p.description.as_str())
                .bind(rule)
                .bind(value)
                .bind(order)
                .bind(w.now)
                .bind(p.plural.as_str())
                .execute(&mut *conn)
                .await?;
                id
            }
            Plan::Update {
                id,
                content_changed,
            } => {
                sqlx::query(
                    "UPDATE positions SET title = $1, level = $2, description = $3, miles_rule = $4, miles_value = $5,
                            sort_order = $6, archived_at = NULL,
                            updated_at = CASE WHEN $7 = 1 THEN $8 ELSE updated_at END,
                            plural = $10
                      WHERE id = $9",
                )
                .bind(p.title.as_str())
                .bind(p.level.as_str())
                .bind(p.description.as_str())
                .bind(rule)
                .bind(value)
                .bind(order)
                .bind(i64::from(content_changed))
                .bind(w.now)
                .bind(&id)
                .bind(p.plural.as_str())
                .execute(&mut *conn)
                .await?;
                id
            }
            Plan::Keep { id } => id,
        };
        w.record_plan(conn, "position", &id, &recorded, old, p, history::position)
            .await?;
        ids.insert(p.slug.clone(), id);
    }
    archive_missing(
        conn,
        w,
        "positions",
        "position",
        &existing,
        &ids,
        history::position,
        changes,
    )
    .await?;
    Ok(ids)
}

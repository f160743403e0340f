//! Abilities, milestones, roles, positions and their requirements.
//!
//! An import *replaces* an organization's framework while keeping identity:
//! items are matched by slug, so an ability keeps its id (and, later, its
//! observations and awards) across imports. Items missing from the file are
//! archived, not deleted. `updated_at` moves only when an item's content
//! changed, so "Last updated" stays honest after a re-import.

use std::collections::{HashMap, HashSet};

use cairn_domain::{
    Ability, Framework, Level, Markdown, MilesRule, Milestone, Name, Organization, Position,
    Requirement, Role, Slug,
};
use sqlx::{AnyConnection, AssertSqlSafe};

use cairn_domain::history::{self, Snapshot};

use crate::orgs::{self, OrgId};
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

/// An item as stored: its id, ordering and lifecycle around the domain value.
#[derive(Debug, Clone)]
struct Stored<T> {
    id: String,
    item: T,
    sort_order: i64,
    archived: bool,
}

/// Every item of one organization, archived ones included.
struct Items {
    abilities: Vec<Stored<Ability>>,
    roles: Vec<Stored<Role>>,
    positions: Vec<Stored<Position>>,
}

/// What an import did, per kind of item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: u32,
    pub updated: u32,
    pub archived: u32,
    pub unchanged: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub organization_created: bool,
    pub abilities: Changes,
    pub roles: Changes,
    pub positions: Changes,
}

/// A role or position that requires a given ability directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredBy {
    pub kind: RequirerKind,
    pub slug: Slug,
    /// The role's or position's plural ("Ops Engineers").
    pub label: Name,
    pub level: Level,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirerKind {
    Role,
    Position,
}

// ---------------------------------------------------------------------------
// Reading

fn active<T>(items: Vec<Stored<T>>) -> Vec<T> {
    items
        .into_iter()
        .filter(|s| !s.archived)
        .map(|s| s.item)
        .collect()
}

/// The organization's active framework, in its stored order.
pub async fn load(store: &Store, org: &OrgId) -> Result<Framework, StoreError> {
    let mut conn = store.read().await?;
    let organization = load_organization(&mut conn, org).await?;
    let items = load_items(&mut conn, org).await?;
    Ok(Framework {
        organization,
        abilities: active(items.abilities),
        roles: active(items.roles),
        positions: active(items.positions),
    })
}

/// One active ability with its milestones.
pub async fn ability(
    store: &Store,
    org: &OrgId,
    slug: &Slug,
) -> Result<Option<Ability>, StoreError> {
    let mut conn = store.read().await?;
    let rows: Vec<AbilityRow> = sqlx::query_as(
        "SELECT id, slug, name, category, description, sort_order, archived_at
           FROM abilities WHERE org_id = $1 AND slug = $2 AND archived_at IS NULL",
    )
    .bind(org.as_str())
    .bind(slug.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let milestones: Vec<MilestoneRow> = sqlx::query_as(
        "SELECT ability_id, level, summary, examples FROM milestones
          WHERE org_id = $1 AND ability_id = $2",
    )
    .bind(org.as_str())
    .bind(&row.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_ability = group_milestones(milestones)?;
    Ok(Some(ability_from_row(row, &mut by_ability)?.item))
}

/// The active roles and positions that require an ability directly, roles
/// first, each group in its stored order.
pub async fn required_by(
    store: &Store,
    org: &OrgId,
    ability: &Slug,
) -> Result<Vec<RequiredBy>, StoreError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT 'role', r.slug, r.plural, rr.level
           FROM role_requirements rr
           JOIN roles r ON r.id = rr.role_id
           JOIN abilities a ON a.id = rr.ability_id
          WHERE rr.org_id = $1 AND a.slug = $2 AND r.archived_at IS NULL
         UNION ALL
         SELECT 'position', p.slug, COALESCE(p.plural, p.title || 's'), pr.level
           FROM position_requirements pr
           JOIN positions p ON p.id = pr.position_id
           JOIN abilities a ON a.id = pr.ability_id
          WHERE pr.org_id = $1 AND a.slug = $2 AND p.archived_at IS NULL",
    )
    .bind(org.as_str())
    .bind(ability.as_str())
    .fetch_all(&store.pool)
    .await?;
    let mut out: Vec<RequiredBy> = rows
        .into_iter()
        .map(|(kind, slug, label, level)| {
            Ok(RequiredBy {
                kind: if kind == "role" {
                    RequirerKind::Role
                } else {
                    RequirerKind::Position
                },
                slug: Slug::parse(&slug)?,
                label: Name::parse(&label, "label")?,
                level: Level::parse(level)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    out.sort_by_key(|r| r.kind == RequirerKind::Position);
    Ok(out)
}

async fn load_organization(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Organization, StoreError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT slug, name, miles FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let (slug, name, miles) = rows.into_iter().next().ok_or(StoreError::NotFound)?;
    let miles: Vec<i64> = serde_json::from_str(&miles)?;
    Ok(Organization {
        slug: cairn_domain::OrgSlug::parse(&slug)?,
        name: Name::parse(&name, "organization name")?,
        miles: cairn_domain::MilesScale::parse(&miles)?,
    })
}

type AbilityRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
);
type MilestoneRow = (String, i64, String, String);

fn group_milestones(
    rows: Vec<MilestoneRow>,
) -> Result<HashMap<String, [Milestone; 5]>, StoreError> {
    let mut out: HashMap<String, [Milestone; 5]> = HashMap::new();
    for (ability_id, level, summary, examples) in rows {
        let level = Level::parse(level)?;
        out.entry(ability_id).or_default()[level.index()] = Milestone {
            summary: Markdown::new(summary),
            examples: serde_json::from_str(&examples)?,
        };
    }
    Ok(out)
}

fn ability_from_row(
    (id, slug, name, category, description, sort_order, archived_at): AbilityRow,
    milestones: &mut HashMap<String, [Milestone; 5]>,
) -> Result<Stored<Ability>, StoreError> {
    let item = Ability {
        slug: Slug::parse(&slug)?,
        name: Name::parse(&name, "ability name")?,
        category: category.map(|c| Name::parse(&c, "category")).transpose()?,
        description: Markdown::new(description),
        milestones: milestones.remove(&id).unwrap_or_default(),
    };
    Ok(Stored {
        id,
        item,
        sort_order,
        archived: archived_at.is_some(),
    })
}

/// Requirements per owner id, in their stored order.
async fn requirements(
    conn: &mut AnyConnection,
    org: &OrgId,
    table_sql: &'static str,
) -> Result<HashMap<String, Vec<Requirement>>, StoreError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(table_sql)
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?;
    let mut out: HashMap<String, Vec<Requirement>> = HashMap::new();
    for (owner, ability, level) in rows {
        out.entry(owner).or_default().push(Requirement {
            ability: Slug::parse(&ability)?,
            level: Level::parse(level)?,
        });
    }
    Ok(out)
}

async fn load_items(conn: &mut AnyConnection, org: &OrgId) -> Result<Items, StoreError> {
    let ability_rows: Vec<AbilityRow> = sqlx::query_as(
        "SELECT id, slug, name, category, description, sort_order, archived_at
           FROM abilities WHERE org_id = $1 ORDER BY sort_order, slug",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let milestone_rows: Vec<MilestoneRow> = sqlx::query_as(
        "SELECT ability_id, level, summary, examples FROM milestones WHERE org_id = $1",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut milestones = group_milestones(milestone_rows)?;
    let abilities = ability_rows
        .into_iter()
        .map(|row| ability_from_row(row, &mut milestones))
        .collect::<Result<Vec<_>, _>>()?;

    let mut role_reqs = requirements(
        conn,
        org,
        "SELECT rr.role_id, a.slug, rr.level FROM role_requirements rr
           JOIN abilities a ON a.id = rr.ability_id
          WHERE rr.org_id = $1 ORDER BY rr.sort_order",
    )
    .await?;
    let role_rows: Vec<(String, String, String, String, String, i64, Option<i64>)> =
        sqlx::query_as(
            "SELECT id, slug, name, plural, description, sort_order, archived_at
           FROM roles WHERE org_id = $1 ORDER BY sort_order, slug",
        )
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?;
    let roles = role_rows
        .into_iter()
        .map(
            |(id, slug, name, plural, description, sort_order, archived_at)| {
                let item = Role {
                    slug: Slug::parse(&slug)?,
                    name: Name::parse(&name, "role name")?,
                    plural: Name::parse(&plural, "role plural")?,
                    description: Markdown::new(description),
                    requires: role_reqs.remove(&id).unwrap_or_default(),
                };
                Ok(Stored {
                    id,
                    item,
                    sort_order,
                    archived: archived_at.is_some(),
                })
            },
        )
        .collect::<Result<Vec<_>, StoreError>>()?;

    let mut position_reqs = requirements(
        conn,
        org,
        "SELECT pr.position_id, a.slug, pr.level FROM position_requirements pr
           JOIN abilities a ON a.id = pr.ability_id
          WHERE pr.org_id = $1 ORDER BY pr.sort_order",
    )
    .await?;
    let position_role_rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT pr.position_id, r.slug, pr.kind FROM position_roles pr
           JOIN roles r ON r.id = pr.role_id
          WHERE pr.org_id = $1 ORDER BY pr.sort_order",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut position_roles: HashMap<String, (Vec<Slug>, Vec<Slug>)> = HashMap::new();
    for (position, role, kind) in position_role_rows {
        let entry = position_roles.entry(position).or_default();
        let list = if kind == "required" {
            &mut entry.0
        } else {
            &mut entry.1
        };
        list.push(Slug::parse(&role)?);
    }
    type PositionRow = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        i64,
        i64,
        Option<i64>,
    );
    let position_rows: Vec<PositionRow> = sqlx::query_as(
        "SELECT id, slug, title, plural, level, description, miles_rule, miles_value, sort_order, archived_at
           FROM positions WHERE org_id = $1 ORDER BY sort_order, slug",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let positions = position_rows
        .into_iter()
        .map(
            |(
                id,
                slug,
                title,
                plural,
                level,
                description,
                rule,
                value,
                sort_order,
                archived_at,
            )| {
                let (required_roles, suggested_roles) =
                    position_roles.remove(&id).unwrap_or_default();
                let title = Name::parse(&title, "position title")?;
                let item = Position {
                    slug: Slug::parse(&slug)?,
                    plural: match plural {
                        Some(p) => Name::parse(&p, "position plural")?,
                        None => Role::default_plural(&title),
                    },
                    title,
                    level: Name::parse(&level, "position level")?,
                    description: Markdown::new(description),
                    required_roles,
                    suggested_roles,
                    requires: position_reqs.remove(&id).unwrap_or_default(),
                    miles: miles_rule_from(&rule, value)?,
                };
                Ok(Stored {
                    id,
                    item,
                    sort_order,
                    archived: archived_at.is_some(),
                })
            },
        )
        .collect::<Result<Vec<_>, StoreError>>()?;

    Ok(Items {
        abilities,
        roles,
        positions,
    })
}

fn miles_rule_from(rule: &str, value: i64) -> Result<MilesRule, StoreError> {
    let value =
        u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("miles value {value}")))?;
    match rule {
        "required" => Ok(MilesRule::Required),
        "over_required_percent" => Ok(MilesRule::OverRequiredPercent(value)),
        "at_least" => Ok(MilesRule::AtLeast(value)),
        other => Err(StoreError::Corrupt(format!("miles rule {other:?}"))),
    }
}

fn miles_rule_to(rule: MilesRule) -> (&'static str, i64) {
    match rule {
        MilesRule::Required => ("required", 0),
        MilesRule::OverRequiredPercent(n) => ("over_required_percent", i64::from(n)),
        MilesRule::AtLeast(n) => ("at_least", i64::from(n)),
    }
}

// ---------------------------------------------------------------------------
// Writing

/// Creates or replaces one organization's framework, in one transaction:
/// either all of it lands or none of it. Changes are recorded in the
/// history without an author (a command-line import).
pub async fn replace(
    store: &Store,
    fw: &Framework,
    now: Millis,
) -> Result<ImportSummary, StoreError> {
    replace_as(store, fw, None, now).await
}

/// `replace`, recording `actor` as the author of every change.
pub async fn replace_as(
    store: &Store,
    fw: &Framework,
    actor: Option<&PersonId>,
    now: Millis,
) -> Result<ImportSummary, StoreError> {
    let mut tx = store.begin_write().await?;
    let conn = tx.conn()?;
    let mut summary = ImportSummary::default();
    let org = upsert_organization(conn, &fw.organization, now, &mut summary).await?;
    lock_org(store, conn, &org).await?;
    let existing = load_items(conn, &org).await?;
    let w = Writer {
        org: &org,
        actor,
        now,
    };
    write_framework(conn, &w, fw, existing, &mut summary).await?;
    tx.commit().await?;
    Ok(summary)
}

/// One change made in the browser.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Create (when `create`) or update an ability; its slug never changes.
    SaveAbility {
        ability: Ability,
        create: bool,
    },
    SaveRole {
        role: Role,
        create: bool,
    },
    SavePosition {
        position: Position,
        create: bool,
    },
    Archive {
        kind: ItemKind,
        slug: Slug,
    },
    Restore {
        kind: ItemKind,
        slug: Slug,
    },
    SetMiles(cairn_domain::MilesScale),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Ability,
    Role,
    Position,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Ability => "ability",
            ItemKind::Role => "role",
            ItemKind::Position => "position",
        }
    }
}

/// Why an edit was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefused {
    NotFound,
    /// Sentences saying what to fix.
    Problems(Vec<String>),
}

/// Applies one edit to the organization's current framework and writes
/// what changed, with `actor` in the history. The edit is checked against
/// the framework as it is inside the transaction, so concurrent edits of
/// different items never undo each other.
pub async fn apply(
    store: &Store,
    org: &OrgId,
    edit: Edit,
    actor: &PersonId,
    now: Millis,
) -> Result<Result<(), EditRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let conn = tx.conn()?;
    lock_org(store, conn, org).await?;
    let organization = load_organization(conn, org).await?;
    let existing = load_items(conn, org).await?;
    let mut desired = Framework {
        organization,
        abilities: existing
            .abilities
            .iter()
            .filter(|s| !s.archived)
            .map(|s| s.item.clone())
            .collect(),
        roles: existing
            .roles
            .iter()
            .filter(|s| !s.archived)
            .map(|s| s.item.clone())
            .collect(),
        positions: existing
            .positions
            .iter()
            .filter(|s| !s.archived)
            .map(|s| s.item.clone())
            .collect(),
    };
    if let Err(refused) = edit_framework(&mut desired, &existing, edit) {
        return Ok(Err(refused));
    }
    let problems = desired.reference_problems();
    if !problems.is_empty() {
        return Ok(Err(EditRefused::Problems(problems)));
    }
    let mut summary = ImportSummary::default();
    upsert_organization(conn, &desired.organization, now, &mut summary).await?;
    let w = Writer {
        org,
        actor: Some(actor),
        now,
    };
    write_framework(conn, &w, &desired, existing, &mut summary).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Saves `item` into `list`: appended when created (its slug must be new,
/// archived items included), replaced in place when updated.
fn save<T: Clone>(
    list: &mut Vec<T>,
    stored: &[Stored<T>],
    item: T,
    create: bool,
    slug_of: fn(&T) -> &Slug,
    kind: &str,
) -> Result<(), EditRefused> {
    let slug = slug_of(&item).clone();
    if create {
        if let Some(s) = stored.iter().find(|s| slug_of(&s.item) == &slug) {
            let hint = if s.archived {
                " (it is archived: restore it instead)"
            } else {
                ""
            };
            return Err(EditRefused::Problems(vec![format!(
                "A {kind} with the slug {slug} already exists{hint}."
            )]));
        }
        list.push(item);
        return Ok(());
    }
    let slot = list
        .iter_mut()
        .find(|x| slug_of(x) == &slug)
        .ok_or(EditRefused::NotFound)?;
    *slot = item;
    Ok(())
}

fn restore<T: Clone>(
    list: &mut Vec<T>,
    stored: &[Stored<T>],
    slug: &Slug,
    slug_of: fn(&T) -> &Slug,
) -> Result<(), EditRefused> {
    let s = stored
        .iter()
        .find(|s| s.archived && slug_of(&s.item) == slug)
        .ok_or(EditRefused::NotFound)?;
    list.push(s.item.clone());
    Ok(())
}

fn edit_framework(fw: &mut Framework, stored: &Items, edit: Edit) -> Result<(), EditRefused> {
    match edit {
        Edit::SaveAbility { ability, create } => save(
            &mut fw.abilities,
            &stored.abilities,
            ability,
            create,
            |a| &a.slug,
            "ability",
        ),
        Edit::SaveRole { role, create } => save(
            &mut fw.roles,
            &stored.roles,
            role,
            create,
            |r| &r.slug,
            "role",
        ),
        Edit::SavePosition { position, create } => save(
            &mut fw.positions,
            &stored.positions,
            position,
            create,
            |p| &p.slug,
            "position",
        ),
        Edit::Archive {
            kind: ItemKind::Ability,
            slug,
        } => {
            let ability = fw.ability(&slug).ok_or(EditRefused::NotFound)?;
            let requirers = fw.requirers_of(&slug);
            if !requirers.is_empty() {
                return Err(EditRefused::Problems(vec![format!(
                    "{} cannot be archived while {} require it. Remove those requirements first.",
                    ability.name,
                    requirers.join(", ")
                )]));
            }
            fw.abilities.retain(|a| a.slug != slug);
            Ok(())
        }
        Edit::Archive {
            kind: ItemKind::Role,
            slug,
        } => {
            let role = fw.role(&slug).ok_or(EditRefused::NotFound)?;
            let users: Vec<String> = fw
                .positions
                .iter()
                .filter(|p| p.required_roles.contains(&slug) || p.suggested_roles.contains(&slug))
                .map(|p| format!("the position {}", p.title))
                .collect();
            if !users.is_empty() {
                return Err(EditRefused::Problems(vec![format!(
                    "{} cannot be archived while {} list it. Remove it from those positions first.",
                    role.name,
                    users.join(", ")
                )]));
            }
            fw.roles.retain(|r| r.slug != slug);
            Ok(())
        }
        Edit::Archive {
            kind: ItemKind::Position,
            slug,
        } => {
            fw.position(&slug).ok_or(EditRefused::NotFound)?;
            fw.positions.retain(|p| p.slug != slug);
            Ok(())
        }
        Edit::Restore {
            kind: ItemKind::Ability,
            slug,
        } => restore(&mut fw.abilities, &stored.abilities, &slug, |a| &a.slug),
        Edit::Restore {
            kind: ItemKind::Role,
            slug,
        } => restore(&mut fw.roles, &stored.roles, &slug, |r| &r.slug),
        Edit::Restore {
            kind: ItemKind::Position,
            slug,
        } => restore(&mut fw.positions, &stored.positions, &slug, |p| &p.slug),
        Edit::SetMiles(scale) => {
            fw.organization.miles = scale;
            Ok(())
        }
    }
}

/// Archived items of one kind: (slug, name), for the restore list.
pub async fn archived(
    store: &Store,
    org: &OrgId,
    kind: ItemKind,
) -> Result<Vec<(Slug, String)>, StoreError> {
    let sql = match kind {
        ItemKind::Ability => {
            "SELECT slug, name FROM abilities WHERE org_id = $1 AND archived_at IS NOT NULL ORDER BY name"
        }
        ItemKind::Role => {
            "SELECT slug, name FROM roles WHERE org_id = $1 AND archived_at IS NOT NULL ORDER BY name"
        }
        ItemKind::Position => {
            "SELECT slug, title FROM positions WHERE org_id = $1 AND archived_at IS NOT NULL ORDER BY title"
        }
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql)
        .bind(org.as_str())
        .fetch_all(&store.pool)
        .await?;
    rows.into_iter()
        .map(|(slug, name)| Ok((Slug::parse(&slug)?, name)))
        .collect()
}

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

/// An item's history, newest first. Works for archived items too.
/// One item's changes, newest first, and whether it is archived now.
#[derive(Debug, Clone)]
pub struct ItemHistory {
    pub archived: bool,
    pub entries: Vec<HistoryEntry>,
}

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

/// Serializes framework writes per organization on PostgreSQL (SQLite's
/// `BEGIN IMMEDIATE` already does).
async fn lock_org(store: &Store, conn: &mut AnyConnection, org: &OrgId) -> Result<(), StoreError> {
    if store.backend() == crate::Backend::Postgres {
        sqlx::query("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
            .bind(org.as_str())
            .fetch_all(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Who writes, where and when: what every write and history entry needs.
struct Writer<'a> {
    org: &'a OrgId,
    actor: Option<&'a PersonId>,
    now: Millis,
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
async fn write_framework(
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

async fn upsert_organization(
    conn: &mut AnyConnection,
    org: &Organization,
    now: Millis,
    summary: &mut ImportSummary,
) -> Result<OrgId, StoreError> {
    let miles = serde_json::to_string(&org.miles.values())?;
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, name, miles FROM organizations WHERE slug = $1")
            .bind(org.slug.as_str())
            .fetch_all(&mut *conn)
            .await?;
    if let Some((id, name, old_miles)) = rows.into_iter().next() {
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
enum Plan {
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

fn plan<T: PartialEq>(existing: Option<&Stored<T>>, item: &T, sort_order: i64) -> Plan {
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

fn count(plan: &Plan, changes: &mut Changes) {
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
async fn archive_missing<T>(
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

async fn write_abilities(
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

async fn write_roles(
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

async fn write_positions(
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

/// When an item's content last changed (for "Last updated").
pub async fn ability_updated_at(
    store: &Store,
    org: &OrgId,
    slug: &Slug,
) -> Result<Option<Millis>, StoreError> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT updated_at FROM abilities WHERE org_id = $1 AND slug = $2")
            .bind(org.as_str())
            .bind(slug.as_str())
            .fetch_all(&store.pool)
            .await?;
    Ok(rows.into_iter().next().map(|(t,)| t))
}

/// Looks an organization up and loads its framework: the common first
/// step of export and of pages that show the whole framework.
pub async fn load_by_slug(
    store: &Store,
    slug: &cairn_domain::OrgSlug,
) -> Result<Option<(orgs::OrgRecord, Framework)>, StoreError> {
    let Some(org) = orgs::by_slug(store, slug).await? else {
        return Ok(None);
    };
    let fw = load(store, &org.id).await?;
    Ok(Some((org, fw)))
}

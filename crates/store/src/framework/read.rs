//! Reading the framework: the active items in their stored order, and
//! what pages look up one at a time.

use std::collections::HashMap;

use cairn_domain::{
    Ability, Framework, Level, Markdown, MilesRule, Milestone, Name, Organization, Position,
    Requirement, Role, Slug,
};
use sqlx::AnyConnection;

use super::*;
use crate::orgs::{self, OrgId};
use crate::{Millis, Store, StoreError};

pub(super) fn active<T>(items: Vec<Stored<T>>) -> Vec<T> {
    items
        .into_iter()
        .filter(|s| !s.archived)
        .map(|s| s.item)
        .collect()
}

/// What the ability page and its API twin show of the framework: the
/// ability, who requires it, and the facts its health checks read. One
/// place, so the page and the API cannot drift apart.
pub struct AbilityDetail {
    pub ability: Ability,
    pub required_by: Vec<RequiredBy>,
    pub facts: cairn_domain::health::AbilityFacts,
}

/// One active ability as its API shows it, or None when there is none.
pub async fn ability_detail(
    store: &Store,
    org: &orgs::OrgRecord,
    slug: &Slug,
) -> Result<Option<AbilityDetail>, StoreError> {
    let snapshot = super::load(store, org).await?;
    let Some(id) = snapshot.id_of(cairn_domain::ItemKind::Ability, slug) else {
        return Ok(None);
    };
    let activity = crate::health::activity(store, &org.id, id).await?;
    Ok(AbilityDetail::of(&snapshot, slug, activity))
}

impl AbilityDetail {
    /// The ability in `snapshot` with its activity; None when it is not an
    /// active ability there.
    pub fn of(
        snapshot: &Snapshot,
        slug: &Slug,
        activity: crate::health::Activity,
    ) -> Option<AbilityDetail> {
        let ability = snapshot.ability(slug)?.clone();
        let required_by = snapshot.required_by(slug);
        let facts = activity.facts(snapshot, slug, &required_by)?;
        Some(AbilityDetail {
            ability,
            required_by,
            facts,
        })
    }
}

pub(super) async fn load_organization(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Organization, StoreError> {
    #[derive(sqlx::FromRow)]
    struct OrganizationRow {
        slug: String,
        name: String,
        miles: String,
        licence: String,
        attribution: String,
    }
    let r: OrganizationRow = sqlx::query_as(
        "SELECT slug, name, miles, licence, attribution FROM organizations WHERE id = $1",
    )
    .bind(org.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let miles: Vec<i64> = serde_json::from_str(&r.miles)?;
    Ok(Organization {
        slug: cairn_domain::OrgSlug::parse(&r.slug)?,
        name: Name::parse(&r.name, "organization name")?,
        miles: cairn_domain::MilesScale::parse(&miles)?,
        licence: cairn_domain::licence::Licence::parse(&r.licence)
            .ok_or_else(|| StoreError::Corrupt(format!("licence {:?}", r.licence)))?,
        attribution: r.attribution,
    })
}

#[derive(sqlx::FromRow)]
pub(super) struct AbilityRow {
    id: String,
    slug: String,
    name: String,
    category: Option<String>,
    description: String,
    sort_order: i64,
    archived_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(super) struct MilestoneRow {
    ability_id: String,
    level: i64,
    summary: String,
    examples: String,
}

pub(super) fn group_milestones(
    rows: Vec<MilestoneRow>,
) -> Result<HashMap<String, [Milestone; 5]>, StoreError> {
    let mut out: HashMap<String, [Milestone; 5]> = HashMap::new();
    for m in rows {
        let level = Level::parse(m.level)?;
        out.entry(m.ability_id).or_default()[level.index()] = Milestone {
            summary: Markdown::new(m.summary),
            examples: serde_json::from_str(&m.examples)?,
        };
    }
    Ok(out)
}

pub(super) fn ability_from_row(
    r: AbilityRow,
    milestones: &mut HashMap<String, [Milestone; 5]>,
) -> Result<Stored<Ability>, StoreError> {
    let item = Ability {
        slug: Slug::parse(&r.slug)?,
        name: Name::parse(&r.name, "ability name")?,
        category: r
            .category
            .map(|c| Name::parse(&c, "category"))
            .transpose()?,
        description: Markdown::new(r.description),
        milestones: milestones.remove(&r.id).unwrap_or_default(),
    };
    Ok(Stored {
        id: r.id,
        item,
        sort_order: r.sort_order,
        archived: r.archived_at.is_some(),
    })
}

/// Requirements per owner id, in their stored order.
pub(super) async fn requirements(
    conn: &mut AnyConnection,
    org: &OrgId,
    table_sql: &'static str,
) -> Result<HashMap<String, Vec<Requirement>>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct RequirementRow {
        owner_id: String,
        ability: String,
        level: i64,
    }
    let rows: Vec<RequirementRow> = sqlx::query_as(table_sql)
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?;
    let mut out: HashMap<String, Vec<Requirement>> = HashMap::new();
    for r in rows {
        out.entry(r.owner_id).or_default().push(Requirement {
            ability: Slug::parse(&r.ability)?,
            level: Level::parse(r.level)?,
        });
    }
    Ok(out)
}

/// The framework as it is stored (its active items), and every item
/// (archived ones too), read inside the caller's transaction.
pub(super) async fn live_in(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<(Framework, Items), StoreError> {
    let organization = load_organization(conn, org).await?;
    let items = load_items(conn, org).await?;
    fn act<T: Clone>(list: &[Stored<T>]) -> Vec<T> {
        list.iter()
            .filter(|s| !s.archived)
            .map(|s| s.item.clone())
            .collect()
    }
    let fw = Framework {
        organization,
        abilities: act(&items.abilities),
        roles: act(&items.roles),
        positions: act(&items.positions),
    };
    Ok((fw, items))
}

pub(super) async fn load_items(conn: &mut AnyConnection, org: &OrgId) -> Result<Items, StoreError> {
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
        "SELECT rr.role_id AS owner_id, a.slug AS ability, rr.level FROM role_requirements rr
           JOIN abilities a ON a.id = rr.ability_id
          WHERE rr.org_id = $1 ORDER BY rr.sort_order",
    )
    .await?;
    #[derive(sqlx::FromRow)]
    struct RoleRow {
        id: String,
        slug: String,
        name: String,
        plural: String,
        description: String,
        sort_order: i64,
        archived_at: Option<i64>,
    }
    let role_rows: Vec<RoleRow> = sqlx::query_as(
        "SELECT id, slug, name, plural, description, sort_order, archived_at
           FROM roles WHERE org_id = $1 ORDER BY sort_order, slug",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let roles = role_rows
        .into_iter()
        .map(|r| {
            let item = Role {
                slug: Slug::parse(&r.slug)?,
                name: Name::parse(&r.name, "role name")?,
                plural: Name::parse(&r.plural, "role plural")?,
                description: Markdown::new(r.description),
                requires: role_reqs.remove(&r.id).unwrap_or_default(),
            };
            Ok(Stored {
                id: r.id,
                item,
                sort_order: r.sort_order,
                archived: r.archived_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    let mut position_reqs = requirements(
        conn,
        org,
        "SELECT pr.position_id AS owner_id, a.slug AS ability, pr.level FROM position_requirements pr
           JOIN abilities a ON a.id = pr.ability_id
          WHERE pr.org_id = $1 ORDER BY pr.sort_order",
    )
    .await?;
    #[derive(sqlx::FromRow)]
    struct PositionRoleRow {
        position_id: String,
        role: String,
        kind: String,
    }
    let position_role_rows: Vec<PositionRoleRow> = sqlx::query_as(
        "SELECT pr.position_id, r.slug AS role, pr.kind FROM position_roles pr
           JOIN roles r ON r.id = pr.role_id
          WHERE pr.org_id = $1 ORDER BY pr.sort_order",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut position_roles: HashMap<String, (Vec<Slug>, Vec<Slug>)> = HashMap::new();
    for r in position_role_rows {
        let entry = position_roles.entry(r.position_id).or_default();
        let list = if r.kind == "required" {
            &mut entry.0
        } else {
            &mut entry.1
        };
        list.push(Slug::parse(&r.role)?);
    }
    #[derive(sqlx::FromRow)]
    struct PositionRow {
        id: String,
        slug: String,
        title: String,
        plural: Option<String>,
        level: String,
        description: String,
        miles_rule: String,
        miles_value: i64,
        miles_below: Option<i64>,
        sort_order: i64,
        archived_at: Option<i64>,
    }
    let position_rows: Vec<PositionRow> = sqlx::query_as(
        "SELECT id, slug, title, plural, level, description, miles_rule, miles_value, miles_below, sort_order, archived_at
           FROM positions WHERE org_id = $1 ORDER BY sort_order, slug",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let positions = position_rows
        .into_iter()
        .map(|r| {
            let (required_roles, suggested_roles) =
                position_roles.remove(&r.id).unwrap_or_default();
            let title = Name::parse(&r.title, "position title")?;
            let item = Position {
                slug: Slug::parse(&r.slug)?,
                plural: match r.plural {
                    Some(p) => Name::parse(&p, "position plural")?,
                    None => Role::default_plural(&title),
                },
                title,
                level: Name::parse(&r.level, "position level")?,
                description: Markdown::new(r.description),
                required_roles,
                suggested_roles,
                requires: position_reqs.remove(&r.id).unwrap_or_default(),
                miles: miles_rule_from(&r.miles_rule, r.miles_value, r.miles_below)?,
            };
            Ok(Stored {
                id: r.id,
                item,
                sort_order: r.sort_order,
                archived: r.archived_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    Ok(Items {
        abilities,
        roles,
        positions,
    })
}

pub(super) fn miles_rule_from(
    rule: &str,
    value: i64,
    below: Option<i64>,
) -> Result<MilesRule, StoreError> {
    let miles =
        |v: i64| u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("miles value {v}")));
    let value = miles(value)?;
    match (rule, below) {
        ("required", _) => Ok(MilesRule::Required),
        ("over_required_percent", _) => Ok(MilesRule::OverRequiredPercent(value)),
        ("at_least", _) => Ok(MilesRule::AtLeast(value)),
        ("band", Some(below)) => Ok(MilesRule::Band {
            at_least: value,
            below: miles(below)?,
        }),
        (other, _) => Err(StoreError::Corrupt(format!("miles rule {other:?}"))),
    }
}

/// A rule as its columns: `miles_rule`, `miles_value`, `miles_below`.
pub(super) fn miles_rule_to(rule: MilesRule) -> (&'static str, i64, Option<i64>) {
    match rule {
        MilesRule::Required => ("required", 0, None),
        MilesRule::OverRequiredPercent(n) => ("over_required_percent", i64::from(n), None),
        MilesRule::AtLeast(n) => ("at_least", i64::from(n), None),
        MilesRule::Band { at_least, below } => {
            ("band", i64::from(at_least), Some(i64::from(below)))
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
            "SELECT slug, title AS name FROM positions WHERE org_id = $1 AND archived_at IS NOT NULL ORDER BY title"
        }
    };
    #[derive(sqlx::FromRow)]
    struct ArchivedRow {
        slug: String,
        name: String,
    }
    let rows: Vec<ArchivedRow> = sqlx::query_as(sql)
        .bind(org.as_str())
        .fetch_all(&store.pool)
        .await?;
    rows.into_iter()
        .map(|r| Ok((Slug::parse(&r.slug)?, r.name)))
        .collect()
}
/// When an item's content last changed (for "Last updated").
pub async fn ability_updated_at(
    store: &Store,
    org: &OrgId,
    slug: &Slug,
) -> Result<Option<Millis>, StoreError> {
    let rows: Option<i64> =
        sqlx::query_scalar("SELECT updated_at FROM abilities WHERE org_id = $1 AND slug = $2")
            .bind(org.as_str())
            .bind(slug.as_str())
            .fetch_optional(&store.pool)
            .await?;
    Ok(rows)
}

/// Looks an organization up and reads its framework afresh (not from the
/// snapshot: for export and the command line, which own what they read).
pub async fn load_by_slug(
    store: &Store,
    slug: &cairn_domain::OrgSlug,
) -> Result<Option<(orgs::OrgRecord, Framework)>, StoreError> {
    let Some(org) = orgs::by_slug(store, slug).await? else {
        return Ok(None);
    };
    let mut conn = store.read().await?;
    let organization = load_organization(&mut conn, &org.id).await?;
    let items = load_items(&mut conn, &org.id).await?;
    let fw = Framework {
        organization,
        abilities: active(items.abilities),
        roles: active(items.roles),
        positions: active(items.positions),
    };
    Ok(Some((org, fw)))
}

//! Organizations: the tenants. Every other store function takes an
//! [`OrgId`] obtained here, so no query can wander across organizations.

use cairn_domain::health::Thresholds;
use cairn_domain::licence::Licence;
use cairn_domain::policy::OrgAccess;
use cairn_domain::publishing::Publishing;
use cairn_domain::{MilesScale, Name, OrgSlug, Organization};

use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError};

/// An organization's internal id. Only the store makes these.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgId(pub(crate) String);

impl OrgId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For ids from a signed link (an unsubscribe link); they only ever
    /// match rows that exist.
    pub fn from_form(s: &str) -> Self {
        OrgId(s.to_owned())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRecord {
    pub id: OrgId,
    pub org: Organization,
    pub published: bool,
    pub updated_at: Millis,
    pub thresholds: Thresholds,
    /// Moves with every framework write: which framework snapshot is
    /// current (`framework::load`).
    pub framework_version: i64,
    /// Who may award milestones, and on what evidence.
    pub awarders: cairn_domain::awards::Awarders,
    pub evidence: cairn_domain::awards::EvidenceRule,
    /// "Current positions visible to all members" (`cairn_domain::jobs`).
    pub positions_visible: bool,
    /// How editors' saves reach readers, and whether members read the draft.
    pub publishing: cairn_domain::publishing::Publishing,
    pub draft_visible: bool,
}

impl OrgRecord {
    /// The facts the policy needs.
    pub fn access(&self) -> OrgAccess {
        OrgAccess {
            published: self.published,
        }
    }
}

/// A line on the explore page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSummary {
    pub slug: OrgSlug,
    pub name: Name,
    pub abilities: i64,
    /// The categories of its abilities, by name.
    pub categories: Vec<Name>,
    /// Whether it may be forked depends on it.
    pub licence: Licence,
}

struct OrgRow {
    id: String,
    slug: String,
    name: String,
    miles: String,
    published: i64,
    updated_at: i64,
    health_stale_days: i64,
    health_critical_days: i64,
    framework_version: i64,
    awards_by: String,
    evidence_min_observations: i64,
    evidence_min_observers: i64,
    evidence_min_days: i64,
    positions_visible: i64,
    health_below_grace_days: i64,
    licence: String,
    publishing: String,
    draft_visible: i64,
    attribution: String,
}

/// Everything a request needs of its organization, in the one statement
/// that finds it (prefixed `o.` where joined).
const ORG_COLUMNS: &str = "o.id, o.slug, o.name, o.miles, o.published, o.updated_at, o.health_stale_days, o.health_critical_days, o.framework_version, o.awards_by, o.evidence_min_observations, o.evidence_min_observers, o.evidence_min_days, o.positions_visible, o.health_below_grace_days, o.licence, o.publishing, o.draft_visible, o.attribution";
/// How many columns `ORG_COLUMNS` are: where a row's further columns start.
const ORG_WIDTH: usize = 19;

impl FromCols for OrgRow {
    /// `ORG_COLUMNS`, in their order, from column 0.
    fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
        Ok(OrgRow {
            id: r.text(0)?,
            slug: r.text(1)?,
            name: r.text(2)?,
            miles: r.text(3)?,
            published: r.int(4)?,
            updated_at: r.int(5)?,
            health_stale_days: r.int(6)?,
            health_critical_days: r.int(7)?,
            framework_version: r.int(8)?,
            awards_by: r.text(9)?,
            evidence_min_observations: r.int(10)?,
            evidence_min_observers: r.int(11)?,
            evidence_min_days: r.int(12)?,
            positions_visible: r.int(13)?,
            health_below_grace_days: r.int(14)?,
            licence: r.text(15)?,
            publishing: r.text(16)?,
            draft_visible: r.int(17)?,
            attribution: r.text(18)?,
        })
    }
}

fn from_row(r: OrgRow) -> Result<OrgRecord, StoreError> {
    let days = |d: i64| u32::try_from(d).map_err(|_| StoreError::Corrupt(format!("threshold {d}")));
    let miles: Vec<i64> = serde_json::from_str(&r.miles)?;
    Ok(OrgRecord {
        id: OrgId(r.id),
        org: Organization {
            slug: OrgSlug::parse(&r.slug)?,
            name: Name::parse(&r.name, "organization name")?,
            miles: MilesScale::parse(&miles)?,
            licence: Licence::parse(&r.licence)
                .ok_or_else(|| StoreError::Corrupt(format!("licence {:?}", r.licence)))?,
            attribution: r.attribution,
        },
        published: r.published != 0,
        updated_at: r.updated_at,
        thresholds: Thresholds {
            stale_after_days: days(r.health_stale_days)?,
            critical_after_days: days(r.health_critical_days)?,
            below_grace_days: days(r.health_below_grace_days)?,
        },
        framework_version: r.framework_version,
        awarders: cairn_domain::awards::Awarders::parse(&r.awards_by)
            .ok_or_else(|| StoreError::Corrupt(format!("awards_by {:?}", r.awards_by)))?,
        evidence: cairn_domain::awards::EvidenceRule {
            min_observations: days(r.evidence_min_observations)?,
            min_observers: days(r.evidence_min_observers)?,
            min_days: days(r.evidence_min_days)?,
        },
        positions_visible: r.positions_visible != 0,
        publishing: Publishing::parse(&r.publishing)
            .ok_or_else(|| StoreError::Corrupt(format!("publishing {:?}", r.publishing)))?,
        draft_visible: r.draft_visible != 0,
    })
}

pub async fn by_slug(store: &Store, slug: &OrgSlug) -> Result<Option<OrgRecord>, StoreError> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.slug = $1");
    let row: Option<OrgRow> = reads::one(store, sql, vec![Arg::from(slug.as_str())]).await?;
    row.map(from_row).transpose()
}

/// An organization with `person`'s membership of it, in one statement:
/// how every request finds its organization and its visitor's standing;
/// and whether they are an active member of another organization too
/// (the header's switcher), in the same statement.
pub async fn by_slug_as(
    store: &Store,
    slug: &OrgSlug,
    person: Option<&crate::people::PersonId>,
) -> Result<Option<(OrgRecord, Option<cairn_domain::membership::Standing>, bool)>, StoreError> {
    struct Row {
        org: OrgRow,
        capabilities: Option<String>,
        status: Option<String>,
        elsewhere: bool,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                org: OrgRow::from_cols(r)?,
                capabilities: r.opt_text(ORG_WIDTH)?,
                status: r.opt_text(ORG_WIDTH + 1)?,
                elsewhere: r.int(ORG_WIDTH + 2)? != 0,
            })
        }
    }
    let sql = format!(
        "SELECT {ORG_COLUMNS}, m.capabilities, m.status,
                CASE WHEN EXISTS (SELECT 1 FROM memberships x
                                   WHERE x.person_id = $2 AND x.org_id <> o.id
                                     AND x.status = 'active') THEN 1 ELSE 0 END
           FROM organizations o
           LEFT JOIN memberships m ON m.org_id = o.id AND m.person_id = $2
          WHERE o.slug = $1"
    );
    let args = vec![
        Arg::from(slug.as_str()),
        Arg::from(person.map_or("", |p| p.as_str())),
    ];
    let row: Option<Row> = reads::one(store, sql, args).await?;
    let Some(r) = row else { return Ok(None) };
    let standing = match (r.capabilities, r.status) {
        (Some(c), Some(s)) => Some(crate::members::standing_from(&c, &s)?),
        _ => None,
    };
    Ok(Some((from_row(r.org)?, standing, r.elsewhere)))
}

pub async fn by_id(store: &Store, id: &OrgId) -> Result<Option<OrgRecord>, StoreError> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.id = $1");
    let row: Option<OrgRow> = reads::one(store, sql, vec![Arg::from(id.as_str())]).await?;
    row.map(from_row).transpose()
}

/// The slugs of the organizations whose id starts with `prefix` (how a
/// CASE identifier finds its organization: `cairn_domain::case`). Only
/// hexadecimal digits are looked for.
pub async fn slugs_by_id_prefix(store: &Store, prefix: &str) -> Result<Vec<OrgSlug>, StoreError> {
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(Vec::new());
    }
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM organizations WHERE id LIKE $1 ORDER BY slug LIMIT 10",
    )
    .bind(format!("{}%", prefix.to_ascii_lowercase()))
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|s| OrgSlug::parse(s).map_err(StoreError::from))
        .collect()
}

/// Serializes an organization's writes on PostgreSQL inside `conn`'s
/// transaction (SQLite's `BEGIN IMMEDIATE` already does).
pub(crate) async fn lock(
    store: &Store,
    conn: &mut sqlx::AnyConnection,
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

/// How many published frameworks the home page lists at a time.
pub const PUBLISHED_PAGE: i64 = 50;

/// One page of the published organizations, by name, each with its
/// number of abilities and their categories (one statement); and whether
/// there are more after it.
pub async fn list_published(
    store: &Store,
    page: i64,
) -> Result<(Vec<OrgSummary>, bool), StoreError> {
    #[derive(sqlx::FromRow)]
    struct SummaryRow {
        slug: String,
        name: String,
        category: Option<String>,
        abilities: i64,
        licence: String,
    }
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT o.slug, o.name, a.category, COUNT(a.id) AS abilities, o.licence
           FROM organizations o
           LEFT JOIN abilities a ON a.org_id = o.id AND a.archived_at IS NULL
          WHERE o.id IN (SELECT p.id FROM organizations p WHERE p.published = 1
                          ORDER BY p.name, p.slug LIMIT $1 OFFSET $2)
          GROUP BY o.id, o.slug, o.name, a.category, o.licence
          ORDER BY o.name, o.slug, a.category",
    )
    .bind(PUBLISHED_PAGE + 1)
    .bind(page.max(0) * PUBLISHED_PAGE)
    .fetch_all(&store.pool)
    .await?;
    let mut out: Vec<OrgSummary> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|o| o.slug.as_str() != r.slug) {
            out.push(OrgSummary {
                slug: OrgSlug::parse(&r.slug)?,
                name: Name::parse(&r.name, "organization name")?,
                abilities: 0,
                categories: Vec::new(),
                licence: Licence::parse(&r.licence)
                    .ok_or_else(|| StoreError::Corrupt(format!("licence {:?}", r.licence)))?,
            });
        }
        if let Some(o) = out.last_mut() {
            o.abilities += r.abilities;
            if let Some(c) = r.category.filter(|_| r.abilities > 0) {
                o.categories.push(Name::parse(&c, "category")?);
            }
        }
    }
    let more = out.len() as i64 > PUBLISHED_PAGE;
    out.truncate(PUBLISHED_PAGE as usize);
    Ok((out, more))
}

/// Creates an organization with an empty framework and its owner.
/// A slug in use is a `Conflict("slug")`.
pub async fn create(
    store: &Store,
    slug: &OrgSlug,
    name: &Name,
    owner: &crate::people::PersonId,
    now: Millis,
) -> Result<OrgId, StoreError> {
    let id = crate::new_id();
    let mut tx = store.begin_write().await?;
    let taken: Vec<String> = sqlx::query_scalar("SELECT id FROM organizations WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_all(tx.conn()?)
        .await?;
    if !taken.is_empty() {
        return Err(StoreError::Conflict("slug".into()));
    }
    let miles = serde_json::to_string(&MilesScale::default().values())?;
    sqlx::query(
        "INSERT INTO organizations (id, slug, name, miles, published, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(&id)
    .bind(slug.as_str())
    .bind(name.as_str())
    .bind(&miles)
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (org_id, person_id, capabilities, status, joined_at, person_name)
         VALUES ($1, $2, 'owner', 'active', $3, (SELECT name FROM people WHERE id = $2))",
    )
    .bind(&id)
    .bind(owner.as_str())
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(OrgId(id))
}

/// Sets the health thresholds (days after which an item is stale, and
/// critically stale).
pub async fn set_thresholds(
    store: &Store,
    org: &OrgId,
    t: Thresholds,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE organizations SET health_stale_days = $1, health_critical_days = $2, updated_at = $3,
                health_below_grace_days = $5
          WHERE id = $4",
    )
    .bind(i64::from(t.stale_after_days))
    .bind(i64::from(t.critical_after_days))
    .bind(now)
    .bind(org.as_str())
    .bind(i64::from(t.below_grace_days))
    .execute(tx.conn()?)
    .await?;
    tx.commit().await
}

/// Everything the organization's settings page saves.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: Name,
    pub published: bool,
    pub thresholds: Thresholds,
    pub awarders: crate::awards::Awarders,
    pub evidence: cairn_domain::awards::EvidenceRule,
    pub positions_visible: bool,
}

/// Saves the settings page as one transaction (one statement): a reader
/// never sees half of it.
pub async fn save_settings(
    store: &Store,
    org: &OrgId,
    s: &Settings,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE organizations
            SET name = $1, published = $2, health_stale_days = $3, health_critical_days = $4,
                awards_by = $5, evidence_min_observations = $6, evidence_min_observers = $7,
                evidence_min_days = $8, updated_at = $9, positions_visible = $11,
                health_below_grace_days = $12,
                framework_version = framework_version + CASE WHEN name = $1 THEN 0 ELSE 1 END
          WHERE id = $10",
    )
    .bind(s.name.as_str())
    .bind(i64::from(s.published))
    .bind(i64::from(s.thresholds.stale_after_days))
    .bind(i64::from(s.thresholds.critical_after_days))
    .bind(s.awarders.as_str())
    .bind(i64::from(s.evidence.min_observations))
    .bind(i64::from(s.evidence.min_observers))
    .bind(i64::from(s.evidence.min_days))
    .bind(now)
    .bind(org.as_str())
    .bind(i64::from(s.positions_visible))
    .bind(i64::from(s.thresholds.below_grace_days))
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await
}

/// Renames an organization.
pub async fn rename(
    store: &Store,
    org: &OrgId,
    name: &Name,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE organizations SET name = $1, updated_at = $2, framework_version = framework_version + 1 WHERE id = $3")
        .bind(name.as_str())
        .bind(now)
        .bind(org.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

/// Whether anonymous visitors may read the framework.
pub async fn set_published(
    store: &Store,
    org: &OrgId,
    published: bool,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let done =
        sqlx::query("UPDATE organizations SET published = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(published))
            .bind(now)
            .bind(org.as_str())
            .execute(tx.conn()?)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await
}

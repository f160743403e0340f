//! Awards of milestones. One row per level awarded (a confirmed jump
//! records every level in between); revoked rows stay as history.

use cairn_domain::awards::{
    AwardFacts, AwardVisibility, EvidenceRule, Held, RevokeRefused, revocation,
};
use cairn_domain::{Level, Name, Slug};

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError, new_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub id: String,
    pub ability: Slug,
    pub ability_name: Name,
    /// False when the ability was archived after the award.
    pub ability_active: bool,
    pub level: Level,
    pub recipient: PersonId,
    pub certifier: PersonId,
    pub certifier_name: Name,
    pub awarded_at: Millis,
    pub note: String,
    pub visibility: AwardVisibility,
    pub on_profile: bool,
    pub revoked: bool,
    pub evidence: Vec<String>,
    /// The published version it was awarded under, if any was published.
    pub version: Option<i64>,
    /// The newest day it was evidenced: the award, or a later observation
    /// (`recency`).
    pub last_evidenced: Millis,
}

impl Award {
    pub fn facts(&self) -> AwardFacts<PersonId> {
        AwardFacts {
            recipient: self.recipient.clone(),
            certifier: self.certifier.clone(),
            visibility: self.visibility,
            on_profile: self.on_profile,
            revoked: self.revoked,
        }
    }
}

/// An award with one of its pieces of evidence (none when it has none).
pub(crate) struct AwardRow {
    id: String,
    slug: String,
    ability_name: String,
    archived_at: Option<i64>,
    level: i64,
    certifier_id: String,
    certifier_name: String,
    awarded_at: i64,
    note: String,
    visibility: String,
    on_profile: i64,
    revoked_at: Option<i64>,
    observation_id: Option<String>,
    published_version: Option<i64>,
    evidenced_on: Option<i64>,
}

impl AwardRow {
    /// `OF_PERSON`'s columns from column `at` on.
    pub(crate) fn from_cols_at(r: &dyn Cols, at: usize) -> Result<Self, StoreError> {
        Ok(AwardRow {
            id: r.text(at)?,
            slug: r.text(at + 1)?,
            ability_name: r.text(at + 2)?,
            archived_at: r.opt_int(at + 3)?,
            level: r.int(at + 4)?,
            certifier_id: r.text(at + 5)?,
            certifier_name: r.text(at + 6)?,
            awarded_at: r.int(at + 7)?,
            note: r.text(at + 8)?,
            visibility: r.text(at + 9)?,
            on_profile: r.int(at + 10)?,
            revoked_at: r.opt_int(at + 11)?,
            observation_id: r.opt_text(at + 12)?,
            published_version: r.opt_int(at + 13)?,
            evidenced_on: r.opt_int(at + 14)?,
        })
    }
}

impl FromCols for AwardRow {
    fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
        AwardRow::from_cols_at(r, 0)
    }
}

/// A person's awards with their evidence, one row per piece ($1 the
/// organization, $2 the person), in no set order (`awards_from` sorts).
pub(crate) const OF_PERSON: &str = "SELECT w.id, a.slug, a.name AS ability_name, a.archived_at, w.level, w.certifier_id,
                p.name AS certifier_name, w.awarded_at, w.note, w.visibility, w.on_profile,
                w.revoked_at, e.observation_id, w.published_version, w.evidenced_on
           FROM awards w JOIN abilities a ON a.id = w.ability_id JOIN people p ON p.id = w.certifier_id
           LEFT JOIN award_evidence e ON e.award_id = w.id
          WHERE w.org_id = $1 AND w.recipient_id = $2";

/// Every award of a person in an organization (revoked ones included),
/// oldest first.
pub async fn of_person(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<Vec<Award>, StoreError> {
    let rows: Vec<AwardRow> = reads::all(
        store,
        OF_PERSON.to_owned(),
        vec![Arg::from(org.as_str()), Arg::from(person.as_str())],
    )
    .await?;
    awards_from(rows, person)
}

/// The awards of `person` from `OF_PERSON`'s rows, oldest first (by date,
/// level, id), each with its evidence.
pub(crate) fn awards_from(
    mut rows: Vec<AwardRow>,
    person: &PersonId,
) -> Result<Vec<Award>, StoreError> {
    rows.sort_by(|a, b| (a.awarded_at, a.level, &a.id).cmp(&(b.awarded_at, b.level, &b.id)));
    let mut out: Vec<Award> = Vec::new();
    for r in rows {
        if let Some(last) = out.last_mut().filter(|a| a.id == r.id) {
            last.evidence.extend(r.observation_id);
            continue;
        }
        out.push(Award {
            evidence: r.observation_id.into_iter().collect(),
            ability: Slug::parse(&r.slug)?,
            ability_name: Name::parse(&r.ability_name, "ability")?,
            ability_active: r.archived_at.is_none(),
            level: Level::parse(r.level)?,
            recipient: person.clone(),
            certifier: PersonId(r.certifier_id),
            certifier_name: Name::parse(&r.certifier_name, "name")?,
            awarded_at: r.awarded_at,
            visibility: AwardVisibility::parse(&r.visibility).ok_or_else(|| {
                StoreError::Corrupt(format!("award visibility {:?}", r.visibility))
            })?,
            on_profile: r.on_profile != 0,
            revoked: r.revoked_at.is_some(),
            version: r.published_version,
            last_evidenced: cairn_domain::recency::last_evidenced(r.awarded_at, r.evidenced_on),
            id: r.id,
            note: r.note,
        });
    }
    Ok(out)
}

/// The milestones every active member of `org` holds (live awards on
/// active abilities), in one statement: what a people lead's candidates
/// list decides on. People leads read every award, so nothing is filtered
/// by visibility here.
pub async fn held_in_org(
    store: &Store,
    org: &OrgId,
) -> Result<std::collections::HashMap<PersonId, Vec<(Slug, Level)>>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct HeldRow {
        recipient_id: String,
        slug: String,
        level: i64,
        revoked_at: Option<i64>,
        archived_at: Option<i64>,
    }
    let rows: Vec<HeldRow> = sqlx::query_as(
        "SELECT w.recipient_id, a.slug, w.level, w.revoked_at, a.archived_at
           FROM awards w JOIN abilities a ON a.id = w.ability_id
           JOIN memberships m ON m.org_id = w.org_id AND m.person_id = w.recipient_id
          WHERE w.org_id = $1 AND m.status = 'active'",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    let mut out: std::collections::HashMap<PersonId, Vec<(Slug, Level)>> =
        std::collections::HashMap::new();
    for r in rows
        .into_iter()
        .filter(|r| counts(r.archived_at.is_none(), r.revoked_at.is_some()))
    {
        out.entry(PersonId(r.recipient_id))
            .or_default()
            .push((Slug::parse(&r.slug)?, Level::parse(r.level)?));
    }
    Ok(out)
}

/// The milestones awards hold: live awards on active abilities (an
/// ability archived after an award keeps it in history but adds nothing).
pub fn held<'a>(awards: impl IntoIterator<Item = &'a Award>) -> Vec<(Slug, Level)> {
    awards
        .into_iter()
        .filter(|a| counts(a.ability_active, a.revoked))
        .map(|a| (a.ability.clone(), a.level))
        .collect()
}

/// Whether an award adds to what its recipient holds: the one statement
/// of it, for `held` and `held_in_org`.
pub(crate) fn counts(ability_active: bool, revoked: bool) -> bool {
    ability_active && !revoked
}

/// What an awarder submits.
#[derive(Debug, Clone)]
pub struct NewAward {
    pub recipient: PersonId,
    pub ability: Slug,
    /// From `levels_to_award`: lowest first.
    pub levels: Vec<Level>,
    pub note: String,
    pub visibility: AwardVisibility,
    pub evidence: Vec<String>,
}

pub async fn award(
    store: &Store,
    org: &OrgId,
    certifier: &PersonId,
    a: &NewAward,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM abilities WHERE org_id = $1 AND slug = $2 AND archived_at IS NULL",
    )
    .bind(org.as_str())
    .bind(a.ability.as_str())
    .fetch_optional(tx.conn()?)
    .await?;
    let ability_id = found.ok_or(StoreError::NotFound)?;
    let version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(number) FROM framework_versions WHERE org_id = $1")
            .bind(org.as_str())
            .fetch_one(tx.conn()?)
            .await?;
    for (i, level) in a.levels.iter().enumerate() {
        let id = new_id();
        sqlx::query(
            "INSERT INTO awards (id, org_id, recipient_id, ability_id, level, certifier_id, awarded_at, note, visibility, published_version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(org.as_str())
        .bind(a.recipient.as_str())
        .bind(&ability_id)
        .bind(i64::from(level.get()))
        .bind(certifier.as_str())
        .bind(now)
        .bind(&a.note)
        .bind(a.visibility.as_str())
        .bind(version)
        .execute(tx.conn()?)
        .await?;
        crate::recency::evidence_award(tx.conn()?, &id).await?;
        // The evidence supports the level asked for (the last one).
        if i + 1 == a.levels.len() {
            for obs in &a.evidence {
                sqlx::query("INSERT INTO award_evidence (org_id, award_id, observation_id) VALUES ($1, $2, $3)")
                    .bind(org.as_str())
                    .bind(&id)
                    .bind(obs)
                    .execute(tx.conn()?)
                    .await?;
            }
        }
    }
    if let Some(top) = a.levels.iter().map(|l| l.get()).max() {
        crate::notifications::awarded(
            tx.conn()?,
            org,
            &a.recipient,
            certifier,
            a.ability.as_str(),
            top,
            a.visibility == AwardVisibility::Organization,
            now,
        )
        .await?;
    }
    tx.commit().await
}

/// Revokes an award and, once `confirmed`, every higher live milestone of
/// the same ability with it (`awards::revocation`), reading the
/// recipient's live awards inside the write transaction. `people_lead`:
/// the one revoking may revoke any award; otherwise only their own.
/// Returns the ids revoked (empty: nothing of that id was live).
pub async fn revoke(
    store: &Store,
    org: &OrgId,
    id: &str,
    by: &PersonId,
    people_lead: bool,
    confirmed: bool,
    now: Millis,
) -> Result<Result<Vec<String>, RevokeRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    #[derive(sqlx::FromRow)]
    struct LiveRow {
        id: String,
        level: i64,
        certifier_id: String,
    }
    let rows: Vec<LiveRow> = sqlx::query_as(
        "SELECT b.id, b.level, b.certifier_id FROM awards a
           JOIN awards b ON b.org_id = a.org_id AND b.recipient_id = a.recipient_id
                        AND b.ability_id = a.ability_id AND b.revoked_at IS NULL
          WHERE a.org_id = $1 AND a.id = $2 AND a.revoked_at IS NULL",
    )
    .bind(org.as_str())
    .bind(id)
    .fetch_all(tx.conn()?)
    .await?;
    let live = rows
        .into_iter()
        .map(|r| {
            Ok(Held {
                level: Level::parse(r.level)?,
                revocable: people_lead || r.certifier_id == by.as_str(),
                id: r.id,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let ids = match revocation(&id.to_owned(), &live, confirmed) {
        Ok(ids) => ids,
        Err(refused) => return Ok(Err(refused)),
    };
    for award in &ids {
        sqlx::query(
            "UPDATE awards SET revoked_at = $1, revoked_by = $2 WHERE org_id = $3 AND id = $4 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(by.as_str())
        .bind(org.as_str())
        .bind(award)
        .execute(tx.conn()?)
        .await?;
    }
    // One notice for the milestone asked about (those above it go with it).
    if !ids.is_empty() {
        crate::notifications::revoked(tx.conn()?, org, id, by, now).await?;
    }
    tx.commit().await?;
    Ok(Ok(ids))
}

pub async fn evidence_rule(store: &Store, org: &OrgId) -> Result<EvidenceRule, StoreError> {
    #[derive(sqlx::FromRow)]
    struct RuleRow {
        evidence_min_observations: i64,
        evidence_min_observers: i64,
        evidence_min_days: i64,
    }
    let r: RuleRow = sqlx::query_as(
        "SELECT evidence_min_observations, evidence_min_observers, evidence_min_days FROM organizations WHERE id = $1",
    )
    .bind(org.as_str())
    .fetch_optional(&store.pool)
    .await?
    .ok_or(StoreError::NotFound)?;
    let n = |v: i64| u32::try_from(v).unwrap_or(0);
    Ok(EvidenceRule {
        min_observations: n(r.evidence_min_observations),
        min_observers: n(r.evidence_min_observers),
        min_days: n(r.evidence_min_days),
    })
}

pub async fn set_evidence_rule(
    store: &Store,
    org: &OrgId,
    rule: EvidenceRule,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE organizations SET evidence_min_observations = $1, evidence_min_observers = $2, evidence_min_days = $3
          WHERE id = $4",
    )
    .bind(i64::from(rule.min_observations))
    .bind(i64::from(rule.min_observers))
    .bind(i64::from(rule.min_days))
    .bind(org.as_str())
    .execute(tx.conn()?)
    .await?;
    tx.commit().await
}

/// (recipient, certifier) of a live award, for deciding who may revoke it.
pub async fn parties(
    store: &Store,
    org: &OrgId,
    id: &str,
) -> Result<Option<(PersonId, PersonId)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct PartiesRow {
        recipient_id: String,
        certifier_id: String,
    }
    let row: Option<PartiesRow> = sqlx::query_as(
        "SELECT recipient_id, certifier_id FROM awards WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(org.as_str())
    .bind(id)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|r| (PersonId(r.recipient_id), PersonId(r.certifier_id))))
}

/// The recipient's choice to show an award on their public profile.
pub async fn set_on_profile(
    store: &Store,
    org: &OrgId,
    recipient: &PersonId,
    id: &str,
    shown: bool,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE awards SET on_profile = $1 WHERE org_id = $2 AND recipient_id = $3 AND id = $4",
    )
    .bind(i64::from(shown))
    .bind(org.as_str())
    .bind(recipient.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await
}

pub use cairn_domain::awards::Awarders;

pub async fn awarders(store: &Store, org: &OrgId) -> Result<Awarders, StoreError> {
    let rows: Option<String> =
        sqlx::query_scalar("SELECT awards_by FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&store.pool)
            .await?;
    let s = rows.ok_or(StoreError::NotFound)?;
    Awarders::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("awards_by {s:?}")))
}

pub async fn set_awarders(store: &Store, org: &OrgId, a: Awarders) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE organizations SET awards_by = $1 WHERE id = $2")
        .bind(a.as_str())
        .bind(org.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

//! Observations. Reading them goes through one rule
//! (`cairn_domain::visibility::can_read`); the list query below is its SQL
//! twin, and a test proves the two agree for every viewer and level.

use std::collections::HashSet;

use cairn_domain::visibility::{ObservationFacts, Privacy, Rating, Reader};
use cairn_domain::{Markdown, Name, Slug};

use crate::ability_stats;
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observee {
    pub id: PersonId,
    pub name: Name,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingLine {
    pub ability: Slug,
    pub ability_name: Name,
    pub rating: Rating,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub id: String,
    pub observer: Observee,
    pub observees: Vec<Observee>,
    pub story: Markdown,
    pub observed_on: Millis,
    pub privacy: Privacy,
    pub published_at: Option<Millis>,
    pub deleted: bool,
    pub ratings: Vec<RatingLine>,
}

impl Observation {
    pub fn facts(&self) -> ObservationFacts<PersonId> {
        ObservationFacts {
            observer: self.observer.id.clone(),
            observees: self.observees.iter().map(|o| o.id.clone()).collect(),
            privacy: self.privacy,
            published: self.published_at.is_some(),
            deleted: self.deleted,
        }
    }
}

/// Everyone who reports to $2 in $1, directly or not: the closure that
/// `members::rebuild_reports` keeps.
const REPORTS: &str = "SELECT person_id FROM reports_to WHERE org_id = $1 AND manager_id = $2";

/// Everyone who reports to `person` in `org`, directly or not.
pub async fn reports(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<HashSet<PersonId>, StoreError> {
    reports_on(&mut *store.read().await?, org, person).await
}

/// Everyone who reports to `person`, on a connection the caller holds.
pub(crate) async fn reports_on(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    person: &PersonId,
) -> Result<HashSet<PersonId>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar(REPORTS)
        .bind(org.as_str())
        .bind(person.as_str())
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(PersonId).collect())
}

/// A reader as the rule sees them: `member` is whether they are an active
/// member of `org`.
pub async fn reader(
    store: &Store,
    org: &OrgId,
    person: Option<&PersonId>,
    member: bool,
) -> Result<Reader<PersonId>, StoreError> {
    Ok(match person {
        Some(p) if member => Reader {
            person: Some(p.clone()),
            member,
            reports: reports(store, org, p).await?,
        },
        Some(p) => Reader {
            person: Some(p.clone()),
            member: false,
            reports: HashSet::new(),
        },
        None => Reader::outsider(),
    })
}

/// What a new observation says.
#[derive(Debug, Clone)]
pub struct Draft {
    pub observees: Vec<PersonId>,
    pub story: Markdown,
    pub observed_on: Millis,
    pub ratings: Vec<(Slug, Rating)>,
}

/// Why a draft could not be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftRefused {
    /// Someone observed is not an active member of the organization.
    NotAMember,
    UnknownAbility(Slug),
}

/// Saves a draft; only its observer sees it until it is published.
pub async fn create(
    store: &Store,
    org: &OrgId,
    observer: &PersonId,
    draft: &Draft,
    now: Millis,
) -> Result<Result<String, DraftRefused>, StoreError> {
    let id = new_id();
    let mut tx = store.begin_write().await?;
    for p in &draft.observees {
        let ok: Vec<i64> = sqlx::query_scalar(
            "SELECT 1 FROM memberships WHERE org_id = $1 AND person_id = $2 AND status = 'active'",
        )
        .bind(org.as_str())
        .bind(p.as_str())
        .fetch_all(tx.conn()?)
        .await?;
        if ok.is_empty() {
            return Ok(Err(DraftRefused::NotAMember));
        }
    }
    sqlx::query(
        "INSERT INTO observations (id, org_id, observer_id, story, observed_on, privacy, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'journal', $6, $6)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(observer.as_str())
    .bind(draft.story.as_str())
    .bind(draft.observed_on)
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    for p in &draft.observees {
        sqlx::query(
            "INSERT INTO observation_observees (org_id, observation_id, person_id, observed_on)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org.as_str())
        .bind(&id)
        .bind(p.as_str())
        .bind(draft.observed_on)
        .execute(tx.conn()?)
        .await?;
    }
    for (ability, rating) in &draft.ratings {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM abilities WHERE org_id = $1 AND slug = $2 AND archived_at IS NULL",
        )
        .bind(org.as_str())
        .bind(ability.as_str())
        .fetch_optional(tx.conn()?)
        .await?;
        let Some(ability_id) = found else {
            return Ok(Err(DraftRefused::UnknownAbility(ability.clone())));
        };
        sqlx::query("INSERT INTO observation_ratings (org_id, observation_id, ability_id, rating) VALUES ($1, $2, $3, $4)")
            .bind(org.as_str())
            .bind(&id)
            .bind(ability_id)
            .bind(rating.as_str())
            .execute(tx.conn()?)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(id))
}

/// Publishes a draft at a level (observer only; the caller checks).
pub async fn publish(
    store: &Store,
    org: &OrgId,
    id: &str,
    privacy: Privacy,
    now: Millis,
) -> Result<(), StoreError> {
    update(store, org, id, "UPDATE observations SET privacy = $1, published_at = $2, updated_at = $2 WHERE org_id = $3 AND id = $4 AND published_at IS NULL AND deleted_at IS NULL", privacy.as_str(), now, 1).await
}

/// Changes the level of a published observation from `from` to `to` (the
/// caller applies `may_change_level` to that pair). The change is made
/// only if the level is still `from`: a decision taken on a level someone
/// has changed meanwhile (the observer narrowing it to Journal, say) must
/// not undo theirs. `Ok(false)`: it was changed meanwhile; nothing written.
pub async fn set_privacy(
    store: &Store,
    org: &OrgId,
    id: &str,
    from: Privacy,
    to: Privacy,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE observations SET privacy = $1, updated_at = $2
          WHERE org_id = $3 AND id = $4 AND deleted_at IS NULL AND published_at IS NOT NULL
            AND privacy = $5",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(org.as_str())
    .bind(id)
    .bind(from.as_str())
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    ability_stats::sync_public(tx.conn()?, id).await?;
    tx.commit().await?;
    Ok(true)
}

/// Soft delete: gone for every reader, kept in the database.
pub async fn delete(store: &Store, org: &OrgId, id: &str, now: Millis) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let published: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT published_at FROM observations WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(org.as_str())
    .bind(id)
    .fetch_optional(tx.conn()?)
    .await?;
    let Some(published_at) = published else {
        return Err(StoreError::NotFound);
    };
    sqlx::query("UPDATE observations SET deleted_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(now)
        .bind(org.as_str())
        .bind(id)
        .execute(tx.conn()?)
        .await?;
    if published_at.is_some() {
        ability_stats::count_observation(tx.conn()?, id, -1).await?;
    }
    ability_stats::sync_public(tx.conn()?, id).await?;
    tx.commit().await
}

async fn update(
    store: &Store,
    org: &OrgId,
    id: &str,
    sql: &'static str,
    privacy: &str,
    now: Millis,
    starts_counting: i64,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(sql)
        .bind(privacy)
        .bind(now)
        .bind(org.as_str())
        .bind(id)
        .execute(tx.conn()?)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if starts_counting != 0 {
        ability_stats::count_observation(tx.conn()?, id, starts_counting).await?;
    }
    ability_stats::sync_public(tx.conn()?, id).await?;
    tx.commit().await
}

mod cards;

pub(crate) use cards::readable_ids;
pub use cards::{
    Cards, Cursor, Holding, PAGE, get, public_for_ability, readable_ids_of, reader_with, visible,
    visible_of, visible_page,
};

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
    /// When a published observation was last edited.
    pub edited_at: Option<Millis>,
    /// Its `updated_at`: the version an edit starts from.
    pub version: Millis,
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

/// Whether anyone reports to `person`: one probe, not the whole set.
pub async fn manages_anyone(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<bool, StoreError> {
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM reports_to WHERE org_id = $1 AND manager_id = $2 LIMIT 1",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_optional(&mut *store.read().await?)
    .await?;
    Ok(found.is_some())
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
    create_as(store, org, observer, draft, None, now).await
}

/// Saves and publishes at `privacy` at once: one transaction, so a
/// refusal leaves no draft behind.
pub async fn create_published(
    store: &Store,
    org: &OrgId,
    observer: &PersonId,
    draft: &Draft,
    privacy: Privacy,
    now: Millis,
) -> Result<Result<String, DraftRefused>, StoreError> {
    create_as(store, org, observer, draft, Some(privacy), now).await
}

async fn create_as(
    store: &Store,
    org: &OrgId,
    observer: &PersonId,
    draft: &Draft,
    publish: Option<Privacy>,
    now: Millis,
) -> Result<Result<String, DraftRefused>, StoreError> {
    let id = new_id();
    let mut tx = store.begin_write().await?;
    if let Err(refused) = check_observees(tx.conn()?, org, &draft.observees).await? {
        return Ok(Err(refused));
    }
    sqlx::query(
        "INSERT INTO observations (id, org_id, observer_id, story, observed_on, privacy, published_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(observer.as_str())
    .bind(draft.story.as_str())
    .bind(draft.observed_on)
    .bind(publish.unwrap_or(Privacy::Journal).as_str())
    .bind(publish.map(|_| now))
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    insert_observees(tx.conn()?, org, &id, draft).await?;
    if let Err(refused) = insert_ratings(tx.conn()?, org, &id, &draft.ratings).await? {
        return Ok(Err(refused));
    }
    if publish.is_some() {
        ability_stats::count_observation(tx.conn()?, &id, 1).await?;
        ability_stats::sync_copies(tx.conn()?, &id).await?;
        crate::notifications::observation_changed(tx.conn()?, org, &id, None, now).await?;
    }
    tx.commit().await?;
    Ok(Ok(id))
}

/// Every one observed is an active member of `org`.
async fn check_observees(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    observees: &[PersonId],
) -> Result<Result<(), DraftRefused>, StoreError> {
    for p in observees {
        let ok: Vec<i64> = sqlx::query_scalar(
            "SELECT 1 FROM memberships WHERE org_id = $1 AND person_id = $2 AND status = 'active'",
        )
        .bind(org.as_str())
        .bind(p.as_str())
        .fetch_all(&mut *conn)
        .await?;
        if ok.is_empty() {
            return Ok(Err(DraftRefused::NotAMember));
        }
    }
    Ok(Ok(()))
}

async fn insert_observees(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    id: &str,
    draft: &Draft,
) -> Result<(), StoreError> {
    for p in &draft.observees {
        sqlx::query(
            "INSERT INTO observation_observees (org_id, observation_id, person_id, observed_on)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org.as_str())
        .bind(id)
        .bind(p.as_str())
        .bind(draft.observed_on)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The ratings of observation `id`, each of an active ability of `org`.
async fn insert_ratings(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    id: &str,
    ratings: &[(Slug, Rating)],
) -> Result<Result<(), DraftRefused>, StoreError> {
    for (ability, rating) in ratings {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM abilities WHERE org_id = $1 AND slug = $2 AND archived_at IS NULL",
        )
        .bind(org.as_str())
        .bind(ability.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(ability_id) = found else {
            return Ok(Err(DraftRefused::UnknownAbility(ability.clone())));
        };
        sqlx::query("INSERT INTO observation_ratings (org_id, observation_id, ability_id, rating) VALUES ($1, $2, $3, $4)")
            .bind(org.as_str())
            .bind(id)
            .bind(ability_id)
            .bind(rating.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(Ok(()))
}

/// Why an edit was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefused {
    /// Not there, deleted, or not this observer's.
    Gone,
    /// Changed since the editor loaded it (`version`): nothing written.
    Changed,
    Draft(DraftRefused),
}

/// An earlier version of a published observation, kept when an edit
/// replaced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub story: Markdown,
    pub ratings: Vec<(Slug, Rating)>,
    pub replaced_at: Millis,
}

/// The observer edits their observation, as it was at `version` (its
/// `updated_at` when the form was loaded). A draft takes all of `draft`;
/// a published one only its story and ratings (who and when stay: the
/// people observed have read it as about them), keeps the version it
/// replaces in its history and is marked edited. The version check is the
/// conditional UPDATE, inside the transaction: of two edits of the same
/// version, one is saved and the other is refused, never lost silently.
pub async fn edit(
    store: &Store,
    org: &OrgId,
    observer: &PersonId,
    id: &str,
    version: Millis,
    draft: &Draft,
    now: Millis,
) -> Result<Result<(), EditRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let row: Option<(Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT published_at, story, updated_at FROM observations
          WHERE org_id = $1 AND id = $2 AND observer_id = $3 AND deleted_at IS NULL",
    )
    .bind(org.as_str())
    .bind(id)
    .bind(observer.as_str())
    .fetch_optional(tx.conn()?)
    .await?;
    let Some((published_at, story, updated_at)) = row else {
        return Ok(Err(EditRefused::Gone));
    };
    if updated_at != version {
        return Ok(Err(EditRefused::Changed));
    }
    let published = published_at.is_some();
    let done = sqlx::query(
        "UPDATE observations
            SET story = $1, observed_on = CASE WHEN published_at IS NULL THEN $2 ELSE observed_on END,
                updated_at = $3, edited_at = CASE WHEN published_at IS NULL THEN NULL ELSE $3 END
          WHERE org_id = $4 AND id = $5 AND updated_at = $6 AND deleted_at IS NULL",
    )
    .bind(draft.story.as_str())
    .bind(draft.observed_on)
    .bind(now.max(version + 1))
    .bind(org.as_str())
    .bind(id)
    .bind(version)
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(Err(EditRefused::Changed));
    }
    if published {
        let old: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.slug, r.rating FROM observation_ratings r JOIN abilities a ON a.id = r.ability_id
              WHERE r.observation_id = $1 ORDER BY a.sort_order, a.slug",
        )
        .bind(id)
        .fetch_all(tx.conn()?)
        .await?;
        let lines: Vec<String> = old.iter().map(|(a, r)| format!("{a} {r}")).collect();
        sqlx::query(
            "INSERT INTO observation_revisions (id, org_id, observation_id, story, ratings, replaced_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(org.as_str())
        .bind(id)
        .bind(&story)
        .bind(lines.join("\n"))
        .bind(now)
        .execute(tx.conn()?)
        .await?;
        ability_stats::count_observation(tx.conn()?, id, -1).await?;
    } else {
        if let Err(refused) = check_observees(tx.conn()?, org, &draft.observees).await? {
            return Ok(Err(EditRefused::Draft(refused)));
        }
        sqlx::query("DELETE FROM observation_observees WHERE observation_id = $1")
            .bind(id)
            .execute(tx.conn()?)
            .await?;
        insert_observees(tx.conn()?, org, id, draft).await?;
    }
    sqlx::query("DELETE FROM observation_ratings WHERE observation_id = $1")
        .bind(id)
        .execute(tx.conn()?)
        .await?;
    if let Err(refused) = insert_ratings(tx.conn()?, org, id, &draft.ratings).await? {
        return Ok(Err(EditRefused::Draft(refused)));
    }
    if published {
        ability_stats::count_observation(tx.conn()?, id, 1).await?;
        ability_stats::sync_copies(tx.conn()?, id).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// The versions a published observation's edits replaced, newest first.
pub async fn revisions(store: &Store, org: &OrgId, id: &str) -> Result<Vec<Revision>, StoreError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT story, ratings, replaced_at FROM observation_revisions
          WHERE org_id = $1 AND observation_id = $2 ORDER BY replaced_at DESC, id DESC",
    )
    .bind(org.as_str())
    .bind(id)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|(story, ratings, replaced_at)| {
            let ratings = ratings
                .lines()
                .map(|line| {
                    let (a, r) = line.split_once(' ').unwrap_or((line, ""));
                    Ok((
                        Slug::parse(a)?,
                        Rating::parse(r)
                            .ok_or_else(|| StoreError::Corrupt(format!("rating {r:?}")))?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Revision {
                story: Markdown::new(story),
                ratings,
                replaced_at,
            })
        })
        .collect()
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
    ability_stats::sync_copies(tx.conn()?, id).await?;
    crate::notifications::observation_changed(tx.conn()?, org, id, Some(from), now).await?;
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
    ability_stats::sync_copies(tx.conn()?, id).await?;
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
    if starts_counting > 0 {
        // Published: the people observed who may read it are told.
        crate::notifications::observation_changed(tx.conn()?, org, id, None, now).await?;
    }
    ability_stats::sync_copies(tx.conn()?, id).await?;
    tx.commit().await
}

mod cards;

pub(crate) use cards::readable_ids;
pub use cards::{
    Cards, Cursor, Holding, PAGE, get, public_for_ability, readable_ids_of, reader_with, visible,
    visible_of, visible_page,
};

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
    let rows: Vec<String> = sqlx::query_scalar(REPORTS)
        .bind(org.as_str())
        .bind(person.as_str())
        .fetch_all(&store.pool)
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
        sqlx::query("INSERT INTO observation_observees (org_id, observation_id, person_id) VALUES ($1, $2, $3)")
            .bind(org.as_str())
            .bind(&id)
            .bind(p.as_str())
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

/// Every observation of the organization.
const ALL: &str = "observations o JOIN people p ON p.id = o.observer_id";

const COLUMNS: &str = "o.id, o.observer_id, p.name AS observer_name, o.story, o.observed_on, o.privacy, o.published_at, o.deleted_at";

/// The SQL twin of `can_read`: observations `reader` may read, newest
/// first. $2 is the reader (or ''), $3 whether they are a member (0/1).
/// `{FROM}` names `o` (observations) and `p` (its observer).
/// `LIMIT 1 OFFSET 0` keeps each EXISTS a per-row probe: without it
/// PostgreSQL turned the manager branch into a hash of every observee row
/// of the database (90 ms at 200k observations, 1.2 s at a million).
const VISIBLE: &str = "
    SELECT {COLUMNS} FROM {FROM}
     WHERE o.org_id = $1 AND o.deleted_at IS NULL
       AND ((o.observer_id = $2 AND $3 = 1)
         OR (o.published_at IS NOT NULL AND (
                o.privacy = 'public'
             OR ($3 = 1 AND o.privacy = 'organization')
             OR ($3 = 1 AND o.privacy IN ('observees', 'observees_and_managers') AND EXISTS (
                    SELECT 1 FROM observation_observees x WHERE x.observation_id = o.id AND x.person_id = $2
                     LIMIT 1 OFFSET 0))
             OR ($3 = 1 AND o.privacy IN ('managers', 'observees_and_managers') AND EXISTS (
                    SELECT 1 FROM observation_observees x
                      JOIN reports_to t ON t.org_id = $1 AND t.manager_id = $2 AND t.person_id = x.person_id
                     WHERE x.observation_id = o.id
                     LIMIT 1 OFFSET 0)))))";

/// The ids of the observations `reader` (an active member) may read, by
/// the same SQL twin as the lists, on a connection the caller holds (the
/// organization export reads them inside its snapshot).
pub(crate) async fn readable_ids(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    reader: &PersonId,
) -> Result<HashSet<String>, StoreError> {
    let sql = VISIBLE.replace("{COLUMNS}", "o.id").replace("{FROM}", ALL);
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(org.as_str())
        .bind(reader.as_str())
        .bind(1_i64)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The ids of the observations of `observee` that `reader` may read (the
/// SQL twin of `can_read`): what an award's evidence may show.
pub async fn readable_ids_of(
    store: &Store,
    org: &OrgId,
    reader: Option<&PersonId>,
    member: bool,
    observee: &PersonId,
) -> Result<HashSet<String>, StoreError> {
    let sql = VISIBLE
        .replace("{COLUMNS}", "o.id")
        .replace("{FROM}", OF_OBSERVEE)
        + OF_OBSERVEE_WHERE;
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(org.as_str())
        .bind(reader.map_or("", PersonId::as_str))
        .bind(i64::from(member))
        .bind(observee.as_str())
        .fetch_all(&store.pool)
        .await?;
    Ok(rows.into_iter().collect())
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

/// Observations of one person ($4), driven from their observee rows (a few
/// hundred at most), not from the organization's newest observations:
/// CROSS JOIN keeps SQLite's planner from walking the date index instead.
const OF_OBSERVEE: &str =
    "observation_observees y CROSS JOIN observations o JOIN people p ON p.id = o.observer_id";
const OF_OBSERVEE_WHERE: &str =
    " AND y.org_id = $1 AND y.person_id = $4 AND o.id = y.observation_id";

pub use crate::paging::{Cursor, PAGE};

/// A page of observation cards and what the visibility rule needs to know
/// about the reader for them, read in one statement.
#[derive(Debug, Clone, Default)]
pub struct Cards {
    pub list: Vec<Observation>,
    /// The observees on these cards who report to the reader.
    pub reports: HashSet<PersonId>,
    /// Where the next (older) page starts, when there is one.
    pub older: Option<Cursor>,
    /// The ability's activity, when asked for with the cards.
    pub activity: Option<crate::health::Activity>,
}

impl Cards {
    /// The reader as the rule sees them, for these cards: their reports
    /// among the people observed here (all the rule looks at).
    pub fn reader(&self, person: Option<&PersonId>, member: bool) -> Reader<PersonId> {
        match person {
            Some(p) => Reader {
                person: Some(p.clone()),
                member,
                reports: if member {
                    self.reports.clone()
                } else {
                    HashSet::new()
                },
            },
            None => Reader::outsider(),
        }
    }
}

/// One row of a cards statement: an observation ('o'), an observee ('e',
/// `n1` = 1 when they report to the reader), a rating ('r', `n1` = the
/// ability's order) or an ability's activity ('f').
#[derive(sqlx::FromRow)]
struct CardRow {
    part: String,
    oid: String,
    key: String,
    label: String,
    body: String,
    tag: String,
    n1: Option<i64>,
    n2: Option<i64>,
    n3: Option<i64>,
    n4: Option<i64>,
}

/// One statement for a page of cards: `page` selects `COLUMNS` (`o`, `p`)
/// in the page's order and limit, with $1 the organization and $2 the
/// reader ('' for none); observees and ratings come with it, each observee
/// flagged when they report to the reader. `activity` adds the activity of
/// the ability whose id is $3.
fn cards_sql(page: &str, activity: bool) -> String {
    let mut sql = format!(
        "WITH page AS ({page})
         SELECT 'o' AS part, page.id AS oid, page.observer_id AS key, page.observer_name AS label,
                page.story AS body, page.privacy AS tag, page.observed_on AS n1,
                page.published_at AS n2, page.deleted_at AS n3, CAST(NULL AS BIGINT) AS n4
           FROM page
         UNION ALL
         SELECT 'e', x.observation_id, x.person_id, pe.name, '', '',
                CASE WHEN EXISTS (SELECT 1 FROM reports_to t
                                   WHERE t.org_id = $1 AND t.manager_id = $2 AND t.person_id = x.person_id)
                     THEN 1 ELSE 0 END,
                NULL, NULL, NULL
           FROM page JOIN observation_observees x ON x.observation_id = page.id
           JOIN people pe ON pe.id = x.person_id
         UNION ALL
         SELECT 'r', r.observation_id, a.slug, a.name, '', r.rating, a.sort_order, NULL, NULL, NULL
           FROM page JOIN observation_ratings r ON r.observation_id = page.id
           JOIN abilities a ON a.id = r.ability_id"
    );
    if activity {
        sql.push_str(&format!(
            " UNION ALL SELECT 'f', '', '', '', '', '', {}",
            crate::health::activity_columns("$3")
        ));
    }
    sql
}

/// Builds the cards from a cards statement's rows; `limit` cards at most
/// (the page asks for one more, to know whether there is an older page).
fn cards_from(rows: Vec<CardRow>, limit: Option<u32>) -> Result<Cards, StoreError> {
    let mut cards = Cards::default();
    let mut observees: Vec<CardRow> = Vec::new();
    let mut ratings: Vec<CardRow> = Vec::new();
    for r in rows {
        match r.part.as_str() {
            "o" => cards.list.push(Observation {
                observer: Observee {
                    id: PersonId(r.key),
                    name: Name::parse(&r.label, "name")?,
                },
                observees: Vec::new(),
                story: Markdown::new(r.body),
                observed_on: r.n1.unwrap_or_default(),
                privacy: Privacy::parse(&r.tag)
                    .ok_or_else(|| StoreError::Corrupt(format!("privacy {:?}", r.tag)))?,
                published_at: r.n2,
                deleted: r.n3.is_some(),
                ratings: Vec::new(),
                id: r.oid,
            }),
            "e" => observees.push(r),
            "r" => ratings.push(r),
            _ => {
                cards.activity = Some(crate::health::Activity {
                    achievers: r.n1.unwrap_or_default(),
                    observations: r.n2.unwrap_or_default(),
                    conversations: r.n3.unwrap_or_default(),
                    last_conversation_at: r.n4,
                })
            }
        }
    }
    // Sorted here: the rows of a compound SELECT come in no set order, and
    // sorting a page in SQL costs SQLite more than the rows themselves.
    cards
        .list
        .sort_by(|a, b| (b.observed_on, &b.id).cmp(&(a.observed_on, &a.id)));
    if let Some(limit) = limit.filter(|&l| cards.list.len() > l as usize) {
        cards.list.truncate(limit as usize);
        cards.older = cards.list.last().map(|o| Cursor {
            at: o.observed_on,
            id: o.id.clone(),
        });
    }
    observees.sort_by(|x, y| x.label.cmp(&y.label));
    ratings.sort_by_key(|r| r.n1);
    let index: std::collections::HashMap<String, usize> = cards
        .list
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.clone(), i))
        .collect();
    for e in observees {
        let Some(&i) = index.get(&e.oid) else {
            continue;
        };
        let id = PersonId(e.key);
        if e.n1 == Some(1) {
            cards.reports.insert(id.clone());
        }
        cards.list[i].observees.push(Observee {
            id,
            name: Name::parse(&e.label, "name")?,
        });
    }
    for g in ratings {
        let Some(&i) = index.get(&g.oid) else {
            continue;
        };
        cards.list[i].ratings.push(RatingLine {
            ability: Slug::parse(&g.key)?,
            ability_name: Name::parse(&g.label, "ability")?,
            rating: Rating::parse(&g.tag)
                .ok_or_else(|| StoreError::Corrupt(format!("rating {:?}", g.tag)))?,
        });
    }
    Ok(cards)
}

/// Keyset condition: strictly older than the cursor $k (date), $k+1 (id).
fn older_than(at: usize) -> String {
    format!(
        " AND (o.observed_on < ${at} OR (o.observed_on = ${at} AND o.id < ${}))",
        at + 1
    )
}

fn cursor_binds(after: Option<&Cursor>) -> (i64, String) {
    after.map_or((i64::MAX, String::new()), |c| (c.at, c.id.clone()))
}

/// One observation, whoever may or may not read it: callers check
/// `can_read` on it (with the reports the cards carry) before showing
/// anything.
pub async fn get(
    store: &Store,
    org: &OrgId,
    reader: Option<&PersonId>,
    id: &str,
) -> Result<Option<(Observation, HashSet<PersonId>)>, StoreError> {
    let page = format!("SELECT {COLUMNS} FROM {ALL} WHERE o.org_id = $1 AND o.id = $3");
    let rows: Vec<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(cards_sql(&page, false)))
        .bind(org.as_str())
        .bind(reader.map_or("", PersonId::as_str))
        .bind(id)
        .fetch_all(&store.pool)
        .await?;
    let cards = cards_from(rows, None)?;
    Ok(cards.list.into_iter().next().map(|o| (o, cards.reports)))
}

/// Every observation `reader` may read, newest first (exports, tests).
pub async fn visible(
    store: &Store,
    org: &OrgId,
    reader: Option<&PersonId>,
    member: bool,
) -> Result<Vec<Observation>, StoreError> {
    Ok(visible_page(store, org, reader, member, None, None)
        .await?
        .list)
}

/// A page of the observations `reader` may read, newest first, older than
/// `after`; `limit` None for all.
pub async fn visible_page(
    store: &Store,
    org: &OrgId,
    reader: Option<&PersonId>,
    member: bool,
    after: Option<&Cursor>,
    limit: Option<u32>,
) -> Result<Cards, StoreError> {
    let mut page = VISIBLE.replace("{COLUMNS}", COLUMNS).replace("{FROM}", ALL)
        + &older_than(4)
        + " ORDER BY o.observed_on DESC, o.id DESC";
    if let Some(n) = limit {
        page.push_str(&format!(" LIMIT {}", n + 1));
    }
    let (at, id) = cursor_binds(after);
    let rows: Vec<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(cards_sql(&page, false)))
        .bind(org.as_str())
        .bind(reader.map_or("", PersonId::as_str))
        .bind(i64::from(member))
        .bind(at)
        .bind(id)
        .fetch_all(&store.pool)
        .await?;
    cards_from(rows, limit)
}

/// A page of the observations of one person that `reader` may read,
/// newest first, older than `after`.
pub async fn visible_of(
    store: &Store,
    org: &OrgId,
    reader: Option<&PersonId>,
    member: bool,
    observee: &PersonId,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<Cards, StoreError> {
    let page = VISIBLE
        .replace("{COLUMNS}", COLUMNS)
        .replace("{FROM}", OF_OBSERVEE)
        + OF_OBSERVEE_WHERE
        + &older_than(5)
        + &format!(
            " ORDER BY o.observed_on DESC, o.id DESC LIMIT {}",
            limit + 1
        );
    let (at, id) = cursor_binds(after);
    let rows: Vec<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(cards_sql(&page, false)))
        .bind(org.as_str())
        .bind(reader.map_or("", PersonId::as_str))
        .bind(i64::from(member))
        .bind(observee.as_str())
        .bind(at)
        .bind(id)
        .fetch_all(&store.pool)
        .await?;
    cards_from(rows, Some(limit))
}

/// The newest public, published observations rating an ability (its id,
/// from the framework snapshot): the ability page's "Observations", with
/// the ability's activity for its health in the same statement.
pub async fn public_for_ability(
    store: &Store,
    org: &OrgId,
    reader: Option<&PersonId>,
    ability_id: &str,
) -> Result<Cards, StoreError> {
    // One range of the ability's public ratings, newest first
    // (observation_ratings_public), whatever the organization's size. The
    // twenty are picked in a subquery so that PostgreSQL, too, reads them
    // from the index in order instead of sorting every public rating.
    let page = format!(
        "SELECT {COLUMNS} FROM (
             SELECT r.observation_id, r.public_observed_on FROM observation_ratings r
              WHERE r.ability_id = $3 AND r.public_observed_on IS NOT NULL
              ORDER BY r.public_observed_on DESC, r.observation_id DESC LIMIT 20) top
           JOIN observations o ON o.id = top.observation_id
           JOIN people p ON p.id = o.observer_id
          WHERE o.org_id = $1"
    );
    let rows: Vec<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(cards_sql(&page, true)))
        .bind(org.as_str())
        .bind(reader.map_or("", PersonId::as_str))
        .bind(ability_id)
        .fetch_all(&store.pool)
        .await?;
    cards_from(rows, None)
}

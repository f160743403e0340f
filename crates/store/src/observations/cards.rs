//! Reading observations: the visibility rule's SQL twin (`VISIBLE`) and
//! the cards statement, which brings a page of observations with their
//! observees, ratings and the reader's manager relations in one statement.

use std::collections::HashSet;

use cairn_domain::visibility::{Privacy, Rating, Reader};
use cairn_domain::{Markdown, Name, Slug};

use super::{Observation, Observee, RatingLine};
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::reads::{self, Arg};
use crate::{Store, StoreError};

/// Every observation of the organization.
const ALL: &str = "observations o JOIN people p ON p.id = o.observer_id";

const COLUMNS: &str = "o.id, o.observer_id, p.name AS observer_name, o.story, o.observed_on, o.privacy, o.published_at, o.deleted_at, o.edited_at, o.updated_at";

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

/// Observations of one person ($4), driven from their observee rows in
/// date order (`observation_observees_by_date`): a page stops as soon as it
/// is full. CROSS JOIN keeps SQLite's planner from walking the
/// organization's date index instead.
const OF_OBSERVEE: &str =
    "observation_observees y CROSS JOIN observations o JOIN people p ON p.id = o.observer_id";
const OF_OBSERVEE_WHERE: &str =
    " AND y.org_id = $1 AND y.person_id = $4 AND o.id = y.observation_id";
/// The person's observations older than the cursor ($5, $6), newest first,
/// in the observee index's order.
const OF_OBSERVEE_PAGE: &str =
    " AND (y.observed_on < $5 OR (y.observed_on = $5 AND y.observation_id < $6))
     ORDER BY y.observed_on DESC, y.observation_id DESC";

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
    /// Who holds the roles and positions requiring the ability, when asked
    /// for with the cards: one line per open tenure.
    pub holdings: Vec<Holding>,
}

/// An open tenure of a role or position that requires the ability, and
/// the highest milestone of it its holder has (live awards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub kind: cairn_domain::jobs::HoldingKind,
    /// The role's or position's stored id (`Snapshot::id_of`).
    pub item_id: String,
    pub level: Option<cairn_domain::Level>,
}

impl Cards {
    /// The reader as the rule sees them, for these cards: their reports
    /// among the people observed here (all the rule looks at).
    pub fn reader(&self, person: Option<&PersonId>, member: bool) -> Reader<PersonId> {
        reader_with(person, member, self.reports.iter().cloned())
    }
}

/// The reader as the rule sees them on a page: `reports` are the people on
/// it who report to them (a member's only; anyone else has none). The
/// rule looks at no one else, so the whole reports-to tree is never read.
pub fn reader_with(
    person: Option<&PersonId>,
    member: bool,
    reports: impl IntoIterator<Item = PersonId>,
) -> Reader<PersonId> {
    match person {
        Some(p) => Reader {
            person: Some(p.clone()),
            member,
            reports: if member {
                reports.into_iter().collect()
            } else {
                HashSet::new()
            },
        },
        None => Reader::outsider(),
    }
}

/// One row of a cards statement: an observation ('o'), an observee ('e',
/// `n1` = 1 when they report to the reader), a rating ('r', `n1` = the
/// ability's order) or an ability's activity ('f').
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
    n5: Option<i64>,
}

impl crate::reads::FromCols for CardRow {
    fn from_cols(r: &dyn crate::reads::Cols) -> Result<Self, StoreError> {
        Ok(CardRow {
            part: r.text(0)?,
            oid: r.text(1)?,
            key: r.text(2)?,
            label: r.text(3)?,
            body: r.text(4)?,
            tag: r.text(5)?,
            n1: r.opt_int(6)?,
            n2: r.opt_int(7)?,
            n3: r.opt_int(8)?,
            n4: r.opt_int(9)?,
            n5: r.opt_int(10)?,
        })
    }
}

/// One statement for a page of cards: `page` selects `COLUMNS` (`o`, `p`)
/// (CROSS JOIN keeps the page the outer loop: without it, SQLite's planner,
/// which cannot see the page's LIMIT, scanned every observee and rating of
/// the database at 100,000 observations, 60 ms a page; PostgreSQL plans
/// it as it likes)
/// in the page's order and limit, with $1 the organization and $2 the
/// reader ('' for none); observees and ratings come with it, each observee
/// flagged when they report to the reader. `activity` adds the activity of
/// the ability whose id is $3.
fn cards_sql(page: &str, activity: bool) -> String {
    cards_sql_with(page, activity, false)
}

/// `cards_sql`, with `holdings` adding the open tenures of the roles and
/// positions that require the ability $3, each with its holder's highest
/// live milestone of it.
fn cards_sql_with(page: &str, activity: bool, holdings: bool) -> String {
    let mut sql = format!(
        "WITH page AS ({page})
         SELECT 'o' AS part, page.id AS oid, page.observer_id AS key, page.observer_name AS label,
                page.story AS body, page.privacy AS tag, page.observed_on AS n1,
                page.published_at AS n2, page.deleted_at AS n3, page.edited_at AS n4,
                page.updated_at AS n5
           FROM page
         UNION ALL
         SELECT 'e', x.observation_id, x.person_id, pe.name, '', '',
                CASE WHEN EXISTS (SELECT 1 FROM reports_to t
                                   WHERE t.org_id = $1 AND t.manager_id = $2 AND t.person_id = x.person_id)
                     THEN 1 ELSE 0 END,
                NULL, NULL, NULL, NULL
           FROM page CROSS JOIN observation_observees x
           JOIN people pe ON pe.id = x.person_id
          WHERE x.observation_id = page.id
         UNION ALL
         SELECT 'r', r.observation_id, a.slug, a.name, '', r.rating, a.sort_order, NULL, NULL, NULL, NULL
           FROM page CROSS JOIN observation_ratings r
           JOIN abilities a ON a.id = r.ability_id
          WHERE r.observation_id = page.id"
    );
    if activity {
        sql.push_str(&format!(
            " UNION ALL SELECT 'f', '', '', '', '', '', {}",
            crate::health::activity_columns("$3")
        ));
    }
    if holdings {
        sql.push_str(
            " UNION ALL
             SELECT 'h', t.kind, t.item_id, '', '', '',
                    (SELECT MAX(w.level) FROM awards w
                      WHERE w.org_id = $1 AND w.recipient_id = t.person_id AND w.ability_id = $3
                        AND w.revoked_at IS NULL),
                    NULL, NULL, NULL, NULL
               FROM tenures t
               JOIN memberships m ON m.org_id = t.org_id AND m.person_id = t.person_id
              WHERE t.org_id = $1 AND t.ended_on IS NULL AND m.status = 'active'
                AND t.item_id IN (SELECT role_id FROM role_requirements WHERE ability_id = $3
                                  UNION ALL
                                  SELECT position_id FROM position_requirements WHERE ability_id = $3)",
        );
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
                edited_at: r.n4,
                version: r.n5.unwrap_or_default(),
                ratings: Vec::new(),
                id: r.oid,
            }),
            "e" => observees.push(r),
            "r" => ratings.push(r),
            "h" => cards.holdings.push(Holding {
                kind: cairn_domain::jobs::HoldingKind::parse(&r.oid)
                    .ok_or_else(|| StoreError::Corrupt(format!("tenure kind {:?}", r.oid)))?,
                item_id: r.key,
                level: r.n1.map(cairn_domain::Level::parse).transpose()?,
            }),
            _ => {
                cards.activity = Some(crate::health::Activity {
                    achievers: r.n1.unwrap_or_default(),
                    observations: r.n2.unwrap_or_default(),
                    conversations: r.n3.unwrap_or_default(),
                    last_conversation_at: r.n4,
                    required_of: r.n5.unwrap_or_default(),
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
    let rows: Vec<CardRow> = reads::all(
        store,
        cards_sql(&page, false),
        vec![
            Arg::from(org.as_str()),
            Arg::from(reader.map_or("", PersonId::as_str)),
            Arg::from(id),
        ],
    )
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
    let rows: Vec<CardRow> = reads::all(
        store,
        cards_sql(&page, false),
        vec![
            Arg::from(org.as_str()),
            Arg::from(reader.map_or("", PersonId::as_str)),
            Arg::from(i64::from(member)),
            Arg::from(at),
            Arg::from(id),
        ],
    )
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
        + OF_OBSERVEE_PAGE
        + &format!(" LIMIT {}", limit + 1);
    let (at, id) = cursor_binds(after);
    let rows: Vec<CardRow> = reads::all(
        store,
        cards_sql(&page, false),
        vec![
            Arg::from(org.as_str()),
            Arg::from(reader.map_or("", PersonId::as_str)),
            Arg::from(i64::from(member)),
            Arg::from(observee.as_str()),
            Arg::from(at),
            Arg::from(id),
        ],
    )
    .await?;
    cards_from(rows, Some(limit))
}

/// The newest public, published observations rating an ability (its id,
/// from the framework snapshot): the ability page's "Observations", with
/// the ability's activity for its health in the same statement, and with
/// `holdings` (for members: aggregates of them are shown) who holds what
/// requires it.
pub async fn public_for_ability(
    store: &Store,
    org: &OrgId,
    reader: Option<&PersonId>,
    ability_id: &str,
    holdings: bool,
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
    let rows: Vec<CardRow> = reads::all(
        store,
        cards_sql_with(&page, true, holdings),
        vec![
            Arg::from(org.as_str()),
            Arg::from(reader.map_or("", PersonId::as_str)),
            Arg::from(ability_id),
        ],
    )
    .await?;
    cards_from(rows, None)
}

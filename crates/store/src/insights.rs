//! The counts insights are built from (`cairn_domain::insights::report`),
//! read from indexed aggregates: each observee row and rating of a shared
//! observation carries its observer (migration 0031, kept by
//! `ability_stats::sync_copies`), and shared observations have an index
//! of their own (0032), so a period is a range of three partial indexes,
//! counted as they are read. Two statements per report whatever the
//! number of observations: the members, and the period's rows.

use foldhash::{HashMap, HashSet};

use cairn_domain::insights::report::{Counts, Person};
use cairn_domain::visibility::Rating;

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError};

/// Whose insights: everyone, or the people who report to one manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Organization,
    ReportsOf(PersonId),
}

/// An active member as insights see them, with their name for the list
/// of those not observed.
#[derive(Debug, Clone)]
pub struct Member {
    pub person: Person<PersonId>,
    pub name: String,
}

struct MemberRow {
    id: String,
    name: String,
    joined_at: i64,
    manager: Option<String>,
    team: Option<String>,
    level: Option<String>,
    in_scope: i64,
}

impl FromCols for MemberRow {
    fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
        Ok(MemberRow {
            id: r.text(0)?,
            name: r.text(1)?,
            joined_at: r.int(2)?,
            manager: r.opt_text(3)?,
            team: r.opt_text(4)?,
            level: r.opt_text(5)?,
            in_scope: r.int(6)?,
        })
    }
}

/// Every active member of `org` with their current team, position level
/// and manager, marked in or out of `scope`, by name.
pub async fn members(store: &Store, org: &OrgId, scope: &Scope) -> Result<Vec<Member>, StoreError> {
    let manager = match scope {
        Scope::Organization => String::new(),
        Scope::ReportsOf(p) => p.as_str().to_owned(),
    };
    let rows: Vec<MemberRow> = reads::all(
        store,
        "SELECT m.person_id, m.person_name, m.joined_at, mp.person_name, tm.name, pos.level,
                CASE WHEN $2 = '' THEN 1
                     WHEN EXISTS (SELECT 1 FROM reports_to r WHERE r.org_id = m.org_id
                                     AND r.manager_id = $2 AND r.person_id = m.person_id) THEN 1
                     ELSE 0 END
           FROM memberships m
           LEFT JOIN memberships mp ON mp.org_id = m.org_id AND mp.person_id = m.manager_id
           LEFT JOIN tenures tt ON tt.org_id = m.org_id AND tt.person_id = m.person_id
                               AND tt.kind = 'team' AND tt.ended_on IS NULL
           LEFT JOIN teams tm ON tm.id = tt.item_id
           LEFT JOIN tenures tp ON tp.org_id = m.org_id AND tp.person_id = m.person_id
                               AND tp.kind = 'position' AND tp.ended_on IS NULL
           LEFT JOIN positions pos ON pos.id = tp.item_id
          WHERE m.org_id = $1 AND m.status = 'active'
          ORDER BY m.person_name, m.person_id"
            .to_owned(),
        vec![Arg::from(org.as_str()), Arg::from(manager)],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Member {
            name: r.name,
            person: Person {
                id: PersonId(r.id),
                joined: r.joined_at,
                team: r.team,
                level: r.level,
                manager: r.manager,
                in_scope: r.in_scope != 0,
            },
        })
        .collect())
}

/// A period's counts, and who was observed since `seen_since` (the list
/// of those not observed is everyone else in scope), with people named by
/// their place in the list of members given (anyone else, a departed
/// observer say, is one past its end).
pub struct Period {
    pub counts: Counts<u32>,
    pub observed_since: HashSet<u32>,
}

/// What the period's rows are counted into, on the reader's thread.
struct Tally {
    people: HashMap<String, u32>,
    outside: u32,
    from: Millis,
    seen_since: Millis,
    pairs: HashMap<(u32, u32), u64>,
    written: HashMap<u32, u64>,
    /// Abilities by their place in `ability_ids`.
    abilities: HashMap<String, u32>,
    ability_ids: Vec<String>,
    ratings: HashMap<(u32, Rating, u32), u64>,
    names: HashMap<String, String>,
    observed_since: HashSet<u32>,
}

impl Tally {
    fn person(&self, id: &str) -> u32 {
        self.people.get(id).copied().unwrap_or(self.outside)
    }

    fn ability(&mut self, id: &str) -> u32 {
        if let Some(&a) = self.abilities.get(id) {
            return a;
        }
        let a = self.ability_ids.len() as u32;
        self.ability_ids.push(id.to_owned());
        self.abilities.insert(id.to_owned(), a);
        a
    }

    fn add(&mut self, r: &dyn Cols) -> Result<(), StoreError> {
        let (a, b) = (r.text_ref(1)?, r.text_ref(2)?);
        match &*r.text_ref(0)? {
            "o" => {
                let (by, of) = (self.person(&a), self.person(&b));
                let on = r.int(4)?;
                if on >= self.seen_since {
                    self.observed_since.insert(of);
                }
                if on >= self.from {
                    *self.pairs.entry((by, of)).or_default() += 1;
                }
            }
            "w" => *self.written.entry(self.person(&a)).or_default() += 1,
            "r" => {
                let rating = Rating::parse(&b)
                    .ok_or_else(|| StoreError::Corrupt(format!("rating {b:?}")))?;
                let key = (self.ability(&a), rating, self.person(&r.text_ref(3)?));
                *self.ratings.entry(key).or_default() += 1;
            }
            _ => {
                self.names.insert(a.into_owned(), b.into_owned());
            }
        }
        Ok(())
    }
}

/// The counts of `org`'s shared observations observed in [`from`, `to`),
/// and who was observed in [`seen_since`, `to`), of `people` (numbered by
/// their place), in one statement over three partial covering indexes:
/// the observee rows (pairs), the observations (written, one entry each)
/// and the ratings. The rows are counted as the driver steps through them
/// (`reads::fold`), cheaper than grouping in the database, which sorts
/// each group-by apart, and than keeping them.
pub async fn period(
    store: &Store,
    org: &OrgId,
    people: &[Member],
    from: Millis,
    to: Millis,
    seen_since: Millis,
) -> Result<Period, StoreError> {
    // Only ratings anyone who reads the observation may see are counted:
    // the sensitive ones show to the people observed and their managers.
    let shareable = Rating::ALL
        .into_iter()
        .filter(|r| !r.sensitive())
        .map(|r| format!("'{}'", r.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let shared = crate::ability_stats::shared_where();
    let tally = Tally {
        people: people
            .iter()
            .enumerate()
            .map(|(i, m)| (m.person.id.as_str().to_owned(), i as u32))
            .collect(),
        outside: people.len() as u32,
        from,
        seen_since,
        pairs: HashMap::default(),
        written: HashMap::default(),
        abilities: HashMap::default(),
        ability_ids: Vec::new(),
        ratings: HashMap::default(),
        names: HashMap::default(),
        observed_since: HashSet::default(),
    };
    let t = reads::fold(
        store,
        format!(
            "SELECT 'o', shared_by, person_id, '', observed_on FROM observation_observees
          WHERE org_id = $1 AND shared_by IS NOT NULL AND observed_on >= $4 AND observed_on < $3
         UNION ALL
         SELECT 'w', o.observer_id, '', '', 0 FROM observations o
          WHERE o.org_id = $1 AND {shared} AND o.observed_on >= $2 AND o.observed_on < $3
         UNION ALL
         SELECT 'r', ability_id, rating, shared_by, 0 FROM observation_ratings
          WHERE org_id = $1 AND shared_by IS NOT NULL AND shared_on >= $2 AND shared_on < $3
            AND rating IN ({shareable})
         UNION ALL
         SELECT 'a', id, name, '', 0 FROM abilities WHERE org_id = $1"
        ),
        vec![
            Arg::from(org.as_str()),
            Arg::from(from),
            Arg::from(to),
            Arg::from(from.min(seen_since)),
        ],
        tally,
        |t, r| t.add(r),
    )
    .await?;
    let name = |a: u32| {
        let id = &t.ability_ids[a as usize];
        t.names.get(id).unwrap_or(id).clone()
    };
    let counts = Counts {
        pairs: t.pairs.iter().map(|(&(a, b), &n)| (a, b, n)).collect(),
        written: t.written.iter().map(|(&a, &n)| (a, n)).collect(),
        ratings: t
            .ratings
            .iter()
            .map(|(&(ability, rating, by), &n)| (name(ability), rating, by, n))
            .collect(),
    };
    Ok(Period {
        counts,
        observed_since: t.observed_since,
    })
}

/// The organization's insight settings: (days without an observation that
/// list a member, months after which a milestone is stale).
pub async fn settings(store: &Store, org: &OrgId) -> Result<(u32, u32), StoreError> {
    let (days, months): (i64, i64) =
        sqlx::query_as("SELECT desert_days, stale_months FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&store.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
    let n = |v: i64| u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("setting {v}")));
    Ok((n(days)?, n(months)?))
}

pub async fn set_settings(
    store: &Store,
    org: &OrgId,
    days: u32,
    months: u32,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE organizations SET desert_days = $1, stale_months = $2 WHERE id = $3")
        .bind(i64::from(days))
        .bind(i64::from(months))
        .bind(org.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

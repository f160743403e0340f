//! Check-ins (`cairn_domain::check_ins`). Every step checks the check-in
//! as it is inside its write transaction: one open per member (a unique
//! index), a side written only while open and not completed, a finalize
//! only once (a conditional UPDATE: of two at once, one wins and the other
//! is told it is finalized). Finalized rows are frozen by triggers
//! (migration 0021); their page reads the snapshot.

use cairn_domain::check_ins::{
    AbilityRating, CheckInFacts, Entry, Frozen, Side, Sides, StepRefused,
};
use cairn_domain::notify::Kind;
use cairn_domain::{Name, Slug};

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

/// A check-in as stored.
#[derive(Debug, Clone)]
pub struct CheckIn {
    pub id: String,
    pub member: PersonId,
    pub member_name: Name,
    pub position: Slug,
    pub aiming: bool,
    pub added: Vec<Slug>,
    pub opened_by: PersonId,
    pub opened_at: Millis,
    pub member_completed_at: Option<Millis>,
    pub manager_completed_at: Option<Millis>,
    pub manager_author: Option<PersonId>,
    pub finalized_at: Option<Millis>,
    pub finalized_by: Option<PersonId>,
    /// Written when finalized: what it was measured against and said.
    pub frozen: Option<Frozen>,
    pub acknowledged: Option<Acknowledgement>,
    /// The sides' rows while open (the frozen copy once finalized).
    pub sides: Sides,
    /// The organization's names for the overall ratings now (read with
    /// the check-in: one statement for the finalize form).
    pub scale: cairn_domain::check_ins::Scale,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub at: Millis,
    pub disagrees: bool,
    pub comment: String,
}

impl CheckIn {
    pub fn facts(&self) -> CheckInFacts<PersonId> {
        CheckInFacts {
            member: self.member.clone(),
            member_completed: self.member_completed_at.is_some(),
            manager_completed: self.manager_completed_at.is_some(),
            finalized: self.finalized_at.is_some(),
            acknowledged: self.acknowledged.is_some(),
        }
    }
}

const COLUMNS: &str = "c.id, c.member_id, p.name AS name, c.position_slug, c.aiming, c.added, c.opened_by, c.opened_at,
    c.member_completed_at, c.manager_completed_at, c.manager_author, c.finalized_at, c.finalized_by,
    c.snapshot, a.acknowledged_at, a.disagrees, a.comment, o.check_in_scale";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    member_id: String,
    name: String,
    position_slug: String,
    aiming: i64,
    added: String,
    opened_by: String,
    opened_at: i64,
    member_completed_at: Option<i64>,
    manager_completed_at: Option<i64>,
    manager_author: Option<String>,
    finalized_at: Option<i64>,
    finalized_by: Option<String>,
    snapshot: Option<String>,
    acknowledged_at: Option<i64>,
    disagrees: Option<i64>,
    comment: Option<String>,
    check_in_scale: String,
}

fn slugs(lines: &str) -> Result<Vec<Slug>, StoreError> {
    lines
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| Slug::parse(l).map_err(StoreError::from))
        .collect()
}

fn from_row(r: Row) -> Result<CheckIn, StoreError> {
    let frozen = r
        .snapshot
        .map(|json| {
            serde_json::from_str::<Frozen>(&json)
                .map_err(|e| StoreError::Corrupt(format!("check-in snapshot: {e}")))
        })
        .transpose()?;
    Ok(CheckIn {
        id: r.id,
        member: PersonId(r.member_id),
        member_name: Name::parse(&r.name, "name")?,
        position: Slug::parse(&r.position_slug)?,
        aiming: r.aiming != 0,
        added: slugs(&r.added)?,
        opened_by: PersonId(r.opened_by),
        opened_at: r.opened_at,
        member_completed_at: r.member_completed_at,
        manager_completed_at: r.manager_completed_at,
        manager_author: r.manager_author.map(PersonId),
        finalized_at: r.finalized_at,
        finalized_by: r.finalized_by.map(PersonId),
        frozen,
        acknowledged: r.acknowledged_at.map(|at| Acknowledgement {
            at,
            disagrees: r.disagrees.unwrap_or(0) != 0,
            comment: r.comment.unwrap_or_default(),
        }),
        sides: Sides::default(),
        scale: {
            let names: Vec<&str> = r.check_in_scale.lines().collect();
            cairn_domain::check_ins::Scale::parse(&names)
                .map_err(|e| StoreError::Corrupt(format!("check-in scale: {e}")))?
        },
    })
}

async fn load_on(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    id: &str,
) -> Result<Option<CheckIn>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM check_ins c JOIN people p ON p.id = c.member_id
           JOIN organizations o ON o.id = c.org_id
           LEFT JOIN check_in_acknowledgements a ON a.check_in_id = c.id
          WHERE c.org_id = $1 AND c.id = $2"
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org.as_str())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut c = from_row(row)?;
    let rows: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT side, ability_slug, rating, note, evidence FROM check_in_ratings
          WHERE check_in_id = $1 ORDER BY side, ability_slug",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for (side, ability, rating, note, evidence) in rows {
        let entry = Entry {
            rating: rating.as_deref().and_then(AbilityRating::parse),
            note,
            evidence: evidence.lines().map(str::to_owned).collect(),
        };
        let list = match side.as_str() {
            "member" => &mut c.sides.member,
            "manager" => &mut c.sides.manager,
            _ => &mut c.sides.agreed,
        };
        list.push((Slug::parse(&ability)?, entry));
    }
    Ok(Some(c))
}

/// One check-in of `org`, with its sides (the caller decides who may read
/// what of it: `cairn_domain::check_ins`).
pub async fn get(store: &Store, org: &OrgId, id: &str) -> Result<Option<CheckIn>, StoreError> {
    load_on(&mut *store.read().await?, org, id).await
}

/// A member's check-ins, newest first (without their sides).
pub async fn of_member(
    store: &Store,
    org: &OrgId,
    member: &PersonId,
) -> Result<Vec<CheckIn>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM check_ins c JOIN people p ON p.id = c.member_id
           JOIN organizations o ON o.id = c.org_id
           LEFT JOIN check_in_acknowledgements a ON a.check_in_id = c.id
          WHERE c.org_id = $1 AND c.member_id = $2
          ORDER BY c.opened_at DESC, c.id DESC"
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org.as_str())
        .bind(member.as_str())
        .fetch_all(&store.pool)
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// Opens a check-in of `member` against `position` (theirs, or one they
/// aim for). Refused for a member who is not active, or who has one open
/// already (two opened at once: one is).
pub async fn open(
    store: &Store,
    org: &OrgId,
    member: &PersonId,
    position: &Slug,
    aiming: bool,
    by: &PersonId,
    now: Millis,
) -> Result<Result<String, StepRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM memberships WHERE org_id = $1 AND person_id = $2")
            .bind(org.as_str())
            .bind(member.as_str())
            .fetch_optional(tx.conn()?)
            .await?;
    if status.as_deref() != Some("active") {
        return Ok(Err(StepRefused::NotActive));
    }
    let open: Option<String> = sqlx::query_scalar(
        "SELECT id FROM check_ins WHERE org_id = $1 AND member_id = $2 AND finalized_at IS NULL",
    )
    .bind(org.as_str())
    .bind(member.as_str())
    .fetch_optional(tx.conn()?)
    .await?;
    if open.is_some() {
        return Ok(Err(StepRefused::AlreadyOpen));
    }
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO check_ins (id, org_id, member_id, position_slug, aiming, opened_by, opened_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(member.as_str())
    .bind(position.as_str())
    .bind(i64::from(aiming))
    .bind(by.as_str())
    .bind(now)
    .execute(tx.conn()?)
    .await;
    match inserted.map_err(StoreError::from) {
        Ok(_) => {}
        // The other of two opened at once (PostgreSQL: the unique index).
        Err(StoreError::Conflict(_)) => return Ok(Err(StepRefused::AlreadyOpen)),
        Err(e) => return Err(e),
    }
    let by_name = name_on(tx.conn()?, by).await?;
    crate::notifications::to_member(
        tx.conn()?,
        org,
        member.as_str(),
        by,
        Kind::CheckIn,
        &format!("{by_name} opened a check-in with you"),
        &format!("/check-ins/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// What one side writes.
pub struct SideWrite<'a> {
    pub side: Side,
    pub author: &'a PersonId,
    pub entries: &'a [(Slug, Entry)],
    /// Abilities the member adds (the member side only).
    pub added: &'a [Slug],
    /// Done: the other side may be revealed once it is done too.
    pub complete: bool,
}

/// Writes one side of an open check-in (the caller decided the author may
/// write it: `side_of`). A completed side no longer changes.
pub async fn save_side(
    store: &Store,
    org: &OrgId,
    id: &str,
    w: &SideWrite<'_>,
    now: Millis,
) -> Result<Result<(), StepRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let Some(c) = load_on(tx.conn()?, org, id).await? else {
        return Err(StoreError::NotFound);
    };
    if c.finalized_at.is_some() {
        return Ok(Err(StepRefused::Finalized));
    }
    let completed = match w.side {
        Side::Member => c.member_completed_at,
        Side::Manager => c.manager_completed_at,
    };
    if completed.is_some() {
        return Ok(Err(StepRefused::Completed));
    }
    sqlx::query("DELETE FROM check_in_ratings WHERE check_in_id = $1 AND side = $2")
        .bind(id)
        .bind(w.side.as_str())
        .execute(tx.conn()?)
        .await?;
    insert_entries(tx.conn()?, org, id, w.side.as_str(), w.entries).await?;
    let column = match w.side {
        Side::Member => "member_completed_at",
        Side::Manager => "manager_completed_at",
    };
    let added: String = w.added.iter().map(|a| format!("{a}\n")).collect();
    let sql = format!(
        "UPDATE check_ins SET {column} = $1, updated_at = $2,
                added = CASE WHEN $3 = 1 THEN $4 ELSE added END,
                manager_author = CASE WHEN $3 = 0 THEN $5 ELSE manager_author END
          WHERE org_id = $6 AND id = $7 AND finalized_at IS NULL AND {column} IS NULL"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(w.complete.then_some(now))
        .bind(now)
        .bind(i64::from(w.side == Side::Member))
        .bind(added)
        .bind(w.author.as_str())
        .bind(org.as_str())
        .bind(id)
        .execute(tx.conn()?)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(Err(StepRefused::Completed));
    }
    if w.complete {
        tell_side_completed(tx.conn()?, org, &c, w, id, now).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

async fn name_on(conn: &mut sqlx::AnyConnection, person: &PersonId) -> Result<String, StoreError> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
        .bind(person.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name.unwrap_or_default())
}

/// A completed side tells the other: the member's tells whoever opened the
/// check-in (or wrote the manager's side), if they may still read it; the
/// manager's tells the member.
async fn tell_side_completed(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    c: &CheckIn,
    w: &SideWrite<'_>,
    id: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let author = name_on(conn, w.author).await?;
    match w.side {
        Side::Manager => {
            crate::notifications::to_member(
                conn,
                org,
                c.member.as_str(),
                w.author,
                Kind::CheckIn,
                &format!("{author} completed their side of your check-in"),
                &format!("/check-ins/{id}"),
                now,
            )
            .await
        }
        Side::Member => {
            let manager = c.manager_author.as_ref().unwrap_or(&c.opened_by);
            if !may_read_on(conn, org, id, manager).await? {
                return Ok(());
            }
            crate::notifications::to_member(
                conn,
                org,
                manager.as_str(),
                w.author,
                Kind::CheckIn,
                &format!("{author} completed their side of their check-in"),
                &format!("/check-ins/{id}"),
                now,
            )
            .await
        }
    }
}

/// Whether `reader` may read check-in `id` now (`READABLE`, inside the
/// caller's transaction).
async fn may_read_on(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    id: &str,
    reader: &PersonId,
) -> Result<bool, StoreError> {
    let caps: Option<String> = sqlx::query_scalar(
        "SELECT capabilities FROM memberships WHERE org_id = $1 AND person_id = $2",
    )
    .bind(org.as_str())
    .bind(reader.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let caps = caps
        .as_deref()
        .and_then(cairn_domain::membership::Capabilities::from_text)
        .unwrap_or_default();
    use cairn_domain::membership::Capability;
    let ids: Vec<String> = sqlx::query_scalar(READABLE)
        .bind(org.as_str())
        .bind(reader.as_str())
        .bind(i64::from(caps.has(Capability::PeopleLead)))
        .bind(i64::from(caps.has(Capability::Admin)))
        .fetch_all(&mut *conn)
        .await?;
    Ok(ids.iter().any(|i| i == id))
}

async fn insert_entries(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    id: &str,
    side: &str,
    entries: &[(Slug, Entry)],
) -> Result<(), StoreError> {
    for (ability, e) in entries {
        sqlx::query(
            "INSERT INTO check_in_ratings (check_in_id, org_id, side, ability_slug, rating, note, evidence)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(org.as_str())
        .bind(side)
        .bind(ability.as_str())
        .bind(e.rating.map(AbilityRating::as_str))
        .bind(&e.note)
        .bind(e.evidence.join("\n"))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Finalizes a revealed check-in with what was agreed and the snapshot
/// (built by the caller from what it read: `cairn_domain::check_ins::freeze`).
/// The conditional UPDATE is the check: finalized already, or a side not
/// completed, and nothing is written.
pub async fn finalize(
    store: &Store,
    org: &OrgId,
    id: &str,
    by: &PersonId,
    agreed: &[(Slug, Entry)],
    frozen: &Frozen,
    now: Millis,
) -> Result<Result<(), StepRefused>, StoreError> {
    let json = serde_json::to_string(frozen)
        .map_err(|e| StoreError::Other(format!("check-in snapshot: {e}")))?;
    let mut tx = store.begin_write().await?;
    // The row first: it is the check (and, on PostgreSQL, the lock a
    // second finalizer waits on, then finds finalized).
    let done = sqlx::query(
        "UPDATE check_ins SET finalized_at = $1, finalized_by = $2, snapshot = $3, summary = $4,
                overall = $5, updated_at = $1
          WHERE org_id = $6 AND id = $7 AND finalized_at IS NULL
            AND member_completed_at IS NOT NULL AND manager_completed_at IS NOT NULL",
    )
    .bind(now)
    .bind(by.as_str())
    .bind(&json)
    .bind(&frozen.summary)
    .bind(frozen.overall.as_str())
    .bind(org.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        tx.rollback().await?;
        let c = get(store, org, id).await?.ok_or(StoreError::NotFound)?;
        return Ok(Err(if c.finalized_at.is_some() {
            StepRefused::Finalized
        } else {
            StepRefused::NotRevealed
        }));
    }
    // Only finalizing writes agreed rows, once: there are none to replace.
    insert_entries(tx.conn()?, org, id, "agreed", agreed).await?;
    let member: String = sqlx::query_scalar("SELECT member_id FROM check_ins WHERE id = $1")
        .bind(id)
        .fetch_one(tx.conn()?)
        .await?;
    let by_name = name_on(tx.conn()?, by).await?;
    crate::notifications::to_member(
        tx.conn()?,
        org,
        &member,
        by,
        Kind::CheckIn,
        &format!("{by_name} finalized your check-in"),
        &format!("/check-ins/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The member acknowledges their finalized check-in, once; disagreeing
/// says so, with a comment.
pub async fn acknowledge(
    store: &Store,
    org: &OrgId,
    id: &str,
    member: &PersonId,
    disagrees: bool,
    comment: &str,
    now: Millis,
) -> Result<Result<(), StepRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let Some(c) = load_on(tx.conn()?, org, id).await? else {
        return Err(StoreError::NotFound);
    };
    if let Err(r) = cairn_domain::check_ins::may_acknowledge(member, &c.facts()) {
        return Ok(Err(r));
    }
    let inserted = sqlx::query(
        "INSERT INTO check_in_acknowledgements (check_in_id, org_id, acknowledged_at, disagrees, comment)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(org.as_str())
    .bind(now)
    .bind(i64::from(disagrees))
    .bind(comment)
    .execute(tx.conn()?)
    .await;
    match inserted.map_err(StoreError::from) {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => return Ok(Err(StepRefused::NotAcknowledger)),
        Err(e) => return Err(e),
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// The SQL twin of `cairn_domain::check_ins::can_read`, for lists: the
/// check-ins `reader` may read in `org` (an active member; their own,
/// their reports' up the chain, every one for a people lead, and for an
/// admin when the organization lets admins read them). A store test
/// proves the two agree for every viewer kind on both backends.
const READABLE: &str = "
    SELECT c.id FROM check_ins c JOIN organizations o ON o.id = c.org_id
     WHERE c.org_id = $1
       AND EXISTS (SELECT 1 FROM memberships m
                    WHERE m.org_id = $1 AND m.person_id = $2 AND m.status = 'active')
       AND (c.member_id = $2
         OR EXISTS (SELECT 1 FROM reports_to t
                     WHERE t.org_id = $1 AND t.manager_id = $2 AND t.person_id = c.member_id)
         OR $3 = 1
         OR ($4 = 1 AND o.admins_read_check_ins = 1))
     ORDER BY c.opened_at DESC, c.id DESC";

pub async fn readable_ids(
    store: &Store,
    org: &OrgId,
    reader: &PersonId,
    people_lead: bool,
    admin: bool,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(READABLE)
        .bind(org.as_str())
        .bind(reader.as_str())
        .bind(i64::from(people_lead))
        .bind(i64::from(admin))
        .fetch_all(&store.pool)
        .await?)
}

/// The organization's check-in settings: how often (days) and whether
/// admins read check-ins.
pub async fn set_settings(
    store: &Store,
    org: &OrgId,
    every_days: i64,
    admins_read: bool,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE organizations SET check_in_days = $1, admins_read_check_ins = $2 WHERE id = $3",
    )
    .bind(every_days)
    .bind(i64::from(admins_read))
    .bind(org.as_str())
    .execute(tx.conn()?)
    .await?;
    tx.commit().await
}

/// One member on the due list: their last finalized check-in, and the
/// open one if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueLine {
    pub person: PersonId,
    pub name: Name,
    pub last_finalized: Option<Millis>,
    pub open: Option<String>,
}

/// How many members the due list shows at a time.
pub const DUE_PAGE: i64 = 25;

/// The members whose check-ins `viewer` looks after: their reports up the
/// chain, or (`everyone`, a people lead) every active member, optionally
/// of one team; never checked in or longest ago first, then by name; one
/// page, and whether there are more.
pub async fn due_list(
    store: &Store,
    org: &OrgId,
    viewer: &PersonId,
    everyone: bool,
    team: Option<&Slug>,
    page: i64,
) -> Result<(Vec<DueLine>, bool), StoreError> {
    let rows: Vec<(String, String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.name,
                (SELECT MAX(c.finalized_at) FROM check_ins c
                  WHERE c.org_id = $1 AND c.member_id = m.person_id AND c.finalized_at IS NOT NULL) AS last,
                (SELECT c.id FROM check_ins c
                  WHERE c.org_id = $1 AND c.member_id = m.person_id AND c.finalized_at IS NULL) AS open_id
           FROM memberships m JOIN people p ON p.id = m.person_id
          WHERE m.org_id = $1 AND m.status = 'active'
            AND ($3 = 1 OR EXISTS (SELECT 1 FROM reports_to t
                                    WHERE t.org_id = $1 AND t.manager_id = $2 AND t.person_id = m.person_id))
            AND ($4 = '' OR EXISTS (SELECT 1 FROM tenures x JOIN teams tm ON tm.id = x.item_id
                                     WHERE x.org_id = $1 AND x.person_id = m.person_id AND x.kind = 'team'
                                       AND x.ended_on IS NULL AND tm.slug = $4))
          ORDER BY CASE WHEN (SELECT MAX(c.finalized_at) FROM check_ins c
                               WHERE c.org_id = $1 AND c.member_id = m.person_id) IS NULL THEN 0 ELSE 1 END,
                   last, p.name, p.id
          LIMIT $5 OFFSET $6",
    )
    .bind(org.as_str())
    .bind(viewer.as_str())
    .bind(i64::from(everyone))
    .bind(team.map_or("", Slug::as_str))
    .bind(DUE_PAGE + 1)
    .bind(page.max(0) * DUE_PAGE)
    .fetch_all(&store.pool)
    .await?;
    let more = rows.len() as i64 > DUE_PAGE;
    let lines = rows
        .into_iter()
        .take(DUE_PAGE as usize)
        .map(|(id, name, last, open)| {
            Ok(DueLine {
                person: PersonId(id),
                name: Name::parse(&name, "name")?,
                last_finalized: last,
                open,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((lines, more))
}

/// The organization's check-in settings: (every how many days, whether
/// admins read check-ins).
pub async fn settings(store: &Store, org: &OrgId) -> Result<(i64, bool), StoreError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT check_in_days, admins_read_check_ins FROM organizations WHERE id = $1",
    )
    .bind(org.as_str())
    .fetch_optional(&store.pool)
    .await?;
    let (days, admins) = row.ok_or(StoreError::NotFound)?;
    Ok((days, admins != 0))
}

/// Every finalized check-in of the organization, newest first (the people
/// leads' summary export; without sides).
pub async fn finalized(store: &Store, org: &OrgId) -> Result<Vec<CheckIn>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM check_ins c JOIN people p ON p.id = c.member_id
           JOIN organizations o ON o.id = c.org_id
           LEFT JOIN check_in_acknowledgements a ON a.check_in_id = c.id
          WHERE c.org_id = $1 AND c.finalized_at IS NOT NULL
          ORDER BY c.finalized_at DESC, c.id DESC"
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org.as_str())
        .fetch_all(&store.pool)
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// The organization's check-in eligibility rule, if it has one.
pub async fn rule(
    store: &Store,
    org: &OrgId,
) -> Result<Option<cairn_domain::check_ins::CheckInRule>, StoreError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT check_in_rule_count, check_in_rule_min FROM organizations WHERE id = $1",
    )
    .bind(org.as_str())
    .fetch_optional(&store.pool)
    .await?;
    let (count, min) = row.ok_or(StoreError::NotFound)?;
    let at_least = cairn_domain::check_ins::Overall::parse(&min)
        .ok_or_else(|| StoreError::Corrupt(format!("check-in rule rating {min:?}")))?;
    Ok(u32::try_from(count)
        .ok()
        .filter(|c| *c > 0)
        .map(|count| cairn_domain::check_ins::CheckInRule { count, at_least }))
}

/// Sets (or, with None, removes) the check-in eligibility rule.
pub async fn set_rule(
    store: &Store,
    org: &OrgId,
    rule: Option<cairn_domain::check_ins::CheckInRule>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE organizations SET check_in_rule_count = $1, check_in_rule_min = $2 WHERE id = $3",
    )
    .bind(rule.map_or(0, |r| i64::from(r.count)))
    .bind(rule.map_or("accomplished", |r| r.at_least.as_str()))
    .bind(org.as_str())
    .execute(tx.conn()?)
    .await?;
    tx.commit().await
}

/// The organization's names for the overall ratings.
pub async fn scale(
    store: &Store,
    org: &OrgId,
) -> Result<cairn_domain::check_ins::Scale, StoreError> {
    let lines: Option<String> =
        sqlx::query_scalar("SELECT check_in_scale FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&store.pool)
            .await?;
    let lines = lines.ok_or(StoreError::NotFound)?;
    let names: Vec<&str> = lines.lines().collect();
    cairn_domain::check_ins::Scale::parse(&names)
        .map_err(|e| StoreError::Corrupt(format!("check-in scale: {e}")))
}

pub async fn set_scale(
    store: &Store,
    org: &OrgId,
    scale: &cairn_domain::check_ins::Scale,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE organizations SET check_in_scale = $1 WHERE id = $2")
        .bind(scale.to_lines())
        .bind(org.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

//! Memberships: people in an organization, their capabilities, managers
//! and status (decided in one transaction), their public profile; and
//! the invitations that bring them in ([`invitations`]).

use std::collections::HashMap;

use cairn_domain::membership::{
    Capabilities, MemberChangeRefused, MemberRequest, MemberStatus, Standing, creates_cycle,
    decide_member_change,
};
use cairn_domain::{Name, OrgSlug};

mod invitations;
mod list;

pub use invitations::*;
pub use list::{Listed, get_seen_by, page};

use crate::orgs::OrgId;
use crate::people::{Person, PersonId, PersonRow, person_from};
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub person: Person,
    pub capabilities: Capabilities,
    pub manager: Option<PersonId>,
    pub status: MemberStatus,
    pub joined_at: Millis,
    /// Whether they show a public profile (only while active).
    pub public_profile: bool,
}

fn status_from(s: &str) -> Result<MemberStatus, StoreError> {
    match s {
        "active" => Ok(MemberStatus::Active),
        "departed" => Ok(MemberStatus::Departed),
        other => Err(StoreError::Corrupt(format!("member status {other:?}"))),
    }
}

fn caps_from(s: &str) -> Result<Capabilities, StoreError> {
    Capabilities::from_text(s).ok_or_else(|| StoreError::Corrupt(format!("capabilities {s:?}")))
}

/// A person's membership of one organization: capabilities and status.
pub async fn membership(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<Option<(Capabilities, MemberStatus)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct CapsRow {
        capabilities: String,
        status: String,
    }
    let row: Option<CapsRow> = sqlx::query_as(
        "SELECT capabilities, status FROM memberships WHERE org_id = $1 AND person_id = $2",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| Ok((caps_from(&r.capabilities)?, status_from(&r.status)?)))
        .transpose()
}

/// Everyone who is or was a member, active first, then by name.
pub async fn list(store: &Store, org: &OrgId) -> Result<Vec<Member>, StoreError> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM memberships m JOIN people p ON p.id = m.person_id
          WHERE m.org_id = $1
          ORDER BY m.status, p.name, p.email"
    );
    let rows: Vec<MemberRow> = reads::all(store, sql, vec![Arg::from(org.as_str())]).await?;
    rows.into_iter().map(member_from).collect()
}

/// One member of `org` (active or departed), without loading the others.
pub async fn get(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<Option<Member>, StoreError> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM memberships m JOIN people p ON p.id = m.person_id
          WHERE m.org_id = $1 AND m.person_id = $2"
    );
    let args = vec![Arg::from(org.as_str()), Arg::from(person.as_str())];
    let row: Option<MemberRow> = reads::one(store, sql, args).await?;
    row.map(member_from).transpose()
}

/// `MEMBER_COLUMNS`, in their order.
struct MemberRow {
    person: PersonRow,
    capabilities: String,
    manager_id: Option<String>,
    status: String,
    joined_at: i64,
    public_profile: i64,
}

/// What a member is read as, from column 0 (`p`: people, `m`: memberships).
const MEMBER_COLUMNS: &str =
    "p.id, p.email, p.name, m.capabilities, m.manager_id, m.status, m.joined_at, m.public_profile";
/// How many columns `MEMBER_COLUMNS` are: where a row's further columns start.
const MEMBER_WIDTH: usize = 8;

impl FromCols for MemberRow {
    fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
        Ok(MemberRow {
            person: PersonRow {
                id: r.text(0)?,
                email: r.text(1)?,
                name: r.text(2)?,
            },
            capabilities: r.text(3)?,
            manager_id: r.opt_text(4)?,
            status: r.text(5)?,
            joined_at: r.int(6)?,
            public_profile: r.int(7)?,
        })
    }
}

fn member_from(r: MemberRow) -> Result<Member, StoreError> {
    let status = status_from(&r.status)?;
    Ok(Member {
        person: person_from(r.person)?,
        capabilities: caps_from(&r.capabilities)?,
        manager: r.manager_id.map(PersonId),
        public_profile: r.public_profile != 0 && status == MemberStatus::Active,
        status,
        joined_at: r.joined_at,
    })
}

/// Adds a person, or brings a departed one back (keeping their history).
pub async fn add(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    caps: Capabilities,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    add_in(tx.conn()?, org, person, caps, now).await?;
    tx.commit().await
}

/// How a person came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    New,
    /// A departed member came back: with the capabilities they are given
    /// now, never the ones they had before they left.
    Rejoined,
    /// Already an active member: nothing changed.
    AlreadyMember,
}

pub(crate) async fn add_in(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    person: &PersonId,
    caps: Capabilities,
    now: Millis,
) -> Result<Joined, StoreError> {
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT status FROM memberships WHERE org_id = $1 AND person_id = $2")
            .bind(org.as_str())
            .bind(person.as_str())
            .fetch_all(&mut *conn)
            .await?;
    if existing.is_empty() {
        sqlx::query(
            "INSERT INTO memberships (org_id, person_id, capabilities, status, joined_at, person_name)
             VALUES ($1, $2, $3, 'active', $4, (SELECT name FROM people WHERE id = $2))",
        )
        .bind(org.as_str())
        .bind(person.as_str())
        .bind(caps.to_text())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(Joined::New)
    } else {
        let done = sqlx::query(
            "UPDATE memberships SET status = 'active', departed_at = NULL, capabilities = $3
              WHERE org_id = $1 AND person_id = $2 AND status = 'departed'",
        )
        .bind(org.as_str())
        .bind(person.as_str())
        .bind(caps.to_text())
        .execute(&mut *conn)
        .await?;
        Ok(if done.rows_affected() == 1 {
            Joined::Rejoined
        } else {
            Joined::AlreadyMember
        })
    }
}

/// Sets capabilities without the rules of [`update`]: for the operator's
/// command line and test set-up.
pub async fn set_capabilities(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    caps: Capabilities,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE memberships SET capabilities = $1 WHERE org_id = $2 AND person_id = $3",
    )
    .bind(caps.to_text())
    .bind(org.as_str())
    .bind(person.as_str())
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await
}

/// Why a manager could not be set.
#[derive(Debug, PartialEq, Eq)]
pub enum ManagerError {
    /// The chosen manager is not a member of this organization.
    NotAMember,
    /// The member would end up reporting to themselves.
    Cycle,
}

/// Sets (or clears) whom a member reports to. The check and the write
/// happen under one write lock, so two concurrent changes cannot together
/// close a loop.
pub async fn set_manager(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    manager: Option<&PersonId>,
) -> Result<Result<(), ManagerError>, StoreError> {
    let mut tx = store.begin_write().await?;
    let out = set_manager_in(&mut tx, org, person, manager).await?;
    if out.is_ok() {
        rebuild_reports(tx.conn()?, org).await?;
        tx.commit().await?;
    }
    Ok(out)
}

/// [`set_manager`] inside the caller's writing transaction; the caller
/// rebuilds the reports-to closure (`rebuild_reports`) before committing.
pub(crate) async fn set_manager_in(
    tx: &mut WriteTx,
    org: &OrgId,
    person: &PersonId,
    manager: Option<&PersonId>,
) -> Result<Result<(), ManagerError>, StoreError> {
    let rows = standings_in(tx, org).await?;
    if !rows.iter().any(|r| r.person_id == person.as_str()) {
        return Err(StoreError::NotFound);
    }
    if let Err(e) = check_manager(&rows, person, manager) {
        return Ok(Err(e));
    }
    sqlx::query("UPDATE memberships SET manager_id = $1 WHERE org_id = $2 AND person_id = $3")
        .bind(manager.map(PersonId::as_str))
        .bind(org.as_str())
        .bind(person.as_str())
        .execute(tx.conn()?)
        .await?;
    Ok(Ok(()))
}

/// Rewrites `org`'s reports-to closure from its memberships' managers, in
/// the caller's write transaction (which holds the member lock). A whole
/// organization's closure is a few rows per member, and managers change
/// rarely, so rewriting it is simpler and safer than patching it.
pub(crate) async fn rebuild_reports(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM reports_to WHERE org_id = $1")
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    // check_manager keeps loops out; the depth limit only bounds the walk
    // should stored data ever hold one.
    sqlx::query(
        "WITH RECURSIVE chain(manager_id, person_id, depth) AS (
             SELECT manager_id, person_id, 1 FROM memberships
              WHERE org_id = $1 AND manager_id IS NOT NULL
             UNION
             SELECT c.manager_id, m.person_id, c.depth + 1
               FROM chain c JOIN memberships m ON m.org_id = $1 AND m.manager_id = c.person_id
              WHERE c.depth < 64
         )
         INSERT INTO reports_to (org_id, manager_id, person_id, depth)
         SELECT $1, manager_id, person_id, MIN(depth) FROM chain
          WHERE manager_id <> person_id
          GROUP BY manager_id, person_id",
    )
    .bind(org.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every membership of `org` as a write transaction sees it, after taking
/// the organization's member lock: the rows every rule about members
/// decides on.
async fn standings_in(tx: &mut WriteTx, org: &OrgId) -> Result<Vec<StandingRow>, StoreError> {
    tx.serialize(&format!("members:{}", org.as_str())).await?;
    Ok(sqlx::query_as(
        "SELECT person_id, capabilities, status, manager_id FROM memberships WHERE org_id = $1",
    )
    .bind(org.as_str())
    .fetch_all(tx.conn()?)
    .await?)
}

#[derive(sqlx::FromRow)]
struct StandingRow {
    person_id: String,
    capabilities: String,
    status: String,
    manager_id: Option<String>,
}

impl StandingRow {
    fn standing(&self) -> Result<Standing, StoreError> {
        standing_from(&self.capabilities, &self.status)
    }
}

pub(crate) fn standing_from(capabilities: &str, status: &str) -> Result<Standing, StoreError> {
    Ok(Standing {
        capabilities: caps_from(capabilities)?,
        status: status_from(status)?,
    })
}

fn check_manager(
    rows: &[StandingRow],
    person: &PersonId,
    manager: Option<&PersonId>,
) -> Result<(), ManagerError> {
    let Some(manager) = manager else {
        return Ok(());
    };
    if !rows.iter().any(|r| r.person_id == manager.as_str()) {
        return Err(ManagerError::NotAMember);
    }
    let managers: HashMap<String, String> = rows
        .iter()
        .filter_map(|r| r.manager_id.clone().map(|m| (r.person_id.clone(), m)))
        .collect();
    if creates_cycle(&managers, &person.0, &manager.0) {
        return Err(ManagerError::Cycle);
    }
    Ok(())
}

/// Why [`update`] changed nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum UpdateRefused {
    Rule(MemberChangeRefused),
    Manager(ManagerError),
}

/// A member before and after an [`update`], for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberChange {
    pub before: Standing,
    pub after: Standing,
    pub manager_before: Option<PersonId>,
    pub manager_after: Option<PersonId>,
}

/// What an admin or owner changes about one member (capabilities,
/// departure, manager) as one transaction: the actor's own standing, the
/// member's, the other owners and the reports-to chain are all read under
/// the organization's member lock and decided by
/// [`decide_member_change`], so two owners removing each other at the same
/// moment cannot both succeed.
pub async fn update(
    store: &Store,
    org: &OrgId,
    actor: &PersonId,
    person: &PersonId,
    request: MemberRequest,
    manager: Option<&PersonId>,
    now: Millis,
) -> Result<Result<MemberChange, UpdateRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let rows = standings_in(&mut tx, org).await?;
    let find = |id: &PersonId| rows.iter().find(|r| r.person_id == id.as_str());
    let Some(target) = find(person) else {
        return Err(StoreError::NotFound);
    };
    let actor = find(actor).map(StandingRow::standing).transpose()?;
    let before = target.standing()?;
    let other_owners = rows
        .iter()
        .filter(|r| r.person_id != person.as_str())
        .map(StandingRow::standing)
        .filter(|s| s.as_ref().is_ok_and(|s| s.is_active_owner()))
        .count();
    let after = match decide_member_change(actor, before, request, other_owners) {
        Ok(after) => after,
        Err(refused) => return Ok(Err(UpdateRefused::Rule(refused))),
    };
    if let Err(e) = check_manager(&rows, person, manager) {
        return Ok(Err(UpdateRefused::Manager(e)));
    }
    let manager_before = target.manager_id.clone().map(PersonId);
    // A member who stays departed keeps the day they left.
    let departed_at = (before.status == MemberStatus::Active
        && after.status == MemberStatus::Departed)
        .then_some(now);
    sqlx::query(
        "UPDATE memberships
            SET capabilities = $1, status = $2, manager_id = $3,
                departed_at = CASE WHEN $2 = 'departed' THEN COALESCE($4, departed_at) ELSE NULL END
          WHERE org_id = $5 AND person_id = $6",
    )
    .bind(after.capabilities.to_text())
    .bind(status_text(after.status))
    .bind(manager.map(PersonId::as_str))
    .bind(departed_at)
    .bind(org.as_str())
    .bind(person.as_str())
    .execute(tx.conn()?)
    .await?;
    if manager_before.as_ref() != manager {
        rebuild_reports(tx.conn()?, org).await?;
    }
    if departed_at.is_some() {
        crate::jobs::end_all_in(tx.conn()?, org, person, now).await?;
    }
    tx.commit().await?;
    Ok(Ok(MemberChange {
        before,
        after,
        manager_before,
        manager_after: manager.cloned(),
    }))
}

fn status_text(s: MemberStatus) -> &'static str {
    match s {
        MemberStatus::Active => "active",
        MemberStatus::Departed => "departed",
    }
}

/// Sets a member's status without the rules of [`update`]: for the
/// operator's command line and test set-up.
pub async fn set_status(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    status: MemberStatus,
    now: Millis,
) -> Result<(), StoreError> {
    let (text, departed_at) = match status {
        MemberStatus::Active => ("active", None),
        MemberStatus::Departed => ("departed", Some(now)),
    };
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE memberships SET status = $1, departed_at = $2 WHERE org_id = $3 AND person_id = $4",
    )
    .bind(text)
    .bind(departed_at)
    .bind(org.as_str())
    .bind(person.as_str())
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if status == MemberStatus::Departed {
        crate::jobs::end_all_in(tx.conn()?, org, person, now).await?;
    }
    tx.commit().await
}

/// The organizations a person is an active member of, by name.
pub async fn organizations_of(
    store: &Store,
    person: &PersonId,
) -> Result<Vec<(OrgSlug, Name)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct OrgNameRow {
        slug: String,
        name: String,
    }
    let rows: Vec<OrgNameRow> = sqlx::query_as(
        "SELECT o.slug, o.name FROM memberships m JOIN organizations o ON o.id = m.org_id
          WHERE m.person_id = $1 AND m.status = 'active' ORDER BY o.name",
    )
    .bind(person.as_str())
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                OrgSlug::parse(&r.slug)?,
                Name::parse(&r.name, "organization name")?,
            ))
        })
        .collect()
}

/// Whether an active member shows a public profile.
pub async fn public_profile(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<bool, StoreError> {
    let rows: Option<i64> = sqlx::query_scalar(
        "SELECT public_profile FROM memberships WHERE org_id = $1 AND person_id = $2 AND status = 'active'",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_optional(&store.pool)
    .await?;
    Ok(rows.is_some_and(|p| p != 0))
}

pub async fn set_public_profile(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    public: bool,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE memberships SET public_profile = $1 WHERE org_id = $2 AND person_id = $3")
        .bind(i64::from(public))
        .bind(org.as_str())
        .bind(person.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

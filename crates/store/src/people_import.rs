//! Applying a people import (`cairn_domain::people_csv`) in one
//! transaction: new teams, then each member's position and team (their
//! roles stay as they are) and manager; people who are not members yet get
//! an invitation that carries what to set when they accept it. Any
//! refusal met on the way (a position archived meanwhile, a manager loop)
//! rolls everything back and says which line.

use cairn_domain::Slug;
use cairn_domain::jobs::{Day, day_of};
use cairn_domain::people::Email;
use cairn_domain::people_csv::{Directory, Plan, Planned, TeamChoice};
use serde_json::{Value, json};

use crate::audit::{self, Entry};
use crate::jobs::{self, Change};
use crate::orgs::OrgRecord;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, WriteTx, members, new_id};

/// What the organization has, for planning an import.
pub async fn directory(store: &Store, org: &OrgRecord) -> Result<Directory, StoreError> {
    let fw = crate::framework::load(store, org).await?;
    let members = members::list(store, &org.id)
        .await?
        .into_iter()
        .filter(|m| m.status == cairn_domain::membership::MemberStatus::Active)
        .map(|m| m.person.email)
        .collect();
    let teams = crate::teams::list(store, &org.id)
        .await?
        .into_iter()
        .map(|t| (t.slug, t.name))
        .collect();
    Ok(Directory {
        members,
        positions: fw
            .positions
            .iter()
            .map(|p| (p.slug.clone(), p.title.to_string(), p.level.to_string()))
            .collect(),
        teams,
    })
}

/// An invitation the import made: the CSV line and email it is for, and
/// its id (the caller made its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invited {
    pub line: u64,
    pub email: Email,
}

/// What an applied import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    pub members_changed: usize,
    pub invited: Vec<Invited>,
    pub teams_created: usize,
}

/// Who applies an import, from where, when.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub person: &'a PersonId,
    pub client_ip: &'a str,
    pub now: Millis,
}

/// The invitations an import may make: one token hash for each row to
/// invite, in the plan's order, all expiring at `expires_at`.
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    pub hashes: &'a [String],
    pub expires_at: Millis,
}

/// Applies `plan`. `Ok(Err(reason))`: nothing was changed.
pub async fn apply(
    store: &Store,
    org: &OrgRecord,
    plan: &Plan,
    tokens: Tokens<'_>,
    by: By<'_>,
) -> Result<Result<Applied, String>, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("members:{}", org.id.as_str()))
        .await?;
    tx.serialize(&format!("teams:{}", org.id.as_str())).await?;
    match apply_in(&mut tx, org, plan, tokens, by).await? {
        Ok(applied) => {
            tx.commit().await?;
            Ok(Ok(applied))
        }
        Err(reason) => {
            tx.rollback().await?;
            Ok(Err(reason))
        }
    }
}

async fn apply_in(
    tx: &mut WriteTx,
    org: &OrgRecord,
    plan: &Plan,
    tokens: Tokens<'_>,
    by: By<'_>,
) -> Result<Result<Applied, String>, StoreError> {
    let now = by.now;
    let org_id = &org.id;
    let mut applied = Applied::default();
    for (slug, name) in plan.new_teams() {
        let taken: Option<String> =
            sqlx::query_scalar("SELECT id FROM teams WHERE org_id = $1 AND slug = $2")
                .bind(org_id.as_str())
                .bind(slug.as_str())
                .fetch_optional(tx.conn()?)
                .await?;
        if taken.is_some() {
            return Ok(Err(format!(
                "the team address {slug} was taken meanwhile: preview the file again"
            )));
        }
        sqlx::query(
            "INSERT INTO teams (id, org_id, slug, name, parent_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, NULL, $5, $5)",
        )
        .bind(new_id())
        .bind(org_id.as_str())
        .bind(slug.as_str())
        .bind(name.as_str())
        .bind(now)
        .execute(tx.conn()?)
        .await?;
        applied.teams_created += 1;
    }
    let team_of = |r: &Planned| match &r.team {
        Some(TeamChoice::Existing(s) | TeamChoice::New(s, _)) => Some(s.clone()),
        None => None,
    };
    let mut hashes = tokens.hashes.iter();
    let mut managers_changed = false;
    for r in &plan.rows {
        if r.invite {
            let Some(hash) = hashes.next() else {
                return Err(StoreError::Other(
                    "fewer invitation tokens than invitations".into(),
                ));
            };
            // Members of this file who will report to this person once
            // they accept.
            let reports: Vec<&str> = plan
                .rows
                .iter()
                .filter(|x| !x.invite && x.manager.as_ref() == Some(&r.email))
                .map(|x| x.email.as_str())
                .collect();
            let pending = json!({
                "name": r.name.as_str(),
                "email": r.email.as_str(),
                "position": r.position.as_ref().map(Slug::as_str),
                "team": team_of(r).as_ref().map(Slug::as_str),
                "manager": r.manager.as_ref().map(Email::as_str),
                "since": r.since,
                "reports": reports,
            });
            sqlx::query(
                "INSERT INTO invitations (id, org_id, token_hash, note, created_by, created_at, expires_at, pending)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id())
            .bind(org_id.as_str())
            .bind(hash.as_str())
            .bind(format!("{} <{}>", r.name, r.email.as_str()))
            .bind(by.person.as_str())
            .bind(now)
            .bind(tokens.expires_at)
            .bind(pending.to_string())
            .execute(tx.conn()?)
            .await?;
            applied.invited.push(Invited {
                line: r.line,
                email: r.email.clone(),
            });
            continue;
        }
        let Some(person) = member_id(tx, org_id, &r.email).await? else {
            return Ok(Err(format!(
                "line {}: {} is no longer a member: preview the file again",
                r.line,
                r.email.as_str()
            )));
        };
        let team = team_of(r);
        let done = hold(
            tx,
            org_id,
            &person,
            (r.position.as_ref(), team.as_ref()),
            r.since,
            by,
        )
        .await?;
        if let Err(reason) = done {
            return Ok(Err(format!("line {}: {reason}", r.line)));
        }
        // A manager who is a member now is set now; one being invited is
        // set when they accept (their invitation lists this person).
        if let Some(m) = &r.manager
            && let Some(manager) = member_id(tx, org_id, m).await?
        {
            if let Err(e) = members::set_manager_in(tx, org_id, &person, Some(&manager)).await? {
                return Ok(Err(format!(
                    "line {}: the manager cannot be set ({e:?})",
                    r.line
                )));
            }
            managers_changed = true;
        }
        applied.members_changed += 1;
    }
    if managers_changed {
        members::rebuild_reports(tx.conn()?, org_id).await?;
    }
    audit::record_in(
        tx.conn()?,
        &Entry {
            org: Some(org_id),
            actor: Some(by.person),
            action: cairn_domain::audit::AuditAction::PeopleImported,
            subject: "people import".into(),
            detail: format!(
                "{} members changed, {} invited, {} teams created, {} lines refused",
                applied.members_changed,
                applied.invited.len(),
                applied.teams_created,
                plan.refused.len()
            ),
            client_ip: by.client_ip,
        },
        now,
    )
    .await?;
    Ok(Ok(applied))
}

async fn member_id(
    tx: &mut WriteTx,
    org: &crate::orgs::OrgId,
    email: &Email,
) -> Result<Option<PersonId>, StoreError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
          WHERE m.org_id = $1 AND p.email = $2 AND m.status = 'active'",
    )
    .bind(org.as_str())
    .bind(email.as_str())
    .fetch_optional(tx.conn()?)
    .await?;
    Ok(id.map(PersonId))
}

/// Gives `person` `position` and `team`, keeping the roles they hold.
/// The file's Start Date is when someone started: it begins their first
/// position and team; someone who already holds one changes today.
async fn hold(
    tx: &mut WriteTx,
    org: &crate::orgs::OrgId,
    person: &PersonId,
    (position, team): (Option<&Slug>, Option<&Slug>),
    since: Option<Day>,
    by: By<'_>,
) -> Result<Result<(), String>, StoreError> {
    let now = by.now;
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT r.slug FROM tenures t JOIN roles r ON r.id = t.item_id
          WHERE t.org_id = $1 AND t.person_id = $2 AND t.kind = 'role' AND t.ended_on IS NULL",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_all(tx.conn()?)
    .await?;
    let roles = roles
        .iter()
        .map(|r| Slug::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    let holds: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tenures
          WHERE org_id = $1 AND person_id = $2 AND kind IN ('position', 'team') AND ended_on IS NULL",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_one(tx.conn()?)
    .await?;
    let today = day_of(now);
    let since = match since {
        Some(d) if holds == 0 => d.min(today),
        _ => today,
    };
    let change = Change {
        position,
        roles: &roles,
        team,
        since,
        note: "people import",
        by: by.person,
        client_ip: by.client_ip,
    };
    Ok(jobs::change_in(tx.conn()?, org, person, &change, now)
        .await?
        .map(|_| ())
        .map_err(|r| r.to_string()))
}

/// What an accepted invitation of an import sets, in the accepting
/// transaction: the position and team, the manager if they are a member,
/// and this person as manager of the members the file said report to
/// them. Anything that no longer fits (a position archived since) is left
/// out rather than refusing the person their membership.
pub(crate) async fn on_accept(
    tx: &mut WriteTx,
    org: &crate::orgs::OrgId,
    person: &PersonId,
    by: &PersonId,
    pending: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let Ok(p) = serde_json::from_str::<Value>(pending) else {
        return Ok(());
    };
    let slug = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .and_then(|s| Slug::parse(s).ok())
    };
    let email = |v: &Value| v.as_str().and_then(|s| Email::parse(s).ok());
    let since = p
        .get("since")
        .and_then(Value::as_i64)
        .filter(|d| *d <= day_of(now));
    let (position, team) = (slug("position"), slug("team"));
    if position.is_some() || team.is_some() {
        let by = By {
            person: by,
            client_ip: "",
            now,
        };
        let _ = hold(
            tx,
            org,
            person,
            (position.as_ref(), team.as_ref()),
            since,
            by,
        )
        .await?;
    }
    let mut changed = false;
    if let Some(m) = p.get("manager").and_then(email)
        && let Some(manager) = member_id(tx, org, &m).await?
    {
        changed |= members::set_manager_in(tx, org, person, Some(&manager))
            .await?
            .is_ok();
    }
    for report in p
        .get("reports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(e) = email(report)
            && let Some(r) = member_id(tx, org, &e).await?
        {
            changed |= members::set_manager_in(tx, org, &r, Some(person))
                .await?
                .is_ok();
        }
    }
    if changed {
        members::rebuild_reports(tx.conn()?, org).await?;
    }
    Ok(())
}

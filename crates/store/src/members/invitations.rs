//! Invitations: single-use links that bring a person in (or a departed
//! member back, with no capabilities), valid for a while, revocable.

use cairn_domain::membership::Capabilities;

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

use super::{Joined, add_in};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Used,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub org: OrgId,
    pub note: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub state: InvitationState,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: String,
    org_id: String,
    note: String,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
}

fn invitation_from(r: InvitationRow, now: Millis) -> Invitation {
    let state = if r.revoked_at.is_some() {
        InvitationState::Revoked
    } else if r.used_at.is_some() {
        InvitationState::Used
    } else if r.expires_at <= now {
        InvitationState::Expired
    } else {
        InvitationState::Open
    };
    Invitation {
        id: r.id,
        org: OrgId(r.org_id),
        note: r.note,
        created_at: r.created_at,
        expires_at: r.expires_at,
        state,
    }
}

const INVITATION_COLUMNS: &str = "id, org_id, note, created_at, expires_at, used_at, revoked_at";

pub async fn create_invitation(
    store: &Store,
    org: &OrgId,
    token_hash: &str,
    note: &str,
    by: &PersonId,
    now: Millis,
    expires_at: Millis,
) -> Result<Invitation, StoreError> {
    create_invitation_mailed(store, org, token_hash, None, note, by, now, expires_at).await
}

/// An invitation to send by email as well: `mail` is the address and the
/// link's token, which the delivery carries until it is sent (the
/// invitation itself keeps only the hash).
#[allow(clippy::too_many_arguments)]
pub async fn create_invitation_mailed(
    store: &Store,
    org: &OrgId,
    token_hash: &str,
    mail: Option<(&str, &str)>,
    note: &str,
    by: &PersonId,
    now: Millis,
    expires_at: Millis,
) -> Result<Invitation, StoreError> {
    let id = new_id();
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO invitations (id, org_id, token_hash, note, created_by, created_at, expires_at, email)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(token_hash)
    .bind(note)
    .bind(by.as_str())
    .bind(now)
    .bind(expires_at)
    .bind(mail.map(|(address, _)| address))
    .execute(tx.conn()?)
    .await?;
    if let Some((address, token)) = mail {
        let names: (String, String) = sqlx::query_as(
            "SELECT p.name, o.name FROM people p, organizations o WHERE p.id = $1 AND o.id = $2",
        )
        .bind(by.as_str())
        .bind(org.as_str())
        .fetch_one(tx.conn()?)
        .await?;
        let subject = format!("{} invited you to join {} on cairn", names.0, names.1);
        crate::deliveries::insert(
            tx.conn()?,
            &crate::deliveries::NewDelivery {
                org: Some(org),
                channel: "email",
                kind: crate::deliveries::INVITATION,
                recipient: address,
                person: None,
                name: "",
                subject: &subject,
                href: "/invite/",
                body: note,
                secret: Some(token),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Invitation {
        id,
        org: org.clone(),
        note: note.to_owned(),
        created_at: now,
        expires_at,
        state: InvitationState::Open,
    })
}

/// The organization's invitations, newest first.
pub async fn invitations(
    store: &Store,
    org: &OrgId,
    now: Millis,
) -> Result<Vec<Invitation>, StoreError> {
    let rows: Vec<InvitationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE org_id = $1 ORDER BY created_at DESC"
    )))
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(|r| invitation_from(r, now)).collect())
}

pub async fn invitation_by_token(
    store: &Store,
    token_hash: &str,
    now: Millis,
) -> Result<Option<Invitation>, StoreError> {
    let rows: Option<InvitationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1"
    )))
    .bind(token_hash)
    .fetch_optional(&store.pool)
    .await?;
    Ok(rows.map(|r| invitation_from(r, now)))
}

pub async fn revoke_invitation(
    store: &Store,
    org: &OrgId,
    id: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1
          WHERE org_id = $2 AND id = $3 AND revoked_at IS NULL AND used_at IS NULL",
    )
    .bind(now)
    .bind(org.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Uses an invitation: marks it used and makes the person a member, in one
/// transaction. Only one of two racing uses can succeed.
pub async fn accept_invitation(
    store: &Store,
    token_hash: &str,
    person: &PersonId,
    now: Millis,
) -> Result<Result<(OrgId, Joined), InvitationState>, StoreError> {
    let mut tx = store.begin_write().await?;
    let rows: Option<InvitationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1"
    )))
    .bind(token_hash)
    .fetch_optional(tx.conn()?)
    .await?;
    let Some(invitation) = rows.map(|r| invitation_from(r, now)) else {
        return Err(StoreError::NotFound);
    };
    if invitation.state != InvitationState::Open {
        return Ok(Err(invitation.state));
    }
    let done = sqlx::query(
        "UPDATE invitations SET used_at = $1, used_by = $2
          WHERE id = $3 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(person.as_str())
    .bind(&invitation.id)
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(InvitationState::Used));
    }
    let joined = add_in(tx.conn()?, &invitation.org, person, Capabilities::NONE, now).await?;
    if joined == Joined::AlreadyMember {
        // An active member opening a link changes nothing and leaves the
        // invitation for the person it was meant for.
        tx.rollback().await?;
        return Ok(Ok((invitation.org, joined)));
    }
    // An invitation from a people import brings what the file said.
    let pending: Option<(Option<String>, String)> =
        sqlx::query_as("SELECT pending, created_by FROM invitations WHERE id = $1")
            .bind(&invitation.id)
            .fetch_optional(tx.conn()?)
            .await?;
    if let Some((Some(pending), by)) = pending {
        tx.serialize(&format!("members:{}", invitation.org.as_str()))
            .await?;
        crate::people_import::on_accept(
            &mut tx,
            &invitation.org,
            person,
            &PersonId(by),
            &pending,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok((invitation.org, joined)))
}

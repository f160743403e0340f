//! Single sign-on (`cairn_domain::sso`): identities at OpenID providers
//! linked to accounts, sign-ins in flight, identities waiting to be linked,
//! and organizations' verified domains. Every decision that depends on
//! other rows (is this identity linked, does an account use this email,
//! is this the last way to sign in) is taken inside the write transaction.

use cairn_domain::Name;
use cairn_domain::people::Email;
use cairn_domain::sso::{Claims, DomainJoin, FirstSignIn, first_sign_in, may_unlink};

use crate::orgs::OrgId;
use crate::people::{Person, PersonId};
use crate::{Millis, Store, StoreError};

/// How long a sign-in in flight, or a pending link, stays usable.
pub const FLIGHT_MS: Millis = 10 * 60 * 1000;

/// What `password_hash` holds for an account made by a provider: no
/// argon2 string, so no password ever matches it.
pub const NO_PASSWORD: &str = "!sso";

/// A sign-in in flight, as the callback needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    pub link_to: Option<PersonId>,
}

pub struct NewLogin<'a> {
    pub state_hash: &'a str,
    pub provider: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    pub next: &'a str,
    pub link_to: Option<&'a PersonId>,
}

pub async fn begin_login(store: &Store, l: &NewLogin<'_>, now: Millis) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO sso_logins (state_hash, provider, nonce, pkce_verifier, next, link_to, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(l.state_hash)
    .bind(l.provider)
    .bind(l.nonce)
    .bind(l.pkce_verifier)
    .bind(l.next)
    .bind(l.link_to.map(PersonId::as_str))
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    // Forget what was never finished.
    sqlx::query("DELETE FROM sso_logins WHERE created_at < $1")
        .bind(now - FLIGHT_MS)
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

/// Takes a sign-in in flight, once: None when unknown, used, of another
/// provider, or older than ten minutes (a replayed callback finds it used).
pub async fn take_login(
    store: &Store,
    state_hash: &str,
    provider: &str,
    now: Millis,
) -> Result<Option<Login>, StoreError> {
    let mut tx = store.begin_write().await?;
    let taken = sqlx::query(
        "UPDATE sso_logins SET used_at = $1
          WHERE state_hash = $2 AND provider = $3 AND used_at IS NULL AND created_at > $4",
    )
    .bind(now)
    .bind(state_hash)
    .bind(provider)
    .bind(now - FLIGHT_MS)
    .execute(tx.conn()?)
    .await?;
    if taken.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(None);
    }
    let row: (String, String, String, Option<String>) = sqlx::query_as(
        "SELECT nonce, pkce_verifier, next, link_to FROM sso_logins WHERE state_hash = $1",
    )
    .bind(state_hash)
    .fetch_one(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(Some(Login {
        nonce: row.0,
        pkce_verifier: row.1,
        next: row.2,
        link_to: row.3.map(PersonId),
    }))
}

/// Who signed in, as the provider named them.
pub struct Signing<'a> {
    pub provider: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
    pub claims: &'a Claims,
    pub name: &'a str,
}

/// Where a sign-in with an identity leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A linked identity, or an account just made for it: sign in.
    SignedIn {
        person: Person,
        created: bool,
    },
    /// Its verified email is an account's: the holder must sign in to it
    /// once; `person` is that account (the caller made `token_hash`).
    LinkFirst {
        person: PersonId,
    },
    Refused(cairn_domain::sso::Refusal),
}

async fn person_on(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Person>, StoreError> {
    let row: Option<crate::people::PersonRow> =
        sqlx::query_as("SELECT id, email, name FROM people WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(crate::people::person_from).transpose()
}

/// Signs in with an identity: a linked one is its account; a new one goes
/// by `cairn_domain::sso::first_sign_in`. `pending_hash`: the token of the
/// link to offer when the email is an existing account's.
pub async fn sign_in(
    store: &Store,
    s: &Signing<'_>,
    pending_hash: &str,
    now: Millis,
) -> Result<Outcome, StoreError> {
    let mut tx = store.begin_write().await?;
    // First sign-ins at once (the same identity twice, or two identities
    // with one email) take turns: the second finds what the first made.
    tx.serialize("sso:sign-in").await?;
    let linked: Option<String> =
        sqlx::query_scalar("SELECT person_id FROM identities WHERE issuer = $1 AND subject = $2")
            .bind(s.issuer)
            .bind(s.subject)
            .fetch_optional(tx.conn()?)
            .await?;
    if let Some(id) = linked {
        sqlx::query("UPDATE identities SET last_used_at = $1 WHERE issuer = $2 AND subject = $3")
            .bind(now)
            .bind(s.issuer)
            .bind(s.subject)
            .execute(tx.conn()?)
            .await?;
        let person = person_on(tx.conn()?, &id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        return Ok(Outcome::SignedIn {
            person,
            created: false,
        });
    }
    let email = s
        .claims
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .ok()
        .flatten();
    let existing: Option<String> = match &email {
        Some(e) => {
            sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
                .bind(e.as_str())
                .fetch_optional(tx.conn()?)
                .await?
        }
        None => None,
    };
    let claims = Claims {
        email: email.as_ref().map(|e| e.as_str().to_owned()),
        ..s.claims.clone()
    };
    match first_sign_in(&claims, existing.is_some()) {
        FirstSignIn::Refused(r) => {
            tx.rollback().await?;
            Ok(Outcome::Refused(r))
        }
        FirstSignIn::LinkAfterSigningIn => {
            let person = PersonId(existing.ok_or(StoreError::NotFound)?);
            sqlx::query(
                "INSERT INTO sso_pending_links (token_hash, issuer, subject, provider, email, person_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(pending_hash)
            .bind(s.issuer)
            .bind(s.subject)
            .bind(s.provider)
            .bind(claims.email.as_deref().unwrap_or(""))
            .bind(person.as_str())
            .bind(now)
            .execute(tx.conn()?)
            .await?;
            tx.commit().await?;
            Ok(Outcome::LinkFirst { person })
        }
        FirstSignIn::CreateAccount => {
            let email = email.ok_or(StoreError::NotFound)?;
            let name = Name::parse(s.name.trim(), "name").or_else(|_| {
                Name::parse(email.as_str().split('@').next().unwrap_or("you"), "name")
            })?;
            let person =
                crate::people::create_in(tx.conn()?, &email, &name, NO_PASSWORD, now).await?;
            insert_identity(tx.conn()?, s, person.id.as_str(), email.as_str(), now).await?;
            tx.commit().await?;
            Ok(Outcome::SignedIn {
                person,
                created: true,
            })
        }
    }
}

async fn insert_identity(
    conn: &mut sqlx::AnyConnection,
    s: &Signing<'_>,
    person: &str,
    email: &str,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO identities (issuer, subject, person_id, provider, email, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(s.issuer)
    .bind(s.subject)
    .bind(person)
    .bind(s.provider)
    .bind(email)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Links an identity to `person` (signed in already: from their account
/// page). False when the identity is someone else's.
pub async fn link(
    store: &Store,
    s: &Signing<'_>,
    person: &PersonId,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let linked: Option<String> =
        sqlx::query_scalar("SELECT person_id FROM identities WHERE issuer = $1 AND subject = $2")
            .bind(s.issuer)
            .bind(s.subject)
            .fetch_optional(tx.conn()?)
            .await?;
    match linked {
        Some(p) if p == person.as_str() => {}
        Some(_) => {
            tx.rollback().await?;
            return Ok(false);
        }
        None => {
            let email = s.claims.email.clone().unwrap_or_default();
            insert_identity(tx.conn()?, s, person.as_str(), &email, now).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// A pending link's account, while it is unused and fresh.
pub async fn pending_person(
    store: &Store,
    token_hash: &str,
    now: Millis,
) -> Result<Option<(PersonId, String, String)>, StoreError> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT person_id, provider, email FROM sso_pending_links
          WHERE token_hash = $1 AND used_at IS NULL AND created_at > $2",
    )
    .bind(token_hash)
    .bind(now - FLIGHT_MS)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|(p, provider, email)| (PersonId(p), provider, email)))
}

/// Completes a pending link once `person` has proved they hold the
/// account it names: the identity is theirs from now on. False when the
/// link is spent, stale, or names another account.
pub async fn complete_link(
    store: &Store,
    token_hash: &str,
    person: &PersonId,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT issuer, subject, provider, email FROM sso_pending_links
          WHERE token_hash = $1 AND person_id = $2 AND used_at IS NULL AND created_at > $3",
    )
    .bind(token_hash)
    .bind(person.as_str())
    .bind(now - FLIGHT_MS)
    .fetch_optional(tx.conn()?)
    .await?;
    let Some((issuer, subject, provider, email)) = row else {
        tx.rollback().await?;
        return Ok(false);
    };
    sqlx::query("UPDATE sso_pending_links SET used_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(tx.conn()?)
        .await?;
    let taken: Option<String> =
        sqlx::query_scalar("SELECT person_id FROM identities WHERE issuer = $1 AND subject = $2")
            .bind(&issuer)
            .bind(&subject)
            .fetch_optional(tx.conn()?)
            .await?;
    if taken.is_some_and(|p| p != person.as_str()) {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO identities (issuer, subject, person_id, provider, email, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (issuer, subject) DO NOTHING",
    )
    .bind(&issuer)
    .bind(&subject)
    .bind(person.as_str())
    .bind(&provider)
    .bind(&email)
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// One linked identity, for the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub created_at: Millis,
    pub last_used_at: Millis,
}

pub async fn identities_of(store: &Store, person: &PersonId) -> Result<Vec<Identity>, StoreError> {
    let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT provider, issuer, subject, email, created_at, last_used_at FROM identities
          WHERE person_id = $1 ORDER BY created_at, issuer, subject",
    )
    .bind(person.as_str())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(provider, issuer, subject, email, created_at, last_used_at)| Identity {
                provider,
                issuer,
                subject,
                email,
                created_at,
                last_used_at,
            },
        )
        .collect())
}

/// An account's email.
pub async fn email_of(store: &Store, person: &PersonId) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
        .bind(person.as_str())
        .fetch_optional(&store.pool)
        .await?)
}

/// Whether the account has a password of its own.
pub async fn has_password(store: &Store, person: &PersonId) -> Result<bool, StoreError> {
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM people WHERE id = $1")
        .bind(person.as_str())
        .fetch_optional(&store.pool)
        .await?;
    Ok(hash.is_some_and(|h| h != NO_PASSWORD))
}

/// Removes one of `person`'s identities, unless it is their last way to
/// sign in (`cairn_domain::sso::may_unlink`, decided in the transaction).
/// Ok(false): refused as the last way; NotFound: not theirs.
pub async fn unlink(
    store: &Store,
    person: &PersonId,
    issuer: &str,
    subject: &str,
    password_login: bool,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("identities:{}", person.as_str()))
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM identities WHERE person_id = $1")
        .bind(person.as_str())
        .fetch_one(tx.conn()?)
        .await?;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM people WHERE id = $1")
        .bind(person.as_str())
        .fetch_one(tx.conn()?)
        .await?;
    let mine: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM identities WHERE issuer = $1 AND subject = $2 AND person_id = $3",
    )
    .bind(issuer)
    .bind(subject)
    .bind(person.as_str())
    .fetch_optional(tx.conn()?)
    .await?;
    if mine.is_none() {
        tx.rollback().await?;
        return Err(StoreError::NotFound);
    }
    let identities = usize::try_from(count).unwrap_or(0);
    if !may_unlink(identities, hash != NO_PASSWORD, password_login) {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query("DELETE FROM identities WHERE issuer = $1 AND subject = $2 AND person_id = $3")
        .bind(issuer)
        .bind(subject)
        .bind(person.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await?;
    Ok(true)
}

// ---------------------------------------------------------------------------
// Verified domains

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDomain {
    pub domain: String,
    pub provider: String,
    pub created_at: Millis,
}

pub async fn domains(
    store: &Store,
    org: &OrgId,
) -> Result<(Vec<OrgDomain>, DomainJoin), StoreError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT domain, provider, created_at FROM org_domains WHERE org_id = $1 ORDER BY domain",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    let join: Option<String> =
        sqlx::query_scalar("SELECT domain_join FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&store.pool)
            .await?;
    Ok((
        rows.into_iter()
            .map(|(domain, provider, created_at)| OrgDomain {
                domain,
                provider,
                created_at,
            })
            .collect(),
        join.as_deref()
            .and_then(DomainJoin::parse)
            .unwrap_or_default(),
    ))
}

/// Adds a domain the caller has seen proved (the owner's own sign-in
/// through `provider` showed a verified email there, vouched for by the
/// provider). False when another organization claims it already.
pub async fn add_domain(
    store: &Store,
    org: &OrgId,
    domain: &str,
    provider: &str,
    by: &PersonId,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize("org_domains").await?;
    let claimed: Option<String> =
        sqlx::query_scalar("SELECT org_id FROM org_domains WHERE domain = $1 AND org_id <> $2")
            .bind(domain)
            .bind(org.as_str())
            .fetch_optional(tx.conn()?)
            .await?;
    if claimed.is_some() {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO org_domains (org_id, domain, provider, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, domain) DO UPDATE SET provider = excluded.provider",
    )
    .bind(org.as_str())
    .bind(domain)
    .bind(provider)
    .bind(by.as_str())
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn remove_domain(store: &Store, org: &OrgId, domain: &str) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query("DELETE FROM org_domains WHERE org_id = $1 AND domain = $2")
        .bind(org.as_str())
        .bind(domain)
        .execute(tx.conn()?)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_domain_join(
    store: &Store,
    org: &OrgId,
    join: DomainJoin,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE organizations SET domain_join = $1 WHERE id = $2")
        .bind(join.as_str())
        .bind(org.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

/// The organizations that take people of `domain` through `provider`.
pub async fn orgs_for(
    store: &Store,
    domain: &str,
    provider: &str,
) -> Result<Vec<(OrgId, DomainJoin)>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.id, o.domain_join FROM org_domains d JOIN organizations o ON o.id = d.org_id
          WHERE d.domain = $1 AND d.provider = $2 AND o.domain_join <> 'off'",
    )
    .bind(domain)
    .bind(provider)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, j)| Some((OrgId(id), DomainJoin::parse(&j)?)))
        .collect())
}

/// Makes a person a plain member who came by their domain (the caller
/// checked they have no membership row: a departed member stays departed).
async fn add_by_domain(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    person: &PersonId,
    now: Millis,
) -> Result<(), StoreError> {
    crate::members::add_in(
        conn,
        org,
        person,
        cairn_domain::membership::Capabilities::NONE,
        now,
    )
    .await?;
    sqlx::query(
        "UPDATE memberships SET joined_via = 'domain' WHERE org_id = $1 AND person_id = $2",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a domain sign-in did in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Made a plain member.
    Member,
    /// Asked to join; waiting for an admin.
    Requested,
    /// A member already, or departed (no access comes back this way), or
    /// asked already.
    Nothing,
}

/// Joins (or asks to join) by domain, in one transaction: a person with
/// any membership row, active or departed, is left as they are.
pub async fn join_by_domain(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    join: DomainJoin,
    now: Millis,
) -> Result<Joined, StoreError> {
    if join == DomainJoin::Off {
        return Ok(Joined::Nothing);
    }
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("members:{}", org.as_str())).await?;
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM memberships WHERE org_id = $1 AND person_id = $2")
            .bind(org.as_str())
            .bind(person.as_str())
            .fetch_optional(tx.conn()?)
            .await?;
    if status.is_some() {
        tx.rollback().await?;
        return Ok(Joined::Nothing);
    }
    let out = match join {
        DomainJoin::Member => {
            add_by_domain(tx.conn()?, org, person, now).await?;
            Joined::Member
        }
        _ => {
            let asked = sqlx::query(
                "INSERT INTO join_requests (org_id, person_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (org_id, person_id) DO NOTHING",
            )
            .bind(org.as_str())
            .bind(person.as_str())
            .bind(now)
            .execute(tx.conn()?)
            .await?;
            if asked.rows_affected() == 1 {
                Joined::Requested
            } else {
                Joined::Nothing
            }
        }
    };
    tx.commit().await?;
    Ok(out)
}

/// One person asking to join by domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    pub person: PersonId,
    pub name: String,
    pub email: String,
    pub created_at: Millis,
}

/// The open join requests of an organization, oldest first.
pub async fn join_requests(store: &Store, org: &OrgId) -> Result<Vec<JoinRequest>, StoreError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT r.person_id, p.name, p.email, r.created_at FROM join_requests r
           JOIN people p ON p.id = r.person_id
          WHERE r.org_id = $1 AND r.decided_at IS NULL ORDER BY r.created_at, r.person_id",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(person, name, email, created_at)| JoinRequest {
            person: PersonId(person),
            name,
            email,
            created_at,
        })
        .collect())
}

/// Approves (the person becomes a plain member) or declines an open
/// request, once. False when there is no open request.
pub async fn decide_request(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    approve: bool,
    by: &PersonId,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("members:{}", org.as_str())).await?;
    let done = sqlx::query(
        "UPDATE join_requests SET decided_at = $1, decided_by = $2, approved = $3
          WHERE org_id = $4 AND person_id = $5 AND decided_at IS NULL",
    )
    .bind(now)
    .bind(by.as_str())
    .bind(i64::from(approve))
    .bind(org.as_str())
    .bind(person.as_str())
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if approve {
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM memberships WHERE org_id = $1 AND person_id = $2",
        )
        .bind(org.as_str())
        .bind(person.as_str())
        .fetch_optional(tx.conn()?)
        .await?;
        if status.is_none() {
            add_by_domain(tx.conn()?, org, person, now).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

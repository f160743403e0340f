//! People (logins), their sessions and their API tokens. Secrets arrive
//! already hashed: the store never sees a password, cookie or token.

use cairn_domain::Name;
use cairn_domain::people::Email;
pub use cairn_domain::people::TokenScope;

use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError, new_id};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(pub(crate) String);

impl PersonId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For ids that come back from forms; they only ever match rows that
    /// exist, and every query scopes them by organization.
    pub fn from_form(s: &str) -> Self {
        PersonId(s.to_owned())
    }
}

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub email: Email,
    pub name: Name,
}

/// `id, email, name` of `people`, flattened into the rows that join it.
#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) name: String,
}

pub(crate) fn person_from(r: PersonRow) -> Result<Person, StoreError> {
    Ok(Person {
        id: PersonId(r.id),
        email: Email::parse(&r.email).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: Name::parse(&r.name, "person name")?,
    })
}

/// Creates a person; an email already in use is a `Conflict("email")`.
pub async fn create(
    store: &Store,
    email: &Email,
    name: &Name,
    password_hash: &str,
    now: Millis,
) -> Result<Person, StoreError> {
    let mut tx = store.begin_write().await?;
    let person = create_in(tx.conn()?, email, name, password_hash, now).await?;
    tx.commit().await?;
    Ok(person)
}

/// [`create`] inside the caller's writing transaction.
pub(crate) async fn create_in(
    conn: &mut sqlx::AnyConnection,
    email: &Email,
    name: &Name,
    password_hash: &str,
    now: Millis,
) -> Result<Person, StoreError> {
    let id = new_id();
    let taken: Vec<String> = sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
        .bind(email.as_str())
        .fetch_all(&mut *conn)
        .await?;
    if !taken.is_empty() {
        return Err(StoreError::Conflict("email".into()));
    }
    sqlx::query(
        "INSERT INTO people (id, email, name, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&id)
    .bind(email.as_str())
    .bind(name.as_str())
    .bind(password_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Person {
        id: PersonId(id),
        email: email.clone(),
        name: name.clone(),
    })
}

/// The person and their password hash, for signing in.
pub async fn by_email(
    store: &Store,
    email: &Email,
) -> Result<Option<(Person, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct WithHash {
        #[sqlx(flatten)]
        person: PersonRow,
        password_hash: String,
    }
    let row: Option<WithHash> =
        sqlx::query_as("SELECT id, email, name, password_hash FROM people WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&store.pool)
            .await?;
    row.map(|r| Ok((person_from(r.person)?, r.password_hash)))
        .transpose()
}

pub async fn password_hash(store: &Store, person: &PersonId) -> Result<String, StoreError> {
    let rows: Option<String> = sqlx::query_scalar("SELECT password_hash FROM people WHERE id = $1")
        .bind(person.as_str())
        .fetch_optional(&store.pool)
        .await?;
    rows.ok_or(StoreError::NotFound)
}

/// Sets a new password and ends every session of the person; with
/// `revoke_tokens`, their API tokens too (all in one transaction).
pub async fn set_password(
    store: &Store,
    person: &PersonId,
    password_hash: &str,
    revoke_tokens: bool,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    set_password_in(tx.conn()?, person, password_hash, now).await?;
    if revoke_tokens {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(person.as_str())
        .execute(tx.conn()?)
        .await?;
    }
    tx.commit().await
}

/// The new password and the end of every session, inside the caller's
/// writing transaction (a password change, a reset link).
pub(crate) async fn set_password_in(
    conn: &mut sqlx::AnyConnection,
    person: &PersonId,
    password_hash: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE people SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(person.as_str())
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Sessions

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub user_agent: String,
    pub client_ip: String,
}

/// Where a session was started from.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub user_agent: String,
    pub ip: String,
}

pub async fn start_session(
    store: &Store,
    token_hash: &str,
    person: &PersonId,
    client: &Client,
    now: Millis,
    expires_at: Millis,
) -> Result<String, StoreError> {
    let id = new_id();
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, id, person_id, created_at, last_seen_at, expires_at, user_agent, client_ip)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(token_hash)
    .bind(&id)
    .bind(person.as_str())
    .bind(now)
    .bind(expires_at)
    .bind(truncate(&client.user_agent, 300))
    .bind(truncate(&client.ip, 64))
    .execute(tx.conn()?)
    .await?;
    // Expired sessions of anyone go when someone signs in: no sweeper needed.
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(tx.conn()?)
        .await?;
    tx.commit().await?;
    Ok(id)
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The person behind a live session, and the session's id.
pub async fn session_person(
    store: &Store,
    token_hash: &str,
    now: Millis,
) -> Result<Option<(Person, String)>, StoreError> {
    Ok(session_visitor(store, token_hash, now)
        .await?
        .map(|(p, id, _)| (p, id)))
}

/// `session_person`, with how many unread notifications they have (the
/// header's bell), in the same statement.
pub async fn session_visitor(
    store: &Store,
    token_hash: &str,
    now: Millis,
) -> Result<Option<(Person, String, i64)>, StoreError> {
    struct SessionRow {
        person: PersonRow,
        session_id: String,
        last_seen_at: i64,
        unread: i64,
    }
    impl FromCols for SessionRow {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(SessionRow {
                person: PersonRow {
                    id: r.text(0)?,
                    email: r.text(1)?,
                    name: r.text(2)?,
                },
                session_id: r.text(3)?,
                last_seen_at: r.int(4)?,
                unread: r.int(5)?,
            })
        }
    }
    let row: Option<SessionRow> = reads::one(
        store,
        "SELECT p.id, p.email, p.name, s.id AS session_id, s.last_seen_at,
                (SELECT COUNT(*) FROM notifications n WHERE n.person_id = p.id AND n.read_at IS NULL)
           FROM sessions s JOIN people p ON p.id = s.person_id
          WHERE s.token_hash = $1 AND s.expires_at > $2"
            .to_owned(),
        vec![Arg::from(token_hash), Arg::from(now)],
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    // "Last seen" to the minute: at most one write per session a minute.
    if now - row.last_seen_at > 60_000 {
        let mut tx = store.begin_write().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(tx.conn()?)
            .await?;
        tx.commit().await?;
    }
    Ok(Some((person_from(row.person)?, row.session_id, row.unread)))
}

pub async fn end_session(store: &Store, token_hash: &str) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

/// Ends one of a person's sessions by its public id; false if none matched.
pub async fn revoke_session(
    store: &Store,
    person: &PersonId,
    session_id: &str,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id = $2")
        .bind(person.as_str())
        .bind(session_id)
        .execute(tx.conn()?)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

pub async fn sessions(
    store: &Store,
    person: &PersonId,
    now: Millis,
) -> Result<Vec<SessionInfo>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct SessionRow {
        id: String,
        created_at: i64,
        last_seen_at: i64,
        user_agent: String,
        client_ip: String,
    }
    let rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT id, created_at, last_seen_at, user_agent, client_ip FROM sessions
          WHERE person_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
    )
    .bind(person.as_str())
    .bind(now)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |SessionRow {
                 id,
                 created_at,
                 last_seen_at,
                 user_agent,
                 client_ip,
             }| SessionInfo {
                id,
                created_at,
                last_seen_at,
                user_agent,
                client_ip,
            },
        )
        .collect())
}

// ---------------------------------------------------------------------------
// API tokens

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: String,
    pub name: Name,
    pub scope: TokenScope,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

pub async fn create_token(
    store: &Store,
    person: &PersonId,
    name: &Name,
    scope: TokenScope,
    token_hash: &str,
    now: Millis,
) -> Result<TokenInfo, StoreError> {
    let id = new_id();
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO api_tokens (id, person_id, name, token_hash, created_at, scope)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(person.as_str())
    .bind(name.as_str())
    .bind(token_hash)
    .bind(now)
    .bind(scope.as_str())
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(TokenInfo {
        id,
        name: name.clone(),
        scope,
        created_at: now,
        last_used_at: None,
    })
}

pub async fn tokens(store: &Store, person: &PersonId) -> Result<Vec<TokenInfo>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct TokenRow {
        id: String,
        name: String,
        scope: String,
        created_at: i64,
        last_used_at: Option<i64>,
    }
    let rows: Vec<TokenRow> = sqlx::query_as(
        "SELECT id, name, scope, created_at, last_used_at FROM api_tokens
          WHERE person_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
    )
    .bind(person.as_str())
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|t| {
            Ok(TokenInfo {
                name: Name::parse(&t.name, "token name")?,
                scope: scope_from(&t.scope)?,
                id: t.id,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
            })
        })
        .collect()
}

pub async fn revoke_token(
    store: &Store,
    person: &PersonId,
    id: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE person_id = $2 AND id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(person.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

fn scope_from(s: &str) -> Result<TokenScope, StoreError> {
    TokenScope::parse(s).ok_or_else(|| StoreError::Corrupt(format!("token scope {s:?}")))
}

/// The owner of a live token, and what the token may do.
pub async fn token_person(
    store: &Store,
    token_hash: &str,
    now: Millis,
) -> Result<Option<(Person, TokenScope)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct OwnerRow {
        #[sqlx(flatten)]
        person: PersonRow,
        scope: String,
        last_used_at: Option<i64>,
    }
    let row: Option<OwnerRow> = sqlx::query_as(
        "SELECT p.id, p.email, p.name, t.scope, t.last_used_at
           FROM api_tokens t JOIN people p ON p.id = t.person_id
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&store.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row.last_used_at.is_none_or(|t| now - t > 60_000) {
        let mut tx = store.begin_write().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(tx.conn()?)
            .await?;
        tx.commit().await?;
    }
    Ok(Some((person_from(row.person)?, scope_from(&row.scope)?)))
}

//! Password resets: a single-use link, valid an hour, kept hashed. Asking
//! writes the reset and its email in one transaction; using it sets the
//! password, ends every session and spends every open link of the person,
//! in one transaction, so of two uses at once one wins.

use cairn_domain::people::Email;

use crate::deliveries::{self, NewDelivery};
use crate::people::PersonId;
use crate::{Millis, Store, StoreError};

/// How long a link works.
pub const VALID_MS: Millis = 3600 * 1000;

/// Writes a reset for the account of `email`, if there is one, and the
/// email that carries its link (`token`, stored hashed as `token_hash`).
/// Returns whether there was an account: for tests; the page says the same
/// either way.
pub async fn ask(
    store: &Store,
    email: &Email,
    token_hash: &str,
    token: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let person: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM people WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(tx.conn()?)
            .await?;
    let Some((id, name)) = person else {
        tx.rollback().await?;
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO password_resets (token_hash, person_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(&id)
    .bind(now)
    .bind(now + VALID_MS)
    .execute(tx.conn()?)
    .await?;
    deliveries::insert(
        tx.conn()?,
        &NewDelivery {
            org: None,
            channel: "email",
            kind: deliveries::PASSWORD_RESET,
            recipient: email.as_str(),
            person: Some(&id),
            name: &name,
            subject: "Reset your cairn password",
            href: "/forgot-password/",
            body: "",
            secret: Some(token),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The person a link resets, while it is unused and within its hour.
pub async fn person_of(
    store: &Store,
    token_hash: &str,
    now: Millis,
) -> Result<Option<PersonId>, StoreError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM password_resets
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&store.pool)
    .await?;
    Ok(id.map(PersonId))
}

/// Uses a link: sets the password, ends every session of the person
/// (their API tokens stay: they revoke those on their tokens page), and
/// spends every open link of theirs. None when the link is spent, expired
/// or unknown.
pub async fn reset(
    store: &Store,
    token_hash: &str,
    password_hash: &str,
    now: Millis,
) -> Result<Option<PersonId>, StoreError> {
    let mut tx = store.begin_write().await?;
    let id: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM password_resets
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(tx.conn()?)
    .await?;
    let Some(id) = id else {
        tx.rollback().await?;
        return Ok(None);
    };
    let spent = sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE person_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(&id)
    .execute(tx.conn()?)
    .await?;
    if spent.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let person = PersonId(id);
    crate::people::set_password_in(tx.conn()?, &person, password_hash, now).await?;
    tx.commit().await?;
    Ok(Some(person))
}

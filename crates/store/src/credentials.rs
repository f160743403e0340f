//! Open Badges credentials and the keys that sign them. The signing and
//! the key's encryption happen in the web layer (`cairn_web::credentials`);
//! here are the rows: an organization's numbered keys (the newest
//! unretired one signs; all stay, so old credentials still verify), one
//! credential per award, and the revocation list, read from the awards
//! themselves (a credential is revoked while its award is).

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub number: i64,
    /// Raw Ed25519 public key, base64url.
    pub public_key: String,
    /// Encrypted PKCS#8 (`cairn_web::credentials`).
    pub private_key: String,
    pub created_at: Millis,
    pub retired_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: String,
    pub award_id: String,
    pub recipient: PersonId,
    pub status_index: i64,
    pub key_number: i64,
    pub jws: String,
    pub created_at: Millis,
    /// Its award was revoked (so is the credential).
    pub revoked: bool,
}

type KeyRow = (i64, String, String, i64, Option<i64>);

fn key(r: KeyRow) -> Key {
    Key {
        number: r.0,
        public_key: r.1,
        private_key: r.2,
        created_at: r.3,
        retired_at: r.4,
    }
}

/// Every key of the organization, oldest first (what the JWKS publishes).
pub async fn keys(store: &Store, org: &OrgId) -> Result<Vec<Key>, StoreError> {
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT number, public_key, private_key, created_at, retired_at FROM credential_keys
          WHERE org_id = $1 ORDER BY number",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(key).collect())
}

/// The key that signs now: the newest that is not retired.
pub async fn signing_key(store: &Store, org: &OrgId) -> Result<Option<Key>, StoreError> {
    Ok(keys(store, org)
        .await?
        .into_iter()
        .rev()
        .find(|k| k.retired_at.is_none()))
}

/// Adds a key as the next number, retiring the ones before it when
/// `rotate` (else only when there is none yet: two servers making the
/// first key at once keep one). The key that signs afterwards.
pub async fn add_key(
    store: &Store,
    org: &OrgId,
    public_key: &str,
    private_key: &str,
    rotate: bool,
    now: Millis,
) -> Result<Key, StoreError> {
    let mut tx = store.begin_write().await?;
    crate::orgs::lock(store, tx.conn()?, org).await?;
    let (live, next): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(CASE WHEN retired_at IS NULL THEN 1 END), COALESCE(MAX(number), 0) + 1
           FROM credential_keys WHERE org_id = $1",
    )
    .bind(org.as_str())
    .fetch_one(tx.conn()?)
    .await?;
    if live == 0 || rotate {
        sqlx::query(
            "UPDATE credential_keys SET retired_at = $1 WHERE org_id = $2 AND retired_at IS NULL",
        )
        .bind(now)
        .bind(org.as_str())
        .execute(tx.conn()?)
        .await?;
        sqlx::query(
            "INSERT INTO credential_keys (org_id, number, public_key, private_key, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.as_str())
        .bind(next)
        .bind(public_key)
        .bind(private_key)
        .bind(now)
        .execute(tx.conn()?)
        .await?;
    }
    tx.commit().await?;
    signing_key(store, org).await?.ok_or(StoreError::NotFound)
}

type CredentialRow = (String, String, String, i64, i64, String, i64, Option<i64>);

/// A credential with its award's revocation, `WHERE` what follows.
macro_rules! credential_where {
    ($condition:literal) => {
        concat!(
            "SELECT c.id, c.award_id, c.recipient_id, c.status_index, c.key_number, c.jws,
                    c.created_at, w.revoked_at
               FROM credentials c JOIN awards w ON w.id = c.award_id WHERE ",
            $condition
        )
    };
}

fn credential(r: CredentialRow) -> Credential {
    Credential {
        id: r.0,
        award_id: r.1,
        recipient: PersonId(r.2),
        status_index: r.3,
        key_number: r.4,
        jws: r.5,
        created_at: r.6,
        revoked: r.7.is_some(),
    }
}

/// One credential by its id.
pub async fn get(store: &Store, org: &OrgId, id: &str) -> Result<Option<Credential>, StoreError> {
    let row: Option<CredentialRow> =
        sqlx::query_as(credential_where!("c.org_id = $1 AND c.id = $2"))
            .bind(org.as_str())
            .bind(id)
            .fetch_optional(&store.pool)
            .await?;
    Ok(row.map(credential))
}

/// The credential made of an award, if its recipient asked for one.
pub async fn of_award(
    store: &Store,
    org: &OrgId,
    award: &str,
) -> Result<Option<Credential>, StoreError> {
    let row: Option<CredentialRow> =
        sqlx::query_as(credential_where!("c.org_id = $1 AND c.award_id = $2"))
            .bind(org.as_str())
            .bind(award)
            .fetch_optional(&store.pool)
            .await?;
    Ok(row.map(credential))
}

/// What signing needs to know, decided inside the transaction.
pub struct Issuing<'a> {
    pub id: &'a str,
    pub status_index: i64,
}

/// Makes the credential of a live award of `recipient`'s, once: the
/// status index is the organization's next, and `sign` makes the JWS from
/// it (and the new credential's id). An award that already has one gets
/// that one back; a revoked or unknown award (or someone else's) gets
/// `None`. Checked under the organization's lock, so two requests at
/// once make one credential.
pub async fn issue(
    store: &Store,
    org: &OrgId,
    award: &str,
    recipient: &PersonId,
    key_number: i64,
    now: Millis,
    sign: impl FnOnce(&Issuing) -> Result<String, String>,
) -> Result<Option<Credential>, StoreError> {
    let mut tx = store.begin_write().await?;
    crate::orgs::lock(store, tx.conn()?, org).await?;
    let live: Option<String> = sqlx::query_scalar(
        "SELECT id FROM awards WHERE org_id = $1 AND id = $2 AND recipient_id = $3 AND revoked_at IS NULL",
    )
    .bind(org.as_str())
    .bind(award)
    .bind(recipient.as_str())
    .fetch_optional(tx.conn()?)
    .await?;
    if live.is_none() {
        return Ok(None);
    }
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM credentials WHERE org_id = $1 AND award_id = $2")
            .bind(org.as_str())
            .bind(award)
            .fetch_optional(tx.conn()?)
            .await?;
    if existing.is_some() {
        drop(tx);
        return of_award(store, org, award).await;
    }
    let index: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(status_index), -1) + 1 FROM credentials WHERE org_id = $1",
    )
    .bind(org.as_str())
    .fetch_one(tx.conn()?)
    .await?;
    let id = new_id();
    let jws = sign(&Issuing {
        id: &id,
        status_index: index,
    })
    .map_err(StoreError::Other)?;
    sqlx::query(
        "INSERT INTO credentials (id, org_id, award_id, recipient_id, status_index, key_number, jws, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(award)
    .bind(recipient.as_str())
    .bind(index)
    .bind(key_number)
    .bind(&jws)
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    get(store, org, &id).await
}

/// The status indexes of the organization's revoked credentials, and how
/// many indexes are in use.
pub async fn revoked(store: &Store, org: &OrgId) -> Result<(Vec<i64>, i64), StoreError> {
    let revoked: Vec<i64> = sqlx::query_scalar(
        "SELECT c.status_index FROM credentials c JOIN awards w ON w.id = c.award_id
          WHERE c.org_id = $1 AND w.revoked_at IS NOT NULL ORDER BY c.status_index",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM credentials WHERE org_id = $1")
        .bind(org.as_str())
        .fetch_one(&store.pool)
        .await?;
    Ok((revoked, used))
}

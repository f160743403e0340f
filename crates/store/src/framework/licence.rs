//! The licence an organization offers its published framework under: a
//! setting (not drafted), part of the framework file and every version
//! published after it changes.

use cairn_domain::licence::Licence;

use super::*;
use crate::orgs::OrgId;
use crate::{Millis, Store, StoreError};

/// Sets the licence. A fork of a share-alike framework keeps share-alike:
/// anything else is refused with the sentence to show, changing nothing.
pub async fn set_licence(
    store: &Store,
    org: &OrgId,
    licence: Licence,
    now: Millis,
) -> Result<Result<(), String>, StoreError> {
    let mut tx = store.begin_write().await?;
    let conn = tx.conn()?;
    crate::orgs::lock(store, conn, org).await?;
    let current: Option<String> =
        sqlx::query_scalar("SELECT licence FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let current = current.ok_or(StoreError::NotFound)?;
    if current == licence.as_str() {
        tx.rollback().await?;
        return Ok(Ok(()));
    }
    let upstream: Option<(String, String)> =
        sqlx::query_as("SELECT upstream_name, licence FROM framework_forks WHERE org_id = $1")
            .bind(org.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    if let Some((name, up)) = upstream {
        let up = Licence::parse(&up).unwrap_or_default();
        if !up.allows_fork_licence(licence) {
            tx.rollback().await?;
            return Ok(Err(format!(
                "This framework is adapted from {name}'s, offered under {}: it must stay under {} (share alike)",
                up.label(),
                up.label()
            )));
        }
    }
    sqlx::query("UPDATE organizations SET licence = $1, updated_at = $2 WHERE id = $3")
        .bind(licence.as_str())
        .bind(now)
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    // The licence is in the framework snapshot (and its file).
    bump_version(conn, org).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

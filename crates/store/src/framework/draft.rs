//! "Draft and publish": an organization's unpublished framework.
//!
//! In `Publishing::Drafts`, an editor's save changes the organization's
//! draft (one row: the whole framework file, JSON) and not its framework
//! tables, so every reader page keeps showing what was last published
//! without knowing drafts exist. Publishing writes the draft over the
//! tables (the same writer an import uses: items matched by slug, history
//! recorded) and numbers it as the next version, in one transaction.
//!
//! What a draft holds is the framework's content: abilities, roles,
//! positions and the miles scale. The organization's name and licence are
//! settings and always come from the organization as it is.

use cairn_domain::file::{self, Format};
use cairn_domain::publishing::Publishing;
use cairn_domain::{Framework, Organization};
use sqlx::AnyConnection;

use super::*;
use crate::orgs::{OrgId, OrgRecord};
use crate::people::PersonId;
use crate::versions::{self, Refused};
use crate::{Millis, Store, StoreError};

/// The organization's draft, as its pages show it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub framework: Framework,
    /// One more with every save; a publish names the one it read.
    pub revision: i64,
    pub updated_at: Millis,
    /// Who saved last ('' when unknown).
    pub by: String,
}

/// Where a save went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Into the framework: readers see it now.
    Live,
    /// Into the draft: readers see it once it is published.
    Draft,
}

fn parse_body(body: &str, live: &Organization) -> Result<Framework, StoreError> {
    let mut fw = file::parse(body)
        .map_err(|p| StoreError::Corrupt(format!("the stored draft does not parse: {p:?}")))?;
    fw.organization = Organization {
        miles: fw.organization.miles,
        ..live.clone()
    };
    Ok(fw)
}

pub(super) async fn publishing(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Publishing, StoreError> {
    let mode: String = sqlx::query_scalar("SELECT publishing FROM organizations WHERE id = $1")
        .bind(org.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Publishing::parse(&mode).ok_or_else(|| StoreError::Corrupt(format!("publishing {mode:?}")))
}

async fn row(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Option<(String, i64, i64, Option<String>)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.body, d.revision, d.updated_at, p.name FROM framework_drafts d
           LEFT JOIN people p ON p.id = d.updated_by
          WHERE d.org_id = $1",
    )
    .bind(org.as_str())
    .fetch_optional(&mut *conn)
    .await?)
}

/// The organization's draft, when it has one.
pub async fn draft(store: &Store, org: &OrgRecord) -> Result<Option<Draft>, StoreError> {
    let mut conn = store.read().await?;
    let Some((body, revision, updated_at, by)) = row(&mut conn, &org.id).await? else {
        return Ok(None);
    };
    Ok(Some(Draft {
        framework: parse_body(&body, &org.org)?,
        revision,
        updated_at,
        by: by.unwrap_or_default(),
    }))
}

/// What editors edit: the draft when the organization drafts and has one,
/// else the framework as it is.
pub async fn editable(store: &Store, org: &OrgRecord) -> Result<Framework, StoreError> {
    if org.publishing == Publishing::Drafts
        && let Some(d) = draft(store, org).await?
    {
        return Ok(d.framework);
    }
    Ok(super::load(store, org).await?.framework().clone())
}

/// The items a draft edit is checked against: the draft's items as active,
/// and every stored item the draft does not hold as archived (so creating
/// reuses no slug, and restoring finds what was archived, in the draft or
/// in the framework).
fn draft_items(existing: &Items, draft: &Framework) -> Items {
    fn view<T: Clone>(
        drafted: &[T],
        stored: &[Stored<T>],
        slug: fn(&T) -> &cairn_domain::Slug,
    ) -> Vec<Stored<T>> {
        let mut out: Vec<Stored<T>> = drafted
            .iter()
            .enumerate()
            .map(|(i, item)| Stored {
                id: String::new(),
                item: item.clone(),
                sort_order: i as i64,
                archived: false,
            })
            .collect();
        for s in stored {
            if !drafted.iter().any(|d| slug(d) == slug(&s.item)) {
                out.push(Stored {
                    archived: true,
                    ..s.clone()
                });
            }
        }
        out
    }
    Items {
        abilities: view(&draft.abilities, &existing.abilities, |a| &a.slug),
        roles: view(&draft.roles, &existing.roles, |r| &r.slug),
        positions: view(&draft.positions, &existing.positions, |p| &p.slug),
    }
}

/// Applies an edit to the draft (started from the framework as it is when
/// there is none), inside the caller's transaction and lock.
pub(super) async fn apply_to_draft(
    conn: &mut AnyConnection,
    org: &OrgId,
    live: Framework,
    existing: &Items,
    edit: Edit,
    actor: &PersonId,
    now: Millis,
) -> Result<Result<Saved, EditRefused>, StoreError> {
    let current = row(conn, org).await?;
    let mut desired = match &current {
        Some((body, ..)) => parse_body(body, &live.organization)?,
        None => live,
    };
    let stored = draft_items(existing, &desired);
    if let Err(refused) = edit::edit_framework(&mut desired, &stored, edit) {
        return Ok(Err(refused));
    }
    let problems = desired.reference_problems();
    if !problems.is_empty() {
        return Ok(Err(EditRefused::Problems(problems)));
    }
    store_draft(conn, org, current.map(|c| c.1), &desired, Some(actor), now).await?;
    Ok(Ok(Saved::Draft))
}

/// Writes `desired` as the organization's draft: the next revision of
/// the one at `revision`, or the first.
pub(super) async fn store_draft(
    conn: &mut AnyConnection,
    org: &OrgId,
    revision: Option<i64>,
    desired: &Framework,
    actor: Option<&PersonId>,
    now: Millis,
) -> Result<(), StoreError> {
    let body = file::write(desired, Format::Json).map_err(|e| StoreError::Other(e.to_string()))?;
    let by = actor.map(PersonId::as_str);
    match revision {
        Some(revision) => {
            sqlx::query(
                "UPDATE framework_drafts SET body = $1, revision = $2, updated_at = $3, updated_by = $4
                  WHERE org_id = $5",
            )
            .bind(&body)
            .bind(revision + 1)
            .bind(now)
            .bind(by)
            .bind(org.as_str())
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO framework_drafts (org_id, body, revision, updated_at, updated_by)
                 VALUES ($1, $2, 1, $3, $4)",
            )
            .bind(org.as_str())
            .bind(&body)
            .bind(now)
            .bind(by)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// The draft as the write transaction reads it: the framework and its
/// revision, when there is one.
pub(super) async fn current_in(
    conn: &mut AnyConnection,
    org: &OrgId,
    live: &Organization,
) -> Result<Option<(Framework, i64)>, StoreError> {
    match row(conn, org).await? {
        Some((body, revision, ..)) => Ok(Some((parse_body(&body, live)?, revision))),
        None => Ok(None),
    }
}

/// Publishes the draft at `revision` as version `after + 1`: written over
/// the framework (history recorded with `by` as the author), numbered,
/// and the draft gone, in one transaction. Refused, changing nothing,
/// when someone published first, the draft moved since it was read, or
/// it changes nothing.
pub async fn publish_draft(
    store: &Store,
    org: &OrgId,
    after: i64,
    revision: i64,
    notes: &str,
    by: Option<&PersonId>,
    now: Millis,
) -> Result<Result<i64, Refused>, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("versions:{}", org.as_str())).await?;
    let conn = tx.conn()?;
    crate::orgs::lock(store, conn, org).await?;
    let latest = versions::latest_in(conn, org).await?;
    let latest_number = latest.as_ref().map_or(0, |(n, _)| *n);
    if latest_number != after {
        tx.rollback().await?;
        return Ok(Err(Refused::AlreadyPublished(latest_number)));
    }
    let Some((body, current, ..)) = row(conn, org).await? else {
        tx.rollback().await?;
        return Ok(Err(Refused::NothingToPublish));
    };
    if current != revision {
        tx.rollback().await?;
        return Ok(Err(Refused::Moved));
    }
    let organization = load_organization(conn, org).await?;
    let desired = parse_body(&body, &organization)?;
    let snapshot =
        file::write(&desired, Format::Json).map_err(|e| StoreError::Other(e.to_string()))?;
    if latest.as_ref().is_some_and(|(_, s)| *s == snapshot) {
        tx.rollback().await?;
        return Ok(Err(Refused::NothingToPublish));
    }
    let existing = load_items(conn, org).await?;
    let mut summary = ImportSummary::default();
    upsert_organization(conn, &desired.organization, now, &mut summary).await?;
    let w = Writer {
        org,
        actor: by,
        now,
    };
    write_framework(conn, &w, &desired, existing, &mut summary).await?;
    sqlx::query("DELETE FROM framework_drafts WHERE org_id = $1")
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    let number = latest_number + 1;
    versions::insert(conn, org, number, notes, &snapshot, by, now).await?;
    tx.commit().await?;
    Ok(Ok(number))
}

/// Throws the draft at `revision` away. False when there was none at that
/// revision (someone saved or published since).
pub async fn discard(store: &Store, org: &OrgId, revision: i64) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query("DELETE FROM framework_drafts WHERE org_id = $1 AND revision = $2")
        .bind(org.as_str())
        .bind(revision)
        .execute(tx.conn()?)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Why a change of publishing mode was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeRefused {
    /// Back to "every save" while a draft waits: it would be lost.
    DraftPending,
}

/// Chooses how saves reach readers, and whether members read the draft.
/// Leaving drafts is refused while a draft waits (checked under the
/// organization's lock, so a save cannot slip in between).
pub async fn set_publishing(
    store: &Store,
    org: &OrgId,
    mode: Publishing,
    draft_visible: bool,
) -> Result<Result<(), ModeRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let conn = tx.conn()?;
    crate::orgs::lock(store, conn, org).await?;
    if mode == Publishing::EverySave && row(conn, org).await?.is_some() {
        tx.rollback().await?;
        return Ok(Err(ModeRefused::DraftPending));
    }
    sqlx::query("UPDATE organizations SET publishing = $1, draft_visible = $2 WHERE id = $3")
        .bind(mode.as_str())
        .bind(i64::from(draft_visible))
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

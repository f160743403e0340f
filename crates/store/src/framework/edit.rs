//! One change to the framework, by an editor or an import: checked against
//! the framework as the write transaction reads it, then written.

use cairn_domain::{Ability, Framework, Position, Role, Slug};

pub use cairn_domain::ItemKind;

use super::*;
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError};

/// Creates or replaces one organization's framework, in one transaction:
/// either all of it lands or none of it. Changes are recorded in the
/// history without an author (a command-line import).
pub async fn replace(
    store: &Store,
    fw: &Framework,
    now: Millis,
) -> Result<ImportSummary, StoreError> {
    replace_as(store, fw, None, now).await
}

/// `replace`, recording `actor` as the author of every change.
pub async fn replace_as(
    store: &Store,
    fw: &Framework,
    actor: Option<&PersonId>,
    now: Millis,
) -> Result<ImportSummary, StoreError> {
    let mut tx = store.begin_write().await?;
    let conn = tx.conn()?;
    let mut summary = ImportSummary::default();
    let org = upsert_organization(conn, &fw.organization, now, &mut summary).await?;
    crate::orgs::lock(store, conn, &org).await?;
    let existing = load_items(conn, &org).await?;
    let w = Writer {
        org: &org,
        actor,
        now,
    };
    write_framework(conn, &w, fw, existing, &mut summary).await?;
    tx.commit().await?;
    Ok(summary)
}

/// One change made in the browser.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Create (when `create`) or update an ability; its slug never changes.
    SaveAbility {
        ability: Ability,
        create: bool,
    },
    SaveRole {
        role: Role,
        create: bool,
    },
    SavePosition {
        position: Position,
        create: bool,
    },
    Archive {
        kind: ItemKind,
        slug: Slug,
    },
    Restore {
        kind: ItemKind,
        slug: Slug,
    },
    SetMiles(cairn_domain::MilesScale),
}

/// Why an edit was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefused {
    NotFound,
    /// Sentences saying what to fix.
    Problems(Vec<String>),
}

/// Applies one edit to the organization's current framework and writes
/// what changed, with `actor` in the history. The edit is checked against
/// the framework as it is inside the transaction, so concurrent edits of
/// different items never undo each other.
pub async fn apply(
    store: &Store,
    org: &OrgId,
    edit: Edit,
    actor: &PersonId,
    now: Millis,
) -> Result<Result<Saved, EditRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let saved = apply_in(store, &mut tx, org, edit, actor, now).await?;
    if saved.is_ok() {
        tx.commit().await?;
    }
    Ok(saved)
}

/// Why accepting a proposal changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptRefused {
    /// The edit does not apply to the framework as it is now.
    Edit(EditRefused),
    /// Someone accepted or declined it first.
    Decided,
}

/// Accepts a proposal: its edit applied as an editor's save would be (to
/// the draft, or the framework), and the proposal marked accepted, in one
/// transaction, so two editors accepting at once apply it once.
pub async fn accept(
    store: &Store,
    org: &OrgId,
    proposal: &str,
    edit: Edit,
    actor: &PersonId,
    now: Millis,
) -> Result<Result<Saved, AcceptRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let saved = match apply_in(store, &mut tx, org, edit, actor, now).await? {
        Ok(saved) => saved,
        Err(r) => {
            tx.rollback().await?;
            return Ok(Err(AcceptRefused::Edit(r)));
        }
    };
    let comment = match saved {
        Saved::Live => "Accepted, and published.",
        Saved::Draft => "Accepted into the draft: it is published with the next version.",
    };
    let status = crate::proposals::Status::Accepted;
    let d = crate::proposals::Decision {
        status,
        reason: "",
        comment,
    };
    if !crate::proposals::decide_in(&mut tx, org, proposal, actor, d, now).await? {
        tx.rollback().await?;
        return Ok(Err(AcceptRefused::Decided));
    }
    tx.commit().await?;
    Ok(Ok(saved))
}

/// `apply` inside the caller's transaction, which commits it when the
/// edit is accepted (and rolls back otherwise).
async fn apply_in(
    store: &Store,
    tx: &mut crate::WriteTx,
    org: &OrgId,
    edit: Edit,
    actor: &PersonId,
    now: Millis,
) -> Result<Result<Saved, EditRefused>, StoreError> {
    let conn = tx.conn()?;
    crate::orgs::lock(store, conn, org).await?;
    let mode = draft::publishing(conn, org).await?;
    let (mut desired, existing) = live_in(conn, org).await?;
    if mode == cairn_domain::publishing::Publishing::Drafts {
        return draft::apply_to_draft(conn, org, desired, &existing, edit, actor, now).await;
    }
    if let Err(refused) = edit_framework(&mut desired, &existing, edit) {
        return Ok(Err(refused));
    }
    let problems = desired.reference_problems();
    if !problems.is_empty() {
        return Ok(Err(EditRefused::Problems(problems)));
    }
    let mut summary = ImportSummary::default();
    upsert_organization(conn, &desired.organization, now, &mut summary).await?;
    let w = Writer {
        org,
        actor: Some(actor),
        now,
    };
    write_framework(conn, &w, &desired, existing, &mut summary).await?;
    Ok(Ok(Saved::Live))
}

/// Saves `item` into `list`: appended when created (its slug must be new,
/// archived items included), replaced in place when updated.
pub(super) fn save<T: Clone>(
    list: &mut Vec<T>,
    stored: &[Stored<T>],
    item: T,
    create: bool,
    slug_of: fn(&T) -> &Slug,
    kind: &str,
) -> Result<(), EditRefused> {
    let slug = slug_of(&item).clone();
    if create {
        if let Some(s) = stored.iter().find(|s| slug_of(&s.item) == &slug) {
            let hint = if s.archived {
                " (it is archived: restore it instead)"
            } else {
                ""
            };
            return Err(EditRefused::Problems(vec![format!(
                "A {kind} with the slug {slug} already exists{hint}."
            )]));
        }
        list.push(item);
        return Ok(());
    }
    let slot = list
        .iter_mut()
        .find(|x| slug_of(x) == &slug)
        .ok_or(EditRefused::NotFound)?;
    *slot = item;
    Ok(())
}

pub(super) fn restore<T: Clone>(
    list: &mut Vec<T>,
    stored: &[Stored<T>],
    slug: &Slug,
    slug_of: fn(&T) -> &Slug,
) -> Result<(), EditRefused> {
    let s = stored
        .iter()
        .find(|s| s.archived && slug_of(&s.item) == slug)
        .ok_or(EditRefused::NotFound)?;
    list.push(s.item.clone());
    Ok(())
}

pub(super) fn edit_framework(
    fw: &mut Framework,
    stored: &Items,
    edit: Edit,
) -> Result<(), EditRefused> {
    match edit {
        Edit::SaveAbility { ability, create } => save(
            &mut fw.abilities,
            &stored.abilities,
            ability,
            create,
            |a| &a.slug,
            "ability",
        ),
        Edit::SaveRole { role, create } => save(
            &mut fw.roles,
            &stored.roles,
            role,
            create,
            |r| &r.slug,
            "role",
        ),
        Edit::SavePosition { position, create } => save(
            &mut fw.positions,
            &stored.positions,
            position,
            create,
            |p| &p.slug,
            "position",
        ),
        Edit::Archive { kind, slug } => match fw.archive(kind, &slug) {
            Ok(true) => Ok(()),
            Ok(false) => Err(EditRefused::NotFound),
            Err(why) => Err(EditRefused::Problems(vec![why])),
        },
        Edit::Restore {
            kind: ItemKind::Ability,
            slug,
        } => restore(&mut fw.abilities, &stored.abilities, &slug, |a| &a.slug),
        Edit::Restore {
            kind: ItemKind::Role,
            slug,
        } => restore(&mut fw.roles, &stored.roles, &slug, |r| &r.slug),
        Edit::Restore {
            kind: ItemKind::Position,
            slug,
        } => restore(&mut fw.positions, &stored.positions, &slug, |p| &p.slug),
        Edit::SetMiles(scale) => {
            fw.organization.miles = scale;
            Ok(())
        }
    }
}

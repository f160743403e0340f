//! Abilities, milestones, roles, positions and their requirements, by
//! purpose: [`read`] (the framework as pages and exports see it), [`edit`]
//! (one editor's change, checked against the framework as it is),
//! [`history`] (each item's recorded changes), and [`plan`] (how an import
//! or an edit is written: matched by slug, created, updated or archived).
//!
//! An import *replaces* an organization's framework while keeping identity:
//! items are matched by slug, so an ability keeps its id (and, later, its
//! observations and awards) across imports. Items missing from the file are
//! archived, not deleted. `updated_at` moves only when an item's content
//! changed, so "Last updated" stays honest after a re-import.

use cairn_domain::{Ability, Level, Name, Position, Role, Slug};

mod draft;
mod edit;
pub mod fork;
mod history;
mod items;
mod licence;
mod plan;
mod read;
mod snapshot;

use self::{items::*, plan::*, read::*};
pub use draft::{
    Draft, ModeRefused, Saved, discard, draft, editable, publish_draft, set_publishing,
};
pub use edit::{AcceptRefused, Edit, EditRefused, ItemKind, accept, apply, replace, replace_as};
pub use history::{HistoryEntry, ItemHistory, history};
pub use licence::set_licence;
pub use read::{AbilityDetail, ability_detail, ability_updated_at, archived, load_by_slug};
pub use snapshot::{DEFAULT_BUDGET, Snapshot, current, load};
pub(crate) use snapshot::{Snapshots, bump_version};

/// An item as stored: its id, ordering and lifecycle around the domain value.
#[derive(Debug, Clone)]
struct Stored<T> {
    id: String,
    item: T,
    sort_order: i64,
    archived: bool,
}

/// Every item of one organization, archived ones included.
struct Items {
    abilities: Vec<Stored<Ability>>,
    roles: Vec<Stored<Role>>,
    positions: Vec<Stored<Position>>,
}

/// What an import did, per kind of item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: u32,
    pub updated: u32,
    pub archived: u32,
    pub unchanged: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub organization_created: bool,
    pub abilities: Changes,
    pub roles: Changes,
    pub positions: Changes,
}

/// A role or position that requires a given ability directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredBy {
    pub kind: RequirerKind,
    pub slug: Slug,
    /// The role's or position's plural ("Ops Engineers").
    pub label: Name,
    pub level: Level,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirerKind {
    Role,
    Position,
}

//! The framework snapshot: an organization's active framework, read once
//! and shared by every request until it changes.
//!
//! Every transaction that writes a framework adds one to the
//! organization's `framework_version` (see [`bump_version`]), and every
//! request reads that number with the organization's row ([`OrgRecord`]),
//! so a snapshot is used only while it is as new as the database: an edit
//! made through another server is seen on the next request. A snapshot is
//! immutable; a change makes a new one. Memory is bounded: beyond the
//! budget, the organizations used least recently are dropped.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use cairn_domain::{Framework, ItemKind, Slug};
use sqlx::AnyConnection;

use super::read::{active, load_items, load_organization};
use super::{RequiredBy, RequirerKind};
use crate::orgs::{OrgId, OrgRecord};
use crate::{Millis, Store, StoreError};

/// One organization's active framework at one version.
pub struct Snapshot {
    pub version: i64,
    framework: Framework,
    ids: HashMap<(ItemKind, Slug), String>,
    ability_updated_at: HashMap<Slug, Millis>,
    /// What the web layer prepares from it (rendered markdown), made once.
    prepared: OnceLock<Arc<dyn Any + Send + Sync>>,
    bytes: usize,
}

impl Deref for Snapshot {
    type Target = Framework;

    fn deref(&self) -> &Framework {
        &self.framework
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("org", &self.framework.organization.slug)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    pub fn framework(&self) -> &Framework {
        &self.framework
    }

    /// The stored id of an active item (conversations name their subject
    /// by it).
    pub fn id_of(&self, kind: ItemKind, slug: &Slug) -> Option<&str> {
        self.ids.get(&(kind, slug.clone())).map(String::as_str)
    }

    /// When an active ability's content last changed.
    pub fn ability_updated_at(&self, slug: &Slug) -> Option<Millis> {
        self.ability_updated_at.get(slug).copied()
    }

    /// The active roles and positions that require `ability` directly:
    /// roles first, each group in its stored order.
    pub fn required_by(&self, ability: &Slug) -> Vec<RequiredBy> {
        let roles = self.framework.roles.iter().filter_map(|r| {
            let req = r.requires.iter().find(|q| &q.ability == ability)?;
            Some(RequiredBy {
                kind: RequirerKind::Role,
                slug: r.slug.clone(),
                label: r.plural.clone(),
                level: req.level,
            })
        });
        let positions = self.framework.positions.iter().filter_map(|p| {
            let req = p.requires.iter().find(|q| &q.ability == ability)?;
            Some(RequiredBy {
                kind: RequirerKind::Position,
                slug: p.slug.clone(),
                label: p.plural.clone(),
                level: req.level,
            })
        });
        roles.chain(positions).collect()
    }

    /// What a caller prepares from this snapshot (for the web layer: the
    /// framework's markdown rendered), made by the first caller and kept
    /// as long as the snapshot. One type per process uses this; asking for
    /// another makes it anew each time.
    pub fn prepared<T: Any + Send + Sync>(&self, make: impl FnOnce(&Framework) -> T) -> Arc<T> {
        if let Some(stored) = self.prepared.get() {
            return match stored.clone().downcast::<T>() {
                Ok(t) => t,
                Err(_) => Arc::new(make(&self.framework)),
            };
        }
        // Two first requests may both make it; one is kept.
        let made = Arc::new(make(&self.framework));
        let _ = self.prepared.set(made.clone());
        made
    }
}

/// An estimate of the heap a snapshot holds: its text (twice, for what the
/// web layer renders from it) and a fixed cost per item.
fn estimate(fw: &Framework) -> usize {
    let mut text = 0;
    let mut items = 0;
    for a in &fw.abilities {
        items += 1;
        text += a.name.as_str().len() + a.description.as_str().len();
        for m in &a.milestones {
            items += 1 + m.examples.len();
            text += m.summary.as_str().len() + m.examples.iter().map(String::len).sum::<usize>();
        }
    }
    for r in &fw.roles {
        items += 1 + r.requires.len();
        text += r.name.as_str().len() + r.description.as_str().len();
    }
    for p in &fw.positions {
        items += 1 + p.requires.len();
        text += p.title.as_str().len() + p.description.as_str().len();
    }
    3 * text + 96 * items + 1024
}

/// The organization's active framework as of `org.framework_version` or
/// newer: from memory when current, else read (and kept).
pub async fn load(store: &Store, org: &OrgRecord) -> Result<Arc<Snapshot>, StoreError> {
    if let Some(hit) = store.snapshots.get(&org.id, org.framework_version) {
        return Ok(hit);
    }
    let mut conn = store.read().await?;
    // Read, then check the version did not move while reading: every
    // framework write adds one, so an unchanged version means the reads saw
    // one state. Writes are rare; a few tries always suffice in practice.
    let mut tries = 0;
    loop {
        tries += 1;
        let before = version(&mut conn, &org.id).await?;
        let snapshot = read(&mut conn, &org.id, before).await?;
        if version(&mut conn, &org.id).await? == before {
            let snapshot = Arc::new(snapshot);
            store.snapshots.put(&org.id, snapshot.clone());
            return Ok(snapshot);
        }
        if tries == 5 {
            return Err(StoreError::Conflict(
                "framework changed while reading".into(),
            ));
        }
    }
}

/// The framework as it is now, for callers without the organization's
/// row at hand (the command line, tests): reads the row, then [`load`].
pub async fn current(store: &Store, org: &OrgId) -> Result<Arc<Snapshot>, StoreError> {
    let record = crate::orgs::by_id(store, org)
        .await?
        .ok_or(StoreError::NotFound)?;
    load(store, &record).await
}

async fn version(conn: &mut AnyConnection, org: &OrgId) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT framework_version FROM organizations WHERE id = $1")
        .bind(org.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn read(conn: &mut AnyConnection, org: &OrgId, version: i64) -> Result<Snapshot, StoreError> {
    let organization = load_organization(conn, org).await?;
    let items = load_items(conn, org).await?;
    let mut ids = HashMap::new();
    for s in items.abilities.iter().filter(|s| !s.archived) {
        ids.insert((ItemKind::Ability, s.item.slug.clone()), s.id.clone());
    }
    for s in items.roles.iter().filter(|s| !s.archived) {
        ids.insert((ItemKind::Role, s.item.slug.clone()), s.id.clone());
    }
    for s in items.positions.iter().filter(|s| !s.archived) {
        ids.insert((ItemKind::Position, s.item.slug.clone()), s.id.clone());
    }
    #[derive(sqlx::FromRow)]
    struct UpdatedRow {
        slug: String,
        updated_at: i64,
    }
    let updated: Vec<UpdatedRow> = sqlx::query_as(
        "SELECT slug, updated_at FROM abilities WHERE org_id = $1 AND archived_at IS NULL",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let ability_updated_at = updated
        .into_iter()
        .map(|r| Ok((Slug::parse(&r.slug)?, r.updated_at)))
        .collect::<Result<_, StoreError>>()?;
    let framework = Framework {
        organization,
        abilities: active(items.abilities),
        roles: active(items.roles),
        positions: active(items.positions),
    };
    Ok(Snapshot {
        version,
        bytes: estimate(&framework),
        framework,
        ids,
        ability_updated_at,
        prepared: OnceLock::new(),
    })
}

/// Adds one to the organization's framework version, inside the writing
/// transaction: every write of abilities, roles, positions, requirements,
/// the organization's name or its miles scale calls this.
pub(crate) async fn bump_version(conn: &mut AnyConnection, org: &OrgId) -> Result<(), StoreError> {
    sqlx::query("UPDATE organizations SET framework_version = framework_version + 1 WHERE id = $1")
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The snapshots a server holds, least recently used dropped first once
/// their estimated size passes the budget.
pub(crate) struct Snapshots {
    budget: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<OrgId, Entry>,
    tick: u64,
    bytes: usize,
}

struct Entry {
    snapshot: Arc<Snapshot>,
    used: u64,
}

impl fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshots")
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// The default budget: 64 MiB of estimated snapshot size.
pub const DEFAULT_BUDGET: usize = 64 << 20;

impl Snapshots {
    pub(crate) fn new(budget: usize) -> Self {
        Snapshots {
            budget,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock leaves only a cache behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A snapshot at `version` or newer.
    fn get(&self, org: &OrgId, version: i64) -> Option<Arc<Snapshot>> {
        let mut state = self.lock();
        state.tick += 1;
        let tick = state.tick;
        let entry = state.entries.get_mut(org)?;
        if entry.snapshot.version < version {
            return None;
        }
        entry.used = tick;
        Some(entry.snapshot.clone())
    }

    fn put(&self, org: &OrgId, snapshot: Arc<Snapshot>) {
        let mut state = self.lock();
        state.tick += 1;
        let tick = state.tick;
        if let Some(old) = state.entries.get(org) {
            if old.snapshot.version >= snapshot.version {
                return;
            }
            let old_bytes = old.snapshot.bytes;
            state.bytes -= old_bytes;
        }
        state.bytes += snapshot.bytes;
        state.entries.insert(
            org.clone(),
            Entry {
                snapshot,
                used: tick,
            },
        );
        while state.bytes > self.budget && state.entries.len() > 1 {
            let Some(oldest) = state
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            if let Some(gone) = state.entries.remove(&oldest) {
                state.bytes -= gone.snapshot.bytes;
            }
        }
    }

    /// How many organizations are held, and their estimated bytes.
    pub(crate) fn held(&self) -> (usize, usize) {
        let state = self.lock();
        (state.entries.len(), state.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(org: &str, version: i64, bytes: usize) -> Arc<Snapshot> {
        let framework = Framework {
            organization: cairn_domain::Organization {
                slug: cairn_domain::OrgSlug::parse(org).expect("slug"),
                name: cairn_domain::Name::parse(org, "name").expect("name"),
                miles: cairn_domain::MilesScale::default(),
                licence: Default::default(),
                attribution: String::new(),
            },
            abilities: vec![],
            roles: vec![],
            positions: vec![],
        };
        Arc::new(Snapshot {
            version,
            framework,
            ids: HashMap::new(),
            ability_updated_at: HashMap::new(),
            prepared: OnceLock::new(),
            bytes,
        })
    }

    /// A framework of `n` abilities written as organizations write them:
    /// a paragraph per ability, a sentence or two per milestone, two
    /// examples each; 10 roles and 10 positions requiring some of them.
    fn sized_framework(org: usize, n: usize) -> Framework {
        use cairn_domain::{Level, Markdown, Milestone, Name, Position, Requirement, Role, Slug};
        let words = |k: usize, seed: usize| {
            (0..k)
                .map(|i| ["team", "clear", "ships", "review", "incident", "mentor"][(i + seed) % 6])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let slug = |s: String| Slug::parse(&s).expect("slug");
        let name = |s: String| Name::parse(&s, "name").expect("name");
        let abilities = (0..n)
            .map(|i| cairn_domain::Ability {
                slug: slug(format!("ability-{i}")),
                name: name(format!("Ability {i} of {org}")),
                category: Some(name("Craft".into())),
                description: Markdown::new(words(60, i)),
                milestones: std::array::from_fn(|m| Milestone {
                    summary: Markdown::new(words(25, i + m)),
                    examples: vec![words(12, m), words(12, m + 1)],
                }),
            })
            .collect();
        let requires = |k: usize| {
            (0..5)
                .map(|j| Requirement {
                    ability: slug(format!("ability-{}", (k * 5 + j) % n)),
                    level: Level::parse(1 + (j as i64 % 5)).expect("level"),
                })
                .collect::<Vec<_>>()
        };
        Framework {
            organization: cairn_domain::Organization {
                slug: cairn_domain::OrgSlug::parse(&format!("org-{org}")).expect("slug"),
                name: name(format!("Org {org}")),
                miles: cairn_domain::MilesScale::default(),
                licence: Default::default(),
                attribution: String::new(),
            },
            abilities,
            roles: (0..10)
                .map(|k| Role {
                    slug: slug(format!("role-{k}")),
                    name: name(format!("Role {k}")),
                    plural: name(format!("Role {k}s")),
                    description: Markdown::new(words(30, k)),
                    requires: requires(k),
                })
                .collect(),
            positions: (0..10)
                .map(|k| Position {
                    slug: slug(format!("position-{k}")),
                    title: name(format!("Position {k}")),
                    plural: name(format!("Position {k}s")),
                    level: name(format!("{k}")),
                    description: Markdown::new(words(30, k)),
                    required_roles: vec![],
                    suggested_roles: vec![],
                    requires: requires(k),
                    miles: cairn_domain::MilesRule::Required,
                })
                .collect(),
        }
    }

    /// The anonymous memory of this process, from the kernel.
    fn rss_anon_bytes() -> usize {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("RssAnon:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
            .map_or(0, |kib| kib * 1024)
    }

    #[test]
    fn the_estimate_covers_what_a_thousand_frameworks_really_hold() {
        // 1,000 organizations of 50 abilities, each framework built and
        // held as a snapshot: the estimate (which also covers the markdown
        // the web layer renders and attaches) is never below what the
        // kernel says the process grew by, and the total is what
        // bench/README.md quotes.
        let before = rss_anon_bytes();
        let cache = Snapshots::new(usize::MAX);
        let mut estimated = 0;
        for org in 0..1_000 {
            let framework = sized_framework(org, 50);
            let bytes = estimate(&framework);
            estimated += bytes;
            let id = OrgId(format!("org-{org}"));
            cache.put(
                &id,
                Arc::new(Snapshot {
                    version: 1,
                    framework,
                    ids: HashMap::new(),
                    ability_updated_at: HashMap::new(),
                    prepared: OnceLock::new(),
                    bytes,
                }),
            );
        }
        let grown = rss_anon_bytes().saturating_sub(before);
        assert_eq!(cache.held(), (1_000, estimated));
        assert!(grown > 0, "RssAnon is readable on this system");
        assert!(
            grown <= estimated,
            "held {grown} bytes, estimated {estimated}: the estimate undercounts"
        );
        let mib = estimated / (1024 * 1024);
        println!(
            "1,000 x 50 abilities: estimated {mib} MiB, grown {} MiB",
            grown / (1024 * 1024)
        );
        // The default budget then holds this many such organizations.
        assert!(DEFAULT_BUDGET / (estimated / 1_000) >= 100);
    }

    #[test]
    fn the_least_recently_used_go_first_and_old_versions_never_return() {
        let cache = Snapshots::new(300);
        let (a, b, c) = (OrgId("a".into()), OrgId("b".into()), OrgId("c".into()));
        cache.put(&a, snapshot("acme", 1, 100));
        cache.put(&b, snapshot("bolt", 1, 100));
        assert!(cache.get(&a, 1).is_some(), "a used after b");
        cache.put(&c, snapshot("cove", 1, 150));
        // 350 > 300: b, used least recently, is dropped.
        assert_eq!(cache.held(), (2, 250));
        assert!(cache.get(&b, 1).is_none());
        assert!(cache.get(&a, 1).is_some());
        // A request that read version 2 never gets version 1.
        assert!(cache.get(&a, 2).is_none());
        cache.put(&a, snapshot("acme", 2, 100));
        assert_eq!(cache.get(&a, 2).map(|s| s.version), Some(2));
        // An older snapshot arriving late does not replace a newer one.
        cache.put(&a, snapshot("acme", 1, 100));
        assert_eq!(cache.get(&a, 1).map(|s| s.version), Some(2));
        assert_eq!(cache.held(), (2, 250));
    }
}

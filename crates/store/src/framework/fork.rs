//! Forks: an organization's framework copied from a published one (here
//! or on another cairn instance), with its lineage, the attribution its
//! licence requires, and the upstream's later changes pulled item by item
//! (`cairn_domain::fork`).
//!
//! A fork lands as a draft of an empty organization, which switches to
//! "draft and publish": its editors read it through before anyone else
//! sees it. The fork keeps its base (the upstream as last taken), so what
//! the upstream changed since is always a diff against what this fork
//! took, never against what its editors have since made of it.

use cairn_domain::file::{self, Format};
use cairn_domain::fork::{self as rules, Ancestor, Subject};
use cairn_domain::licence::{self, Licence};
use cairn_domain::publishing::Publishing;
use cairn_domain::{Framework, Organization};
use sqlx::AnyConnection;

use super::*;
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError};

/// Where a fork comes from.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    /// The upstream's public page.
    pub url: String,
    /// When the upstream is an organization of this instance.
    pub org_id: Option<OrgId>,
    /// Its latest published version (0: it has numbered none).
    pub version: i64,
    pub licence: Licence,
    /// The upstream's own lineage, oldest first.
    pub lineage: Vec<Ancestor>,
    /// Its framework as its readers see it.
    pub framework: Framework,
}

/// An organization's fork record.
#[derive(Debug, Clone)]
pub struct Fork {
    pub upstream_name: String,
    pub upstream_url: String,
    pub upstream_org_id: Option<OrgId>,
    /// The upstream version last taken whole.
    pub upstream_version: i64,
    /// The upstream's licence when forked.
    pub licence: Licence,
    /// Oldest first; the upstream last.
    pub lineage: Vec<Ancestor>,
    /// The upstream as last taken.
    pub base: Framework,
    pub forked_at: Millis,
}

/// Why nothing was forked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForkRefused {
    /// The licence does not allow it (the sentence to show).
    Licence(String),
    /// The organization already has a framework (or a draft).
    NotEmpty,
    /// An organization cannot fork itself.
    Itself,
}

/// Why nothing was pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullRefused {
    /// The organization is not a fork.
    NotAFork,
    /// The upstream no longer offers it under a licence that allows it.
    Licence(String),
    /// Nothing about that is pending (pulled already, or unchanged).
    NothingToPull,
    /// What pulling it would leave broken (pull what it needs first).
    Problems(Vec<String>),
}

/// A lineage as JSON (oldest first: name, url, version): how it is
/// stored, and what the API's `forked_from` says.
pub fn lineage_to_json(lineage: &[Ancestor]) -> serde_json::Value {
    lineage
        .iter()
        .map(|a| serde_json::json!({ "name": a.name, "url": a.url, "version": a.version }))
        .collect()
}

/// [`lineage_to_json`] read back; `None` when an entry lacks a field.
pub fn lineage_from_json(value: &serde_json::Value) -> Option<Vec<Ancestor>> {
    value
        .as_array()?
        .iter()
        .map(|a| {
            Some(Ancestor {
                name: a.get("name")?.as_str()?.to_owned(),
                url: a.get("url")?.as_str()?.to_owned(),
                version: a.get("version")?.as_i64()?,
            })
        })
        .collect()
}

fn lineage_json(lineage: &[Ancestor]) -> Result<String, StoreError> {
    Ok(serde_json::to_string(&lineage_to_json(lineage))?)
}

fn parse_lineage(text: &str) -> Result<Vec<Ancestor>, StoreError> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    lineage_from_json(&value)
        .ok_or_else(|| StoreError::Corrupt(format!("a fork's lineage: {text}")))
}

fn parse_base(text: &str) -> Result<Framework, StoreError> {
    file::parse(text)
        .map_err(|p| StoreError::Corrupt(format!("a fork's base does not parse: {p:?}")))
}

fn write_file(fw: &Framework) -> Result<String, StoreError> {
    file::write(fw, Format::Json).map_err(|e| StoreError::Other(e.to_string()))
}

type ForkRow = (
    String,
    String,
    Option<String>,
    i64,
    String,
    String,
    String,
    i64,
);

async fn row(conn: &mut AnyConnection, org: &OrgId) -> Result<Option<Fork>, StoreError> {
    let found: Option<ForkRow> = sqlx::query_as(
        "SELECT upstream_name, upstream_url, upstream_org_id, upstream_version, licence,
                lineage, base, forked_at
           FROM framework_forks WHERE org_id = $1",
    )
    .bind(org.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name, url, upstream_org, version, lic, lineage, base, at)) = found else {
        return Ok(None);
    };
    Ok(Some(Fork {
        upstream_name: name,
        upstream_url: url,
        upstream_org_id: upstream_org.map(OrgId),
        upstream_version: version,
        licence: Licence::parse(&lic)
            .ok_or_else(|| StoreError::Corrupt(format!("fork licence {lic:?}")))?,
        lineage: parse_lineage(&lineage)?,
        base: parse_base(&base)?,
        forked_at: at,
    }))
}

/// The organization's fork record, when it is a fork.
pub async fn get(store: &Store, org: &OrgId) -> Result<Option<Fork>, StoreError> {
    let mut conn = store.read().await?;
    row(&mut conn, org).await
}

/// Copies `source` into `into` as its draft, in one transaction: the
/// organization must be empty (no active items, no draft); it switches to
/// "draft and publish", takes the licence the upstream's allows and the
/// attribution it requires, and records the lineage. Refused, changing
/// nothing, when the licence forbids it.
pub async fn fork(
    store: &Store,
    into: &OrgId,
    source: &Source,
    by: Option<&PersonId>,
    now: Millis,
) -> Result<Result<(), ForkRefused>, StoreError> {
    if source.org_id.as_ref() == Some(into) {
        return Ok(Err(ForkRefused::Itself));
    }
    if let Some(why) = licence::fork_refusal(&source.name, source.licence) {
        return Ok(Err(ForkRefused::Licence(why)));
    }
    let mut tx = store.begin_write().await?;
    let conn = tx.conn()?;
    crate::orgs::lock(store, conn, into).await?;
    let (live, _) = live_in(conn, into).await?;
    let has_draft = draft::current_in(conn, into, &live.organization)
        .await?
        .is_some();
    if has_draft
        || !(live.abilities.is_empty() && live.roles.is_empty() && live.positions.is_empty())
    {
        tx.rollback().await?;
        return Ok(Err(ForkRefused::NotEmpty));
    }
    let own = source.licence.for_fork();
    let attribution =
        licence::attribution(source.licence, &source.name, &source.url).unwrap_or_default();
    sqlx::query(
        "UPDATE organizations SET publishing = $1, licence = $2, attribution = $3, updated_at = $4
          WHERE id = $5",
    )
    .bind(Publishing::Drafts.as_str())
    .bind(own.as_str())
    .bind(&attribution)
    .bind(now)
    .bind(into.as_str())
    .execute(&mut *conn)
    .await?;
    let copy = Framework {
        organization: Organization {
            miles: source.framework.organization.miles,
            licence: own,
            attribution: attribution.clone(),
            ..live.organization.clone()
        },
        ..source.framework.clone()
    };
    draft::store_draft(conn, into, None, &copy, by, now).await?;
    let lineage = rules::lineage(
        &source.lineage,
        Ancestor {
            name: source.name.clone(),
            url: source.url.clone(),
            version: source.version,
        },
    );
    sqlx::query("DELETE FROM framework_forks WHERE org_id = $1")
        .bind(into.as_str())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO framework_forks (org_id, upstream_name, upstream_url, upstream_org_id,
            upstream_version, licence, lineage, base, forked_at, forked_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(into.as_str())
    .bind(&source.name)
    .bind(&source.url)
    .bind(source.org_id.as_ref().map(OrgId::as_str))
    .bind(source.version)
    .bind(source.licence.as_str())
    .bind(lineage_json(&lineage)?)
    .bind(write_file(&source.framework)?)
    .bind(now)
    .bind(by.map(PersonId::as_str))
    .execute(&mut *conn)
    .await?;
    // The licence is in the framework snapshot.
    bump_version(conn, into).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Takes the upstream's change to `subject` (as `upstream`, its version
/// `version`, has it now) into the organization's draft, or live in
/// "publish every save" mode; its base moves with it, and once nothing is
/// pending the fork counts as taken from `version`. Checked in the write
/// transaction against the base and framework as they are.
#[allow(clippy::too_many_arguments)]
pub async fn pull(
    store: &Store,
    org: &OrgId,
    subject: &Subject,
    upstream: &Framework,
    upstream_licence: Licence,
    version: i64,
    actor: Option<&PersonId>,
    now: Millis,
) -> Result<Result<Saved, PullRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let conn = tx.conn()?;
    crate::orgs::lock(store, conn, org).await?;
    let Some(fork) = row(conn, org).await? else {
        tx.rollback().await?;
        return Ok(Err(PullRefused::NotAFork));
    };
    if let Some(why) = licence::fork_refusal(&fork.upstream_name, upstream_licence) {
        tx.rollback().await?;
        return Ok(Err(PullRefused::Licence(why)));
    }
    if !rules::pending(&fork.base, upstream)
        .iter()
        .any(|p| &p.subject == subject)
    {
        tx.rollback().await?;
        return Ok(Err(PullRefused::NothingToPull));
    }
    let mode = draft::publishing(conn, org).await?;
    let (live, existing) = live_in(conn, org).await?;
    let drafted = match mode {
        Publishing::Drafts => draft::current_in(conn, org, &live.organization).await?,
        Publishing::EverySave => None,
    };
    let (current, revision) = match drafted {
        Some((fw, revision)) => (fw, Some(revision)),
        None => (live, None),
    };
    let desired = rules::take(&current, upstream, subject);
    let problems = desired.reference_problems();
    if !problems.is_empty() {
        tx.rollback().await?;
        return Ok(Err(PullRefused::Problems(problems)));
    }
    let saved = match mode {
        Publishing::Drafts => {
            draft::store_draft(conn, org, revision, &desired, actor, now).await?;
            Saved::Draft
        }
        Publishing::EverySave => {
            let mut summary = ImportSummary::default();
            upsert_organization(conn, &desired.organization, now, &mut summary).await?;
            let w = Writer { org, actor, now };
            write_framework(conn, &w, &desired, existing, &mut summary).await?;
            Saved::Live
        }
    };
    let base = rules::take(&fork.base, upstream, subject);
    let taken = if rules::pending(&base, upstream).is_empty() {
        version
    } else {
        fork.upstream_version
    };
    sqlx::query("UPDATE framework_forks SET base = $1, upstream_version = $2 WHERE org_id = $3")
        .bind(write_file(&base)?)
        .bind(taken)
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    tx.commit().await?;
    Ok(Ok(saved))
}

/// An organization of this instance as a fork's source: its framework as
/// its readers see it, its latest version and its own lineage. `url` is
/// its public page.
pub async fn local_source(
    store: &Store,
    upstream: &crate::orgs::OrgRecord,
    url: String,
) -> Result<Source, StoreError> {
    let fw = super::load(store, upstream).await?;
    let version = crate::versions::latest(store, &upstream.id)
        .await?
        .unwrap_or(0);
    let lineage = get(store, &upstream.id)
        .await?
        .map(|f| f.lineage)
        .unwrap_or_default();
    Ok(Source {
        name: upstream.org.name.to_string(),
        url,
        org_id: Some(upstream.id.clone()),
        version,
        licence: upstream.org.licence,
        lineage,
        framework: fw.framework().clone(),
    })
}

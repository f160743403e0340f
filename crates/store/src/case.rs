//! A framework as a CASE 1.1 CFPackage (`cairn_domain::case`), from what is
//! published: the package the API serves and `cairn export --format case`
//! writes are made here, once.

use cairn_domain::case::{self, Context};
use cairn_domain::file;
use serde_json::Value;

use crate::orgs::OrgRecord;
use crate::{Store, StoreError, framework, versions};

/// The package of a published version: `pinned` names one (its own
/// document); None is the latest, or the framework as it is when none was
/// ever published. `None` when the pinned version does not exist.
pub async fn package(
    store: &Store,
    org: &OrgRecord,
    pinned: Option<i64>,
    base: &str,
) -> Result<Option<Value>, StoreError> {
    match versions::get(store, &org.id, pinned).await? {
        Some((v, text)) => {
            let fw = file::parse(&text).map_err(|p| {
                StoreError::Corrupt(format!("a stored version does not parse: {p:?}"))
            })?;
            let ctx = Context {
                base,
                org_id: org.id.as_str(),
                version: Some(v.number),
                pinned: pinned.is_some(),
                changed_at: v.published_at,
            };
            Ok(Some(case::package(&fw, &ctx)))
        }
        None if pinned.is_none() => {
            let fw = framework::load(store, org).await?;
            let ctx = Context {
                base,
                org_id: org.id.as_str(),
                version: None,
                pinned: false,
                changed_at: org.updated_at,
            };
            Ok(Some(case::package(fw.framework(), &ctx)))
        }
        None => Ok(None),
    }
}

/// A published framework as the CASE document list names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub org_id: crate::orgs::OrgId,
    pub slug: cairn_domain::OrgSlug,
    pub name: cairn_domain::Name,
    /// Its latest published version, and when; else when it last changed.
    pub version: Option<i64>,
    pub changed_at: crate::Millis,
}

/// Up to `limit` published frameworks from `offset`, by name, each with
/// its latest version (one statement).
pub async fn documents(
    store: &Store,
    limit: i64,
    offset: i64,
) -> Result<Vec<Document>, StoreError> {
    let rows: Vec<(String, String, String, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT o.id, o.slug, o.name, o.updated_at, v.number, v.published_at
           FROM organizations o
           LEFT JOIN framework_versions v ON v.org_id = o.id
                AND v.number = (SELECT MAX(x.number) FROM framework_versions x WHERE x.org_id = o.id)
          WHERE o.published = 1
          ORDER BY o.name, o.slug LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|(id, slug, name, updated, number, published)| {
            Ok(Document {
                org_id: crate::orgs::OrgId(id),
                slug: cairn_domain::OrgSlug::parse(&slug)?,
                name: cairn_domain::Name::parse(&name, "organization name")?,
                version: number,
                changed_at: published.unwrap_or(updated),
            })
        })
        .collect()
}

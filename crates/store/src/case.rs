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

//! Path segments parsed into domain types. A segment that cannot be a slug
//! names nothing that exists: it is a 404, like any unknown item.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use cairn_domain::{OrgSlug, Slug};

use crate::error::PageError;

/// `/{org}`.
pub struct OrgPath(pub OrgSlug);

/// `/{org}/<area>/{item}`.
pub struct ItemPath(pub OrgSlug, pub Slug);

impl<S: Send + Sync> FromRequestParts<S> for OrgPath {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        let Path(org): Path<String> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::NotFound)?;
        Ok(OrgPath(
            OrgSlug::parse(&org).map_err(|_| PageError::NotFound)?,
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ItemPath {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        let Path((org, item)): Path<(String, String)> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::NotFound)?;
        Ok(ItemPath(
            OrgSlug::parse(&org).map_err(|_| PageError::NotFound)?,
            Slug::parse(&item).map_err(|_| PageError::NotFound)?,
        ))
    }
}

//! Path segments parsed into domain types. A segment that cannot be a slug
//! names nothing that exists: it is a 404, like any unknown item.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use cairn_domain::{ItemKind, OrgSlug, Slug};

use crate::error::PageError;

/// `/{org}`.
pub struct OrgPath(pub OrgSlug);

/// `/{org}/<area>/{item}`.
pub struct ItemPath(pub OrgSlug, pub Slug);

/// `/{org}/{area}/{slug}/…`: one route serving abilities, roles and
/// positions alike (history, archive, restore). An area that is not one
/// of the three is a 404.
pub struct KindPath {
    pub org: OrgSlug,
    pub kind: ItemKind,
    pub slug: Slug,
}

impl KindPath {
    /// Parses the three segments; None when any names nothing.
    pub fn parse(org: &str, area: &str, slug: &str) -> Option<Self> {
        Some(KindPath {
            org: OrgSlug::parse(org).ok()?,
            kind: ItemKind::from_area(area)?,
            slug: Slug::parse(slug).ok()?,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for KindPath {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        let Path((org, area, slug)): Path<(String, String, String)> =
            Path::from_request_parts(parts, state)
                .await
                .map_err(|_| PageError::NotFound)?;
        KindPath::parse(&org, &area, &slug).ok_or(PageError::NotFound)
    }
}

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

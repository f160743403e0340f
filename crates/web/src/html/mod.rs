//! Server-rendered pages, one module per area.

use axum::Router;
use axum::routing::get;

use crate::App;
use crate::error::PageError;

mod abilities;
mod home;
mod orgs;
mod positions;
mod roles;
mod status;

pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/", get(home::index))
        .route("/healthz", get(status::healthz))
        .route("/{org}", get(orgs::show))
        .route("/{org}/abilities/{ability}", get(abilities::show))
        .route("/{org}/roles/{role}", get(roles::show))
        .route("/{org}/positions/{position}", get(positions::show))
}

pub(crate) async fn not_found() -> PageError {
    PageError::NotFound
}

/// A link with its text, ready for a template.
pub(crate) struct Link {
    pub href: String,
    pub text: String,
}

pub(crate) fn ability_href(org: &cairn_domain::OrgSlug, ability: &cairn_domain::Slug) -> String {
    format!("/{org}/abilities/{ability}")
}

pub(crate) fn role_href(org: &cairn_domain::OrgSlug, role: &cairn_domain::Slug) -> String {
    format!("/{org}/roles/{role}")
}

pub(crate) fn position_href(org: &cairn_domain::OrgSlug, position: &cairn_domain::Slug) -> String {
    format!("/{org}/positions/{position}")
}

/// Loads an organization the actor may read, or answers 404.
pub(crate) async fn readable_org(
    app: &App,
    actor: &cairn_domain::policy::Actor,
    slug: &cairn_domain::OrgSlug,
) -> Result<cairn_store::orgs::OrgRecord, PageError> {
    let org = cairn_store::orgs::by_slug(&app.store, slug)
        .await?
        .ok_or(PageError::NotFound)?;
    cairn_domain::policy::require(
        actor,
        cairn_domain::policy::Action::ReadFramework,
        org.access(),
    )?;
    Ok(org)
}

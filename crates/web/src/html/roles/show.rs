//! `/{org}/roles/{role}`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::requirement::requirements_miles;
use cairn_domain::wording::miles;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::ItemPath;
use crate::html::Link;
use crate::html::conversations::{Drafts, Talk, talk};
use crate::markdown;

#[derive(Template, WebTemplate)]
#[template(path = "roles/show.html")]
pub(crate) struct RolePage {
    chrome: crate::html::Chrome,
    talk: Talk,
    name: String,
    description: String,
    requirements: Vec<Link>,
    miles: String,
    positions: Vec<Link>,
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org_slug, slug): ItemPath,
) -> Result<RolePage, PageError> {
    page(&app, &visitor, &org_slug, &slug, Drafts::default()).await
}

pub(crate) async fn page(
    app: &App,
    visitor: &Visitor,
    org_slug: &cairn_domain::OrgSlug,
    slug: &cairn_domain::Slug,
    drafts: Drafts,
) -> Result<RolePage, PageError> {
    let ctx = crate::html::OrgContext::load(
        app,
        visitor,
        org_slug,
        cairn_domain::policy::Action::ReadFramework,
    )
    .await?;
    let org = &ctx.org;
    let fw = cairn_store::framework::load(&app.store, org).await?;
    let role = fw.role(slug).ok_or(PageError::NotFound)?;
    let requirements = role
        .requires
        .iter()
        .filter_map(|r| fw.ability(&r.ability).map(|a| (r, a)))
        .map(|(r, a)| Link {
            href: crate::html::ability_href(&org.org.slug, &a.slug),
            text: format!("{}: milestone {}+", a.name, r.level),
        })
        .collect();
    let positions = fw
        .positions
        .iter()
        .filter_map(|p| {
            let kind = if p.required_roles.contains(slug) {
                "required"
            } else if p.suggested_roles.contains(slug) {
                "suggested"
            } else {
                return None;
            };
            Some(Link {
                href: crate::html::position_href(&org.org.slug, &p.slug),
                text: format!("{} (level {}, {kind})", p.title, p.level),
            })
        })
        .collect();
    Ok(RolePage {
        chrome: ctx.chrome(visitor),
        talk: talk(
            app,
            visitor,
            &ctx,
            cairn_domain::ItemKind::Role,
            slug,
            role.name.as_str(),
            drafts,
        )
        .await?,
        name: role.name.to_string(),
        description: markdown::render(role.description.as_str()),
        requirements,
        miles: miles(requirements_miles(&role.requires, &fw.organization.miles)),
        positions,
    })
}

//! `/{org}/abilities/{ability}`: the ability page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::Level;
use cairn_domain::wording::{adds_miles, must_be};
use cairn_store::framework::{self, RequirerKind};

use super::Link;
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::ItemPath;
use crate::markdown;

pub(crate) struct MilestoneView {
    level: u8,
    adds: String,
    miles: u32,
    summary: String,
    examples: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "abilities/show.html")]
pub(crate) struct AbilityPage {
    chrome: super::Chrome,
    name: String,
    category: Option<String>,
    description: String,
    milestones: Vec<MilestoneView>,
    max_miles: u32,
    requirements: Vec<Link>,
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org_slug, slug): ItemPath,
) -> Result<AbilityPage, PageError> {
    let ctx = super::OrgContext::load(
        &app,
        &visitor,
        &org_slug,
        cairn_domain::policy::Action::ReadFramework,
    )
    .await?;
    let org = &ctx.org;
    let ability = framework::ability(&app.store, &org.id, &slug)
        .await?
        .ok_or(PageError::NotFound)?;
    let required_by = framework::required_by(&app.store, &org.id, &slug).await?;

    let scale = org.org.miles;
    let milestones = Level::ALL
        .iter()
        .map(|&level| {
            let m = ability.milestone(level);
            MilestoneView {
                level: level.get(),
                adds: adds_miles(scale.miles(level)),
                miles: scale.miles(level),
                summary: markdown::render(m.summary.as_str()),
                examples: m
                    .examples
                    .iter()
                    .map(|e| markdown::render_inline(e))
                    .collect(),
            }
        })
        .collect();
    let requirements = required_by
        .iter()
        .map(|r| Link {
            href: match r.kind {
                RequirerKind::Role => super::role_href(&org.org.slug, &r.slug),
                RequirerKind::Position => super::position_href(&org.org.slug, &r.slug),
            },
            text: must_be(&r.label, r.level),
        })
        .collect();
    Ok(AbilityPage {
        chrome: ctx.chrome(&visitor),
        name: ability.name.to_string(),
        category: ability.category.as_ref().map(ToString::to_string),
        description: markdown::render(ability.description.as_str()),
        milestones,
        max_miles: scale.values()[4],
        requirements,
    })
}

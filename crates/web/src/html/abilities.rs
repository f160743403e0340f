//! `/{org}/abilities/{ability}`: the ability page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::Level;
use cairn_domain::wording::{adds_miles, must_be};
use cairn_store::framework::{self, RequirerKind};

use super::Link;
use crate::App;
use crate::auth::CurrentActor;
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
    org_slug: String,
    org_name: String,
    name: String,
    category: Option<String>,
    description: String,
    milestones: Vec<MilestoneView>,
    max_miles: u32,
    requirements: Vec<Link>,
}

pub(crate) async fn show(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    ItemPath(org_slug, slug): ItemPath,
) -> Result<AbilityPage, PageError> {
    let org = super::readable_org(&app, &actor, &org_slug).await?;
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
        org_slug: org.org.slug.to_string(),
        org_name: org.org.name.to_string(),
        name: ability.name.to_string(),
        category: ability.category.as_ref().map(ToString::to_string),
        description: markdown::render(ability.description.as_str()),
        milestones,
        max_miles: scale.values()[4],
        requirements,
    })
}

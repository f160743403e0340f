//! `/{org}/positions/{position}`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::MilesRule;
use cairn_domain::requirement::{position_requirements, required_miles, requirements_miles};
use cairn_domain::wording::miles;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::ItemPath;
use crate::html::Link;
use crate::html::conversations::{Drafts, Talk, talk};
use crate::markdown;

pub(crate) struct RequirementRow {
    href: String,
    ability: String,
    level: u8,
    miles: u32,
    sources: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "positions/show.html")]
pub(crate) struct PositionPage {
    chrome: crate::html::Chrome,
    talk: Talk,
    /// "Compare with the next level".
    compare: String,
    candidates: Option<String>,
    title: String,
    level: String,
    description: String,
    required_roles: Vec<Link>,
    suggested_roles: Vec<Link>,
    requirements: Vec<RequirementRow>,
    required_miles: String,
    miles_rule: String,
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org_slug, slug): ItemPath,
) -> Result<PositionPage, PageError> {
    page(&app, &visitor, &org_slug, &slug, Drafts::default()).await
}

pub(crate) async fn page(
    app: &App,
    visitor: &Visitor,
    org_slug: &cairn_domain::OrgSlug,
    slug: &cairn_domain::Slug,
    drafts: Drafts,
) -> Result<PositionPage, PageError> {
    let ctx = crate::html::OrgContext::load(
        app,
        visitor,
        org_slug,
        cairn_domain::policy::Action::ReadFramework,
    )
    .await?;
    let org = &ctx.org;
    let fw = cairn_store::framework::load(&app.store, org).await?;
    let position = fw.position(slug).ok_or(PageError::NotFound)?;
    let scale = &fw.organization.miles;
    let role_links = |slugs: &[cairn_domain::Slug]| -> Vec<Link> {
        slugs
            .iter()
            .filter_map(|s| fw.role(s))
            .map(|r| Link {
                href: crate::html::role_href(&org.org.slug, &r.slug),
                text: r.name.to_string(),
            })
            .collect()
    };
    let merged = position_requirements(position, &fw.roles);
    let requirements = merged
        .iter()
        .filter_map(|req| fw.ability(&req.ability).map(|a| (req, a)))
        .map(|(req, a)| {
            // Which of the position's own list and its required roles ask
            // for this exact level: the reason the merged level is what it is.
            let mut sources: Vec<String> = Vec::new();
            if position
                .requires
                .iter()
                .any(|r| r.ability == req.ability && r.level == req.level)
            {
                sources.push("this position".into());
            }
            for role in position.required_roles.iter().filter_map(|s| fw.role(s)) {
                if role
                    .requires
                    .iter()
                    .any(|r| r.ability == req.ability && r.level == req.level)
                {
                    sources.push(role.name.to_string());
                }
            }
            RequirementRow {
                href: crate::html::ability_href(&org.org.slug, &a.slug),
                ability: a.name.to_string(),
                level: req.level.get(),
                miles: scale.miles(req.level),
                sources: sources.join(", "),
            }
        })
        .collect();
    let miles_rule = miles_rule_text(&fw, position);
    Ok(PositionPage {
        compare: super::compare::next_level_href(&fw, &org.org.slug, &position.slug),
        chrome: ctx.chrome(visitor),
        candidates: ctx
            .can(cairn_domain::policy::Action::ManagePeople)
            .then(|| format!("/{}/positions/{}/candidates", org.org.slug, position.slug)),
        talk: talk(
            app,
            visitor,
            &ctx,
            cairn_domain::ItemKind::Position,
            slug,
            position.title.as_str(),
            drafts,
        )
        .await?,
        title: position.title.to_string(),
        level: position.level.to_string(),
        description: markdown::render(position.description.as_str()),
        required_roles: role_links(&position.required_roles),
        suggested_roles: role_links(&position.suggested_roles),
        requirements,
        required_miles: miles(required_miles(position, &fw.roles, scale)),
        miles_rule,
    })
}

/// How a position's miles rule reads, with the miles it works out to.
pub(crate) fn miles_rule_text(
    fw: &cairn_domain::Framework,
    position: &cairn_domain::Position,
) -> String {
    let scale = &fw.organization.miles;
    let base = requirements_miles(&position_requirements(position, &fw.roles), scale);
    match position.miles {
        MilesRule::Required => format!("The miles of the required milestones ({}).", miles(base)),
        MilesRule::OverRequiredPercent(pct) => {
            format!(
                "{pct}% over the {} of the required milestones, rounded up.",
                miles(base)
            )
        }
        MilesRule::AtLeast(n) => format!("A set number: at least {}.", miles(n)),
        MilesRule::Band { at_least, below } => format!(
            "A band: from {} up to {} (not included); eligibility asks for the lower end.",
            miles(at_least),
            miles(below)
        ),
    }
}

//! `/{org}`: the framework at a glance.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::requirement::required_miles;
use cairn_domain::wording::{miles, pluralize};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;

pub(crate) struct AbilityLine {
    slug: String,
    name: String,
    required_by: String,
}

pub(crate) struct Group {
    name: String,
    abilities: Vec<AbilityLine>,
}

pub(crate) struct RoleLine {
    slug: String,
    name: String,
    summary: String,
}

pub(crate) struct PositionLine {
    slug: String,
    title: String,
    level: String,
    miles: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs/show.html")]
pub(crate) struct OrgPage {
    chrome: super::Chrome,
    counts: String,
    scale: [u32; 5],
    groups: Vec<Group>,
    roles: Vec<RoleLine>,
    positions: Vec<PositionLine>,
    /// No abilities yet: the first steps, for those who can take them.
    empty: bool,
    can_edit: bool,
    can_invite: bool,
    can_observe: bool,
    /// People leads see where the organization's insights are.
    can_see_insights: bool,
    /// Published frameworks to start from (editors of an empty one).
    sources: Vec<super::Link>,
    /// Published under a licence that allows copying: "Use this framework".
    can_fork: bool,
    licence_label: &'static str,
    errors: crate::forms::FormErrors,
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
) -> Result<OrgPage, PageError> {
    let ctx = super::OrgContext::load(
        &app,
        &visitor,
        &slug,
        cairn_domain::policy::Action::ReadFramework,
    )
    .await?;
    let org = &ctx.org;
    let fw = cairn_store::framework::load(&app.store, org).await?;

    let required_by = |ability: &cairn_domain::Slug| {
        let roles = fw
            .roles
            .iter()
            .filter(|r| r.requires.iter().any(|q| &q.ability == ability))
            .count();
        let positions = fw
            .positions
            .iter()
            .filter(|p| p.requires.iter().any(|q| &q.ability == ability))
            .count();
        match (roles, positions) {
            (0, 0) => String::new(),
            (r, 0) => format!("required by {}", pluralize(r as u64, "role", "roles")),
            (0, p) => format!(
                "required by {}",
                pluralize(p as u64, "position", "positions")
            ),
            (r, p) => format!(
                "required by {} and {}",
                pluralize(r as u64, "role", "roles"),
                pluralize(p as u64, "position", "positions")
            ),
        }
    };
    let groups = fw
        .abilities_by_category()
        .into_iter()
        .map(|(category, abilities)| Group {
            name: category.map_or_else(|| "Other abilities".to_owned(), ToString::to_string),
            abilities: abilities
                .into_iter()
                .map(|a| AbilityLine {
                    slug: a.slug.to_string(),
                    name: a.name.to_string(),
                    required_by: required_by(&a.slug),
                })
                .collect(),
        })
        .collect();
    let roles = fw
        .roles
        .iter()
        .map(|r| RoleLine {
            slug: r.slug.to_string(),
            name: r.name.to_string(),
            summary: format!(
                "requires {}",
                pluralize(r.requires.len() as u64, "milestone", "milestones")
            ),
        })
        .collect();
    let positions = fw
        .positions
        .iter()
        .map(|p| PositionLine {
            slug: p.slug.to_string(),
            title: p.title.to_string(),
            level: p.level.to_string(),
            miles: miles(required_miles(p, &fw.roles, &fw.organization.miles)),
        })
        .collect();
    use cairn_domain::policy::Action;
    let empty = fw.abilities.is_empty();
    let can_edit = ctx.can(Action::EditFramework);
    let sources = if empty && can_edit {
        super::framework::published_sources(&app, &slug).await?
    } else {
        Vec::new()
    };
    Ok(OrgPage {
        chrome: ctx.chrome(&visitor),
        empty,
        can_edit,
        can_invite: ctx.can(Action::ManageMembers),
        can_observe: ctx.can(Action::ReadMemberContent),
        can_see_insights: ctx.can(Action::ManagePeople),
        sources,
        can_fork: org.published && org.org.licence.allows_fork(),
        licence_label: org.org.licence.label(),
        errors: crate::forms::FormErrors::default(),
        counts: [
            pluralize(fw.abilities.len() as u64, "ability", "abilities"),
            pluralize(fw.roles.len() as u64, "role", "roles"),
            pluralize(fw.positions.len() as u64, "position", "positions"),
        ]
        .join(", "),
        scale: fw.organization.miles.values(),
        groups,
        roles,
        positions,
    })
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get("/{org}", show)
}

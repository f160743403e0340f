//! Teams: `/{org}/teams` lists them as a tree (admins add and change them
//! there), `/{org}/teams/{team}` shows who belongs to one, what each holds
//! (as `jobs_view` allows this viewer) and, for people leads and the
//! members' managers, whether they meet what they hold.

use std::collections::HashSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use cairn_domain::jobs::{JobsView, jobs_view, standings};
use cairn_domain::policy::Action;
use cairn_domain::{Name, Slug};
use cairn_store::teams::{self, Team, TeamRefused};

use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{ItemPath, OrgPath};
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};

/// A team in the tree, indented by its depth.
pub(crate) struct TeamLine {
    slug: String,
    name: String,
    depth: usize,
    members: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "teams/list.html")]
pub(crate) struct TeamsPage {
    chrome: Chrome,
    teams: Vec<TeamLine>,
    can_manage: bool,
    /// The new-team form's values.
    name: String,
    slug: String,
    parent: String,
    errors: FormErrors,
}

/// The tree, depth first, each level by name; a team whose parent is gone
/// (or that sits in a loop, which the store prevents) shows at the top.
fn tree(teams: &[Team]) -> Vec<TeamLine> {
    fn add(
        teams: &[Team],
        parent: Option<&Slug>,
        depth: usize,
        seen: &mut HashSet<Slug>,
        out: &mut Vec<TeamLine>,
    ) {
        for t in teams.iter().filter(|t| t.parent.as_ref() == parent) {
            if !seen.insert(t.slug.clone()) {
                continue;
            }
            out.push(TeamLine {
                slug: t.slug.to_string(),
                name: t.name.to_string(),
                depth,
                members: t.members,
            });
            add(teams, Some(&t.slug), depth + 1, seen, out);
        }
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    add(teams, None, 0, &mut seen, &mut out);
    for t in teams {
        if !seen.contains(&t.slug) {
            seen.insert(t.slug.clone());
            out.push(TeamLine {
                slug: t.slug.to_string(),
                name: t.name.to_string(),
                depth: 0,
                members: t.members,
            });
        }
    }
    out
}

async fn teams_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    form: Option<&Pairs>,
    errors: FormErrors,
) -> Result<TeamsPage, PageError> {
    let list = teams::list(&app.store, &ctx.org.id).await?;
    let get = |k: &str| form.map_or_else(String::new, |f| field(f, k).to_owned());
    Ok(TeamsPage {
        chrome: ctx.chrome(visitor),
        teams: tree(&list),
        can_manage: ctx.can(Action::ManageMembers),
        name: get("name"),
        slug: get("slug"),
        parent: get("parent"),
        errors,
    })
}

pub(crate) async fn list(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<TeamsPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    teams_view(&app, &visitor, &ctx, None, FormErrors::default()).await
}

fn refusal(r: &TeamRefused) -> (&'static str, &'static str) {
    match r {
        TeamRefused::Taken => (
            "slug",
            "There is already a team at this address: choose another.",
        ),
        TeamRefused::NoParent => ("parent", "Choose a parent team from the list."),
        TeamRefused::Loop => (
            "parent",
            "A team cannot be inside itself: choose another parent.",
        ),
        TeamRefused::Unknown => ("slug", "There is no such team."),
    }
}

/// The name, slug and parent of a team form, parsed.
fn parse(
    pairs: &Pairs,
    errors: &mut FormErrors,
) -> (Option<Name>, Option<Slug>, Option<Option<Slug>>) {
    let name = errors.check("name", Name::parse(field(pairs, "name"), "the team name"));
    let slug = errors.check("slug", Slug::parse(field(pairs, "slug").trim()));
    let parent = match field(pairs, "parent").trim() {
        "" => Some(None),
        p => errors.check("parent", Slug::parse(p)).map(Some),
    };
    (name, slug, parent)
}

/// `POST /{org}/teams`: a new team (admins).
pub(crate) async fn create(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    axum::Form(pairs): axum::Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ManageMembers).await?;
    let mut errors = FormErrors::default();
    if let (Some(name), Some(slug), Some(parent)) = parse(&pairs, &mut errors) {
        match teams::save(
            &app.store,
            &ctx.org.id,
            &slug,
            &name,
            parent.as_ref(),
            true,
            app.now(),
        )
        .await?
        {
            Ok(()) => return Ok(redirect(&format!("/{org}/teams/{slug}"))),
            Err(r) => {
                let (f, m) = refusal(&r);
                errors.add(f, m);
            }
        }
    }
    Ok(invalid(
        teams_view(&app, &visitor, &ctx, Some(&pairs), errors).await?,
    ))
}

/// A member of the team as its page shows them.
pub(crate) struct MemberLine {
    id: String,
    name: String,
    since: String,
    /// What they hold, when this viewer may see it.
    holds: Option<String>,
    /// "Meets what they hold" / "2 requirements below", for people leads
    /// and the member's managers.
    status: Option<String>,
    below: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "teams/show.html")]
pub(crate) struct TeamPage {
    chrome: Chrome,
    slug: String,
    name: String,
    parent: Option<(String, String)>,
    children: Vec<(String, String)>,
    members: Vec<MemberLine>,
    can_manage: bool,
    /// The change form's values.
    form_name: String,
    form_parent: String,
    choices: Vec<(String, String)>,
    errors: FormErrors,
}

async fn team_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    slug: &Slug,
    form: Option<&Pairs>,
    errors: FormErrors,
) -> Result<TeamPage, PageError> {
    let all = teams::list(&app.store, &ctx.org.id).await?;
    let team = all
        .iter()
        .find(|t| &t.slug == slug)
        .ok_or(PageError::NotFound)?;
    let me = ctx.member()?.id.clone();
    let members = teams::members_of(&app.store, &ctx.org.id, slug, Some(&me)).await?;
    let lead = ctx.can(Action::ManagePeople);
    let assigns = ctx.can(Action::AssignJobs);
    // The viewer's reports among the people shown: all the rules look at.
    let reports: HashSet<_> = members
        .iter()
        .filter(|m| m.reports_to_viewer)
        .map(|m| m.person.clone())
        .collect();
    let holders = cairn_store::jobs::holders(&app.store, &ctx.org.id).await?;
    let progress_for = |p: &cairn_store::people::PersonId| lead || reports.contains(p);
    let held = if members.iter().any(|m| progress_for(&m.person)) {
        cairn_store::awards::held_in_org(&app.store, &ctx.org.id).await?
    } else {
        Default::default()
    };
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let reader = cairn_store::observations::reader_with(Some(&me), true, reports.iter().cloned());
    let none = Vec::new();
    let lines = members
        .iter()
        .map(|m| {
            let holder = holders.iter().find(|h| h.person == m.person);
            let view = jobs_view(&reader, &m.person, assigns, ctx.org.positions_visible);
            let holds = (view != JobsView::Nothing).then(|| {
                holder.map_or_else(
                    || "no position".to_owned(),
                    |h| {
                        let parts = super::jobs::holds(&fw, h);
                        if parts.is_empty() {
                            "no position".to_owned()
                        } else {
                            parts.join(", ")
                        }
                    },
                )
            });
            let below = holder.map_or(0, |h| {
                standings(
                    &fw,
                    h.position.as_ref(),
                    &h.roles,
                    held.get(&h.person).unwrap_or(&none),
                )
                .iter()
                .filter(|s| !s.met())
                .count()
            });
            let status = progress_for(&m.person).then(|| match below {
                0 => "Meets what they hold".to_owned(),
                1 => "1 requirement below".to_owned(),
                n => format!("{n} requirements below"),
            });
            MemberLine {
                id: m.person.as_str().to_owned(),
                name: m.name.to_string(),
                since: cairn_domain::wording::date(m.since),
                holds,
                below: status.is_some() && below > 0,
                status,
            }
        })
        .collect();
    let get = |k: &str, d: String| form.map_or(d, |f| field(f, k).to_owned());
    Ok(TeamPage {
        chrome: ctx.chrome(visitor),
        slug: slug.to_string(),
        name: team.name.to_string(),
        parent: team.parent.as_ref().and_then(|p| {
            all.iter()
                .find(|t| &t.slug == p)
                .map(|t| (t.slug.to_string(), t.name.to_string()))
        }),
        children: all
            .iter()
            .filter(|t| t.parent.as_ref() == Some(slug))
            .map(|t| (t.slug.to_string(), t.name.to_string()))
            .collect(),
        members: lines,
        can_manage: ctx.can(Action::ManageMembers),
        form_name: get("name", team.name.to_string()),
        form_parent: get(
            "parent",
            team.parent
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        choices: all
            .iter()
            .filter(|t| &t.slug != slug)
            .map(|t| (t.slug.to_string(), t.name.to_string()))
            .collect(),
        errors,
    })
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
) -> Result<TeamPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    team_view(&app, &visitor, &ctx, &slug, None, FormErrors::default()).await
}

/// `POST /{org}/teams/{team}`: a new name or parent (admins).
pub(crate) async fn update(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
    axum::Form(pairs): axum::Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ManageMembers).await?;
    let mut errors = FormErrors::default();
    let name = errors.check("name", Name::parse(field(&pairs, "name"), "the team name"));
    let parent = match field(&pairs, "parent").trim() {
        "" => Some(None),
        p => errors.check("parent", Slug::parse(p)).map(Some),
    };
    if let (Some(name), Some(parent)) = (name, parent) {
        match teams::save(
            &app.store,
            &ctx.org.id,
            &slug,
            &name,
            parent.as_ref(),
            false,
            app.now(),
        )
        .await?
        {
            Ok(()) => return Ok(redirect(&format!("/{org}/teams/{slug}"))),
            Err(TeamRefused::Unknown) => return Err(PageError::NotFound),
            Err(r) => {
                let (f, m) = refusal(&r);
                errors.add(f, m);
            }
        }
    }
    Ok(invalid(
        team_view(&app, &visitor, &ctx, &slug, Some(&pairs), errors).await?,
    ))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/{org}/teams", list, create)
        .get_post("/{org}/teams/{team}", show, update)
}

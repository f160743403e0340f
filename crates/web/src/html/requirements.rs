//! `/{org}/requirements`: who is below a requirement of something they
//! hold, for people leads (everyone) and managers (the people who report
//! to them, at any depth): what each position and role is held by and how
//! many of its holders fall short, then the people below, 25 a page,
//! filtered by what they hold or by name. Other members get a 404.
//!
//! Every line comes from the one rule (`cairn_domain::jobs::standings`)
//! over what each member holds now (`jobs::holders`) and every live award
//! (`awards::held_in_org`): people leads read every award, and managers
//! every award of their reports.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use cairn_domain::jobs::{Source, Standing, by_ability};
use cairn_domain::policy::Action;
use serde::Deserialize;

use super::jobs::{holders_standings, holds, source_name};
use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{After, OrgPath};

/// People a page.
const PAGE: usize = 25;

/// A position or role, with how many hold it and how many are below.
pub(crate) struct Tally {
    kind: &'static str,
    name: String,
    filter: String,
    held_by: usize,
    below: usize,
}

/// One requirement someone falls short of.
pub(crate) struct Short {
    ability: String,
    required: u8,
    held: u8,
    from: String,
}

pub(crate) struct Person {
    id: String,
    name: String,
    holds: String,
    short: Vec<Short>,
}

pub(crate) struct HeldChoice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "requirements/list.html")]
pub(crate) struct RequirementsPage {
    chrome: Chrome,
    tallies: Vec<Tally>,
    /// A manager's view: only the people who report to them.
    reports_only: bool,
    holders: usize,
    below: usize,
    shown: usize,
    people: Vec<Person>,
    choices: Vec<HeldChoice>,
    q: String,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Filter {
    /// `position:SLUG` or `role:SLUG`; empty for everything.
    held: String,
    /// Part of a name.
    q: String,
}

fn source_key(s: &Source) -> String {
    match s {
        Source::Position(p) => format!("position:{p}"),
        Source::Role(r) => format!("role:{r}"),
    }
}

pub(crate) async fn list(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(filter): Query<Filter>,
    After(after): After,
) -> Result<RequirementsPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadMemberContent).await?;
    let lead = ctx.can(Action::ManagePeople);
    let reports = if lead {
        None
    } else {
        let me = &ctx.member()?.id;
        let reports = cairn_store::observations::reports(&app.store, &ctx.org.id, me).await?;
        if reports.is_empty() {
            return Err(PageError::NotFound);
        }
        Some(reports)
    };
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let mut holders = cairn_store::jobs::holders(&app.store, &ctx.org.id).await?;
    if let Some(reports) = &reports {
        holders.retain(|h| reports.contains(&h.person));
    }
    let held = cairn_store::awards::held_in_org(&app.store, &ctx.org.id).await?;
    let teams = cairn_store::teams::list(&app.store, &ctx.org.id).await?;
    let name_of = |s: &Source| source_name(&fw, s);
    // Each holder's standings, once.
    let all = holders_standings(&fw, &holders, &held);
    let mut tallies: Vec<Tally> = Vec::new();
    let sources = fw
        .positions
        .iter()
        .map(|p| Source::Position(p.slug.clone()))
        .chain(fw.roles.iter().map(|r| Source::Role(r.slug.clone())));
    for source in sources {
        let holding: Vec<&(&cairn_store::jobs::Holder, Vec<Standing>)> = all
            .iter()
            .filter(|(h, _)| match &source {
                Source::Position(p) => h.position.as_ref() == Some(p),
                Source::Role(r) => h.roles.contains(r),
            })
            .collect();
        if holding.is_empty() {
            continue;
        }
        tallies.push(Tally {
            kind: match source {
                Source::Position(_) => "Position",
                Source::Role(_) => "Role",
            },
            name: name_of(&source),
            filter: source_key(&source),
            held_by: holding.len(),
            below: holding
                .iter()
                .filter(|(_, s)| s.iter().any(|x| x.source == source && !x.met()))
                .count(),
        });
    }
    // And by team: who in each team holds something, and how many of them
    // are below anything they hold.
    for team in &teams {
        let members: Vec<&(&cairn_store::jobs::Holder, Vec<Standing>)> = all
            .iter()
            .filter(|(h, _)| h.team.as_ref() == Some(&team.slug))
            .collect();
        if members.is_empty() {
            continue;
        }
        tallies.push(Tally {
            kind: "Team",
            name: team.name.to_string(),
            filter: format!("team:{}", team.slug),
            held_by: members.len(),
            below: members
                .iter()
                .filter(|(_, s)| s.iter().any(|x| !x.met()))
                .count(),
        });
    }
    let q = filter.q.trim().to_lowercase();
    let below: Vec<&(&cairn_store::jobs::Holder, Vec<Standing>)> = all
        .iter()
        .filter(|(_, s)| s.iter().any(|x| !x.met()))
        .collect();
    let chosen: Vec<&(&cairn_store::jobs::Holder, Vec<Standing>)> = below
        .iter()
        .copied()
        .filter(|(h, s)| {
            let held = match filter.held.strip_prefix("team:") {
                Some(team) => h.team.as_ref().is_some_and(|t| t.as_str() == team),
                None => {
                    filter.held.is_empty()
                        || s.iter()
                            .any(|x| source_key(&x.source) == filter.held && !x.met())
                }
            };
            held && (q.is_empty() || h.name.as_str().to_lowercase().contains(&q))
        })
        .collect();
    // Holders come by name, then id: the cursor is the last person shown.
    let start = after.as_ref().map_or(0, |a| {
        chosen
            .iter()
            .position(|(h, _)| &h.person == a)
            .map_or(chosen.len(), |i| i + 1)
    });
    let page: Vec<_> = chosen.iter().skip(start).take(PAGE + 1).collect();
    let more = page.len() > PAGE;
    let people: Vec<Person> = page
        .iter()
        .take(PAGE)
        .map(|(h, s)| Person {
            id: h.person.as_str().to_owned(),
            name: h.name.to_string(),
            holds: holds(&fw, h).join(", "),
            short: by_ability(s)
                .iter()
                .filter(|(x, _)| !x.met())
                .map(|(x, sources)| Short {
                    ability: fw
                        .abilities
                        .iter()
                        .find(|a| a.slug == x.ability)
                        .map_or_else(|| x.ability.to_string(), |a| a.name.to_string()),
                    required: x.required.get(),
                    held: x.held.map_or(0, cairn_domain::Level::get),
                    from: sources.iter().map(name_of).collect::<Vec<_>>().join(", "),
                })
                .collect(),
        })
        .collect();
    let next = more.then(|| people.last()).flatten().map(|p| {
        let query = serde_urlencoded::to_string([
            ("held", filter.held.as_str()),
            ("q", filter.q.as_str()),
            ("after", p.id.as_str()),
        ])
        .unwrap_or_default();
        format!("/{slug}/requirements?{query}")
    });
    let choices = tallies
        .iter()
        .map(|t| HeldChoice {
            value: t.filter.clone(),
            label: format!("{}: {}", t.kind, t.name),
            selected: t.filter == filter.held,
        })
        .collect();
    Ok(RequirementsPage {
        chrome: ctx.chrome(&visitor),
        reports_only: reports.is_some(),
        holders: holders.len(),
        below: below.len(),
        shown: chosen.len(),
        tallies,
        people,
        choices,
        q: filter.q,
        next,
    })
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get("/{org}/requirements", list)
}

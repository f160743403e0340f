//! A member's position and roles on their page (`/{org}/people/{person}`,
//! section "Position and roles"): what they hold now, the history of it,
//! how they stand against what it requires, and the form admins and
//! people leads change it with (`POST …/jobs`).
//!
//! Who sees what is one rule (`cairn_domain::jobs::jobs_view`); the
//! requirement lines are one domain function (`standings`), computed
//! from the milestones this viewer may see, and shown to whoever may see
//! the member's progress (the member, their managers, people leads).

use axum::extract::State;
use axum::response::Response;
use cairn_domain::jobs::{
    JobsView, Source, Standing, TenureRefused, by_ability, jobs_view, standings,
};
use cairn_domain::wording::{date, parse_date};
use cairn_domain::{Framework, Level, Slug};
use cairn_store::jobs::{self, Change, Jobs};
use cairn_store::people::PersonId;

use crate::App;
use crate::auth::{ClientInfo, Visitor};
use crate::error::PageError;
use crate::extract::MemberPath;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::OrgContext;
use crate::html::journey::journey_view;

/// One thing held now, as the section lists it.
pub(crate) struct HeldLine {
    pub(crate) name: String,
    pub(crate) since: String,
}

/// A past or present tenure.
pub(crate) struct TenureLine {
    pub(crate) what: String,
    pub(crate) name: String,
    pub(crate) span: String,
    pub(crate) set_by: String,
    pub(crate) note: String,
}

/// A requirement of something held and where the member stands.
pub(crate) struct StandingLine {
    pub(crate) from: String,
    pub(crate) ability: String,
    pub(crate) href: String,
    pub(crate) required: String,
    pub(crate) held: String,
    pub(crate) status: String,
    pub(crate) met: bool,
}

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) chosen: bool,
}

/// The change form, for admins and people leads.
pub(crate) struct JobsForm {
    pub(crate) positions: Vec<Choice>,
    pub(crate) roles: Vec<Choice>,
    pub(crate) teams: Vec<Choice>,
    pub(crate) since: String,
    pub(crate) note: String,
}

/// The "Position and roles" section of a member's page.
pub(crate) struct JobsSection {
    pub(crate) position: Option<HeldLine>,
    pub(crate) roles: Vec<HeldLine>,
    pub(crate) team: Option<HeldLine>,
    pub(crate) history: Vec<TenureLine>,
    pub(crate) show_history: bool,
    pub(crate) standings: Vec<StandingLine>,
    pub(crate) below: usize,
    pub(crate) form: Option<JobsForm>,
}

/// What the section needs to know about the viewer and the page.
pub(crate) struct Viewing<'a> {
    pub(crate) fw: &'a Framework,
    pub(crate) org: &'a cairn_domain::OrgSlug,
    /// May see the member's progress (requirement lines).
    pub(crate) progress: bool,
    /// May change what they hold (an active member, an admin or lead).
    pub(crate) can_assign: bool,
    /// The milestones this viewer may see the member hold.
    pub(crate) held: &'a [(Slug, Level)],
    pub(crate) today: i64,
    /// The organization's teams, for the form (assigners only).
    pub(crate) teams: &'a [cairn_store::teams::Team],
}

/// The name of the position or role a requirement comes from (its slug,
/// should it have left the framework).
pub(crate) fn source_name(fw: &Framework, s: &Source) -> String {
    match s {
        Source::Position(p) => fw
            .position(p)
            .map_or_else(|| p.to_string(), |x| x.title.to_string()),
        Source::Role(r) => fw
            .roles
            .iter()
            .find(|x| &x.slug == r)
            .map_or_else(|| r.to_string(), |x| x.name.to_string()),
    }
}

/// What a holder holds, by name: the position, then the roles.
pub(crate) fn holds(fw: &Framework, h: &cairn_store::jobs::Holder) -> Vec<String> {
    h.position
        .iter()
        .map(|p| source_name(fw, &Source::Position(p.clone())))
        .chain(
            h.roles
                .iter()
                .map(|r| source_name(fw, &Source::Role(r.clone()))),
        )
        .collect()
}

/// Each holder of a position or role (a team alone asks nothing) with
/// where they stand against it, from everyone's milestones (`held`, as
/// `awards::held_in_org` reads them): the requirements lists' one input.
pub(crate) fn holders_standings<'a>(
    fw: &Framework,
    holders: &'a [cairn_store::jobs::Holder],
    held: &std::collections::HashMap<PersonId, Vec<(Slug, Level)>>,
) -> Vec<(&'a cairn_store::jobs::Holder, Vec<Standing>)> {
    holders
        .iter()
        .filter(|h| h.position.is_some() || !h.roles.is_empty())
        .map(|h| {
            let have = held.get(&h.person).map_or(&[][..], Vec::as_slice);
            (h, standings(fw, h.position.as_ref(), &h.roles, have))
        })
        .collect()
}

/// The section for `view` of `jobs`; None when the viewer sees nothing.
pub(crate) fn section(view: JobsView, jobs: &Jobs, v: &Viewing<'_>) -> Option<JobsSection> {
    if view == JobsView::Nothing && !v.can_assign {
        return None;
    }
    let position = jobs.position();
    let roles = jobs.roles();
    let lines = standings(v.fw, position.map(|t| &t.slug), &jobs.role_slugs(), v.held);
    let name_of = |s: &Source| source_name(v.fw, s);
    let standing_line = |(s, sources): &(Standing, Vec<Source>)| StandingLine {
        from: sources.iter().map(name_of).collect::<Vec<_>>().join(", "),
        ability: v
            .fw
            .abilities
            .iter()
            .find(|a| a.slug == s.ability)
            .map_or_else(|| s.ability.to_string(), |a| a.name.to_string()),
        href: super::ability_href(v.org, &s.ability),
        required: format!("milestone {}+", s.required),
        held: s
            .held
            .map_or_else(|| "none".to_owned(), |l| format!("milestone {l}")),
        status: match s.below() {
            0 => "Met".to_owned(),
            1 => "1 level below".to_owned(),
            n => format!("{n} levels below"),
        },
        met: s.met(),
    };
    let form = v.can_assign.then(|| JobsForm {
        positions: v
            .fw
            .positions
            .iter()
            .map(|p| Choice {
                value: p.slug.to_string(),
                label: format!("{} (level {})", p.title, p.level),
                chosen: position.is_some_and(|t| t.slug == p.slug),
            })
            .collect(),
        roles: v
            .fw
            .roles
            .iter()
            .map(|r| Choice {
                value: r.slug.to_string(),
                label: r.name.to_string(),
                chosen: roles.iter().any(|t| t.slug == r.slug),
            })
            .collect(),
        teams: v
            .teams
            .iter()
            .map(|t| Choice {
                value: t.slug.to_string(),
                label: t.name.to_string(),
                chosen: jobs.team().is_some_and(|x| x.slug == t.slug),
            })
            .collect(),
        since: date(v.today),
        note: String::new(),
    });
    let show = view >= JobsView::Current || v.can_assign;
    Some(JobsSection {
        position: position.filter(|_| show).map(|t| HeldLine {
            name: t.name.to_string(),
            since: date(t.since),
        }),
        roles: roles
            .iter()
            .filter(|_| show)
            .map(|t| HeldLine {
                name: t.name.to_string(),
                since: date(t.since),
            })
            .collect(),
        team: jobs.team().filter(|_| show).map(|t| HeldLine {
            name: t.name.to_string(),
            since: date(t.since),
        }),
        show_history: view == JobsView::History || v.can_assign,
        history: if view == JobsView::History || v.can_assign {
            jobs.tenures
                .iter()
                .map(|t| TenureLine {
                    what: t.kind.as_str().to_owned(),
                    name: t.name.to_string(),
                    span: match t.until {
                        Some(u) => format!("from {} until {}", date(t.since), date(u)),
                        None => format!("since {}", date(t.since)),
                    },
                    set_by: t.set_by.to_string(),
                    note: t.note.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
        below: if v.progress {
            by_ability(&lines).iter().filter(|(s, _)| !s.met()).count()
        } else {
            0
        },
        standings: if v.progress {
            by_ability(&lines).iter().map(standing_line).collect()
        } else {
            Vec::new()
        },
        form,
    })
}

/// The rule's answer for this viewer about `person` on their page.
pub(crate) fn view_of(
    ctx: &OrgContext,
    reader: &cairn_domain::visibility::Reader<PersonId>,
    person: &PersonId,
) -> JobsView {
    jobs_view(
        reader,
        person,
        ctx.can(cairn_domain::policy::Action::AssignJobs),
        ctx.org.positions_visible,
    )
}

/// The change form's answer: the refusal in the words of the form.
fn refusal(r: &TenureRefused) -> (&'static str, String) {
    match r {
        TenureRefused::StartsTooEarly(day) => (
            "since",
            format!(
                "Give a start date after {}, when what it replaces began.",
                date(*day)
            ),
        ),
        TenureRefused::OverlapsEarlier(day) => (
            "since",
            format!(
                "Give a start date on or after {}, when the earlier tenure ended.",
                date(*day)
            ),
        ),
        TenureRefused::InTheFuture => {
            ("since", "Give a start date of today or earlier.".to_owned())
        }
        TenureRefused::NotActive => (
            "position",
            "Only active members hold positions and roles.".to_owned(),
        ),
        TenureRefused::Archived => (
            "position",
            "Archived positions and roles cannot be given; choose an active one.".to_owned(),
        ),
        TenureRefused::Unknown => (
            "position",
            "Choose a position, roles and a team of this organization.".to_owned(),
        ),
    }
}

/// `POST /{org}/people/{person}/jobs`: sets the position and the whole set
/// of roles from a day (admins and people leads).
pub(crate) async fn save(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    MemberPath(org, person): MemberPath,
    axum::Form(pairs): axum::Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(
        &app,
        &visitor,
        &org,
        cairn_domain::policy::Action::AssignJobs,
    )
    .await?;
    let by = ctx.member()?.id.clone();
    let mut errors = FormErrors::default();
    let position = match field(&pairs, "position").trim() {
        "" => None,
        s => errors.check("position", Slug::parse(s)),
    };
    let mut roles = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "role") {
        if let Some(slug) = errors.check("roles", Slug::parse(v))
            && !roles.contains(&slug)
        {
            roles.push(slug);
        }
    }
    let team = match field(&pairs, "team").trim() {
        "" => None,
        s => errors.check("team", Slug::parse(s)),
    };
    let since = parse_date(field(&pairs, "since").trim());
    if since.is_none() {
        errors.add("since", "Give the start date as YYYY-MM-DD.");
    }
    let note = field(&pairs, "note").trim();
    if note.chars().count() > 500 {
        errors.add("note", "Keep the note to 500 characters.");
    }
    if let (true, Some(since)) = (errors.is_empty(), since) {
        let change = Change {
            position: position.as_ref(),
            roles: &roles,
            team: team.as_ref(),
            since,
            note,
            by: &by,
            client_ip: &client.ip,
        };
        match jobs::change(&app.store, &ctx.org.id, &person, &change, app.now()).await? {
            Ok(_) => return Ok(redirect(&format!("/{org}/people/{person}#jobs"))),
            Err(refused) => {
                let (field, message) = refusal(&refused);
                errors.add(field, message);
            }
        }
    }
    Ok(invalid(
        journey_view(&app, &visitor, &ctx, &person, None, None, errors).await?,
    ))
}

/// `GET …/jobs`: the form lives on the member's page. A refused change is
/// shown at the POST's address; reloading it, or opening it, lands where
/// the form is instead of a blank 405 (which then decides who may see it).
pub(crate) async fn form_lives_on_the_page(MemberPath(org, person): MemberPath) -> Response {
    redirect(&format!("/{org}/people/{person}#jobs"))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get_post("/{org}/people/{person}/jobs", form_lives_on_the_page, save)
}

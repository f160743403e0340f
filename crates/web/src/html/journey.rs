//! `/{org}/people/{person}`: a member's journey (and awarding forms, which
//! post to `awards`), or their public profile.
//!
//! The journey counts only the awards this viewer may read (one rule:
//! `can_read_award`), so a private award never leaks through a total.
//! An ability archived after an award keeps the award in the history but
//! adds no miles: the journey is measured against the framework in force.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cairn_domain::awards::{can_read_award, check_evidence, may_award};
use cairn_domain::eligibility::{eligibility, from_where_they_stand};
use cairn_domain::jobs::JobsView;
use cairn_domain::journey::{Band, band_of, journey};
use cairn_domain::membership::MemberStatus;
use cairn_domain::policy::Action;
use cairn_domain::requirement::required_miles;
use cairn_domain::visibility::{Reader, can_see_progress};
use cairn_domain::wording::{date, miles, would_add};
use cairn_domain::{Level, OrgSlug, Slug};
use cairn_store::awards::{self};
use cairn_store::framework::Snapshot;
use cairn_store::{members, observations};

use super::abilities::Rendered;
use super::observations::{Card, card};
use super::{Chrome, Link, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{MemberPath, Older};
use crate::forms::{FormErrors, Pairs, field, redirect};
use cairn_store::observations::Cursor;

/// The abilities of one category, in chart order.
pub(crate) struct Group {
    name: String,
    legs: Vec<Leg>,
}

/// One ability on the journey: what is held, and what the next milestone
/// asks and adds.
pub(crate) struct Leg {
    slug: String,
    href: String,
    name: String,
    abbreviation: String,
    colour: usize,
    /// 0 when none is held.
    level: u8,
    miles: String,
    /// The held milestone's summary, rendered.
    summary: String,
    next: Option<NextStep>,
}

pub(crate) struct NextStep {
    level: u8,
    adds: String,
    summary: String,
}

/// The journey's list, grouped as the chart is, with each milestone's
/// rendered summary.
fn groups(fw: &Snapshot, held: &[(Slug, Level)], yours: bool, org: &OrgSlug) -> Vec<Group> {
    let scale = fw.organization.miles;
    let rendered = fw.prepared(Rendered::of);
    let leg_of = |p: super::chart::Placed<'_>| {
        let a = p.ability;
        let level = super::chart::highest(held, &a.slug);
        let have = level.map_or(0, |l| scale.miles(l));
        let summary = |l: Level| {
            rendered
                .0
                .get(&a.slug)
                .map(|r| r.summaries[l.index()].clone())
                .unwrap_or_default()
        };
        let next = match level {
            None => Some(Level::ALL[0]),
            Some(l) => Level::ALL.get(l.index() + 1).copied(),
        };
        Leg {
            slug: a.slug.to_string(),
            href: super::ability_href(org, &a.slug),
            name: a.name.to_string(),
            abbreviation: p.abbreviation,
            colour: p.colour,
            level: level.map_or(0, |l| l.get()),
            miles: miles(have),
            summary: level.map(summary).unwrap_or_default(),
            next: next.map(|n| NextStep {
                level: n.get(),
                adds: would_add(scale.miles(n) - have, scale.miles(n), yours),
                summary: summary(n),
            }),
        }
    };
    super::chart::by_category(fw)
        .into_iter()
        .map(|(name, placed)| Group {
            name,
            legs: placed.into_iter().map(leg_of).collect(),
        })
        .collect()
}

pub(crate) struct AwardLine {
    id: String,
    on_profile: bool,
    ability: String,
    level: u8,
    date: String,
    certifier: String,
    note: String,
    revoked: bool,
    /// The published version it was awarded under.
    version: Option<i64>,
    /// That milestone's text changed since that version.
    changed_since: bool,
    can_revoke: bool,
    /// "last evidenced 14 months ago" (`cairn_domain::recency`).
    evidenced: String,
}

/// The awards (by id) whose milestone reads differently now than in the
/// version it was awarded under. Nothing is read unless an award has a
/// version older than the latest: organizations without published
/// versions pay no statement for it.
async fn milestones_changed_since(
    app: &App,
    ctx: &OrgContext,
    now: &cairn_domain::framework::Framework,
    awards: &[&cairn_store::awards::Award],
) -> Result<std::collections::HashSet<String>, PageError> {
    let mut out = std::collections::HashSet::new();
    let used: std::collections::BTreeSet<i64> = awards.iter().filter_map(|a| a.version).collect();
    if used.is_empty() {
        return Ok(out);
    }
    let latest = cairn_store::versions::latest(&app.store, &ctx.org.id)
        .await?
        .unwrap_or(0);
    for v in used.into_iter().filter(|v| *v < latest) {
        let Some(snapshot) = cairn_store::versions::snapshot(&app.store, &ctx.org.id, v).await?
        else {
            continue;
        };
        let Ok(then) = cairn_domain::file::parse(&snapshot) else {
            continue;
        };
        for a in awards.iter().filter(|a| a.version == Some(v)) {
            let text = |fw: &cairn_domain::framework::Framework| {
                fw.ability(&a.ability).map(|x| x.milestone(a.level).clone())
            };
            if text(&then) != text(now) {
                out.insert(a.id.clone());
            }
        }
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "journey/show.html")]
pub(crate) struct JourneyPage {
    chrome: Chrome,
    person_id: String,
    name: String,
    total: String,
    /// Where the total falls among the positions' miles bands.
    band: Option<String>,
    /// The band as a bar: (from, to, total), when the total is in one.
    band_bar: Option<(u32, u32, u32)>,
    chart: String,
    groups: Vec<Group>,
    awards: Vec<AwardLine>,
    can_award: bool,
    /// What the award form starts at: an ability and its next milestone
    /// (`?award=ABILITY` picks one; else the first with one to go).
    award_ability: String,
    award_level: u8,
    evidence_rule: Vec<String>,
    evidence: Vec<Link>,
    observations: Vec<Card>,
    /// The next page of their observations, when there are older ones.
    older: Option<String>,
    positions: Vec<Link>,
    /// "Position and roles"; None when this viewer sees none of it.
    jobs: Option<super::jobs::JobsSection>,
    /// Their check-ins, for those who read them.
    check_ins: Option<super::check_ins::JourneyCheckIns>,
    /// The position a new check-in is about by default.
    check_in_position: String,
    is_self: bool,
    public_profile: bool,
    notice: Option<String>,
    errors: FormErrors,
}

/// The journey of `person` as this visitor may see it, in the context
/// the caller already loaded; `older` pages through their observations.
pub(crate) async fn journey_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    person: &cairn_store::people::PersonId,
    older: Option<&Cursor>,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<JourneyPage, PageError> {
    let org = &ctx.org.org.slug;
    let (viewer, is_member) = super::observations::viewer(visitor, ctx);
    let (member, reports_to_viewer) = members::get_seen_by(&app.store, &ctx.org.id, person, viewer)
        .await?
        .ok_or(PageError::NotFound)?;
    let recipient = &member.person.id;
    let of_them = observations::visible_of(
        &app.store,
        &ctx.org.id,
        viewer,
        is_member,
        recipient,
        older,
        observations::PAGE,
    )
    .await?;
    // The rule's view of the reader, for everything on this page: their
    // reports among the people shown (the recipient, the observees).
    let reader = observations::reader_with(
        viewer,
        is_member,
        of_them
            .reports
            .iter()
            .cloned()
            .chain(reports_to_viewer.then(|| recipient.clone())),
    );
    let people_lead = ctx.can(Action::ManagePeople);
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let view = super::jobs::view_of(ctx, &reader, recipient);
    let can_assign = member.status == MemberStatus::Active && ctx.can(Action::AssignJobs);
    // What they hold comes in the same statement as their awards.
    let (held_jobs, all_awards) = if view != JobsView::Nothing || can_assign {
        let (jobs, awards) =
            cairn_store::jobs::with_awards(&app.store, &ctx.org.id, recipient).await?;
        (Some(jobs), awards)
    } else {
        (
            None,
            awards::of_person(&app.store, &ctx.org.id, recipient).await?,
        )
    };
    let visible: Vec<_> = all_awards
        .iter()
        .filter(|a| can_read_award(&reader, &a.facts(), people_lead, false))
        .collect();
    let changed = milestones_changed_since(app, ctx, fw.framework(), &visible).await?;
    let held = awards::held(visible.iter().copied());
    let j = journey(held.iter().map(|(s, l)| (s, *l)), &fw.organization.miles);
    let yours = reader.person.as_ref() == Some(recipient);
    let progress = can_see_progress(&reader, recipient, people_lead);
    let mut current_position = None;
    let jobs = if let Some(held_jobs) = &held_jobs {
        current_position = held_jobs.position().map(|t| t.slug.clone());
        // The form's team list: one more statement, for assigners only.
        let teams = if can_assign {
            cairn_store::teams::list(&app.store, &ctx.org.id).await?
        } else {
            Vec::new()
        };
        let viewing = super::jobs::Viewing {
            fw: &fw,
            org,
            progress,
            can_assign,
            held: &held,
            today: app.now(),
            teams: &teams,
        };
        super::jobs::section(view, held_jobs, &viewing)
    } else {
        None
    };
    let me = reader.person.clone();
    let in_band = band_of(&fw.positions, j.total);
    let mut band_bar = match &in_band {
        Band::In {
            at_least, below, ..
        } => Some((*at_least, below.saturating_sub(1), j.total)),
        _ => None,
    };
    let mut band = band_line(in_band, j.total, yours, member.person.name.as_str());
    // Without bands, the bar measures the miles the next position asks
    // (for those who may see where someone stands).
    if band.is_none() && progress {
        let (next, _) = from_where_they_stand(&fw.positions, current_position.as_ref());
        if let Some(p) = next.first() {
            let asks = required_miles(p, &fw.roles, &fw.organization.miles);
            if asks > 0 {
                band = Some(next_position_line(
                    p.title.as_str(),
                    asks,
                    j.total,
                    yours,
                    member.person.name.as_str(),
                ));
                band_bar = Some((0, asks, j.total.min(asks)));
            }
        }
    }
    let can_award = member.status == MemberStatus::Active
        && may_award(&reader, recipient, people_lead, ctx.org.awarders);
    let rule = ctx.org.evidence;
    let groups = groups(&fw, &held, yours, org);
    let check_ins = if member.status == MemberStatus::Active {
        super::check_ins::for_journey(app, ctx, &member, reports_to_viewer, &fw).await?
    } else {
        None
    };
    let check_in_position = current_position
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let (award_ability, award_level) = first_next(&groups).unwrap_or_default();
    Ok(JourneyPage {
        check_ins,
        check_in_position,
        award_ability,
        award_level,
        chrome: ctx.chrome(visitor),
        person_id: recipient.as_str().to_owned(),
        name: member.person.name.to_string(),
        total: miles(j.total),
        band,
        band_bar,
        chart: super::chart::radial_chart(&fw, &held, member.person.name.as_str()),
        groups,
        awards: visible
            .iter()
            .map(|a| AwardLine {
                id: a.id.clone(),
                on_profile: a.on_profile,
                ability: a.ability_name.to_string(),
                level: a.level.get(),
                date: date(a.awarded_at),
                certifier: a.certifier_name.to_string(),
                note: a.note.clone(),
                revoked: a.revoked,
                version: a.version,
                changed_since: changed.contains(&a.id),
                can_revoke: !a.revoked && (people_lead || me.as_ref() == Some(&a.certifier)),
                evidenced: cairn_domain::recency::evidenced_words(a.last_evidenced, app.now()),
            })
            .collect(),
        can_award,
        evidence_rule: check_evidence::<&str>(&rule, &[])
            .reasons
            .into_iter()
            .filter(|_| rule.min_observations > 0)
            .collect(),
        evidence: of_them
            .list
            .iter()
            .filter(|o| o.published_at.is_some())
            .map(|o| Link {
                href: o.id.clone(),
                text: format!("{} by {}", date(o.observed_on), o.observer.name),
            })
            .collect(),
        observations: of_them.list.iter().map(|o| card(org, o, &reader)).collect(),
        older: of_them.older.as_ref().map(|c| {
            format!(
                "/{org}/people/{}?older={}#observations",
                recipient.as_str(),
                c.param()
            )
        }),
        // Eligibility is for the member, their managers and people leads,
        // from where they stand: the next level up first.
        positions: if progress {
            let (next, rest) = from_where_they_stand(&fw.positions, current_position.as_ref());
            let href = |p: &cairn_domain::Position| {
                format!("/{org}/people/{}/positions/{}", recipient.as_str(), p.slug)
            };
            next.iter()
                .map(|p| Link {
                    href: href(p),
                    text: match eligibility(&fw, p, &held).levels_to_go(&held) {
                        Some(0) => format!("Next: {} — eligible now", p.title),
                        Some(1) => format!("Next: {} — 1 milestone to go", p.title),
                        Some(n) => format!("Next: {} — {n} milestones to go", p.title),
                        None => format!("Next: {} (level {})", p.title, p.level),
                    },
                })
                .chain(rest.iter().map(|p| Link {
                    href: href(p),
                    text: format!("{} (level {})", p.title, p.level),
                }))
                .collect()
        } else {
            Vec::new()
        },
        jobs,
        is_self: me.as_ref() == Some(recipient),
        public_profile: member.public_profile,
        notice,
        errors,
    })
}

/// The first ability with a milestone to go, and that milestone.
fn first_next(groups: &[Group]) -> Option<(String, u8)> {
    groups
        .iter()
        .flat_map(|g| &g.legs)
        .find_map(|l| l.next.as_ref().map(|n| (l.slug.clone(), n.level)))
}

/// `?award=ABILITY`: the award form starts at that ability's next milestone.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct AwardQuery {
    award: String,
}

/// "Engineer II asks for 15 miles; you have 8." (the next position).
fn next_position_line(title: &str, asks: u32, total: u32, yours: bool, name: &str) -> String {
    let has = if yours {
        format!("you have {total}")
    } else {
        format!("{name} has {total}")
    };
    format!("Next, {title} asks for {}; {has}.", miles(asks))
}

/// "Senior Engineer band: 36–57 miles; you have 48." (bands end below
/// their upper number, so the last mile in one is one less).
pub(crate) fn band_line(band: Band<'_>, total: u32, is_self: bool, name: &str) -> Option<String> {
    let has = if is_self {
        format!("you have {total}")
    } else {
        format!("{name} has {total}")
    };
    match band {
        Band::None => None,
        Band::In {
            positions,
            at_least,
            below,
        } => Some(format!(
            "{} band: {at_least}–{} miles; {has}.",
            positions
                .iter()
                .map(|p| p.title.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            below.saturating_sub(1),
        )),
        Band::BelowAll(n) => Some(format!("The first band starts at {n} miles; {has}.")),
        Band::Between(n) => Some(format!(
            "Between bands: the next starts at {n} miles; {has}."
        )),
        Band::Beyond(n) => Some(format!(
            "Past every band (the highest ends at {} miles); {has}.",
            n.saturating_sub(1)
        )),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "journey/profile.html")]
pub(crate) struct ProfilePage {
    chrome: Chrome,
    /// The chart of the milestones they chose to show.
    chart: String,
    total: String,
    name: String,
    awards: Vec<String>,
    observations: Vec<Card>,
}

/// Members see the journey; everyone else sees the public profile, if
/// the person chose to show one, and otherwise nothing (404).
pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    MemberPath(org, person): MemberPath,
    Older(older): Older,
    axum::extract::Query(pick): axum::extract::Query<AwardQuery>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadFramework).await?;
    if ctx.can(Action::ReadMemberContent) {
        let mut page = journey_view(
            &app,
            &visitor,
            &ctx,
            &person,
            older.as_ref(),
            None,
            FormErrors::default(),
        )
        .await?;
        if let Some(l) = page
            .groups
            .iter()
            .flat_map(|g| &g.legs)
            .find(|l| l.slug == pick.award)
            && let Some(n) = &l.next
        {
            (page.award_ability, page.award_level) = (l.slug.clone(), n.level);
        }
        return Ok(page.into_response());
    }
    let member = members::get(&app.store, &ctx.org.id, &person)
        .await?
        .filter(|m| m.public_profile)
        .ok_or(PageError::NotFound)?;
    let outsider = Reader::outsider();
    let shown: Vec<_> = awards::of_person(&app.store, &ctx.org.id, &member.person.id)
        .await?
        .into_iter()
        .filter(|a| a.ability_active && can_read_award(&outsider, &a.facts(), false, true))
        .collect();
    let awards = shown
        .iter()
        .map(|a| format!("{}: milestone {}", a.ability_name, a.level))
        .collect();
    let held = awards::held(shown.iter());
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let total = journey(held.iter().map(|(s, l)| (s, *l)), &fw.organization.miles).total;
    let observations = observations::visible_of(
        &app.store,
        &ctx.org.id,
        None,
        false,
        &member.person.id,
        None,
        observations::PAGE,
    )
    .await?
    .list
    .iter()
    .map(|o| card(&org, o, &outsider))
    .collect();
    Ok(ProfilePage {
        chrome: ctx.chrome(&visitor),
        chart: super::chart::radial_chart(&fw, &held, member.person.name.as_str()),
        total: miles(total),
        name: member.person.name.to_string(),
        awards,
        observations,
    }
    .into_response())
}

/// The member's own choice: a public profile, and which awards it shows.
pub(crate) async fn save_profile(
    State(app): State<App>,
    visitor: Visitor,
    MemberPath(org, person): MemberPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let me = ctx.member()?.id.clone();
    if me != person {
        return Err(PageError::NotFound);
    }
    members::set_public_profile(
        &app.store,
        &ctx.org.id,
        &me,
        field(&pairs, "public") == "on",
    )
    .await?;
    let shown: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "show")
        .map(|(_, v)| v.as_str())
        .collect();
    for a in awards::of_person(&app.store, &ctx.org.id, &me).await? {
        let want = shown.contains(&a.id.as_str());
        if want != a.on_profile {
            awards::set_on_profile(&app.store, &ctx.org.id, &me, &a.id, want).await?;
        }
    }
    Ok(redirect(&format!("/{org}/people/{person}#profile")))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/people/{person}", show)
        .post("/{org}/people/{person}/profile", save_profile)
}

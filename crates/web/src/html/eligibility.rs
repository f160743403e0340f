//! Eligibility of a member for a position, with a what-if view; and, for
//! people leads, who is eligible or one milestone away.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use cairn_domain::awards::can_read_award;
use cairn_domain::eligibility::{Eligibility, eligibility, levels_climbed};
use cairn_domain::membership::MemberStatus;
use cairn_domain::policy::Action;
use cairn_domain::visibility::can_see_progress;
use cairn_domain::wording::miles;
use cairn_domain::{Framework, Level, Slug};
use cairn_store::awards;
use cairn_store::people::PersonId;

use super::observations::reader_about;
use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{After, ItemPath, MemberPositionPath};

/// Milestones a person holds on active abilities, as far as `visible`
/// allows.
pub(crate) async fn held(
    app: &App,
    ctx: &OrgContext,
    person: &PersonId,
    visible: impl Fn(&awards::Award) -> bool,
) -> Result<Vec<(Slug, Level)>, PageError> {
    let all = awards::of_person(&app.store, &ctx.org.id, person).await?;
    Ok(awards::held(all.iter().filter(|a| visible(a))))
}

fn name_of(fw: &Framework, slug: &Slug) -> String {
    fw.ability(slug)
        .map_or_else(|| slug.to_string(), |a| a.name.to_string())
}

pub(crate) fn describe_set(fw: &Framework, set: &[(Slug, Level)]) -> String {
    set.iter()
        .map(|(s, l)| format!("{} M{l}", name_of(fw, s)))
        .collect::<Vec<_>>()
        .join(" and ")
}

pub(crate) struct RequirementLine {
    ability: String,
    required: u8,
    held: String,
    status: String,
}

pub(crate) struct WhatIf {
    slug: String,
    name: String,
    held: String,
    chosen: u8,
}

#[derive(Template, WebTemplate)]
#[template(path = "eligibility/show.html")]
pub(crate) struct EligibilityPage {
    chrome: Chrome,
    name: String,
    position: String,
    roles: Vec<String>,
    eligible: bool,
    what_if: bool,
    earned: String,
    required: String,
    requirements: Vec<RequirementLine>,
    gaps: Vec<String>,
    /// "12 sets tie", "100,000 or more sets tie".
    gap_count: String,
    /// Which sets this page shows: "1–20".
    gap_range: String,
    gap_prev: Option<String>,
    gap_next: Option<String>,
    abilities: Vec<WhatIf>,
    /// The organization's check-in rule, when it has one: met, and why.
    check_in_rule: Option<(bool, String)>,
}

/// Gap sets shown per page.
const GAPS_PER_PAGE: usize = 20;

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    MemberPositionPath(org, person, position): MemberPositionPath,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<EligibilityPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let (member, reports) = cairn_store::members::get_seen_by(
        &app.store,
        &ctx.org.id,
        &person,
        visitor.person.as_ref().map(|p| &p.id),
    )
    .await?
    .ok_or(PageError::NotFound)?;
    let reader = reader_about(&visitor, &ctx, &member.person.id, reports);
    let people_lead = ctx.can(Action::ManagePeople);
    // The member, their managers and people leads; others are told nothing.
    if !can_see_progress(&reader, &member.person.id, people_lead) {
        return Err(PageError::NotFound);
    }
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let position = fw.position(&position).ok_or(PageError::NotFound)?;
    let actual = held(&app, &ctx, &member.person.id, |a| {
        can_read_award(&reader, &a.facts(), people_lead, false)
    })
    .await?;
    // What-if: `add_{ability}=level` raises an ability hypothetically.
    let mut hypothetical = actual.clone();
    let mut chosen: Vec<(Slug, u8)> = Vec::new();
    for (k, v) in &query {
        if let (Some(slug), Ok(n)) = (k.strip_prefix("add_"), v.parse::<i64>())
            && let (Ok(slug), Ok(level)) = (Slug::parse(slug), Level::parse(n))
            && fw.ability(&slug).is_some()
        {
            chosen.push((slug.clone(), level.get()));
            hypothetical.push((slug, level));
        }
    }
    let e: Eligibility = eligibility(&fw, position, &hypothetical);
    // The check-in rule, when the organization has one: the member's
    // finalized check-ins, newest first (the same people read them).
    let check_in_rule = match cairn_store::check_ins::rule(&app.store, &ctx.org.id).await? {
        None => None,
        Some(rule) => {
            let mut done: Vec<(i64, cairn_domain::check_ins::Overall)> =
                cairn_store::check_ins::of_member(&app.store, &ctx.org.id, &member.person.id)
                    .await?
                    .iter()
                    .filter_map(|c| Some((c.finalized_at?, c.frozen.as_ref()?.overall)))
                    .collect();
            done.sort_by_key(|d| std::cmp::Reverse(d.0));
            let overalls: Vec<_> = done.into_iter().map(|(_, o)| o).collect();
            let scale = cairn_store::check_ins::scale(&app.store, &ctx.org.id).await?;
            Some(cairn_domain::check_ins::rule_outcome(
                rule, &overalls, &scale,
            ))
        }
    };
    // Paging keeps the what-if choices: `gaps=N` is the page.
    let page = query
        .iter()
        .find(|(k, _)| k == "gaps")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let pages = e.gap_sets.len().div_ceil(GAPS_PER_PAGE).max(1);
    let page = page.min(pages);
    let first = (page - 1) * GAPS_PER_PAGE;
    let shown: Vec<String> = e
        .gap_sets
        .iter()
        .skip(first)
        .take(GAPS_PER_PAGE)
        .map(|s| describe_set(&fw, s))
        .collect();
    let link_to = |n: usize| {
        let mut q: Vec<String> = query
            .iter()
            .filter(|(k, _)| k != "gaps")
            .map(|(k, v)| format!("{}={}", super::url_encode(k), super::url_encode(v)))
            .collect();
        q.push(format!("gaps={n}"));
        format!("?{}#gaps", q.join("&"))
    };
    let gap_count = match (e.gap_set_count, e.gap_sets_complete) {
        (1, _) => "One set".to_owned(),
        (n, true) => format!("{n} sets tie"),
        (n, false) => format!("{n} or more sets tie"),
    };
    let gap_range = if e.gap_sets.len() > GAPS_PER_PAGE {
        format!(
            "showing {}–{}{}",
            first + 1,
            first + shown.len(),
            if e.gap_set_count > e.gap_sets.len() {
                format!(" of the first {}", e.gap_sets.len())
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    Ok(EligibilityPage {
        chrome: ctx.chrome(&visitor),
        name: member.person.name.to_string(),
        position: position.title.to_string(),
        roles: position
            .required_roles
            .iter()
            .filter_map(|r| fw.role(r))
            .map(|r| r.name.to_string())
            .collect(),
        eligible: e.eligible && check_in_rule.as_ref().is_none_or(|(met, _)| *met),
        what_if: !chosen.is_empty(),
        earned: miles(e.miles_earned),
        required: miles(e.miles_required),
        requirements: e
            .requirements
            .iter()
            .map(|r| RequirementLine {
                ability: name_of(&fw, &r.ability),
                required: r.required.get(),
                held: r
                    .held
                    .map_or_else(|| "none".to_owned(), |l| format!("M{l}")),
                status: if r.met() {
                    "met".to_owned()
                } else {
                    format!(
                        "missing {} level(s), {} short",
                        r.levels_missing,
                        miles(r.miles_short)
                    )
                },
            })
            .collect(),
        gaps: shown,
        gap_count,
        gap_range,
        gap_prev: (page > 1).then(|| link_to(page - 1)),
        gap_next: (page < pages).then(|| link_to(page + 1)),
        check_in_rule,
        abilities: fw
            .abilities
            .iter()
            .map(|a| WhatIf {
                slug: a.slug.to_string(),
                name: a.name.to_string(),
                held: actual
                    .iter()
                    .filter(|(s, _)| *s == a.slug)
                    .map(|(_, l)| l.get())
                    .max()
                    .map_or_else(|| "none".into(), |l| format!("M{l}")),
                chosen: chosen
                    .iter()
                    .find(|(s, _)| *s == a.slug)
                    .map_or(0, |(_, l)| *l),
            })
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "eligibility/candidates.html")]
pub(crate) struct CandidatesPage {
    chrome: Chrome,
    position: String,
    eligible: Vec<Candidate>,
    close: Vec<Candidate>,
    /// The next page's address, when there are more candidates.
    more: Option<String>,
}

/// A candidate, with what they hold now and for how long.
pub(crate) struct Candidate {
    href: String,
    name: String,
    /// "holds Engineer II since 2023-01-02 (10 months ago)".
    holds: String,
}

/// People leads only: who is eligible for a position, and who is one
/// milestone (one level on one ability) away; eligible people first, then
/// by name, 25 at a time (`?after=<person>`). Every member's awards come
/// in one statement and are decided in memory.
pub(crate) async fn candidates(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, position): ItemPath,
    After(after): After,
) -> Result<CandidatesPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ManagePeople).await?;
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let slug = position;
    let position = fw.position(&slug).ok_or(PageError::NotFound)?;
    let mut held_by = awards::held_in_org(&app.store, &ctx.org.id).await?;
    let holders = cairn_store::jobs::holders(&app.store, &ctx.org.id).await?;
    let mut found: Vec<(bool, cairn_store::members::Member)> = Vec::new();
    for m in cairn_store::members::list(&app.store, &ctx.org.id).await? {
        if m.status != MemberStatus::Active {
            continue;
        }
        let h = held_by.remove(&m.person.id).unwrap_or_default();
        let e = eligibility(&fw, position, &h);
        let one_level = |set: &Vec<(Slug, Level)>| levels_climbed(set, &h) == 1;
        if e.eligible {
            found.push((true, m));
        } else if e.gap_sets.iter().any(one_level) {
            found.push((false, m));
        }
    }
    // Eligible first, then by name (the members list's order).
    found.sort_by_key(|(eligible, _)| !eligible);
    let start = match &after {
        None => 0,
        Some(after) => {
            found
                .iter()
                .position(|(_, m)| &m.person.id == after)
                .ok_or(PageError::BadRequest(
                    "This \"more\" link is out of date. Go back to the first page.",
                ))?
                + 1
        }
    };
    let shown: Vec<_> = found.iter().skip(start).take(CANDIDATES_PAGE).collect();
    let more = (start + shown.len() < found.len())
        .then(|| shown.last().map(|(_, m)| m.person.id.as_str().to_owned()))
        .flatten()
        .map(|id| format!("/{org}/positions/{slug}/candidates?after={id}"));
    let now = app.now();
    let link = |m: &cairn_store::members::Member| Candidate {
        href: format!("/{org}/people/{}/positions/{slug}", m.person.id.as_str()),
        name: m.person.name.to_string(),
        holds: holders
            .iter()
            .find(|h| h.person == m.person.id)
            .and_then(|h| Some((h.position.as_ref()?, h.position_since?)))
            .map_or_else(
                || "holds no position".to_owned(),
                |(p, since)| {
                    format!(
                        "holds {} since {} ({})",
                        fw.position(p)
                            .map_or_else(|| p.to_string(), |x| x.title.to_string()),
                        cairn_domain::wording::date(since),
                        cairn_domain::wording::ago(since, now)
                    )
                },
            ),
    };
    Ok(CandidatesPage {
        chrome: ctx.chrome(&visitor),
        position: position.title.to_string(),
        eligible: shown
            .iter()
            .filter(|(e, _)| *e)
            .map(|(_, m)| link(m))
            .collect(),
        close: shown
            .iter()
            .filter(|(e, _)| !*e)
            .map(|(_, m)| link(m))
            .collect(),
        more,
    })
}

/// How many candidates a page shows.
const CANDIDATES_PAGE: usize = 25;

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/people/{person}/positions/{position}", show)
        .get("/{org}/positions/{position}/candidates", candidates)
}

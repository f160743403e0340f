//! JSON twins of a member's position and roles (`/people/{person}`) and of
//! the people leads' requirements list, through the same rules as the
//! pages: `jobs_view` for what is held, the progress audience for the
//! requirement lines, `standings` for each line.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use cairn_domain::awards::can_read_award;
use cairn_domain::jobs::{JobsView, Source, Standing, jobs_view, standings};
use cairn_domain::membership::MemberStatus;
use cairn_domain::policy::{self, Action};
use cairn_domain::visibility::can_see_progress;
use cairn_store::{awards, jobs};
use serde_json::{Value, json};

use super::people::member_and_reader;
use super::{ApiError, ApiVisitor, org_for, paged};
use crate::App;
use crate::extract::{After, MemberPath, OrgPath};
use crate::html::jobs::holders_standings;

/// Requirement lines a page of the list.
const PAGE: usize = 100;

fn standing_json(s: &Standing) -> Value {
    let (kind, slug) = match &s.source {
        Source::Position(p) => ("position", p.as_str()),
        Source::Role(r) => ("role", r.as_str()),
    };
    json!({
        "from": { "kind": kind, "slug": slug },
        "ability": s.ability.as_str(),
        "required": s.required.get(),
        "held": s.held.map(|l| l.get()),
        "levels_below": s.below(),
    })
}

/// A member: what they hold now and, for those who may see them, their
/// tenures and where they stand against what they hold.
pub(crate) async fn person_json(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    MemberPath(org, person): MemberPath,
) -> Result<Json<Value>, ApiError> {
    let (org, actor) = org_for(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let (member, reader) = member_and_reader(&app, &visitor, &org, &actor, &person).await?;
    let subject = &member.person.id;
    let assigns = policy::can(&actor, Action::AssignJobs, org.access());
    let lead = policy::can(&actor, Action::ManagePeople, org.access());
    let view = jobs_view(&reader, subject, assigns, org.positions_visible);
    let mut body = json!({
        "id": subject.as_str(),
        "name": member.person.name.as_str(),
        "status": if member.status == MemberStatus::Active { "active" } else { "departed" },
        "jobs_visible": match view {
            JobsView::Nothing => "nothing",
            JobsView::Current => "current",
            JobsView::History => "history",
        },
    });
    if view == JobsView::Nothing {
        return Ok(Json(body));
    }
    let held_jobs = jobs::of_person(&app.store, &org.id, subject).await?;
    let tenure = |t: &cairn_domain::jobs::Tenure| {
        json!({
            "kind": t.kind.as_str(),
            "slug": t.slug.as_str(),
            "name": t.name.as_str(),
            "since": t.since,
            "until": t.until,
        })
    };
    body["position"] = held_jobs.position().map_or(Value::Null, tenure);
    body["roles"] = held_jobs.roles().into_iter().map(tenure).collect();
    if view == JobsView::History {
        body["tenures"] = held_jobs
            .tenures
            .iter()
            .map(|t| {
                let mut v = tenure(t);
                v["set_by"] = json!(t.set_by.as_str());
                v["note"] = json!(t.note);
                v
            })
            .collect();
    }
    if can_see_progress(&reader, subject, lead) {
        let fw = cairn_store::framework::load(&app.store, &org).await?;
        let all = awards::of_person(&app.store, &org.id, subject).await?;
        let held = awards::held(
            all.iter()
                .filter(|a| can_read_award(&reader, &a.facts(), lead, false)),
        );
        let lines = standings(
            &fw,
            held_jobs.position().map(|t| &t.slug),
            &held_jobs.role_slugs(),
            &held,
        );
        body["requirements"] = lines.iter().map(standing_json).collect();
    }
    Ok(Json(body))
}

/// The people below a requirement of what they hold (people leads), by
/// name, a page at a time.
pub(crate) async fn requirements_json(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(slug): OrgPath,
    After(after): After,
) -> Result<Response, ApiError> {
    let (org, _) = org_for(&app, &visitor, &slug, Action::ManagePeople).await?;
    let fw = cairn_store::framework::load(&app.store, &org).await?;
    let holders = jobs::holders(&app.store, &org.id).await?;
    let held = awards::held_in_org(&app.store, &org.id).await?;
    let all = holders_standings(&fw, &holders, &held);
    let holding = all.len();
    let below: Vec<_> = all
        .into_iter()
        .filter(|(_, s)| s.iter().any(|x| !x.met()))
        .collect();
    let start = after.as_ref().map_or(0, |a| {
        below
            .iter()
            .position(|(h, _)| &h.person == a)
            .map_or(below.len(), |i| i + 1)
    });
    let page: Vec<_> = below.iter().skip(start).take(PAGE + 1).collect();
    let next = (page.len() > PAGE)
        .then(|| page.get(PAGE - 1))
        .flatten()
        .map(|(h, _)| {
            format!(
                "/api/v1/orgs/{slug}/requirements?after={}",
                h.person.as_str()
            )
        });
    let body = json!({
        "next": next,
        "holders": holding,
        "below": below.len(),
        "people": page.iter().take(PAGE).map(|(h, s)| json!({
            "id": h.person.as_str(),
            "name": h.name.as_str(),
            "position": h.position.as_ref().map(|p| p.as_str()),
            "roles": h.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "below": s.iter().filter(|x| !x.met()).map(standing_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    Ok(paged(Json(body), next))
}

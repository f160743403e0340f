//! JSON twins of observations, journeys (with awards) and eligibility,
//! through the same rules as the pages: `can_read` for observations,
//! `can_read_award` for awards, and the journey / eligibility audience.

use axum::Json;
use axum::extract::State;
use axum::http::header::LINK;
use axum::response::{IntoResponse, Response};
use cairn_domain::Level;
use cairn_domain::awards::can_read_award;
use cairn_domain::eligibility::eligibility;
use cairn_domain::journey::journey;
use cairn_domain::policy::{self, Action, Actor};
use cairn_domain::visibility::{Reader, can_read, can_see_progress, can_see_rating};
use cairn_store::observations::{self, Observation};
use cairn_store::orgs::OrgRecord;
use cairn_store::people::PersonId;
use cairn_store::{awards, members};
use serde_json::{Value, json};

use super::{ApiError, ApiVisitor, org_for};
use crate::App;
use crate::auth::Visitor;
use crate::extract::{MemberPath, MemberPositionPath, Older, OrgPath, RecordPath};

/// The member a journey or eligibility is about, and the caller as the
/// rule sees them there: whether that member reports to them (one
/// statement), not their whole reports-to tree.
pub(super) async fn member_and_reader(
    app: &App,
    visitor: &Visitor,
    org: &OrgRecord,
    actor: &Actor,
    person: &PersonId,
) -> Result<(members::Member, Reader<PersonId>), ApiError> {
    let viewer = visitor.person.as_ref().map(|p| &p.id);
    let (member, reports) = members::get_seen_by(&app.store, &org.id, person, viewer)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let is_member = matches!(actor, Actor::Member(_));
    let reader =
        observations::reader_with(viewer, is_member, reports.then(|| member.person.id.clone()));
    Ok((member, reader))
}

fn observation_json(o: &Observation, reader: &Reader<PersonId>) -> Value {
    let facts = o.facts();
    json!({
        "id": o.id,
        "observer": o.observer.name.as_str(),
        "observees": o.observees.iter().map(|p| json!({ "id": p.id.as_str(), "name": p.name.as_str() })).collect::<Vec<_>>(),
        "story": o.story.as_str(),
        "observed_on": o.observed_on,
        "privacy": o.privacy.as_str(),
        "published": o.published_at.is_some(),
        "ratings": o.ratings.iter().filter(|r| can_see_rating(reader, &facts, r.rating))
            .map(|r| json!({ "ability": r.ability.as_str(), "rating": r.rating.as_str() })).collect::<Vec<_>>(),
    })
}

/// The observations the caller may read, newest first, a page at a time:
/// `next` (and a `Link: <…>; rel="next"` header) is the older page.
pub(crate) async fn list(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(org): OrgPath,
    Older(older): Older,
) -> Result<Response, ApiError> {
    let slug = org;
    let (org, actor) = org_for(&app, &visitor, &slug, Action::ReadFramework).await?;
    let member = matches!(actor, Actor::Member(_));
    let person = visitor.person.as_ref().map(|p| &p.id);
    let cards = observations::visible_page(
        &app.store,
        &org.id,
        person,
        member,
        older.as_ref(),
        Some(observations::PAGE),
    )
    .await?;
    let r = cards.reader(person, member);
    let next = cards
        .older
        .map(|c| format!("/api/v1/orgs/{slug}/observations?older={}", c.param()));
    let body = Json(json!({
        "observations": cards.list.iter().map(|o| observation_json(o, &r)).collect::<Vec<_>>(),
        "next": next,
    }));
    Ok(match next {
        Some(next) => ([(LINK, format!("<{next}>; rel=\"next\""))], body).into_response(),
        None => body.into_response(),
    })
}

pub(crate) async fn one(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    RecordPath(org, id): RecordPath,
) -> Result<Json<Value>, ApiError> {
    let (org, actor) = org_for(&app, &visitor, &org, Action::ReadFramework).await?;
    let member = matches!(actor, Actor::Member(_));
    let person = visitor.person.as_ref().map(|p| &p.id);
    let (o, reports) = observations::get(&app.store, &org.id, person, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let r = observations::reader_with(person, member, reports);
    if !can_read(&r, &o.facts()) {
        return Err(ApiError::not_found());
    }
    Ok(Json(observation_json(&o, &r)))
}

/// A member's journey: miles from the awards the caller may read.
pub(crate) async fn journey_json(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    MemberPath(org, person): MemberPath,
) -> Result<Json<Value>, ApiError> {
    let (org, actor) = org_for(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let lead = policy::can(&actor, Action::ManagePeople, org.access());
    let (member, r) = member_and_reader(&app, &visitor, &org, &actor, &person).await?;
    let all = awards::of_person(&app.store, &org.id, &member.person.id).await?;
    let visible: Vec<_> = all
        .iter()
        .filter(|a| can_read_award(&r, &a.facts(), lead, false))
        .collect();
    let held = awards::held(visible.iter().copied());
    let j = journey(held.iter().map(|(s, l)| (s, *l)), &org.org.miles);
    // Evidence shows only observations the caller may read; the rest are
    // counted, never named.
    let readable = if visible.iter().any(|a| !a.evidence.is_empty()) {
        observations::readable_ids_of(
            &app.store,
            &org.id,
            r.person.as_ref(),
            r.member,
            &member.person.id,
        )
        .await?
    } else {
        Default::default()
    };
    Ok(Json(json!({
        "person": { "id": member.person.id.as_str(), "name": member.person.name.as_str() },
        "total_miles": j.total,
        "abilities": j.abilities.iter().map(|a| json!({ "ability": a.ability.as_str(), "level": a.level.get(), "miles": a.miles })).collect::<Vec<_>>(),
        "awards": visible.iter().map(|a| json!({
            "id": a.id,
            "ability": a.ability.as_str(),
            "level": a.level.get(),
            "certifier": a.certifier_name.as_str(),
            "awarded_at": a.awarded_at,
            "note": a.note,
            "visibility": a.visibility.as_str(),
            "revoked": a.revoked,
            "evidence": a.evidence.iter().filter(|e| readable.contains(*e)).collect::<Vec<_>>(),
            "evidence_hidden": a.evidence.iter().filter(|e| !readable.contains(*e)).count(),
        })).collect::<Vec<_>>(),
    })))
}

/// Eligibility for a position: for the member, their managers and people leads.
pub(crate) async fn eligibility_json(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    MemberPositionPath(org, person, position): MemberPositionPath,
) -> Result<Json<Value>, ApiError> {
    let (org, actor) = org_for(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let lead = policy::can(&actor, Action::ManagePeople, org.access());
    let (member, r) = member_and_reader(&app, &visitor, &org, &actor, &person).await?;
    let id = &member.person.id;
    if !can_see_progress(&r, id, lead) {
        return Err(ApiError::not_found());
    }
    let fw = cairn_store::framework::load(&app.store, &org).await?;
    let position = fw.position(&position).ok_or_else(ApiError::not_found)?;
    let all = awards::of_person(&app.store, &org.id, id).await?;
    let held = awards::held(
        all.iter()
            .filter(|a| can_read_award(&r, &a.facts(), lead, false)),
    );
    let e = eligibility(&fw, position, &held);
    Ok(Json(json!({
        "eligible": e.eligible,
        "miles_earned": e.miles_earned,
        "miles_required": e.miles_required,
        "requirements": e.requirements.iter().map(|q| json!({
            "ability": q.ability.as_str(),
            "required": q.required.get(),
            "held": q.held.map(Level::get),
            "levels_missing": q.levels_missing,
            "miles_short": q.miles_short,
        })).collect::<Vec<_>>(),
        "gap_set_count": e.gap_set_count,
        "gap_sets_complete": e.gap_sets_complete,
        "gap_sets": e.gap_sets.iter().map(|s| s.iter().map(|(a, l)| json!({ "ability": a.as_str(), "level": l.get() })).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })))
}

//! `/api/v1/orgs/{org}/insights`: the insights page's report as JSON, for
//! the same viewers (people leads: everyone; managers: their reports) and
//! through the same privacy rule: it is the domain's report, serialized.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_domain::insights::{self, Viewer};
use cairn_domain::policy::Action;
use serde_json::json;

use super::{ApiError, ApiVisitor, org_for};
use crate::App;
use crate::extract::OrgPath;
use crate::html::insights::{InsightsQuery, PAGE, load, viewer_of};

pub(crate) async fn report(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(slug): OrgPath,
    Query(q): Query<InsightsQuery>,
) -> Result<Response, ApiError> {
    let (org, actor) = org_for(&app, &visitor, &slug, Action::ReadMemberContent).await?;
    let person = visitor.person.as_ref().map(|p| &p.id);
    let viewer = viewer_of(&app, &org, &actor, person)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let days = insights::period(&q.days)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "Bad period", e))?;
    let page = match q.page.trim() {
        "" => 1,
        p => p.parse::<usize>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "Bad page",
                "Give the page as a whole number from 1.",
            )
        })?,
    };
    let l = load(&app, &org, viewer, person, days).await?;
    let names: Vec<_> = l
        .not_observed
        .iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|(id, name)| json!({ "id": id.as_str(), "name": name }))
        .collect();
    let more = l.not_observed.len() > page * PAGE;
    Ok(Json(json!({
        "scope": match l.viewer { Viewer::Organization => "organization", Viewer::Reports => "reports" },
        "days": l.days,
        "report": l.report,
        "not_observed": {
            "days": l.list_days,
            "total": l.report.people.map(|_| l.not_observed.len()),
            "page": page,
            "members": names,
            "next": more.then(|| format!("/api/v1/orgs/{slug}/insights?days={}&page={}", l.days, page + 1)),
        },
    }))
    .into_response())
}

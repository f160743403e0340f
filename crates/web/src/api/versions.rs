//! Published versions in the API: the list, one version's framework file
//! (what `cairn fork` copies from another instance), and the semantic diff
//! of any two, in the words the changes page uses.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_domain::changes::{self, Weight};
use cairn_domain::file::{self, Format};
use cairn_domain::policy::Action;
use cairn_domain::{Framework, OrgSlug};
use cairn_store::versions;
use serde_json::{Value, json};

use super::{ApiError, ApiVisitor, org_for};
use crate::App;
use crate::extract::{BeforeVersion, OrgPath};

const PER_PAGE: i64 = 50;

/// `GET /api/v1/orgs/{org}/versions`: newest first, paged by `before`.
pub(crate) async fn list(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(slug): OrgPath,
    BeforeVersion(before): BeforeVersion,
) -> Result<Response, ApiError> {
    let (org, _) = org_for(&app, &visitor, &slug, Action::ReadFramework).await?;
    let (list, next) = versions::list(&app.store, &org.id, before, PER_PAGE).await?;
    let next = next.map(|n| format!("/api/v1/orgs/{slug}/versions?before={n}"));
    let body = Json(json!({
        "versions": list.iter().map(|v| json!({
            "number": v.number,
            "notes": v.notes,
            "published_at": v.published_at,
            "published_by": (!v.by.is_empty()).then_some(&v.by),
            "framework": format!("/api/v1/orgs/{slug}/versions/{}", v.number),
            "case_package": format!(
                "{}/CFPackages/{}",
                cairn_domain::case::API,
                cairn_domain::case::version_identifier(org.id.as_str(), v.number)
            ),
        })).collect::<Vec<_>>(),
        "next": next,
    }));
    let mut response = body.into_response();
    if let Some(next) = next.as_deref()
        && let Ok(link) = format!("<{next}>; rel=\"next\"").parse()
    {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

async fn framework_at(
    app: &App,
    org: &cairn_store::orgs::OrgRecord,
    number: i64,
) -> Result<Framework, ApiError> {
    let text = versions::snapshot(&app.store, &org.id, number)
        .await?
        .ok_or_else(ApiError::not_found)?;
    file::parse(&text).map_err(|p| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            format!("a stored version does not parse: {p:?}"),
        )
    })
}

/// `GET /api/v1/orgs/{org}/versions/{number}`: the version's framework
/// file (`format: cairn/1`, with its `version` and `licence`).
pub(crate) async fn one(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path((org, number)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let slug = OrgSlug::parse(&org).map_err(|_| ApiError::not_found())?;
    let (org, _) = org_for(&app, &visitor, &slug, Action::ReadFramework).await?;
    let number = match number.as_str() {
        "latest" => versions::latest(&app.store, &org.id)
            .await?
            .ok_or_else(ApiError::not_found)?,
        n => n.parse::<i64>().map_err(|_| ApiError::not_found())?,
    };
    let fw = framework_at(&app, &org, number).await?;
    let text = file::write_version(&fw, Format::Json, u32::try_from(number).ok()).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            e.to_string(),
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

/// The changes from one framework to another, as the API shows them.
pub(crate) fn changes_json(before: &Framework, after: &Framework) -> Value {
    let list = changes::diff(before, after);
    json!({
        "raises_the_bar": changes::raises_the_bar(&list),
        "changes": list.iter().map(|c| json!({
            "kind": c.kind(),
            "weight": match c.weight() {
                Weight::RaisesTheBar => "raises_the_bar",
                Weight::Editorial => "editorial",
            },
            "text": c.describe(),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/orgs/{org}/changes/{from}/{to}`: what changed from one
/// published version to another (`latest` names the newest).
pub(crate) async fn compare(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path((org, from, to)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let slug = OrgSlug::parse(&org).map_err(|_| ApiError::not_found())?;
    let (org, _) = org_for(&app, &visitor, &slug, Action::ReadFramework).await?;
    let latest = versions::latest(&app.store, &org.id).await?.unwrap_or(0);
    let number = |s: &str| match s {
        "latest" => Ok(latest),
        n => n.parse::<i64>().map_err(|_| ApiError::not_found()),
    };
    let (from, to) = (number(&from)?, number(&to)?);
    let (a, b) = (
        framework_at(&app, &org, from).await?,
        framework_at(&app, &org, to).await?,
    );
    let mut body = changes_json(&a, &b);
    body["from"] = json!(from);
    body["to"] = json!(to);
    Ok(Json(body))
}

/// `GET /api/v1/orgs/{org}/lineage`: the framework's licence, the
/// attribution it carries, and where it was forked from (oldest first):
/// what a fork of it on another instance records as its own lineage.
pub(crate) async fn lineage(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(slug): OrgPath,
) -> Result<Response, ApiError> {
    let (org, _) = org_for(&app, &visitor, &slug, Action::ReadFramework).await?;
    let fork = cairn_store::framework::fork::get(&app.store, &org.id).await?;
    Ok(Json(json!({
        "licence": org.org.licence.as_str(),
        "attribution": org.org.attribution,
        "forked_from": cairn_store::framework::fork::lineage_to_json(
            &fork.map(|f| f.lineage).unwrap_or_default()
        ),
    }))
    .into_response())
}

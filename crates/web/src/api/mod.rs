//! The JSON API under `/api/v1`. Authenticate with a personal token
//! (`Authorization: Bearer cairn_pat_…`) or a session cookie; tokens act
//! with their owner's rights, through the same policy as the pages.
//! Errors are RFC 9457 problem details.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::OrgSlug;
use cairn_domain::file::{self, Format};
use cairn_domain::membership::MemberStatus;
use cairn_domain::policy::{self, Action};
use cairn_store::orgs::{self, OrgRecord};
use cairn_store::{StoreError, members};
use serde_json::{Value, json};

use crate::App;
use crate::auth::{self, Visitor};
use crate::extract::OrgPath;

mod case;
mod check_ins;
mod explore;
mod framework;
mod insights;
mod jobs;
mod openapi;
mod people;
mod versions;

use crate::routes::Area;

pub(crate) fn routes() -> Area {
    Area::new()
        .get("/api/v1/openapi.json", openapi::spec)
        .get("/api/v1/me", me)
        .get("/api/v1/orgs/{org}/abilities", framework::abilities)
        .get("/api/v1/orgs/{org}/abilities/{item}", framework::ability)
        .get("/api/v1/orgs/{org}/roles", framework::roles)
        .get("/api/v1/orgs/{org}/positions", framework::positions)
        .get("/api/v1/orgs/{org}/health", framework::health_report)
        .get("/api/v1/orgs/{org}/insights", insights::report)
        .get("/api/v1/orgs/{org}/explore", explore::outcome)
        .get("/api/v1/orgs/{org}/observations", people::list)
        .get("/api/v1/orgs/{org}/observations/{id}", people::one)
        .get("/api/v1/orgs/{org}/people/{person}", jobs::person_json)
        .get("/api/v1/orgs/{org}/requirements", jobs::requirements_json)
        .get(
            "/api/v1/orgs/{org}/people/{person}/check-ins",
            check_ins::list,
        )
        .get("/api/v1/orgs/{org}/check-ins/{id}", check_ins::one)
        .get(
            "/api/v1/orgs/{org}/people/{person}/journey",
            people::journey_json,
        )
        .get(
            "/api/v1/orgs/{org}/people/{person}/positions/{position}/eligibility",
            people::eligibility_json,
        )
        .get(
            "/api/v1/orgs/{org}/{area}/{slug}/history",
            framework::item_history,
        )
        .get(
            "/api/v1/orgs/{org}/{area}/{slug}/conversations",
            framework::item_conversations,
        )
        .get("/api/v1/orgs/{org}/framework", framework_json)
        .get("/api/v1/orgs/{org}/members", members_json)
        .get("/api/v1/orgs/{org}/versions", versions::list)
        .get("/api/v1/orgs/{org}/versions/{number}", versions::one)
        .get("/api/v1/orgs/{org}/changes/{from}/{to}", versions::compare)
        .get("/api/v1/orgs/{org}/lineage", versions::lineage)
        .get("/ims/case/v1p1/CFDocuments", case::documents)
        .get("/ims/case/v1p1/CFDocuments/{id}", case::one_document)
        .get("/ims/case/v1p1/CFPackages/{id}", case::package)
        .get("/ims/case/v1p1/CFItems/{id}", case::item)
        .get("/ims/case/v1p1/CFAssociations/{id}", case::association)
        .get("/ims/case/v1p1/CFRubrics/{id}", case::rubric)
        .get("/ims/case/v1p1/CFItemTypes/{id}", case::item_type)
        .get("/api/v1/{*rest}", unknown)
}

/// A problem, as `application/problem+json`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    title: &'static str,
    detail: String,
}

impl ApiError {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            title,
            detail: detail.into(),
        }
    }

    /// The problem for a status some other part of the stack answered.
    pub(crate) fn from_status(status: StatusCode) -> Self {
        let (title, detail) = match status.as_u16() {
            400 => (
                "Bad request",
                "The request could not be read (for example, a path that is not UTF-8).",
            ),
            401 => (
                "Unauthorized",
                "Send a personal token as `Authorization: Bearer …`.",
            ),
            403 => ("Forbidden", "This request is not allowed."),
            404 => ("Not found", "There is nothing here, or you may not see it."),
            405 => (
                "Method not allowed",
                "This address does not take that method; see the Allow header.",
            ),
            408 => ("Request timeout", "The request took too long to arrive."),
            413 => ("Payload too large", "Request bodies are at most 1 MiB."),
            414 => ("URI too long", "Addresses are at most 8 KiB long."),
            415 => (
                "Unsupported media type",
                "This address does not take that content type.",
            ),
            422 => (
                "Unprocessable content",
                "The request was read but is not valid.",
            ),
            429 => (
                "Too many requests",
                "Wait as long as Retry-After says, then try again.",
            ),
            503 => (
                "Unavailable",
                "The service is unavailable; try again shortly.",
            ),
            s if s >= 500 => ("Internal error", "A fault on our side."),
            _ => ("Error", "The request could not be answered."),
        };
        Self::new(status, title, detail)
    }

    pub(crate) fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is nothing here, or you may not see it.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "api: database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Unavailable",
                    "The database cannot be reached; try again shortly.",
                )
            }
            other => {
                tracing::error!(error = %other, "api: internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error",
                    "A fault on our side.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        let mut response = (self.status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The API's view of who is asking.
pub(crate) struct ApiVisitor(Visitor);

impl FromRequestParts<App> for ApiVisitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        Ok(ApiVisitor(auth::identify(app, parts).await?))
    }
}

async fn unknown() -> ApiError {
    ApiError::not_found()
}

async fn me(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
) -> Result<Json<Value>, ApiError> {
    let person = visitor.person.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Send a personal token as `Authorization: Bearer …`.",
        )
    })?;
    let orgs = members::organizations_of(&app.store, &person.id).await?;
    Ok(Json(json!({
        "email": person.email.as_str(),
        "name": person.name.as_str(),
        "organizations": orgs.iter().map(|(slug, name)| json!({ "slug": slug.as_str(), "name": name.as_str() })).collect::<Vec<_>>(),
    })))
}

/// An organization the visitor may act on, and who they are there (read
/// in the same statement); anything else is a 404.
pub(crate) async fn org_for(
    app: &App,
    visitor: &Visitor,
    slug: &OrgSlug,
    action: Action,
) -> Result<(OrgRecord, cairn_domain::policy::Actor), ApiError> {
    let (org, standing, _) =
        orgs::by_slug_as(&app.store, slug, visitor.person.as_ref().map(|p| &p.id))
            .await?
            .ok_or_else(ApiError::not_found)?;
    let actor = crate::auth::actor_of(visitor, standing);
    policy::require(&actor, action, org.access()).map_err(|_| ApiError::not_found())?;
    Ok((org, actor))
}

/// The framework in the import/export format (`format: cairn/1`).
async fn framework_json(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(org): OrgPath,
) -> Result<Response, ApiError> {
    let (org, _) = org_for(&app, &visitor, &org, Action::ReadFramework).await?;
    let fw = cairn_store::framework::load(&app.store, &org).await?;
    let text = file::write(&fw, Format::Json).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            e.to_string(),
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

async fn members_json(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(org): OrgPath,
    crate::extract::After(after): crate::extract::After,
) -> Result<Response, ApiError> {
    let slug = org;
    let (org, actor) = org_for(&app, &visitor, &slug, Action::ReadMemberContent).await?;
    let show_email = policy::can(&actor, Action::ManageMembers, org.access());
    let (list, next) = members::page(&app.store, &org.id, "", true, after.as_ref(), 100).await?;
    let next = next.map(|id| format!("/api/v1/orgs/{slug}/members?after={}", id.as_str()));
    let body = Json(json!({
        "next": next,
        "members": list
            .iter()
            .map(|l| &l.member)
            .filter(|m| m.status == MemberStatus::Active)
            .map(|m| {
                let mut v = json!({
                    "id": m.person.id.as_str(),
                    "name": m.person.name.as_str(),
                    "capabilities": m.capabilities.list().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                    "manager": m.manager.as_ref().map(|p| p.as_str()),
                });
                if show_email {
                    v["email"] = json!(m.person.email.as_str());
                }
                v
            })
            .collect::<Vec<_>>(),
    }));
    Ok(paged(body, next))
}

/// A page of a list: the body, and the next page's address as a `Link`
/// header too when there is one.
pub(crate) fn paged(body: Json<Value>, next: Option<String>) -> Response {
    match next {
        Some(next) => ([(header::LINK, format!("<{next}>; rel=\"next\""))], body).into_response(),
        None => body.into_response(),
    }
}

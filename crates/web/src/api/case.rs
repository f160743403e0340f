//! The CASE 1.1 REST binding's read side, under `/ims/case/v1p1`: the
//! documents (`CFDocuments`), a framework's package (`CFPackages/{id}`) and
//! its parts (`CFItems`, `CFAssociations`, `CFRubrics`, `CFItemTypes`). A
//! framework is readable here exactly when its pages are (the policy's
//! `ReadFramework`); anything else is a 404. The mapping and identifiers:
//! `cairn_domain::case`.

use axum::Json;
use axum::extract::{Path, Query, State};
use cairn_domain::case;
use cairn_domain::policy::Action;
use cairn_store::orgs::{self, OrgRecord};
use cairn_store::versions;
use serde_json::{Value, json};

use super::{ApiError, ApiVisitor, org_for};
use crate::App;
use crate::auth::Visitor;

/// What an identifier names in its organization.
enum Named {
    /// The framework: its latest version.
    Latest,
    Version(i64),
    /// Something inside the latest version's package.
    Part,
}

/// The organization an identifier belongs to, if the visitor may read it.
async fn find(app: &App, visitor: &Visitor, id: &str) -> Result<(OrgRecord, Named), ApiError> {
    let prefix = case::org_prefix(id).ok_or_else(ApiError::not_found)?;
    let id = id.to_ascii_lowercase();
    for slug in orgs::slugs_by_id_prefix(&app.store, &prefix).await? {
        let Ok((org, _)) = org_for(app, visitor, &slug, Action::ReadFramework).await else {
            continue;
        };
        if case::document_identifier(org.id.as_str()) == id {
            return Ok((org, Named::Latest));
        }
        let latest = versions::latest(&app.store, &org.id).await?.unwrap_or(0);
        if let Some(n) = (1..=latest).find(|&n| case::version_identifier(org.id.as_str(), n) == id)
        {
            return Ok((org, Named::Version(n)));
        }
        return Ok((org, Named::Part));
    }
    Err(ApiError::not_found())
}

async fn package_of(app: &App, org: &OrgRecord, pinned: Option<i64>) -> Result<Value, ApiError> {
    cairn_store::case::package(&app.store, org, pinned, &app.absolute_base())
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The document as the CFDocuments endpoints show it: with its package.
fn document(package: &Value, base: &str) -> Value {
    let mut doc = package["CFDocument"].clone();
    let id = doc["identifier"].as_str().unwrap_or_default().to_owned();
    doc["CFPackageURI"] = json!({
        "title": doc["title"],
        "identifier": id,
        "uri": format!("{base}{}/CFPackages/{id}", case::API),
    });
    doc
}

/// The framework a document identifier names, and the version it pins
/// (None: the latest); anything else is a 404.
async fn document_of(
    app: &App,
    visitor: &Visitor,
    id: &str,
) -> Result<(OrgRecord, Option<i64>), ApiError> {
    match find(app, visitor, id).await? {
        (org, Named::Latest) => Ok((org, None)),
        (org, Named::Version(n)) => Ok((org, Some(n))),
        (_, Named::Part) => Err(ApiError::not_found()),
    }
}

/// `GET /ims/case/v1p1/CFPackages/{id}`.
pub(crate) async fn package(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (org, pinned) = document_of(&app, &visitor, &id).await?;
    Ok(Json(package_of(&app, &org, pinned).await?))
}

/// `GET /ims/case/v1p1/CFDocuments/{id}`.
pub(crate) async fn one_document(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (org, pinned) = document_of(&app, &visitor, &id).await?;
    let p = package_of(&app, &org, pinned).await?;
    Ok(Json(document(&p, &app.absolute_base())))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct Paging {
    limit: Option<String>,
    offset: Option<String>,
}

/// `GET /ims/case/v1p1/CFDocuments`: every published framework (its
/// latest version), `limit` (at most 50) and `offset` as the binding has
/// them, in one statement; a published version's own document is listed in
/// `/api/v1/orgs/{org}/versions` (`case_package`).
pub(crate) async fn documents(
    State(app): State<App>,
    Query(paging): Query<Paging>,
) -> Result<Json<Value>, ApiError> {
    let limit = paging
        .limit
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(orgs::PUBLISHED_PAGE)
        .clamp(1, orgs::PUBLISHED_PAGE);
    let offset = paging
        .offset
        .and_then(|o| o.parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, i64::from(i32::MAX));
    let base = app.absolute_base();
    let mut docs = Vec::new();
    for d in cairn_store::case::documents(&app.store, limit, offset).await? {
        let id = case::document_identifier(d.org_id.as_str());
        let mut doc = json!({
            "identifier": id,
            "uri": format!("{base}/{}", d.slug),
            "creator": d.name.as_str(),
            "title": d.name.as_str(),
            "lastChangeDateTime": cairn_domain::wording::timestamp(d.changed_at),
            "caseVersion": "1.1",
            "CFPackageURI": {
                "title": d.name.as_str(),
                "identifier": id,
                "uri": format!("{base}{}/CFPackages/{id}", case::API),
            },
        });
        if let Some(n) = d.version {
            doc["version"] = json!(n.to_string());
        }
        docs.push(doc);
    }
    Ok(Json(json!({ "CFDocuments": docs })))
}

/// One part of the latest package, by identifier, with the document it
/// belongs to.
async fn part(
    app: &App,
    visitor: &Visitor,
    id: &str,
    list: fn(&Value) -> Vec<&Value>,
) -> Result<Json<Value>, ApiError> {
    let (org, _) = find(app, visitor, id).await?;
    let p = package_of(app, &org, None).await?;
    let id = id.to_ascii_lowercase();
    let mut found = list(&p)
        .into_iter()
        .find(|v| v["identifier"] == id.as_str())
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let doc = &p["CFDocument"];
    found["CFDocumentURI"] = json!({
        "title": doc["title"],
        "identifier": doc["identifier"],
        "uri": doc["uri"],
    });
    Ok(Json(found))
}

fn array<'a>(v: &'a Value, key: &str) -> Vec<&'a Value> {
    v[key]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// `GET /ims/case/v1p1/CFItems/{id}`.
pub(crate) async fn item(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    part(&app, &visitor, &id, |p| array(p, "CFItems")).await
}

/// `GET /ims/case/v1p1/CFAssociations/{id}`.
pub(crate) async fn association(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    part(&app, &visitor, &id, |p| array(p, "CFAssociations")).await
}

/// `GET /ims/case/v1p1/CFRubrics/{id}`.
pub(crate) async fn rubric(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    part(&app, &visitor, &id, |p| array(p, "CFRubrics")).await
}

/// `GET /ims/case/v1p1/CFItemTypes/{id}`.
pub(crate) async fn item_type(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    part(&app, &visitor, &id, |p| {
        array(&p["CFDefinitions"], "CFItemTypes")
    })
    .await
}

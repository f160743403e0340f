//! `/api/v1/openapi.json`: the API described in OpenAPI 3.1.
//!
//! Written out here rather than derived: the API is small, every response
//! needs a description anyway, and it keeps a proc-macro dependency out of
//! the build. `PATHS` is the one list of documented operations; a test
//! calls each one, so the description cannot drift from the router.

use axum::Json;
use serde_json::{Map, Value, json};

/// (path, summary, who may call it, response description)
pub(crate) const PATHS: &[(&str, &str, &str, &str)] = &[
    (
        "/api/v1/me",
        "The signed-in person and their organizations",
        "any signed-in person",
        "Email, name and organizations.",
    ),
    (
        "/api/v1/orgs/{org}/framework",
        "The whole framework in the import/export format",
        "anyone when published; members",
        "A `cairn/1` framework document.",
    ),
    (
        "/api/v1/orgs/{org}/versions",
        "The published versions, newest first",
        "anyone when published; members",
        "Number, release notes, when and by whom; `next` for older ones.",
    ),
    (
        "/api/v1/orgs/{org}/versions/{number}",
        "One published version's framework file",
        "anyone when published; members",
        "A `cairn/1` framework document with its `version` (and `licence`).",
    ),
    (
        "/ims/case/v1p1/CFDocuments",
        "CASE 1.1: the published frameworks as CFDocuments",
        "anyone",
        "`CFDocuments`: each published framework's latest version, with its `CFPackageURI`; `limit` (at most 50) and `offset`.",
    ),
    (
        "/ims/case/v1p1/CFDocuments/{id}",
        "CASE 1.1: one CFDocument",
        "anyone when published; members",
        "The CFDocument of a framework (its latest version) or of one published version.",
    ),
    (
        "/ims/case/v1p1/CFPackages/{id}",
        "CASE 1.1: a framework as a CFPackage",
        "anyone when published; members",
        "The CFDocument with every CFItem, CFAssociation, CFRubric and definition; the mapping is in the README, \"Open standards\".",
    ),
    (
        "/ims/case/v1p1/CFItems/{id}",
        "CASE 1.1: one CFItem of the latest version",
        "anyone when published; members",
        "An ability, category, role or position, with its `CFDocumentURI`.",
    ),
    (
        "/ims/case/v1p1/CFAssociations/{id}",
        "CASE 1.1: one CFAssociation of the latest version",
        "anyone when published; members",
        "A hierarchy link (`isChildOf`) or a requirement (`isRelatedTo`, its milestone in `extensions.cairn.requires`).",
    ),
    (
        "/ims/case/v1p1/CFRubrics/{id}",
        "CASE 1.1: one ability's milestones as a CFRubric",
        "anyone when published; members",
        "One criterion with five levels: `quality` the summary, `description` the examples, `score` the miles.",
    ),
    (
        "/ims/case/v1p1/CFItemTypes/{id}",
        "CASE 1.1: one CFItemType",
        "anyone when published; members",
        "Ability, Category, Role or Position.",
    ),
    (
        "/api/v1/orgs/{org}/lineage",
        "Where the framework was forked from, and its licence",
        "anyone when published; members",
        "`licence`, `attribution` and `forked_from` (oldest first: name, url, version); what `cairn fork` records.",
    ),
    (
        "/api/v1/orgs/{org}/changes/{from}/{to}",
        "What changed from one published version to another",
        "anyone when published; members",
        "Each change's kind, weight (`raises_the_bar` or `editorial`) and sentence.",
    ),
    (
        "/api/v1/orgs/{org}/abilities",
        "The abilities",
        "anyone when published; members",
        "Slug, name and category of each active ability.",
    ),
    (
        "/api/v1/orgs/{org}/abilities/{item}",
        "One ability with milestones, health and requirements",
        "anyone when published; members",
        "The ability, its five milestones with miles, its configuration health and who requires it.",
    ),
    (
        "/api/v1/orgs/{org}/roles",
        "The roles",
        "anyone when published; members",
        "Each role with its requirements.",
    ),
    (
        "/api/v1/orgs/{org}/positions",
        "The positions",
        "anyone when published; members",
        "Each position with its roles, own and derived requirements and required miles.",
    ),
    (
        "/api/v1/orgs/{org}/health",
        "The framework health report",
        "anyone when published; members",
        "Every ability's checks and the organization-wide findings.",
    ),
    (
        "/api/v1/orgs/{org}/abilities/{item}/history",
        "An ability's history",
        "anyone when published; members",
        "Changes, newest first, with the fields each changed.",
    ),
    (
        "/api/v1/orgs/{org}/roles/{item}/history",
        "A role's history",
        "anyone when published; members",
        "Changes, newest first, with the fields each changed.",
    ),
    (
        "/api/v1/orgs/{org}/positions/{item}/history",
        "A position's history",
        "anyone when published; members",
        "Changes, newest first, with the fields each changed.",
    ),
    (
        "/api/v1/orgs/{org}/abilities/{item}/conversations",
        "Conversations about an ability",
        "members",
        "Threads with their comments.",
    ),
    (
        "/api/v1/orgs/{org}/roles/{item}/conversations",
        "Conversations about a role",
        "members",
        "Threads with their comments.",
    ),
    (
        "/api/v1/orgs/{org}/positions/{item}/conversations",
        "Conversations about a position",
        "members",
        "Threads with their comments.",
    ),
    (
        "/api/v1/orgs/{org}/members",
        "The active members, by name, a page at a time",
        "members (emails for admins)",
        "Members with capabilities and managers; `next` is the next page.",
    ),
    (
        "/api/v1/orgs/{org}/observations",
        "Observations the caller may read",
        "anyone when published (public ones); members by the visibility rule",
        "Observations, newest first, with the ratings the caller may see; `next` is the older page.",
    ),
    (
        "/api/v1/orgs/{org}/observations/{id}",
        "One observation",
        "whoever the visibility rule allows",
        "The observation.",
    ),
    (
        "/api/v1/orgs/{org}/people/{person}",
        "A member, and the position and roles they hold",
        "members (what is held now: by the organization's setting; tenures: the member, their managers, admins, people leads; requirement lines: the member, their managers, people leads)",
        "The member; `jobs_visible` says what the caller may see; `position`, `roles`, `tenures` (newest first) and `requirements` (each with `levels_below`) as allowed.",
    ),
    (
        "/api/v1/orgs/{org}/requirements",
        "Who is below a requirement of what they hold, by name, a page at a time",
        "people leads",
        "Counts, then people with their position, roles and the requirements they are below; `next` is the next page.",
    ),
    (
        "/api/v1/orgs/{org}/people/{person}/check-ins",
        "A member's check-ins, newest first",
        "the member, their managers, people leads; admins when the organization lets them",
        "Each check-in's position, stage (open, revealed, finalized, acknowledged), dates and overall rating.",
    ),
    (
        "/api/v1/orgs/{org}/check-ins/{id}",
        "One check-in",
        "the member, their managers, people leads; admins when the organization lets them",
        "Both sides (each side's entries only once both are completed, or to its own author), the agreed ratings and, once finalized, the snapshot it was measured against.",
    ),
    (
        "/api/v1/orgs/{org}/explore",
        "The playground: what chosen milestones would meet",
        "whoever may read the framework (anyone, when it is published)",
        "`m=slug:level,…` chooses milestones (unknown abilities, levels outside 1 to 5 and repeats are left out and counted in `ignored`, named in `notice`); the answer has the miles, the positions met, the closest position not met with its first gap sets, and the miles band.",
    ),
    (
        "/api/v1/orgs/{org}/insights",
        "Insights: coverage, concentration, the team matrix, rating patterns",
        "people leads (everyone) and managers (their reports)",
        "The insights report over the last `days` days (default 90): only observations shared with the whole organization, no figure about fewer than 5 people (hidden groups say why), and a page (`page`) of the members not observed lately.",
    ),
    (
        "/api/v1/orgs/{org}/people/{person}/journey",
        "A member's journey",
        "members (awards by the award visibility rule)",
        "Total miles, miles per ability, and awards; an award's evidence lists the observations the caller may read, and evidence_hidden counts the others.",
    ),
    (
        "/api/v1/orgs/{org}/people/{person}/positions/{position}/eligibility",
        "Eligibility for a position",
        "the member, their managers, people leads",
        "Requirements met or missing, miles, and the smallest gap sets.",
    ),
];

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } },
    })
}

fn operation(path: &str, summary: &str, who: &str, ok: &str) -> Value {
    let mut parameters = Vec::new();
    for (name, what) in [
        ("org", "The organization's slug."),
        ("item", "The ability's, role's or position's slug."),
        (
            "id",
            "The observation's or check-in's id, or a CASE identifier.",
        ),
        ("person", "The member's id."),
        ("position", "The position's slug."),
    ] {
        if path.contains(&format!("{{{name}}}")) {
            parameters.push(json!({ "name": name, "in": "path", "required": true, "description": what, "schema": { "type": "string" } }));
        }
    }
    for (name, what) in [
        ("number", "A published version's number, or `latest`."),
        ("from", "The earlier version's number."),
        ("to", "The later version's number."),
    ] {
        if path.contains(&format!("{{{name}}}")) {
            parameters.push(json!({ "name": name, "in": "path", "required": true, "description": what, "schema": { "type": "string", "pattern": "^([0-9]{1,18}|latest)$" } }));
        }
    }
    // Paged lists: the cursor their `next` link carries.
    let cursor = match path {
        "/api/v1/orgs/{org}/observations" => Some("older"),
        "/api/v1/orgs/{org}/members" | "/api/v1/orgs/{org}/requirements" => Some("after"),
        p if p.ends_with("/history") => Some("older"),
        p if p.ends_with("/versions") => Some("before"),
        _ => None,
    };
    if let Some(name) = cursor {
        // The shapes the API makes (`paging::Cursor`, a person's id); any
        // other value is a 400.
        let pattern = if name == "after" {
            "^[A-Za-z0-9_-]{1,64}$"
        } else if name == "before" {
            "^[1-9][0-9]{0,17}$"
        } else {
            "^-?[0-9]{1,18}\\.[A-Za-z0-9-]{1,64}$"
        };
        parameters.push(json!({ "name": name, "in": "query", "required": false, "description": "Where the page starts: take it from the previous page's `next` (also sent as `Link: <…>; rel=\"next\"`).", "schema": { "type": "string", "pattern": pattern } }));
    }
    if path == "/ims/case/v1p1/CFDocuments" {
        for name in ["limit", "offset"] {
            parameters.push(json!({ "name": name, "in": "query", "required": false, "description": "CASE paging: how many documents (at most 50), and how many to skip.", "schema": { "type": "string" } }));
        }
    }
    let mut responses = Map::new();
    responses.insert("200".into(), json!({ "description": ok, "content": { "application/json": { "schema": { "type": "object" } } } }));
    if cursor.is_some() {
        responses.insert(
            "400".into(),
            problem("The cursor is not one this API made."),
        );
    }
    if path == "/api/v1/me" {
        responses.insert("401".into(), problem("No valid token or session."));
    } else {
        responses.insert(
            "404".into(),
            problem("Unknown, or not visible to the caller (never 403: it would say it exists)."),
        );
    }
    responses.insert(
        "503".into(),
        problem("The database cannot be reached; try again shortly."),
    );
    json!({
        "get": {
            "summary": summary,
            "description": format!("Who may call it: {who}."),
            "parameters": parameters,
            "responses": responses,
        }
    })
}

pub(crate) fn document() -> Value {
    let paths: Map<String, Value> = PATHS
        .iter()
        .map(|(p, s, w, ok)| ((*p).to_owned(), operation(p, s, w, ok)))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cairn",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Growth frameworks: abilities, milestones, roles, positions. Authenticate with `Authorization: Bearer cairn_pat_…` (personal tokens from /settings/tokens) or a session cookie.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details.",
                    "properties": {
                        "type": { "type": "string" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                    },
                    "required": ["title", "status"],
                },
            },
        },
        "security": [{}, { "bearer": [] }],
    })
}

pub(crate) async fn spec() -> Json<Value> {
    Json(document())
}

//! JSON twins of the framework pages: abilities (with milestones and
//! health), roles, positions, history, conversations, the health report.
//! Same policy as the pages: a framework the caller may not read, or a
//! members-only resource of an organization they are not in, is a 404.

use axum::Json;
use axum::extract::State;
use axum::http::header::LINK;
use axum::response::{IntoResponse, Response};
use cairn_domain::policy::Action;
use cairn_domain::requirement::{position_requirements, required_miles};
use cairn_domain::{Level, Requirement, Slug, health, history};
use cairn_store::conversations;
use cairn_store::framework::{self, RequirerKind};
use serde_json::{Value, json};

use super::{ApiError, ApiVisitor, org_for};
use crate::App;
use crate::extract::{ItemPath, OrgPath};
use crate::extract::{KindPath, Older};

fn requirements(list: &[Requirement]) -> Value {
    json!(
        list.iter()
            .map(|r| json!({ "ability": r.ability.as_str(), "level": r.level.get() }))
            .collect::<Vec<_>>()
    )
}

pub(crate) async fn abilities(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(org): OrgPath,
) -> Result<Json<Value>, ApiError> {
    let (org, _) = org_for(&app, &visitor, &org, Action::ReadFramework).await?;
    let fw = framework::load(&app.store, &org).await?;
    Ok(Json(json!({
        "abilities": fw.abilities.iter().map(|a| json!({
            "slug": a.slug.as_str(),
            "name": a.name.as_str(),
            "category": a.category.as_ref().map(|c| c.as_str()),
        })).collect::<Vec<_>>(),
    })))
}

pub(crate) async fn ability(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    ItemPath(org, item): ItemPath,
) -> Result<Json<Value>, ApiError> {
    let (org, _) = org_for(&app, &visitor, &org, Action::ReadFramework).await?;
    let framework::AbilityDetail {
        ability: a,
        required_by,
        facts,
    } = framework::ability_detail(&app.store, &org, &item)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let checks = health::check(&facts, &org.thresholds, app.now());
    Ok(Json(json!({
        "slug": a.slug.as_str(),
        "name": a.name.as_str(),
        "category": a.category.as_ref().map(|c| c.as_str()),
        "description": a.description.as_str(),
        "milestones": Level::ALL.iter().map(|l| {
            let m = a.milestone(*l);
            json!({ "level": l.get(), "miles": org.org.miles.miles(*l), "summary": m.summary.as_str(), "examples": m.examples })
        }).collect::<Vec<_>>(),
        "health": checks.iter().map(|c| json!({ "check": c.kind.as_str(), "severity": c.severity.label(), "text": c.text })).collect::<Vec<_>>(),
        "required_by": required_by.iter().map(|r| json!({
            "kind": if r.kind == RequirerKind::Role { "role" } else { "position" },
            "slug": r.slug.as_str(),
            "label": r.label.as_str(),
            "level": r.level.get(),
        })).collect::<Vec<_>>(),
    })))
}

pub(crate) async fn roles(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(org): OrgPath,
) -> Result<Json<Value>, ApiError> {
    let (org, _) = org_for(&app, &visitor, &org, Action::ReadFramework).await?;
    let fw = framework::load(&app.store, &org).await?;
    Ok(Json(json!({
        "roles": fw.roles.iter().map(|r| json!({
            "slug": r.slug.as_str(),
            "name": r.name.as_str(),
            "plural": r.plural.as_str(),
            "description": r.description.as_str(),
            "requires": requirements(&r.requires),
        })).collect::<Vec<_>>(),
    })))
}

pub(crate) async fn positions(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(org): OrgPath,
) -> Result<Json<Value>, ApiError> {
    let (org, _) = org_for(&app, &visitor, &org, Action::ReadFramework).await?;
    let fw = framework::load(&app.store, &org).await?;
    Ok(Json(json!({
        "positions": fw.positions.iter().map(|p| json!({
            "slug": p.slug.as_str(),
            "title": p.title.as_str(),
            "level": p.level.as_str(),
            "description": p.description.as_str(),
            "required_roles": p.required_roles.iter().map(Slug::as_str).collect::<Vec<_>>(),
            "suggested_roles": p.suggested_roles.iter().map(Slug::as_str).collect::<Vec<_>>(),
            "requires": requirements(&p.requires),
            "derived_requirements": requirements(&position_requirements(p, &fw.roles)),
            "required_miles": required_miles(p, &fw.roles, &fw.organization.miles),
        })).collect::<Vec<_>>(),
    })))
}

pub(crate) async fn health_report(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(org): OrgPath,
) -> Result<Json<Value>, ApiError> {
    let (org, _) = org_for(&app, &visitor, &org, Action::ReadFramework).await?;
    Ok(Json(
        cairn_store::health::report(&app.store, &org, app.now())
            .await?
            .to_json(),
    ))
}

/// `/orgs/{org}/{abilities|roles|positions}/{item}/history`, newest
/// first, 100 a page: `next` (and a `Link` header) is the older page.
pub(crate) async fn item_history(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    KindPath { org, kind, slug }: KindPath,
    Older(before): Older,
) -> Result<Response, ApiError> {
    let org_slug = org;
    let (org, actor) = org_for(&app, &visitor, &org_slug, Action::ReadFramework).await?;
    let history = framework::history(&app.store, &org.id, kind, &slug, before.as_ref(), Some(100))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let next = history.older.as_ref().map(|c| {
        format!(
            "/api/v1/orgs/{org_slug}/{}/{slug}/history?older={}",
            kind.area(),
            c.param()
        )
    });
    if !cairn_domain::policy::can_read_history(&actor, org.access(), history.archived) {
        return Err(ApiError::not_found());
    }
    let entries = history.entries;
    let empty = history::Snapshot::default();
    let json = Json(json!({
        "next": next,
        "history": entries.iter().map(|e| json!({
            "at": e.at,
            "actor": e.actor.as_ref().map(|a| a.as_str()),
            "change": e.change,
            "fields": history::diff(e.before.as_ref().unwrap_or(&empty), e.after.as_ref().unwrap_or(&empty)).iter().map(|f| {
                let side = |pick: fn(&history::Line) -> Option<&String>| f.lines.iter().filter_map(pick).cloned().collect::<Vec<_>>().join("\n");
                json!({
                    "field": f.label,
                    "removed": side(|l| match l { history::Line::Removed(t) => Some(t), _ => None }),
                    "added": side(|l| match l { history::Line::Added(t) => Some(t), _ => None }),
                })
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    }));
    Ok(match next {
        Some(next) => ([(LINK, format!("<{next}>; rel=\"next\""))], json).into_response(),
        None => json.into_response(),
    })
}

/// Conversations are for members: anyone else gets a 404.
pub(crate) async fn item_conversations(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    KindPath { org, kind, slug }: KindPath,
) -> Result<Json<Value>, ApiError> {
    let (org, _) = org_for(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let subject = conversations::subject(&app.store, &org.id, kind, slug.as_str())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let threads = conversations::threads(&app.store, &org.id, &subject).await?;
    Ok(Json(json!({
        "conversations": threads.iter().map(|t| json!({
            "id": t.id,
            "title": t.title,
            "author": t.author.as_str(),
            "created_at": t.created_at,
            "resolved": t.resolved,
            "comments": t.comments.iter().map(|c| json!({ "author": c.author.as_str(), "body": c.body.as_str(), "at": c.at })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

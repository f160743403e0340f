//! JSON twins of a member's check-ins and of one check-in, through the
//! same rules as the pages (`cairn_domain::check_ins`): readable by the
//! member, their managers and people leads (admins when the organization
//! says so); a side's content only once both sides are completed, or to
//! its own author.

use axum::Json;
use axum::extract::State;
use cairn_domain::check_ins::{self, Entry, Side, Stage, Standing};
use cairn_domain::policy::{Action, Actor};
use cairn_domain::visibility::Reader;
use cairn_store::check_ins::{self as store, CheckIn};
use cairn_store::orgs::OrgRecord;
use cairn_store::people::PersonId;
use serde_json::{Value, json};

use super::people::member_and_reader;
use super::{ApiError, ApiVisitor, org_for};
use crate::App;
use crate::extract::{MemberPath, RecordPath};

async fn standing(
    app: &App,
    org: &OrgRecord,
    actor: &Actor,
    member: &cairn_store::members::Member,
    reader: &Reader<PersonId>,
) -> Result<Standing, ApiError> {
    Ok(crate::html::check_ins::standing(app, org, actor, member, reader).await?)
}

fn stage(c: &CheckIn) -> &'static str {
    match c.facts().stage() {
        Stage::Open => "open",
        Stage::Revealed => "revealed",
        Stage::Finalized => "finalized",
        Stage::Acknowledged => "acknowledged",
    }
}

/// A check-in in brief; `overall` only when the caller may see it
/// (concern levels: the member, their managers and people leads).
fn summary_json(c: &CheckIn, sees_overall: &dyn Fn(check_ins::Overall) -> bool) -> Value {
    json!({
        "id": c.id,
        "position": c.position.as_str(),
        "aiming": c.aiming,
        "stage": stage(c),
        "opened_at": c.opened_at,
        "finalized_at": c.finalized_at,
        "overall": c.frozen.as_ref().map(|f| f.overall).filter(|o| sees_overall(*o)).map(|o| o.as_str()),
    })
}

fn entries_json(list: &[(cairn_domain::Slug, Entry)]) -> Value {
    list.iter()
        .map(|(a, e)| {
            json!({
                "ability": a.as_str(),
                "rating": e.rating.map(|r| r.as_str()),
                "note": e.note,
            })
        })
        .collect()
}

/// A member's check-ins, newest first.
pub(crate) async fn list(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    MemberPath(org, person): MemberPath,
) -> Result<Json<Value>, ApiError> {
    let (org, actor) = org_for(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let (member, reader) = member_and_reader(&app, &visitor, &org, &actor, &person).await?;
    let s = standing(&app, &org, &actor, &member, &reader).await?;
    if !check_ins::can_read(&reader, &member.person.id, s) {
        return Err(ApiError::not_found());
    }
    let list = store::of_member(&app.store, &org.id, &member.person.id).await?;
    Ok(Json(json!({
        "member": member.person.id.as_str(),
        "check_ins": list
            .iter()
            .map(|c| summary_json(c, &|o| check_ins::can_see_overall(&reader, &member.person.id, s, o)))
            .collect::<Vec<_>>(),
    })))
}

/// One check-in: each side as the caller may see it, and once finalized
/// the snapshot it was measured against.
pub(crate) async fn one(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    RecordPath(org, id): RecordPath,
) -> Result<Json<Value>, ApiError> {
    let (org, actor) = org_for(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let c = store::get(&app.store, &org.id, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (member, reader) = member_and_reader(&app, &visitor, &org, &actor, &c.member).await?;
    let s = standing(&app, &org, &actor, &member, &reader).await?;
    if !check_ins::can_read(&reader, &c.member, s) {
        return Err(ApiError::not_found());
    }
    let mine = check_ins::side_of(&reader, &c.member, member.manager.is_some(), s);
    let facts = c.facts();
    let side = |side: Side, list: &[(cairn_domain::Slug, Entry)], done: Option<i64>| {
        let visible = check_ins::can_read_side(mine, side, &facts)
            && (side != Side::Manager
                || facts.stage() != Stage::Open
                || c.manager_author.as_ref() == reader.person.as_ref());
        json!({
            "completed_at": done,
            "entries": if visible { entries_json(list) } else { Value::Null },
        })
    };
    let sees = |o| check_ins::can_see_overall(&reader, &c.member, s, o);
    let mut body = summary_json(&c, &sees);
    body["member"] = json!({ "id": c.member.as_str(), "name": c.member_name.as_str() });
    body["sides"] = json!({
        "member": side(Side::Member, &c.sides.member, c.member_completed_at),
        "manager": side(Side::Manager, &c.sides.manager, c.manager_completed_at),
    });
    body["agreed"] = if facts.finalized {
        entries_json(&c.sides.agreed)
    } else {
        Value::Null
    };
    body["snapshot"] = c
        .frozen
        .as_ref()
        .and_then(|f| serde_json::to_value(f).ok())
        .unwrap_or(Value::Null);
    if c.frozen.as_ref().is_some_and(|f| !sees(f.overall)) {
        body["snapshot"]["overall"] = Value::Null;
    }
    body["acknowledged"] = c.acknowledged.as_ref().map_or(
        Value::Null,
        |a| json!({ "at": a.at, "disagrees": a.disagrees, "comment": a.comment }),
    );
    Ok(Json(body))
}

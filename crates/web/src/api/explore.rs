//! `/api/v1/orgs/{org}/explore?m=…`: the playground's figures as JSON,
//! for whoever may read the framework: the same choice (`m=` read by
//! `explore::parse`) and the same outcome as the page.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use cairn_domain::explore;
use cairn_domain::journey::Band;
use cairn_domain::policy::Action;
use serde_json::{Value, json};

use super::{ApiError, ApiVisitor, org_for};
use crate::App;
use crate::extract::OrgPath;
use crate::html::explore::{GAPS_SHOWN, choice_of};

fn position(p: &cairn_domain::Position) -> Value {
    json!({ "slug": p.slug.as_str(), "title": p.title.as_str(), "level": p.level.as_str() })
}

pub(crate) async fn outcome(
    State(app): State<App>,
    ApiVisitor(visitor): ApiVisitor,
    OrgPath(slug): OrgPath,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (org, _) = org_for(&app, &visitor, &slug, Action::ReadFramework).await?;
    let fw = cairn_store::framework::load(&app.store, &org).await?;
    let (choice, _) = choice_of(&fw, &query);
    let o = explore::outcome(&fw, &choice.levels);
    let band = match &o.band {
        Band::None => Value::Null,
        Band::In {
            positions,
            at_least,
            below,
        } => json!({
            "in": positions.iter().map(|p| position(p)).collect::<Vec<_>>(),
            "at_least": at_least,
            "below": below,
        }),
        Band::BelowAll(n) => json!({ "below_all": n }),
        Band::Between(n) => json!({ "next_starts_at": n }),
        Band::Beyond(n) => json!({ "beyond": n }),
    };
    let closest = o.closest.as_ref().map(|(p, e)| {
        json!({
            "position": position(p),
            "miles_required": e.miles_required,
            "gap_sets": e.gap_sets.iter().take(GAPS_SHOWN).map(|set| {
                set.iter().map(|(a, l)| json!({ "ability": a.as_str(), "level": l.get() })).collect::<Vec<_>>()
            }).collect::<Vec<_>>(),
            "gap_set_count": e.gap_set_count,
            "gap_sets_complete": e.gap_sets_complete,
        })
    });
    Ok(Json(json!({
        "m": explore::link_value(&choice.levels),
        "milestones": choice.levels.iter().map(|(a, l)| json!({ "ability": a.as_str(), "level": l.get() })).collect::<Vec<_>>(),
        "miles": o.miles,
        "met": o.met.iter().map(|p| position(p)).collect::<Vec<_>>(),
        "closest": closest,
        "band": band,
        "ignored": choice.ignored.len(),
        "notice": explore::notice(&choice.ignored),
    }))
    .into_response())
}

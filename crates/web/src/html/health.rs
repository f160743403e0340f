//! `/{org}/health`: the framework health report.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::health::CheckKind;
use cairn_domain::policy::Action;

use super::abilities::HealthLine;
use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;

pub(crate) struct AbilityRow {
    slug: String,
    name: String,
    /// One per column, in `COLUMNS` order; None where a check does not
    /// apply (nothing requires the ability, so nobody is required).
    checks: Vec<Option<HealthLine>>,
}

/// The table's columns: every check kind, in the page's order.
const COLUMNS: [CheckKind; 6] = [
    CheckKind::Roles,
    CheckKind::Observations,
    CheckKind::Achievements,
    CheckKind::Freshness,
    CheckKind::Conversations,
    CheckKind::RequiredOf,
];

#[derive(Template, WebTemplate)]
#[template(path = "health/report.html")]
pub(crate) struct ReportPage {
    chrome: Chrome,
    worst: &'static str,
    findings: Vec<HealthLine>,
    abilities: Vec<AbilityRow>,
}

pub(crate) async fn report(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
) -> Result<ReportPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadFramework).await?;
    let mut report = cairn_store::health::report(&app.store, &ctx.org, app.now()).await?;
    // Members' milestones are members' business: outsiders reading a
    // published framework do not see how recent they are.
    if ctx.can(Action::ReadMemberContent) {
        let (_, months) = cairn_store::insights::settings(&app.store, &ctx.org.id).await?;
        let n =
            cairn_store::recency::stale_count(&app.store, &ctx.org.id, months, app.now()).await?;
        if let Some(f) = cairn_domain::recency::health_finding(n, months) {
            report.findings.push(f);
        }
    }
    Ok(ReportPage {
        chrome: ctx.chrome(&visitor),
        worst: report.worst().label(),
        findings: report
            .findings
            .iter()
            .map(|f| HealthLine {
                symbol: f.severity.symbol(),
                label: f.severity.label(),
                text: f.text.clone(),
            })
            .collect(),
        abilities: report
            .abilities
            .iter()
            .map(|a| AbilityRow {
                slug: a.slug.to_string(),
                name: a.name.to_string(),
                checks: COLUMNS
                    .iter()
                    .map(|k| a.checks.iter().find(|c| c.kind == *k).map(HealthLine::from))
                    .collect(),
            })
            .collect(),
    })
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get("/{org}/health", report)
}

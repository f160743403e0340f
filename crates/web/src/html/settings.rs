//! Starting an organization, and its settings.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::awards::EvidenceRule;
use cairn_domain::health::Thresholds;
use cairn_domain::policy::{self, Action, Actor};
use cairn_domain::{Name, OrgSlug};
use cairn_store::{StoreError, orgs};
use serde::Deserialize;

use super::{Chrome, OrgContext, signed_in};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::forms::{FormErrors, invalid, redirect};

#[derive(Template, WebTemplate)]
#[template(path = "settings/new.html")]
pub(crate) struct NewOrgPage {
    chrome: Chrome,
    name: String,
    slug: String,
    errors: FormErrors,
}

pub(crate) async fn new_org_form(visitor: Visitor) -> Result<NewOrgPage, PageError> {
    signed_in(&visitor, "/new")?;
    Ok(NewOrgPage {
        chrome: Chrome::new(&visitor),
        name: String::new(),
        slug: String::new(),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NewOrgForm {
    name: String,
    slug: String,
}

pub(crate) async fn create_org(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<NewOrgForm>,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/new")?;
    // Creating an organization is not about an existing one.
    policy::require(&Actor::Person, Action::CreateOrganization, orgs_access())?;
    let mut errors = FormErrors::default();
    let name = errors.check("name", Name::parse(&form.name, "the organization name"));
    let slug = errors.check("slug", OrgSlug::parse(form.slug.trim()));
    let page = |errors| NewOrgPage {
        chrome: Chrome::new(&visitor),
        name: form.name.clone(),
        slug: form.slug.clone(),
        errors,
    };
    let (Some(name), Some(slug)) = (name, slug) else {
        return Ok(invalid(page(errors)));
    };
    match orgs::create(&app.store, &slug, &name, &person.id, app.now()).await {
        Ok(_) => Ok(redirect(&format!("/{slug}"))),
        Err(StoreError::Conflict(_)) => {
            errors.add(
                "slug",
                format!("The address {slug} is taken. Choose another."),
            );
            Ok(invalid(page(errors)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Creating an organization does not depend on any organization's facts.
fn orgs_access() -> cairn_domain::policy::OrgAccess {
    cairn_domain::policy::OrgAccess { published: false }
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/org.html")]
pub(crate) struct OrgSettingsPage {
    chrome: Chrome,
    /// The framework's CASE document (`cairn_domain::case`).
    case_document: String,
    name: String,
    published: bool,
    stale_days: String,
    critical_days: String,
    grace_days: String,
    awards_by: String,
    evidence: (String, String, String),
    positions_visible: bool,
    /// Insights: days without an observation that list a member; months
    /// after which a milestone is stale (0: never).
    desert_days: String,
    stale_months: String,
    check_in_days: String,
    admins_read_check_ins: bool,
    /// The eligibility rule: how many check-ins ("0": none), at least what.
    check_in_rule_count: String,
    check_in_rule_min: String,
    overall_levels: Vec<(&'static str, String)>,
    /// The organization's names for the six overall ratings, best first.
    scale: Vec<(usize, String, bool)>,
    saved: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SavedQuery {
    saved: String,
}

pub(crate) async fn org_settings(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(q): Query<SavedQuery>,
) -> Result<OrgSettingsPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    let (check_in_days, admins_read_check_ins) =
        cairn_store::check_ins::settings(&app.store, &ctx.org.id).await?;
    let rule = cairn_store::check_ins::rule(&app.store, &ctx.org.id).await?;
    let scale = cairn_store::check_ins::scale(&app.store, &ctx.org.id).await?;
    let (desert_days, stale_months) =
        cairn_store::insights::settings(&app.store, &ctx.org.id).await?;
    Ok(OrgSettingsPage {
        desert_days: desert_days.to_string(),
        stale_months: stale_months.to_string(),
        case_document: cairn_domain::case::document_identifier(ctx.org.id.as_str()),
        scale: scale_fields(&scale.0),
        check_in_days: check_in_days.to_string(),
        admins_read_check_ins,
        check_in_rule_count: rule.map_or(0, |r| r.count).to_string(),
        check_in_rule_min: rule
            .map_or(cairn_domain::check_ins::Overall::Accomplished, |r| {
                r.at_least
            })
            .as_str()
            .to_owned(),
        overall_levels: overall_levels(&scale),
        chrome: ctx.chrome(&visitor),
        name: ctx.org.org.name.to_string(),
        published: ctx.org.published,
        stale_days: ctx.org.thresholds.stale_after_days.to_string(),
        critical_days: ctx.org.thresholds.critical_after_days.to_string(),
        grace_days: ctx.org.thresholds.below_grace_days.to_string(),
        awards_by: cairn_store::awards::awarders(&app.store, &ctx.org.id)
            .await?
            .as_str()
            .to_owned(),
        evidence: {
            let r = cairn_store::awards::evidence_rule(&app.store, &ctx.org.id).await?;
            (
                r.min_observations.to_string(),
                r.min_observers.to_string(),
                r.min_days.to_string(),
            )
        },
        positions_visible: ctx.org.positions_visible,
        saved: !q.saved.is_empty(),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OrgSettingsForm {
    name: String,
    published: String,
    stale_days: String,
    critical_days: String,
    grace_days: String,
    awards_by: String,
    evidence_observations: String,
    evidence_observers: String,
    evidence_days: String,
    positions_visible: String,
    desert_days: String,
    stale_months: String,
    /// Present when the form has the check-in fields (older forms and API
    /// callers without them keep the organization's check-in settings).
    check_ins_form: String,
    check_in_days: String,
    admins_read_check_ins: String,
    check_in_rule_count: String,
    check_in_rule_min: String,
    overall_1: String,
    overall_2: String,
    overall_3: String,
    overall_4: String,
    overall_5: String,
    overall_6: String,
}

fn overall_levels(scale: &cairn_domain::check_ins::Scale) -> Vec<(&'static str, String)> {
    cairn_domain::check_ins::Overall::ALL
        .iter()
        .map(|o| (o.as_str(), scale.label(*o).to_owned()))
        .collect()
}

/// The scale's six fields: (number, name, a concern level).
fn scale_fields(names: &[String]) -> Vec<(usize, String, bool)> {
    cairn_domain::check_ins::Overall::ALL
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (o, n))| (i + 1, n.clone(), o.concern()))
        .collect()
}

pub(crate) async fn update_org(
    State(app): State<App>,
    visitor: Visitor,
    crate::auth::ClientInfo(client): crate::auth::ClientInfo,
    OrgPath(slug): OrgPath,
    Form(form): Form<OrgSettingsForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    let published = form.published == "on";
    let positions_visible = form.positions_visible == "on";
    let mut errors = FormErrors::default();
    let name = errors.check("name", Name::parse(&form.name, "the organization name"));
    let days = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=36_500).contains(d))
    };
    let (stale, critical) = (days(&form.stale_days), days(&form.critical_days));
    if stale.is_none() {
        errors.add("stale_days", "Give a number of days from 1 to 36500.");
    }
    if critical.is_none() {
        errors.add("critical_days", "Give a number of days from 1 to 36500.");
    }
    // Older forms (and the API's callers) without the field keep the
    // organization's grace period.
    let grace = match form.grace_days.trim() {
        "" => Some(ctx.org.thresholds.below_grace_days),
        g => g.parse::<u32>().ok().filter(|d| (1..=36_500).contains(d)),
    };
    if grace.is_none() {
        errors.add("grace_days", "Give a number of days from 1 to 36500.");
    }
    let thresholds = match (stale, critical, grace) {
        (Some(s), Some(c), Some(g)) if s < c => Some(Thresholds {
            stale_after_days: s,
            critical_after_days: c,
            below_grace_days: g,
        }),
        (Some(s), Some(c), _) if s >= c => {
            errors.add(
                "critical_days",
                "Critical comes after the warning: give more days.",
            );
            None
        }
        _ => None,
    };
    let current = cairn_store::check_ins::settings(&app.store, &ctx.org.id).await?;
    let current_rule = cairn_store::check_ins::rule(&app.store, &ctx.org.id).await?;
    let current_scale = cairn_store::check_ins::scale(&app.store, &ctx.org.id).await?;
    let typed_scale = [
        form.overall_1.clone(),
        form.overall_2.clone(),
        form.overall_3.clone(),
        form.overall_4.clone(),
        form.overall_5.clone(),
        form.overall_6.clone(),
    ];
    let new_scale = if form.check_ins_form.is_empty() {
        Some(current_scale.clone())
    } else {
        let names: Vec<&str> = typed_scale.iter().map(String::as_str).collect();
        match cairn_domain::check_ins::Scale::parse(&names) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.add("overall_1", e);
                None
            }
        }
    };
    // Without the rule's fields (older forms), the rule stays as it is.
    let check_in_rule =
        if form.check_ins_form.is_empty() || form.check_in_rule_count.trim().is_empty() {
            Some(current_rule)
        } else {
            let count = form
                .check_in_rule_count
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 20);
            let min = cairn_domain::check_ins::Overall::parse(&form.check_in_rule_min);
            match (count, min) {
                (Some(0), _) => Some(None),
                (Some(count), Some(at_least)) => Some(Some(cairn_domain::check_ins::CheckInRule {
                    count,
                    at_least,
                })),
                _ => {
                    errors.add(
                    "check_in_rule_count",
                    "Give how many check-ins (0 to 20; 0 for no rule) and the rating they need.",
                );
                    None
                }
            }
        };
    let check_ins = if form.check_ins_form.is_empty() {
        Some(current)
    } else {
        let every = form
            .check_in_days
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=3_650).contains(d));
        if every.is_none() {
            errors.add("check_in_days", "Give a number of days from 1 to 3650.");
        }
        every.map(|d| (d, form.admins_read_check_ins == "on"))
    };
    // Older forms (and the API's callers) without the insight fields keep
    // the organization's.
    let current_insights = cairn_store::insights::settings(&app.store, &ctx.org.id).await?;
    let desert_days = match form.desert_days.trim() {
        "" => Some(current_insights.0),
        d => d.parse::<u32>().ok().filter(|d| (1..=3_650).contains(d)),
    };
    if desert_days.is_none() {
        errors.add("desert_days", "Give a number of days from 1 to 3650.");
    }
    let stale_months = match form.stale_months.trim() {
        "" => Some(current_insights.1),
        m => m.parse::<u32>().ok().filter(|m| *m <= 240),
    };
    if stale_months.is_none() {
        errors.add(
            "stale_months",
            "Give a number of months from 0 (never stale) to 240.",
        );
    }
    let awarders = cairn_store::awards::Awarders::parse(&form.awards_by);
    if awarders.is_none() {
        errors.add("awards_by", "Choose who awards milestones.");
    }
    let count = |s: &str| match s.trim() {
        "" => Some(0),
        t => t.parse::<u32>().ok().filter(|n| *n <= 10_000),
    };
    let rule = match (
        count(&form.evidence_observations),
        count(&form.evidence_observers),
        count(&form.evidence_days),
    ) {
        (Some(o), Some(p), Some(d)) => Some(EvidenceRule {
            min_observations: o,
            min_observers: p,
            min_days: d,
        }),
        _ => {
            errors.add(
                "evidence",
                "Evidence numbers are whole numbers from 0 to 10000.",
            );
            None
        }
    };
    let (
        Some(name),
        Some(thresholds),
        Some(awarders),
        Some(rule),
        Some(check_ins),
        Some(check_in_rule),
        Some(new_scale),
        Some(desert_days),
        Some(stale_months),
    ) = (
        name,
        thresholds,
        awarders,
        rule,
        check_ins,
        check_in_rule,
        new_scale,
        desert_days,
        stale_months,
    )
    else {
        return Ok(invalid(OrgSettingsPage {
            case_document: cairn_domain::case::document_identifier(ctx.org.id.as_str()),
            chrome: ctx.chrome(&visitor),
            name: form.name,
            published,
            stale_days: form.stale_days,
            critical_days: form.critical_days,
            grace_days: form.grace_days,
            awards_by: form.awards_by,
            evidence: (
                form.evidence_observations,
                form.evidence_observers,
                form.evidence_days,
            ),
            positions_visible,
            desert_days: form.desert_days,
            stale_months: form.stale_months,
            check_in_days: form.check_in_days,
            admins_read_check_ins: form.admins_read_check_ins == "on",
            check_in_rule_count: form.check_in_rule_count,
            check_in_rule_min: form.check_in_rule_min,
            overall_levels: overall_levels(&current_scale),
            scale: scale_fields(&typed_scale),
            saved: false,
            errors,
        }));
    };
    let now = app.now();
    let settings = orgs::Settings {
        name,
        published,
        thresholds,
        awarders,
        evidence: rule,
        positions_visible,
    };
    orgs::save_settings(&app.store, &ctx.org.id, &settings, now).await?;
    if check_ins != current {
        cairn_store::check_ins::set_settings(&app.store, &ctx.org.id, check_ins.0, check_ins.1)
            .await?;
    }
    if new_scale != current_scale {
        cairn_store::check_ins::set_scale(&app.store, &ctx.org.id, &new_scale).await?;
    }
    if (desert_days, stale_months) != current_insights {
        cairn_store::insights::set_settings(&app.store, &ctx.org.id, desert_days, stale_months)
            .await?;
    }
    if check_in_rule != current_rule {
        cairn_store::check_ins::set_rule(&app.store, &ctx.org.id, check_in_rule).await?;
    }
    let (name, thresholds, rule) = (&settings.name, settings.thresholds, settings.evidence);
    crate::audit::note(
        &app,
        cairn_store::audit::Entry {
            org: Some(&ctx.org.id),
            actor: visitor.person.as_ref().map(|p| &p.id),
            action: cairn_domain::audit::AuditAction::SettingsChanged,
            subject: "organization settings".into(),
            detail: format!(
                "name {name:?}; {}; fresh ≤ {} days, critical > {} days; awards by {}; evidence {} observations from {} observers over {} days; current positions {}; check-ins every {} days, {}",
                if published { "published" } else { "not published" },
                thresholds.stale_after_days,
                thresholds.critical_after_days,
                form.awards_by,
                rule.min_observations,
                rule.min_observers,
                rule.min_days,
                if positions_visible { "visible to all members" } else { "visible to the member, their managers, admins and people leads" },
                check_ins.0,
                if check_ins.1 { "admins read them" } else { "admins do not read them" },
            ),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok(redirect(&format!("/{slug}/settings?saved=1")))
}

// ---------------------------------------------------------------------------
// Audit log

const AUDIT_LIMIT: u32 = 25;

pub(crate) struct AuditLine {
    when: String,
    who: String,
    what: &'static str,
    subject: String,
    detail: String,
    ip: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/audit.html")]
pub(crate) struct AuditPage {
    chrome: Chrome,
    actions: Vec<(&'static str, &'static str, bool)>,
    /// Whose entries are shown (their email), or empty for anyone's.
    actor: String,
    entries: Vec<AuditLine>,
    filtered: bool,
    limit: u32,
    /// The next (older) page's address, when there is one.
    older: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AuditQuery {
    action: String,
    actor: String,
}

/// `/{org}/settings/audit`: admins read the organization's audit log,
/// filtered by kind of event and by who acted. An unknown filter value
/// shows nothing rather than everything.
pub(crate) async fn audit_log(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(q): Query<AuditQuery>,
    crate::extract::Older(before): crate::extract::Older,
) -> Result<AuditPage, PageError> {
    use cairn_domain::audit::AuditAction;
    use cairn_store::audit::{self, Filter};
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    let action = (!q.action.is_empty()).then(|| AuditAction::parse(&q.action));
    // "Who" is an email (the form's field) or a person id (links); either
    // must name a member here, or the filter shows nothing.
    let wanted = q.actor.trim();
    let actor = if wanted.is_empty() {
        None
    } else {
        let id = if wanted.contains('@') {
            match cairn_domain::people::Email::parse(wanted) {
                Ok(email) => cairn_store::people::by_email(&app.store, &email)
                    .await?
                    .map(|(p, _)| p.id),
                Err(_) => None,
            }
        } else {
            Some(cairn_store::people::PersonId::from_form(wanted))
        };
        let member = match id {
            Some(id) => cairn_store::members::get(&app.store, &ctx.org.id, &id).await?,
            None => None,
        };
        Some(member)
    };
    let actor_email = actor
        .as_ref()
        .and_then(|m| m.as_ref())
        .map_or_else(|| wanted.to_owned(), |m| m.person.email.to_string());
    let actor = actor.map(|m| m.map(|m| m.person.id));
    let unknown = matches!(action, Some(None)) || matches!(actor, Some(None));
    let mut entries = if unknown {
        Vec::new()
    } else {
        let filter = Filter {
            action: action.flatten(),
            actor: actor.flatten(),
            before,
        };
        audit::list(&app.store, Some(&ctx.org.id), &filter, AUDIT_LIMIT + 1).await?
    };
    let older = (entries.len() > AUDIT_LIMIT as usize).then(|| {
        entries.truncate(AUDIT_LIMIT as usize);
        let last = entries.last().map(|e| cairn_store::paging::Cursor {
            at: e.at,
            id: e.id.clone(),
        });
        let mut href = format!("/{slug}/settings/audit?");
        for (k, v) in [("action", &q.action), ("actor", &q.actor)] {
            if !v.is_empty() {
                href.push_str(&format!("{k}={}&", crate::html::url_encode(v)));
            }
        }
        last.map(|c| format!("{href}older={}", c.param()))
    });
    Ok(AuditPage {
        chrome: ctx.chrome(&visitor),
        actions: AuditAction::ALL
            .into_iter()
            .filter(|a| !matches!(a, AuditAction::SignedIn | AuditAction::SignInFailed))
            .map(|a| (a.as_str(), a.label(), a.as_str() == q.action))
            .collect(),
        actor: actor_email,
        entries: entries
            .into_iter()
            .map(|e| AuditLine {
                when: cairn_domain::wording::date_time(e.at),
                who: if e.actor_name.is_empty() {
                    "operator".to_owned()
                } else {
                    e.actor_name
                },
                what: e.action.label(),
                subject: e.subject,
                detail: e.detail,
                ip: e.client_ip,
            })
            .collect(),
        filtered: !q.action.is_empty() || !q.actor.is_empty(),
        limit: AUDIT_LIMIT,
        older: older.flatten(),
    })
}

/// `/{org}/settings/export`: everything of the organization as one JSON
/// document (see `cairn_store::org_export`), for admins; recorded in the
/// audit log.
pub(crate) async fn export_org(
    State(app): State<App>,
    visitor: Visitor,
    crate::auth::ClientInfo(client): crate::auth::ClientInfo,
    OrgPath(slug): OrgPath,
) -> Result<Response, PageError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    let person = super::signed_in(&visitor, &format!("/{slug}/settings/export"))?;
    let mut body = Vec::new();
    let reader = cairn_store::org_export::ExportFor::Member {
        person: &person.id,
        people_lead: ctx.can(Action::ManagePeople),
    };
    let rows = cairn_store::org_export::export(&app.store, &ctx.org.id, reader, &mut body).await?;
    crate::audit::note(
        &app,
        cairn_store::audit::Entry {
            org: Some(&ctx.org.id),
            actor: visitor.person.as_ref().map(|p| &p.id),
            action: cairn_domain::audit::AuditAction::Exported,
            subject: "organization".into(),
            detail: format!("download of {rows} rows"),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}-export.json\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/new", new_org_form, create_org)
        .get_post("/{org}/settings", org_settings, update_org)
        .get("/{org}/settings/audit", audit_log)
        .get("/{org}/settings/export", export_org)
        .get("/{org}/settings/export/{file}", export_ourgruuv)
}

/// `/{org}/settings/export/{abilities,assignments,positions}.csv`: the
/// framework in OurGruuv's three CSVs (`cairn_domain::gruuv_csv`), for
/// whoever may read it.
pub(crate) async fn export_ourgruuv(
    State(app): State<App>,
    visitor: Visitor,
    axum::extract::Path((slug, file)): axum::extract::Path<(String, String)>,
) -> Result<Response, PageError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let slug = cairn_domain::OrgSlug::parse(&slug).map_err(|_| PageError::NotFound)?;
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadFramework).await?;
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let base = app.absolute_base();
    let files = cairn_domain::gruuv_csv::write(fw.framework(), &base);
    let body = match file.as_str() {
        "abilities.csv" => files.abilities,
        "assignments.csv" => files.assignments,
        "positions.csv" => files.positions,
        _ => return Err(PageError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}-{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}

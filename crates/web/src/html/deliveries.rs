//! `/{org}/settings/deliveries`: what left (or failed to leave) for the
//! organization's people and webhooks, failed first with the error, and
//! "Try again"; `/{org}/settings/webhooks`: where events go, signed with a
//! secret shown once. Admins only.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_domain::notify::Kind;
use cairn_domain::policy::Action;
use cairn_domain::wording::date_time;
use cairn_store::deliveries;

use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{OrgPath, RecordPath};
use crate::forms::{FormErrors, invalid, redirect};
use crate::secrets;

pub(crate) struct DeliveryLine {
    id: String,
    what: String,
    to: String,
    status: &'static str,
    attempts: i64,
    error: String,
    when: String,
    failed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/deliveries.html")]
pub(crate) struct DeliveriesPage {
    chrome: Chrome,
    counts: deliveries::Counts,
    lines: Vec<DeliveryLine>,
    more: Option<String>,
    email_on: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct PageQuery {
    page: String,
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        deliveries::INVITATION => "Invitation",
        deliveries::PASSWORD_RESET => "Password reset",
        deliveries::DIGEST => "Weekly digest",
        k => Kind::parse(k).map_or("Notification", |k| k.label()),
    }
}

pub(crate) async fn deliveries_page(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(q): Query<PageQuery>,
) -> Result<DeliveriesPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    let page = q
        .page
        .parse::<i64>()
        .ok()
        .filter(|p| (0..100_000).contains(p))
        .unwrap_or(0);
    let (counts, lines, more) = deliveries::of_org(&app.store, &ctx.org.id, page).await?;
    Ok(DeliveriesPage {
        chrome: ctx.chrome(&visitor),
        counts,
        lines: lines
            .into_iter()
            .map(|l| DeliveryLine {
                failed: l.status == "failed",
                status: match l.status.as_str() {
                    "pending" => "waiting",
                    "sent" => "sent",
                    "failed" => "failed",
                    _ => "not sent",
                },
                what: format!("{}: {}", kind_words(&l.kind), l.subject),
                to: if l.channel == "webhook" {
                    format!("webhook {}", l.recipient)
                } else {
                    l.recipient
                },
                attempts: l.attempts,
                error: l.last_error.unwrap_or_default(),
                when: date_time(l.created_at),
                id: l.id,
            })
            .collect(),
        more: more.then(|| format!("/{slug}/settings/deliveries?page={}", page + 1)),
        email_on: app.config.email,
    })
}

pub(crate) async fn try_again(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(slug, id): RecordPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    if !deliveries::try_again(&app.store, &ctx.org.id, &id, app.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(redirect(&format!("/{slug}/settings/deliveries")))
}

pub(crate) struct HookLine {
    id: String,
    url: String,
    kinds: String,
    slack: bool,
    since: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/webhooks.html")]
pub(crate) struct WebhooksPage {
    chrome: Chrome,
    hooks: Vec<HookLine>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    url: String,
    slack: bool,
    new_secret: Option<String>,
    errors: FormErrors,
}

async fn webhooks_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
) -> Result<WebhooksPage, PageError> {
    let hooks = deliveries::webhooks(&app.store, &ctx.org.id).await?;
    Ok(WebhooksPage {
        chrome: ctx.chrome(visitor),
        hooks: hooks
            .into_iter()
            .map(|h| HookLine {
                kinds: h
                    .kinds
                    .iter()
                    .map(|k| hook_label(*k))
                    .collect::<Vec<_>>()
                    .join("; "),
                id: h.id,
                url: h.url,
                slack: h.slack,
                since: date_time(h.created_at),
            })
            .collect(),
        kinds: Kind::WEBHOOK
            .iter()
            .map(|k| (k.as_str(), hook_label(*k), true))
            .collect(),
        url: String::new(),
        slack: false,
        new_secret: None,
        errors: FormErrors::default(),
    })
}

/// What a webhook hears of each kind: only what every member may read.
fn hook_label(k: Kind) -> &'static str {
    match k {
        Kind::Observed => "Observations published at the public level",
        Kind::Awarded => "Milestones awarded, visible to the whole organization",
        _ => "",
    }
}

pub(crate) async fn webhooks_page(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
) -> Result<WebhooksPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    webhooks_view(&app, &visitor, &ctx).await
}

pub(crate) async fn add_webhook(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    let person = ctx.member()?;
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    };
    let wanted: Vec<Kind> = Kind::WEBHOOK
        .into_iter()
        .filter(|k| pairs.iter().any(|(f, v)| f == "kind" && v == k.as_str()))
        .collect();
    let url = get("url").trim().to_owned();
    let slack = get("slack") == "on";
    let mut errors = FormErrors::default();
    if let Err(e) = crate::delivery::webhook::check_url(&url, app.config.allow_private_webhooks) {
        errors.add("url", e);
    }
    if url.len() > 2000 {
        errors.add("url", "Enter a URL of at most 2000 characters");
    }
    if wanted.is_empty() {
        errors.add("kind", "Choose at least one kind of event to send");
    }
    if !errors.is_empty() {
        let mut page = webhooks_view(&app, &visitor, &ctx).await?;
        page.url = url;
        page.slack = slack;
        page.kinds = Kind::WEBHOOK
            .iter()
            .map(|k| (k.as_str(), hook_label(*k), wanted.contains(k)))
            .collect();
        page.errors = errors;
        return Ok(invalid(page));
    }
    let secret = secrets::new_secret("whsec_").map_err(|e| PageError::Internal(e.to_string()))?;
    deliveries::add_webhook(
        &app.store,
        &ctx.org.id,
        &deliveries::NewWebhook {
            url: &url,
            kinds: &wanted,
            secret: &secret,
            slack,
        },
        &person.id,
        app.now(),
    )
    .await?;
    let mut page = webhooks_view(&app, &visitor, &ctx).await?;
    page.new_secret = Some(secret);
    Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
}

pub(crate) async fn remove_webhook(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(slug, id): RecordPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    if !deliveries::remove_webhook(&app.store, &ctx.org.id, &id, app.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(redirect(&format!("/{slug}/settings/webhooks")))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/settings/deliveries", deliveries_page)
        .post("/{org}/settings/deliveries/{id}/retry", try_again)
        .get_post("/{org}/settings/webhooks", webhooks_page, add_webhook)
        .post("/{org}/settings/webhooks/{id}/remove", remove_webhook)
}

//! `/notifications`: a person's inbox across their organizations, newest
//! first, a page at a time; opening one marks it read.
//! `/settings/notifications`: what they hear of, per organization and
//! kind (inbox and email, inbox only, off) and the weekly digest; and the
//! one-click unsubscribe links of emails, which work without signing in.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_domain::framework::OrgSlug;
use cairn_domain::notify::{Channel, Kind};
use cairn_domain::wording::date_time;
use cairn_store::notifications;
use cairn_store::{deliveries, members, orgs};

use super::{Chrome, signed_in};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::IdPath;
use crate::forms::{redirect, safe_next};

pub(crate) struct Entry {
    id: String,
    subject: String,
    when: String,
    read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
pub(crate) struct InboxPage {
    chrome: Chrome,
    entries: Vec<Entry>,
    unread: i64,
    more: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct PageQuery {
    page: String,
}

pub(crate) async fn inbox(
    State(app): State<App>,
    visitor: Visitor,
    Query(q): Query<PageQuery>,
) -> Result<InboxPage, PageError> {
    let person = signed_in(&visitor, "/notifications")?;
    let page = q
        .page
        .parse::<i64>()
        .ok()
        .filter(|p| (0..100_000).contains(p))
        .unwrap_or(0);
    let (list, more) = notifications::inbox(&app.store, &person.id, page).await?;
    Ok(InboxPage {
        chrome: Chrome::new(&visitor),
        unread: visitor.unread,
        entries: list
            .into_iter()
            .map(|n| Entry {
                id: n.id,
                subject: n.subject,
                when: date_time(n.created_at),
                read: n.read,
            })
            .collect(),
        more: more.then(|| format!("/notifications?page={}", page + 1)),
    })
}

/// Opens one: marks it read and goes where it happened (a page that
/// applies its own reading rule).
pub(crate) async fn open(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/notifications")?;
    let href = notifications::mark_read(&app.store, &person.id, &id, app.now())
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(redirect(safe_next(&href)))
}

pub(crate) async fn read_all(
    State(app): State<App>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/notifications")?;
    notifications::mark_all_read(&app.store, &person.id, app.now()).await?;
    Ok(redirect("/notifications"))
}

pub(crate) struct KindChoice {
    kind: &'static str,
    label: &'static str,
    channel: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "notification_settings.html")]
pub(crate) struct PreferencesPage {
    chrome: Chrome,
    /// The person's organizations: (slug, name, chosen).
    orgs: Vec<(String, String, bool)>,
    org_slug: String,
    org_name: String,
    kinds: Vec<KindChoice>,
    channels: Vec<(&'static str, &'static str)>,
    digest: bool,
    saved: bool,
    email_on: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct OrgQuery {
    org: String,
    saved: String,
}

/// The organization chosen (`?org=`), or the first; with the person's list.
async fn chosen_org(
    app: &App,
    person: &cairn_store::people::Person,
    wanted: &str,
) -> Result<(Vec<(OrgSlug, cairn_domain::Name)>, Option<orgs::OrgRecord>), PageError> {
    let list = members::organizations_of(&app.store, &person.id).await?;
    let pick = list
        .iter()
        .find(|(slug, _)| slug.as_str() == wanted)
        .or_else(|| list.first())
        .map(|(slug, _)| slug.clone());
    let org = match pick {
        Some(slug) => orgs::by_slug(&app.store, &slug).await?,
        None => None,
    };
    Ok((list, org))
}

pub(crate) async fn preferences(
    State(app): State<App>,
    visitor: Visitor,
    Query(q): Query<OrgQuery>,
) -> Result<PreferencesPage, PageError> {
    let person = signed_in(&visitor, "/settings/notifications")?;
    let (list, org) = chosen_org(&app, person, &q.org).await?;
    let (kinds, digest) = match &org {
        Some(o) => deliveries::preferences(&app.store, &o.id, &person.id).await?,
        None => (Vec::new(), false),
    };
    let chosen = org
        .as_ref()
        .map(|o| o.org.slug.to_string())
        .unwrap_or_default();
    Ok(PreferencesPage {
        chrome: Chrome::new(&visitor),
        orgs: list
            .iter()
            .map(|(s, n)| (s.to_string(), n.to_string(), s.as_str() == chosen))
            .collect(),
        org_name: org
            .as_ref()
            .map(|o| o.org.name.to_string())
            .unwrap_or_default(),
        org_slug: chosen,
        kinds: kinds
            .into_iter()
            .map(|(k, c)| KindChoice {
                kind: k.as_str(),
                label: k.label(),
                channel: c.as_str(),
            })
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        digest,
        saved: q.saved == "1",
        email_on: app.config.email,
    })
}

pub(crate) async fn save_preferences(
    State(app): State<App>,
    visitor: Visitor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/settings/notifications")?;
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    };
    let (_, org) = chosen_org(&app, person, get("org")).await?;
    let org = org
        .filter(|o| o.org.slug.as_str() == get("org"))
        .ok_or(PageError::NotFound)?;
    // A kind left out of the form, or with a value not offered, keeps the
    // default: the form always sends every kind.
    let kinds: Vec<(Kind, Channel)> = Kind::ALL
        .into_iter()
        .map(|k| {
            (
                k,
                Channel::parse(get(k.as_str())).unwrap_or(Channel::DEFAULT),
            )
        })
        .collect();
    let digest = get(deliveries::DIGEST_SETTING) == "on";
    deliveries::set_preferences(&app.store, &org.id, &person.id, &kinds, digest).await?;
    Ok(redirect(&format!(
        "/settings/notifications?org={}&saved=1",
        org.org.slug
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "unsubscribe.html")]
pub(crate) struct UnsubscribePage {
    chrome: Chrome,
    token: String,
    what: String,
    org_name: String,
    done: bool,
}

/// What an unsubscribe token stands for, if genuine: the organization,
/// the person, the kind, and the words for it.
async fn unsubscribing(
    app: &App,
    token: &str,
) -> Result<
    (
        orgs::OrgRecord,
        cairn_store::people::PersonId,
        String,
        String,
    ),
    PageError,
> {
    if token.len() > 300 {
        return Err(PageError::NotFound);
    }
    let key = crate::delivery::unsubscribe::key(&app.store).await?;
    let (org, person, kind) =
        crate::delivery::unsubscribe::verify(&key, token).ok_or(PageError::NotFound)?;
    let what = if kind == deliveries::DIGEST_SETTING {
        "the weekly digest".to_owned()
    } else {
        let k = Kind::parse(&kind).ok_or(PageError::NotFound)?;
        format!("emails about \u{201c}{}\u{201d}", k.label().to_lowercase())
    };
    let org = orgs::by_id(&app.store, &cairn_store::orgs::OrgId::from_form(&org))
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((org, person, kind, what))
}

pub(crate) async fn unsubscribe_page(
    State(app): State<App>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<UnsubscribePage, PageError> {
    let (org, _, _, what) = unsubscribing(&app, &token).await?;
    Ok(UnsubscribePage {
        chrome: Chrome::new(&visitor),
        token,
        what,
        org_name: org.org.name.to_string(),
        done: false,
    })
}

/// The button on the page, or the mail client's one-click POST (RFC 8058:
/// body `List-Unsubscribe=One-Click`, no cookie, no Origin).
pub(crate) async fn unsubscribe(
    State(app): State<App>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (org, person, kind, what) = unsubscribing(&app, &token).await?;
    deliveries::unsubscribe(&app.store, &org.id, &person, &kind).await?;
    Ok((
        StatusCode::OK,
        UnsubscribePage {
            chrome: Chrome::new(&visitor),
            token,
            what,
            org_name: org.org.name.to_string(),
            done: true,
        },
    )
        .into_response())
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/notifications", inbox)
        .post("/notifications/{id}/open", open)
        .post("/notifications/read", read_all)
        .get_post("/settings/notifications", preferences, save_preferences)
        .get_post(
            "/settings/notifications/unsubscribe/{token}",
            unsubscribe_page,
            unsubscribe,
        )
}

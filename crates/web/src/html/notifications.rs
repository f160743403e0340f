//! `/notifications`: a person's inbox across their organizations, newest
//! first, a page at a time; opening one marks it read.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::wording::date_time;
use cairn_store::notifications;

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

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/notifications", inbox)
        .post("/notifications/{id}/open", open)
        .post("/notifications/read", read_all)
}

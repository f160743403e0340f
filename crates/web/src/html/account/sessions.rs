//! `/settings/sessions`: where you are signed in, and ending a session.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use cairn_store::people;

use super::*;
use crate::App;
use crate::auth::{self, Visitor};
use crate::error::PageError;
use crate::extract::IdPath;
use crate::forms::{redirect, redirect_with_cookie};
use crate::html::{Chrome, date};

pub(crate) struct SessionLine {
    id: String,
    user_agent: String,
    ip: String,
    created: String,
    last_seen: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/sessions.html")]
pub(crate) struct SessionsPage {
    chrome: Chrome,
    sessions: Vec<SessionLine>,
}

pub(crate) async fn sessions_page(
    State(app): State<App>,
    visitor: Visitor,
) -> Result<SessionsPage, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/sessions")?;
    let sessions = people::sessions(&app.store, &person.id, app.now()).await?;
    Ok(SessionsPage {
        chrome: Chrome::new(&visitor),
        sessions: sessions
            .into_iter()
            .map(|s| SessionLine {
                current: visitor.session_id.as_deref() == Some(s.id.as_str()),
                id: s.id,
                user_agent: if s.user_agent.is_empty() {
                    "Unknown browser".into()
                } else {
                    s.user_agent
                },
                ip: s.client_ip,
                created: date(s.created_at),
                last_seen: date(s.last_seen_at),
            })
            .collect(),
    })
}

pub(crate) async fn revoke_session(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/sessions")?;
    if !people::revoke_session(&app.store, &person.id, &id).await? {
        return Err(PageError::NotFound);
    }
    if visitor.session_id.as_deref() == Some(id.as_str()) {
        return Ok(redirect_with_cookie(
            "/login",
            &auth::clear_session_cookie(&app),
        ));
    }
    Ok(redirect("/settings/sessions"))
}

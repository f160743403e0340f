//! `/settings/tokens`: personal API tokens, shown once, stored hashed.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_domain::Name;
use cairn_store::people;
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::{TOKEN_PREFIX, TokenScope, Visitor};
use crate::error::PageError;
use crate::extract::IdPath;
use crate::forms::{FormErrors, invalid, redirect};
use crate::html::{Chrome, date};
use crate::secrets;

pub(crate) struct TokenLine {
    id: String,
    name: String,
    scope: &'static str,
    created: String,
    last_used: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/tokens.html")]
pub(crate) struct TokensPage {
    chrome: Chrome,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    name: String,
    errors: FormErrors,
}

pub(crate) async fn tokens_view(
    app: &App,
    visitor: &Visitor,
    new_token: Option<String>,
    name: String,
    errors: FormErrors,
) -> Result<TokensPage, PageError> {
    let person = signed_in_by_session(visitor, "/settings/tokens")?;
    let tokens = people::tokens(&app.store, &person.id).await?;
    Ok(TokensPage {
        chrome: Chrome::new(visitor),
        tokens: tokens
            .into_iter()
            .map(|t| TokenLine {
                id: t.id,
                name: t.name.to_string(),
                scope: match t.scope {
                    TokenScope::Read => "read",
                    TokenScope::Write => "read and write",
                },
                created: date(t.created_at),
                last_used: t.last_used_at.map_or_else(|| "never".to_owned(), date),
            })
            .collect(),
        new_token,
        name,
        errors,
    })
}

pub(crate) async fn tokens_page(
    State(app): State<App>,
    visitor: Visitor,
) -> Result<TokensPage, PageError> {
    tokens_view(&app, &visitor, None, String::new(), FormErrors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TokenForm {
    name: String,
    scope: String,
}

/// Creates a token and shows it on this one response, never again.
pub(crate) async fn create_token(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/tokens")?;
    let mut errors = FormErrors::default();
    let name = errors.check("name", Name::parse(&form.name, "a token name"));
    let scope = match form.scope.as_str() {
        // Read is the default: a token that only reads leaks less.
        "" => Some(TokenScope::Read),
        other => TokenScope::parse(other),
    };
    if scope.is_none() {
        errors.add("scope", "Choose read or write.");
    }
    let (Some(name), Some(scope)) = (name, scope) else {
        return Ok(invalid(
            tokens_view(&app, &visitor, None, form.name, errors).await?,
        ));
    };
    let token =
        secrets::new_secret(TOKEN_PREFIX).map_err(|e| PageError::Internal(e.to_string()))?;
    people::create_token(
        &app.store,
        &person.id,
        &name,
        scope,
        &secrets::hash(&token),
        app.now(),
    )
    .await?;
    let page = tokens_view(
        &app,
        &visitor,
        Some(token),
        String::new(),
        FormErrors::default(),
    )
    .await?;
    // The secret is in this page: keep it out of caches.
    Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
}

pub(crate) async fn revoke_token(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/tokens")?;
    if !people::revoke_token(&app.store, &person.id, &id, app.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(redirect("/settings/tokens"))
}

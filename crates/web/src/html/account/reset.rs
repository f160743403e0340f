//! `/forgot-password`: a link to choose a new password, by email. The
//! answer is the same whether or not an account uses the address; asking
//! is throttled per address asked for and per client; the link works once,
//! for an hour, and using it ends every session of the account.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_domain::people::{Email, NewPassword};
use cairn_domain::throttle;
use cairn_store::password_resets;
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::{ClientInfo, Visitor};
use crate::error::PageError;
use crate::extract::IdPath;
use crate::forms::{FormErrors, invalid, redirect};
use crate::html::Chrome;
use crate::{password, secrets};

#[derive(Template, WebTemplate)]
#[template(path = "account/forgot.html")]
pub(crate) struct ForgotPage {
    chrome: Chrome,
    /// This server sends email at all.
    email_on: bool,
    email: String,
    sent: bool,
    errors: FormErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/reset.html")]
pub(crate) struct ResetPage {
    chrome: Chrome,
    token: String,
    valid: bool,
    errors: FormErrors,
}

pub(crate) async fn forgot_form(State(app): State<App>, visitor: Visitor) -> ForgotPage {
    ForgotPage {
        chrome: Chrome::new(&visitor),
        email_on: app.config.email,
        email: String::new(),
        sent: false,
        errors: FormErrors::default(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ForgotForm {
    email: String,
}

pub(crate) async fn forgot(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    Form(form): Form<ForgotForm>,
) -> Result<Response, PageError> {
    let page = |sent: bool, errors: FormErrors| ForgotPage {
        chrome: Chrome::new(&visitor),
        email_on: app.config.email,
        email: form.email.clone(),
        sent,
        errors,
    };
    if !app.config.email {
        return Ok(page(false, FormErrors::default()).into_response());
    }
    let mut errors = FormErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        return Ok(invalid(page(false, errors)));
    };
    let account = format!("reset:{}", email.as_str());
    let address = format!("reset-ip:{}", client.ip);
    let keys = [
        (account.as_str(), throttle::RESETS_PER_ACCOUNT),
        (address.as_str(), throttle::RESETS_PER_ADDRESS),
    ];
    if let Err(seconds) = attempt(&app, &keys).await? {
        errors.add("email", wait_message(seconds));
        return Ok(too_many(page(false, errors), seconds));
    }
    let token = secrets::new_secret("").map_err(|e| PageError::Internal(e.to_string()))?;
    password_resets::ask(
        &app.store,
        &email,
        &secrets::hash(&token),
        &token,
        app.now(),
    )
    .await?;
    Ok(page(true, FormErrors::default()).into_response())
}

fn no_store(page: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}

pub(crate) async fn reset_form(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(token): IdPath,
) -> Result<Response, PageError> {
    let token = token.to_string();
    let valid = password_resets::person_of(&app.store, &secrets::hash(&token), app.now())
        .await?
        .is_some();
    Ok(no_store(ResetPage {
        chrome: Chrome::new(&visitor),
        token,
        valid,
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ResetForm {
    password: String,
}

pub(crate) async fn reset(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(token): IdPath,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    let token = token.to_string();
    let mut errors = FormErrors::default();
    let Some(new) = errors.check("password", NewPassword::parse(&form.password)) else {
        return Ok(invalid(no_store(ResetPage {
            chrome: Chrome::new(&visitor),
            token,
            valid: true,
            errors,
        })));
    };
    let hash = password::hash(&new).await.map_err(PageError::Internal)?;
    let Some(_person) =
        password_resets::reset(&app.store, &secrets::hash(&token), &hash, app.now()).await?
    else {
        return Ok(invalid(no_store(ResetPage {
            chrome: Chrome::new(&visitor),
            token,
            valid: false,
            errors: FormErrors::default(),
        })));
    };
    Ok(redirect("/login?reset=done"))
}

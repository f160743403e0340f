//! `/login`, `/logout`: sign-ins counted by the throttle before any
//! password is checked.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::audit::AuditAction;
use cairn_domain::people::Email;
use cairn_domain::throttle;
use cairn_store::StoreError;
use cairn_store::audit::Entry;
use cairn_store::people;
use cairn_store::throttle::Attempt;
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::{self, ClientInfo, Visitor};
use crate::error::PageError;
use crate::forms::{FormErrors, redirect_with_cookie};
use crate::html::{Chrome, url_encode};
use crate::password;

#[derive(Template, WebTemplate)]
#[template(path = "account/login.html")]
pub(crate) struct LoginPage {
    chrome: Chrome,
    /// (id, name) of the sign-in providers, for their buttons.
    providers: Vec<(String, String)>,
    password_login: bool,
    email: String,
    next: String,
    next_encoded: String,
    /// Arrived from a password reset.
    reset_done: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LoginQuery {
    next: String,
    reset: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LoginForm {
    email: String,
    password: String,
    next: String,
}

pub(crate) async fn login_form(
    State(app): State<App>,
    visitor: Visitor,
    Query(q): Query<LoginQuery>,
) -> LoginPage {
    LoginPage {
        chrome: Chrome::new(&visitor),
        providers: app.sso.buttons(),
        password_login: app.config.password_login,
        email: String::new(),
        next_encoded: url_encode(&q.next),
        reset_done: q.reset == "done",
        next: q.next,
        errors: FormErrors::default(),
    }
}

pub(crate) fn account_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

pub(crate) fn address_key(client: &cairn_store::people::Client) -> String {
    format!("ip:{}", client.ip)
}

/// Starts a throttled attempt (`cairn_domain::throttle`): counted before
/// any password is checked, so simultaneous attempts count too. `Err` is
/// the seconds to wait.
pub(crate) async fn attempt(
    app: &App,
    keys: &[(&str, throttle::Limit)],
) -> Result<Result<Attempt, i64>, PageError> {
    Ok(cairn_store::throttle::begin(&app.store, keys, app.now()).await?)
}

/// A password guess for `email` from `client`, counted per account and per
/// address. Returns the account's key, to forget its failures on success.
pub(crate) async fn password_attempt(
    app: &App,
    email: &str,
    client: &cairn_store::people::Client,
) -> Result<(String, Result<Attempt, i64>), PageError> {
    let email_key = account_key(email);
    let ip_key = address_key(client);
    let keys = [
        (email_key.as_str(), throttle::PER_ACCOUNT),
        (ip_key.as_str(), throttle::PER_ADDRESS),
    ];
    let attempt = attempt(app, &keys).await?;
    Ok((email_key, attempt))
}

/// The 429 answer: the form again, saying how long to wait.
pub(crate) fn too_many(page: impl IntoResponse, seconds: i64) -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

pub(crate) fn wait_message(seconds: i64) -> String {
    format!(
        "Too many attempts. Try again in {} minute(s).",
        (seconds + 59) / 60
    )
}

pub(crate) async fn login(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    // The operator turned passwords off: providers sign people in.
    if !app.config.password_login {
        return Err(PageError::NotFound);
    }
    let page = |errors: FormErrors| LoginPage {
        chrome: Chrome::new(&visitor),
        providers: app.sso.buttons(),
        password_login: app.config.password_login,
        email: form.email.clone(),
        next: form.next.clone(),
        next_encoded: url_encode(&form.next),
        reset_done: false,
        errors,
    };
    let email = Email::parse(&form.email).ok();
    let (email_key, attempt) = password_attempt(
        &app,
        email.as_ref().map_or(form.email.as_str(), Email::as_str),
        &client,
    )
    .await?;
    let attempt = match attempt {
        Ok(a) => a,
        Err(seconds) => {
            let mut errors = FormErrors::default();
            errors.add("", wait_message(seconds));
            return Ok(too_many(page(errors), seconds));
        }
    };

    let found = match &email {
        Some(e) => people::by_email(&app.store, e).await?,
        None => None,
    };
    // An unknown email still costs one hash, so both failures look alike.
    let person = match found {
        Some((person, hash)) => password::verify(&form.password, &hash)
            .await
            .map_err(PageError::Internal)?
            .then_some(person),
        None => {
            password::verify_nothing(&form.password).await;
            None
        }
    };
    let Some(person) = person else {
        crate::audit::note(
            &app,
            Entry {
                org: None,
                actor: None,
                action: AuditAction::SignInFailed,
                subject: form.email.trim().to_owned(),
                detail: String::new(),
                client_ip: &client.ip,
            },
        )
        .await;
        // The attempt stays counted as a failure.
        let mut errors = FormErrors::default();
        errors.add("", SIGN_IN_FAILED);
        return Ok((StatusCode::UNAUTHORIZED, page(errors)).into_response());
    };
    cairn_store::throttle::succeeded(&app.store, &attempt, &[&email_key]).await?;
    end_current_session(&app, &visitor).await?;
    let cookie = auth::start_session(&app, &person, &client).await?;
    crate::audit::note(
        &app,
        Entry {
            org: None,
            actor: Some(&person.id),
            action: AuditAction::SignedIn,
            subject: person.email.to_string(),
            detail: String::new(),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok(redirect_with_cookie(&next_or_home(&form.next), &cookie))
}

/// Ends the session a request came with, so signing in (again) never
/// keeps an old session id alive.
pub(crate) async fn end_current_session(app: &App, visitor: &Visitor) -> Result<(), StoreError> {
    match &visitor.session_hash {
        Some(hash) => people::end_session(&app.store, hash).await,
        None => Ok(()),
    }
}

pub(crate) async fn logout(
    State(app): State<App>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    end_current_session(&app, &visitor).await?;
    Ok(redirect_with_cookie("/", &auth::clear_session_cookie(&app)))
}

/// "Try the demo": on an instance started with `--demo` only, signs the
/// visitor in as the demo member (`cairn_store::demo::TRY_AS`) and opens
/// their journey. Anyone may, so a demo instance holds demo data only;
/// elsewhere the address does not exist (404).
pub(crate) async fn try_demo(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
) -> Result<Response, PageError> {
    if !app.config.demo {
        return Err(PageError::NotFound);
    }
    let email = Email::parse(cairn_store::demo::TRY_AS).map_err(|_| PageError::NotFound)?;
    let (person, _) = people::by_email(&app.store, &email)
        .await?
        .ok_or(PageError::NotFound)?;
    let home = cairn_store::members::organizations_of(&app.store, &person.id)
        .await?
        .into_iter()
        .next()
        .map_or_else(
            || "/".to_owned(),
            |(slug, _)| format!("/{slug}/people/{}", person.id.as_str()),
        );
    end_current_session(&app, &visitor).await?;
    let cookie = auth::start_session(&app, &person, &client).await?;
    crate::audit::note(
        &app,
        Entry {
            org: None,
            actor: Some(&person.id),
            action: AuditAction::SignedIn,
            subject: person.email.to_string(),
            detail: "Try the demo".to_owned(),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok(redirect_with_cookie(&home, &cookie))
}

/// The demo button's address, opened or reloaded: the home page has it.
pub(crate) async fn demo_address(State(app): State<App>) -> Result<Response, PageError> {
    if !app.config.demo {
        return Err(PageError::NotFound);
    }
    Ok(crate::forms::redirect("/"))
}

//! Accounts: sign up, sign in and out, password, sessions, API tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::Name;
use cairn_domain::audit::AuditAction;
use cairn_domain::people::{Email, NewPassword};
use cairn_domain::throttle;
use cairn_store::StoreError;
use cairn_store::audit::Entry;
use cairn_store::people;
use cairn_store::throttle::Attempt;
use serde::Deserialize;

use super::{Chrome, Link, date, url_encode};
use crate::App;
use crate::auth::{self, ClientInfo, TOKEN_PREFIX, TokenScope, Visitor};
use crate::error::PageError;
use crate::extract::IdPath;
use crate::forms::{FormErrors, invalid, redirect, redirect_with_cookie, safe_next};
use crate::{password, secrets};

/// The one message for an unknown email and a wrong password.
const SIGN_IN_FAILED: &str = "That email and password do not match an account.";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NextQuery {
    next: String,
}

fn next_or_home(next: &str) -> String {
    if next.is_empty() {
        "/".into()
    } else {
        safe_next(next).to_owned()
    }
}

// ---------------------------------------------------------------------------
// Sign up

#[derive(Template, WebTemplate)]
#[template(path = "account/signup.html")]
pub(crate) struct SignupPage {
    chrome: Chrome,
    name: String,
    email: String,
    next: String,
    next_encoded: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SignupForm {
    name: String,
    email: String,
    password: String,
    next: String,
}

pub(crate) async fn signup_form(visitor: Visitor, Query(q): Query<NextQuery>) -> SignupPage {
    SignupPage {
        chrome: Chrome::new(&visitor),
        name: String::new(),
        email: String::new(),
        next_encoded: url_encode(&q.next),
        next: q.next,
        errors: FormErrors::default(),
    }
}

pub(crate) async fn signup(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    Form(form): Form<SignupForm>,
) -> Result<Response, PageError> {
    let mut errors = FormErrors::default();
    let name = errors.check("name", Name::parse(&form.name, "your name"));
    let email = errors.check("email", Email::parse(&form.email));
    let pw = errors.check("password", NewPassword::parse(&form.password));
    let page = |errors: FormErrors| SignupPage {
        chrome: Chrome::new(&visitor),
        name: form.name.clone(),
        email: form.email.clone(),
        next: form.next.clone(),
        next_encoded: url_encode(&form.next),
        errors,
    };
    let (Some(name), Some(email), Some(pw)) = (name, email, pw) else {
        return Ok(invalid(page(errors)));
    };
    // Telling "this email has an account" cannot be avoided while sign-up
    // signs the new account straight in; each address gets as many tries
    // as it gets sign-ins, and only failed ones stay counted.
    let ip_key = address_key(&client);
    let attempt = match attempt(&app, &[(ip_key.as_str(), throttle::PER_ADDRESS)]).await? {
        Ok(a) => a,
        Err(seconds) => {
            errors.add("", wait_message(seconds));
            return Ok(too_many(page(errors), seconds));
        }
    };
    let hash = password::hash(&pw).await.map_err(PageError::Internal)?;
    let person = match people::create(&app.store, &email, &name, &hash, app.now()).await {
        Ok(p) => p,
        Err(StoreError::Conflict(_)) => {
            errors.add(
                "email",
                "This email cannot be used to sign up. If it is yours, sign in instead.",
            );
            return Ok(invalid(page(errors)));
        }
        Err(e) => return Err(e.into()),
    };
    cairn_store::throttle::succeeded(&app.store, &attempt, &[]).await?;
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

// ---------------------------------------------------------------------------
// Sign in and out

#[derive(Template, WebTemplate)]
#[template(path = "account/login.html")]
pub(crate) struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    next_encoded: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LoginForm {
    email: String,
    password: String,
    next: String,
}

pub(crate) async fn login_form(visitor: Visitor, Query(q): Query<NextQuery>) -> LoginPage {
    LoginPage {
        chrome: Chrome::new(&visitor),
        email: String::new(),
        next_encoded: url_encode(&q.next),
        next: q.next,
        errors: FormErrors::default(),
    }
}

fn account_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

fn address_key(client: &cairn_store::people::Client) -> String {
    format!("ip:{}", client.ip)
}

/// Starts a throttled attempt (`cairn_domain::throttle`): counted before
/// any password is checked, so simultaneous attempts count too. `Err` is
/// the seconds to wait.
async fn attempt(
    app: &App,
    keys: &[(&str, throttle::Limit)],
) -> Result<Result<Attempt, i64>, PageError> {
    Ok(cairn_store::throttle::begin(&app.store, keys, app.now()).await?)
}

/// A password guess for `email` from `client`, counted per account and per
/// address. Returns the account's key, to forget its failures on success.
async fn password_attempt(
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
fn too_many(page: impl IntoResponse, seconds: i64) -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn wait_message(seconds: i64) -> String {
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
    let page = |errors: FormErrors| LoginPage {
        chrome: Chrome::new(&visitor),
        email: form.email.clone(),
        next: form.next.clone(),
        next_encoded: url_encode(&form.next),
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
async fn end_current_session(app: &App, visitor: &Visitor) -> Result<(), StoreError> {
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

// ---------------------------------------------------------------------------
// Password

#[derive(Template, WebTemplate)]
#[template(path = "account/account.html")]
pub(crate) struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    changed: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct DoneQuery {
    done: String,
}

pub(crate) async fn account_page(
    visitor: Visitor,
    Query(q): Query<DoneQuery>,
) -> Result<AccountPage, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/account")?;
    Ok(AccountPage {
        chrome: Chrome::new(&visitor),
        name: person.name.to_string(),
        email: person.email.to_string(),
        changed: q.done == "password",
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PasswordForm {
    current: String,
    password: String,
    /// "keep" keeps the API tokens; anything else (the default) revokes them.
    tokens: String,
}

pub(crate) async fn change_password(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/account")?;
    let mut errors = FormErrors::default();
    let page = |errors: FormErrors| AccountPage {
        chrome: Chrome::new(&visitor),
        name: person.name.to_string(),
        email: person.email.to_string(),
        changed: false,
        errors,
    };
    // Checking the current password is a guess like a sign-in, throttled
    // the same way.
    let (_, attempt) = password_attempt(&app, person.email.as_str(), &client).await?;
    let attempt = match attempt {
        Ok(a) => a,
        Err(seconds) => {
            errors.add("current", wait_message(seconds));
            return Ok(too_many(page(errors), seconds));
        }
    };
    let stored = people::password_hash(&app.store, &person.id).await?;
    if password::verify(&form.current, &stored)
        .await
        .map_err(PageError::Internal)?
    {
        cairn_store::throttle::succeeded(&app.store, &attempt, &[]).await?;
    } else {
        errors.add("current", "That is not your current password.");
    }
    let new = errors.check("password", NewPassword::parse(&form.password));
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Ok(invalid(page(errors)));
    };
    let hash = password::hash(&new).await.map_err(PageError::Internal)?;
    // Ends every session, this one included; this browser gets a new one.
    let revoke_tokens = form.tokens != "keep";
    people::set_password(&app.store, &person.id, &hash, revoke_tokens, app.now()).await?;
    let cookie = auth::start_session(&app, person, &client).await?;
    Ok(redirect_with_cookie(
        "/settings/account?done=password",
        &cookie,
    ))
}

// ---------------------------------------------------------------------------
// Sessions

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

// ---------------------------------------------------------------------------
// API tokens

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

async fn tokens_view(
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

/// The signed-in person of a browser session. Tokens, sessions and the
/// password are never managed with an API token: a leaked token must not
/// be able to make more tokens, end its owner's sessions or lock them out.
fn signed_in_by_session<'a>(
    visitor: &'a Visitor,
    here: &str,
) -> Result<&'a cairn_store::people::Person, PageError> {
    if visitor.token_scope.is_some() {
        return Err(PageError::Forbidden(
            "API tokens cannot manage tokens, sessions or the password. Sign in with a browser.",
        ));
    }
    super::signed_in(visitor, here)
}

/// Links offered when an invitation needs an account first.
pub(crate) fn account_links(next: &str) -> Vec<Link> {
    let next = url_encode(next);
    vec![
        Link {
            href: format!("/signup?next={next}"),
            text: "Sign up to accept".into(),
        },
        Link {
            href: format!("/login?next={next}"),
            text: "I have an account: sign in".into(),
        },
    ]
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/signup", signup_form, signup)
        .get_post("/login", login_form, login)
        .post("/logout", logout)
        .get("/settings/account", account_page)
        .post("/settings/password", change_password)
        .get("/settings/sessions", sessions_page)
        .post("/settings/sessions/{id}/revoke", revoke_session)
        .get_post("/settings/tokens", tokens_page, create_token)
        .post("/settings/tokens/{id}/revoke", revoke_token)
}

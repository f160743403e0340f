//! Accounts: sign up, sign in and out, password, sessions, API tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::Name;
use cairn_domain::audit::AuditAction;
use cairn_domain::people::{Email, NewPassword};
use cairn_store::StoreError;
use cairn_store::audit::Entry;
use cairn_store::people;
use serde::Deserialize;

use super::{Chrome, Link, date, signed_in, url_encode};
use crate::App;
use crate::auth::{self, ClientInfo, TOKEN_PREFIX, Visitor};
use crate::error::PageError;
use crate::forms::{FormErrors, invalid, redirect, redirect_with_cookie, safe_next};
use crate::{password, secrets};

/// Failed sign-ins allowed per account, and per client address, within
/// the window before further attempts answer 429.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;
const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

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
    let hash = password::hash(&pw).await.map_err(PageError::Internal)?;
    let person = match people::create(&app.store, &email, &name, &hash, app.now()).await {
        Ok(p) => p,
        Err(StoreError::Conflict(_)) => {
            errors.add(
                "email",
                "An account with this email already exists. Sign in instead.",
            );
            return Ok(invalid(page(errors)));
        }
        Err(e) => return Err(e.into()),
    };
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

/// Seconds until a throttled key may try again, if it is throttled.
async fn throttled(app: &App, key: &str, max: i64) -> Result<Option<i64>, StoreError> {
    let now = app.now();
    let (count, oldest) = people::failures(&app.store, key, now - FAILURE_WINDOW_MS).await?;
    Ok((count >= max).then(|| {
        let retry_ms = oldest.map_or(FAILURE_WINDOW_MS, |t| t + FAILURE_WINDOW_MS - now);
        (retry_ms.max(1000) + 999) / 1000
    }))
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
    let email_key = format!(
        "email:{}",
        email.as_ref().map_or(form.email.trim(), Email::as_str)
    );
    let ip_key = format!("ip:{}", client.ip);
    let wait = match throttled(&app, &email_key, MAX_FAILURES_PER_ACCOUNT).await? {
        Some(w) => Some(w),
        None => throttled(&app, &ip_key, MAX_FAILURES_PER_ADDRESS).await?,
    };
    if let Some(seconds) = wait {
        let mut errors = FormErrors::default();
        errors.add(
            "",
            format!(
                "Too many failed sign-ins. Try again in {} minute(s).",
                (seconds + 59) / 60
            ),
        );
        let mut response = (StatusCode::TOO_MANY_REQUESTS, page(errors)).into_response();
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }

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
        let now = app.now();
        people::record_failure(
            &app.store,
            &[email_key, ip_key],
            now,
            now - FAILURE_WINDOW_MS,
        )
        .await?;
        let mut errors = FormErrors::default();
        errors.add("", SIGN_IN_FAILED);
        return Ok((StatusCode::UNAUTHORIZED, page(errors)).into_response());
    };
    people::clear_failures(&app.store, &email_key).await?;
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
    let person = signed_in(&visitor, "/settings/account")?;
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
}

pub(crate) async fn change_password(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/settings/account")?;
    let mut errors = FormErrors::default();
    let stored = people::password_hash(&app.store, &person.id).await?;
    if !password::verify(&form.current, &stored)
        .await
        .map_err(PageError::Internal)?
    {
        errors.add("current", "That is not your current password.");
    }
    let new = errors.check("password", NewPassword::parse(&form.password));
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Ok(invalid(AccountPage {
            chrome: Chrome::new(&visitor),
            name: person.name.to_string(),
            email: person.email.to_string(),
            changed: false,
            errors,
        }));
    };
    let hash = password::hash(&new).await.map_err(PageError::Internal)?;
    // Ends every session, this one included; this browser gets a new one.
    people::set_password(&app.store, &person.id, &hash, app.now()).await?;
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
    let person = signed_in(&visitor, "/settings/sessions")?;
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
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/settings/sessions")?;
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
    let person = signed_in(visitor, "/settings/tokens")?;
    let tokens = people::tokens(&app.store, &person.id).await?;
    Ok(TokensPage {
        chrome: Chrome::new(visitor),
        tokens: tokens
            .into_iter()
            .map(|t| TokenLine {
                id: t.id,
                name: t.name.to_string(),
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
}

/// Creates a token and shows it on this one response, never again.
pub(crate) async fn create_token(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/settings/tokens")?;
    let mut errors = FormErrors::default();
    let Some(name) = errors.check("name", Name::parse(&form.name, "a token name")) else {
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
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let person = signed_in(&visitor, "/settings/tokens")?;
    if !people::revoke_token(&app.store, &person.id, &id, app.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(redirect("/settings/tokens"))
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

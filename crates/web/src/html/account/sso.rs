//! `/auth/oidc/{id}`: sign in with a company account (OpenID Connect,
//! authorization code flow with PKCE, `state` bound to this browser by a
//! cookie, `nonce`). The callback refuses anything the protocol does not
//! vouch for with a page and an audit entry, and creates nothing then.
//! `/auth/link/{token}`: an identity whose verified email is an existing
//! account's, linked once its holder signs in to that account.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::audit::AuditAction;
use cairn_domain::people::Email;
use cairn_domain::sso::{domain_of, proves_domain};
use cairn_store::audit::Entry;
use cairn_store::people::{self, Person};
use cairn_store::sso::{self, Outcome, Signing};
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::{self, ClientInfo, Visitor};
use crate::error::{PageError, render};
use crate::extract::IdPath;
use crate::forms::{FormErrors, invalid, redirect, redirect_with_cookie};
use crate::html::Chrome;
use crate::{password, secrets};

/// The cookie binding a sign-in in flight to the browser that began it.
const STATE_COOKIE: &str = "cairn_sso";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct StartForm {
    next: String,
}

/// The provider named by the path, or 404.
fn provider_id(id: &str, app: &App) -> Result<String, PageError> {
    app.sso
        .config(id)
        .map(|c| c.id.clone())
        .ok_or(PageError::NotFound)
}

fn unavailable(name: &str) -> Response {
    render(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sign-in provider unavailable",
        format!(
            "{name} cannot be reached right now. Try again in a minute, or sign in with your password."
        ),
    )
}

/// Where a sign-in in flight goes: the provider's URL, and the cookie that
/// binds it to this browser.
enum Begun {
    Go { url: String, cookie: String },
    Unavailable(Response),
}

async fn begin(
    app: &App,
    id: &str,
    next: &str,
    link_to: Option<&cairn_store::people::PersonId>,
) -> Result<Begun, PageError> {
    let name = app
        .sso
        .config(id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let start = match app.sso.start(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(PageError::NotFound),
        Err(e) => {
            tracing::warn!(provider = id, error = %e.0, "sign-in provider unavailable");
            return Ok(Begun::Unavailable(unavailable(&name)));
        }
    };
    sso::begin_login(
        &app.store,
        &sso::NewLogin {
            state_hash: &secrets::hash(&start.state),
            provider: id,
            nonce: &start.nonce,
            pkce_verifier: &start.pkce_verifier,
            next: crate::forms::safe_next(next),
            link_to,
        },
        app.now(),
    )
    .await?;
    // Lax: the provider's redirect back is a top-level GET, which carries it.
    let cookie = format!(
        "{STATE_COOKIE}={}; Path=/auth/oidc/{id}/callback; HttpOnly; SameSite=Lax; Max-Age=600{}",
        start.state,
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    Ok(Begun::Go {
        url: start.url,
        cookie,
    })
}

fn no_store(mut response: Response, cookie: &str) -> Response {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(cookie) {
        headers.insert(header::SET_COOKIE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /auth/oidc/{id}?next=…`: the "Sign in with NAME" link, a
/// redirect to the provider. A link rather than a form: the pages'
/// `form-action 'self'` stops a form's redirect to another site, and
/// starting a sign-in changes nothing until the provider answers.
pub(crate) async fn start(
    State(app): State<App>,
    IdPath(id): IdPath,
    Query(form): Query<StartForm>,
) -> Result<Response, PageError> {
    let id = provider_id(&id, &app)?;
    match begin(&app, &id, &form.next, None).await? {
        Begun::Unavailable(r) => Ok(r),
        Begun::Go { url, cookie } => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            let location =
                HeaderValue::from_str(&url).map_err(|e| PageError::Internal(e.to_string()))?;
            response.headers_mut().insert(header::LOCATION, location);
            Ok(no_store(response, &cookie))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account/link_start.html")]
pub(crate) struct LinkStartPage {
    chrome: Chrome,
    provider: String,
    url: String,
}

/// `POST /settings/account/identities/{id}`: link another provider to the
/// signed-in account. A form (so another site cannot start it for you),
/// answered with the link to the provider.
pub(crate) async fn start_link(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/account")?;
    let id = provider_id(&id, &app)?;
    let provider = app
        .sso
        .config(&id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    match begin(&app, &id, "/settings/account?done=linked", Some(&person.id)).await? {
        Begun::Unavailable(r) => Ok(r),
        Begun::Go { url, cookie } => Ok(no_store(
            LinkStartPage {
                chrome: Chrome::new(&visitor),
                provider,
                url,
            }
            .into_response(),
            &cookie,
        )),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Callback {
    code: String,
    state: String,
    error: String,
    error_description: String,
}

/// The browser's state cookie.
pub(crate) struct StateCookie(Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for StateCookie {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        Ok(StateCookie(
            auth::cookie_value(parts, STATE_COOKIE).map(str::to_owned),
        ))
    }
}

/// A refused sign-in: a page saying why, an audit entry, nothing created.
async fn refuse(app: &App, client: &people::Client, provider: &str, why: &str) -> Response {
    crate::audit::note(
        app,
        Entry {
            org: None,
            actor: None,
            action: AuditAction::SignInFailed,
            subject: format!("via {provider}"),
            detail: why.chars().take(300).collect(),
            client_ip: &client.ip,
        },
    )
    .await;
    let mut r = render(
        StatusCode::FORBIDDEN,
        "Sign-in refused",
        format!("The sign-in through {provider} was refused: {why}"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /auth/oidc/{id}/callback`.
pub(crate) async fn callback(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    IdPath(id): IdPath,
    StateCookie(cookie): StateCookie,
    Query(q): Query<Callback>,
) -> Result<Response, PageError> {
    let id = provider_id(&id, &app)?;
    let name = app
        .sso
        .config(&id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    if !q.error.is_empty() {
        let why = format!("the provider answered {}: {}", q.error, q.error_description);
        return Ok(refuse(&app, &client, &name, &why).await);
    }
    if q.state.is_empty() || cookie.as_deref() != Some(q.state.as_str()) {
        return Ok(refuse(
            &app,
            &client,
            &name,
            "this sign-in was not started in this browser (state)",
        )
        .await);
    }
    let Some(login) = sso::take_login(&app.store, &secrets::hash(&q.state), &id, app.now()).await?
    else {
        return Ok(refuse(
            &app,
            &client,
            &name,
            "this sign-in link was used already, or is too old",
        )
        .await);
    };
    let verified = match app
        .sso
        .finish(&id, &q.code, &login.pkce_verifier, &login.nonce)
        .await
    {
        Ok(Ok(v)) => v,
        Ok(Err(refused)) => return Ok(refuse(&app, &client, &name, &refused.0).await),
        Err(e) => {
            tracing::warn!(provider = %id, error = %e.0, "sign-in provider unavailable");
            return Ok(unavailable(&name));
        }
    };
    let signing = Signing {
        provider: &id,
        issuer: &verified.issuer,
        subject: &verified.subject,
        claims: &verified.claims,
        name: &verified.name,
    };
    // Linking from the account page: only to the account that asked.
    if let Some(to) = &login.link_to {
        let same = visitor.person.as_ref().is_some_and(|p| &p.id == to);
        if !same {
            return Ok(refuse(
                &app,
                &client,
                &name,
                "the account that asked to link is not signed in here",
            )
            .await);
        }
        if !sso::link(&app.store, &signing, to, app.now()).await? {
            return Ok(refuse(
                &app,
                &client,
                &name,
                "this identity belongs to another account",
            )
            .await);
        }
        return Ok(redirect(&login.next));
    }
    let pending = secrets::new_secret("").map_err(|e| PageError::Internal(e.to_string()))?;
    match sso::sign_in(&app.store, &signing, &secrets::hash(&pending), app.now()).await? {
        Outcome::Refused(r) => Ok(refuse(&app, &client, &name, r.message()).await),
        Outcome::LinkFirst { .. } => Ok(redirect(&format!("/auth/link/{pending}"))),
        Outcome::SignedIn { person, .. } => {
            join_by_domain(&app, &id, &verified, &person).await?;
            signed_in_as(&app, &visitor, &client, &person, &name, &login.next).await
        }
    }
}

/// Joins the organizations that take people of the person's domain
/// through this provider, when the sign-in proves the domain.
async fn join_by_domain(
    app: &App,
    provider: &str,
    verified: &crate::sso::Verified,
    person: &Person,
) -> Result<(), PageError> {
    let Some(domain) = verified.claims.email.as_deref().and_then(domain_of) else {
        return Ok(());
    };
    let authoritative = app
        .sso
        .config(provider)
        .map(|c| c.domains.clone())
        .unwrap_or_default();
    if !proves_domain(&verified.claims, &domain, &authoritative) {
        return Ok(());
    }
    for (org, join) in sso::orgs_for(&app.store, &domain, provider).await? {
        sso::join_by_domain(&app.store, &org, &person.id, join, app.now()).await?;
    }
    Ok(())
}

async fn signed_in_as(
    app: &App,
    visitor: &Visitor,
    client: &people::Client,
    person: &Person,
    provider: &str,
    next: &str,
) -> Result<Response, PageError> {
    end_current_session(app, visitor).await?;
    let cookie = auth::start_session(app, person, client).await?;
    crate::audit::note(
        app,
        Entry {
            org: None,
            actor: Some(&person.id),
            action: AuditAction::SignedIn,
            subject: person.email.to_string(),
            detail: format!("via {provider}"),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok(redirect_with_cookie(&next_or_home(next), &cookie))
}

#[derive(Template, WebTemplate)]
#[template(path = "account/link.html")]
pub(crate) struct LinkPage {
    chrome: Chrome,
    token: String,
    email: String,
    provider: String,
    errors: FormErrors,
}

async fn link_view(
    app: &App,
    visitor: &Visitor,
    token: &str,
    errors: FormErrors,
) -> Result<Option<LinkPage>, PageError> {
    let Some((_, provider, email)) =
        sso::pending_person(&app.store, &secrets::hash(token), app.now()).await?
    else {
        return Ok(None);
    };
    let provider = app
        .sso
        .config(&provider)
        .map(|c| c.name.clone())
        .unwrap_or(provider);
    Ok(Some(LinkPage {
        chrome: Chrome::new(visitor),
        token: token.to_owned(),
        email,
        provider,
        errors,
    }))
}

/// `GET /auth/link/{token}`: sign in to the account to link the identity.
pub(crate) async fn link_form(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(token): IdPath,
) -> Result<Response, PageError> {
    let page = link_view(&app, &visitor, &token, FormErrors::default())
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LinkForm {
    password: String,
}

/// `POST /auth/link/{token}`: the account's password, checked and
/// throttled like a sign-in; right, and the identity is linked and the
/// person signed in.
pub(crate) async fn link(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    IdPath(token): IdPath,
    Form(form): Form<LinkForm>,
) -> Result<Response, PageError> {
    let token = token.to_string();
    let Some((person_id, provider, _)) =
        sso::pending_person(&app.store, &secrets::hash(&token), app.now()).await?
    else {
        return Err(PageError::NotFound);
    };
    let Some((person, stored)) = people_by_id(&app, &person_id).await? else {
        return Err(PageError::NotFound);
    };
    let (email_key, attempt) = password_attempt(&app, person.email.as_str(), &client).await?;
    let mut errors = FormErrors::default();
    let attempt = match attempt {
        Ok(a) => a,
        Err(seconds) => {
            errors.add("password", wait_message(seconds));
            let page = link_view(&app, &visitor, &token, errors)
                .await?
                .ok_or(PageError::NotFound)?;
            return Ok(too_many(page, seconds));
        }
    };
    let ok = app.config.password_login
        && password::verify(&form.password, &stored)
            .await
            .map_err(PageError::Internal)?;
    if !ok {
        errors.add("password", "That is not the password of this account.");
        let page = link_view(&app, &visitor, &token, errors)
            .await?
            .ok_or(PageError::NotFound)?;
        return Ok(invalid(page));
    }
    cairn_store::throttle::succeeded(&app.store, &attempt, &[&email_key]).await?;
    if !sso::complete_link(&app.store, &secrets::hash(&token), &person.id, app.now()).await? {
        return Err(PageError::NotFound);
    }
    let name = app
        .sso
        .config(&provider)
        .map(|c| c.name.clone())
        .unwrap_or(provider);
    signed_in_as(
        &app,
        &visitor,
        &client,
        &person,
        &name,
        "/settings/account?done=linked",
    )
    .await
}

async fn people_by_id(
    app: &App,
    id: &cairn_store::people::PersonId,
) -> Result<Option<(Person, String)>, PageError> {
    // By email: the one lookup that also gives the password hash.
    let email: Option<String> = cairn_store::sso::email_of(&app.store, id).await?;
    let Some(email) = email.and_then(|e| Email::parse(&e).ok()) else {
        return Ok(None);
    };
    Ok(people::by_email(&app.store, &email).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct UnlinkForm {
    issuer: String,
    subject: String,
}

/// `POST /settings/account/identities/remove`.
pub(crate) async fn unlink(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<UnlinkForm>,
) -> Result<Response, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/account")?;
    match sso::unlink(
        &app.store,
        &person.id,
        &form.issuer,
        &form.subject,
        app.config.password_login,
    )
    .await
    {
        Ok(true) => Ok(redirect("/settings/account?done=unlinked")),
        Ok(false) => Ok(redirect("/settings/account?done=last")),
        Err(cairn_store::StoreError::NotFound) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

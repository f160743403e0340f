//! `/signup`: a new account, signed in at once.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::Name;
use cairn_domain::audit::AuditAction;
use cairn_domain::people::{Email, NewPassword};
use cairn_domain::throttle;
use cairn_store::StoreError;
use cairn_store::audit::Entry;
use cairn_store::people;
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::{self, ClientInfo, Visitor};
use crate::error::PageError;
use crate::forms::{FormErrors, invalid, redirect_with_cookie};
use crate::html::{Chrome, url_encode};
use crate::password;

#[derive(Template, WebTemplate)]
#[template(path = "account/signup.html")]
pub(crate) struct SignupPage {
    chrome: Chrome,
    /// (id, name) of the sign-in providers, for their buttons.
    providers: Vec<(String, String)>,
    password_login: bool,
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

pub(crate) async fn signup_form(
    State(app): State<App>,
    visitor: Visitor,
    Query(q): Query<NextQuery>,
) -> SignupPage {
    SignupPage {
        chrome: Chrome::new(&visitor),
        providers: app.sso.buttons(),
        password_login: app.config.password_login,
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
    // The operator turned passwords off: providers sign people in.
    if !app.config.password_login {
        return Err(PageError::NotFound);
    }
    let mut errors = FormErrors::default();
    let name = errors.check("name", Name::parse(&form.name, "your name"));
    let email = errors.check("email", Email::parse(&form.email));
    let pw = errors.check("password", NewPassword::parse(&form.password));
    let page = |errors: FormErrors| SignupPage {
        chrome: Chrome::new(&visitor),
        providers: app.sso.buttons(),
        password_login: app.config.password_login,
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

//! `/settings/account`, `/settings/password`: changing the password ends
//! every session (and, unless kept, every API token).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::people::NewPassword;
use cairn_store::people;
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::{self, ClientInfo, Visitor};
use crate::error::PageError;
use crate::forms::{FormErrors, invalid, redirect_with_cookie};
use crate::html::Chrome;
use crate::password;

#[derive(Template, WebTemplate)]
#[template(path = "account/account.html")]
pub(crate) struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    changed: bool,
    /// A notice after linking or removing an identity.
    notice: &'static str,
    identities: Vec<IdentityLine>,
    /// Providers not linked yet: (id, name).
    linkable: Vec<(String, String)>,
    has_password: bool,
    errors: FormErrors,
}

pub(crate) struct IdentityLine {
    provider: String,
    issuer: String,
    subject: String,
    email: String,
    since: String,
}

/// The account's identities and the providers it could link.
async fn identities(
    app: &App,
    person: &cairn_store::people::Person,
) -> Result<(Vec<IdentityLine>, Vec<(String, String)>, bool), PageError> {
    let list = cairn_store::sso::identities_of(&app.store, &person.id).await?;
    let has_password = cairn_store::sso::has_password(&app.store, &person.id).await?;
    let linkable = app
        .sso
        .buttons()
        .into_iter()
        .filter(|(id, _)| !list.iter().any(|i| &i.provider == id))
        .collect();
    let lines = list
        .into_iter()
        .map(|i| IdentityLine {
            provider: app
                .sso
                .config(&i.provider)
                .map_or(i.provider.clone(), |c| c.name.clone()),
            issuer: i.issuer,
            subject: i.subject,
            email: i.email,
            since: crate::html::date(i.created_at),
        })
        .collect();
    Ok((lines, linkable, has_password))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct DoneQuery {
    done: String,
}

pub(crate) async fn account_page(
    State(app): State<App>,
    visitor: Visitor,
    Query(q): Query<DoneQuery>,
) -> Result<AccountPage, PageError> {
    let person = signed_in_by_session(&visitor, "/settings/account")?;
    let (identities, linkable, has_password) = identities(&app, person).await?;
    Ok(AccountPage {
        chrome: Chrome::new(&visitor),
        name: person.name.to_string(),
        email: person.email.to_string(),
        changed: q.done == "password",
        notice: match q.done.as_str() {
            "linked" => "Linked: you can sign in with it from now on.",
            "unlinked" => "Removed: it no longer signs you in.",
            "last" => {
                "Not removed: it is your last way to sign in. Link another first, or set a password."
            }
            _ => "",
        },
        identities,
        linkable,
        has_password,
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
    let (lines, linkable, has_password) = identities(&app, person).await?;
    let page = |errors: FormErrors| AccountPage {
        chrome: Chrome::new(&visitor),
        name: person.name.to_string(),
        email: person.email.to_string(),
        changed: false,
        notice: "",
        identities: lines,
        linkable,
        has_password,
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

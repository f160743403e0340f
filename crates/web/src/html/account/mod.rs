//! Accounts: sign up, sign in and out, password, sessions, API tokens.

use serde::Deserialize;

use crate::auth::Visitor;
use crate::error::PageError;
use crate::forms::safe_next;
use crate::html::{Link, url_encode};

mod passwords;
mod reset;
mod sessions;
mod sign_in;
mod sign_up;
mod sso;
mod tokens;

use passwords::*;
use reset::*;
use sessions::*;
use sign_in::*;
use sign_up::*;
use sso::*;
use tokens::*;

/// The one message for an unknown email and a wrong password.
pub(crate) const SIGN_IN_FAILED: &str = "That email and password do not match an account.";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NextQuery {
    next: String,
}

pub(crate) fn next_or_home(next: &str) -> String {
    if next.is_empty() {
        "/".into()
    } else {
        safe_next(next).to_owned()
    }
}

/// The signed-in person of a browser session. Tokens, sessions and the
/// password are never managed with an API token: a leaked token must not
/// be able to make more tokens, end its owner's sessions or lock them out.
pub(crate) fn signed_in_by_session<'a>(
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
        .get_post("/forgot-password", forgot_form, forgot)
        .get_post("/forgot-password/{token}", reset_form, reset)
        .get("/auth/oidc/{id}", start)
        .get("/auth/oidc/{id}/callback", callback)
        .get_post("/auth/link/{token}", link_form, link)
        .post("/settings/account/identities/remove", unlink)
        .post("/settings/account/identities/{id}", start_link)
        .post("/logout", logout)
        .get_post("/demo", demo_address, try_demo)
        .get("/settings/account", account_page)
        .post("/settings/password", change_password)
        .get("/settings/sessions", sessions_page)
        .post("/settings/sessions/{id}/revoke", revoke_session)
        .get_post("/settings/tokens", tokens_page, create_token)
        .post("/settings/tokens/{id}/revoke", revoke_token)
}

//! Who is asking: sessions (a cookie naming a row in the database, so any
//! app server can serve any request) and API tokens (`Authorization:
//! Bearer`). Both are random secrets stored only as hashes.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::Method;
use axum::http::header::{AUTHORIZATION, COOKIE, USER_AGENT};
use axum::http::request::Parts;
use cairn_domain::membership::{MemberStatus, Standing};
pub use cairn_domain::policy::Actor;
use cairn_store::StoreError;
pub use cairn_store::people::TokenScope;
use cairn_store::people::{self, Client, Person};

use crate::App;
use crate::error::PageError;
use crate::secrets;

pub const SESSION_COOKIE: &str = "cairn_session";
const SESSION_DAYS: i64 = 30;
pub const TOKEN_PREFIX: &str = "cairn_pat_";

/// The signed-in person, if any, and how they proved it.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub person: Option<Person>,
    /// The hash of this request's session cookie (None for tokens).
    pub session_hash: Option<String>,
    /// The public id of this request's session, to mark it in lists.
    pub session_id: Option<String>,
    /// The scope of the API token this request came with, if it did.
    pub token_scope: Option<TokenScope>,
    /// The page asked for (path and query) when it was a GET: where
    /// signing in returns to.
    pub here: Option<String>,
    /// Unread notifications (a session's visitor; 0 for tokens).
    pub unread: i64,
}

/// Who the policy sees: anonymous, a person, or an active member with
/// their capabilities (the one mapping from a membership to an actor).
pub(crate) fn actor_of(visitor: &Visitor, standing: Option<Standing>) -> Actor {
    match (&visitor.person, standing) {
        (None, _) => Actor::Anonymous,
        (Some(_), Some(s)) if s.status == MemberStatus::Active => Actor::Member(s.capabilities),
        (Some(_), _) => Actor::Person,
    }
}

pub(crate) fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Identifies the visitor of a request: a bearer token first, else the
/// session cookie. Unknown or expired secrets mean anonymous.
pub async fn identify(app: &App, parts: &Parts) -> Result<Visitor, StoreError> {
    let now = app.now();
    if let Some(token) = bearer(parts) {
        return Ok(
            match people::token_person(&app.store, &secrets::hash(token), now).await? {
                Some((person, scope)) => Visitor {
                    person: Some(person),
                    token_scope: Some(scope),
                    ..Visitor::default()
                },
                None => Visitor::default(),
            },
        );
    }
    let Some(cookie) = cookie_value(parts, SESSION_COOKIE) else {
        return Ok(Visitor::default());
    };
    let hash = secrets::hash(cookie);
    Ok(
        match people::session_visitor(&app.store, &hash, now).await? {
            Some((person, id, unread)) => Visitor {
                person: Some(person),
                session_hash: Some(hash),
                session_id: Some(id),
                unread,
                ..Visitor::default()
            },
            None => Visitor::default(),
        },
    )
}

impl FromRequestParts<App> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, PageError> {
        let mut visitor = identify(app, parts).await?;
        if visitor.token_scope == Some(TokenScope::Read) && !is_safe(&parts.method) {
            return Err(PageError::Forbidden(
                "This API token may only read. Make a token with the write scope to change things.",
            ));
        }
        if parts.method == Method::GET {
            visitor.here = parts.uri.path_and_query().map(|p| p.as_str().to_owned());
        }
        Ok(visitor)
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The client's address and browser, for throttling and the sessions list.
pub struct ClientInfo(pub Client);

impl FromRequestParts<App> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(
                || "unknown".to_owned(),
                |c| {
                    let forwarded = parts
                        .headers
                        .get_all("x-forwarded-for")
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .collect::<Vec<_>>()
                        .join(",");
                    client_address(c.0.ip(), &forwarded, &app.config.trusted_proxies).to_string()
                },
            );
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Ok(ClientInfo(Client { user_agent, ip }))
    }
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy;
/// then `X-Forwarded-For` is read from the right (the hop nearest us),
/// skipping trusted proxies, and the first other address is the client.
/// Anything a client wrote further left is never believed.
pub fn client_address(peer: IpAddr, forwarded_for: &str, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            // A malformed entry: stop at the last address we could trust.
            Err(_) => return client,
        }
    }
    client
}

/// Starts a new session for `person` and returns the `Set-Cookie` value.
/// Every sign-in gets a new random id: a session id never outlives the
/// sign-in that created it.
pub async fn start_session(
    app: &App,
    person: &Person,
    client: &Client,
) -> Result<String, PageError> {
    let token = secrets::new_secret("").map_err(|e| PageError::Internal(e.to_string()))?;
    let now = app.now();
    let expires = now + SESSION_DAYS * 24 * 3600 * 1000;
    people::start_session(
        &app.store,
        &secrets::hash(&token),
        &person.id,
        client,
        now,
        expires,
    )
    .await?;
    Ok(format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_DAYS * 24 * 3600,
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    ))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(app: &App) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let proxies = [ip("127.0.0.1"), ip("10.0.0.2")];
        let cases: &[(&str, &str, &[IpAddr], &str)] = &[
            ("203.0.113.9", "", &[], "203.0.113.9"),
            // No proxies configured: the header is ignored.
            ("127.0.0.1", "198.51.100.7", &[], "127.0.0.1"),
            // From a trusted proxy: the address it saw.
            ("127.0.0.1", "198.51.100.7", &proxies, "198.51.100.7"),
            // A client cannot plant an address left of the real one.
            (
                "127.0.0.1",
                "6.6.6.6, 198.51.100.7",
                &proxies,
                "198.51.100.7",
            ),
            // Through two trusted proxies.
            (
                "127.0.0.1",
                "198.51.100.7, 10.0.0.2",
                &proxies,
                "198.51.100.7",
            ),
            // An untrusted peer's header is ignored.
            ("203.0.113.9", "198.51.100.7", &proxies, "203.0.113.9"),
            // Garbage stops the walk at the last trusted hop.
            ("127.0.0.1", "not-an-ip", &proxies, "127.0.0.1"),
            ("127.0.0.1", "", &proxies, "127.0.0.1"),
            ("127.0.0.1", "2001:db8::1", &proxies, "2001:db8::1"),
        ];
        for (peer, header, trusted, want) in cases {
            assert_eq!(
                client_address(ip(peer), header, trusted),
                ip(want),
                "{peer} {header:?} {trusted:?}"
            );
        }
    }
}

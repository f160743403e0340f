//! Single sign-on against a real OpenID provider process
//! (`oidc-provider-mock` from PyPI, in `target/oidc-venv`: `.ci/run`
//! installs it), started on a free loopback port: discovery, JWKS, signed
//! ID tokens, its own authorization form. Covers a first sign-in making an
//! account, the same identity again, the takeover attempt refused (an
//! existing account's email, unverified), linking to an existing account
//! by signing in to it once, a replayed callback and a foreign state
//! refused, a provider down at start (a 503 while passwords still work,
//! then discovered when it is back) and key rotation (a restarted provider
//! signs with a new key).
//!
//! Skipped without the provider, unless CAIRN_TEST_REQUIRE_OIDC=1 (CI).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::delivery::{create_user, encode, fernhill, free_port, serve_with};

fn provider_python() -> Option<PathBuf> {
    let venv = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/oidc-venv/bin/python"
    ));
    let candidates = [
        std::env::var_os("CAIRN_TEST_OIDC_PYTHON").map(PathBuf::from),
        Some(venv),
    ];
    candidates.into_iter().flatten().find(|py| {
        Command::new(py)
            .args(["-c", "import oidc_provider_mock"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn skip() -> bool {
    if std::env::var("CAIRN_TEST_REQUIRE_OIDC").as_deref() == Ok("1") {
        panic!(
            "oidc-provider-mock is required (CAIRN_TEST_REQUIRE_OIDC=1); .ci/run installs it into target/oidc-venv"
        );
    }
    eprintln!("SKIPPED: oidc-provider-mock is not installed (target/oidc-venv)");
    true
}

/// A running OpenID provider.
struct Provider {
    child: Option<Child>,
    python: PathBuf,
    port: u16,
}

impl Provider {
    fn start(port: u16) -> Option<Provider> {
        let Some(python) = provider_python() else {
            skip();
            return None;
        };
        let mut p = Provider {
            child: None,
            python,
            port,
        };
        p.up();
        Some(p)
    }

    fn up(&mut self) {
        let child = Command::new(&self.python)
            .args([
                "-m",
                "oidc_provider_mock",
                "-p",
                &self.port.to_string(),
                "--require-nonce",
                "true",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the provider");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while raw(
            &self.base(),
            "GET",
            "/.well-known/openid-configuration",
            &[],
            "",
        )
        .0 != 200
        {
            assert!(Instant::now() < deadline, "the provider did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn base(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sets what the provider says of `sub`.
    fn user(&self, sub: &str, claims: serde_json::Value) {
        let body = claims.to_string();
        let (status, _, _) = raw(
            &self.base(),
            "PUT",
            &format!("/users/{}", encode(sub)),
            &[("Content-Type", "application/json")],
            &body,
        );
        assert_eq!(status, 204, "set claims of {sub}");
    }

    fn kid(&self) -> String {
        let (_, _, body) = raw(&self.base(), "GET", "/jwks", &[], "");
        let v: serde_json::Value = serde_json::from_str(&body).expect("jwks");
        v["keys"][0]["kid"].as_str().unwrap_or("").to_owned()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.down();
    }
}

/// One HTTP/1.1 request to host:port; (status, headers, body).
fn raw(
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, HashMap<String, Vec<String>>, String) {
    let Ok(mut stream) = TcpStream::connect(host) else {
        return (0, HashMap::new(), String::new());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    if stream.write_all(req.as_bytes()).is_err() {
        return (0, HashMap::new(), String::new());
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            out.entry(k.trim().to_ascii_lowercase())
                .or_default()
                .push(v.trim().to_owned());
        }
    }
    (status, out, body.to_owned())
}

/// A browser: a cookie jar per host, and absolute or relative URLs.
struct Browser {
    cairn: String,
    cookies: HashMap<String, HashMap<String, String>>,
}

struct Page {
    status: u16,
    location: String,
    body: String,
}

impl Browser {
    fn new(cairn: &str) -> Browser {
        Browser {
            cairn: cairn.to_owned(),
            cookies: HashMap::new(),
        }
    }

    fn split(&self, url: &str) -> (String, String) {
        match url.strip_prefix("http://") {
            Some(rest) => {
                let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                (host.to_owned(), format!("/{path}"))
            }
            None => (self.cairn.clone(), url.to_owned()),
        }
    }

    fn go(&mut self, method: &str, url: &str, form: &[(&str, &str)]) -> Page {
        let (host, path) = self.split(url);
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        let body = body.join("&");
        let cookie: String = self
            .cookies
            .get(&host)
            .map(|jar| {
                jar.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
        if !cookie.is_empty() {
            headers.push(("Cookie", cookie.as_str()));
        }
        let (status, h, body) = raw(&host, method, &path, &headers, &body);
        for c in h.get("set-cookie").into_iter().flatten() {
            if let Some((k, v)) = c.split(';').next().and_then(|kv| kv.split_once('=')) {
                let jar = self.cookies.entry(host.clone()).or_default();
                if v.is_empty() {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let location = h
            .get("location")
            .and_then(|l| l.first())
            .cloned()
            .unwrap_or_default();
        Page {
            status,
            location,
            body,
        }
    }

    /// Presses "Sign in with …" and signs in at the provider as `sub`:
    /// returns the provider's redirect back (the callback URL).
    fn through_provider(&mut self, provider: &str, sub: &str) -> String {
        let start = self.go("GET", &format!("/auth/oidc/{provider}?next=/"), &[]);
        assert_eq!(start.status, 303, "start: {}", start.body);
        assert!(
            start.location.contains("code_challenge="),
            "PKCE: {}",
            start.location
        );
        assert!(
            start.location.contains("nonce="),
            "nonce: {}",
            start.location
        );
        let form = self.go("GET", &start.location, &[]);
        assert_eq!(form.status, 200, "the provider's form");
        let back = self.go("POST", &start.location, &[("sub", sub)]);
        assert!(
            matches!(back.status, 302 | 303),
            "provider: {} {}",
            back.status,
            back.body
        );
        back.location
    }

    fn sign_in_as(&mut self, provider: &str, sub: &str) -> Page {
        let back = self.through_provider(provider, sub);
        self.go("GET", &back, &[])
    }
}

fn cairn_with(provider: &Provider, url: &str) -> crate::delivery::Server {
    cairn_with_extra(provider, url, "")
}

/// With more keys for the provider's table (`domains = [...]`).
fn cairn_with_extra(provider: &Provider, url: &str, extra: &str) -> crate::delivery::Server {
    let dir = std::env::temp_dir().join(format!("cairn-sso-{}", provider.port));
    std::fs::create_dir_all(&dir).expect("dir");
    let toml = format!(
        "[[oidc]]\nid = \"mock\"\nname = \"Mock ID\"\nissuer = \"{}\"\nclient_id = \"cairn\"\nclient_secret = \"s3cret\"\nallow_private = true\n{extra}",
        provider.issuer()
    );
    let config = dir.join("cairn.toml");
    std::fs::write(&config, toml).expect("config");
    serve_with(url, &["--config", config.to_str().unwrap_or("")], &[])
}

#[test]
fn company_accounts_sign_in_link_and_never_take_over_an_account() {
    let port = free_port();
    let Some(mut provider) = Provider::start(port) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (url, _) = fernhill(dir.path(), &[]);
    create_user(dir.path(), &url, "bob@acme.test", "bobs long password");
    create_user(dir.path(), &url, "carol@acme.test", "carols long password");
    let server = cairn_with(&provider, &url);
    let mut anon = Browser::new(&server.address);
    let login = anon.go("GET", "/login", &[]);
    assert!(
        login.body.contains("Sign in with Mock ID"),
        "{}",
        login.body
    );

    // A first sign-in: an account from the verified email.
    provider.user(
        "ana-sub",
        serde_json::json!({"email": "ana@acme.test", "email_verified": true, "name": "Ana Lima"}),
    );
    let mut ana = Browser::new(&server.address);
    let done = ana.sign_in_as("mock", "ana-sub");
    assert_eq!(done.status, 303, "{}", done.body);
    let account = ana.go("GET", "/settings/account", &[]);
    assert_eq!(account.status, 200);
    assert!(account.body.contains("Ana Lima") && account.body.contains("ana@acme.test"));
    assert!(
        account.body.contains("Mock ID: ana@acme.test"),
        "{}",
        account.body
    );
    assert!(
        account.body.contains("no password"),
        "a provider's account has none"
    );

    // The same identity again, from another browser: the same account.
    let mut again = Browser::new(&server.address);
    assert_eq!(again.sign_in_as("mock", "ana-sub").status, 303);
    assert!(
        again
            .go("GET", "/settings/account", &[])
            .body
            .contains("ana@acme.test")
    );

    // The takeover: bob's email, unverified at the provider. Refused.
    provider.user(
        "mallory",
        serde_json::json!({"email": "bob@acme.test", "email_verified": false, "name": "Mallory"}),
    );
    let mut mallory = Browser::new(&server.address);
    let refused = mallory.sign_in_as("mock", "mallory");
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("does not say your email address is verified")
    );
    assert_eq!(
        mallory.go("GET", "/settings/account", &[]).status,
        303,
        "not signed in"
    );
    // Verified but not bob's to claim: only a page asking for bob's password.
    provider.user(
        "mallory",
        serde_json::json!({"email": "bob@acme.test", "email_verified": true}),
    );
    let offered = mallory.sign_in_as("mock", "mallory");
    assert_eq!(offered.status, 303);
    assert!(
        offered.location.starts_with("/auth/link/"),
        "{}",
        offered.location
    );
    let wrong = mallory.go(
        "POST",
        &offered.location,
        &[("password", "a guessed password")],
    );
    assert_eq!(wrong.status, 422);
    assert_eq!(
        mallory.go("GET", "/settings/account", &[]).status,
        303,
        "still not signed in"
    );

    // Carol links hers by signing in to her account once.
    provider.user(
        "carol-sub",
        serde_json::json!({"email": "carol@acme.test", "email_verified": true}),
    );
    let mut carol = Browser::new(&server.address);
    let offered = carol.sign_in_as("mock", "carol-sub");
    assert!(offered.location.starts_with("/auth/link/"));
    let linked = carol.go(
        "POST",
        &offered.location,
        &[("password", "carols long password")],
    );
    assert_eq!(linked.status, 303, "{}", linked.body);
    assert!(
        carol
            .go("GET", "/settings/account", &[])
            .body
            .contains("Mock ID: carol@acme.test")
    );
    let mut later = Browser::new(&server.address);
    assert_eq!(
        later.sign_in_as("mock", "carol-sub").status,
        303,
        "linked: straight in"
    );
    assert!(
        later
            .go("GET", "/settings/account", &[])
            .body
            .contains("carol@acme.test")
    );
    // The link worked once.
    assert_eq!(carol.go("GET", &offered.location, &[]).status, 404);

    // A replayed callback, and one from a browser that did not start it.
    let mut replay = Browser::new(&server.address);
    let back = replay.through_provider("mock", "ana-sub");
    let mut thief = Browser::new(&server.address);
    let stolen = thief.go("GET", &back, &[]);
    assert_eq!(stolen.status, 403, "no state cookie");
    assert!(stolen.body.contains("not started in this browser"));
    assert_eq!(replay.go("GET", &back, &[]).status, 303, "its own browser");
    let replayed = replay.go("GET", &back, &[]);
    assert_eq!(replayed.status, 403, "{}", replayed.body);
    assert!(replayed.body.contains("used already"));

    // Linking from the account page: bob, signed in with his password,
    // links his company account; another person's identity he cannot.
    let mut bob = Browser::new(&server.address);
    let r = bob.go(
        "POST",
        "/login",
        &[
            ("email", "bob@acme.test"),
            ("password", "bobs long password"),
        ],
    );
    assert_eq!(r.status, 303);
    let link_to = |b: &mut Browser, sub: &str| {
        let page = b.go("POST", "/settings/account/identities/mock", &[]);
        assert_eq!(page.status, 200, "{}", page.body);
        let at = page
            .body
            .find("href=\"http://")
            .expect("the provider's link")
            + 6;
        let url = page.body[at..]
            .split('"')
            .next()
            .expect("url")
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        let back = b.go("POST", &url, &[("sub", sub)]);
        assert!(matches!(back.status, 302 | 303));
        b.go("GET", &back.location, &[])
    };
    provider.user(
        "bob-sub",
        serde_json::json!({"email": "bob.work@acme.test", "email_verified": true}),
    );
    let linked = link_to(&mut bob, "bob-sub");
    assert_eq!(linked.status, 303, "{}", linked.body);
    assert_eq!(linked.location, "/settings/account?done=linked");
    assert!(
        bob.go("GET", "/settings/account", &[])
            .body
            .contains("Mock ID: bob.work@acme.test")
    );
    let theirs = link_to(&mut bob, "ana-sub");
    assert_eq!(theirs.status, 403, "ana's identity is hers");
    // And he may remove it (his password still signs him in).
    let removed = bob.go(
        "POST",
        "/settings/account/identities/remove",
        &[("issuer", &provider.issuer()), ("subject", "bob-sub")],
    );
    assert_eq!(removed.location, "/settings/account?done=unlinked");
    // ana's only way in stays.
    let kept = ana.go(
        "POST",
        "/settings/account/identities/remove",
        &[("issuer", &provider.issuer()), ("subject", "ana-sub")],
    );
    assert_eq!(kept.location, "/settings/account?done=last");

    // Key rotation: the provider restarts with a new signing key; sign-in
    // still works (the JWKS is fetched again for the unknown key).
    let before = provider.kid();
    provider.down();
    provider.up();
    assert_ne!(provider.kid(), before, "a new key");
    provider.user(
        "ana-sub",
        serde_json::json!({"email": "ana@acme.test", "email_verified": true, "name": "Ana Lima"}),
    );
    let mut rotated = Browser::new(&server.address);
    let r = rotated.sign_in_as("mock", "ana-sub");
    assert_eq!(r.status, 303, "after rotation: {}", r.body);

    // The provider down: its button answers 503, passwords still work.
    provider.down();
    let mut down = Browser::new(&server.address);
    let page = down.go("GET", "/auth/oidc/mock?next=/", &[]);
    assert_eq!(page.status, 303, "discovered already: off to the provider");
    let unreachable = down.go("GET", &page.location, &[]);
    assert_eq!(unreachable.status, 0, "nobody answers there");
    let bob = down.go(
        "POST",
        "/login",
        &[
            ("email", "bob@acme.test"),
            ("password", "bobs long password"),
        ],
    );
    assert_eq!(bob.status, 303, "passwords still work");
}

#[test]
fn a_provider_down_at_start_does_not_stop_the_server_and_is_found_when_back() {
    let port = free_port();
    if provider_python().is_none() {
        skip();
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let (url, _) = fernhill(dir.path(), &[]);
    create_user(dir.path(), &url, "bob@acme.test", "bobs long password");
    let placeholder = Provider {
        child: None,
        python: provider_python().expect("python"),
        port,
    };
    let server = cairn_with(&placeholder, &url);
    let mut b = Browser::new(&server.address);
    assert!(
        b.go("GET", "/login", &[])
            .body
            .contains("Sign in with Mock ID"),
        "the button shows"
    );
    let page = b.go("GET", "/auth/oidc/mock?next=/", &[]);
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains("cannot be reached"));
    let bob = b.go(
        "POST",
        "/login",
        &[
            ("email", "bob@acme.test"),
            ("password", "bobs long password"),
        ],
    );
    assert_eq!(bob.status, 303, "passwords still work");
    let Some(provider) = Provider::start(port) else {
        return;
    };
    provider.user(
        "ana-sub",
        serde_json::json!({"email": "ana@acme.test", "email_verified": true}),
    );
    let mut ana = Browser::new(&server.address);
    assert_eq!(
        ana.sign_in_as("mock", "ana-sub").status,
        303,
        "found once it is back"
    );
    drop(placeholder);
}

/// Every refusal of the protocol, against a hostile provider that sends
/// the ID token its mode asks for: each a 403 page saying why, an audit
/// entry, no account and no session.
#[test]
#[rustfmt::skip]
fn every_token_the_protocol_does_not_vouch_for_is_refused_and_creates_nothing() {
    let Some(python) = provider_python() else {
        skip();
        return;
    };
    let port = free_port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/rogue_provider.py");
    let child = Command::new(&python)
        .args([script, &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the hostile provider");
    let rogue = Provider { child: Some(child), python, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    while raw(&rogue.base(), "GET", "/.well-known/openid-configuration", &[], "").0 != 200 {
        assert!(Instant::now() < deadline, "the hostile provider did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let dir = tempfile::tempdir().expect("dir");
    let (url, _) = fernhill(dir.path(), &[]);
    let server = cairn_with(&rogue, &url);
    let cases: &[(&str, &str)] = &[
        ("nonce",       "nonce"),
        ("issuer",      "issuer"),
        ("audience",    "audience"),
        ("expired",     "expired"),
        ("none",        "the ID token"),
        ("hs256",       "the ID token"),
        ("unknown-key", "the ID token"),
        ("unverified",  "does not say your email address is verified"),
    ];
    for (mode, says) in cases {
        let (status, _, _) = raw(&rogue.base(), "PUT", &format!("/mode/{mode}"), &[], "");
        assert_eq!(status, 204);
        let mut b = Browser::new(&server.address);
        let start = b.go("GET", "/auth/oidc/mock?next=/", &[]);
        assert_eq!(start.status, 303);
        let back = b.go("GET", &start.location, &[]);
        assert_eq!(back.status, 302, "{mode}: the provider signs in at once");
        let page = b.go("GET", &back.location, &[]);
        assert_eq!(page.status, 403, "{mode}: {}", page.body);
        assert!(page.body.to_lowercase().contains(&says.to_lowercase()), "{mode}: {}", page.body);
        assert_eq!(b.go("GET", "/settings/account", &[]).status, 303, "{mode}: no session");
    }
    // Nothing was created, and each refusal is in the audit log.
    let (people, refusals) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&url).await.expect("connect");
            let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE email = 'rogue@acme.test'")
                .fetch_one(&mut c)
                .await
                .expect("people");
            let refusals: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in_failed' AND subject = 'via Mock ID'",
            )
            .fetch_one(&mut c)
            .await
            .expect("audit");
            (people, refusals)
        });
    assert_eq!(people, 0, "no account was made");
    assert_eq!(refusals, cases.len() as i64, "one audit entry per refusal");
    // And a correct token from the same provider works: the refusals were
    // about the tokens, not the provider.
    let (status, _, _) = raw(&rogue.base(), "PUT", "/mode/good", &[], "");
    assert_eq!(status, 204);
    let mut b = Browser::new(&server.address);
    let start = b.go("GET", "/auth/oidc/mock?next=/", &[]);
    let back = b.go("GET", &start.location, &[]);
    let page = b.go("GET", &back.location, &[]);
    assert_eq!(page.status, 303, "{}", page.body);
}

/// Domain join: people of a domain the provider is authoritative for join
/// as members (or ask, and an admin approves); a verified email at that
/// domain is required, whatever the identity; other domains join nothing.
#[test]
fn people_of_a_verified_domain_join_without_an_invitation() {
    let port = free_port();
    let Some(provider) = Provider::start(port) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (url, cookies) = fernhill(dir.path(), &[("owner@acme.test", "owner")]);
    let server = cairn_with_extra(&provider, &url, "domains = [\"acme.test\"]\n");
    let mut owner = Browser::new(&server.address);
    owner
        .cookies
        .entry(server.address.clone())
        .or_default()
        .insert(
            "cairn_session".into(),
            cookies[0].trim_start_matches("cairn_session=").to_owned(),
        );
    let refused = owner.go(
        "POST",
        "/fernhill/settings/domains",
        &[("domain", "other.test"), ("provider", "mock")],
    );
    assert_eq!(refused.status, 422, "not authoritative for it");
    assert!(refused.body.contains("not authoritative"));
    let added = owner.go(
        "POST",
        "/fernhill/settings/domains",
        &[("domain", "acme.test"), ("provider", "mock")],
    );
    assert_eq!(added.status, 303, "{}", added.body);

    let member_of_fernhill = |b: &mut Browser| b.go("GET", "/fernhill/people", &[]).status == 200;
    let sign = |sub: &str, email: &str, verified: bool| {
        provider.user(
            sub,
            serde_json::json!({"email": email, "email_verified": verified, "name": sub}),
        );
        let mut b = Browser::new(&server.address);
        let r = b.sign_in_as("mock", sub);
        assert_eq!(r.status, 303, "{sub}: {}", r.body);
        b
    };
    // Off (the default): signed in, not a member.
    let mut greta = sign("greta", "greta@acme.test", true);
    assert!(!member_of_fernhill(&mut greta));
    // Members: in at the first sign-in; another domain is not.
    assert_eq!(
        owner
            .go(
                "POST",
                "/fernhill/settings/domains/join",
                &[("join", "member")]
            )
            .status,
        303
    );
    let mut dave = sign("dave", "dave@acme.test", true);
    assert!(member_of_fernhill(&mut dave), "dave joined");
    let mut frank = sign("frank", "frank@other.test", true);
    assert!(!member_of_fernhill(&mut frank), "another domain");
    // greta's identity is linked, but the provider no longer verifies her
    // email: she signs in, and does not join.
    let mut greta = sign("greta", "greta@acme.test", false);
    assert!(
        !member_of_fernhill(&mut greta),
        "an unverified email joins nothing"
    );
    // Approval: erin asks; the owner (an admin) approves.
    assert_eq!(
        owner
            .go(
                "POST",
                "/fernhill/settings/domains/join",
                &[("join", "approval")]
            )
            .status,
        303
    );
    let mut erin = sign("erin", "erin@acme.test", true);
    assert!(!member_of_fernhill(&mut erin), "waiting");
    let page = owner.go("GET", "/fernhill/settings/domains", &[]);
    assert!(page.body.contains("erin@acme.test"), "{}", page.body);
    let at = page
        .body
        .find("/fernhill/settings/domains/requests/")
        .expect("a request");
    let path: String = page.body[at..].split('"').next().expect("path").to_owned();
    assert_eq!(
        owner.go("POST", &path, &[("decision", "approve")]).status,
        303
    );
    assert!(member_of_fernhill(&mut erin), "approved");
}

/// In a real browser: the "Sign in with …" button, the provider's own
/// login page, and back into cairn signed in, with the identity on the
/// account page.
#[tokio::test(flavor = "multi_thread")]
async fn a_browser_signs_in_through_the_providers_own_login_page() {
    use fantoccini::Locator;
    let Some((c, _driver, _profile)) =
        crate::browser::browser_as(crate::browser::Look::Desktop).await
    else {
        return;
    };
    let port = free_port();
    let Some(provider) = Provider::start(port) else {
        return;
    };
    provider.user(
        "ana-sub",
        serde_json::json!({"email": "ana@acme.test", "email_verified": true, "name": "Ana Lima"}),
    );
    let dir = tempfile::tempdir().expect("dir");
    let (url, _) = fernhill(dir.path(), &[]);
    let server = cairn_with(&provider, &url);
    let base = format!("http://{}", server.address);
    c.goto(&format!("{base}/login")).await.expect("login");
    crate::browser::shot(&c, "sso-login").await;
    c.find(Locator::XPath(
        "//a[normalize-space()='Sign in with Mock ID']",
    ))
    .await
    .expect("the provider's button")
    .click()
    .await
    .expect("click");
    crate::browser::wait_for(&c, "input[name=sub]").await;
    assert!(
        c.current_url()
            .await
            .expect("url")
            .as_str()
            .starts_with(&provider.issuer()),
        "at the provider"
    );
    crate::browser::shot(&c, "sso-provider").await;
    c.find(Locator::Css("input[name=sub]"))
        .await
        .expect("sub")
        .send_keys("ana-sub")
        .await
        .expect("type");
    c.find(Locator::XPath("//button[normalize-space()='Authorize']"))
        .await
        .expect("authorize")
        .click()
        .await
        .expect("click");
    crate::browser::wait_for(&c, "header.site form.inline").await;
    assert!(
        c.current_url()
            .await
            .expect("url")
            .as_str()
            .starts_with(&base),
        "back in cairn"
    );
    c.goto(&format!("{base}/settings/account"))
        .await
        .expect("account");
    let page = c.source().await.expect("source");
    assert!(
        page.contains("Mock ID: ana@acme.test"),
        "the identity is listed"
    );
    crate::browser::shot(&c, "sso-account").await;
}

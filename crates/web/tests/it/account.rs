use axum::http::StatusCode;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn sign_up_signs_in_and_returns_to_next() {
    let app = TestApp::new().await;
    let mut browser = app.anon();
    let page = browser
        .post(
            "/signup",
            &[
                ("name", "Ana Lima"),
                ("email", " Ana@Example.com "),
                ("password", PASSWORD),
                ("next", "/new"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/new");
    assert!(browser.cookie.is_some());
    let account = browser.get("/settings/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.text().contains("Ana Lima · ana@example.com"));
}

#[tokio::test]
async fn form_errors_are_shown_on_the_form_and_nothing_is_created() {
    let app = TestApp::new().await;
    let mut browser = app.anon();
    let page = browser
        .post(
            "/signup",
            &[
                ("name", ""),
                ("email", "not-an-email"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".field-error"),
        // Read out as "Error: …" (the prefix is visually hidden).
        vec![
            "Error: Your name must not be empty",
            "Error: Enter an email address like name@example.com",
            "Error: A password has at least 10 characters"
        ]
    );
    // What was typed is kept (except the password).
    assert_eq!(
        page.html()
            .select(&scraper::Selector::parse("#email").expect("sel"))
            .next()
            .and_then(|e| e.value().attr("value")),
        Some("not-an-email")
    );
    assert!(browser.cookie.is_none());

    // A duplicate email is refused with a way forward.
    app.person("ben@example.com").await;
    let dup = browser
        .post(
            "/signup",
            &[
                ("name", "Ben"),
                ("email", "BEN@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        dup.texts(".field-error"),
        vec!["Error: This email cannot be used to sign up. If it is yours, sign in instead."]
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_give_the_same_answer() {
    let app = TestApp::new().await;
    app.person("ana@example.com").await;
    let wrong_password = app
        .anon()
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    let unknown_email = app
        .anon()
        .post(
            "/login",
            &[
                ("email", "nobody@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_password.texts(".form-errors li"),
        unknown_email.texts(".form-errors li")
    );
    assert_eq!(
        wrong_password.texts(".form-errors li"),
        vec!["That email and password do not match an account."]
    );
}

#[tokio::test]
async fn signing_in_rotates_the_session_id() {
    let app = TestApp::new().await;
    app.person("ana@example.com").await;
    let mut browser = app.anon();
    let first = browser
        .post(
            "/login",
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let old = browser.cookie.clone().expect("cookie");
    assert!(
        first.header("set-cookie").contains("HttpOnly")
            && first.header("set-cookie").contains("SameSite=Lax")
    );

    browser
        .post(
            "/login",
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
    let new = browser.cookie.clone().expect("cookie");
    assert_ne!(old, new, "a new id at every sign-in");
    // The old id is dead on the server, not merely forgotten by the browser.
    let mut stale = app.anon();
    stale.cookie = Some(old);
    assert_eq!(
        stale.get("/settings/account").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        browser.get("/settings/account").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let ana = app.person("ana@example.com").await;
    let mut browser = app.signed_in(&ana).await;
    let cookie = browser.cookie.clone();
    assert_eq!(
        browser.get("/settings/account").await.status,
        StatusCode::OK
    );
    let out = browser.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    let mut replay = app.anon();
    replay.cookie = cookie;
    let page = replay.get("/settings/account").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=/settings/account");
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account_and_per_address() {
    let app = TestApp::new().await;
    app.person("ana@example.com").await;
    let mut browser = app.anon();
    for _ in 0..5 {
        let page = browser
            .post(
                "/login",
                &[("email", "ana@example.com"), ("password", "wrong password")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now, from any address.
    let mut elsewhere = app.anon();
    elsewhere.ip = "198.51.100.7".into();
    let page = elsewhere
        .post(
            "/login",
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = page
        .header("retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(page.text().contains("Too many attempts"));

    // After the window the account may try again.
    app.advance(15 * 60 * 1000 + 1);
    let page = elsewhere
        .post(
            "/login",
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    // One address guessing many accounts is stopped too.
    let mut guesser = app.anon();
    guesser.ip = "203.0.113.9".into();
    for i in 0..20 {
        let email = format!("guess{i}@example.com");
        let page = guesser
            .post(
                "/login",
                &[("email", &email), ("password", "wrong password")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let page = guesser
        .post(
            "/login",
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let app = TestApp::new().await;
    let ana = app.person("ana@example.com").await;
    let mut laptop = app.signed_in(&ana).await;
    let mut phone = app.signed_in(&ana).await;

    let wrong = laptop
        .post(
            "/settings/password",
            &[
                ("current", "not it at all"),
                ("password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.texts(".field-error"),
        vec!["Error: That is not your current password."]
    );

    let done = laptop
        .post(
            "/settings/password",
            &[("current", PASSWORD), ("password", "a brand new password")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/settings/account").await.status,
        StatusCode::OK,
        "this browser stays in"
    );
    assert_eq!(
        phone.get("/settings/account").await.status,
        StatusCode::SEE_OTHER,
        "others are signed out"
    );
    let login = app
        .anon()
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_person_sees_and_revokes_their_sessions() {
    let app = TestApp::new().await;
    let ana = app.person("ana@example.com").await;
    let mut laptop = app.signed_in(&ana).await;
    let mut phone = app.signed_in(&ana).await;
    let page = laptop.get("/settings/sessions").await;
    let rows = page.texts("tbody tr");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows.iter().filter(|r| r.contains("(this browser)")).count(),
        1
    );
    // Revoke the other one.
    let sel = scraper::Selector::parse("tbody tr").expect("sel");
    let form_sel = scraper::Selector::parse("form").expect("sel");
    let html = page.html();
    let other = html
        .select(&sel)
        .find(|tr| !tr.text().collect::<String>().contains("this browser"))
        .and_then(|tr| tr.select(&form_sel).next())
        .and_then(|f| f.value().attr("action"))
        .expect("revoke form")
        .to_owned();
    assert_eq!(laptop.post(&other, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        phone.get("/settings/account").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(laptop.get("/settings/account").await.status, StatusCode::OK);
    // Someone else's session id is not found.
    let ben = app.person("ben@example.com").await;
    let mut ben = app.signed_in(&ben).await;
    assert_eq!(ben.post(&other, &[]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    let app = TestApp::new().await;
    app.person("ana@example.com").await;
    let form = [("email", "ana@example.com"), ("password", PASSWORD)];
    let cases: &[(&str, &[(&str, &str)], StatusCode)] = &[
        (
            "cross-site fetch metadata",
            &[("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
        ),
        (
            "same-site but other origin",
            &[("sec-fetch-site", "same-site")],
            StatusCode::FORBIDDEN,
        ),
        (
            "foreign Origin",
            &[("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "same origin",
            &[
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://cairn.test"),
            ],
            StatusCode::SEE_OTHER,
        ),
        (
            "no browser headers (API clients, old browsers)",
            &[],
            StatusCode::SEE_OTHER,
        ),
    ];
    for (name, headers, expected) in cases {
        let mut browser = app.anon();
        let page = browser.post_with("/login", &form, headers).await;
        assert_eq!(page.status, *expected, "{name}");
        if *expected == StatusCode::FORBIDDEN {
            assert!(browser.cookie.is_none(), "{name}: no session created");
        }
    }
    // GET never changes state, so it is never refused.
    let mut browser = app.anon();
    let page = browser
        .send(
            axum::http::Request::get("/"),
            axum::body::Body::empty(),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn api_tokens_are_shown_once_act_as_their_owner_and_can_be_revoked() {
    let app = TestApp::with_demo().await;
    let ana = app.person("ana@example.com").await;
    let mut browser = app.signed_in(&ana).await;
    let empty = browser.post("/settings/tokens", &[("name", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = browser
        .post("/settings/tokens", &[("name", "reporting")])
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.header("cache-control"), "no-store");
    let token = created.texts("code.secret").pop().expect("token shown");
    assert!(token.starts_with("cairn_pat_"));
    let listed = browser.get("/settings/tokens").await;
    assert!(!listed.body.contains(&token), "never shown again");
    assert!(listed.texts("tbody tr")[0].starts_with("reporting"));

    let mut api = app.anon();
    let bearer = format!("Bearer {token}");
    let me = api
        .send(
            axum::http::Request::get("/api/v1/me"),
            axum::body::Body::empty(),
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("\"email\":\"ana@example.com\""));

    let sel = scraper::Selector::parse("tbody form").expect("sel");
    let action = listed
        .html()
        .select(&sel)
        .next()
        .and_then(|f| f.value().attr("action"))
        .expect("revoke")
        .to_owned();
    assert_eq!(
        browser.post(&action, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let me = api
        .send(
            axum::http::Request::get("/api/v1/me"),
            axum::body::Body::empty(),
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.header("content-type"), "application/problem+json");
}

#[tokio::test]
async fn redirects_after_sign_in_stay_on_this_site() {
    let app = TestApp::new().await;
    app.person("ana@example.com").await;
    for (next, expected) in [
        ("/fernhill", "/fernhill"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("", "/"),
    ] {
        let page = app
            .anon()
            .post(
                "/login",
                &[
                    ("email", "ana@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.location(), expected, "{next:?}");
    }
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let db = cairn_store::testing::sqlite().await;
    let person = {
        let email = cairn_domain::people::Email::parse("ana@example.com").expect("email");
        let hash = cairn_web::password::hash(
            &cairn_domain::people::NewPassword::parse(PASSWORD).expect("pw"),
        )
        .await
        .expect("hash");
        cairn_store::people::create(
            &db.store,
            &email,
            &cairn_domain::Name::parse("Ana", "n").expect("n"),
            &hash,
            1,
        )
        .await
        .expect("person")
    };
    let config = cairn_web::WebConfig {
        base_url: Some("https://cairn.example.com/".into()),
        trusted_proxies: Vec::new(),
        ..Default::default()
    };
    let router = cairn_web::router(cairn_web::App::with_config(db.store.clone(), &config));
    let request = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://cairn.example.com")
        .header("host", "internal:3000")
        .body(axum::body::Body::from(format!(
            "email={}&password={}",
            person.email,
            PASSWORD.replace(' ', "+")
        )))
        .expect("request");
    let response = tower::ServiceExt::oneshot(router, request)
        .await
        .expect("response");
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the base URL's origin is trusted even behind a proxy"
    );
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

/// `password_login = false`: the providers' buttons only; passwords sign
/// nobody in and make no accounts, whatever is posted.
#[tokio::test]
async fn with_password_login_off_only_providers_sign_people_in() {
    use tower::ServiceExt;
    let db = cairn_store::testing::sqlite().await;
    let provider = cairn_web::sso::ProviderConfig {
        id: "acme".into(),
        name: "Acme ID".into(),
        issuer: "https://id.acme.test".into(),
        client_id: "cairn".into(),
        client_secret: String::new(),
        domains: vec![],
        hosted_domain_claim: false,
        allow_private: false,
    };
    let config = cairn_web::WebConfig {
        base_url: Some("https://cairn.example.com".into()),
        oidc: vec![provider],
        password_login_off: true,
        ..Default::default()
    };
    let router = cairn_web::router(cairn_web::App::with_config(db.store.clone(), &config));
    let get = |path: &str| {
        axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .expect("request")
    };
    for path in ["/login", "/signup"] {
        let response = router.clone().oneshot(get(path)).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .expect("body")
            .to_bytes();
        let html = String::from_utf8_lossy(&body);
        assert!(html.contains("Sign in with Acme ID"), "{path}");
        assert!(
            !html.contains("type=\"password\""),
            "{path}: no password field"
        );
    }
    for (path, body) in [
        ("/login", "email=ana%40example.com&password=a+long+password"),
        (
            "/signup",
            "name=Ana&email=ana%40example.com&password=a+long+password",
        ),
    ] {
        let request = axum::http::Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .expect("request");
        let response = router.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let email = cairn_domain::people::Email::parse("ana@example.com").expect("email");
    assert!(
        cairn_store::people::by_email(&db.store, &email)
            .await
            .expect("read")
            .is_none(),
        "no account was made"
    );
}

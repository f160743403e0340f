use axum::http::StatusCode;

use crate::support::{DEMO, TestApp};

#[tokio::test]
async fn unknown_or_malformed_addresses_are_a_friendly_404() {
    let app = TestApp::with_demo().await;
    for path in [
        "/nobody",
        "/fernhill/abilities/nope",
        "/fernhill/roles/nope",
        "/fernhill/positions/nope",
        "/Fernhill",
        "/fernhill/abilities/Not%20A%20Slug",
        "/fernhill/unknown-area/x",
        "/a/b/c/d",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.texts("h1"), vec!["Not found"], "{path}");
        assert!(
            page.links("a").iter().any(|(h, _)| h == "/"),
            "{path} links home"
        );
    }
}

#[tokio::test]
async fn user_text_is_escaped_and_sanitised() {
    let app = TestApp::new().await;
    let hostile = DEMO
        .replacen(
            "Writing code that the next person can read, change and trust.",
            "<script>alert('d')</script> [x](javascript:alert(1)) <img src=x onerror=alert(2)>",
            1,
        )
        .replacen(
            "- Asks what a confusing function does instead of guessing.",
            "- \"<script>alert('e')</script> | <b onclick=x>bold</b>\"",
            1,
        );
    app.import(&hostile).await;
    let page = app.get("/fernhill/abilities/code-quality").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    for selector in ["script", "img", "b[onclick]", "a[href^=javascript]"] {
        let sel = scraper::Selector::parse(selector).expect("selector");
        assert_eq!(html.select(&sel).count(), 0, "no {selector} element");
    }
    let text = page.text();
    assert!(
        text.contains("<script>alert('d')</script>"),
        "shown as written"
    );
    assert!(
        text.contains("<script>alert('e')</script> | <b onclick=x>bold</b>"),
        "example shown as written"
    );
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = TestApp::with_demo().await;
    for path in ["/", "/fernhill", "/nobody", "/assets/cairn.css", "/healthz"] {
        let page = app.get(path).await;
        let csp = page
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            page.headers
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path}"
        );
        assert!(
            page.headers.get("strict-transport-security").is_none(),
            "{path}: no HSTS over plain http"
        );
    }
    // Served over https (an https base URL), every answer tells browsers to stay there.
    let mut https = cairn_web::App::new(app.db.store.clone());
    https.config = std::sync::Arc::new(cairn_web::RuntimeConfig {
        secure_cookies: true,
        trusted_origin: Some("https://cairn.test".into()),
        trusted_proxies: Vec::new(),
        ..Default::default()
    });
    let router = cairn_web::router(https);
    for path in ["/", "/nobody", "/healthz"] {
        use tower::ServiceExt;
        let response = router
            .clone()
            .oneshot(
                axum::http::Request::get(path)
                    .header("host", "cairn.test")
                    .body(axum::body::Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(
            response
                .headers()
                .get("strict-transport-security")
                .map(|v| v.as_bytes()),
            Some(&b"max-age=31536000; includeSubDomains"[..]),
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_page_has_a_skip_link_a_favicon_and_an_error_summary_that_links_to_its_fields() {
    let app = TestApp::with_demo().await;
    let page = app.get("/fernhill").await;
    assert_eq!(
        page.links("a.skip-link"),
        [("#main".to_owned(), "Skip to main content".to_owned())]
    );
    assert_eq!(page.texts("main#main").len(), 1);
    // A member's own journey is one click from any page of the organization.
    let member = app
        .join(
            "fernhill",
            "mia",
            cairn_domain::membership::Capabilities::NONE,
        )
        .await;
    let mut mia = member.client;
    for path in [
        "/fernhill",
        "/fernhill/abilities/mentoring",
        "/fernhill/people",
        "/fernhill/observations",
    ] {
        let nav = mia.get(path).await.links("header nav a");
        assert!(
            nav.contains(&(
                format!("/fernhill/people/{}", member.id.as_str()),
                "My journey".to_owned()
            )),
            "{path}: {nav:?}"
        );
    }
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), "image/svg+xml");
    assert!(icon.body.starts_with("<svg"));
    // A form with errors: "There is a problem", focused, each error a link
    // to its field.
    let mut anon = app.anon();
    let refused = anon
        .post(
            "/signup",
            &[("name", ""), ("email", "nope"), ("password", "short")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.texts(".form-errors h2"), ["There is a problem"]);
    // The title says so first, and only when there is a problem.
    assert!(
        refused.texts("title")[0].starts_with("Error: "),
        "{:?}",
        refused.texts("title")
    );
    assert!(!anon.get("/signup").await.texts("title")[0].starts_with("Error"));
    let summary = refused.html();
    let box_ = summary
        .select(&scraper::Selector::parse(".form-errors").expect("selector"))
        .next()
        .expect("summary");
    assert_eq!(box_.value().attr("tabindex"), Some("-1"));
    assert!(box_.value().attr("autofocus").is_some());
    let links = refused.links(".form-errors a");
    assert!(!links.is_empty());
    for (href, _) in links {
        let id = href.trim_start_matches('#');
        assert!(
            refused
                .html()
                .select(&scraper::Selector::parse(&format!("[id='{id}']")).expect("selector"))
                .next()
                .is_some(),
            "the error links to #{id}, which is on the page"
        );
    }
}

#[tokio::test]
async fn wide_tables_scroll_inside_a_labelled_region_not_the_page() {
    let app = TestApp::with_demo().await;
    let ada = app
        .join(
            "fernhill",
            "ada",
            cairn_domain::membership::Capabilities::of(&[
                cairn_domain::membership::Capability::Owner,
            ]),
        )
        .await;
    let mut client = ada.client;
    let journey = format!("/fernhill/people/{}", ada.id.as_str());
    let mut tables = 0;
    for path in [
        "/fernhill",
        "/fernhill/health",
        journey.as_str(),
        "/fernhill/settings/audit",
        "/settings/sessions",
        "/fernhill/positions/senior-engineer",
    ] {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let html = page.html();
        let table = scraper::Selector::parse("table").expect("selector");
        for t in html.select(&table) {
            let parent = t
                .parent()
                .and_then(scraper::ElementRef::wrap)
                .expect("a table sits in an element");
            let v = parent.value();
            assert!(
                v.classes().any(|c| c == "scroll"),
                "{path}: {}",
                parent.html()
            );
            assert_eq!(v.attr("role"), Some("region"), "{path}");
            assert!(
                v.attr("aria-label").is_some_and(|l| !l.is_empty()),
                "{path}"
            );
            assert_eq!(
                v.attr("tabindex"),
                Some("0"),
                "{path}: keyboard users can scroll it"
            );
            tables += 1;
        }
    }
    assert!(tables >= 4, "{tables} tables checked");
}

#[tokio::test]
async fn pages_and_the_stylesheet_are_compressed_when_asked_but_never_a_secret() {
    use axum::body::Body;
    use axum::http::Request;
    let app = TestApp::with_demo().await;
    let mut anon = app.anon();
    for (path, accept, expected) in [
        ("/fernhill", "br, gzip", "br"),
        ("/fernhill", "gzip", "gzip"),
        ("/fernhill", "", ""),
        ("/assets/cairn.css", "gzip, deflate, br", "br"),
    ] {
        let headers: Vec<(&str, &str)> = if accept.is_empty() {
            vec![]
        } else {
            vec![("accept-encoding", accept)]
        };
        let page = anon.send(Request::get(path), Body::empty(), &headers).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.header("content-encoding"),
            expected,
            "{path} with {accept:?}"
        );
    }
    // An invitation link is shown once, with no-store: never compressed.
    let mut ada = app
        .join(
            "fernhill",
            "ada",
            cairn_domain::membership::Capabilities::of(&[
                cairn_domain::membership::Capability::Admin,
            ]),
        )
        .await
        .client;
    let made = ada
        .send(
            Request::post("/fernhill/settings/invitations"),
            Body::from("note=hello"),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept-encoding", "br, gzip"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    assert!(made.header("cache-control").contains("no-store"));
    assert_eq!(made.header("content-encoding"), "");
    assert!(made.body.contains("/invite/"));
}

#[tokio::test]
async fn the_stylesheet_has_a_content_named_address_kept_for_a_year() {
    let app = TestApp::with_demo().await;
    let page = app.get("/fernhill").await;
    let html = page.html();
    let link = scraper::Selector::parse("link[rel=stylesheet]").expect("selector");
    let href = html
        .select(&link)
        .next()
        .and_then(|e| e.value().attr("href"))
        .expect("a stylesheet")
        .to_owned();
    assert!(
        href.starts_with("/assets/cairn.") && href.ends_with(".css") && href.len() > 22,
        "{href}"
    );
    let css = app.get(&href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        css.body,
        app.get("/assets/cairn.css").await.body,
        "the same stylesheet"
    );
    assert_eq!(
        app.get("/assets/cairn.ffffffffffffffff.css").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Every settings page has the same labelled tabs for one visitor: those
/// they may open, in one order, the current one marked.
#[tokio::test]
async fn settings_tabs_are_the_same_on_every_settings_page() {
    use cairn_domain::membership::{Capabilities, Capability};
    let app = TestApp::with_demo().await;
    let mut owner = app
        .member(
            "fernhill",
            "owner@example.com",
            Capabilities::of(&[Capability::Owner]),
        )
        .await;
    let all = [
        ("/fernhill/settings", "Organization"),
        ("/fernhill/settings/framework", "Framework"),
        ("/fernhill/people", "People"),
        ("/fernhill/settings/people/import", "Import people"),
        ("/fernhill/settings/invitations", "Invitations"),
        ("/fernhill/settings/domains", "Domains"),
        ("/fernhill/settings/webhooks", "Webhooks"),
        ("/fernhill/settings/deliveries", "Deliveries"),
        ("/fernhill/settings/audit", "Audit log"),
    ];
    let names: Vec<&str> = all.iter().map(|(_, n)| *n).collect();
    for (path, current) in all {
        let page = owner.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(
            page.texts("nav.tabs[aria-label='Organization settings'] a"),
            names,
            "{path}"
        );
        assert_eq!(
            page.texts("nav.tabs a[aria-current=page]"),
            [current],
            "{path}"
        );
    }
    let mut editor = app
        .member(
            "fernhill",
            "editor@example.com",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;
    let hub = editor.get("/fernhill/settings/framework").await;
    assert_eq!(
        hub.texts("nav.tabs a"),
        ["Framework", "People"],
        "only what they may open"
    );
}

/// Every page form's address answers GET by leading to where the form
/// lives, so reloading an error page or opening a copied address never
/// meets a blank 405 (the API keeps its 405).
#[tokio::test]
async fn every_form_address_opened_leads_to_the_page_of_its_form() {
    let app = TestApp::with_demo().await;
    let routes = cairn_web::declared_routes();
    let post_only: Vec<&str> = routes
        .iter()
        .filter(|(m, p)| *m == "POST" && !routes.contains(&("GET", p)))
        .map(|(_, p)| *p)
        .collect();
    assert!(post_only.len() >= 10, "{post_only:?}");
    for path in post_only {
        let concrete: String = path
            .split('/')
            .map(|seg| match seg {
                "{org}" => "fernhill",
                s if s.starts_with('{') => "x",
                s => s,
            })
            .collect::<Vec<_>>()
            .join("/");
        let page = app.get(&concrete).await;
        if path.starts_with("/api/") {
            assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
            continue;
        }
        let parent = concrete
            .rsplit_once('/')
            .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        assert_eq!(
            (page.status, page.location()),
            (StatusCode::SEE_OTHER, parent),
            "{path}"
        );
    }
}

/// Every page type of the demo, as its owner sees it (the most there is to
/// show), is under 50 KB of HTML: longer lists are paged.
#[tokio::test]
async fn every_page_of_the_demo_is_under_50_kb() {
    let app = TestApp::demo_instance().await;
    let email = cairn_domain::people::Email::parse("nadia@fernhill.example").expect("email");
    let (nadia, _) = cairn_store::people::by_email(&app.db.store, &email)
        .await
        .expect("read")
        .expect("the demo owner");
    let mut owner = app.signed_in(&nadia).await;
    let org = app.org("fernhill").await;
    let people = cairn_store::members::list(&app.db.store, &org.id)
        .await
        .expect("members");
    let obs = cairn_store::observations::visible(&app.db.store, &org.id, Some(&nadia.id), true)
        .await
        .expect("observations");
    let mut paths: Vec<String> = [
        "/",
        "/fernhill",
        "/fernhill/health",
        "/fernhill/people",
        "/fernhill/observations",
        "/fernhill/observations/new",
        "/fernhill/requirements",
        "/fernhill/teams",
        "/fernhill/teams/platform",
        "/fernhill/settings",
        "/fernhill/settings/framework",
        "/fernhill/settings/audit",
        "/fernhill/settings/invitations",
        "/fernhill/positions/senior-engineer",
        "/fernhill/positions/senior-engineer/candidates",
        "/fernhill/roles/on-call-responder",
        "/fernhill/abilities/incident-response/edit",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    for a in ["code-quality", "incident-response", "mentoring"] {
        paths.push(format!("/fernhill/abilities/{a}"));
    }
    for m in &people {
        paths.push(format!("/fernhill/people/{}", m.person.id.as_str()));
        paths.push(format!(
            "/fernhill/people/{}/positions/staff-engineer",
            m.person.id.as_str()
        ));
    }
    for o in &obs {
        paths.push(format!("/fernhill/observations/{}", o.id));
    }
    let mut largest = (0, String::new());
    for path in &paths {
        let page = owner.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.body.len() < 50 * 1024,
            "{path}: {} bytes",
            page.body.len()
        );
        largest = largest.max((page.body.len(), path.clone()));
    }
    assert!(paths.len() > 30, "{} pages", paths.len());
    assert!(largest.0 > 5_000, "the pages have content: {largest:?}");
}

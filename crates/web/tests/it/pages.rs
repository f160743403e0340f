use axum::http::StatusCode;
use cairn_domain::OrgSlug;
use cairn_store::orgs;

use crate::support::{DEMO, TestApp};

/// Every page of a published framework, as an anonymous visitor sees it.
const FRAMEWORK_PAGES: &[&str] = &[
    "/fernhill",
    "/fernhill/abilities/code-quality",
    "/fernhill/roles/software-engineer",
    "/fernhill/positions/senior-engineer",
];

#[tokio::test]
async fn anonymous_visitor_reads_a_published_framework_and_nothing_of_an_unpublished_one() {
    let app = TestApp::with_demo().await;
    for path in FRAMEWORK_PAGES {
        assert_eq!(
            app.get(path).await.status,
            StatusCode::OK,
            "published {path}"
        );
    }
    let org = orgs::by_slug(&app.db.store, &OrgSlug::parse("fernhill").expect("slug"))
        .await
        .expect("read")
        .expect("exists");
    orgs::set_published(&app.db.store, &org.id, false, 1)
        .await
        .expect("unpublish");
    for path in FRAMEWORK_PAGES {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "unpublished {path}");
        assert!(!page.body.contains("Code Quality"), "{path} leaks nothing");
    }
    let home = app.get("/").await;
    assert!(
        !home.text().contains("Fernhill"),
        "unpublished org is not listed"
    );
}

#[tokio::test]
async fn home_lists_published_organizations() {
    let empty = TestApp::new().await;
    assert!(
        empty
            .get("/")
            .await
            .text()
            .contains("No organization has published its framework yet.")
    );
    let app = TestApp::with_demo().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.links("#published a"),
        vec![("/fernhill".to_owned(), "Fernhill".to_owned())]
    );
    assert!(page.text().contains("8 abilities"));
}

#[tokio::test]
async fn framework_overview_groups_abilities_and_lists_roles_and_positions() {
    let app = TestApp::with_demo().await;
    let page = app.get("/fernhill").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("h3"),
        vec!["Craft", "Operations", "Collaboration"]
    );
    let abilities = page.links("section[aria-labelledby=abilities] a");
    assert_eq!(abilities.len(), 8);
    assert!(abilities.contains(&(
        "/fernhill/abilities/incident-response".into(),
        "Incident Response".into()
    )));
    assert_eq!(
        page.links("section[aria-labelledby=roles] a")
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>(),
        vec![
            "Software Engineer",
            "On-call Responder",
            "Mentor",
            "Tech Lead"
        ]
    );
    // Required miles per position, from the demo's rules:
    // Engineer I: code-quality 1 + testing 1 = 2 miles.
    // Staff Engineer: a set number, 90.
    let rows = page.texts("section[aria-labelledby=positions] tbody tr");
    assert_eq!(rows[0], "Engineer I 1 2 miles");
    assert_eq!(rows[3], "Staff Engineer 4 90 miles");
}

#[tokio::test]
async fn ability_page_shows_five_milestones_with_their_miles() {
    let app = TestApp::with_demo().await;
    let page = app.get("/fernhill/abilities/incident-response").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), vec!["Incident Response"]);
    assert_eq!(page.texts(".eyebrow"), vec!["Operations"]);
    assert_eq!(
        page.texts("section.milestone h2"),
        vec![
            "Milestone 1",
            "Milestone 2",
            "Milestone 3",
            "Milestone 4",
            "Milestone 5"
        ]
    );
    assert_eq!(
        page.texts("section.milestone .miles"),
        vec![
            "(adds 1 mile to your journey)",
            "(adds 3 miles to your journey)",
            "(adds 6 miles to your journey)",
            "(adds 12 miles to your journey)",
            "(adds 20 miles to your journey)",
        ]
    );
    let examples = page.texts("#milestone-2 ~ ul.examples li, section.milestone ul.examples li");
    assert!(
        examples.contains(&"Escalates early: \"I'm not sure, pulling in payments\".".to_owned()),
        "{examples:?}"
    );
    // Requirements: the On-call Responder role requires milestone 2.
    assert_eq!(
        page.links("ul.requirements a"),
        vec![(
            "/fernhill/roles/on-call-responder".into(),
            "On-call Responders must be milestone 2+".into()
        )]
    );
}

#[tokio::test]
async fn another_miles_scale_shows_on_the_ability_page() {
    let app = TestApp::new().await;
    app.import(&DEMO.replacen("miles: [1, 3, 6, 12, 20]", "miles: [2, 5, 10, 17, 30]", 1))
        .await;
    let page = app.get("/fernhill/abilities/mentoring").await;
    assert_eq!(
        page.texts("section.milestone .miles"),
        vec![
            "(adds 2 miles to your journey)",
            "(adds 5 miles to your journey)",
            "(adds 10 miles to your journey)",
            "(adds 17 miles to your journey)",
            "(adds 30 miles to your journey)",
        ]
    );
}

#[tokio::test]
async fn requirements_from_roles_and_positions_are_linked_lines() {
    let app = TestApp::with_demo().await;
    let page = app.get("/fernhill/abilities/code-quality").await;
    let lines: Vec<String> = page
        .links("ul.requirements a")
        .into_iter()
        .map(|(h, t)| format!("{h} {t}"))
        .collect();
    assert_eq!(
        lines,
        vec![
            "/fernhill/roles/software-engineer Software Engineers must be milestone 1+",
            "/fernhill/positions/engineer-2 Engineers II must be milestone 2+",
            "/fernhill/positions/senior-engineer Senior Engineers must be milestone 3+",
            "/fernhill/positions/staff-engineer Staff Engineers must be milestone 3+",
        ]
    );
}

#[tokio::test]
async fn role_and_position_pages_show_requirements_and_miles() {
    let app = TestApp::with_demo().await;
    let role = app.get("/fernhill/roles/tech-lead").await;
    assert_eq!(role.status, StatusCode::OK);
    assert_eq!(
        role.texts("ul.requirements li"),
        vec![
            "System Design: milestone 3+",
            "Written Communication: milestone 3+",
            "Giving & Receiving Feedback: milestone 3+"
        ]
    );
    assert!(role.text().contains("Together: 18 miles."));
    assert!(
        role.texts("section[aria-labelledby=positions] li")
            .contains(&"Staff Engineer (level 4, required)".to_owned())
    );

    let position = app.get("/fernhill/positions/senior-engineer").await;
    assert_eq!(position.status, StatusCode::OK);
    // Own: code-quality 3, system-design 2, testing 3; roles add
    // incident-response 2, observability 1, mentoring 2, feedback 2.
    // Miles: 6 + 3 + 6 + 3 + 1 + 3 + 3 = 25, 20% over → 30.
    assert_eq!(position.texts(".big"), vec!["30 miles"]);
    assert!(
        position
            .text()
            .contains("20% over the 25 miles of the required milestones, rounded up.")
    );
    let rows = position.texts("section[aria-labelledby=requires] tbody tr");
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0], "Code Quality 3+ 6 this position");
    assert!(
        rows.contains(&"Incident Response 2+ 3 On-call Responder".to_owned()),
        "{rows:?}"
    );
    assert_eq!(position.links("section[aria-labelledby=roles] a").len(), 4);
}

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
async fn healthz_checks_the_database() {
    let app = TestApp::new().await;
    let ok = app.get("/healthz").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body, r#"{"database":"ok","status":"ok"}"#);
    app.db.store.close().await;
    let down = app.get("/healthz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(down.body.contains("unreachable"));
}

#[tokio::test]
async fn a_closed_database_is_a_503_page_not_a_hang_or_a_trace() {
    let app = TestApp::with_demo().await;
    app.db.store.close().await;
    let page = app.get("/fernhill").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.texts("h1"), vec!["Temporarily unavailable"]);
    assert!(!page.body.contains("PoolClosed") && !page.body.contains("sqlx"));
}

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

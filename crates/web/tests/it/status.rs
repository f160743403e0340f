//! `/healthz` and what a closed database answers.

use axum::http::StatusCode;

use crate::support::TestApp;

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

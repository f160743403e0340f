//! The home page: published organizations.

use axum::http::StatusCode;

use crate::support::TestApp;

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

//! An organization's framework at a glance, published or not.

use axum::http::StatusCode;
use cairn_domain::OrgSlug;
use cairn_store::orgs;

use crate::support::FRAMEWORK_PAGES;
use crate::support::TestApp;

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

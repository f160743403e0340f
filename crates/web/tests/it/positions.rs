//! Role and position pages.

use axum::http::StatusCode;

use crate::support::TestApp;

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

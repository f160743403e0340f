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

/// Snowflake's way: titles by miles alone, two sharing a band.
const SNOWFLAKE: &str = "format: cairn/1
organization: { slug: snow, name: Snow }
abilities:
  - { slug: a, name: A, milestones: [{}, {}, {}, {}, {}] }
  - { slug: b, name: B, milestones: [{}, {}, {}, {}, {}] }
  - { slug: c, name: C, milestones: [{}, {}, {}, {}, {}] }
  - { slug: d, name: D, milestones: [{}, {}, {}, {}, {}] }
  - { slug: e, name: E, milestones: [{}, {}, {}, {}, {}] }
positions:
  - { slug: eng-1, title: Engineer I, level: '1', miles: { below: 17 } }
  - { slug: eng-2, title: Engineer II, level: '2', miles: { at_least: 17, below: 36 } }
  - { slug: senior, title: Senior Engineer, level: '3', miles: { at_least: 36, below: 58 } }
  - { slug: senior-em, title: Senior Manager, level: '3', miles: { at_least: 36, below: 58 } }
  - { slug: staff, title: Staff Engineer, level: '4', miles: { at_least: 58, below: 90 } }
";

#[tokio::test]
async fn a_miles_band_framework_round_trips_and_places_a_member_at_48_miles() {
    use cairn_domain::membership::{Capabilities, Capability};
    let app = TestApp::new().await;
    app.import(SNOWFLAKE).await;
    let ana = app.join("snow", "ana", Capabilities::NONE).await;
    let lea = app
        .join("snow", "lea", Capabilities::of(&[Capability::PeopleLead]))
        .await;
    let mut lead = lea.client;
    let mut own = ana.client;
    // Stored and read back on this backend, the file is the same.
    let exported = own.get("/api/v1/orgs/snow/framework").await;
    assert_eq!(exported.status, StatusCode::OK);
    assert_eq!(
        cairn_domain::file::parse(&exported.body).expect("export parses"),
        cairn_domain::file::parse(SNOWFLAKE).expect("parses")
    );
    // 48 miles: M5 + M4 + M4 + M2 + M1.
    let journey = format!("/snow/people/{}", ana.id.as_str());
    for (ability, level) in [("a", "5"), ("b", "4"), ("c", "4"), ("d", "2"), ("e", "1")] {
        let done = lead
            .post(
                &format!("{journey}/awards"),
                &[
                    ("ability", ability),
                    ("level", level),
                    ("confirm_jump", "on"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{ability}");
    }
    let page = own.get(&journey).await;
    assert_eq!(page.texts(".big"), ["48 miles"]);
    assert_eq!(
        page.texts(".band"),
        ["Senior Engineer, Senior Manager band: 36–57 miles; you have 48."]
    );
    assert_eq!(
        lead.get(&journey).await.texts(".band"),
        ["Senior Engineer, Senior Manager band: 36–57 miles; ana has 48."]
    );
    let eligible = |path: &str| {
        let path = format!(
            "/api/v1/orgs/snow/people/{}/positions/{path}/eligibility",
            ana.id.as_str()
        );
        path
    };
    for (position, expected) in [("eng-1", true), ("senior", true), ("staff", false)] {
        let got = own.get(&eligible(position)).await;
        let json: serde_json::Value = serde_json::from_str(&got.body).expect("json");
        assert_eq!(json["eligible"], expected, "{position}: {}", got.body);
    }
    let staff = own.get("/snow/positions/staff").await;
    assert!(
        staff
            .text()
            .contains("A band: from 58 miles up to 90 miles (not included)"),
        "{}",
        staff.text()
    );
    // A position ruled by miles alone is not "requiring no milestones".
    let health = own.get("/snow/health").await;
    assert!(
        !health.text().contains("requires no milestones"),
        "{}",
        health.text()
    );
}

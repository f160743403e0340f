//! The authoring hub: roles, positions and the miles scale edited with checks.

use axum::http::StatusCode;

use crate::support::TestApp;
use crate::support::editor;

#[tokio::test]
async fn roles_positions_and_the_miles_scale_are_edited_with_checks() {
    let app = TestApp::with_demo().await;
    let mut eddie = app.member("fernhill", "eddie@example.com", editor()).await;
    let role = eddie
        .post(
            "/fernhill/settings/framework/roles/new",
            &[
                ("name", "Incident Commander"),
                ("req_incident-response", "4"),
                ("req_written-communication", "3"),
            ],
        )
        .await;
    assert_eq!(role.location(), "/fernhill/roles/incident-commander");
    let ability = app.get("/fernhill/abilities/incident-response").await;
    assert!(
        ability
            .texts("ul.requirements a")
            .contains(&"Incident Commanders must be milestone 4+".to_owned())
    );

    let bad = eddie
        .post(
            "/fernhill/settings/framework/positions/new",
            &[
                ("title", "Principal"),
                ("level", "5"),
                ("miles_rule", "at_least"),
                ("miles_value", "lots"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.texts(".form-errors li"),
        vec!["Give the percentage or number of miles as a whole number."]
    );
    let good = eddie
        .post(
            "/fernhill/settings/framework/positions/new",
            &[
                ("title", "Principal"),
                ("level", "5"),
                ("role_incident-commander", "required"),
                ("miles_rule", "at_least"),
                ("miles_value", "120"),
            ],
        )
        .await;
    assert_eq!(good.location(), "/fernhill/positions/principal");
    let page = app.get("/fernhill/positions/principal").await;
    assert_eq!(page.texts(".big"), vec!["120 miles"]);
    // A role a position lists cannot be archived.
    let refused = eddie
        .post("/fernhill/roles/incident-commander/archive", &[])
        .await;
    assert_eq!(
        refused.texts(".form-errors li"),
        vec![
            "Incident Commander cannot be archived while the position Principal list it. Remove it from those positions first."
        ]
    );

    let decreasing = eddie
        .post(
            "/fernhill/settings/framework/miles",
            &[
                ("m1", "1"),
                ("m2", "3"),
                ("m3", "6"),
                ("m4", "20"),
                ("m5", "12"),
            ],
        )
        .await;
    assert_eq!(decreasing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        decreasing.texts(".form-errors li"),
        vec!["Miles increase strictly from milestone 1 to 5 (20 is followed by 12)"]
    );
    let scale = eddie
        .post(
            "/fernhill/settings/framework/miles",
            &[
                ("m1", "2"),
                ("m2", "4"),
                ("m3", "8"),
                ("m4", "16"),
                ("m5", "32"),
            ],
        )
        .await;
    assert_eq!(scale.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/fernhill/abilities/mentoring")
            .await
            .texts("section.milestone .miles")[4],
        "(adds 32 miles to your journey)"
    );
}

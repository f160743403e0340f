use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::TestApp;

fn editor() -> Capabilities {
    Capabilities::of(&[Capability::FrameworkEditor])
}

/// The ability form's fields as the edit page fills them in.
fn form_of(page: &crate::support::Page) -> Vec<(String, String)> {
    let html = page.html();
    let inputs = scraper::Selector::parse(
        "form.stack input[name], form.stack textarea[name], form.stack select[name]",
    )
    .expect("sel");
    html.select(&inputs)
        .map(|e| {
            let name = e.value().attr("name").unwrap_or("").to_owned();
            let value = match e.value().name() {
                "textarea" => e.text().collect::<String>(),
                "select" => e
                    .select(&scraper::Selector::parse("option[selected]").expect("sel"))
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or("")
                    .to_owned(),
                _ => e.value().attr("value").unwrap_or("").to_owned(),
            };
            (name, value)
        })
        .collect()
}

fn set(form: &mut [(String, String)], key: &str, value: &str) {
    if let Some(slot) = form.iter_mut().find(|(k, _)| k == key) {
        slot.1 = value.to_owned();
    }
}

#[tokio::test]
async fn an_editor_edits_a_milestone_and_sees_it_in_history() {
    let app = TestApp::with_demo().await;
    let mut eddie = app.member("fernhill", "eddie@example.com", editor()).await;
    let page = eddie.get("/fernhill/abilities/mentoring/edit").await;
    assert_eq!(page.status, StatusCode::OK);
    let mut form = form_of(&page);
    let examples = form
        .iter()
        .find(|(k, _)| k == "m1_examples")
        .map(|(_, v)| v.clone())
        .expect("examples");
    set(
        &mut form,
        "m1_examples",
        &format!("{examples}\nAnswers questions in the team channel."),
    );
    set(
        &mut form,
        "m2_summary",
        "Helps teammates learn, on purpose and often.",
    );
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = eddie
        .post("/fernhill/abilities/mentoring/edit", &pairs)
        .await;
    assert_eq!(
        (saved.status, saved.location()),
        (StatusCode::SEE_OTHER, "/fernhill/abilities/mentoring")
    );

    let ability = app.get("/fernhill/abilities/mentoring").await;
    assert!(
        ability
            .texts("#milestone-1 ~ ul.examples li, section.milestone li")
            .contains(&"Answers questions in the team channel.".to_owned())
    );

    let history = app.get("/fernhill/abilities/mentoring/history").await;
    assert_eq!(history.status, StatusCode::OK);
    let entries = history.texts("ol.history > li > h2");
    assert_eq!(
        entries,
        vec![
            "Updated less than a minute ago by eddie",
            "Created less than a minute ago by an import"
        ]
    );
    let fields = history.texts("ol.history > li:first-child h3");
    assert_eq!(fields, vec!["Milestone 1 examples", "Milestone 2 summary"]);
    assert_eq!(
        history.texts("ol.history > li:first-child ins"),
        vec![
            "+ Answers questions in the team channel.",
            "+ Helps teammates learn, on purpose and often.",
        ]
    );
    assert_eq!(
        history.texts("ol.history > li:first-child del"),
        vec!["- Helps teammates learn on purpose."]
    );
}

#[tokio::test]
async fn form_errors_keep_what_was_typed_and_change_nothing() {
    let app = TestApp::with_demo().await;
    let mut eddie = app.member("fernhill", "eddie@example.com", editor()).await;
    let page = eddie
        .post(
            "/fernhill/settings/framework/abilities/new",
            &[
                ("name", ""),
                ("slug", "Bad Slug"),
                ("description", "Kept text"),
                ("m1_examples", "ok\n  \nfine"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".form-errors li").len(),
        2,
        "{:?}",
        page.texts(".form-errors li")
    );
    assert!(page.body.contains("Kept text"));
    let dup = eddie
        .post(
            "/fernhill/settings/framework/abilities/new",
            &[("name", "Mentoring")],
        )
        .await;
    assert_eq!(
        dup.texts(".form-errors li"),
        vec!["A ability with the slug mentoring already exists."]
    );

    let created = eddie
        .post(
            "/fernhill/settings/framework/abilities/new",
            &[
                ("name", "Data Literacy"),
                ("category", "Craft"),
                ("m1_examples", "Reads a dashboard"),
            ],
        )
        .await;
    assert_eq!(created.location(), "/fernhill/abilities/data-literacy");
    let page = app.get("/fernhill/abilities/data-literacy").await;
    assert_eq!(page.texts("h1"), vec!["Data Literacy"]);
    assert!(
        page.texts("ul.health li")
            .contains(&"⚠️ warning: Not associated with any role or position".to_owned())
    );
}

#[tokio::test]
async fn a_required_ability_cannot_be_archived_until_its_requirements_go() {
    let app = TestApp::with_demo().await;
    let mut eddie = app.member("fernhill", "eddie@example.com", editor()).await;
    let refused = eddie
        .post("/fernhill/abilities/observability/archive", &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".form-errors li"),
        vec![
            "Observability cannot be archived while the role On-call Responder require it. Remove those requirements first."
        ]
    );
    // Remove the requirement in the role form, then archive.
    let mut form = form_of(&eddie.get("/fernhill/roles/on-call-responder/edit").await);
    set(&mut form, "req_observability", "0");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        eddie
            .post("/fernhill/roles/on-call-responder/edit", &pairs)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        eddie
            .post("/fernhill/abilities/observability/archive", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/fernhill/abilities/observability").await.status,
        StatusCode::NOT_FOUND
    );
    let hub = eddie.get("/fernhill/settings/framework").await;
    assert!(
        hub.text().contains("Observability Restore"),
        "{}",
        hub.text()
    );
    assert_eq!(
        eddie
            .post("/fernhill/abilities/observability/restore", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/fernhill/abilities/observability").await.status,
        StatusCode::OK
    );
    let history = app.get("/fernhill/abilities/observability/history").await;
    assert_eq!(
        history.texts("ol.history > li > h2").len(),
        3,
        "created, archived, restored"
    );
}

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

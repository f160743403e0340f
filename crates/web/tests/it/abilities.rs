//! The ability page (the reference page) and editing abilities.

use axum::http::StatusCode;

use crate::support::{DEMO, TestApp};
use crate::support::{editor, form_of, set};

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

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::{Member, TestApp};

#[tokio::test]
async fn an_ability_archived_after_an_award_keeps_the_history_but_adds_no_miles() {
    let app = TestApp::with_demo().await;
    let mut lea = app
        .member(
            "fernhill",
            "lea@example.com",
            Capabilities::of(&[Capability::PeopleLead, Capability::FrameworkEditor]),
        )
        .await;
    let rae = app.join("fernhill", "rae", Capabilities::NONE).await.id;
    let journey = format!("/fernhill/people/{}", rae.as_str());
    let ok = lea
        .post(
            &format!("{journey}/awards"),
            &[
                ("ability", "observability"),
                ("level", "2"),
                ("confirm_jump", "on"),
                ("visibility", "organization"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(lea.get(&journey).await.texts(".big"), vec!["3 miles"]);
    // Remove its requirement, then archive it.
    let mut form = vec![
        ("name", "On-call Responder"),
        ("plural", "On-call Responders"),
        ("req_incident-response", "2"),
    ];
    form.push((
        "description",
        "Takes part in the on-call rotation for their team's services.",
    ));
    assert_eq!(
        lea.post("/fernhill/roles/on-call-responder/edit", &form)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        lea.post("/fernhill/abilities/observability/archive", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = lea.get(&journey).await;
    assert_eq!(page.texts(".big"), vec!["0 miles"]);
    assert_eq!(
        page.texts("ul.awards li").len(),
        2,
        "the awards stay in the history"
    );
}

#[tokio::test]
async fn a_public_profile_is_opt_in_and_shows_only_what_its_owner_picks() {
    let app = TestApp::with_demo().await;
    let mut lea = app
        .member(
            "fernhill",
            "lea@example.com",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let Member {
        client: mut rae,
        id: rae_id,
    } = app.join("fernhill", "rae", Capabilities::NONE).await;
    let base = format!("/fernhill/people/{}", rae_id.as_str());
    lea.post(
        &format!("{base}/awards"),
        &[
            ("ability", "mentoring"),
            ("level", "1"),
            ("visibility", "private"),
        ],
    )
    .await;
    lea.post(
        &format!("{base}/awards"),
        &[
            ("ability", "feedback"),
            ("level", "1"),
            ("visibility", "organization"),
        ],
    )
    .await;
    assert_eq!(
        app.get(&base).await.status,
        StatusCode::NOT_FOUND,
        "no profile until Rae opts in"
    );

    let journey = rae.get(&base).await;
    let sel =
        scraper::Selector::parse("section[aria-labelledby=profile] input[name=show]").expect("sel");
    let ids: Vec<String> = journey
        .html()
        .select(&sel)
        .filter_map(|i| i.value().attr("value").map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 2);
    // Show only the first (Mentoring, a private award: her choice).
    assert_eq!(
        rae.post(
            &format!("{base}/profile"),
            &[("public", "on"), ("show", &ids[0])]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let profile = app.get(&base).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(
        profile.texts("ul.awards li"),
        vec!["Mentoring: milestone 1"]
    );
    assert!(!profile.body.contains("Feedback"), "not picked, not shown");
    // Only Rae decides.
    assert_eq!(
        lea.post(
            &format!("{base}/profile"),
            &[("public", "on"), ("show", &ids[1])]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Turned off again: gone.
    rae.post(&format!("{base}/profile"), &[]).await;
    assert_eq!(app.get(&base).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_chart_plots_the_milestone_the_table_shows_for_every_ability() {
    let app = TestApp::with_demo().await;
    let mut lea = app
        .member(
            "fernhill",
            "lea@example.com",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let rae = app.join("fernhill", "rae", Capabilities::NONE).await.id;
    let journey = format!("/fernhill/people/{}", rae.as_str());
    // M1 first, then M3 (recording M2): the chart must show the highest.
    for (ability, level) in [("mentoring", "1"), ("mentoring", "3"), ("testing", "2")] {
        let ok = lea
            .post(
                &format!("{journey}/awards"),
                &[
                    ("ability", ability),
                    ("level", level),
                    ("confirm_jump", "on"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{ability} {level}");
    }
    let page = lea.get(&journey).await;
    let table: Vec<String> = page
        .texts(".journey tbody tr td:nth-child(2)")
        .into_iter()
        .map(|l| if l == "none yet" { "M0".to_owned() } else { l })
        .collect();
    let drawn: Vec<String> = page
        .texts(".journey svg text")
        .iter()
        .map(|t| t.rsplit(" · ").next().unwrap_or("").to_owned())
        .collect();
    assert_eq!(table.len(), 8);
    assert_eq!(
        drawn, table,
        "chart labels against the table, ability by ability"
    );
    assert!(table.contains(&"M3".to_owned()) && table.contains(&"M2".to_owned()));
}

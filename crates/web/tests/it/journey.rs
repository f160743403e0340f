use axum::http::StatusCode;
use cairn_domain::awards::EvidenceRule;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::TestApp;

#[tokio::test]
async fn a_manager_awards_on_evidence_and_the_journey_adds_the_miles() {
    let app = TestApp::with_demo().await;
    let mut rae = app
        .member("fernhill", "rae@example.com", Capabilities::NONE)
        .await;
    let mut max = app
        .member("fernhill", "max@example.com", Capabilities::NONE)
        .await;
    let mut mo = app
        .member("fernhill", "mo@example.com", Capabilities::NONE)
        .await;
    let mut lea = app
        .member(
            "fernhill",
            "lea@example.com",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let org = app.org("fernhill").await;
    let list = cairn_store::members::list(&app.db.store, &org.id)
        .await
        .expect("list");
    let id = |email: &str| {
        list.iter()
            .find(|m| m.person.email.as_str() == email)
            .expect("member")
            .person
            .id
            .clone()
    };
    let (rae_id, max_id) = (id("rae@example.com"), id("max@example.com"));
    cairn_store::members::set_manager(&app.db.store, &org.id, &rae_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    let journey = format!("/fernhill/people/{}", rae_id.as_str());
    let award = format!("{journey}/awards");

    let page = rae.get(&journey).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts(".big"), vec!["0 miles"]);
    assert!(page.body.contains("<svg"), "the radial chart is inline SVG");
    assert!(page.texts("#award").is_empty(), "no award form for oneself");

    // Only managers and people leads award.
    assert_eq!(
        mo.post(&award, &[("ability", "mentoring"), ("level", "1")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The organization asks for one observation first.
    cairn_store::awards::set_evidence_rule(
        &app.db.store,
        &org.id,
        EvidenceRule {
            min_observations: 1,
            min_observers: 1,
            min_days: 0,
        },
    )
    .await
    .expect("rule");
    let refused = max
        .post(&award, &[("ability", "mentoring"), ("level", "1")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.texts(".form-errors li")[0]
            .starts_with("The evidence rule is not met: ❌ 0 of 1 observations")
    );

    // Mo observes Rae publicly; Max cites it.
    let created = mo
        .post(
            "/fernhill/observations/new",
            &[
                ("observee", rae_id.as_str()),
                ("observed_on", "2023-11-01"),
                ("story", "Rae mentored a new joiner."),
                ("rate_mentoring", "strong"),
            ],
        )
        .await;
    let obs_href = created.location().to_owned();
    mo.post(
        &format!("{obs_href}/publish"),
        &[("privacy", "organization")],
    )
    .await;
    let obs_id = obs_href.rsplit('/').next().expect("id").to_owned();

    let jump = max
        .post(
            &award,
            &[
                ("ability", "mentoring"),
                ("level", "3"),
                ("evidence", &obs_id),
            ],
        )
        .await;
    assert_eq!(jump.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        jump.texts(".form-errors li"),
        vec!["This skips milestone(s) 1, 2: confirm the jump to award them all"]
    );
    let ok = max
        .post(
            &award,
            &[
                ("ability", "mentoring"),
                ("level", "3"),
                ("confirm_jump", "on"),
                ("evidence", &obs_id),
                ("visibility", "private"),
                ("note", "Consistently"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);

    // Rae and her manager see 6 miles; another member does not see a private award.
    assert_eq!(rae.get(&journey).await.texts(".big"), vec!["6 miles"]);
    assert_eq!(max.get(&journey).await.texts(".big"), vec!["6 miles"]);
    assert_eq!(mo.get(&journey).await.texts(".big"), vec!["0 miles"]);
    let rows = rae.get(&journey).await.texts("table tbody tr");
    assert!(
        rows.contains(&"Mentoring M3 6 M4 adds 6 miles to your journey".to_owned()),
        "{rows:?}"
    );
    assert!(
        app.get("/fernhill/abilities/mentoring")
            .await
            .texts("ul.health li")
            .contains(&"✅ ok: 1 person has achieved a milestone".to_owned())
    );

    // A people lead revokes the top award; history stays, miles drop to M2's.
    let page = lea.get(&journey).await;
    let sel = scraper::Selector::parse("ul.awards form").expect("sel");
    let actions: Vec<String> = page
        .html()
        .select(&sel)
        .filter_map(|f| f.value().attr("action").map(str::to_owned))
        .collect();
    assert_eq!(actions.len(), 3, "three levels recorded");
    assert_eq!(
        lea.post(&actions[2], &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let after = rae.get(&journey).await;
    assert_eq!(after.texts(".big"), vec!["3 miles"]);
    assert_eq!(after.texts("ul.awards li.revoked").len(), 1);
    assert_eq!(
        mo.post(&actions[1], &[]).await.status,
        StatusCode::NOT_FOUND,
        "members cannot revoke"
    );
}

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
    app.member("fernhill", "rae@example.com", Capabilities::NONE)
        .await;
    let org = app.org("fernhill").await;
    let rae = cairn_store::members::list(&app.db.store, &org.id)
        .await
        .expect("list")
        .into_iter()
        .find(|m| m.person.email.as_str() == "rae@example.com")
        .expect("rae")
        .person
        .id;
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
async fn eligibility_explains_gaps_answers_what_ifs_and_lists_candidates_for_people_leads() {
    let app = TestApp::with_demo().await;
    let mut lea = app
        .member(
            "fernhill",
            "lea@example.com",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let mut rae = app
        .member("fernhill", "rae@example.com", Capabilities::NONE)
        .await;
    let mut mo = app
        .member("fernhill", "mo@example.com", Capabilities::NONE)
        .await;
    let org = app.org("fernhill").await;
    let rae_id = cairn_store::members::list(&app.db.store, &org.id)
        .await
        .expect("list")
        .into_iter()
        .find(|m| m.person.email.as_str() == "rae@example.com")
        .expect("rae")
        .person
        .id;
    let base = format!("/fernhill/people/{}", rae_id.as_str());
    // Engineer I needs code-quality 1 and testing 1 (2 miles). Rae holds code-quality 1.
    lea.post(
        &format!("{base}/awards"),
        &[
            ("ability", "code-quality"),
            ("level", "1"),
            ("visibility", "private"),
        ],
    )
    .await;

    let page = rae.get(&format!("{base}/positions/engineer-1")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Not eligible yet"));
    assert!(page.text().contains("Required roles: Software Engineer"));
    assert_eq!(
        page.texts("tbody tr"),
        vec![
            "Code Quality M1+ M1 met",
            "Testing & Verification M1+ none missing 1 level(s), 1 mile short"
        ]
    );
    assert_eq!(page.texts("ul.gaps li"), vec!["Testing & Verification M1"]);

    let what_if = rae
        .get(&format!("{base}/positions/engineer-1?add_testing=1"))
        .await;
    assert!(
        what_if
            .text()
            .contains("✅ Eligible with the hypothetical milestones below")
    );
    assert!(
        rae.get(&format!(
            "{base}/positions/engineer-1?add_testing=9&add_nope=1"
        ))
        .await
        .text()
        .contains("Not eligible yet"),
        "bad what-ifs are ignored"
    );

    // Someone who is neither Rae, her manager nor a people lead sees nothing.
    assert_eq!(
        mo.get(&format!("{base}/positions/engineer-1")).await.status,
        StatusCode::NOT_FOUND
    );

    let candidates = lea.get("/fernhill/positions/engineer-1/candidates").await;
    assert_eq!(candidates.status, StatusCode::OK);
    assert!(
        candidates.texts("ul li").contains(&"rae".to_owned()),
        "one milestone away"
    );
    assert_eq!(
        rae.get("/fernhill/positions/engineer-1/candidates")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let journey = rae.get(&base).await;
    assert!(
        journey
            .links("section[aria-labelledby=positions] a")
            .iter()
            .any(|(h, _)| h.ends_with("/positions/engineer-1"))
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
    let mut rae = app
        .member("fernhill", "rae@example.com", Capabilities::NONE)
        .await;
    let org = app.org("fernhill").await;
    let rae_id = cairn_store::members::list(&app.db.store, &org.id)
        .await
        .expect("list")
        .into_iter()
        .find(|m| m.person.email.as_str() == "rae@example.com")
        .expect("rae")
        .person
        .id;
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

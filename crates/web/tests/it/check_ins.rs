//! A check-in through the pages: opened from the journey, each side
//! private until both are done, revealed side by side, finalized by the
//! manager, acknowledged by the member; frozen against later framework
//! changes; and only for the member, their managers and people leads.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::{Member, TestApp};

fn borrow(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

#[tokio::test]
async fn a_check_in_walks_from_open_to_acknowledged_and_stays_as_it_was() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let mut lee = app
        .join(
            "fernhill",
            "lee",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await
        .client;
    let mut eve = app.join("fernhill", "eve", Capabilities::NONE).await.client;
    let mut ada = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let mut edie = app
        .join(
            "fernhill",
            "edie",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await
        .client;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &ana_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    let journey = format!("/fernhill/people/{}", ana_id.as_str());
    let open = format!("{journey}/check-ins");

    // Another member can neither see the section nor open one.
    assert!(eve.get(&journey).await.texts("#check-ins").is_empty());
    assert_eq!(
        eve.post(&open, &[("position", "engineer-2")]).await.status,
        StatusCode::NOT_FOUND
    );
    // Her manager opens one against a position she aims for.
    let opened = max.post(&open, &[("position", "engineer-2")]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let href = opened.location().to_owned();
    assert!(href.starts_with("/fernhill/check-ins/"), "{href}");
    let again = ana.post(&open, &[("position", "engineer-2")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.text().contains("already has an open check-in"),
        "{}",
        again.text()
    );
    assert_eq!(again.links(".form-errors a")[0].0, "#check-in-position");

    // Who reads it.
    for (who, client, status) in [
        ("another member", &mut eve, StatusCode::NOT_FOUND),
        ("an admin", &mut ada, StatusCode::NOT_FOUND),
        ("a people lead", &mut lee, StatusCode::OK),
    ] {
        assert_eq!(client.get(&href).await.status, status, "{who}");
    }
    assert_eq!(
        app.get(&href).await.status,
        StatusCode::SEE_OTHER,
        "anonymous: sign in"
    );

    // Ana's side, private until both are done.
    let page = ana.get(&href).await;
    let abilities: Vec<String> = page
        .html()
        .select(
            &scraper::Selector::parse("fieldset.check-in-ability input[type=radio][value=meeting]")
                .expect("sel"),
        )
        .filter_map(|e| e.value().attr("name").map(str::to_owned))
        .collect();
    assert!(
        abilities.len() >= 3,
        "the position's abilities: {abilities:?}"
    );
    let side = format!("{href}/side");
    let mut mine: Vec<(String, String)> = abilities
        .iter()
        .map(|n| (n.clone(), "meeting".to_owned()))
        .collect();
    mine.push((
        "note_code-quality".into(),
        "My refactor of the job runner.".into(),
    ));
    let as_pairs = |v: &[(String, String)], action: &'static str| -> Vec<(String, String)> {
        let mut v = v.to_vec();
        v.push(("action".into(), action.into()));
        v
    };

    let draft = as_pairs(&mine[1..], "draft");
    assert_eq!(
        ana.post(&side, &borrow(&draft)).await.status,
        StatusCode::SEE_OTHER
    );
    let incomplete = as_pairs(&mine[1..], "complete");
    let refused = ana.post(&side, &borrow(&incomplete)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Rate every ability"));
    let bad = vec![
        (abilities[0].clone(), "brilliant".to_owned()),
        ("action".into(), "draft".into()),
    ];
    assert_eq!(
        ana.post(&side, &borrow(&bad)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ana.post(&side, &borrow(&as_pairs(&mine, "complete")))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let seen_by_max = max.get(&href).await;
    assert!(
        !seen_by_max.text().contains("My refactor"),
        "her side is hers until both are done"
    );
    assert!(
        seen_by_max.text().contains("ana's side: completed"),
        "{}",
        seen_by_max.text()
    );
    // Finalizing before the manager's side is done is refused.
    assert_eq!(
        max.post(&format!("{href}/finalize"), &[("overall", "accomplished")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut theirs: Vec<(String, String)> = abilities
        .iter()
        .map(|n| (n.clone(), "exceeding".to_owned()))
        .collect();
    theirs.push(("note_code-quality".into(), "A model for the team.".into()));
    assert_eq!(
        max.post(&side, &borrow(&as_pairs(&theirs, "complete")))
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // Revealed: side by side, the differences marked.
    let revealed = ana.get(&href).await;
    assert!(revealed.text().contains("My refactor of the job runner."));
    assert!(revealed.text().contains("A model for the team."));
    assert_eq!(revealed.texts("tr.differs").len(), abilities.len());
    // Only the manager or a people lead finalizes.
    assert_eq!(
        ana.post(&format!("{href}/finalize"), &[("overall", "exceptional")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let no_overall = max
        .post(&format!("{href}/finalize"), &borrow(&theirs))
        .await;
    assert_eq!(no_overall.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_overall.text().contains("Choose the overall rating."));
    let mut agreed = theirs.clone();
    agreed.push(("overall".into(), "accomplished".into()));
    agreed.push(("summary".into(), "A strong quarter.".into()));
    // A version published before finalizing: the check-in keeps its number.
    let org = app.org("fernhill").await;
    let published = cairn_store::versions::publish(
        &app.db.store,
        &org.id,
        &cairn_store::versions::Publish {
            after: 0,
            read_at: org.framework_version,
            snapshot: crate::support::DEMO,
            notes: "v1",
            by: None,
        },
        1,
    )
    .await
    .expect("publish");
    assert_eq!(published, Ok(1));
    let finalized = max
        .post(&format!("{href}/finalize"), &borrow(&agreed))
        .await;
    assert_eq!(finalized.status, StatusCode::SEE_OTHER);
    let before = ana.get(&href).await;
    assert!(
        before
            .text()
            .contains("Measured against the framework as of")
    );
    assert!(before.text().contains("(v1)."), "{}", before.text());
    assert!(before.text().contains("Overall: Accomplished"));
    assert!(
        before
            .links("a")
            .iter()
            .all(|(_, t)| !t.contains("what changed"))
    );
    assert_eq!(
        max.post(&format!("{href}/finalize"), &borrow(&agreed))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The framework changes: the finalized check-in does not.
    let mut form = vec![("name", "Code Craft"), ("category", "Craft")];
    form.push(("description", "Renamed."));
    let renamed = edie
        .post("/fernhill/abilities/code-quality/edit", &form)
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.text());
    let after = ana.get(&href).await;
    assert!(after.text().contains("Code Quality"), "the name it had");
    assert!(!after.text().contains("Code Craft"));
    assert!(
        after
            .links("a")
            .iter()
            .any(|(_, t)| t.contains("what changed"))
    );

    // Ana acknowledges; disagreeing needs a word.
    let ack = format!("{href}/acknowledge");
    assert_eq!(max.post(&ack, &[]).await.status, StatusCode::NOT_FOUND);
    let silent = ana.post(&ack, &[("disagree", "on")]).await;
    assert_eq!(silent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(silent.text().contains("Say what you disagree with."));
    assert_eq!(
        ana.post(
            &ack,
            &[("disagree", "on"), ("comment", "Testing is higher.")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        ana.get(&href)
            .await
            .text()
            .contains("disagreeing: Testing is higher.")
    );
    assert_eq!(
        ana.post(&ack, &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "once"
    );

    // The journey lists it; the due lists know who looks after whom.
    let listed = ana.get(&journey).await.links("#check-ins li a");
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].1.contains("acknowledged, Accomplished"),
        "{listed:?}"
    );
    let names = |page: &crate::support::Page| page.texts("table tbody th");
    assert_eq!(names(&max.get("/fernhill/check-ins").await), ["ana"]);
    assert!(names(&eve.get("/fernhill/check-ins").await).is_empty());
    assert!(
        names(&lee.get("/fernhill/check-ins").await).len() >= 6,
        "everyone, for a people lead"
    );
    // The audit log has each step.
    let log = ada.get("/fernhill/settings/audit").await.text();
    for step in [
        "Check-in opened",
        "Check-in finalized",
        "Check-in acknowledged",
    ] {
        assert!(log.contains(step), "{step}");
    }
}

/// A new manager takes over the manager side, afresh: the old one no
/// longer reads the check-in or their draft; admins read check-ins only
/// when the organization says so.
#[tokio::test]
async fn a_new_manager_takes_over_and_admins_read_only_when_allowed() {
    let app = TestApp::with_demo().await;
    let Member {
        client: _ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let Member {
        client: mut mo,
        id: mo_id,
    } = app.join("fernhill", "mo", Capabilities::NONE).await;
    let mut ada = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let org = app.org("fernhill").await;
    let set = |manager| {
        let (store, org, ana) = (app.db.store.clone(), org.id.clone(), ana_id.clone());
        async move {
            cairn_store::members::set_manager(&store, &org, &ana, Some(&manager))
                .await
                .expect("set")
                .expect("ok");
        }
    };
    set(max_id.clone()).await;
    let opened = max
        .post(
            &format!("/fernhill/people/{}/check-ins", ana_id.as_str()),
            &[("position", "engineer-1")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let href = opened.location().to_owned();
    let draft = max
        .post(
            &format!("{href}/side"),
            &[
                ("note_code-quality", "Max's private draft"),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER);
    assert!(
        max.get(&href).await.text().contains("Max's private draft"),
        "their own draft"
    );

    set(mo_id).await;
    assert_eq!(
        max.get(&href).await.status,
        StatusCode::NOT_FOUND,
        "the old manager"
    );
    let page = mo.get(&href).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text().contains("Max's private draft"),
        "not their draft"
    );
    assert_eq!(page.texts("form.check-in-form h2"), ["The manager's side"]);

    // Admins: not by default; when the organization says so, they read.
    assert_eq!(ada.get(&href).await.status, StatusCode::NOT_FOUND);
    let settings = ada.get("/fernhill/settings").await;
    assert_eq!(settings.texts("#check_in_days").len(), 1);
    let saved = ada
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("published", "on"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
                ("check_ins_form", "1"),
                ("check_in_days", "60"),
                ("admins_read_check_ins", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(ada.get(&href).await.status, StatusCode::OK);
    assert!(
        ada.get("/fernhill/check-ins")
            .await
            .text()
            .contains("every 60 days")
    );
    let bad = ada
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
                ("check_ins_form", "1"),
                ("check_in_days", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.links(".form-errors a")[0].0, "#check_in_days");
}

/// The API says what the page says: sides' entries hidden until both are
/// completed (or to their own author), the snapshot once finalized.
#[tokio::test]
async fn the_api_shows_a_check_in_as_its_page_does() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let mut eve = app.join("fernhill", "eve", Capabilities::NONE).await.client;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &ana_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    let opened = ana
        .post(
            &format!("/fernhill/people/{}/check-ins", ana_id.as_str()),
            &[("position", "engineer-1")],
        )
        .await;
    let href = opened.location().to_owned();
    let id = href.rsplit('/').next().expect("id").to_owned();
    let side = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("note_testing", "Ana's view"),
        ("action", "complete"),
    ];
    assert_eq!(
        ana.post(&format!("{href}/side"), &side).await.status,
        StatusCode::SEE_OTHER
    );
    let api = format!("/api/v1/orgs/fernhill/check-ins/{id}");
    let json = |page: &crate::support::Page| -> serde_json::Value {
        serde_json::from_str(&page.body).expect("json")
    };
    let by_max = json(&max.get(&api).await);
    assert_eq!(by_max["stage"], "open");
    assert!(by_max["sides"]["member"]["completed_at"].is_i64());
    assert!(
        by_max["sides"]["member"]["entries"].is_null(),
        "hers until both are done: {by_max}"
    );
    let by_ana = json(&ana.get(&api).await);
    assert_eq!(
        by_ana["sides"]["member"]["entries"][1]["note"],
        "Ana's view"
    );
    assert_eq!(eve.get(&api).await.status, StatusCode::NOT_FOUND);
    let manager = [
        ("rate_code-quality", "exceeding"),
        ("rate_testing", "meeting"),
        ("action", "complete"),
    ];
    assert_eq!(
        max.post(&format!("{href}/side"), &manager).await.status,
        StatusCode::SEE_OTHER
    );
    let finalize = [
        ("rate_code-quality", "exceeding"),
        ("rate_testing", "meeting"),
        ("overall", "exceptional"),
        ("summary", "Great."),
    ];
    assert_eq!(
        max.post(&format!("{href}/finalize"), &finalize)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let done = json(&ana.get(&api).await);
    assert_eq!(done["stage"], "finalized");
    assert_eq!(
        done["sides"]["manager"]["entries"][0]["rating"],
        "exceeding"
    );
    assert_eq!(done["snapshot"]["overall"], "exceptional");
    assert_eq!(done["snapshot"]["format"], "cairn-check-in/1");
    // As CSV: the page's lines, what a spreadsheet cannot run as formulas.
    let csv = ana.get(&format!("{href}/csv")).await;
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(csv.header("content-disposition").starts_with("attachment"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two abilities: {}", csv.body);
    assert!(lines[0].starts_with("Ability,Requires,Holds,Member"));
    assert!(csv.body.contains("Ana's view"));
    assert!(csv.body.contains("Exceeding"));
    assert_eq!(
        eve.get(&format!("{href}/csv")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut lee = app
        .join(
            "fernhill",
            "lee",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await
        .client;
    let summary = lee.get("/fernhill/check-ins/export").await;
    assert_eq!(summary.status, StatusCode::OK);
    assert!(
        summary
            .body
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("ana,Engineer I,yes,") && l.contains("Exceptional")),
        "{}",
        summary.body
    );
    assert_eq!(
        max.get("/fernhill/check-ins/export").await.status,
        StatusCode::NOT_FOUND,
        "people leads only"
    );
    let list = json(
        &max.get(&format!(
            "/api/v1/orgs/fernhill/people/{}/check-ins",
            ana_id.as_str()
        ))
        .await,
    );
    assert_eq!(list["check_ins"][0]["id"], id.as_str());
    assert_eq!(list["check_ins"][0]["overall"], "exceptional");
}

/// The manager's side cites observations of the member that rate the
/// ability and that the manager may read; nothing else.
#[tokio::test]
async fn the_manager_cites_observations_they_may_read_as_evidence() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let mut eve = app.join("fernhill", "eve", Capabilities::NONE).await.client;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &ana_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    // One for the organization; one only Ana and Eve read (not Max).
    let mut ids = Vec::new();
    for (privacy, story) in [
        ("organization", "Ana untangled the build."),
        ("observees", "Just between us."),
    ] {
        let page = eve
            .post(
                "/fernhill/observations/new",
                &[
                    ("observee", ana_id.as_str()),
                    ("observed_on", "2024-02-03"),
                    ("story", story),
                    ("rate_code-quality", "strong"),
                    ("privacy", privacy),
                    ("action", "publish"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        ids.push(page.location().rsplit('/').next().expect("id").to_owned());
    }
    let (shared, hidden) = (ids[0].clone(), ids[1].clone());
    let opened = max
        .post(
            &format!("/fernhill/people/{}/check-ins", ana_id.as_str()),
            &[("position", "engineer-1")],
        )
        .await;
    let href = opened.location().to_owned();
    let form = max.get(&href).await;
    let offered: Vec<String> = form
        .html()
        .select(&scraper::Selector::parse("input[name='evidence_code-quality']").expect("sel"))
        .filter_map(|e| e.value().attr("value").map(str::to_owned))
        .collect();
    assert_eq!(
        offered,
        std::slice::from_ref(&shared),
        "only what Max may read, rating it"
    );
    let side = format!("{href}/side");
    let cite = |id: &str| {
        vec![
            ("rate_code-quality".to_owned(), "meeting".to_owned()),
            ("rate_testing".to_owned(), "meeting".to_owned()),
            ("evidence_code-quality".to_owned(), id.to_owned()),
            ("action".to_owned(), "complete".to_owned()),
        ]
    };
    assert_eq!(
        max.post(&side, &borrow(&cite(&hidden))).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        max.post(&side, &borrow(&cite(&shared))).await.status,
        StatusCode::SEE_OTHER
    );
    let mine = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("action", "complete"),
    ];
    assert_eq!(ana.post(&side, &mine).await.status, StatusCode::SEE_OTHER);
    let revealed = ana.get(&href).await;
    assert_eq!(
        revealed.links("table.check-in-table a"),
        [(
            format!("/fernhill/observations/{shared}"),
            "evidence 1".to_owned()
        )]
    );
}

/// With the organization's rule on, eligibility has one more line: the
/// last N finalized check-ins rated at least R, met or not and why.
#[tokio::test]
async fn eligibility_asks_for_check_ins_when_the_organization_says_so() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let mut ada = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &ana_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    let eligibility = format!("/fernhill/people/{}/positions/engineer-1", ana_id.as_str());
    assert!(
        ana.get(&eligibility)
            .await
            .texts(".check-in-rule")
            .is_empty(),
        "off by default"
    );
    let saved = ada
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("published", "on"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
                ("check_ins_form", "1"),
                ("check_in_days", "90"),
                ("check_in_rule_count", "1"),
                ("check_in_rule_min", "accomplished"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        ana.get(&eligibility).await.texts(".check-in-rule"),
        [
            "⚠️ Check-ins: the last finalized check-in rated Accomplished or better; not met: none so far."
        ]
    );
    for (overall, want) in [
        (
            "developing",
            "⚠️ Check-ins: the last finalized check-in rated Accomplished or better; not met: Developing.",
        ),
        (
            "exceptional",
            "✅ Check-ins: the last finalized check-in rated Accomplished or better; met.",
        ),
    ] {
        let opened = max
            .post(
                &format!("/fernhill/people/{}/check-ins", ana_id.as_str()),
                &[("position", "engineer-1")],
            )
            .await;
        let href = opened.location().to_owned();
        let rated = [
            ("rate_code-quality", "meeting"),
            ("rate_testing", "meeting"),
            ("action", "complete"),
        ];
        for client in [&mut ana, &mut max] {
            assert_eq!(
                client.post(&format!("{href}/side"), &rated).await.status,
                StatusCode::SEE_OTHER
            );
        }
        app.advance(60_000);
        let fin = [
            ("rate_code-quality", "meeting"),
            ("rate_testing", "meeting"),
            ("overall", overall),
        ];
        assert_eq!(
            max.post(&format!("{href}/finalize"), &fin).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            ana.get(&eligibility).await.texts(".check-in-rule"),
            [want],
            "{overall}"
        );
    }
    let bad = ada
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
                ("check_ins_form", "1"),
                ("check_in_days", "90"),
                ("check_in_rule_count", "99"),
                ("check_in_rule_min", "accomplished"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The member adds an ability the position does not ask for; it is rated
/// like the others before their side can be completed.
#[tokio::test]
async fn the_member_adds_an_ability_and_rates_it_too() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let opened = ana
        .post(
            &format!("/fernhill/people/{}/check-ins", ana_id.as_str()),
            &[("position", "engineer-1")],
        )
        .await;
    let href = opened.location().to_owned();
    let offered = ana.get(&href).await.texts("fieldset.add-abilities label");
    assert!(offered.contains(&"Mentoring".to_owned()), "{offered:?}");
    assert!(
        !offered.contains(&"Code Quality".to_owned()),
        "required ones are listed already"
    );
    let side = format!("{href}/side");
    let adding = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("add", "mentoring"),
        ("action", "complete"),
    ];
    assert_eq!(
        ana.post(&side, &adding).await.status,
        StatusCode::SEE_OTHER,
        "added, not completed yet"
    );
    let page = ana.get(&href).await;
    assert!(
        page.texts("fieldset.check-in-ability legend")
            .iter()
            .any(|l| l.starts_with("Mentoring (added by the member")),
        "{:?}",
        page.texts("fieldset.check-in-ability legend")
    );
    let unrated = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("action", "complete"),
    ];
    assert_eq!(
        ana.post(&side, &unrated).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ana.post(
            &format!(
                "/fernhill/check-ins/{}/side",
                href.rsplit('/').next().expect("id")
            ),
            &[("add", "nope"), ("action", "draft")]
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let all = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("rate_mentoring", "exceeding"),
        ("action", "complete"),
    ];
    assert_eq!(ana.post(&side, &all).await.status, StatusCode::SEE_OTHER);
    assert!(
        ana.get(&href)
            .await
            .text()
            .contains("ana's side: completed")
    );
}

/// An admin who reads check-ins by the organization's setting does not
/// see a concern level; the member, managers and people leads do.
#[tokio::test]
async fn concern_levels_stay_with_the_member_their_managers_and_people_leads() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let mut lee = app
        .join(
            "fernhill",
            "lee",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await
        .client;
    let mut ada = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &ana_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    cairn_store::check_ins::set_settings(&app.db.store, &org.id, 90, true)
        .await
        .expect("settings");
    let opened = max
        .post(
            &format!("/fernhill/people/{}/check-ins", ana_id.as_str()),
            &[("position", "engineer-1")],
        )
        .await;
    let href = opened.location().to_owned();
    let rated = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("action", "complete"),
    ];
    for client in [&mut ana, &mut max] {
        assert_eq!(
            client.post(&format!("{href}/side"), &rated).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let fin = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("overall", "concerning"),
    ];
    assert_eq!(
        max.post(&format!("{href}/finalize"), &fin).await.status,
        StatusCode::SEE_OTHER
    );
    for (who, client, sees) in [
        ("the member", &mut ana, true),
        ("the manager", &mut max, true),
        ("a people lead", &mut lee, true),
        ("an admin", &mut ada, false),
    ] {
        let page = client.get(&href).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        assert_eq!(page.text().contains("Overall: Concerning"), sees, "{who}");
        let api: serde_json::Value = serde_json::from_str(
            &client
                .get(&format!(
                    "/api/v1/orgs/fernhill/check-ins/{}",
                    href.rsplit('/').next().expect("id")
                ))
                .await
                .body,
        )
        .expect("json");
        assert_eq!(api["overall"] == "concerning", sees, "{who}: {api}");
        assert_eq!(api["snapshot"]["overall"] == "concerning", sees, "{who}");
    }
}

/// The organization names its overall ratings; a finalized check-in keeps
/// the name it was given, whatever the scale is called later.
#[tokio::test]
async fn the_organizations_scale_names_the_overall_rating_and_is_frozen_with_it() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let mut ada = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &ana_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    let settings = |names: [&'static str; 6]| {
        let mut form = vec![
            ("name", "Fernhill"),
            ("published", "on"),
            ("stale_days", "183"),
            ("critical_days", "365"),
            ("awards_by", "both"),
            ("check_ins_form", "1"),
            ("check_in_days", "90"),
        ];
        for (field, name) in [
            "overall_1",
            "overall_2",
            "overall_3",
            "overall_4",
            "overall_5",
            "overall_6",
        ]
        .into_iter()
        .zip(names)
        {
            form.push((field, name));
        }
        form
    };
    let saved = ada
        .post(
            "/fernhill/settings",
            &settings(["Stellar", "Solid", "Growing", "Watch", "Worry", "Alarm"]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let twice = ada
        .post(
            "/fernhill/settings",
            &settings(["A", "A", "C", "D", "E", "F"]),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(twice.links(".form-errors a")[0].0, "#overall_1");
    let opened = max
        .post(
            &format!("/fernhill/people/{}/check-ins", ana_id.as_str()),
            &[("position", "engineer-1")],
        )
        .await;
    let href = opened.location().to_owned();
    let rated = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("action", "complete"),
    ];
    for client in [&mut ana, &mut max] {
        assert_eq!(
            client.post(&format!("{href}/side"), &rated).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let form = max.get(&href).await;
    assert!(
        form.texts("fieldset#overall label")
            .iter()
            .any(|l| l.starts_with("Solid")),
        "{:?}",
        form.texts("fieldset#overall label")
    );
    let fin = [
        ("rate_code-quality", "meeting"),
        ("rate_testing", "meeting"),
        ("overall", "accomplished"),
    ];
    assert_eq!(
        max.post(&format!("{href}/finalize"), &fin).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(ana.get(&href).await.text().contains("Overall: Solid"));
    let renamed = ada
        .post("/fernhill/settings", &settings(["", "", "", "", "", ""]))
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert!(
        ana.get(&href).await.text().contains("Overall: Solid"),
        "the name it was given"
    );
}

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
    // Not picked, not shown: neither listed nor drawn (the chart has a
    // wedge for every ability, empty for this one).
    assert!(
        profile
            .body
            .contains(r#"data-ability="feedback" data-level="0""#),
        "{}",
        profile.body
    );
    assert!(
        profile
            .body
            .contains(r#"data-ability="mentoring" data-level="1""#)
    );
    assert_eq!(profile.texts(".totals .big"), ["1 mile"]);
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

/// The chart and the list say the same: every wedge fills as many rings as
/// the list's milestone for that ability, and that is the highest held.
#[tokio::test]
async fn the_chart_draws_the_milestone_the_list_shows_for_every_ability() {
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
    let journey = format!("/fernhill/people/{}", rae_id.as_str());
    // M1 first, then M2: the chart draws the highest.
    for (ability, level) in [
        ("code-quality", "1"),
        ("incident-response", "3"),
        ("code-quality", "2"),
        ("testing", "1"),
    ] {
        let ok = lea
            .post(
                &format!("{journey}/awards"),
                &[
                    ("ability", ability),
                    ("level", level),
                    ("confirm_jump", "on"),
                    ("visibility", "organization"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{ability} {level}");
    }
    let want = [
        ("code-quality", 2),
        ("incident-response", 3),
        ("testing", 1),
        ("mentoring", 0),
    ];
    for (who, page) in [
        ("lead", lea.get(&journey).await),
        ("self", rae.get(&journey).await),
    ] {
        let html = page.html();
        let leg = scraper::Selector::parse("li.leg").expect("selector");
        let legs: Vec<_> = html.select(&leg).collect();
        let wedge = scraper::Selector::parse("svg g.wedge").expect("selector");
        let on = scraper::Selector::parse("path.on").expect("selector");
        let wedges: Vec<_> = html.select(&wedge).collect();
        assert_eq!(legs.len(), 8, "{who}: one entry per demo ability");
        assert_eq!(wedges.len(), legs.len(), "{who}: one wedge per entry");
        for l in &legs {
            let ability = l.value().attr("data-ability").expect("ability");
            let level: usize = l
                .value()
                .attr("data-level")
                .and_then(|v| v.parse().ok())
                .expect("level");
            let w = wedges
                .iter()
                .find(|w| w.value().attr("data-ability") == Some(ability))
                .unwrap_or_else(|| panic!("{who}: a wedge for {ability}"));
            assert_eq!(
                w.select(&on).count(),
                level,
                "{who}: {ability}: rings filled"
            );
            let text: String = l.text().collect();
            let said = if level == 0 {
                "no milestone yet".to_owned()
            } else {
                format!("milestone {level}")
            };
            assert!(text.contains(&said), "{who}: {ability}: {text}");
        }
        for (ability, level) in want {
            let l = legs
                .iter()
                .find(|l| l.value().attr("data-ability") == Some(ability))
                .expect("leg");
            assert_eq!(
                l.value().attr("data-level"),
                Some(level.to_string().as_str()),
                "{who}: {ability}"
            );
        }
        // Code Quality M2 = 3 miles; M3 is 6 in all (the ability page's
        // "adds 6 miles"), 3 more: one wording for both pages.
        let cq = page.texts("li.leg[data-ability=code-quality] .next");
        let (mine, award) = if who == "self" {
            (" to your journey", "")
        } else {
            ("", " Award milestone 3 of Code Quality")
        };
        assert_eq!(
            cq,
            [format!(
                "Next: milestone 3 would add 3 more miles{mine} (6 in total){award}"
            )],
            "{who}"
        );
        assert_eq!(page.texts(".totals .big"), ["10 miles"], "{who}: 3 + 6 + 1");
        let h1 = if who == "self" {
            "Your journey"
        } else {
            "rae's journey"
        };
        assert_eq!(page.texts("h1"), [h1], "{who}");
    }
    let ability = app.get("/fernhill/abilities/code-quality").await;
    assert!(
        ability.texts(".miles")[2].contains("adds 6 miles to your journey"),
        "{:?}",
        ability.texts(".miles")
    );
}

/// Awarders see "Award milestone N" beside each next milestone; it opens
/// the award form at that ability and milestone.
#[tokio::test]
async fn the_award_form_starts_at_the_next_milestone_picked() {
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
    let journey = format!("/fernhill/people/{}", rae_id.as_str());
    let ok = lea
        .post(
            &format!("{journey}/awards"),
            &[("ability", "testing"), ("level", "1")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let selected = |page: &crate::support::Page| {
        (
            page.texts("#ability option[selected]"),
            page.texts("#level option[selected]"),
        )
    };
    let page = lea.get(&journey).await;
    assert_eq!(
        selected(&page),
        (vec!["Code Quality".to_owned()], vec!["1".to_owned()]),
        "the first with a milestone to go"
    );
    let link = page
        .links("li.leg[data-ability=testing] .next a")
        .into_iter()
        .next()
        .expect("award link");
    assert_eq!(link.1, "Award milestone 2 of Testing & Verification");
    let picked = lea.get(&link.0).await;
    assert_eq!(
        selected(&picked),
        (
            vec!["Testing & Verification".to_owned()],
            vec!["2".to_owned()]
        )
    );
    // An unknown pick is the default; the member sees no award links.
    assert_eq!(
        selected(&lea.get(&format!("{journey}?award=nope")).await).1,
        ["1"]
    );
    assert!(rae.get(&journey).await.links(".next a").is_empty());
}

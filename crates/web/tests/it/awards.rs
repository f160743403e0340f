//! Awarding milestones on evidence, and what the journey then counts.

use axum::http::StatusCode;
use cairn_domain::awards::EvidenceRule;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::{Member, TestApp};

#[tokio::test]
async fn a_manager_awards_on_evidence_and_the_journey_adds_the_miles() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut rae,
        id: rae_id,
    } = app.join("fernhill", "rae", Capabilities::NONE).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
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
    let next = rae
        .get(&journey)
        .await
        .texts("li.leg[data-ability=mentoring] .next");
    assert_eq!(
        next,
        ["Next: milestone 4 would add 6 more miles to your journey (12 in total)"]
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

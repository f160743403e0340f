//! Eligibility for a position: gaps, what-ifs, candidates.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::{Member, TestApp};

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
    let Member {
        client: mut rae,
        id: rae_id,
    } = app.join("fernhill", "rae", Capabilities::NONE).await;
    let mut mo = app
        .member("fernhill", "mo@example.com", Capabilities::NONE)
        .await;
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
        candidates.texts("ul li a").contains(&"rae".to_owned()),
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

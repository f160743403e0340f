//! The playground (`/{org}/explore`), its JSON twin, and the comparison
//! pages (two positions; two milestones of an ability), through the
//! router.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};
use serde_json::Value;

use crate::support::TestApp;

fn json(body: &str) -> Value {
    serde_json::from_str(body).expect("json")
}

#[tokio::test]
async fn a_playground_link_gives_what_a_member_holding_it_is_eligible_for() {
    let app = TestApp::with_demo().await;
    let ana = app.join("fernhill", "ana", Capabilities::NONE).await;
    let lea = app
        .join(
            "fernhill",
            "lea",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let (mut lead, mut own) = (lea.client, ana.client);
    let journey = format!("/fernhill/people/{}", ana.id.as_str());
    let held = [
        ("code-quality", "3"),
        ("testing", "2"),
        ("incident-response", "2"),
        ("observability", "1"),
        ("mentoring", "1"),
    ];
    for (ability, level) in held {
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
    // Her journey and the overview lead to the playground.
    let own_journey = own.get(&journey).await;
    assert!(
        own_journey
            .links("a")
            .iter()
            .any(|(h, _)| h == "/fernhill/explore/mine")
    );
    let overview = app.anon().get("/fernhill").await;
    let links = overview.links("a");
    assert!(
        links.iter().any(|(h, _)| h == "/fernhill/explore"),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .any(|(h, _)| h == "/fernhill/positions/compare"),
        "{links:?}"
    );
    // "Start from my journey" makes the link of her milestones.
    let start = own.get("/fernhill/explore/mine").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    let link = start.location().to_owned();
    assert!(link.starts_with("/fernhill/explore?m="), "{link}");
    // Anyone opens it: the same picture, computed again from the link.
    let page = app.anon().get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.texts("p.notice").is_empty(),
        "{:?}",
        page.texts("p.notice")
    );
    let api = json(
        &app.anon()
            .get(&link.replace("/fernhill/explore", "/api/v1/orgs/fernhill/explore"))
            .await
            .body,
    );
    // Her journey and her eligibility, through the router.
    let mine = json(
        &own.get(&format!(
            "/api/v1/orgs/fernhill/people/{}/journey",
            ana.id.as_str()
        ))
        .await
        .body,
    );
    assert_eq!(api["miles"], mine["total_miles"], "{api}");
    assert_eq!(
        page.texts(".totals .big"),
        [format!("{} miles", mine["total_miles"])]
    );
    let mut eligible = Vec::new();
    for position in [
        "engineer-1",
        "engineer-2",
        "senior-engineer",
        "staff-engineer",
    ] {
        let e = json(
            &own.get(&format!(
                "/api/v1/orgs/fernhill/people/{}/positions/{position}/eligibility",
                ana.id.as_str()
            ))
            .await
            .body,
        );
        assert_eq!(api["miles"], e["miles_earned"], "{position}");
        if e["eligible"] == Value::Bool(true) {
            eligible.push(position.to_owned());
        }
    }
    let met: Vec<String> = api["met"]
        .as_array()
        .expect("met")
        .iter()
        .map(|p| p["slug"].as_str().expect("slug").to_owned())
        .collect();
    assert_eq!(met, eligible);
    assert!(
        !met.is_empty() && met.len() < 4,
        "a picture with something met and something not: {met:?}"
    );
    assert_eq!(page.texts("ul.met li").len(), met.len());
    // The closest position not met says what it still needs.
    assert!(
        api["closest"]["gap_sets"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{api}"
    );
    assert!(!page.texts("ul.gaps li").is_empty());
    // The link reproduces the picture: its own link is the one it came from.
    assert_eq!(
        api["m"]
            .as_str()
            .map(|m| format!("/fernhill/explore?m={m}")),
        Some(link.clone())
    );
    // The chart downloads as a file of its own.
    let svg = app
        .anon()
        .get(&link.replace("/explore?", "/explore.svg?"))
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert!(svg.header("content-disposition").starts_with("attachment"));
    assert!(svg.body.starts_with("<svg") && svg.body.contains("<style>"));
    assert_eq!(svg.body.matches(r#"class="on""#).count(), 3 + 2 + 2 + 1 + 1);
    // "Ask my manager" shows the link to send.
    let ask = own.get(&link.replace("/explore?", "/explore/ask?")).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.body.contains(&link.replace('&', "&amp;")),
        "{}",
        ask.body
    );
}

#[tokio::test]
async fn the_form_becomes_the_link_and_nothing_in_a_link_is_an_error() {
    let app = TestApp::with_demo().await;
    let form = app
        .anon()
        .get("/fernhill/explore?l.testing=2&l.code-quality=3&l.mentoring=0&l.nope=4")
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER);
    assert_eq!(
        form.location(),
        "/fernhill/explore?m=code-quality:3,testing:2"
    );
    let many = vec!["code-quality:1"; 500].join(",");
    let too_many = vec!["x:9"; 10_000].join(",");
    // (m=, miles, a notice)
    let cases: Vec<(String, u64, bool)> = vec![
        (String::new(), 0, false),
        ("code-quality:3".into(), 6, false),
        ("nope:3,code-quality:3".into(), 6, true),
        ("code-quality:9".into(), 0, true),
        ("code-quality:0".into(), 0, true),
        ("code-quality:2,code-quality:5".into(), 3, true),
        ("%FF%FE:1,testing:1".into(), 1, true),
        ("code-quality%3A%FF".into(), 0, true),
        ("%00".into(), 0, true),
        (",,,".into(), 0, false),
        ("code-quality".into(), 0, true),
        (many, 1, true),
    ];
    for (m, miles, noted) in cases {
        let page = app.anon().get(&format!("/fernhill/explore?m={m}")).await;
        let short: String = m.chars().take(40).collect();
        assert_eq!(page.status, StatusCode::OK, "{short}");
        assert_eq!(page.texts("p.notice").len(), usize::from(noted), "{short}");
        let api = app
            .anon()
            .get(&format!("/api/v1/orgs/fernhill/explore?m={m}"))
            .await;
        assert_eq!(api.status, StatusCode::OK, "{short}");
        let body = json(&api.body);
        assert_eq!(body["miles"], miles, "{short}");
        assert_eq!(body["notice"].is_string(), noted, "{short}");
    }
    // Past the URL length limit, the limit answers, as for any address.
    for path in ["/fernhill/explore", "/api/v1/orgs/fernhill/explore"] {
        let got = app.anon().get(&format!("{path}?m={too_many}")).await;
        assert_eq!(got.status, StatusCode::URI_TOO_LONG, "{path}");
    }
}

#[tokio::test]
async fn positions_compare_side_by_side_and_levels_of_an_ability_word_by_word() {
    let app = TestApp::with_demo().await;
    let eddie = app
        .join(
            "fernhill",
            "eddie",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;
    let mut editor = eddie.client;
    let mut anon = app.anon();
    // The position page links the next level.
    let position = anon.get("/fernhill/positions/engineer-2").await;
    assert!(
        position
            .links("a")
            .iter()
            .any(|(href, text)| text == "Compare with the next level"
                && href == "/fernhill/positions/compare?a=engineer-2&b=senior-engineer"),
        "{:?}",
        position.links("a")
    );
    let page = anon
        .get("/fernhill/positions/compare?a=engineer-2&b=senior-engineer")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts("tr[class^=change-]");
    for want in [
        "Code Quality 2+ 3+ raised",
        "Testing & Verification 2+ 3+ raised",
        "System Design — 2+ new",
        "Incident Response 2+ 2+ unchanged",
        "Mentoring — 2+ new",
    ] {
        assert!(rows.contains(&want.to_owned()), "{want}: {rows:?}");
    }
    // A raised requirement reads as the milestones in between.
    let stories = page.texts("section.story");
    assert!(
        stories
            .iter()
            .any(|s| s.starts_with("Code Quality: from 2+ to 3+")
                && s.contains("Shapes the structure of a codebase")),
        "{stories:?}"
    );
    assert!(
        page.text().contains("only Senior Engineer (new)"),
        "{}",
        page.text()
    );
    // Two positions of one level (Snowflake's titles share bands).
    app.import(
        "format: cairn/1
organization: { slug: snow, name: Snow }
abilities:
  - { slug: a, name: A, milestones: [{}, {}, {}, {}, {}] }
positions:
  - { slug: senior, title: Senior Engineer, level: '3', requires: { a: 2 }, miles: { at_least: 36, below: 58 } }
  - { slug: senior-em, title: Senior Manager, level: '3', requires: { a: 3 }, miles: { at_least: 36, below: 58 } }
",
    )
    .await;
    let shared = anon
        .get("/snow/positions/compare?a=senior&b=senior-em")
        .await;
    assert_eq!(shared.status, StatusCode::OK);
    assert_eq!(shared.texts("tr[class^=change-]"), ["A 2+ 3+ raised"]);
    assert!(
        shared
            .texts("table.compare tbody tr")
            .contains(&"Level 3 3".to_owned())
    );
    // Against itself: nothing changes, and it says so.
    let same = anon
        .get("/fernhill/positions/compare?a=engineer-2&b=engineer-2")
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(
        same.texts("tr[class^=change-]")
            .iter()
            .all(|r| r.ends_with("unchanged"))
    );
    assert_eq!(same.texts("p.notice").len(), 1);
    // Without both, a form; unknown and archived positions are not there.
    let chooser = anon.get("/fernhill/positions/compare").await;
    assert_eq!(chooser.status, StatusCode::OK);
    assert_eq!(
        chooser
            .html()
            .select(&scraper::Selector::parse("select#a option").expect("css"))
            .count(),
        4
    );
    let archived = editor
        .post("/fernhill/positions/staff-engineer/archive", &[])
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER, "{}", archived.body);
    for path in [
        "/fernhill/positions/compare?a=engineer-2&b=staff-engineer",
        "/fernhill/positions/compare?a=staff-engineer&b=engineer-2",
        "/fernhill/positions/compare?a=staff-engineer",
        "/fernhill/positions/compare?a=nope&b=engineer-2",
    ] {
        assert_eq!(anon.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }

    // An ability's milestones, one step at a time, word by word.
    let plain = anon.get("/fernhill/abilities/code-quality").await;
    assert!(plain.texts("section.step").is_empty());
    assert!(
        plain
            .body
            .contains("/fernhill/abilities/code-quality?step=2#step")
    );
    let step = anon.get("/fernhill/abilities/code-quality?step=1").await;
    assert_eq!(step.status, StatusCode::OK);
    let html = step.html();
    let sel = |css: &str| -> Vec<String> {
        html.select(&scraper::Selector::parse(css).expect("css"))
            .map(|e| e.text().collect::<String>())
            .collect()
    };
    assert_eq!(
        sel("section.step h2"),
        ["What changes from milestone 1 to 2"]
    );
    // "Writes working code for well-defined tasks with guidance." against
    // "Writes clear, tested code for features of moderate size without
    // supervision.": shared words stay plain, the rest is marked.
    let dropped = sel("table.step-diff td:first-child del");
    let added = sel("table.step-diff td:last-child ins");
    assert!(dropped.contains(&"working".to_owned()), "{dropped:?}");
    assert!(added.contains(&"clear,".to_owned()), "{added:?}");
    assert!(!dropped.contains(&"Writes".to_owned()) && !added.contains(&"Writes".to_owned()));
    for junk in [
        "?step=5",
        "?step=0",
        "?step=x",
        "?step=99999999999999999999",
    ] {
        let got = anon
            .get(&format!("/fernhill/abilities/code-quality{junk}"))
            .await;
        assert_eq!(got.status, StatusCode::OK, "{junk}");
        assert!(got.texts("section.step").is_empty(), "{junk}");
    }
}

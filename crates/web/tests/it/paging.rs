//! Lists that grow with the organization come a page at a time, with a
//! stable "older"/"more" link (keyset cursors), in the pages and the API.

use std::collections::HashSet;

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::visibility::Privacy;
use cairn_domain::{Markdown, Slug};
use cairn_store::observations::{self, Draft};

use crate::support::{Page, TestApp};

fn card_ids(page: &Page) -> Vec<String> {
    page.html()
        .select(&scraper::Selector::parse("article.observation").expect("selector"))
        .filter_map(|e| e.value().attr("id").map(str::to_owned))
        .collect()
}

fn older_link(page: &Page) -> Option<String> {
    page.links("nav.pager a[rel=next]")
        .into_iter()
        .next()
        .map(|(href, _)| href)
}

#[tokio::test]
async fn observation_lists_come_in_pages_that_never_repeat_or_skip() {
    let app = TestApp::with_demo().await;
    let org = app.org("fernhill").await;
    let ana = app.join("fernhill", "ana", Capabilities::NONE).await;
    let bo = app.join("fernhill", "bo", Capabilities::NONE).await;
    // 30 observations of bo; two share a date, so the id breaks the tie.
    for n in 0..30 {
        let id = observations::create(
            &app.db.store,
            &org.id,
            &ana.id,
            &Draft {
                observees: vec![bo.id.clone()],
                story: Markdown::new(format!("Story {n}.")),
                observed_on: 1_700_000_000_000 + (n / 2) * 86_400_000,
                ratings: vec![(
                    Slug::parse("mentoring").expect("slug"),
                    cairn_domain::visibility::Rating::Strong,
                )],
            },
            2,
        )
        .await
        .expect("create")
        .expect("draft");
        observations::publish(&app.db.store, &org.id, &id, Privacy::Organization, 3)
            .await
            .expect("publish");
    }
    let mut bo_client = bo.client;
    let journey = format!("/fernhill/people/{}", bo.id.as_str());
    for start in ["/fernhill/observations", journey.as_str()] {
        let first = bo_client.get(start).await;
        assert_eq!(first.status, StatusCode::OK, "{start}");
        let one = card_ids(&first);
        assert_eq!(one.len(), 25, "{start}: a page of 25");
        let next = older_link(&first).expect("an older page");
        let second = bo_client.get(&next).await;
        assert_eq!(second.status, StatusCode::OK, "{start}: {next}");
        let two = card_ids(&second);
        assert_eq!(two.len(), 5, "{start}: the rest");
        assert_eq!(older_link(&second), None, "{start}: nothing older");
        let all: HashSet<_> = one.iter().chain(&two).collect();
        assert_eq!(all.len(), 30, "{start}: every observation once");
    }
    // A cursor cairn did not make is refused, not read as the first page.
    for bad in ["x", "123", "abc.def", "1.", "9.a%27b"] {
        let page = bo_client
            .get(&format!("/fernhill/observations?older={bad}"))
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // The API pages the same way: `next` in the body and a Link header.
    let first = bo_client.get("/api/v1/orgs/fernhill/observations").await;
    assert_eq!(first.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&first.body).expect("json");
    assert_eq!(body["observations"].as_array().map(Vec::len), Some(25));
    let next = body["next"].as_str().expect("next").to_owned();
    assert_eq!(first.header("link"), format!("<{next}>; rel=\"next\""));
    let second = bo_client.get(&next).await;
    let body: serde_json::Value = serde_json::from_str(&second.body).expect("json");
    assert_eq!(body["observations"].as_array().map(Vec::len), Some(5));
    assert!(body["next"].is_null());
    assert_eq!(second.header("link"), "");
    let bad = bo_client
        .get("/api/v1/orgs/fernhill/observations?older=nope")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.header("content-type")
            .starts_with("application/problem+json")
    );
}

#[tokio::test]
async fn the_people_list_is_paged_and_searchable() {
    let app = TestApp::with_demo().await;
    let mut admin = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    for n in 0..30 {
        app.join("fernhill", &format!("person-{n:02}"), Capabilities::NONE)
            .await;
    }
    let names = |page: &Page| page.texts("li.person > p > a > strong");
    let first = admin.get("/fernhill/people").await;
    assert_eq!(first.status, StatusCode::OK);
    let one = names(&first);
    assert_eq!(one.len(), 25);
    assert_eq!(one[0], "ada", "by name");
    let more = older_link(&first).expect("more people");
    let two = names(&admin.get(&more).await);
    assert_eq!(two.len(), 6, "31 in all");
    assert!(one.iter().all(|n| !two.contains(n)), "no one twice");

    // Search by name or email, any case.
    let found = admin.get("/fernhill/people?q=PERSON-07").await;
    assert_eq!(names(&found), vec!["person-07"]);
    let by_email = admin.get("/fernhill/people?q=ada%40example").await;
    assert_eq!(names(&by_email), vec!["ada"]);
    let none = admin.get("/fernhill/people?q=%25").await;
    assert_eq!(
        names(&none),
        Vec::<String>::new(),
        "% is a character, not a wildcard"
    );
    assert!(none.text().contains("Nobody matches"));
    let bad = admin.get("/fernhill/people?after=%2E%2E").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // The observation form offers a page of people and finds the others.
    // (the writer is not offered: ada is on the first page).
    let form = admin.get("/fernhill/observations/new").await;
    let offered = form.texts("fieldset.people label.check");
    assert_eq!(offered.len(), 24, "{offered:?}");
    assert!(!offered.contains(&"ada".to_owned()));
    assert!(form.text().contains("More people match"));
    let found = admin
        .get("/fernhill/observations/new?people=person-29")
        .await;
    assert_eq!(
        found.texts("fieldset.people label.check"),
        vec!["person-29"]
    );

    // A manager is named by email in the list's form.
    let list = admin.get("/fernhill/people?q=person-01").await;
    let id = list
        .links("li.person > p > a")
        .into_iter()
        .next()
        .map(|(href, _)| href.rsplit('/').next().unwrap_or_default().to_owned())
        .expect("person-01");
    let saved = admin
        .post(
            &format!("/fernhill/settings/members/{id}"),
            &[("manager", "person-02@example.com")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let list = admin.get("/fernhill/people?q=person-01").await;
    assert!(list.text().contains("Reports to person-02"));
    let unknown = admin
        .post(
            &format!("/fernhill/settings/members/{id}"),
            &[("manager", "nobody@example.com")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .text()
            .contains("Choose a manager from this organization.")
    );
}

#[tokio::test]
async fn candidates_come_in_pages_with_everyone_decided_in_one_read() {
    use cairn_domain::Level;
    use cairn_domain::awards::AwardVisibility;
    use cairn_store::awards::{self, NewAward};
    let app = TestApp::with_demo().await;
    let org = app.org("fernhill").await;
    let lea = app
        .join(
            "fernhill",
            "lea",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    // Engineer I asks code-quality 1 and testing 1: 30 people hold both.
    for n in 0..30 {
        let who = app
            .join("fernhill", &format!("cand-{n:02}"), Capabilities::NONE)
            .await
            .id;
        for ability in ["code-quality", "testing"] {
            awards::award(
                &app.db.store,
                &org.id,
                &lea.id,
                &NewAward {
                    recipient: who.clone(),
                    ability: Slug::parse(ability).expect("slug"),
                    levels: vec![Level::ALL[0]],
                    note: String::new(),
                    visibility: AwardVisibility::Private,
                    evidence: vec![],
                },
                5,
            )
            .await
            .expect("award");
        }
    }
    let mut lea = lea.client;
    let path = "/fernhill/positions/engineer-1/candidates";
    let first = lea.get(path).await;
    assert_eq!(first.status, StatusCode::OK);
    let names = |p: &Page| p.texts("main ul li a");
    let one = names(&first);
    assert_eq!(one.len(), 25);
    let more = older_link(&first).expect("more candidates");
    let two = names(&lea.get(&more).await);
    assert_eq!(two.len(), 5);
    assert!(one.iter().all(|n| !two.contains(n)));
    // The fewest of three tries: a first request may open a connection.
    let mut fewest: Option<Vec<String>> = None;
    for _ in 0..3 {
        let (seen, page) = cairn_store::testing::statements::record(lea.get(path)).await;
        assert_eq!(page.status, StatusCode::OK);
        if fewest.as_ref().is_none_or(|f| seen.len() < f.len()) {
            fewest = Some(seen);
        }
    }
    let fewest = fewest.unwrap_or_default();
    // Session, organization, members, awards, what each holds.
    assert_eq!(
        fewest.len(),
        5,
        "candidates, whatever the members: {fewest:#?}"
    );
    let stale = lea.get(&format!("{path}?after=gone")).await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_items_history_comes_in_pages() {
    use cairn_store::framework::{self, Edit};
    let app = TestApp::with_demo().await;
    let org = app.org("fernhill").await;
    let ed = app
        .join(
            "fernhill",
            "ed",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;
    // 30 edits of one ability, and the import that made it: 31 changes.
    for n in 0..30 {
        let mut ability = framework::current(&app.db.store, &org.id)
            .await
            .expect("framework")
            .ability(&Slug::parse("mentoring").expect("slug"))
            .cloned()
            .expect("ability");
        ability.description = Markdown::new(format!("Edit {n}."));
        framework::apply(
            &app.db.store,
            &org.id,
            Edit::SaveAbility {
                ability,
                create: false,
            },
            &ed.id,
            10 + n,
        )
        .await
        .expect("apply")
        .expect("accepted");
    }
    let mut anon = app.anon();
    let first = anon.get("/fernhill/abilities/mentoring/history").await;
    assert_eq!(first.status, StatusCode::OK);
    let entries = |p: &Page| p.texts("main ol > li").len();
    assert_eq!(entries(&first), 25);
    let next = older_link(&first).expect("older changes");
    let second = anon.get(&next).await;
    assert_eq!(entries(&second), 6);
    assert_eq!(older_link(&second), None);

    let api = anon
        .get("/api/v1/orgs/fernhill/abilities/mentoring/history")
        .await;
    let body: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    assert_eq!(
        body["history"].as_array().map(Vec::len),
        Some(31),
        "100 a page"
    );
    assert!(body["next"].is_null());
    let bad = anon
        .get("/api/v1/orgs/fernhill/abilities/mentoring/history?older=zz")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

//! Published versions through the router: an editor sees what changed
//! since the latest version and publishes it with notes; everyone reads
//! the versions, their changes (raising the bar or editorial), any two
//! compared and the Atom feed; a stale form, an empty publish and a
//! missing note are refused and publish nothing.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::{DEMO, Page, TestApp};

fn read_at(page: &Page) -> String {
    let html = page.html();
    let input = scraper::Selector::parse("input[name=read_at]").expect("selector");
    html.select(&input)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("the publish form")
        .to_owned()
}

#[tokio::test]
async fn editors_publish_versions_with_notes_and_everyone_reads_what_changed() {
    let app = TestApp::with_demo().await;
    let mut editor = app
        .member(
            "fernhill",
            "eddie@example.com",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;
    let mut member = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;

    let page = editor.get("/fernhill/changes").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("#draft"), ["Not published yet"]);
    assert!(
        page.text()
            .contains("ability code-quality added: Code Quality")
    );
    assert!(
        member
            .get("/fernhill/changes")
            .await
            .texts("#draft")
            .is_empty(),
        "editors only"
    );

    let at = read_at(&page);
    let no_notes = editor
        .post(
            "/fernhill/changes",
            &[("after", "0"), ("read_at", &at), ("notes", " ")],
        )
        .await;
    assert_eq!(no_notes.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v1 = editor
        .post(
            "/fernhill/changes",
            &[
                ("after", "0"),
                ("read_at", &at),
                ("notes", "The first framework."),
            ],
        )
        .await;
    assert_eq!(v1.status, StatusCode::SEE_OTHER, "{}", v1.text());

    // A requirement raised: shown as raising the bar, then published.
    app.import(&DEMO.replacen(
        "requires: { code-quality: 2, testing: 2 }",
        "requires: { code-quality: 3, testing: 2 }",
        1,
    ))
    .await;
    let page = editor.get("/fernhill/changes").await;
    assert_eq!(page.texts("#draft"), ["Since v1"]);
    let raised = "Raises the bar: position engineer-2 requires code-quality milestone 3 (was 2)";
    assert!(
        page.texts(".changes li").contains(&raised.to_owned()),
        "{:?}",
        page.texts(".changes li")
    );
    let at = read_at(&page);
    let stale = editor
        .post(
            "/fernhill/changes",
            &[("after", "0"), ("read_at", &at), ("notes", "again")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("Already published as v1"));
    let old_page = editor
        .post(
            "/fernhill/changes",
            &[
                ("after", "1"),
                ("read_at", "1"),
                ("notes", "from an old page"),
            ],
        )
        .await;
    assert_eq!(
        old_page.status,
        StatusCode::CONFLICT,
        "the framework moved since that page"
    );
    let v2 = editor
        .post(
            "/fernhill/changes",
            &[
                ("after", "1"),
                ("read_at", &at),
                ("notes", "Engineers II write better code."),
            ],
        )
        .await;
    assert_eq!(v2.status, StatusCode::SEE_OTHER, "{}", v2.text());
    let after_v2 = editor.get("/fernhill/changes").await;
    assert!(
        after_v2.text().contains("Nothing changed since v2."),
        "no form then"
    );
    let empty = editor
        .post(
            "/fernhill/changes",
            &[("after", "2"), ("read_at", &at), ("notes", "nothing")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().contains("Nothing changed since v2"));

    // The public reads the versions and their changes; any two compared.
    let public = app.get("/fernhill/changes").await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.texts("section h2"), ["v2", "v1"]);
    assert!(public.text().contains("Engineers II write better code."));
    assert!(public.texts(".changes li").contains(&raised.to_owned()));
    let compare = app.get("/fernhill/changes/1...2").await;
    assert_eq!(compare.texts(".changes li"), [raised]);
    assert_eq!(
        app.get("/fernhill/changes/1...latest")
            .await
            .texts(".changes li"),
        [raised]
    );
    assert_eq!(
        app.get("/fernhill/changes/1...9").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/fernhill/changes/nonsense").await.status,
        StatusCode::NOT_FOUND
    );
    // An award remembers the version it was awarded under.
    let store = &app.db.store;
    let org = app.org("fernhill").await;
    let email = cairn_domain::people::Email::parse("mia@example.com").expect("email");
    let (mia, _) = cairn_store::people::by_email(store, &email)
        .await
        .expect("read")
        .expect("mia");
    let (lead, _) = cairn_store::people::by_email(
        store,
        &cairn_domain::people::Email::parse("eddie@example.com").expect("email"),
    )
    .await
    .expect("read")
    .expect("eddie");
    cairn_store::awards::award(
        store,
        &org.id,
        &lead.id,
        &cairn_store::awards::NewAward {
            recipient: mia.id.clone(),
            ability: cairn_domain::Slug::parse("mentoring").expect("slug"),
            levels: vec![cairn_domain::Level::ALL[0]],
            note: String::new(),
            visibility: cairn_domain::awards::AwardVisibility::Organization,
            evidence: vec![],
        },
        1_800_000_000_000,
    )
    .await
    .expect("award");
    let journey = member
        .get(&format!("/fernhill/people/{}", mia.id.as_str()))
        .await;
    assert!(
        journey.text().contains("awarded under v2"),
        "{}",
        journey.text()
    );
    assert!(!journey.text().contains("the milestone changed since"));
    // v3 rewords that milestone: the journey says so, and nothing is revoked.
    app.import(
        &DEMO
            .replacen(
                "requires: { code-quality: 2, testing: 2 }",
                "requires: { code-quality: 3, testing: 2 }",
                1,
            )
            .replacen(
                "Shares what they know when asked.",
                "Shares what they know, asked or not.",
                1,
            ),
    )
    .await;
    let page = editor.get("/fernhill/changes").await;
    let at = read_at(&page);
    let v3 = editor
        .post(
            "/fernhill/changes",
            &[
                ("after", "2"),
                ("read_at", &at),
                ("notes", "Mentoring, reworded."),
            ],
        )
        .await;
    assert_eq!(v3.status, StatusCode::SEE_OTHER, "{}", v3.text());
    let journey = member
        .get(&format!("/fernhill/people/{}", mia.id.as_str()))
        .await;
    assert!(
        journey.text().contains("the milestone changed since"),
        "{}",
        journey.text()
    );
    assert!(
        journey
            .links("a")
            .iter()
            .any(|(href, _)| href == "/fernhill/changes/2...latest")
    );
    assert!(
        journey.text().contains("Mentoring: milestone 1"),
        "still held: nothing is revoked"
    );
    let feed = app.get("/fernhill/changes.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.header("content-type")
            .starts_with("application/atom+xml")
    );
    let body = feed.body.clone();
    assert!(
        body.contains("<title>v2</title>") && body.contains("<title>v1</title>"),
        "{body}"
    );
    assert!(
        body.contains("Raises the bar: position engineer-2"),
        "{body}"
    );
}

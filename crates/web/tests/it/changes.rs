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

fn value_of(page: &Page, selector: &str) -> String {
    let html = page.html();
    let s = scraper::Selector::parse(selector).expect("selector");
    html.select(&s)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("{selector} in {}", page.text()))
        .to_owned()
}

const RENAME: &str = "/fernhill/abilities/code-quality/edit";

fn renamed(name: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", name),
        ("category", "Craft"),
        ("description", "Renamed."),
    ]
}

#[tokio::test]
async fn an_organization_that_drafts_shows_readers_the_published_version_until_an_editor_publishes()
{
    let app = TestApp::with_demo().await;
    let caps = |c: &[Capability]| Capabilities::of(c);
    let mut admin = app
        .member("fernhill", "ada@example.com", caps(&[Capability::Admin]))
        .await;
    let mut editor = app
        .member(
            "fernhill",
            "eddie@example.com",
            caps(&[Capability::FrameworkEditor]),
        )
        .await;
    let mut member = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    let mut anon = app.anon();
    let ability = "/fernhill/abilities/code-quality";

    // An existing organization publishes every save, as before versions.
    let settings = admin.get("/fernhill/changes").await;
    assert_eq!(
        value_of(&settings, "input[name=publishing][checked]"),
        "every_save"
    );
    let saved = editor.post(RENAME, &renamed("Code Craft")).await;
    assert_eq!(saved.location(), ability, "{}", saved.text());
    assert!(anon.get(ability).await.text().contains("Code Craft"));

    // Only admins choose; then saves go into the draft.
    assert_eq!(
        editor
            .post("/fernhill/settings/publishing", &[("publishing", "drafts")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad = admin
        .post(
            "/fernhill/settings/publishing",
            &[("publishing", "sometimes")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let chose = admin
        .post("/fernhill/settings/publishing", &[("publishing", "drafts")])
        .await;
    assert_eq!(chose.status, StatusCode::SEE_OTHER, "{}", chose.text());
    let saved = editor.post(RENAME, &renamed("Code Care")).await;
    assert_eq!(saved.location(), "/fernhill/changes#draft");
    for page in [anon.get(ability).await, member.get(ability).await] {
        assert!(
            page.text().contains("Code Craft"),
            "readers keep what was published"
        );
        assert!(!page.text().contains("Code Care"));
    }
    assert_eq!(
        value_of(&editor.get(RENAME).await, "input[name=name]"),
        "Code Care",
        "editors edit the draft"
    );
    let changes = editor.get("/fernhill/changes").await;
    assert_eq!(changes.texts("#draft"), ["Draft"]);
    assert!(
        changes
            .text()
            .contains("ability code-quality renamed from \u{201c}Code Craft\u{201d} to \u{201c}Code Care\u{201d}"),
        "{}",
        changes.text()
    );
    // Members read the draft only when the organization says so; nobody
    // outside ever does.
    assert!(
        member
            .get("/fernhill/changes")
            .await
            .texts("#draft")
            .is_empty()
    );
    admin
        .post(
            "/fernhill/settings/publishing",
            &[("publishing", "drafts"), ("draft_visible", "on")],
        )
        .await;
    let read = member.get("/fernhill/changes").await;
    assert_eq!(read.texts("#draft"), ["Draft"]);
    assert!(read.text().contains("Code Care"));
    assert!(
        read.texts("textarea[name=notes]").is_empty(),
        "reading, not publishing"
    );
    assert!(
        !anon
            .get("/fernhill/changes")
            .await
            .text()
            .contains("Code Care")
    );

    // A draft waits: going back to every save is refused.
    let refused = admin
        .post(
            "/fernhill/settings/publishing",
            &[("publishing", "every_save")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("A draft is waiting"));

    // Publishing: a stale revision is refused; the one read publishes.
    let revision = value_of(&changes, "input[name=revision]");
    let at = read_at(&changes);
    let stale_revision = (revision.parse::<i64>().expect("number") + 5).to_string();
    let stale = editor
        .post(
            "/fernhill/changes",
            &[
                ("after", "0"),
                ("read_at", &at),
                ("revision", &stale_revision),
                ("notes", "Renamed."),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(anon.get(ability).await.text().contains("Code Craft"));
    let published = editor
        .post(
            "/fernhill/changes",
            &[
                ("after", "0"),
                ("read_at", &at),
                ("revision", &revision),
                ("notes", "Renamed."),
            ],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    assert!(anon.get(ability).await.text().contains("Code Care"));
    let after = editor.get("/fernhill/changes").await;
    assert!(after.text().contains("No draft"), "{}", after.text());
    assert!(
        anon.get("/fernhill/changes")
            .await
            .texts("h2")
            .contains(&"v1".to_owned())
    );
    let history = editor.get(&format!("{ability}/history")).await;
    assert!(
        history.text().contains("published in v1"),
        "{}",
        history.text()
    );

    // No draft now: every save again.
    let back = admin
        .post(
            "/fernhill/settings/publishing",
            &[("publishing", "every_save")],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    editor.post(RENAME, &renamed("Code Quality")).await;
    assert!(anon.get(ability).await.text().contains("Code Quality"));
}

#[tokio::test]
async fn the_licence_is_chosen_by_admins_and_shown_on_public_pages_and_exports() {
    let app = TestApp::with_demo().await;
    let mut admin = app
        .member(
            "fernhill",
            "ada@example.com",
            Capabilities::of(&[Capability::Admin]),
        )
        .await;
    let mut anon = app.anon();
    assert_eq!(
        anon.get("/fernhill").await.texts("footer .licence"),
        ["Fernhill's framework: CC BY 4.0"],
        "the demo's file chooses CC BY"
    );
    let bad = admin
        .post(
            "/fernhill/settings/publishing",
            &[("publishing", "every_save"), ("licence", "MIT")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = admin
        .post(
            "/fernhill/settings/publishing",
            &[("publishing", "every_save"), ("licence", "CC-BY-SA-4.0")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text());
    let page = anon.get("/fernhill/abilities/code-quality").await;
    assert_eq!(
        page.links("footer a[rel=license]"),
        [(
            "https://creativecommons.org/licenses/by-sa/4.0/".to_owned(),
            "CC BY-SA 4.0".to_owned()
        )]
    );
    let file = anon.get("/api/v1/orgs/fernhill/framework").await;
    assert!(
        file.body.contains("\"licence\": \"CC-BY-SA-4.0\""),
        "{}",
        file.body
    );
}

#[tokio::test]
async fn the_api_lists_versions_serves_each_file_and_compares_any_two() {
    let app = TestApp::with_demo().await;
    let mut editor = app
        .member(
            "fernhill",
            "eddie@example.com",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;
    let mut anon = app.anon();
    for (n, notes) in [(0, "First."), (1, "Raised a requirement.")] {
        if n == 1 {
            app.import(&DEMO.replacen(
                "requires: { code-quality: 2, testing: 2 }",
                "requires: { code-quality: 3, testing: 2 }",
                1,
            ))
            .await;
        }
        let page = editor.get("/fernhill/changes").await;
        let at = read_at(&page);
        let after = n.to_string();
        let done = editor
            .post(
                "/fernhill/changes",
                &[("after", &after), ("read_at", &at), ("notes", notes)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    }
    let json = |page: &Page| -> serde_json::Value {
        serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{e}: {}", page.body))
    };
    let list = json(&anon.get("/api/v1/orgs/fernhill/versions").await);
    let numbers: Vec<i64> = list["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["number"].as_i64().expect("number"))
        .collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(list["versions"][0]["notes"], "Raised a requirement.");
    assert_eq!(list["versions"][0]["published_by"], "eddie");
    assert!(list["next"].is_null());
    let older = json(&anon.get("/api/v1/orgs/fernhill/versions?before=2").await);
    assert_eq!(older["versions"].as_array().map(Vec::len), Some(1));
    let bad = anon.get("/api/v1/orgs/fernhill/versions?before=x").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let v1 = anon.get("/api/v1/orgs/fernhill/versions/1").await;
    let parsed = cairn_domain::file::read(&v1.body).expect("a framework file");
    assert_eq!(parsed.version, Some(1));
    assert!(v1.body.contains("\"code-quality\": 2"));
    let latest =
        cairn_domain::file::read(&anon.get("/api/v1/orgs/fernhill/versions/latest").await.body)
            .expect("a framework file");
    assert_eq!(latest.version, Some(2));

    let diff = json(&anon.get("/api/v1/orgs/fernhill/changes/1/2").await);
    assert_eq!(diff["raises_the_bar"], true);
    assert_eq!(
        diff["changes"],
        serde_json::json!([{
            "kind": "requirement_raised",
            "weight": "raises_the_bar",
            "text": "position engineer-2 requires code-quality milestone 3 (was 2)",
        }])
    );
    let back = json(&anon.get("/api/v1/orgs/fernhill/changes/2/1").await);
    assert_eq!(back["raises_the_bar"], false);
    assert_eq!(back["changes"][0]["kind"], "requirement_lowered");
    for missing in [
        "/api/v1/orgs/fernhill/versions/3",
        "/api/v1/orgs/fernhill/changes/1/3",
    ] {
        let page = anon.get(missing).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(page.header("content-type"), "application/problem+json");
    }
}

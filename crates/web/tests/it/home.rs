//! The home page: what cairn is, "Try the demo", published frameworks.

use axum::http::StatusCode;
use cairn_domain::membership::Capabilities;

use crate::support::TestApp;

#[tokio::test]
async fn home_lists_published_frameworks_with_their_sizes_and_categories() {
    let empty = TestApp::new().await;
    let page = empty.get("/").await;
    assert!(
        page.text()
            .contains("No organization has published its framework yet.")
    );
    // The picture is drawn from the built-in demo, on every instance.
    assert_eq!(page.texts("figure.radial svg g.wedge").len(), 8);
    assert!(
        page.text()
            .contains("Milestone 1 (adds 1 mile to your journey)")
    );
    let app = TestApp::with_demo().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.links("#published a"),
        vec![("/fernhill".to_owned(), "Fernhill".to_owned())]
    );
    assert_eq!(
        page.texts("#published li .muted"),
        ["8 abilities in Collaboration, Craft, Operations"]
    );
    // A page number that is not one is the first page.
    for path in ["/?page=x", "/?page=-3", "/?page=99999999999999999999"] {
        let again = app.get(path).await;
        assert_eq!(again.status, StatusCode::OK, "{path}");
        assert_eq!(again.links("#published a").len(), 1, "{path}");
    }
    assert!(app.get("/?page=1").await.links("#published a").is_empty());
}

/// "Try the demo" exists only on a `--demo` instance, and there signs the
/// visitor in as the demo member and opens her journey.
#[tokio::test]
async fn try_the_demo_signs_in_as_a_demo_member_only_on_a_demo_instance() {
    let plain = TestApp::with_demo().await;
    assert!(
        plain
            .get("/")
            .await
            .texts("form[action='/demo'] button")
            .is_empty()
    );
    assert_eq!(
        plain.anon().post("/demo", &[]).await.status,
        StatusCode::NOT_FOUND
    );

    let app = TestApp::demo_instance().await;
    assert_eq!(
        app.get("/").await.texts("form[action='/demo'] button"),
        ["Try the demo"]
    );
    let mut visitor = app.anon();
    let signed = visitor.post("/demo", &[]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let email = cairn_domain::people::Email::parse(cairn_store::demo::TRY_AS).expect("email");
    let (priya, _) = cairn_store::people::by_email(&app.db.store, &email)
        .await
        .expect("read")
        .expect("the demo member");
    assert_eq!(
        signed.location(),
        format!("/fernhill/people/{}", priya.id.as_str())
    );
    let journey = visitor.get(signed.location()).await;
    assert_eq!(journey.status, StatusCode::OK);
    assert_eq!(journey.texts("h1"), ["Your journey"]);
    // Her demo awards: Code Quality 2, Testing 1, Incident Response 2,
    // Observability 1 = 3 + 1 + 3 + 1 miles.
    assert_eq!(journey.texts(".totals .big"), ["8 miles"]);
    // Without miles bands, the bar measures the next position's miles.
    assert_eq!(
        journey.texts(".band"),
        ["Next, Senior Engineer asks for 30 miles; you have 8."]
    );
    assert!(
        journey
            .body
            .contains(r#"<meter min="0" max="30" value="8""#)
    );
    // And the header leads back to it from anywhere.
    let elsewhere = visitor.get("/fernhill/abilities/mentoring").await;
    assert!(
        elsewhere
            .links("header.site a")
            .contains(&(signed.location().to_owned(), "My journey".to_owned()))
    );
    // Opening the button's address leads home.
    let opened = visitor.get("/demo").await;
    assert_eq!(
        (opened.status, opened.location()),
        (StatusCode::SEE_OTHER, "/")
    );
}

#[tokio::test]
async fn the_header_offers_a_switch_only_to_members_of_several_organizations() {
    let app = TestApp::with_demo().await;
    let mut one = app
        .member("fernhill", "one@example.com", Capabilities::NONE)
        .await;
    let page = one.get("/fernhill").await;
    assert!(
        !page
            .links("header.site a")
            .iter()
            .any(|(_, t)| t == "Switch organization")
    );
    let crate::support::Member {
        client: mut two,
        id: two_id,
    } = app.join("fernhill", "two", Capabilities::NONE).await;
    let acme = cairn_domain::OrgSlug::parse("acme").expect("slug");
    cairn_store::orgs::create(
        &app.db.store,
        &acme,
        &cairn_domain::Name::parse("Acme", "n").expect("name"),
        &two_id,
        1,
    )
    .await
    .expect("org");
    let page = two.get("/fernhill").await;
    assert!(
        page.links("header.site a")
            .contains(&("/#mine".to_owned(), "Switch organization".to_owned())),
        "{:?}",
        page.links("header.site a")
    );
    let home = two.get("/").await;
    let mine: Vec<String> = home
        .links("#mine ~ ul a")
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    assert_eq!(mine.len(), 2, "{mine:?}");
}

/// The inbox: the header counts what is unread; opening one marks it read
/// and goes where it happened; someone else's is not there.
#[tokio::test]
async fn the_inbox_tells_the_observed_and_counts_what_is_unread() {
    let app = TestApp::with_demo().await;
    let mut olive = app
        .member("fernhill", "olive@example.com", Capabilities::NONE)
        .await;
    let crate::support::Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", Capabilities::NONE).await;
    let mut eve = app.join("fernhill", "eve", Capabilities::NONE).await.client;
    assert_eq!(
        ana.get("/notifications").await.texts(".lede"),
        ["Nothing unread."]
    );
    let published = olive
        .post(
            "/fernhill/observations/new",
            &[
                ("observee", ana_id.as_str()),
                ("observed_on", "2024-02-03"),
                ("story", "Ana fixed the flaky test."),
                ("privacy", "observees"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let page = ana.get("/fernhill").await;
    assert_eq!(page.texts("header.site .bell"), ["Notifications 1 unread"]);
    let inbox = ana.get("/notifications").await;
    assert_eq!(
        inbox.texts("ul.inbox li.unread button"),
        ["olive wrote an observation of you"]
    );
    let form = inbox
        .html()
        .select(&scraper::Selector::parse("ul.inbox form").expect("sel"))
        .next()
        .and_then(|f| f.value().attr("action").map(str::to_owned))
        .expect("open form");
    assert_eq!(
        eve.post(&form, &[]).await.status,
        StatusCode::NOT_FOUND,
        "not hers"
    );
    assert!(
        eve.get("/notifications")
            .await
            .texts("ul.inbox li")
            .is_empty(),
        "eve may not read it: not told"
    );
    let opened = ana.post(&form, &[]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), published.location());
    assert_eq!(ana.get(opened.location()).await.status, StatusCode::OK);
    assert_eq!(
        ana.get("/fernhill").await.texts("header.site .bell"),
        ["Notifications"]
    );
    assert_eq!(
        ana.post("/notifications/read", &[]).await.location(),
        "/notifications"
    );
}

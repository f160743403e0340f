//! Forks through the router: "Use this framework" on a published framework
//! whose licence allows it copies it into an empty organization of the
//! visitor's as a draft, with its lineage and attribution; the fork's
//! editors see what the upstream changed since and pull it item by item;
//! every refusal (licence, a framework already there, a fork of a gone
//! upstream, a stale page, a pull that would break references) changes
//! nothing.

use axum::http::StatusCode;
use cairn_domain::licence::Licence;
use cairn_domain::{Name, OrgSlug};
use cairn_store::framework;

use crate::support::{Client, DEMO, Page, TestApp};

/// An empty organization `slug` owned by a new person, signed in.
async fn owner_of<'a>(app: &'a TestApp, slug: &str, email: &str) -> Client<'a> {
    let person = app.person(email).await;
    cairn_store::orgs::create(
        &app.db.store,
        &OrgSlug::parse(slug).expect("slug"),
        &Name::parse(slug, "n").expect("name"),
        &person.id,
        1,
    )
    .await
    .expect("org");
    app.signed_in(&person).await
}

fn value_of(page: &Page, selector: &str) -> Vec<String> {
    let html = page.html();
    let s = scraper::Selector::parse(selector).expect("selector");
    html.select(&s)
        .filter_map(|e| e.value().attr("value"))
        .map(str::to_owned)
        .collect()
}

/// The pull form for `label` on the upstream page: (subject, seen).
fn pull_form(page: &Page, label: &str) -> (String, String) {
    let html = page.html();
    let section = scraper::Selector::parse("section.card").expect("selector");
    let h3 = scraper::Selector::parse("h3").expect("selector");
    let input = scraper::Selector::parse("input").expect("selector");
    for s in html.select(&section) {
        if s.select(&h3).any(|h| h.text().collect::<String>() == label) {
            let mut subject = String::new();
            let mut seen = String::new();
            for i in s.select(&input) {
                match i.value().attr("name") {
                    Some("subject") => subject = i.value().attr("value").unwrap_or("").into(),
                    Some("seen") => seen = i.value().attr("value").unwrap_or("").into(),
                    _ => {}
                }
            }
            return (subject, seen);
        }
    }
    panic!(
        "no pull form for {label}: {:?}",
        page.texts("section.card h3")
    )
}

async fn draft_of(app: &TestApp, slug: &str) -> Option<cairn_domain::Framework> {
    let org = app.org(slug).await;
    framework::draft(&app.db.store, &org)
        .await
        .expect("draft")
        .map(|d| d.framework)
}

const OLD_SUMMARY: &str = "Writes working code for well-defined tasks with guidance.";
const NEW_SUMMARY: &str = "Writes working, tested code for well-defined tasks, with guidance.";

#[tokio::test]
async fn a_framework_is_forked_with_lineage_and_attribution_and_its_upstream_changes_pulled() {
    let app = TestApp::with_demo().await;
    let mut ada = owner_of(&app, "acme", "ada@example.com").await;

    // The public page offers it to everyone: it is CC BY.
    let public = app.get("/fernhill").await;
    assert_eq!(
        public.links("p.fork a"),
        [("/fernhill/fork".to_owned(), "Use this framework".to_owned())]
    );
    let mut anon = app.anon();
    assert_eq!(
        anon.get("/fernhill/fork").await.status,
        StatusCode::SEE_OTHER
    );

    let form = ada.get("/fernhill/fork").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(value_of(&form, "input[name=into]"), ["acme", "new"]);
    assert!(form.text().contains("Adapted from Fernhill's framework"));

    let forked = ada.post("/fernhill/fork", &[("into", "acme")]).await;
    assert_eq!(forked.status, StatusCode::SEE_OTHER, "{}", forked.text());
    assert_eq!(forked.location(), "/acme/upstream?forked=1");

    // The copy is acme's draft: readers of acme see nothing yet.
    let acme = app.org("acme").await;
    assert_eq!(
        acme.publishing,
        cairn_domain::publishing::Publishing::Drafts
    );
    assert_eq!(
        acme.org.licence,
        Licence::None,
        "CC BY lets the fork choose"
    );
    let draft = draft_of(&app, "acme").await.expect("a draft");
    let fernhill = cairn_domain::file::parse(DEMO).expect("demo");
    assert_eq!(draft.abilities, fernhill.abilities);
    assert_eq!(draft.organization.slug.as_str(), "acme");
    assert!(
        framework::load(&app.db.store, &acme)
            .await
            .expect("load")
            .abilities
            .is_empty()
    );
    // Every page of the fork carries the attribution.
    let upstream = ada.get("/acme/upstream?forked=1").await;
    assert_eq!(upstream.status, StatusCode::OK);
    assert_eq!(upstream.texts("h1"), ["Forked from Fernhill"]);
    assert!(
        upstream.texts("footer .attribution")[0].starts_with("Adapted from Fernhill's framework"),
        "{:?}",
        upstream.texts("footer")
    );
    assert_eq!(
        upstream.texts("ol.lineage li"),
        ["Fernhill before its first numbered version", "acme"]
    );
    assert!(upstream.texts("section.card").is_empty(), "nothing pending");
    // Its files carry the attribution, and an import of a file without
    // one (an older export) never clears it.
    let file = ada.get("/api/v1/orgs/acme/framework").await;
    assert!(
        file.body
            .contains("\"attribution\": \"Adapted from Fernhill's framework"),
        "{}",
        file.body
    );
    app.import("format: cairn/1\norganization: { slug: acme, name: acme }\n")
        .await;
    assert!(
        app.org("acme")
            .await
            .org
            .attribution
            .starts_with("Adapted from Fernhill's framework")
    );
    assert!(
        ada.get("/acme/changes")
            .await
            .text()
            .contains("Forked from Fernhill")
    );
    // Forking again into the same organization: it has a draft now.
    let again = ada.post("/fernhill/fork", &[("into", "acme")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The upstream changes a milestone, adds an ability and requires it,
    // and publishes v1.
    let changed = DEMO.replace(OLD_SUMMARY, NEW_SUMMARY).replace(
        "requires: { code-quality: 1, testing: 1 }",
        "requires: { code-quality: 1, testing: 1, pairing: 1 }",
    );
    let changed = changed.replace(
        "abilities:\n",
        "abilities:\n  - slug: pairing\n    name: Pairing\n    category: Craft\n    description: Working with someone at one keyboard.\n    milestones: [{ summary: Pairs when asked. }, {}, {}, {}, {}]\n",
    );
    app.import(&changed).await;
    assert_eq!(app.publish("fernhill", 5).await, 1);

    let news = ada.get("/acme/upstream").await;
    assert_eq!(news.texts("p.news strong"), ["Fernhill published v1."]);
    let pending = news.texts("section.card h3");
    assert_eq!(pending, ["Pairing", "Code Quality", "Software Engineer"]);

    // The role needs the ability the fork lacks: refused, nothing written.
    let (subject, seen) = pull_form(&news, "Software Engineer");
    let broken = ada
        .post(
            "/acme/upstream/pull",
            &[("subject", &subject), ("seen", &seen)],
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.text().contains("would leave the framework broken"));
    assert_eq!(draft_of(&app, "acme").await.expect("draft"), draft);

    // A stale page: refused.
    let (subject, _) = pull_form(&news, "Code Quality");
    let stale = ada
        .post(
            "/acme/upstream/pull",
            &[("subject", &subject), ("seen", "not what was shown")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    for label in ["Code Quality", "Pairing", "Software Engineer"] {
        let page = ada.get("/acme/upstream").await;
        let (subject, seen) = pull_form(&page, label);
        let pulled = ada
            .post(
                "/acme/upstream/pull",
                &[("subject", &subject), ("seen", &seen)],
            )
            .await;
        assert_eq!(
            pulled.status,
            StatusCode::SEE_OTHER,
            "{label}: {}",
            pulled.text()
        );
        assert_eq!(pulled.location(), "/acme/upstream?pulled=draft");
    }
    let draft = draft_of(&app, "acme").await.expect("draft");
    let code = draft
        .abilities
        .iter()
        .find(|a| a.slug.as_str() == "code-quality")
        .expect("code quality");
    assert_eq!(code.milestones[0].summary.as_str(), NEW_SUMMARY);
    assert!(draft.abilities.iter().any(|a| a.slug.as_str() == "pairing"));
    let done = ada.get("/acme/upstream").await;
    assert!(done.texts("section.card").is_empty());
    assert!(
        done.text()
            .contains("your framework has everything Fernhill has published")
    );
    let fork = framework::fork::get(&app.db.store, &acme.id)
        .await
        .expect("read")
        .expect("a fork");
    assert_eq!(fork.upstream_version, 1, "everything of v1 is taken");

    // Pulling what is pulled already: refused.
    let (subject, seen) = pull_form(&news, "Code Quality");
    let twice = ada
        .post(
            "/acme/upstream/pull",
            &[("subject", &subject), ("seen", &seen)],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn forks_are_refused_by_licence_and_lineage_lists_every_ancestor() {
    let app = TestApp::with_demo().await;
    let fernhill = app.org("fernhill").await;
    let mut ada = owner_of(&app, "acme", "ada@example.com").await;

    // All rights reserved: the page says why, a post changes nothing
    // (not even the new organization it asked for).
    framework::set_licence(&app.db.store, &fernhill.id, Licence::None, 2)
        .await
        .expect("licence")
        .expect("set");
    assert!(app.get("/fernhill").await.links("p.fork a").is_empty());
    let page = ada.get("/fernhill/fork").await;
    assert!(
        page.texts("#refusal")[0]
            .contains("has not offered its framework under a licence that allows copying"),
        "{:?}",
        page.texts("main")
    );
    let refused = ada
        .post(
            "/fernhill/fork",
            &[("into", "new"), ("name", "Newco"), ("slug", "newco")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        cairn_store::orgs::by_slug(&app.db.store, &OrgSlug::parse("newco").expect("slug"))
            .await
            .expect("read")
            .is_none()
    );
    assert!(draft_of(&app, "acme").await.is_none());
    let adopt = ada
        .post("/acme/settings/framework/adopt", &[("from", "fernhill")])
        .await;
    assert_eq!(adopt.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(adopt.text().contains("allows copying"));

    // Share-alike: the fork keeps it, and cannot leave it.
    framework::set_licence(&app.db.store, &fernhill.id, Licence::CcBySa4, 3)
        .await
        .expect("licence")
        .expect("set");
    // Into a new organization, which the visitor then owns.
    let forked = ada
        .post(
            "/fernhill/fork",
            &[("into", "new"), ("name", "Newco"), ("slug", "newco")],
        )
        .await;
    assert_eq!(forked.status, StatusCode::SEE_OTHER, "{}", forked.text());
    let newco = app.org("newco").await;
    assert_eq!(newco.org.licence, Licence::CcBySa4);
    let leave = framework::set_licence(&app.db.store, &newco.id, Licence::None, 4)
        .await
        .expect("licence");
    assert!(leave.expect_err("share alike").contains("share alike"));
    // A visitor who edits nothing of theirs, or names an organization
    // they do not edit: refused.
    let mut outsider = app
        .member(
            "fernhill",
            "max@example.com",
            cairn_domain::membership::Capabilities::NONE,
        )
        .await;
    let other = outsider.post("/fernhill/fork", &[("into", "newco")]).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(other.text().contains("Choose one of your organizations"));

    // A fork of a fork: newco publishes its draft; bob forks newco.
    let draft = framework::draft(&app.db.store, &newco)
        .await
        .expect("read")
        .expect("draft");
    framework::publish_draft(
        &app.db.store,
        &newco.id,
        0,
        draft.revision,
        "first",
        None,
        6,
    )
    .await
    .expect("publish")
    .expect("published");
    let mut bob = owner_of(&app, "bobco", "bob@example.com").await;
    let forked = bob.post("/newco/fork", &[("into", "bobco")]).await;
    assert_eq!(forked.status, StatusCode::SEE_OTHER, "{}", forked.text());
    let lineage = bob.get("/bobco/upstream").await.texts("ol.lineage li");
    assert_eq!(
        lineage,
        [
            "Fernhill before its first numbered version",
            "Newco v1",
            "bobco"
        ]
    );

    // The upstream disappears (unpublished): the fork keeps what it has,
    // says so, and nothing can be pulled.
    cairn_store::orgs::set_published(&app.db.store, &newco.id, false, 7)
        .await
        .expect("unpublish");
    let gone = bob.get("/bobco/upstream").await;
    assert_eq!(gone.status, StatusCode::OK);
    assert!(
        gone.text()
            .contains("Newco's framework is no longer published here")
    );
    let pull = bob
        .post(
            "/bobco/upstream/pull",
            &[("subject", "ability:code-quality"), ("seen", "x")],
        )
        .await;
    assert_eq!(pull.status, StatusCode::CONFLICT);
    assert!(draft_of(&app, "bobco").await.is_some());
    // And an unpublished framework cannot be forked at all.
    assert_eq!(bob.get("/newco/fork").await.status, StatusCode::NOT_FOUND);
    // Not a fork: no upstream page.
    assert_eq!(
        app.get("/fernhill/upstream").await.status,
        StatusCode::NOT_FOUND
    );
}

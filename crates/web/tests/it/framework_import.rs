//! Starting a framework in the browser: a file uploaded (the CLI's checks,
//! `file:line:column` errors, nothing written on a problem) or a
//! published framework copied; and the empty organization's first steps.

use axum::http::StatusCode;
use cairn_domain::{Name, OrgSlug};

use crate::support::{DEMO, TestApp};

const SMALL: &str = "format: cairn/1
organization: { slug: elsewhere, name: Somewhere Else }
abilities:
  - slug: pairing
    name: Pairing
    category: Craft
    milestones: [{ summary: Pairs when asked. }, {}, {}, {}, {}]
";

/// An empty organization "acme" owned by ada, and ada signed in.
async fn empty_org(app: &TestApp) -> crate::support::Client<'_> {
    let ada = app.person("ada@example.com").await;
    cairn_store::orgs::create(
        &app.db.store,
        &OrgSlug::parse("acme").expect("slug"),
        &Name::parse("Acme", "n").expect("name"),
        &ada.id,
        1,
    )
    .await
    .expect("org");
    app.signed_in(&ada).await
}

#[tokio::test]
async fn an_empty_organization_shows_its_first_steps_to_those_who_can_take_them() {
    let app = TestApp::with_demo().await;
    let mut ada = empty_org(&app).await;
    let page = ada.get("/acme").await;
    let steps = page.texts("ol.steps li strong");
    assert_eq!(
        steps,
        [
            "Write down your framework.",
            "Invite colleagues",
            "Write the first observation"
        ]
    );
    assert_eq!(
        page.texts("#from option"),
        ["Fernhill (8 abilities, CC BY 4.0)"],
        "published frameworks to start from"
    );
    let anon = app.get("/acme").await;
    assert!(
        anon.texts("ol.steps").is_empty(),
        "nothing to do for a visitor"
    );
    // A framework in place: no checklist.
    assert!(ada.get("/fernhill").await.texts("ol.steps").is_empty());
}

#[tokio::test]
async fn a_framework_file_uploads_with_the_clis_checks_and_lands_in_this_organization() {
    let app = TestApp::with_demo().await;
    let mut ada = empty_org(&app).await;
    let path = "/acme/settings/framework/import";

    // A broken file: every problem at its line, nothing written.
    let broken = SMALL.replace("slug: pairing", "slug: Not A Slug");
    let refused = ada
        .post_multipart(path, &[("file:acme.yaml", broken.as_str())])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.texts(".form-errors li");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("acme.yaml:4:"), "{errors:?}");
    assert_eq!(refused.links(".form-errors a")[0].0, "#file");
    assert!(refused.texts("title")[0].starts_with("Error: "));
    assert!(ada.get("/acme").await.text().contains("No abilities yet."));
    // No file at all.
    let none = ada.post_multipart(path, &[("file:", "")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text().contains("Choose a framework file"));

    // A good one: here, whatever its organization says.
    let ok = ada.post_multipart(path, &[("file:acme.yaml", SMALL)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/acme/settings/framework?saved=1");
    let org = ada.get("/acme").await;
    assert_eq!(org.texts("h1"), ["Acme"], "its name stays");
    assert!(
        org.links("ul.cards a")
            .contains(&("/acme/abilities/pairing".to_owned(), "Pairing".to_owned()))
    );
    assert_eq!(app.get("/elsewhere").await.status, StatusCode::NOT_FOUND);
    let history = ada.get("/acme/abilities/pairing/history").await;
    assert!(history.text().contains("by ada"), "{}", history.text());

    // Replacing one with items asks for a ticked confirmation.
    let again = ada.post_multipart(path, &[("file:acme.yaml", DEMO)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("Tick the box to confirm"));
    assert_eq!(again.links(".form-errors a")[0].0, "#confirm");
    let replaced = ada
        .post_multipart(path, &[("file:fernhill.yaml", DEMO), ("confirm", "on")])
        .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER);
    let org = ada.get("/acme").await;
    assert_eq!(
        org.links("ul.cards a[href^='/acme/abilities/']").len(),
        8,
        "{:?}",
        org.links("ul.cards a")
    );
    assert_eq!(
        ada.get("/acme/abilities/pairing").await.status,
        StatusCode::NOT_FOUND,
        "archived"
    );
}

#[tokio::test]
async fn a_published_framework_is_copied_into_an_empty_organization() {
    let app = TestApp::with_demo().await;
    let mut ada = empty_org(&app).await;
    let path = "/acme/settings/framework/adopt";
    for (from, why) in [("acme", "itself"), ("nowhere", "unknown"), ("", "none")] {
        let refused = ada.post(path, &[("from", from)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        assert!(
            refused
                .text()
                .contains("Choose one of the published frameworks."),
            "{why}"
        );
    }
    // Unpublished frameworks are not there to copy.
    let fernhill = app.org("fernhill").await;
    cairn_store::orgs::set_published(&app.db.store, &fernhill.id, false, 2)
        .await
        .expect("unpublish");
    assert_eq!(
        ada.post(path, &[("from", "fernhill")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    cairn_store::orgs::set_published(&app.db.store, &fernhill.id, true, 3)
        .await
        .expect("publish");
    let copied = ada.post(path, &[("from", "fernhill")]).await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER);
    assert_eq!(copied.location(), "/acme/upstream?forked=1");
    // A fork: the copy is the draft, read until it is published.
    assert_eq!(
        ada.get("/acme/abilities/incident-response").await.status,
        StatusCode::NOT_FOUND
    );
    let acme = app.org("acme").await;
    let draft = cairn_store::framework::draft(&app.db.store, &acme)
        .await
        .expect("read")
        .expect("the copy is a draft");
    cairn_store::framework::publish_draft(
        &app.db.store,
        &acme.id,
        0,
        draft.revision,
        "v1",
        None,
        4,
    )
    .await
    .expect("publish")
    .expect("published");
    let page = ada.get("/acme/abilities/incident-response").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Incident Response"]);
    assert_eq!(ada.get("/acme").await.texts("h1"), ["Acme"]);
    // The original is untouched and the copy is its own.
    assert_eq!(app.get("/fernhill").await.texts("h1"), ["Fernhill"]);
}

/// OpenSALT's sample framework (MIT, `crates/cli/tests/standards/README.md`).
const OPENSALT: &str =
    include_str!("../../../cli/tests/standards/opensalt/what-standards-could-be.json");

#[tokio::test]
async fn a_case_package_uploads_and_the_report_accounts_for_every_item() {
    let app = TestApp::with_demo().await;
    let mut ada = empty_org(&app).await;
    let path = "/acme/settings/framework/import";

    // A broken package: the problem at the item's line, nothing written.
    let broken = OPENSALT.replacen("\"CFItems\"", "\"CFItems\": 7, \"x\"", 1);
    let refused = ada
        .post_multipart(path, &[("file:wscb.json", broken.as_str())])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.texts(".form-errors li");
    assert!(errors[0].starts_with("wscb.json:"), "{errors:?}");
    assert!(ada.get("/acme").await.text().contains("No abilities yet."));

    let ok = ada
        .post_multipart(path, &[("file:wscb.json", OPENSALT)])
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.texts("h1"), ["Imported from CASE"]);
    let items: serde_json::Value = serde_json::from_str(OPENSALT).expect("json");
    let ids: Vec<&str> = items["CFItems"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["identifier"].as_str())
        .collect();
    let lines = ok.texts("main ul.plain li");
    assert_eq!(lines.len(), ids.len(), "{lines:?}");
    for id in ids {
        assert!(lines.iter().any(|l| l.contains(id)), "{id}");
    }
    assert!(
        ok.text()
            .contains("12 abilities have their statement as the description")
    );
    // The framework is here, its organization's name and scale kept.
    let org = ada.get("/acme").await;
    assert_eq!(org.texts("h1"), ["Acme"]);
    assert!(
        org.links("ul.cards a")
            .iter()
            .any(|(href, _)| href == "/acme/abilities/ccss-math-content-6-rp-a-1"),
        "{:?}",
        org.links("ul.cards a")
    );
    // Replacing it asks for the confirmation a framework file does.
    let again = ada
        .post_multipart(path, &[("file:wscb.json", OPENSALT)])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("Tick the box to confirm"));
}

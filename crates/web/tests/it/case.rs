//! CASE 1.1 through the router: the published framework as a CFPackage,
//! its parts by identifier, the same identifiers across versions, a
//! version's own document, and an unpublished framework that only its
//! members can read.

use axum::http::StatusCode;
use cairn_domain::case;
use cairn_domain::membership::Capabilities;
use cairn_store::framework;
use serde_json::Value;

use crate::support::{Page, TestApp};

fn json(page: &Page) -> Value {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    serde_json::from_str(&page.body).expect("json")
}

#[tokio::test]
async fn the_package_reads_back_as_the_framework_and_its_parts_answer_by_identifier() {
    let app = TestApp::with_demo().await;
    app.publish("fernhill", 1_795_941_303_000).await;
    let org = app.org("fernhill").await;
    let doc_id = case::document_identifier(org.id.as_str());
    let package = json(
        &app.get(&format!("/ims/case/v1p1/CFPackages/{doc_id}"))
            .await,
    );
    assert_eq!(package["CFDocument"]["identifier"], doc_id.as_str());
    assert_eq!(package["CFDocument"]["version"], "1");
    assert_eq!(
        package["CFDocument"]["lastChangeDateTime"],
        "2026-11-29T08:35:03Z"
    );
    let back = case::read(&package.to_string(), None).expect("reads back");
    let live = framework::load(&app.db.store, &org).await.expect("load");
    assert!(back.framework == *live.framework(), "round trip");

    // Every item, association and rubric in it answers at its own address.
    for (list, endpoint) in [
        ("CFItems", "CFItems"),
        ("CFAssociations", "CFAssociations"),
        ("CFRubrics", "CFRubrics"),
    ] {
        let all = package[list].as_array().expect("list");
        assert!(!all.is_empty(), "{list}");
        for part in all.iter().take(5) {
            let id = part["identifier"].as_str().expect("id");
            let got = json(&app.get(&format!("/ims/case/v1p1/{endpoint}/{id}")).await);
            assert_eq!(got["identifier"], id);
            assert_eq!(got["CFDocumentURI"]["identifier"], doc_id.as_str());
        }
    }
    // The listing names the package; the document answers on its own.
    let docs = json(&app.get("/ims/case/v1p1/CFDocuments").await);
    let listed: Vec<&str> = docs["CFDocuments"]
        .as_array()
        .expect("docs")
        .iter()
        .filter_map(|d| d["identifier"].as_str())
        .collect();
    assert_eq!(listed, [doc_id.as_str()]);
    let doc = json(
        &app.get(&format!("/ims/case/v1p1/CFDocuments/{doc_id}"))
            .await,
    );
    assert_eq!(
        doc["CFPackageURI"]["uri"],
        format!("http://localhost/ims/case/v1p1/CFPackages/{doc_id}")
    );
    // Unknown identifiers, in a known organization or none, are not there.
    for path in [
        format!(
            "/ims/case/v1p1/CFItems/{}",
            case::identifier(org.id.as_str(), "ability/nothing")
        ),
        format!(
            "/ims/case/v1p1/CFPackages/{}",
            case::identifier(org.id.as_str(), "ability/mentoring")
        ),
        "/ims/case/v1p1/CFItems/not-a-uuid".to_owned(),
        "/ims/case/v1p1/CFRubrics/00000000-0000-7000-8000-000000000000".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.header("content-type"), "application/problem+json");
    }
}

#[tokio::test]
async fn each_version_is_its_own_document_and_items_keep_their_identifiers() {
    let app = TestApp::with_demo().await;
    app.publish("fernhill", 1_000).await;
    let org = app.org("fernhill").await;
    let mut fw = framework::load(&app.db.store, &org)
        .await
        .expect("load")
        .framework()
        .clone();
    fw.abilities[0].description = cairn_domain::Markdown::new("Changed for v2.");
    framework::replace(&app.db.store, &fw, 2_000)
        .await
        .expect("edit");
    app.publish("fernhill", 3_000).await;

    let versions = json(&app.get("/api/v1/orgs/fernhill/versions").await);
    let pinned: Vec<String> = versions["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["case_package"].as_str().expect("case_package").to_owned())
        .collect();
    assert_eq!(pinned.len(), 2);
    let v2 = json(&app.get(&pinned[0]).await);
    let v1 = json(&app.get(&pinned[1]).await);
    assert_eq!(v1["CFDocument"]["version"], "1");
    assert_eq!(v2["CFDocument"]["version"], "2");
    assert_ne!(
        v1["CFDocument"]["identifier"],
        v2["CFDocument"]["identifier"]
    );
    let slug = fw.abilities[0].slug.as_str();
    let item = |p: &Value| {
        p["CFItems"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|i| i["humanCodingScheme"] == slug)
                    .cloned()
            })
            .expect("item")
    };
    assert_eq!(item(&v1)["identifier"], item(&v2)["identifier"]);
    assert_ne!(item(&v1)["fullStatement"], item(&v2)["fullStatement"]);
    assert_eq!(item(&v2)["fullStatement"], "Changed for v2.");
    // The framework's own document is the latest version.
    let latest = json(
        &app.get(&format!(
            "/ims/case/v1p1/CFPackages/{}",
            case::document_identifier(org.id.as_str())
        ))
        .await,
    );
    assert_eq!(latest["CFDocument"]["version"], "2");
    assert_eq!(item(&latest), item(&v2));
}

#[tokio::test]
async fn an_unpublished_framework_is_read_only_by_its_members() {
    let app = TestApp::with_demo().await;
    let org = app.org("fernhill").await;
    cairn_store::orgs::set_published(&app.db.store, &org.id, false, 2)
        .await
        .expect("unpublish");
    let doc_id = case::document_identifier(org.id.as_str());
    let item = case::identifier(org.id.as_str(), "ability/mentoring");
    let mut member = app
        .member("fernhill", "mia@fernhill.example", Capabilities::default())
        .await;
    let outsider = app.person("olga@other.example").await;
    let mut outsider = app.signed_in(&outsider).await;
    for path in [
        format!("/ims/case/v1p1/CFPackages/{doc_id}"),
        format!("/ims/case/v1p1/CFDocuments/{doc_id}"),
        format!("/ims/case/v1p1/CFItems/{item}"),
    ] {
        assert_eq!(
            app.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path} anonymous"
        );
        assert_eq!(
            outsider.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path} other organization"
        );
        assert_eq!(
            member.get(&path).await.status,
            StatusCode::OK,
            "{path} member"
        );
    }
    let docs = json(&app.get("/ims/case/v1p1/CFDocuments").await);
    assert_eq!(docs["CFDocuments"].as_array().map(Vec::len), Some(0));
}

//! Open Badges credentials through the router: offered to the award's
//! recipient only, made once (also when asked twice at once), signed with
//! the organization's key and verifiable from the published JWKS, citing
//! only public observations, revoked with the award through the status
//! list; the organization's key rotated, old credentials still verify.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cairn_domain::awards::AwardVisibility;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Level, Markdown, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::observations::{self, Draft};
use cairn_store::people::PersonId;
use serde_json::Value;

use crate::support::TestApp;

fn config() -> cairn_web::WebConfig {
    cairn_web::WebConfig {
        base_url: Some("https://cairn.example".into()),
        credential_key: Some("a long random credential key for tests".into()),
        ..Default::default()
    }
}

async fn observation(
    app: &TestApp,
    about: &PersonId,
    by: &PersonId,
    privacy: Privacy,
    story: &str,
) -> String {
    let org = app.org("fernhill").await;
    observations::create_published(
        &app.db.store,
        &org.id,
        by,
        &Draft {
            observees: vec![about.clone()],
            story: Markdown::new(story),
            observed_on: 1,
            ratings: vec![(Slug::parse("mentoring").expect("slug"), Rating::Strong)],
        },
        privacy,
        2,
    )
    .await
    .expect("observation")
    .expect("saved")
}

async fn award(app: &TestApp, to: &PersonId, by: &PersonId, evidence: Vec<String>) -> String {
    let org = app.org("fernhill").await;
    awards::award(
        &app.db.store,
        &org.id,
        by,
        &NewAward {
            recipient: to.clone(),
            ability: Slug::parse("mentoring").expect("slug"),
            levels: vec![Level::parse(1).expect("level")],
            note: String::new(),
            visibility: AwardVisibility::Organization,
            evidence,
        },
        5,
    )
    .await
    .expect("award");
    awards::of_person(&app.db.store, &org.id, to)
        .await
        .expect("awards")
        .into_iter()
        .find(|a| !a.revoked)
        .expect("the award")
        .id
}

fn segment(jws: &str, i: usize) -> Value {
    let part = jws.split('.').nth(i).expect("segment");
    serde_json::from_slice(&B64.decode(part).expect("b64")).expect("json")
}

#[tokio::test]
async fn a_recipient_makes_one_credential_that_verifies_and_is_revoked_with_the_award() {
    let app = TestApp::with_demo_config(config()).await;
    let mut mia = app.join("fernhill", "mia", Capabilities::default()).await;
    let mut lead = app
        .join(
            "fernhill",
            "lead",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let mut max = app.join("fernhill", "max", Capabilities::default()).await;
    let public = observation(
        &app,
        &mia.id,
        &lead.id,
        Privacy::Public,
        "Mia mentored Max through his first incident.",
    )
    .await;
    let private = observation(
        &app,
        &mia.id,
        &lead.id,
        Privacy::Organization,
        "Members only: a secret story.",
    )
    .await;
    let id = award(
        &app,
        &mia.id,
        &lead.id,
        vec![public.clone(), private.clone()],
    )
    .await;
    let offer_path = format!("/fernhill/awards/{id}/credential");

    // Only the recipient is offered it; nothing exists until she asks.
    assert_eq!(
        max.client.get(&offer_path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        lead.client.get(&offer_path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        max.client.post(&offer_path, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let offer = mia.client.get(&offer_path).await;
    assert_eq!(offer.status, StatusCode::OK);
    assert!(
        offer.text().contains("1 public observation cited"),
        "{}",
        offer.text()
    );
    assert_eq!(
        app.get("/fernhill/credentials/status").await.status,
        StatusCode::NOT_FOUND
    );
    let journey = mia
        .client
        .get(&format!("/fernhill/people/{}", mia.id.as_str()))
        .await;
    assert!(
        journey
            .links("ul.awards a")
            .iter()
            .any(|(href, _)| href == &offer_path)
    );

    // Asked twice at once: one credential.
    let twin = || crate::support::Client {
        app: &app,
        cookie: mia.client.cookie.clone(),
        ip: mia.client.ip.clone(),
    };
    let (mut one, mut two) = (twin(), twin());
    let (a, b) = tokio::join!(one.post(&offer_path, &[]), two.post(&offer_path, &[]));
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), b.location());
    let page_path = a.location().to_owned();
    assert!(page_path.starts_with("/fernhill/credentials/"));
    assert_eq!(
        mia.client.get(&offer_path).await.location(),
        page_path,
        "offered again: the one made"
    );

    // Anyone may look at it, and it verifies.
    let page = app.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Mentoring: milestone 1"]);
    assert!(
        page.text()
            .contains("Verified: signed with Fernhill's key 1, and not revoked."),
        "{}",
        page.text()
    );
    let jws = app.get(&format!("{page_path}/credential.jwt")).await;
    assert_eq!(jws.header("content-type"), "application/vc+jwt");
    let header = segment(&jws.body, 0);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(
        header["kid"],
        "https://cairn.example/fernhill/issuer/jwks.json#key-1"
    );
    let credential = segment(&jws.body, 1);
    assert_eq!(credential["type"][1], "OpenBadgeCredential");
    assert_eq!(
        credential["issuer"]["id"],
        "https://cairn.example/fernhill/issuer"
    );
    let evidence: Vec<&str> = credential["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(
        evidence,
        [format!(
            "https://cairn.example/fernhill/observations/{public}"
        )]
    );
    assert!(
        !jws.body.contains("secret"),
        "never a non-public observation"
    );
    assert!(!credential.to_string().contains("mia@example.com"));
    let jwks: Value =
        serde_json::from_str(&app.get("/fernhill/issuer/jwks.json").await.body).expect("jwks");
    let x = jwks["keys"][0]["x"].as_str().expect("x");
    assert!(
        cairn_web::credentials::verify(x, &jws.body).is_some(),
        "verifies with the published key"
    );
    let enveloped: Value =
        serde_json::from_str(&app.get(&format!("{page_path}/credential.json")).await.body)
            .expect("json");
    assert_eq!(enveloped["type"], "EnvelopedVerifiableCredential");
    assert_eq!(
        enveloped["id"],
        format!("data:application/vc+jwt,{}", jws.body)
    );
    let profile: Value =
        serde_json::from_str(&app.get("/fernhill/issuer").await.body).expect("profile");
    assert_eq!(profile["name"], "Fernhill");

    // The status list says not revoked; revoking the award revokes it.
    let index: usize = credential["credentialStatus"]["statusListIndex"]
        .as_str()
        .expect("index")
        .parse()
        .expect("n");
    let bit = |list: &str| {
        let encoded = segment(list, 1)["credentialSubject"]["encodedList"]
            .as_str()
            .expect("list")
            .to_owned();
        let zipped = B64
            .decode(encoded.strip_prefix('u').expect("u"))
            .expect("b64");
        let mut bits = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut bits)
            .expect("gunzip");
        bits[index / 8] & (0x80 >> (index % 8)) != 0
    };
    let list = app.get("/fernhill/credentials/status").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        cairn_web::credentials::verify(x, &list.body).is_some(),
        "the list is signed too"
    );
    assert!(!bit(&list.body));
    let revoked = lead
        .client
        .post(&format!("/fernhill/awards/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert!(bit(&app.get("/fernhill/credentials/status").await.body));
    assert!(
        app.get(&page_path)
            .await
            .text()
            .contains("Revoked: Fernhill revoked the award")
    );
    // A revoked award is offered nothing more.
    assert_eq!(
        mia.client.get(&offer_path).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_rotated_key_signs_from_then_on_and_the_old_one_still_verifies() {
    let app = TestApp::with_demo_config(config()).await;
    let mut mia = app.join("fernhill", "mia", Capabilities::default()).await;
    let lead = app
        .join(
            "fernhill",
            "lead",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let first = award(&app, &mia.id, &lead.id, vec![]).await;
    let one = mia
        .client
        .post(&format!("/fernhill/awards/{first}/credential"), &[])
        .await
        .location()
        .to_owned();
    let org = app.org("fernhill").await;
    let sealer = cairn_web::credentials::Sealer::new("a long random credential key for tests");
    let (public, sealed) = cairn_web::credentials::new_key(&sealer).expect("key");
    let key = cairn_store::credentials::add_key(&app.db.store, &org.id, &public, &sealed, true, 9)
        .await
        .expect("rotate");
    assert_eq!(key.number, 2);
    // Another ability's award, after the rotation.
    let org_id = org.id.clone();
    awards::award(
        &app.db.store,
        &org_id,
        &lead.id,
        &NewAward {
            recipient: mia.id.clone(),
            ability: Slug::parse("feedback").expect("slug"),
            levels: vec![Level::parse(1).expect("level")],
            note: String::new(),
            visibility: AwardVisibility::Organization,
            evidence: vec![],
        },
        10,
    )
    .await
    .expect("award");
    let second = awards::of_person(&app.db.store, &org_id, &mia.id)
        .await
        .expect("awards")
        .into_iter()
        .find(|a| a.ability.as_str() == "feedback")
        .expect("award")
        .id;
    let two = mia
        .client
        .post(&format!("/fernhill/awards/{second}/credential"), &[])
        .await
        .location()
        .to_owned();
    assert!(
        app.get(&one)
            .await
            .text()
            .contains("signed with Fernhill's key 1")
    );
    assert!(
        app.get(&two)
            .await
            .text()
            .contains("signed with Fernhill's key 2")
    );
    let jwks: Value =
        serde_json::from_str(&app.get("/fernhill/issuer/jwks.json").await.body).expect("jwks");
    assert_eq!(
        jwks["keys"].as_array().map(Vec::len),
        Some(2),
        "the retired key stays published"
    );
    let second_jws = app.get(&format!("{two}/credential.jwt")).await.body;
    assert_eq!(
        segment(&second_jws, 0)["kid"],
        "https://cairn.example/fernhill/issuer/jwks.json#key-2"
    );
    assert_eq!(
        segment(&second_jws, 1)["credentialStatus"]["statusListIndex"],
        "1"
    );
}

#[tokio::test]
async fn without_a_credential_key_nothing_is_made_and_the_offer_says_why() {
    let app = TestApp::with_demo().await;
    let mut mia = app.join("fernhill", "mia", Capabilities::default()).await;
    let lead = app
        .join(
            "fernhill",
            "lead",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let id = award(&app, &mia.id, &lead.id, vec![]).await;
    let path = format!("/fernhill/awards/{id}/credential");
    let offer = mia.client.get(&path).await;
    assert!(offer.text().contains("Credentials are off on this server"));
    assert!(offer.texts("form[action$='/credential'] button").is_empty());
    assert_eq!(
        mia.client.post(&path, &[]).await.status,
        StatusCode::BAD_REQUEST
    );
    let org = app.org("fernhill").await;
    assert_eq!(
        cairn_store::credentials::revoked(&app.db.store, &org.id)
            .await
            .expect("read")
            .1,
        0
    );
}

use axum::http::StatusCode;
use cairn_domain::membership::Capabilities;

use crate::support::{Member, TestApp};

#[tokio::test]
async fn an_observation_is_a_draft_then_shared_as_its_level_says() {
    let app = TestApp::with_demo().await;
    let mut olive = app
        .member("fernhill", "olive@example.com", Capabilities::NONE)
        .await;
    let Member {
        client: mut eve,
        id: eve_id,
    } = app.join("fernhill", "eve", Capabilities::NONE).await;
    let mut mo = app
        .member("fernhill", "mo@example.com", Capabilities::NONE)
        .await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &eve_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");

    let bad = olive
        .post(
            "/fernhill/observations/new",
            &[("story", ""), ("observed_on", "yesterday")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.texts(".field-error").len(), 0);
    assert_eq!(
        bad.texts(".form-errors li"),
        vec![
            "Choose who you observed.",
            "Give the date as YYYY-MM-DD.",
            "Tell what happened."
        ]
    );

    let created = olive
        .post(
            "/fernhill/observations/new",
            &[
                ("observee", eve_id.as_str()),
                ("observed_on", "2023-11-10"),
                ("story", "Eve ran the **payments** incident calmly."),
                ("rate_incident-response", "exceptional"),
                ("rate_written-communication", "concerning"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let href = created.location().to_owned();
    assert_eq!(olive.get(&href).await.status, StatusCode::OK);
    assert!(olive.get(&href).await.text().contains("draft"));
    for (name, client) in [
        ("observee", &mut eve),
        ("member", &mut mo),
        ("manager", &mut max),
    ] {
        assert_eq!(
            client.get(&href).await.status,
            StatusCode::NOT_FOUND,
            "{name} cannot see a draft"
        );
    }

    // Published to the observee and managers.
    assert_eq!(
        olive
            .post(
                &format!("{href}/publish"),
                &[("privacy", "observees_and_managers")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(eve.get(&href).await.status, StatusCode::OK);
    assert_eq!(max.get(&href).await.status, StatusCode::OK);
    assert_eq!(mo.get(&href).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&href).await.status, StatusCode::NOT_FOUND);
    // Eve may narrow, not widen.
    assert_eq!(
        eve.post(&format!("{href}/privacy"), &[("privacy", "public")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        eve.post(&format!("{href}/privacy"), &[("privacy", "observees")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        max.get(&href).await.status,
        StatusCode::NOT_FOUND,
        "narrowed away from managers"
    );
    // Only the observer widens it; others cannot delete it.
    assert_eq!(
        olive
            .post(&format!("{href}/privacy"), &[("privacy", "public")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        eve.post(&format!("{href}/delete"), &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // Public now: on the ability page and in its health, with the
    // sensitive rating only for the observer, observee and managers.
    let anon = app.get(&href).await;
    assert_eq!(anon.status, StatusCode::OK);
    assert_eq!(
        anon.texts(".ratings .chip"),
        vec!["Incident Response: Exceptional"]
    );
    assert_eq!(
        eve.get(&href).await.texts(".ratings .chip"),
        vec![
            "Incident Response: Exceptional",
            "Written Communication: Concerning"
        ]
    );
    let ability = app.get("/fernhill/abilities/incident-response").await;
    assert_eq!(
        ability.texts("section[aria-labelledby=observations] article .meta strong"),
        vec!["olive", "eve"]
    );
    assert!(
        ability
            .texts("ul.health li")
            .contains(&"✅ ok: Referenced in 1 observation".to_owned())
    );
    let writing = app.get("/fernhill/abilities/written-communication").await;
    assert!(
        writing
            .text()
            .contains("has not been publicly recognized yet"),
        "a concerning rating is no public recognition for outsiders"
    );
    assert!(app.get("/fernhill/observations").await.body.contains(&href));

    // Deleted: gone for everyone, counts included.
    assert_eq!(
        olive.post(&format!("{href}/delete"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(olive.get(&href).await.status, StatusCode::NOT_FOUND);
    assert!(
        app.get("/fernhill/abilities/incident-response")
            .await
            .texts("ul.health li")
            .contains(&"⚠️ warning: Has been referenced in no observations".to_owned())
    );
}

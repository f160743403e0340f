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
    // Each message twice: in the summary, and under its field.
    assert_eq!(bad.texts(".field-error").len(), 3);
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

/// The form keeps what was typed and ticked across a search and a
/// preview, says in a sentence who will read it, and publishes at once.
#[tokio::test]
async fn the_form_searches_previews_and_publishes_in_one_go() {
    let app = TestApp::with_demo().await;
    let mut olive = app
        .member("fernhill", "olive@example.com", Capabilities::NONE)
        .await;
    let eve = app.join("fernhill", "eve", Capabilities::NONE).await;
    let mut mo = app.join("fernhill", "mo", Capabilities::NONE).await.client;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", Capabilities::NONE).await;
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &eve.id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    let (eve_id, mut eve) = (eve.id, eve.client);
    let typed = [
        ("observee", eve_id.as_str()),
        ("observed_on", "2024-05-06"),
        ("story", "Eve *paired* with two joiners."),
        ("rate_mentoring", "strong"),
        ("rate_feedback", "concerning"),
        ("privacy", "observees_and_managers"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&str, &str)> {
        typed.iter().copied().chain(extra.iter().copied()).collect()
    };

    // A search for Mo keeps Eve ticked, the story and the ratings.
    let found = olive
        .post(
            "/fernhill/observations/new",
            &with(&[("find", "mo"), ("action", "find")]),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK);
    let ticked = found.texts("fieldset.people label.check:has(input[checked])");
    let offered = found.texts("fieldset.people label.check");
    assert_eq!(ticked, ["eve"], "the chosen stay chosen");
    assert_eq!(offered, ["eve", "mo"], "the chosen first, then the search");
    assert_eq!(found.texts("#story"), ["Eve *paired* with two joiners."]);
    assert_eq!(
        found.texts("fieldset.rate:has(input[checked]) legend"),
        ["Giving & Receiving Feedback", "Mentoring"]
    );
    // Each level is a sentence about the people chosen.
    let sentences = found.texts("fieldset.levels label .muted");
    assert!(
        sentences.contains(&"Only you, eve and eve's managers will see this.".to_owned()),
        "{sentences:?}"
    );
    assert!(sentences.contains(&"Everyone in Fernhill will see this.".to_owned()));
    assert_eq!(
        found.texts("fieldset.levels label:has(input[checked]) strong"),
        ["The people observed and their managers"]
    );

    // A preview: the story as it will read, and who will read it.
    let preview = olive
        .post(
            "/fernhill/observations/new",
            &with(&[("action", "preview")]),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(
        preview.texts(".preview p strong"),
        ["Only you, eve and eve's managers will see this."]
    );
    assert_eq!(
        preview.texts(".preview .muted"),
        ["Misaligned and Concerning ratings show only to you, eve and eve's managers."]
    );
    assert!(preview.body.contains("<em>paired</em>"));

    // Publishing without a level says so and saves nothing.
    let mut no_level: Vec<(&str, &str)> = with(&[("action", "publish")]);
    no_level.retain(|(k, _)| *k != "privacy");
    let refused = olive.post("/fernhill/observations/new", &no_level).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.links(".form-errors a"),
        [(
            "#privacy".to_owned(),
            "Choose who will be able to read it.".to_owned()
        )]
    );
    assert!(
        refused
            .html()
            .select(&scraper::Selector::parse("input#privacy").expect("sel"))
            .next()
            .is_some()
    );
    assert!(
        mo.get("/fernhill/observations")
            .await
            .texts("article.observation")
            .is_empty()
    );

    // Publish: one request, at the level chosen.
    let published = olive
        .post(
            "/fernhill/observations/new",
            &with(&[("action", "publish")]),
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let href = published.location().to_owned();
    for (who, client, status) in [
        ("observee", &mut eve, StatusCode::OK),
        ("manager", &mut max, StatusCode::OK),
        ("another member", &mut mo, StatusCode::NOT_FOUND),
    ] {
        assert_eq!(client.get(&href).await.status, status, "{who}");
    }
    let page = eve.get(&href).await;
    assert_eq!(
        page.texts("title"),
        ["Observation of eve by olive, 2024-05-06 · Fernhill · cairn"]
    );
    assert!(!page.text().contains("draft"));
}

/// Editing: the observer only; a published observation keeps who and
/// when, is marked edited and shows its earlier versions to its readers
/// (each rating under the same rule); a stale version is refused.
#[tokio::test]
async fn a_published_observation_is_edited_with_its_history_kept() {
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
    let published = olive
        .post(
            "/fernhill/observations/new",
            &[
                ("observee", eve_id.as_str()),
                ("observed_on", "2024-05-06"),
                ("story", "First telling."),
                ("rate_feedback", "concerning"),
                ("privacy", "organization"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let href = published.location().to_owned();
    let edit = format!("{href}/edit");
    assert_eq!(
        eve.get(&edit).await.status,
        StatusCode::NOT_FOUND,
        "only the observer"
    );
    assert_eq!(
        eve.post(&edit, &[("story", "Mine now."), ("action", "draft")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let form = olive.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.texts("h1"), ["Edit your observation"]);
    assert!(
        form.texts("fieldset.people").is_empty(),
        "who and when stay"
    );
    let version = form
        .html()
        .select(&scraper::Selector::parse("input[name=version]").expect("sel"))
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_owned))
        .expect("version");

    app.advance(60_000);
    let saved = olive
        .post(
            &edit,
            &[
                ("version", version.as_str()),
                ("story", "Second telling, clearer."),
                ("rate_mentoring", "strong"),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    // Saving again from the same (now old) version is refused.
    let stale = olive
        .post(
            &edit,
            &[
                ("version", version.as_str()),
                ("story", "Third."),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("changed after you opened it"));
    assert_eq!(stale.texts("#story"), ["Third."], "what they typed stays");

    let seen_by_eve = eve.get(&href).await;
    assert!(seen_by_eve.text().contains("Second telling, clearer."));
    assert_eq!(seen_by_eve.texts(".meta a.small"), ["(edited 2023-11-14)"]);
    assert_eq!(
        seen_by_eve.texts("article.earlier .prose"),
        ["First telling."]
    );
    assert_eq!(
        seen_by_eve.texts("article.earlier .chip"),
        ["Giving & Receiving Feedback: Concerning"],
        "the observee sees the sensitive rating it had"
    );
    let seen_by_mo = mo.get(&href).await;
    assert_eq!(
        seen_by_mo.texts("article.earlier .prose"),
        ["First telling."]
    );
    assert!(
        seen_by_mo.texts("article.earlier .chip").is_empty(),
        "another member does not"
    );
    assert_eq!(
        seen_by_mo
            .texts("article.observation:not(.earlier) .chip:not(.warn)")
            .last()
            .map(String::as_str),
        Some("Mentoring: Strong")
    );
}

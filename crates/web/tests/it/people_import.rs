//! Bulk onboarding: a people CSV in OurGruuv's columns, previewed, then
//! applied in one transaction; invitations carry what to set on accepting.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::TestApp;

/// A quoted comma, a manager who appears later in the file, an unknown
/// job title, a duplicate email, and a member already here.
const FILE: &str =
    "Name,Preferred Name,Email,Start Date,Department,Manager Email,Job Title,Job Title Level
Robert Smith,Bob,bob@new.test,2023-01-16,\"Platform, Infra\",mia@example.com,Engineer II,2
Mia Member,,mia@example.com,3/1/2022,\"Platform, Infra\",,Senior Engineer,3
Cy Doe,,cy@new.test,,Product,mia@example.com,Astronaut,9
Bob Again,,BOB@new.test,,,,,
";

#[tokio::test]
async fn an_admin_previews_then_applies_a_people_file() {
    let app = TestApp::with_demo().await;
    let mia = app.join("fernhill", "mia", Capabilities::NONE).await;
    let mut ada = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let path = "/fernhill/settings/people/import";
    assert_eq!(ada.get(path).await.status, StatusCode::OK);

    // The preview changes nothing.
    let preview = ada.post_multipart(path, &[("file", FILE)]).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(
        preview
            .texts("main ul li")
            .iter()
            .take(2)
            .cloned()
            .collect::<Vec<_>>(),
        [
            "Line 2: invite Bob <bob@new.test>; position engineer-2; new team Platform, Infra; reports to mia@example.com; started 2023-01-16",
            "Line 3: Mia Member <mia@example.com>; position senior-engineer; new team Platform, Infra; started 2022-03-01",
        ]
    );
    let refused = preview.texts("h3 + ul li");
    assert_eq!(
        refused,
        [
            "Line 4: no position is titled \"Astronaut\" at level \"9\"",
            "Line 5: bob@new.test is already on line 2",
        ]
    );
    let org = app.org("fernhill").await;
    let store = &app.db.store;
    assert!(
        cairn_store::teams::list(store, &org.id)
            .await
            .expect("teams")
            .is_empty()
    );

    // Applied on confirmation, from the file the preview carried.
    let carried = preview.texts("form textarea[name=csv][hidden]");
    assert_eq!(carried.len(), 1);
    let applied = ada
        .post_multipart(path, &[("apply", "1"), ("csv", FILE)])
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(
        applied.texts("p.notice"),
        ["Done: 1 member changed, 1 invited, 1 new teams; 2 lines refused."]
    );
    let links = applied.texts("main ul li code");
    assert_eq!(links.len(), 1);
    let held = cairn_store::jobs::of_person(store, &org.id, &mia.id)
        .await
        .expect("jobs");
    assert_eq!(
        held.position().map(|t| t.slug.as_str()),
        Some("senior-engineer")
    );
    assert_eq!(held.team().map(|t| t.slug.as_str()), Some("platform-infra"));

    // Bob accepts: his position, team and manager come with him.
    let token = links[0].rsplit('/').next().expect("token").to_owned();
    let bob = app.person("bob@new.test").await;
    let mut bob_client = app.signed_in(&bob).await;
    let joined = bob_client.post(&format!("/invite/{token}"), &[]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let bob_jobs = cairn_store::jobs::of_person(store, &org.id, &bob.id)
        .await
        .expect("jobs");
    assert_eq!(
        bob_jobs.position().map(|t| t.slug.as_str()),
        Some("engineer-2")
    );
    assert_eq!(
        bob_jobs.position().map(|t| t.since),
        cairn_domain::wording::parse_date("2023-01-16")
    );
    assert_eq!(
        bob_jobs.team().map(|t| t.slug.as_str()),
        Some("platform-infra")
    );
    let member = cairn_store::members::get(store, &org.id, &bob.id)
        .await
        .expect("read")
        .expect("member");
    assert_eq!(member.manager.as_ref(), Some(&mia.id));

    // A bad file: every problem with its line, nothing changed.
    let bad = ada
        .post_multipart(
            path,
            &[(
                "file",
                "Name,Email,Start Date\nAnn,nope,2023-01-01\nCy,cy@x.test,soon\n",
            )],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = bad.texts(".form-errors li");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("Line 2: Email: "));
    assert!(problems[1].starts_with("Line 3: Start Date \"soon\""));
    // Members other than admins never reach it.
    let mut plain = mia.client;
    assert_eq!(
        plain.post_multipart(path, &[("file", FILE)]).await.status,
        StatusCode::NOT_FOUND
    );
    // The log says who imported.
    let audit = ada.get("/fernhill/settings/audit").await;
    assert!(
        audit
            .texts("tbody tr")
            .iter()
            .any(|r| r.contains("People imported"))
    );
}

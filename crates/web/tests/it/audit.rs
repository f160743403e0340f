use axum::http::StatusCode;
use cairn_domain::audit::AuditAction;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_store::audit::{self, Filter};

use crate::support::{Member, PASSWORD, TestApp};

/// Sign-ins and their failures, capability and membership changes,
/// observation privacy and awards land in the audit log with actor and
/// address; admins read and filter it on a settings page.
#[tokio::test]
async fn what_people_do_is_recorded_and_admins_read_it() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut ada,
        id: ada_id,
    } = app
        .join(
            "fernhill",
            "ada",
            Capabilities::of(&[Capability::Admin, Capability::PeopleLead]),
        )
        .await;
    let Member {
        client: mut mia,
        id: mia_id,
    } = app.join("fernhill", "mia", Capabilities::NONE).await;
    let org = app.org("fernhill").await;

    // Sign-in, then a failed one, from two addresses.
    let mut anon = app.anon();
    anon.ip = "192.0.2.7".into();
    let ok = anon
        .post(
            "/login",
            &[("email", "mia@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let mut stranger = app.anon();
    stranger.ip = "198.51.100.9".into();
    stranger
        .post(
            "/login",
            &[
                ("email", "mia@example.com"),
                ("password", "wrong wrong wrong"),
            ],
        )
        .await;
    let sign_ins = audit::list(&app.db.store, None, &Filter::default(), 10)
        .await
        .expect("list");
    let seen: Vec<(AuditAction, &str, &str)> = sign_ins
        .iter()
        .map(|r| (r.action, r.subject.as_str(), r.client_ip.as_str()))
        .collect();
    assert_eq!(
        &seen[..2],
        [
            (AuditAction::SignInFailed, "mia@example.com", "198.51.100.9"),
            (AuditAction::SignedIn, "mia@example.com", "192.0.2.7"),
        ]
    );
    assert_eq!(sign_ins[0].actor, None);
    assert_eq!(sign_ins[1].actor.as_ref(), Some(&mia_id));

    // Mia writes and publishes an observation of Ada; Ada gives Mia a
    // capability, then awards her a milestone.
    let draft = mia
        .post(
            "/fernhill/observations/new",
            &[
                ("observee", ada_id.as_str()),
                ("observed_on", "2023-11-01"),
                ("story", "Ran the retro."),
            ],
        )
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER);
    let obs = draft.location().to_owned();
    assert_eq!(
        mia.post(&format!("{obs}/publish"), &[("privacy", "organization")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let member_path = format!("/fernhill/settings/members/{}", mia_id.as_str());
    let changed = ada
        .post(
            &member_path,
            &[("manager", ""), ("cap_framework_editor", "on")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let awarded = ada
        .post(
            &format!("/fernhill/people/{}/awards", mia_id.as_str()),
            &[
                ("ability", "mentoring"),
                ("level", "1"),
                ("visibility", "organization"),
            ],
        )
        .await;
    assert_eq!(awarded.status, StatusCode::SEE_OTHER, "{}", awarded.body);

    let logged = audit::list(&app.db.store, Some(&org.id), &Filter::default(), 10)
        .await
        .expect("list");
    let kinds: Vec<(AuditAction, &str)> = logged
        .iter()
        .map(|r| (r.action, r.detail.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (AuditAction::MilestoneAwarded, "mentoring M1"),
            (
                AuditAction::CapabilitiesChanged,
                "member → framework_editor"
            ),
            (AuditAction::ObservationPublished, "organization"),
        ]
    );

    // The admin reads it, and filters it; a member cannot.
    let page = ada.get("/fernhill/settings/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("table.audit tbody tr").len(), 3);
    let only = ada
        .get("/fernhill/settings/audit?action=milestone_awarded")
        .await;
    let rows = only.texts("table.audit tbody tr td:nth-child(3)");
    assert_eq!(rows, vec!["Milestone awarded"]);
    let by_mia = ada
        .get(&format!(
            "/fernhill/settings/audit?actor={}",
            mia_id.as_str()
        ))
        .await;
    assert_eq!(
        by_mia.texts("table.audit tbody tr td:nth-child(3)"),
        vec!["Observation published"]
    );
    // The form names who by email; the same entries.
    let by_email = ada
        .get("/fernhill/settings/audit?actor=mia%40example.com")
        .await;
    assert_eq!(
        by_email.texts("table.audit tbody tr td:nth-child(3)"),
        vec!["Observation published"]
    );
    assert_eq!(
        ada.get("/fernhill/settings/audit?actor=nobody%40example.com")
            .await
            .texts("table.audit tbody tr")
            .len(),
        0,
        "someone not here: nothing"
    );
    let unknown = ada.get("/fernhill/settings/audit?action=wiped").await;
    assert!(
        unknown.texts("table.audit tbody tr").is_empty(),
        "an unknown filter shows nothing"
    );
    assert_eq!(
        mia.get("/fernhill/settings/audit").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Admins download everything of their organization as one JSON document;
/// the download is in the audit log.
#[tokio::test]
async fn admins_download_the_organization_export() {
    let app = TestApp::with_demo().await;
    let mut ada = app
        .member(
            "fernhill",
            "ada@example.com",
            Capabilities::of(&[Capability::Admin]),
        )
        .await;
    let page = ada.get("/fernhill/settings").await;
    let downloads: Vec<String> = page
        .links("a[download]")
        .into_iter()
        .map(|(href, _)| href)
        .collect();
    assert_eq!(
        downloads,
        [
            "/fernhill/settings/export",
            "/fernhill/settings/export/abilities.csv",
            "/fernhill/settings/export/assignments.csv",
            "/fernhill/settings/export/positions.csv"
        ],
        "the export, and the framework in OurGruuv's CSVs, on the settings page"
    );
    let got = ada.get("/fernhill/settings/export").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-type"), "application/json");
    assert!(
        got.header("content-disposition")
            .contains("fernhill-export.json")
    );
    let doc: serde_json::Value = serde_json::from_str(&got.body).expect("one JSON document");
    assert_eq!(doc["format"], "cairn-org/1");
    assert_eq!(doc["organization"], "fernhill");
    let tables: Vec<&str> = doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter_map(|t| t["table"].as_str())
        .collect();
    for t in [
        "organizations",
        "people",
        "abilities",
        "memberships",
        "observations",
        "awards",
        "conversations",
        "history",
        "audit_log",
    ] {
        assert!(tables.contains(&t), "{t} missing from {tables:?}");
    }
    let org = app.org("fernhill").await;
    let logged = audit::list(&app.db.store, Some(&org.id), &Filter::default(), 10)
        .await
        .expect("list");
    assert_eq!(logged[0].action, AuditAction::Exported);
}

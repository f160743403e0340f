//! Archive, restore and history of framework items.

use axum::http::StatusCode;

use crate::support::TestApp;
use crate::support::{editor, form_of, set};

#[tokio::test]
async fn a_required_ability_cannot_be_archived_until_its_requirements_go() {
    let app = TestApp::with_demo().await;
    let mut eddie = app.member("fernhill", "eddie@example.com", editor()).await;
    let refused = eddie
        .post("/fernhill/abilities/observability/archive", &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".form-errors li"),
        vec![
            "Observability cannot be archived while the role On-call Responder require it. Remove those requirements first."
        ]
    );
    // Remove the requirement in the role form, then archive.
    let mut form = form_of(&eddie.get("/fernhill/roles/on-call-responder/edit").await);
    set(&mut form, "req_observability", "0");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        eddie
            .post("/fernhill/roles/on-call-responder/edit", &pairs)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        eddie
            .post("/fernhill/abilities/observability/archive", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/fernhill/abilities/observability").await.status,
        StatusCode::NOT_FOUND
    );
    let hub = eddie.get("/fernhill/settings/framework").await;
    assert!(
        hub.text().contains("Observability Restore"),
        "{}",
        hub.text()
    );
    assert_eq!(
        eddie
            .post("/fernhill/abilities/observability/restore", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/fernhill/abilities/observability").await.status,
        StatusCode::OK
    );
    let history = app.get("/fernhill/abilities/observability/history").await;
    assert_eq!(
        history.texts("ol.history > li > h2").len(),
        3,
        "created, archived, restored"
    );
}

//! `/healthz`: liveness and a database check, for load balancers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::App;

pub(crate) async fn healthz(State(app): State<App>) -> (StatusCode, Json<Value>) {
    match app.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok" })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get("/healthz", healthz)
}

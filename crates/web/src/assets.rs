//! Static assets, embedded in the binary.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("assets/cairn.css");

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get("/assets/cairn.css", css)
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

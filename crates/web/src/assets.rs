//! Static assets, embedded in the binary.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("assets/cairn.css");
/// A stack of stones, ours; browsers that ask for `/favicon.ico` take SVG.
const FAVICON: &str = include_str!("assets/favicon.svg");

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/assets/cairn.css", css)
        .get("/assets/favicon.svg", favicon)
        .get("/favicon.ico", favicon)
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
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

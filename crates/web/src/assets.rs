//! Static assets, embedded in the binary.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("assets/cairn.css");
/// The playground's progressive enhancement (see `html::explore`).
const EXPLORE_JS: &str = include_str!("assets/explore.js");
/// A stack of stones, ours; browsers that ask for `/favicon.ico` take SVG.
const FAVICON: &str = include_str!("assets/favicon.svg");

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/assets/cairn.css", css)
        .get("/assets/favicon.svg", favicon)
        .get("/favicon.ico", favicon)
        .get("/assets/{file}", hashed)
}

/// The stylesheet's address named by its content, so pages can let
/// browsers keep it for a year: a new build with other CSS has another
/// address. (`/assets/cairn.css` stays for anything that links it.)
pub(crate) fn css_href() -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let digest = crate::secrets::hash(CSS);
        format!("/assets/cairn.{}.css", &digest[..16])
    })
}

/// The playground script's address, named by its content like the CSS.
pub(crate) fn js_href() -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let digest = crate::secrets::hash(EXPLORE_JS);
        format!("/assets/explore.{}.js", &digest[..16])
    })
}

async fn hashed(
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<axum::response::Response, crate::error::PageError> {
    let path = format!("/assets/{file}");
    if path == js_href() {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            EXPLORE_JS,
        )
            .into_response());
    }
    if path != css_href() {
        return Err(crate::error::PageError::NotFound);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
        .into_response())
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

//! What happens to a request before any handler sees it, and to every
//! answer on its way out, whoever produced it (the router, a layer, a
//! handler): problem details for the API, the URL length limit, and the
//! scheme half of CSRF protection.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::App;
use crate::api::ApiError;

/// Longer request targets are refused with 414 before routing. (hyper
/// itself refuses targets of 64 KiB and more before cairn sees them.)
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;

/// Under `/api/` every error is `application/problem+json`: a wrong method
/// (405), a body too large (413), a path that is not UTF-8 (400), a CSRF
/// refusal, an unknown address: whichever part of the stack answered.
pub(crate) async fn api_problems(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return too_long(api);
    }
    let response = next.run(request).await;
    if !api || response.status().as_u16() < 400 || is_problem(&response) {
        return response;
    }
    let status = response.status();
    let mut problem = ApiError::from_status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            problem.headers_mut().insert(name, v.clone());
        }
    }
    problem
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

fn too_long(api: bool) -> Response {
    if api {
        ApiError::from_status(StatusCode::URI_TOO_LONG).into_response()
    } else {
        crate::error::render(
            StatusCode::URI_TOO_LONG,
            "Address too long",
            format!("Addresses on this site are at most {MAX_URI_BYTES} characters long."),
        )
    }
}

/// Form posts carry text that will be stored: every field is held to
/// `cairn_domain::framework::check_text` before any handler runs, so a NUL
/// or another control character is refused the same way on SQLite and
/// PostgreSQL, whichever form it comes in. Nothing is changed; the answer
/// names the fields.
pub(crate) async fn form_text(request: Request, next: Next) -> Response {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .starts_with(b"application/x-www-form-urlencoded")
        });
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return crate::error::render(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too large",
                "Forms are at most 1 MiB.".into(),
            );
        }
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let bad: Vec<&str> = pairs
        .iter()
        .filter(|(_, v)| cairn_domain::framework::check_text(v, "a field").is_err())
        .map(|(k, _)| k.as_str())
        .collect();
    if !bad.is_empty() {
        return crate::error::render(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            format!(
                "Nothing was saved: {} contained a control character (such as NUL) that text cannot hold. Go back, remove it and send the form again.",
                bad.iter()
                    .map(|k| format!("“{k}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// The request body limit, which `RequestBodyLimitLayer` enforces too.
pub(crate) const FORM_LIMIT: usize = 1024 * 1024;

/// The site's own scheme: the base URL's, or `http` when none is set
/// (cairn serves plain HTTP itself).
fn site_scheme(app: &App) -> &str {
    app.config
        .trusted_origin
        .as_deref()
        .and_then(|o| o.split_once("://"))
        .map_or("http", |(scheme, _)| scheme)
}

/// Whether a state-changing request's `Origin` names another scheme than
/// the site's. tower-http's CSRF layer compares only the host, so
/// `Origin: https://host` would pass on an `http://host` site (and the
/// other way round); this refuses it. Requests without `Origin` are left
/// to that layer (it also reads `Sec-Fetch-Site`).
pub(crate) fn wrong_scheme(method: &Method, origin: Option<&str>, site_scheme: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    match origin {
        None | Some("") => false,
        Some(o) => o
            .split_once("://")
            .is_none_or(|(scheme, _)| scheme != site_scheme),
    }
}

pub(crate) async fn csrf_scheme(State(app): State<App>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("invalid"));
    if wrong_scheme(request.method(), origin, site_scheme(&app)) {
        let mut r = crate::error::render(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "This form was sent from another site.".into(),
        );
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return r;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn a_form_post_from_another_scheme_is_refused() {
        let cases = [
            ("POST", Some("http://cairn.test"),  "http",  false),
            ("POST", Some("https://cairn.test"), "http",  true),
            ("POST", Some("http://cairn.test"),  "https", true),
            ("POST", Some("https://cairn.test"), "https", false),
            ("POST", Some("null"),               "http",  true),
            ("POST", None,                       "http",  false),
            ("GET",  Some("https://cairn.test"), "http",  false),
            ("DELETE", Some("https://x"),        "http",  true),
        ];
        for (method, origin, scheme, refused) in cases {
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            assert_eq!(wrong_scheme(&m, origin, scheme), refused, "{method} {origin:?} on {scheme}");
        }
    }
}

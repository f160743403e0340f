//! What every form handler needs: errors shown beside their fields, safe
//! redirects after a successful post.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Problems with a submitted form, each tied to a field ("" for the form
/// as a whole). Rendered beside the field; nothing was changed.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for one field, for templates.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Each error with the field it is about: the error summary links each
    /// message to its field (`#field`, the field's id), as GOV.UK's does.
    pub fn fields(&self) -> Vec<(&str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str())).collect()
    }

    /// Parses one field, recording its error.
    pub fn check<T, E: ToString>(
        &mut self,
        field: &'static str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, capitalize(&e.to_string()));
                None
            }
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Forms whose fields depend on the data (one select per ability, repeated
/// checkboxes) arrive as raw pairs.
pub type Pairs = Vec<(String, String)>;

/// The first value of a field, or "".
pub fn field<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// A page re-rendered with its form errors: 422, so scripts and tests can
/// tell it from success.
pub fn invalid(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// POST, then redirect (303) to a page of ours.
pub fn redirect(to: &str) -> Response {
    see_other(to, None)
}

/// Redirect and set a cookie.
pub fn redirect_with_cookie(to: &str, cookie: &str) -> Response {
    see_other(to, Some(cookie))
}

fn see_other(to: &str, cookie: Option<&str>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(safe_next(to)).unwrap_or(HeaderValue::from_static("/")),
    );
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert(header::SET_COOKIE, c);
    }
    response
}

/// Only paths on this site. Browsers drop ASCII tab and newline from a
/// URL and read `\\` as `/`, so `/\t/evil.example` or `/\\evil.example`
/// would leave the site: anything with those, with other control
/// characters, or that starts like a host (`//`) is refused, and "/" is
/// followed instead.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control());
    if ok { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        for (next, expected) in [
            ("/fernhill", "/fernhill"),
            ("/invite/abc", "/invite/abc"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/\\evil.example", "/"),
            ("", "/"),
            ("javascript:alert(1)", "/"),
            // Browsers strip tab and newline: these would become //evil.example.
            ("/\t/evil.example", "/"),
            ("/\n/evil.example", "/"),
            ("/\r\n/evil.example", "/"),
            ("/\u{0}/evil.example", "/"),
            ("\t//evil.example", "/"),
            (
                "/fernhill/abilities/x?tab=1#top",
                "/fernhill/abilities/x?tab=1#top",
            ),
            ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
            ("https:/evil.example", "/"),
        ] {
            assert_eq!(safe_next(next), expected, "{next:?}");
        }
    }
}

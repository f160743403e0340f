//! Errors as pages. A 5xx logs its cause with a reference id and shows
//! only the id; the cause never reaches the visitor.

use std::any::Any;

use askama::Template;
use axum::body::Body;
use axum::http::{Response, StatusCode};
use axum::response::{Html, IntoResponse};
use cairn_domain::policy::PolicyDenied;
use cairn_store::StoreError;

#[derive(Debug)]
pub enum PageError {
    /// Unknown, archived, or not visible to this visitor: all look the same.
    NotFound,
    /// The page needs a signed-in person; carries where to return after.
    SignIn(String),
    /// Refused for a reason the visitor can act on (a read-only token, a
    /// page that needs a password sign-in). Never about an organization's
    /// data, which is always `NotFound`.
    Forbidden(&'static str),
    /// A query parameter that cannot mean anything (a mangled "older" link).
    BadRequest(&'static str),
    /// The database is unreachable or overloaded.
    Unavailable(String),
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PageError::NotFound,
            StoreError::Unavailable(m) => PageError::Unavailable(m),
            other => PageError::Internal(other.to_string()),
        }
    }
}

// Another organization's data, or an unpublished framework, is a 404:
// a 403 would confirm that it exists.
impl From<PolicyDenied> for PageError {
    fn from(_: PolicyDenied) -> Self {
        PageError::NotFound
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: crate::html::Chrome,
    title: &'static str,
    message: String,
}

/// A short id for matching an error page to its log line.
fn reference() -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    id[id.len() - 12..].to_owned()
}

pub(crate) fn render(status: StatusCode, title: &'static str, message: String) -> Response<Body> {
    let page = ErrorPage {
        chrome: crate::html::Chrome::default(),
        title,
        message,
    };
    let body = page.render().unwrap_or_else(|_| title.to_owned());
    (status, Html(body)).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response<Body> {
        match self {
            PageError::SignIn(next) => {
                let to = format!("/login?next={}", crate::html::url_encode(crate::forms::safe_next(&next)));
                crate::forms::redirect(&to)
            }
            PageError::NotFound => render(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here. It may have been moved or archived, or the address may be mistyped.".into(),
            ),
            PageError::Forbidden(message) => {
                render(StatusCode::FORBIDDEN, "Not allowed", message.into())
            }
            PageError::BadRequest(message) => {
                render(StatusCode::BAD_REQUEST, "Bad request", message.into())
            }
            PageError::Unavailable(cause) => {
                let id = reference();
                tracing::warn!(reference = %id, %cause, "database unavailable");
                render(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    format!("cairn cannot reach its database right now. Please try again in a moment. (Reference {id})"),
                )
            }
            PageError::Internal(cause) => {
                let id = reference();
                tracing::error!(reference = %id, %cause, "internal error");
                render(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    format!("This is a fault on our side, not yours. (Reference {id})"),
                )
            }
        }
    }
}

/// What a panicking handler answers: the same page as any internal error.
pub(crate) fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    PageError::Internal("handler panicked".into()).into_response()
}

//! cairn's web adapter: server-rendered pages around the domain and store.
//!
//! Handlers are thin: parse (extractors turn path segments into domain
//! types), authorize (`policy::require`), load (store), render (askama).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use cairn_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

mod assets;
pub mod auth;
pub mod error;
mod extract;
pub mod html;
pub mod markdown;

/// Where "now" comes from: the system clock, or a clock tests set.
#[derive(Clone, Debug)]
pub enum Clock {
    System,
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    /// Unix milliseconds.
    pub fn now(&self) -> i64 {
        match self {
            Clock::System => cairn_store::system_now(),
            Clock::Fixed(t) => t.load(Ordering::SeqCst),
        }
    }
}

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub clock: Clock,
}

impl App {
    pub fn new(store: Store) -> Self {
        App {
            store,
            clock: Clock::System,
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// The whole site.
pub fn router(app: App) -> Router {
    Router::new()
        .merge(html::router())
        .merge(assets::router())
        .fallback(html::not_found)
        .with_state(app)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

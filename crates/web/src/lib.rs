//! cairn's web adapter: server-rendered pages around the domain and store.
//!
//! Handlers are thin: parse (extractors turn path segments into domain
//! types), authorize (`policy::require`), load (store), render (askama).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue, StatusCode, Version, header};
use cairn_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

mod api;
mod assets;
mod audit;
pub mod auth;
pub mod credentials;
pub mod delivery;
mod edges;
pub mod error;
mod extract;
mod forms;
pub mod html;
pub mod markdown;
pub mod password;
mod routes;
pub mod secrets;
pub mod sso;

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

/// Settings the web layer needs.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// The public URL (`--base-url`): an `https://` one makes cookies
    /// `Secure`, and its origin is trusted for form posts.
    pub base_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Started with `--demo`: the home page offers "Try the demo", which
    /// signs anyone in as a demo member (`cairn_store::demo::TRY_AS`).
    pub demo: bool,
    /// An SMTP server is configured: forgot-password and invitation emails
    /// are offered.
    pub email: bool,
    /// Webhooks may call loopback and private addresses
    /// (`webhook_allow_private`).
    pub allow_private_webhooks: bool,
    /// OpenID Connect providers (`[[oidc]]`).
    pub oidc: Vec<sso::ProviderConfig>,
    /// `password_login = false`: only providers sign people in.
    pub password_login_off: bool,
    /// `credential_key`: encrypts credential signing keys at rest; None
    /// turns Open Badges credentials off.
    pub credential_key: Option<String>,
}

/// Makes ring the process's TLS crypto provider (SMTP and webhooks),
/// once; later calls find it installed.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Configuration resolved once at start.
#[derive(Clone, Debug, Default)]
pub struct RuntimeConfig {
    pub secure_cookies: bool,
    /// scheme://host[:port] of the base URL.
    pub trusted_origin: Option<String>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub demo: bool,
    pub email: bool,
    pub allow_private_webhooks: bool,
    pub password_login: bool,
    /// What seals credential signing keys (`credentials::Sealer`).
    pub credential_sealer: Option<credentials::Sealer>,
}

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub clock: Clock,
    pub config: Arc<RuntimeConfig>,
    pub sso: Arc<sso::Providers>,
}

impl App {
    pub fn new(store: Store) -> Self {
        Self::with_config(store, &WebConfig::default())
    }

    pub fn with_config(store: Store, config: &WebConfig) -> Self {
        let base = config.base_url.as_deref().map(|u| u.trim_end_matches('/'));
        let trusted_origin = base.map(|u| {
            let after_scheme = u.find("://").map_or(0, |i| i + 3);
            let end = u[after_scheme..]
                .find('/')
                .map_or(u.len(), |i| after_scheme + i);
            u[..end].to_owned()
        });
        App {
            store,
            clock: Clock::System,
            config: Arc::new(RuntimeConfig {
                secure_cookies: base.is_some_and(|u| u.starts_with("https://")),
                trusted_origin,
                trusted_proxies: config.trusted_proxies.clone(),
                demo: config.demo,
                email: config.email,
                allow_private_webhooks: config.allow_private_webhooks,
                password_login: !config.password_login_off,
                credential_sealer: config
                    .credential_key
                    .as_deref()
                    .map(credentials::Sealer::new),
            }),
            sso: Arc::new(
                sso::Providers::new(&config.oidc, base.unwrap_or("http://127.0.0.1:3000"))
                    .unwrap_or_else(|e| {
                        tracing::error!(error = %e, "single sign-on settings unusable");
                        sso::Providers::none()
                    }),
            ),
        }
    }

    /// The site's address for documents read elsewhere (CASE packages,
    /// credentials), which must be absolute: the base URL, or
    /// `http://localhost` when none is set.
    pub fn absolute_base(&self) -> String {
        self.config
            .trusted_origin
            .clone()
            .unwrap_or_else(|| "http://localhost".to_owned())
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// Every area's routes: the pages, the API and the assets.
fn site() -> routes::Area {
    html::routes().merge(api::routes()).merge(assets::routes())
}

/// Every (method, path) the site serves, as its routers declare them: the
/// route × visitor sweep tests each one.
pub fn declared_routes() -> Vec<(&'static str, &'static str)> {
    site().declared().to_vec()
}

/// The whole site.
pub fn router(app: App) -> Router {
    // Cross-site form posts are refused (Origin / Sec-Fetch-Site checks);
    // API clients, which send neither header, pass and authenticate with a
    // bearer token instead of a cookie.
    let mut csrf = CsrfLayer::new();
    if let Some(origin) = &app.config.trusted_origin {
        match csrf.clone().add_trusted_origin(origin) {
            Ok(layer) => csrf = layer,
            Err(e) => {
                tracing::warn!(%origin, error = ?e, "base URL is not a valid origin; not trusted")
            }
        }
    }
    // Browsers keep to https once told, when the site is served over it.
    let hsts = app
        .config
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    site()
        .into_router()
        .fallback(html::not_found)
        .layer(csrf)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            edges::csrf_scheme,
        ))
        .with_state(app)
        .layer(axum::middleware::from_fn(edges::form_text))
        .layer(RequestBodyLimitLayer::new(edges::FORM_LIMIT))
        .layer(axum::middleware::from_fn(edges::api_problems))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
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
        // br or gzip when the browser asks (tower-http's defaults: not for
        // tiny bodies, images or streams). Never for `no-store` responses:
        // they carry a secret once (an invitation link, a new token), and a
        // compressed secret beside reflected input is what BREACH reads.
        .layer(
            CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
                    !headers
                        .get(header::CACHE_CONTROL)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.contains("no-store"))
                },
            )),
        )
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

//! How each area declares its routes: an [`Area`] is an axum router that
//! also remembers which (method, path) pairs it serves, so the list of
//! every route comes from the router itself (`cairn_web::declared_routes`,
//! which the route × visitor sweep checks row by row) instead of from
//! reading source text.

use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};

use crate::App;

/// One area's routes (`html::abilities::routes()`, …), merged into the site.
#[must_use]
pub(crate) struct Area {
    router: Router<App>,
    declared: Vec<(&'static str, &'static str)>,
}

impl Area {
    pub(crate) fn new() -> Self {
        Area {
            router: Router::new(),
            declared: Vec::new(),
        }
    }

    pub(crate) fn get<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.router = self.router.route(path, get(handler));
        self.declared.push(("GET", path));
        self
    }

    /// A form's address. Opened with GET (a reload of the error page it
    /// answered, a link copied from the address bar), a page's form
    /// address leads to the page the form lives on: its parent address
    /// (`form_page`). The API's answer stays 405.
    pub(crate) fn post<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        let route = if path.starts_with("/api/") {
            post(handler)
        } else {
            post(handler).get(form_page)
        };
        self.router = self.router.route(path, route);
        self.declared.push(("POST", path));
        self
    }

    /// A page and the form it posts to itself.
    pub(crate) fn get_post<G, TG, P, TP>(mut self, path: &'static str, page: G, form: P) -> Self
    where
        G: Handler<TG, App>,
        TG: 'static,
        P: Handler<TP, App>,
        TP: 'static,
    {
        self.router = self.router.route(path, get(page).post(form));
        self.declared.push(("GET", path));
        self.declared.push(("POST", path));
        self
    }

    pub(crate) fn merge(mut self, other: Area) -> Self {
        self.router = self.router.merge(other.router);
        self.declared.extend(other.declared);
        self
    }

    pub(crate) fn declared(&self) -> &[(&'static str, &'static str)] {
        &self.declared
    }

    pub(crate) fn into_router(self) -> Router<App> {
        self.router
    }
}

/// Where a form posting to `uri` lives: the address one segment up
/// (`/fernhill/observations/ID/privacy` → `/fernhill/observations/ID`,
/// `/logout` → `/`), with the query dropped.
async fn form_page(uri: axum::http::Uri) -> axum::response::Response {
    let path = uri.path().trim_end_matches('/');
    let parent = match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    };
    crate::forms::redirect(parent)
}

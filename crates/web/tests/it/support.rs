use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use cairn_domain::file;
use cairn_store::testing::{self, TestDb};
use cairn_web::{App, Clock};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use tower::ServiceExt;

pub const DEMO: &str = include_str!("../../../../demo/fernhill.yaml");

/// The application over a fresh SQLite database, with a clock tests set.
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::on(testing::sqlite().await)
    }

    pub fn on(db: TestDb) -> Self {
        let clock = Arc::new(AtomicI64::new(1_700_000_000_000));
        let app = App {
            store: db.store.clone(),
            clock: Clock::Fixed(clock),
        };
        TestApp {
            router: cairn_web::router(app),
            db,
        }
    }

    pub async fn with_demo() -> Self {
        let app = Self::new().await;
        app.import(DEMO).await;
        app
    }

    pub async fn import(&self, text: &str) {
        let fw = file::parse(text).expect("test framework parses");
        cairn_store::framework::replace(&self.db.store, &fw, 1_700_000_000_000)
            .await
            .expect("import");
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `selector`, whitespace folded.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// (href, text) of every link matching `selector`.
    pub fn links(&self, selector: &str) -> Vec<(String, String)> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| {
                let text = e.text().collect::<Vec<_>>().join("");
                (
                    e.value().attr("href").unwrap_or("").to_owned(),
                    text.split_whitespace().collect::<Vec<_>>().join(" "),
                )
            })
            .collect()
    }

    /// All visible text of the page, whitespace folded.
    pub fn text(&self) -> String {
        self.texts("body").join(" ")
    }
}

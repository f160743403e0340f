use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use cairn_domain::file;
use cairn_domain::membership::Capabilities;
use cairn_domain::membership::Capability;
use cairn_domain::people::{Email, NewPassword};
use cairn_domain::{Name, OrgSlug};
use cairn_store::orgs::OrgRecord;
use cairn_store::people::{Client as ClientInfo, Person};
use cairn_store::testing::{self, TestDb};
use cairn_store::{members, orgs, people};
use cairn_web::{App, Clock, secrets};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use tower::ServiceExt;

pub const DEMO: &str = include_str!("../../../../demo/fernhill.yaml");
pub const PASSWORD: &str = "a long test password";

/// One argon2 hash of PASSWORD for every test person (hashing is slow).
static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(cairn_web::password::hash(
        &NewPassword::parse(PASSWORD).expect("valid"),
    ))
    .expect("hash")
});

pub const START: i64 = 1_700_000_000_000;

/// The application over a fresh SQLite database, with a clock tests set.
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
    pub clock: Arc<AtomicI64>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::on(testing::sqlite().await)
    }

    pub fn on(db: TestDb) -> Self {
        let clock = Arc::new(AtomicI64::new(START));
        let mut app = App::new(db.store.clone());
        app.clock = Clock::Fixed(clock.clone());
        TestApp {
            router: cairn_web::router(app),
            db,
            clock,
        }
    }

    /// An instance started with `--demo`: the demo framework and people,
    /// and "Try the demo" on.
    pub async fn demo_instance() -> Self {
        let db = testing::sqlite().await;
        let clock = Arc::new(AtomicI64::new(START));
        let config = cairn_web::WebConfig {
            demo: true,
            ..Default::default()
        };
        let mut app = App::with_config(db.store.clone(), &config);
        app.clock = Clock::Fixed(clock.clone());
        let app = TestApp {
            router: cairn_web::router(app),
            db,
            clock,
        };
        app.import(DEMO).await;
        let org = app.org("fernhill").await;
        assert!(
            cairn_store::demo::people(&app.db.store, &org, START)
                .await
                .expect("demo people")
        );
        app
    }

    /// The demo framework on a server with these settings.
    pub async fn with_demo_config(config: cairn_web::WebConfig) -> Self {
        let db = testing::sqlite().await;
        let clock = Arc::new(AtomicI64::new(START));
        let mut app = App::with_config(db.store.clone(), &config);
        app.clock = Clock::Fixed(clock.clone());
        let app = TestApp {
            router: cairn_web::router(app),
            db,
            clock,
        };
        app.import(DEMO).await;
        app
    }

    pub async fn with_demo() -> Self {
        let app = Self::new().await;
        app.import(DEMO).await;
        app
    }

    pub async fn import(&self, text: &str) {
        let fw = file::parse(text).expect("test framework parses");
        cairn_store::framework::replace(&self.db.store, &fw, START)
            .await
            .expect("import");
    }

    /// Publishes `slug`'s framework as it is as its next version, at `at`.
    pub async fn publish(&self, slug: &str, at: i64) -> i64 {
        let org = self.org(slug).await;
        let current = cairn_store::framework::load(&self.db.store, &org)
            .await
            .expect("load");
        let snapshot = file::write(current.framework(), file::Format::Json).expect("write");
        let after = cairn_store::versions::latest(&self.db.store, &org.id)
            .await
            .expect("latest")
            .unwrap_or(0);
        let p = cairn_store::versions::Publish {
            after,
            read_at: current.version,
            snapshot: &snapshot,
            notes: "test",
            by: None,
        };
        cairn_store::versions::publish(&self.db.store, &org.id, &p, at)
            .await
            .expect("publish")
            .expect("published")
    }

    pub fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    pub async fn org(&self, slug: &str) -> OrgRecord {
        orgs::by_slug(&self.db.store, &OrgSlug::parse(slug).expect("slug"))
            .await
            .expect("read")
            .expect("org exists")
    }

    /// A person with PASSWORD (created directly in the store).
    pub async fn person(&self, email: &str) -> Person {
        let email = Email::parse(email).expect("email");
        let name =
            Name::parse(email.as_str().split('@').next().expect("local"), "name").expect("name");
        let hash = tokio::task::spawn_blocking(|| PASSWORD_HASH.clone())
            .await
            .expect("hash");
        people::create(&self.db.store, &email, &name, &hash, START)
            .await
            .expect("create person")
    }

    /// A person who is a member of `org` with `caps`, signed in.
    pub async fn member(&self, org: &str, email: &str, caps: Capabilities) -> Client<'_> {
        let person = self.person(email).await;
        let org = self.org(org).await;
        members::add(&self.db.store, &org.id, &person.id, caps, START)
            .await
            .expect("add member");
        members::set_capabilities(&self.db.store, &org.id, &person.id, caps)
            .await
            .expect("caps");
        self.signed_in(&person).await
    }

    /// A member of `org` called `name` (email `name@example.com`), signed
    /// in, with the id the store gave them: tests need not look people up
    /// by email.
    pub async fn join(&self, org: &str, name: &str, caps: Capabilities) -> Member<'_> {
        let email = format!("{name}@example.com");
        let client = self.member(org, &email, caps).await;
        let email = Email::parse(&email).expect("email");
        let (person, _) = people::by_email(&self.db.store, &email)
            .await
            .expect("read")
            .expect("just created");
        Member {
            client,
            id: person.id,
        }
    }

    /// A session for `person`, made directly in the store.
    pub async fn signed_in(&self, person: &Person) -> Client<'_> {
        let token = secrets::new_secret("").expect("random");
        people::start_session(
            &self.db.store,
            &secrets::hash(&token),
            &person.id,
            &ClientInfo::default(),
            START,
            i64::MAX,
        )
        .await
        .expect("session");
        Client {
            app: self,
            cookie: Some(token),
            ip: "192.0.2.1".into(),
        }
    }

    pub fn anon(&self) -> Client<'_> {
        Client {
            app: self,
            cookie: None,
            ip: "192.0.2.1".into(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.anon().get(path).await
    }
}

/// A member made by [`TestApp::join`]: their browser and their id.
pub struct Member<'a> {
    pub client: Client<'a>,
    pub id: cairn_store::people::PersonId,
}

/// A browser: keeps its session cookie across requests.
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
    pub ip: String,
}

impl Client<'_> {
    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path), Body::empty(), &[]).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(path, form, &[]).await
    }

    pub async fn post_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut h = vec![("content-type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        self.send(Request::post(path), Body::from(body), &h).await
    }

    /// A `multipart/form-data` post, as a browser sends a form with a file
    /// input: each field a part; `file` parts carry a file name
    /// (`people.csv`, or the one after `file:`, as in `file:acme.yaml`).
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        const BOUNDARY: &str = "cairn-test-boundary-7d3f";
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!("--{BOUNDARY}\r\n"));
            if let Some(rest) = name.strip_prefix("file") {
                let file_name = rest.strip_prefix(':').unwrap_or("people.csv");
                body.push_str(&format!("Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"));
            } else {
                body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                ));
            }
            body.push_str(value);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send(
            Request::post(path),
            Body::from(body),
            &[("content-type", &content_type)],
        )
        .await
    }

    pub async fn send(
        &mut self,
        builder: axum::http::request::Builder,
        body: Body,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut builder = builder.header("host", "cairn.test");
        if let Some(c) = &self.cookie {
            builder = builder.header(header::COOKIE, format!("cairn_session={c}"));
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let mut request = builder.body(body).expect("request");
        let addr: SocketAddr = format!("{}:40000", self.ip).parse().expect("addr");
        request.extensions_mut().insert(ConnectInfo(addr));
        let response = self
            .app
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("ascii");
            if let Some(rest) = set.strip_prefix("cairn_session=") {
                let value = rest.split(';').next().unwrap_or("");
                self.cookie = (!value.is_empty()).then(|| value.to_owned());
            }
        }
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

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
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
        self.texts("main").join(" ")
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Every page of a published framework, as an anonymous visitor sees it.
pub(crate) const FRAMEWORK_PAGES: &[&str] = &[
    "/fernhill",
    "/fernhill/abilities/code-quality",
    "/fernhill/roles/software-engineer",
    "/fernhill/positions/senior-engineer",
];

pub(crate) fn editor() -> Capabilities {
    Capabilities::of(&[Capability::FrameworkEditor])
}

/// The ability form's fields as the edit page fills them in.
pub(crate) fn form_of(page: &crate::support::Page) -> Vec<(String, String)> {
    let html = page.html();
    let inputs = scraper::Selector::parse(
        "form.stack input[name], form.stack textarea[name], form.stack select[name]",
    )
    .expect("sel");
    html.select(&inputs)
        .map(|e| {
            let name = e.value().attr("name").unwrap_or("").to_owned();
            let value = match e.value().name() {
                "textarea" => e.text().collect::<String>(),
                "select" => e
                    .select(&scraper::Selector::parse("option[selected]").expect("sel"))
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or("")
                    .to_owned(),
                _ => e.value().attr("value").unwrap_or("").to_owned(),
            };
            (name, value)
        })
        .collect()
}

pub(crate) fn set(form: &mut [(String, String)], key: &str, value: &str) {
    if let Some(slot) = form.iter_mut().find(|(k, _)| k == key) {
        slot.1 = value.to_owned();
    }
}

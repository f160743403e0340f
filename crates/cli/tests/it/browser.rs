//! Key flows in headless Chromium against the real server: what a person
//! sees. Needs Debian's `chromium` and `chromium-driver` (`.ci/run`
//! installs them); elsewhere the test says it was skipped, unless
//! CAIRN_TEST_REQUIRE_BROWSER=1. Screenshots land in target/screenshots/.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::{cairn, stderr};

/// Kills a child process when the test ends, however it ends.
pub(crate) struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

pub(crate) fn start_server(dir: &Path, db: &str) -> (Guard, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .current_dir(dir)
        .args([
            "--database-url",
            db,
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let stdout = child.stdout.take().expect("stdout");
    let guard = Guard(child);
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines.next().expect("server line").expect("utf-8");
        if let Some(rest) = line.strip_prefix("cairn listening on http://") {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    (guard, address)
}

pub(crate) fn create_user(dir: &Path, db: &str, email: &str, name: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .current_dir(dir)
        .args([
            "--database-url",
            db,
            "admin",
            "create-user",
            email,
            "--name",
            name,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"browser test password\n")
        .expect("write");
    assert!(child.wait().expect("wait").success());
}

/// `cairn admin grant fernhill EMAIL CAPABILITY`, which must succeed.
pub(crate) fn grant(dir: &Path, db: &str, email: &str, capability: &str) {
    let out = cairn(
        dir,
        &[
            "--database-url",
            db,
            "admin",
            "grant",
            "fernhill",
            email,
            capability,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The server's database, opened beside it, and the demo organization.
pub(crate) async fn fernhill(db: &str) -> (cairn_store::Store, cairn_store::orgs::OrgRecord) {
    let store = cairn_store::Store::open(db).await.expect("store");
    let org = cairn_store::orgs::by_slug(
        &store,
        &cairn_domain::OrgSlug::parse("fernhill").expect("slug"),
    )
    .await
    .expect("read")
    .expect("org");
    (store, org)
}

/// Looks members of `org` up by email.
async fn member_ids(
    store: &cairn_store::Store,
    org: &cairn_store::orgs::OrgRecord,
) -> impl Fn(&str) -> cairn_store::people::PersonId {
    let list = cairn_store::members::list(store, &org.id)
        .await
        .expect("list");
    move |email: &str| {
        list.iter()
            .find(|m| m.person.email.as_str() == email)
            .unwrap_or_else(|| panic!("no member {email}"))
            .person
            .id
            .clone()
    }
}

async fn save_screenshot(c: &Client, name: &str, width: u32) {
    c.set_window_size(width, 1800).await.expect("resize");
    shot(c, name).await;
}

/// A screenshot of the page as it is, to target/screenshots/NAME.png.
pub(crate) async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("save screenshot");
}

/// The text of the first element matching `css`. A click that submits a
/// form returns before the next page replaces this one, so an element
/// found on the old page may go stale before its text is read: it is
/// looked up again until the page settles.
pub(crate) async fn text(c: &Client, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = match c.find(Locator::Css(css)).await {
            Ok(element) => element.text().await,
            Err(e) => Err(e),
        };
        match found {
            Ok(text) => return text,
            Err(e) if Instant::now() >= deadline => panic!("{css}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Waits until the first element matching `css` reads `needle`, so a
/// check made right after a submit sees the next page, not the last one.
pub(crate) async fn wait_for_text(c: &Client, css: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = text(c, css).await;
        if now.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never read {needle:?}: {now}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.expect("login page");
    c.find(Locator::Css("#email"))
        .await
        .expect("email")
        .send_keys(email)
        .await
        .expect("type");
    c.find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys("browser test password")
        .await
        .expect("type");
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    wait_for(c, "header.site form.inline").await;
}

async fn sign_out(c: &Client) {
    c.find(Locator::Css("header.site form.inline button"))
        .await
        .expect("sign out")
        .click()
        .await
        .expect("click");
    wait_for(c, "a.button[href^='/signup']").await;
}

pub(crate) async fn wait_for(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.find(Locator::Css(css)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "waited for {css}: {}",
            c.current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How a session sees pages: a desktop window, a 320 px phone (Chrome's
/// mobile emulation: a real 320 px viewport, which a headless window
/// cannot be made), or a desktop in dark mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Look {
    Desktop,
    Phone,
    Dark,
}

impl Look {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Look::Desktop => "desktop",
            Look::Phone => "phone",
            Look::Dark => "dark",
        }
    }
}

/// A WebDriver session on headless Chromium, or None (with a note) when
/// chromium-driver is not installed. Keep the guards alive for the test.
async fn browser() -> Option<(Client, Guard, tempfile::TempDir)> {
    browser_as(Look::Desktop).await
}

pub(crate) async fn browser_as(look: Look) -> Option<(Client, Guard, tempfile::TempDir)> {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var("CAIRN_TEST_REQUIRE_BROWSER").map_or(true, |v| v != "1"),
            "CAIRN_TEST_REQUIRE_BROWSER=1 but chromedriver is not installed"
        );
        eprintln!("SKIPPED browser test: chromium-driver is not installed");
        return None;
    };
    let port = free_port();
    let driver = Guard(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = tempfile::tempdir().expect("profile");
    let mut caps = serde_json::Map::new();
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--no-first-run".into(),
        "--disable-sync".into(),
        "--hide-scrollbars".into(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    if look == Look::Dark {
        // Sets prefers-color-scheme: dark for the pages.
        args.push("--force-dark-mode".into());
    }
    let mut options = serde_json::json!({ "binary": "/usr/bin/chromium", "args": args });
    if look == Look::Phone {
        options["mobileEmulation"] = serde_json::json!({
            "deviceMetrics": { "width": 320, "height": 900, "pixelRatio": 2.0, "touch": true }
        });
    }
    caps.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("webdriver session");
    if look != Look::Phone {
        client.set_window_size(1280, 1800).await.expect("resize");
    }
    Some((client, driver, profile))
}

#[tokio::test(flavor = "multi_thread")]
async fn people_read_talk_and_edit_in_a_real_browser() {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("browser.db").display().to_string();
    let (_server, address) = start_server(d, &db);
    let base = format!("http://{address}");
    create_user(d, &db, "mia@example.com", "Mia");
    create_user(d, &db, "eddie@example.com", "Eddie");
    for (email, capability) in [
        ("mia@example.com", "member"),
        ("eddie@example.com", "framework-editor"),
    ] {
        grant(d, &db, email, capability);
    }

    // An anonymous visitor reads the ability page and meets the notice.
    let ability = format!("{base}/fernhill/abilities/incident-response");
    c.goto(&ability).await.expect("ability page");
    assert_eq!(text(&c, "h1").await, "Incident Response");
    assert!(
        text(&c, "section.conversations")
            .await
            .contains("This section is for Fernhill folks only.")
    );
    assert!(
        c.find(Locator::Css("#conversation-title")).await.is_err(),
        "no form for outsiders"
    );
    save_screenshot(&c, "ability-anonymous-desktop", 1280).await;
    save_screenshot(&c, "ability-anonymous-phone", 390).await;

    // A member starts a conversation; the health line changes.
    c.set_window_size(1280, 1800).await.expect("resize");
    sign_in(&c, &base, "mia@example.com").await;
    c.goto(&ability).await.expect("ability page");
    assert!(
        text(&c, "ul.health")
            .await
            .contains("Never conversed about")
    );
    c.find(Locator::Css("#conversation-title"))
        .await
        .expect("title")
        .send_keys("Who runs the Saturday rota?")
        .await
        .expect("type");
    c.find(Locator::Css("#conversation-body"))
        .await
        .expect("body")
        .send_keys("Asking for **the platform team**.")
        .await
        .expect("type");
    c.find(Locator::XPath(
        "//button[normalize-space()='Start conversation']",
    ))
    .await
    .expect("start")
    .click()
    .await
    .expect("submit");
    wait_for(&c, "article.thread").await;
    assert!(
        text(&c, "article.thread")
            .await
            .contains("Who runs the Saturday rota?")
    );
    assert!(
        text(&c, "ul.health")
            .await
            .contains("Conversed about 1 time, last less than a minute ago")
    );
    save_screenshot(&c, "ability-member-desktop", 1280).await;
    save_screenshot(&c, "ability-member-phone", 390).await;
    c.set_window_size(1280, 1800).await.expect("resize");
    sign_out(&c).await;

    // An editor edits a milestone and sees it in history.
    sign_in(&c, &base, "eddie@example.com").await;
    c.goto(&format!("{base}/fernhill/abilities/incident-response/edit"))
        .await
        .expect("edit page");
    let examples = c
        .find(Locator::Css("#m2_examples"))
        .await
        .expect("examples");
    examples
        .send_keys("\nHands over the pager with a written summary.")
        .await
        .expect("type");
    c.find(Locator::XPath("//button[normalize-space()='Save changes']"))
        .await
        .expect("save")
        .click()
        .await
        .expect("submit");
    wait_for(&c, "ul.health").await;
    c.goto(&format!(
        "{base}/fernhill/abilities/incident-response/history"
    ))
    .await
    .expect("history");
    let history = text(&c, "ol.history").await;
    assert!(
        history.contains("Updated less than a minute ago by Eddie"),
        "{history}"
    );
    assert!(
        history.contains("+ Hands over the pager with a written summary."),
        "{history}"
    );
    save_screenshot(&c, "history-desktop", 1280).await;
    c.close().await.expect("close");
}

async fn select(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .expect("select option");
}

/// The chart as drawn: each wedge's ability and how many rings it fills.
async fn polygon(c: &Client) -> String {
    c.execute(
        "return [...document.querySelectorAll('figure.radial svg g.wedge')]
           .map(g => g.dataset.ability + '=' + g.querySelectorAll('path.on').length).join(' ');",
        vec![],
    )
    .await
    .expect("chart")
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_observation_becomes_evidence_for_an_award_and_the_journey_grows() {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("journey.db").display().to_string();
    let (_server, address) = start_server(d, &db);
    let base = format!("http://{address}");
    for (email, name) in [
        ("olive@example.com", "Olive"),
        ("rae@example.com", "Rae"),
        ("max@example.com", "Max"),
    ] {
        create_user(d, &db, email, name);
        grant(d, &db, email, "member");
    }
    // Rae reports to Max (set in the same database the server uses).
    let (store, org) = fernhill(&db).await;
    let id = member_ids(&store, &org).await;
    let (rae, max) = (id("rae@example.com"), id("max@example.com"));
    cairn_store::members::set_manager(&store, &org.id, &rae, Some(&max))
        .await
        .expect("set")
        .expect("ok");
    store.close().await;

    // Olive writes and publishes an observation of Rae, rating Mentoring.
    sign_in(&c, &base, "olive@example.com").await;
    c.goto(&format!("{base}/fernhill/observations/new"))
        .await
        .expect("form");
    select(
        &c,
        &format!("input[name=observee][value='{}']", rae.as_str()),
    )
    .await;
    c.execute(
        "document.getElementById('observed_on').value = '2024-03-05';",
        vec![],
    )
    .await
    .expect("date");
    c.find(Locator::Css("#story"))
        .await
        .expect("story")
        .send_keys("Rae paired with two new joiners all week.")
        .await
        .expect("type");
    select(&c, "input[name=rate_mentoring][value='strong']").await;
    select(&c, "input[name=privacy][value='organization']").await;
    c.find(Locator::XPath("//button[normalize-space()='Publish']"))
        .await
        .expect("publish")
        .click()
        .await
        .expect("submit");
    wait_for(&c, "#privacy option[value='organization'][selected]").await;
    sign_out(&c).await;

    // Max, Rae's manager, awards Mentoring M1 citing it.
    sign_in(&c, &base, "max@example.com").await;
    let journey = format!("{base}/fernhill/people/{}", rae.as_str());
    c.goto(&journey).await.expect("journey");
    assert_eq!(text(&c, ".big").await, "0 miles");
    let before = polygon(&c).await;
    save_screenshot(&c, "journey-before-desktop", 1280).await;
    c.set_window_size(1280, 1800).await.expect("resize");
    select(&c, "#ability option[value='mentoring']").await;
    select(&c, "#level option[value='1']").await;
    c.find(Locator::Css("input[name=evidence]"))
        .await
        .expect("evidence")
        .click()
        .await
        .expect("check");
    c.find(Locator::XPath("//button[normalize-space()='Award']"))
        .await
        .expect("award")
        .click()
        .await
        .expect("submit");
    wait_for(&c, "ul.awards li").await;
    sign_out(&c).await;

    // Rae sees the new miles and a different chart.
    sign_in(&c, &base, "rae@example.com").await;
    c.goto(&journey).await.expect("journey");
    assert_eq!(text(&c, ".big").await, "1 mile");
    assert!(
        text(&c, "ul.awards")
            .await
            .contains("Mentoring: milestone 1")
    );
    assert_ne!(polygon(&c).await, before, "the chart changed");
    save_screenshot(&c, "journey-after-desktop", 1280).await;
    save_screenshot(&c, "journey-after-phone", 390).await;
    c.close().await.expect("close");
}

/// Clicks the visible text of the rating pill `value` of every row whose
/// radios are named `rate_…` inside `form`.
async fn rate_all(c: &Client, form: &str, value: &str) {
    let radios = c
        .find_all(Locator::Css(&format!(
            "{form} input[type=radio][value='{value}']"
        )))
        .await
        .expect("radios");
    assert!(!radios.is_empty(), "{form}: no {value} radios");
    for r in radios {
        r.click().await.expect("rate");
    }
}

async fn press(c: &Client, label: &str) {
    c.find(Locator::XPath(&format!(
        "(//button[normalize-space()='{label}'])[1]"
    )))
    .await
    .unwrap_or_else(|e| panic!("button {label}: {e}"))
    .click()
    .await
    .expect("click");
}

/// A check-in from opening to acknowledging, in the browser; then the
/// framework changes and the finalized check-in stays as it was.
#[tokio::test(flavor = "multi_thread")]
async fn a_check_in_is_taken_finalized_acknowledged_and_stays_frozen() {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("check-in.db").display().to_string();
    let (_server, address) = start_server(d, &db);
    let base = format!("http://{address}");
    for (email, name, cap) in [
        ("mia@example.com", "Mia", "member"),
        ("max@example.com", "Max", "member"),
        ("eddie@example.com", "Eddie", "framework-editor"),
    ] {
        create_user(d, &db, email, name);
        grant(d, &db, email, cap);
    }
    let (store, org) = fernhill(&db).await;
    let id = member_ids(&store, &org).await;
    let (mia, max) = (id("mia@example.com"), id("max@example.com"));
    cairn_store::members::set_manager(&store, &org.id, &mia, Some(&max))
        .await
        .expect("set")
        .expect("ok");
    store.close().await;
    let journey = format!("{base}/fernhill/people/{}", mia.as_str());

    // Max opens it from Mia's journey and fills in his side.
    sign_in(&c, &base, "max@example.com").await;
    c.goto(&journey).await.expect("journey");
    press(&c, "Open a check-in").await;
    wait_for(&c, "form.check-in-form").await;
    let href = c.current_url().await.expect("url").to_string();
    rate_all(&c, "form.check-in-form", "meeting").await;
    press(&c, "Complete my side").await;
    wait_for_text(&c, "ul.progress", "The manager's side: completed").await;
    sign_out(&c).await;

    // Mia fills in hers; then both show, the differences marked.
    sign_in(&c, &base, "mia@example.com").await;
    c.goto(&href).await.expect("check-in");
    wait_for(&c, "form.check-in-form").await;
    rate_all(&c, "form.check-in-form", "exceeding").await;
    c.find(Locator::Css("#note_code-quality"))
        .await
        .expect("note")
        .send_keys("I review every change on the team.")
        .await
        .expect("type");
    press(&c, "Complete my side").await;
    wait_for(&c, "table.check-in-table").await;
    assert_eq!(
        c.find_all(Locator::Css("tr.differs"))
            .await
            .expect("rows")
            .len(),
        2,
        "both abilities differ"
    );
    save_screenshot(&c, "check-in-revealed-desktop", 1280).await;
    c.set_window_size(1280, 1800).await.expect("resize");
    sign_out(&c).await;

    // Max agrees and finalizes.
    sign_in(&c, &base, "max@example.com").await;
    c.goto(&href).await.expect("check-in");
    wait_for(&c, "form[action$='/finalize']").await;
    select(&c, "input[name=overall][value=accomplished]").await;
    c.find(Locator::Css("#summary"))
        .await
        .expect("summary")
        .send_keys("Steady progress on both.")
        .await
        .expect("type");
    press(&c, "Finalize").await;
    wait_for(&c, "p.notice").await;
    wait_for_text(&c, "main", "Measured against the framework as of").await;
    sign_out(&c).await;

    // Mia acknowledges.
    sign_in(&c, &base, "mia@example.com").await;
    c.goto(&href).await.expect("check-in");
    press(&c, "Acknowledge").await;
    wait_for_text(&c, "main", "Acknowledged by Mia").await;
    let before = text(&c, "main").await;
    assert!(before.contains("Code Quality"));
    sign_out(&c).await;

    // The framework changes; the finalized check-in does not.
    sign_in(&c, &base, "eddie@example.com").await;
    c.goto(&format!("{base}/fernhill/abilities/code-quality/edit"))
        .await
        .expect("edit");
    let name = c.find(Locator::Css("#name")).await.expect("name");
    name.clear().await.expect("clear");
    name.send_keys("Code Craft").await.expect("type");
    press(&c, "Save changes").await;
    wait_for(&c, "ul.health").await;
    sign_out(&c).await;
    sign_in(&c, &base, "mia@example.com").await;
    c.goto(&href).await.expect("check-in");
    wait_for(&c, "table.check-in-table").await;
    let after = text(&c, "main").await;
    assert!(
        after.contains("Code Quality") && !after.contains("Code Craft"),
        "{after}"
    );
    assert!(after.contains("what changed"), "{after}");
    assert!(after.contains("Overall: Accomplished"));
    save_screenshot(&c, "check-in-finalized-desktop", 1280).await;
    c.close().await.expect("close");
}

/// Types `value` into the field `css`, replacing what it held.
async fn replace_text(c: &Client, css: &str, value: &str) {
    let field = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Versions, drafts and proposals end to end: v1 is published; a member
/// is awarded a milestone under it; the organization switches to "draft
/// and publish"; an editor drafts a change to that milestone; a member
/// proposes another change, an editor replies in its thread and accepts
/// it; v2 is published with notes; the public changes page and the Atom
/// feed show both changes and the proposal's author, and the member's
/// journey says the milestone changed since it was awarded.
#[tokio::test(flavor = "multi_thread")]
async fn a_draft_and_a_proposal_are_published_as_a_version_people_can_follow() {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("versions.db").display().to_string();
    let (_server, address) = start_server(d, &db);
    let base = format!("http://{address}");
    for (email, name, caps) in [
        ("ada@example.com", "Ada", &["admin", "framework-editor"][..]),
        ("eddie@example.com", "Eddie", &["framework-editor"][..]),
        ("mia@example.com", "Mia", &["member"][..]),
    ] {
        create_user(d, &db, email, name);
        for cap in caps {
            grant(d, &db, email, cap);
        }
    }
    c.set_window_size(1280, 1800).await.expect("resize");

    // v1, published by an admin as things are.
    sign_in(&c, &base, "ada@example.com").await;
    c.goto(&format!("{base}/fernhill/changes"))
        .await
        .expect("changes");
    replace_text(&c, "#notes", "The framework as we first wrote it down.").await;
    press(&c, "Publish v1").await;
    wait_for(&c, "#version-1").await;

    // Mia is awarded Incident Response milestone 1 under v1.
    let (store, org) = fernhill(&db).await;
    let id = member_ids(&store, &org).await;
    let (mia, ada) = (id("mia@example.com"), id("ada@example.com"));
    cairn_store::awards::award(
        &store,
        &org.id,
        &ada,
        &cairn_store::awards::NewAward {
            recipient: mia.clone(),
            ability: cairn_domain::Slug::parse("incident-response").expect("slug"),
            levels: vec![cairn_domain::Level::parse(1).expect("level")],
            note: "Ran the rota handover well.".into(),
            visibility: cairn_domain::awards::AwardVisibility::Organization,
            evidence: Vec::new(),
        },
        cairn_store::system_now(),
    )
    .await
    .expect("award");
    store.close().await;

    // The admin switches to "draft and publish".
    c.goto(&format!("{base}/fernhill/changes"))
        .await
        .expect("changes");
    select(&c, "#publishing-drafts").await;
    press(&c, "Save publishing").await;
    wait_for(&c, "#draft").await;
    sign_out(&c).await;

    // An editor drafts a change to the milestone Mia holds.
    sign_in(&c, &base, "eddie@example.com").await;
    c.goto(&format!("{base}/fernhill/abilities/incident-response/edit"))
        .await
        .expect("edit");
    replace_text(
        &c,
        "#m1_summary",
        "Joins the on-call rotation and takes the first page of a known incident calmly.",
    )
    .await;
    press(&c, "Save changes").await;
    wait_for(&c, "#draft").await;
    assert!(
        text(&c, "section[aria-labelledby=draft]")
            .await
            .contains("ability incident-response milestone 1: summary changed"),
        "the draft lists the change"
    );
    // Readers still see v1.
    sign_out(&c).await;
    c.goto(&format!("{base}/fernhill/abilities/incident-response"))
        .await
        .expect("ability");
    assert!(
        !text(&c, "main")
            .await
            .contains("first page of a known incident calmly")
    );

    // Mia proposes a change to another ability.
    sign_in(&c, &base, "mia@example.com").await;
    c.goto(&format!("{base}/fernhill/abilities/code-quality/propose"))
        .await
        .expect("propose");
    replace_text(
        &c,
        "#description",
        "Code the next person can read, change and trust, a year from now.",
    )
    .await;
    replace_text(&c, "#rationale", "Reviewers ask for this every week.").await;
    press(&c, "Propose this change").await;
    wait_for(&c, "#support-button").await;
    let proposal = c.current_url().await.expect("url").to_string();
    sign_out(&c).await;

    // The editor replies in its thread, then accepts it into the draft.
    sign_in(&c, &base, "eddie@example.com").await;
    c.goto(&proposal).await.expect("proposal");
    let thread = c
        .find(Locator::Css("p.lede a[href*='#thread-']"))
        .await
        .expect("thread link")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    let fragment = thread.rsplit_once('#').expect("fragment").1.to_owned();
    c.goto(&format!("{base}{thread}")).await.expect("thread");
    replace_text(
        &c,
        &format!("#{fragment} textarea[name=body]"),
        "Agreed: it says what we review for.",
    )
    .await;
    c.find(Locator::Css(&format!("#{fragment} button[type=submit]")))
        .await
        .expect("reply")
        .click()
        .await
        .expect("click");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !c
        .source()
        .await
        .expect("source")
        .contains("Agreed: it says what we review for.")
    {
        assert!(Instant::now() < deadline, "the reply never showed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.goto(&proposal).await.expect("proposal");
    c.find(Locator::Css("#accept"))
        .await
        .expect("accept")
        .click()
        .await
        .expect("click");
    // Accepted into the draft: the changes page shows it.
    wait_for(&c, "#draft").await;
    c.goto(&proposal).await.expect("proposal");
    assert_eq!(text(&c, "p.lede .chip").await, "Accepted");

    // Published as v2 with notes.
    c.goto(&format!("{base}/fernhill/changes"))
        .await
        .expect("changes");
    assert!(
        text(&c, "section[aria-labelledby=draft]")
            .await
            .contains("Mia"),
        "the accepted proposal waits in the draft's notes"
    );
    replace_text(
        &c,
        "#notes",
        "Clearer incident response; code quality reworded.",
    )
    .await;
    press(&c, "Publish v2").await;
    wait_for(&c, "#version-2").await;
    sign_out(&c).await;

    // The public changes page and the feed show both, and who proposed.
    c.goto(&format!("{base}/fernhill/changes"))
        .await
        .expect("changes");
    let v2 = text(&c, "#version-2").await;
    for want in [
        "Clearer incident response; code quality reworded.",
        "ability incident-response milestone 1: summary changed",
        "ability code-quality: description changed",
        "Mia",
    ] {
        assert!(v2.contains(want), "v2 lacks {want:?}: {v2}");
    }
    shot(&c, "changes-public").await;
    c.goto(&format!("{base}/fernhill/changes.atom"))
        .await
        .expect("feed");
    let feed = c.source().await.expect("source");
    for want in [
        "Clearer incident response",
        "ability incident-response milestone 1: summary changed",
        "ability code-quality: description changed",
        "Mia",
    ] {
        assert!(feed.contains(want), "the feed lacks {want:?}");
    }

    // Mia's journey: awarded under v1, and the milestone changed since.
    sign_in(&c, &base, "mia@example.com").await;
    c.goto(&format!("{base}/fernhill/people/{}", mia.as_str()))
        .await
        .expect("journey");
    let journey = text(&c, "main").await;
    assert!(journey.contains("awarded under v1"), "{journey}");
    assert!(journey.contains("the milestone changed since"), "{journey}");
    let link = c
        .find(Locator::LinkText("see what changed"))
        .await
        .expect("link")
        .attr("href")
        .await
        .expect("href");
    assert_eq!(link.as_deref(), Some("/fernhill/changes/1...latest"));
    shot(&c, "journey-milestone-changed").await;
}

/// The playground with JavaScript: a milestone chosen with the keyboard,
/// then a click on a ring of the chart, each redraw the picture at once
/// and put it in the address; "Copy link" appears.
#[tokio::test(flavor = "multi_thread")]
async fn the_playground_redraws_at_once_from_keys_and_clicks() {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("explore.db").display().to_string();
    let (_server, address) = start_server(d, &db);
    let base = format!("http://{address}");
    c.goto(&format!("{base}/fernhill/explore"))
        .await
        .expect("explore");
    wait_for_text(&c, ".totals .big", "0 miles").await;
    assert!(
        c.find(Locator::Css("button[data-copy]:not([hidden])"))
            .await
            .is_ok(),
        "the script shows Copy link"
    );
    // The keyboard: focus the select and press the down arrow twice.
    let select = c
        .find(Locator::Css("#l-code-quality"))
        .await
        .expect("select");
    select.send_keys("\u{e015}").await.expect("down");
    wait_for_text(&c, ".totals .big", "1 mile").await;
    c.find(Locator::Css("#l-code-quality"))
        .await
        .expect("select")
        .send_keys("\u{e015}")
        .await
        .expect("down");
    wait_for_text(&c, ".totals .big", "3 miles").await;
    let url = c.current_url().await.expect("url").to_string();
    assert!(url.ends_with("/fernhill/explore?m=code-quality:2"), "{url}");
    // A click on the third ring of Testing's wedge.
    c.find(Locator::Css(
        "g.wedge[data-ability=testing] path:nth-of-type(3)",
    ))
    .await
    .expect("ring")
    .click()
    .await
    .expect("click");
    wait_for_text(&c, ".totals .big", "9 miles").await;
    let url = c.current_url().await.expect("url").to_string();
    assert!(
        url.ends_with("/fernhill/explore?m=code-quality:2,testing:3"),
        "{url}"
    );
    c.close().await.expect("close");
}

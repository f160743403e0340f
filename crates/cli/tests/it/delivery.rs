//! Notifications leaving `cairn serve` for real receivers: a real SMTP
//! server (aiosmtpd, writing a maildir that Python's `email` package reads
//! back) and a local HTTP receiver for webhooks. Forgot-password end to
//! end, an invitation accepted from its email, an observation's email with
//! a working link and one-click unsubscribe, SMTP down (retried, then
//! failed where admins see it), and webhooks signed, retried and never
//! redirected.
//!
//! Needs aiosmtpd (Debian's python3-aiosmtpd, or from PyPI); says skipped
//! without it, unless CAIRN_TEST_REQUIRE_SMTP=1 (CI).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{DEMO, cairn, stderr, stdout};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The Python that has aiosmtpd, if any.
fn smtp_python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn skip(what: &str) -> bool {
    if std::env::var("CAIRN_TEST_REQUIRE_SMTP").as_deref() == Ok("1") {
        panic!("{what} is required (CAIRN_TEST_REQUIRE_SMTP=1)");
    }
    eprintln!("SKIPPED: {what} is not installed");
    true
}

/// A real SMTP server on a free port, delivering into a maildir.
pub struct Smtp {
    child: Child,
    pub port: u16,
    python: &'static str,
    dir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: HashMap<String, String>,
    pub text: String,
    pub html: String,
}

const READ_MAILDIR: &str = r#"
import email, email.policy, json, os, sys
out = []
new = os.path.join(sys.argv[1], "new")
for name in sorted(os.listdir(new), key=lambda n: os.stat(os.path.join(new, n)).st_mtime_ns):
    raw = open(os.path.join(new, name), "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    text = m.get_body(("plain",))
    html = m.get_body(("html",))
    out.append({
        "headers": {k.lower(): str(v) for k, v in m.items()},
        "text": text.get_content() if text else "",
        "html": html.get_content() if html else "",
    })
print(json.dumps(out))
"#;

impl Smtp {
    pub fn start() -> Option<Smtp> {
        let Some(python) = smtp_python() else {
            skip("aiosmtpd");
            return None;
        };
        let dir = tempfile::tempdir().expect("dir");
        let port = free_port();
        let maildir = dir.path().join("mail");
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Smtp {
            child,
            port,
            python,
            dir,
        })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        let maildir = self.dir.path().join("mail");
        if !maildir.join("new").exists() {
            return Vec::new();
        }
        let out = Command::new(self.python)
            .args(["-c", READ_MAILDIR])
            .arg(&maildir)
            .output()
            .expect("read the maildir");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list: Vec<serde_json::Value> =
            serde_json::from_slice(&out.stdout).expect("maildir JSON");
        list.into_iter()
            .map(|m| Mail {
                headers: m["headers"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                            .collect()
                    })
                    .unwrap_or_default(),
                text: m["text"].as_str().unwrap_or("").to_owned(),
                html: m["html"].as_str().unwrap_or("").to_owned(),
            })
            .collect()
    }

    /// Waits (up to 20 s) for a mail to `to` whose subject contains
    /// `subject`.
    pub fn wait_for(&self, to: &str, subject: &str) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(m) = self.mails().into_iter().find(|m| {
                m.headers.get("to").is_some_and(|t| t.contains(to))
                    && m.headers
                        .get("subject")
                        .is_some_and(|s| s.contains(subject))
            }) {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {to} about {subject:?}; got {:?}",
                self.mails()
                    .iter()
                    .map(|m| m.headers.get("subject").cloned())
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The first link in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .expect("a link")
        .to_owned()
}

pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// A browser-like client: keeps its session cookie.
pub struct Http {
    pub address: String,
    pub cookie: Option<String>,
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Http {
    pub fn new(address: &str, cookie: Option<&str>) -> Http {
        Http {
            address: address.to_owned(),
            cookie: cookie.map(|c| c.trim_start_matches("cairn_session=").to_owned()),
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, "")
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        self.send("POST", path, &body.join("&"))
    }

    pub fn send(&mut self, method: &str, path: &str, body: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.address
        );
        if let Some(c) = &self.cookie {
            req.push_str(&format!("Cookie: cairn_session={c}\r\n"));
        }
        if method == "POST" {
            req.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        stream.write_all(req.as_bytes()).expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut headers = HashMap::new();
        for l in lines {
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
                if k == "set-cookie"
                    && let Some(rest) = v.strip_prefix("cairn_session=")
                {
                    let value = rest.split(';').next().unwrap_or("");
                    self.cookie = (!value.is_empty()).then(|| value.to_owned());
                }
                headers.insert(k, v);
            }
        }
        Reply {
            status,
            headers,
            body: body.to_owned(),
        }
    }
}

/// A Fernhill database (SQLite in `dir`) with accounts: (email,
/// capability); returns their session cookies in order.
pub fn fernhill(dir: &Path, accounts: &[(&str, &str)]) -> (String, Vec<String>) {
    let url = format!("sqlite://{}", dir.join("cairn.db").display());
    let cookies = fernhill_at(dir, &url, accounts);
    (url, cookies)
}

/// [`fernhill`] in the database at `url`.
pub fn fernhill_at(dir: &Path, url: &str, accounts: &[(&str, &str)]) -> Vec<String> {
    let url = url.to_owned();
    std::fs::write(dir.join("demo.yaml"), DEMO).expect("write");
    let out = cairn(dir, &["--database-url", &url, "import", "demo.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut cookies = Vec::new();
    for (email, cap) in accounts {
        create_user(dir, &url, email, "a long password");
        let out = cairn(
            dir,
            &[
                "--database-url",
                &url,
                "admin",
                "grant",
                "fernhill",
                email,
                cap,
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cairn(dir, &["--database-url", &url, "admin", "session", email]);
        assert!(out.status.success(), "{}", stderr(&out));
        cookies.push(stdout(&out).trim().to_owned());
    }
    cookies
}

pub fn create_user(dir: &Path, url: &str, email: &str, password: &str) {
    let mut create = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .current_dir(dir)
        .args(["--database-url", url, "admin", "create-user", email])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    create
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write");
    assert!(create.wait().expect("wait").success());
}

pub struct Server {
    child: Child,
    pub address: String,
}

impl Server {
    /// SIGKILL: no shutdown, leases held are left to expire.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cairn serve` on `url` with `env` settings, on a port chosen first so
/// the base URL can name it.
pub fn serve(url: &str, env: &[(&str, &str)]) -> Server {
    serve_with(url, &[], env)
}

/// [`serve`] with global arguments first (`--config FILE`).
pub fn serve_with(url: &str, first: &[&str], env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cairn"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CAIRN_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .args(first)
        .args(["--database-url", url, "serve", "--bind", &address])
        .args(["--base-url", &format!("http://{address}")])
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("cairn listening on") => break,
            Some(_) => {}
            None => panic!("cairn serve stopped before listening"),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Server { child, address }
}

/// The person id behind an email (from the people page's links).
pub fn person_id(http: &mut Http, name: &str) -> String {
    let page = http.get("/fernhill/people");
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page
        .body
        .find(&format!(">{name}<"))
        .unwrap_or_else(|| panic!("{name} not on the people page"));
    let before = &page.body[..at];
    let href = before.rfind("/fernhill/people/").expect("a member link");
    before[href + "/fernhill/people/".len()..]
        .split('"')
        .next()
        .expect("id")
        .to_owned()
}

pub fn publish(http: &mut Http, observee: &str, privacy: &str, story: &str) -> String {
    let r = http.post(
        "/fernhill/observations/new",
        &[
            ("observee", observee),
            ("observed_on", "2026-11-20"),
            ("story", story),
            ("rate_incident-response", "strong"),
            ("privacy", privacy),
            ("action", "publish"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.headers.get("location").cloned().expect("location")
}

#[test]
fn a_forgotten_password_is_reset_from_its_email_and_every_session_ends() {
    let Some(smtp) = Smtp::start() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let (url, cookies) = fernhill(dir.path(), &[("ana@example.com", "member")]);
    let server = serve(&url, &[("CAIRN_SMTP_URL", &smtp.url())]);
    let mut old = Http::new(&server.address, Some(&cookies[0]));
    assert_eq!(old.get("/settings/account").status, 200);

    let mut anon = Http::new(&server.address, None);
    let known = anon.post("/forgot-password", &[("email", "ana@example.com")]);
    let unknown = anon.post("/forgot-password", &[("email", "nobody@example.com")]);
    assert_eq!((known.status, unknown.status), (200, 200));
    let said = |b: &str| {
        b.split("<main")
            .nth(1)
            .unwrap_or("")
            .replace("nobody@example.com", "X")
            .replace("ana@example.com", "X")
    };
    assert_eq!(
        said(&known.body),
        said(&unknown.body),
        "the same answer either way"
    );

    let mail = smtp.wait_for("ana@example.com", "Reset your cairn password");
    assert!(mail.headers["message-id"].starts_with('<'));
    assert!(
        !mail.headers.contains_key("list-unsubscribe"),
        "not a notification"
    );
    let base = format!("http://{}", server.address);
    let link = link_in(&mail.text, &format!("{base}/forgot-password/"));
    assert_eq!(
        link,
        link_in(&mail.html, &format!("{base}/forgot-password/"))
    );
    let path = link.trim_start_matches(&base).to_owned();
    let form = anon.get(&path);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Choose a new password"));
    let short = anon.post(&path, &[("password", "short")]);
    assert_eq!(short.status, 422);
    let done = anon.post(&path, &[("password", "a brand new password")]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.headers["location"], "/login?reset=done");

    // Every old session ended; the new password works, the old does not.
    assert_eq!(old.get("/settings/account").status, 303);
    let mut fresh = Http::new(&server.address, None);
    let r = fresh.post(
        "/login",
        &[
            ("email", "ana@example.com"),
            ("password", "a long password"),
        ],
    );
    assert_eq!(r.status, 401);
    let r = fresh.post(
        "/login",
        &[
            ("email", "ana@example.com"),
            ("password", "a brand new password"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(fresh.get("/settings/account").status, 200);
    // The link worked once.
    let again = anon.get(&path);
    assert!(again.body.contains("expired or was used"), "{}", again.body);
    assert_eq!(
        anon.post(&path, &[("password", "yet another password")])
            .status,
        422
    );
}

#[test]
fn an_invitation_is_accepted_from_its_email() {
    let Some(smtp) = Smtp::start() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let (url, cookies) = fernhill(dir.path(), &[("olive@example.com", "admin")]);
    let server = serve(&url, &[("CAIRN_SMTP_URL", &smtp.url())]);
    let mut admin = Http::new(&server.address, Some(&cookies[0]));
    let bad = admin.post(
        "/fernhill/settings/invitations",
        &[("note", "Sam"), ("email", "not an address")],
    );
    assert_eq!(bad.status, 422);
    let made = admin.post(
        "/fernhill/settings/invitations",
        &[
            ("note", "Sam, <b>platform</b> team"),
            ("email", "sam@example.com"),
        ],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.body.contains("on its way to sam@example.com"));

    let mail = smtp.wait_for("sam@example.com", "invited you to join Fernhill");
    assert!(
        mail.html
            .contains("Sam, &#60;b&#62;platform&#60;/b&#62; team")
            && !mail.html.contains("<b>platform"),
        "escaped in HTML: {}",
        mail.html
    );
    assert!(
        mail.text.contains("Sam, <b>platform</b> team"),
        "plain in text: {}",
        mail.text
    );
    let base = format!("http://{}", server.address);
    let link = link_in(&mail.text, &format!("{base}/invite/"));
    assert!(made.body.contains(&link), "the page shows the same link");
    let path = link.trim_start_matches(&base).to_owned();

    let mut sam = Http::new(&server.address, None);
    let r = sam.post(
        &format!("/signup?next={}", encode(&path)),
        &[
            ("name", "Sam"),
            ("email", "sam@example.com"),
            ("password", "sams long password"),
            ("next", &path),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = sam.post(&path, &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(sam.get("/fernhill/people").status, 200, "a member now");
}

#[test]
fn an_observation_emails_its_observee_with_a_working_link_and_one_click_unsubscribe() {
    let Some(smtp) = Smtp::start() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let (url, cookies) = fernhill(
        dir.path(),
        &[
            ("olive@example.com", "member"),
            ("ana@example.com", "member"),
        ],
    );
    let server = serve(&url, &[("CAIRN_SMTP_URL", &smtp.url())]);
    let mut olive = Http::new(&server.address, Some(&cookies[0]));
    let mut ana = Http::new(&server.address, Some(&cookies[1]));
    let ana_id = person_id(&mut olive, "ana");
    let story = "<script>alert(1)</script> Ana ran the **review**.";
    let href = publish(&mut olive, &ana_id, "observees", story);

    let mail = smtp.wait_for("ana@example.com", "olive wrote an observation of you");
    let base = format!("http://{}", server.address);
    let link = link_in(&mail.text, &format!("{base}{href}"));
    assert_eq!(link, format!("{base}{href}"));
    assert!(!mail.html.contains("<script>"));
    assert_eq!(ana.get(&href).status, 200, "the link opens for its reader");
    assert_eq!(Http::new(&server.address, None).get(&href).status, 404);
    // The stable id receivers drop duplicates by.
    assert!(
        mail.headers["message-id"].ends_with("@localhost>")
            || mail.headers["message-id"].contains('@')
    );

    // One-click unsubscribe (RFC 8058): a POST without cookie or origin.
    assert_eq!(
        mail.headers["list-unsubscribe-post"],
        "List-Unsubscribe=One-Click"
    );
    let unsubscribe = mail.headers["list-unsubscribe"]
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    assert_eq!(
        unsubscribe,
        link_in(
            &mail.text,
            &format!("{base}/settings/notifications/unsubscribe/")
        )
    );
    let path = unsubscribe.trim_start_matches(&base).to_owned();
    let mut mail_client = Http::new(&server.address, None);
    let page = mail_client.get(&path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Unsubscribe"), "{}", page.body);
    let done = mail_client.send("POST", &path, "List-Unsubscribe=One-Click");
    assert_eq!(done.status, 200, "{}", done.body);
    let forged = path.replace("observed", "awarded");
    assert_eq!(mail_client.send("POST", &forged, "").status, 404);
    let prefs = ana.get("/settings/notifications");
    assert!(
        prefs
            .body
            .contains(r#"name="observed" value="inbox" checked"#),
        "{}",
        prefs.body
    );

    // The next observation reaches the inbox and not the mailbox.
    let before = smtp.mails().len();
    let second = publish(&mut olive, &ana_id, "observees", "Again, well done.");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(smtp.mails().len(), before, "unsubscribed");
    let inbox = ana.get("/notifications");
    assert_eq!(
        inbox
            .body
            .matches("olive wrote an observation of you")
            .count(),
        2
    );
    assert!(!second.is_empty());
}

#[test]
fn with_the_smtp_server_down_mail_is_retried_then_failed_where_admins_see_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, cookies) = fernhill(dir.path(), &[("olive@example.com", "admin")]);
    let closed = free_port();
    let server = serve(
        &url,
        &[
            ("CAIRN_SMTP_URL", &format!("smtp://127.0.0.1:{closed}")),
            ("CAIRN_DELIVERY_ATTEMPTS", "2"),
            ("CAIRN_DELIVERY_BACKOFF_SECONDS", "1"),
        ],
    );
    let mut admin = Http::new(&server.address, Some(&cookies[0]));
    let started = Instant::now();
    let made = admin.post(
        "/fernhill/settings/invitations",
        &[("email", "sam@example.com")],
    );
    assert_eq!(made.status, 200, "the request does not wait for the mail");
    assert!(started.elapsed() < Duration::from_secs(5));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = admin.get("/fernhill/settings/deliveries");
        assert_eq!(page.status, 200);
        if page.body.contains("<td>failed</td>") {
            assert!(page.body.contains("sam@example.com"));
            assert!(page.body.contains("<td>2</td>"), "two tries: {}", page.body);
            assert!(
                page.body.to_lowercase().contains("connection refused"),
                "{}",
                page.body
            );
            assert!(page.body.contains("Try again"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never marked failed: {}",
            page.body
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let members = Http::new(&server.address, None).get("/fernhill/settings/deliveries");
    assert_eq!(members.status, 303, "anonymous: sign in first");
}

/// One call a webhook receiver got.
#[derive(Debug, Clone)]
pub struct Call {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// A local HTTP receiver: records every call; `answer` picks the status
/// (and Location) for each by path and how many calls that path had.
pub fn receiver(
    answer: impl Fn(&str, usize) -> (u16, Option<String>) + Send + 'static,
) -> (u16, Arc<Mutex<Vec<Call>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let calls: Arc<Mutex<Vec<Call>>> = Arc::default();
    let log = Arc::clone(&calls);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut first = String::new();
            if reader.read_line(&mut first).is_err() {
                continue;
            }
            let path = first.split_whitespace().nth(1).unwrap_or("").to_owned();
            let mut headers = HashMap::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                }
            }
            let length: usize = headers
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let n = {
                let mut log = log.lock().expect("log");
                log.push(Call {
                    path: path.clone(),
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                log.iter().filter(|c| c.path == path).count()
            };
            let (status, location) = answer(&path, n);
            let location = location
                .map(|l| format!("Location: {l}\r\n"))
                .unwrap_or_default();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\n{location}Content-Length: 2\r\nConnection: close\r\n\r\nok"
            );
        }
    });
    (port, calls)
}

/// HMAC-SHA256 in hex, by Python's hmac module (an implementation of its
/// own, not the server's).
fn python_hmac(key: &str, message: &str) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())",
            key,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().expect("stdin").write_all(message.as_bytes())?;
            c.wait_with_output()
        })
        .expect("python3");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub fn add_webhook(admin: &mut Http, url: &str, slack: bool) -> String {
    let mut form = vec![("url", url), ("kind", "observed"), ("kind", "awarded")];
    if slack {
        form.push(("slack", "on"));
    }
    let page = admin.post("/fernhill/settings/webhooks", &form);
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page.body.find("whsec_").expect("the secret, shown once");
    page.body[at..]
        .split('<')
        .next()
        .expect("secret")
        .to_owned()
}

fn wait_calls(calls: &Arc<Mutex<Vec<Call>>>, path: &str, n: usize) -> Vec<Call> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got: Vec<Call> = calls
            .lock()
            .expect("log")
            .iter()
            .filter(|c| c.path == path)
            .cloned()
            .collect();
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{path}: {} of {n} calls",
            got.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn webhooks_are_signed_retried_never_redirected_and_hear_only_public_news() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, cookies) = fernhill(
        dir.path(),
        &[
            ("olive@example.com", "admin"),
            ("ana@example.com", "member"),
            ("lee@example.com", "people-lead"),
        ],
    );
    let (port, calls) = receiver(|path, n| match (path, n) {
        ("/plain", 1) => (500, None),
        ("/redirect", _) => (302, Some("http://127.0.0.1:9/elsewhere".into())),
        _ => (200, None),
    });
    let server = serve(
        &url,
        &[
            ("CAIRN_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("CAIRN_DELIVERY_ATTEMPTS", "3"),
            ("CAIRN_DELIVERY_BACKOFF_SECONDS", "1"),
        ],
    );
    let mut admin = Http::new(&server.address, Some(&cookies[0]));
    let hook = format!("http://127.0.0.1:{port}");
    let secret = add_webhook(&mut admin, &format!("{hook}/plain"), false);
    add_webhook(&mut admin, &format!("{hook}/slack"), true);
    add_webhook(&mut admin, &format!("{hook}/redirect"), false);
    let listed = admin.get("/fernhill/settings/webhooks");
    assert!(!listed.body.contains(&secret), "the secret is shown once");

    let ana_id = person_id(&mut admin, "ana");
    publish(
        &mut admin,
        &ana_id,
        "organization",
        "Members only: not for webhooks.",
    );
    let href = publish(
        &mut admin,
        &ana_id,
        "public",
        "Ana <b>led</b> the review & more.",
    );

    // Retried after the 500, with the same idempotency key; signed.
    let plain = wait_calls(&calls, "/plain", 2);
    assert_eq!(plain.len(), 2);
    assert_eq!(
        plain[0].headers["idempotency-key"],
        plain[1].headers["idempotency-key"]
    );
    let c = &plain[1];
    let event: serde_json::Value = serde_json::from_str(&c.body).expect("JSON");
    assert_eq!(event["kind"], "observed");
    assert_eq!(event["url"], format!("http://{}{href}", server.address));
    assert_eq!(event["text"], "olive wrote a public observation of ana");
    let sig = &c.headers["cairn-signature"];
    let (t, v1) = sig
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .expect("t=…,v1=…");
    assert_eq!(
        v1,
        python_hmac(&secret, &format!("{t}.{}", c.body)),
        "signature"
    );
    assert_ne!(
        v1,
        python_hmac("another secret", &format!("{t}.{}", c.body))
    );

    let slack = wait_calls(&calls, "/slack", 1);
    let message: serde_json::Value = serde_json::from_str(&slack[0].body).expect("JSON");
    assert!(message["text"].as_str().expect("text").contains(&href));
    assert_eq!(message["blocks"][0]["type"], "section");
    assert_eq!(message["blocks"][0]["text"]["type"], "mrkdwn");

    // The redirect: one call, not followed, failed for good.
    std::thread::sleep(Duration::from_secs(3));
    let all = calls.lock().expect("log").clone();
    assert_eq!(all.iter().filter(|c| c.path == "/redirect").count(), 1);
    assert!(all.iter().all(|c| c.path != "/elsewhere"));
    assert!(
        all.iter().all(|c| !c.body.contains("Members only")),
        "not public: not sent"
    );
    let page = admin.get("/fernhill/settings/deliveries");
    assert!(
        page.body.contains("redirects are not followed"),
        "{}",
        page.body
    );

    // An organization-wide award goes out too.
    let mut lead = Http::new(&server.address, Some(&cookies[2]));
    let r = lead.post(
        &format!("/fernhill/people/{ana_id}/awards"),
        &[
            ("ability", "incident-response"),
            ("level", "1"),
            ("visibility", "organization"),
            ("note", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let awarded = wait_calls(&calls, "/plain", 3);
    assert!(awarded.iter().any(|c| c.body.contains("\"awarded\"")));
}

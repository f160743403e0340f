//! Scale-out: three `cairn serve` processes on one PostgreSQL behind nginx
//! (round-robin), all on 127.0.0.1, started at the same moment on a new
//! database (so migrations race and must run once). A person signs up,
//! creates an organization, edits an ability, writes and publishes an
//! observation, awards a milestone and signs out, through the proxy. After
//! each write every server shows the new state on its next request, and
//! the session ended on one server is ended on all. One server is killed
//! half way: the proxy routes around it and nothing acknowledged is lost.
//! Each step prints which server answered it (nginx's `X-Upstream`).
//!
//! Needs PostgreSQL (CAIRN_TEST_POSTGRES_URL) and nginx; says skipped
//! without them, unless CAIRN_TEST_REQUIRE_POSTGRES=1 (CI).

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Reply {
    fn upstream(&self) -> String {
        self.headers.get("x-upstream").cloned().unwrap_or_default()
    }
}

/// A browser-like client through the proxy: keeps its session cookie, opens
/// a new connection per request (so round-robin moves it between servers).
struct Browser {
    proxy: String,
    cookie: Option<String>,
    log: Vec<String>,
}

impl Browser {
    fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Reply {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut stream = TcpStream::connect(&self.proxy).expect("proxy");
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.proxy
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
        req.push_str(&body);
        stream.write_all(req.as_bytes()).expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
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
        let reply = Reply {
            status,
            headers,
            body: body.to_owned(),
        };
        self.log.push(format!(
            "{method} {path} -> {} by {}",
            reply.status,
            reply.upstream()
        ));
        reply
    }

    /// A write that must be acknowledged (303).
    fn write(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let r = self.send("POST", path, form);
        assert_eq!(r.status, 303, "POST {path}: {}", r.body);
        r
    }

    /// The next `n` GETs of `path` land on `n` different servers, and each
    /// shows `expect`.
    fn every_server_shows(&mut self, path: &str, expect: &str, n: usize) {
        let mut seen = BTreeSet::new();
        for _ in 0..n * 2 {
            let r = self.send("GET", path, &[]);
            assert_eq!(r.status, 200, "GET {path} on {}", r.upstream());
            assert!(
                r.body.contains(expect),
                "{path} on {} does not show {expect:?}",
                r.upstream()
            );
            seen.insert(r.upstream());
            if seen.len() == n {
                return;
            }
        }
        panic!("{path}: answered by {seen:?}, not {n} servers");
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

fn serve(url: &str, port: u16, proxy: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "--database-url",
            url,
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--base-url", &format!("http://{proxy}")])
        .env("CAIRN_TRUSTED_PROXIES", "127.0.0.1")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn cairn");
    // Wait for the listening line (after migrations), in a thread so the
    // three servers start together.
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || for _ in BufReader::new(stdout).lines() {});
    child
}

fn wait_healthy(address: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while crate::get(address, "/healthz").map(|r| r.0) != Some(200) {
        assert!(
            Instant::now() < deadline,
            "{address} did not become healthy"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn nginx_conf(dir: &std::path::Path, proxy_port: u16, upstreams: &[u16]) -> String {
    let servers: String = upstreams
        .iter()
        .map(|p| format!("    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n"))
        .collect();
    let d = dir.display();
    format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         upstream cairn {{\n{servers}  }}\n\
         server {{\n    listen 127.0.0.1:{proxy_port};\n    location / {{\n      proxy_pass http://cairn;\n\
         proxy_set_header Host $http_host;\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
         proxy_next_upstream error timeout;\n      proxy_connect_timeout 2s;\n\
         add_header X-Upstream $upstream_addr always;\n    }}\n  }}\n}}\n"
    )
}

struct Stack(Vec<Child>);

impl Drop for Stack {
    fn drop(&mut self) {
        // SIGTERM first: nginx's master then stops its workers (a SIGKILL
        // would leave them running).
        for c in &mut self.0 {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
        }
        for c in &mut self.0 {
            let deadline = Instant::now() + Duration::from_secs(5);
            while c.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[tokio::test]
async fn three_servers_behind_a_proxy_agree_on_everything() {
    let Some(db) = cairn_store::testing::postgres().await else {
        return;
    };
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(nginx) = nginx else {
        if std::env::var("CAIRN_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("nginx is required here (CI installs it)");
        }
        eprintln!("SKIPPED: nginx is not installed");
        return;
    };
    // A new, empty database: the three servers race to migrate it.
    let url = db.url.replace(
        db.url
            .split('/')
            .nth(3)
            .and_then(|s| s.split('?').next())
            .unwrap_or(""),
        &format!(
            "{}_scale",
            db.url
                .split('/')
                .nth(3)
                .and_then(|s| s.split('?').next())
                .unwrap_or("x")
        ),
    );
    {
        use sqlx::{Connection, Executor};
        let admin = std::env::var("CAIRN_TEST_POSTGRES_URL").expect("url");
        let mut c = sqlx::AnyConnection::connect(&admin).await.expect("connect");
        let name = url
            .split('/')
            .nth(3)
            .and_then(|s| s.split('?').next())
            .expect("name")
            .to_owned();
        c.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create database");
    }
    let dir = tempfile::tempdir().expect("dir");
    let ports = [free_port(), free_port(), free_port()];
    let proxy_port = free_port();
    let proxy = format!("127.0.0.1:{proxy_port}");
    let mut stack = Stack(ports.iter().map(|p| serve(&url, *p, &proxy)).collect());
    for p in ports {
        wait_healthy(&format!("127.0.0.1:{p}"));
    }
    {
        use sqlx::Connection;
        let mut c = sqlx::AnyConnection::connect(&url).await.expect("connect");
        let (applied, distinct): (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT name) FROM schema_migrations")
                .fetch_one(&mut c)
                .await
                .expect("migrations");
        let files = std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../store/migrations/postgres"
        ))
        .expect("migrations dir")
        .count() as i64;
        assert_eq!(
            (applied, distinct),
            (files, files),
            "each migration ran once"
        );
    }
    std::fs::write(
        dir.path().join("nginx.conf"),
        nginx_conf(dir.path(), proxy_port, &ports),
    )
    .expect("conf");
    for sub in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("dir");
    }
    // Workers may run as an unprivileged user: let them use the temp dirs.
    let _ = Command::new("chmod")
        .args(["-R", "a+rwx"])
        .arg(dir.path())
        .status();
    stack.0.push(
        Command::new(nginx)
            .args(["-p"])
            .arg(dir.path())
            .args(["-c"])
            .arg(dir.path().join("nginx.conf"))
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx"),
    );
    wait_healthy(&proxy);

    let mut ana = Browser {
        proxy: proxy.clone(),
        cookie: None,
        log: Vec::new(),
    };
    ana.write(
        "/signup",
        &[
            ("email", "ana@example.com"),
            ("name", "Ana"),
            ("password", "a long password here"),
        ],
    );
    assert!(ana.cookie.is_some(), "signed in");
    ana.every_server_shows("/settings/account", "ana@example.com", 3);
    ana.write("/logout", &[]);
    ana.write(
        "/login",
        &[
            ("email", "ana@example.com"),
            ("password", "a long password here"),
        ],
    );
    ana.every_server_shows("/settings/account", "ana@example.com", 3);
    ana.write("/new", &[("name", "Scale Co"), ("slug", "scale-co")]);
    ana.every_server_shows("/scale-co", "Scale Co", 3);
    let mut ability = vec![
        ("name", "Load Balancing".to_owned()),
        ("slug", "load-balancing".to_owned()),
        ("category", "Ops".to_owned()),
        ("description", "Spreading work.".to_owned()),
    ];
    let levels: Vec<(String, String)> = (1..=5)
        .map(|l| {
            (
                format!("m{l}_summary"),
                format!("Milestone {l} of balancing."),
            )
        })
        .collect();
    for (k, v) in &levels {
        ability.push((k.as_str(), v.clone()));
    }
    let form: Vec<(&str, &str)> = ability.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ana.write("/scale-co/settings/framework/abilities/new", &form);
    ana.every_server_shows("/scale-co/abilities/load-balancing", "Spreading work.", 3);
    let mut edited = form.clone();
    for f in &mut edited {
        if f.0 == "description" {
            f.1 = "Spreading work evenly, edited.";
        }
    }
    ana.write("/scale-co/abilities/load-balancing/edit", &edited);
    ana.every_server_shows(
        "/scale-co/abilities/load-balancing",
        "Spreading work evenly, edited.",
        3,
    );

    // One server goes away mid-test: the proxy routes around it.
    let before_kill = ana.log.len();
    let killed = ports[1];
    stack.0[1].kill().expect("kill a server");
    stack.0[1].wait().expect("reap");

    // Bob joins through an invitation.
    let page = ana.send("POST", "/scale-co/settings/invitations", &[("note", "Bob")]);
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page.body.find("/invite/").expect("an invitation link");
    let token: String = page.body[at + "/invite/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut bob = Browser {
        proxy: proxy.clone(),
        cookie: None,
        log: Vec::new(),
    };
    bob.write(
        "/signup",
        &[
            ("email", "bob@example.com"),
            ("name", "Bob"),
            ("password", "another long password"),
        ],
    );
    bob.write(&format!("/invite/{token}"), &[]);
    let listed = ana.send("GET", "/api/v1/orgs/scale-co/members", &[]);
    let listed: serde_json::Value = serde_json::from_str(&listed.body).expect("members JSON");
    let bob_id = listed
        .as_array()
        .or_else(|| listed["members"].as_array())
        .and_then(|m| m.iter().find(|x| x["email"] == "bob@example.com"))
        .and_then(|x| x["id"].as_str())
        .expect("bob is a member")
        .to_owned();

    let draft = ana.write(
        "/scale-co/observations/new",
        &[
            ("observee", &bob_id),
            ("observed_on", "2026-11-01"),
            ("story", "Bob rebalanced the cluster."),
            ("rate_load-balancing", "strong"),
        ],
    );
    let obs = draft.headers.get("location").cloned().expect("location");
    ana.write(&format!("{obs}/publish"), &[("privacy", "organization")]);
    bob.every_server_shows(&obs, "Bob rebalanced the cluster.", 2);
    ana.write(
        &format!("/scale-co/people/{bob_id}/awards"),
        &[
            ("ability", "load-balancing"),
            ("level", "1"),
            ("visibility", "organization"),
        ],
    );
    bob.every_server_shows(
        &format!("/scale-co/people/{bob_id}"),
        r#"data-ability="load-balancing" data-level="1""#,
        2,
    );

    // Signing out on one server ends the session on all.
    let old = ana.cookie.clone();
    ana.write("/logout", &[]);
    let mut ghost = Browser {
        proxy: proxy.clone(),
        cookie: old,
        log: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for _ in 0..4 {
        let r = ghost.send("GET", "/settings/account", &[]);
        assert_eq!(
            r.status,
            303,
            "an ended session still works on {}",
            r.upstream()
        );
        seen.insert(r.upstream());
    }
    assert_eq!(
        seen.len(),
        2,
        "both live servers refused the ended session: {seen:?}"
    );
    let gone = format!("127.0.0.1:{killed}");
    assert!(
        !ana.log[before_kill..]
            .iter()
            .chain(&bob.log)
            .chain(&ghost.log)
            .any(|l| l.ends_with(&gone)),
        "a request was answered by the stopped server"
    );

    // Nothing acknowledged was lost: straight from the database.
    let store = cairn_store::Store::open(&url).await.expect("open");
    let org = cairn_store::orgs::by_slug(
        &store,
        &cairn_domain::OrgSlug::parse("scale-co").expect("slug"),
    )
    .await
    .expect("read")
    .expect("the organization");
    let members = cairn_store::members::list(&store, &org.id)
        .await
        .expect("members");
    assert_eq!(members.len(), 2);
    let fw = cairn_store::framework::load(&store, &org)
        .await
        .expect("framework");
    assert_eq!(
        fw.abilities[0].description.as_str(),
        "Spreading work evenly, edited."
    );
    store.close().await;

    for line in ana.log.iter().chain(&bob.log).chain(&ghost.log) {
        println!("scale-out: {line}");
    }
    println!(
        "scale-out: 3 servers behind nginx, server on port {killed} killed half way; every write seen by every live server"
    );
}

/// Delivery across three servers on one PostgreSQL: 200 webhook events,
/// one server killed (SIGKILL) half way through sending them. Every event
/// arrives; the only repeats are what the killed server had leased and
/// possibly sent before dying (at-least-once), under the same
/// Idempotency-Key, so a receiver that keys on it sees each exactly once.
#[tokio::test]
async fn three_servers_deliver_every_event_once_with_one_killed_half_way() {
    use crate::delivery::{Http, add_webhook, fernhill_at, person_id, publish, receiver, serve};
    let Some(db) = cairn_store::testing::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let cookies = fernhill_at(
        dir.path(),
        &db.url,
        &[
            ("olive@example.com", "admin"),
            ("ana@example.com", "member"),
        ],
    );
    // A receiver that takes a moment per call, so sending spans the kill.
    let (port, calls) = receiver(|_, _| {
        std::thread::sleep(Duration::from_millis(15));
        (200, None)
    });
    let env = [
        ("CAIRN_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("CAIRN_DELIVERY_LEASE_SECONDS", "3"),
        ("CAIRN_DELIVERY_BACKOFF_SECONDS", "1"),
    ];
    let mut servers: Vec<crate::delivery::Server> = (0..3).map(|_| serve(&db.url, &env)).collect();
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let mut admin = Http::new(&addresses[0], Some(&cookies[0]));
    add_webhook(
        &mut admin,
        &format!("http://127.0.0.1:{port}/events"),
        false,
    );
    let ana = person_id(&mut admin, "ana");
    let mut killed = false;
    let mut clients: Vec<Http> = addresses
        .iter()
        .map(|a| Http::new(a, Some(&cookies[0])))
        .collect();
    for i in 0..200 {
        let received = calls.lock().expect("log").len();
        if !killed && (received >= 60 || i == 150) {
            servers[1].kill();
            killed = true;
            eprintln!("killed server 2 after {received} calls, {i} events written");
        }
        let alive = if killed { [0, 2][i % 2] } else { i % 3 };
        publish(&mut clients[alive], &ana, "public", &format!("Event {i}."));
    }
    assert!(killed);
    let deadline = Instant::now() + Duration::from_secs(90);
    let (raw, distinct) = loop {
        let log = calls.lock().expect("log").clone();
        let keys: BTreeSet<String> = log
            .iter()
            .map(|c| {
                c.headers
                    .get("idempotency-key")
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        if keys.len() >= 200 || Instant::now() > deadline {
            break (log.len(), keys.len());
        }
        drop(log);
        std::thread::sleep(Duration::from_millis(200));
    };
    eprintln!("{raw} calls for {distinct} events");
    assert_eq!(distinct, 200, "every event arrives");
    // At most the killed server's one batch in hand is sent again.
    assert!(raw - distinct <= 8, "{} repeats", raw - distinct);
    let texts: BTreeSet<String> = calls
        .lock()
        .expect("log")
        .iter()
        .map(|c| c.body.clone())
        .filter_map(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
        .filter_map(|v| v["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(texts.len(), 200, "the body names the same id");
    // And the outbox agrees: all sent, none pending.
    let store = cairn_store::Store::open(&db.url).await.expect("open");
    let statuses = cairn_store::deliveries::statuses(&store)
        .await
        .expect("statuses");
    let sent = statuses.iter().filter(|(_, s, _)| s == "sent").count();
    assert_eq!(sent, 200, "{statuses:?}");
}

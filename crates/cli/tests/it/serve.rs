use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A raw HTTP/1.1 GET; returns (status, body).
fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_with_demo_answers_pages_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .current_dir(dir.path())
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(rest) = line.strip_prefix("cairn listening on http://") {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    let (status, body) = get(&address, "/healthz");
    assert_eq!(status, 200, "{body}");
    eprintln!("start to first answer: {:?}", started.elapsed());
    let (status, body) = get(&address, "/fernhill/abilities/incident-response");
    assert_eq!(status, 200);
    assert!(body.contains("adds 20 miles to your journey"));
    let (status, _) = get(&address, "/nobody");
    assert_eq!(status, 404);

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "graceful exit: {status:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        dir.path().join("cairn.db").exists(),
        "default database is ./cairn.db"
    );
}

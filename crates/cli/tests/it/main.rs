//! The `cairn` binary, run as a user runs it.

mod a11y;
mod admin;
mod backup;
mod browser;
mod crash;
mod delivery;
mod disk_full;
mod files;
mod outage;
mod scale_out;
mod serve;
mod settings;
mod sso;
mod standards;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub const DEMO: &str = include_str!("../../../../demo/fernhill.yaml");

/// Runs `cairn` with `args` in `dir`, with no CAIRN_* settings inherited.
pub fn cairn(dir: &Path, args: &[&str]) -> Output {
    cairn_env(dir, args, &[])
}

pub fn cairn_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cairn"));
    cmd.current_dir(dir).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CAIRN_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run cairn")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `cairn serve` on `url` at a free loopback port; its address.
pub fn start(url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["--database-url", url, "serve", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "error")
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
    (child, address)
}

/// One form POST; true only when the server answered 303 (done).
pub fn post(address: &str, cookie: &str, path: &str, body: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 303")
}

/// A GET with a 10-second read timeout (a hang is a failure, not a wait):
/// the status and body, or None when nothing answered.
pub fn get(address: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

/// A database at `url` with the demo organization and one plain member,
/// signed in: returns that member's session cookie (`cairn_session=…`).
/// Everything through the binary, as an operator would do it.
pub fn demo_with_member(dir: &Path, url: &str, email: &str) -> String {
    std::fs::write(dir.join("demo.yaml"), DEMO).expect("write");
    let out = cairn(dir, &["--database-url", url, "import", "demo.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut create = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["--database-url", url, "admin", "create-user", email])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    create
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long password\n")
        .expect("write");
    assert!(create.wait().expect("wait").success());
    let out = cairn(
        dir,
        &[
            "--database-url",
            url,
            "admin",
            "grant",
            "fernhill",
            email,
            "member",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cairn(dir, &["--database-url", url, "admin", "session", email]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

use std::io::Write;
use std::process::{Command, Stdio};

use crate::{DEMO, cairn, stderr, stdout};

fn cairn_stdin(dir: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

#[test]
fn operators_create_users_reset_passwords_and_grant_capabilities() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("a.db").display().to_string();
    let url = ["--database-url", db.as_str()];
    let with = |rest: &[&'static str]| {
        url.iter()
            .copied()
            .chain(rest.iter().copied())
            .collect::<Vec<&str>>()
    };

    let out = cairn_stdin(
        d,
        &with(&[
            "admin",
            "create-user",
            "ana@example.com",
            "--name",
            "Ana Lima",
        ]),
        "a long password\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "created ana@example.com\n");

    let out = cairn_stdin(
        d,
        &with(&["admin", "create-user", "ANA@example.com"]),
        "a long password\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "cairn admin: ana@example.com already has an account\n"
    );

    let out = cairn_stdin(
        d,
        &with(&["admin", "create-user", "ben@example.com"]),
        "short\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "cairn admin: a password has at least 10 characters\n"
    );

    let out = cairn_stdin(
        d,
        &with(&["admin", "reset-password", "ana@example.com"]),
        "another long password\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cairn_stdin(
        d,
        &with(&["admin", "reset-password", "nobody@example.com"]),
        "another long password\n",
    );
    assert_eq!(out.status.code(), Some(2));

    std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
    assert!(cairn(d, &with(&["import", "demo.yaml"])).status.success());
    let out = cairn(
        d,
        &with(&["admin", "grant", "fernhill", "ana@example.com", "admin"]),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ana@example.com is a member of fernhill (admin)\n"
    );
    let out = cairn(
        d,
        &with(&[
            "admin",
            "grant",
            "fernhill",
            "ana@example.com",
            "framework-editor",
        ]),
    );
    assert_eq!(
        stdout(&out),
        "ana@example.com is a member of fernhill (admin,framework_editor)\n"
    );
    let out = cairn(
        d,
        &with(&["admin", "grant", "fernhill", "ana@example.com", "wizard"]),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown capability \"wizard\""));
    let out = cairn(
        d,
        &with(&["admin", "grant", "nowhere", "ana@example.com", "admin"]),
    );
    assert_eq!(stderr(&out), "cairn admin: no organization nowhere\n");

    // Each grant is in the organization's audit log, as the operator's.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let details: Vec<String> = rt.block_on(async {
        let store = cairn_store::Store::open(&db).await.expect("open");
        let org = cairn_store::orgs::by_slug(
            &store,
            &cairn_domain::OrgSlug::parse("fernhill").expect("slug"),
        )
        .await
        .expect("read")
        .expect("org");
        let filter = cairn_store::audit::Filter {
            action: Some(cairn_domain::audit::AuditAction::CapabilityGranted),
            actor: None,
            before: None,
        };
        cairn_store::audit::list(&store, Some(&org.id), &filter, 10)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.detail)
            .collect()
    });
    assert_eq!(
        details,
        vec![
            "admin (active) → admin,framework_editor (active), by the operator (cairn admin grant)",
            "not a member → admin (active), by the operator (cairn admin grant)",
        ]
    );
}

/// `cairn admin session` prints a working session cookie per account, and
/// starts none when any email is unknown.
#[tokio::test]
async fn operators_start_sessions_for_scripts() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("s.db").display().to_string();
    for email in ["ana@example.com", "ben@example.com"] {
        let out = cairn_stdin(
            d,
            &["--database-url", &db, "admin", "create-user", email],
            "a long password\n",
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let store = cairn_store::Store::open(&db).await.expect("open");
    let sessions_of = |who: &'static str| {
        let store = store.clone();
        async move {
            let email = cairn_domain::people::Email::parse(who).expect("email");
            let (person, _) = cairn_store::people::by_email(&store, &email)
                .await
                .expect("read")
                .expect("person");
            cairn_store::people::sessions(&store, &person.id, cairn_store::system_now())
                .await
                .expect("sessions")
                .len()
        }
    };

    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "admin",
            "session",
            "ana@example.com",
            "nobody@example.com",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "cairn admin: no account nobody@example.com\n");
    assert_eq!(sessions_of("ana@example.com").await, 0, "nothing started");

    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "admin",
            "session",
            "ana@example.com",
            "ben@example.com",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2);
    for (line, who) in lines.iter().zip(["ana@example.com", "ben@example.com"]) {
        let token = line.strip_prefix("cairn_session=").expect("cookie");
        let (person, _) = cairn_store::people::session_person(
            &store,
            &cairn_web::secrets::hash(token),
            cairn_store::system_now(),
        )
        .await
        .expect("read")
        .expect("a live session");
        assert_eq!(person.email.as_str(), who);
    }
    assert_eq!(sessions_of("ben@example.com").await, 1);
}

use crate::{cairn, cairn_env, stderr};

#[test]
fn database_url_comes_from_flag_over_env_over_file_over_default() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let exists = |name: &str| d.join(name).exists();

    // Default: ./cairn.db
    assert!(cairn(d, &["migrate"]).status.success());
    assert!(exists("cairn.db"));

    std::fs::write(d.join("cairn.toml"), "database_url = \"from-file.db\"\n").expect("write");
    assert!(cairn(d, &["migrate"]).status.success());
    assert!(exists("from-file.db"));

    let out = cairn_env(d, &["migrate"], &[("CAIRN_DATABASE_URL", "from-env.db")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(exists("from-env.db"));

    let out = cairn_env(
        d,
        &["--database-url", "sqlite://from-flag.db", "migrate"],
        &[("CAIRN_DATABASE_URL", "from-env.db")],
    );
    assert!(out.status.success());
    assert!(exists("from-flag.db"));

    std::fs::write(d.join("other.toml"), "database_url = \"from-other.db\"\n").expect("write");
    assert!(
        cairn(d, &["--config", "other.toml", "migrate"])
            .status
            .success()
    );
    assert!(exists("from-other.db"));
}

#[test]
fn bad_settings_are_reported() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let out = cairn(d, &["--config", "missing.toml", "migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "cairn: settings file missing.toml does not exist\n"
    );
    std::fs::write(d.join("cairn.toml"), "database_url = [1, 2]\n").expect("write");
    let out = cairn(d, &["migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("cairn: invalid settings"),
        "{}",
        stderr(&out)
    );
    // Trusted proxies: IP addresses, from the file (a list) or the
    // environment (comma-separated); anything else is refused.
    for (file, env, ok) in [
        ("trusted_proxies = [\"127.0.0.1\", \"::1\"]\n", None, true),
        ("", Some("127.0.0.1, 10.0.0.2"), true),
        ("trusted_proxies = [\"proxy.local\"]\n", None, false),
        ("", Some("127.0.0.1,nonsense"), false),
    ] {
        std::fs::write(d.join("cairn.toml"), file).expect("write");
        let env: Vec<(&str, &str)> = env
            .map(|v| ("CAIRN_TRUSTED_PROXIES", v))
            .into_iter()
            .collect();
        let out = crate::cairn_env(d, &["--database-url", "p.db", "migrate"], &env);
        assert_eq!(
            out.status.success(),
            ok,
            "{file:?} {env:?}: {}",
            stderr(&out)
        );
        if !ok {
            assert!(
                stderr(&out).contains("is not an IP address"),
                "{}",
                stderr(&out)
            );
        }
    }
}

/// Emails need absolute links: with SMTP and no base URL, `serve` refuses
/// to start and says why; a bad SMTP URL or sender likewise. The same
/// settings come from the file, the environment or (the base URL) a flag.
#[test]
#[rustfmt::skip]
fn serve_refuses_smtp_without_a_base_url_or_with_bad_mail_settings() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let cases: &[(&[&str], &[(&str, &str)], &str, &str)] = &[
        (&["serve"], &[("CAIRN_SMTP_URL", "smtp://127.0.0.1:2525")], "", "base_url is not"),
        (&["serve", "--base-url", "http://cairn.test"], &[("CAIRN_SMTP_URL", "gopher://x")], "", "smtp_url"),
        (&["serve", "--base-url", "http://cairn.test"],
            &[("CAIRN_SMTP_URL", "smtp://127.0.0.1:2525"), ("CAIRN_MAIL_FROM", "not an address")], "", "mail_from"),
        (&["serve"], &[], "smtp_url = \"smtp://127.0.0.1:2525\"\n", "base_url is not"),
    ];
    for (args, env, file, says) in cases {
        std::fs::write(d.join("cairn.toml"), file).expect("write");
        let out = cairn_env(d, args, env);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?} {env:?}: {}", stderr(&out));
    }
}

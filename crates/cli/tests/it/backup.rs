use crate::{DEMO, cairn, stderr, stdout};

/// `cairn backup` then `cairn restore` into a new database gives the same
/// framework back; the SQLite copy opens as a database; a restore refuses
/// a database with data and a damaged file, naming the line.
#[test]
fn backups_restore_into_a_new_database() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
    let at = |db: &str, rest: &[&str]| {
        let mut args = vec!["--database-url", db];
        args.extend_from_slice(rest);
        cairn(d, &args)
    };
    assert!(at("a.db", &["import", "demo.yaml"]).status.success());

    let out = at("a.db", &["backup", "a.dump"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("backed up "), "{}", stdout(&out));
    assert!(!d.join("a.dump.partial").exists());

    let out = at("b.db", &["restore", "a.dump"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("restored "), "{}", stdout(&out));
    let original = stdout(&at("a.db", &["export", "fernhill"]));
    assert_eq!(stdout(&at("b.db", &["export", "fernhill"])), original);

    let again = at("b.db", &["restore", "a.dump"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));

    let out = at("a.db", &["backup", "copy.db", "--format", "sqlite"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&at("copy.db", &["export", "fernhill"])), original);

    let text = std::fs::read_to_string(d.join("a.dump")).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(3, "{\"not\": \"a row\"}");
    std::fs::write(d.join("bad.dump"), lines.join("\n")).expect("write");
    let bad = at("c.db", &["restore", "bad.dump"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).starts_with("bad.dump:4: "), "{}", stderr(&bad));
    let empty = at("c.db", &["export", "fernhill"]);
    assert_eq!(empty.status.code(), Some(2), "nothing was restored");
}

/// `cairn export-org` writes one organization; `cairn import-org` brings it
/// into another instance, which exports it identically; twice is refused.
#[test]
fn an_organization_moves_between_instances() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
    let at = |db: &str, rest: &[&str]| {
        let mut args = vec!["--database-url", db];
        args.extend_from_slice(rest);
        cairn(d, &args)
    };
    assert!(at("a.db", &["import", "demo.yaml"]).status.success());
    let out = at("a.db", &["export-org", "fernhill", "-o", "fernhill.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = at("b.db", &["import-org", "fernhill.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("imported fernhill"));
    assert_eq!(
        stdout(&at("b.db", &["export", "fernhill"])),
        stdout(&at("a.db", &["export", "fernhill"]))
    );
    let twice = at("b.db", &["import-org", "fernhill.json"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        stderr(&twice).contains("already has an organization fernhill"),
        "{}",
        stderr(&twice)
    );
    std::fs::write(d.join("broken.json"), "{\"format\": ").expect("write");
    let broken = at("b.db", &["import-org", "broken.json"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).starts_with("broken.json: line 1"),
        "{}",
        stderr(&broken)
    );
}

use cairn_store::testing::for_each_backend;

use crate::{DEMO, cairn, stderr, stdout};

#[tokio::test]
async fn a_broken_file_prints_every_problem_exits_2_and_changes_nothing() {
    for_each_backend(|db| async move {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
        let ok = cairn(d, &["--database-url", &db.url, "import", "demo.yaml"]);
        assert!(ok.status.success(), "{}", stderr(&ok));
        let before = stdout(&cairn(d, &["--database-url", &db.url, "export", "fernhill"]));

        // Five broken rules, and one change that would apply if the
        // import were not all-or-nothing.
        let broken = DEMO
            .replacen("name: Fernhill", "name: Fernhill Renamed", 1)
            .replacen("slug: mentor\n", "slug: software-engineer\n", 1)
            .replacen("requires: { code-quality: 1, testing: 1 }", "requires: { code-quality: 1, testin: 1 }", 1)
            .replacen("miles: [1, 3, 6, 12, 20]", "miles: [1, 3, 6, 20, 12]", 1)
            .replacen("      - summary: Sets the standard of written communication at Fernhill.\n        examples:\n          - Introduces the design-doc template and the habit of writing before building.\n", "", 1);
        std::fs::write(d.join("broken.yaml"), &broken).expect("write");
        let out = cairn(d, &["--database-url", &db.url, "import", "broken.yaml"]);
        assert_eq!(out.status.code(), Some(2), "{}", db.label);
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            vec![
                "broken.yaml:8:10: miles increase strictly from milestone 1 to 5 (20 is followed by 12)",
                "broken.yaml:212:7: an ability has exactly five milestones (got 4)",
                "broken.yaml:231:34: unknown ability \"testin\" in a requirement",
                "broken.yaml:236:11: duplicate role slug \"software-engineer\" (first defined on line 228)",
                // The renamed role was referenced by three positions.
                "broken.yaml:257:76: unknown role \"mentor\" in suggested roles",
                "broken.yaml:264:63: unknown role \"mentor\" in required roles",
                "broken.yaml:271:55: unknown role \"mentor\" in required roles",
                "broken.yaml: 7 problem(s); nothing was imported",
            ],
            "{}",
            db.label
        );
        let after = stdout(&cairn(d, &["--database-url", &db.url, "export", "fernhill"]));
        assert_eq!(before, after, "{}: database unchanged", db.label);
        assert!(after.contains("name: Fernhill\n"));
    })
    .await;
}

#[tokio::test]
async fn import_export_import_export_is_identical_in_both_formats() {
    for_each_backend(|db| async move {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
        assert!(
            cairn(d, &["--database-url", &db.url, "import", "demo.yaml"])
                .status
                .success()
        );
        for format in ["yaml", "json"] {
            let first = format!("first.{format}");
            let second = format!("second.{format}");
            let out = cairn(
                d,
                &[
                    "--database-url",
                    &db.url,
                    "export",
                    "fernhill",
                    "--format",
                    format,
                    "-o",
                    &first,
                ],
            );
            assert!(out.status.success(), "{}", stderr(&out));
            let out = cairn(d, &["--database-url", &db.url, "import", &first]);
            assert!(out.status.success(), "{}", stderr(&out));
            assert!(
                stdout(&out).contains("abilities: 0 created, 0 updated, 0 archived, 8 unchanged"),
                "{}",
                stdout(&out)
            );
            cairn(
                d,
                &[
                    "--database-url",
                    &db.url,
                    "export",
                    "fernhill",
                    "--format",
                    format,
                    "-o",
                    &second,
                ],
            );
            let a = std::fs::read_to_string(d.join(&first)).expect("first");
            let b = std::fs::read_to_string(d.join(&second)).expect("second");
            assert_eq!(a, b, "{} {format}", db.label);
        }
    })
    .await;
}

#[tokio::test]
async fn csv_abilities_join_an_organization_with_clear_errors() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("c.db").display().to_string();

    std::fs::write(d.join("no-name.csv"), "Title,Description\nOps,Things\n").expect("write");
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "import",
            "--csv",
            "no-name.csv",
            "--org",
            "acme",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("no-name.csv:1:0: the header has no \"Name\" column"),
        "{}",
        stderr(&out)
    );

    std::fs::write(d.join("empty-name.csv"), "Name,Description\nOps,x\n,y\n").expect("write");
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "import",
            "--csv",
            "empty-name.csv",
            "--org",
            "acme",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("empty-name.csv:3:1: the Name must not be empty"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        cairn(d, &["--database-url", &db, "export", "acme"])
            .status
            .code(),
        Some(2),
        "nothing created"
    );

    std::fs::write(
        d.join("gruuv.csv"),
        "Name,Description,Milestone 1 Description,Milestone 2 Description,Milestone 3 Description,Milestone 4 Description,Milestone 5 Description,Created At\n\
         Ops Skill,Depth and scope of the work.,\"- Follows runbooks\n- Asks early\",Handles on-call with backup,Owns a system,Leads capacity planning,Sets platform direction,2021-01-01\n",
    )
    .expect("write");
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "import",
            "--csv",
            "gruuv.csv",
            "--org",
            "acme-ops",
        ],
    );
    // A preview first: what would change, and nothing written.
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("gruuv.csv: ability ops-skill added: Ops Skill"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("run again with --apply"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        cairn(d, &["--database-url", &db, "export", "acme-ops"])
            .status
            .code(),
        Some(2),
        "nothing created by the preview"
    );
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "import",
            "--csv",
            "gruuv.csv",
            "--org",
            "acme-ops",
            "--apply",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("creating organization acme-ops named \"Acme Ops\""));
    let exported = stdout(&cairn(d, &["--database-url", &db, "export", "acme-ops"]));
    assert!(exported.contains("slug: ops-skill"), "{exported}");
    assert!(
        exported.contains("- Follows runbooks\n") && exported.contains("- Asks early\n"),
        "{exported}"
    );

    // Into an existing framework: abilities merge, roles stay.
    std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
    cairn(d, &["--database-url", &db, "import", "demo.yaml"]);
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "import",
            "--csv",
            "gruuv.csv",
            "--org",
            "fernhill",
            "--apply",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("abilities: 1 created, 0 updated, 0 archived, 8 unchanged"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn missing_files_and_unknown_organizations_are_input_errors() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("m.db").display().to_string();
    let out = cairn(d, &["--database-url", &db, "import", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("nope.yaml: cannot read"));
    let out = cairn(d, &["--database-url", &db, "export", "ghost"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "cairn export: no organization ghost\n");
    let out = cairn(d, &["--database-url", &db, "export", "Not A Slug"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn demo_command_loads_fernhill() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("d.db").display().to_string();
    let out = cairn(d, &["--database-url", &db, "demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = stdout(&cairn(d, &["--database-url", &db, "export", "fernhill"]));
    assert_eq!(
        cairn_domain::file::parse(&exported).expect("parse"),
        cairn_domain::file::parse(DEMO).expect("demo")
    );
}

#[tokio::test]
async fn health_exits_1_on_critical_findings_and_speaks_json() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("h.db").display().to_string();
    std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
    cairn(d, &["--database-url", &db, "import", "demo.yaml"]);
    let out = cairn(d, &["--database-url", &db, "health", "fernhill"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("⚠️ Code Quality: Has been referenced in no observations"));
    assert!(stdout(&out).ends_with("8 abilities checked; worst: warning\n"));

    std::fs::write(
        d.join("bad.yaml"),
        DEMO.replacen("miles: { at_least: 90 }", "miles: { at_least: 900 }", 1),
    )
    .expect("write");
    cairn(d, &["--database-url", &db, "import", "bad.yaml"]);
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "health",
            "fernhill",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["worst"], "critical");
    assert_eq!(json["abilities"].as_array().map(Vec::len), Some(8));
    assert_eq!(json["findings"][0]["severity"], "critical");
    assert_eq!(
        cairn(d, &["--database-url", &db, "health", "nobody"])
            .status
            .code(),
        Some(2)
    );
}

#[tokio::test]
async fn import_people_previews_then_applies_and_refuses_a_broken_file() {
    for_each_backend(|db| async move {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        let demo = cairn(d, &["--database-url", &db.url, "demo"]);
        assert!(demo.status.success(), "{}", stderr(&demo));
        std::fs::write(
            d.join("people.csv"),
            "Name,Preferred Name,Email,Start Date,Department,Manager Email,Job Title,Job Title Level\n\
             Priya Raman,,priya@fernhill.example,2024-06-03,Product,aiko@fernhill.example,Senior Engineer,3\n\
             \"Kim, Jo\",,jo@new.test,,\"Data, Science\",priya@fernhill.example,Engineer I,1\n\
             Zed,,zed@new.test,,,,Wizard,\n",
        )
        .expect("write");
        let preview = cairn(d, &["--database-url", &db.url, "import-people", "people.csv", "--org", "fernhill"]);
        assert!(preview.status.success(), "{}", stderr(&preview));
        let out = stdout(&preview);
        assert_eq!(
            out.lines().collect::<Vec<_>>(),
            [
                "new team Data, Science (data-science)",
                "people.csv:2: Priya Raman <priya@fernhill.example>; position senior-engineer; team product; reports to aiko@fernhill.example; started 2024-06-03",
                "people.csv:3: invite Kim, Jo <jo@new.test>; position engineer-1; new team Data, Science; reports to priya@fernhill.example",
                "people.csv:4: refused: no position is titled \"Wizard\"",
                "Preview only: nothing was changed. Run again with --apply to make these changes.",
            ],
            "{}",
            db.label
        );
        let org = cairn_store::orgs::by_slug(&db.store, &cairn_domain::OrgSlug::parse("fernhill").expect("slug"))
            .await
            .expect("read")
            .expect("org");
        let priya = cairn_store::people::by_email(
            &db.store,
            &cairn_domain::people::Email::parse("priya@fernhill.example").expect("email"),
        )
        .await
        .expect("read")
        .expect("priya")
        .0;
        let before = cairn_store::jobs::of_person(&db.store, &org.id, &priya.id).await.expect("jobs");
        assert_eq!(before.position().map(|t| t.slug.as_str()), Some("engineer-2"));

        let applied = cairn(d, &["--database-url", &db.url, "import-people", "people.csv", "--org", "fernhill", "--apply"]);
        assert!(applied.status.success(), "{}", stderr(&applied));
        let out = stdout(&applied);
        assert!(out.contains("people.csv:3: invitation for jo@new.test: /invite/"), "{out}");
        assert!(out.ends_with("Applied: 1 members changed, 1 invited, 1 teams created; 1 lines refused.\n"), "{out}");
        let after = cairn_store::jobs::of_person(&db.store, &org.id, &priya.id).await.expect("jobs");
        assert_eq!(after.position().map(|t| t.slug.as_str()), Some("senior-engineer"));
        assert_eq!(after.team().map(|t| t.slug.as_str()), Some("product"));
        // Her roles stay as they were.
        assert_eq!(after.role_slugs(), before.role_slugs());

        std::fs::write(d.join("broken.csv"), "Name,Email\nAnn,not an address\n").expect("write");
        let broken = cairn(d, &["--database-url", &db.url, "import-people", "broken.csv", "--org", "fernhill"]);
        assert_eq!(broken.status.code(), Some(2));
        let err = stderr(&broken);
        assert!(err.starts_with("broken.csv:2: Email: "), "{err}");
        assert!(err.ends_with("broken.csv: 1 problem(s); nothing was changed\n"), "{err}");
    })
    .await;
}

/// `cairn diff A B`: the semantic difference of two framework files, for a
/// framework repository's CI: exit 0 for editorial changes, 1 when one
/// raises the bar, 2 for a file that does not parse (file:line:column).
#[test]
fn diff_exits_1_when_a_change_raises_the_bar() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    std::fs::write(d.join("a.yaml"), crate::DEMO).expect("write");
    let editorial = crate::DEMO.replacen("name: Code Quality", "name: Code Craft", 1);
    assert_ne!(editorial, crate::DEMO);
    std::fs::write(d.join("editorial.yaml"), &editorial).expect("write");
    let raised = crate::DEMO.replacen(
        "requires: { code-quality: 2, testing: 2 }",
        "requires: { code-quality: 3, testing: 2 }",
        1,
    );
    assert_ne!(raised, crate::DEMO);
    std::fs::write(d.join("raised.yaml"), &raised).expect("write");
    std::fs::write(d.join("bad.yaml"), "format: cairn/1\norganization: [\n").expect("write");

    let same = crate::cairn(d, &["diff", "a.yaml", "a.yaml"]);
    assert_eq!(same.status.code(), Some(0), "{}", crate::stderr(&same));
    assert!(crate::stdout(&same).contains("0 change(s)"));

    let out = crate::cairn(d, &["diff", "a.yaml", "editorial.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::stdout(&out));
    assert!(
        crate::stdout(&out).contains(
            "editorial: ability code-quality renamed from \u{201c}Code Quality\u{201d} to \u{201c}Code Craft\u{201d}"
        ),
        "{}",
        crate::stdout(&out)
    );

    let out = crate::cairn(d, &["diff", "a.yaml", "raised.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", crate::stdout(&out));
    assert!(
        crate::stdout(&out).contains(
            "raises the bar: position engineer-2 requires code-quality milestone 3 (was 2)"
        ),
        "{}",
        crate::stdout(&out)
    );
    // Backwards it lowers the bar: editorial.
    let out = crate::cairn(d, &["diff", "raised.yaml", "a.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::stdout(&out));

    let out = crate::cairn(d, &["diff", "a.yaml", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::stderr(&out).contains("bad.yaml:"),
        "{}",
        crate::stderr(&out)
    );
    let out = crate::cairn(d, &["diff", "a.yaml", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A framework kept in a file is the source of truth: each import that
/// changes something is published as the next version.
#[test]
fn import_publishes_what_it_imports_as_the_next_version() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    std::fs::write(d.join("f.yaml"), crate::DEMO).expect("write");
    let first = crate::cairn(d, &["import", "f.yaml"]);
    assert!(first.status.success(), "{}", crate::stderr(&first));
    assert!(crate::stdout(&first).contains("published as v1"));
    let again = crate::cairn(d, &["import", "f.yaml"]);
    assert!(
        crate::stdout(&again).contains("nothing published"),
        "{}",
        crate::stdout(&again)
    );
    std::fs::write(
        d.join("f.yaml"),
        crate::DEMO.replacen("name: Code Quality", "name: Code Craft", 1),
    )
    .expect("write");
    let changed = crate::cairn(d, &["import", "f.yaml"]);
    assert!(
        crate::stdout(&changed).contains("published as v2"),
        "{}",
        crate::stdout(&changed)
    );
    // Any published version exports as it was.
    let v1 = crate::cairn(d, &["export", "fernhill", "--version", "1"]);
    assert!(v1.status.success(), "{}", crate::stderr(&v1));
    assert!(crate::stdout(&v1).contains("name: Code Quality"));
    let now = crate::cairn(d, &["export", "fernhill"]);
    assert!(crate::stdout(&now).contains("name: Code Craft"));
    let none = crate::cairn(d, &["export", "fernhill", "--version", "7"]);
    assert_eq!(none.status.code(), Some(2));
}

/// `cairn fork`: a framework forked from another instance over its JSON
/// API (only with private addresses allowed, as this one is on loopback),
/// its later version's changes listed and pulled one by one; refusals
/// (licence, an instance gone) change nothing.
#[test]
fn fork_copies_a_framework_from_another_instance_and_pulls_its_changes() {
    let a = tempfile::tempdir().expect("dir");
    let b = tempfile::tempdir().expect("dir");
    let (a, b) = (a.path(), b.path());
    let a_db = format!("sqlite://{}", a.join("a.db").display());
    std::fs::write(a.join("f.yaml"), crate::DEMO).expect("write");
    let out = crate::cairn(a, &["--database-url", &a_db, "import", "f.yaml"]);
    assert!(out.status.success(), "{}", crate::stderr(&out));
    let (mut server, address) = crate::start(&a_db);
    let url = format!("http://{address}/fernhill");
    let private = [("CAIRN_WEBHOOK_ALLOW_PRIVATE", "true")];

    // Loopback is private: refused unless the operator allows it.
    let refused = crate::cairn(b, &["fork", &url, "--into", "acme"]);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        crate::stderr(&refused)
    );
    assert!(
        crate::stderr(&refused).contains("is on a private network"),
        "{}",
        crate::stderr(&refused)
    );
    let forked = crate::cairn_env(
        b,
        &["fork", &url, "--into", "acme", "--name", "Acme"],
        &private,
    );
    assert!(forked.status.success(), "{}", crate::stderr(&forked));
    assert!(
        crate::stdout(&forked).contains("forked Fernhill v1 into /acme as its draft (8 abilities"),
        "{}",
        crate::stdout(&forked)
    );
    // The fork chose no licence yet (CC BY lets it choose): it cannot be
    // forked on, and nothing is made.
    let on = crate::cairn(b, &["fork", "acme", "--into", "other"]);
    assert_eq!(on.status.code(), Some(1));
    assert!(
        crate::stderr(&on)
            .contains("has not offered its framework under a licence that allows copying"),
        "{}",
        crate::stderr(&on)
    );
    // Into an organization with a draft already: refused.
    let again = crate::cairn_env(b, &["fork", &url, "--into", "acme"], &private);
    assert_eq!(again.status.code(), Some(1));
    assert!(crate::stderr(&again).contains("already has a framework or a draft"));

    // Nothing new upstream.
    let none = crate::cairn_env(b, &["fork", "--pull", "acme"], &private);
    assert!(none.status.success(), "{}", crate::stderr(&none));
    assert!(crate::stdout(&none).contains("nothing to pull"));

    // The upstream publishes v2 with a changed milestone.
    std::fs::write(
        a.join("f.yaml"),
        crate::DEMO.replacen(
            "Writes working code for well-defined tasks with guidance.",
            "Writes working, tested code for well-defined tasks.",
            1,
        ),
    )
    .expect("write");
    let out = crate::cairn(a, &["--database-url", &a_db, "import", "f.yaml"]);
    assert!(
        crate::stdout(&out).contains("published as v2"),
        "{}",
        crate::stdout(&out)
    );
    let listed = crate::cairn_env(b, &["fork", "--pull", "acme"], &private);
    let text = crate::stdout(&listed);
    assert!(text.contains("Fernhill is at v2; /acme took v1"), "{text}");
    assert!(
        text.contains("ability:code-quality  (Code Quality)"),
        "{text}"
    );
    let bad = crate::cairn_env(b, &["fork", "--pull", "acme", "--take", "team:x"], &private);
    assert_eq!(bad.status.code(), Some(2));
    let took = crate::cairn_env(
        b,
        &["fork", "--pull", "acme", "--take", "ability:code-quality"],
        &private,
    );
    assert!(took.status.success(), "{}", crate::stderr(&took));
    assert!(crate::stdout(&took).contains("pulled into the draft of /acme"));
    let twice = crate::cairn_env(
        b,
        &["fork", "--pull", "acme", "--take", "ability:code-quality"],
        &private,
    );
    assert_eq!(twice.status.code(), Some(1));
    assert!(crate::stderr(&twice).contains("nothing to pull"));

    // The upstream instance is gone: a clear message, nothing changed.
    let _ = server.kill();
    let _ = server.wait();
    let gone = crate::cairn_env(b, &["fork", "--pull", "acme"], &private);
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        crate::stderr(&gone).contains(&format!("http://{address}")),
        "{}",
        crate::stderr(&gone)
    );
}

#[tokio::test]
async fn ourgruuv_csvs_go_out_and_come_back_in_both_ways() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("g.db").display().to_string();
    std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
    assert!(
        cairn(d, &["--database-url", &db, "import", "demo.yaml"])
            .status
            .success()
    );
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "export",
            "fernhill",
            "--format",
            "ourgruuv-csv",
            "-o",
            "out",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let abilities = std::fs::read_to_string(d.join("out/abilities.csv")).expect("abilities");
    assert!(abilities.starts_with(
        "Name,Description,Organization,Semantic Version,Assignments,Milestone 1 Description"
    ));
    assert!(
        abilities.contains("##### Examples"),
        "the examples as OurGruuv's table"
    );
    assert!(
        std::fs::read_to_string(d.join("out/positions.csv"))
            .expect("positions")
            .starts_with("External Title,Level,Company,")
    );
    // Into the organization they came from: nothing to change.
    for file in ["out/abilities.csv", "out/assignments.csv"] {
        let out = cairn(
            d,
            &[
                "--database-url",
                &db,
                "import",
                "--csv",
                file,
                "--org",
                "fernhill",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("nothing to change"),
            "{file}: {}",
            stdout(&out)
        );
    }
    // Into a new one: abilities, then the roles that require them.
    for file in ["out/abilities.csv", "out/assignments.csv"] {
        let out = cairn(
            d,
            &[
                "--database-url",
                &db,
                "import",
                "--csv",
                file,
                "--org",
                "copy",
                "--apply",
            ],
        );
        assert!(out.status.success(), "{file}: {}", stderr(&out));
    }
    let json = |org: &str| -> serde_json::Value {
        serde_json::from_str(&stdout(&cairn(
            d,
            &["--database-url", &db, "export", org, "--format", "json"],
        )))
        .expect("json")
    };
    let (copy, original) = (json("copy"), json("fernhill"));
    let names = |v: &serde_json::Value, key: &str, field: &str| -> Vec<String> {
        let mut n: Vec<String> = v[key]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|x| x[field].as_str().map(str::to_owned))
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names(&copy, "abilities", "name"),
        names(&original, "abilities", "name")
    );
    assert_eq!(
        names(&copy, "roles", "name"),
        names(&original, "roles", "name")
    );
    assert_eq!(
        names(&copy, "positions", "title"),
        names(&original, "positions", "title")
    );
    let milestones = |v: &serde_json::Value| v["abilities"][0]["milestones"].clone();
    assert_eq!(milestones(&copy), milestones(&original));
    // A broken line: its line and column, and nothing written.
    std::fs::write(d.join("bad.csv"), "Assignment ID,Title,Tagline,Department,Positions,Milestones\n1,Mentor,,,,\"Mentoring - Milestone 2\nJuggling - Milestone 9\"\n").expect("write");
    let out = cairn(
        d,
        &[
            "--database-url",
            &db,
            "import",
            "--csv",
            "bad.csv",
            "--org",
            "copy",
            "--apply",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "bad.csv:2:6: \"Juggling - Milestone 9\": a milestone is a whole number from 1 to 5"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(json("copy"), copy, "unchanged");
}

//! Open standards, checked from outside: cairn's CASE packages validate
//! against 1EdTech's CASE 1.1 JSON schema (`tests/standards/check.py`, an
//! independent checker with PyPI's jsonschema, in `target/standards-venv`:
//! `scripts/test` installs it) and read back exactly; OpenSALT's own sample
//! frameworks import with every CFItem accounted for.
//!
//! The schema checks are skipped without the checker, unless
//! CAIRN_TEST_REQUIRE_STANDARDS=1 (CI).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cairn_store::testing::for_each_backend;
use serde_json::{Value, json};

use crate::{DEMO, cairn, stderr, stdout};

const STANDARDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/standards");

pub fn checker() -> Option<PathBuf> {
    let venv = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/standards-venv/bin/python"
    ));
    let found = [
        std::env::var_os("CAIRN_TEST_STANDARDS_PYTHON").map(PathBuf::from),
        Some(venv),
    ]
    .into_iter()
    .flatten()
    .find(|py| {
        Command::new(py)
            .args(["-c", "import jsonschema, jwcrypto"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        if std::env::var("CAIRN_TEST_REQUIRE_STANDARDS").as_deref() == Ok("1") {
            panic!(
                "the standards checker is required (CAIRN_TEST_REQUIRE_STANDARDS=1); scripts/test installs it into target/standards-venv"
            );
        }
        eprintln!("SKIPPED: the standards checker (target/standards-venv) is not installed");
    }
    found
}

/// Runs `check.py` with `args`: its exit status and output.
pub fn check(python: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(python)
        .arg(format!("{STANDARDS}/check.py"))
        .args(args)
        .output()
        .expect("run check.py");
    (
        out.status.success(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

fn validate_case(dir: &Path, files: &[&str]) {
    let Some(python) = checker() else { return };
    let schema = format!("{STANDARDS}/case-v1p1-cfpackage-schema.json");
    let paths: Vec<String> = files
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    let mut args = vec!["case", schema.as_str()];
    args.extend(paths.iter().map(String::as_str));
    let (ok, out) = check(&python, &args);
    assert!(ok, "{out}");
    assert_eq!(out.matches("valid ").count(), files.len(), "{out}");
}

#[tokio::test]
async fn case_packages_validate_against_the_schema_and_round_trip_exactly() {
    for_each_backend(|db| async move {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        let url = db.url.as_str();
        std::fs::write(d.join("demo.yaml"), DEMO).expect("write");
        assert!(
            cairn(d, &["--database-url", url, "import", "demo.yaml"])
                .status
                .success()
        );
        // v2: a change, so there are two versions to export.
        let changed = DEMO.replacen(
            "Writing code that the next person can read, change and trust.",
            "Writing code the next person can read, change and trust.",
            1,
        );
        std::fs::write(d.join("v2.yaml"), changed).expect("write");
        assert!(
            cairn(d, &["--database-url", url, "import", "v2.yaml"])
                .status
                .success()
        );
        let export = |args: &[&str]| {
            let mut all = vec![
                "--database-url",
                url,
                "export",
                "fernhill",
                "--format",
                "case",
            ];
            all.extend_from_slice(args);
            let out = cairn(d, &all);
            assert!(out.status.success(), "{}", stderr(&out));
        };
        export(&["-o", "latest.json"]);
        export(&["--version", "1", "-o", "v1.json"]);
        validate_case(d, &["latest.json", "v1.json"]);

        let read = |f: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(d.join(f)).expect("read")).expect("json")
        };
        let (latest, v1) = (read("latest.json"), read("v1.json"));
        assert_eq!(latest["CFDocument"]["version"], "2");
        assert_eq!(v1["CFDocument"]["version"], "1");
        assert_eq!(
            latest["CFItems"][0]["identifier"],
            v1["CFItems"][0]["identifier"]
        );

        // Imported back into its own organization, it changes nothing: the
        // next export is the same package, byte for byte.
        let out = cairn(
            d,
            &["--database-url", url, "import", "--case", "latest.json"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("nothing published"),
            "{}",
            stdout(&out)
        );
        export(&["-o", "again.json"]);
        assert_eq!(
            std::fs::read_to_string(d.join("again.json")).expect("read"),
            std::fs::read_to_string(d.join("latest.json")).expect("read"),
            "{}",
            db.label
        );
        // Into another organization: the same framework.
        let out = cairn(
            d,
            &[
                "--database-url",
                url,
                "import",
                "--case",
                "latest.json",
                "--org",
                "copy",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let yaml = |org: &str| stdout(&cairn(d, &["--database-url", url, "export", org]));
        assert_eq!(
            yaml("copy").replacen("slug: copy\n", "slug: fernhill\n", 1),
            yaml("fernhill")
        );
        // A broken package names the item's line and changes nothing.
        let broken = std::fs::read_to_string(d.join("latest.json"))
            .expect("read")
            .replacen("\"requires\": 1", "\"requires\": 9", 1);
        std::fs::write(d.join("broken.json"), broken).expect("write");
        let out = cairn(
            d,
            &["--database-url", url, "import", "--case", "broken.json"],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.lines()
                .next()
                .is_some_and(|l| l.starts_with("broken.json:")
                    && l.contains("a milestone is a whole number from 1 to 5 (got 9)")),
            "{err}"
        );
        assert_eq!(
            yaml("fernhill"),
            yaml("copy").replacen("slug: copy\n", "slug: fernhill\n", 1)
        );
    })
    .await;
}

fn items_of(path: &Path) -> Vec<String> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    v["CFItems"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["identifier"].as_str().expect("identifier").to_owned())
        .collect()
}

/// Each report line names one CFItem: every item is accounted for once.
fn assert_accounted(out: &str, items: &[String], file: &str) {
    let reported: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split(": CFItem ").nth(1))
        .filter_map(|rest| rest.split(':').next())
        .collect();
    assert_eq!(reported.len(), items.len(), "{file}: {out}");
    for id in items {
        assert!(reported.contains(&id.as_str()), "{file}: {id} not reported");
    }
}

#[tokio::test]
async fn opensalt_sample_frameworks_import_with_every_item_accounted_for() {
    let db = cairn_store::testing::sqlite().await;
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let mut exports = Vec::new();
    for (file, org, abilities, categories) in [
        ("what-standards-could-be.json", "wscb", 12, 4),
        ("Ordering.json", "ordering", 24, 4),
        ("SmartLevelFramework.json", "smart", 12, 2),
        ("MarkdownFramework.json", "markdown", 2, 0),
        ("Utf8TestFramework.json", "utf8", 1, 0),
    ] {
        let path = PathBuf::from(format!("{STANDARDS}/opensalt/{file}"));
        let source = path.display().to_string();
        let out = cairn(
            d,
            &[
                "--database-url",
                &db.url,
                "import",
                "--case",
                &source,
                "--org",
                org,
            ],
        );
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let text = stdout(&out);
        assert_accounted(&text, &items_of(&path), file);
        assert!(
            text.contains(&format!("{abilities} abilities (0 with milestones from their rubric, {abilities} with empty milestones to fill), {categories} categories")),
            "{file}: {text}"
        );
        let exported = export_json(d, &db.url, org);
        assert_eq!(
            exported["abilities"].as_array().map(Vec::len),
            Some(abilities),
            "{file}"
        );
        // What came in from elsewhere goes out as a valid package too.
        let out = cairn(
            d,
            &[
                "--database-url",
                &db.url,
                "export",
                org,
                "--format",
                "case",
                "-o",
                &format!("{org}.json"),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        exports.push(format!("{org}.json"));
    }
    let names: Vec<&str> = exports.iter().map(String::as_str).collect();
    validate_case(d, &names);
    // The statement of an OpenSALT item became its ability's description,
    // under the category of its parent.
    let fw = export_json(d, &db.url, "wscb");
    let ratio = fw["abilities"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["slug"] == "ccss-math-content-6-rp-a-1"))
        .expect("6.RP.A.1");
    assert_eq!(
        ratio["description"],
        "Understand the concept of a ratio and use ratio language to describe a ratio relationship between two quantities."
    );
    assert!(
        ratio["category"]
            .as_str()
            .is_some_and(|c| c.starts_with("CCSS.Math.Content.6.RP.A Understand ratio concepts")),
        "{ratio}"
    );
}

fn export_json(d: &Path, url: &str, org: &str) -> Value {
    let out = cairn(
        d,
        &["--database-url", url, "export", org, "--format", "json"],
    );
    serde_json::from_str(&stdout(&out)).expect("json")
}

#[tokio::test]
async fn a_package_of_five_thousand_items_imports_with_every_item_reported() {
    let doc = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    let mut items = Vec::new();
    let mut associations = Vec::new();
    for c in 0..50 {
        let cluster = format!("00000000-0000-4000-8000-{c:012}");
        items.push(json!({ "identifier": cluster, "fullStatement": format!("Cluster {c} of the standards."), "humanCodingScheme": format!("C.{c}"), "CFItemType": "Cluster" }));
        associations.push(json!({ "associationType": "isChildOf", "originNodeURI": { "identifier": cluster }, "destinationNodeURI": { "identifier": doc } }));
        for s in 0..99 {
            let id = format!("00000000-0000-4000-9000-{:012}", c * 100 + s);
            items.push(json!({ "identifier": id, "fullStatement": format!("Standard {s} of cluster {c}: explain, model and apply it."), "humanCodingScheme": format!("C.{c}.{s}") }));
            associations.push(json!({ "associationType": "isChildOf", "originNodeURI": { "identifier": id }, "destinationNodeURI": { "identifier": cluster } }));
        }
    }
    let package = json!({ "CFDocument": { "identifier": doc, "title": "Big Standards" }, "CFItems": items, "CFAssociations": associations });
    let db = cairn_store::testing::sqlite().await;
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    std::fs::write(d.join("big.json"), package.to_string()).expect("write");
    let out = cairn(
        d,
        &["--database-url", &db.url, "import", "--case", "big.json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_accounted(&text, &items_of(&d.join("big.json")), "big.json");
    assert!(
        text.contains("5000 CFItems: 4950 abilities"),
        "{}",
        text.lines().last().unwrap_or("")
    );
    assert!(text.contains("Created big-standards."), "{text}");
}

/// An award of `ability` milestone 1 to `to` by `by`, made in the store.
async fn award_in(url: &str, to: &str, by: &str, ability: &str) -> String {
    use cairn_domain::awards::AwardVisibility;
    let store = cairn_store::Store::open(url).await.expect("store");
    let org = cairn_store::orgs::by_slug(
        &store,
        &cairn_domain::OrgSlug::parse("fernhill").expect("slug"),
    )
    .await
    .expect("read")
    .expect("fernhill");
    let person = |email: &str| {
        let store = store.clone();
        let email = cairn_domain::people::Email::parse(email).expect("email");
        async move {
            cairn_store::people::by_email(&store, &email)
                .await
                .expect("read")
                .expect("person")
                .0
                .id
        }
    };
    let (to, by) = (person(to).await, person(by).await);
    cairn_store::awards::award(
        &store,
        &org.id,
        &by,
        &cairn_store::awards::NewAward {
            recipient: to.clone(),
            ability: cairn_domain::Slug::parse(ability).expect("slug"),
            levels: vec![cairn_domain::Level::parse(1).expect("level")],
            note: String::new(),
            visibility: AwardVisibility::Organization,
            evidence: vec![],
        },
        1_795_941_303_000,
    )
    .await
    .expect("award");
    let id = cairn_store::awards::of_person(&store, &org.id, &to)
        .await
        .expect("awards")
        .into_iter()
        .find(|a| a.ability.as_str() == ability)
        .expect("award")
        .id;
    store.close().await;
    id
}

#[tokio::test]
async fn a_credential_verifies_independently_a_tampered_one_fails_and_a_revoked_one_says_so() {
    use crate::delivery::{Http, fernhill, serve};
    let Some(python) = checker() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let (url, cookies) = fernhill(
        d,
        &[
            ("ana@fernhill.test", "member"),
            ("lee@fernhill.test", "people-lead"),
        ],
    );
    let award = award_in(&url, "ana@fernhill.test", "lee@fernhill.test", "mentoring").await;
    let server = serve(
        &url,
        &[("CAIRN_CREDENTIAL_KEY", "a long random credential key")],
    );
    let mut ana = Http::new(&server.address, Some(&cookies[0]));
    let mut lee = Http::new(&server.address, Some(&cookies[1]));
    let made = ana.post(&format!("/fernhill/awards/{award}/credential"), &[]);
    assert_eq!(made.status, 303, "{}", made.body);
    let page = made.headers["location"].clone();
    let schema = format!("{STANDARDS}/openbadges/achievementcredential.json");
    let save = |name: &str, body: &str| {
        let path = d.join(name);
        std::fs::write(&path, body).expect("write");
        path.display().to_string()
    };
    let jwt = ana.get(&format!("{page}/credential.jwt"));
    assert_eq!(jwt.status, 200);
    let json = ana.get(&format!("{page}/credential.json"));
    for file in [
        save("credential.jwt", &jwt.body),
        save("credential.json", &json.body),
    ] {
        let (ok, out) = check(&python, &["credential", &schema, &file]);
        assert!(ok, "{file}: {out}");
        assert_eq!(out.trim(), "verified", "{file}");
    }
    // One character changed in the payload: the signature fails.
    let token = jwt.body.trim();
    let (head, rest) = token.split_once('.').expect("jws");
    let (payload, signature) = rest.split_once('.').expect("jws");
    let mut chars: Vec<char> = payload.chars().collect();
    let at = chars.len() / 2;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let file = save("tampered.jwt", &format!("{head}.{tampered}.{signature}"));
    let (ok, out) = check(&python, &["credential", &schema, &file]);
    assert!(!ok, "{out}");
    assert!(out.starts_with("invalid: "), "{out}");
    // Revoked with its award: the independent verifier reads it so.
    let revoked = lee.post(&format!("/fernhill/awards/{award}/revoke"), &[]);
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let file = save("credential.jwt", &jwt.body);
    let (ok, out) = check(&python, &["credential", &schema, &file]);
    assert!(!ok);
    assert_eq!(out.trim(), "revoked");
    // The key rotated: the old credential still verifies its signature.
    let other = award_in(&url, "ana@fernhill.test", "lee@fernhill.test", "feedback").await;
    let out = crate::cairn_env(
        d,
        &[
            "--database-url",
            &url,
            "admin",
            "rotate-credential-key",
            "fernhill",
        ],
        &[("CAIRN_CREDENTIAL_KEY", "a long random credential key")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let made = ana.post(&format!("/fernhill/awards/{other}/credential"), &[]);
    let newer = ana.get(&format!("{}/credential.jwt", made.headers["location"]));
    let file = save("newer.jwt", &newer.body);
    let (ok, out) = check(&python, &["credential", &schema, &file]);
    assert!(ok, "{out}");
    assert!(
        newer.body.split('.').next().is_some_and(|h| h != head),
        "a new key id"
    );
    drop(server);
}

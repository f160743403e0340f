use cairn_store::backup::{self, RestoreRefused, TABLES};
use cairn_store::synthetic::{SeedParams, seed};
use cairn_store::testing::{for_each_backend, postgres, sqlite};
use cairn_store::{Store, framework};

use crate::demo;

const SMALL: SeedParams = SeedParams {
    orgs: 2,
    members: 30,
    observations: 120,
    seed: 3,
};

async fn filled(store: &Store) {
    seed(store, &SMALL, 1_800_000_000_000).await.expect("seed");
    framework::replace(store, &demo(), 1).await.expect("demo");
    // The demo's people: teams, tenures, awards, observations.
    let org = cairn_store::orgs::by_slug(store, &demo().organization.slug)
        .await
        .expect("read")
        .expect("org");
    cairn_store::demo::people(store, &org, 1_800_000_000_000)
        .await
        .expect("demo people");
}

async fn dump(store: &Store) -> (String, Vec<(&'static str, u64)>) {
    let mut out = Vec::new();
    let counts = backup::dump(store, &mut out).await.expect("dump");
    (String::from_utf8(out).expect("utf-8"), counts)
}

/// The backed-up tables are exactly the schema's tables.
#[tokio::test]
async fn the_backup_names_every_table_of_the_schema() {
    for_each_backend(|db| async move {
        let mut schema = backup::schema_tables(&db.store).await.expect("tables");
        schema.sort();
        let mut listed: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
        listed.sort();
        assert_eq!(schema, listed, "{}", db.label);
    })
    .await;
}

/// Dump, restore into a new database, dump again: every table holds the
/// same rows (the two dumps are identical). Also from SQLite to
/// PostgreSQL when PostgreSQL is here.
#[tokio::test]
async fn a_restored_backup_holds_every_row_of_every_table() {
    for_each_backend(|db| async move {
        filled(&db.store).await;
        let (first, counts) = dump(&db.store).await;
        assert!(
            counts
                .iter()
                // 120 synthetic, 6 of the demo's people.
                .any(|(t, n)| *t == "observations" && *n == 126),
            "{counts:?}"
        );
        let target = if db.label == "sqlite" {
            sqlite().await
        } else {
            postgres().await.expect("pg")
        };
        let restored = backup::restore(&target.store, first.as_bytes())
            .await
            .expect("restore")
            .expect("accepted");
        assert_eq!(restored, counts, "{}", db.label);
        let (second, _) = dump(&target.store).await;
        assert_eq!(
            first, second,
            "{}: dump of the restored database differs",
            db.label
        );
        println!(
            "backup on {}: {} rows in {} tables restored and compared",
            db.label,
            counts.iter().map(|(_, n)| n).sum::<u64>(),
            counts.len()
        );
    })
    .await;

    let source = sqlite().await;
    if let Some(target) = postgres().await {
        filled(&source.store).await;
        let (first, _) = dump(&source.store).await;
        backup::restore(&target.store, first.as_bytes())
            .await
            .expect("restore")
            .expect("accepted");
        let (second, _) = dump(&target.store).await;
        assert_eq!(first, second, "SQLite to PostgreSQL");
    }
}

/// A restore refuses a database that holds data, and a damaged dump, with
/// the line at fault; either way nothing is written.
#[tokio::test]
async fn a_restore_refuses_clearly_and_writes_nothing() {
    for_each_backend(|db| async move {
        filled(&db.store).await;
        let (good, _) = dump(&db.store).await;

        let refused = backup::restore(&db.store, good.as_bytes())
            .await
            .expect("ran");
        assert_eq!(refused, Err(RestoreRefused::NotEmpty), "{}", db.label);

        let lines: Vec<&str> = good.lines().collect();
        let damaged: Vec<(String, u64)> = vec![
            (String::new(), 1),
            ("{\"format\":\"other\"}".into(), 1),
            (
                format!("{}\n{{\"table\":\"secrets\",\"columns\":[]}}", lines[0]),
                2,
            ),
            (format!("{}\n[1,2]", lines[0]), 2),
            (format!("{}\n{}\n[\"only one\"]", lines[0], lines[1]), 3),
            (format!("{}\n{}\nnot json", lines[0], lines[1]), 3),
            (
                format!(
                    "{}\n{{\"table\":\"people\",\"columns\":[\"id\",\"password\"]}}",
                    lines[0]
                ),
                2,
            ),
        ];
        for (text, line) in damaged {
            let empty = if db.label == "sqlite" {
                sqlite().await
            } else {
                postgres().await.expect("pg")
            };
            let got = backup::restore(&empty.store, text.as_bytes())
                .await
                .expect("ran");
            match got {
                Err(RestoreRefused::Malformed { line: at, message }) => {
                    assert_eq!(at, line, "{}: {text:.80}: {message}", db.label);
                    assert!(!message.is_empty());
                }
                other => panic!("{}: {text:.80}: {other:?}", db.label),
            }
            let (after, counts) = dump(&empty.store).await;
            assert!(
                counts.iter().all(|(_, n)| *n == 0),
                "{}: wrote {counts:?}",
                db.label
            );
            assert!(!after.is_empty());
        }
    })
    .await;
}

/// One organization exported as a JSON document and imported into another
/// instance exports identically there; passwords never leave; importing
/// it twice is refused and changes nothing.
#[tokio::test]
async fn an_organization_moves_to_another_instance_whole() {
    use cairn_store::org_export::{self, ImportRefused};
    for_each_backend(|db| async move {
        filled(&db.store).await;
        let slug = cairn_domain::OrgSlug::parse("synthetic-0").expect("slug");
        let org = cairn_store::orgs::by_slug(&db.store, &slug)
            .await
            .expect("read")
            .expect("org");
        // Someone with a real password hash is a member.
        let email = cairn_domain::people::Email::parse("kim@example.com").expect("email");
        let kim = cairn_store::people::create(
            &db.store,
            &email,
            &cairn_domain::Name::parse("Kim", "n").expect("n"),
            "$argon2id$secret",
            1,
        )
        .await
        .expect("person");
        cairn_store::members::add(
            &db.store,
            &org.id,
            &kim.id,
            cairn_domain::membership::Capabilities::NONE,
            2,
        )
        .await
        .expect("member");
        let mut first = Vec::new();
        let rows = org_export::export(
            &db.store,
            &org.id,
            org_export::ExportFor::Operator,
            &mut first,
        )
        .await
        .expect("export");
        let text = String::from_utf8(first.clone()).expect("utf-8");
        assert!(
            !text.contains("$argon2id$secret"),
            "a password left the instance"
        );
        assert!(
            !text.contains("synthetic-1"),
            "another organization's rows leaked"
        );
        let doc: serde_json::Value = serde_json::from_str(&text).expect("one JSON document");

        let other = if db.label == "sqlite" {
            sqlite().await
        } else {
            postgres().await.expect("pg")
        };
        let imported = org_export::import(&other.store, &doc)
            .await
            .expect("import")
            .expect("accepted");
        assert_eq!(imported, "synthetic-0");
        let org2 = cairn_store::orgs::by_slug(&other.store, &slug)
            .await
            .expect("read")
            .expect("org");
        let mut second = Vec::new();
        org_export::export(
            &other.store,
            &org2.id,
            org_export::ExportFor::Operator,
            &mut second,
        )
        .await
        .expect("export");
        assert_eq!(
            String::from_utf8(second).expect("utf-8"),
            text,
            "{}: round trip",
            db.label
        );

        let again = org_export::import(&other.store, &doc).await.expect("ran");
        assert_eq!(
            again,
            Err(ImportRefused::OrganizationExists("synthetic-0".into())),
            "{}",
            db.label
        );
        println!(
            "organization export on {}: {rows} rows out, imported, exported again identically",
            db.label
        );
    })
    .await;
}

/// Positions, roles and teams held over time move with their organization.
#[tokio::test]
async fn tenures_and_teams_move_with_their_organization() {
    use cairn_store::org_export;
    for_each_backend(|db| async move {
        filled(&db.store).await;
        let slug = demo().organization.slug;
        let org = cairn_store::orgs::by_slug(&db.store, &slug)
            .await
            .expect("read")
            .expect("org");
        let mut first = Vec::new();
        org_export::export(
            &db.store,
            &org.id,
            org_export::ExportFor::Operator,
            &mut first,
        )
        .await
        .expect("export");
        let text = String::from_utf8(first).expect("utf-8");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
        let rows = |table: &str| {
            doc["tables"]
                .as_array()
                .and_then(|t| t.iter().find(|x| x["table"] == table))
                .and_then(|t| t["rows"].as_array())
                .map_or(0, Vec::len)
        };
        assert_eq!(rows("teams"), 3, "{}", db.label);
        assert!(rows("tenures") >= 20, "{}: {}", db.label, rows("tenures"));
        let other = if db.label == "sqlite" {
            sqlite().await
        } else {
            postgres().await.expect("pg")
        };
        org_export::import(&other.store, &doc)
            .await
            .expect("import")
            .expect("accepted");
        let moved = cairn_store::orgs::by_slug(&other.store, &slug)
            .await
            .expect("read")
            .expect("org");
        let holders = |store: &Store, id: &cairn_store::orgs::OrgId| {
            let (store, id) = (store.clone(), id.clone());
            async move {
                cairn_store::jobs::holders(&store, &id)
                    .await
                    .expect("holders")
                    .into_iter()
                    .map(|h| (h.name.to_string(), h.position, h.roles, h.team))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            holders(&db.store, &org.id).await,
            holders(&other.store, &moved.id).await
        );
    })
    .await;
}

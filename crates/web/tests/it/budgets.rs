//! Statement budgets: how many SQL statements each page may run, counted
//! (never timed) on both backends. A page over its budget fails here.

use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Markdown, Slug};
use cairn_store::observations::{self, Draft};
use cairn_store::testing::{self, TestDb, statements};

use crate::support::{DEMO, TestApp};

async fn on(db: TestDb) -> TestApp {
    let app = TestApp::on(db);
    app.import(DEMO).await;
    app
}

#[tokio::test]
async fn every_page_stays_within_its_statement_budget() {
    statements::install();
    let mut dbs = vec![testing::sqlite().await];
    dbs.extend(testing::postgres().await);
    for db in dbs {
        let label = db.label;
        let app = on(db).await;
        let store = &app.db.store;
        let org = app.org("fernhill").await;
        let mia = app.join("fernhill", "mia", Capabilities::NONE).await;
        let lea = app
            .join(
                "fernhill",
                "lea",
                Capabilities::of(&[Capability::PeopleLead]),
            )
            .await;
        // Enough observations that a page running a statement per card
        // would show it.
        for n in 0..30 {
            let id = observations::create(
                store,
                &org.id,
                &lea.id,
                &Draft {
                    observees: vec![mia.id.clone()],
                    story: Markdown::new(format!("Story {n}.")),
                    observed_on: 1_700_000_000_000 + n,
                    ratings: vec![
                        (Slug::parse("mentoring").expect("slug"), Rating::Strong),
                        (
                            Slug::parse("code-quality").expect("slug"),
                            Rating::Exceptional,
                        ),
                    ],
                },
                2,
            )
            .await
            .expect("create")
            .expect("draft");
            let privacy = if n % 2 == 0 {
                Privacy::Public
            } else {
                Privacy::Organization
            };
            observations::publish(store, &org.id, &id, privacy, 3)
                .await
                .expect("publish");
        }
        let mut anon = app.anon();
        let mut mia_client = mia.client;
        let journey = format!("/fernhill/people/{}", mia.id.as_str());
        #[rustfmt::skip]
        let pages: Vec<(&str, &str, bool, usize)> = vec![
            // (page, path, as a member, budget)
            ("public ability page", "/fernhill/abilities/mentoring", false, 3),
            ("member ability page", "/fernhill/abilities/mentoring", true, 4),
            ("overview", "/fernhill", false, 2),
            ("journey", &journey, true, 6),
            ("observations list", "/fernhill/observations", true, 4),
            ("health report", "/fernhill/health", false, 3),
        ];
        let mut over = Vec::new();
        for (page, path, member, budget) in pages {
            let client = if member { &mut mia_client } else { &mut anon };
            // Warm: connections open, caches filled, as on a running server.
            let status = client.get(path).await.status;
            assert_eq!(status, axum::http::StatusCode::OK, "{page} on {label}");
            // The fewest of three tries: see `statements` on `cargo test`.
            let mut seen = Vec::new();
            for _ in 0..3 {
                let (run, _) = statements::record(client.get(path)).await;
                if seen.is_empty() || run.len() < seen.len() {
                    seen = run;
                }
            }
            let n = seen.len();
            println!(
                "{label}: {page}: {n} statements (budget {budget})\n  {}",
                seen.join("\n  ")
            );
            assert!(n >= 1, "{page} on {label}: the counter saw nothing");
            if n > budget {
                over.push(format!(
                    "{page} on {label}: {n} statements, budget {budget}:\n  {}",
                    seen.join("\n  ")
                ));
            }
        }
        assert!(over.is_empty(), "{over:#?}");
    }
}

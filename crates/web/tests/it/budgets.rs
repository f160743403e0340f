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
        // Mia holds a position and a role, so her journey and the
        // requirements list have lines to compute.
        let (position, roles) = (
            Slug::parse("senior-engineer").expect("slug"),
            [Slug::parse("mentor").expect("slug")],
        );
        cairn_store::jobs::change(
            store,
            &org.id,
            &mia.id,
            &cairn_store::jobs::Change {
                position: Some(&position),
                roles: &roles,
                team: None,
                since: 1_600_000_000_000,
                note: "",
                by: &lea.id,
                client_ip: "",
            },
            1_700_000_000_000,
        )
        .await
        .expect("store")
        .expect("change");
        cairn_store::teams::save(
            store,
            &org.id,
            &Slug::parse("platform").expect("slug"),
            &cairn_domain::Name::parse("Platform", "n").expect("name"),
            None,
            true,
            1,
        )
        .await
        .expect("store")
        .expect("team");
        let team = Slug::parse("platform").expect("slug");
        cairn_store::jobs::change(
            store,
            &org.id,
            &lea.id,
            &cairn_store::jobs::Change {
                position: None,
                roles: &[],
                team: Some(&team),
                since: 1_600_000_000_000,
                note: "",
                by: &lea.id,
                client_ip: "",
            },
            1_700_000_000_000,
        )
        .await
        .expect("store")
        .expect("change");
        // A check-in of Mia's, revealed: both sides to show.
        let check_in =
            cairn_store::check_ins::open(store, &org.id, &mia.id, &position, false, &lea.id, 4)
                .await
                .expect("store")
                .expect("open");
        let entries = [
            (
                Slug::parse("code-quality").expect("slug"),
                cairn_domain::check_ins::Entry::default(),
            ),
            (
                Slug::parse("mentoring").expect("slug"),
                cairn_domain::check_ins::Entry::default(),
            ),
        ];
        for (side, author) in [
            (cairn_domain::check_ins::Side::Member, &mia.id),
            (cairn_domain::check_ins::Side::Manager, &lea.id),
        ] {
            let w = cairn_store::check_ins::SideWrite {
                side,
                author,
                entries: &entries,
                added: &[],
                complete: true,
            };
            cairn_store::check_ins::save_side(store, &org.id, &check_in, &w, 5)
                .await
                .expect("store")
                .expect("side");
        }
        let check_in = format!("/fernhill/check-ins/{check_in}");
        let mut anon = app.anon();
        let mut mia_client = mia.client;
        let mut lea_client = lea.client;
        let journey = format!("/fernhill/people/{}", mia.id.as_str());
        #[rustfmt::skip]
        let pages: Vec<(&str, &str, u8, usize)> = vec![
            // (page, path, as 0 anonymous, 1 a member, 2 a people lead; budget)
            ("public ability page", "/fernhill/abilities/mentoring", 0, 3),
            ("member ability page", "/fernhill/abilities/mentoring", 1, 4),
            ("overview", "/fernhill", 0, 2),
            ("explore, anonymous", "/fernhill/explore?m=code-quality:3,testing:2", 0, 2),
            ("explore, as a member", "/fernhill/explore?m=code-quality:3,testing:2", 1, 2),
            ("positions compared", "/fernhill/positions/compare?a=engineer-2&b=senior-engineer", 0, 2),
            ("journey", &journey, 1, 6),
            ("observations list", "/fernhill/observations", 1, 4),
            ("health report", "/fernhill/health", 0, 3),
            ("insights, as a people lead", "/fernhill/insights", 2, 5),
            ("requirements", "/fernhill/requirements", 2, 6),
            ("teams", "/fernhill/teams", 1, 6),
            ("team page as a member", "/fernhill/teams/platform", 1, 6),
            ("team page as a people lead", "/fernhill/teams/platform", 2, 6),
            ("check-ins due, as a people lead", "/fernhill/check-ins", 2, 5),
            ("a check-in, as the member", &check_in, 1, 6),
            ("a check-in, as a people lead", &check_in, 2, 6),
            ("the inbox", "/notifications", 1, 2),
            ("notification settings", "/settings/notifications", 1, 4),
        ];
        let mut over = Vec::new();
        for (page, path, member, budget) in pages {
            let client = match member {
                0 => &mut anon,
                1 => &mut mia_client,
                _ => &mut lea_client,
            };
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

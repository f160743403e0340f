use std::collections::BTreeSet;

use cairn_store::synthetic::{SeedParams, seed};
use cairn_store::testing::{for_each_backend, sqlite};
use cairn_store::{framework, observations, orgs};

const SMALL: SeedParams = SeedParams {
    orgs: 3,
    members: 50,
    observations: 400,
    seed: 7,
};

#[tokio::test]
async fn synthetic_data_has_the_asked_shape_on_both_backends() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let before = indexes(&db).await;
        let summary = seed(s, &SMALL, 1_800_000_000_000).await.expect("seed");
        // A bulk load may drop indexes to build them once at the end: all
        // of them are back.
        assert_eq!(indexes(&db).await, before, "{}", db.label);
        assert_eq!(
            (summary.orgs, summary.members, summary.observations),
            (3, 50, 400),
            "{}",
            db.label
        );
        assert_eq!(summary.awards, 100);
        // The seed writes the ability figures directly; they must equal the counted ones.
        for n in 0..3 {
            let slug = cairn_domain::OrgSlug::parse(&format!("synthetic-{n}")).expect("slug");
            let org = orgs::by_slug(s, &slug).await.expect("read").expect("org");
            let off = cairn_store::ability_stats::disagreements(s, &org.id)
                .await
                .expect("check");
            assert!(off.is_empty(), "{}: {slug}: {off:?}", db.label);
        }
        // Organization 0 holds a fifth.
        let big = orgs::by_slug(
            s,
            &cairn_domain::OrgSlug::parse("synthetic-0").expect("slug"),
        )
        .await
        .expect("read")
        .expect("org");
        let members = cairn_store::members::list(s, &big.id).await.expect("list");
        assert_eq!(members.len(), 10);
        let fw = framework::current(s, &big.id)
            .await
            .expect("framework")
            .framework()
            .clone();
        assert_eq!(
            (fw.abilities.len(), fw.roles.len(), fw.positions.len()),
            (24, 6, 6)
        );
        // The owner (member 0) reads what an observer would: an organization-wide mix.
        let owner = &members
            .iter()
            .find(|m| {
                m.capabilities
                    .holds(cairn_domain::membership::Capability::Owner)
            })
            .expect("owner")
            .person
            .id;
        let seen = observations::visible(s, &big.id, Some(owner), true)
            .await
            .expect("visible");
        assert!(
            seen.len() > 30 && seen.len() < 80,
            "{}: {}",
            db.label,
            seen.len()
        );
        let public = observations::visible(s, &big.id, None, false)
            .await
            .expect("public");
        assert!(!public.is_empty() && public.len() < seen.len());
        let report = cairn_store::health::report(s, &big, 1_800_000_000_000)
            .await
            .expect("report");
        assert_eq!(report.abilities.len(), 24);
    })
    .await;
}

#[tokio::test]
async fn the_same_seed_gives_the_same_rows() {
    let a = sqlite().await;
    let b = sqlite().await;
    for db in [&a, &b] {
        seed(&db.store, &SMALL, 1_800_000_000_000)
            .await
            .expect("seed");
    }
    let ids = |store: cairn_store::Store| async move {
        let org = orgs::by_slug(
            &store,
            &cairn_domain::OrgSlug::parse("synthetic-1").expect("slug"),
        )
        .await
        .expect("read")
        .expect("org");
        observations::visible(&store, &org.id, None, false)
            .await
            .expect("list")
            .into_iter()
            .map(|o| (o.id, o.privacy.as_str(), o.observed_on - 1_800_000_000_000))
            .collect::<BTreeSet<_>>()
    };
    let (x, y) = (ids(a.store.clone()).await, ids(b.store.clone()).await);
    assert!(!x.is_empty());
    assert_eq!(x, y);
}

/// The schema's indexes, by name.
async fn indexes(db: &cairn_store::testing::TestDb) -> Vec<String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = if db.label == "sqlite" {
        format!("sqlite://{}", db.url)
    } else {
        db.url.clone()
    };
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
    let sql = if db.label == "sqlite" {
        "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
    } else {
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
    };
    let names: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&mut conn)
        .await
        .expect("indexes");
    assert!(names.len() > 5, "{}: indexes read", db.label);
    names
}

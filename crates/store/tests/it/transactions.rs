use cairn_store::testing::for_each_backend;
use cairn_store::{framework, orgs};

use crate::demo;

#[tokio::test]
async fn a_dropped_transaction_writes_nothing_and_frees_its_connection() {
    for_each_backend(|db| async move {
        framework::replace(&db.store, &demo(), 1)
            .await
            .expect("import");
        let org = orgs::by_slug(&db.store, &demo().organization.slug)
            .await
            .expect("read")
            .expect("exists");
        // Many more unfinished transactions than the pool has connections:
        // each must give its slot back when dropped.
        for _ in 0..40 {
            let tx = db.store.begin_write().await.expect("begin");
            drop(tx);
        }
        orgs::set_published(&db.store, &org.id, false, 2)
            .await
            .expect("write after drops");
        assert!(
            !orgs::by_slug(&db.store, &org.org.slug)
                .await
                .expect("read")
                .expect("exists")
                .published
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_all_succeed() {
    for_each_backend(|db| async move {
        framework::replace(&db.store, &demo(), 1)
            .await
            .expect("import");
        let org = orgs::by_slug(&db.store, &demo().organization.slug)
            .await
            .expect("read")
            .expect("exists");
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = db.store.clone();
            let id = org.id.clone();
            tasks.push(tokio::spawn(async move {
                orgs::set_published(&store, &id, i % 2 == 0, i).await
            }));
        }
        for t in tasks {
            t.await
                .expect("task")
                .expect("write succeeds under contention");
        }
        // A whole-framework import racing the small writes also lands.
        framework::replace(&db.store, &demo(), 100)
            .await
            .expect("import");
    })
    .await;
}

#[tokio::test]
async fn migrations_run_once() {
    for_each_backend(|db| async move {
        let again = db.store.migrate().await.expect("migrate again");
        assert!(again.is_empty(), "{}: nothing left to apply", db.label);
        // Two concurrent migrators on a fresh store also agree.
        let fresh = cairn_store::Store::connect(&db.url).await.expect("connect");
        let (a, b) = tokio::join!(fresh.migrate(), fresh.migrate());
        assert!(a.expect("a").is_empty() && b.expect("b").is_empty());
    })
    .await;
}

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

/// Another process holds SQLite's write lock for longer than the busy
/// timeout. Writes meanwhile fail with an error (never a success), callers
/// who give up mid-wait leave no connection inside a transaction, and once
/// the lock is released 100 writes in a row all land.
#[tokio::test]
async fn a_write_lock_held_elsewhere_gives_clean_errors_and_poisons_nothing() {
    use cairn_domain::Name;
    use cairn_domain::people::Email;
    use sqlx::{Connection, Executor};

    let db = cairn_store::testing::sqlite().await;
    let s = &db.store;
    let write = |n: usize| async move {
        let email = Email::parse(&format!("p{n}@example.com")).expect("email");
        cairn_store::people::create(s, &email, &Name::parse("P", "n").expect("n"), "h", 1).await
    };
    let mut other = sqlx::AnyConnection::connect(&cairn_store::normalize_url(&db.url).1)
        .await
        .expect("connect");
    other.execute("BEGIN IMMEDIATE").await.expect("lock");

    // Callers who stop waiting (a cancelled request) while the lock is held.
    let mut gave_up = 0;
    for n in 0..8 {
        if tokio::time::timeout(std::time::Duration::from_millis(50), write(1000 + n))
            .await
            .is_err()
        {
            gave_up += 1;
        }
    }
    assert_eq!(gave_up, 8, "every write waited for the lock");
    // One that waits it out gets an error, not a success.
    assert!(
        write(2000).await.is_err(),
        "a write under a held lock must fail"
    );

    other.execute("ROLLBACK").await.expect("unlock");
    let mut landed = 0;
    for n in 0..100 {
        write(n).await.expect("a write after the lock is released");
        landed += 1;
    }
    for n in 0..100 {
        let email = Email::parse(&format!("p{n}@example.com")).expect("email");
        assert!(
            cairn_store::people::by_email(s, &email)
                .await
                .expect("read")
                .is_some(),
            "p{n}"
        );
    }
    for n in [1000, 1007, 2000] {
        let email = Email::parse(&format!("p{n}@example.com")).expect("email");
        assert!(
            cairn_store::people::by_email(s, &email)
                .await
                .expect("read")
                .is_none(),
            "p{n} was refused"
        );
    }
    println!(
        "write lock held elsewhere: 8 callers gave up, 1 refused, then {landed} of 100 writes landed"
    );
}

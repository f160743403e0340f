//! Crash safety: a real `cairn serve` process takes concurrent writes and
//! is killed with SIGKILL at a random moment, several times, on SQLite and
//! on PostgreSQL. Every write the client saw succeed (a 303 after starting a
//! conversation) must be in the database afterwards, and SQLite's
//! `PRAGMA integrity_check` must answer "ok". The server is restarted on
//! the same database between trials.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_domain::ItemKind;
use cairn_store::conversations;
use cairn_store::testing::TestDb;

use crate::{post, start};

const TRIALS: usize = 3;
const WRITERS: usize = 4;

/// A small deterministic generator for the kill moments.
fn moments(seed: u64) -> impl Iterator<Item = u64> {
    let mut x = seed;
    std::iter::from_fn(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Some(150 + x % 600)
    })
}

async fn trials(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let url = db.url.clone();
    let cookie = crate::demo_with_member(d, &url, "crash@example.com");

    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut sent = 0;
    for (trial, wait_ms) in moments(0x2545_f491 + db.label.len() as u64)
        .take(TRIALS)
        .enumerate()
    {
        let (mut child, address) = start(&url);
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (stop, acked, address, cookie) = (
                    stop.clone(),
                    acknowledged.clone(),
                    address.clone(),
                    cookie.clone(),
                );
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) && n < 10_000 {
                        let title = format!("t{trial}-w{w}-n{n}");
                        let body = format!("title={title}&body=written+before+the+crash");
                        if post(
                            &address,
                            &cookie,
                            "/fernhill/abilities/mentoring/conversations",
                            &body,
                        ) {
                            acked.lock().expect("lock").push(title);
                        } else {
                            // The server is gone (or refused): this writer is done.
                            break;
                        }
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            sent += w.join().expect("writer");
        }
    }

    // Back up after the last crash: everything acknowledged is there.
    let (mut child, _address) = start(&url);
    let org = cairn_store::orgs::by_slug(
        &db.store,
        &cairn_domain::OrgSlug::parse("fernhill").expect("slug"),
    )
    .await
    .expect("read")
    .expect("org");
    let subject = conversations::subject(&db.store, &org.id, ItemKind::Ability, "mentoring")
        .await
        .expect("read")
        .expect("subject");
    let stored: std::collections::HashSet<String> =
        conversations::threads(&db.store, &org.id, &subject)
            .await
            .expect("threads")
            .into_iter()
            .map(|t| t.title)
            .collect();
    let acked = acknowledged.lock().expect("lock").clone();
    let lost: Vec<&String> = acked.iter().filter(|t| !stored.contains(*t)).collect();
    assert!(
        !acked.is_empty(),
        "{}: no write was acknowledged at all",
        db.label
    );
    assert!(
        lost.is_empty(),
        "{}: acknowledged writes lost: {lost:?}",
        db.label
    );
    if db.label == "sqlite" {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&cairn_store::normalize_url(&url).1)
            .await
            .expect("connect");
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .expect("integrity_check");
        assert_eq!(check, "ok", "integrity_check");
    }
    child.kill().expect("stop");
    child.wait().expect("reap");
    println!(
        "crash safety on {}: {TRIALS} SIGKILLs during {WRITERS} concurrent writers; {sent} writes sent, {} acknowledged, {} found after restart, 0 lost",
        db.label,
        acked.len(),
        acked.iter().filter(|t| stored.contains(*t)).count()
    );
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill_on_sqlite() {
    trials(cairn_store::testing::sqlite().await).await;
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill_on_postgres() {
    if let Some(db) = cairn_store::testing::postgres().await {
        trials(db).await;
    }
}

//! Throttling: every attempt counted, successes taken back.

use cairn_store::testing::for_each_backend;

#[tokio::test]
async fn attempts_are_counted_per_key_within_a_window_and_successes_taken_back() {
    use cairn_domain::throttle::{Limit, Recent};
    use cairn_store::throttle;
    for_each_backend(|db| async move {
        let limit = Limit {
            max: 3,
            window_ms: 1_000,
        };
        let keys = [("email:a@x.io", limit), ("ip:1", limit)];
        let mut attempts = Vec::new();
        for t in [100, 200, 300] {
            let a = throttle::begin(&db.store, &keys, t).await.expect("begin");
            attempts.push(a.expect("under the limit"));
        }
        // The fourth waits until the first leaves the window (at 1100).
        assert_eq!(
            throttle::begin(&db.store, &keys, 400)
                .await
                .expect("begin")
                .err(),
            Some(1),
            "{}",
            db.label
        );
        assert_eq!(
            throttle::recent(&db.store, "email:a@x.io", 0)
                .await
                .expect("count"),
            Recent {
                count: 3,
                oldest: Some(100)
            },
            "a refused attempt is not recorded"
        );
        // A success takes its own attempt back and forgets the account's
        // failures, not the address's.
        throttle::succeeded(&db.store, &attempts[2], &["email:a@x.io"])
            .await
            .expect("success");
        assert_eq!(
            throttle::recent(&db.store, "email:a@x.io", 0)
                .await
                .expect("count")
                .count,
            0
        );
        assert_eq!(
            throttle::recent(&db.store, "ip:1", 0)
                .await
                .expect("count")
                .count,
            2
        );
        // Past the window, old attempts no longer count and are forgotten.
        assert!(
            throttle::begin(&db.store, &keys[1..], 1_250)
                .await
                .expect("begin")
                .is_ok()
        );
        assert_eq!(
            throttle::recent(&db.store, "ip:1", 0).await.expect("count"),
            Recent {
                count: 1,
                oldest: Some(1_250)
            }
        );
    })
    .await;
}

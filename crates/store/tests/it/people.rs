//! People: accounts, sessions, API tokens.

use cairn_domain::Name;
use cairn_domain::people::Email;
use cairn_store::StoreError;
use cairn_store::people::{self, Client, TokenScope};
use cairn_store::testing::for_each_backend;

use crate::person;

#[tokio::test]
async fn one_account_per_email() {
    for_each_backend(|db| async move {
        let ana = person(&db.store, "ana@example.com").await;
        let again = people::create(
            &db.store,
            &Email::parse("ANA@example.com").expect("email"),
            &Name::parse("Ana 2", "n").expect("name"),
            "h",
            2,
        )
        .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{}",
            db.label
        );
        let (found, hash) = people::by_email(&db.store, &ana.email)
            .await
            .expect("read")
            .expect("found");
        assert_eq!((found, hash.as_str()), (ana, "$argon2id$fake"));
    })
    .await;
}

#[tokio::test]
async fn sessions_live_until_they_expire_or_are_ended() {
    for_each_backend(|db| async move {
        let ana = person(&db.store, "ana@example.com").await;
        let client = Client {
            user_agent: "Firefox".into(),
            ip: "192.0.2.1".into(),
        };
        let id = people::start_session(&db.store, "h1", &ana.id, &client, 1_000, 10_000)
            .await
            .expect("start");
        people::start_session(&db.store, "h2", &ana.id, &client, 1_000, 10_000)
            .await
            .expect("start");
        let (who, sid) = people::session_person(&db.store, "h1", 5_000)
            .await
            .expect("read")
            .expect("live");
        assert_eq!((who.id, sid), (ana.id.clone(), id.clone()), "{}", db.label);
        assert!(
            people::session_person(&db.store, "h1", 10_001)
                .await
                .expect("read")
                .is_none(),
            "expired"
        );
        assert!(
            people::session_person(&db.store, "nope", 5_000)
                .await
                .expect("read")
                .is_none()
        );

        let list = people::sessions(&db.store, &ana.id, 5_000)
            .await
            .expect("list");
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].user_agent, "Firefox");

        // Another person cannot revoke Ana's session by its id.
        let ben = person(&db.store, "ben@example.com").await;
        assert!(
            !people::revoke_session(&db.store, &ben.id, &id)
                .await
                .expect("revoke")
        );
        assert!(
            people::revoke_session(&db.store, &ana.id, &id)
                .await
                .expect("revoke")
        );
        assert!(
            people::session_person(&db.store, "h1", 5_000)
                .await
                .expect("read")
                .is_none()
        );

        people::end_session(&db.store, "h2").await.expect("end");
        assert!(
            people::sessions(&db.store, &ana.id, 5_000)
                .await
                .expect("list")
                .is_empty()
        );

        // A new password ends every session.
        people::start_session(&db.store, "h3", &ana.id, &client, 1_000, 10_000)
            .await
            .expect("start");
        let keep = people::create_token(
            &db.store,
            &ana.id,
            &Name::parse("kept", "n").expect("n"),
            TokenScope::Read,
            "kept-th",
            1_000,
        )
        .await
        .expect("token");
        people::set_password(&db.store, &ana.id, "new-hash", false, 6_000)
            .await
            .expect("set");
        assert!(
            people::token_person(&db.store, "kept-th", 6_001)
                .await
                .expect("read")
                .is_some(),
            "a kept token still works"
        );
        people::start_session(&db.store, "h4", &ana.id, &client, 6_100, 10_000)
            .await
            .expect("start");
        // A password change that revokes tokens ends them with the sessions.
        people::set_password(&db.store, &ana.id, "newer-hash", true, 6_500)
            .await
            .expect("set");
        assert!(
            people::token_person(&db.store, "kept-th", 6_501)
                .await
                .expect("read")
                .is_none(),
            "{}: revoked with the password change",
            db.label
        );
        assert!(
            people::tokens(&db.store, &ana.id)
                .await
                .expect("list")
                .iter()
                .all(|t| t.id != keep.id)
        );
        people::set_password(&db.store, &ana.id, "new-hash", false, 6_600)
            .await
            .expect("set");
        assert!(
            people::session_person(&db.store, "h3", 6_001)
                .await
                .expect("read")
                .is_none(),
            "{}",
            db.label
        );
        assert_eq!(
            people::password_hash(&db.store, &ana.id)
                .await
                .expect("hash"),
            "new-hash"
        );
    })
    .await;
}

#[tokio::test]
async fn tokens_act_for_their_owner_until_revoked() {
    for_each_backend(|db| async move {
        let ana = person(&db.store, "ana@example.com").await;
        let token = people::create_token(
            &db.store,
            &ana.id,
            &Name::parse("ci", "n").expect("n"),
            TokenScope::Write,
            "th",
            1,
        )
        .await
        .expect("create");
        assert_eq!(
            people::token_person(&db.store, "th", 100_000)
                .await
                .expect("read"),
            Some((ana.clone(), TokenScope::Write))
        );
        let listed = people::tokens(&db.store, &ana.id).await.expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_used_at, Some(100_000), "{}", db.label);
        assert!(
            people::revoke_token(&db.store, &ana.id, &token.id, 2)
                .await
                .expect("revoke")
        );
        assert!(
            !people::revoke_token(&db.store, &ana.id, &token.id, 3)
                .await
                .expect("revoke twice")
        );
        assert_eq!(
            people::token_person(&db.store, "th", 4)
                .await
                .expect("read"),
            None
        );
        assert!(
            people::tokens(&db.store, &ana.id)
                .await
                .expect("list")
                .is_empty()
        );
    })
    .await;
}

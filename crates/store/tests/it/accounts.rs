use cairn_domain::membership::{Capabilities, Capability, MemberStatus};
use cairn_domain::people::Email;
use cairn_domain::{Name, OrgSlug};
use cairn_store::members::{self, InvitationState, ManagerError};
use cairn_store::people::{self, Client, Person, TokenScope};
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, StoreError, orgs};

async fn person(store: &Store, email: &str) -> Person {
    let email = Email::parse(email).expect("email");
    let name = Name::parse(email.as_str().split('@').next().expect("local"), "n").expect("name");
    people::create(store, &email, &name, "$argon2id$fake", 1)
        .await
        .expect("create")
}

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

#[tokio::test]
async fn organizations_have_an_owner_and_unique_slugs() {
    for_each_backend(|db| async move {
        let ana = person(&db.store, "ana@example.com").await;
        let slug = OrgSlug::parse("acme").expect("slug");
        let name = Name::parse("Acme", "n").expect("name");
        let org = orgs::create(&db.store, &slug, &name, &ana.id, 1)
            .await
            .expect("create");
        assert!(matches!(
            orgs::create(&db.store, &slug, &name, &ana.id, 2).await,
            Err(StoreError::Conflict(_))
        ));
        let caps = members::membership(&db.store, &org, &ana.id)
            .await
            .expect("read");
        assert_eq!(
            caps,
            Some((Capabilities::of(&[Capability::Owner]), MemberStatus::Active)),
            "{}",
            db.label
        );
        assert_eq!(
            members::organizations_of(&db.store, &ana.id)
                .await
                .expect("list"),
            vec![(slug.clone(), name.clone())]
        );
        orgs::rename(
            &db.store,
            &org,
            &Name::parse("Acme Ltd", "n").expect("n"),
            3,
        )
        .await
        .expect("rename");
        assert_eq!(
            orgs::by_id(&db.store, &org)
                .await
                .expect("read")
                .expect("org")
                .org
                .name
                .as_str(),
            "Acme Ltd"
        );
    })
    .await;
}

#[tokio::test]
async fn members_change_capabilities_managers_and_status() {
    for_each_backend(|db| async move {
        let ana = person(&db.store, "ana@example.com").await;
        let ben = person(&db.store, "ben@example.com").await;
        let cy = person(&db.store, "cy@example.com").await;
        let outsider = person(&db.store, "out@example.com").await;
        let org = orgs::create(
            &db.store,
            &OrgSlug::parse("acme").expect("s"),
            &Name::parse("Acme", "n").expect("n"),
            &ana.id,
            1,
        )
        .await
        .expect("org");
        members::add(&db.store, &org, &ben.id, Capabilities::NONE, 2)
            .await
            .expect("add");
        members::add(&db.store, &org, &cy.id, Capabilities::NONE, 2)
            .await
            .expect("add");
        members::set_capabilities(
            &db.store,
            &org,
            &ben.id,
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await
        .expect("caps");

        assert_eq!(
            members::set_manager(&db.store, &org, &cy.id, Some(&ben.id))
                .await
                .expect("set"),
            Ok(())
        );
        assert_eq!(
            members::set_manager(&db.store, &org, &ben.id, Some(&ana.id))
                .await
                .expect("set"),
            Ok(())
        );
        assert_eq!(
            members::set_manager(&db.store, &org, &ana.id, Some(&cy.id))
                .await
                .expect("set"),
            Err(ManagerError::Cycle),
            "{}",
            db.label
        );
        assert_eq!(
            members::set_manager(&db.store, &org, &ana.id, Some(&ana.id))
                .await
                .expect("set"),
            Err(ManagerError::Cycle)
        );
        assert_eq!(
            members::set_manager(&db.store, &org, &ana.id, Some(&outsider.id))
                .await
                .expect("set"),
            Err(ManagerError::NotAMember)
        );
        assert!(matches!(
            members::set_manager(&db.store, &org, &outsider.id, None).await,
            Err(StoreError::NotFound)
        ));

        members::set_status(&db.store, &org, &cy.id, MemberStatus::Departed, 5)
            .await
            .expect("depart");
        let list = members::list(&db.store, &org).await.expect("list");
        let names: Vec<(&str, MemberStatus, Option<&str>)> = list
            .iter()
            .map(|m| {
                (
                    m.person.name.as_str(),
                    m.status,
                    m.manager
                        .as_ref()
                        .map(|p| if *p == ana.id { "ana" } else { "ben" }),
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("ana", MemberStatus::Active, None),
                ("ben", MemberStatus::Active, Some("ana")),
                ("cy", MemberStatus::Departed, Some("ben"))
            ],
            "{}",
            db.label
        );
        assert!(
            members::organizations_of(&db.store, &cy.id)
                .await
                .expect("list")
                .is_empty()
        );
        // Coming back keeps the history and reactivates.
        members::add(&db.store, &org, &cy.id, Capabilities::NONE, 9)
            .await
            .expect("re-add");
        assert_eq!(
            members::membership(&db.store, &org, &cy.id)
                .await
                .expect("read")
                .map(|m| m.1),
            Some(MemberStatus::Active)
        );
    })
    .await;
}

#[tokio::test]
async fn an_invitation_is_used_once() {
    for_each_backend(|db| async move {
        let ana = person(&db.store, "ana@example.com").await;
        let ben = person(&db.store, "ben@example.com").await;
        let cy = person(&db.store, "cy@example.com").await;
        let org = orgs::create(
            &db.store,
            &OrgSlug::parse("acme").expect("s"),
            &Name::parse("Acme", "n").expect("n"),
            &ana.id,
            1,
        )
        .await
        .expect("org");
        members::create_invitation(&db.store, &org, "tok", "Ben", &ana.id, 10, 1_000)
            .await
            .expect("invite");
        assert_eq!(
            members::invitation_by_token(&db.store, "tok", 20)
                .await
                .expect("read")
                .map(|i| i.state),
            Some(InvitationState::Open)
        );
        assert_eq!(
            members::accept_invitation(&db.store, "tok", &ben.id, 20)
                .await
                .expect("accept"),
            Ok((org.clone(), members::Joined::New))
        );
        // An active member opening another link changes nothing and leaves it open.
        members::create_invitation(&db.store, &org, "again", "", &ana.id, 10, 1_000)
            .await
            .expect("invite");
        assert_eq!(
            members::accept_invitation(&db.store, "again", &ben.id, 20)
                .await
                .expect("accept"),
            Ok((org.clone(), members::Joined::AlreadyMember))
        );
        assert_eq!(
            members::invitation_by_token(&db.store, "again", 20)
                .await
                .expect("read")
                .map(|i| i.state),
            Some(InvitationState::Open),
            "{}",
            db.label
        );
        assert_eq!(
            members::accept_invitation(&db.store, "tok", &cy.id, 21)
                .await
                .expect("accept"),
            Err(InvitationState::Used),
            "{}",
            db.label
        );
        assert!(
            members::membership(&db.store, &org, &cy.id)
                .await
                .expect("read")
                .is_none()
        );

        members::create_invitation(&db.store, &org, "old", "", &ana.id, 10, 100)
            .await
            .expect("invite");
        assert_eq!(
            members::accept_invitation(&db.store, "old", &cy.id, 100)
                .await
                .expect("accept"),
            Err(InvitationState::Expired)
        );

        let third = members::create_invitation(&db.store, &org, "rev", "", &ana.id, 10, 1_000)
            .await
            .expect("invite");
        assert!(
            members::revoke_invitation(&db.store, &org, &third.id, 30)
                .await
                .expect("revoke")
        );
        assert_eq!(
            members::accept_invitation(&db.store, "rev", &cy.id, 40)
                .await
                .expect("accept"),
            Err(InvitationState::Revoked)
        );
        assert!(matches!(
            members::accept_invitation(&db.store, "none", &cy.id, 40).await,
            Err(StoreError::NotFound)
        ));

        let states: Vec<InvitationState> = members::invitations(&db.store, &org, 200)
            .await
            .expect("list")
            .into_iter()
            .map(|i| i.state)
            .collect();
        assert_eq!(states.len(), 4, "the one left open counts too");
        assert!(
            states.contains(&InvitationState::Used)
                && states.contains(&InvitationState::Expired)
                && states.contains(&InvitationState::Revoked)
        );
    })
    .await;
}

#[tokio::test]
async fn racing_uses_of_one_invitation_admit_one_person() {
    for_each_backend(|db| async move {
        let ana = person(&db.store, "ana@example.com").await;
        let org = orgs::create(
            &db.store,
            &OrgSlug::parse("acme").expect("s"),
            &Name::parse("Acme", "n").expect("n"),
            &ana.id,
            1,
        )
        .await
        .expect("org");
        members::create_invitation(&db.store, &org, "tok", "", &ana.id, 10, 1_000)
            .await
            .expect("invite");
        let mut tasks = Vec::new();
        for i in 0..6 {
            let p = person(&db.store, &format!("p{i}@example.com")).await;
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                members::accept_invitation(&store, "tok", &p.id, 20).await
            }));
        }
        let mut admitted = 0;
        for t in tasks {
            if t.await.expect("task").expect("no store error").is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 1, "{}", db.label);
    })
    .await;
}

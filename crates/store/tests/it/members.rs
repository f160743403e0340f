//! Members: owners, capabilities, managers, departure; invitations.

use cairn_domain::membership::{Capabilities, Capability, MemberStatus};
use cairn_domain::{Name, OrgSlug};
use cairn_store::members::{self, InvitationState, ManagerError};
use cairn_store::testing::for_each_backend;
use cairn_store::{StoreError, orgs};

use crate::person;

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

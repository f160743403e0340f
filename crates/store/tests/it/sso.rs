//! Single sign-on on both backends: identities are (issuer, subject); an
//! email only suggests an account, and only a verified one, whose holder
//! must sign in to link it; the last way to sign in stays; domains join
//! people once, never bringing back a departed member.

use cairn_domain::membership::MemberStatus;
use cairn_domain::people::Email;
use cairn_domain::sso::{Claims, DomainJoin, Refusal};
use cairn_domain::{Name, OrgSlug};
use cairn_store::people::{self, Person};
use cairn_store::sso::{self, Joined, Outcome, Signing};
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, members, orgs};

fn claims(email: &str, verified: bool) -> Claims {
    Claims {
        email: Some(email.to_owned()),
        email_verified: verified,
        hosted_domain: None,
    }
}

async fn sign(store: &Store, subject: &str, c: &Claims, pending: &str) -> Outcome {
    sso::sign_in(
        store,
        &Signing {
            provider: "acme",
            issuer: "https://id.acme.test",
            subject,
            claims: c,
            name: "Ana Lima",
        },
        pending,
        10,
    )
    .await
    .expect("sign in")
}

async fn person(store: &Store, email: &str) -> Person {
    people::create(
        store,
        &Email::parse(email).expect("email"),
        &Name::parse("Existing", "n").expect("name"),
        "argon2-hash",
        1,
    )
    .await
    .expect("person")
}

#[tokio::test]
async fn an_identity_is_its_issuer_and_subject_and_an_email_never_lets_anyone_in() {
    for_each_backend(|db| async move {
        let s = &db.store;
        // New: an account from the verified email; again: the same account.
        let first = sign(s, "sub-ana", &claims("ana@acme.test", true), "p0").await;
        let Outcome::SignedIn { person: ana, created: true } = first else {
            panic!("{}: {first:?}", db.label);
        };
        assert_eq!(ana.name.as_str(), "Ana Lima");
        let again = sign(s, "sub-ana", &claims("changed@acme.test", false), "p1").await;
        assert_eq!(again, Outcome::SignedIn { person: ana.clone(), created: false }, "{}", db.label);
        assert!(!sso::has_password(s, &ana.id).await.expect("read"));

        // An existing account's email, unverified: refused, nothing made.
        let bob = person(s, "bob@acme.test").await;
        let takeover = sign(s, "sub-mallory", &claims("bob@acme.test", false), "p2").await;
        assert_eq!(takeover, Outcome::Refused(Refusal::UnverifiedEmail), "{}", db.label);
        assert!(sso::identities_of(s, &bob.id).await.expect("read").is_empty());
        assert_eq!(sso::pending_person(s, "p2", 11).await.expect("read"), None);
        // Verified: only a link to offer, which only bob can complete.
        let offered = sign(s, "sub-bob", &claims("BOB@acme.test", true), "p3").await;
        assert_eq!(offered, Outcome::LinkFirst { person: bob.id.clone() }, "{}", db.label);
        assert!(sso::identities_of(s, &bob.id).await.expect("read").is_empty());
        assert!(!sso::complete_link(s, "p3", &ana.id, 12).await.expect("link"), "not ana");
        assert!(!sso::complete_link(s, "p3", &bob.id, 10 + sso::FLIGHT_MS).await.expect("link"), "stale");
        assert!(sso::complete_link(s, "p3", &bob.id, 12).await.expect("link"));
        assert!(!sso::complete_link(s, "p3", &bob.id, 13).await.expect("link"), "once");
        let now_bob = sign(s, "sub-bob", &claims("bob@acme.test", true), "p4").await;
        assert!(matches!(now_bob, Outcome::SignedIn { ref person, created: false } if person.id == bob.id));

        // The last way to sign in stays: ana has no password and one identity.
        assert!(!sso::unlink(s, &ana.id, "https://id.acme.test", "sub-ana", true).await.expect("unlink"));
        assert!(sso::unlink(s, &ana.id, "https://id.acme.test", "sub-bob", true).await.is_err(), "not hers");
        // bob has a password: he may drop his identity (while passwords work).
        assert!(!sso::unlink(s, &bob.id, "https://id.acme.test", "sub-bob", false).await.expect("unlink"));
        assert!(sso::unlink(s, &bob.id, "https://id.acme.test", "sub-bob", true).await.expect("unlink"));

        // The same identity signing in twice at once: one account.
        let c = claims("cy@acme.test", true);
        let (x, y) = tokio::join!(sign(s, "sub-cy", &c, "p5"), sign(s, "sub-cy", &c, "p6"));
        let ids: Vec<String> = [x, y]
            .into_iter()
            .map(|o| match o {
                Outcome::SignedIn { person, .. } => person.id.as_str().to_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(ids[0], ids[1], "{}", db.label);

        // A sign-in in flight is taken once, by its provider, for ten minutes.
        sso::begin_login(s, &sso::NewLogin { state_hash: "st", provider: "acme", nonce: "n", pkce_verifier: "v", next: "/", link_to: None }, 100)
            .await
            .expect("begin");
        assert_eq!(sso::take_login(s, "st", "other", 101).await.expect("take"), None);
        assert!(sso::take_login(s, "st", "acme", 101).await.expect("take").is_some());
        assert_eq!(sso::take_login(s, "st", "acme", 102).await.expect("take"), None, "replayed");
    })
    .await;
}

#[tokio::test]
async fn a_verified_domain_joins_people_once_and_never_brings_back_the_departed() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let owner = person(s, "owner@acme.test").await;
        let org = orgs::create(
            s,
            &OrgSlug::parse("acme").expect("slug"),
            &Name::parse("Acme", "n").expect("n"),
            &owner.id,
            1,
        )
        .await
        .expect("org");
        let other = orgs::create(
            s,
            &OrgSlug::parse("other").expect("slug"),
            &Name::parse("Other", "n").expect("n"),
            &owner.id,
            1,
        )
        .await
        .expect("org");
        assert!(
            sso::add_domain(s, &org, "acme.test", "acme", &owner.id, 2)
                .await
                .expect("add")
        );
        assert!(
            !sso::add_domain(s, &other, "acme.test", "acme", &owner.id, 2)
                .await
                .expect("add"),
            "claimed"
        );
        assert!(
            sso::orgs_for(s, "acme.test", "acme")
                .await
                .expect("read")
                .is_empty(),
            "off by default"
        );
        sso::set_domain_join(s, &org, DomainJoin::Member)
            .await
            .expect("set");
        assert_eq!(
            sso::orgs_for(s, "acme.test", "acme").await.expect("read"),
            vec![(org.clone(), DomainJoin::Member)]
        );
        assert!(
            sso::orgs_for(s, "acme.test", "google")
                .await
                .expect("read")
                .is_empty(),
            "another provider proves nothing"
        );

        let ana = person(s, "ana@acme.test").await;
        assert_eq!(
            sso::join_by_domain(s, &org, &ana.id, DomainJoin::Member, 3)
                .await
                .expect("join"),
            Joined::Member
        );
        assert_eq!(
            sso::join_by_domain(s, &org, &ana.id, DomainJoin::Member, 4)
                .await
                .expect("join"),
            Joined::Nothing
        );
        members::set_status(s, &org, &ana.id, MemberStatus::Departed, 5)
            .await
            .expect("depart");
        assert_eq!(
            sso::join_by_domain(s, &org, &ana.id, DomainJoin::Member, 6)
                .await
                .expect("join"),
            Joined::Nothing
        );
        let (_, status) = members::membership(s, &org, &ana.id)
            .await
            .expect("read")
            .expect("row");
        assert_eq!(
            status,
            MemberStatus::Departed,
            "{}: still departed",
            db.label
        );

        let bo = person(s, "bo@acme.test").await;
        assert_eq!(
            sso::join_by_domain(s, &org, &bo.id, DomainJoin::Approval, 7)
                .await
                .expect("ask"),
            Joined::Requested
        );
        assert_eq!(
            sso::join_by_domain(s, &org, &bo.id, DomainJoin::Approval, 8)
                .await
                .expect("ask"),
            Joined::Nothing
        );
        assert_eq!(
            members::membership(s, &org, &bo.id).await.expect("read"),
            None,
            "not a member until approved"
        );
        let asked = sso::join_requests(s, &org).await.expect("requests");
        assert_eq!(
            asked.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
            ["bo@acme.test"]
        );
        // Approved once (two admins at once: one decision).
        let (x, y) = tokio::join!(
            sso::decide_request(s, &org, &bo.id, true, &owner.id, 9),
            sso::decide_request(s, &org, &bo.id, false, &owner.id, 9)
        );
        assert_eq!(
            u8::from(x.expect("x")) + u8::from(y.expect("y")),
            1,
            "{}",
            db.label
        );
        assert!(
            sso::join_requests(s, &org)
                .await
                .expect("requests")
                .is_empty()
        );
        assert!(
            !sso::decide_request(s, &org, &bo.id, true, &owner.id, 10)
                .await
                .expect("again")
        );
        assert!(
            sso::remove_domain(s, &org, "acme.test")
                .await
                .expect("remove")
        );
        assert!(
            sso::orgs_for(s, "acme.test", "acme")
                .await
                .expect("read")
                .is_empty()
        );
    })
    .await;
}

//! Credentials on both backends: one per award even when two requests
//! make it at once, each with its own status index; revoking the award
//! puts its index in the revocation list; rotating keys keeps the old
//! ones; a CASE identifier's prefix finds its organization.

use cairn_domain::awards::AwardVisibility;
use cairn_domain::{Level, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::credentials;
use cairn_store::testing::for_each_backend;
use cairn_store::{framework, members, orgs};

use crate::demo;

#[tokio::test]
async fn one_credential_per_award_revoked_with_it_and_keys_rotate() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (ana, lee) = (
            crate::person(s, "ana@example.com").await,
            crate::person(s, "lee@example.com").await,
        );
        for p in [&ana, &lee] {
            members::add(s, &org.id, &p.id, Default::default(), 1)
                .await
                .expect("member");
        }
        let mut ids = Vec::new();
        for ability in ["mentoring", "feedback"] {
            awards::award(
                s,
                &org.id,
                &lee.id,
                &NewAward {
                    recipient: ana.id.clone(),
                    ability: Slug::parse(ability).expect("slug"),
                    levels: vec![Level::parse(1).expect("level")],
                    note: String::new(),
                    visibility: AwardVisibility::Organization,
                    evidence: vec![],
                },
                2,
            )
            .await
            .expect("award");
        }
        for a in awards::of_person(s, &org.id, &ana.id)
            .await
            .expect("awards")
        {
            ids.push(a.id);
        }
        // Two servers making the first key at once: one key.
        let (key, again) = tokio::join!(
            credentials::add_key(s, &org.id, "pub1", "sealed1", false, 3),
            credentials::add_key(s, &org.id, "pub2", "sealed2", false, 3)
        );
        let (key, again) = (key.expect("key"), again.expect("key"));
        assert_eq!((key.number, again.number), (1, 1), "{}", db.label);
        assert_eq!(key.public_key, again.public_key, "{}", db.label);
        assert_eq!(credentials::keys(s, &org.id).await.expect("keys").len(), 1);

        // The same award twice at once: one credential.
        let issue = |award: String| {
            let (s, org, ana) = (s.clone(), org.id.clone(), ana.id.clone());
            async move {
                credentials::issue(&s, &org, &award, &ana, 1, 4, |i| {
                    Ok(format!("jws-{}", i.status_index))
                })
                .await
                .expect("issue")
                .expect("live award")
            }
        };
        let (a, b) = tokio::join!(issue(ids[0].clone()), issue(ids[0].clone()));
        assert_eq!(a.id, b.id, "{}", db.label);
        let other = issue(ids[1].clone()).await;
        assert_ne!(other.status_index, a.status_index);
        assert_eq!(other.jws, format!("jws-{}", other.status_index));
        // Someone else's award, or none: nothing.
        let none = credentials::issue(s, &org.id, &ids[0], &lee.id, 1, 5, |_| Ok(String::new()))
            .await
            .expect("issue");
        assert!(none.is_none());

        assert_eq!(
            credentials::revoked(s, &org.id).await.expect("list"),
            (vec![], 2)
        );
        awards::revoke(s, &org.id, &ids[0], &lee.id, true, true, 6)
            .await
            .expect("revoke")
            .expect("revoked");
        let (revoked, used) = credentials::revoked(s, &org.id).await.expect("list");
        assert_eq!((revoked, used), (vec![a.status_index], 2), "{}", db.label);
        assert!(
            credentials::get(s, &org.id, &a.id)
                .await
                .expect("get")
                .expect("found")
                .revoked
        );
        let revoked_award =
            credentials::issue(s, &org.id, &ids[0], &ana.id, 1, 7, |_| Ok(String::new()))
                .await
                .expect("issue");
        assert!(
            revoked_award.is_none(),
            "a revoked award is offered nothing more"
        );

        let rotated = credentials::add_key(s, &org.id, "pub3", "sealed3", true, 8)
            .await
            .expect("rotate");
        assert_eq!(rotated.number, 2);
        let keys = credentials::keys(s, &org.id).await.expect("keys");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].retired_at, Some(8), "the old key stays, retired");

        // The organization from its identifiers' prefix.
        let prefix = cairn_domain::case::org_prefix(&cairn_domain::case::identifier(
            org.id.as_str(),
            "ability/mentoring",
        ))
        .expect("prefix");
        let found = orgs::slugs_by_id_prefix(s, &prefix).await.expect("find");
        assert_eq!(found, std::slice::from_ref(&org.org.slug), "{}", db.label);
        assert!(
            orgs::slugs_by_id_prefix(s, "zz'; --")
                .await
                .expect("find")
                .is_empty()
        );
    })
    .await;
}

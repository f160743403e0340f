use cairn_domain::awards::{AwardVisibility, EvidenceRule};
use cairn_domain::membership::Capabilities;
use cairn_domain::people::Email;
use cairn_domain::{Level, Name, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::testing::for_each_backend;
use cairn_store::{StoreError, framework, health, members, orgs, people};

use crate::demo;

#[tokio::test]
async fn awards_record_each_level_link_evidence_and_revoke_without_forgetting() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let mk = |n: &'static str| async move {
            people::create(
                s,
                &Email::parse(&format!("{n}@x.io")).expect("e"),
                &Name::parse(n, "n").expect("n"),
                "h",
                1,
            )
            .await
            .expect("p")
        };
        let rae = mk("rae").await;
        let cal = mk("cal").await;
        for p in [&rae, &cal] {
            members::add(s, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        let new = NewAward {
            recipient: rae.id.clone(),
            ability: Slug::parse("mentoring").expect("slug"),
            levels: vec![Level::parse(1).expect("l"), Level::parse(2).expect("l")],
            note: "Well done".into(),
            visibility: AwardVisibility::Organization,
            evidence: vec![],
        };
        awards::award(s, &org.id, &cal.id, &new, 10)
            .await
            .expect("award");
        let list = awards::of_person(s, &org.id, &rae.id).await.expect("list");
        let levels: Vec<u8> = list.iter().map(|a| a.level.get()).collect();
        assert_eq!(levels, vec![1, 2], "{}", db.label);
        assert!(
            list.iter()
                .all(|a| a.certifier == cal.id && a.ability_active && !a.revoked)
        );
        let facts = health::ability_facts(s, &org.id, &new.ability)
            .await
            .expect("facts")
            .expect("ability");
        assert_eq!(facts.achievers, 1);

        assert_eq!(
            awards::parties(s, &org.id, &list[1].id)
                .await
                .expect("read"),
            Some((rae.id.clone(), cal.id.clone()))
        );
        // M1 cannot go alone while M2 is held: confirming takes both.
        assert_eq!(
            awards::revoke(s, &org.id, &list[0].id, &cal.id, false, false, 20)
                .await
                .expect("revoke"),
            Err(cairn_domain::awards::RevokeRefused::HigherHeld { higher: "2".into() })
        );
        // Someone who is neither the certifier nor a people lead may not take M2 with it.
        assert_eq!(
            awards::revoke(s, &org.id, &list[0].id, &rae.id, false, true, 20)
                .await
                .expect("revoke"),
            Err(cairn_domain::awards::RevokeRefused::NotYours { higher: "2".into() })
        );
        assert_eq!(
            awards::revoke(s, &org.id, &list[1].id, &cal.id, false, false, 20)
                .await
                .expect("revoke"),
            Ok(vec![list[1].id.clone()]),
            "the top milestone goes alone"
        );
        assert_eq!(
            awards::revoke(s, &org.id, &list[1].id, &cal.id, false, false, 21)
                .await
                .expect("revoke twice"),
            Ok(vec![]),
            "nothing live is left to revoke"
        );
        let after = awards::of_person(s, &org.id, &rae.id).await.expect("list");
        assert_eq!(after.len(), 2, "revoked awards stay");
        assert!(after[1].revoked && !after[0].revoked, "{}", db.label);

        let unknown = NewAward {
            ability: Slug::parse("nope").expect("slug"),
            ..new.clone()
        };
        assert!(matches!(
            awards::award(s, &org.id, &cal.id, &unknown, 30).await,
            Err(StoreError::NotFound)
        ));

        assert_eq!(
            awards::evidence_rule(s, &org.id).await.expect("rule"),
            EvidenceRule::default()
        );
        let rule = EvidenceRule {
            min_observations: 3,
            min_observers: 2,
            min_days: 30,
        };
        awards::set_evidence_rule(s, &org.id, rule)
            .await
            .expect("set");
        assert_eq!(awards::evidence_rule(s, &org.id).await.expect("rule"), rule);

        assert_eq!(
            awards::awarders(s, &org.id).await.expect("read"),
            awards::Awarders::Both
        );
        awards::set_awarders(s, &org.id, awards::Awarders::Managers)
            .await
            .expect("set");
        assert_eq!(
            awards::awarders(s, &org.id).await.expect("read"),
            awards::Awarders::Managers,
            "{}",
            db.label
        );

        assert!(
            !members::public_profile(s, &org.id, &rae.id)
                .await
                .expect("read")
        );
        members::set_public_profile(s, &org.id, &rae.id, true)
            .await
            .expect("set");
        assert!(
            members::public_profile(s, &org.id, &rae.id)
                .await
                .expect("read")
        );
        awards::set_on_profile(s, &org.id, &rae.id, &after[0].id, true)
            .await
            .expect("show");
        awards::set_on_profile(s, &org.id, &cal.id, &after[1].id, true)
            .await
            .expect("not Cal's to show");
        let shown: Vec<bool> = awards::of_person(s, &org.id, &rae.id)
            .await
            .expect("list")
            .iter()
            .map(|a| a.on_profile)
            .collect();
        assert_eq!(shown, vec![true, false], "{}", db.label);
    })
    .await;
}

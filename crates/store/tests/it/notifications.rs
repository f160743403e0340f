//! Notifications on both backends: written with the change they tell of,
//! to exactly the people the pages' rules let read it.

use std::collections::HashSet;

use cairn_domain::awards::AwardVisibility;
use cairn_domain::membership::Capabilities;
use cairn_domain::people::Email;
use cairn_domain::visibility::{Privacy, Rating, Reader, can_read};
use cairn_domain::{Level, Markdown, Name, Slug};
use cairn_store::observations::{self, Draft};
use cairn_store::people::Person;
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, awards, framework, members, notifications, orgs, people};

use crate::demo;

async fn person(store: &Store, name: &str) -> Person {
    let email = Email::parse(&format!("{name}@example.com")).expect("email");
    people::create(
        store,
        &email,
        &Name::parse(name, "n").expect("name"),
        "h",
        1,
    )
    .await
    .expect("person")
}

async fn told(store: &Store, p: &Person) -> Vec<String> {
    notifications::inbox(store, &p.id, 0)
        .await
        .expect("inbox")
        .0
        .into_iter()
        .map(|n| n.href)
        .collect()
}

#[tokio::test]
async fn only_people_who_may_read_it_are_told_and_only_once() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (olive, ana, sam, max) = (
            person(s, "olive").await,
            person(s, "ana").await,
            person(s, "sam").await,
            person(s, "max").await,
        );
        for p in [&olive, &ana, &sam, &max] {
            members::add(s, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        members::set_manager(s, &org.id, &ana.id, Some(&max.id))
            .await
            .expect("set")
            .expect("ok");
        // Published at every level: the observees told exactly when the
        // rule lets them read it; their manager and others never.
        for (i, level) in Privacy::ALL.into_iter().enumerate() {
            let draft = Draft {
                observees: vec![ana.id.clone(), sam.id.clone()],
                story: Markdown::new(format!("Story {i}.")),
                observed_on: 10,
                ratings: vec![(Slug::parse("mentoring").expect("slug"), Rating::Strong)],
            };
            let id = observations::create(s, &org.id, &olive.id, &draft, 100)
                .await
                .expect("create")
                .expect("ok");
            assert!(
                told(s, &ana).await.iter().all(|h| !h.ends_with(&id)),
                "a draft tells nobody"
            );
            observations::publish(s, &org.id, &id, level, 200)
                .await
                .expect("publish");
            let (o, _) = observations::get(s, &org.id, Some(&olive.id), &id)
                .await
                .expect("get")
                .expect("there");
            for (who, p) in [
                ("ana", &ana),
                ("sam", &sam),
                ("max", &max),
                ("olive", &olive),
            ] {
                let reader = Reader {
                    person: Some(p.id.clone()),
                    member: true,
                    reports: HashSet::new(),
                };
                let may = can_read(&reader, &o.facts()) && p.id != olive.id;
                let n = told(s, p).await.iter().filter(|h| h.ends_with(&id)).count();
                let want = usize::from(may && who != "max");
                assert_eq!(n, want, "{}: {level:?}: {who}", db.label);
            }
        }
        // Re-levelled so they may read it: told once; wider again: not again.
        let draft = Draft {
            observees: vec![ana.id.clone()],
            story: Markdown::new("Later."),
            observed_on: 10,
            ratings: vec![],
        };
        let id = observations::create(s, &org.id, &olive.id, &draft, 300)
            .await
            .expect("create")
            .expect("ok");
        observations::publish(s, &org.id, &id, Privacy::Managers, 300)
            .await
            .expect("publish");
        let count = |list: Vec<String>| list.iter().filter(|h| h.ends_with(&id)).count();
        assert_eq!(count(told(s, &ana).await), 0, "{}: managers only", db.label);
        assert!(
            observations::set_privacy(
                s,
                &org.id,
                &id,
                Privacy::Managers,
                Privacy::ObserveesAndManagers,
                301
            )
            .await
            .expect("level")
        );
        assert_eq!(count(told(s, &ana).await), 1, "{}", db.label);
        assert!(
            observations::set_privacy(
                s,
                &org.id,
                &id,
                Privacy::ObserveesAndManagers,
                Privacy::Organization,
                302
            )
            .await
            .expect("level")
        );
        assert_eq!(count(told(s, &ana).await), 1, "{}: not twice", db.label);

        // An award tells its recipient, and only them.
        let before = told(s, &max).await.len();
        awards::award(
            s,
            &org.id,
            &max.id,
            &awards::NewAward {
                recipient: ana.id.clone(),
                ability: Slug::parse("mentoring").expect("slug"),
                levels: vec![Level::ALL[0], Level::ALL[1]],
                note: String::new(),
                visibility: AwardVisibility::Private,
                evidence: vec![],
            },
            400,
        )
        .await
        .expect("award");
        let (inbox, _) = notifications::inbox(s, &ana.id, 0).await.expect("inbox");
        assert_eq!(
            inbox[0].subject, "max awarded you Mentoring: milestone 2",
            "{}",
            db.label
        );
        assert!(inbox[0].href.ends_with(ana.id.as_str()));
        assert_eq!(told(s, &max).await.len(), before);
        // Reading: one, then all; nobody else's.
        assert_eq!(
            notifications::mark_read(s, &max.id, &inbox[0].id, 500)
                .await
                .expect("read"),
            None
        );
        assert!(
            notifications::mark_read(s, &ana.id, &inbox[0].id, 500)
                .await
                .expect("read")
                .is_some()
        );
        notifications::mark_all_read(s, &ana.id, 501)
            .await
            .expect("all");
        let (after, _) = notifications::inbox(s, &ana.id, 0).await.expect("inbox");
        assert!(after.iter().all(|n| n.read), "{}", db.label);
    })
    .await;
}

#[tokio::test]
async fn a_conversation_tells_those_who_took_part_except_who_acted() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (ana, sam, lee, dee) = (
            person(s, "ana").await,
            person(s, "sam").await,
            person(s, "lee").await,
            person(s, "dee").await,
        );
        for p in [&ana, &sam, &lee, &dee] {
            members::add(s, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        let subject = cairn_store::conversations::subject(
            s,
            &org.id,
            cairn_domain::ItemKind::Ability,
            "mentoring",
        )
        .await
        .expect("read")
        .expect("subject");
        let thread = cairn_store::conversations::start(
            s,
            &org.id,
            &subject,
            &ana.id,
            "Pairing?",
            "Does it count?",
            2,
        )
        .await
        .expect("start");
        let count = |p: &Person| {
            let id = p.id.clone();
            async move {
                notifications::inbox(s, &id, 0)
                    .await
                    .expect("inbox")
                    .0
                    .len()
            }
        };
        cairn_store::conversations::reply(s, &org.id, &thread, &dee.id, "It does.", 3)
            .await
            .expect("reply");
        assert_eq!(
            count(&ana).await,
            1,
            "{}: the author hears of a reply",
            db.label
        );
        members::set_status(
            s,
            &org.id,
            &dee.id,
            cairn_domain::membership::MemberStatus::Departed,
            4,
        )
        .await
        .expect("depart");
        cairn_store::conversations::reply(s, &org.id, &thread, &sam.id, "Agreed.", 5)
            .await
            .expect("reply");
        assert_eq!(
            (count(&ana).await, count(&dee).await, count(&sam).await),
            (2, 0, 0),
            "{}: not the departed, not the replier",
            db.label
        );
        cairn_store::conversations::set_resolved(s, &org.id, &thread, &lee.id, true, 6)
            .await
            .expect("resolve");
        assert_eq!(
            (count(&ana).await, count(&sam).await, count(&lee).await),
            (3, 1, 0),
            "{}",
            db.label
        );
        let (inbox, _) = notifications::inbox(s, &ana.id, 0).await.expect("inbox");
        assert_eq!(inbox[0].subject, "lee resolved \u{201c}Pairing?\u{201d}");
        assert_eq!(
            inbox[0].href,
            format!("/fernhill/abilities/mentoring#thread-{thread}")
        );
    })
    .await;
}

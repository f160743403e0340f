use cairn_domain::ItemKind;
use cairn_domain::people::Email;
use cairn_domain::{Name, Slug};
use cairn_store::conversations;
use cairn_store::testing::for_each_backend;
use cairn_store::{framework, health, orgs, people};

use crate::demo;

#[tokio::test]
async fn threads_are_started_answered_resolved_and_counted() {
    for_each_backend(|db| async move {
        framework::replace(&db.store, &demo(), 1_000)
            .await
            .expect("import");
        let org = orgs::by_slug(&db.store, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let ana = people::create(
            &db.store,
            &Email::parse("ana@x.io").expect("e"),
            &Name::parse("Ana", "n").expect("n"),
            "h",
            1,
        )
        .await
        .expect("person");
        let slug = Slug::parse("mentoring").expect("slug");
        let subject = conversations::subject(&db.store, &org.id, ItemKind::Ability, slug.as_str())
            .await
            .expect("read")
            .expect("exists");
        assert!(
            conversations::subject(&db.store, &org.id, ItemKind::Role, "mentoring")
                .await
                .expect("read")
                .is_none()
        );

        let before = health::ability_facts(&db.store, &org.id, &slug)
            .await
            .expect("facts")
            .expect("ability");
        assert_eq!(
            (
                before.conversations,
                before.last_conversation_at,
                before.roles
            ),
            (0, None, 1),
            "{}",
            db.label
        );

        let id = conversations::start(
            &db.store, &org.id, &subject, &ana.id, "Topic", "First", 2_000,
        )
        .await
        .expect("start");
        conversations::reply(&db.store, &org.id, &id, &ana.id, "Second", 3_000)
            .await
            .expect("reply");
        conversations::set_resolved(&db.store, &org.id, &id, &ana.id, true, 4_000)
            .await
            .expect("resolve");
        let threads = conversations::threads(&db.store, &org.id, &subject)
            .await
            .expect("threads");
        assert_eq!(threads.len(), 1);
        assert!(threads[0].resolved);
        let bodies: Vec<&str> = threads[0]
            .comments
            .iter()
            .map(|c| c.body.as_str())
            .collect();
        assert_eq!(bodies, vec!["First", "Second"], "{}", db.label);
        let thread = conversations::thread(&db.store, &org.id, &id)
            .await
            .expect("read")
            .expect("thread");
        assert_eq!(
            (
                thread.subject_kind,
                thread.subject_slug.as_str(),
                thread.resolved
            ),
            (ItemKind::Ability, "mentoring", true)
        );

        let after = health::ability_facts(&db.store, &org.id, &slug)
            .await
            .expect("facts")
            .expect("ability");
        assert_eq!(
            (after.conversations, after.last_conversation_at),
            (1, Some(4_000)),
            "{}",
            db.label
        );
        let all = health::all_ability_facts(&db.store, &org.id)
            .await
            .expect("all");
        assert_eq!(all.len(), 8);
        assert_eq!(all.iter().map(|(_, f)| f.conversations).sum::<u64>(), 1);

        // Another organization's id finds nothing.
        let other = orgs::create(
            &db.store,
            &cairn_domain::OrgSlug::parse("acme").expect("s"),
            &Name::parse("Acme", "n").expect("n"),
            &ana.id,
            1,
        )
        .await
        .expect("org");
        assert!(
            conversations::thread(&db.store, &other, &id)
                .await
                .expect("read")
                .is_none()
        );
        assert!(
            conversations::reply(&db.store, &other, &id, &ana.id, "x", 5)
                .await
                .is_err()
        );
    })
    .await;
}

//! Published versions on both backends: numbered from 1, refused when
//! nothing changed, when the framework moved since it was read, and for
//! the second of two editors publishing at once.

use cairn_store::testing::for_each_backend;
use cairn_store::versions::{self, Publish, Refused};
use cairn_store::{framework, orgs};

use crate::demo;

#[tokio::test]
async fn versions_count_up_and_two_publishing_at_once_make_one() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let at = org.framework_version;
        let publish = |after: i64, read_at: i64, snapshot: &'static str| {
            let (s, org) = (s.clone(), org.id.clone());
            async move {
                let p = Publish {
                    after,
                    read_at,
                    snapshot,
                    notes: "notes",
                    by: None,
                };
                versions::publish(&s, &org, &p, 10).await
            }
        };
        assert_eq!(
            publish(0, at, "A").await.expect("v1"),
            Ok(1),
            "{}",
            db.label
        );
        assert_eq!(
            publish(1, at, "A").await.expect("same"),
            Err(Refused::NothingToPublish)
        );
        assert_eq!(
            publish(0, at, "B").await.expect("stale"),
            Err(Refused::AlreadyPublished(1))
        );
        assert_eq!(
            publish(1, at - 1, "B").await.expect("moved"),
            Err(Refused::Moved)
        );
        let (x, y) = tokio::join!(publish(1, at, "B"), publish(1, at, "C"));
        let results = [x.expect("x"), y.expect("y")];
        assert!(results.contains(&Ok(2)), "{}: {results:?}", db.label);
        assert!(
            results.contains(&Err(Refused::AlreadyPublished(2))),
            "{}: {results:?}",
            db.label
        );
        let (list, more) = versions::page(s, &org.id, 0, 5).await.expect("page");
        assert!(!more);
        let list: Vec<_> = list.into_iter().map(|(v, _)| v).collect();
        let (first, more) = versions::page(s, &org.id, 0, 1).await.expect("page");
        assert!(more, "one a page: v1 is older");
        assert_eq!(first.len(), 2, "the page and the one before it");
        assert_eq!(versions::latest(s, &org.id).await.expect("latest"), Some(2));
        assert_eq!(list.iter().map(|v| v.number).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(
            versions::snapshot(s, &org.id, 1)
                .await
                .expect("read")
                .as_deref(),
            Some("A")
        );
        assert_eq!(versions::snapshot(s, &org.id, 9).await.expect("read"), None);
    })
    .await;
}

/// An organization that drafts: saves go into the draft, readers keep the
/// published framework, publishing writes the draft and numbers it, and
/// every refusal changes nothing.
#[tokio::test]
async fn drafts_hold_saves_until_published_and_refusals_change_nothing() {
    use cairn_domain::Name;
    use cairn_domain::publishing::Publishing;
    use framework::{Edit, Saved};
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let editor = crate::person(s, "ed@example.com").await;
        let slug = demo().organization.slug;
        let org = || async { orgs::by_slug(s, &slug).await.expect("read").expect("org") };
        let first = demo().abilities[0].clone();
        let renamed = |name: &str| {
            let mut a = first.clone();
            a.name = Name::parse(name, "n").expect("name");
            Edit::SaveAbility {
                ability: a,
                create: false,
            }
        };
        // Every organization starts publishing every save.
        assert_eq!(
            org().await.publishing,
            Publishing::EverySave,
            "{}",
            db.label
        );
        let id = org().await.id;
        assert_eq!(
            framework::apply(s, &id, renamed("Live rename"), &editor.id, 2)
                .await
                .expect("apply"),
            Ok(Saved::Live)
        );
        let live_name = |o: orgs::OrgRecord| async move {
            framework::load(s, &o).await.expect("load").abilities[0]
                .name
                .to_string()
        };
        assert_eq!(live_name(org().await).await, "Live rename");

        framework::set_publishing(s, &id, Publishing::Drafts, false)
            .await
            .expect("set")
            .expect("allowed");
        assert_eq!(
            framework::apply(s, &id, renamed("Drafted"), &editor.id, 3)
                .await
                .expect("apply"),
            Ok(Saved::Draft)
        );
        assert_eq!(
            live_name(org().await).await,
            "Live rename",
            "readers keep it"
        );
        let draft = framework::draft(s, &org().await)
            .await
            .expect("read")
            .expect("draft");
        assert_eq!(draft.framework.abilities[0].name.as_str(), "Drafted");
        assert_eq!(draft.revision, 1);
        assert_eq!(
            framework::editable(s, &org().await)
                .await
                .expect("editable")
                .abilities[0]
                .name
                .as_str(),
            "Drafted"
        );
        // Archiving in the draft, then restoring it there.
        let archive = Edit::Archive {
            kind: cairn_domain::ItemKind::Ability,
            slug: first.slug.clone(),
        };
        let archived = framework::apply(s, &id, archive, &editor.id, 4)
            .await
            .expect("apply");
        if archived.is_ok() {
            framework::apply(
                s,
                &id,
                Edit::Restore {
                    kind: cairn_domain::ItemKind::Ability,
                    slug: first.slug.clone(),
                },
                &editor.id,
                5,
            )
            .await
            .expect("apply")
            .expect("restored in the draft");
        }
        // Leaving drafts with a draft waiting is refused.
        assert_eq!(
            framework::set_publishing(s, &id, Publishing::EverySave, false)
                .await
                .expect("set"),
            Err(framework::ModeRefused::DraftPending)
        );
        assert_eq!(org().await.publishing, Publishing::Drafts);

        let revision = framework::draft(s, &org().await)
            .await
            .expect("read")
            .expect("draft")
            .revision;
        // A stale revision, a stale version: refused, nothing changes.
        assert_eq!(
            framework::publish_draft(s, &id, 0, revision - 1, "n", Some(&editor.id), 6)
                .await
                .expect("publish"),
            Err(Refused::Moved)
        );
        assert_eq!(
            framework::publish_draft(s, &id, 3, revision, "n", Some(&editor.id), 6)
                .await
                .expect("publish"),
            Err(Refused::AlreadyPublished(0))
        );
        assert_eq!(live_name(org().await).await, "Live rename");
        // Two editors publishing at once: one version.
        let publish = || framework::publish_draft(s, &id, 0, revision, "v1", Some(&editor.id), 7);
        let (x, y) = tokio::join!(publish(), publish());
        let results = [x.expect("x"), y.expect("y")];
        assert!(results.contains(&Ok(1)), "{}: {results:?}", db.label);
        assert!(
            results.iter().any(|r| matches!(
                r,
                Err(Refused::AlreadyPublished(1) | Refused::NothingToPublish)
            )),
            "{}: {results:?}",
            db.label
        );
        assert_eq!(live_name(org().await).await, "Drafted", "published");
        assert!(
            framework::draft(s, &org().await)
                .await
                .expect("read")
                .is_none()
        );
        // Its history says v1 published it.
        let h = framework::history(
            s,
            &id,
            cairn_domain::ItemKind::Ability,
            &first.slug,
            None,
            None,
        )
        .await
        .expect("history")
        .expect("item");
        assert_eq!(h.entries[0].published_in, Some(1), "{:?}", h.entries[0]);
        assert_eq!(h.entries[0].actor.as_ref().map(Name::as_str), Some("ed"));
        // Nothing drafted: nothing to publish; a draft the same as v1 too.
        assert_eq!(
            framework::publish_draft(s, &id, 1, 1, "n", None, 8)
                .await
                .expect("publish"),
            Err(Refused::NothingToPublish)
        );
        framework::apply(s, &id, renamed("Drafted"), &editor.id, 9)
            .await
            .expect("apply")
            .expect("saved");
        assert_eq!(
            framework::publish_draft(s, &id, 1, 1, "n", None, 10)
                .await
                .expect("publish"),
            Err(Refused::NothingToPublish)
        );
        // Discarding needs the revision read; then leaving drafts works.
        assert!(!framework::discard(s, &id, 7).await.expect("discard"));
        assert!(framework::discard(s, &id, 1).await.expect("discard"));
        framework::set_publishing(s, &id, Publishing::EverySave, false)
            .await
            .expect("set")
            .expect("no draft now");
    })
    .await;
}

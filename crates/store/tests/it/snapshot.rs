//! The framework snapshot stays honest across servers: a change made
//! through another `Store` (another server on the same database) is what
//! the next request sees, whatever this server holds in memory.

use cairn_domain::{ItemKind, Markdown, MilesScale, Name, Slug};
use cairn_store::framework::{self, Edit};
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, orgs};

use crate::{demo, person};

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

/// What a request on `store` sees: the organization's row, then the
/// framework at that row's version.
async fn seen(store: &Store) -> std::sync::Arc<framework::Snapshot> {
    let org = orgs::by_slug(store, &demo().organization.slug)
        .await
        .expect("read")
        .expect("org");
    framework::load(store, &org).await.expect("framework")
}

#[tokio::test]
async fn a_change_through_another_server_is_seen_on_the_next_request() {
    for_each_backend(|db| async move {
        let here = db.store.clone();
        let there = Store::open(&db.url).await.expect("second server");
        framework::replace(&there, &demo(), 1).await.expect("import");
        let ana = person(&there, "ana@example.com").await;
        let org = orgs::by_slug(&there, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        // Warm this server's snapshot.
        let before = seen(&here).await;
        assert!(before.ability(&slug("mentoring")).is_some());
        assert_eq!(
            seen(&here).await.version,
            before.version,
            "{}: a second request reuses the snapshot",
            db.label
        );

        type Check = fn(&framework::Snapshot) -> bool;
        let mut edited = demo().ability(&slug("mentoring")).expect("demo").clone();
        edited.description = Markdown::new("Edited on the other server.");
        let mut imported = demo();
        imported.abilities[0].name = Name::parse("Imported Name", "n").expect("name");
        let scale = MilesScale::parse(&[2, 4, 8, 16, 32]).expect("scale");
        #[rustfmt::skip]
        let changes: Vec<(&str, Option<Edit>, Check)> = vec![
            ("edit", Some(Edit::SaveAbility { ability: edited, create: false }),
                |s| s.ability(&Slug::parse("mentoring").expect("slug")).is_some_and(|a| a.description.as_str() == "Edited on the other server.")),
            ("archive", Some(Edit::Archive { kind: ItemKind::Position, slug: slug("engineer-1") }),
                |s| s.position(&Slug::parse("engineer-1").expect("slug")).is_none()),
            ("restore", Some(Edit::Restore { kind: ItemKind::Position, slug: slug("engineer-1") }),
                |s| s.position(&Slug::parse("engineer-1").expect("slug")).is_some()),
            ("scale", Some(Edit::SetMiles(scale)),
                |s| s.organization.miles.values() == [2, 4, 8, 16, 32]),
            ("import", None,
                |s| s.abilities[0].name.as_str() == "Imported Name"),
        ];
        for (what, edit, check) in changes {
            assert!(!check(&*seen(&here).await), "{}: {what} not yet made", db.label);
            match edit {
                Some(edit) => framework::apply(&there, &org.id, edit, &ana.id, 10)
                    .await
                    .expect("apply")
                    .map(|_| ())
                    .expect("accepted"),
                None => {
                    framework::replace(&there, &imported, 20).await.expect("import");
                }
            }
            assert!(check(&*seen(&here).await), "{}: {what} seen here", db.label);
        }
        // A rename is the framework's too (its organization's name).
        orgs::rename(&there, &org.id, &Name::parse("Fernhill Two", "n").expect("name"), 30)
            .await
            .expect("rename");
        assert_eq!(seen(&here).await.organization.name.as_str(), "Fernhill Two", "{}", db.label);
        there.close().await;
    })
    .await;
}

#[tokio::test]
async fn snapshots_stay_within_their_budget() {
    for_each_backend(|db| async move {
        // A budget smaller than two frameworks: the older one is dropped.
        let store = db.store.clone().with_snapshot_budget(1);
        let mut other = demo();
        other.organization.slug = cairn_domain::OrgSlug::parse("other").expect("slug");
        framework::replace(&store, &demo(), 1)
            .await
            .expect("import");
        framework::replace(&store, &other, 1).await.expect("import");
        seen(&store).await;
        assert_eq!(store.snapshots_held().0, 1);
        let other_org = orgs::by_slug(&store, &other.organization.slug)
            .await
            .expect("read")
            .expect("org");
        framework::load(&store, &other_org).await.expect("load");
        assert_eq!(store.snapshots_held().0, 1, "{}: one at a time", db.label);
        // Still correct when it must read again.
        assert!(seen(&store).await.ability(&slug("mentoring")).is_some());
    })
    .await;
}

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

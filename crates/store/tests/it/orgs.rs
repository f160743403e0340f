use cairn_domain::OrgSlug;
use cairn_store::testing::for_each_backend;
use cairn_store::{framework, orgs};

use crate::demo;

#[tokio::test]
async fn unknown_slug_is_none_and_published_orgs_are_listed() {
    for_each_backend(|db| async move {
        let missing = orgs::by_slug(&db.store, &OrgSlug::parse("nobody").expect("slug"))
            .await
            .expect("read");
        assert!(missing.is_none());
        assert!(
            orgs::list_published(&db.store)
                .await
                .expect("list")
                .is_empty()
        );

        framework::replace(&db.store, &demo(), 1)
            .await
            .expect("import");
        let listed = orgs::list_published(&db.store).await.expect("list");
        assert_eq!(listed.len(), 1, "{}", db.label);
        assert_eq!(listed[0].slug.as_str(), "fernhill");
        assert_eq!(listed[0].abilities, 8);

        let org = orgs::by_slug(&db.store, &listed[0].slug)
            .await
            .expect("read")
            .expect("exists");
        assert!(org.published, "published by default");
        orgs::set_published(&db.store, &org.id, false, 2)
            .await
            .expect("unpublish");
        assert!(
            orgs::list_published(&db.store)
                .await
                .expect("list")
                .is_empty(),
            "{}",
            db.label
        );
        let org = orgs::by_slug(&db.store, &listed[0].slug)
            .await
            .expect("read")
            .expect("exists");
        assert!(!org.published);
    })
    .await;
}

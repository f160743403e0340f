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
            orgs::list_published(&db.store, 0)
                .await
                .expect("list")
                .0
                .is_empty()
        );

        framework::replace(&db.store, &demo(), 1)
            .await
            .expect("import");
        let (listed, more) = orgs::list_published(&db.store, 0).await.expect("list");
        assert_eq!(listed.len(), 1, "{}", db.label);
        assert!(!more);
        assert_eq!(listed[0].slug.as_str(), "fernhill");
        assert_eq!(listed[0].abilities, 8);
        let categories: Vec<&str> = listed[0].categories.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            categories,
            ["Collaboration", "Craft", "Operations"],
            "{}",
            db.label
        );

        let org = orgs::by_slug(&db.store, &listed[0].slug)
            .await
            .expect("read")
            .expect("exists");
        assert!(org.published, "published by default");
        orgs::set_published(&db.store, &org.id, false, 2)
            .await
            .expect("unpublish");
        assert!(
            orgs::list_published(&db.store, 0)
                .await
                .expect("list")
                .0
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

#[tokio::test]
async fn published_frameworks_come_a_page_at_a_time_by_name() {
    use cairn_domain::Name;
    use cairn_domain::people::Email;
    for_each_backend(|db| async move {
        let s = &db.store;
        let email = Email::parse("ada@example.com").expect("email");
        let ada =
            cairn_store::people::create(s, &email, &Name::parse("Ada", "n").expect("n"), "h", 1)
                .await
                .expect("person");
        let n = orgs::PUBLISHED_PAGE + 1;
        for i in 0..n {
            let slug = OrgSlug::parse(&format!("org-{i:03}")).expect("slug");
            let name = Name::parse(&format!("Org {i:03}"), "n").expect("name");
            orgs::create(s, &slug, &name, &ada.id, 1)
                .await
                .expect("org");
        }
        let (first, more) = orgs::list_published(s, 0).await.expect("page 0");
        assert_eq!(first.len() as i64, orgs::PUBLISHED_PAGE, "{}", db.label);
        assert!(more);
        assert_eq!(first[0].slug.as_str(), "org-000");
        assert_eq!(first[0].abilities, 0, "no abilities yet");
        let (second, more) = orgs::list_published(s, 1).await.expect("page 1");
        let slugs: Vec<&str> = second.iter().map(|o| o.slug.as_str()).collect();
        assert_eq!(slugs, [format!("org-{:03}", n - 1)], "{}", db.label);
        assert!(!more);
    })
    .await;
}

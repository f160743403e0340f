use cairn_domain::{OrgSlug, Slug, file};
use cairn_store::framework::{self, Changes, RequirerKind};
use cairn_store::orgs;
use cairn_store::testing::for_each_backend;

use crate::demo;

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

#[tokio::test]
async fn import_then_load_gives_the_same_framework() {
    for_each_backend(|db| async move {
        let fw = demo();
        let summary = framework::replace(&db.store, &fw, 1_000)
            .await
            .expect("import");
        assert!(summary.organization_created, "{}", db.label);
        assert_eq!(
            summary.abilities,
            Changes {
                created: 8,
                ..Changes::default()
            },
            "{}",
            db.label
        );
        let (_, loaded) = framework::load_by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("load")
            .expect("org exists");
        assert_eq!(loaded, fw, "{}", db.label);
    })
    .await;
}

#[tokio::test]
async fn miles_bands_are_stored_and_read_back() {
    for_each_backend(|db| async move {
        let mut fw = demo();
        fw.positions[0].miles = cairn_domain::MilesRule::Band {
            at_least: 17,
            below: 36,
        };
        framework::replace(&db.store, &fw, 1_000)
            .await
            .expect("import");
        let (_, loaded) = framework::load_by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("load")
            .expect("org exists");
        assert_eq!(
            loaded.positions[0].miles, fw.positions[0].miles,
            "{}",
            db.label
        );
        // And back to a floor: the band's upper end goes.
        fw.positions[0].miles = cairn_domain::MilesRule::AtLeast(5);
        framework::replace(&db.store, &fw, 2_000)
            .await
            .expect("import");
        let (_, loaded) = framework::load_by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("load")
            .expect("org exists");
        assert_eq!(loaded, fw, "{}", db.label);
    })
    .await;
}

#[tokio::test]
async fn reimport_of_the_same_file_changes_nothing() {
    for_each_backend(|db| async move {
        let fw = demo();
        framework::replace(&db.store, &fw, 1_000)
            .await
            .expect("import");
        let again = framework::replace(&db.store, &fw, 2_000)
            .await
            .expect("re-import");
        assert!(!again.organization_created);
        assert_eq!(
            again.abilities,
            Changes {
                unchanged: 8,
                ..Changes::default()
            },
            "{}",
            db.label
        );
        assert_eq!(
            again.roles,
            Changes {
                unchanged: 4,
                ..Changes::default()
            }
        );
        assert_eq!(
            again.positions,
            Changes {
                unchanged: 4,
                ..Changes::default()
            }
        );
        let org = orgs::by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("org")
            .expect("exists");
        let updated = framework::ability_updated_at(&db.store, &org.id, &slug("mentoring"))
            .await
            .expect("read");
        assert_eq!(
            updated,
            Some(1_000),
            "{}: unchanged ability keeps its time",
            db.label
        );
    })
    .await;
}

#[tokio::test]
async fn changed_items_are_updated_and_missing_ones_archived() {
    for_each_backend(|db| async move {
        let mut fw = demo();
        framework::replace(&db.store, &fw, 1_000)
            .await
            .expect("import");

        // Change one ability's milestone, drop another (nothing requires it
        // once its requiring role is gone too), rename a role.
        fw.abilities[0].milestones[2]
            .examples
            .push("Writes a new example.".into());
        let dropped = fw
            .abilities
            .iter()
            .position(|a| a.slug.as_str() == "observability")
            .expect("exists");
        fw.abilities.remove(dropped);
        for role in &mut fw.roles {
            role.requires
                .retain(|r| r.ability.as_str() != "observability");
        }
        let summary = framework::replace(&db.store, &fw, 5_000)
            .await
            .expect("re-import");
        assert_eq!(
            summary.abilities,
            Changes {
                updated: 1,
                archived: 1,
                unchanged: 6,
                created: 0
            },
            "{}",
            db.label
        );
        assert_eq!(
            summary.roles.updated, 1,
            "{}: on-call lost a requirement",
            db.label
        );

        let org = orgs::by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("org")
            .expect("exists");
        let at = |s: &'static str| {
            let store = db.store.clone();
            let id = org.id.clone();
            async move {
                framework::ability_updated_at(&store, &id, &slug(s))
                    .await
                    .expect("read")
            }
        };
        assert_eq!(at("code-quality").await, Some(5_000));
        assert_eq!(at("mentoring").await, Some(1_000));
        assert!(
            framework::current(&db.store, &org.id)
                .await
                .expect("read")
                .ability(&slug("observability"))
                .cloned()
                .is_none()
        );
        let loaded = framework::current(&db.store, &org.id)
            .await
            .expect("load")
            .framework()
            .clone();
        assert_eq!(loaded, fw, "{}", db.label);

        // Bringing it back restores it.
        let restored = framework::replace(&db.store, &demo(), 6_000)
            .await
            .expect("restore");
        assert_eq!(restored.abilities.archived, 0);
        assert!(
            framework::current(&db.store, &org.id)
                .await
                .expect("read")
                .ability(&slug("observability"))
                .cloned()
                .is_some()
        );
        assert_eq!(
            framework::current(&db.store, &org.id)
                .await
                .expect("load")
                .framework()
                .clone(),
            demo()
        );
    })
    .await;
}

#[tokio::test]
async fn a_failing_import_leaves_the_database_as_it_was() {
    for_each_backend(|db| async move {
        let fw = demo();
        framework::replace(&db.store, &fw, 1_000)
            .await
            .expect("import");
        let before = framework::load_by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("load");

        // A framework that bypassed validation: its last role requires an
        // ability that does not exist, so the import fails after the
        // abilities and roles were already written inside the transaction.
        let mut broken = fw.clone();
        broken.abilities[0].name = cairn_domain::Name::parse("Renamed", "n").expect("name");
        broken.roles[3].requires.push(cairn_domain::Requirement {
            ability: slug("no-such-ability"),
            level: cairn_domain::Level::parse(1).expect("level"),
        });
        let err = framework::replace(&db.store, &broken, 2_000).await;
        assert!(err.is_err(), "{}", db.label);

        let after = framework::load_by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("load");
        assert_eq!(before, after, "{}", db.label);
        // The pool still works after the failed transaction.
        framework::replace(&db.store, &fw, 3_000)
            .await
            .expect("import after failure");
    })
    .await;
}

#[tokio::test]
async fn required_by_lists_roles_then_positions_with_their_levels() {
    for_each_backend(|db| async move {
        let fw = demo();
        framework::replace(&db.store, &fw, 1_000)
            .await
            .expect("import");
        let org = orgs::by_slug(&db.store, &fw.organization.slug)
            .await
            .expect("org")
            .expect("exists");
        let lines: Vec<(RequirerKind, String, String, u8)> = framework::current(&db.store, &org.id)
            .await
            .expect("read")
            .required_by(&slug("code-quality"))
            .into_iter()
            .map(|r| {
                (
                    r.kind,
                    r.slug.to_string(),
                    r.label.to_string(),
                    r.level.get(),
                )
            })
            .collect();
        // Expected from the demo file itself: every direct requirement.
        let mut expected: Vec<(RequirerKind, String, String, u8)> = fw
            .roles
            .iter()
            .flat_map(|r| r.requires.iter().map(move |q| (r, q)))
            .filter(|(_, q)| q.ability.as_str() == "code-quality")
            .map(|(r, q)| {
                (
                    RequirerKind::Role,
                    r.slug.to_string(),
                    r.plural.to_string(),
                    q.level.get(),
                )
            })
            .collect();
        expected.extend(
            fw.positions
                .iter()
                .flat_map(|p| p.requires.iter().map(move |q| (p, q)))
                .filter(|(_, q)| q.ability.as_str() == "code-quality")
                .map(|(p, q)| {
                    (
                        RequirerKind::Position,
                        p.slug.to_string(),
                        p.plural.to_string(),
                        q.level.get(),
                    )
                }),
        );
        let sorted = |mut v: Vec<(RequirerKind, String, String, u8)>| {
            v.sort_by(|a, b| {
                (a.0 == RequirerKind::Position, &a.1).cmp(&(b.0 == RequirerKind::Position, &b.1))
            });
            v
        };
        assert!(!expected.is_empty());
        assert_eq!(sorted(lines), sorted(expected), "{}", db.label);
    })
    .await;
}

#[tokio::test]
async fn another_scale_is_stored_and_read_back() {
    for_each_backend(|db| async move {
        let text = crate::DEMO.replacen("miles: [1, 3, 6, 12, 20]", "miles: [2, 4, 8, 16, 32]", 1);
        let fw = file::parse(&text).expect("parse");
        framework::replace(&db.store, &fw, 1).await.expect("import");
        let org = orgs::by_slug(&db.store, &OrgSlug::parse("fernhill").expect("slug"))
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(org.org.miles.values(), [2, 4, 8, 16, 32], "{}", db.label);
    })
    .await;
}

use cairn_domain::people::Email;
use cairn_domain::{MilesScale, Name, Slug};
use cairn_store::framework::{self, Edit, EditRefused, ItemKind};
use cairn_store::testing::for_each_backend;
use cairn_store::{orgs, people};

use crate::demo;

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

#[tokio::test]
async fn edits_are_checked_written_and_recorded_in_history() {
    for_each_backend(|db| async move {
        framework::replace(&db.store, &demo(), 1_000).await.expect("import");
        let org = orgs::by_slug(&db.store, &demo().organization.slug).await.expect("read").expect("org");
        let ana = people::create(&db.store, &Email::parse("ana@x.io").expect("e"), &Name::parse("Ana", "n").expect("n"), "h", 1)
            .await
            .expect("person");

        // Edit a milestone example.
        let mut ability = framework::current(&db.store, &org.id).await.expect("read").ability(&slug("mentoring")).cloned().expect("ability");
        ability.milestones[0].examples.push("Answers questions in the team channel.".into());
        let edit = Edit::SaveAbility { ability: ability.clone(), create: false };
        assert_eq!(framework::apply(&db.store, &org.id, edit, &ana.id, 2_000).await.expect("apply"), Ok(framework::Saved::Live));
        assert_eq!(framework::ability_updated_at(&db.store, &org.id, &slug("mentoring")).await.expect("read"), Some(2_000));

        let history = framework::history(&db.store, &org.id, ItemKind::Ability, &slug("mentoring"), None, None).await.expect("read").expect("item");
        assert!(!history.archived);
        let history = history.entries;
        let changes: Vec<(&str, Option<&str>)> = history.iter().map(|h| (h.change.as_str(), h.actor.as_ref().map(|a| a.as_str()))).collect();
        assert_eq!(changes, vec![("updated", Some("Ana")), ("created", None)], "{}", db.label);
        let diff = cairn_domain::history::diff(history[0].before.as_ref().expect("before"), history[0].after.as_ref().expect("after"));
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].label, "Milestone 1 examples");

        // Creating over an existing slug is refused with a reason.
        let refused = framework::apply(&db.store, &org.id, Edit::SaveAbility { ability, create: true }, &ana.id, 3_000).await.expect("apply");
        assert_eq!(refused, Err(EditRefused::Problems(vec!["A ability with the slug mentoring already exists.".into()])));

        // Archiving a required ability says which roles need it.
        let archive = Edit::Archive { kind: ItemKind::Ability, slug: slug("mentoring") };
        let refused = framework::apply(&db.store, &org.id, archive, &ana.id, 3_000).await.expect("apply");
        assert_eq!(
            refused,
            Err(EditRefused::Problems(vec![
                "Mentoring cannot be archived while the role Mentor require it. Remove those requirements first.".into()
            ])),
            "{}",
            db.label
        );
        // A position can go and come back.
        let archive = Edit::Archive { kind: ItemKind::Position, slug: slug("staff-engineer") };
        assert_eq!(framework::apply(&db.store, &org.id, archive, &ana.id, 4_000).await.expect("apply"), Ok(framework::Saved::Live));
        assert_eq!(framework::archived(&db.store, &org.id, ItemKind::Position).await.expect("list").len(), 1);
        let restore = Edit::Restore { kind: ItemKind::Position, slug: slug("staff-engineer") };
        assert_eq!(framework::apply(&db.store, &org.id, restore, &ana.id, 5_000).await.expect("apply"), Ok(framework::Saved::Live));
        let changes: Vec<String> = framework::history(&db.store, &org.id, ItemKind::Position, &slug("staff-engineer"), None, None)
            .await
            .expect("read")
            .expect("item")
            .entries
            .into_iter()
            .map(|h| h.change)
            .collect();
        assert_eq!(changes, vec!["restored", "archived", "created"]);

        // Unknown items are not found; the miles scale changes.
        let missing = Edit::Archive { kind: ItemKind::Role, slug: slug("ghost") };
        assert_eq!(framework::apply(&db.store, &org.id, missing, &ana.id, 6_000).await.expect("apply"), Err(EditRefused::NotFound));
        let scale = MilesScale::parse(&[2, 4, 8, 16, 32]).expect("scale");
        assert_eq!(framework::apply(&db.store, &org.id, Edit::SetMiles(scale), &ana.id, 7_000).await.expect("apply"), Ok(framework::Saved::Live));
        let org = orgs::by_slug(&db.store, &demo().organization.slug).await.expect("read").expect("org");
        assert_eq!(org.org.miles, scale, "{}", db.label);
        // Everything else is as the demo had it.
        let fw = framework::current(&db.store, &org.id).await.expect("load").framework().clone();
        assert_eq!(fw.roles, demo().roles);
        assert_eq!(fw.positions, demo().positions);
    })
    .await;
}

use std::collections::BTreeSet;

use cairn_domain::membership::Capabilities;
use cairn_domain::people::Email;
use cairn_domain::visibility::{Privacy, Rating, can_read};
use cairn_domain::{Markdown, Name, OrgSlug, Slug};
use cairn_store::observations::{self, Draft};
use cairn_store::people::{Person, PersonId};
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, framework, health, members, orgs, people};

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

/// The visibility comparison: for every viewer kind, the ids the SQL list
/// returns equal the ids the domain rule allows, over observations at
/// every level, a draft and a deleted one.
#[tokio::test]
async fn list_queries_and_the_rule_agree_for_every_viewer_and_level() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let names = ["olive", "eve", "max", "mona", "lea", "ada", "mo", "dee"];
        let mut p = std::collections::HashMap::new();
        for n in names {
            let person = person(s, n).await;
            members::add(s, &org.id, &person.id, Capabilities::NONE, 1)
                .await
                .expect("add");
            p.insert(n, person);
        }
        let id = |n: &str| p[n].id.clone();
        // eve reports to max, max to mona.
        members::set_manager(s, &org.id, &id("eve"), Some(&id("max")))
            .await
            .expect("set")
            .expect("ok");
        members::set_manager(s, &org.id, &id("max"), Some(&id("mona")))
            .await
            .expect("set")
            .expect("ok");
        members::set_capabilities(
            s,
            &org.id,
            &id("lea"),
            Capabilities::of(&[cairn_domain::membership::Capability::PeopleLead]),
        )
        .await
        .expect("caps");
        members::set_capabilities(
            s,
            &org.id,
            &id("ada"),
            Capabilities::of(&[cairn_domain::membership::Capability::Admin]),
        )
        .await
        .expect("caps");
        members::set_status(
            s,
            &org.id,
            &id("dee"),
            cairn_domain::membership::MemberStatus::Departed,
            2,
        )
        .await
        .expect("depart");
        let zed = person(s, "zed").await;
        orgs::create(
            s,
            &OrgSlug::parse("other").expect("slug"),
            &Name::parse("Other", "n").expect("n"),
            &zed.id,
            1,
        )
        .await
        .expect("other org");

        let draft = |observees: Vec<PersonId>| Draft {
            observees,
            story: Markdown::new("Saw it."),
            observed_on: 10,
            ratings: vec![(Slug::parse("mentoring").expect("slug"), Rating::Strong)],
        };
        let mut all = Vec::new();
        for (i, level) in Privacy::ALL.into_iter().enumerate() {
            let obs = observations::create(
                s,
                &org.id,
                &id("olive"),
                &draft(vec![id("eve")]),
                100 + i as i64,
            )
            .await
            .expect("create")
            .expect("ok");
            observations::publish(s, &org.id, &obs, level, 200)
                .await
                .expect("publish");
            all.push(obs);
        }
        // Dee (departed) observed before leaving; a draft; a deleted one.
        all.push(
            observations::create(s, &org.id, &id("dee"), &draft(vec![id("mo")]), 300)
                .await
                .expect("create")
                .expect("ok"),
        );
        let deleted = observations::create(s, &org.id, &id("olive"), &draft(vec![id("eve")]), 301)
            .await
            .expect("create")
            .expect("ok");
        observations::publish(s, &org.id, &deleted, Privacy::Public, 302)
            .await
            .expect("publish");
        observations::delete(s, &org.id, &deleted, 303)
            .await
            .expect("delete");
        all.push(deleted);

        let viewers: Vec<(&str, Option<PersonId>, bool)> = vec![
            ("anonymous", None, false),
            ("other organization", Some(zed.id.clone()), false),
            ("member", Some(id("mo")), true),
            ("observer", Some(id("olive")), true),
            ("observee", Some(id("eve")), true),
            ("observee's manager", Some(id("max")), true),
            ("manager's manager", Some(id("mona")), true),
            ("people lead", Some(id("lea")), true),
            ("admin", Some(id("ada")), true),
            ("departed", Some(id("dee")), false),
        ];
        for (name, viewer, member) in viewers {
            let listed: BTreeSet<String> =
                observations::visible(s, &org.id, viewer.as_ref(), member)
                    .await
                    .expect("list")
                    .into_iter()
                    .map(|o| o.id)
                    .collect();
            let reader = observations::reader(s, &org.id, viewer.as_ref(), member)
                .await
                .expect("reader");
            let mut allowed = BTreeSet::new();
            let mut allowed_of_eve = BTreeSet::new();
            for obs_id in &all {
                let (o, reports) = observations::get(s, &org.id, viewer.as_ref(), obs_id)
                    .await
                    .expect("get")
                    .expect("exists");
                // The reports a card carries decide as the whole closure does.
                let card_reader = observations::Cards {
                    reports,
                    ..Default::default()
                }
                .reader(viewer.as_ref(), member);
                assert_eq!(
                    can_read(&card_reader, &o.facts()),
                    can_read(&reader, &o.facts()),
                    "{}: {name}, {obs_id}",
                    db.label
                );
                if can_read(&reader, &o.facts()) {
                    allowed.insert(obs_id.clone());
                    if o.observees.iter().any(|x| x.id == id("eve")) {
                        allowed_of_eve.insert(obs_id.clone());
                    }
                }
            }
            assert_eq!(listed, allowed, "{}: {name}", db.label);
            // The per-person list (journeys) is the same rule from another start.
            let of_eve: BTreeSet<String> = observations::visible_of(
                s,
                &org.id,
                viewer.as_ref(),
                member,
                &id("eve"),
                None,
                100,
            )
            .await
            .expect("list of eve")
            .list
            .into_iter()
            .map(|o| o.id)
            .collect();
            assert_eq!(of_eve, allowed_of_eve, "{}: {name}, of eve", db.label);
            // And the counts a few of them must see, so the test cannot pass vacuously.
            let expected = match name {
                "anonymous" | "other organization" | "departed" => 1,
                "member" | "people lead" | "admin" => 2,
                "observer" => 6,
                "observee" | "observee's manager" | "manager's manager" => 4,
                _ => unreachable!(),
            };
            assert_eq!(listed.len(), expected, "{}: {name}", db.label);
        }

        // Published, non-deleted observations count towards the ability's health.
        let facts = health::ability_facts(s, &org.id, &Slug::parse("mentoring").expect("slug"))
            .await
            .expect("facts")
            .expect("ability");
        assert_eq!(facts.observations, 6, "{}", db.label);
        let public = public_of(s, &org.id, &Slug::parse("mentoring").expect("slug")).await;
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].ratings[0].rating, Rating::Strong);
    })
    .await;
}

#[tokio::test]
async fn drafts_refuse_outsiders_and_unknown_abilities() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let olive = person(s, "olive").await;
        let stranger = person(s, "stranger").await;
        members::add(s, &org.id, &olive.id, Capabilities::NONE, 1)
            .await
            .expect("add");
        let d = |observees: Vec<PersonId>, ability: &str| Draft {
            observees,
            story: Markdown::new("x"),
            observed_on: 1,
            ratings: vec![(Slug::parse(ability).expect("slug"), Rating::Exceptional)],
        };
        assert_eq!(
            observations::create(
                s,
                &org.id,
                &olive.id,
                &d(vec![stranger.id.clone()], "mentoring"),
                2
            )
            .await
            .expect("create"),
            Err(observations::DraftRefused::NotAMember),
            "{}",
            db.label
        );
        assert_eq!(
            observations::create(s, &org.id, &olive.id, &d(vec![olive.id.clone()], "nope"), 2)
                .await
                .expect("create"),
            Err(observations::DraftRefused::UnknownAbility(
                Slug::parse("nope").expect("slug")
            ))
        );
        assert!(
            observations::visible(s, &org.id, Some(&olive.id), true)
                .await
                .expect("list")
                .is_empty(),
            "nothing half-written"
        );
    })
    .await;
}

/// The ability counters (observation count, newest public observations)
/// are kept in the write transactions: after every kind of change they
/// equal what counting the rows gives, on both backends.
#[tokio::test]
async fn ability_figures_follow_every_change_of_an_observation() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (olive, eve) = (person(s, "olive").await, person(s, "eve").await);
        for p in [&olive, &eve] {
            members::add(s, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        let rated: Vec<Slug> = demo().abilities[..2]
            .iter()
            .map(|a| a.slug.clone())
            .collect();
        let obs = observations::create(
            s,
            &org.id,
            &olive.id,
            &Draft {
                observees: vec![eve.id.clone()],
                story: Markdown::new("Saw it."),
                observed_on: 10,
                ratings: rated.iter().map(|a| (a.clone(), Rating::Strong)).collect(),
            },
            100,
        )
        .await
        .expect("create")
        .expect("ok");
        enum Step {
            Publish(Privacy),
            Level(Privacy),
            Delete,
        }
        // step, then (observations counted, public observations listed) per rated ability
        let steps = [
            (None, (0, 0)),
            (Some(Step::Publish(Privacy::Organization)), (1, 0)),
            (Some(Step::Level(Privacy::Public)), (1, 1)),
            (Some(Step::Level(Privacy::Managers)), (1, 0)),
            (Some(Step::Level(Privacy::Public)), (1, 1)),
            (Some(Step::Delete), (0, 0)),
        ];
        let mut level = Privacy::Organization;
        for (i, (step, (counted, public))) in steps.into_iter().enumerate() {
            match step {
                None => {}
                Some(Step::Publish(p)) => observations::publish(s, &org.id, &obs, p, 200)
                    .await
                    .expect("publish"),
                Some(Step::Level(p)) => {
                    assert!(
                        observations::set_privacy(s, &org.id, &obs, level, p, 300)
                            .await
                            .expect("level")
                    );
                    // A change decided on the level before is refused.
                    assert!(
                        !observations::set_privacy(
                            s,
                            &org.id,
                            &obs,
                            level,
                            Privacy::Organization,
                            301
                        )
                        .await
                        .expect("stale level"),
                        "{}",
                        db.label
                    );
                    level = p;
                }
                Some(Step::Delete) => observations::delete(s, &org.id, &obs, 400)
                    .await
                    .expect("delete"),
            }
            for ability in &rated {
                let facts = health::ability_facts(s, &org.id, ability)
                    .await
                    .expect("facts")
                    .expect("ability");
                let listed = public_of(s, &org.id, ability).await;
                assert_eq!(
                    (facts.observations, listed.len()),
                    (counted, public),
                    "{}: step {i}, {ability}",
                    db.label
                );
            }
            let off = cairn_store::ability_stats::disagreements(s, &org.id)
                .await
                .expect("check");
            assert!(off.is_empty(), "{}: step {i}: {off:?}", db.label);
        }
        // Deleting twice is refused and changes nothing.
        assert!(observations::delete(s, &org.id, &obs, 500).await.is_err());
        let off = cairn_store::ability_stats::disagreements(s, &org.id)
            .await
            .expect("check");
        assert!(off.is_empty(), "{}: {off:?}", db.label);
    })
    .await;
}

/// The ability page's public observations of `ability`.
async fn public_of(
    s: &cairn_store::Store,
    org: &cairn_store::orgs::OrgId,
    ability: &Slug,
) -> Vec<observations::Observation> {
    let snapshot = cairn_store::framework::current(s, org)
        .await
        .expect("framework");
    let id = snapshot
        .id_of(cairn_domain::ItemKind::Ability, ability)
        .expect("active ability");
    observations::public_for_ability(s, org, None, id, false)
        .await
        .expect("public")
        .list
}

/// Editing: a draft changes in place; a published observation keeps the
/// version each edit replaced, is marked edited, keeps who and when, and
/// its ability figures follow the new ratings. An edit from a version
/// that is no longer current is refused; of two edits fired at once from
/// the same version, exactly one is saved.
#[tokio::test]
async fn edits_keep_what_published_observations_said_and_refuse_stale_versions() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (olive, eve, max) = (
            person(s, "olive").await,
            person(s, "eve").await,
            person(s, "max").await,
        );
        for p in [&olive, &eve, &max] {
            members::add(s, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        let a: Vec<Slug> = demo().abilities[..2]
            .iter()
            .map(|a| a.slug.clone())
            .collect();
        let draft = |story: &str, observees: Vec<PersonId>, ratings: Vec<(Slug, Rating)>| Draft {
            observees,
            story: Markdown::new(story),
            observed_on: 10,
            ratings,
        };
        // A draft: everything changes, nothing is kept, not marked.
        let id = observations::create(
            s,
            &org.id,
            &olive.id,
            &draft("First.", vec![eve.id.clone()], vec![]),
            100,
        )
        .await
        .expect("create")
        .expect("ok");
        let v = current(s, &org.id, &olive.id, &id).await.version;
        observations::edit(
            s,
            &org.id,
            &olive.id,
            &id,
            v,
            &draft(
                "Second.",
                vec![max.id.clone()],
                vec![(a[0].clone(), Rating::Strong)],
            ),
            150,
        )
        .await
        .expect("edit")
        .expect("saved");
        let o = current(s, &org.id, &olive.id, &id).await;
        assert_eq!(
            (o.story.as_str(), o.edited_at),
            ("Second.", None),
            "{}",
            db.label
        );
        assert_eq!(
            o.observees.iter().map(|p| &p.id).collect::<Vec<_>>(),
            [&max.id]
        );
        assert!(
            observations::revisions(s, &org.id, &id)
                .await
                .expect("rev")
                .is_empty()
        );

        // Published: story and ratings change, who stays, the old is kept.
        observations::publish(s, &org.id, &id, Privacy::Public, 200)
            .await
            .expect("publish");
        let v = current(s, &org.id, &olive.id, &id).await.version;
        observations::edit(
            s,
            &org.id,
            &olive.id,
            &id,
            v,
            &draft(
                "Third.",
                vec![eve.id.clone()],
                vec![(a[1].clone(), Rating::Exceptional)],
            ),
            300,
        )
        .await
        .expect("edit")
        .expect("saved");
        let o = current(s, &org.id, &olive.id, &id).await;
        assert_eq!(
            (o.story.as_str(), o.edited_at),
            ("Third.", Some(300)),
            "{}",
            db.label
        );
        assert_eq!(
            o.observees.iter().map(|p| &p.id).collect::<Vec<_>>(),
            [&max.id],
            "who stays"
        );
        assert_eq!(
            o.ratings
                .iter()
                .map(|r| (r.ability.clone(), r.rating))
                .collect::<Vec<_>>(),
            [(a[1].clone(), Rating::Exceptional)]
        );
        let kept = observations::revisions(s, &org.id, &id).await.expect("rev");
        assert_eq!(kept.len(), 1);
        assert_eq!(
            (
                kept[0].story.as_str(),
                kept[0].ratings.clone(),
                kept[0].replaced_at
            ),
            ("Second.", vec![(a[0].clone(), Rating::Strong)], 300)
        );
        let off = cairn_store::ability_stats::disagreements(s, &org.id)
            .await
            .expect("check");
        assert!(off.is_empty(), "{}: {off:?}", db.label);
        for (ability, want) in [(&a[0], 0), (&a[1], 1)] {
            assert_eq!(
                public_of(s, &org.id, ability).await.len(),
                want,
                "{}: {ability}",
                db.label
            );
        }

        // Refusals change nothing: a stale version, someone else, unknown ability.
        let cases: Vec<(&str, &PersonId, i64, Draft, observations::EditRefused)> = vec![
            (
                "stale",
                &olive.id,
                v,
                draft("Stale.", vec![], vec![]),
                observations::EditRefused::Changed,
            ),
            (
                "not the observer",
                &eve.id,
                o.version,
                draft("Mine.", vec![], vec![]),
                observations::EditRefused::Gone,
            ),
            (
                "unknown ability",
                &olive.id,
                o.version,
                draft(
                    "X.",
                    vec![],
                    vec![(Slug::parse("nope").expect("slug"), Rating::Strong)],
                ),
                observations::EditRefused::Draft(observations::DraftRefused::UnknownAbility(
                    Slug::parse("nope").expect("slug"),
                )),
            ),
        ];
        for (name, who, version, d, want) in cases {
            let got = observations::edit(s, &org.id, who, &id, version, &d, 400)
                .await
                .expect("edit");
            assert_eq!(got, Err(want), "{}: {name}", db.label);
            let now = current(s, &org.id, &olive.id, &id).await;
            assert_eq!(
                (now.story.as_str(), now.version),
                ("Third.", o.version),
                "{}: {name}",
                db.label
            );
        }
        assert_eq!(
            observations::revisions(s, &org.id, &id)
                .await
                .expect("rev")
                .len(),
            1
        );

        // Two edits of the same version at once: one saved, one refused.
        let (one, two) = (
            draft("From tab one.", vec![], vec![]),
            draft("From tab two.", vec![], vec![]),
        );
        let (x, y) = tokio::join!(
            observations::edit(s, &org.id, &olive.id, &id, o.version, &one, 500),
            observations::edit(s, &org.id, &olive.id, &id, o.version, &two, 500),
        );
        let results = [x.expect("one"), y.expect("two")];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{}: {results:?}",
            db.label
        );
        assert!(results.contains(&Err(observations::EditRefused::Changed)));
        let kept = observations::revisions(s, &org.id, &id).await.expect("rev");
        assert_eq!(kept.len(), 2, "{}", db.label);
        assert_eq!(kept[0].story.as_str(), "Third.");
    })
    .await;
}

async fn current(
    s: &Store,
    org: &cairn_store::orgs::OrgId,
    reader: &PersonId,
    id: &str,
) -> cairn_store::observations::Observation {
    observations::get(s, org, Some(reader), id)
        .await
        .expect("get")
        .expect("there")
        .0
}

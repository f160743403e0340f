//! Check-ins on both backends: the flow's steps checked inside their
//! writes (and fired at once), finalized rows frozen by the database
//! itself, and the list query agreeing with the domain's rule.

use std::collections::HashSet;

use cairn_domain::check_ins::{
    self, AbilityRating, Entry, Freezing, Overall, Side, Sides, Standing, StepRefused,
};
use cairn_domain::membership::{Capabilities, Capability, MemberStatus};
use cairn_domain::people::Email;
use cairn_domain::visibility::Reader;
use cairn_domain::{Name, Slug};
use cairn_store::check_ins::{self as store_ci, SideWrite};
use cairn_store::people::Person;
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, framework, members, orgs, people};

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

fn s(x: &str) -> Slug {
    Slug::parse(x).expect("slug")
}

fn rated(r: AbilityRating, note: &str) -> Entry {
    Entry {
        rating: Some(r),
        note: note.to_owned(),
        evidence: vec![],
    }
}

#[tokio::test]
async fn a_check_in_goes_from_open_to_acknowledged_and_refuses_steps_out_of_order() {
    for_each_backend(|db| async move {
        let st = &db.store;
        framework::replace(st, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(st, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (ana, max, dee) = (
            person(st, "ana").await,
            person(st, "max").await,
            person(st, "dee").await,
        );
        for p in [&ana, &max, &dee] {
            members::add(st, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        members::set_status(st, &org.id, &dee.id, MemberStatus::Departed, 2)
            .await
            .expect("depart");
        let position = s("engineer-2");
        assert_eq!(
            store_ci::open(st, &org.id, &dee.id, &position, false, &max.id, 3)
                .await
                .expect("open"),
            Err(StepRefused::NotActive),
            "{}",
            db.label
        );
        let id = store_ci::open(st, &org.id, &ana.id, &position, false, &max.id, 3)
            .await
            .expect("open")
            .expect("opened");
        assert_eq!(
            store_ci::open(st, &org.id, &ana.id, &position, false, &ana.id, 4)
                .await
                .expect("open"),
            Err(StepRefused::AlreadyOpen),
            "one open per member: {}",
            db.label
        );

        // Each side in its own time; a completed side no longer changes.
        let mine = [(
            s("code-quality"),
            rated(AbilityRating::Meeting, "Reviews daily"),
        )];
        let theirs = [(
            s("code-quality"),
            rated(AbilityRating::Exceeding, "Sets the bar"),
        )];
        let write = |side, author, entries, complete| SideWrite {
            side,
            author,
            entries,
            added: &[],
            complete,
        };
        store_ci::save_side(
            st,
            &org.id,
            &id,
            &write(Side::Member, &ana.id, &mine, false),
            5,
        )
        .await
        .expect("save")
        .expect("draft saved");
        let c = store_ci::get(st, &org.id, &id)
            .await
            .expect("get")
            .expect("there");
        assert_eq!(c.facts().stage(), check_ins::Stage::Open);
        assert_eq!(c.sides.member.len(), 1);
        // Finalizing before both sides are done is refused.
        let frozen = |c: &store_ci::CheckIn| {
            let fw = demo();
            let p = fw
                .positions
                .iter()
                .find(|p| p.slug == c.position)
                .expect("position")
                .clone();
            check_ins::freeze(&Freezing {
                fw: &fw,
                framework_version: 1,
                position: &p,
                aiming: false,
                added: &[],
                held: &[],
                sides: &Sides {
                    agreed: theirs.to_vec(),
                    ..c.sides.clone()
                },
                summary: "Agreed.",
                overall: Overall::Accomplished,
                scale: &Default::default(),
                at: 9,
            })
        };
        assert_eq!(
            store_ci::finalize(st, &org.id, &id, &max.id, &theirs, &frozen(&c), 6)
                .await
                .expect("finalize"),
            Err(StepRefused::NotRevealed),
            "{}",
            db.label
        );
        store_ci::save_side(
            st,
            &org.id,
            &id,
            &write(Side::Member, &ana.id, &mine, true),
            7,
        )
        .await
        .expect("save")
        .expect("completed");
        assert_eq!(
            store_ci::save_side(
                st,
                &org.id,
                &id,
                &write(Side::Member, &ana.id, &[], false),
                8
            )
            .await
            .expect("save"),
            Err(StepRefused::Completed)
        );
        store_ci::save_side(
            st,
            &org.id,
            &id,
            &write(Side::Manager, &max.id, &theirs, true),
            8,
        )
        .await
        .expect("save")
        .expect("completed");
        let c = store_ci::get(st, &org.id, &id)
            .await
            .expect("get")
            .expect("there");
        assert_eq!(c.facts().stage(), check_ins::Stage::Revealed);
        assert_eq!(c.manager_author.as_ref(), Some(&max.id));

        // Acknowledging before finalizing is refused; finalize once.
        assert_eq!(
            store_ci::acknowledge(st, &org.id, &id, &ana.id, false, "", 9)
                .await
                .expect("ack"),
            Err(StepRefused::NotAcknowledger)
        );
        let snapshot = frozen(&c);
        store_ci::finalize(st, &org.id, &id, &max.id, &theirs, &snapshot, 10)
            .await
            .expect("finalize")
            .expect("finalized");
        assert_eq!(
            store_ci::finalize(st, &org.id, &id, &max.id, &theirs, &snapshot, 11)
                .await
                .expect("again"),
            Err(StepRefused::Finalized)
        );
        let c = store_ci::get(st, &org.id, &id)
            .await
            .expect("get")
            .expect("there");
        assert_eq!(
            c.frozen.as_ref(),
            Some(&snapshot),
            "the snapshot reads back: {}",
            db.label
        );
        assert_eq!(c.sides.agreed, theirs.to_vec());
        assert_eq!(
            store_ci::save_side(
                st,
                &org.id,
                &id,
                &write(Side::Manager, &max.id, &[], false),
                12
            )
            .await
            .expect("save"),
            Err(StepRefused::Finalized)
        );
        for (who, p) in [("the manager", &max.id), ("someone else", &dee.id)] {
            assert_eq!(
                store_ci::acknowledge(st, &org.id, &id, p, false, "", 12)
                    .await
                    .expect("ack"),
                Err(StepRefused::NotAcknowledger),
                "{who}"
            );
        }
        store_ci::acknowledge(
            st,
            &org.id,
            &id,
            &ana.id,
            true,
            "I see code quality higher.",
            13,
        )
        .await
        .expect("ack")
        .expect("acknowledged");
        let c = store_ci::get(st, &org.id, &id)
            .await
            .expect("get")
            .expect("there");
        assert_eq!(c.facts().stage(), check_ins::Stage::Acknowledged);
        assert!(c.acknowledged.as_ref().is_some_and(|a| a.disagrees));
        assert_eq!(
            store_ci::acknowledge(st, &org.id, &id, &ana.id, false, "", 14)
                .await
                .expect("ack"),
            Err(StepRefused::NotAcknowledger),
            "once"
        );
        // A new one may open now the last is finalized.
        assert!(
            store_ci::open(st, &org.id, &ana.id, &position, true, &ana.id, 15)
                .await
                .expect("open")
                .is_ok()
        );
        assert_eq!(
            store_ci::of_member(st, &org.id, &ana.id)
                .await
                .expect("list")
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn two_opening_or_finalizing_at_once_leave_one_done_and_one_told() {
    for_each_backend(|db| async move {
        let st = &db.store;
        framework::replace(st, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(st, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (ana, max) = (person(st, "ana").await, person(st, "max").await);
        for p in [&ana, &max] {
            members::add(st, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        let position = s("engineer-2");
        let (a, b) = tokio::join!(
            store_ci::open(st, &org.id, &ana.id, &position, false, &ana.id, 2),
            store_ci::open(st, &org.id, &ana.id, &position, false, &max.id, 2),
        );
        let opened = [a.expect("a"), b.expect("b")];
        assert_eq!(
            opened.iter().filter(|r| r.is_ok()).count(),
            1,
            "{}: {opened:?}",
            db.label
        );
        assert!(opened.contains(&Err(StepRefused::AlreadyOpen)));
        let id = opened.iter().find_map(|r| r.clone().ok()).expect("one");
        for (side, author) in [(Side::Member, &ana.id), (Side::Manager, &max.id)] {
            let w = SideWrite {
                side,
                author,
                entries: &[],
                added: &[],
                complete: true,
            };
            store_ci::save_side(st, &org.id, &id, &w, 3)
                .await
                .expect("save")
                .expect("done");
        }
        let fw = demo();
        let p = fw
            .positions
            .iter()
            .find(|p| p.slug == position)
            .expect("position")
            .clone();
        let frozen = check_ins::freeze(&Freezing {
            fw: &fw,
            framework_version: 1,
            position: &p,
            aiming: false,
            added: &[],
            held: &[],
            sides: &Sides::default(),
            summary: "",
            overall: Overall::Developing,
            scale: &Default::default(),
            at: 4,
        });
        let agreed = [(s("testing"), rated(AbilityRating::Meeting, ""))];
        let (x, y) = tokio::join!(
            store_ci::finalize(st, &org.id, &id, &max.id, &agreed, &frozen, 4),
            store_ci::finalize(st, &org.id, &id, &max.id, &agreed, &frozen, 4),
        );
        let done = [x.expect("x"), y.expect("y")];
        assert_eq!(
            done.iter().filter(|r| r.is_ok()).count(),
            1,
            "{}: {done:?}",
            db.label
        );
        assert!(done.contains(&Err(StepRefused::Finalized)), "{done:?}");
        let c = store_ci::get(st, &org.id, &id)
            .await
            .expect("get")
            .expect("there");
        assert_eq!(c.sides.agreed.len(), 1, "agreed once");
    })
    .await;
}

/// The database itself refuses to change a finalized check-in, its
/// ratings or an acknowledgement, whoever asks (as the audit log's
/// triggers do); an open one changes freely.
#[tokio::test]
async fn finalized_check_ins_are_frozen_by_the_database() {
    for_each_backend(|db| async move {
        let st = &db.store;
        framework::replace(st, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(st, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (ana, max) = (person(st, "ana").await, person(st, "max").await);
        for p in [&ana, &max] {
            members::add(st, &org.id, &p.id, Capabilities::NONE, 1)
                .await
                .expect("add");
        }
        let id = store_ci::open(st, &org.id, &ana.id, &s("engineer-1"), false, &max.id, 2)
            .await
            .expect("open")
            .expect("opened");
        let entries = [(s("testing"), rated(AbilityRating::Meeting, "ok"))];
        for (side, author) in [(Side::Member, &ana.id), (Side::Manager, &max.id)] {
            let w = SideWrite {
                side,
                author,
                entries: &entries,
                added: &[],
                complete: true,
            };
            store_ci::save_side(st, &org.id, &id, &w, 3)
                .await
                .expect("save")
                .expect("done");
        }
        // A connection of its own: whoever asks, not only the store.
        let url = cairn_store::normalize_url(&db.url).1;
        let raw = |sql: &'static str| {
            let (id, url) = (id.clone(), url.clone());
            async move {
                use sqlx::Connection;
                let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
                sqlx::query(sql).bind(id).execute(&mut conn).await
            }
        };
        // Open: the database lets it change (the store's own checks rule).
        assert!(
            raw("UPDATE check_ins SET summary = 'draft' WHERE id = $1")
                .await
                .is_ok(),
            "{}",
            db.label
        );
        let fw = demo();
        let p = fw
            .positions
            .iter()
            .find(|p| p.slug.as_str() == "engineer-1")
            .expect("p")
            .clone();
        let frozen = check_ins::freeze(&Freezing {
            fw: &fw,
            framework_version: 1,
            position: &p,
            aiming: false,
            added: &[],
            held: &[],
            sides: &Sides::default(),
            summary: "",
            overall: Overall::Developing,
            scale: &Default::default(),
            at: 4,
        });
        store_ci::finalize(st, &org.id, &id, &max.id, &entries, &frozen, 4)
            .await
            .expect("finalize")
            .expect("finalized");
        store_ci::acknowledge(st, &org.id, &id, &ana.id, false, "", 5)
            .await
            .expect("ack")
            .expect("acknowledged");
        for sql in [
            "UPDATE check_ins SET summary = 'rewritten' WHERE id = $1",
            "UPDATE check_ins SET finalized_at = NULL WHERE id = $1",
            "DELETE FROM check_ins WHERE id = $1",
            "UPDATE check_in_ratings SET rating = 'exceeding' WHERE check_in_id = $1",
            "DELETE FROM check_in_ratings WHERE check_in_id = $1",
            "UPDATE check_in_acknowledgements SET comment = 'x' WHERE check_in_id = $1",
            "DELETE FROM check_in_acknowledgements WHERE check_in_id = $1",
        ] {
            let refused = raw(sql).await;
            assert!(refused.is_err(), "{}: {sql} was allowed", db.label);
        }
        let c = store_ci::get(st, &org.id, &id)
            .await
            .expect("get")
            .expect("there");
        assert_eq!(c.frozen.as_ref(), Some(&frozen), "{}", db.label);
        assert_eq!(
            c.sides.member.len() + c.sides.manager.len() + c.sides.agreed.len(),
            3
        );
    })
    .await;
}

/// The list query and the domain rule agree for every viewer kind: the
/// member, their manager and the manager's manager, a people lead, an
/// admin (with the organization's setting off and on), another member, a
/// departed former manager.
#[tokio::test]
async fn the_list_query_and_the_rule_agree_for_every_viewer() {
    for_each_backend(|db| async move {
        let st = &db.store;
        framework::replace(st, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(st, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let names = ["ana", "max", "mo", "lee", "ada", "eve", "dee"];
        let mut p = std::collections::HashMap::new();
        for n in names {
            let person = person(st, n).await;
            let caps = match n {
                "lee" => Capabilities::of(&[Capability::PeopleLead]),
                "ada" => Capabilities::of(&[Capability::Admin]),
                _ => Capabilities::NONE,
            };
            members::add(st, &org.id, &person.id, caps, 1)
                .await
                .expect("add");
            members::set_capabilities(st, &org.id, &person.id, caps)
                .await
                .expect("caps");
            p.insert(n, person.id);
        }
        let id = |n: &str| p[n].clone();
        for (who, manager) in [("ana", "max"), ("max", "mo"), ("eve", "dee")] {
            members::set_manager(st, &org.id, &id(who), Some(&id(manager)))
                .await
                .expect("set")
                .expect("ok");
        }
        members::set_status(st, &org.id, &id("dee"), MemberStatus::Departed, 2)
            .await
            .expect("depart");
        let mut all = Vec::new();
        for member in ["ana", "max", "eve"] {
            let c = store_ci::open(
                st,
                &org.id,
                &id(member),
                &s("engineer-1"),
                false,
                &id(member),
                3,
            )
            .await
            .expect("open")
            .expect("opened");
            all.push((c, id(member)));
        }
        for admins_read in [false, true] {
            store_ci::set_settings(st, &org.id, 90, admins_read)
                .await
                .expect("settings");
            for viewer in names {
                let me = id(viewer);
                let active = viewer != "dee";
                let (lead, admin) = (viewer == "lee", viewer == "ada");
                let reader = Reader {
                    person: Some(me.clone()),
                    member: active,
                    reports: cairn_store::observations::reports(st, &org.id, &me)
                        .await
                        .expect("reports"),
                };
                let standing = Standing {
                    people_lead: lead,
                    admin,
                    admins_read,
                    ..Default::default()
                };
                let want: HashSet<String> = all
                    .iter()
                    .filter(|(_, member)| check_ins::can_read(&reader, member, standing))
                    .map(|(c, _)| c.clone())
                    .collect();
                let got: HashSet<String> = store_ci::readable_ids(st, &org.id, &me, lead, admin)
                    .await
                    .expect("list")
                    .into_iter()
                    .collect();
                assert_eq!(
                    got, want,
                    "{}: {viewer}, admins read: {admins_read}",
                    db.label
                );
            }
        }
        // Sanity: the member sees one, the people lead all, the departed none.
        for (viewer, lead, want) in [
            ("ana", false, 1),
            ("mo", false, 2),
            ("lee", true, 3),
            ("dee", false, 0),
        ] {
            let n = store_ci::readable_ids(st, &org.id, &id(viewer), lead, false)
                .await
                .expect("list")
                .len();
            assert_eq!(n, want, "{}: {viewer}", db.label);
        }
    })
    .await;
}

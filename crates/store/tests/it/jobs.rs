use cairn_domain::jobs::{HoldingKind, TenureRefused};
use cairn_domain::membership::{Capabilities, MemberStatus};
use cairn_domain::people::Email;
use cairn_domain::{Name, Slug};
use cairn_store::framework::{self, Edit, ItemKind};
use cairn_store::jobs::{self, Change, Changed};
use cairn_store::orgs::OrgRecord;
use cairn_store::people::{Person, PersonId};
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, members, orgs, people};

use crate::demo;

const DAY: i64 = 86_400_000;
/// "Now" in these tests: day 100, mid-morning.
const NOW: i64 = 100 * DAY + 9 * 3_600_000;

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

async fn setup(s: &Store) -> (OrgRecord, Person, Person) {
    framework::replace(s, &demo(), 1).await.expect("import");
    let org = orgs::by_slug(s, &demo().organization.slug)
        .await
        .expect("read")
        .expect("org");
    let mut made = Vec::new();
    for n in ["ana", "lee"] {
        let p = people::create(
            s,
            &Email::parse(&format!("{n}@x.io")).expect("e"),
            &Name::parse(n, "n").expect("n"),
            "h",
            1,
        )
        .await
        .expect("p");
        members::add(s, &org.id, &p.id, Capabilities::NONE, 1)
            .await
            .expect("add");
        made.push(p);
    }
    let lee = made.pop().expect("lee");
    let ana = made.pop().expect("ana");
    (org, ana, lee)
}

async fn set(
    s: &Store,
    org: &OrgRecord,
    who: &PersonId,
    by: &PersonId,
    position: Option<&str>,
    roles: &[&str],
    since_day: i64,
) -> Result<Changed, TenureRefused> {
    let position = position.map(slug);
    let roles: Vec<Slug> = roles.iter().map(|r| slug(r)).collect();
    let change = Change {
        position: position.as_ref(),
        roles: &roles,
        team: None,
        since: since_day * DAY,
        note: "",
        by,
        client_ip: "127.0.0.1",
    };
    jobs::change(s, &org.id, who, &change, NOW)
        .await
        .expect("store")
}

/// Each tenure as "kind slug from-until" in days, newest first.
async fn tenures(s: &Store, org: &OrgRecord, who: &PersonId) -> Vec<String> {
    jobs::of_person(s, &org.id, who)
        .await
        .expect("read")
        .tenures
        .iter()
        .map(|t| {
            format!(
                "{} {} {}-{}",
                t.kind.as_str(),
                t.slug,
                t.since / DAY,
                t.until.map_or("".to_owned(), |u| (u / DAY).to_string())
            )
        })
        .collect()
}

#[tokio::test]
async fn positions_and_roles_are_held_as_tenures_that_never_overlap() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let (org, ana, lee) = setup(s).await;
        let ok = Ok(Changed::Changed);
        assert_eq!(set(s, &org, &ana.id, &lee.id, Some("engineer-1"), &[], 10).await, ok);
        assert_eq!(
            set(s, &org, &ana.id, &lee.id, Some("engineer-2"), &["mentor"], 20).await,
            ok
        );
        assert_eq!(
            tenures(s, &org, &ana.id).await,
            ["position engineer-2 20-", "role mentor 20-", "position engineer-1 10-20"]
        );
        let jobs = jobs::of_person(s, &org.id, &ana.id).await.expect("read");
        assert_eq!(jobs.position().map(|t| t.slug.as_str()), Some("engineer-2"));
        assert_eq!(jobs.role_slugs(), [slug("mentor")]);
        assert_eq!(jobs.tenures[0].set_by.as_str(), "lee");
        // The member's page reads tenures and awards in one statement: the
        // same as each read alone.
        cairn_store::awards::award(
            s,
            &org.id,
            &lee.id,
            &cairn_store::awards::NewAward {
                recipient: ana.id.clone(),
                ability: slug("mentoring"),
                levels: vec![cairn_domain::Level::ALL[0]],
                note: "Well done".into(),
                visibility: cairn_domain::awards::AwardVisibility::Private,
                evidence: vec![],
            },
            NOW,
        )
        .await
        .expect("award");
        let (together, awards) = jobs::with_awards(s, &org.id, &ana.id).await.expect("read");
        assert_eq!(together, jobs, "{}", db.label);
        assert_eq!(
            awards,
            cairn_store::awards::of_person(s, &org.id, &ana.id).await.expect("awards"),
            "{}",
            db.label
        );
        assert_eq!(awards.len(), 1);

        // The same again changes nothing; each refusal changes nothing.
        assert_eq!(
            set(s, &org, &ana.id, &lee.id, Some("engineer-2"), &["mentor"], 30).await,
            Ok(Changed::Nothing)
        );
        let before = tenures(s, &org, &ana.id).await;
        #[rustfmt::skip]
        let refusals: [(&str, Option<&str>, &[&str], i64, TenureRefused); 5] = [
            ("ending a tenure on the day it began", Some("senior-engineer"), &["mentor"], 20, TenureRefused::StartsTooEarly(20 * DAY)),
            ("before it began",                     None,                    &["mentor"], 15, TenureRefused::StartsTooEarly(20 * DAY)),
            ("a day after today",                   Some("senior-engineer"), &["mentor"], 101, TenureRefused::InTheFuture),
            ("a position not in the framework",     Some("astronaut"),       &[],         50, TenureRefused::Unknown),
            ("a role not in the framework",         Some("engineer-2"),      &["ghost"],  50, TenureRefused::Unknown),
        ];
        for (case, position, roles, day, expected) in refusals {
            assert_eq!(
                set(s, &org, &ana.id, &lee.id, position, roles, day).await,
                Err(expected),
                "{case} on {}",
                db.label
            );
            assert_eq!(tenures(s, &org, &ana.id).await, before, "{case}");
        }

        // A role dropped and taken again may not reach back into its past.
        assert_eq!(set(s, &org, &ana.id, &lee.id, Some("engineer-2"), &[], 40).await, ok);
        assert_eq!(
            set(s, &org, &ana.id, &lee.id, Some("engineer-2"), &["mentor"], 35).await,
            Err(TenureRefused::OverlapsEarlier(40 * DAY))
        );
        assert_eq!(
            set(s, &org, &ana.id, &lee.id, Some("engineer-2"), &["mentor"], 40).await,
            ok
        );

        // Archived positions stay in history but cannot be newly given.
        let archive = Edit::Archive {
            kind: ItemKind::Position,
            slug: slug("staff-engineer"),
        };
        framework::apply(s, &org.id, archive, &lee.id, 2)
            .await
            .expect("store")
            .expect("archive");
        assert_eq!(
            set(s, &org, &ana.id, &lee.id, Some("staff-engineer"), &[], 60).await,
            Err(TenureRefused::Archived)
        );

        // Departing ends every open tenure on the day; history stays, and
        // nothing new may be given.
        members::set_status(s, &org.id, &ana.id, MemberStatus::Departed, NOW)
            .await
            .expect("depart");
        let after = tenures(s, &org, &ana.id).await;
        assert!(after.iter().all(|t| !t.ends_with('-')), "{after:?}");
        assert!(after.contains(&"position engineer-2 20-100".to_owned()), "{after:?}");
        assert_eq!(
            set(s, &org, &ana.id, &lee.id, Some("engineer-1"), &[], 100).await,
            Err(TenureRefused::NotActive)
        );
        // Someone who is not a member at all is not found.
        let outsider = PersonId::from_form("nobody");
        let none = Change {
            position: None,
            roles: &[],
            team: None,
            since: DAY,
            note: "",
            by: &lee.id,
            client_ip: "",
        };
        assert!(matches!(
            jobs::change(s, &org.id, &outsider, &none, NOW).await,
            Err(cairn_store::StoreError::NotFound)
        ));
        assert!(matches!(
            jobs::of_person(s, &org.id, &lee.id).await.expect("read").tenures[..],
            []
        ));
        assert_eq!(
            jobs::of_person(s, &org.id, &ana.id)
                .await
                .expect("read")
                .tenures
                .iter()
                .filter(|t| t.kind == HoldingKind::Role)
                .count(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn two_changes_at_once_leave_one_position_and_no_overlap() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let (org, ana, lee) = setup(s).await;
        for round in 0..5 {
            let day = 10 + round * 10;
            let (a, b) = tokio::join!(
                set(s, &org, &ana.id, &lee.id, Some("engineer-1"), &[], day),
                set(s, &org, &ana.id, &lee.id, Some("engineer-2"), &[], day),
            );
            let list = tenures(s, &org, &ana.id).await;
            let open = list.iter().filter(|t| t.ends_with('-')).count();
            assert_eq!(open, 1, "round {round} on {}: {list:?}", db.label);
            // Whoever came second found a tenure begun that very day (or
            // the same position already held): never two open, never
            // overlapping.
            let changed = [&a, &b]
                .iter()
                .filter(|r| matches!(r, Ok(Changed::Changed)))
                .count();
            assert!(changed >= 1, "round {round}: {a:?} {b:?}");
            for r in [&a, &b] {
                assert!(
                    matches!(r, Ok(_) | Err(TenureRefused::StartsTooEarly(_))),
                    "round {round}: {r:?}"
                );
            }
        }
        // The spans of the position slot follow one another.
        let mut spans: Vec<(i64, Option<i64>)> = jobs::of_person(s, &org.id, &ana.id)
            .await
            .expect("read")
            .tenures
            .iter()
            .map(|t| (t.since, t.until))
            .collect();
        spans.sort();
        for pair in spans.windows(2) {
            assert_eq!(pair[0].1, Some(pair[1].0), "{spans:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn teams_form_a_tree_and_members_belong_to_one_at_a_time() {
    use cairn_store::teams::{self, TeamRefused};
    for_each_backend(|db| async move {
        let s = &db.store;
        let (org, ana, lee) = setup(s).await;
        let name = |n: &str| Name::parse(n, "n").expect("name");
        let save = |team: &'static str, parent: Option<&'static str>, create: bool| {
            let org = org.id.clone();
            async move {
                let parent = parent.map(slug);
                teams::save(s, &org, &slug(team), &name(team), parent.as_ref(), create, NOW)
                    .await
                    .expect("store")
            }
        };
        assert_eq!(save("eng", None, true).await, Ok(()));
        assert_eq!(save("platform", Some("eng"), true).await, Ok(()));
        assert_eq!(save("sre", Some("platform"), true).await, Ok(()));
        #[rustfmt::skip]
        let refusals = [
            ("the same address twice",        save("eng", None, true).await,               TeamRefused::Taken),
            ("a parent that is not there",    save("data", Some("ghost"), true).await,     TeamRefused::NoParent),
            ("inside its own grandchild",     save("eng", Some("sre"), false).await,       TeamRefused::Loop),
            ("inside itself",                 save("platform", Some("platform"), false).await, TeamRefused::Loop),
            ("changing a team that is not there", save("ghost", None, false).await,     TeamRefused::Unknown),
        ];
        for (case, got, expected) in refusals {
            assert_eq!(got, Err(expected), "{case} on {}", db.label);
        }
        let tree: Vec<(String, Option<String>)> = teams::list(s, &org.id)
            .await
            .expect("list")
            .iter()
            .map(|t| (t.slug.to_string(), t.parent.as_ref().map(ToString::to_string)))
            .collect();
        assert_eq!(
            tree,
            [
                ("eng".to_owned(), None),
                ("platform".to_owned(), Some("eng".to_owned())),
                ("sre".to_owned(), Some("platform".to_owned()))
            ]
        );

        // A member belongs to one team at a time, as tenures.
        let team_of = |team: &'static str, day: i64| {
            let org = org.id.clone();
            let (ana, lee) = (ana.id.clone(), lee.id.clone());
            async move {
                let team = slug(team);
                let change = Change {
                    position: None,
                    roles: &[],
                    team: Some(&team),
                    since: day * DAY,
                    note: "",
                    by: &lee,
                    client_ip: "",
                };
                jobs::change(s, &org, &ana, &change, NOW).await.expect("store")
            }
        };
        assert_eq!(team_of("platform", 10).await, Ok(Changed::Changed));
        assert_eq!(team_of("sre", 20).await, Ok(Changed::Changed));
        assert_eq!(team_of("eng", 15).await, Err(TenureRefused::StartsTooEarly(20 * DAY)));
        assert_eq!(team_of("ghost", 30).await, Err(TenureRefused::Unknown));
        assert_eq!(tenures(s, &org, &ana.id).await, ["team sre 20-", "team platform 10-20"]);
        let members = teams::members_of(s, &org.id, &slug("sre"), Some(&lee.id)).await.expect("read");
        assert_eq!(members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["ana"]);
        assert!(teams::members_of(s, &org.id, &slug("platform"), None).await.expect("read").is_empty());
        let counts: Vec<i64> = teams::list(s, &org.id).await.expect("list").iter().map(|t| t.members).collect();
        assert_eq!(counts, [0, 0, 1]);
        let holders = jobs::holders(s, &org.id).await.expect("holders");
        assert_eq!(holders[0].team, Some(slug("sre")));
    })
    .await;
}

#[tokio::test]
async fn the_demo_has_people_in_two_teams_and_two_below_a_requirement() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        assert!(cairn_store::demo::people(s, &org, NOW).await.expect("demo"));
        // Loaded once: a second run leaves what is there alone.
        assert!(!cairn_store::demo::people(s, &org, NOW).await.expect("demo"));
        assert_eq!(members::list(s, &org.id).await.expect("members").len(), 8);
        let teams = cairn_store::teams::list(s, &org.id).await.expect("teams");
        let sizes: Vec<(String, i64)> = teams
            .iter()
            .map(|t| (t.slug.to_string(), t.members))
            .collect();
        assert_eq!(
            sizes,
            [
                ("engineering".to_owned(), 2),
                ("platform".to_owned(), 3),
                ("product".to_owned(), 3)
            ]
        );
        let fw = framework::current(s, &org.id).await.expect("framework");
        let held = cairn_store::awards::held_in_org(s, &org.id)
            .await
            .expect("held");
        let none = Vec::new();
        let below: Vec<String> = jobs::holders(s, &org.id)
            .await
            .expect("holders")
            .iter()
            .filter(|h| {
                cairn_domain::jobs::standings(
                    &fw,
                    h.position.as_ref(),
                    &h.roles,
                    held.get(&h.person).unwrap_or(&none),
                )
                .iter()
                .any(|x| !x.met())
            })
            .map(|h| h.name.to_string())
            .collect();
        assert_eq!(below, ["Priya Raman", "Sam Whitfield"], "{}", db.label);
        let public = cairn_store::observations::visible(s, &org.id, None, false)
            .await
            .expect("read");
        assert_eq!(public.len(), 2, "two public observations");
    })
    .await;
}

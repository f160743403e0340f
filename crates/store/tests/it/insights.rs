//! Insights' counts and the recency of milestones, on both backends.

use cairn_domain::Level;
use cairn_domain::awards::AwardVisibility;
use cairn_domain::membership::Capabilities;
use cairn_domain::notify::Kind;
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Markdown, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::insights::{self, Scope};
use cairn_store::observations::{self, Draft};
use cairn_store::people::PersonId;
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, framework, members, notifications, orgs, recency};

use crate::{demo, person};

const DAY: i64 = 86_400_000;
const T0: i64 = 20_000 * DAY;

struct Org {
    id: orgs::OrgId,
    people: Vec<PersonId>,
}

/// The demo framework with six members; the last manages the first.
async fn org(s: &Store) -> Org {
    framework::replace(s, &demo(), 1).await.expect("import");
    let o = orgs::by_slug(s, &demo().organization.slug)
        .await
        .expect("read")
        .expect("org");
    let mut people = Vec::new();
    for i in 0..6 {
        let p = person(s, &format!("p{i}@example.com")).await;
        members::add(s, &o.id, &p.id, Capabilities::NONE, 1)
            .await
            .expect("add");
        people.push(p.id);
    }
    members::set_manager(s, &o.id, &people[0], Some(&people[5]))
        .await
        .expect("set")
        .expect("ok");
    Org { id: o.id, people }
}

async fn observe(
    s: &Store,
    o: &Org,
    by: usize,
    of: usize,
    on: i64,
    privacy: Privacy,
    rating: Rating,
) -> String {
    let draft = Draft {
        observees: vec![o.people[of].clone()],
        story: Markdown::new("Kept the incident calm."),
        observed_on: on,
        ratings: vec![(Slug::parse("testing").expect("slug"), rating)],
    };
    observations::create_published(s, &o.id, &o.people[by], &draft, privacy, on)
        .await
        .expect("write")
        .expect("saved")
}

/// What the counts say of person `of`: observations received, ratings.
async fn received(s: &Store, o: &Org, of: usize) -> (u64, u64) {
    let people = insights::members(s, &o.id, &Scope::Organization)
        .await
        .expect("members");
    let number = people
        .iter()
        .position(|m| m.person.id == o.people[of])
        .expect("a member") as u32;
    let p = insights::period(
        s,
        &o.id,
        &people,
        T0 - 1000 * DAY,
        T0 + 1000 * DAY,
        T0 - 1000 * DAY,
    )
    .await
    .expect("counts");
    let got = p
        .counts
        .pairs
        .iter()
        .filter(|(_, e, _)| *e == number)
        .map(|(_, _, n)| n)
        .sum();
    let rated = p.counts.ratings.iter().map(|r| r.3).sum();
    (got, rated)
}

#[tokio::test]
async fn only_observations_every_member_may_read_are_counted() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let o = org(s).await;
        // Narrow levels and sensitive ratings count nowhere.
        for privacy in [
            Privacy::Journal,
            Privacy::Observees,
            Privacy::Managers,
            Privacy::ObserveesAndManagers,
        ] {
            observe(s, &o, 1, 2, T0, privacy, Rating::Strong).await;
        }
        observe(s, &o, 1, 2, T0, Privacy::Organization, Rating::Concerning).await;
        assert_eq!(received(s, &o, 2).await, (1, 0), "{}", db.label);
        let shared = observe(s, &o, 3, 2, T0, Privacy::Public, Rating::Exceptional).await;
        assert_eq!(received(s, &o, 2).await, (2, 1), "{}", db.label);
        // Narrowed, then deleted: it stops counting at once.
        assert!(
            observations::set_privacy(
                s,
                &o.id,
                &shared,
                Privacy::Public,
                Privacy::Observees,
                T0 + 1
            )
            .await
            .expect("narrow")
        );
        assert_eq!(received(s, &o, 2).await, (1, 0), "{}", db.label);
        assert!(
            observations::set_privacy(
                s,
                &o.id,
                &shared,
                Privacy::Observees,
                Privacy::Organization,
                T0 + 2
            )
            .await
            .expect("widen")
        );
        assert_eq!(received(s, &o, 2).await, (2, 1), "{}", db.label);
        observations::delete(s, &o.id, &shared, T0 + 3)
            .await
            .expect("delete");
        assert_eq!(received(s, &o, 2).await, (1, 0), "{}", db.label);
        // A draft does not count until it is published.
        let draft = Draft {
            observees: vec![o.people[2].clone()],
            story: Markdown::new("A draft."),
            observed_on: T0,
            ratings: vec![(Slug::parse("testing").expect("slug"), Rating::Strong)],
        };
        let d = observations::create(s, &o.id, &o.people[4], &draft, T0)
            .await
            .expect("write")
            .expect("saved");
        assert_eq!(received(s, &o, 2).await, (1, 0), "{}", db.label);
        observations::publish(s, &o.id, &d, Privacy::Organization, T0 + 4)
            .await
            .expect("publish");
        assert_eq!(received(s, &o, 2).await, (2, 1), "{}", db.label);
        // A manager's scope is their reports.
        let scoped = insights::members(s, &o.id, &Scope::ReportsOf(o.people[5].clone()))
            .await
            .expect("members");
        let in_scope: Vec<&PersonId> = scoped
            .iter()
            .filter(|m| m.person.in_scope)
            .map(|m| &m.person.id)
            .collect();
        assert_eq!(in_scope, [&o.people[0]], "{}", db.label);
        let off = cairn_store::ability_stats::disagreements(s, &o.id)
            .await
            .expect("check");
        assert!(off.is_empty(), "{}: {off:?}", db.label);
    })
    .await;
}

#[tokio::test]
async fn an_observation_of_two_people_is_written_once_and_received_by_each() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let o = org(s).await;
        let draft = Draft {
            observees: vec![o.people[2].clone(), o.people[3].clone()],
            story: Markdown::new("Paired on the migration."),
            observed_on: T0,
            ratings: vec![(Slug::parse("testing").expect("slug"), Rating::Strong)],
        };
        observations::create_published(s, &o.id, &o.people[1], &draft, Privacy::Organization, T0)
            .await
            .expect("write")
            .expect("saved");
        observe(
            s,
            &o,
            1,
            4,
            T0 - 10 * DAY,
            Privacy::Public,
            Rating::Exceptional,
        )
        .await;
        // Before the period, and seen only by the list's longer window.
        observe(
            s,
            &o,
            1,
            0,
            T0 - 40 * DAY,
            Privacy::Organization,
            Rating::Strong,
        )
        .await;
        // Narrow: in no count.
        observe(s, &o, 3, 5, T0, Privacy::Observees, Rating::Strong).await;
        let people = insights::members(s, &o.id, &Scope::Organization)
            .await
            .expect("members");
        let n = |i: usize| {
            people
                .iter()
                .position(|m| m.person.id == o.people[i])
                .expect("a member") as u32
        };
        let p = insights::period(s, &o.id, &people, T0 - 30 * DAY, T0 + DAY, T0 - 60 * DAY)
            .await
            .expect("counts");
        let mut pairs = p.counts.pairs.clone();
        pairs.sort();
        let mut want = vec![(n(1), n(2), 1), (n(1), n(3), 1), (n(1), n(4), 1)];
        want.sort();
        assert_eq!(pairs, want, "{}", db.label);
        assert_eq!(p.counts.written, [(n(1), 2)], "{}", db.label);
        let mut rated: Vec<(String, Rating, u32, u64)> = p.counts.ratings.clone();
        rated.sort_by_key(|r| r.3);
        assert_eq!(rated.len(), 2, "{}: {rated:?}", db.label);
        assert!(
            rated
                .iter()
                .all(|r| r.0 == "Testing & Verification" && r.2 == n(1) && r.3 == 1),
            "{}: {rated:?}",
            db.label
        );
        let mut seen: Vec<u32> = p.observed_since.iter().copied().collect();
        seen.sort();
        let mut want = vec![n(0), n(2), n(3), n(4)];
        want.sort();
        assert_eq!(seen, want, "{}", db.label);
    })
    .await;
}

async fn award(s: &Store, o: &Org, to: usize, level: u8, at: i64) {
    awards::award(
        s,
        &o.id,
        &o.people[5],
        &NewAward {
            recipient: o.people[to].clone(),
            ability: Slug::parse("testing").expect("slug"),
            levels: vec![Level::parse(i64::from(level)).expect("level")],
            note: String::new(),
            visibility: AwardVisibility::Organization,
            evidence: Vec::new(),
        },
        at,
    )
    .await
    .expect("award");
}

async fn last_evidenced(s: &Store, o: &Org, of: usize) -> Vec<i64> {
    awards::of_person(s, &o.id, &o.people[of])
        .await
        .expect("awards")
        .iter()
        .map(|a| a.last_evidenced)
        .collect()
}

async fn stale_told(s: &Store, person: &PersonId) -> Vec<String> {
    notifications::inbox(s, person, 0)
        .await
        .expect("inbox")
        .0
        .into_iter()
        .filter(|n| n.kind == Kind::Stale)
        .map(|n| n.subject)
        .collect()
}

#[tokio::test]
async fn stale_milestones_are_told_once_per_crossing_and_nothing_is_revoked() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let o = org(s).await;
        award(s, &o, 0, 1, T0).await;
        award(s, &o, 0, 2, T0).await;
        assert_eq!(last_evidenced(s, &o, 0).await, [T0, T0], "{}", db.label);
        // Evidence the holder cannot read, or not good enough, is none.
        observe(
            s,
            &o,
            1,
            0,
            T0 + 10 * DAY,
            Privacy::Managers,
            Rating::Strong,
        )
        .await;
        observe(
            s,
            &o,
            1,
            0,
            T0 + 11 * DAY,
            Privacy::Public,
            Rating::NotApplicable,
        )
        .await;
        assert_eq!(last_evidenced(s, &o, 0).await, [T0, T0], "{}", db.label);
        observe(
            s,
            &o,
            1,
            0,
            T0 + 20 * DAY,
            Privacy::Observees,
            Rating::Strong,
        )
        .await;
        let fresh = T0 + 20 * DAY;
        assert_eq!(
            last_evidenced(s, &o, 0).await,
            [fresh, fresh],
            "{}",
            db.label
        );

        let month = 31 * DAY;
        assert_eq!(
            recency::nudge_stale(s, fresh + 17 * month)
                .await
                .expect("sweep"),
            0
        );
        assert_eq!(
            recency::stale_count(s, &o.id, 18, fresh + 17 * month)
                .await
                .expect("count"),
            0
        );
        // Past 18 months: one milestone (the highest held) is told, once.
        let later = fresh + 19 * month;
        assert_eq!(
            recency::stale_count(s, &o.id, 18, later)
                .await
                .expect("count"),
            1,
            "{}",
            db.label
        );
        let (first, second) = tokio::join!(
            recency::nudge_stale(s, later),
            recency::nudge_stale(s, later)
        );
        assert_eq!(
            first.expect("sweep") + second.expect("sweep"),
            1,
            "{}: two sweeps at once tell once",
            db.label
        );
        assert_eq!(
            recency::nudge_stale(s, later + DAY).await.expect("sweep"),
            0,
            "{}",
            db.label
        );
        let holder = stale_told(s, &o.people[0]).await;
        assert_eq!(holder.len(), 1, "{}: {holder:?}", db.label);
        assert!(
            holder[0].starts_with(
                "Your Testing & Verification milestone 2 was last evidenced 19 months ago"
            ),
            "{}",
            holder[0]
        );
        let manager = stale_told(s, &o.people[5]).await;
        assert_eq!(manager.len(), 1, "{}: {manager:?}", db.label);
        assert!(
            manager[0].contains("'s Testing & Verification milestone 2 was last evidenced"),
            "{}",
            manager[0]
        );
        // Nothing was revoked, and the count stays until evidence comes.
        let held = awards::of_person(s, &o.id, &o.people[0])
            .await
            .expect("awards");
        assert!(held.iter().all(|a| !a.revoked));
        // A fresh observation refreshes it; the next crossing is told again.
        observe(
            s,
            &o,
            2,
            0,
            later,
            Privacy::Organization,
            Rating::Exceptional,
        )
        .await;
        assert_eq!(
            recency::stale_count(s, &o.id, 18, later + DAY)
                .await
                .expect("count"),
            0
        );
        assert_eq!(
            recency::nudge_stale(s, later + 17 * month)
                .await
                .expect("sweep"),
            0
        );
        assert_eq!(
            recency::nudge_stale(s, later + 19 * month)
                .await
                .expect("sweep"),
            1,
            "{}",
            db.label
        );
        assert_eq!(stale_told(s, &o.people[0]).await.len(), 2, "{}", db.label);
        let off = cairn_store::ability_stats::disagreements(s, &o.id)
            .await
            .expect("check");
        assert!(off.is_empty(), "{}: {off:?}", db.label);
    })
    .await;
}

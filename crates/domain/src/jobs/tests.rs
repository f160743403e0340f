use std::collections::HashSet;

use super::*;
use crate::file;

const DAY: i64 = 86_400_000;

#[test]
fn a_new_tenure_starts_after_the_one_it_ends() {
    let today = 1_000 * DAY;
    #[rustfmt::skip]
    let cases = [
        // (case, ending began, opening's slot last ended, since, expected)
        ("nothing held yet, any past day",     None,          None,          5 * DAY,   Ok(())),
        ("nothing held yet, today",            None,          None,          today,     Ok(())),
        ("the day after the current began",    Some(5 * DAY), None,          6 * DAY,   Ok(())),
        ("years later",                        Some(5 * DAY), None,          900 * DAY, Ok(())),
        ("the same day would leave it empty",  Some(5 * DAY), None,          5 * DAY,   Err(TenureRefused::StartsTooEarly(5 * DAY))),
        ("before it began would reverse it",   Some(5 * DAY), None,          4 * DAY,   Err(TenureRefused::StartsTooEarly(5 * DAY))),
        ("tomorrow is a plan, not a tenure",   None,          None,          today + DAY, Err(TenureRefused::InTheFuture)),
        ("the future, after a current one",    Some(5 * DAY), None,          today + DAY, Err(TenureRefused::InTheFuture)),
        ("again from the day the last ended",  None,          Some(9 * DAY), 9 * DAY,   Ok(())),
        ("reaching back into the last one",    None,          Some(9 * DAY), 8 * DAY,   Err(TenureRefused::OverlapsEarlier(9 * DAY))),
    ];
    for (name, ending, opening, since, expected) in cases {
        assert_eq!(
            check_start(ending, opening, since, today),
            expected,
            "{name}"
        );
    }
    for (ms, day) in [
        (0, 0),
        (DAY - 1, 0),
        (DAY, DAY),
        (3 * DAY + 5, 3 * DAY),
        (-1, -DAY),
    ] {
        assert_eq!(day_of(ms), day, "{ms}");
    }
}

#[test]
fn who_sees_positions_and_roles() {
    let reader = |person: Option<&str>, member: bool, reports: &[&str]| Reader {
        person: person.map(str::to_owned),
        member,
        reports: reports
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<HashSet<_>>(),
    };
    let ana = "ana".to_owned();
    use JobsView::*;
    #[rustfmt::skip]
    let cases = [
        // (who, reader, manages people, setting on, expected)
        ("anonymous",                  Reader::outsider(),                 false, true,  Nothing),
        ("a departed member or outsider", reader(Some("ana"), false, &[]), false, true,  Nothing),
        ("ana herself",                reader(Some("ana"), true, &[]),     false, false, History),
        ("her manager",                reader(Some("bo"), true, &["ana"]), false, false, History),
        ("her manager's manager",      reader(Some("cy"), true, &["x", "ana"]), false, false, History),
        ("an admin or people lead",    reader(Some("di"), true, &[]),      true,  false, History),
        ("another member, setting on", reader(Some("ed"), true, &[]),      false, true,  Current),
        ("another member, setting off", reader(Some("ed"), true, &[]),     false, false, Nothing),
        ("a member managing others",   reader(Some("fa"), true, &["gus"]), false, true,  Current),
    ];
    for (who, r, manages, setting, expected) in cases {
        assert_eq!(jobs_view(&r, &ana, manages, setting), expected, "{who}");
    }
}

fn fw() -> Framework {
    file::parse(
        "format: cairn/1
organization: { slug: acme, name: Acme }
abilities:
  - { slug: a, name: A, milestones: [{}, {}, {}, {}, {}] }
  - { slug: b, name: B, milestones: [{}, {}, {}, {}, {}] }
  - { slug: c, name: C, milestones: [{}, {}, {}, {}, {}] }
roles:
  - { slug: ops, name: Ops Engineer, requires: { a: 1 } }
  - { slug: lead, name: Lead, requires: { b: 3, c: 2 } }
positions:
  - { slug: eng, title: Engineer, level: '2', roles: { required: [ops] }, requires: { a: 2, b: 1 } }
",
    )
    .expect("framework")
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

/// Each standing as "source:ability required/held -below".
fn lines(list: &[Standing]) -> Vec<String> {
    list.iter()
        .map(|s| {
            let source = match &s.source {
                Source::Position(p) => format!("position {p}"),
                Source::Role(r) => format!("role {r}"),
            };
            format!(
                "{source}: {}{} held {} below {}",
                s.ability,
                s.required,
                s.held.map_or(0, Level::get),
                s.below()
            )
        })
        .collect()
}

#[test]
fn must_be_milestone_n_binds_whoever_holds_it() {
    let f = fw();
    let held = |list: &[(&str, i64)]| -> Vec<(Slug, Level)> {
        list.iter()
            .map(|(s, l)| (slug(s), Level::parse(*l).expect("level")))
            .collect()
    };
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        &'a [&'a str],
        &'a [(&'a str, i64)],
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        ("holding nothing asks nothing", None, &[], &[("a", 5)], &[]),
        (
            // The position's own a2 wins over its required role's a1.
            "a position merges its required roles, highest level kept",
            Some("eng"),
            &[],
            &[("a", 1)],
            &[
                "position eng: a2 held 1 below 1",
                "position eng: b1 held 0 below 1",
            ],
        ),
        (
            "met requirements are 0 below; the highest award counts",
            Some("eng"),
            &[],
            &[("a", 1), ("a", 3), ("b", 1)],
            &[
                "position eng: a2 held 3 below 0",
                "position eng: b1 held 1 below 0",
            ],
        ),
        (
            "each role held adds its own lines",
            None,
            &["ops", "lead"],
            &[("b", 2)],
            &[
                "role ops: a1 held 0 below 1",
                "role lead: b3 held 2 below 1",
                "role lead: c2 held 0 below 2",
            ],
        ),
        (
            "a position or role no longer in the framework asks nothing",
            Some("gone"),
            &["gone-too"],
            &[],
            &[],
        ),
    ];
    for (name, position, roles, have, expected) in cases {
        let position = position.map(slug);
        let roles: Vec<Slug> = roles.iter().map(|r| slug(r)).collect();
        let got = standings(&f, position.as_ref(), &roles, &held(have));
        assert_eq!(lines(&got), *expected, "{name}");
        assert_eq!(
            got.iter().filter(|s| s.met()).count(),
            got.iter().filter(|s| s.below() == 0).count(),
            "{name}"
        );
    }
}

#[test]
fn holding_kinds_round_trip() {
    for k in [HoldingKind::Position, HoldingKind::Role, HoldingKind::Team] {
        assert_eq!(HoldingKind::parse(k.as_str()), Some(k));
    }
    assert_eq!(HoldingKind::parse("squad"), None);
}

#[test]
fn one_line_per_ability_keeps_the_highest_ask_and_who_asks_it() {
    let f = fw();
    let held = vec![(slug("b"), Level::parse(1).expect("level"))];
    // eng asks a2 (its own, over ops' a1) and b1; ops asks a1; lead asks b3, c2.
    let lines = standings(&f, Some(&slug("eng")), &[slug("ops"), slug("lead")], &held);
    let got: Vec<String> = by_ability(&lines)
        .iter()
        .map(|(s, sources)| {
            let from: Vec<String> = sources
                .iter()
                .map(|x| match x {
                    Source::Position(p) => format!("position {p}"),
                    Source::Role(r) => format!("role {r}"),
                })
                .collect();
            format!(
                "{}{} below {} from {}",
                s.ability,
                s.required,
                s.below(),
                from.join(", ")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "a2 below 2 from position eng",
            "b3 below 2 from role lead",
            "c2 below 2 from role lead",
        ]
    );
    // The same level asked twice names both.
    let same = standings(&f, Some(&slug("eng")), &[slug("ops")], &[]);
    let twice: Vec<(Standing, Vec<Source>)> = by_ability(&[
        same[0].clone(),
        Standing {
            source: Source::Role(slug("ops")),
            ..same[0].clone()
        },
    ]);
    assert_eq!(
        twice[0].1,
        [Source::Position(slug("eng")), Source::Role(slug("ops"))]
    );
}

use super::*;

const NOW: i64 = 1_800_000_000_000;

fn facts() -> AbilityFacts {
    AbilityFacts {
        updated_at: NOW,
        ..AbilityFacts::default()
    }
}

fn one(kind: CheckKind, f: &AbilityFacts, t: &Thresholds) -> (Severity, String) {
    let c = check(f, t, NOW)
        .into_iter()
        .find(|c| c.kind == kind)
        .expect("check present");
    (c.severity, c.text)
}

#[test]
fn roles_observations_achievements_and_conversations() {
    let t = Thresholds::default();
    type Case = (
        &'static str,
        CheckKind,
        AbilityFacts,
        Severity,
        &'static str,
    );
    let f = facts();
    let cases: Vec<Case> = vec![
        (
            "no role",
            CheckKind::Roles,
            f,
            Severity::Warning,
            "Not associated with any role or position",
        ),
        (
            "one role",
            CheckKind::Roles,
            AbilityFacts { roles: 1, ..f },
            Severity::Ok,
            "Associated with 1 role",
        ),
        (
            "roles",
            CheckKind::Roles,
            AbilityFacts { roles: 3, ..f },
            Severity::Ok,
            "Associated with 3 roles",
        ),
        (
            "position only",
            CheckKind::Roles,
            AbilityFacts { positions: 1, ..f },
            Severity::Ok,
            "Associated with 1 position",
        ),
        (
            "both",
            CheckKind::Roles,
            AbilityFacts {
                roles: 1,
                positions: 2,
                ..f
            },
            Severity::Ok,
            "Associated with 1 role and 2 positions",
        ),
        (
            "no observation",
            CheckKind::Observations,
            f,
            Severity::Warning,
            "Has been referenced in no observations",
        ),
        (
            "one observation",
            CheckKind::Observations,
            AbilityFacts {
                observations: 1,
                ..f
            },
            Severity::Ok,
            "Referenced in 1 observation",
        ),
        (
            "observations",
            CheckKind::Observations,
            AbilityFacts {
                observations: 12,
                ..f
            },
            Severity::Ok,
            "Referenced in 12 observations",
        ),
        (
            "nobody achieved",
            CheckKind::Achievements,
            f,
            Severity::Info,
            "No one has achieved a milestone on this ability",
        ),
        (
            "one achiever",
            CheckKind::Achievements,
            AbilityFacts { achievers: 1, ..f },
            Severity::Ok,
            "1 person has achieved a milestone",
        ),
        (
            "achievers",
            CheckKind::Achievements,
            AbilityFacts { achievers: 4, ..f },
            Severity::Ok,
            "4 people have achieved a milestone",
        ),
        (
            "never conversed",
            CheckKind::Conversations,
            f,
            Severity::Info,
            "Never conversed about",
        ),
        (
            "conversed once",
            CheckKind::Conversations,
            AbilityFacts {
                conversations: 1,
                last_conversation_at: Some(NOW - 2 * DAY_MS),
                ..f
            },
            Severity::Ok,
            "Conversed about 1 time, last 2 days ago",
        ),
        (
            "conversed often",
            CheckKind::Conversations,
            AbilityFacts {
                conversations: 7,
                last_conversation_at: Some(NOW - 60_000 * 90),
                ..f
            },
            Severity::Ok,
            "Conversed about 7 times, last about 2 hours ago",
        ),
    ];
    for (name, kind, f, severity, text) in cases {
        assert_eq!(one(kind, &f, &t), (severity, text.to_owned()), "{name}");
    }
}

#[test]
fn freshness_follows_the_organization_thresholds_at_each_boundary() {
    let default = Thresholds::default();
    let strict = Thresholds {
        stale_after_days: 30,
        critical_after_days: 90,
        ..default
    };
    let at = |days_ago: i64, extra_ms: i64| AbilityFacts {
        updated_at: NOW - days_ago * DAY_MS - extra_ms,
        ..facts()
    };
    type Case = (
        &'static str,
        AbilityFacts,
        Thresholds,
        Severity,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "just now",
            at(0, 0),
            default,
            Severity::Ok,
            "Last updated: less than a minute ago",
        ),
        (
            "3 months",
            at(91, 0),
            default,
            Severity::Ok,
            "Last updated: 3 months ago",
        ),
        (
            "on the stale threshold",
            at(183, 0),
            default,
            Severity::Ok,
            "Last updated: 6 months ago",
        ),
        (
            "just past it",
            at(183, 1),
            default,
            Severity::Warning,
            "Last updated: 6 months ago",
        ),
        (
            "on the critical threshold",
            at(365, 0),
            default,
            Severity::Warning,
            "Last updated: about 1 year ago",
        ),
        (
            "just past it",
            at(365, 1),
            default,
            Severity::Critical,
            "Last updated: about 1 year ago",
        ),
        (
            "years",
            at(1800, 0),
            default,
            Severity::Critical,
            "Last updated: almost 5 years ago",
        ),
        (
            "strict: 31 days",
            at(31, 0),
            strict,
            Severity::Warning,
            "Last updated: about 1 month ago",
        ),
        (
            "strict: 91 days",
            at(91, 0),
            strict,
            Severity::Critical,
            "Last updated: 3 months ago",
        ),
    ];
    for (name, f, t, severity, text) in cases {
        assert_eq!(
            one(CheckKind::Freshness, &f, &t),
            (severity, text.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn checks_come_in_page_order_and_the_worst_is_found() {
    let checks = check(&facts(), &Thresholds::default(), NOW);
    let kinds: Vec<CheckKind> = checks.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        vec![
            CheckKind::Roles,
            CheckKind::Observations,
            CheckKind::Achievements,
            CheckKind::Freshness,
            CheckKind::Conversations
        ]
    );
    assert_eq!(worst(&checks), Severity::Warning);
    assert_eq!(worst(&[]), Severity::Ok);
    assert_eq!(Severity::Critical.symbol(), "⛔️");
}

#[test]
fn required_of_counts_holders_once_something_requires_it() {
    let t = Thresholds::default();
    let f = facts();
    #[rustfmt::skip]
    let cases: Vec<(&str, AbilityFacts, Option<(Severity, &str)>)> = vec![
        ("nothing requires it: no sixth check", AbilityFacts { required_of: 4, ..f },              None),
        ("a role requires it, nobody holds it", AbilityFacts { roles: 1, ..f },                   Some((Severity::Info, "Required of nobody: no one holds a role or position that requires it"))),
        ("a position requires it, one holds it", AbilityFacts { positions: 1, required_of: 1, ..f }, Some((Severity::Ok, "Required of 1 person"))),
        ("both, held by many",                  AbilityFacts { roles: 2, positions: 1, required_of: 12, ..f }, Some((Severity::Ok, "Required of 12 people"))),
    ];
    for (name, facts, expected) in cases {
        let got = check(&facts, &t, NOW)
            .into_iter()
            .find(|c| c.kind == CheckKind::RequiredOf)
            .map(|c| (c.severity, c.text));
        assert_eq!(got, expected.map(|(s, t)| (s, t.to_owned())), "{name}");
    }
    // Sixth, after the page's five.
    let kinds: Vec<CheckKind> = check(&AbilityFacts { roles: 1, ..f }, &t, NOW)
        .iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds.last(), Some(&CheckKind::RequiredOf));
    assert_eq!(kinds.len(), 6);
}

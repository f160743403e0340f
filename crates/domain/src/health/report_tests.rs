use super::*;
use crate::file;

const NOW: i64 = 1_800_000_000_000;

#[test]
fn organization_wide_findings() {
    let mut fw = file::parse(include_str!("../../../../demo/fernhill.yaml")).expect("demo");
    // Break things the report should notice.
    fw.positions[0].required_roles.clear(); // Engineer I: nothing required any more
    fw.positions[3].miles = crate::MilesRule::AtLeast(1000); // unreachable
    fw.abilities[1]
        .milestones
        .iter_mut()
        .for_each(|m| m.summary = crate::Markdown::default());
    fw.abilities[2].milestones[4].examples.clear();
    let facts: Vec<(crate::Slug, AbilityFacts)> = fw
        .abilities
        .iter()
        .map(|a| {
            (
                a.slug.clone(),
                AbilityFacts {
                    roles: 1,
                    updated_at: NOW,
                    ..Default::default()
                },
            )
        })
        .collect();
    let dangling = [Dangling {
        kind: "role",
        item: "Mentor".into(),
        ability: "Coaching".into(),
    }];
    let r = report(
        &fw,
        &facts,
        &dangling,
        &Staffing::default(),
        &Thresholds::default(),
        NOW,
    );
    let lines: Vec<String> = r
        .findings
        .iter()
        .map(|f| format!("{} {}", f.severity.symbol(), f.text))
        .collect();
    assert_eq!(
        lines,
        vec![
            "⛔️ The role Mentor requires the archived ability Coaching.",
            "⛔️ No one could meet the miles of Staff Engineer: it asks for 1000, and holding every ability at milestone 5 gives 160.",
            "⚠️ The position Engineer I requires no milestones, directly or through its roles.",
            "⚠️ System Design has no milestone summaries.",
            "ℹ️ Testing & Verification: Milestone 5 has no examples.",
        ]
    );
    assert_eq!(r.abilities.len(), 8);
    assert_eq!(r.worst(), Severity::Critical);
    let clean = report(
        &file::parse(include_str!("../../../../demo/fernhill.yaml")).expect("demo"),
        &facts,
        &[],
        &Staffing::default(),
        &Thresholds::default(),
        NOW,
    );
    assert!(clean.findings.is_empty(), "{:?}", clean.findings);
    assert_eq!(clean.worst(), Severity::Warning, "no observations yet");
}

#[test]
fn who_holds_what_shows_as_counts() {
    let fw = file::parse(include_str!("../../../../demo/fernhill.yaml")).expect("demo");
    let slug = |s: &str| crate::Slug::parse(s).expect("slug");
    let level = |n: i64| crate::Level::parse(n).expect("level");
    const DAY: i64 = 86_400_000;
    let grace = Thresholds::default(); // 180 days
    // Engineer I asks Code Quality 1 and Testing 1 (Software Engineer).
    let engineer = |days_ago: i64, held: Vec<(crate::Slug, crate::Level)>| HolderFacts {
        position: Some((slug("engineer-1"), NOW - days_ago * DAY)),
        roles: vec![],
        held,
    };
    let meets = vec![
        (slug("code-quality"), level(1)),
        (slug("testing"), level(1)),
    ];
    let lines = |staffing: &Staffing| -> Vec<String> {
        report(&fw, &[], &[], staffing, &grace, NOW)
            .findings
            .iter()
            .map(|f| format!("{} {}", f.severity.symbol(), f.text))
            .collect()
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, Staffing, Vec<&str>)> = vec![
        ("no members: nothing to say", Staffing::default(), vec![]),
        ("members, nobody holds a position: positions not taken up, nothing said",
            Staffing { members: 3, holders: vec![] },
            vec![]),
        ("one holder who meets it, two without a position",
            Staffing { members: 3, holders: vec![engineer(400, meets.clone())] },
            vec!["ℹ️ Nobody holds the position Engineer II.", "ℹ️ Nobody holds the position Senior Engineer.",
                 "ℹ️ Nobody holds the position Staff Engineer.", "ℹ️ 2 active members hold no position."]),
        ("below, but within the grace period",
            Staffing { members: 1, holders: vec![engineer(100, vec![])] },
            vec!["ℹ️ Nobody holds the position Engineer II.", "ℹ️ Nobody holds the position Senior Engineer.",
                 "ℹ️ Nobody holds the position Staff Engineer."]),
        ("below for longer than the grace period",
            Staffing { members: 2, holders: vec![engineer(181, vec![]), engineer(400, meets)] },
            vec!["⚠️ 1 member has been below a requirement of what they hold for more than 180 days.",
                 "ℹ️ Nobody holds the position Engineer II.", "ℹ️ Nobody holds the position Senior Engineer.",
                 "ℹ️ Nobody holds the position Staff Engineer."]),
    ];
    for (name, staffing, expected) in cases {
        let got = lines(&staffing);
        // The demo file's own findings are none (see above).
        assert_eq!(got, expected, "{name}");
    }
}

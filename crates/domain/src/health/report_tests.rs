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
    let r = report(&fw, &facts, &dangling, &Thresholds::default(), NOW);
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
        &Thresholds::default(),
        NOW,
    );
    assert!(clean.findings.is_empty(), "{:?}", clean.findings);
    assert_eq!(clean.worst(), Severity::Warning, "no observations yet");
}

//! The playground: milestones chosen by hand rather than awarded, carried
//! in a link (`?m=code-quality:3,testing:2`), and what they would meet.
//!
//! Everything a picture says is computed by the rules a member's real
//! journey and eligibility use ([`journey`], [`eligibility`], [`band_of`]):
//! the playground only chooses the milestones.

use crate::eligibility::{Eligibility, eligibility, level_order};
use crate::framework::{Framework, Level, Position, Slug};
use crate::journey::{Band, band_of, journey};

/// Why part of an `m=` value was left out. A link is someone's claim
/// about a framework that may have changed since: nothing in it is an
/// error, each part that cannot count is named and skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// No active ability has this slug (archived, renamed, mistyped).
    UnknownAbility(String),
    /// Not a milestone 1 to 5 (0 is left out of links, not written).
    BadLevel { ability: String, level: String },
    /// The ability came again; its first level counts.
    Duplicate(String),
    /// Not `slug:level` at all.
    Malformed(String),
}

impl Ignored {
    fn describe(&self) -> String {
        match self {
            Ignored::UnknownAbility(s) => format!("no ability is called \u{201c}{s}\u{201d}"),
            Ignored::BadLevel { ability, level } => {
                format!("\u{201c}{level}\u{201d} for {ability} is not a milestone 1 to 5")
            }
            Ignored::Duplicate(s) => format!("{s} came more than once (the first counts)"),
            Ignored::Malformed(s) => format!("\u{201c}{s}\u{201d} is not ability:milestone"),
        }
    }
}

/// Parts named in the notice; the rest are counted.
pub const NOTICE_NAMES: usize = 5;
/// Characters of a part kept when it is named in the notice.
const SHOWN_CHARS: usize = 40;

/// The milestones a link chooses, in framework order, and what it held
/// that could not count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choice {
    pub levels: Vec<(Slug, Level)>,
    pub ignored: Vec<Ignored>,
}

fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(SHOWN_CHARS).collect();
    if s.chars().count() > SHOWN_CHARS {
        out.push('…');
    }
    out
}

/// Reads an `m=` value against `fw`: `slug:level` parts separated by
/// commas; empty parts are nothing to note.
pub fn parse(raw: &str, fw: &Framework) -> Choice {
    let mut found: Vec<(Slug, Level)> = Vec::new();
    let mut ignored = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((slug, level)) = part.split_once(':') else {
            ignored.push(Ignored::Malformed(shown(part)));
            continue;
        };
        let Some(ability) = fw.abilities.iter().find(|a| a.slug.as_str() == slug) else {
            ignored.push(Ignored::UnknownAbility(shown(slug)));
            continue;
        };
        let Some(level) = level
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| Level::parse(n).ok())
        else {
            ignored.push(Ignored::BadLevel {
                ability: ability.name.to_string(),
                level: shown(level),
            });
            continue;
        };
        if found.iter().any(|(s, _)| *s == ability.slug) {
            ignored.push(Ignored::Duplicate(ability.name.to_string()));
            continue;
        }
        found.push((ability.slug.clone(), level));
    }
    Choice {
        levels: in_framework_order(fw, found),
        ignored,
    }
}

fn in_framework_order(fw: &Framework, mut levels: Vec<(Slug, Level)>) -> Vec<(Slug, Level)> {
    levels.sort_by_key(|(s, _)| fw.abilities.iter().position(|a| a.slug == *s));
    levels
}

/// The playground's choice of every ability's highest milestone in
/// `held` (every level held; the highest counts), for "start from my
/// journey".
pub fn from_held(fw: &Framework, held: &[(Slug, Level)]) -> Vec<(Slug, Level)> {
    let levels = fw
        .abilities
        .iter()
        .filter_map(|a| crate::journey::highest(held, &a.slug).map(|l| (a.slug.clone(), l)))
        .collect();
    in_framework_order(fw, levels)
}

/// The `m=` value that reproduces `levels`: framework order, abilities
/// at 0 left out, so one picture has one link.
pub fn link_value(levels: &[(Slug, Level)]) -> String {
    levels
        .iter()
        .map(|(s, l)| format!("{s}:{l}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// One sentence naming what was ignored: the first few parts, the rest
/// counted. None when everything counted.
pub fn notice(ignored: &[Ignored]) -> Option<String> {
    if ignored.is_empty() {
        return None;
    }
    let mut named: Vec<String> = ignored
        .iter()
        .take(NOTICE_NAMES)
        .map(Ignored::describe)
        .collect();
    if ignored.len() > NOTICE_NAMES {
        named.push(format!(
            "{} more",
            crate::wording::count(ignored.len() - NOTICE_NAMES)
        ));
    }
    Some(format!(
        "Part of this link was left out: {}.",
        named.join("; ")
    ))
}

/// What a choice of milestones would mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'a> {
    pub miles: u32,
    /// Positions whose requirements and miles rule the choice meets, in
    /// framework order.
    pub met: Vec<&'a Position>,
    /// The position not met that the fewest further levels reach (ties:
    /// the lower level, then framework order), with its eligibility,
    /// whose gap sets say what it still needs.
    pub closest: Option<(&'a Position, Eligibility)>,
    pub band: Band<'a>,
}

pub fn outcome<'a>(fw: &'a Framework, levels: &[(Slug, Level)]) -> Outcome<'a> {
    let miles = journey(levels.iter().map(|(s, l)| (s, *l)), &fw.organization.miles).total;
    let mut met = Vec::new();
    let mut closest: Option<(&Position, Eligibility, u32)> = None;
    for p in &fw.positions {
        let e = eligibility(fw, p, levels);
        if e.eligible {
            met.push(p);
            continue;
        }
        let Some(to_go) = e.levels_to_go(levels) else {
            continue;
        };
        let nearer = closest.as_ref().is_none_or(|(q, _, best)| {
            to_go < *best
                || (to_go == *best && level_order(p.level.as_str(), q.level.as_str()).is_lt())
        });
        if nearer {
            closest = Some((p, e, to_go));
        }
    }
    Outcome {
        miles,
        met,
        closest: closest.map(|(p, e, _)| (p, e)),
        band: band_of(&fw.positions, miles),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw() -> Framework {
        crate::file::parse(
            "format: cairn/1
organization: { slug: acme, name: Acme }
abilities:
  - { slug: code, name: Code, milestones: [{}, {}, {}, {}, {}] }
  - { slug: tests, name: Tests, milestones: [{}, {}, {}, {}, {}] }
  - { slug: talk, name: Talk, milestones: [{}, {}, {}, {}, {}] }
positions:
  - { slug: one, title: One, level: '1', requires: {} }
  - { slug: two, title: Two, level: '2', requires: { code: 2 } }
  - { slug: two-b, title: Two B, level: '2', requires: { tests: 2 } }
  - { slug: three, title: Three, level: '3', requires: { code: 3, tests: 2 }, miles: { at_least: 15 } }
",
        )
        .expect("framework")
    }

    fn l(n: i64) -> Level {
        Level::parse(n).expect("level")
    }

    fn s(x: &str) -> Slug {
        Slug::parse(x).expect("slug")
    }

    #[test]
    #[rustfmt::skip]
    fn links_keep_what_counts_and_name_what_does_not() {
        let fw = fw();
        let unknown = |x: &str| Ignored::UnknownAbility(x.into());
        let bad = |a: &str, x: &str| Ignored::BadLevel { ability: a.into(), level: x.into() };
        let cases: Vec<(&str, Vec<(&str, i64)>, Vec<Ignored>)> = vec![
            ("",                        vec![],                       vec![]),
            ("code:3",                  vec![("code", 3)],            vec![]),
            // Framework order, whatever the link's.
            ("talk:1,code:2",           vec![("code", 2), ("talk", 1)], vec![]),
            (" code:2 , ,tests:5,",     vec![("code", 2), ("tests", 5)], vec![]),
            ("nope:2,code:1",           vec![("code", 1)],            vec![unknown("nope")]),
            ("code:9",                  vec![],                       vec![bad("Code", "9")]),
            ("code:0",                  vec![],                       vec![bad("Code", "0")]),
            ("code:-1,code:x",          vec![],                       vec![bad("Code", "-1"), bad("Code", "x")]),
            ("code:2,code:4",           vec![("code", 2)],            vec![Ignored::Duplicate("Code".into())]),
            ("code",                    vec![],                       vec![Ignored::Malformed("code".into())]),
            ("\u{fffd}:1",              vec![],                       vec![unknown("\u{fffd}")]),
            ("Code:2",                  vec![],                       vec![unknown("Code")]),
        ];
        for (raw, want, ignored) in cases {
            let got = parse(raw, &fw);
            let want: Vec<(Slug, Level)> = want.iter().map(|(a, n)| (s(a), l(*n))).collect();
            assert_eq!(got.levels, want, "{raw:?}");
            assert_eq!(got.ignored, ignored, "{raw:?}");
        }
    }

    #[test]
    fn a_link_value_reads_back_as_the_same_choice() {
        let fw = fw();
        let levels = vec![(s("code"), l(3)), (s("talk"), l(1))];
        let value = link_value(&levels);
        assert_eq!(value, "code:3,talk:1");
        assert_eq!(parse(&value, &fw).levels, levels);
        assert_eq!(link_value(&[]), "");
    }

    #[test]
    fn a_long_link_is_noted_briefly() {
        let fw = fw();
        let raw = vec!["x:1"; 10_000].join(",");
        let got = parse(&raw, &fw);
        assert_eq!(got.ignored.len(), 10_000);
        let text = notice(&got.ignored).expect("notice");
        assert!(text.ends_with("; 9,995 more."), "{text}");
        assert!(text.len() < 400, "{text}");
        assert_eq!(notice(&[]), None);
        let long = "y".repeat(500);
        assert!(
            parse(&format!("{long}:1"), &fw).ignored[0]
                == Ignored::UnknownAbility(format!("{}…", "y".repeat(40)))
        );
    }

    #[test]
    #[rustfmt::skip]
    fn the_outcome_is_what_eligibility_says_position_by_position() {
        let fw = fw();
        // (choice, met, closest)
        let cases: Vec<(Vec<(&str, i64)>, Vec<&str>, Option<&str>)> = vec![
            (vec![],                                    vec!["one"],                 Some("two")),
            (vec![("tests", 2)],                        vec!["one", "two-b"],        Some("two")),
            (vec![("code", 2)],                         vec!["one", "two"],          Some("two-b")),
            (vec![("code", 3), ("tests", 2)],           vec!["one", "two", "two-b"], Some("three")),
            // Three's requirements, not yet its 15 miles.
            (vec![("code", 3), ("tests", 3)],           vec!["one", "two", "two-b"], Some("three")),
            (vec![("code", 3), ("tests", 3), ("talk", 2)], vec!["one", "two", "two-b", "three"], None),
        ];
        for (choice, met, closest) in cases {
            let levels: Vec<(Slug, Level)> = choice.iter().map(|(a, n)| (s(a), l(*n))).collect();
            let o = outcome(&fw, &levels);
            let got: Vec<&str> = o.met.iter().map(|p| p.slug.as_str()).collect();
            assert_eq!(got, met, "{choice:?}");
            assert_eq!(o.closest.as_ref().map(|(p, _)| p.slug.as_str()), closest, "{choice:?}");
            for p in &fw.positions {
                let e = eligibility(&fw, p, &levels);
                assert_eq!(o.met.contains(&p), e.eligible, "{choice:?} {}", p.slug);
                assert_eq!(o.miles, e.miles_earned, "{choice:?}");
            }
            if let Some((p, e)) = &o.closest {
                assert_eq!(*e, eligibility(&fw, p, &levels), "the gap sets are eligibility's");
            }
        }
    }

    #[test]
    fn starting_from_a_journey_keeps_each_abilitys_highest_milestone() {
        let fw = fw();
        let held = vec![(s("tests"), l(1)), (s("code"), l(2)), (s("tests"), l(3))];
        assert_eq!(
            from_held(&fw, &held),
            vec![(s("code"), l(2)), (s("tests"), l(3))]
        );
    }
}

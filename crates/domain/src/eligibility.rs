//! Is a member eligible for a position, and if not, what would make them?

use crate::framework::{Framework, Level, MilesScale, Position, Slug};
use crate::journey::{highest, journey};
use crate::requirement::{position_requirements, required_miles};

/// One required milestone, met or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementStatus {
    pub ability: Slug,
    pub required: Level,
    pub held: Option<Level>,
    /// Levels still to climb (0 when met).
    pub levels_missing: u8,
    /// Miles between what is held and what is required (0 when met).
    pub miles_short: u32,
}

impl RequirementStatus {
    pub fn met(&self) -> bool {
        self.levels_missing == 0
    }
}

/// A further milestone: an ability raised to a level.
pub type Step = (Slug, Level);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eligibility {
    pub requirements: Vec<RequirementStatus>,
    pub miles_earned: u32,
    pub miles_required: u32,
    pub eligible: bool,
    /// The smallest sets of further milestones (fewest levels climbed in
    /// all) that would make the member eligible; every tie, in a stable
    /// order, the first `MAX_LISTED` of them kept. Empty when eligible.
    pub gap_sets: Vec<Vec<Step>>,
    /// How many sets tie for smallest: all of them, counted up to
    /// `MAX_COUNTED` (the count stops there; `gap_sets_complete` says
    /// whether it did).
    pub gap_set_count: usize,
    pub gap_sets_complete: bool,
}

/// Sets kept for listing (pages show 20 at a time).
pub const MAX_LISTED: usize = 1_000;
/// Ties counted at most: the search stops there.
pub const MAX_COUNTED: usize = 100_000;

fn miles_of(levels: &[(Slug, Level)], scale: &MilesScale) -> u32 {
    journey(levels.iter().map(|(s, l)| (s, *l)), scale).total
}

/// `held`: milestones the member holds on active abilities (any order,
/// lower ones may be listed or not).
pub fn eligibility(fw: &Framework, position: &Position, held: &[(Slug, Level)]) -> Eligibility {
    let scale = &fw.organization.miles;
    let required = position_requirements(position, &fw.roles);
    let requirements: Vec<RequirementStatus> = required
        .iter()
        .map(|r| {
            let h = highest(held, &r.ability);
            let have = h.map_or(0, Level::get);
            RequirementStatus {
                ability: r.ability.clone(),
                required: r.level,
                held: h,
                levels_missing: r.level.get().saturating_sub(have),
                miles_short: scale
                    .miles(r.level)
                    .saturating_sub(h.map_or(0, |l| scale.miles(l))),
            }
        })
        .collect();
    let miles_earned = miles_of(held, scale);
    let miles_required = required_miles(position, &fw.roles, scale);
    let eligible =
        requirements.iter().all(RequirementStatus::met) && miles_earned >= miles_required;
    let gaps = if eligible {
        Gaps::default()
    } else {
        gap_sets(fw, &requirements, held, miles_required)
    };
    Eligibility {
        requirements,
        miles_earned,
        miles_required,
        eligible,
        gap_set_count: gaps.count,
        gap_sets_complete: gaps.count < MAX_COUNTED,
        gap_sets: gaps.kept,
    }
}

impl Eligibility {
    /// Further milestones (levels climbed, one ability at a time) in the
    /// smallest gap set: 0 when eligible; None when no set could be found.
    pub fn levels_to_go(&self, held: &[(Slug, Level)]) -> Option<u32> {
        if self.eligible {
            return Some(0);
        }
        self.gap_sets.first().map(|set| levels_climbed(set, held))
    }
}

/// Levels climbed to reach `set` from `held` (each step counts from the
/// highest milestone held of its ability).
pub fn levels_climbed(set: &[Step], held: &[(Slug, Level)]) -> u32 {
    set.iter()
        .map(|(s, l)| {
            u32::from(l.get()).saturating_sub(u32::from(highest(held, s).map_or(0, Level::get)))
        })
        .sum()
}

/// Positions in the order someone holding `current` looks at them: those
/// of the next level up first (the lowest level above theirs; several may
/// share it), then the levels beyond, then the rest in framework order.
/// Levels are compared as numbers part by part ("3.10" after "3.9"). With
/// no position held, the framework's order.
pub fn from_where_they_stand<'a>(
    positions: &'a [Position],
    current: Option<&Slug>,
) -> (Vec<&'a Position>, Vec<&'a Position>) {
    let Some(here) = current.and_then(|c| positions.iter().find(|p| &p.slug == c)) else {
        return (Vec::new(), positions.iter().collect());
    };
    let above: Vec<&Position> = positions
        .iter()
        .filter(|p| level_order(p.level.as_str(), here.level.as_str()).is_gt())
        .collect();
    let next_level = above
        .iter()
        .map(|p| p.level.as_str())
        .min_by(|a, b| level_order(a, b));
    let next: Vec<&Position> = above
        .iter()
        .copied()
        .filter(|p| Some(p.level.as_str()) == next_level)
        .collect();
    let mut rest: Vec<&Position> = above
        .iter()
        .copied()
        .filter(|p| Some(p.level.as_str()) != next_level)
        .collect();
    rest.sort_by(|a, b| level_order(a.level.as_str(), b.level.as_str()));
    rest.extend(
        positions
            .iter()
            .filter(|p| !level_order(p.level.as_str(), here.level.as_str()).is_gt()),
    );
    (next, rest)
}

/// Free-form levels ("2", "3.1", "IC4") compared part by part: runs of
/// digits as numbers, anything else as text.
pub fn level_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(s: &str) -> Vec<Result<u64, String>> {
        let mut out = Vec::new();
        let mut digits = String::new();
        let mut text = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                if !text.is_empty() {
                    out.push(Err(std::mem::take(&mut text)));
                }
                digits.push(c);
            } else {
                if !digits.is_empty() {
                    out.push(Ok(digits.parse().unwrap_or(u64::MAX)));
                    digits.clear();
                }
                if c.is_alphanumeric() {
                    text.push(c.to_ascii_lowercase());
                }
            }
        }
        if !digits.is_empty() {
            out.push(Ok(digits.parse().unwrap_or(u64::MAX)));
        }
        if !text.is_empty() {
            out.push(Err(text));
        }
        out
    }
    parts(a).cmp(&parts(b))
}

#[derive(Default)]
struct Gaps {
    kept: Vec<Vec<Step>>,
    count: usize,
}

/// Ties found by `search`: the first `MAX_LISTED` kept, all counted.
#[derive(Default)]
struct Found {
    kept: Vec<Vec<(usize, u8)>>,
    count: usize,
}

/// Missing requirements are in every set; beyond them, the fewest further
/// levels that bring the miles up, every tie counted.
fn gap_sets(
    fw: &Framework,
    reqs: &[RequirementStatus],
    held: &[(Slug, Level)],
    miles_required: u32,
) -> Gaps {
    let scale = &fw.organization.miles;
    // Levels after meeting every requirement.
    let base: Vec<(Slug, u8)> = fw
        .abilities
        .iter()
        .map(|a| {
            let have = highest(held, &a.slug).map_or(0, Level::get);
            let need = reqs
                .iter()
                .find(|r| r.ability == a.slug)
                .map_or(0, |r| r.required.get());
            (a.slug.clone(), have.max(need))
        })
        .collect();
    let value = |l: u8| {
        if l == 0 {
            0
        } else {
            scale.values()[usize::from(l) - 1]
        }
    };
    let base_miles: u32 = base.iter().map(|(_, l)| value(*l)).sum();
    let mut mandatory: Vec<Step> = reqs
        .iter()
        .filter(|r| !r.met())
        .map(|r| (r.ability.clone(), r.required))
        .collect();
    mandatory.sort();
    if base_miles >= miles_required {
        return Gaps {
            kept: vec![mandatory],
            count: 1,
        };
    }
    let short = miles_required - base_miles;
    // Fewest extra levels: try budgets 1, 2, … until some choice covers it.
    let max_budget: u32 = base.iter().map(|(_, l)| u32::from(5 - l)).sum();
    for budget in 1..=max_budget {
        let mut found = Found::default();
        search(&base, &value, 0, budget, short, &mut Vec::new(), &mut found);
        if found.count > 0 {
            let kept = found
                .kept
                .into_iter()
                .map(|extra| {
                    let mut set = mandatory.clone();
                    for (i, to) in extra {
                        let slug = base[i].0.clone();
                        set.retain(|(s, _)| *s != slug);
                        if let Ok(level) = Level::parse(i64::from(to)) {
                            set.push((slug, level));
                        }
                    }
                    set.sort();
                    set
                })
                .collect();
            return Gaps {
                kept,
                count: found.count,
            };
        }
    }
    Gaps::default()
}

/// Exactly `budget` more levels spread over abilities from `from`, gaining
/// at least `short` miles. Counts every choice (up to MAX_COUNTED) and
/// keeps the first MAX_LISTED.
fn search(
    base: &[(Slug, u8)],
    value: &dyn Fn(u8) -> u32,
    from: usize,
    budget: u32,
    short: u32,
    chosen: &mut Vec<(usize, u8)>,
    found: &mut Found,
) {
    if found.count >= MAX_COUNTED {
        return;
    }
    if budget == 0 {
        let gain: u32 = chosen
            .iter()
            .map(|(i, to)| value(*to) - value(base[*i].1))
            .sum();
        if gain >= short {
            found.count += 1;
            if found.kept.len() < MAX_LISTED {
                found.kept.push(chosen.clone());
            }
        }
        return;
    }
    for i in from..base.len() {
        let now = base[i].1;
        for extra in 1..=u32::from(5 - now).min(budget) {
            chosen.push((i, now + extra as u8));
            search(base, value, i + 1, budget - extra, short, chosen, found);
            chosen.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file;

    fn fw(extra: &str) -> Framework {
        let text = format!(
            "format: cairn/1
organization: {{ slug: acme, name: Acme }}
abilities:
  - {{ slug: a, name: A, milestones: [{{}}, {{}}, {{}}, {{}}, {{}}] }}
  - {{ slug: b, name: B, milestones: [{{}}, {{}}, {{}}, {{}}, {{}}] }}
  - {{ slug: c, name: C, milestones: [{{}}, {{}}, {{}}, {{}}, {{}}] }}
roles:
  - {{ slug: r, name: R, requires: {{ a: 2 }} }}
positions:
{extra}"
        );
        file::parse(&text).expect("framework")
    }

    fn held(list: &[(&str, i64)]) -> Vec<(Slug, Level)> {
        list.iter()
            .map(|(s, l)| {
                (
                    Slug::parse(s).expect("slug"),
                    Level::parse(*l).expect("level"),
                )
            })
            .collect()
    }

    fn sets(e: &Eligibility) -> Vec<String> {
        e.gap_sets
            .iter()
            .map(|s| {
                s.iter()
                    .map(|(a, l)| format!("{a}{l}"))
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect()
    }

    #[test]
    fn eligibility_cases() {
        // p: requires a2 (through role r) and b1 directly; miles: required (3 + 1 = 4).
        // q: same, but at least 10 miles.
        let f = fw("  - { slug: p, title: P, level: '1', roles: { required: [r] }, requires: { b: 1 } }
  - { slug: q, title: Q, level: '2', roles: { required: [r] }, requires: { b: 1 }, miles: { at_least: 10 } }
");
        let p = &f.positions[0];
        let q = &f.positions[1];
        type Case<'a> = (
            &'a str,
            &'a Position,
            Vec<(Slug, Level)>,
            bool,
            u32,
            u32,
            Vec<&'a str>,
        );
        let cases: Vec<Case> = vec![
            (
                "nothing held: every requirement is the gap",
                p,
                held(&[]),
                false,
                0,
                4,
                vec!["a2+b1"],
            ),
            (
                "one level short on a",
                p,
                held(&[("a", 1), ("b", 1)]),
                false,
                2,
                4,
                vec!["a2"],
            ),
            (
                "all met",
                p,
                held(&[("a", 2), ("b", 1)]),
                true,
                4,
                4,
                vec![],
            ),
            (
                "above the requirements",
                p,
                held(&[("a", 5), ("b", 3)]),
                true,
                26,
                4,
                vec![],
            ),
            // q: a2 + b1 give 4 miles, 6 short. One more level gives at
            // most +3 (a3); two levels: a4 gives +9, the only pair that
            // reaches 6 (a3+b2 gives +5, c2 +3, b3 +5).
            (
                "miles short: fewest extra levels",
                q,
                held(&[("a", 2), ("b", 1)]),
                false,
                4,
                10,
                vec!["a4"],
            ),
            (
                "well above both",
                q,
                held(&[("a", 4), ("b", 4)]),
                true,
                24,
                10,
                vec![],
            ),
        ];
        for (name, pos, h, eligible, earned, required, expected) in cases {
            let e = eligibility(&f, pos, &h);
            assert_eq!(
                (e.eligible, e.miles_earned, e.miles_required),
                (eligible, earned, required),
                "{name}"
            );
            assert_eq!(sets(&e), expected, "{name}");
        }
    }

    #[test]
    fn requirement_statuses_say_by_how_much() {
        let f = fw("  - { slug: p, title: P, level: '1', requires: { a: 4, b: 1 } }\n");
        let e = eligibility(&f, &f.positions[0], &held(&[("a", 2)]));
        let lines: Vec<(String, Option<u8>, u8, u32)> = e
            .requirements
            .iter()
            .map(|r| {
                (
                    r.ability.to_string(),
                    r.held.map(Level::get),
                    r.levels_missing,
                    r.miles_short,
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![("a".into(), Some(2), 2, 9), ("b".into(), None, 1, 1)]
        );
    }

    #[test]
    fn tied_gap_sets_are_all_listed() {
        // Needs 3 more miles than its requirement (none): any one ability
        // to M2 (+3) works, so three one-ability sets of two levels tie.
        let f = fw("  - { slug: p, title: P, level: '1', miles: { at_least: 3 } }\n");
        let e = eligibility(&f, &f.positions[0], &held(&[]));
        assert_eq!(sets(&e), vec!["a2", "b2", "c2"]);
        assert_eq!((e.gap_set_count, e.gap_sets_complete), (3, true));
    }

    #[test]
    fn more_than_five_ties_are_all_counted_and_listed() {
        // Twelve abilities, 1 mile short: any one of them to M1 ties.
        let abilities: String = (0..12)
            .map(|i| format!("  - {{ slug: x{i:02}, name: X{i}, milestones: [{{}}, {{}}, {{}}, {{}}, {{}}] }}\n"))
            .collect();
        let text = format!(
            "format: cairn/1\norganization: {{ slug: acme, name: Acme }}\nabilities:\n{abilities}positions:\n  - {{ slug: p, title: P, level: '1', miles: {{ at_least: 1 }} }}\n"
        );
        let f = file::parse(&text).expect("framework");
        let e = eligibility(&f, &f.positions[0], &[]);
        assert_eq!(e.gap_set_count, 12);
        assert_eq!(e.gap_sets.len(), 12, "every tie is listed, not five");
        assert!(e.gap_sets_complete);
        // 4 miles: no one or two levels reach it (M2 is 3, two M1s 2), so
        // three levels: any ability to M3 (12), or one to M2 and another
        // to M1 (12 × 11).
        let text = text.replace("at_least: 1", "at_least: 4");
        let f = file::parse(&text).expect("framework");
        let e = eligibility(&f, &f.positions[0], &[]);
        assert_eq!(e.gap_set_count, 12 + 12 * 11);
        assert_eq!(e.gap_sets.len(), 144);
    }

    #[test]
    fn levels_compare_as_numbers_part_by_part() {
        use std::cmp::Ordering::*;
        #[rustfmt::skip]
        let cases = [
            ("1", "2", Less), ("10", "9", Greater), ("3.1", "3", Greater), ("3.10", "3.9", Greater),
            ("3.1", "3.1", Equal), ("IC4", "IC3", Greater), ("ic4", "IC4", Equal), ("2", "2a", Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(level_order(a, b), expected, "{a} vs {b}");
        }
    }

    #[test]
    fn the_next_level_comes_first() {
        let f = fw("  - { slug: e1, title: E1, level: '1' }
  - { slug: e2, title: E2, level: '2' }
  - { slug: m2, title: M2, level: '2' }
  - { slug: e3, title: E3, level: '3' }
  - { slug: e10, title: E10, level: '10' }
");
        let slugs = |v: &[&Position]| {
            v.iter()
                .map(|p| p.slug.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        let at = |s: Option<&str>| {
            let s = s.map(|s| Slug::parse(s).expect("slug"));
            let (next, rest) = from_where_they_stand(&f.positions, s.as_ref());
            (slugs(&next), slugs(&rest))
        };
        type Case<'a> = (Option<&'a str>, &'a [&'a str], &'a [&'a str]);
        let cases: &[Case] = &[
            (None, &[], &["e1", "e2", "m2", "e3", "e10"]),
            (Some("e1"), &["e2", "m2"], &["e3", "e10", "e1"]),
            (Some("m2"), &["e3"], &["e10", "e1", "e2", "m2"]),
            (Some("e10"), &[], &["e1", "e2", "m2", "e3", "e10"]),
            (Some("gone"), &[], &["e1", "e2", "m2", "e3", "e10"]),
        ];
        for (current, next, rest) in cases {
            assert_eq!(
                at(*current),
                (
                    next.iter().map(|s| (*s).to_owned()).collect(),
                    rest.iter().map(|s| (*s).to_owned()).collect()
                ),
                "{current:?}"
            );
        }
        // Levels to go: the smallest gap set's climb.
        let p = f
            .positions
            .iter()
            .find(|p| p.slug.as_str() == "e1")
            .expect("e1");
        let h = held(&[]);
        assert_eq!(eligibility(&f, p, &h).levels_to_go(&h), Some(0));
    }

    #[test]
    fn levels_to_go_count_every_level_of_the_smallest_set() {
        let f = fw(
            "  - { slug: q, title: Q, level: '1', roles: { required: [r] }, requires: { b: 1 } }\n",
        );
        let q = &f.positions[0];
        #[rustfmt::skip]
        let cases: &[(&[(&str, i64)], Option<u32>)] = &[
            (&[],                 Some(3)), // a 0 -> 2, b 0 -> 1
            (&[("a", 1)],         Some(2)),
            (&[("a", 2)],         Some(1)),
            (&[("a", 3), ("b", 1)], Some(0)),
        ];
        for (have, expected) in cases {
            let h = held(have);
            assert_eq!(
                eligibility(&f, q, &h).levels_to_go(&h),
                *expected,
                "{have:?}"
            );
        }
    }
}

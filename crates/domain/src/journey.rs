//! Miles: what the milestones a member holds add up to.

use std::collections::BTreeMap;

use crate::framework::{Level, MilesScale, Position, Slug};

/// One ability's contribution to a journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbilityMiles {
    pub ability: Slug,
    /// The highest milestone held.
    pub level: Level,
    pub miles: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Journey {
    pub total: u32,
    /// One entry per ability held, ordered by ability slug.
    pub abilities: Vec<AbilityMiles>,
}

/// The highest milestone held of `ability`, from every level held (any
/// order; lower ones may be listed or not): the one place that reads it.
pub fn highest(held: &[(Slug, Level)], ability: &Slug) -> Option<Level> {
    held.iter()
        .filter(|(s, _)| s == ability)
        .map(|(_, l)| *l)
        .max()
}

/// Sum over abilities of the scale value of the highest milestone held.
/// Holding N implies 1..N-1, so lower milestones of the same ability add
/// nothing: the scale values are already cumulative.
pub fn journey<'a>(
    held: impl IntoIterator<Item = (&'a Slug, Level)>,
    scale: &MilesScale,
) -> Journey {
    let mut highest: BTreeMap<&Slug, Level> = BTreeMap::new();
    for (ability, level) in held {
        let entry = highest.entry(ability).or_insert(level);
        *entry = (*entry).max(level);
    }
    let abilities: Vec<AbilityMiles> = highest
        .into_iter()
        .map(|(ability, level)| AbilityMiles {
            ability: ability.clone(),
            level,
            miles: scale.miles(level),
        })
        .collect();
    Journey {
        total: abilities.iter().map(|a| a.miles).sum(),
        abilities,
    }
}

/// Where a total of miles falls among the positions' miles bands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Band<'a> {
    /// No position has a band: nothing to say.
    None,
    /// Inside `[at_least, below)`, the band these positions share
    /// (several titles may share one, as in Snowflake).
    In {
        positions: Vec<&'a Position>,
        at_least: u32,
        below: u32,
    },
    /// Below every band; the lowest starts here.
    BelowAll(u32),
    /// Past the highest band, which ends here.
    Beyond(u32),
    /// Between bands: the next starts here.
    Between(u32),
}

/// The band `total` falls in, among `positions`.
pub fn band_of(positions: &[Position], total: u32) -> Band<'_> {
    let bands: Vec<(&Position, u32, u32)> = positions
        .iter()
        .filter_map(|p| p.miles.band().map(|(lo, hi)| (p, lo, hi)))
        .collect();
    if bands.is_empty() {
        return Band::None;
    }
    let inside: Vec<&(&Position, u32, u32)> = bands
        .iter()
        .filter(|(_, lo, hi)| (*lo..*hi).contains(&total))
        .collect();
    if let Some((_, lo, hi)) = inside.first() {
        // Of overlapping bands, the one that starts highest: the title
        // furthest along.
        let lo = inside.iter().map(|(_, l, _)| *l).max().unwrap_or(*lo);
        let hi = inside
            .iter()
            .filter(|(_, l, _)| *l == lo)
            .map(|(_, _, h)| *h)
            .min()
            .unwrap_or(*hi);
        return Band::In {
            positions: inside
                .iter()
                .filter(|(_, l, h)| *l == lo && *h == hi)
                .map(|(p, _, _)| *p)
                .collect(),
            at_least: lo,
            below: hi,
        };
    }
    let lowest = bands.iter().map(|(_, lo, _)| *lo).min().unwrap_or(0);
    let highest = bands.iter().map(|(_, _, hi)| *hi).max().unwrap_or(0);
    if total < lowest {
        Band::BelowAll(lowest)
    } else if total >= highest {
        Band::Beyond(highest)
    } else {
        Band::Between(
            bands
                .iter()
                .map(|(_, lo, _)| *lo)
                .filter(|lo| *lo > total)
                .min()
                .unwrap_or(highest),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn miles_are_the_scale_value_of_the_highest_milestone_per_ability() {
        let default = MilesScale::default();
        let custom = MilesScale::parse(&[2, 4, 8, 16, 32]).expect("scale");
        type Case<'a> = (&'a str, &'a [(&'a str, i64)], &'a MilesScale, u32);
        let cases: &[Case] = &[
            ("nothing held", &[], &default, 0),
            ("M1 adds 1", &[("a", 1)], &default, 1),
            ("M3 adds 6, not 1+3+6", &[("a", 3)], &default, 6),
            ("M5 adds 20", &[("a", 5)], &default, 20),
            (
                "lower awards of the same ability add nothing",
                &[("a", 1), ("a", 2), ("a", 3)],
                &default,
                6,
            ),
            ("order does not matter", &[("a", 4), ("a", 2)], &default, 12),
            (
                "abilities add up",
                &[("a", 2), ("b", 3), ("c", 5)],
                &default,
                29,
            ),
            (
                "the organization's scale is used",
                &[("a", 2), ("b", 5)],
                &custom,
                36,
            ),
        ];
        for (name, held, scale, expected) in cases {
            let slugs: Vec<(Slug, Level)> = held
                .iter()
                .map(|(a, l)| {
                    (
                        Slug::parse(a).expect("slug"),
                        Level::parse(*l).expect("level"),
                    )
                })
                .collect();
            let j = journey(slugs.iter().map(|(s, l)| (s, *l)), scale);
            assert_eq!(j.total, *expected, "{name}");
            assert_eq!(
                j.total,
                j.abilities.iter().map(|a| a.miles).sum::<u32>(),
                "{name}"
            );
        }
    }

    #[test]
    fn breakdown_keeps_the_highest_level() {
        let a = Slug::parse("a").expect("slug");
        let l = |n| Level::parse(n).expect("level");
        let j = journey([(&a, l(2)), (&a, l(4)), (&a, l(1))], &MilesScale::default());
        assert_eq!(
            j.abilities,
            vec![AbilityMiles {
                ability: a.clone(),
                level: l(4),
                miles: 12
            }]
        );
    }

    /// Snowflake's way: titles by points alone, several sharing a band.
    const SNOWFLAKE: &str = "format: cairn/1
organization: { slug: snow, name: Snow }
abilities:
  - { slug: a, name: A, milestones: [{}, {}, {}, {}, {}] }
  - { slug: b, name: B, milestones: [{}, {}, {}, {}, {}] }
  - { slug: c, name: C, milestones: [{}, {}, {}, {}, {}] }
  - { slug: d, name: D, milestones: [{}, {}, {}, {}, {}] }
  - { slug: e, name: E, milestones: [{}, {}, {}, {}, {}] }
positions:
  - { slug: eng-1, title: Engineer I, level: '1', miles: { below: 17 } }
  - { slug: eng-2, title: Engineer II, level: '2', miles: { at_least: 17, below: 36 } }
  - { slug: senior, title: Senior Engineer, level: '3', miles: { at_least: 36, below: 58 } }
  - { slug: senior-em, title: Senior Manager, level: '3', miles: { at_least: 36, below: 58 } }
  - { slug: staff, title: Staff Engineer, level: '4', miles: { at_least: 58, below: 90 } }
";

    #[test]
    fn a_miles_only_framework_round_trips_and_places_each_total_in_its_band() {
        let fw = crate::file::parse(SNOWFLAKE).expect("parses");
        let written = crate::file::write(&fw, crate::file::Format::Yaml).expect("writes");
        assert!(
            written.contains("at_least: 36") && written.contains("below: 58"),
            "{written}"
        );
        let again = crate::file::parse(&written).expect("written file parses");
        assert_eq!(again, fw, "round trip");
        assert_eq!(
            fw.positions[2].miles,
            crate::MilesRule::Band {
                at_least: 36,
                below: 58
            }
        );
        type Case<'a> = (u32, &'a str);
        let cases: &[Case] = &[
            (0, "in Engineer I 0-17"),
            (16, "in Engineer I 0-17"),
            (17, "in Engineer II 17-36"),
            (48, "in Senior Engineer, Senior Manager 36-58"),
            (57, "in Senior Engineer, Senior Manager 36-58"),
            (58, "in Staff Engineer 58-90"),
            (90, "beyond 90"),
        ];
        for (total, expected) in cases {
            let got = match band_of(&fw.positions, *total) {
                Band::In {
                    positions,
                    at_least,
                    below,
                } => format!(
                    "in {} {at_least}-{below}",
                    positions
                        .iter()
                        .map(|p| p.title.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Band::Beyond(n) => format!("beyond {n}"),
                other => format!("{other:?}"),
            };
            assert_eq!(got, *expected, "{total} miles");
        }
        // A member at 48 miles: M5 + M4 + M4 + M2 + M1 = 20 + 12 + 12 + 3 + 1.
        let held: Vec<(Slug, Level)> = [("a", 5), ("b", 4), ("c", 4), ("d", 2), ("e", 1)]
            .iter()
            .map(|(s, n)| {
                (
                    Slug::parse(s).expect("slug"),
                    Level::parse(*n).expect("level"),
                )
            })
            .collect();
        let total = journey(held.iter().map(|(s, l)| (s, *l)), &fw.organization.miles).total;
        assert_eq!(total, 48);
        let eligible: Vec<&str> = fw
            .positions
            .iter()
            .filter(|p| crate::eligibility::eligibility(&fw, p, &held).eligible)
            .map(|p| p.slug.as_str())
            .collect();
        // 48 miles meet the floors up to Senior, not Staff's 58; the band
        // says they are a Senior Engineer (or Manager).
        assert_eq!(eligible, ["eng-1", "eng-2", "senior", "senior-em"]);
        assert!(matches!(
            band_of(&fw.positions, total),
            Band::In { at_least: 36, .. }
        ));
    }

    #[test]
    fn between_below_and_without_bands() {
        let fw = crate::file::parse(
            "format: cairn/1
organization: { slug: snow, name: Snow }
abilities:
  - { slug: a, name: A, milestones: [{}, {}, {}, {}, {}] }
positions:
  - { slug: p, title: P, level: '1', miles: { at_least: 10, below: 20 } }
  - { slug: q, title: Q, level: '2', miles: { at_least: 30, below: 40 } }
  - { slug: r, title: R, level: '3', miles: { at_least: 5 } }
",
        )
        .expect("parses");
        assert_eq!(band_of(&fw.positions, 3), Band::BelowAll(10));
        assert_eq!(band_of(&fw.positions, 25), Band::Between(30));
        assert_eq!(band_of(&fw.positions, 45), Band::Beyond(40));
        assert_eq!(band_of(&fw.positions[2..], 45), Band::None);
    }
}

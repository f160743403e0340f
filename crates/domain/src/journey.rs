//! Miles: what the milestones a member holds add up to.

use std::collections::BTreeMap;

use crate::framework::{Level, MilesScale, Slug};

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
}

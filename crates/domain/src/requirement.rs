//! What a position asks of the person who holds it: its own requirements
//! merged with those of its required roles, and the miles that adds up to.

use crate::framework::{Level, MilesRule, MilesScale, Position, Requirement, Role, Slug};

/// A position's required milestones: its own `requires` merged with those of
/// its required roles, keeping the highest level per ability. Order: the
/// position's own first, then each required role's, first mention wins the
/// slot. Roles not found in `roles` contribute nothing.
pub fn position_requirements(position: &Position, roles: &[Role]) -> Vec<Requirement> {
    let from_roles = position
        .required_roles
        .iter()
        .filter_map(|slug| roles.iter().find(|r| &r.slug == slug))
        .flat_map(|role| role.requires.iter());
    let mut merged: Vec<Requirement> = Vec::new();
    for req in position.requires.iter().chain(from_roles) {
        match merged.iter_mut().find(|m| m.ability == req.ability) {
            Some(m) => m.level = m.level.max(req.level),
            None => merged.push(req.clone()),
        }
    }
    merged
}

/// The miles a set of requirements is worth on a scale.
pub fn requirements_miles(requirements: &[Requirement], scale: &MilesScale) -> u32 {
    requirements.iter().map(|r| scale.miles(r.level)).sum()
}

/// The miles a position asks for: its required milestones' miles, adjusted
/// by its rule (`over_required_percent` rounds up; `at_least` replaces).
pub fn required_miles(position: &Position, roles: &[Role], scale: &MilesScale) -> u32 {
    let base = requirements_miles(&position_requirements(position, roles), scale);
    match position.miles {
        MilesRule::Required => base,
        MilesRule::OverRequiredPercent(pct) => {
            let scaled = u64::from(base) * (100 + u64::from(pct));
            u32::try_from(scaled.div_ceil(100)).unwrap_or(u32::MAX)
        }
        MilesRule::AtLeast(n) | MilesRule::Band { at_least: n, .. } => n,
    }
}

/// The level a position requires of one ability, if any.
pub fn required_level(position: &Position, roles: &[Role], ability: &Slug) -> Option<Level> {
    position_requirements(position, roles)
        .into_iter()
        .find(|r| &r.ability == ability)
        .map(|r| r.level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Markdown, Name};

    fn slug(s: &str) -> Slug {
        Slug::parse(s).expect("test slug")
    }

    fn reqs(pairs: &[(&str, i64)]) -> Vec<Requirement> {
        pairs
            .iter()
            .map(|(a, l)| Requirement {
                ability: slug(a),
                level: Level::parse(*l).expect("test level"),
            })
            .collect()
    }

    fn role(s: &str, requires: &[(&str, i64)]) -> Role {
        let name = Name::parse(s, "name").expect("test name");
        Role {
            slug: slug(s),
            plural: Role::default_plural(&name),
            name,
            description: Markdown::default(),
            requires: reqs(requires),
        }
    }

    fn position(roles: &[&str], requires: &[(&str, i64)], miles: MilesRule) -> Position {
        Position {
            slug: slug("p"),
            title: Name::parse("P", "title").expect("test title"),
            plural: Name::parse("Ps", "plural").expect("test plural"),
            level: Name::parse("1", "level").expect("test level"),
            description: Markdown::default(),
            required_roles: roles.iter().map(|r| slug(r)).collect(),
            suggested_roles: vec![],
            requires: reqs(requires),
            miles,
        }
    }

    #[test]
    fn derived_requirements_take_the_highest_level_per_ability() {
        let roles = [
            role("ops", &[("incident", 1), ("infra", 2)]),
            role("lead", &[("incident", 3), ("mentoring", 2)]),
        ];
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            &'a [(&'a str, i64)],
            &'a [(&'a str, i64)],
        );
        let cases: &[Case] = &[
            (
                "own requirements only",
                &[],
                &[("incident", 2)],
                &[("incident", 2)],
            ),
            (
                "one role, nothing of its own",
                &["ops"],
                &[],
                &[("incident", 1), ("infra", 2)],
            ),
            (
                "own level above the role's wins",
                &["ops"],
                &[("incident", 4)],
                &[("incident", 4), ("infra", 2)],
            ),
            (
                "role level above own wins",
                &["lead"],
                &[("incident", 2)],
                &[("incident", 3), ("mentoring", 2)],
            ),
            (
                "two roles on one ability: highest",
                &["ops", "lead"],
                &[],
                &[("incident", 3), ("infra", 2), ("mentoring", 2)],
            ),
            (
                "unknown role contributes nothing",
                &["ghost"],
                &[("infra", 1)],
                &[("infra", 1)],
            ),
            ("nothing required", &[], &[], &[]),
        ];
        for (name, role_slugs, own, expected) in cases {
            let p = position(role_slugs, own, MilesRule::Required);
            assert_eq!(position_requirements(&p, &roles), reqs(expected), "{name}");
        }
    }

    #[test]
    fn required_miles_follow_the_rule() {
        let roles = [role("ops", &[("incident", 1), ("infra", 2)])];
        let default = MilesScale::default();
        let steep = MilesScale::parse(&[2, 5, 9, 14, 30]).expect("scale");
        type Case<'a> = (
            &'a str,
            &'a [(&'a str, i64)],
            MilesRule,
            &'a MilesScale,
            u32,
        );
        let cases: &[Case] = &[
            // ops: M1 (1) + M2 (3) = 4; own M3 on incident replaces M1: 6 + 3 = 9
            (
                "required milestones summed",
                &[],
                MilesRule::Required,
                &default,
                4,
            ),
            (
                "own level replaces role level",
                &[("incident", 3)],
                MilesRule::Required,
                &default,
                9,
            ),
            ("another scale", &[], MilesRule::Required, &steep, 7),
            (
                "20% over 4 rounds up to 5",
                &[],
                MilesRule::OverRequiredPercent(20),
                &default,
                5,
            ),
            (
                "25% over 4 is exactly 5",
                &[],
                MilesRule::OverRequiredPercent(25),
                &default,
                5,
            ),
            (
                "0% over is the required sum",
                &[],
                MilesRule::OverRequiredPercent(0),
                &default,
                4,
            ),
            (
                "100% over doubles",
                &[("x", 5)],
                MilesRule::OverRequiredPercent(100),
                &default,
                48,
            ),
            (
                "at least sets the number",
                &[],
                MilesRule::AtLeast(40),
                &default,
                40,
            ),
            ("at least zero", &[], MilesRule::AtLeast(0), &default, 0),
        ];
        for (name, own, rule, scale, expected) in cases {
            let p = position(&["ops"], own, *rule);
            assert_eq!(required_miles(&p, &roles, scale), *expected, "{name}");
        }
    }

    #[test]
    fn required_level_of_one_ability() {
        let roles = [role("ops", &[("incident", 1)])];
        let p = position(&["ops"], &[("infra", 4)], MilesRule::Required);
        assert_eq!(
            required_level(&p, &roles, &slug("incident")),
            Level::parse(1).ok()
        );
        assert_eq!(
            required_level(&p, &roles, &slug("infra")),
            Level::parse(4).ok()
        );
        assert_eq!(required_level(&p, &roles, &slug("other")), None);
    }
}

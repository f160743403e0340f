//! The semantic difference between two versions of a framework: what
//! changed, item by item, in the words people use (an ability added, a
//! milestone's examples changed, a requirement raised), each marked as
//! *raising the bar* (someone may now need more to hold what they hold or
//! to reach what they aim for) or *editorial*. One function, [`diff`],
//! serves the changes pages, the API, release notes and `cairn diff`.

use crate::framework::{Ability, Framework, MilesRule, MilesScale, Position, Requirement, Role};
use crate::{Level, Name, Slug};

/// Whether a change can ask more of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weight {
    Editorial,
    RaisesTheBar,
}

/// What requires: a role or a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Role(Slug),
    Position(Slug),
}

/// One word of a word-level difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    Same(String),
    Added(String),
    Removed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    AbilityAdded {
        ability: Slug,
        name: Name,
    },
    AbilityArchived {
        ability: Slug,
        name: Name,
    },
    AbilityRenamed {
        ability: Slug,
        from: Name,
        to: Name,
    },
    AbilityMoved {
        ability: Slug,
        from: Option<Name>,
        to: Option<Name>,
    },
    AbilityDescriptionChanged {
        ability: Slug,
    },
    MilestoneSummaryChanged {
        ability: Slug,
        level: Level,
        words: Vec<Word>,
    },
    ExampleAdded {
        ability: Slug,
        level: Level,
        example: String,
    },
    ExampleRemoved {
        ability: Slug,
        level: Level,
        example: String,
    },
    RoleAdded {
        role: Slug,
        name: Name,
    },
    RoleArchived {
        role: Slug,
        name: Name,
    },
    RoleRenamed {
        role: Slug,
        from: Name,
        to: Name,
    },
    PositionAdded {
        position: Slug,
        title: Name,
    },
    PositionArchived {
        position: Slug,
        title: Name,
    },
    PositionRenamed {
        position: Slug,
        from: Name,
        to: Name,
    },
    DescriptionChanged {
        holder: Holder,
    },
    RequirementAdded {
        holder: Holder,
        ability: Slug,
        level: Level,
    },
    RequirementRemoved {
        holder: Holder,
        ability: Slug,
        level: Level,
    },
    RequirementRaised {
        holder: Holder,
        ability: Slug,
        from: Level,
        to: Level,
    },
    RequirementLowered {
        holder: Holder,
        ability: Slug,
        from: Level,
        to: Level,
    },
    RequiredRoleAdded {
        position: Slug,
        role: Slug,
    },
    RequiredRoleRemoved {
        position: Slug,
        role: Slug,
    },
    PositionMilesChanged {
        position: Slug,
        from: MilesRule,
        to: MilesRule,
    },
    ScaleChanged {
        from: MilesScale,
        to: MilesScale,
    },
    LicenceChanged {
        from: crate::licence::Licence,
        to: crate::licence::Licence,
    },
}

impl Change {
    /// Raising the bar: a requirement added or raised, a required role
    /// added, an example removed from a milestone (what holding it meant
    /// is narrower, and people may hold it), more miles asked of a
    /// position, or the miles scale changed (every total moves).
    pub fn weight(&self) -> Weight {
        use Change::*;
        match self {
            RequirementAdded { .. }
            | RequirementRaised { .. }
            | RequiredRoleAdded { .. }
            | ExampleRemoved { .. }
            | ScaleChanged { .. } => Weight::RaisesTheBar,
            PositionMilesChanged { from, to, .. } if floor(to) > floor(from) => {
                Weight::RaisesTheBar
            }
            PositionMilesChanged { from, to, .. } if floor(to) == floor(from) && from != to => {
                // Same floor, another kind of rule (a percentage over what
                // is required now, say): it may ask more, so say so.
                Weight::RaisesTheBar
            }
            _ => Weight::Editorial,
        }
    }

    /// A name for the kind of change, for the API.
    pub fn kind(&self) -> &'static str {
        use Change::*;
        match self {
            AbilityAdded { .. } => "ability_added",
            AbilityArchived { .. } => "ability_archived",
            AbilityRenamed { .. } => "ability_renamed",
            AbilityMoved { .. } => "ability_moved",
            AbilityDescriptionChanged { .. } | DescriptionChanged { .. } => "description_changed",
            MilestoneSummaryChanged { .. } => "milestone_summary_changed",
            ExampleAdded { .. } => "example_added",
            ExampleRemoved { .. } => "example_removed",
            RoleAdded { .. } => "role_added",
            RoleArchived { .. } => "role_archived",
            RoleRenamed { .. } => "role_renamed",
            PositionAdded { .. } => "position_added",
            PositionArchived { .. } => "position_archived",
            PositionRenamed { .. } => "position_renamed",
            RequirementAdded { .. } => "requirement_added",
            RequirementRemoved { .. } => "requirement_removed",
            RequirementRaised { .. } => "requirement_raised",
            RequirementLowered { .. } => "requirement_lowered",
            RequiredRoleAdded { .. } => "required_role_added",
            RequiredRoleRemoved { .. } => "required_role_removed",
            PositionMilesChanged { .. } => "position_miles_changed",
            ScaleChanged { .. } => "scale_changed",
            LicenceChanged { .. } => "licence_changed",
        }
    }

    /// The sentence for the change, for pages, notes and `cairn diff`.
    pub fn describe(&self) -> String {
        use Change::*;
        let holder = |h: &Holder| match h {
            Holder::Role(s) => format!("role {s}"),
            Holder::Position(s) => format!("position {s}"),
        };
        match self {
            AbilityAdded { ability, name } => format!("ability {ability} added: {name}"),
            AbilityArchived { ability, name } => format!("ability {ability} archived: {name}"),
            AbilityRenamed { ability, from, to } => {
                format!(
                    "ability {ability} renamed from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}"
                )
            }
            AbilityMoved { ability, from, to } => format!(
                "ability {ability} moved from {} to {}",
                category(from.as_ref()),
                category(to.as_ref())
            ),
            AbilityDescriptionChanged { ability } => {
                format!("ability {ability}: description changed")
            }
            MilestoneSummaryChanged {
                ability,
                level,
                words,
            } => format!(
                "ability {ability} milestone {}: summary changed: {}",
                level.get(),
                render_words(words)
            ),
            ExampleAdded {
                ability,
                level,
                example,
            } => format!(
                "ability {ability} milestone {}: example added: {example}",
                level.get()
            ),
            ExampleRemoved {
                ability,
                level,
                example,
            } => format!(
                "ability {ability} milestone {}: example removed: {example}",
                level.get()
            ),
            RoleAdded { role, name } => format!("role {role} added: {name}"),
            RoleArchived { role, name } => format!("role {role} archived: {name}"),
            RoleRenamed { role, from, to } => {
                format!("role {role} renamed from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}")
            }
            PositionAdded { position, title } => format!("position {position} added: {title}"),
            PositionArchived { position, title } => {
                format!("position {position} archived: {title}")
            }
            PositionRenamed { position, from, to } => format!(
                "position {position} renamed from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}"
            ),
            DescriptionChanged { holder: h } => format!("{}: description changed", holder(h)),
            RequirementAdded {
                holder: h,
                ability,
                level,
            } => {
                format!(
                    "{} now requires {ability} milestone {}",
                    holder(h),
                    level.get()
                )
            }
            RequirementRemoved {
                holder: h,
                ability,
                level,
            } => format!(
                "{} no longer requires {ability} (was milestone {})",
                holder(h),
                level.get()
            ),
            RequirementRaised {
                holder: h,
                ability,
                from,
                to,
            } => format!(
                "{} requires {ability} milestone {} (was {})",
                holder(h),
                to.get(),
                from.get()
            ),
            RequirementLowered {
                holder: h,
                ability,
                from,
                to,
            } => format!(
                "{} requires {ability} milestone {} (was {})",
                holder(h),
                to.get(),
                from.get()
            ),
            RequiredRoleAdded { position, role } => {
                format!("position {position} now requires the role {role}")
            }
            RequiredRoleRemoved { position, role } => {
                format!("position {position} no longer requires the role {role}")
            }
            PositionMilesChanged { position, from, to } => format!(
                "position {position}: miles {} (was {})",
                miles_rule(to),
                miles_rule(from)
            ),
            ScaleChanged { from, to } => format!("miles scale {} (was {})", scale(to), scale(from)),
            LicenceChanged { from, to } => format!("licence {to} (was {from})"),
        }
    }
}

fn category(c: Option<&Name>) -> String {
    c.map_or_else(
        || "no category".to_owned(),
        |n| format!("\u{201c}{n}\u{201d}"),
    )
}

fn scale(s: &MilesScale) -> String {
    s.values()
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

/// The miles a rule asks at least, where it says a number.
fn floor(r: &MilesRule) -> u32 {
    match r {
        MilesRule::Required | MilesRule::OverRequiredPercent(_) => 0,
        MilesRule::AtLeast(n) => *n,
        MilesRule::Band { at_least, .. } => *at_least,
    }
}

fn miles_rule(r: &MilesRule) -> String {
    match r {
        MilesRule::Required => "as required".to_owned(),
        MilesRule::OverRequiredPercent(p) => format!("required + {p} %"),
        MilesRule::AtLeast(n) => format!("at least {n}"),
        MilesRule::Band { at_least, below } => format!("{at_least} to {below}"),
    }
}

/// Words as text: added in [+…], removed in [-…].
pub fn render_words(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| match w {
            Word::Same(t) => t.clone(),
            Word::Added(t) => format!("[+{t}]"),
            Word::Removed(t) => format!("[-{t}]"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word-level difference (longest common subsequence of the words).
pub fn word_diff(old: &str, new: &str) -> Vec<Word> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    // Long texts: a table of a.len() × b.len(); summaries are short, and
    // past 2,000 words each the whole text is said to be replaced.
    if a.len() * b.len() > 4_000_000 {
        let mut out: Vec<Word> = a.iter().map(|w| Word::Removed((*w).to_owned())).collect();
        out.extend(b.iter().map(|w| Word::Added((*w).to_owned())));
        return out;
    }
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Word::Same(a[i].to_owned()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(Word::Removed(a[i].to_owned()));
            i += 1;
        } else {
            out.push(Word::Added(b[j].to_owned()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|w| Word::Removed((*w).to_owned())));
    out.extend(b[j..].iter().map(|w| Word::Added((*w).to_owned())));
    out
}

fn requirements(
    holder: Holder,
    before: &[Requirement],
    after: &[Requirement],
    out: &mut Vec<Change>,
) {
    for r in after {
        match before.iter().find(|b| b.ability == r.ability) {
            None => out.push(Change::RequirementAdded {
                holder: holder.clone(),
                ability: r.ability.clone(),
                level: r.level,
            }),
            Some(b) if r.level > b.level => out.push(Change::RequirementRaised {
                holder: holder.clone(),
                ability: r.ability.clone(),
                from: b.level,
                to: r.level,
            }),
            Some(b) if r.level < b.level => out.push(Change::RequirementLowered {
                holder: holder.clone(),
                ability: r.ability.clone(),
                from: b.level,
                to: r.level,
            }),
            Some(_) => {}
        }
    }
    for b in before {
        if !after.iter().any(|r| r.ability == b.ability) {
            out.push(Change::RequirementRemoved {
                holder: holder.clone(),
                ability: b.ability.clone(),
                level: b.level,
            });
        }
    }
}

fn ability(before: &Ability, after: &Ability, out: &mut Vec<Change>) {
    let slug = &after.slug;
    if before.name != after.name {
        out.push(Change::AbilityRenamed {
            ability: slug.clone(),
            from: before.name.clone(),
            to: after.name.clone(),
        });
    }
    if before.category != after.category {
        out.push(Change::AbilityMoved {
            ability: slug.clone(),
            from: before.category.clone(),
            to: after.category.clone(),
        });
    }
    if before.description != after.description {
        out.push(Change::AbilityDescriptionChanged {
            ability: slug.clone(),
        });
    }
    for level in Level::ALL {
        let (b, a) = (before.milestone(level), after.milestone(level));
        if b.summary != a.summary {
            out.push(Change::MilestoneSummaryChanged {
                ability: slug.clone(),
                level,
                words: word_diff(b.summary.as_str(), a.summary.as_str()),
            });
        }
        for e in &a.examples {
            if !b.examples.contains(e) {
                out.push(Change::ExampleAdded {
                    ability: slug.clone(),
                    level,
                    example: e.clone(),
                });
            }
        }
        for e in &b.examples {
            if !a.examples.contains(e) {
                out.push(Change::ExampleRemoved {
                    ability: slug.clone(),
                    level,
                    example: e.clone(),
                });
            }
        }
    }
}

fn role(before: &Role, after: &Role, out: &mut Vec<Change>) {
    if before.name != after.name {
        out.push(Change::RoleRenamed {
            role: after.slug.clone(),
            from: before.name.clone(),
            to: after.name.clone(),
        });
    }
    if before.description != after.description {
        out.push(Change::DescriptionChanged {
            holder: Holder::Role(after.slug.clone()),
        });
    }
    requirements(
        Holder::Role(after.slug.clone()),
        &before.requires,
        &after.requires,
        out,
    );
}

fn position(before: &Position, after: &Position, out: &mut Vec<Change>) {
    let slug = &after.slug;
    if before.title != after.title {
        out.push(Change::PositionRenamed {
            position: slug.clone(),
            from: before.title.clone(),
            to: after.title.clone(),
        });
    }
    if before.description != after.description {
        out.push(Change::DescriptionChanged {
            holder: Holder::Position(slug.clone()),
        });
    }
    requirements(
        Holder::Position(slug.clone()),
        &before.requires,
        &after.requires,
        out,
    );
    for r in &after.required_roles {
        if !before.required_roles.contains(r) {
            out.push(Change::RequiredRoleAdded {
                position: slug.clone(),
                role: r.clone(),
            });
        }
    }
    for r in &before.required_roles {
        if !after.required_roles.contains(r) {
            out.push(Change::RequiredRoleRemoved {
                position: slug.clone(),
                role: r.clone(),
            });
        }
    }
    if before.miles != after.miles {
        out.push(Change::PositionMilesChanged {
            position: slug.clone(),
            from: before.miles,
            to: after.miles,
        });
    }
}

/// Everything that changed from `before` to `after`, in a stable order:
/// the scale, then abilities, roles and positions in `after`'s order
/// (archived ones after the others of their kind).
pub fn diff(before: &Framework, after: &Framework) -> Vec<Change> {
    let mut out = Vec::new();
    if before.organization.licence != after.organization.licence {
        out.push(Change::LicenceChanged {
            from: before.organization.licence,
            to: after.organization.licence,
        });
    }
    if before.organization.miles != after.organization.miles {
        out.push(Change::ScaleChanged {
            from: before.organization.miles,
            to: after.organization.miles,
        });
    }
    for a in &after.abilities {
        match before.ability(&a.slug) {
            None => out.push(Change::AbilityAdded {
                ability: a.slug.clone(),
                name: a.name.clone(),
            }),
            Some(b) => ability(b, a, &mut out),
        }
    }
    for b in &before.abilities {
        if after.ability(&b.slug).is_none() {
            out.push(Change::AbilityArchived {
                ability: b.slug.clone(),
                name: b.name.clone(),
            });
        }
    }
    for r in &after.roles {
        match before.role(&r.slug) {
            None => {
                out.push(Change::RoleAdded {
                    role: r.slug.clone(),
                    name: r.name.clone(),
                });
                requirements(Holder::Role(r.slug.clone()), &[], &r.requires, &mut out);
            }
            Some(b) => role(b, r, &mut out),
        }
    }
    for b in &before.roles {
        if after.role(&b.slug).is_none() {
            out.push(Change::RoleArchived {
                role: b.slug.clone(),
                name: b.name.clone(),
            });
        }
    }
    for p in &after.positions {
        match before.positions.iter().find(|b| b.slug == p.slug) {
            None => out.push(Change::PositionAdded {
                position: p.slug.clone(),
                title: p.title.clone(),
            }),
            Some(b) => position(b, p, &mut out),
        }
    }
    for b in &before.positions {
        if !after.positions.iter().any(|p| p.slug == b.slug) {
            out.push(Change::PositionArchived {
                position: b.slug.clone(),
                title: b.title.clone(),
            });
        }
    }
    out
}

/// Whether any change raises the bar (`cairn diff` exits 1 then).
pub fn raises_the_bar(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.weight() == Weight::RaisesTheBar)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"format: cairn/1
organization:
  slug: acme
  name: Acme
  miles: [1, 3, 6, 12, 20]
abilities:
  - slug: testing
    name: Testing
    category: Craft
    description: Tests that tell.
    milestones:
      - summary: Writes unit tests for their code.
        examples: [Adds a test with each fix., Runs the suite before pushing.]
      - summary: Two.
      - summary: Three.
      - summary: Four.
      - summary: Five.
  - slug: mentoring
    name: Mentoring
    category: People
    description: Growing others.
    milestones:
      - summary: One.
      - summary: Two.
      - summary: Three.
      - summary: Four.
      - summary: Five.
roles:
  - slug: mentor
    name: Mentor
    description: A named mentor.
    requires: { mentoring: 2 }
positions:
  - slug: engineer
    title: Engineer
    level: "1"
    description: Delivers.
    roles: { required: [], suggested: [mentor] }
    requires: { testing: 2 }
    miles: { at_least: 10 }
"#;

    fn fw(text: &str) -> Framework {
        crate::file::parse(text).unwrap_or_else(|p| panic!("{p:?}\n{text}"))
    }

    #[test]
    #[rustfmt::skip]
    fn each_kind_of_change_is_named_and_weighed() {
        use Weight::*;
        let cases: &[(&str, &str, &str, &[(&str, Weight)])] = &[
            ("nothing",            "", "", &[]),
            ("ability renamed",    "name: Testing\n", "name: Verification\n",
                &[("ability testing renamed from \u{201c}Testing\u{201d} to \u{201c}Verification\u{201d}", Editorial)]),
            ("ability moved",      "category: Craft", "category: Quality",
                &[("ability testing moved from \u{201c}Craft\u{201d} to \u{201c}Quality\u{201d}", Editorial)]),
            ("licence",            "organization:\n  slug", "licence: CC-BY-4.0\norganization:\n  slug",
                &[("licence CC BY 4.0 (was All rights reserved)", Editorial)]),
            ("description",        "Tests that tell.", "Tests that tell the truth.",
                &[("ability testing: description changed", Editorial)]),
            ("summary words",      "Writes unit tests for their code.", "Writes unit and integration tests for their code.",
                &[("ability testing milestone 1: summary changed: Writes unit [+and] [+integration] tests for their code.", Editorial)]),
            ("example added",      "examples: [Adds a test with each fix., Runs the suite before pushing.]",
                                   "examples: [Adds a test with each fix., Runs the suite before pushing., Reviews tests.]",
                &[("ability testing milestone 1: example added: Reviews tests.", Editorial)]),
            ("example removed",    "examples: [Adds a test with each fix., Runs the suite before pushing.]",
                                   "examples: [Adds a test with each fix.]",
                &[("ability testing milestone 1: example removed: Runs the suite before pushing.", RaisesTheBar)]),
            ("requirement raised", "requires: { testing: 2 }", "requires: { testing: 3 }",
                &[("position engineer requires testing milestone 3 (was 2)", RaisesTheBar)]),
            ("requirement lowered","requires: { testing: 2 }", "requires: { testing: 1 }",
                &[("position engineer requires testing milestone 1 (was 2)", Editorial)]),
            ("requirement added",  "requires: { mentoring: 2 }", "requires: { mentoring: 2, testing: 1 }",
                &[("role mentor now requires testing milestone 1", RaisesTheBar)]),
            ("requirement removed","requires: { testing: 2 }", "requires: {}",
                &[("position engineer no longer requires testing (was milestone 2)", Editorial)]),
            ("required role",      "roles: { required: [], suggested: [mentor] }", "roles: { required: [mentor], suggested: [] }",
                &[("position engineer now requires the role mentor", RaisesTheBar)]),
            ("miles raised",       "miles: { at_least: 10 }", "miles: { at_least: 12 }",
                &[("position engineer: miles at least 12 (was at least 10)", RaisesTheBar)]),
            ("miles lowered",      "miles: { at_least: 10 }", "miles: { at_least: 8 }",
                &[("position engineer: miles at least 8 (was at least 10)", Editorial)]),
            ("scale",              "miles: [1, 3, 6, 12, 20]", "miles: [1, 2, 4, 8, 16]",
                &[("miles scale 1/2/4/8/16 (was 1/3/6/12/20)", RaisesTheBar)]),
            ("position renamed",   "title: Engineer\n", "title: Developer\n",
                &[("position engineer renamed from \u{201c}Engineer\u{201d} to \u{201c}Developer\u{201d}", Editorial)]),
        ];
        for (what, old, new, want) in cases {
            let after = if old.is_empty() { BASE.to_owned() } else {
                assert!(BASE.contains(old), "{what}: {old:?} not in the base");
                BASE.replacen(old, new, 1)
            };
            let got: Vec<(String, Weight)> = diff(&fw(BASE), &fw(&after))
                .iter()
                .map(|c| (c.describe(), c.weight()))
                .collect();
            let want: Vec<(String, Weight)> = want.iter().map(|(d, w)| ((*d).to_owned(), *w)).collect();
            assert_eq!(got, want, "{what}");
            assert_eq!(raises_the_bar(&diff(&fw(BASE), &fw(&after))), want.iter().any(|(_, w)| *w == RaisesTheBar), "{what}");
        }
    }

    #[test]
    fn items_added_and_archived_are_named_and_a_new_roles_requirements_count() {
        let after = BASE
            .replacen(
                "  - slug: mentoring\n",
                "  - slug: design\n    name: Design\n    description: d\n    milestones:\n      - summary: a\n      - summary: b\n      - summary: c\n      - summary: d\n      - summary: e\n  - slug: mentoring\n",
                1,
            )
            .replacen(
                "positions:\n",
                "  - slug: lead\n    name: Lead\n    description: l\n    requires: { design: 1 }\npositions:\n",
                1,
            );
        let got: Vec<String> = diff(&fw(BASE), &fw(&after))
            .iter()
            .map(Change::describe)
            .collect();
        assert_eq!(
            got,
            [
                "ability design added: Design",
                "role lead added: Lead",
                "role lead now requires design milestone 1",
            ]
        );
        // Backwards: archived, and nothing else claimed.
        let back: Vec<String> = diff(&fw(&after), &fw(BASE))
            .iter()
            .map(Change::describe)
            .collect();
        assert_eq!(
            back,
            [
                "ability design archived: Design",
                "role lead archived: Lead"
            ]
        );
    }

    #[test]
    #[rustfmt::skip]
    fn words_differ_word_by_word() {
        let cases: &[(&str, &str, &str)] = &[
            ("a b c", "a b c", "a b c"),
            ("a b c", "a x c", "a [-b] [+x] c"),
            ("", "new words", "[+new] [+words]"),
            ("old words", "", "[-old] [-words]"),
            ("keep this  spacing", "keep   this spacing", "keep this spacing"),
        ];
        for (old, new, want) in cases {
            assert_eq!(render_words(&word_diff(old, new)), *want, "{old:?} → {new:?}");
        }
    }
}

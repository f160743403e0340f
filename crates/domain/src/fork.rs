//! Forks: what an upstream framework changed since a fork copied it, item
//! by item, and taking one item's change into the fork.
//!
//! A fork keeps its *base*: the upstream's framework as the fork last took
//! it (as forked, then item by item as changes are pulled). What the
//! upstream changed since is the semantic diff from the base to the
//! upstream as it is now, grouped by the item (or the miles scale) each
//! change is about, because a change is pulled whole: an ability's five
//! milestones belong together. The licence is not pulled: the fork's own
//! licence is its owners' choice, within what the upstream's allows.

use crate::changes::{self, Change, Holder};
use crate::{Framework, ItemKind, Slug};

/// One framework in a fork's lineage: where it came from, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ancestor {
    pub name: String,
    /// Its public page (this instance's or another's).
    pub url: String,
    /// The version forked (0: before it numbered any).
    pub version: i64,
}

/// What a pulled change is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Scale,
    Item(ItemKind, Slug),
}

impl Subject {
    /// How forms name it: `scale`, `ability:incident-response`.
    pub fn key(&self) -> String {
        match self {
            Subject::Scale => "scale".into(),
            Subject::Item(kind, slug) => format!("{}:{slug}", kind.as_str()),
        }
    }

    pub fn parse(key: &str) -> Option<Subject> {
        if key == "scale" {
            return Some(Subject::Scale);
        }
        let (kind, slug) = key.split_once(':')?;
        Some(Subject::Item(
            ItemKind::parse(kind)?,
            Slug::parse(slug).ok()?,
        ))
    }
}

/// What a change is about; `None` for the licence (never pulled).
pub fn subject(change: &Change) -> Option<Subject> {
    let holder = |h: &Holder| match h {
        Holder::Role(s) => Subject::Item(ItemKind::Role, s.clone()),
        Holder::Position(s) => Subject::Item(ItemKind::Position, s.clone()),
    };
    let ability = |s: &Slug| Subject::Item(ItemKind::Ability, s.clone());
    let role = |s: &Slug| Subject::Item(ItemKind::Role, s.clone());
    let position = |s: &Slug| Subject::Item(ItemKind::Position, s.clone());
    Some(match change {
        Change::LicenceChanged { .. } => return None,
        Change::ScaleChanged { .. } => Subject::Scale,
        Change::AbilityAdded { ability: a, .. }
        | Change::AbilityArchived { ability: a, .. }
        | Change::AbilityRenamed { ability: a, .. }
        | Change::AbilityMoved { ability: a, .. }
        | Change::AbilityDescriptionChanged { ability: a }
        | Change::MilestoneSummaryChanged { ability: a, .. }
        | Change::ExampleAdded { ability: a, .. }
        | Change::ExampleRemoved { ability: a, .. } => ability(a),
        Change::RoleAdded { role: r, .. }
        | Change::RoleArchived { role: r, .. }
        | Change::RoleRenamed { role: r, .. } => role(r),
        Change::PositionAdded { position: p, .. }
        | Change::PositionArchived { position: p, .. }
        | Change::PositionRenamed { position: p, .. }
        | Change::RequiredRoleAdded { position: p, .. }
        | Change::RequiredRoleRemoved { position: p, .. }
        | Change::PositionMilesChanged { position: p, .. } => position(p),
        Change::DescriptionChanged { holder: h }
        | Change::RequirementAdded { holder: h, .. }
        | Change::RequirementRemoved { holder: h, .. }
        | Change::RequirementRaised { holder: h, .. }
        | Change::RequirementLowered { holder: h, .. } => holder(h),
    })
}

/// The upstream's changes to one item (or to the scale), pulled together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub subject: Subject,
    /// What pages call it: the item's name as the upstream has it (or had
    /// it, when archived), "The miles scale".
    pub label: String,
    pub changes: Vec<Change>,
}

fn label(fw: &Framework, subject: &Subject) -> Option<String> {
    Some(match subject {
        Subject::Scale => "The miles scale".into(),
        Subject::Item(ItemKind::Ability, s) => fw.ability(s)?.name.to_string(),
        Subject::Item(ItemKind::Role, s) => fw.role(s)?.name.to_string(),
        Subject::Item(ItemKind::Position, s) => fw
            .positions
            .iter()
            .find(|p| &p.slug == s)?
            .title
            .to_string(),
    })
}

/// What the upstream changed since `base`, grouped by subject in the
/// diff's order.
pub fn pending(base: &Framework, upstream: &Framework) -> Vec<Pending> {
    let mut out: Vec<Pending> = Vec::new();
    for change in changes::diff(base, upstream) {
        let Some(subject) = subject(&change) else {
            continue;
        };
        match out.iter_mut().find(|p| p.subject == subject) {
            Some(p) => p.changes.push(change),
            None => out.push(Pending {
                label: label(upstream, &subject)
                    .or_else(|| label(base, &subject))
                    .unwrap_or_else(|| subject.key()),
                subject,
                changes: vec![change],
            }),
        }
    }
    out
}

/// `into` with `subject` as `from` has it: replaced, added at the end,
/// or removed when `from` lacks it. Used both for the fork's framework
/// (what pulling writes) and for its base (so a pulled change is no
/// longer pending).
pub fn take(into: &Framework, from: &Framework, subject: &Subject) -> Framework {
    fn put<T: Clone>(list: &mut Vec<T>, theirs: Option<&T>, same: impl Fn(&T) -> bool) {
        match (list.iter().position(&same), theirs) {
            (Some(i), Some(t)) => list[i] = t.clone(),
            (None, Some(t)) => list.push(t.clone()),
            (Some(i), None) => {
                list.remove(i);
            }
            (None, None) => {}
        }
    }
    let mut out = into.clone();
    match subject {
        Subject::Scale => out.organization.miles = from.organization.miles,
        Subject::Item(ItemKind::Ability, s) => {
            put(&mut out.abilities, from.ability(s), |a| &a.slug == s)
        }
        Subject::Item(ItemKind::Role, s) => put(&mut out.roles, from.role(s), |r| &r.slug == s),
        Subject::Item(ItemKind::Position, s) => put(
            &mut out.positions,
            from.positions.iter().find(|p| &p.slug == s),
            |p| &p.slug == s,
        ),
    }
    out
}

/// The lineage a fork of `upstream` records: the upstream's own lineage,
/// then the upstream.
pub fn lineage(upstream_lineage: &[Ancestor], upstream: Ancestor) -> Vec<Ancestor> {
    let mut out = upstream_lineage.to_vec();
    out.push(upstream);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file;

    const BASE: &str = r#"
format: cairn/1
organization: { slug: up, name: Upstream, miles: [1, 3, 6, 12, 20] }
abilities:
  - slug: craft
    name: Craft
    category: Engineering
    description: Making things.
    milestones:
      - { summary: One., examples: [a] }
      - { summary: Two., examples: [b] }
      - { summary: Three., examples: [c] }
      - { summary: Four., examples: [d] }
      - { summary: Five., examples: [e] }
  - slug: care
    name: Care
    category: People
    description: Looking after people.
    milestones:
      - { summary: One., examples: [a] }
      - { summary: Two., examples: [b] }
      - { summary: Three., examples: [c] }
      - { summary: Four., examples: [d] }
      - { summary: Five., examples: [e] }
roles:
  - slug: ops
    name: Ops Engineer
    description: Runs things.
    requires: { craft: 1 }
"#;

    fn base() -> Framework {
        file::parse(BASE).expect("base parses")
    }

    fn changed(f: impl Fn(&mut Framework)) -> Framework {
        let mut fw = base();
        f(&mut fw);
        fw
    }

    fn slug(s: &str) -> Slug {
        Slug::parse(s).expect("slug")
    }

    #[test]
    fn upstream_changes_are_grouped_by_what_they_are_about() {
        let ability = |s: &str| Subject::Item(ItemKind::Ability, slug(s));
        let role = |s: &str| Subject::Item(ItemKind::Role, slug(s));
        let cases: Vec<(&str, Framework, Vec<(Subject, &str, usize)>)> = vec![
            ("nothing", base(), vec![]),
            (
                "two milestones of one ability: one pull",
                changed(|f| {
                    f.abilities[0].milestones[0].summary = crate::Markdown::new("Uno.");
                    f.abilities[0].milestones[1].summary = crate::Markdown::new("Dos.");
                }),
                vec![(ability("craft"), "Craft", 2)],
            ),
            (
                "an archived ability keeps its name",
                changed(|f| {
                    f.abilities.remove(1);
                }),
                vec![(ability("care"), "Care", 1)],
            ),
            (
                "a raised requirement is the role's",
                changed(|f| {
                    f.roles[0].requires[0].level = crate::Level::parse(2).expect("level");
                }),
                vec![(role("ops"), "Ops Engineer", 1)],
            ),
            (
                "the scale",
                changed(|f| {
                    f.organization.miles =
                        crate::MilesScale::parse(&[1, 2, 3, 4, 5]).expect("scale");
                }),
                vec![(Subject::Scale, "The miles scale", 1)],
            ),
            (
                "the licence is never pulled",
                changed(|f| f.organization.licence = crate::licence::Licence::Cc0),
                vec![],
            ),
        ];
        for (name, upstream, want) in cases {
            let got: Vec<(Subject, String, usize)> = pending(&base(), &upstream)
                .into_iter()
                .map(|p| (p.subject, p.label, p.changes.len()))
                .collect();
            let want: Vec<(Subject, String, usize)> = want
                .into_iter()
                .map(|(s, l, n)| (s, l.to_owned(), n))
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn taking_a_subject_makes_it_no_longer_pending_and_leaves_the_rest() {
        let upstream = changed(|f| {
            f.abilities[0].name = crate::Name::parse("Craftsmanship", "name").expect("name");
            f.abilities.remove(1);
            f.roles[0].requires[0].level = crate::Level::parse(3).expect("level");
        });
        let fork = base();
        for subject in [
            Subject::Item(ItemKind::Ability, slug("craft")),
            Subject::Item(ItemKind::Ability, slug("care")),
            Subject::Item(ItemKind::Role, slug("ops")),
        ] {
            let taken = take(&fork, &upstream, &subject);
            let left = pending(&taken, &upstream);
            assert!(
                !left.iter().any(|p| p.subject == subject),
                "{subject:?} still pending"
            );
            assert_eq!(left.len(), 2, "{subject:?}: the other two stay");
        }
        // Taking something the upstream never had changes nothing.
        let none = Subject::Item(ItemKind::Position, slug("nobody"));
        assert_eq!(take(&fork, &upstream, &none), fork);
    }

    #[test]
    fn subjects_round_trip_through_their_keys() {
        for key in ["scale", "ability:craft", "role:ops", "position:senior"] {
            let s = Subject::parse(key).expect(key);
            assert_eq!(s.key(), key);
        }
        for bad in ["", "ability", "team:x", "ability:Not A Slug", "scale:x"] {
            assert_eq!(Subject::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_fork_of_a_fork_lists_both() {
        let a = Ancestor {
            name: "A".into(),
            url: "https://a.example/a".into(),
            version: 2,
        };
        let b = Ancestor {
            name: "B".into(),
            url: "https://b.example/b".into(),
            version: 1,
        };
        assert_eq!(lineage(&[], a.clone()), vec![a.clone()]);
        assert_eq!(lineage(std::slice::from_ref(&a), b.clone()), vec![a, b]);
    }
}

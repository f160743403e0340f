//! Two positions side by side: what changes, ability by ability, from one
//! to the other ("what is the difference between Engineer II and Senior
//! Engineer?"). Requirements are read as eligibility reads them: a
//! position's own merged with its required roles'.

use crate::framework::{Framework, Level, Position, Slug};
use crate::requirement::{position_requirements, required_miles};

/// How one ability's requirement moves from the first position to the
/// second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Required by the second only.
    New,
    Raised,
    Unchanged,
    Lowered,
    /// Required by the first only.
    Dropped,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Raised => "raised",
            Change::Unchanged => "unchanged",
            Change::Lowered => "lowered",
            Change::Dropped => "no longer required",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub ability: Slug,
    pub from: Option<Level>,
    pub to: Option<Level>,
    pub change: Change,
}

impl Line {
    /// The milestones climbed between the two (for a new or raised
    /// requirement): from the one after `from` up to `to`.
    pub fn between(&self) -> Vec<Level> {
        let (Some(to), true) = (self.to, matches!(self.change, Change::New | Change::Raised))
        else {
            return Vec::new();
        };
        let start = self.from.map_or(1, |l| l.get() + 1);
        Level::ALL
            .into_iter()
            .filter(|l| l.get() >= start && *l <= to)
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// In the framework's ability order; abilities neither requires are
    /// left out.
    pub lines: Vec<Line>,
    pub miles: (u32, u32),
}

pub fn compare(fw: &Framework, a: &Position, b: &Position) -> Comparison {
    let (ra, rb) = (
        position_requirements(a, &fw.roles),
        position_requirements(b, &fw.roles),
    );
    let level = |list: &[crate::framework::Requirement], s: &Slug| {
        list.iter().find(|r| r.ability == *s).map(|r| r.level)
    };
    let lines = fw
        .abilities
        .iter()
        .filter_map(|ability| {
            let (from, to) = (level(&ra, &ability.slug), level(&rb, &ability.slug));
            let change = match (from, to) {
                (None, None) => return None,
                (None, Some(_)) => Change::New,
                (Some(_), None) => Change::Dropped,
                (Some(x), Some(y)) if y > x => Change::Raised,
                (Some(x), Some(y)) if y < x => Change::Lowered,
                _ => Change::Unchanged,
            };
            Some(Line {
                ability: ability.slug.clone(),
                from,
                to,
                change,
            })
        })
        .collect();
    let scale = &fw.organization.miles;
    Comparison {
        lines,
        miles: (
            required_miles(a, &fw.roles, scale),
            required_miles(b, &fw.roles, scale),
        ),
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
  - { slug: ops, name: Ops, milestones: [{}, {}, {}, {}, {}] }
  - { slug: idle, name: Idle, milestones: [{}, {}, {}, {}, {}] }
roles:
  - { slug: speaker, name: Speaker, requires: { talk: 2 } }
positions:
  - { slug: a, title: A, level: '2', requires: { code: 2, tests: 3, ops: 1 } }
  - { slug: b, title: B, level: '2', roles: { required: [speaker] }, requires: { code: 4, tests: 3 } }
",
        )
        .expect("framework")
    }

    #[test]
    #[rustfmt::skip]
    fn each_ability_moves_as_its_requirement_does_roles_included() {
        let fw = fw();
        let (a, b) = (&fw.positions[0], &fw.positions[1]);
        let got = compare(&fw, a, b);
        let lines: Vec<(&str, Option<u8>, Option<u8>, Change, Vec<u8>)> = got
            .lines
            .iter()
            .map(|x| (x.ability.as_str(), x.from.map(Level::get), x.to.map(Level::get), x.change,
                      x.between().iter().map(|l| l.get()).collect()))
            .collect();
        assert_eq!(lines, vec![
            ("code",  Some(2), Some(4), Change::Raised,    vec![3, 4]),
            ("tests", Some(3), Some(3), Change::Unchanged, vec![]),
            // From the required role: new, from milestone 1 up.
            ("talk",  None,    Some(2), Change::New,       vec![1, 2]),
            ("ops",   Some(1), None,    Change::Dropped,   vec![]),
        ]);
        // The other way round, raised is lowered and new is dropped.
        let back: Vec<Change> = compare(&fw, b, a).lines.iter().map(|x| x.change).collect();
        assert_eq!(back, [Change::Lowered, Change::Unchanged, Change::Dropped, Change::New]);
        // Against itself, nothing moves.
        assert!(compare(&fw, a, a).lines.iter().all(|x| x.change == Change::Unchanged));
        assert_eq!(compare(&fw, a, b).miles, (3 + 6 + 1, 12 + 6 + 3));
    }
}

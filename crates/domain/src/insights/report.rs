//! The insights report: every figure of `/{org}/insights`, built from the
//! counts the store keeps, already passed through the privacy rule. The
//! page, the JSON and the CSV all render this one value, so none of them
//! can show a number the rule did not let through.
//!
//! Decisions where the issue is silent:
//! - Only observations shared with the whole organization (Organization or
//!   Public level, published, not deleted) are counted, and of their
//!   ratings only Exceptional, Strong and N/A: those are what every member
//!   may read, so no figure rests on an observation or a rating the viewer
//!   could not read. Narrower observations stay out of every count, even
//!   for a manager who could read some of them.
//! - Groups are as they stand today (current team, position, manager).
//! - Rating patterns are about the raters in scope: a manager sees how
//!   their reports rate, a people lead how everyone does.
//! - Breakdowns hide more than the groups under five when that is needed
//!   to stop a small group's figure being worked out by subtraction from
//!   the total ([`shown_groups`]); the team matrix does the same for its
//!   cells ([`shown_cells`]).

use std::collections::BTreeMap;
use std::hash::Hash;

// A fast hasher: the report hashes tens of thousands of counts per page,
// and its keys are the store's small numbers, not anyone's input.
use foldhash::{HashMap, HashSet};

use serde::Serialize;

use super::{Ask, Disclosure, Figure, MIN_GROUP, Scope, TenureBand, disclose, gini, histogram};
use crate::visibility::Rating;

/// Why a group's figures are not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hidden {
    /// "fewer than 5".
    FewerThanFive,
    /// Shown, it would let a smaller group's figure be worked out.
    ProtectsSmallerGroup,
}

impl Hidden {
    pub fn label(self) -> &'static str {
        match self {
            Hidden::FewerThanFive => "fewer than 5",
            Hidden::ProtectsSmallerGroup => "hidden so that a smaller group cannot be worked out",
        }
    }
}

/// Which groups of a breakdown may be shown, given their sizes: those of
/// five or more, except that while the hidden ones together number fewer
/// than five (and more than none), the smallest shown group is hidden too,
/// since the total minus the shown groups would otherwise be their figure.
pub fn shown_groups(sizes: &[u64]) -> Vec<Option<Hidden>> {
    suppress(sizes, |hidden| hidden.iter().map(|&i| sizes[i]).sum())
}

/// [`shown_groups`] where groups may share people: `together` counts the
/// distinct people of the groups at the given indexes.
fn suppress(sizes: &[u64], together: impl Fn(&[usize]) -> u64) -> Vec<Option<Hidden>> {
    let mut out: Vec<Option<Hidden>> = sizes
        .iter()
        .map(|&n| {
            match disclose(&Ask {
                figure: Figure::Coverage,
                scope: Scope::Group,
                people: n,
                observations: 0,
                parent_shown: true,
            }) {
                Disclosure::Shown => None,
                _ => Some(Hidden::FewerThanFive),
            }
        })
        .collect();
    loop {
        let hidden: Vec<usize> = (0..sizes.len()).filter(|&i| out[i].is_some()).collect();
        let people = together(&hidden);
        if hidden.is_empty() || people >= MIN_GROUP {
            return out;
        }
        let smallest = (0..sizes.len())
            .filter(|&i| out[i].is_none())
            .min_by_key(|&i| (sizes[i], i));
        match smallest {
            Some(i) => out[i] = Some(Hidden::ProtectsSmallerGroup),
            None => return out,
        }
    }
}

/// Which cells of the team matrix may be shown: those counting five or
/// more observations, except that in any row or column whose hidden cells
/// together count fewer than five (and more than none) the smallest shown
/// cell is hidden too. `hidden_rest` are the counts of each column from
/// rows never shown (small teams, no team), which are hidden already.
pub fn shown_cells(cells: &[Vec<u64>], hidden_rest: &[u64]) -> Vec<Vec<bool>> {
    let mut shown: Vec<Vec<bool>> = cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|&n| {
                    disclose(&Ask {
                        figure: Figure::MatrixCell,
                        scope: Scope::Group,
                        people: MIN_GROUP,
                        observations: n,
                        parent_shown: true,
                    }) == Disclosure::Shown
                })
                .collect()
        })
        .collect();
    let columns = cells.first().map_or(0, Vec::len);
    loop {
        let mut changed = false;
        for (r, row) in cells.iter().enumerate() {
            let line: Vec<(u64, bool)> = row.iter().zip(&shown[r]).map(|(&n, &s)| (n, s)).collect();
            if let Some(c) = to_protect(&line, 0) {
                shown[r][c] = false;
                changed = true;
            }
        }
        for c in 0..columns {
            let line: Vec<(u64, bool)> = cells
                .iter()
                .zip(&shown)
                .map(|(row, s)| (row[c], s[c]))
                .collect();
            if let Some(r) = to_protect(&line, hidden_rest.get(c).copied().unwrap_or(0)) {
                shown[r][c] = false;
                changed = true;
            }
        }
        if !changed {
            return shown;
        }
    }
}

/// In one line of cells (count, shown), the smallest shown one when the
/// hidden ones (plus `rest`) count 1 to 4.
fn to_protect(line: &[(u64, bool)], rest: u64) -> Option<usize> {
    let hidden: u64 = rest + line.iter().filter(|(_, s)| !s).map(|(n, _)| n).sum::<u64>();
    if hidden == 0 || hidden >= MIN_GROUP {
        return None;
    }
    (0..line.len())
        .filter(|&i| line[i].1)
        .min_by_key(|&i| (line[i].0, i))
}

/// What the report knows of one active member.
#[derive(Debug, Clone)]
pub struct Person<P> {
    pub id: P,
    pub joined: i64,
    pub team: Option<String>,
    /// Their position's level.
    pub level: Option<String>,
    /// Their direct manager's name.
    pub manager: Option<String>,
    /// One of the people the viewer's insights are about.
    pub in_scope: bool,
}

/// The counts of a period, over observations shared with the
/// organization (see the module's note).
#[derive(Debug, Clone)]
pub struct Counts<P> {
    /// (observer, observee, observations).
    pub pairs: Vec<(P, P, u64)>,
    /// (observer, observations written).
    pub written: Vec<(P, u64)>,
    /// (ability name, rating, observer, ratings given).
    pub ratings: Vec<(String, Rating, P, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub label: &'static str,
    pub people: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// People in scope, unless fewer than five.
    pub people: Option<u64>,
    pub coverage: Option<Coverage>,
    pub concentration: Option<Concentration>,
    pub matrix: Option<Matrix>,
    pub ratings: Option<RatingPatterns>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub members: u64,
    /// Observations received, one per person observed.
    pub received: u64,
    pub mean: f64,
    /// Members who received none in the period.
    pub without: u64,
    pub without_share: f64,
    pub histogram: Vec<Bucket>,
    pub breakdowns: Vec<Breakdown>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// "team", "level", "manager", "tenure".
    pub by: &'static str,
    pub title: &'static str,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    pub hidden: Option<Hidden>,
    pub members: Option<u64>,
    pub mean: Option<f64>,
    pub without_share: Option<f64>,
    /// The group's mean over the organization's (1.0: the same).
    pub ratio: Option<f64>,
    pub histogram: Option<Vec<Bucket>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentration {
    /// Members in scope who wrote at least one observation.
    pub observers: u64,
    pub written: u64,
    /// How many people the most active tenth of observers are.
    pub top_tenth_people: Option<u64>,
    /// Their share of the observations written, when they are five or more.
    pub top_tenth_share: Option<f64>,
    pub gini_written: f64,
    pub gini_received: f64,
    /// Of observations where both people have a team, the share within one.
    pub within_team_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    /// The observed people's teams (columns), five members or more.
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    /// The observers' team.
    pub team: String,
    /// Observations; None: fewer than 5 (or hidden to protect one).
    pub cells: Vec<Option<u64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub raters: u64,
    pub exceptional: u64,
    pub strong: u64,
    pub not_applicable: u64,
}

impl Spread {
    pub fn total(&self) -> u64 {
        self.exceptional + self.strong + self.not_applicable
    }

    pub fn exceptional_share(&self) -> f64 {
        ratio(self.exceptional as f64, self.total() as f64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingPatterns {
    pub all: Spread,
    pub abilities: Vec<RatingGroup>,
    pub breakdowns: Vec<RatingBreakdown>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingBreakdown {
    pub by: &'static str,
    pub title: &'static str,
    pub groups: Vec<RatingGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingGroup {
    pub name: String,
    pub hidden: Option<Hidden>,
    pub spread: Option<Spread>,
    /// How often the group rates Exceptional over how often everyone does.
    pub exceptional_ratio: Option<f64>,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

/// The breakdowns coverage and rating patterns are shown by.
const BREAKDOWNS: [(&str, &str); 4] = [
    ("team", "By team"),
    ("level", "By position level"),
    ("manager", "By manager"),
    ("tenure", "By time since joining"),
];

/// A person's group in each of [`BREAKDOWNS`] (None: in none of it).
fn group_keys<P>(p: &Person<P>, now: i64) -> [Option<String>; 4] {
    [
        Some(p.team.clone().unwrap_or_else(|| "No team".into())),
        Some(
            p.level
                .as_ref()
                .map_or_else(|| "No position".into(), |l| format!("Level {l}")),
        ),
        p.manager.as_ref().map(|m| format!("Reports of {m}")),
        Some(TenureBand::of(p.joined, now).label().to_owned()),
    ]
}

/// Everyone's groups, worked out once per report.
type Keys<'a, P> = HashMap<&'a P, [Option<String>; 4]>;

/// How many teams the matrix shows at most (the largest): beyond a dozen a
/// heat map is no longer read at a glance; the CSV has the same cap.
pub const MATRIX_TEAMS: usize = 12;

/// Builds the report of `people` (the viewer's scope among them) from the
/// period's `counts`, at `now`.
pub fn build<P: Eq + Hash + Clone + Ord>(
    people: &[Person<P>],
    counts: &Counts<P>,
    now: i64,
) -> Report {
    let scope: Vec<&Person<P>> = people.iter().filter(|p| p.in_scope).collect();
    let n = scope.len() as u64;
    let whole = disclose(&Ask {
        figure: Figure::Coverage,
        scope: Scope::All,
        people: n,
        observations: 0,
        parent_shown: true,
    });
    if whole != Disclosure::Shown {
        return Report {
            people: None,
            coverage: None,
            concentration: None,
            matrix: None,
            ratings: None,
        };
    }
    let in_scope: HashSet<&P> = scope.iter().map(|p| &p.id).collect();
    let mut received: HashMap<&P, u64> = HashMap::default();
    for (_, observee, k) in &counts.pairs {
        if in_scope.contains(observee) {
            *received.entry(observee).or_default() += k;
        }
    }
    let got = |p: &Person<P>| received.get(&p.id).copied().unwrap_or(0);
    let keys: Keys<P> = people.iter().map(|p| (&p.id, group_keys(p, now))).collect();
    Report {
        people: Some(n),
        coverage: Some(coverage(&scope, &got, &keys)),
        concentration: Some(concentration(people, &scope, counts, &got)),
        matrix: matrix(people, counts, &in_scope),
        ratings: ratings(&keys, &in_scope, counts),
    }
}

fn coverage<P: Eq + Hash>(
    scope: &[&Person<P>],
    got: &dyn Fn(&Person<P>) -> u64,
    keys: &Keys<P>,
) -> Coverage {
    let counts: Vec<u64> = scope.iter().map(|p| got(p)).collect();
    let members = counts.len() as u64;
    let total: u64 = counts.iter().sum();
    let without = counts.iter().filter(|&&c| c == 0).count() as u64;
    let mean = ratio(total as f64, members as f64);
    let buckets = |c: &[u64]| {
        histogram(c)
            .into_iter()
            .map(|(label, people)| Bucket { label, people })
            .collect::<Vec<_>>()
    };
    let mut breakdowns = Vec::new();
    for (k, (by, title)) in BREAKDOWNS.into_iter().enumerate() {
        let mut groups: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for (p, &c) in scope.iter().zip(&counts) {
            if let Some(name) = keys.get(&p.id).and_then(|g| g[k].as_deref()) {
                groups.entry(name).or_default().push(c);
            }
        }
        if groups.is_empty() {
            continue;
        }
        let sizes: Vec<u64> = groups.values().map(|v| v.len() as u64).collect();
        let shown = shown_groups(&sizes);
        let groups = groups
            .into_iter()
            .zip(shown)
            .map(|((name, c), hidden)| match hidden {
                Some(h) => Group {
                    name: name.to_owned(),
                    hidden: Some(h),
                    members: None,
                    mean: None,
                    without_share: None,
                    ratio: None,
                    histogram: None,
                },
                None => {
                    let m = c.len() as f64;
                    let g_mean = ratio(c.iter().sum::<u64>() as f64, m);
                    Group {
                        name: name.to_owned(),
                        hidden: None,
                        members: Some(c.len() as u64),
                        mean: Some(g_mean),
                        without_share: Some(ratio(c.iter().filter(|&&x| x == 0).count() as f64, m)),
                        ratio: (mean > 0.0).then(|| g_mean / mean),
                        histogram: Some(buckets(&c)),
                    }
                }
            })
            .collect();
        breakdowns.push(Breakdown { by, title, groups });
    }
    Coverage {
        members,
        received: total,
        mean,
        without,
        without_share: ratio(without as f64, members as f64),
        histogram: buckets(&counts),
        breakdowns,
    }
}

fn concentration<P: Eq + Hash>(
    people: &[Person<P>],
    scope: &[&Person<P>],
    counts: &Counts<P>,
    got: &dyn Fn(&Person<P>) -> u64,
) -> Concentration {
    let wrote: HashMap<&P, u64> = counts.written.iter().map(|(p, k)| (p, *k)).collect();
    let written: Vec<u64> = scope
        .iter()
        .map(|p| wrote.get(&p.id).copied().unwrap_or(0))
        .collect();
    let active: Vec<u64> = written.iter().copied().filter(|&w| w > 0).collect();
    let top = ((active.len() as f64 * 0.1).ceil() as u64).max(u64::from(!active.is_empty()));
    let top_shown = disclose(&Ask {
        figure: Figure::Concentration,
        scope: Scope::Group,
        people: top,
        observations: 0,
        parent_shown: true,
    }) == Disclosure::Shown;
    let received: Vec<u64> = scope.iter().map(|p| got(p)).collect();
    let team: HashMap<&P, &String> = people
        .iter()
        .filter_map(|p| p.team.as_ref().map(|t| (&p.id, t)))
        .collect();
    let in_scope: HashSet<&P> = scope.iter().map(|p| &p.id).collect();
    let (mut within, mut both) = (0_u64, 0_u64);
    for (observer, observee, k) in &counts.pairs {
        if !in_scope.contains(observee) {
            continue;
        }
        if let (Some(a), Some(b)) = (team.get(observer), team.get(observee)) {
            both += k;
            if a == b {
                within += k;
            }
        }
    }
    Concentration {
        observers: active.len() as u64,
        written: written.iter().sum(),
        top_tenth_people: (!active.is_empty()).then_some(top),
        top_tenth_share: top_shown.then(|| super::top_share(&active, 0.1)),
        gini_written: gini(&written),
        gini_received: gini(&received),
        within_team_share: (both > 0).then(|| within as f64 / both as f64),
    }
}

fn matrix<P: Eq + Hash>(
    people: &[Person<P>],
    counts: &Counts<P>,
    in_scope: &HashSet<&P>,
) -> Option<Matrix> {
    let mut all: BTreeMap<&String, u64> = BTreeMap::new();
    let mut scoped: BTreeMap<&String, u64> = BTreeMap::new();
    let team: HashMap<&P, &String> = people
        .iter()
        .filter_map(|p| p.team.as_ref().map(|t| (&p.id, t)))
        .collect();
    for p in people {
        if let Some(t) = &p.team {
            *all.entry(t).or_default() += 1;
            if in_scope.contains(&p.id) {
                *scoped.entry(t).or_default() += 1;
            }
        }
    }
    // The largest teams of five or more, largest first (then by name).
    let big = |m: &BTreeMap<&String, u64>| -> Vec<String> {
        let mut teams: Vec<(&&String, &u64)> = m.iter().filter(|(_, n)| **n >= MIN_GROUP).collect();
        teams.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        teams
            .into_iter()
            .take(MATRIX_TEAMS)
            .map(|(t, _)| (*t).clone())
            .collect()
    };
    let (rows, columns) = (big(&all), big(&scoped));
    if rows.is_empty() || columns.is_empty() {
        return None;
    }
    // Each person's row and column, worked out once rather than per pair.
    let place: HashMap<&P, (Option<usize>, Option<usize>)> = team
        .iter()
        .map(|(p, t)| {
            let at = |line: &[String]| line.iter().position(|x| x == *t);
            (*p, (at(&rows), at(&columns)))
        })
        .collect();
    let mut cells = vec![vec![0_u64; columns.len()]; rows.len()];
    let mut rest = vec![0_u64; columns.len()];
    for (observer, observee, k) in &counts.pairs {
        if !in_scope.contains(observee) {
            continue;
        }
        let Some(c) = place.get(observee).and_then(|p| p.1) else {
            continue;
        };
        match place.get(observer).and_then(|p| p.0) {
            Some(r) => cells[r][c] += k,
            None => rest[c] += k,
        }
    }
    let shown = shown_cells(&cells, &rest);
    Some(Matrix {
        columns,
        rows: rows
            .into_iter()
            .zip(cells.iter().zip(&shown))
            .map(|(team, (row, show))| MatrixRow {
                team,
                cells: row
                    .iter()
                    .zip(show)
                    .map(|(&n, &s)| s.then_some(n))
                    .collect(),
            })
            .collect(),
    })
}

struct Tally<'a, P> {
    raters: HashSet<&'a P>,
    by: [u64; 3],
}

impl<'a, P: Eq + Hash> Tally<'a, P> {
    fn new() -> Self {
        Tally {
            raters: HashSet::default(),
            by: [0; 3],
        }
    }

    fn add(&mut self, rater: &'a P, by: &[u64; 3]) {
        self.raters.insert(rater);
        for (mine, k) in self.by.iter_mut().zip(by) {
            *mine += k;
        }
    }
    fn spread(&self) -> Spread {
        Spread {
            raters: self.raters.len() as u64,
            exceptional: self.by[0],
            strong: self.by[1],
            not_applicable: self.by[2],
        }
    }
}

fn ratings<P: Eq + Hash + Clone + Ord>(
    keys: &Keys<P>,
    in_scope: &HashSet<&P>,
    counts: &Counts<P>,
) -> Option<RatingPatterns> {
    // Each rater's own spread first: the groups are then added to once per
    // rater rather than once per count.
    let mut raters: HashMap<&P, [u64; 3]> = HashMap::default();
    let mut abilities: HashMap<&String, Tally<P>> = HashMap::default();
    for (ability, rating, observer, k) in &counts.ratings {
        let slot = match rating {
            Rating::Exceptional => 0,
            Rating::Strong => 1,
            Rating::NotApplicable => 2,
            Rating::Misaligned | Rating::Concerning => continue,
        };
        if !in_scope.contains(observer) {
            continue;
        }
        raters.entry(observer).or_insert([0; 3])[slot] += k;
        let a = abilities.entry(ability).or_insert_with(Tally::new);
        a.by[slot] += k;
        a.raters.insert(observer);
    }
    let mut all: Tally<P> = Tally::new();
    // By the raters' team and by their level (BREAKDOWNS' first two).
    let mut groups: [BTreeMap<&str, Tally<P>>; 2] = Default::default();
    for (&rater, by) in &raters {
        all.add(rater, by);
        let names = keys.get(rater).into_iter().flatten();
        for (group, name) in groups.iter_mut().zip(names) {
            if let Some(name) = name {
                group
                    .entry(name.as_str())
                    .or_insert_with(Tally::new)
                    .add(rater, by);
            }
        }
    }
    let all_spread = all.spread();
    // Rating patterns are never one person's: with fewer than five raters
    // in scope there are none to show.
    if all_spread.raters < MIN_GROUP {
        return None;
    }
    let line = |name: String, spread: Spread, hidden: Option<Hidden>| RatingGroup {
        name,
        hidden,
        exceptional_ratio: hidden
            .is_none()
            .then(|| ratio(spread.exceptional_share(), all_spread.exceptional_share())),
        spread: hidden.is_none().then_some(spread),
    };
    let lines = |tallies: Vec<(String, Spread)>| -> Vec<RatingGroup> {
        let sizes: Vec<u64> = tallies.iter().map(|(_, s)| s.raters).collect();
        tallies
            .into_iter()
            .zip(shown_groups(&sizes))
            .map(|((name, spread), hidden)| line(name, spread, hidden))
            .collect()
    };
    // The abilities share raters (one observation rates several), so what
    // is hidden together is counted in distinct raters.
    let mut abilities: Vec<(&String, Tally<P>)> = abilities.into_iter().collect();
    abilities.sort_by(|a, b| a.0.cmp(b.0));
    let sizes: Vec<u64> = abilities
        .iter()
        .map(|(_, t)| t.raters.len() as u64)
        .collect();
    let shown = suppress(&sizes, |hidden| {
        hidden
            .iter()
            .flat_map(|&i| abilities[i].1.raters.iter())
            .collect::<HashSet<_>>()
            .len() as u64
    });
    let abilities = abilities
        .iter()
        .zip(shown)
        .map(|((name, t), hidden)| line((*name).clone(), t.spread(), hidden))
        .collect();
    let titles = [
        ("team", "By the raters' team"),
        ("level", "By the raters' position level"),
    ];
    let breakdowns = titles
        .iter()
        .zip(groups)
        .filter(|(_, g)| !g.is_empty())
        .map(|((by, title), g)| RatingBreakdown {
            by,
            title,
            groups: lines(
                g.into_iter()
                    .map(|(n, t)| (n.to_owned(), t.spread()))
                    .collect(),
            ),
        })
        .collect();
    Some(RatingPatterns {
        all: all_spread,
        abilities,
        breakdowns,
    })
}

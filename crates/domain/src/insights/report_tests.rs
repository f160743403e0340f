use std::collections::HashMap;

use super::report::*;
use crate::visibility::Rating;

#[test]
#[rustfmt::skip]
fn breakdowns_hide_small_groups_and_whatever_would_reveal_them() {
    let f = Some(Hidden::FewerThanFive);
    let p = Some(Hidden::ProtectsSmallerGroup);
    let cases: &[(&str, &[u64], &[Option<Hidden>])] = &[
        ("all large: all shown",                      &[5, 9, 12],    &[None, None, None]),
        ("one small: it and the smallest large",      &[3, 9, 12],    &[f, p, None]),
        ("two small making five: only they",          &[2, 3, 12],    &[f, f, None]),
        ("two small making four: one more",           &[1, 3, 12, 6], &[f, f, None, p]),
        ("one group of everyone",                     &[20],          &[None]),
        ("one small beside one large: both hidden",   &[1, 40],       &[f, p]),
        ("all small",                                 &[2, 2],        &[f, f]),
        ("nothing",                                   &[],            &[]),
    ];
    for (name, sizes, want) in cases {
        assert_eq!(shown_groups(sizes), *want, "{name}");
    }
}

#[test]
#[rustfmt::skip]
fn matrix_cells_under_five_are_hidden_with_what_would_reveal_them() {
    let cases: &[(&str, Vec<Vec<u64>>, Vec<u64>, Vec<Vec<bool>>)] = &[
        ("all five or more",
            vec![vec![9, 5], vec![6, 7]], vec![0, 0], vec![vec![true, true], vec![true, true]]),
        ("a cell of two hides the smallest other in its row and in its column",
            vec![vec![9, 2], vec![6, 7]], vec![0, 0], vec![vec![false, false], vec![true, false]]),
        ("two small cells of one column make five there, but each row hides one more",
            vec![vec![9, 2, 8], vec![6, 3, 7]], vec![0, 0, 0], vec![vec![true, false, false], vec![false, false, true]]),
        ("a hidden row's share of a column counts as hidden",
            vec![vec![9, 8]], vec![0, 5], vec![vec![true, true]]),
        ("a hidden row's small share hides the column's smallest cell",
            vec![vec![9, 8], vec![6, 20]], vec![0, 2], vec![vec![true, false], vec![true, true]]),
        ("an empty cell is nothing to protect",
            vec![vec![9, 0], vec![6, 7]], vec![0, 0], vec![vec![true, false], vec![true, true]]),
    ];
    for (name, cells, rest, want) in cases {
        assert_eq!(shown_cells(cells, rest), *want, "{name}");
    }
}

const DAY: i64 = 86_400_000;
const NOW: i64 = 20_000 * DAY;

fn person(id: u32, team: Option<&str>, level: Option<u32>, in_scope: bool) -> Person<u32> {
    Person {
        id,
        joined: NOW - i64::from(id % 40) * 30 * DAY,
        team: team.map(str::to_owned),
        level: level.map(|l| l.to_string()),
        manager: Some(format!("M{}", id % 3)),
        in_scope,
    }
}

/// A small deterministic generator, so the property below sees many
/// organizations of many shapes.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn random_org(seed: u64) -> (Vec<Person<u32>>, Counts<u32>) {
    let mut rng = Rng(seed);
    let n = 3 + rng.below(40) as u32;
    let teams = ["Ops", "Web", "Data", "Mobile"];
    let people: Vec<Person<u32>> = (0..n)
        .map(|i| {
            let team = (rng.below(5) != 0).then(|| teams[rng.below(4) as usize]);
            let level = (rng.below(4) != 0).then(|| 1 + rng.below(4) as u32);
            person(i, team, level, rng.below(6) != 0)
        })
        .collect();
    let mut pairs = HashMap::new();
    let mut written = HashMap::new();
    let mut ratings = HashMap::new();
    for _ in 0..rng.below(300) {
        let (a, b) = (
            rng.below(u64::from(n)) as u32,
            rng.below(u64::from(n)) as u32,
        );
        if a == b {
            continue;
        }
        *pairs.entry((a, b)).or_insert(0) += 1;
        *written.entry(a).or_insert(0) += 1;
        let rating = Rating::ALL[rng.below(5) as usize];
        let ability = format!("A{}", rng.below(4));
        *ratings.entry((ability, rating, a)).or_insert(0) += 1;
    }
    let counts = Counts {
        pairs: pairs.into_iter().map(|((a, b), k)| (a, b, k)).collect(),
        written: written.into_iter().collect(),
        ratings: ratings
            .into_iter()
            .map(|((x, r, a), k)| (x, r, a, k))
            .collect(),
    };
    (people, counts)
}

/// The promise of the privacy rule, over many organizations: no figure is
/// about fewer than five people, and nothing hidden can be worked out by
/// subtracting what is shown from a total that is shown.
#[test]
fn no_figure_is_about_fewer_than_five_people() {
    for seed in 0..400 {
        let (people, counts) = random_org(seed);
        let r = build(&people, &counts, NOW);
        let scope = people.iter().filter(|p| p.in_scope).count() as u64;
        if scope < 5 {
            assert_eq!(r.people, None, "seed {seed}");
            assert!(r.coverage.is_none() && r.matrix.is_none() && r.ratings.is_none());
            continue;
        }
        let c = r.coverage.as_ref().expect("coverage");
        for b in &c.breakdowns {
            let shown: Vec<&Group> = b.groups.iter().filter(|g| g.hidden.is_none()).collect();
            for g in &shown {
                assert!(g.members.unwrap_or(0) >= 5, "seed {seed} {}: {g:?}", b.by);
            }
            let in_groups: u64 = if b.by == "manager" {
                // Not everyone has a manager: the groups' total is not shown.
                continue;
            } else {
                c.members
            };
            let hidden = in_groups - shown.iter().map(|g| g.members.unwrap_or(0)).sum::<u64>();
            assert!(
                hidden == 0 || hidden >= 5,
                "seed {seed} {}: {hidden} hidden",
                b.by
            );
            for g in b.groups.iter().filter(|g| g.hidden.is_some()) {
                assert!(g.members.is_none() && g.mean.is_none() && g.histogram.is_none());
            }
        }
        if let Some(top) = r.concentration.as_ref().and_then(|k| k.top_tenth_people) {
            let k = r.concentration.as_ref().expect("concentration");
            assert_eq!(k.top_tenth_share.is_some(), top >= 5, "seed {seed}");
        }
        if let Some(m) = &r.matrix {
            for row in &m.rows {
                for cell in row.cells.iter().flatten() {
                    assert!(*cell >= 5, "seed {seed}: cell {cell}");
                }
            }
        }
        if let Some(ratings) = &r.ratings {
            assert!(ratings.all.raters >= 5);
            for g in ratings
                .abilities
                .iter()
                .chain(ratings.breakdowns.iter().flat_map(|b| &b.groups))
            {
                if let Some(s) = &g.spread {
                    assert!(s.raters >= 5, "seed {seed}: {g:?}");
                }
            }
            for b in &ratings.breakdowns {
                let shown: u64 = b
                    .groups
                    .iter()
                    .filter_map(|g| g.spread.as_ref())
                    .map(|s| s.raters)
                    .sum();
                let hidden = ratings.all.raters - shown;
                assert!(
                    hidden == 0 || hidden >= 5,
                    "seed {seed} {}: {hidden} raters hidden",
                    b.by
                );
            }
        }
    }
}

#[test]
fn a_team_never_observed_stands_out() {
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(person(i, Some("Ops"), Some(1), true));
        people.push(person(10 + i, Some("Web"), Some(1), true));
    }
    // Web observes Ops and itself; nobody observes Ops's neighbour team... Ops is never observed.
    let pairs: Vec<(u32, u32, u64)> = (0..6)
        .flat_map(|i| [(i, 10 + i, 2), (10 + i, 10 + (i + 1) % 6, 1)])
        .collect();
    let counts = Counts {
        pairs,
        written: vec![],
        ratings: vec![],
    };
    let r = build(&people, &counts, NOW);
    let c = r.coverage.expect("coverage");
    assert_eq!(c.without, 6);
    assert!((c.without_share - 0.5).abs() < 1e-9);
    let teams = c
        .breakdowns
        .iter()
        .find(|b| b.by == "team")
        .expect("by team");
    let ops = teams.groups.iter().find(|g| g.name == "Ops").expect("Ops");
    let web = teams.groups.iter().find(|g| g.name == "Web").expect("Web");
    assert_eq!(
        (ops.mean, ops.without_share, ops.ratio),
        (Some(0.0), Some(1.0), Some(0.0))
    );
    assert_eq!(
        (web.mean, web.without_share, web.ratio),
        (Some(3.0), Some(0.0), Some(2.0))
    );
    let m = r.matrix.expect("matrix");
    assert_eq!(m.columns, ["Ops", "Web"]);
    let row = |t: &str| {
        m.rows
            .iter()
            .find(|r| r.team == t)
            .expect("row")
            .cells
            .clone()
    };
    assert_eq!(row("Ops"), [None, Some(12)]);
    assert_eq!(row("Web"), [None, Some(6)]);
}

#[test]
fn rating_patterns_compare_a_group_with_everyone_and_never_show_one_rater() {
    let people: Vec<Person<u32>> = (0..12)
        .map(|i| person(i, Some(if i < 6 { "Ops" } else { "Web" }), None, true))
        .collect();
    let mut ratings = Vec::new();
    for i in 0..12 {
        // Ops rates Exceptional half the time, Web a quarter of the time.
        let exceptional = if i < 6 { 2 } else { 1 };
        ratings.push(("Testing".to_owned(), Rating::Exceptional, i, exceptional));
        ratings.push(("Testing".to_owned(), Rating::Strong, i, 4 - exceptional));
        ratings.push(("Testing".to_owned(), Rating::Concerning, i, 7));
    }
    ratings.push(("Design".to_owned(), Rating::Strong, 0, 3));
    let counts = Counts {
        pairs: vec![],
        written: vec![],
        ratings,
    };
    let r = build(&people, &counts, NOW).ratings.expect("ratings");
    assert_eq!(r.all.total(), 51, "sensitive ratings are not counted");
    let teams = &r.breakdowns[0];
    let ops = teams.groups.iter().find(|g| g.name == "Ops").expect("Ops");
    assert!((ops.exceptional_ratio.expect("shown") - (12.0 / 27.0) / (18.0 / 51.0)).abs() < 1e-9);
    let design = r
        .abilities
        .iter()
        .find(|g| g.name == "Design")
        .expect("Design");
    assert_eq!(
        (design.hidden, &design.spread),
        (Some(Hidden::FewerThanFive), &None)
    );
    let testing = r
        .abilities
        .iter()
        .find(|g| g.name == "Testing")
        .expect("Testing");
    assert_eq!(
        (testing.hidden, &testing.spread),
        (Some(Hidden::ProtectsSmallerGroup), &None),
        "everyone's spread minus Testing's would be Design's one rater's"
    );

    let few: Vec<Person<u32>> = (0..8).map(|i| person(i, None, None, true)).collect();
    let one_rater = Counts {
        pairs: vec![],
        written: vec![],
        ratings: vec![("Testing".to_owned(), Rating::Strong, 0, 40)],
    };
    assert_eq!(
        build(&few, &one_rater, NOW).ratings,
        None,
        "one rater's pattern is never shown"
    );
}

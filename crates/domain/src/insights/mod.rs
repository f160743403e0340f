//! Insights: the arithmetic of who gets seen, the privacy rule every
//! insight passes through, and ([`report`]) the report built from both.
//!
//! The privacy rule ([`disclose`]) is the one place that decides whether a
//! figure may be shown: a group of fewer than five people shows as "fewer
//! than 5" and is never broken down further; rating patterns are never
//! shown for one person; a cell of the team × team matrix with fewer than
//! five observations is hidden. Insights are aggregates over what the
//! viewer could already read, which the caller ensures by counting only
//! those people and observations.

pub mod report;
#[cfg(test)]
mod report_tests;

/// Whether observations at `privacy` count in insights: those every
/// member may read (see [`report`]'s note).
pub fn counted(privacy: crate::visibility::Privacy) -> bool {
    use crate::visibility::Privacy::*;
    matches!(privacy, Organization | Public)
}

/// Whose insights a viewer sees: people leads everyone's, managers their
/// reports' (direct or not), nobody else any (None).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Organization,
    Reports,
}

pub fn viewer(people_lead: bool, has_reports: bool) -> Option<Viewer> {
    match (people_lead, has_reports) {
        (true, _) => Some(Viewer::Organization),
        (false, true) => Some(Viewer::Reports),
        (false, false) => None,
    }
}

/// The periods the page offers, in days; the default is 90.
pub const PERIODS: [u32; 4] = [30, 90, 180, 365];
pub const DEFAULT_PERIOD: u32 = 90;

/// A period from the address (`?days=`): empty is the default; otherwise
/// a whole number of days from 7 to 1095.
pub fn period(s: &str) -> Result<u32, &'static str> {
    match s.trim() {
        "" => Ok(DEFAULT_PERIOD),
        t => t
            .parse::<u32>()
            .ok()
            .filter(|d| (7..=1095).contains(d))
            .ok_or("Give the period as a whole number of days from 7 to 1095."),
    }
}

/// The smallest group a figure is shown for.
pub const MIN_GROUP: u64 = 5;

/// Which kind of figure is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Observations received: distributions, deserts.
    Coverage,
    /// Observations written: shares, Gini coefficients.
    Concentration,
    /// How ratings spread.
    Ratings,
    /// One cell of the team × team matrix (observer's team × observee's).
    MatrixCell,
}

/// Who a figure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everyone in the viewer's scope.
    All,
    /// A group of them (a team, a level, a manager's reports, a tenure band).
    Group,
    /// One person.
    Person,
}

/// A figure the page would show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask {
    pub figure: Figure,
    pub scope: Scope,
    /// How many people the figure is about.
    pub people: u64,
    /// How many observations it counts (what a matrix cell shows).
    pub observations: u64,
    /// Whether the group it breaks down was itself shown.
    pub parent_shown: bool,
}

/// What may be shown of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    Shown,
    /// "fewer than 5".
    FewerThanFive,
    /// Rating patterns are never shown for one person.
    NotPerPerson,
    /// Its group was not shown, so neither is any part of it.
    HiddenWithParent,
}

/// The privacy rule.
pub fn disclose(a: &Ask) -> Disclosure {
    if !a.parent_shown {
        return Disclosure::HiddenWithParent;
    }
    match (a.figure, a.scope) {
        (Figure::Ratings, Scope::Person) => Disclosure::NotPerPerson,
        (Figure::MatrixCell, _) if a.observations < MIN_GROUP => Disclosure::FewerThanFive,
        (_, Scope::Person) => Disclosure::Shown,
        _ if a.people < MIN_GROUP => Disclosure::FewerThanFive,
        _ => Disclosure::Shown,
    }
}

/// The Gini coefficient of a distribution (0: all equal; towards 1: one
/// holds everything); 0 for an empty or all-zero one.
pub fn gini(values: &[u64]) -> f64 {
    let n = values.len() as f64;
    let total: u64 = values.iter().sum();
    if values.is_empty() || total == 0 {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    // G = (2 Σ i·x_i) / (n Σ x) − (n + 1) / n, with i from 1, ascending.
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| (i as f64 + 1.0) * x as f64)
        .sum();
    2.0 * weighted / (n * total as f64) - (n + 1.0) / n
}

/// The share of the total held by the top `fraction` of the values (at
/// least one value): "the most active 10 % of observers wrote 48 %".
pub fn top_share(values: &[u64], fraction: f64) -> f64 {
    let total: u64 = values.iter().sum();
    if values.is_empty() || total == 0 {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let k = ((values.len() as f64 * fraction).ceil() as usize).clamp(1, values.len());
    sorted[..k].iter().sum::<u64>() as f64 / total as f64
}

/// How long someone has been a member, in the bands insights compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TenureBand {
    /// Joined less than 6 months ago.
    New,
    /// 6 to 24 months.
    Settling,
    /// More than 24 months.
    Established,
}

impl TenureBand {
    pub fn label(self) -> &'static str {
        match self {
            TenureBand::New => "joined < 6 months",
            TenureBand::Settling => "6–24 months",
            TenureBand::Established => "> 24 months",
        }
    }

    /// The band of someone who joined at `joined` (unix ms), at `now`;
    /// months are calendar months counted by date.
    pub fn of(joined: i64, now: i64) -> TenureBand {
        let (jy, jm, jd) = crate::wording::civil(joined);
        let (ny, nm, nd) = crate::wording::civil(now);
        let mut months = (ny - jy) * 12 + i64::from(nm) - i64::from(jm);
        if nd < jd {
            months -= 1;
        }
        match months {
            m if m < 6 => TenureBand::New,
            m if m <= 24 => TenureBand::Settling,
            _ => TenureBand::Established,
        }
    }
}

/// The histogram of observations received per person: buckets 0, 1, 2–3,
/// 4–7, 8–15 and 16 or more, with how many people fall in each.
pub fn histogram(counts: &[u64]) -> [(&'static str, u64); 6] {
    let mut out = [
        ("0", 0),
        ("1", 0),
        ("2–3", 0),
        ("4–7", 0),
        ("8–15", 0),
        ("16+", 0),
    ];
    for &c in counts {
        let i = match c {
            0 => 0,
            1 => 1,
            2..=3 => 2,
            4..=7 => 3,
            8..=15 => 4,
            _ => 5,
        };
        out[i].1 += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Disclosure::*;
    use Figure::*;
    use Scope::*;

    #[test]
    #[rustfmt::skip]
    fn the_privacy_rule() {
        let ask = |figure, scope, people, observations, parent_shown| Ask { figure, scope, people, observations, parent_shown };
        let cases: &[(&str, Ask, Disclosure)] = &[
            ("the whole scope, large",            ask(Coverage, All, 40, 300, true),         Shown),
            ("the whole scope, four people",      ask(Coverage, All, 4, 300, true),          FewerThanFive),
            ("a team of five",                    ask(Coverage, Group, 5, 10, true),         Shown),
            ("a team of four",                    ask(Coverage, Group, 4, 10, true),         FewerThanFive),
            ("a team of one",                     ask(Concentration, Group, 1, 10, true),    FewerThanFive),
            ("a part of a hidden group",          ask(Coverage, Group, 12, 50, false),       HiddenWithParent),
            ("ratings of a large group",          ask(Ratings, Group, 8, 40, true),          Shown),
            ("ratings of a small group",          ask(Ratings, Group, 3, 40, true),          FewerThanFive),
            ("ratings of one person, ever",       ask(Ratings, Person, 1, 400, true),        NotPerPerson),
            ("a deserted member, listed",         ask(Coverage, Person, 1, 0, true),         Shown),
            ("a person under a hidden group",     ask(Coverage, Person, 1, 0, false),        HiddenWithParent),
            ("a matrix cell of five",             ask(MatrixCell, Group, 9, 5, true),        Shown),
            ("a matrix cell of four",             ask(MatrixCell, Group, 9, 4, true),        FewerThanFive),
            ("a matrix cell of none",             ask(MatrixCell, Group, 9, 0, true),        FewerThanFive),
            ("a matrix cell of teams under five", ask(MatrixCell, Group, 2, 30, true),       FewerThanFive),
        ];
        for (name, a, want) in cases {
            assert_eq!(disclose(a), *want, "{name}");
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    #[rustfmt::skip]
    fn gini_and_top_shares() {
        let cases: &[(&[u64], f64, f64)] = &[
            // values, Gini, share of the top 10 %
            (&[],                         0.0, 0.0),
            (&[0, 0, 0],                  0.0, 0.0),
            (&[5, 5, 5, 5],               0.0, 0.25),
            (&[0, 0, 0, 10],              0.75, 1.0),
            (&[1, 2, 3, 4],               0.25, 0.4),
            (&[10, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.9, 1.0),
        ];
        for (values, g, share) in cases {
            assert!(close(gini(values), *g), "gini {values:?}: {}", gini(values));
            assert!(close(top_share(values, 0.1), *share), "share {values:?}: {}", top_share(values, 0.1));
        }
    }

    #[test]
    fn tenure_bands_count_calendar_months() {
        let day = |s: &str| crate::wording::parse_date(s).expect("date");
        for (joined, now, want) in [
            ("2026-01-15", "2026-07-14", TenureBand::New),
            ("2026-01-15", "2026-07-15", TenureBand::Settling),
            ("2024-01-15", "2026-01-15", TenureBand::Settling),
            ("2024-01-15", "2026-02-15", TenureBand::Established),
            ("2026-12-01", "2026-12-01", TenureBand::New),
        ] {
            assert_eq!(
                TenureBand::of(day(joined), day(now)),
                want,
                "{joined} → {now}"
            );
        }
    }

    #[test]
    #[rustfmt::skip]
    fn who_sees_insights_and_over_what() {
        let cases: &[(bool, bool, Option<Viewer>)] = &[
            // people lead, has reports
            (true,  false, Some(Viewer::Organization)),
            (true,  true,  Some(Viewer::Organization)),
            (false, true,  Some(Viewer::Reports)),
            (false, false, None),
        ];
        for (lead, reports, want) in cases {
            assert_eq!(viewer(*lead, *reports), *want, "{lead} {reports}");
        }
        for (input, want) in [("", Ok(90)), ("30", Ok(30)), (" 365 ", Ok(365)), ("6", Err(())), ("1096", Err(())), ("ninety", Err(())), ("-5", Err(()))] {
            assert_eq!(period(input).map_err(|_| ()), want, "{input:?}");
        }
    }

    #[test]
    fn histogram_buckets() {
        let h = histogram(&[0, 0, 1, 2, 3, 4, 7, 8, 15, 16, 200]);
        let counts: Vec<u64> = h.iter().map(|b| b.1).collect();
        assert_eq!(counts, [2, 1, 2, 2, 2, 2]);
        assert_eq!(histogram(&[]).iter().map(|b| b.1).sum::<u64>(), 0);
    }
}

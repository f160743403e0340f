//! Recency of milestones: when an award was last evidenced, and when that
//! is long enough ago to call it stale. Nothing here revokes or lowers
//! anything, and miles never depend on it: a stale milestone is a prompt
//! to observe, told once each time it crosses the threshold.
//!
//! Decisions where the issue is silent:
//! - Evidence is a published observation the holder may read (a level that
//!   includes the people observed), so the date on their journey never
//!   tells them of an observation they cannot see.
//! - The last-evidenced date is the later of the award and the newest such
//!   observation: an award is itself evidence on its day.
//! - Only the highest live milestone a person holds on an ability is
//!   counted and nudged; the lower ones are implied by it.

use crate::visibility::{Privacy, Rating};

/// The default threshold, in months.
pub const STALE_MONTHS: u32 = 18;

/// Does an observation at `privacy` rating `rating` evidence the people it
/// observes on that ability?
pub fn evidences(privacy: Privacy, rating: Rating) -> bool {
    privacy.includes_observees() && matches!(rating, Rating::Strong | Rating::Exceptional)
}

/// The day an award was last evidenced.
pub fn last_evidenced(awarded_at: i64, newest_observation: Option<i64>) -> i64 {
    newest_observation.map_or(awarded_at, |o| o.max(awarded_at))
}

/// The same time of day `months` calendar months before `now` (the last
/// day of the month when that month is shorter).
pub fn months_before(now: i64, months: u32) -> i64 {
    let day = 86_400_000;
    let time = now.rem_euclid(day);
    let (y, m, d) = crate::wording::civil(now);
    let total = y * 12 + i64::from(m) - 1 - i64::from(months);
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    (0..4)
        .find_map(|back| crate::wording::parse_date(&format!("{y:04}-{m:02}-{:02}", d - back)))
        .map_or(now, |midnight| midnight + time)
}

/// Whether a milestone last evidenced at `last` is stale at `now`.
pub fn is_stale(last: i64, now: i64, months: u32) -> bool {
    months > 0 && last < months_before(now, months)
}

/// Whether to nudge now: stale, and not yet nudged for this last-evidenced
/// day (a fresher observation starts a new crossing).
pub fn should_nudge(last: i64, nudged_for: Option<i64>, now: i64, months: u32) -> bool {
    is_stale(last, now, months) && nudged_for != Some(last)
}

/// Whole calendar months from `then` to `now`.
pub fn months_between(then: i64, now: i64) -> i64 {
    let (ty, tm, td) = crate::wording::civil(then);
    let (ny, nm, nd) = crate::wording::civil(now);
    let months = (ny - ty) * 12 + i64::from(nm) - i64::from(tm);
    months - i64::from(nd < td)
}

/// "last evidenced 14 months ago", "last evidenced today".
pub fn evidenced_words(last: i64, now: i64) -> String {
    match months_between(last, now) {
        m if m >= 2 => format!("last evidenced {m} months ago"),
        1 => "last evidenced 1 month ago".into(),
        _ if now - last < 86_400_000 => "last evidenced today".into(),
        _ => format!("last evidenced {}", crate::wording::ago(last, now)),
    }
}

/// The nudge: to the holder (`whose` None) or to a manager about them.
pub fn nudge(whose: Option<&str>, ability: &str, level: u8, last: i64, now: i64) -> String {
    let subject = match whose {
        None => format!("Your {ability} milestone {level}"),
        Some(name) => format!("{name}'s {ability} milestone {level}"),
    };
    format!(
        "{subject} was {} — an observation would refresh it",
        evidenced_words(last, now)
    )
}

/// The health report's line: "3 milestones not evidenced in 18 months".
pub fn health_finding(stale: u64, months: u32) -> Option<crate::health::Finding> {
    (stale > 0 && months > 0).then(|| crate::health::Finding {
        severity: crate::health::Severity::Warning,
        text: format!(
            "{} not evidenced in {months} months: an observation of each would refresh it (nothing is revoked).",
            crate::wording::pluralize(stale, "milestone", "milestones")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wording::parse_date;

    fn day(s: &str) -> i64 {
        parse_date(s).expect("date")
    }

    #[test]
    #[rustfmt::skip]
    fn what_evidences_a_milestone() {
        use Privacy::*;
        use Rating::*;
        let cases: &[(Privacy, Rating, bool)] = &[
            (Public, Strong, true),
            (Organization, Exceptional, true),
            (ObserveesAndManagers, Strong, true),
            (Observees, Exceptional, true),
            (Managers, Strong, false),       // the holder cannot read it
            (Journal, Exceptional, false),
            (Public, NotApplicable, false),
            (Public, Misaligned, false),
            (Organization, Concerning, false),
        ];
        for (p, r, want) in cases {
            assert_eq!(evidences(*p, *r), *want, "{p:?} {r:?}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn stale_after_the_threshold_and_told_once_per_crossing() {
        let now = day("2026-12-02");
        let cases: &[(&str, &str, Option<&str>, u32, bool, bool)] = &[
            // last evidenced, (now), nudged for, months, stale, nudge
            ("award 17 months ago",          "2025-07-02", None,               18, false, false),
            ("exactly 18 months ago",        "2025-06-02", None,               18, false, false),
            ("18 months and a day ago",      "2025-06-01", None,               18, true,  true),
            ("three years ago",              "2023-12-01", None,               18, true,  true),
            ("already told for this date",   "2023-12-01", Some("2023-12-01"), 18, true,  false),
            ("refreshed, then stale again",  "2024-06-01", Some("2023-12-01"), 18, true,  true),
            ("threshold 0 turns it off",     "2020-01-01", None,               0,  false, false),
            ("a shorter threshold",          "2026-05-01", None,               6,  true,  true),
        ];
        for (name, last, nudged, months, stale, nudge) in cases {
            let last = day(last);
            assert_eq!(is_stale(last, now, *months), *stale, "{name}");
            assert_eq!(should_nudge(last, nudged.map(day), now, *months), *nudge, "{name}");
        }
    }

    #[test]
    fn months_before_keeps_the_day_or_the_months_last() {
        for (now, months, want) in [
            ("2026-12-02", 18, "2025-06-02"),
            ("2026-03-31", 1, "2026-02-28"),
            ("2024-03-31", 1, "2024-02-29"),
            ("2026-01-15", 12, "2025-01-15"),
        ] {
            assert_eq!(
                months_before(day(now), months),
                day(want),
                "{now} - {months}"
            );
        }
    }

    #[test]
    fn the_last_evidenced_date_is_the_later_of_award_and_observation() {
        assert_eq!(last_evidenced(100, None), 100);
        assert_eq!(last_evidenced(100, Some(50)), 100);
        assert_eq!(last_evidenced(100, Some(150)), 150);
    }

    #[test]
    fn the_health_line() {
        assert_eq!(health_finding(0, 18), None);
        assert_eq!(health_finding(4, 0), None);
        let f = health_finding(1, 18).expect("line");
        assert!(
            f.text.starts_with("1 milestone not evidenced in 18 months"),
            "{}",
            f.text
        );
        let f = health_finding(3, 18).expect("line");
        assert!(
            f.text
                .starts_with("3 milestones not evidenced in 18 months"),
            "{}",
            f.text
        );
    }

    #[test]
    fn words() {
        let now = day("2026-12-02");
        assert_eq!(
            evidenced_words(day("2025-10-02"), now),
            "last evidenced 14 months ago"
        );
        assert_eq!(
            evidenced_words(day("2026-11-01"), now),
            "last evidenced 1 month ago"
        );
        assert_eq!(evidenced_words(now, now), "last evidenced today");
        assert_eq!(
            evidenced_words(day("2026-11-22"), now),
            "last evidenced 10 days ago"
        );
        assert_eq!(
            nudge(Some("Ana"), "Incident Response", 3, day("2025-05-02"), now),
            "Ana's Incident Response milestone 3 was last evidenced 19 months ago — an observation would refresh it"
        );
        assert_eq!(
            nudge(None, "Testing", 2, day("2024-12-02"), now),
            "Your Testing milestone 2 was last evidenced 24 months ago — an observation would refresh it"
        );
    }
}

//! How numbers, ages and rules read on the page, in one place.

use crate::framework::{Level, Name};

/// "1 mile", "6 miles".
pub fn miles(n: u32) -> String {
    pluralize(u64::from(n), "mile", "miles")
}

/// "adds 1 mile to your journey".
pub fn adds_miles(n: u32) -> String {
    format!("adds {} to your journey", miles(n))
}

/// The journey's word for the next milestone, in the ability page's
/// sense of "adds": a milestone adds its whole scale value to a journey,
/// so from M2 (3 miles) "M3 would add 3 more miles (6 in total)". "Your
/// journey" only on the reader's own.
pub fn would_add(more: u32, total: u32, yours: bool) -> String {
    let more = pluralize(u64::from(more), "more mile", "more miles");
    if yours {
        format!("would add {more} to your journey ({total} in total)")
    } else {
        format!("would add {more} ({total} in total)")
    }
}

/// "Ops Engineers must be milestone 1+".
pub fn must_be(plural: &Name, level: Level) -> String {
    format!("{plural} must be milestone {level}+")
}

/// "9,995": a count with its thousands marked.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 role", "2 roles".
pub fn pluralize(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A UTC calendar date from unix milliseconds: (year, month 1..=12, day).
pub fn civil(ms: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm.
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Unix milliseconds of a UTC calendar date "YYYY-MM-DD" (midnight).
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1900..=9999).contains(&y) {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let ms = (era * 146_097 + doe - 719_468) * 86_400_000;
    // Reject dates that do not exist (2023-02-30).
    (date(ms) == format!("{y:04}-{m:02}-{d:02}")).then_some(ms)
}

/// "2026-11-29".
pub fn date(ms: i64) -> String {
    let (y, m, d) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

/// "2026-11-29 08:55" (UTC, to the minute).
pub fn date_time(ms: i64) -> String {
    let minute = ms.rem_euclid(86_400_000) / 60_000;
    format!("{} {:02}:{:02}", date(ms), minute / 60, minute % 60)
}

/// "2026-11-29T08:55:03Z": RFC 3339 in UTC, to the second (Atom feeds,
/// CASE and credentials).
pub fn timestamp(ms: i64) -> String {
    let second = ms.rem_euclid(86_400_000) / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(ms),
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

const MINUTES_IN_YEAR: i64 = 525_600;
const MINUTES_IN_QUARTER_YEAR: i64 = 131_400;
const MINUTES_IN_THREE_QUARTERS_YEAR: i64 = 394_200;

/// The distance between two times in words, exactly as Rails'
/// `distance_of_time_in_words` (without seconds) words it: "less than a
/// minute", "about 1 hour", "3 days", "about 1 month", "over 2 years",
/// "almost 5 years". Order of the arguments does not matter.
pub fn distance_in_words(from_ms: i64, to_ms: i64) -> String {
    let (from_ms, to_ms) = if from_ms <= to_ms {
        (from_ms, to_ms)
    } else {
        (to_ms, from_ms)
    };
    let seconds = (to_ms - from_ms) as f64 / 1000.0;
    // Ruby's Float#round: half away from zero.
    let minutes = (seconds / 60.0).round() as i64;
    let count = |n: i64, one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.replace("%", &n.to_string())
        }
    };
    let div_round = |n: i64, d: f64| (n as f64 / d).round() as i64;
    match minutes {
        0 => "less than a minute".into(),
        1..45 => count(minutes, "1 minute", "% minutes"),
        45..90 => "about 1 hour".into(),
        90..1440 => count(div_round(minutes, 60.0), "about 1 hour", "about % hours"),
        1440..2520 => "1 day".into(),
        2520..43_200 => count(div_round(minutes, 1440.0), "1 day", "% days"),
        43_200..86_400 => count(
            div_round(minutes, 43_200.0),
            "about 1 month",
            "about % months",
        ),
        86_400..525_600 => count(div_round(minutes, 43_200.0), "1 month", "% months"),
        _ => {
            let (from_year, from_month, _) = civil(from_ms);
            let (to_year, to_month, _) = civil(to_ms);
            let from_year = from_year + i64::from(from_month >= 3);
            let to_year = to_year - i64::from(to_month < 3);
            let leap_days = if from_year > to_year {
                0
            } else {
                (from_year..=to_year).filter(|y| is_leap(*y)).count() as i64
            };
            let minutes = minutes - leap_days * 1440;
            let remainder = minutes.rem_euclid(MINUTES_IN_YEAR);
            let years = minutes.div_euclid(MINUTES_IN_YEAR);
            if remainder < MINUTES_IN_QUARTER_YEAR {
                count(years, "about 1 year", "about % years")
            } else if remainder < MINUTES_IN_THREE_QUARTERS_YEAR {
                count(years, "over 1 year", "over % years")
            } else {
                count(years + 1, "almost 1 year", "almost % years")
            }
        }
    }
}

/// "3 days ago".
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    format!("{} ago", distance_in_words(then_ms, now_ms))
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_mark_their_thousands() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (9_995, "9,995"),
            (1_234_567, "1,234,567"),
        ];
        for (n, want) in cases {
            assert_eq!(super::count(n), want);
        }
    }

    #[test]
    fn date_times_are_utc_to_the_minute() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01 00:00"),
            (59_999, "1970-01-01 00:00"),
            (60_000, "1970-01-01 00:01"),
            (86_399_999, "1970-01-01 23:59"),
            (1_795_941_300_000, "2026-11-29 08:35"),
            (-60_000, "1969-12-31 23:59"),
        ];
        for (ms, want) in cases {
            assert_eq!(date_time(*ms), *want, "{ms}");
        }
    }

    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_to_the_second() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01T00:00:00Z"),
            (999, "1970-01-01T00:00:00Z"),
            (86_399_999, "1970-01-01T23:59:59Z"),
            (1_795_941_303_000, "2026-11-29T08:35:03Z"),
            (-1_000, "1969-12-31T23:59:59Z"),
        ];
        for (ms, want) in cases {
            assert_eq!(timestamp(*ms), *want, "{ms}");
        }
    }

    #[test]
    fn miles_wording() {
        for (n, expected) in [
            (0, "adds 0 miles to your journey"),
            (1, "adds 1 mile to your journey"),
            (3, "adds 3 miles to your journey"),
            (20, "adds 20 miles to your journey"),
        ] {
            assert_eq!(adds_miles(n), expected);
        }
    }

    #[test]
    #[rustfmt::skip]
    fn the_next_milestone_adds_its_difference_and_says_the_total() {
        let cases = [
            (1, 1, true,   "would add 1 more mile to your journey (1 in total)"),
            (3, 6, true,   "would add 3 more miles to your journey (6 in total)"),
            (3, 6, false,  "would add 3 more miles (6 in total)"),
            (8, 20, false, "would add 8 more miles (20 in total)"),
        ];
        for (more, total, yours, want) in cases {
            assert_eq!(would_add(more, total, yours), want);
        }
    }

    #[test]
    fn requirement_wording() {
        let plural = Name::parse("Ops Engineers", "plural").expect("name");
        for (level, expected) in [
            (1, "Ops Engineers must be milestone 1+"),
            (5, "Ops Engineers must be milestone 5+"),
        ] {
            assert_eq!(
                must_be(&plural, Level::parse(level).expect("level")),
                expected
            );
        }
    }

    #[test]
    fn dates_parse_back() {
        for (text, ms) in [
            ("1970-01-01", Some(0)),
            ("2000-02-29", Some(951_782_400_000)),
            ("2023-02-29", None),
            ("2023-13-01", None),
            ("nope", None),
        ] {
            assert_eq!(parse_date(text), ms, "{text}");
        }
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        for (ms, expected) in [
            (0, "1970-01-01"),
            (951_782_400_000, "2000-02-29"),
            (1_700_000_000_000, "2023-11-14"),
            (-86_400_000, "1969-12-31"),
        ] {
            assert_eq!(date(ms), expected);
        }
    }

    /// Every boundary of Rails' table, from a fixed start (2020-01-01, so
    /// the leap-day correction of the year rows is exercised too).
    #[test]
    fn distance_in_words_matches_rails_at_every_boundary() {
        let start: i64 = 1_577_836_800_000; // 2020-01-01T00:00:00Z
        let s = 1000;
        let m = 60 * s;
        let d = 1440 * m;
        let cases: &[(i64, &str)] = &[
            (0, "less than a minute"),
            (29 * s, "less than a minute"),
            (30 * s, "1 minute"), // rounds to 1 minute
            (89 * s, "1 minute"),
            (90 * s, "2 minutes"),
            (44 * m + 29 * s, "44 minutes"),
            (44 * m + 30 * s, "about 1 hour"),
            (89 * m + 29 * s, "about 1 hour"),
            (89 * m + 30 * s, "about 2 hours"),
            (23 * 60 * m + 59 * m + 29 * s, "about 24 hours"),
            (23 * 60 * m + 59 * m + 30 * s, "1 day"),
            (41 * 60 * m + 59 * m + 29 * s, "1 day"),
            (42 * 60 * m, "2 days"),
            (3 * d, "3 days"),
            (29 * d + 23 * 60 * m + 59 * m + 29 * s, "30 days"),
            (30 * d, "about 1 month"),
            (45 * d, "about 2 months"),
            (59 * d + 23 * 60 * m + 59 * m + 29 * s, "about 2 months"),
            (60 * d, "2 months"),
            (364 * d + 23 * 60 * m + 59 * m + 29 * s, "12 months"),
            // Rails discounts leap days: 365 days into leap 2020 is
            // "almost 1 year", a full 366 days "about 1 year".
            (365 * d, "almost 1 year"),
            (366 * d, "about 1 year"),
            (366 * d + 91 * d - 1, "about 1 year"),
            (366 * d + 92 * d, "over 1 year"),
            (366 * d + 273 * d, "over 1 year"),
            (366 * d + 274 * d, "almost 2 years"),
            (366 * d + 365 * d, "about 2 years"),
            (4 * 365 * d + d + 300 * d, "almost 5 years"),
        ];
        let mut wrong = Vec::new();
        for (offset, expected) in cases {
            let got = distance_in_words(start, start + offset);
            if got != *expected {
                wrong.push(format!("+{offset} ms: expected {expected:?}, got {got:?}"));
            }
            assert_eq!(distance_in_words(start + offset, start), got, "symmetric");
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert_eq!(ago(start, start + 3 * d), "3 days ago");
    }
}

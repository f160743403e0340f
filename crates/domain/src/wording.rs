//! How numbers and rules read on the page, in one place.

use crate::framework::{Level, Name};

/// "1 mile", "6 miles".
pub fn miles(n: u32) -> String {
    pluralize(u64::from(n), "mile", "miles")
}

/// "adds 1 mile to your journey".
pub fn adds_miles(n: u32) -> String {
    format!("adds {} to your journey", miles(n))
}

/// "Ops Engineers must be milestone 1+".
pub fn must_be(plural: &Name, level: Level) -> String {
    format!("{plural} must be milestone {level}+")
}

/// "1 role", "2 roles".
pub fn pluralize(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

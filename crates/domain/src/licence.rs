//! The licence an organization offers its published framework under, and
//! what that allows: whether another organization may fork it, what the
//! fork must say on every item, and which licences the fork may choose.
//!
//! Four choices, named by their SPDX ids in files and the API. "none"
//! (all rights reserved) is the default: nobody chose to let others copy,
//! so nobody may fork. CC BY and CC BY-SA require attribution; BY-SA also
//! requires the fork to keep BY-SA ("share alike"); CC0 requires nothing.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Licence {
    #[default]
    None,
    CcBy4,
    CcBySa4,
    Cc0,
}

impl Licence {
    pub const ALL: [Licence; 4] = [
        Licence::None,
        Licence::CcBy4,
        Licence::CcBySa4,
        Licence::Cc0,
    ];

    /// The SPDX id ("none" for all rights reserved).
    pub fn as_str(self) -> &'static str {
        match self {
            Licence::None => "none",
            Licence::CcBy4 => "CC-BY-4.0",
            Licence::CcBySa4 => "CC-BY-SA-4.0",
            Licence::Cc0 => "CC0-1.0",
        }
    }

    /// An SPDX id as written in a file or a form, any case.
    pub fn parse(s: &str) -> Option<Licence> {
        let s = s.trim();
        Licence::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }

    /// What pages call it.
    pub fn label(self) -> &'static str {
        match self {
            Licence::None => "All rights reserved",
            Licence::CcBy4 => "CC BY 4.0",
            Licence::CcBySa4 => "CC BY-SA 4.0",
            Licence::Cc0 => "CC0 1.0 (public domain)",
        }
    }

    /// The licence's text, when it has one.
    pub fn url(self) -> Option<&'static str> {
        match self {
            Licence::None => None,
            Licence::CcBy4 => Some("https://creativecommons.org/licenses/by/4.0/"),
            Licence::CcBySa4 => Some("https://creativecommons.org/licenses/by-sa/4.0/"),
            Licence::Cc0 => Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        }
    }

    /// Whether a copy must name where it came from.
    pub fn requires_attribution(self) -> bool {
        matches!(self, Licence::CcBy4 | Licence::CcBySa4)
    }

    /// Whether others may copy (fork) the framework.
    pub fn allows_fork(self) -> bool {
        self != Licence::None
    }

    /// Whether a fork of a framework under `self` may be offered under
    /// `chosen`: share-alike keeps its licence; the others let the fork
    /// choose (all rights reserved included).
    pub fn allows_fork_licence(self, chosen: Licence) -> bool {
        match self {
            Licence::CcBySa4 => chosen == Licence::CcBySa4,
            _ => true,
        }
    }

    /// The licence a fork starts with: share-alike must stay; otherwise
    /// all rights reserved until its owners choose.
    pub fn for_fork(self) -> Licence {
        match self {
            Licence::CcBySa4 => Licence::CcBySa4,
            _ => Licence::None,
        }
    }
}

impl fmt::Display for Licence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a fork was refused.
pub fn fork_refusal(upstream_name: &str, licence: Licence) -> Option<String> {
    (!licence.allows_fork()).then(|| {
        format!(
            "{upstream_name} has not offered its framework under a licence that allows copying (it is {}): ask them to choose one",
            licence.label()
        )
    })
}

/// The attribution a forked item carries, when the licence requires one.
pub fn attribution(licence: Licence, upstream_name: &str, upstream_url: &str) -> Option<String> {
    licence.requires_attribution().then(|| {
        format!(
            "Adapted from {upstream_name}'s framework ({upstream_url}), {}",
            licence.label()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_in_any_case_and_nothing_else_does() {
        for l in Licence::ALL {
            assert_eq!(Licence::parse(l.as_str()), Some(l));
            assert_eq!(Licence::parse(&l.as_str().to_lowercase()), Some(l));
        }
        for bad in ["", "CC-BY", "MIT", "cc by 4.0", "CC-BY-NC-4.0"] {
            assert_eq!(Licence::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn what_each_licence_allows() {
        use Licence::*;
        // (licence, may fork, needs attribution, the fork starts as)
        let table = [
            (None, false, false, None),
            (CcBy4, true, true, None),
            (CcBySa4, true, true, CcBySa4),
            (Cc0, true, false, None),
        ];
        for (l, fork, attribute, starts) in table {
            assert_eq!(l.allows_fork(), fork, "{l:?} fork");
            assert_eq!(l.requires_attribution(), attribute, "{l:?} attribution");
            assert_eq!(l.for_fork(), starts, "{l:?} fork starts");
            assert_eq!(fork_refusal("Acme", l).is_none(), fork, "{l:?} refusal");
            assert_eq!(
                attribution(l, "Acme", "https://x/acme").is_some(),
                attribute,
                "{l:?} attribution text"
            );
            assert!(l.allows_fork_licence(l.for_fork()), "{l:?} its own start");
        }
    }

    #[test]
    fn share_alike_keeps_its_licence_and_the_others_let_the_fork_choose() {
        use Licence::*;
        for upstream in Licence::ALL {
            for chosen in Licence::ALL {
                let expected = upstream != CcBySa4 || chosen == CcBySa4;
                assert_eq!(
                    upstream.allows_fork_licence(chosen),
                    expected,
                    "{upstream:?} → {chosen:?}"
                );
            }
        }
    }

    #[test]
    fn the_refusal_and_attribution_say_whose_and_which_licence() {
        let why = fork_refusal("Acme", Licence::None).expect("refused");
        assert!(
            why.contains("Acme") && why.contains("All rights reserved"),
            "{why}"
        );
        let text = attribution(Licence::CcBySa4, "Acme", "https://x/acme").expect("needed");
        assert_eq!(
            text,
            "Adapted from Acme's framework (https://x/acme), CC BY-SA 4.0"
        );
    }
}

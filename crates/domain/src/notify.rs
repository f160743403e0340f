//! Notifications: who is told what. Every recipient is someone the pages'
//! rules let open what the notification links to; nobody else is told.

use std::collections::HashSet;
use std::hash::Hash;

use crate::visibility::{ObservationFacts, Reader, can_read};

/// A kind of event people are told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An observation of them was published (or re-levelled) where they
    /// may now read it.
    Observed,
    /// They were awarded a milestone.
    Awarded,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Observed, Kind::Awarded];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Observed => "observed",
            Kind::Awarded => "awarded",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The people observed who may read the observation as it is now and
/// could not as it was (`before`: None when it was a draft). An observee
/// reads as themselves: their own reports do not matter here.
pub fn newly_observed<P: Eq + Hash + Clone>(
    before: Option<&ObservationFacts<P>>,
    now: &ObservationFacts<P>,
) -> Vec<P> {
    let reads = |o: &ObservationFacts<P>, p: &P| {
        let reader = Reader {
            person: Some(p.clone()),
            member: true,
            reports: HashSet::new(),
        };
        can_read(&reader, o)
    };
    now.observees
        .iter()
        .filter(|p| **p != now.observer)
        .filter(|p| reads(now, p) && before.is_none_or(|b| !reads(b, p)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visibility::Privacy;

    fn facts(privacy: Privacy, published: bool) -> ObservationFacts<&'static str> {
        ObservationFacts {
            observer: "olive",
            observees: vec!["ana", "sam"],
            privacy,
            published,
            deleted: false,
        }
    }

    #[test]
    #[rustfmt::skip]
    fn the_people_observed_are_told_once_they_may_read_it() {
        use Privacy::*;
        let cases: &[(Option<(Privacy, bool)>, (Privacy, bool), &[&str])] = &[
            (None,                  (Observees, true),            &["ana", "sam"]),
            (None,                  (Managers, true),             &[]),
            (None,                  (Journal, true),              &[]),
            (None,                  (Public, false),              &[]),
            (Some((Managers, true)), (ObserveesAndManagers, true), &["ana", "sam"]),
            (Some((Observees, true)), (Organization, true),       &[]),
            (Some((Organization, true)), (Observees, true),       &[]),
        ];
        for (before, (privacy, published), want) in cases {
            let before = before.map(|(p, pub_)| facts(p, pub_));
            let got = newly_observed(before.as_ref(), &facts(*privacy, *published));
            assert_eq!(got, *want, "{before:?} → {privacy:?}");
        }
        // The observer observing themselves is not told.
        let mut own = facts(Privacy::Organization, true);
        own.observees = vec!["olive"];
        assert!(newly_observed(None, &own).is_empty());
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }
}

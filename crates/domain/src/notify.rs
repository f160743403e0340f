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
    /// A reply on a conversation they took part in.
    Replied,
    /// A conversation they took part in was resolved.
    Resolved,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Observed, Kind::Awarded, Kind::Replied, Kind::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Observed => "observed",
            Kind::Awarded => "awarded",
            Kind::Replied => "replied",
            Kind::Resolved => "resolved",
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

/// Who hears of a step in a conversation: everyone who took part in it
/// (its author and whoever replied) and may still read it (active members:
/// conversations are members-only), except whoever took the step.
pub fn participants_to_tell<P: Eq + Clone>(participants: &[(P, bool)], actor: &P) -> Vec<P> {
    let mut out: Vec<P> = Vec::new();
    for (p, active) in participants {
        if *active && p != actor && !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
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

    #[test]
    #[rustfmt::skip]
    fn a_conversation_tells_who_took_part_except_the_one_who_acted() {
        let cases: &[(&[(&str, bool)], &str, &[&str])] = &[
            (&[("ana", true), ("sam", true)],                 "sam", &["ana"]),
            (&[("ana", true), ("sam", true), ("ana", true)],  "lee", &["ana", "sam"]),
            (&[("ana", false), ("sam", true)],                "lee", &["sam"]),
            (&[("ana", true)],                                "ana", &[]),
        ];
        for (participants, actor, want) in cases {
            assert_eq!(participants_to_tell(participants, actor), *want, "{participants:?} {actor}");
        }
    }
}

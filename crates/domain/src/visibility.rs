//! Who may read an observation: the one rule. The store's list queries
//! apply the same rule in SQL, and a test compares the two for every
//! viewer kind and level.
//!
//! Decisions where DESIGN.md is silent: people leads and admins get no
//! extra sight of observations (their powers are over awards and members);
//! a departed member sees only what anyone sees; the observer always sees
//! their own observations, drafts included, while a member.

use std::collections::HashSet;
use std::hash::Hash;

/// How far an observation is shared, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Privacy {
    /// The observer only.
    Journal,
    /// The observer and the observees.
    Observees,
    /// The observer and the observees' managers (up the reports-to chain).
    Managers,
    ObserveesAndManagers,
    /// Every member of the organization.
    Organization,
    /// Anyone who may read the framework.
    Public,
}

impl Privacy {
    pub const ALL: [Privacy; 6] = [
        Privacy::Journal,
        Privacy::Observees,
        Privacy::Managers,
        Privacy::ObserveesAndManagers,
        Privacy::Organization,
        Privacy::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Journal => "journal",
            Privacy::Observees => "observees",
            Privacy::Managers => "managers",
            Privacy::ObserveesAndManagers => "observees_and_managers",
            Privacy::Organization => "organization",
            Privacy::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Privacy::Journal => "Journal (only me)",
            Privacy::Observees => "The people observed",
            Privacy::Managers => "Their managers",
            Privacy::ObserveesAndManagers => "The people observed and their managers",
            Privacy::Organization => "Everyone in the organization",
            Privacy::Public => "Public",
        }
    }

    /// The observees may read an observation at this level.
    pub fn includes_observees(self) -> bool {
        !matches!(self, Privacy::Journal | Privacy::Managers)
    }

    /// Who may see at `self` is a subset of who may see at `wider`.
    /// (Observees and managers are not comparable with each other.)
    pub fn narrower_or_equal(self, wider: Privacy) -> bool {
        use Privacy::*;
        match (self, wider) {
            (a, b) if a == b => true,
            (Journal, _) => true,
            (Observees | Managers, ObserveesAndManagers | Organization | Public) => true,
            (ObserveesAndManagers, Organization | Public) => true,
            (Organization, Public) => true,
            _ => false,
        }
    }
}

/// "Ana", "Ana and Sam", "Ana, Sam and Lee", "Ana, Sam and 2 others";
/// with nobody chosen yet, "the people you observe".
fn names_phrase(names: &[&str]) -> String {
    match names {
        [] => "the people you observe".to_owned(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} others", rest.len()),
    }
}

/// Who will be able to read an observation of `observees` at `privacy`,
/// as one plain sentence for the person writing it.
pub fn audience(privacy: Privacy, observees: &[&str], org: &str) -> String {
    let names = names_phrase(observees);
    let managers = match observees {
        [one] => format!("{one}'s managers"),
        _ => "their managers".to_owned(),
    };
    match privacy {
        Privacy::Journal => "Only you will see this: a note in your journal.".to_owned(),
        Privacy::Observees => format!("Only you and {names} will see this."),
        Privacy::Managers => {
            format!("Only you and {managers} will see this; {names} will not.")
        }
        Privacy::ObserveesAndManagers => {
            format!("Only you, {names} and {managers} will see this.")
        }
        Privacy::Organization => format!("Everyone in {org} will see this."),
        Privacy::Public => format!("Anyone can read this, on {org}'s published pages."),
    }
}

/// The note under ratings that show to fewer people than the story.
pub fn sensitive_audience(observees: &[&str]) -> String {
    let names = names_phrase(observees);
    let managers = match observees {
        [one] => format!("{one}'s managers"),
        _ => "their managers".to_owned(),
    };
    format!("Misaligned and Concerning ratings show only to you, {names} and {managers}.")
}

/// May the level of a published observation go from `from` to `to`?
/// The observer may set any level: they decided what to share in the
/// first place. The people observed and their managers may only narrow
/// it, and only to a level the observees still see (never Journal or
/// Managers, which would hide it from the very people it is about).
pub fn may_change_level(from: Privacy, to: Privacy, by_observer: bool) -> bool {
    by_observer || to == from || (to.narrower_or_equal(from) && to.includes_observees())
}

/// What the rule needs to know about an observation.
#[derive(Debug, Clone)]
pub struct ObservationFacts<P> {
    pub observer: P,
    pub observees: Vec<P>,
    pub privacy: Privacy,
    pub published: bool,
    pub deleted: bool,
}

/// What the rule needs to know about who is reading, within the
/// observation's organization.
#[derive(Debug, Clone)]
pub struct Reader<P: Eq + Hash> {
    pub person: Option<P>,
    /// An active member of the organization.
    pub member: bool,
    /// Everyone who reports to the reader, directly or not.
    pub reports: HashSet<P>,
}

impl<P: Eq + Hash> Reader<P> {
    pub fn outsider() -> Self {
        Reader {
            person: None,
            member: false,
            reports: HashSet::new(),
        }
    }
}

pub fn can_read<P: Eq + Hash>(reader: &Reader<P>, o: &ObservationFacts<P>) -> bool {
    if o.deleted {
        return false;
    }
    let is_observer = reader.member && reader.person.as_ref() == Some(&o.observer);
    if is_observer {
        return true;
    }
    if !o.published {
        return false;
    }
    if o.privacy == Privacy::Public {
        return true;
    }
    if !reader.member {
        return false;
    }
    let observee = || {
        reader
            .person
            .as_ref()
            .is_some_and(|p| o.observees.contains(p))
    };
    let manager = || o.observees.iter().any(|e| reader.reports.contains(e));
    match o.privacy {
        Privacy::Journal => false,
        Privacy::Observees => observee(),
        Privacy::Managers => manager(),
        Privacy::ObserveesAndManagers => observee() || manager(),
        Privacy::Organization | Privacy::Public => true,
    }
}

/// Who may see a member's progress (journey details, eligibility): the
/// member, anyone they report to, and people leads.
pub fn can_see_progress<P: Eq + Hash>(reader: &Reader<P>, person: &P, people_lead: bool) -> bool {
    reader.member
        && (reader.person.as_ref() == Some(person)
            || reader.reports.contains(person)
            || people_lead)
}

/// Ratings of an observation on one ability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rating {
    Exceptional,
    Strong,
    NotApplicable,
    Misaligned,
    Concerning,
}

impl Rating {
    pub const ALL: [Rating; 5] = [
        Rating::Exceptional,
        Rating::Strong,
        Rating::NotApplicable,
        Rating::Misaligned,
        Rating::Concerning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Exceptional => "exceptional",
            Rating::Strong => "strong",
            Rating::NotApplicable => "n_a",
            Rating::Misaligned => "misaligned",
            Rating::Concerning => "concerning",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rating::Exceptional => "Exceptional",
            Rating::Strong => "Strong",
            Rating::NotApplicable => "N/A",
            Rating::Misaligned => "Mis-aligned",
            Rating::Concerning => "Concerning",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Mis-aligned and Concerning are sensitive: see `can_see_rating`.
    pub fn sensitive(self) -> bool {
        matches!(self, Rating::Misaligned | Rating::Concerning)
    }
}

/// A sensitive rating shows only to the observer, the observees and the
/// observees' managers, whatever the observation's level.
pub fn can_see_rating<P: Eq + Hash>(
    reader: &Reader<P>,
    o: &ObservationFacts<P>,
    rating: Rating,
) -> bool {
    if !can_read(reader, o) {
        return false;
    }
    if !rating.sensitive() {
        return true;
    }
    let Some(me) = reader.person.as_ref().filter(|_| reader.member) else {
        return false;
    };
    *me == o.observer
        || o.observees.contains(me)
        || o.observees.iter().any(|e| reader.reports.contains(e))
}

#[cfg(test)]
mod tests {
    #[test]
    #[rustfmt::skip]
    fn the_form_says_in_a_sentence_who_will_read_it() {
        let cases: &[(Privacy, &[&str], &str)] = &[
            (Privacy::Journal,              &["Ana"],             "Only you will see this: a note in your journal."),
            (Privacy::Observees,            &["Ana"],             "Only you and Ana will see this."),
            (Privacy::Observees,            &[],                  "Only you and the people you observe will see this."),
            (Privacy::Managers,             &["Ana"],             "Only you and Ana's managers will see this; Ana will not."),
            (Privacy::ObserveesAndManagers, &["Ana"],             "Only you, Ana and Ana's managers will see this."),
            (Privacy::ObserveesAndManagers, &["Ana", "Sam"],      "Only you, Ana and Sam and their managers will see this."),
            (Privacy::Observees,            &["A", "B", "C"],     "Only you and A, B and C will see this."),
            (Privacy::Observees,            &["A", "B", "C", "D", "E"], "Only you and A, B and 3 others will see this."),
            (Privacy::Organization,         &["Ana"],             "Everyone in Fernhill will see this."),
            (Privacy::Public,               &["Ana"],             "Anyone can read this, on Fernhill's published pages."),
        ];
        for (privacy, names, want) in cases {
            assert_eq!(audience(*privacy, names, "Fernhill"), *want, "{privacy:?} {names:?}");
        }
        assert_eq!(
            sensitive_audience(&["Ana"]),
            "Misaligned and Concerning ratings show only to you, Ana and Ana's managers."
        );
    }

    use super::*;

    fn obs(privacy: Privacy) -> ObservationFacts<&'static str> {
        ObservationFacts {
            observer: "olive",
            observees: vec!["eve"],
            privacy,
            published: true,
            deleted: false,
        }
    }

    fn reader(
        person: &'static str,
        member: bool,
        reports: &[&'static str],
    ) -> Reader<&'static str> {
        Reader {
            person: Some(person),
            member,
            reports: reports.iter().copied().collect(),
        }
    }

    /// Readers: eve's manager is max, max's manager is mona.
    fn readers() -> Vec<(&'static str, Reader<&'static str>)> {
        vec![
            ("anonymous", Reader::outsider()),
            ("other organization", reader("zed", false, &[])),
            ("member", reader("mo", true, &[])),
            ("observer", reader("olive", true, &[])),
            ("observee", reader("eve", true, &[])),
            ("observee's manager", reader("max", true, &["eve"])),
            ("manager's manager", reader("mona", true, &["max", "eve"])),
            ("departed observer", reader("olive", false, &[])),
        ]
    }

    #[test]
    fn each_level_is_read_by_exactly_whom_it_names() {
        // Columns: journal, observees, managers, observees+managers, organization, public.
        let table: &[(&str, [bool; 6])] = &[
            ("anonymous", [false, false, false, false, false, true]),
            (
                "other organization",
                [false, false, false, false, false, true],
            ),
            ("member", [false, false, false, false, true, true]),
            ("observer", [true, true, true, true, true, true]),
            ("observee", [false, true, false, true, true, true]),
            ("observee's manager", [false, false, true, true, true, true]),
            ("manager's manager", [false, false, true, true, true, true]),
            (
                "departed observer",
                [false, false, false, false, false, true],
            ),
        ];
        for ((name, r), (row, expected)) in readers().iter().zip(table) {
            assert_eq!(name, row);
            for (level, allowed) in Privacy::ALL.into_iter().zip(expected) {
                assert_eq!(can_read(r, &obs(level)), *allowed, "{name} at {level:?}");
            }
        }
    }

    #[test]
    fn progress_is_for_the_member_their_managers_and_people_leads() {
        // Whose progress: eve's (max manages eve, mona manages max).
        let cases: Vec<(&str, Reader<&str>, bool, bool)> = vec![
            ("the member", reader("eve", true, &[]), false, true),
            ("manager", reader("max", true, &["eve"]), false, true),
            (
                "manager's manager",
                reader("mona", true, &["max", "eve"]),
                false,
                true,
            ),
            ("people lead", reader("lea", true, &[]), true, true),
            ("another member", reader("mo", true, &[]), false, false),
            ("departed member", reader("eve", false, &[]), false, false),
            ("anonymous", Reader::outsider(), false, false),
        ];
        for (name, r, lead, expected) in cases {
            assert_eq!(can_see_progress(&r, &"eve", lead), expected, "{name}");
        }
    }

    #[test]
    fn drafts_are_the_observers_and_deleted_is_no_ones() {
        for (name, r) in readers() {
            let draft = ObservationFacts {
                published: false,
                ..obs(Privacy::Public)
            };
            assert_eq!(can_read(&r, &draft), name == "observer", "{name} draft");
            let deleted = ObservationFacts {
                deleted: true,
                ..obs(Privacy::Public)
            };
            assert!(!can_read(&r, &deleted), "{name} deleted");
        }
    }

    #[test]
    fn sensitive_ratings_stay_with_observer_observees_and_their_managers() {
        let o = obs(Privacy::Public);
        let sees: Vec<&str> = readers()
            .into_iter()
            .filter(|(_, r)| can_see_rating(r, &o, Rating::Concerning))
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            sees,
            vec![
                "observer",
                "observee",
                "observee's manager",
                "manager's manager"
            ]
        );
        for (name, r) in readers() {
            assert_eq!(
                can_see_rating(&r, &o, Rating::Strong),
                can_read(&r, &o),
                "{name}"
            );
        }
    }

    #[test]
    #[rustfmt::skip]
    fn levels_narrow_to_what_observees_see_and_widen_only_by_the_observer() {
        use Privacy::*;
        let cases = [
            (Public, Organization, false, true),
            (Organization, Observees, false, true),
            (ObserveesAndManagers, Observees, false, true),
            // Narrowing that would hide it from the observees themselves.
            (ObserveesAndManagers, Managers, false, false),
            (Observees, Journal, false, false),
            (Public, Journal, false, false),
            (Organization, Managers, false, false),
            // Keeping the level as it is.
            (Managers, Managers, false, true),
            // The observer may hide it in their journal.
            (Observees, Journal, true, true),
            (Observees, Managers, false, false),
            (Managers, Observees, false, false),
            (Organization, Public, false, false),
            (Journal, Public, false, false),
            (Journal, Public, true, true),
            (Observees, Organization, true, true),
        ];
        for (from, to, by_observer, allowed) in cases {
            assert_eq!(
                may_change_level(from, to, by_observer),
                allowed,
                "{from:?} → {to:?} by observer: {by_observer}"
            );
        }
    }
}

//! Awards: a member holds milestone N of an ability. Holding N implies
//! 1..N-1; skipping levels needs the awarder's confirmation and records
//! every level in between; an organization may ask for evidence first.

use std::collections::HashSet;
use std::hash::Hash;

use thiserror::Error;

use crate::framework::Level;
use crate::visibility::Reader;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AwardRefused {
    #[error("milestone {held} is already held; choose a higher milestone")]
    AlreadyHeld { held: u8 },
    #[error("this skips milestone(s) {missing}: confirm the jump to award them all")]
    Jump { missing: String },
}

/// The levels an award records, lowest first: every level above the
/// highest held up to the requested one.
pub fn levels_to_award(
    held: Option<Level>,
    requested: Level,
    confirm_jump: bool,
) -> Result<Vec<Level>, AwardRefused> {
    let from = held.map_or(1, |h| h.get() + 1);
    if let Some(h) = held.filter(|h| *h >= requested) {
        return Err(AwardRefused::AlreadyHeld { held: h.get() });
    }
    let levels: Vec<Level> = Level::ALL
        .into_iter()
        .filter(|l| l.get() >= from && *l <= requested)
        .collect();
    if levels.len() > 1 && !confirm_jump {
        let missing = levels[..levels.len() - 1]
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        return Err(AwardRefused::Jump { missing });
    }
    Ok(levels)
}

/// Who may award milestones in an organization (its setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awarders {
    /// People leads and the recipient's managers.
    Both,
    PeopleLeads,
    Managers,
}

impl Awarders {
    pub fn as_str(self) -> &'static str {
        match self {
            Awarders::Both => "both",
            Awarders::PeopleLeads => "people_leads",
            Awarders::Managers => "managers",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Awarders::Both, Awarders::PeopleLeads, Awarders::Managers]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// May `awarder` award milestones to `recipient`? People leads and the
/// recipient's managers (anywhere up the reports-to chain), as the
/// organization's setting says; never oneself.
pub fn may_award<P: Eq + Hash>(
    awarder: &Reader<P>,
    recipient: &P,
    people_lead: bool,
    who: Awarders,
) -> bool {
    let Some(me) = awarder.person.as_ref().filter(|_| awarder.member) else {
        return false;
    };
    let manager = awarder.reports.contains(recipient);
    me != recipient
        && match who {
            Awarders::Both => people_lead || manager,
            Awarders::PeopleLeads => people_lead,
            Awarders::Managers => manager,
        }
}

/// Why a revocation was not made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RevokeRefused {
    /// Higher milestones of the ability are held: they go too, once confirmed.
    #[error(
        "milestone(s) {higher} are held too and would be revoked with it: confirm to revoke them all"
    )]
    HigherHeld { higher: String },
    /// A higher milestone that would go with it was awarded by someone else.
    #[error(
        "milestone(s) {higher} were awarded by someone else: a people lead can revoke them all"
    )]
    NotYours { higher: String },
}

/// A live award as revoking sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held<I> {
    pub id: I,
    pub level: Level,
    /// The one asking may revoke it (people lead, or its certifier).
    pub revocable: bool,
}

/// Revoking milestone N takes every higher milestone of the ability with
/// it: holding N+1 implies N. `live` is every live award of the recipient
/// on that ability, the revoked one included. Returns the ids to revoke,
/// the asked one first.
pub fn revocation<I: Clone + PartialEq>(
    target: &I,
    live: &[Held<I>],
    confirmed: bool,
) -> Result<Vec<I>, RevokeRefused> {
    let Some(asked) = live.iter().find(|h| &h.id == target) else {
        return Ok(Vec::new());
    };
    let mut higher: Vec<&Held<I>> = live.iter().filter(|h| h.level > asked.level).collect();
    higher.sort_by_key(|h| h.level);
    let names = |list: &[&Held<I>]| {
        let mut levels: Vec<u8> = list.iter().map(|h| h.level.get()).collect();
        levels.dedup();
        levels
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let foreign: Vec<&Held<I>> = higher.iter().copied().filter(|h| !h.revocable).collect();
    if !foreign.is_empty() {
        return Err(RevokeRefused::NotYours {
            higher: names(&foreign),
        });
    }
    if !higher.is_empty() && !confirmed {
        return Err(RevokeRefused::HigherHeld {
            higher: names(&higher),
        });
    }
    Ok(std::iter::once(asked.id.clone())
        .chain(higher.into_iter().map(|h| h.id.clone()))
        .collect())
}

/// An organization's optional rule: evidence before an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EvidenceRule {
    /// 0: no rule.
    pub min_observations: u32,
    pub min_observers: u32,
    pub min_days: u32,
}

/// Whether evidence meets the rule, and why (or why not), in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceCheck {
    pub met: bool,
    pub reasons: Vec<String>,
}

/// `evidence`: (observer, observed_on ms) of each linked observation.
pub fn check_evidence<P: Eq + Hash>(rule: &EvidenceRule, evidence: &[(P, i64)]) -> EvidenceCheck {
    if rule.min_observations == 0 && rule.min_observers == 0 && rule.min_days == 0 {
        return EvidenceCheck {
            met: true,
            reasons: vec!["This organization asks for no evidence before an award.".into()],
        };
    }
    let count = evidence.len() as u32;
    let observers = evidence
        .iter()
        .map(|(p, _)| p)
        .collect::<HashSet<_>>()
        .len() as u32;
    let days = match (
        evidence.iter().map(|e| e.1).min(),
        evidence.iter().map(|e| e.1).max(),
    ) {
        (Some(a), Some(b)) => ((b - a) / 86_400_000) as u32,
        _ => 0,
    };
    let mut reasons = Vec::new();
    let mut met = true;
    let mut line = |ok: bool, text: String| {
        met &= ok;
        reasons.push(format!("{} {text}", if ok { "✅" } else { "❌" }));
    };
    line(
        count >= rule.min_observations,
        format!("{count} of {} observations", rule.min_observations),
    );
    line(
        observers >= rule.min_observers,
        format!("{observers} of {} different observers", rule.min_observers),
    );
    line(
        days >= rule.min_days,
        format!("spread over {days} of {} days", rule.min_days),
    );
    EvidenceCheck { met, reasons }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AwardVisibility {
    /// The recipient, the certifier, the recipient's managers, people leads.
    Private,
    /// Every member.
    Organization,
}

impl AwardVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            AwardVisibility::Private => "private",
            AwardVisibility::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "private" => Some(AwardVisibility::Private),
            "organization" => Some(AwardVisibility::Organization),
            _ => None,
        }
    }
}

pub struct AwardFacts<P> {
    pub recipient: P,
    pub certifier: P,
    pub visibility: AwardVisibility,
    /// The recipient chose to show it on their public profile.
    pub on_profile: bool,
    pub revoked: bool,
}

/// Who may read an award (a revoked one stays readable as history, to the
/// same people; it only stops counting). `people_lead`: the reader is a
/// people lead of the organization. `public_profile`: the recipient's
/// profile is public.
pub fn can_read_award<P: Eq + Hash>(
    reader: &Reader<P>,
    a: &AwardFacts<P>,
    people_lead: bool,
    public_profile: bool,
) -> bool {
    if a.on_profile && public_profile && !a.revoked {
        return true;
    }
    let Some(me) = reader.person.as_ref().filter(|_| reader.member) else {
        return false;
    };
    match a.visibility {
        AwardVisibility::Organization => true,
        AwardVisibility::Private => {
            *me == a.recipient
                || *me == a.certifier
                || reader.reports.contains(&a.recipient)
                || people_lead
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn awarders_are_people_leads_and_managers_as_the_setting_says() {
        use Awarders::*;
        let reader = |member: bool, reports: &[&'static str]| Reader {
            person: Some("max"),
            member,
            reports: reports.iter().copied().collect(),
        };
        let cases = [
            ("manager, both",                      reader(true, &["eve"]), "eve", false, Both,        true),
            ("people lead, both",                  reader(true, &[]),      "eve", true,  Both,        true),
            ("neither",                            reader(true, &[]),      "eve", false, Both,        false),
            ("manager, people leads only",         reader(true, &["eve"]), "eve", false, PeopleLeads, false),
            ("people lead, managers only",         reader(true, &[]),      "eve", true,  Managers,    false),
            ("manager, managers only",             reader(true, &["eve"]), "eve", false, Managers,    true),
            ("never oneself, even as people lead", reader(true, &[]),      "max", true,  Both,        false),
            ("not an active member",               reader(false, &["eve"]), "eve", true, Both,        false),
        ];
        for (name, r, recipient, lead, who, expected) in cases {
            assert_eq!(may_award(&r, &recipient, lead, who), expected, "{name}");
        }
        for a in [Both, PeopleLeads, Managers] {
            assert_eq!(Awarders::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn revoking_a_milestone_takes_the_higher_ones_with_it() {
        let h = |id: &'static str, level: i64, revocable: bool| Held { id, level: l(level), revocable };
        let held = [h("m1", 1, true), h("m2", 2, true), h("m3", 3, true)];
        let cases: &[(&str, &str, &[Held<&str>], bool, Result<Vec<&str>, RevokeRefused>)] = &[
            ("the top one goes alone",               "m3", &held, false, Ok(vec!["m3"])),
            ("M1 while M2, M3 held: asks first",     "m1", &held, false, Err(RevokeRefused::HigherHeld { higher: "2, 3".into() })),
            ("confirmed: M1, M2 and M3 go",          "m1", &held, true,  Ok(vec!["m1", "m2", "m3"])),
            ("M2 confirmed: M2 and M3",              "m2", &held, true,  Ok(vec!["m2", "m3"])),
            ("a higher one by someone else",         "m1", &[h("m1", 1, true), h("m2", 2, false)], true, Err(RevokeRefused::NotYours { higher: "2".into() })),
            ("lower ones by others do not matter",   "m2", &[h("m1", 1, false), h("m2", 2, true)], false, Ok(vec!["m2"])),
            ("already revoked: nothing",             "m9", &held, true,  Ok(vec![])),
        ];
        for (name, target, live, confirmed, expected) in cases {
            assert_eq!(revocation(target, live, *confirmed), *expected, "{name}");
        }
    }

    fn l(n: i64) -> Level {
        Level::parse(n).expect("level")
    }

    #[test]
    fn levels_follow_the_highest_held() {
        type Case = (
            &'static str,
            Option<i64>,
            i64,
            bool,
            Result<Vec<u8>, AwardRefused>,
        );
        let cases: Vec<Case> = vec![
            ("first award of M1", None, 1, false, Ok(vec![1])),
            ("next level", Some(2), 3, false, Ok(vec![3])),
            (
                "jump without confirmation",
                Some(1),
                4,
                false,
                Err(AwardRefused::Jump {
                    missing: "2, 3".into(),
                }),
            ),
            (
                "jump confirmed records the levels between",
                Some(1),
                4,
                true,
                Ok(vec![2, 3, 4]),
            ),
            (
                "straight to M3 from nothing",
                None,
                3,
                true,
                Ok(vec![1, 2, 3]),
            ),
            (
                "already held",
                Some(3),
                3,
                false,
                Err(AwardRefused::AlreadyHeld { held: 3 }),
            ),
            (
                "lower than held",
                Some(4),
                2,
                true,
                Err(AwardRefused::AlreadyHeld { held: 4 }),
            ),
        ];
        for (name, held, requested, confirm, expected) in cases {
            let got = levels_to_award(held.map(l), l(requested), confirm)
                .map(|v| v.iter().map(|x| x.get()).collect::<Vec<_>>());
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn the_evidence_rule_counts_observations_observers_and_days() {
        let day = 86_400_000;
        let rule = EvidenceRule {
            min_observations: 3,
            min_observers: 2,
            min_days: 30,
        };
        type Case = (&'static str, Vec<(&'static str, i64)>, bool);
        let cases: Vec<Case> = vec![
            ("nothing", vec![], false),
            (
                "enough of everything",
                vec![("a", 0), ("b", 10 * day), ("a", 30 * day)],
                true,
            ),
            (
                "one observer only",
                vec![("a", 0), ("a", 10 * day), ("a", 40 * day)],
                false,
            ),
            (
                "too close together",
                vec![("a", 0), ("b", day), ("c", 29 * day)],
                false,
            ),
            (
                "exactly at every threshold",
                vec![("a", 0), ("b", 0), ("b", 30 * day)],
                true,
            ),
            ("two observations", vec![("a", 0), ("b", 40 * day)], false),
        ];
        for (name, evidence, met) in cases {
            let check = check_evidence(&rule, &evidence);
            assert_eq!(check.met, met, "{name}: {:?}", check.reasons);
            assert_eq!(check.reasons.len(), 3);
        }
        let none = check_evidence::<&str>(&EvidenceRule::default(), &[]);
        assert!(none.met);
        assert_eq!(
            check_evidence(&rule, &[("a", 0), ("a", day)]).reasons,
            vec![
                "❌ 2 of 3 observations",
                "❌ 1 of 2 different observers",
                "❌ spread over 1 of 30 days"
            ]
        );
    }

    #[test]
    fn award_visibility() {
        let reader = |p: &'static str, member: bool, reports: &[&'static str]| Reader {
            person: Some(p),
            member,
            reports: reports.iter().copied().collect(),
        };
        let private = AwardFacts {
            recipient: "rae",
            certifier: "cal",
            visibility: AwardVisibility::Private,
            on_profile: false,
            revoked: false,
        };
        type Case = (&'static str, Reader<&'static str>, bool, bool);
        let cases: Vec<Case> = vec![
            ("recipient", reader("rae", true, &[]), false, true),
            ("certifier", reader("cal", true, &[]), false, true),
            ("manager", reader("max", true, &["rae"]), false, true),
            ("people lead", reader("lea", true, &[]), true, true),
            ("member", reader("mo", true, &[]), false, false),
            (
                "departed recipient",
                reader("rae", false, &[]),
                false,
                false,
            ),
            ("anonymous", Reader::outsider(), false, false),
        ];
        for (name, r, lead, expected) in cases {
            assert_eq!(
                can_read_award(&r, &private, lead, false),
                expected,
                "{name}"
            );
        }
        let org = AwardFacts {
            visibility: AwardVisibility::Organization,
            ..private
        };
        assert!(can_read_award(&reader("mo", true, &[]), &org, false, false));
        assert!(!can_read_award(&Reader::outsider(), &org, false, false));
        let shown = AwardFacts {
            on_profile: true,
            ..org
        };
        assert!(
            can_read_award(&Reader::outsider(), &shown, false, true),
            "on a public profile"
        );
        assert!(
            !can_read_award(&Reader::outsider(), &shown, false, false),
            "profile not public"
        );
        let revoked = AwardFacts {
            revoked: true,
            ..shown
        };
        assert!(
            can_read_award(&reader("rae", true, &[]), &revoked, false, true),
            "history stays with its readers"
        );
        assert!(
            !can_read_award(&Reader::outsider(), &revoked, false, true),
            "but leaves the public profile"
        );
    }
}

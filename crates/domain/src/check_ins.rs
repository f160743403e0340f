//! Check-ins: a member and their manager take stock against a position,
//! each side privately, then side by side; the manager (or a people lead)
//! records what they agree and finalizes; the member acknowledges. Who may
//! read and do what is decided here, once; the store keeps a finalized
//! check-in immutable.

use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::framework::{Framework, Level, Position, Slug};
use crate::requirement::position_requirements;
use crate::visibility::Reader;

/// Where an ability stands against the milestone the position requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbilityRating {
    WorkingTowards,
    Meeting,
    Exceeding,
}

impl AbilityRating {
    pub const ALL: [AbilityRating; 3] = [
        AbilityRating::WorkingTowards,
        AbilityRating::Meeting,
        AbilityRating::Exceeding,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AbilityRating::WorkingTowards => "working_towards",
            AbilityRating::Meeting => "meeting",
            AbilityRating::Exceeding => "exceeding",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AbilityRating::WorkingTowards => "Working towards",
            AbilityRating::Meeting => "Meeting",
            AbilityRating::Exceeding => "Exceeding",
        }
    }
}

/// The overall rating, on OurGruuv's position scale: three levels, and
/// three concern levels that only the member, their managers and people
/// leads see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    SeriousConcern,
    Concerning,
    NeedsAttention,
    Developing,
    Accomplished,
    Exceptional,
}

impl Overall {
    pub const ALL: [Overall; 6] = [
        Overall::Exceptional,
        Overall::Accomplished,
        Overall::Developing,
        Overall::NeedsAttention,
        Overall::Concerning,
        Overall::SeriousConcern,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Overall::Exceptional => "exceptional",
            Overall::Accomplished => "accomplished",
            Overall::Developing => "developing",
            Overall::NeedsAttention => "needs_attention",
            Overall::Concerning => "concerning",
            Overall::SeriousConcern => "serious_concern",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Overall::Exceptional => "Exceptional",
            Overall::Accomplished => "Accomplished",
            Overall::Developing => "Developing",
            Overall::NeedsAttention => "Needs attention",
            Overall::Concerning => "Concerning",
            Overall::SeriousConcern => "Serious concern",
        }
    }

    /// A concern level: shown only to the member, their managers and
    /// people leads (who are also everyone who reads a check-in, unless the
    /// organization lets admins read them).
    pub fn concern(self) -> bool {
        self < Overall::Developing
    }
}

/// The organization's names for the six overall ratings, best first
/// (`Overall::ALL` order); by default the labels above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale(pub [String; 6]);

impl Default for Scale {
    fn default() -> Self {
        Scale(Overall::ALL.map(|o| o.label().to_owned()))
    }
}

impl Scale {
    pub fn label(&self, o: Overall) -> &str {
        let i = Overall::ALL.iter().position(|x| *x == o).unwrap_or(0);
        &self.0[i]
    }

    /// As stored: one name per line, or '' for the default.
    pub fn to_lines(&self) -> String {
        if *self == Scale::default() {
            String::new()
        } else {
            self.0.join("\n")
        }
    }

    /// From storage or a form: six names, best first; '' is the default.
    /// Each is 1 to 40 characters, and no two are the same.
    pub fn parse(names: &[&str]) -> Result<Scale, String> {
        if names.iter().all(|n| n.trim().is_empty()) {
            return Ok(Scale::default());
        }
        let names: Vec<String> = names.iter().map(|n| n.trim().to_owned()).collect();
        if names.len() != 6 {
            return Err("Give six names, best first.".to_owned());
        }
        if names.iter().any(|n| n.is_empty() || n.chars().count() > 40) {
            return Err("Each name is 1 to 40 characters.".to_owned());
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].iter().any(|m| m.eq_ignore_ascii_case(n)) {
                return Err(format!(
                    "{n:?} is there twice: each rating needs its own name."
                ));
            }
        }
        let mut out = Scale::default();
        for (slot, n) in out.0.iter_mut().zip(names) {
            *slot = n;
        }
        Ok(out)
    }
}

/// Which side of a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Member,
    Manager,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Member => "member",
            Side::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Side::Member, Side::Manager]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Where a check-in is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// At least one side is still being filled in.
    Open,
    /// Both sides completed: revealed side by side, to be agreed.
    Revealed,
    /// Agreed and frozen; the member has not acknowledged yet.
    Finalized,
    Acknowledged,
}

/// What the rules need to know about a check-in.
#[derive(Debug, Clone)]
pub struct CheckInFacts<P> {
    pub member: P,
    pub member_completed: bool,
    pub manager_completed: bool,
    pub finalized: bool,
    pub acknowledged: bool,
}

impl<P> CheckInFacts<P> {
    pub fn stage(&self) -> Stage {
        match (
            self.acknowledged,
            self.finalized,
            self.member_completed && self.manager_completed,
        ) {
            (true, _, _) => Stage::Acknowledged,
            (_, true, _) => Stage::Finalized,
            (_, _, true) => Stage::Revealed,
            _ => Stage::Open,
        }
    }
}

/// Who the reader is, beyond the observation rule's `Reader`: whether they
/// are the member's direct manager (who fills the manager side), a people
/// lead, an admin, and whether the organization lets admins read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standing {
    pub direct_manager: bool,
    pub people_lead: bool,
    pub admin: bool,
    pub admins_read: bool,
}

/// Who reads a check-in: the member, their managers up the reports-to
/// chain, people leads; admins only when the organization says so.
pub fn can_read<P: Eq + Hash>(reader: &Reader<P>, member: &P, s: Standing) -> bool {
    let Some(me) = reader.person.as_ref().filter(|_| reader.member) else {
        return false;
    };
    me == member || reader.reports.contains(member) || s.people_lead || (s.admin && s.admins_read)
}

/// May this reader see an overall rating? Concern levels only the
/// member, their managers and people leads see: not an admin reading by
/// the organization's setting.
pub fn can_see_overall<P: Eq + Hash>(
    reader: &Reader<P>,
    member: &P,
    s: Standing,
    o: Overall,
) -> bool {
    !o.concern()
        || can_read(
            reader,
            member,
            Standing {
                admins_read: false,
                admin: false,
                ..s
            },
        )
}

/// Who may open one for `member`: the member, their managers, people
/// leads (never for a departed member: the caller checks the status).
pub fn may_open<P: Eq + Hash>(reader: &Reader<P>, member: &P, s: Standing) -> bool {
    let Some(me) = reader.person.as_ref().filter(|_| reader.member) else {
        return false;
    };
    me == member || reader.reports.contains(member) || s.people_lead
}

/// The side this reader writes, if any: the member theirs; the member's
/// direct manager the manager side, or a people lead when the member has
/// no manager. (When the manager changes, the new one takes the side over
/// and the old one no longer writes or reads its draft.)
pub fn side_of<P: Eq + Hash>(
    reader: &Reader<P>,
    member: &P,
    has_manager: bool,
    s: Standing,
) -> Option<Side> {
    let me = reader.person.as_ref().filter(|_| reader.member)?;
    if me == member {
        Some(Side::Member)
    } else if s.direct_manager || (!has_manager && s.people_lead) {
        Some(Side::Manager)
    } else {
        None
    }
}

/// May this reader see the content of `side`? Until both sides are
/// completed, a side is its author's alone (the other sees "completed");
/// from then on every reader of the check-in sees both.
pub fn can_read_side<P: Eq + Hash>(
    reader_side: Option<Side>,
    side: Side,
    c: &CheckInFacts<P>,
) -> bool {
    c.stage() != Stage::Open || reader_side == Some(side)
}

/// Why a step was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepRefused {
    #[error("This check-in is finalized: it can no longer change.")]
    Finalized,
    #[error("Both sides must be completed before the check-in is finalized.")]
    NotRevealed,
    #[error("Only the member's manager or a people lead finalizes a check-in.")]
    NotFinalizer,
    #[error("Only the member acknowledges their check-in, once it is finalized.")]
    NotAcknowledger,
    #[error("This side is completed: it can no longer change.")]
    Completed,
    #[error("Only the member and their manager fill in a side.")]
    NotYourSide,
    #[error("This person already has an open check-in.")]
    AlreadyOpen,
    #[error("Only active members have check-ins.")]
    NotActive,
}

/// May this reader finalize it now? The member's direct manager or a
/// people lead, once both sides are completed.
pub fn may_finalize<P>(c: &CheckInFacts<P>, s: Standing) -> Result<(), StepRefused> {
    if c.finalized {
        return Err(StepRefused::Finalized);
    }
    if !(s.direct_manager || s.people_lead) {
        return Err(StepRefused::NotFinalizer);
    }
    if c.stage() != Stage::Revealed {
        return Err(StepRefused::NotRevealed);
    }
    Ok(())
}

/// May this reader acknowledge it now?
pub fn may_acknowledge<P: Eq>(me: &P, c: &CheckInFacts<P>) -> Result<(), StepRefused> {
    if *me != c.member || !c.finalized || c.acknowledged {
        return Err(StepRefused::NotAcknowledger);
    }
    Ok(())
}

/// The abilities a check-in lists: every one the position requires (its
/// own and its required roles', highest level per ability, as eligibility
/// reads them), in framework order, then those the member added.
pub fn abilities(
    fw: &Framework,
    position: &Position,
    added: &[Slug],
) -> Vec<(Slug, Option<Level>)> {
    let required = position_requirements(position, &fw.roles);
    let mut out: Vec<(Slug, Option<Level>)> = fw
        .abilities
        .iter()
        .filter_map(|a| {
            required
                .iter()
                .find(|r| r.ability == a.slug)
                .map(|r| (a.slug.clone(), Some(r.level)))
        })
        .collect();
    for a in added {
        if fw.abilities.iter().any(|x| &x.slug == a) && !out.iter().any(|(s, _)| s == a) {
            out.push((a.clone(), None));
        }
    }
    out
}

/// What one side says of one ability.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Entry {
    pub rating: Option<AbilityRating>,
    pub note: String,
    /// Observations of the member cited (the manager side).
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// One ability as a finalized check-in keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenAbility {
    pub slug: String,
    pub name: String,
    /// The milestone the position required, and its summary then.
    pub required: Option<u8>,
    pub milestone: String,
    /// The highest milestone the member held then.
    pub held: Option<u8>,
    pub member: Entry,
    pub manager: Entry,
    pub agreed: Entry,
}

/// Everything a finalized check-in was measured against and said: what
/// its page shows from then on, whatever changes later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    pub format: String,
    pub measured_at: i64,
    pub framework_version: i64,
    pub position_slug: String,
    pub position_title: String,
    pub position_level: String,
    pub aiming: bool,
    pub miles: [u32; 5],
    pub abilities: Vec<FrozenAbility>,
    pub summary: String,
    pub overall: Overall,
    /// The overall rating's name on the organization's scale then.
    #[serde(default)]
    pub overall_label: String,
    /// (ability, highest milestone) the member held then.
    pub awards: Vec<(String, u8)>,
    /// The published version of the framework then, if any was published
    /// (set by the caller, who reads it with the rest).
    #[serde(default)]
    pub published_version: Option<i64>,
}

pub const FROZEN_FORMAT: &str = "cairn-check-in/1";

impl Frozen {
    /// The overall rating as it was named when finalized.
    pub fn overall_text(&self) -> &str {
        if self.overall_label.is_empty() {
            self.overall.label()
        } else {
            &self.overall_label
        }
    }
}

/// What the three sides said, by ability.
#[derive(Debug, Clone, Default)]
pub struct Sides {
    pub member: Vec<(Slug, Entry)>,
    pub manager: Vec<(Slug, Entry)>,
    pub agreed: Vec<(Slug, Entry)>,
}

/// What finalizing freezes.
pub struct Freezing<'a> {
    pub fw: &'a Framework,
    pub framework_version: i64,
    pub position: &'a Position,
    pub aiming: bool,
    pub added: &'a [Slug],
    pub held: &'a [(Slug, Level)],
    pub sides: &'a Sides,
    pub summary: &'a str,
    pub overall: Overall,
    /// The organization's names for the overall ratings.
    pub scale: &'a Scale,
    pub at: i64,
}

pub fn freeze(f: &Freezing<'_>) -> Frozen {
    let entry = |list: &[(Slug, Entry)], a: &Slug| {
        list.iter()
            .find(|(s, _)| s == a)
            .map(|(_, e)| e.clone())
            .unwrap_or_default()
    };
    let abilities = abilities(f.fw, f.position, f.added)
        .into_iter()
        .filter_map(|(slug, required)| {
            let a = f.fw.abilities.iter().find(|a| a.slug == slug)?;
            Some(FrozenAbility {
                name: a.name.to_string(),
                required: required.map(Level::get),
                milestone: required
                    .map(|l| a.milestone(l).summary.as_str().to_owned())
                    .unwrap_or_default(),
                held: crate::journey::highest(f.held, &slug).map(Level::get),
                member: entry(&f.sides.member, &slug),
                manager: entry(&f.sides.manager, &slug),
                agreed: entry(&f.sides.agreed, &slug),
                slug: slug.to_string(),
            })
        })
        .collect();
    let mut awards: Vec<(String, u8)> = Vec::new();
    for (a, l) in f.held {
        match awards.iter_mut().find(|(s, _)| s == a.as_str()) {
            Some(x) => x.1 = x.1.max(l.get()),
            None => awards.push((a.to_string(), l.get())),
        }
    }
    awards.sort();
    Frozen {
        format: FROZEN_FORMAT.to_owned(),
        measured_at: f.at,
        framework_version: f.framework_version,
        position_slug: f.position.slug.to_string(),
        position_title: f.position.title.to_string(),
        position_level: f.position.level.to_string(),
        aiming: f.aiming,
        miles: f.fw.organization.miles.values(),
        abilities,
        summary: f.summary.to_owned(),
        overall: f.overall,
        overall_label: f.scale.label(f.overall).to_owned(),
        awards,
        published_version: None,
    }
}

/// The organization's optional eligibility rule: the last `count`
/// finalized check-ins rated at least `at_least`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInRule {
    pub count: u32,
    pub at_least: Overall,
}

/// The rule against a member's finalized check-ins' overall ratings,
/// newest first: met or not, and why, in words.
pub fn rule_outcome(rule: CheckInRule, newest_first: &[Overall], scale: &Scale) -> (bool, String) {
    let n = rule.count as usize;
    let ask = format!(
        "the last {} rated {} or better",
        if n == 1 {
            "finalized check-in".to_owned()
        } else {
            format!("{n} finalized check-ins")
        },
        scale.label(rule.at_least)
    );
    if newest_first.len() < n {
        return (
            false,
            format!(
                "Check-ins: {ask}; not met: {} so far.",
                match newest_first.len() {
                    0 => "none".to_owned(),
                    1 => "only 1".to_owned(),
                    k => format!("only {k}"),
                }
            ),
        );
    }
    let last = &newest_first[..n];
    let below: Vec<&str> = last
        .iter()
        .filter(|o| **o < rule.at_least)
        .map(|o| scale.label(*o))
        .collect();
    if below.is_empty() {
        (true, format!("Check-ins: {ask}; met."))
    } else {
        (
            false,
            format!("Check-ins: {ask}; not met: {}.", below.join(", ")),
        )
    }
}

/// How clear a member's picture is, by the days since their last
/// finalized check-in (OurGruuv's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Clarity {
    Obscured,
    Blurred,
    Clear,
    CrystalClear,
}

impl Clarity {
    pub fn of(days_since: Option<i64>) -> Clarity {
        match days_since {
            Some(d) if d <= 30 => Clarity::CrystalClear,
            Some(d) if d <= 60 => Clarity::Clear,
            Some(d) if d <= 90 => Clarity::Blurred,
            _ => Clarity::Obscured,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Clarity::CrystalClear => "crystal clear",
            Clarity::Clear => "clear",
            Clarity::Blurred => "blurred",
            Clarity::Obscured => "obscured",
        }
    }
}

/// Due: never checked in, or the last finalized one is `cadence_days` old.
pub fn due(days_since: Option<i64>, cadence_days: i64) -> bool {
    days_since.is_none_or(|d| d >= cadence_days)
}

/// The abilities where the two sides differ, for the reveal.
pub fn differences<'a>(
    member: &'a [(Slug, AbilityRating)],
    manager: &'a [(Slug, AbilityRating)],
) -> Vec<&'a Slug> {
    let mut out: Vec<&Slug> = Vec::new();
    for (a, r) in member {
        if manager.iter().find(|(b, _)| b == a).map(|(_, m)| m) != Some(r) {
            out.push(a);
        }
    }
    for (a, _) in manager {
        if !member.iter().any(|(b, _)| b == a) && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn reader(
        me: Option<&'static str>,
        member: bool,
        reports: &[&'static str],
    ) -> Reader<&'static str> {
        Reader {
            person: me,
            member,
            reports: reports.iter().copied().collect::<HashSet<_>>(),
        }
    }

    const NONE: Standing = Standing {
        direct_manager: false,
        people_lead: false,
        admin: false,
        admins_read: false,
    };

    #[test]
    #[rustfmt::skip]
    fn who_reads_opens_and_writes_a_side() {
        let lead = Standing { people_lead: true, ..NONE };
        let direct = Standing { direct_manager: true, ..NONE };
        let admin = Standing { admin: true, ..NONE };
        let admin_may = Standing { admin: true, admins_read: true, ..NONE };
        // (who, reader, standing, has manager) → (reads, opens, side)
        let cases: &[(&str, Reader<&str>, Standing, bool, (bool, bool, Option<Side>))] = &[
            ("the member",                 reader(Some("ana"), true, &[]),      NONE,   true,  (true,  true,  Some(Side::Member))),
            ("their direct manager",       reader(Some("max"), true, &["ana"]), direct, true,  (true,  true,  Some(Side::Manager))),
            ("a manager further up",       reader(Some("mo"), true, &["ana"]),  NONE,   true,  (true,  true,  None)),
            ("a people lead",              reader(Some("lee"), true, &[]),      lead,   true,  (true,  true,  None)),
            ("a people lead, no manager",  reader(Some("lee"), true, &[]),      lead,   false, (true,  true,  Some(Side::Manager))),
            ("an admin",                   reader(Some("ada"), true, &[]),      admin,  true,  (false, false, None)),
            ("an admin, when allowed",     reader(Some("ada"), true, &[]),      admin_may, true, (true, false, None)),
            ("another member",             reader(Some("eve"), true, &[]),      NONE,   true,  (false, false, None)),
            ("a departed member (self)",   reader(Some("ana"), false, &[]),     NONE,   true,  (false, false, None)),
            ("anonymous",                  reader(None, false, &[]),            NONE,   true,  (false, false, None)),
        ];
        for (who, r, s, has_manager, (reads, opens, side)) in cases {
            assert_eq!(can_read(r, &"ana", *s), *reads, "{who}: reads");
            assert_eq!(may_open(r, &"ana", *s), *opens, "{who}: opens");
            assert_eq!(side_of(r, &"ana", *has_manager, *s), *side, "{who}: side");
        }
    }

    fn facts(
        member: bool,
        manager: bool,
        finalized: bool,
        acknowledged: bool,
    ) -> CheckInFacts<&'static str> {
        CheckInFacts {
            member: "ana",
            member_completed: member,
            manager_completed: manager,
            finalized,
            acknowledged,
        }
    }

    #[test]
    #[rustfmt::skip]
    fn concern_levels_show_only_to_the_member_managers_and_people_leads() {
        let lead = Standing { people_lead: true, ..NONE };
        let admin_may = Standing { admin: true, admins_read: true, ..NONE };
        let cases: &[(&str, Reader<&str>, Standing, Overall, bool)] = &[
            ("the member, a concern",        reader(Some("ana"), true, &[]),      NONE,      Overall::Concerning,  true),
            ("a manager, a concern",         reader(Some("max"), true, &["ana"]), NONE,      Overall::NeedsAttention, true),
            ("a people lead, a concern",     reader(Some("lee"), true, &[]),      lead,      Overall::SeriousConcern, true),
            ("an admin allowed, a concern",  reader(Some("ada"), true, &[]),      admin_may, Overall::Concerning,  false),
            ("an admin allowed, no concern", reader(Some("ada"), true, &[]),      admin_may, Overall::Accomplished, true),
        ];
        for (who, r, s, o, sees) in cases {
            assert_eq!(can_see_overall(r, &"ana", *s, *o), *sees, "{who}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn a_side_is_its_authors_alone_until_both_are_completed() {
        let cases = [
            // (member done, manager done, reader's side, side read, sees)
            (false, false, Some(Side::Member),  Side::Member,  true),
            (false, false, Some(Side::Member),  Side::Manager, false),
            (true,  false, Some(Side::Manager), Side::Member,  false),
            (true,  false, None,                Side::Member,  false),
            (true,  true,  Some(Side::Manager), Side::Member,  true),
            (true,  true,  None,                Side::Manager, true),
        ];
        for (m, g, reader, side, sees) in cases {
            assert_eq!(can_read_side(reader, side, &facts(m, g, false, false)), sees, "{m} {g} {reader:?} {side:?}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn finalizing_and_acknowledging_come_in_order() {
        let lead = Standing { people_lead: true, ..NONE };
        let direct = Standing { direct_manager: true, ..NONE };
        let cases = [
            ("revealed, by the manager",  facts(true, true, false, false),  direct, Ok(())),
            ("revealed, by a people lead", facts(true, true, false, false), lead,   Ok(())),
            ("revealed, by someone else", facts(true, true, false, false),  NONE,   Err(StepRefused::NotFinalizer)),
            ("one side open",             facts(true, false, false, false), direct, Err(StepRefused::NotRevealed)),
            ("twice",                     facts(true, true, true, false),   direct, Err(StepRefused::Finalized)),
        ];
        for (name, c, s, want) in cases {
            assert_eq!(may_finalize(&c, s), want, "{name}");
        }
        assert_eq!(may_acknowledge(&"ana", &facts(true, true, true, false)), Ok(()));
        for (name, me, c) in [
            ("not finalized", "ana", facts(true, true, false, false)),
            ("twice", "ana", facts(true, true, true, true)),
            ("not the member", "max", facts(true, true, true, false)),
        ] {
            assert_eq!(may_acknowledge(&me, &c), Err(StepRefused::NotAcknowledger), "{name}");
        }
        assert_eq!(facts(false, true, false, false).stage(), Stage::Open);
        assert_eq!(facts(true, true, false, false).stage(), Stage::Revealed);
        assert_eq!(facts(true, true, true, false).stage(), Stage::Finalized);
        assert_eq!(facts(true, true, true, true).stage(), Stage::Acknowledged);
    }

    #[test]
    #[rustfmt::skip]
    fn clarity_fades_with_the_days_since_the_last_check_in() {
        let cases = [
            (Some(0), Clarity::CrystalClear, false),
            (Some(30), Clarity::CrystalClear, false),
            (Some(31), Clarity::Clear, false),
            (Some(60), Clarity::Clear, false),
            (Some(61), Clarity::Blurred, false),
            (Some(90), Clarity::Blurred, true),
            (Some(91), Clarity::Obscured, true),
            (None, Clarity::Obscured, true),
        ];
        for (days, clarity, is_due) in cases {
            assert_eq!(Clarity::of(days), clarity, "{days:?}");
            assert_eq!(due(days, 90), is_due, "{days:?}");
        }
        assert_eq!(Clarity::of(Some(45)).label(), "clear");
    }

    #[test]
    fn scales_round_trip_and_concerns_are_the_three_lowest() {
        for r in AbilityRating::ALL {
            assert_eq!(AbilityRating::parse(r.as_str()), Some(r));
        }
        for o in Overall::ALL {
            assert_eq!(Overall::parse(o.as_str()), Some(o));
        }
        let concerns: Vec<&str> = Overall::ALL
            .iter()
            .filter(|o| o.concern())
            .map(|o| o.label())
            .collect();
        assert_eq!(
            concerns,
            ["Needs attention", "Concerning", "Serious concern"]
        );
        assert_eq!(AbilityRating::parse("great"), None);
        assert_eq!(Overall::parse(""), None);
    }

    #[test]
    fn freezing_keeps_what_was_measured_and_said_and_reads_back() {
        let fw = crate::file::parse(include_str!("../../../demo/fernhill.yaml")).expect("demo");
        let position = fw
            .positions
            .iter()
            .find(|p| p.slug.as_str() == "engineer-2")
            .expect("position");
        let s = |x: &str| Slug::parse(x).expect("slug");
        let l = |n: i64| Level::parse(n).expect("level");
        let said = |r: AbilityRating, note: &str| Entry {
            rating: Some(r),
            note: note.to_owned(),
            evidence: vec![],
        };
        let sides = Sides {
            member: vec![(
                s("code-quality"),
                said(AbilityRating::Meeting, "I think so"),
            )],
            manager: vec![(s("code-quality"), said(AbilityRating::Exceeding, "More"))],
            agreed: vec![(s("code-quality"), said(AbilityRating::Exceeding, ""))],
        };
        let held = [
            (s("code-quality"), l(1)),
            (s("code-quality"), l(3)),
            (s("testing"), l(2)),
        ];
        let frozen = freeze(&Freezing {
            fw: &fw,
            framework_version: 7,
            position,
            aiming: false,
            added: &[],
            held: &held,
            sides: &sides,
            summary: "A good quarter.",
            overall: Overall::Accomplished,
            scale: &Scale::default(),
            at: 1_700_000_000_000,
        });
        let cq = frozen
            .abilities
            .iter()
            .find(|a| a.slug == "code-quality")
            .expect("code quality");
        assert_eq!((cq.required, cq.held), (Some(2), Some(3)));
        assert!(
            !cq.milestone.is_empty(),
            "the summary of the milestone required"
        );
        assert_eq!(cq.agreed.rating, Some(AbilityRating::Exceeding));
        assert_eq!(cq.member.note, "I think so");
        assert_eq!(
            frozen.awards,
            [("code-quality".to_owned(), 3), ("testing".to_owned(), 2)]
        );
        let json = serde_json::to_string(&frozen).expect("json");
        assert!(json.contains(r#""overall":"accomplished""#), "{json}");
        let back: Frozen = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, frozen);
    }

    #[test]
    #[rustfmt::skip]
    fn the_eligibility_rule_reads_the_last_check_ins() {
        use Overall::*;
        let two = CheckInRule { count: 2, at_least: Accomplished };
        let one = CheckInRule { count: 1, at_least: Developing };
        let cases: &[(CheckInRule, &[Overall], bool, &str)] = &[
            (two, &[],                                  false, "Check-ins: the last 2 finalized check-ins rated Accomplished or better; not met: none so far."),
            (two, &[Exceptional],                       false, "Check-ins: the last 2 finalized check-ins rated Accomplished or better; not met: only 1 so far."),
            (two, &[Exceptional, Accomplished],         true,  "Check-ins: the last 2 finalized check-ins rated Accomplished or better; met."),
            (two, &[Accomplished, Developing],          false, "Check-ins: the last 2 finalized check-ins rated Accomplished or better; not met: Developing."),
            (two, &[Exceptional, Exceptional, Concerning], true, "Check-ins: the last 2 finalized check-ins rated Accomplished or better; met."),
            (one, &[NeedsAttention, Exceptional],       false, "Check-ins: the last finalized check-in rated Developing or better; not met: Needs attention."),
        ];
        for (rule, overalls, met, words) in cases {
            assert_eq!(rule_outcome(*rule, overalls, &Scale::default()), (*met, (*words).to_owned()), "{overalls:?}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn an_organization_names_its_overall_ratings() {
        let six = ["Stellar", "Solid", "Growing", "Watch", "Worry", "Alarm"];
        let cases: &[(&[&str], Result<&str, &str>)] = &[
            (&["", "", "", "", "", ""], Ok("Accomplished")),
            (&six,                      Ok("Solid")),
            (&["A", "B"],               Err("Give six names, best first.")),
            (&["A", "B", "C", "D", "E", ""], Err("Each name is 1 to 40 characters.")),
            (&["A", "b", "B", "D", "E", "F"], Err("\"B\" is there twice: each rating needs its own name.")),
        ];
        for (names, want) in cases {
            let got = Scale::parse(names).map(|s| s.label(Overall::Accomplished).to_owned());
            assert_eq!(got.as_deref().map_err(String::as_str), *want, "{names:?}");
        }
        let custom = Scale::parse(&six).expect("six");
        assert_eq!(Scale::parse(&custom.to_lines().lines().collect::<Vec<_>>()), Ok(custom.clone()));
        assert_eq!(Scale::default().to_lines(), "", "the default is stored as nothing");
        let (_, words) = rule_outcome(CheckInRule { count: 1, at_least: Overall::Accomplished }, &[Overall::Concerning], &custom);
        assert_eq!(words, "Check-ins: the last finalized check-in rated Solid or better; not met: Worry.");
    }

    #[test]
    fn the_reveal_names_every_ability_the_sides_differ_on() {
        let s = |x: &str| Slug::parse(x).expect("slug");
        let member = vec![
            (s("a"), AbilityRating::Meeting),
            (s("b"), AbilityRating::Exceeding),
            (s("c"), AbilityRating::Meeting),
        ];
        let manager = vec![
            (s("a"), AbilityRating::Meeting),
            (s("b"), AbilityRating::Meeting),
            (s("d"), AbilityRating::WorkingTowards),
        ];
        let got: Vec<&str> = differences(&member, &manager)
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(got, ["b", "c", "d"]);
    }

    #[test]
    fn a_check_in_lists_the_positions_requirements_then_what_the_member_adds() {
        let fw = crate::file::parse(include_str!("../../../demo/fernhill.yaml")).expect("demo");
        let senior = fw
            .positions
            .iter()
            .find(|p| p.slug.as_str() == "senior-engineer")
            .expect("position");
        let s = |x: &str| Slug::parse(x).expect("slug");
        let required = position_requirements(senior, &fw.roles);
        let extra = fw
            .abilities
            .iter()
            .map(|a| a.slug.clone())
            .find(|a| !required.iter().any(|r| &r.ability == a))
            .expect("an ability senior engineers need not hold");
        let listed = abilities(&fw, senior, &[extra.clone(), s("code-quality"), s("nope")]);
        let names: Vec<(&str, Option<u8>)> = listed
            .iter()
            .map(|(a, l)| (a.as_str(), l.map(Level::get)))
            .collect();
        // Its own requirements and its roles' (on-call, mentor), highest each.
        assert!(names.contains(&("code-quality", Some(3))), "{names:?}");
        assert!(names.contains(&("system-design", Some(2))), "{names:?}");
        assert_eq!(
            names.last(),
            Some(&(extra.as_str(), None)),
            "added last, once, known only"
        );
        assert_eq!(names.len(), required.len() + 1);
        assert_eq!(
            names.iter().filter(|(a, _)| *a == "code-quality").count(),
            1
        );
    }
}

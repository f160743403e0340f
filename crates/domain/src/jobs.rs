//! People in their jobs: the position and roles a member holds, as
//! tenures over time, who may see them, and what holding them asks.
//!
//! A tenure is the half-open span `[since, until)` in UTC days (unix
//! milliseconds at midnight): a change on day D ends the old tenure at D
//! and opens the new one at D, so the two never overlap.

use crate::framework::{Framework, Level, Name, Requirement, Slug};
use crate::requirement::position_requirements;
use crate::visibility::Reader;

/// Unix milliseconds at a UTC midnight.
pub type Day = i64;

/// Why a change of position or roles is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenureRefused {
    /// A new tenure may not begin on or before the day the one it ends
    /// began: that would leave the old one empty or reversed.
    #[error("it must start after the day the current one began")]
    StartsTooEarly(Day),
    /// Tenures record what is held, not plans: a start after today is
    /// refused rather than shown as held.
    #[error("the start date cannot be in the future")]
    InTheFuture,
    /// The same position slot or role was held until this day.
    #[error("it would overlap an earlier tenure")]
    OverlapsEarlier(Day),
    #[error("only active members hold positions and roles")]
    NotActive,
    #[error("archived positions and roles cannot be newly given")]
    Archived,
    #[error("no such position or role")]
    Unknown,
}

/// Whether tenures may end and begin on day `since`, on day `today`: the
/// latest of the open tenures it ends began on `ending_began` (it must end
/// after it began), and the latest past tenure of what it opens (the
/// position slot, or the same role) ended on `opening_after` (the new one
/// may not reach back into it).
pub fn check_start(
    ending_began: Option<Day>,
    opening_after: Option<Day>,
    since: Day,
    today: Day,
) -> Result<(), TenureRefused> {
    if since > today {
        return Err(TenureRefused::InTheFuture);
    }
    if let Some(began) = ending_began.filter(|b| since <= *b) {
        return Err(TenureRefused::StartsTooEarly(began));
    }
    if let Some(ended) = opening_after.filter(|e| since < *e) {
        return Err(TenureRefused::OverlapsEarlier(ended));
    }
    Ok(())
}

/// The UTC day (its midnight) of a moment in unix milliseconds.
pub fn day_of(ms: i64) -> Day {
    ms - ms.rem_euclid(86_400_000)
}

/// What a viewer may see of someone's position and roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobsView {
    Nothing,
    /// The position and roles held now.
    Current,
    /// Those and every past tenure, with who set them.
    History,
}

/// The member themselves, their managers (any level up), admins and
/// people leads see the history; other members see what is held now when
/// the organization's setting "current positions visible to all members"
/// is on; anyone else sees nothing.
pub fn jobs_view<K: Eq + std::hash::Hash>(
    reader: &Reader<K>,
    subject: &K,
    manages_people: bool,
    visible_to_members: bool,
) -> JobsView {
    if !reader.member {
        return JobsView::Nothing;
    }
    let is_self = reader.person.as_ref() == Some(subject);
    if is_self || manages_people || reader.reports.contains(subject) {
        JobsView::History
    } else if visible_to_members {
        JobsView::Current
    } else {
        JobsView::Nothing
    }
}

/// Where a requirement comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The position held (its own requirements merged with its required
    /// roles', as eligibility reads them).
    Position(Slug),
    /// A role held.
    Role(Slug),
}

/// One requirement of something a member holds, and where they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub source: Source,
    pub ability: Slug,
    pub required: Level,
    pub held: Option<Level>,
}

impl Standing {
    /// Levels below the requirement; 0 when met.
    pub fn below(&self) -> u8 {
        self.required
            .get()
            .saturating_sub(self.held.map_or(0, Level::get))
    }

    pub fn met(&self) -> bool {
        self.below() == 0
    }
}

/// "Must be milestone N+" applied to the holder: every requirement of the
/// position held (merged with its required roles) and of each role held,
/// against the highest milestone `held` per ability. Positions and roles
/// not in the framework (archived since) ask nothing.
pub fn standings(
    fw: &Framework,
    position: Option<&Slug>,
    roles: &[Slug],
    held: &[(Slug, Level)],
) -> Vec<Standing> {
    let highest = |ability: &Slug| {
        held.iter()
            .filter(|(s, _)| s == ability)
            .map(|(_, l)| *l)
            .max()
    };
    let line = |source: Source, r: &Requirement| Standing {
        held: highest(&r.ability),
        ability: r.ability.clone(),
        required: r.level,
        source,
    };
    let mut out = Vec::new();
    if let Some(p) = position.and_then(|slug| fw.positions.iter().find(|p| &p.slug == slug)) {
        for r in position_requirements(p, &fw.roles) {
            out.push(line(Source::Position(p.slug.clone()), &r));
        }
    }
    for role in roles
        .iter()
        .filter_map(|slug| fw.roles.iter().find(|r| &r.slug == slug))
    {
        for r in &role.requires {
            out.push(line(Source::Role(role.slug.clone()), r));
        }
    }
    out
}

/// One line per ability for people to read: the highest level anything
/// held asks of it, with everything that asks that level (a position and
/// its required role often ask the same), in the order first met. A lower
/// level asked elsewhere is implied by the higher one, met or not.
pub fn by_ability(lines: &[Standing]) -> Vec<(Standing, Vec<Source>)> {
    let mut out: Vec<(Standing, Vec<Source>)> = Vec::new();
    for s in lines {
        match out.iter_mut().find(|(x, _)| x.ability == s.ability) {
            Some((x, sources)) if s.required > x.required => {
                *x = s.clone();
                *sources = vec![s.source.clone()];
            }
            Some((x, sources)) if s.required == x.required => {
                if !sources.contains(&s.source) {
                    sources.push(s.source.clone());
                }
            }
            Some(_) => {}
            None => out.push((s.clone(), vec![s.source.clone()])),
        }
    }
    out
}

/// A tenure as shown: what was held, from when to when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenure {
    pub kind: HoldingKind,
    pub slug: Slug,
    pub name: Name,
    pub since: Day,
    pub until: Option<Day>,
    pub set_by: Name,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldingKind {
    Position,
    Role,
    /// Belonging to a team (one at a time, like a position).
    Team,
}

impl HoldingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldingKind::Position => "position",
            HoldingKind::Role => "role",
            HoldingKind::Team => "team",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "position" => Some(HoldingKind::Position),
            "role" => Some(HoldingKind::Role),
            "team" => Some(HoldingKind::Team),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;

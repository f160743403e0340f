//! Configuration health: is a framework item alive? Five checks per
//! ability, each with a severity and its wording, and a sixth once a role
//! or position requires it: how many people hold what requires it.
//!
//! Counts are aggregates: they reveal no content, and cover every
//! observation, not only those the viewer may read.

use crate::MilesRule;
use crate::wording::{ago, pluralize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Ok => "✅",
            Severity::Info => "ℹ️",
            Severity::Warning => "⚠️",
            Severity::Critical => "⛔️",
        }
    }

    /// For screen readers and people who do not read emoji.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    Roles,
    Observations,
    Achievements,
    Freshness,
    Conversations,
    RequiredOf,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Roles => "roles",
            CheckKind::Observations => "observations",
            CheckKind::Achievements => "achievements",
            CheckKind::Freshness => "freshness",
            CheckKind::Conversations => "conversations",
            CheckKind::RequiredOf => "required_of",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub kind: CheckKind,
    pub severity: Severity,
    pub text: String,
}

/// An organization's health thresholds. Defaults: fresh for 6 months,
/// a warning up to 12, critical beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub stale_after_days: u32,
    pub critical_after_days: u32,
    /// How long a member may hold something while below one of its
    /// requirements before the report counts them (default 180 days).
    pub below_grace_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            stale_after_days: 183,
            critical_after_days: 365,
            below_grace_days: 180,
        }
    }
}

/// What the checks of one ability are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AbilityFacts {
    pub roles: u64,
    pub positions: u64,
    pub observations: u64,
    pub achievers: u64,
    pub updated_at: i64,
    pub conversations: u64,
    pub last_conversation_at: Option<i64>,
    /// Members who hold a role or position requiring it.
    pub required_of: u64,
}

const DAY_MS: i64 = 86_400_000;

/// The five checks, in the order the page shows them.
pub fn check(facts: &AbilityFacts, thresholds: &Thresholds, now: i64) -> Vec<Check> {
    let roles = match (facts.roles, facts.positions) {
        (0, 0) => (
            Severity::Warning,
            "Not associated with any role or position".to_owned(),
        ),
        (r, 0) => (
            Severity::Ok,
            format!("Associated with {}", pluralize(r, "role", "roles")),
        ),
        (0, p) => (
            Severity::Ok,
            format!("Associated with {}", pluralize(p, "position", "positions")),
        ),
        (r, p) => (
            Severity::Ok,
            format!(
                "Associated with {} and {}",
                pluralize(r, "role", "roles"),
                pluralize(p, "position", "positions")
            ),
        ),
    };
    let observations = match facts.observations {
        0 => (
            Severity::Warning,
            "Has been referenced in no observations".to_owned(),
        ),
        n => (
            Severity::Ok,
            format!(
                "Referenced in {}",
                pluralize(n, "observation", "observations")
            ),
        ),
    };
    let achievements = match facts.achievers {
        0 => (
            Severity::Info,
            "No one has achieved a milestone on this ability".to_owned(),
        ),
        1 => (Severity::Ok, "1 person has achieved a milestone".to_owned()),
        n => (
            Severity::Ok,
            format!("{n} people have achieved a milestone"),
        ),
    };
    let age = now - facts.updated_at;
    let freshness = (
        if age > i64::from(thresholds.critical_after_days) * DAY_MS {
            Severity::Critical
        } else if age > i64::from(thresholds.stale_after_days) * DAY_MS {
            Severity::Warning
        } else {
            Severity::Ok
        },
        format!("Last updated: {}", ago(facts.updated_at, now)),
    );
    let conversations = match (facts.conversations, facts.last_conversation_at) {
        (0, _) | (_, None) => (Severity::Info, "Never conversed about".to_owned()),
        (n, Some(last)) => (
            Severity::Ok,
            format!(
                "Conversed about {}, last {}",
                pluralize(n, "time", "times"),
                ago(last, now)
            ),
        ),
    };
    // Only once something requires it: otherwise the first check says so.
    let required_of = (facts.roles + facts.positions > 0).then(|| match facts.required_of {
        0 => (
            Severity::Info,
            "Required of nobody: no one holds a role or position that requires it".to_owned(),
        ),
        1 => (Severity::Ok, "Required of 1 person".to_owned()),
        n => (Severity::Ok, format!("Required of {n} people")),
    });
    [
        (CheckKind::Roles, roles),
        (CheckKind::Observations, observations),
        (CheckKind::Achievements, achievements),
        (CheckKind::Freshness, freshness),
        (CheckKind::Conversations, conversations),
    ]
    .into_iter()
    .chain(required_of.map(|r| (CheckKind::RequiredOf, r)))
    .map(|(kind, (severity, text))| Check {
        kind,
        severity,
        text,
    })
    .collect()
}

/// The worst severity among checks (Ok when there are none).
pub fn worst(checks: &[Check]) -> Severity {
    checks
        .iter()
        .map(|c| c.severity)
        .max()
        .unwrap_or(Severity::Ok)
}

#[cfg(test)]
mod tests;

/// Something about the framework as a whole that no single page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub text: String,
}

/// Every active ability's checks, and the organization-wide findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub abilities: Vec<AbilityReport>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbilityReport {
    pub slug: crate::Slug,
    pub name: crate::Name,
    pub checks: Vec<Check>,
}

impl Report {
    /// The JSON form shared by the API and `cairn health --format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let check = |c: &Check| serde_json::json!({ "check": c.kind.as_str(), "severity": c.severity.label(), "text": c.text });
        serde_json::json!({
            "worst": self.worst().label(),
            "abilities": self.abilities.iter().map(|a| serde_json::json!({
                "slug": a.slug.as_str(),
                "name": a.name.as_str(),
                "checks": a.checks.iter().map(check).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(|f| serde_json::json!({ "severity": f.severity.label(), "text": f.text })).collect::<Vec<_>>(),
        })
    }

    /// The text form of `cairn health`: findings, then every check that is
    /// not ok, one line each.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!("{} {}\n", f.severity.symbol(), f.text));
        }
        for a in &self.abilities {
            for c in a.checks.iter().filter(|c| c.severity != Severity::Ok) {
                out.push_str(&format!("{} {}: {}\n", c.severity.symbol(), a.name, c.text));
            }
        }
        out.push_str(&format!(
            "{} abilities checked; worst: {}\n",
            self.abilities.len(),
            self.worst().label()
        ));
        out
    }

    pub fn worst(&self) -> Severity {
        self.abilities
            .iter()
            .flat_map(|a| a.checks.iter().map(|c| c.severity))
            .chain(self.findings.iter().map(|f| f.severity))
            .max()
            .unwrap_or(Severity::Ok)
    }
}

/// A requirement of an active role or position on an archived ability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dangling {
    /// "role" or "position".
    pub kind: &'static str,
    pub item: String,
    pub ability: String,
}

/// What a member holds now, with the day each tenure began, and the
/// milestones they hold: what the report's people findings count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderFacts {
    pub position: Option<(crate::Slug, i64)>,
    pub roles: Vec<(crate::Slug, i64)>,
    pub held: Vec<(crate::Slug, crate::Level)>,
}

/// Who holds what, in aggregate: the report names nobody (anyone may read
/// a published framework's health).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Staffing {
    /// Active members.
    pub members: u64,
    /// Every active member who holds a position or a role.
    pub holders: Vec<HolderFacts>,
}

/// The organization-wide health report: one engine for the page, the API
/// and `cairn health`.
pub fn report(
    fw: &crate::Framework,
    facts: &[(crate::Slug, AbilityFacts)],
    dangling: &[Dangling],
    staffing: &Staffing,
    thresholds: &Thresholds,
    now: i64,
) -> Report {
    use crate::requirement::{position_requirements, required_miles};
    let abilities = fw
        .abilities
        .iter()
        .filter_map(|a| {
            let f = facts.iter().find(|(s, _)| s == &a.slug)?;
            Some(AbilityReport {
                slug: a.slug.clone(),
                name: a.name.clone(),
                checks: check(&f.1, thresholds, now),
            })
        })
        .collect();
    let mut findings = Vec::new();
    for d in dangling {
        findings.push(Finding {
            severity: Severity::Critical,
            text: format!(
                "The {} {} requires the archived ability {}.",
                d.kind, d.item, d.ability
            ),
        });
    }
    // The most miles anyone could hold: every ability at milestone 5.
    let max_miles = u64::from(fw.organization.miles.values()[4]) * fw.abilities.len() as u64;
    for p in &fw.positions {
        // A position ruled by miles alone (a floor or a band, as in a
        // Snowflake-style framework) asks for something without milestones.
        let by_miles =
            matches!(p.miles, MilesRule::AtLeast(n) if n > 0) || p.miles.band().is_some();
        if position_requirements(p, &fw.roles).is_empty() && !by_miles {
            findings.push(Finding {
                severity: Severity::Warning,
                text: format!(
                    "The position {} requires no milestones, directly or through its roles.",
                    p.title
                ),
            });
        }
        let needed = u64::from(required_miles(p, &fw.roles, &fw.organization.miles));
        if needed > max_miles {
            findings.push(Finding {
                severity: Severity::Critical,
                text: format!(
                    "No one could meet the miles of {}: it asks for {needed}, and holding every ability at milestone 5 gives {max_miles}.",
                    p.title
                ),
            });
        }
    }
    for a in &fw.abilities {
        if a.milestones.iter().all(|m| m.summary.is_empty()) {
            findings.push(Finding {
                severity: Severity::Warning,
                text: format!("{} has no milestone summaries.", a.name),
            });
        }
        let bare: Vec<String> = crate::Level::ALL
            .iter()
            .filter(|l| a.milestone(**l).examples.is_empty())
            .map(|l| l.to_string())
            .collect();
        if !bare.is_empty() {
            let which = if bare.len() == 1 {
                format!("Milestone {} has", bare[0])
            } else {
                format!("Milestones {} have", bare.join(", "))
            };
            findings.push(Finding {
                severity: Severity::Info,
                text: format!("{}: {which} no examples.", a.name),
            });
        }
    }
    findings.extend(staffing_findings(fw, staffing, thresholds, now));
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Report {
        abilities,
        findings,
    }
}

/// Who holds what, as findings: positions nobody holds and members with
/// no position (ℹ️), and members below a requirement of something they
/// have held for longer than the grace period (⚠️). Counts only. An
/// organization where nobody holds a position has not taken positions up
/// (or does not use them): nothing is said.
fn staffing_findings(
    fw: &crate::Framework,
    staffing: &Staffing,
    thresholds: &Thresholds,
    now: i64,
) -> Vec<Finding> {
    use crate::jobs::{Source, standings};
    let mut out = Vec::new();
    if staffing.members == 0 {
        return out;
    }
    let with_position = staffing
        .holders
        .iter()
        .filter(|h| h.position.is_some())
        .count() as u64;
    if with_position == 0 {
        return out;
    }
    for p in &fw.positions {
        let held = staffing
            .holders
            .iter()
            .any(|h| h.position.as_ref().is_some_and(|(s, _)| s == &p.slug));
        if !held {
            out.push(Finding {
                severity: Severity::Info,
                text: format!("Nobody holds the position {}.", p.title),
            });
        }
    }
    let without = staffing.members.saturating_sub(with_position);
    if without > 0 {
        out.push(Finding {
            severity: Severity::Info,
            text: format!(
                "{} no position.",
                pluralize(without, "active member holds", "active members hold")
            ),
        });
    }
    let grace = i64::from(thresholds.below_grace_days) * DAY_MS;
    let long_below = staffing
        .holders
        .iter()
        .filter(|h| {
            let roles: Vec<crate::Slug> = h.roles.iter().map(|(s, _)| s.clone()).collect();
            standings(fw, h.position.as_ref().map(|(s, _)| s), &roles, &h.held)
                .iter()
                .filter(|s| !s.met())
                .any(|s| {
                    let since = match &s.source {
                        Source::Position(_) => h.position.as_ref().map(|(_, d)| *d),
                        Source::Role(r) => h.roles.iter().find(|(x, _)| x == r).map(|(_, d)| *d),
                    };
                    since.is_some_and(|d| now - d > grace)
                })
        })
        .count() as u64;
    if long_below > 0 {
        out.push(Finding {
            severity: Severity::Warning,
            text: format!(
                "{} been below a requirement of what they hold for more than {} days.",
                pluralize(long_below, "member has", "members have"),
                thresholds.below_grace_days
            ),
        });
    }
    out
}

#[cfg(test)]
mod report_tests;

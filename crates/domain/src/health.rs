//! Configuration health: is a framework item alive? Five checks per
//! ability, each with a severity and its wording.
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
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Roles => "roles",
            CheckKind::Observations => "observations",
            CheckKind::Achievements => "achievements",
            CheckKind::Freshness => "freshness",
            CheckKind::Conversations => "conversations",
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
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            stale_after_days: 183,
            critical_after_days: 365,
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
    [
        (CheckKind::Roles, roles),
        (CheckKind::Observations, observations),
        (CheckKind::Achievements, achievements),
        (CheckKind::Freshness, freshness),
        (CheckKind::Conversations, conversations),
    ]
    .into_iter()
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

/// The organization-wide health report: one engine for the page, the API
/// and `cairn health`.
pub fn report(
    fw: &crate::Framework,
    facts: &[(crate::Slug, AbilityFacts)],
    dangling: &[Dangling],
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
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Report {
        abilities,
        findings,
    }
}

#[cfg(test)]
mod report_tests;

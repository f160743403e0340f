//! Configuration health: is a framework item alive? Five checks per
//! ability, each with a severity and its wording.
//!
//! Counts are aggregates: they reveal no content, and cover every
//! observation, not only those the viewer may read.

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
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn facts() -> AbilityFacts {
        AbilityFacts {
            updated_at: NOW,
            ..AbilityFacts::default()
        }
    }

    fn one(kind: CheckKind, f: &AbilityFacts, t: &Thresholds) -> (Severity, String) {
        let c = check(f, t, NOW)
            .into_iter()
            .find(|c| c.kind == kind)
            .expect("check present");
        (c.severity, c.text)
    }

    #[test]
    fn roles_observations_achievements_and_conversations() {
        let t = Thresholds::default();
        type Case = (
            &'static str,
            CheckKind,
            AbilityFacts,
            Severity,
            &'static str,
        );
        let f = facts();
        let cases: Vec<Case> = vec![
            (
                "no role",
                CheckKind::Roles,
                f,
                Severity::Warning,
                "Not associated with any role or position",
            ),
            (
                "one role",
                CheckKind::Roles,
                AbilityFacts { roles: 1, ..f },
                Severity::Ok,
                "Associated with 1 role",
            ),
            (
                "roles",
                CheckKind::Roles,
                AbilityFacts { roles: 3, ..f },
                Severity::Ok,
                "Associated with 3 roles",
            ),
            (
                "position only",
                CheckKind::Roles,
                AbilityFacts { positions: 1, ..f },
                Severity::Ok,
                "Associated with 1 position",
            ),
            (
                "both",
                CheckKind::Roles,
                AbilityFacts {
                    roles: 1,
                    positions: 2,
                    ..f
                },
                Severity::Ok,
                "Associated with 1 role and 2 positions",
            ),
            (
                "no observation",
                CheckKind::Observations,
                f,
                Severity::Warning,
                "Has been referenced in no observations",
            ),
            (
                "one observation",
                CheckKind::Observations,
                AbilityFacts {
                    observations: 1,
                    ..f
                },
                Severity::Ok,
                "Referenced in 1 observation",
            ),
            (
                "observations",
                CheckKind::Observations,
                AbilityFacts {
                    observations: 12,
                    ..f
                },
                Severity::Ok,
                "Referenced in 12 observations",
            ),
            (
                "nobody achieved",
                CheckKind::Achievements,
                f,
                Severity::Info,
                "No one has achieved a milestone on this ability",
            ),
            (
                "one achiever",
                CheckKind::Achievements,
                AbilityFacts { achievers: 1, ..f },
                Severity::Ok,
                "1 person has achieved a milestone",
            ),
            (
                "achievers",
                CheckKind::Achievements,
                AbilityFacts { achievers: 4, ..f },
                Severity::Ok,
                "4 people have achieved a milestone",
            ),
            (
                "never conversed",
                CheckKind::Conversations,
                f,
                Severity::Info,
                "Never conversed about",
            ),
            (
                "conversed once",
                CheckKind::Conversations,
                AbilityFacts {
                    conversations: 1,
                    last_conversation_at: Some(NOW - 2 * DAY_MS),
                    ..f
                },
                Severity::Ok,
                "Conversed about 1 time, last 2 days ago",
            ),
            (
                "conversed often",
                CheckKind::Conversations,
                AbilityFacts {
                    conversations: 7,
                    last_conversation_at: Some(NOW - 60_000 * 90),
                    ..f
                },
                Severity::Ok,
                "Conversed about 7 times, last about 2 hours ago",
            ),
        ];
        for (name, kind, f, severity, text) in cases {
            assert_eq!(one(kind, &f, &t), (severity, text.to_owned()), "{name}");
        }
    }

    #[test]
    fn freshness_follows_the_organization_thresholds_at_each_boundary() {
        let default = Thresholds::default();
        let strict = Thresholds {
            stale_after_days: 30,
            critical_after_days: 90,
        };
        let at = |days_ago: i64, extra_ms: i64| AbilityFacts {
            updated_at: NOW - days_ago * DAY_MS - extra_ms,
            ..facts()
        };
        type Case = (
            &'static str,
            AbilityFacts,
            Thresholds,
            Severity,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                "just now",
                at(0, 0),
                default,
                Severity::Ok,
                "Last updated: less than a minute ago",
            ),
            (
                "3 months",
                at(91, 0),
                default,
                Severity::Ok,
                "Last updated: 3 months ago",
            ),
            (
                "on the stale threshold",
                at(183, 0),
                default,
                Severity::Ok,
                "Last updated: 6 months ago",
            ),
            (
                "just past it",
                at(183, 1),
                default,
                Severity::Warning,
                "Last updated: 6 months ago",
            ),
            (
                "on the critical threshold",
                at(365, 0),
                default,
                Severity::Warning,
                "Last updated: about 1 year ago",
            ),
            (
                "just past it",
                at(365, 1),
                default,
                Severity::Critical,
                "Last updated: about 1 year ago",
            ),
            (
                "years",
                at(1800, 0),
                default,
                Severity::Critical,
                "Last updated: almost 5 years ago",
            ),
            (
                "strict: 31 days",
                at(31, 0),
                strict,
                Severity::Warning,
                "Last updated: about 1 month ago",
            ),
            (
                "strict: 91 days",
                at(91, 0),
                strict,
                Severity::Critical,
                "Last updated: 3 months ago",
            ),
        ];
        for (name, f, t, severity, text) in cases {
            assert_eq!(
                one(CheckKind::Freshness, &f, &t),
                (severity, text.to_owned()),
                "{name}"
            );
        }
    }

    #[test]
    fn checks_come_in_page_order_and_the_worst_is_found() {
        let checks = check(&facts(), &Thresholds::default(), NOW);
        let kinds: Vec<CheckKind> = checks.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            vec![
                CheckKind::Roles,
                CheckKind::Observations,
                CheckKind::Achievements,
                CheckKind::Freshness,
                CheckKind::Conversations
            ]
        );
        assert_eq!(worst(&checks), Severity::Warning);
        assert_eq!(worst(&[]), Severity::Ok);
        assert_eq!(Severity::Critical.symbol(), "⛔️");
    }
}

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
        if position_requirements(p, &fw.roles).is_empty() {
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
mod report_tests {
    use super::*;
    use crate::file;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn organization_wide_findings() {
        let mut fw = file::parse(include_str!("../../../demo/fernhill.yaml")).expect("demo");
        // Break things the report should notice.
        fw.positions[0].required_roles.clear(); // Engineer I: nothing required any more
        fw.positions[3].miles = crate::MilesRule::AtLeast(1000); // unreachable
        fw.abilities[1]
            .milestones
            .iter_mut()
            .for_each(|m| m.summary = crate::Markdown::default());
        fw.abilities[2].milestones[4].examples.clear();
        let facts: Vec<(crate::Slug, AbilityFacts)> = fw
            .abilities
            .iter()
            .map(|a| {
                (
                    a.slug.clone(),
                    AbilityFacts {
                        roles: 1,
                        updated_at: NOW,
                        ..Default::default()
                    },
                )
            })
            .collect();
        let dangling = [Dangling {
            kind: "role",
            item: "Mentor".into(),
            ability: "Coaching".into(),
        }];
        let r = report(&fw, &facts, &dangling, &Thresholds::default(), NOW);
        let lines: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{} {}", f.severity.symbol(), f.text))
            .collect();
        assert_eq!(
            lines,
            vec![
                "⛔️ The role Mentor requires the archived ability Coaching.",
                "⛔️ No one could meet the miles of Staff Engineer: it asks for 1000, and holding every ability at milestone 5 gives 160.",
                "⚠️ The position Engineer I requires no milestones, directly or through its roles.",
                "⚠️ System Design has no milestone summaries.",
                "ℹ️ Testing & Verification: Milestone 5 has no examples.",
            ]
        );
        assert_eq!(r.abilities.len(), 8);
        assert_eq!(r.worst(), Severity::Critical);
        let clean = report(
            &file::parse(include_str!("../../../demo/fernhill.yaml")).expect("demo"),
            &facts,
            &[],
            &Thresholds::default(),
            NOW,
        );
        assert!(clean.findings.is_empty(), "{:?}", clean.findings);
        assert_eq!(clean.worst(), Severity::Warning, "no observations yet");
    }
}

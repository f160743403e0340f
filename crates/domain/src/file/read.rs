//! Reading a framework file: YAML or JSON, spans kept, every problem found.

use std::collections::HashMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use crate::framework::check_text;
use crate::framework::{
    Ability, Framework, Level, Markdown, MilesRule, MilesScale, Milestone, Name, OrgSlug,
    Organization, ParseError, Position, Requirement, Role, Slug,
};

use super::*;
use crate::licence::Licence;

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: S<String>,
    /// The published version this file is (informational on import).
    version: Option<S<i64>>,
    /// The licence's SPDX id; absent: all rights reserved.
    licence: Option<S<String>>,
    /// A fork's attribution (`cairn_domain::licence::attribution`).
    attribution: Option<S<String>>,
    organization: RawOrganization,
    #[serde(default)]
    abilities: Vec<S<RawAbility>>,
    #[serde(default)]
    roles: Vec<S<RawRole>>,
    #[serde(default)]
    positions: Vec<S<RawPosition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    slug: S<String>,
    name: S<String>,
    miles: Option<S<Vec<i64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAbility {
    slug: S<String>,
    name: S<String>,
    category: Option<S<String>>,
    description: Option<S<String>>,
    milestones: S<Vec<RawMilestone>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    summary: Option<S<String>>,
    #[serde(default)]
    examples: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    slug: S<String>,
    name: S<String>,
    plural: Option<S<String>>,
    description: Option<S<String>>,
    #[serde(default)]
    requires: RawRequires,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPosition {
    slug: S<String>,
    title: S<String>,
    plural: Option<S<String>>,
    level: S<String>,
    description: Option<S<String>>,
    #[serde(default)]
    roles: RawPositionRoles,
    #[serde(default)]
    requires: RawRequires,
    miles: Option<S<RawMilesRule>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPositionRoles {
    #[serde(default)]
    required: Vec<S<String>>,
    #[serde(default)]
    suggested: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilesRule {
    over_required_percent: Option<S<i64>>,
    at_least: Option<S<i64>>,
    /// The band's ceiling (with `at_least`, or alone from 0).
    below: Option<S<i64>>,
}

/// `{ ability-slug: level, ... }`, order kept, each key and value located.
#[derive(Default)]
struct RawRequires(Vec<(S<String>, S<i64>)>);

impl<'de> Deserialize<'de> for RawRequires {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = RawRequires;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of ability slug to milestone level")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRequires, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(RawRequires(out))
            }
        }
        d.deserialize_map(MapVisitor)
    }
}

/// Collects problems while a file is checked.
#[derive(Default)]
struct Problems(Vec<FileProblem>);

impl Problems {
    fn at<T>(&mut self, span: &S<T>, message: impl Into<String>) {
        self.0.push(FileProblem {
            line: span.referenced.line(),
            column: span.referenced.column(),
            message: message.into(),
        });
    }

    /// Parses a located value, recording the parse error there.
    /// An optional markdown field, checked where it stands in the file.
    fn markdown(&mut self, span: &Option<S<String>>, what: &'static str) -> Option<Markdown> {
        match span {
            None => Some(Markdown::default()),
            Some(s) => self.parse(s, |t| Markdown::parse(t.as_str(), what)),
        }
    }

    fn parse<T, R>(
        &mut self,
        span: &S<T>,
        f: impl FnOnce(&T) -> Result<R, ParseError>,
    ) -> Option<R> {
        match f(&span.value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.at(span, e.to_string());
                None
            }
        }
    }
}

/// Parses and validates a framework file (YAML or JSON).
pub fn parse(text: &str) -> Result<Framework, Vec<FileProblem>> {
    read(text).map(|f| f.framework)
}

/// A file's framework and the published version it says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub framework: Framework,
    pub version: Option<u32>,
}

/// `parse`, keeping the file's `version` key.
pub fn read(text: &str) -> Result<Contents, Vec<FileProblem>> {
    let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| vec![syntax_problem(&e)])?;
    let mut problems = Problems::default();
    let version = match &raw.version {
        Some(v) => match u32::try_from(v.value).ok().filter(|n| *n >= 1) {
            Some(n) => Some(n),
            None => {
                problems.at(v, "version is a published version's number: 1 or more");
                None
            }
        },
        None => None,
    };
    let framework = validate(raw, &mut problems);
    match framework {
        Some(framework) if problems.0.is_empty() => Ok(Contents { framework, version }),
        _ => Err(problems.0),
    }
}

fn syntax_problem(e: &serde_saphyr::Error) -> FileProblem {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let text = e.without_snippet().to_string();
    // The parser appends the location to its message; we print it in front.
    let suffix = format!(" at line {line}, column {column}");
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    FileProblem {
        line,
        column,
        message,
    }
}

fn validate(raw: RawFile, p: &mut Problems) -> Option<Framework> {
    if raw.format.value != FORMAT {
        p.at(
            &raw.format,
            format!("format must be {FORMAT:?} (got {:?})", raw.format.value),
        );
    }
    let licence = match &raw.licence {
        Some(l) => match Licence::parse(&l.value) {
            Some(l) => Some(l),
            None => {
                p.at(
                    l,
                    format!(
                        "unknown licence {:?}: use one of {}",
                        l.value,
                        Licence::ALL.map(Licence::as_str).join(", ")
                    ),
                );
                None
            }
        },
        None => Some(Licence::None),
    };
    let attribution = raw
        .attribution
        .as_ref()
        .map(|a| a.value.trim().to_owned())
        .unwrap_or_default();
    let organization = validate_organization(raw.organization, licence, attribution, p);

    let mut ability_slugs: HashMap<String, u64> = HashMap::new();
    let abilities: Vec<Option<Ability>> = raw
        .abilities
        .into_iter()
        .map(|a| {
            note_unique(&mut ability_slugs, &a.value.slug, "ability", p);
            validate_ability(a, p)
        })
        .collect();

    let mut role_slugs: HashMap<String, u64> = HashMap::new();
    let roles: Vec<Option<Role>> = raw
        .roles
        .into_iter()
        .map(|r| {
            note_unique(&mut role_slugs, &r.value.slug, "role", p);
            validate_role(r.value, &ability_slugs, p)
        })
        .collect();

    let mut position_slugs: HashMap<String, u64> = HashMap::new();
    let positions: Vec<Option<Position>> = raw
        .positions
        .into_iter()
        .map(|pos| {
            note_unique(&mut position_slugs, &pos.value.slug, "position", p);
            validate_position(pos.value, &ability_slugs, &role_slugs, p)
        })
        .collect();

    Some(Framework {
        organization: organization?,
        abilities: abilities.into_iter().collect::<Option<_>>()?,
        roles: roles.into_iter().collect::<Option<_>>()?,
        positions: positions.into_iter().collect::<Option<_>>()?,
    })
}

/// Records a slug as seen, or a problem if it was seen before.
fn note_unique(seen: &mut HashMap<String, u64>, slug: &S<String>, kind: &str, p: &mut Problems) {
    if let Some(first) = seen.get(&slug.value) {
        p.at(
            slug,
            format!(
                "duplicate {kind} slug {:?} (first defined on line {first})",
                slug.value
            ),
        );
    } else {
        seen.insert(slug.value.clone(), slug.referenced.line());
    }
}

fn validate_organization(
    raw: RawOrganization,
    licence: Option<Licence>,
    attribution: String,
    p: &mut Problems,
) -> Option<Organization> {
    let slug = p.parse(&raw.slug, |s| OrgSlug::parse(s));
    let name = p.parse(&raw.name, |s| Name::parse(s, "the organization name"));
    let miles = match &raw.miles {
        Some(m) => p.parse(m, |v| MilesScale::parse(v)),
        None => Some(MilesScale::default()),
    };
    Some(Organization {
        slug: slug?,
        name: name?,
        miles: miles?,
        licence: licence?,
        attribution,
    })
}

fn validate_ability(raw: S<RawAbility>, p: &mut Problems) -> Option<Ability> {
    let a = raw.value;
    let slug = p.parse(&a.slug, |s| Slug::parse(s));
    let name = p.parse(&a.name, |s| Name::parse(s, "an ability name"));
    let category = match &a.category {
        Some(c) => Some(p.parse(c, |s| Name::parse(s, "a category"))?),
        None => None,
    };
    let count = a.milestones.value.len();
    if count != 5 {
        p.at(
            &a.milestones,
            format!("an ability has exactly five milestones (got {count})"),
        );
    }
    let milestones: Vec<Option<Milestone>> = a
        .milestones
        .value
        .into_iter()
        .map(|m| {
            let examples: Vec<Option<String>> = m
                .examples
                .iter()
                .map(|e| p.parse(e, |s| check_example(s)))
                .collect();
            Some(Milestone {
                summary: p.markdown(&m.summary, "a milestone summary")?,
                examples: examples.into_iter().collect::<Option<_>>()?,
            })
        })
        .collect();
    let milestones: Vec<Milestone> = milestones.into_iter().collect::<Option<_>>()?;
    Some(Ability {
        slug: slug?,
        name: name?,
        category,
        description: p.markdown(&a.description, "a description")?,
        milestones: milestones.try_into().ok()?,
    })
}

/// An example is one short line of inline markdown, shown as written.
pub fn check_example(s: &str) -> Result<String, ParseError> {
    if s.trim().is_empty() {
        return Err(ParseError::Empty { what: "an example" });
    }
    if s.contains(['\n', '\r']) {
        return Err(ParseError::Multiline { what: "an example" });
    }
    check_text(s, "an example")?;
    let len = s.chars().count();
    if len > MAX_EXAMPLE {
        return Err(ParseError::TooLong {
            what: "an example",
            max: MAX_EXAMPLE,
            len,
        });
    }
    Ok(s.to_owned())
}

const MAX_EXAMPLE: usize = 1000;

fn validate_requires(
    raw: &RawRequires,
    abilities: &HashMap<String, u64>,
    p: &mut Problems,
) -> Option<Vec<Requirement>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (ability, level) in &raw.0 {
        if !abilities.contains_key(&ability.value) {
            p.at(
                ability,
                format!("unknown ability {:?} in a requirement", ability.value),
            );
            ok = false;
            continue;
        }
        if out
            .iter()
            .any(|r: &Requirement| r.ability.as_str() == ability.value)
        {
            p.at(
                ability,
                format!("ability {:?} is required twice", ability.value),
            );
            ok = false;
            continue;
        }
        let slug = p.parse(ability, |s| Slug::parse(s));
        let level = p.parse(level, |n| Level::parse(*n));
        match (slug, level) {
            (Some(ability), Some(level)) => out.push(Requirement { ability, level }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn validate_role(r: RawRole, abilities: &HashMap<String, u64>, p: &mut Problems) -> Option<Role> {
    let slug = p.parse(&r.slug, |s| Slug::parse(s));
    let name = p.parse(&r.name, |s| Name::parse(s, "a role name"));
    let plural = match &r.plural {
        Some(pl) => Some(p.parse(pl, |s| Name::parse(s, "a role's plural"))?),
        None => None,
    };
    let requires = validate_requires(&r.requires, abilities, p);
    let name = name?;
    Some(Role {
        slug: slug?,
        plural: plural.unwrap_or_else(|| Role::default_plural(&name)),
        name,
        description: p.markdown(&r.description, "a description")?,
        requires: requires?,
    })
}

fn validate_position(
    r: RawPosition,
    abilities: &HashMap<String, u64>,
    roles: &HashMap<String, u64>,
    p: &mut Problems,
) -> Option<Position> {
    let slug = p.parse(&r.slug, |s| Slug::parse(s));
    let title = p.parse(&r.title, |s| Name::parse(s, "a position title"));
    let level = p.parse(&r.level, |s| Name::parse(s, "a position level"));
    let role_list = |list: &[S<String>], kind: &str, p: &mut Problems| -> Option<Vec<Slug>> {
        let mut out: Vec<Slug> = Vec::new();
        let mut ok = true;
        for role in list {
            if !roles.contains_key(&role.value) {
                p.at(
                    role,
                    format!("unknown role {:?} in {kind} roles", role.value),
                );
                ok = false;
            } else if out.iter().any(|s| s.as_str() == role.value) {
                p.at(role, format!("role {:?} is listed twice", role.value));
                ok = false;
            } else if let Some(s) = p.parse(role, |s| Slug::parse(s)) {
                out.push(s);
            }
        }
        ok.then_some(out)
    };
    let required_roles = role_list(&r.roles.required, "required", p);
    let suggested_roles = role_list(&r.roles.suggested, "suggested", p);
    if let Some(req) = &required_roles {
        for role in r
            .roles
            .suggested
            .iter()
            .filter(|s| req.iter().any(|q| q.as_str() == s.value))
        {
            p.at(
                role,
                format!("role {:?} is both required and suggested", role.value),
            );
        }
    }
    let requires = validate_requires(&r.requires, abilities, p);
    let miles = match &r.miles {
        None => Some(MilesRule::Required),
        Some(rule) => validate_miles_rule(rule, p),
    };
    let plural = match &r.plural {
        Some(pl) => Some(p.parse(pl, |s| Name::parse(s, "a position's plural"))?),
        None => None,
    };
    let title: Option<Name> = title;
    Some(Position {
        slug: slug?,
        plural: plural.or_else(|| title.as_ref().map(Role::default_plural))?,
        title: title?,
        level: level?,
        description: p.markdown(&r.description, "a description")?,
        required_roles: required_roles?,
        suggested_roles: suggested_roles?,
        requires: requires?,
        miles: miles?,
    })
}

fn validate_miles_rule(rule: &S<RawMilesRule>, p: &mut Problems) -> Option<MilesRule> {
    let non_negative = |n: &S<i64>, p: &mut Problems| -> Option<u32> {
        match u32::try_from(n.value) {
            Ok(v) => Some(v),
            Err(_) => {
                p.at(
                    n,
                    format!(
                        "miles are whole numbers from 0 to {} (got {})",
                        u32::MAX,
                        n.value
                    ),
                );
                None
            }
        }
    };
    let r = &rule.value;
    match (&r.over_required_percent, &r.at_least, &r.below) {
        (Some(pct), None, None) => non_negative(pct, p).map(MilesRule::OverRequiredPercent),
        (None, Some(n), None) => non_negative(n, p).map(MilesRule::AtLeast),
        (None, floor, Some(below)) => {
            let at_least = match floor {
                Some(n) => non_negative(n, p)?,
                None => 0,
            };
            let ceiling = non_negative(below, p)?;
            if ceiling <= at_least {
                p.at(
                    below,
                    format!("a miles band's below ({ceiling}) must be more than its at_least ({at_least})"),
                );
                return None;
            }
            Some(MilesRule::Band {
                at_least,
                below: ceiling,
            })
        }
        _ => {
            p.at(
                rule,
                "a position's miles give exactly one of over_required_percent or at_least (a band: at_least and below)",
            );
            None
        }
    }
}

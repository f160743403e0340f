//! The framework file (`format: cairn/1`), YAML or JSON: parsing with
//! locations, validation into a [`Framework`], and writing it back.
//!
//! JSON is read by the YAML parser too (JSON is YAML's flow syntax), so both
//! formats report problems at a line and column. Every problem found is
//! reported, not only the first, so a broken file is fixed in one pass.

use std::collections::HashMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_saphyr::Spanned;

use crate::framework::check_text;
use crate::framework::{
    Ability, Framework, Level, Markdown, MilesRule, MilesScale, Milestone, Name, OrgSlug,
    Organization, ParseError, Position, Requirement, Role, Slug,
};

pub const FORMAT: &str = "cairn/1";

/// One thing wrong with a file, where it is and which rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// 1-based; 0 when the location is unknown.
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The output format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

// ---------------------------------------------------------------------------
// Reading

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: S<String>,
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
    let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| vec![syntax_problem(&e)])?;
    let mut problems = Problems::default();
    let framework = validate(raw, &mut problems);
    match framework {
        Some(f) if problems.0.is_empty() => Ok(f),
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
    let organization = validate_organization(raw.organization, p);

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

fn validate_organization(raw: RawOrganization, p: &mut Problems) -> Option<Organization> {
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
    match (&rule.value.over_required_percent, &rule.value.at_least) {
        (Some(pct), None) => non_negative(pct, p).map(MilesRule::OverRequiredPercent),
        (None, Some(n)) => non_negative(n, p).map(MilesRule::AtLeast),
        _ => {
            p.at(
                rule,
                "a position's miles give exactly one of over_required_percent or at_least",
            );
            None
        }
    }
}

// ---------------------------------------------------------------------------
// Writing

#[derive(Serialize)]
struct OutFile<'a> {
    format: &'static str,
    organization: OutOrganization<'a>,
    abilities: Vec<OutAbility<'a>>,
    roles: Vec<OutRole<'a>>,
    positions: Vec<OutPosition<'a>>,
}

#[derive(Serialize)]
struct OutOrganization<'a> {
    slug: &'a str,
    name: &'a str,
    miles: [u32; 5],
}

#[derive(Serialize)]
struct OutAbility<'a> {
    slug: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    description: &'a str,
    milestones: Vec<OutMilestone<'a>>,
}

#[derive(Serialize)]
struct OutMilestone<'a> {
    summary: &'a str,
    examples: &'a [String],
}

#[derive(Serialize)]
struct OutRole<'a> {
    slug: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    plural: Option<&'a str>,
    description: &'a str,
    requires: OutRequires<'a>,
}

#[derive(Serialize)]
struct OutPosition<'a> {
    slug: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    plural: Option<&'a str>,
    level: &'a str,
    description: &'a str,
    roles: OutPositionRoles<'a>,
    requires: OutRequires<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    miles: Option<OutMilesRule>,
}

#[derive(Serialize)]
struct OutPositionRoles<'a> {
    required: Vec<&'a str>,
    suggested: Vec<&'a str>,
}

enum OutMilesRule {
    OverRequiredPercent(u32),
    AtLeast(u32),
}

impl Serialize for OutMilesRule {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        match self {
            Self::OverRequiredPercent(n) => map.serialize_entry("over_required_percent", n)?,
            Self::AtLeast(n) => map.serialize_entry("at_least", n)?,
        }
        map.end()
    }
}

/// Requirements as an ordered mapping, in the order they were written.
struct OutRequires<'a>(&'a [Requirement]);

impl Serialize for OutRequires<'_> {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.collect_map(self.0.iter().map(|r| (r.ability.as_str(), r.level.get())))
    }
}

fn to_out(f: &Framework) -> OutFile<'_> {
    OutFile {
        format: FORMAT,
        organization: OutOrganization {
            slug: f.organization.slug.as_str(),
            name: f.organization.name.as_str(),
            miles: f.organization.miles.values(),
        },
        abilities: f
            .abilities
            .iter()
            .map(|a| OutAbility {
                slug: a.slug.as_str(),
                name: a.name.as_str(),
                category: a.category.as_ref().map(Name::as_str),
                description: a.description.as_str(),
                milestones: a
                    .milestones
                    .iter()
                    .map(|m| OutMilestone {
                        summary: m.summary.as_str(),
                        examples: &m.examples,
                    })
                    .collect(),
            })
            .collect(),
        roles: f
            .roles
            .iter()
            .map(|r| OutRole {
                slug: r.slug.as_str(),
                name: r.name.as_str(),
                plural: (r.plural != Role::default_plural(&r.name)).then(|| r.plural.as_str()),
                description: r.description.as_str(),
                requires: OutRequires(&r.requires),
            })
            .collect(),
        positions: f
            .positions
            .iter()
            .map(|p| OutPosition {
                slug: p.slug.as_str(),
                title: p.title.as_str(),
                plural: (p.plural != Role::default_plural(&p.title)).then(|| p.plural.as_str()),
                level: p.level.as_str(),
                description: p.description.as_str(),
                roles: OutPositionRoles {
                    required: p.required_roles.iter().map(Slug::as_str).collect(),
                    suggested: p.suggested_roles.iter().map(Slug::as_str).collect(),
                },
                requires: OutRequires(&p.requires),
                miles: match p.miles {
                    MilesRule::Required => None,
                    MilesRule::OverRequiredPercent(n) => Some(OutMilesRule::OverRequiredPercent(n)),
                    MilesRule::AtLeast(n) => Some(OutMilesRule::AtLeast(n)),
                },
            })
            .collect(),
    }
}

/// Why a framework could not be written (a serializer failure; not
/// expected for these plain types, but reported rather than panicking).
#[derive(Debug, thiserror::Error)]
#[error("could not write the framework file: {0}")]
pub struct WriteError(String);

/// Writes the framework in the file format. Reading the output back gives
/// an equal framework, and writing that gives the same text.
pub fn write(f: &Framework, format: Format) -> Result<String, WriteError> {
    let out = to_out(f);
    match format {
        Format::Yaml => serde_saphyr::to_string(&out).map_err(|e| WriteError(e.to_string())),
        Format::Json => serde_json::to_string_pretty(&out)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| WriteError(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../../demo/fernhill.yaml");

    /// A small valid file; cases below break one thing in it at a time.
    const BASE: &str = "\
format: cairn/1
organization:
  slug: acme
  name: Acme
abilities:
  - slug: ops
    name: Ops
    milestones:
      - summary: one
      - summary: two
      - summary: three
      - summary: four
      - summary: five
roles:
  - slug: ops-engineer
    name: Ops Engineer
    requires: { ops: 1 }
positions:
  - slug: senior
    title: Senior Ops Engineer
    level: \"3.1\"
    roles: { required: [ops-engineer] }
    requires: { ops: 3 }
";

    fn round_trip(text: &str, format: Format) -> String {
        let first = parse(text).expect("first parse");
        let exported = write(&first, format).expect("write");
        let second = parse(&exported).expect("re-parse of export");
        assert_eq!(first, second, "import of the export is the same framework");
        let again = write(&second, format).expect("write again");
        assert_eq!(exported, again, "export → import → export is identical");
        exported
    }

    #[test]
    fn demo_round_trips_in_both_formats() {
        let yaml = round_trip(DEMO, Format::Yaml);
        let json = round_trip(DEMO, Format::Json);
        // Both formats describe the same framework.
        assert_eq!(parse(&yaml).expect("yaml"), parse(&json).expect("json"));
        let demo = parse(DEMO).expect("demo");
        assert_eq!(demo.abilities.len(), 8);
        assert_eq!(demo.roles.len(), 4);
        assert_eq!(demo.positions.len(), 4);
    }

    #[test]
    fn edge_cases_round_trip() {
        let long =
            "Paragraph with **bold**, `code` and a [link](https://example.com).\n\n".repeat(200);
        let edge = format!(
            "format: cairn/1
organization: {{ slug: zz, name: \"Zoë & Søren's «Team» 🚀\", miles: [2, 5, 9, 14, 30] }}
abilities:
  - slug: u
    name: \"Ünïcödé: 日本語 ✨\"
    category: \"Ça va\"
    description: {long:?}
    milestones:
      - {{ summary: \"\", examples: [] }}
      - {{ examples: [\"quotes \\\"double\\\" and 'single'\", \"a | pipe | table\", \"<script>alert(1)</script>\", \"- looks like a list\", \"# not a heading\", \"123\", \"yes\", \"  leading spaces\", \"emoji 🎉 and tab\\there\"] }}
      - {{ summary: \"trailing newline\\n\" }}
      - {{ summary: \"three\\nlines\\nhere\" }}
      - {{ summary: \"a: colon\" }}
roles:
  - {{ slug: r, name: Person, plural: People, requires: {{}} }}
  - {{ slug: r2, name: Ops Engineer, requires: {{ u: 5 }} }}
positions:
  - {{ slug: p, title: P, level: \"1\", miles: {{ at_least: 0 }} }}
  - {{ slug: p2, title: P2, plural: Pilots Two, level: \"1\", roles: {{ required: [r2], suggested: [r] }}, miles: {{ over_required_percent: 15 }} }}
"
        );
        for format in [Format::Yaml, Format::Json] {
            let out = round_trip(&edge, format);
            let f = parse(&out).expect("parse");
            assert_eq!(f.organization.name.as_str(), "Zoë & Søren's «Team» 🚀");
            assert!(
                f.abilities[0].description.as_str() == long.trim_end(),
                "long markdown kept, trailing space trimmed"
            );
            assert_eq!(
                f.abilities[0].milestones[1].examples[0],
                "quotes \"double\" and 'single'"
            );
            assert_eq!(f.abilities[0].milestones[1].examples[7], "  leading spaces");
            assert_eq!(f.roles[0].plural.as_str(), "People");
            assert_eq!(f.roles[1].plural.as_str(), "Ops Engineers");
            assert_eq!(f.positions[0].plural.as_str(), "Ps");
            assert_eq!(f.positions[1].plural.as_str(), "Pilots Two");
            assert_eq!(f.positions[0].miles, MilesRule::AtLeast(0));
        }
    }

    #[test]
    fn broken_files_report_every_problem_with_its_location() {
        type Case<'a> = (&'a str, &'a str, &'a str, &'a [&'a str]);
        let cases: &[Case] = &[
            (
                "unknown ability in a role",
                "requires: { ops: 1 }",
                "requires: { opz: 1 }",
                &["17:17: unknown ability \"opz\" in a requirement"],
            ),
            (
                "unknown ability in a position",
                "requires: { ops: 3 }",
                "requires: { ops: 3, nope: 2 }",
                &["23:25: unknown ability \"nope\" in a requirement"],
            ),
            (
                "unknown role in a position",
                "required: [ops-engineer]",
                "required: [ghost]",
                &["22:25: unknown role \"ghost\" in required roles"],
            ),
            (
                "level out of range",
                "requires: { ops: 1 }",
                "requires: { ops: 6 }",
                &["17:22: a milestone is a whole number from 1 to 5 (got 6)"],
            ),
            (
                "four milestones",
                "      - summary: five\n",
                "",
                &["9:7: an ability has exactly five milestones (got 4)"],
            ),
            (
                "decreasing miles",
                "  name: Acme\n",
                "  name: Acme\n  miles: [1, 3, 6, 20, 12]\n",
                &["5:10: miles increase strictly from milestone 1 to 5 (20 is followed by 12)"],
            ),
            (
                "four miles",
                "  name: Acme\n",
                "  name: Acme\n  miles: [1, 3, 6, 12]\n",
                &["5:10: the miles scale has exactly five values (got 4)"],
            ),
            (
                "reserved slug",
                "slug: acme",
                "slug: admin",
                &["3:9: \"admin\" is a reserved word and cannot be an organization slug"],
            ),
            (
                "bad ability slug",
                "slug: ops\n",
                "slug: Ops Skill\n",
                &[
                    "6:11: a slug uses only lowercase letters, digits and hyphens, and starts and ends with a letter or digit (got \"Ops Skill\")",
                    "17:17: unknown ability \"ops\" in a requirement",
                    "23:17: unknown ability \"ops\" in a requirement",
                ],
            ),
            (
                "empty name",
                "name: Ops\n",
                "name: \"  \"\n",
                &["7:11: an ability name must not be empty"],
            ),
            (
                "wrong format",
                "format: cairn/1",
                "format: cairn/2",
                &["1:9: format must be \"cairn/1\" (got \"cairn/2\")"],
            ),
            (
                "unknown field",
                "    name: Ops\n",
                "    name: Ops\n    colour: red\n",
                &[
                    "8:5: unknown field `colour`, expected one of slug, name, category, description, milestones",
                ],
            ),
            (
                "both miles rules",
                "requires: { ops: 3 }\n",
                "requires: { ops: 3 }\n    miles: { at_least: 4, over_required_percent: 5 }\n",
                &[
                    "24:12: a position's miles give exactly one of over_required_percent or at_least",
                ],
            ),
            (
                "negative miles",
                "requires: { ops: 3 }\n",
                "requires: { ops: 3 }\n    miles: { at_least: -4 }\n",
                &["24:24: miles are whole numbers from 0 to 4294967295 (got -4)"],
            ),
            (
                "multi-line example",
                "      - summary: one\n",
                "      - summary: one\n        examples: [\"a\\nb\"]\n",
                &["10:20: an example is a single line"],
            ),
            (
                "wrong type",
                "    name: Ops\n",
                "    name: [Ops]\n",
                &["7:11: expected string scalar"],
            ),
            (
                "syntax error",
                "    name: Ops\n",
                "    name: \"Ops\n",
                &["21:13: invalid trailing content after double-quoted scalar"],
            ),
            (
                "NUL in a summary",
                "      - summary: two\n",
                "      - summary: \"t\\0wo\"\n",
                &[
                    "10:18: a milestone summary must not contain control characters (such as NUL); only line breaks and tabs",
                ],
            ),
            (
                "a zero-width space in a name",
                "    name: Ops\n",
                "    name: \"O\\u200Bps\"\n",
                &[
                    "7:11: an ability name must not contain control, text-direction or zero-width characters",
                ],
            ),
            (
                "an empty position plural",
                "    title: Senior Ops Engineer\n",
                "    title: Senior Ops Engineer\n    plural: \"\"\n",
                &["21:13: a position's plural must not be empty"],
            ),
        ];
        let mut mismatches = Vec::new();
        for (name, from, to, expected) in cases {
            assert!(BASE.contains(from), "{name}: base contains {from:?}");
            let text = BASE.replacen(from, to, 1);
            let problems = parse(&text).expect_err(name);
            let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
            if &got != expected {
                mismatches.push(format!("{name}: got {got:?}"));
            }
        }
        assert!(mismatches.is_empty(), "{mismatches:#?}");
        assert!(parse(BASE).is_ok());
    }

    #[test]
    fn duplicate_slugs_name_the_first_definition() {
        let text = BASE.replacen(
            "roles:\n",
            "roles:\n  - { slug: ops-engineer, name: Again }\n",
            1,
        );
        let problems = parse(&text).expect_err("duplicate");
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["16:11: duplicate role slug \"ops-engineer\" (first defined on line 15)"]
        );
    }

    #[test]
    fn json_reports_locations_too() {
        let json = write(&parse(BASE).expect("base"), Format::Json).expect("json");
        let broken = json.replacen("\"ops\": 1", "\"opz\": 1", 1);
        let problems = parse(&broken).expect_err("broken json");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].line > 1 && problems[0].column > 1,
            "{:?}",
            problems[0]
        );
        assert!(problems[0].message.contains("unknown ability \"opz\""));
    }

    #[test]
    fn miles_default_when_absent_and_custom_scale_is_kept() {
        let f = parse(BASE).expect("base");
        assert_eq!(f.organization.miles, MilesScale::default());
        let custom = parse(&BASE.replacen(
            "  name: Acme\n",
            "  name: Acme\n  miles: [2, 4, 8, 16, 32]\n",
            1,
        ))
        .expect("custom");
        assert_eq!(custom.organization.miles.values(), [2, 4, 8, 16, 32]);
    }
}

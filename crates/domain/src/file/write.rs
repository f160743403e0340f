//! Writing a framework file: exactly what `read` accepts, defaults left out.

use serde::{Serialize, Serializer};

use crate::framework::{Framework, MilesRule, Name, Requirement, Role, Slug};

use super::*;

#[derive(Serialize)]
struct OutFile<'a> {
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    licence: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attribution: Option<&'a str>,
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
    Band(u32, u32),
}

impl Serialize for OutMilesRule {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        match self {
            Self::OverRequiredPercent(n) => map.serialize_entry("over_required_percent", n)?,
            Self::AtLeast(n) => map.serialize_entry("at_least", n)?,
            Self::Band(floor, below) => {
                map.serialize_entry("at_least", floor)?;
                map.serialize_entry("below", below)?;
            }
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

fn to_out(f: &Framework, version: Option<u32>) -> OutFile<'_> {
    OutFile {
        format: FORMAT,
        version,
        licence: (f.organization.licence != crate::licence::Licence::None)
            .then(|| f.organization.licence.as_str()),
        attribution: (!f.organization.attribution.is_empty())
            .then_some(f.organization.attribution.as_str()),
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
                    MilesRule::Band { at_least, below } => {
                        Some(OutMilesRule::Band(at_least, below))
                    }
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
    write_version(f, format, None)
}

/// `write`, saying which published version the file is.
pub fn write_version(
    f: &Framework,
    format: Format,
    version: Option<u32>,
) -> Result<String, WriteError> {
    let out = to_out(f, version);
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

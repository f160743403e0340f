//! What every authoring form needs (framework editors): the editor's
//! context, refused edits as form errors, new slugs, and the requirement
//! selects roles and positions share.
//!
//! Forms arrive as raw pairs (their fields depend on the framework: one
//! requirement select per ability, one choice per role) and are parsed
//! into domain types at the edge. Every save goes through
//! `store::framework::apply`, which checks the result and records history.

use cairn_domain::gruuv_csv::slugify;
use cairn_domain::policy::Action;
use cairn_domain::{Framework, Level, OrgSlug, Requirement, Slug};
use cairn_store::framework::EditRefused;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::forms::{FormErrors, Pairs, field};
use crate::html::OrgContext;

pub(crate) fn org_slug(s: &str) -> Result<OrgSlug, PageError> {
    OrgSlug::parse(s).map_err(|_| PageError::NotFound)
}

pub(crate) fn item_slug(s: &str) -> Result<Slug, PageError> {
    Slug::parse(s).map_err(|_| PageError::NotFound)
}

pub(crate) async fn editor(
    app: &App,
    visitor: &Visitor,
    org: &OrgSlug,
) -> Result<OrgContext, PageError> {
    OrgContext::load(app, visitor, org, Action::EditFramework).await
}

/// Turns a refused edit into form errors, or a 404.
pub(crate) fn refused(errors: &mut FormErrors, r: EditRefused) -> Result<(), PageError> {
    match r {
        EditRefused::NotFound => Err(PageError::NotFound),
        EditRefused::Problems(list) => {
            for p in list {
                errors.add("", p);
            }
            Ok(())
        }
    }
}

/// The slug of a new item: typed, or made from its name.
pub(crate) fn new_slug(errors: &mut FormErrors, typed: &str, name: &str) -> Option<Slug> {
    let typed = typed.trim();
    if typed.is_empty() {
        let made = slugify(name);
        if made.is_none() && !name.trim().is_empty() {
            errors.add("slug", "Give it a slug: letters, digits and hyphens.");
        }
        made
    } else {
        errors.check("slug", Slug::parse(typed))
    }
}

pub(crate) struct RequirementField {
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) level: u8,
}

pub(crate) fn requirement_fields(
    fw: &Framework,
    current: &[Requirement],
    pairs: Option<&Pairs>,
) -> Vec<RequirementField> {
    fw.abilities
        .iter()
        .map(|a| RequirementField {
            slug: a.slug.to_string(),
            name: a.name.to_string(),
            level: match pairs {
                Some(p) => field(p, &format!("req_{}", a.slug)).parse().unwrap_or(0),
                None => current
                    .iter()
                    .find(|r| r.ability == a.slug)
                    .map_or(0, |r| r.level.get()),
            },
        })
        .collect()
}

/// Requirements chosen in the form, in the framework's ability order.
pub(crate) fn parse_requirements(
    fw: &Framework,
    pairs: &Pairs,
    errors: &mut FormErrors,
) -> Vec<Requirement> {
    let mut out = Vec::new();
    for a in &fw.abilities {
        let value = field(pairs, &format!("req_{}", a.slug)).trim();
        if value.is_empty() || value == "0" {
            continue;
        }
        match value.parse::<i64>().map(Level::parse) {
            Ok(Ok(level)) => out.push(Requirement {
                ability: a.slug.clone(),
                level,
            }),
            _ => errors.add(
                "requirements",
                format!("{}: choose a milestone from 1 to 5", a.name),
            ),
        }
    }
    out
}

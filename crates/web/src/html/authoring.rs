//! Authoring the framework in the browser (framework editors): abilities,
//! roles, positions, the miles scale; archive and restore; history.
//!
//! Forms arrive as raw pairs (their fields depend on the framework: one
//! requirement select per ability, one choice per role) and are parsed
//! into domain types here, at the edge. Every save goes through
//! `store::framework::apply`, which checks the result and records history.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use cairn_domain::gruuv_csv::slugify;
use cairn_domain::history::{self, Line};
use cairn_domain::policy::Action;
use cairn_domain::wording::{ago, date};
use cairn_domain::{
    Ability, Framework, Level, Markdown, MilesRule, MilesScale, Milestone, Name, OrgSlug, Position,
    Requirement, Role, Slug, file::check_example,
};
use cairn_store::framework::{self, Edit, EditRefused, ItemKind};
use serde::Deserialize;

use super::{Chrome, Link, OrgContext, signed_in};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};

fn area(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Ability => "abilities",
        ItemKind::Role => "roles",
        ItemKind::Position => "positions",
    }
}

/// Routes name the kind as a const parameter: 0 ability, 1 role, 2 position.
pub(crate) const ABILITY: u8 = 0;
pub(crate) const ROLE: u8 = 1;
pub(crate) const POSITION: u8 = 2;

fn kind_of(k: u8) -> ItemKind {
    match k {
        ABILITY => ItemKind::Ability,
        ROLE => ItemKind::Role,
        _ => ItemKind::Position,
    }
}

fn org_slug(s: &str) -> Result<OrgSlug, PageError> {
    OrgSlug::parse(s).map_err(|_| PageError::NotFound)
}

fn item_slug(s: &str) -> Result<Slug, PageError> {
    Slug::parse(s).map_err(|_| PageError::NotFound)
}

async fn editor(app: &App, visitor: &Visitor, org: &OrgSlug) -> Result<OrgContext, PageError> {
    OrgContext::load(app, visitor, org, Action::EditFramework).await
}

/// Turns a refused edit into form errors, or a 404.
fn refused(errors: &mut FormErrors, r: EditRefused) -> Result<(), PageError> {
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
fn new_slug(errors: &mut FormErrors, typed: &str, name: &str) -> Option<Slug> {
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

// ---------------------------------------------------------------------------
// The hub: everything, with archived items and the miles scale.

pub(crate) struct Group {
    kind: &'static str,
    title: &'static str,
    area: &'static str,
    items: Vec<Link>,
    archived: Vec<ArchivedLine>,
}

pub(crate) struct ArchivedLine {
    slug: String,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "authoring/hub.html")]
pub(crate) struct HubPage {
    chrome: Chrome,
    groups: Vec<Group>,
    miles: [String; 5],
    saved: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SavedQuery {
    saved: String,
}

async fn hub_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    miles: Option<[String; 5]>,
    saved: bool,
    errors: FormErrors,
) -> Result<HubPage, PageError> {
    let fw = framework::load(&app.store, &ctx.org.id).await?;
    let slug = &ctx.org.org.slug;
    let mut groups = Vec::new();
    for (kind, title, kind_name) in [
        (ItemKind::Ability, "Abilities", "ability"),
        (ItemKind::Role, "Roles", "role"),
        (ItemKind::Position, "Positions", "position"),
    ] {
        let items: Vec<Link> = match kind {
            ItemKind::Ability => fw
                .abilities
                .iter()
                .map(|a| (a.slug.clone(), a.name.to_string()))
                .collect::<Vec<_>>(),
            ItemKind::Role => fw
                .roles
                .iter()
                .map(|r| (r.slug.clone(), r.name.to_string()))
                .collect(),
            ItemKind::Position => fw
                .positions
                .iter()
                .map(|p| (p.slug.clone(), p.title.to_string()))
                .collect(),
        }
        .into_iter()
        .map(|(s, text)| Link {
            href: format!("/{slug}/{}/{s}", area(kind)),
            text,
        })
        .collect();
        let archived = framework::archived(&app.store, &ctx.org.id, kind)
            .await?
            .into_iter()
            .map(|(s, name)| ArchivedLine {
                slug: s.to_string(),
                name,
            })
            .collect();
        groups.push(Group {
            kind: kind_name,
            title,
            area: area(kind),
            items,
            archived,
        });
    }
    Ok(HubPage {
        chrome: ctx.chrome(visitor),
        groups,
        miles: miles.unwrap_or_else(|| fw.organization.miles.values().map(|m| m.to_string())),
        saved,
        errors,
    })
}

pub(crate) async fn hub(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<HubPage, PageError> {
    let ctx = editor(&app, &visitor, &org_slug(&org)?).await?;
    hub_view(
        &app,
        &visitor,
        &ctx,
        None,
        !q.saved.is_empty(),
        FormErrors::default(),
    )
    .await
}

pub(crate) async fn set_miles(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let org = org_slug(&org)?;
    let ctx = editor(&app, &visitor, &org).await?;
    let person = signed_in(&visitor, "/")?;
    let typed: [String; 5] =
        std::array::from_fn(|i| field(&pairs, &format!("m{}", i + 1)).trim().to_owned());
    let mut errors = FormErrors::default();
    let numbers: Option<Vec<i64>> = typed.iter().map(|t| t.parse::<i64>().ok()).collect();
    let scale = match numbers {
        Some(n) => errors.check("miles", MilesScale::parse(&n)),
        None => {
            errors.add("miles", "Miles are whole numbers.");
            None
        }
    };
    if let Some(scale) = scale {
        match framework::apply(
            &app.store,
            &ctx.org.id,
            Edit::SetMiles(scale),
            &person.id,
            app.now(),
        )
        .await?
        {
            Ok(()) => return Ok(redirect(&format!("/{org}/settings/framework?saved=1"))),
            Err(r) => refused(&mut errors, r)?,
        }
    }
    Ok(invalid(
        hub_view(&app, &visitor, &ctx, Some(typed), false, errors).await?,
    ))
}

// ---------------------------------------------------------------------------
// Abilities

pub(crate) struct MilestoneFields {
    level: u8,
    field: String,
    summary: String,
    examples: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "authoring/ability.html")]
pub(crate) struct AbilityForm {
    chrome: Chrome,
    create: bool,
    action: String,
    archive_action: String,
    name: String,
    slug: String,
    category: String,
    description: String,
    milestones: Vec<MilestoneFields>,
    errors: FormErrors,
}

impl AbilityForm {
    fn of(chrome: Chrome, org: &OrgSlug, a: Option<&Ability>) -> Self {
        let slug = a.map(|a| a.slug.to_string()).unwrap_or_default();
        AbilityForm {
            chrome,
            create: a.is_none(),
            action: match a {
                Some(a) => format!("/{org}/abilities/{}/edit", a.slug),
                None => format!("/{org}/settings/framework/abilities/new"),
            },
            archive_action: format!("/{org}/abilities/{slug}/archive"),
            name: a.map(|a| a.name.to_string()).unwrap_or_default(),
            slug,
            category: a
                .and_then(|a| a.category.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default(),
            description: a
                .map(|a| a.description.as_str().to_owned())
                .unwrap_or_default(),
            milestones: Level::ALL
                .iter()
                .map(|l| MilestoneFields {
                    level: l.get(),
                    field: format!("m{l}_examples"),
                    summary: a
                        .map(|a| a.milestone(*l).summary.as_str().to_owned())
                        .unwrap_or_default(),
                    examples: a
                        .map(|a| a.milestone(*l).examples.join("\n"))
                        .unwrap_or_default(),
                })
                .collect(),
            errors: FormErrors::default(),
        }
    }

    /// The form as submitted, to show again with errors.
    fn refill(mut self, pairs: &Pairs, errors: FormErrors) -> Self {
        self.name = field(pairs, "name").to_owned();
        if self.create {
            self.slug = field(pairs, "slug").to_owned();
        }
        self.category = field(pairs, "category").to_owned();
        self.description = field(pairs, "description").to_owned();
        for m in &mut self.milestones {
            m.summary = field(pairs, &format!("m{}_summary", m.level)).to_owned();
            m.examples = field(pairs, &m.field).to_owned();
        }
        self.errors = errors;
        self
    }
}

/// Parses the ability form; `slug` is fixed when editing.
fn parse_ability(pairs: &Pairs, slug: Option<Slug>, errors: &mut FormErrors) -> Option<Ability> {
    let name = errors.check("name", Name::parse(field(pairs, "name"), "an ability name"));
    let slug = match slug {
        Some(s) => Some(s),
        None => new_slug(errors, field(pairs, "slug"), field(pairs, "name")),
    };
    let category = match field(pairs, "category").trim() {
        "" => Some(None),
        c => errors
            .check("category", Name::parse(c, "a category"))
            .map(Some),
    };
    let mut milestones: [Milestone; 5] = Default::default();
    for (m, level) in milestones.iter_mut().zip(Level::ALL) {
        m.summary = Markdown::new(field(pairs, &format!("m{level}_summary")).trim_end());
        for line in field(pairs, &format!("m{level}_examples"))
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            match check_example(line.trim_end()) {
                Ok(e) => m.examples.push(e),
                Err(e) => errors.add("examples", format!("Milestone {level}: {e}")),
            }
        }
    }
    let description = Markdown::new(field(pairs, "description").trim_end());
    Some(Ability {
        slug: slug?,
        name: name?,
        category: category?,
        description,
        milestones,
    })
}

pub(crate) async fn new_ability_form(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
) -> Result<AbilityForm, PageError> {
    let org = org_slug(&org)?;
    let ctx = editor(&app, &visitor, &org).await?;
    Ok(AbilityForm::of(ctx.chrome(&visitor), &org, None))
}

pub(crate) async fn edit_ability_form(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, slug)): Path<(String, String)>,
) -> Result<AbilityForm, PageError> {
    let (org, slug) = (org_slug(&org)?, item_slug(&slug)?);
    let ctx = editor(&app, &visitor, &org).await?;
    let ability = framework::ability(&app.store, &ctx.org.id, &slug)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(AbilityForm::of(ctx.chrome(&visitor), &org, Some(&ability)))
}

async fn save_ability(
    app: App,
    visitor: Visitor,
    org: String,
    slug: Option<String>,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let org = org_slug(&org)?;
    let slug = slug.map(|s| item_slug(&s)).transpose()?;
    let ctx = editor(&app, &visitor, &org).await?;
    let person = signed_in(&visitor, "/")?;
    let existing = match &slug {
        Some(s) => Some(
            framework::ability(&app.store, &ctx.org.id, s)
                .await?
                .ok_or(PageError::NotFound)?,
        ),
        None => None,
    };
    let mut errors = FormErrors::default();
    if let Some(ability) =
        parse_ability(&pairs, slug.clone(), &mut errors).filter(|_| errors.is_empty())
    {
        let target = ability.slug.clone();
        let edit = Edit::SaveAbility {
            ability,
            create: slug.is_none(),
        };
        match framework::apply(&app.store, &ctx.org.id, edit, &person.id, app.now()).await? {
            Ok(()) => return Ok(redirect(&format!("/{org}/abilities/{target}"))),
            Err(r) => refused(&mut errors, r)?,
        }
    }
    let form =
        AbilityForm::of(ctx.chrome(&visitor), &org, existing.as_ref()).refill(&pairs, errors);
    Ok(invalid(form))
}

pub(crate) async fn create_ability(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save_ability(app, visitor, org, None, pairs).await
}

pub(crate) async fn update_ability(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, slug)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save_ability(app, visitor, org, Some(slug), pairs).await
}

// ---------------------------------------------------------------------------
// Roles and positions share the requirement selects.

pub(crate) struct RequirementField {
    slug: String,
    name: String,
    level: u8,
}

fn requirement_fields(
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
fn parse_requirements(fw: &Framework, pairs: &Pairs, errors: &mut FormErrors) -> Vec<Requirement> {
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

#[derive(Template, WebTemplate)]
#[template(path = "authoring/role.html")]
pub(crate) struct RoleForm {
    chrome: Chrome,
    create: bool,
    action: String,
    archive_action: String,
    name: String,
    slug: String,
    plural: String,
    description: String,
    requirements: Vec<RequirementField>,
    errors: FormErrors,
}

fn role_form(
    chrome: Chrome,
    org: &OrgSlug,
    fw: &Framework,
    role: Option<&Role>,
    pairs: Option<&Pairs>,
    errors: FormErrors,
) -> RoleForm {
    let slug = role.map(|r| r.slug.to_string()).unwrap_or_default();
    let get = |key: &str, default: String| pairs.map_or(default, |p| field(p, key).to_owned());
    RoleForm {
        chrome,
        create: role.is_none(),
        action: match role {
            Some(r) => format!("/{org}/roles/{}/edit", r.slug),
            None => format!("/{org}/settings/framework/roles/new"),
        },
        archive_action: format!("/{org}/roles/{slug}/archive"),
        name: get("name", role.map(|r| r.name.to_string()).unwrap_or_default()),
        slug: get("slug", slug),
        plural: get(
            "plural",
            role.map(|r| r.plural.to_string()).unwrap_or_default(),
        ),
        description: get(
            "description",
            role.map(|r| r.description.as_str().to_owned())
                .unwrap_or_default(),
        ),
        requirements: requirement_fields(fw, role.map_or(&[][..], |r| &r.requires[..]), pairs),
        errors,
    }
}

fn parse_role(
    fw: &Framework,
    pairs: &Pairs,
    slug: Option<Slug>,
    errors: &mut FormErrors,
) -> Option<Role> {
    let name = errors.check("name", Name::parse(field(pairs, "name"), "a role name"));
    let slug = match slug {
        Some(s) => Some(s),
        None => new_slug(errors, field(pairs, "slug"), field(pairs, "name")),
    };
    let plural = match field(pairs, "plural").trim() {
        "" => name.as_ref().map(Role::default_plural),
        p => errors.check("plural", Name::parse(p, "a plural")),
    };
    let requires = parse_requirements(fw, pairs, errors);
    Some(Role {
        slug: slug?,
        name: name?,
        plural: plural?,
        description: Markdown::new(field(pairs, "description").trim_end()),
        requires,
    })
}

pub(crate) async fn new_role_form(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
) -> Result<RoleForm, PageError> {
    let org = org_slug(&org)?;
    let ctx = editor(&app, &visitor, &org).await?;
    let fw = framework::load(&app.store, &ctx.org.id).await?;
    Ok(role_form(
        ctx.chrome(&visitor),
        &org,
        &fw,
        None,
        None,
        FormErrors::default(),
    ))
}

pub(crate) async fn edit_role_form(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, slug)): Path<(String, String)>,
) -> Result<RoleForm, PageError> {
    let (org, slug) = (org_slug(&org)?, item_slug(&slug)?);
    let ctx = editor(&app, &visitor, &org).await?;
    let fw = framework::load(&app.store, &ctx.org.id).await?;
    let role = fw.role(&slug).ok_or(PageError::NotFound)?;
    Ok(role_form(
        ctx.chrome(&visitor),
        &org,
        &fw,
        Some(role),
        None,
        FormErrors::default(),
    ))
}

async fn save_role(
    app: App,
    visitor: Visitor,
    org: String,
    slug: Option<String>,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let org = org_slug(&org)?;
    let slug = slug.map(|s| item_slug(&s)).transpose()?;
    let ctx = editor(&app, &visitor, &org).await?;
    let person = signed_in(&visitor, "/")?;
    let fw = framework::load(&app.store, &ctx.org.id).await?;
    let existing = match &slug {
        Some(s) => Some(fw.role(s).ok_or(PageError::NotFound)?.clone()),
        None => None,
    };
    let mut errors = FormErrors::default();
    if let Some(role) =
        parse_role(&fw, &pairs, slug.clone(), &mut errors).filter(|_| errors.is_empty())
    {
        let target = role.slug.clone();
        let edit = Edit::SaveRole {
            role,
            create: slug.is_none(),
        };
        match framework::apply(&app.store, &ctx.org.id, edit, &person.id, app.now()).await? {
            Ok(()) => return Ok(redirect(&format!("/{org}/roles/{target}"))),
            Err(r) => refused(&mut errors, r)?,
        }
    }
    Ok(invalid(role_form(
        ctx.chrome(&visitor),
        &org,
        &fw,
        existing.as_ref(),
        Some(&pairs),
        errors,
    )))
}

pub(crate) async fn create_role(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save_role(app, visitor, org, None, pairs).await
}

pub(crate) async fn update_role(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, slug)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save_role(app, visitor, org, Some(slug), pairs).await
}

pub(crate) struct RoleChoice {
    slug: String,
    name: String,
    state: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "authoring/position.html")]
pub(crate) struct PositionForm {
    chrome: Chrome,
    create: bool,
    action: String,
    archive_action: String,
    title: String,
    plural: String,
    slug: String,
    level: String,
    description: String,
    roles: Vec<RoleChoice>,
    requirements: Vec<RequirementField>,
    miles_rule: String,
    miles_value: String,
    errors: FormErrors,
}

fn position_form(
    chrome: Chrome,
    org: &OrgSlug,
    fw: &Framework,
    p: Option<&Position>,
    pairs: Option<&Pairs>,
    errors: FormErrors,
) -> PositionForm {
    let slug = p.map(|p| p.slug.to_string()).unwrap_or_default();
    let get = |key: &str, default: String| pairs.map_or(default, |f| field(f, key).to_owned());
    let (rule, value) = match p.map(|p| p.miles) {
        Some(MilesRule::OverRequiredPercent(n)) => ("over_required_percent", n.to_string()),
        Some(MilesRule::AtLeast(n)) => ("at_least", n.to_string()),
        _ => ("required", String::new()),
    };
    PositionForm {
        chrome,
        create: p.is_none(),
        action: match p {
            Some(p) => format!("/{org}/positions/{}/edit", p.slug),
            None => format!("/{org}/settings/framework/positions/new"),
        },
        archive_action: format!("/{org}/positions/{slug}/archive"),
        title: get("title", p.map(|p| p.title.to_string()).unwrap_or_default()),
        plural: get(
            "plural",
            p.map(|p| p.plural.to_string()).unwrap_or_default(),
        ),
        slug: get("slug", slug),
        level: get("level", p.map(|p| p.level.to_string()).unwrap_or_default()),
        description: get(
            "description",
            p.map(|p| p.description.as_str().to_owned())
                .unwrap_or_default(),
        ),
        roles: fw
            .roles
            .iter()
            .map(|r| RoleChoice {
                slug: r.slug.to_string(),
                name: r.name.to_string(),
                state: match pairs.map(|f| field(f, &format!("role_{}", r.slug))) {
                    Some("required") => "required",
                    Some("suggested") => "suggested",
                    Some(_) => "none",
                    None if p.is_some_and(|p| p.required_roles.contains(&r.slug)) => "required",
                    None if p.is_some_and(|p| p.suggested_roles.contains(&r.slug)) => "suggested",
                    None => "none",
                },
            })
            .collect(),
        requirements: requirement_fields(fw, p.map_or(&[][..], |p| &p.requires[..]), pairs),
        miles_rule: get("miles_rule", rule.to_owned()),
        miles_value: get("miles_value", value),
        errors,
    }
}

fn parse_position(
    fw: &Framework,
    pairs: &Pairs,
    slug: Option<Slug>,
    errors: &mut FormErrors,
) -> Option<Position> {
    let title = errors.check(
        "title",
        Name::parse(field(pairs, "title"), "a position title"),
    );
    let slug = match slug {
        Some(s) => Some(s),
        None => new_slug(errors, field(pairs, "slug"), field(pairs, "title")),
    };
    let level = errors.check("level", Name::parse(field(pairs, "level"), "a level"));
    let mut required_roles = Vec::new();
    let mut suggested_roles = Vec::new();
    for r in &fw.roles {
        match field(pairs, &format!("role_{}", r.slug)) {
            "required" => required_roles.push(r.slug.clone()),
            "suggested" => suggested_roles.push(r.slug.clone()),
            _ => {}
        }
    }
    let requires = parse_requirements(fw, pairs, errors);
    let value = field(pairs, "miles_value").trim();
    let mut number = || match value.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(
                "miles_value",
                "Give the percentage or number of miles as a whole number.",
            );
            None
        }
    };
    let miles = match field(pairs, "miles_rule") {
        "over_required_percent" => number().map(MilesRule::OverRequiredPercent),
        "at_least" => number().map(MilesRule::AtLeast),
        _ => Some(MilesRule::Required),
    };
    let plural = match field(pairs, "plural").trim() {
        "" => title.as_ref().map(Role::default_plural),
        p => errors.check("plural", Name::parse(p, "a plural")),
    };
    Some(Position {
        slug: slug?,
        plural: plural?,
        title: title?,
        level: level?,
        description: Markdown::new(field(pairs, "description").trim_end()),
        required_roles,
        suggested_roles,
        requires,
        miles: miles?,
    })
}

pub(crate) async fn new_position_form(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
) -> Result<PositionForm, PageError> {
    let org = org_slug(&org)?;
    let ctx = editor(&app, &visitor, &org).await?;
    let fw = framework::load(&app.store, &ctx.org.id).await?;
    Ok(position_form(
        ctx.chrome(&visitor),
        &org,
        &fw,
        None,
        None,
        FormErrors::default(),
    ))
}

pub(crate) async fn edit_position_form(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, slug)): Path<(String, String)>,
) -> Result<PositionForm, PageError> {
    let (org, slug) = (org_slug(&org)?, item_slug(&slug)?);
    let ctx = editor(&app, &visitor, &org).await?;
    let fw = framework::load(&app.store, &ctx.org.id).await?;
    let p = fw.position(&slug).ok_or(PageError::NotFound)?;
    Ok(position_form(
        ctx.chrome(&visitor),
        &org,
        &fw,
        Some(p),
        None,
        FormErrors::default(),
    ))
}

async fn save_position(
    app: App,
    visitor: Visitor,
    org: String,
    slug: Option<String>,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let org = org_slug(&org)?;
    let slug = slug.map(|s| item_slug(&s)).transpose()?;
    let ctx = editor(&app, &visitor, &org).await?;
    let person = signed_in(&visitor, "/")?;
    let fw = framework::load(&app.store, &ctx.org.id).await?;
    let existing = match &slug {
        Some(s) => Some(fw.position(s).ok_or(PageError::NotFound)?.clone()),
        None => None,
    };
    let mut errors = FormErrors::default();
    if let Some(position) =
        parse_position(&fw, &pairs, slug.clone(), &mut errors).filter(|_| errors.is_empty())
    {
        let target = position.slug.clone();
        let edit = Edit::SavePosition {
            position,
            create: slug.is_none(),
        };
        match framework::apply(&app.store, &ctx.org.id, edit, &person.id, app.now()).await? {
            Ok(()) => return Ok(redirect(&format!("/{org}/positions/{target}"))),
            Err(r) => refused(&mut errors, r)?,
        }
    }
    Ok(invalid(position_form(
        ctx.chrome(&visitor),
        &org,
        &fw,
        existing.as_ref(),
        Some(&pairs),
        errors,
    )))
}

pub(crate) async fn create_position(
    State(app): State<App>,
    visitor: Visitor,
    Path(org): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save_position(app, visitor, org, None, pairs).await
}

pub(crate) async fn update_position(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, slug)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save_position(app, visitor, org, Some(slug), pairs).await
}

// ---------------------------------------------------------------------------
// Archive, restore, history: the same for every kind.

async fn archive_or_restore(
    app: App,
    visitor: Visitor,
    kind: ItemKind,
    path: (String, String),
    restore: bool,
) -> Result<Response, PageError> {
    let (org, slug) = path;
    let (org, slug) = (org_slug(&org)?, item_slug(&slug)?);
    let ctx = editor(&app, &visitor, &org).await?;
    let person = signed_in(&visitor, "/")?;
    let edit = if restore {
        Edit::Restore {
            kind,
            slug: slug.clone(),
        }
    } else {
        Edit::Archive {
            kind,
            slug: slug.clone(),
        }
    };
    let mut errors = FormErrors::default();
    match framework::apply(&app.store, &ctx.org.id, edit, &person.id, app.now()).await? {
        Ok(()) if restore => Ok(redirect(&format!("/{org}/{}/{slug}", area(kind)))),
        Ok(()) => Ok(redirect(&format!("/{org}/settings/framework?saved=1"))),
        Err(r) => {
            refused(&mut errors, r)?;
            Ok(invalid(
                hub_view(&app, &visitor, &ctx, None, false, errors).await?,
            ))
        }
    }
}

pub(crate) async fn archive<const K: u8>(
    State(app): State<App>,
    visitor: Visitor,
    Path(path): Path<(String, String)>,
) -> Result<Response, PageError> {
    archive_or_restore(app, visitor, kind_of(K), path, false).await
}

pub(crate) async fn restore<const K: u8>(
    State(app): State<App>,
    visitor: Visitor,
    Path(path): Path<(String, String)>,
) -> Result<Response, PageError> {
    archive_or_restore(app, visitor, kind_of(K), path, true).await
}

pub(crate) struct DiffLine {
    kind: &'static str,
    text: String,
}

pub(crate) struct FieldView {
    label: String,
    lines: Vec<DiffLine>,
}

pub(crate) struct EntryView {
    change: String,
    when: String,
    date: String,
    actor: String,
    fields: Vec<FieldView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "authoring/history.html")]
pub(crate) struct HistoryPage {
    chrome: Chrome,
    name: String,
    item_href: String,
    entries: Vec<EntryView>,
}

/// An item's history: who changed what, when, as a diff per field.
/// Readable by whoever may read the framework.
pub(crate) async fn history_page<const K: u8>(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, slug)): Path<(String, String)>,
) -> Result<HistoryPage, PageError> {
    let kind = kind_of(K);
    let (org, slug) = (org_slug(&org)?, item_slug(&slug)?);
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadFramework).await?;
    let history = framework::history(&app.store, &ctx.org.id, kind, &slug)
        .await?
        .ok_or(PageError::NotFound)?;
    if !cairn_domain::policy::can_read_history(&ctx.actor, ctx.org.access(), history.archived) {
        return Err(PageError::NotFound);
    }
    let entries = history.entries;
    let now = app.now();
    // The newest snapshot names the item (archived items included).
    let name = entries
        .iter()
        .find_map(|e| e.after.as_ref().or(e.before.as_ref()))
        .and_then(|s| s.0.first())
        .map_or_else(|| slug.to_string(), |(_, v)| v.clone());
    let empty = history::Snapshot::default();
    Ok(HistoryPage {
        chrome: ctx.chrome(&visitor),
        item_href: format!("/{org}/{}/{slug}", area(kind)),
        entries: entries
            .iter()
            .map(|e| EntryView {
                change: capitalized(&e.change),
                when: ago(e.at, now),
                date: date(e.at),
                actor: e
                    .actor
                    .as_ref()
                    .map_or_else(|| "an import".to_owned(), ToString::to_string),
                fields: history::diff(
                    e.before.as_ref().unwrap_or(&empty),
                    e.after.as_ref().unwrap_or(&empty),
                )
                .into_iter()
                .map(|f| FieldView {
                    label: f.label,
                    lines: f
                        .lines
                        .into_iter()
                        .map(|l| match l {
                            Line::Same(t) => DiffLine {
                                kind: "same",
                                text: t,
                            },
                            Line::Removed(t) => DiffLine {
                                kind: "removed",
                                text: t,
                            },
                            Line::Added(t) => DiffLine {
                                kind: "added",
                                text: t,
                            },
                        })
                        .collect(),
                })
                .collect(),
            })
            .collect(),
        name,
    })
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

//! Creating and editing positions.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use cairn_domain::{Framework, Markdown, MilesRule, Name, OrgSlug, Position, Role, Slug};
use cairn_store::framework::{self, Edit};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::editing::*;
use crate::html::{Chrome, signed_in};

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

pub(crate) fn position_form(
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

pub(crate) fn parse_position(
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

pub(crate) async fn save_position(
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

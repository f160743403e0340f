//! Creating and editing roles.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use cairn_domain::{Framework, Markdown, Name, OrgSlug, Role, Slug};
use cairn_store::framework::{self, Edit};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::editing::*;
use crate::html::{Chrome, signed_in};

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

pub(crate) fn role_form(
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

pub(crate) fn parse_role(
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

pub(crate) async fn save_role(
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

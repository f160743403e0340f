//! Creating and editing abilities.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use cairn_domain::{Ability, Level, Markdown, Milestone, Name, OrgSlug, Slug, file::check_example};
use cairn_store::framework::{self, Edit};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::editing::*;
use crate::html::{Chrome, signed_in};

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
pub(crate) fn parse_ability(
    pairs: &Pairs,
    slug: Option<Slug>,
    errors: &mut FormErrors,
) -> Option<Ability> {
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

pub(crate) async fn save_ability(
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

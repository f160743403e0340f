//! What every authoring form needs (framework editors): the editor's
//! context, refused edits as form errors, new slugs, and the requirement
//! selects roles and positions share.
//!
//! Forms arrive as raw pairs (their fields depend on the framework: one
//! requirement select per ability, one choice per role) and are parsed
//! into domain types at the edge. Every save goes through
//! `store::framework::apply`, which checks the result and records history.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cairn_domain::ItemKind;
use cairn_domain::gruuv_csv::slugify;
use cairn_domain::policy::Action;
use cairn_domain::{Framework, Level, OrgSlug, Requirement, Slug};
use cairn_store::framework::{self, Edit, EditRefused};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{ItemPath, OrgPath};
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::{Chrome, OrgContext};

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

/// One kind of framework item as its editing forms see it. The four
/// handlers below (new, edit, create, update) are the same for every kind;
/// each kind says how its form looks and how a posted form parses.
pub(crate) trait Editable: Clone + Sized + Send + 'static {
    const KIND: ItemKind;

    fn slug(&self) -> &Slug;

    fn find<'a>(fw: &'a Framework, slug: &Slug) -> Option<&'a Self>;

    /// The form: blank (`item` None), filled from an item, or refilled
    /// from what was posted (`posted`) with its errors.
    fn form(
        chrome: Chrome,
        org: &OrgSlug,
        fw: &Framework,
        item: Option<&Self>,
        posted: Option<&Pairs>,
        errors: FormErrors,
    ) -> Response;

    /// A posted form as the item it describes; `slug` is the item's own
    /// when editing (slugs never change), None when creating.
    fn parse(
        fw: &Framework,
        pairs: &Pairs,
        slug: Option<Slug>,
        errors: &mut FormErrors,
    ) -> Option<Self>;

    fn edit(self, create: bool) -> Edit;
}

/// `…/settings/framework/{area}/new`: a blank form.
pub(crate) async fn new_form<T: Editable>(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<Response, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    let fw = framework::editable(&app.store, &ctx.org).await?;
    let chrome = ctx.chrome(&visitor);
    Ok(T::form(
        chrome,
        &org,
        &fw,
        None,
        None,
        FormErrors::default(),
    ))
}

/// `/{org}/{area}/{slug}/edit`: the item's form.
pub(crate) async fn edit_form<T: Editable>(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
) -> Result<Response, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    let fw = framework::editable(&app.store, &ctx.org).await?;
    let item = T::find(&fw, &slug).ok_or(PageError::NotFound)?;
    let chrome = ctx.chrome(&visitor);
    Ok(T::form(
        chrome,
        &org,
        &fw,
        Some(item),
        None,
        FormErrors::default(),
    ))
}

pub(crate) async fn create<T: Editable>(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save::<T>(app, visitor, org, None, pairs).await
}

pub(crate) async fn update<T: Editable>(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    save::<T>(app, visitor, org, Some(slug), pairs).await
}

/// Parses, applies (`store::framework::apply` checks the whole framework
/// and records the history), then shows the item (or, when the
/// organization drafts, the draft); or the form again with what is wrong.
/// Forms are filled from what editors edit: the draft when there is one.
async fn save<T: Editable>(
    app: App,
    visitor: Visitor,
    org: OrgSlug,
    slug: Option<Slug>,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    let person = ctx.member()?;
    let fw = framework::editable(&app.store, &ctx.org).await?;
    let existing = match &slug {
        Some(s) => Some(T::find(&fw, s).ok_or(PageError::NotFound)?.clone()),
        None => None,
    };
    let mut errors = FormErrors::default();
    if let Some(item) =
        T::parse(&fw, &pairs, slug.clone(), &mut errors).filter(|_| errors.is_empty())
    {
        let target = item.slug().clone();
        let edit = item.edit(slug.is_none());
        match framework::apply(&app.store, &ctx.org.id, edit, &person.id, app.now()).await? {
            Ok(framework::Saved::Live) => {
                return Ok(redirect(&format!("/{org}/{}/{target}", T::KIND.area())));
            }
            Ok(framework::Saved::Draft) => return Ok(redirect(&format!("/{org}/changes#draft"))),
            Err(r) => refused(&mut errors, r)?,
        }
    }
    let chrome = ctx.chrome(&visitor);
    Ok(invalid(T::form(
        chrome,
        &org,
        &fw,
        existing.as_ref(),
        Some(&pairs),
        errors,
    )))
}

/// Askama pages as the responses `Editable::form` returns.
pub(crate) fn page(t: impl IntoResponse) -> Response {
    t.into_response()
}

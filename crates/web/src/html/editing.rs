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
        proposing: Proposing,
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

    /// The item as history shows it (field by field).
    fn snapshot(&self) -> cairn_domain::history::Snapshot;
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
        Proposing::default(),
    ))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ProposalQuery {
    proposal: String,
}

/// `/{org}/{area}/{slug}/edit`: the item's form; `?proposal=ID` fills it
/// with an open proposal's edit, and saving it accepts the proposal.
pub(crate) async fn edit_form<T: Editable>(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
    axum::extract::Query(q): axum::extract::Query<ProposalQuery>,
) -> Result<Response, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    let fw = framework::editable(&app.store, &ctx.org).await?;
    let item = T::find(&fw, &slug).ok_or(PageError::NotFound)?;
    let chrome = ctx.chrome(&visitor);
    let (posted, proposing) = match q.proposal.as_str() {
        "" => (None, Proposing::default()),
        id => {
            let p = open_proposal(&app, &ctx, id, T::KIND, &slug).await?;
            let pairs: Pairs = serde_json::from_str(&p.state.proposed)
                .map_err(|e| PageError::Internal(format!("a stored proposal: {e}")))?;
            (
                Some(pairs),
                Proposing {
                    accepting: p.id,
                    ..Proposing::default()
                },
            )
        }
    };
    Ok(T::form(
        chrome,
        &org,
        &fw,
        Some(item),
        posted.as_ref(),
        FormErrors::default(),
        proposing,
    ))
}

/// An open proposal about this item, or a 404.
async fn open_proposal(
    app: &App,
    ctx: &OrgContext,
    id: &str,
    kind: ItemKind,
    slug: &Slug,
) -> Result<cairn_store::proposals::Proposal, PageError> {
    cairn_store::proposals::get(&app.store, &ctx.org.id, id, None)
        .await?
        .filter(|p| {
            p.kind == kind
                && p.slug == slug.as_str()
                && p.state.status == cairn_store::proposals::Status::Open
        })
        .ok_or(PageError::NotFound)
}

/// How an item's form is used besides saving: proposing a change (any
/// member; `action` posts it with a rationale), or accepting a proposal
/// with an editor's edits (`accepting`: its id).
#[derive(Debug, Clone, Default)]
pub(crate) struct Proposing {
    pub(crate) on: bool,
    pub(crate) action: String,
    pub(crate) rationale: String,
    pub(crate) accepting: String,
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
    // Saving a proposal's edit (as the editor changed it) accepts it.
    let accepting = match (field(&pairs, "proposal"), &slug) {
        ("", _) | (_, None) => None,
        (id, Some(s)) => Some(open_proposal(&app, &ctx, id, T::KIND, s).await?.id),
    };
    let mut errors = FormErrors::default();
    if let Some(item) =
        T::parse(&fw, &pairs, slug.clone(), &mut errors).filter(|_| errors.is_empty())
    {
        let target = item.slug().clone();
        let edit = item.edit(slug.is_none());
        let saved = match &accepting {
            None => framework::apply(&app.store, &ctx.org.id, edit, &person.id, app.now())
                .await?
                .map_err(Some),
            Some(id) => framework::accept(&app.store, &ctx.org.id, id, edit, &person.id, app.now())
                .await?
                .map_err(|r| match r {
                    framework::AcceptRefused::Edit(e) => Some(e),
                    framework::AcceptRefused::Decided => None,
                }),
        };
        match saved {
            Ok(framework::Saved::Live) => {
                return Ok(redirect(&format!("/{org}/{}/{target}", T::KIND.area())));
            }
            Ok(framework::Saved::Draft) => return Ok(redirect(&format!("/{org}/changes#draft"))),
            Err(Some(r)) => refused(&mut errors, r)?,
            Err(None) => errors.add(
                "",
                "Someone decided on this proposal meanwhile: nothing was saved.",
            ),
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
        Proposing {
            accepting: accepting.unwrap_or_default(),
            ..Proposing::default()
        },
    )))
}

/// `GET /{org}/{area}/{slug}/propose`: the item's form, for any member,
/// to propose a change with a rationale.
pub(crate) async fn propose_form<T: Editable>(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    ctx.member()?;
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
        proposing_at(&org, T::KIND, &slug, ""),
    ))
}

fn proposing_at(org: &OrgSlug, kind: ItemKind, slug: &Slug, rationale: &str) -> Proposing {
    Proposing {
        on: true,
        action: format!("/{org}/{}/{slug}/propose", kind.area()),
        rationale: rationale.to_owned(),
        accepting: String::new(),
    }
}

/// `POST /{org}/{area}/{slug}/propose`: parsed and checked as an editor's
/// save would be, then kept as a proposal (a conversation on the item)
/// instead of applied.
pub(crate) async fn propose<T: Editable>(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let person = ctx.member()?;
    let fw = framework::editable(&app.store, &ctx.org).await?;
    let current = T::find(&fw, &slug).ok_or(PageError::NotFound)?.clone();
    let rationale = field(&pairs, "rationale").trim().to_owned();
    let mut errors = FormErrors::default();
    if rationale.is_empty() {
        errors.add("rationale", "Say why: what the change is for.");
    } else if rationale.chars().count() > 20_000 {
        errors.add("rationale", "Keep the rationale under 20000 characters.");
    }
    let item = T::parse(&fw, &pairs, Some(slug.clone()), &mut errors);
    if let (Some(item), true) = (item, errors.is_empty()) {
        let after = with_edit(&fw, item.clone().edit(false));
        let problems = after.reference_problems();
        let list = cairn_domain::changes::diff(&fw, &after);
        if !problems.is_empty() {
            for p in problems {
                errors.add("", p);
            }
        } else if list.is_empty() {
            errors.add(
                "",
                "This is the same as the framework now: change something to propose it.",
            );
        } else {
            let subject = cairn_store::conversations::subject(
                &app.store,
                &ctx.org.id,
                T::KIND,
                slug.as_str(),
            )
            .await?
            .ok_or(PageError::NotFound)?;
            let proposed: Pairs = pairs
                .iter()
                .filter(|(k, _)| k != "rationale" && k != "proposal")
                .cloned()
                .collect();
            let proposed =
                serde_json::to_string(&proposed).map_err(|e| PageError::Internal(e.to_string()))?;
            let base = serde_json::to_string(&current.snapshot())
                .map_err(|e| PageError::Internal(e.to_string()))?;
            let title = format!("Proposal: {}", proposal_title(&list));
            let id = cairn_store::proposals::create(
                &app.store,
                &ctx.org.id,
                &subject,
                &person.id,
                &title,
                &rationale,
                &base,
                &proposed,
                app.now(),
            )
            .await?;
            return Ok(redirect(&format!("/{org}/proposals/{id}")));
        }
    }
    let chrome = ctx.chrome(&visitor);
    Ok(invalid(T::form(
        chrome,
        &org,
        &fw,
        Some(&current),
        Some(&pairs),
        errors,
        proposing_at(&org, T::KIND, &slug, &rationale),
    )))
}

/// A proposal's title: its first change, and how many more.
fn proposal_title(list: &[cairn_domain::changes::Change]) -> String {
    let first = list.first().map(|c| c.describe()).unwrap_or_default();
    let first: String = first.chars().take(120).collect();
    match list.len() {
        0 | 1 => first,
        n => format!("{first} (and {} more)", n - 1),
    }
}

/// The framework with one save applied (the item replaced by slug); what
/// a proposal would make of it.
pub(crate) fn with_edit(fw: &Framework, edit: Edit) -> Framework {
    fn put<T>(list: &mut [T], item: T, same: impl Fn(&T, &T) -> bool) {
        if let Some(slot) = list.iter_mut().find(|x| same(x, &item)) {
            *slot = item;
        }
    }
    let mut out = fw.clone();
    match edit {
        Edit::SaveAbility { ability, .. } => {
            put(&mut out.abilities, ability, |a, b| a.slug == b.slug)
        }
        Edit::SaveRole { role, .. } => put(&mut out.roles, role, |a, b| a.slug == b.slug),
        Edit::SavePosition { position, .. } => {
            put(&mut out.positions, position, |a, b| a.slug == b.slug)
        }
        _ => {}
    }
    out
}

/// A proposal's edit, parsed by its kind's form against `fw`: the save,
/// the item's snapshot as proposed, and the problems when it no longer
/// parses (an ability it requires was archived since, say).
pub(crate) fn proposed_edit(
    kind: ItemKind,
    fw: &Framework,
    slug: &Slug,
    pairs: &Pairs,
) -> Result<(Edit, cairn_domain::history::Snapshot), Vec<String>> {
    fn parse<T: Editable>(
        fw: &Framework,
        slug: &Slug,
        pairs: &Pairs,
    ) -> Result<(Edit, cairn_domain::history::Snapshot), Vec<String>> {
        let mut errors = FormErrors::default();
        match T::parse(fw, pairs, Some(slug.clone()), &mut errors) {
            Some(item) if errors.is_empty() => {
                let snap = item.snapshot();
                Ok((item.edit(false), snap))
            }
            _ => Err(errors
                .fields()
                .into_iter()
                .map(|(_, e)| e.to_string())
                .collect()),
        }
    }
    match kind {
        ItemKind::Ability => parse::<cairn_domain::Ability>(fw, slug, pairs),
        ItemKind::Role => parse::<cairn_domain::Role>(fw, slug, pairs),
        ItemKind::Position => parse::<cairn_domain::Position>(fw, slug, pairs),
    }
}

/// An item's snapshot in the framework, when it is active there.
pub(crate) fn current_snapshot(
    kind: ItemKind,
    fw: &Framework,
    slug: &Slug,
) -> Option<cairn_domain::history::Snapshot> {
    match kind {
        ItemKind::Ability => fw.ability(slug).map(Editable::snapshot),
        ItemKind::Role => fw.role(slug).map(Editable::snapshot),
        ItemKind::Position => fw
            .positions
            .iter()
            .find(|p| &p.slug == slug)
            .map(Editable::snapshot),
    }
}

/// Askama pages as the responses `Editable::form` returns.
pub(crate) fn page(t: impl IntoResponse) -> Response {
    t.into_response()
}

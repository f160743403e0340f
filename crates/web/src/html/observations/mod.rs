//! Observations: the list a visitor may read, writing a draft, the
//! permalink page, publishing, changing who sees it, deleting.
//!
//! Every read goes through `visibility::can_read` (a single observation) or
//! its SQL twin `observations::visible` (lists); every rating shown goes
//! through `can_see_rating`.

use crate::auth::ClientInfo;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use cairn_domain::audit::AuditAction;
use cairn_domain::policy::Action;
use cairn_domain::visibility::{self, Privacy, Reader, can_read, can_see_rating, may_change_level};
use cairn_domain::wording::date;
use cairn_domain::{OrgSlug, Slug};
use cairn_store::audit::Entry;
use cairn_store::observations::{self, Observation};
use cairn_store::people::PersonId;

use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::RecordId;
use crate::extract::RecordPath;
use crate::extract::{Older, OrgPath};
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::markdown;

mod form;

/// An observation as a card: what this reader may see of it.
pub(crate) struct Card {
    pub id: String,
    pub href: String,
    pub observer: String,
    pub observees: String,
    pub date: String,
    pub privacy: &'static str,
    pub draft: bool,
    pub story: String,
    pub ratings: Vec<String>,
    /// "edited 3 Nov 2026", for a published observation edited since.
    pub edited: Option<String>,
}

pub(crate) fn card(org: &OrgSlug, o: &Observation, reader: &Reader<PersonId>) -> Card {
    let facts = o.facts();
    Card {
        id: o.id.clone(),
        href: format!("/{org}/observations/{}", o.id),
        observer: o.observer.name.to_string(),
        observees: o
            .observees
            .iter()
            .map(|p| p.name.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        date: date(o.observed_on),
        privacy: o.privacy.label(),
        draft: o.published_at.is_none(),
        story: markdown::render(o.story.as_str()),
        ratings: o
            .ratings
            .iter()
            .filter(|r| can_see_rating(reader, &facts, r.rating))
            .map(|r| format!("{}: {}", r.ability_name, r.rating.label()))
            .collect(),
        edited: o.edited_at.map(|at| format!("edited {}", date(at))),
    }
}

/// The reader for this visitor, as the rule needs them on a page about
/// `person`: their reports among the people on it (`person`, when
/// `reports` says they report to the visitor; cards add their own),
/// never the visitor's whole reports-to tree.
pub(crate) fn reader_about(
    visitor: &Visitor,
    ctx: &OrgContext,
    person: &PersonId,
    reports: bool,
) -> Reader<PersonId> {
    let (viewer, member) = viewer(visitor, ctx);
    observations::reader_with(viewer, member, reports.then(|| person.clone()))
}

#[derive(Template, WebTemplate)]
#[template(path = "observations/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    member: bool,
    observations: Vec<Card>,
    /// The next page's address, when there are older observations.
    older: Option<String>,
}

/// The reader's person id and whether they are a member here.
pub(crate) fn viewer<'a>(visitor: &'a Visitor, ctx: &OrgContext) -> (Option<&'a PersonId>, bool) {
    (
        visitor.person.as_ref().map(|p| &p.id),
        ctx.can(Action::ReadMemberContent),
    )
}

pub(crate) async fn list(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Older(older): Older,
) -> Result<ListPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadFramework).await?;
    let (person, member) = viewer(&visitor, &ctx);
    let cards = observations::visible_page(
        &app.store,
        &ctx.org.id,
        person,
        member,
        older.as_ref(),
        Some(observations::PAGE),
    )
    .await?;
    let reader = cards.reader(person, member);
    Ok(ListPage {
        chrome: ctx.chrome(&visitor),
        member,
        observations: cards.list.iter().map(|o| card(&slug, o, &reader)).collect(),
        older: cards
            .older
            .map(|c| format!("/{slug}/observations?older={}", c.param())),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "observations/show.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    /// "Observation of Priya by Tomás, 12 Oct 2026": unique enough to
    /// tell tabs and history entries apart.
    title: String,
    o: Card,
    can_edit: bool,
    /// The versions its edits replaced, newest first.
    earlier: Vec<Earlier>,
    /// (value, label, selected): the levels this visitor may choose now.
    levels: Vec<(&'static str, &'static str, bool)>,
    can_delete: bool,
    errors: FormErrors,
}

/// Loads an observation this visitor may read, or 404.
async fn readable(
    app: &App,
    visitor: &Visitor,
    org: &OrgSlug,
    id: &str,
) -> Result<(OrgContext, Observation, Reader<PersonId>), PageError> {
    let ctx = OrgContext::load(app, visitor, org, Action::ReadFramework).await?;
    let (person, member) = viewer(visitor, &ctx);
    let (o, reports) = observations::get(&app.store, &ctx.org.id, person, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let reader = observations::reader_with(person, member, reports);
    if !can_read(&reader, &o.facts()) {
        return Err(PageError::NotFound);
    }
    Ok((ctx, o, reader))
}

/// Who may change the level: the observer (any level), and the people
/// observed and their managers (narrower only).
fn level_choices(
    o: &Observation,
    reader: &Reader<PersonId>,
) -> Vec<(&'static str, &'static str, bool)> {
    let me = reader.person.as_ref().filter(|_| reader.member);
    let observer = me == Some(&o.observer.id);
    let concerned = me.is_some_and(|p| {
        o.observees
            .iter()
            .any(|e| &e.id == p || reader.reports.contains(&e.id))
    });
    if !(observer || (concerned && o.published_at.is_some())) {
        return Vec::new();
    }
    Privacy::ALL
        .into_iter()
        .filter(|l| o.published_at.is_none() || may_change_level(o.privacy, *l, observer))
        .map(|l| {
            (
                l.as_str(),
                l.label(),
                l == o.privacy && o.published_at.is_some(),
            )
        })
        .collect()
}

async fn show_view(
    app: &App,
    visitor: &Visitor,
    org: &OrgSlug,
    id: &str,
    errors: FormErrors,
) -> Result<ShowPage, PageError> {
    let (ctx, o, reader) = readable(app, visitor, org, id).await?;
    let observer = reader.member && reader.person.as_ref() == Some(&o.observer.id);
    let earlier = if o.edited_at.is_some() {
        earlier_versions(app, &ctx, &o, &reader).await?
    } else {
        Vec::new()
    };
    let c = card(&ctx.org.org.slug, &o, &reader);
    Ok(ShowPage {
        chrome: ctx.chrome(visitor),
        title: format!(
            "Observation of {} by {}, {}",
            c.observees, c.observer, c.date
        ),
        levels: level_choices(&o, &reader),
        can_edit: observer,
        earlier,
        o: c,
        can_delete: observer,
        errors,
    })
}

/// An earlier version of an observation, as this reader may see it.
pub(crate) struct Earlier {
    replaced: String,
    story: String,
    ratings: Vec<String>,
}

/// What its edits replaced: readers of the observation may see what they
/// may have read before (an edit cannot quietly rewrite it), each rating
/// under the same rule as the current ones.
async fn earlier_versions(
    app: &App,
    ctx: &OrgContext,
    o: &Observation,
    reader: &Reader<PersonId>,
) -> Result<Vec<Earlier>, PageError> {
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let facts = o.facts();
    Ok(observations::revisions(&app.store, &ctx.org.id, &o.id)
        .await?
        .into_iter()
        .map(|r| Earlier {
            replaced: format!(
                "Replaced {}",
                cairn_domain::wording::date_time(r.replaced_at)
            ),
            story: markdown::render(r.story.as_str()),
            ratings: r
                .ratings
                .iter()
                .filter(|(_, rating)| can_see_rating(reader, &facts, *rating))
                .map(|(a, rating)| {
                    let name = fw
                        .abilities
                        .iter()
                        .find(|x| &x.slug == a)
                        .map_or_else(|| a.to_string(), |x| x.name.to_string());
                    format!("{name}: {}", rating.label())
                })
                .collect(),
        })
        .collect())
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<ShowPage, PageError> {
    show_view(&app, &visitor, &org, &id, FormErrors::default()).await
}

async fn set_level(
    app: App,
    visitor: Visitor,
    client: ClientInfo,
    org: OrgSlug,
    id: RecordId,
    pairs: Pairs,
    publish: bool,
) -> Result<Response, PageError> {
    let (ctx, o, reader) = readable(&app, &visitor, &org, &id).await?;
    let allowed = level_choices(&o, &reader);
    let wanted = Privacy::parse(field(&pairs, "privacy"));
    let is_draft = o.published_at.is_none();
    if allowed.is_empty() || publish != is_draft {
        return Err(PageError::NotFound);
    }
    let Some(level) = wanted.filter(|w| allowed.iter().any(|(v, ..)| *v == w.as_str())) else {
        let mut errors = FormErrors::default();
        errors.add("privacy", "Choose one of the levels offered: it can be narrowed, and widened only by the observer.");
        return Ok(invalid(show_view(&app, &visitor, &org, &id, errors).await?));
    };
    let (action, detail) = if publish {
        observations::publish(&app.store, &ctx.org.id, &id, level, app.now()).await?;
        (AuditAction::ObservationPublished, level.as_str().to_owned())
    } else {
        if !observations::set_privacy(&app.store, &ctx.org.id, &id, o.privacy, level, app.now())
            .await?
        {
            let mut errors = FormErrors::default();
            errors.add(
                "privacy",
                "Someone changed this observation's level just now. Here it is as it stands; choose again.",
            );
            return Ok(invalid(show_view(&app, &visitor, &org, &id, errors).await?));
        }
        (
            AuditAction::ObservationLevelChanged,
            format!("{} → {}", o.privacy.as_str(), level.as_str()),
        )
    };
    crate::audit::note(
        &app,
        Entry {
            org: Some(&ctx.org.id),
            actor: reader.person.as_ref(),
            action,
            subject: format!("observation {id} by {}", o.observer.name),
            detail,
            client_ip: &client.0.ip,
        },
    )
    .await;
    Ok(redirect(&format!(
        "/{}/observations/{id}",
        ctx.org.org.slug
    )))
}

pub(crate) async fn publish(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientInfo,
    RecordPath(org, id): RecordPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    set_level(app, visitor, client, org, id, pairs, true).await
}

pub(crate) async fn privacy(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientInfo,
    RecordPath(org, id): RecordPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    set_level(app, visitor, client, org, id, pairs, false).await
}

pub(crate) async fn delete(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let (ctx, o, reader) = readable(&app, &visitor, &org, &id).await?;
    if !(reader.member && reader.person.as_ref() == Some(&o.observer.id)) {
        return Err(PageError::NotFound);
    }
    observations::delete(&app.store, &ctx.org.id, &id, app.now()).await?;
    Ok(redirect(&format!("/{}/observations", ctx.org.org.slug)))
}

/// Public observations rating an ability, as this reader may see them
/// (a sensitive rating hides the observation from those who may not see it).
/// The ability page's cards: public observations rating `ability`, with
/// the ratings of it this visitor may see.
pub(crate) fn for_ability(
    visitor: &Visitor,
    ctx: &OrgContext,
    ability: &Slug,
    cards: &observations::Cards,
) -> Vec<Card> {
    let (person, member) = viewer(visitor, ctx);
    let reader = cards.reader(person, member);
    cards
        .list
        .iter()
        .filter(|o| {
            o.ratings
                .iter()
                .filter(|r| &r.ability == ability)
                .all(|r| visibility::can_see_rating(&reader, &o.facts(), r.rating))
        })
        .map(|o| card(&ctx.org.org.slug, o, &reader))
        .collect()
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/observations", list)
        .get_post("/{org}/observations/new", form::new_form, form::create)
        .get_post(
            "/{org}/observations/{id}/edit",
            form::edit_form,
            form::save_edit,
        )
        .get("/{org}/observations/{id}", show)
        .post("/{org}/observations/{id}/publish", publish)
        .post("/{org}/observations/{id}/privacy", privacy)
        .post("/{org}/observations/{id}/delete", delete)
}

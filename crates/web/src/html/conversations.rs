//! Conversations on abilities, roles and positions: the section every
//! item page ends with, and the posts that start, answer, resolve and
//! reopen threads. Members only; nothing is ever deleted.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cairn_domain::ItemKind;
use cairn_domain::policy::Action;
use cairn_domain::wording::ago;
use cairn_domain::{OrgSlug, Slug};
use cairn_store::conversations;
use serde::Deserialize;

use super::OrgContext;
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::KindPath;
use crate::extract::RecordId;
use crate::extract::RecordPath;
use crate::forms::{FormErrors, invalid, redirect};
use crate::markdown;

const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 20_000;

pub(crate) struct CommentView {
    pub(crate) author: String,
    pub(crate) when: String,
    pub(crate) body: String,
}

pub(crate) struct ThreadView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) resolved: bool,
    pub(crate) comments: Vec<CommentView>,
    pub(crate) can_resolve: bool,
    /// A change proposal: its state ("Open, 3 supporters") and page.
    pub(crate) proposal: Option<(String, String)>,
    pub(crate) reply_draft: String,
    pub(crate) reply_error: Option<String>,
}

/// What the conversations section of a page shows.
pub(crate) struct Talk {
    pub(crate) subject_name: String,
    pub(crate) org_name: String,
    pub(crate) org_slug: String,
    pub(crate) here: String,
    pub(crate) members: bool,
    pub(crate) signed_in: bool,
    pub(crate) threads: Vec<ThreadView>,
    pub(crate) start_url: String,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) errors: FormErrors,
}

impl Talk {
    /// A post of this section failed: the page's title starts "Error: ".
    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.threads.iter().any(|t| t.reply_error.is_some())
    }
}

/// What a failed post leaves to show again.
#[derive(Default)]
pub(crate) struct Drafts {
    pub title: String,
    pub body: String,
    pub errors: FormErrors,
    /// (thread id, draft, error)
    pub reply: Option<(String, String, String)>,
}

/// Builds the section. Outsiders get the members-only notice and no data:
/// the threads are not even loaded for them.
pub(crate) async fn talk(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    kind: ItemKind,
    slug: &Slug,
    subject_name: &str,
    drafts: Drafts,
) -> Result<Talk, PageError> {
    let org_slug = ctx.org.org.slug.to_string();
    let here = format!("/{org_slug}/{}/{slug}", kind.area());
    let members = ctx.can(Action::ReadMemberContent);
    let threads = if members {
        // Looked up only for those who may read conversations: anonymous
        // readers of the page pay nothing for them.
        // An active item's id is in the framework snapshot: no statement.
        let snapshot = cairn_store::framework::load(&app.store, &ctx.org).await?;
        let subject = match snapshot.id_of(kind, slug) {
            Some(id) => conversations::Subject {
                kind,
                id: id.to_owned(),
                slug: slug.to_string(),
            },
            None => conversations::subject(&app.store, &ctx.org.id, kind, slug.as_str())
                .await?
                .ok_or(PageError::NotFound)?,
        };
        let now = app.now();
        let editor = ctx.can(Action::EditFramework);
        let me = visitor.person.as_ref().map(|p| &p.id);
        conversations::threads_for(&app.store, &ctx.org.id, &subject, me)
            .await?
            .into_iter()
            .map(|t| {
                let (reply_draft, reply_error) = match &drafts.reply {
                    Some((id, draft, error)) if *id == t.id => (draft.clone(), Some(error.clone())),
                    _ => (String::new(), None),
                };
                ThreadView {
                    proposal: t.proposal.as_ref().map(|p| {
                        use cairn_store::proposals::Status;
                        let status = match p.status {
                            Status::Open => "Open proposal",
                            Status::Accepted => "Accepted proposal",
                            Status::Declined => "Declined proposal",
                        };
                        (
                            format!(
                                "{status} · {}",
                                cairn_domain::wording::pluralize(
                                    p.supporters.max(0) as u64,
                                    "supporter",
                                    "supporters"
                                )
                            ),
                            format!("/{org_slug}/proposals/{}", t.id),
                        )
                    }),
                    can_resolve: editor || me == Some(&t.author_id),
                    comments: t
                        .comments
                        .iter()
                        .map(|c| CommentView {
                            author: c.author.to_string(),
                            when: ago(c.at, now),
                            body: markdown::render(c.body.as_str()),
                        })
                        .collect(),
                    id: t.id,
                    title: t.title,
                    resolved: t.resolved,
                    reply_draft,
                    reply_error,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Talk {
        subject_name: subject_name.to_owned(),
        org_name: ctx.org.org.name.to_string(),
        start_url: format!("{here}/conversations"),
        here,
        org_slug,
        members,
        signed_in: visitor.person.is_some(),
        threads,
        title: drafts.title,
        body: drafts.body,
        errors: drafts.errors,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct StartForm {
    title: String,
    body: String,
}

fn check_body(errors: &mut FormErrors, field: &'static str, body: &str) {
    if body.trim().is_empty() {
        errors.add(field, "Write something first.");
    } else if body.chars().count() > MAX_BODY {
        errors.add(field, format!("Keep it under {MAX_BODY} characters."));
    }
}

/// Re-renders the item page with drafts and errors (status 422).
async fn page_again(
    app: &App,
    visitor: Visitor,
    org: OrgSlug,
    kind: ItemKind,
    slug: Slug,
    drafts: Drafts,
) -> Result<Response, PageError> {
    let page = match kind {
        ItemKind::Ability => super::abilities::page(app, &visitor, &org, &slug, drafts, None)
            .await?
            .into_response(),
        ItemKind::Role => super::roles::page(app, &visitor, &org, &slug, drafts)
            .await?
            .into_response(),
        ItemKind::Position => super::positions::page(app, &visitor, &org, &slug, drafts)
            .await?
            .into_response(),
    };
    Ok(invalid(page))
}

/// Starts a thread on an ability, role or position.
pub(crate) async fn start(
    State(app): State<App>,
    visitor: Visitor,
    KindPath { org, kind, slug }: KindPath,
    Form(form): Form<StartForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let person = ctx.member()?;
    let subject = conversations::subject(&app.store, &ctx.org.id, kind, slug.as_str())
        .await?
        .ok_or(PageError::NotFound)?;
    let mut errors = FormErrors::default();
    let title = form.title.trim();
    if title.is_empty() {
        errors.add("title", "Give the conversation a topic.");
    } else if title.chars().count() > MAX_TITLE {
        errors.add(
            "title",
            format!("Keep the topic under {MAX_TITLE} characters."),
        );
    }
    check_body(&mut errors, "body", &form.body);
    if !errors.is_empty() {
        let drafts = Drafts {
            title: form.title,
            body: form.body,
            errors,
            reply: None,
        };
        return page_again(&app, visitor, org, kind, slug, drafts).await;
    }
    let id = conversations::start(
        &app.store,
        &ctx.org.id,
        &subject,
        &person.id,
        title,
        &form.body,
        app.now(),
    )
    .await?;
    Ok(redirect(&format!(
        "/{org}/{}/{slug}#thread-{id}",
        kind.area()
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ReplyForm {
    body: String,
}

pub(crate) async fn reply(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
    Form(form): Form<ReplyForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let person = ctx.member()?;
    let thread = conversations::thread(&app.store, &ctx.org.id, &id)
        .await?
        .ok_or(PageError::NotFound)?;
    let slug = Slug::parse(&thread.subject_slug).map_err(|e| PageError::Internal(e.to_string()))?;
    let mut errors = FormErrors::default();
    check_body(&mut errors, "body", &form.body);
    if let Some(message) = errors.get("body") {
        let drafts = Drafts {
            reply: Some((id.to_string(), form.body.clone(), message.to_owned())),
            ..Drafts::default()
        };
        return page_again(&app, visitor, org, thread.subject_kind, slug, drafts).await;
    }
    conversations::reply(
        &app.store,
        &ctx.org.id,
        &id,
        &person.id,
        &form.body,
        app.now(),
    )
    .await?;
    Ok(redirect(&format!(
        "/{org}/{}/{slug}#thread-{id}",
        thread.subject_kind.area()
    )))
}

async fn set_resolved(
    app: App,
    visitor: Visitor,
    org: OrgSlug,
    id: RecordId,
    resolved: bool,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let person = ctx.member()?;
    let thread = conversations::thread(&app.store, &ctx.org.id, &id)
        .await?
        .ok_or(PageError::NotFound)?;
    // The author or a framework editor; anyone else is told nothing more.
    if thread.author != person.id && !ctx.can(Action::EditFramework) {
        return Err(PageError::NotFound);
    }
    conversations::set_resolved(
        &app.store,
        &ctx.org.id,
        &id,
        &person.id,
        resolved,
        app.now(),
    )
    .await?;
    Ok(redirect(&format!(
        "/{org}/{}/{}#thread-{id}",
        thread.subject_kind.area(),
        thread.subject_slug
    )))
}

pub(crate) async fn resolve(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    set_resolved(app, visitor, org, id, true).await
}

pub(crate) async fn reopen(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    set_resolved(app, visitor, org, id, false).await
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .post("/{org}/{area}/{slug}/conversations", start)
        .post("/{org}/conversations/{id}/replies", reply)
        .post("/{org}/conversations/{id}/resolve", resolve)
        .post("/{org}/conversations/{id}/reopen", reopen)
}

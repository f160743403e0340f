//! `/{org}/proposals/{id}`: one change proposal. Members read it (what it
//! changes, in the changes page's words, and why), support it (once each)
//! and talk about it in its thread on the item; framework editors accept
//! it (applied as their own save would be: to the draft, or published at
//! once) or decline it with a reason.
//!
//! When the item changed after the proposal was made, the page shows the
//! three versions of each field that differs (as proposed against, as it
//! is now, as proposed) and accepting needs the editor to confirm that
//! state (its fingerprint is posted back), or to edit the proposal in the
//! item's form first: a proposal never overwrites a later change silently.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_domain::changes::{self, Weight};
use cairn_domain::history::Snapshot;
use cairn_domain::policy::Action;
use cairn_domain::{Framework, Slug};
use cairn_store::framework::{self, AcceptRefused, Saved};
use cairn_store::proposals::{self, Proposal, Status};
use serde::Deserialize;

use super::editing::{current_snapshot, proposed_edit, with_edit};
use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{RecordId, RecordPath};
use crate::forms::{FormErrors, Pairs, redirect};
use crate::markdown;

pub(crate) struct ChangeLine {
    text: String,
    raises: bool,
}

/// One field that differs between the three versions.
pub(crate) struct ThreeWay {
    label: String,
    base: String,
    now: String,
    proposed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/show.html")]
pub(crate) struct ProposalPage {
    chrome: Chrome,
    id: String,
    title: String,
    status: &'static str,
    open: bool,
    item_href: String,
    thread_href: String,
    author: String,
    rationale: String,
    reason: String,
    changes: Vec<ChangeLine>,
    /// Why it cannot be accepted as it is (archived item, a reference gone).
    problems: Vec<String>,
    three_way: Vec<ThreeWay>,
    fingerprint: String,
    supporters: i64,
    mine: bool,
    can_support: bool,
    can_decide: bool,
    edit_href: String,
    reason_draft: String,
    errors: FormErrors,
}

/// What the page computes from the proposal and the framework it is read
/// against: the edit (when it still applies), and the page.
struct Review {
    edit: Option<framework::Edit>,
    page: ProposalPage,
}

fn fields(s: &Snapshot) -> &[(String, String)] {
    &s.0
}

fn value<'a>(s: &'a Snapshot, label: &str) -> &'a str {
    fields(s)
        .iter()
        .find(|(l, _)| l == label)
        .map_or("", |(_, v)| v.as_str())
}

async fn review(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    p: Proposal,
) -> Result<Review, PageError> {
    let editor = ctx.can(Action::EditFramework);
    // Editors judge it against what they edit (the draft, when there is
    // one); members against what they read.
    let fw: Framework = if editor {
        framework::editable(&app.store, &ctx.org).await?
    } else {
        framework::load(&app.store, &ctx.org)
            .await?
            .framework()
            .clone()
    };
    let org = ctx.org.org.slug.as_str();
    let area = p.kind.area();
    let slug = Slug::parse(&p.slug).map_err(|e| PageError::Internal(e.to_string()))?;
    let pairs: Pairs = serde_json::from_str(&p.state.proposed)
        .map_err(|e| PageError::Internal(format!("a stored proposal: {e}")))?;
    let base: Snapshot = serde_json::from_str(&p.state.base)
        .map_err(|e| PageError::Internal(format!("a stored proposal: {e}")))?;
    let open = p.state.status == Status::Open;
    let mut problems = Vec::new();
    let mut changes_now = Vec::new();
    let mut three_way = Vec::new();
    let mut fingerprint = String::new();
    let mut edit = None;
    match current_snapshot(p.kind, &fw, &slug) {
        None => problems.push(format!(
            "The {} was archived after this proposal was made: restore it to accept the proposal, or decline it.",
            p.kind.as_str()
        )),
        Some(now) => match proposed_edit(p.kind, &fw, &slug, &pairs) {
            Err(list) => problems.extend(list),
            Ok((e, proposed)) => {
                let after = with_edit(&fw, e.clone());
                problems.extend(after.reference_problems());
                changes_now = changes::diff(&fw, &after)
                    .iter()
                    .map(|c| ChangeLine {
                        text: c.describe(),
                        raises: c.weight() == Weight::RaisesTheBar,
                    })
                    .collect();
                if now != base {
                    fingerprint = crate::secrets::hash(
                        &serde_json::to_string(&now)
                            .map_err(|e| PageError::Internal(e.to_string()))?,
                    );
                    for (label, _) in fields(&proposed) {
                        let (b, n, q) = (
                            value(&base, label),
                            value(&now, label),
                            value(&proposed, label),
                        );
                        if b != n || n != q {
                            three_way.push(ThreeWay {
                                label: label.clone(),
                                base: b.to_owned(),
                                now: n.to_owned(),
                                proposed: q.to_owned(),
                            });
                        }
                    }
                }
                edit = Some(e);
            }
        },
    }
    let me_member = ctx.can(Action::ReadMemberContent) && visitor.person.is_some();
    Ok(Review {
        edit: if problems.is_empty() { edit } else { None },
        page: ProposalPage {
            chrome: ctx.chrome(visitor),
            id: p.id.clone(),
            title: p.title,
            status: match p.state.status {
                Status::Open => "Open",
                Status::Accepted => "Accepted",
                Status::Declined => "Declined",
            },
            open,
            item_href: format!("/{org}/{area}/{}", p.slug),
            thread_href: format!("/{org}/{area}/{}#thread-{}", p.slug, p.id),
            author: p.author_name,
            rationale: markdown::render(&p.rationale),
            reason: p.state.reason,
            changes: changes_now,
            problems,
            three_way,
            fingerprint,
            supporters: p.state.supporters,
            mine: p.state.mine,
            can_support: open && me_member,
            can_decide: open && editor,
            edit_href: format!("/{org}/{area}/{}/edit?proposal={}", p.slug, p.id),
            reason_draft: String::new(),
            errors: FormErrors::default(),
        },
    })
}

async fn load(
    app: &App,
    visitor: &Visitor,
    org: &cairn_domain::OrgSlug,
    id: &RecordId,
) -> Result<(OrgContext, Proposal), PageError> {
    let ctx = OrgContext::load(app, visitor, org, Action::ReadMemberContent).await?;
    let me = visitor.person.as_ref().map(|p| &p.id);
    let p = proposals::get(&app.store, &ctx.org.id, id, me)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((ctx, p))
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<ProposalPage, PageError> {
    let (ctx, p) = load(&app, &visitor, &org, &id).await?;
    Ok(review(&app, &visitor, &ctx, p).await?.page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SupportForm {
    support: String,
}

pub(crate) async fn support(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
    Form(form): Form<SupportForm>,
) -> Result<Response, PageError> {
    let (ctx, p) = load(&app, &visitor, &org, &id).await?;
    let person = ctx.member()?;
    let on = form.support != "off";
    match proposals::support(&app.store, &ctx.org.id, &p.id, &person.id, on, app.now()).await? {
        Ok(()) => Ok(redirect(&format!("/{org}/proposals/{id}"))),
        Err(proposals::Refused::Decided) => {
            again(
                &app,
                &visitor,
                &ctx,
                p,
                StatusCode::CONFLICT,
                "support",
                "This proposal was decided: support is closed.",
                "",
            )
            .await
        }
    }
}

/// The page again with a message (and the reason typed, for decline).
#[allow(clippy::too_many_arguments)]
async fn again(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    p: Proposal,
    status: StatusCode,
    field: &'static str,
    message: &str,
    reason: &str,
) -> Result<Response, PageError> {
    let mut page = review(app, visitor, ctx, p).await?.page;
    page.errors.add(field, message);
    page.reason_draft = reason.to_owned();
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AcceptForm {
    confirm: String,
}

/// The proposal, for a framework editor deciding it (anyone else: 404).
async fn decider(
    app: &App,
    visitor: &Visitor,
    org: &cairn_domain::OrgSlug,
    id: &RecordId,
) -> Result<(OrgContext, Proposal, cairn_store::people::Person), PageError> {
    let (ctx, p) = load(app, visitor, org, id).await?;
    if !ctx.can(Action::EditFramework) {
        return Err(PageError::NotFound);
    }
    let person = ctx.member()?.clone();
    Ok((ctx, p, person))
}

pub(crate) async fn accept(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
    Form(form): Form<AcceptForm>,
) -> Result<Response, PageError> {
    let (ctx, p, person) = decider(&app, &visitor, &org, &id).await?;
    if p.state.status != Status::Open {
        return again(
            &app,
            &visitor,
            &ctx,
            p,
            StatusCode::CONFLICT,
            "accept",
            "This proposal was decided already.",
            "",
        )
        .await;
    }
    let review = review(&app, &visitor, &ctx, p.clone()).await?;
    let Some(edit) = review.edit else {
        return again(
            &app,
            &visitor,
            &ctx,
            p,
            StatusCode::UNPROCESSABLE_ENTITY,
            "accept",
            "It cannot be accepted as it is: see why below.",
            "",
        )
        .await;
    };
    // Changed since proposed: only the state the editor reviewed.
    if !review.page.fingerprint.is_empty() && form.confirm != review.page.fingerprint {
        return again(&app, &visitor, &ctx, p, StatusCode::CONFLICT, "accept", "The item changed since this proposal was made: review the three versions below, then confirm, or edit the proposal first.", "").await;
    }
    match framework::accept(&app.store, &ctx.org.id, &p.id, edit, &person.id, app.now()).await? {
        Ok(Saved::Live) => Ok(redirect(&review.page.item_href)),
        Ok(Saved::Draft) => Ok(redirect(&format!("/{org}/changes#draft"))),
        Err(AcceptRefused::Decided) => {
            again(
                &app,
                &visitor,
                &ctx,
                p,
                StatusCode::CONFLICT,
                "accept",
                "Someone decided on this proposal meanwhile.",
                "",
            )
            .await
        }
        Err(AcceptRefused::Edit(r)) => {
            let message = match r {
                framework::EditRefused::NotFound => {
                    "The item is not in the framework any more.".to_owned()
                }
                framework::EditRefused::Problems(list) => list.join(" "),
            };
            again(
                &app,
                &visitor,
                &ctx,
                p,
                StatusCode::UNPROCESSABLE_ENTITY,
                "accept",
                &message,
                "",
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct DeclineForm {
    reason: String,
}

pub(crate) async fn decline(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
    Form(form): Form<DeclineForm>,
) -> Result<Response, PageError> {
    let (ctx, p, person) = decider(&app, &visitor, &org, &id).await?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 5_000 {
        return again(
            &app,
            &visitor,
            &ctx,
            p,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
            "Say why it is declined (up to 5000 characters): its author reads it.",
            &form.reason,
        )
        .await;
    }
    match proposals::decline(
        &app.store,
        &ctx.org.id,
        &p.id,
        &person.id,
        reason,
        app.now(),
    )
    .await?
    {
        Ok(()) => Ok(redirect(&format!("/{org}/proposals/{id}"))),
        Err(proposals::Refused::Decided) => {
            again(
                &app,
                &visitor,
                &ctx,
                p,
                StatusCode::CONFLICT,
                "reason",
                "This proposal was decided already.",
                &form.reason,
            )
            .await
        }
    }
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/proposals/{id}", show)
        .post("/{org}/proposals/{id}/support", support)
        .post("/{org}/proposals/{id}/accept", accept)
        .post("/{org}/proposals/{id}/decline", decline)
}

//! `/{org}/settings/invitations` and `/invite/{token}`: links that bring
//! people in, shown once to the admin who made them.

use crate::auth::ClientInfo;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::audit::AuditAction;
use cairn_domain::policy::Action;
use cairn_store::audit::Entry;
use cairn_store::members::{self, InvitationState, Joined};
use cairn_store::orgs;
use serde::Deserialize;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::extract::{IdPath, RecordPath};
use crate::forms::{FormErrors, redirect};
use crate::html::{Chrome, Link, OrgContext, date, signed_in};
use crate::secrets;

use super::*;

pub(crate) struct InvitationLine {
    id: String,
    note: String,
    created: String,
    expires: String,
    state: &'static str,
    open: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/invitations.html")]
pub(crate) struct InvitationsPage {
    chrome: Chrome,
    invitations: Vec<InvitationLine>,
    new_link: Option<String>,
    note: String,
    days: i64,
    email_on: bool,
    email: String,
    /// Where the new link was emailed ('' when it was not).
    emailed_to: String,
    errors: FormErrors,
}

pub(crate) fn state_word(s: &InvitationState) -> &'static str {
    match s {
        InvitationState::Open => "open",
        InvitationState::Used => "used",
        InvitationState::Revoked => "revoked",
        InvitationState::Expired => "expired",
    }
}

pub(crate) async fn invitations_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    new_link: Option<String>,
) -> Result<InvitationsPage, PageError> {
    let list = members::invitations(&app.store, &ctx.org.id, app.now()).await?;
    Ok(InvitationsPage {
        chrome: ctx.chrome(visitor),
        invitations: list
            .into_iter()
            .map(|i| InvitationLine {
                open: i.state == InvitationState::Open,
                state: state_word(&i.state),
                id: i.id,
                note: if i.note.is_empty() {
                    "anyone with the link".into()
                } else {
                    i.note
                },
                created: date(i.created_at),
                expires: date(i.expires_at),
            })
            .collect(),
        new_link,
        note: String::new(),
        days: INVITATION_DAYS,
        email_on: app.config.email,
        email: String::new(),
        emailed_to: String::new(),
        errors: FormErrors::default(),
    })
}

pub(crate) async fn invitations_page(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
) -> Result<InvitationsPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageMembers).await?;
    invitations_view(&app, &visitor, &ctx, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct InvitationForm {
    note: String,
    email: String,
}

/// Creates an invitation and shows its link on this response only.
pub(crate) async fn create_invitation(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    OrgPath(slug): OrgPath,
    Form(form): Form<InvitationForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageMembers).await?;
    let person = ctx.member()?;
    let note: String = form.note.trim().chars().take(200).collect();
    let wanted = form.email.trim();
    let email = if wanted.is_empty() || !app.config.email {
        None
    } else {
        match cairn_domain::people::Email::parse(wanted) {
            Ok(e) => Some(e),
            Err(e) => {
                let mut page = invitations_view(&app, &visitor, &ctx, None).await?;
                page.note = note;
                page.email = wanted.to_owned();
                page.errors.add("email", e.to_string());
                return Ok(crate::forms::invalid(page));
            }
        }
    };
    let token = secrets::new_secret("").map_err(|e| PageError::Internal(e.to_string()))?;
    let now = app.now();
    let expires = now + INVITATION_DAYS * 24 * 3600 * 1000;
    let invitation = members::create_invitation_mailed(
        &app.store,
        &ctx.org.id,
        &secrets::hash(&token),
        email.as_ref().map(|e| (e.as_str(), token.as_str())),
        &note,
        &person.id,
        now,
        expires,
    )
    .await?;
    crate::audit::note(
        &app,
        Entry {
            org: Some(&ctx.org.id),
            actor: Some(&person.id),
            action: AuditAction::InvitationCreated,
            subject: format!("invitation {}", invitation.id),
            detail: note.clone(),
            client_ip: &client.ip,
        },
    )
    .await;
    let base = app.config.trusted_origin.clone().unwrap_or_default();
    let mut page =
        invitations_view(&app, &visitor, &ctx, Some(format!("{base}/invite/{token}"))).await?;
    page.emailed_to = email.map(|e| e.to_string()).unwrap_or_default();
    Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
}

pub(crate) async fn revoke_invitation(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let slug = org;
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageMembers).await?;
    if !members::revoke_invitation(&app.store, &ctx.org.id, &id, app.now()).await? {
        return Err(PageError::NotFound);
    }
    crate::audit::note(
        &app,
        Entry {
            org: Some(&ctx.org.id),
            actor: visitor.person.as_ref().map(|p| &p.id),
            action: AuditAction::InvitationRevoked,
            subject: format!("invitation {id}"),
            detail: String::new(),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok(redirect(&format!("/{slug}/settings/invitations")))
}

#[derive(Template, WebTemplate)]
#[template(path = "members/invite.html")]
pub(crate) struct InvitePage {
    chrome: Chrome,
    org_name: String,
    token: String,
    signed_in: bool,
    links: Vec<Link>,
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    chrome: Chrome,
    title: &'static str,
    message: String,
    links: Vec<Link>,
}

pub(crate) fn closed_invitation(visitor: &Visitor, state: &InvitationState) -> Response {
    let message = match state {
        InvitationState::Used => "This invitation was already used. Ask for a new one.",
        InvitationState::Revoked => "This invitation was withdrawn. Ask for a new one.",
        InvitationState::Expired => "This invitation has expired. Ask for a new one.",
        InvitationState::Open => "This invitation cannot be used.",
    };
    (
        StatusCode::GONE,
        MessagePage {
            chrome: Chrome::new(visitor),
            title: "Invitation closed",
            message: message.into(),
            links: vec![Link {
                href: "/".into(),
                text: "Go to cairn".into(),
            }],
        },
    )
        .into_response()
}

/// Only the token's shape is checked here; its hash finds the invitation.
pub(crate) fn token_ok(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) async fn invitation_page(
    State(app): State<App>,
    visitor: Visitor,
    IdPath(token): IdPath,
) -> Result<Response, PageError> {
    if !token_ok(&token) {
        return Err(PageError::NotFound);
    }
    let invitation = members::invitation_by_token(&app.store, &secrets::hash(&token), app.now())
        .await?
        .ok_or(PageError::NotFound)?;
    if invitation.state != InvitationState::Open {
        return Ok(closed_invitation(&visitor, &invitation.state));
    }
    let org = orgs::by_id(&app.store, &invitation.org)
        .await?
        .ok_or(PageError::NotFound)?;
    let here = format!("/invite/{token}");
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        InvitePage {
            chrome: Chrome::new(&visitor),
            org_name: org.org.name.to_string(),
            signed_in: visitor.person.is_some(),
            links: crate::html::account::account_links(&here),
            token: token.to_string(),
        },
    )
        .into_response())
}

pub(crate) async fn accept_invitation(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    IdPath(token): IdPath,
) -> Result<Response, PageError> {
    if !token_ok(&token) {
        return Err(PageError::NotFound);
    }
    let person = signed_in(&visitor, &format!("/invite/{token}"))?;
    match members::accept_invitation(&app.store, &secrets::hash(&token), &person.id, app.now())
        .await
    {
        Ok(Ok((org, joined))) => {
            let org = orgs::by_id(&app.store, &org)
                .await?
                .ok_or(PageError::NotFound)?;
            let detail = match joined {
                Joined::New => "joined",
                Joined::Rejoined => "departed → active (capabilities not restored)",
                Joined::AlreadyMember => "already a member; invitation left open",
            };
            if joined != Joined::AlreadyMember {
                crate::audit::note(
                    &app,
                    Entry {
                        org: Some(&org.id),
                        actor: Some(&person.id),
                        action: AuditAction::InvitationAccepted,
                        subject: crate::audit::about(person),
                        detail: detail.into(),
                        client_ip: &client.ip,
                    },
                )
                .await;
            }
            Ok(redirect(&format!("/{}", org.org.slug)))
        }
        Ok(Err(state)) => Ok(closed_invitation(&visitor, &state)),
        Err(cairn_store::StoreError::NotFound) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

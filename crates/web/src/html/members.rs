//! People of an organization: the list, what admins change about a
//! member, and invitations.

use crate::auth::ClientInfo;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::audit::AuditAction;
use cairn_domain::membership::{
    Capabilities, Capability, MemberChangeRefused, MemberRequest, MemberStatus,
};
use cairn_domain::policy::Action;
use cairn_store::audit::Entry;
use cairn_store::members::{self, InvitationState, Joined, ManagerError, Member, UpdateRefused};
use cairn_store::orgs;
use cairn_store::people::PersonId;
use serde::Deserialize;

use super::{Chrome, Link, OrgContext, date, signed_in};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::extract::{IdPath, MemberPath, RecordPath};
use crate::forms::{FormErrors, invalid, redirect};
use crate::secrets;

const INVITATION_DAYS: i64 = 14;

pub(crate) struct CapabilityChoice {
    field: &'static str,
    label: &'static str,
    checked: bool,
    enabled: bool,
}

pub(crate) struct ManagerOption {
    id: String,
    name: String,
    selected: bool,
}

pub(crate) struct MemberLine {
    id: String,
    name: String,
    email: String,
    capabilities: Vec<&'static str>,
    manager_name: Option<String>,
    departed: bool,
    /// Only owners change whether an owner or admin is here.
    departed_locked: bool,
    choices: Vec<CapabilityChoice>,
    manager_options: Vec<ManagerOption>,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/list.html")]
pub(crate) struct MembersPage {
    chrome: Chrome,
    members: Vec<MemberLine>,
    can_manage: bool,
    errors: FormErrors,
}

fn field(c: Capability) -> &'static str {
    match c {
        Capability::Owner => "cap_owner",
        Capability::Admin => "cap_admin",
        Capability::FrameworkEditor => "cap_framework_editor",
        Capability::PeopleLead => "cap_people_lead",
    }
}

/// Owner and admin are granted only by owners.
fn needs_owner(c: Capability) -> bool {
    matches!(c, Capability::Owner | Capability::Admin)
}

async fn members_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    errors: FormErrors,
) -> Result<MembersPage, PageError> {
    let list = members::list(&app.store, &ctx.org.id).await?;
    let can_manage = ctx.can(Action::ManageMembers);
    let can_grant = ctx.can(Action::GrantAdmin);
    let name_of = |id: &PersonId| {
        list.iter()
            .find(|m| &m.person.id == id)
            .map(|m| m.person.name.to_string())
    };
    let members = list
        .iter()
        .map(|m: &Member| MemberLine {
            id: m.person.id.as_str().to_owned(),
            name: m.person.name.to_string(),
            // Emails are for those who manage members.
            email: if can_manage {
                m.person.email.to_string()
            } else {
                String::new()
            },
            capabilities: m
                .capabilities
                .list()
                .into_iter()
                .map(Capability::label)
                .collect(),
            manager_name: m.manager.as_ref().and_then(name_of),
            departed: m.status == MemberStatus::Departed,
            departed_locked: !can_grant
                && (m.capabilities.holds(Capability::Owner)
                    || m.capabilities.holds(Capability::Admin)),
            choices: Capability::ALL
                .into_iter()
                .map(|c| CapabilityChoice {
                    field: field(c),
                    label: c.label(),
                    checked: m.capabilities.holds(c),
                    enabled: can_grant || !needs_owner(c),
                })
                .collect(),
            manager_options: list
                .iter()
                .filter(|o| o.person.id != m.person.id && o.status == MemberStatus::Active)
                .map(|o| ManagerOption {
                    id: o.person.id.as_str().to_owned(),
                    name: o.person.name.to_string(),
                    selected: m.manager.as_ref() == Some(&o.person.id),
                })
                .collect(),
        })
        .collect();
    Ok(MembersPage {
        chrome: ctx.chrome(visitor),
        members,
        can_manage,
        errors,
    })
}

pub(crate) async fn list(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
) -> Result<MembersPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadMemberContent).await?;
    members_view(&app, &visitor, &ctx, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MemberForm {
    cap_owner: String,
    cap_admin: String,
    cap_framework_editor: String,
    cap_people_lead: String,
    manager: String,
    departed: String,
}

impl MemberForm {
    fn wants(&self, c: Capability) -> bool {
        let v = match c {
            Capability::Owner => &self.cap_owner,
            Capability::Admin => &self.cap_admin,
            Capability::FrameworkEditor => &self.cap_framework_editor,
            Capability::PeopleLead => &self.cap_people_lead,
        };
        v == "on"
    }
}

/// Saves a member's capabilities, manager and status: one transaction,
/// decided by `membership::decide_member_change` on what it reads.
pub(crate) async fn update(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    MemberPath(org, person): MemberPath,
    Form(form): Form<MemberForm>,
) -> Result<Response, PageError> {
    let slug = org;
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageMembers).await?;
    let actor = signed_in(&visitor, &format!("/{slug}/people"))?;
    let member = members::get(&app.store, &ctx.org.id, &person)
        .await?
        .ok_or(PageError::NotFound)?;
    let request = MemberRequest {
        capabilities: Capability::ALL
            .into_iter()
            .filter(|c| form.wants(*c))
            .fold(Capabilities::NONE, Capabilities::with),
        departed: form.departed == "on",
    };
    let manager = (!form.manager.is_empty()).then(|| PersonId::from_form(&form.manager));
    let name = &member.person.name;
    let refused = |message: String| async {
        let mut errors = FormErrors::default();
        errors.add("", message);
        Ok::<_, PageError>(invalid(members_view(&app, &visitor, &ctx, errors).await?))
    };
    let change = match members::update(
        &app.store,
        &ctx.org.id,
        &actor.id,
        &member.person.id,
        request,
        manager.as_ref(),
        app.now(),
    )
    .await?
    {
        Ok(change) => change,
        // The actor stopped being an admin since the page loaded.
        Err(UpdateRefused::Rule(MemberChangeRefused::NotAdmin)) => {
            return Err(PageError::NotFound);
        }
        Err(UpdateRefused::Rule(MemberChangeRefused::LastOwner)) => {
            return refused(format!(
                "{name} is the only owner. Make someone else an owner first."
            ))
            .await;
        }
        Err(UpdateRefused::Rule(MemberChangeRefused::OwnersOnly)) => {
            return refused(format!(
                "Only owners can mark {name} departed or bring them back: they are an owner or admin."
            ))
            .await;
        }
        Err(UpdateRefused::Manager(ManagerError::Cycle)) => {
            return refused(format!(
                "{name} cannot report to someone who reports to them."
            ))
            .await;
        }
        Err(UpdateRefused::Manager(ManagerError::NotAMember)) => {
            return refused("Choose a manager from this organization.".into()).await;
        }
    };
    let entry = |action, detail: String| Entry {
        org: Some(&ctx.org.id),
        actor: Some(&actor.id),
        action,
        subject: crate::audit::about(&member.person),
        detail,
        client_ip: &client.ip,
    };
    let (before, after) = (change.before, change.after);
    if before.capabilities != after.capabilities {
        crate::audit::note(
            &app,
            entry(
                AuditAction::CapabilitiesChanged,
                format!(
                    "{} → {}",
                    shown(before.capabilities),
                    shown(after.capabilities)
                ),
            ),
        )
        .await;
    }
    if before.status != after.status {
        crate::audit::note(
            &app,
            entry(
                AuditAction::MemberStatusChanged,
                format!(
                    "{} → {}",
                    status_word(before.status),
                    status_word(after.status)
                ),
            ),
        )
        .await;
    }
    if change.manager_before != change.manager_after {
        let detail = format!(
            "{} → {}",
            manager_named(&app, &ctx, change.manager_before.as_ref()).await?,
            manager_named(&app, &ctx, change.manager_after.as_ref()).await?
        );
        crate::audit::note(&app, entry(AuditAction::ManagerChanged, detail)).await;
    }
    Ok(redirect(&format!("/{slug}/people#member-{person}")))
}

async fn manager_named(
    app: &App,
    ctx: &OrgContext,
    id: Option<&PersonId>,
) -> Result<String, PageError> {
    let Some(id) = id else {
        return Ok("nobody".to_owned());
    };
    Ok(members::get(&app.store, &ctx.org.id, id)
        .await?
        .map_or_else(
            || id.as_str().to_owned(),
            |m| crate::audit::about(&m.person),
        ))
}

fn shown(caps: Capabilities) -> String {
    let text = caps.to_text();
    if text.is_empty() {
        "member".to_owned()
    } else {
        text
    }
}

fn status_word(s: MemberStatus) -> &'static str {
    match s {
        MemberStatus::Active => "active",
        MemberStatus::Departed => "departed",
    }
}

// ---------------------------------------------------------------------------
// Invitations

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
    errors: FormErrors,
}

fn state_word(s: &InvitationState) -> &'static str {
    match s {
        InvitationState::Open => "open",
        InvitationState::Used => "used",
        InvitationState::Revoked => "revoked",
        InvitationState::Expired => "expired",
    }
}

async fn invitations_view(
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
    let person = signed_in(&visitor, "/")?;
    let note: String = form.note.trim().chars().take(200).collect();
    let token = secrets::new_secret("").map_err(|e| PageError::Internal(e.to_string()))?;
    let now = app.now();
    let expires = now + INVITATION_DAYS * 24 * 3600 * 1000;
    let invitation = members::create_invitation(
        &app.store,
        &ctx.org.id,
        &secrets::hash(&token),
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
    let page =
        invitations_view(&app, &visitor, &ctx, Some(format!("{base}/invite/{token}"))).await?;
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

fn closed_invitation(visitor: &Visitor, state: &InvitationState) -> Response {
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
fn token_ok(token: &str) -> bool {
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
            links: super::account::account_links(&here),
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

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/invite/{token}", invitation_page, accept_invitation)
        .get("/{org}/people", list)
        .post("/{org}/settings/members/{person}", update)
        .get_post(
            "/{org}/settings/invitations",
            invitations_page,
            create_invitation,
        )
        .post("/{org}/settings/invitations/{id}/revoke", revoke_invitation)
}

//! People of an organization: the list, what admins change about a
//! member, and invitations.

use crate::auth::ClientInfo;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::audit::AuditAction;
use cairn_domain::membership::{
    Capabilities, Capability, MemberChangeRefused, MemberRequest, MemberStatus,
};
use cairn_domain::policy::Action;
use cairn_store::audit::Entry;
use cairn_store::members::{self, Listed, ManagerError, UpdateRefused};
use cairn_store::people::PersonId;
use serde::Deserialize;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::MemberPath;
use crate::extract::{After, OrgPath};
use crate::forms::{FormErrors, invalid, redirect};
use crate::html::{Chrome, OrgContext, signed_in};

mod import;
mod invitations;

use invitations::*;

pub(crate) const INVITATION_DAYS: i64 = 14;

pub(crate) struct CapabilityChoice {
    field: &'static str,
    label: &'static str,
    checked: bool,
    enabled: bool,
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
    /// The manager's email, as the form's "Reports to" field shows it.
    manager_email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/list.html")]
pub(crate) struct MembersPage {
    chrome: Chrome,
    members: Vec<MemberLine>,
    can_manage: bool,
    /// What the list is filtered by (name or email).
    q: String,
    /// The next page's address, when there is one.
    next: Option<String>,
    errors: FormErrors,
}

/// `?q=…`: the people list's search.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ListQuery {
    q: String,
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

/// How many people a page of the list shows.
const PEOPLE_PAGE: u32 = 25;

async fn members_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    query: &ListQuery,
    after: Option<&PersonId>,
    errors: FormErrors,
) -> Result<MembersPage, PageError> {
    let q = query.q.trim();
    let (list, next) = members::page(&app.store, &ctx.org.id, q, false, after, PEOPLE_PAGE).await?;
    let can_manage = ctx.can(Action::ManageMembers);
    let can_grant = ctx.can(Action::GrantAdmin);
    let slug = &ctx.org.org.slug;
    let next = next.map(|id| {
        let mut href = format!("/{slug}/people?after={}", id.as_str());
        if !q.is_empty() {
            href.push_str(&format!("&q={}", crate::html::url_encode(q)));
        }
        href
    });
    let members = list
        .iter()
        .map(|Listed { member: m, manager }| MemberLine {
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
            manager_name: manager.as_ref().map(|p| p.name.to_string()),
            manager_email: manager
                .as_ref()
                .map(|p| p.email.to_string())
                .unwrap_or_default(),
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
        })
        .collect();
    Ok(MembersPage {
        chrome: ctx.chrome(visitor),
        members,
        can_manage,
        q: q.to_owned(),
        next,
        errors,
    })
}

pub(crate) async fn list(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(query): Query<ListQuery>,
    After(after): After,
) -> Result<MembersPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadMemberContent).await?;
    members_view(
        &app,
        &visitor,
        &ctx,
        &query,
        after.as_ref(),
        FormErrors::default(),
    )
    .await
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
    // "Reports to" is an email (the form's field) or a person id (the API
    // and older forms); an email of nobody here is refused as not a member.
    let manager = match form.manager.trim() {
        "" => None,
        m if m.contains('@') => Some(
            match cairn_domain::people::Email::parse(m) {
                Ok(email) => cairn_store::people::by_email(&app.store, &email)
                    .await?
                    .map(|(p, _)| p.id),
                Err(_) => None,
            }
            .unwrap_or_else(|| PersonId::from_form("")),
        ),
        m => Some(PersonId::from_form(m)),
    };
    let name = &member.person.name;
    let refused = |message: String| async {
        let mut errors = FormErrors::default();
        errors.add("", message);
        Ok::<_, PageError>(invalid(
            members_view(&app, &visitor, &ctx, &ListQuery::default(), None, errors).await?,
        ))
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
        .get_post(
            "/{org}/settings/people/import",
            import::form,
            import::submit,
        )
}

//! Server-rendered pages, one module per area.

use axum::Router;
use axum::routing::{get, post};
use cairn_domain::policy::{self, Action, Actor};
use cairn_domain::{OrgSlug, Slug};
use cairn_store::orgs::{self, OrgRecord};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;

mod abilities;
mod account;
mod authoring;
mod conversations;
mod eligibility;
mod health;
mod home;
mod journey;
mod members;
mod observations;
mod orgs_pages;
mod positions;
mod roles;
mod settings;
mod status;

pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/", get(home::index))
        .route("/healthz", get(status::healthz))
        .route("/signup", get(account::signup_form).post(account::signup))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/settings/account", get(account::account_page))
        .route("/settings/password", post(account::change_password))
        .route("/settings/sessions", get(account::sessions_page))
        .route(
            "/settings/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route(
            "/settings/tokens",
            get(account::tokens_page).post(account::create_token),
        )
        .route("/settings/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/new",
            get(settings::new_org_form).post(settings::create_org),
        )
        .route(
            "/invite/{token}",
            get(members::invitation_page).post(members::accept_invitation),
        )
        .route("/{org}", get(orgs_pages::show))
        .route("/{org}/people", get(members::list))
        .route("/{org}/health", get(health::report))
        .route("/{org}/people/{person}", get(journey::show))
        .route("/{org}/people/{person}/awards", post(journey::award))
        .route(
            "/{org}/people/{person}/profile",
            post(journey::save_profile),
        )
        .route(
            "/{org}/people/{person}/positions/{position}",
            get(eligibility::show),
        )
        .route(
            "/{org}/positions/{position}/candidates",
            get(eligibility::candidates),
        )
        .route("/{org}/awards/{id}/revoke", post(journey::revoke))
        .route("/{org}/observations", get(observations::list))
        .route(
            "/{org}/observations/new",
            get(observations::new_form).post(observations::create),
        )
        .route("/{org}/observations/{id}", get(observations::show))
        .route(
            "/{org}/observations/{id}/publish",
            post(observations::publish),
        )
        .route(
            "/{org}/observations/{id}/privacy",
            post(observations::privacy),
        )
        .route(
            "/{org}/observations/{id}/delete",
            post(observations::delete),
        )
        .route(
            "/{org}/settings",
            get(settings::org_settings).post(settings::update_org),
        )
        .route("/{org}/settings/members/{person}", post(members::update))
        .route("/{org}/settings/audit", get(settings::audit_log))
        .route("/{org}/settings/export", get(settings::export_org))
        .route(
            "/{org}/settings/invitations",
            get(members::invitations_page).post(members::create_invitation),
        )
        .route(
            "/{org}/settings/invitations/{id}/revoke",
            post(members::revoke_invitation),
        )
        .route("/{org}/abilities/{ability}", get(abilities::show))
        .route("/{org}/roles/{role}", get(roles::show))
        .route("/{org}/positions/{position}", get(positions::show))
        .route(
            "/{org}/abilities/{ability}/conversations",
            post(conversations::start_on_ability),
        )
        .route(
            "/{org}/roles/{role}/conversations",
            post(conversations::start_on_role),
        )
        .route(
            "/{org}/positions/{position}/conversations",
            post(conversations::start_on_position),
        )
        .route("/{org}/settings/framework", get(authoring::hub))
        .route(
            "/{org}/settings/framework/miles",
            post(authoring::set_miles),
        )
        .route(
            "/{org}/settings/framework/abilities/new",
            get(authoring::new_ability_form).post(authoring::create_ability),
        )
        .route(
            "/{org}/settings/framework/roles/new",
            get(authoring::new_role_form).post(authoring::create_role),
        )
        .route(
            "/{org}/settings/framework/positions/new",
            get(authoring::new_position_form).post(authoring::create_position),
        )
        .route(
            "/{org}/abilities/{ability}/edit",
            get(authoring::edit_ability_form).post(authoring::update_ability),
        )
        .route(
            "/{org}/roles/{role}/edit",
            get(authoring::edit_role_form).post(authoring::update_role),
        )
        .route(
            "/{org}/positions/{position}/edit",
            get(authoring::edit_position_form).post(authoring::update_position),
        )
        .route(
            "/{org}/abilities/{ability}/archive",
            post(authoring::archive::<{ authoring::ABILITY }>),
        )
        .route(
            "/{org}/roles/{role}/archive",
            post(authoring::archive::<{ authoring::ROLE }>),
        )
        .route(
            "/{org}/positions/{position}/archive",
            post(authoring::archive::<{ authoring::POSITION }>),
        )
        .route(
            "/{org}/abilities/{ability}/restore",
            post(authoring::restore::<{ authoring::ABILITY }>),
        )
        .route(
            "/{org}/roles/{role}/restore",
            post(authoring::restore::<{ authoring::ROLE }>),
        )
        .route(
            "/{org}/positions/{position}/restore",
            post(authoring::restore::<{ authoring::POSITION }>),
        )
        .route(
            "/{org}/abilities/{ability}/history",
            get(authoring::history_page::<{ authoring::ABILITY }>),
        )
        .route(
            "/{org}/roles/{role}/history",
            get(authoring::history_page::<{ authoring::ROLE }>),
        )
        .route(
            "/{org}/positions/{position}/history",
            get(authoring::history_page::<{ authoring::POSITION }>),
        )
        .route(
            "/{org}/conversations/{id}/replies",
            post(conversations::reply),
        )
        .route(
            "/{org}/conversations/{id}/resolve",
            post(conversations::resolve),
        )
        .route(
            "/{org}/conversations/{id}/reopen",
            post(conversations::reopen),
        )
}

pub(crate) async fn not_found() -> PageError {
    PageError::NotFound
}

/// A link with its text, ready for a template.
pub struct Link {
    pub href: String,
    pub text: String,
}

/// What the layout shows around every page: who is signed in, and the
/// organization being looked at with the links this visitor may follow.
#[derive(Default)]
pub struct Chrome {
    pub person: Option<String>,
    pub org: Option<OrgNav>,
    /// This page, encoded for `?next=`: signing in comes back here.
    pub next_encoded: String,
}

pub struct OrgNav {
    pub slug: String,
    pub name: String,
    pub links: Vec<Link>,
}

impl Chrome {
    pub fn org_name(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.name.as_str())
    }

    pub fn org_slug(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.slug.as_str())
    }

    pub(crate) fn new(visitor: &Visitor) -> Self {
        Chrome {
            person: visitor.person.as_ref().map(|p| p.name.to_string()),
            org: None,
            next_encoded: visitor
                .here
                .as_deref()
                .filter(|h| !h.starts_with("/login") && !h.starts_with("/signup"))
                .map(|h| url_encode(crate::forms::safe_next(h)))
                .unwrap_or_default(),
        }
    }

    /// The layout inside an organization: its name, and Members and
    /// Settings only for those who may use them.
    pub(crate) fn in_org(visitor: &Visitor, org: &OrgRecord, actor: &Actor) -> Self {
        let slug = org.org.slug.as_str();
        let mut links = Vec::new();
        if policy::can(actor, Action::ReadMemberContent, org.access()) {
            links.push(Link {
                href: format!("/{slug}/people"),
                text: "People".into(),
            });
            links.push(Link {
                href: format!("/{slug}/observations"),
                text: "Observations".into(),
            });
        }
        if policy::can(actor, Action::EditFramework, org.access()) {
            links.push(Link {
                href: format!("/{slug}/settings/framework"),
                text: "Framework".into(),
            });
        }
        if policy::can(actor, Action::ManageSettings, org.access()) {
            links.push(Link {
                href: format!("/{slug}/settings"),
                text: "Settings".into(),
            });
        }
        Chrome {
            org: Some(OrgNav {
                slug: slug.to_owned(),
                name: org.org.name.to_string(),
                links,
            }),
            ..Chrome::new(visitor)
        }
    }
}

pub(crate) fn ability_href(org: &OrgSlug, ability: &Slug) -> String {
    format!("/{org}/abilities/{ability}")
}

pub(crate) fn role_href(org: &OrgSlug, role: &Slug) -> String {
    format!("/{org}/roles/{role}")
}

pub(crate) fn position_href(org: &OrgSlug, position: &Slug) -> String {
    format!("/{org}/positions/{position}")
}

/// An organization this visitor may act on, with what they are to it.
/// Every refusal is a 404: nobody learns what they may not see exists.
pub(crate) struct OrgContext {
    pub org: OrgRecord,
    pub actor: Actor,
}

impl OrgContext {
    pub(crate) async fn load(
        app: &App,
        visitor: &Visitor,
        slug: &OrgSlug,
        action: Action,
    ) -> Result<Self, PageError> {
        let org = orgs::by_slug(&app.store, slug)
            .await?
            .ok_or(PageError::NotFound)?;
        let actor = visitor.actor(app, &org).await?;
        if policy::require(&actor, action, org.access()).is_err() {
            // A signed-out visitor may be a member: let them sign in first.
            if visitor.person.is_none() && org.published && action != Action::ReadFramework {
                return Err(PageError::SignIn(
                    visitor.here.clone().unwrap_or_else(|| format!("/{slug}")),
                ));
            }
            return Err(PageError::NotFound);
        }
        Ok(OrgContext { org, actor })
    }

    pub(crate) fn can(&self, action: Action) -> bool {
        policy::can(&self.actor, action, self.org.access())
    }

    pub(crate) fn chrome(&self, visitor: &Visitor) -> Chrome {
        Chrome::in_org(visitor, &self.org, &self.actor)
    }
}

/// The signed-in person, or a redirect to sign in and come back to `here`.
pub(crate) fn signed_in<'a>(
    visitor: &'a Visitor,
    here: &str,
) -> Result<&'a cairn_store::people::Person, PageError> {
    visitor
        .person
        .as_ref()
        .ok_or_else(|| PageError::SignIn(here.to_owned()))
}

/// Percent-encodes a query parameter value.
pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) use cairn_domain::wording::date;

//! Server-rendered pages, one module per area.

use cairn_domain::policy::{self, Action, Actor};
use cairn_domain::{OrgSlug, Slug};
use cairn_store::orgs::{self, OrgRecord};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;

mod abilities;
mod account;
mod awards;
mod changes;
mod chart;
pub(crate) mod check_ins;
mod conversations;
mod credentials;
mod deliveries;
mod domains;
mod editing;
mod eligibility;
pub(crate) mod explore;
mod forks;
mod framework;
mod framework_import;
mod health;
mod history;
mod home;
pub(crate) mod insights;
pub(crate) mod jobs;
mod journey;
mod members;
mod notifications;
mod observations;
mod orgs_pages;
mod positions;
mod proposals;
mod requirements;
mod roles;
mod settings;
mod status;
mod teams;

/// A private CSV download.
pub(crate) fn csv_response(name: &str, body: String) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            // Private: never kept by a cache on the way.
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Every page, area by area: each area declares its own routes.
pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .merge(home::routes())
        .merge(status::routes())
        .merge(account::routes())
        .merge(settings::routes())
        .merge(members::routes())
        .merge(orgs_pages::routes())
        .merge(health::routes())
        .merge(insights::routes())
        .merge(abilities::routes())
        .merge(roles::routes())
        .merge(positions::routes())
        .merge(framework::routes())
        .merge(history::routes())
        .merge(conversations::routes())
        .merge(journey::routes())
        .merge(jobs::routes())
        .merge(requirements::routes())
        .merge(teams::routes())
        .merge(awards::routes())
        .merge(credentials::routes())
        .merge(eligibility::routes())
        .merge(explore::routes())
        .merge(observations::routes())
        .merge(check_ins::routes())
        .merge(notifications::routes())
        .merge(deliveries::routes())
        .merge(changes::routes())
        .merge(proposals::routes())
        .merge(forks::routes())
        .merge(domains::routes())
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
    /// Offer "Switch organization" (the visitor is in several).
    pub switcher: bool,
    /// Unread notifications, for the header's link to them.
    pub unread: i64,
}

pub struct OrgNav {
    pub slug: String,
    pub name: String,
    pub links: Vec<Link>,
    /// The settings pages this visitor may open, in one order: the same
    /// tabs on every settings page (`settings/tabs.html`).
    pub settings_tabs: Vec<Link>,
    /// The licence its framework is offered under (footer of its pages).
    pub licence: cairn_domain::licence::Licence,
    /// A fork's attribution of what it copied ('' when none is required).
    pub attribution: String,
}

impl Chrome {
    pub fn org_name(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.name.as_str())
    }

    pub fn settings_tabs(&self) -> &[Link] {
        self.org
            .as_ref()
            .map_or(&[], |o| o.settings_tabs.as_slice())
    }

    pub fn org_slug(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.slug.as_str())
    }

    /// The stylesheet at its content-named address.
    pub fn css_href(&self) -> &'static str {
        crate::assets::css_href()
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
            switcher: false,
            unread: visitor.unread,
        }
    }

    /// The layout inside an organization: its name, and Members and
    /// Settings only for those who may use them.
    pub(crate) fn in_org(visitor: &Visitor, org: &OrgRecord, actor: &Actor) -> Self {
        let slug = org.org.slug.as_str();
        let mut links = Vec::new();
        if policy::can(actor, Action::ReadMemberContent, org.access()) {
            // One click to your own journey, from any page.
            if let Some(me) = &visitor.person {
                links.push(Link {
                    href: format!("/{slug}/people/{}", me.id.as_str()),
                    text: "My journey".into(),
                });
            }
            links.push(Link {
                href: format!("/{slug}/people"),
                text: "People".into(),
            });
            links.push(Link {
                href: format!("/{slug}/observations"),
                text: "Observations".into(),
            });
            // Managers' and people leads' list; for a member it is empty.
            links.push(Link {
                href: format!("/{slug}/check-ins"),
                text: "Check-ins".into(),
            });
        }
        if policy::can(actor, Action::ManagePeople, org.access()) {
            links.push(Link {
                href: format!("/{slug}/requirements"),
                text: "Requirements".into(),
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
        let may = |action| policy::can(actor, action, org.access());
        let settings_tabs = [
            (Action::ManageSettings, "settings", "Organization"),
            (Action::EditFramework, "settings/framework", "Framework"),
            (Action::ReadMemberContent, "people", "People"),
            (
                Action::ManageMembers,
                "settings/people/import",
                "Import people",
            ),
            (Action::ManageMembers, "settings/invitations", "Invitations"),
            (Action::ManageMembers, "settings/domains", "Domains"),
            (Action::ManageSettings, "settings/webhooks", "Webhooks"),
            (Action::ManageSettings, "settings/deliveries", "Deliveries"),
            (Action::ManageSettings, "settings/audit", "Audit log"),
        ]
        .into_iter()
        .filter(|(action, ..)| may(*action))
        .map(|(_, path, text)| Link {
            href: format!("/{slug}/{path}"),
            text: text.to_owned(),
        })
        .collect();
        Chrome {
            org: Some(OrgNav {
                slug: slug.to_owned(),
                name: org.org.name.to_string(),
                links,
                settings_tabs,
                licence: org.org.licence,
                attribution: org.org.attribution.clone(),
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
    /// The signed-in person the context was loaded for.
    person: Option<cairn_store::people::Person>,
    /// The visitor is a member of another organization too.
    elsewhere: bool,
}

impl OrgContext {
    pub(crate) async fn load(
        app: &App,
        visitor: &Visitor,
        slug: &OrgSlug,
        action: Action,
    ) -> Result<Self, PageError> {
        // The organization and the visitor's membership: one statement.
        let (org, standing, elsewhere) =
            orgs::by_slug_as(&app.store, slug, visitor.person.as_ref().map(|p| &p.id))
                .await?
                .ok_or(PageError::NotFound)?;
        let actor = crate::auth::actor_of(visitor, standing);
        if policy::require(&actor, action, org.access()).is_err() {
            // A signed-out visitor may be a member: let them sign in first.
            if visitor.person.is_none() && org.published && action != Action::ReadFramework {
                return Err(PageError::SignIn(
                    visitor.here.clone().unwrap_or_else(|| format!("/{slug}")),
                ));
            }
            return Err(PageError::NotFound);
        }
        Ok(OrgContext {
            org,
            actor,
            person: visitor.person.clone(),
            elsewhere,
        })
    }

    /// The member this context was loaded for. After a check that needs a
    /// member (anything beyond reading a published framework) there always
    /// is one; otherwise this is a 404 like every refusal.
    pub(crate) fn member(&self) -> Result<&cairn_store::people::Person, PageError> {
        match (&self.actor, &self.person) {
            (Actor::Member(_), Some(p)) => Ok(p),
            _ => Err(PageError::NotFound),
        }
    }

    pub(crate) fn can(&self, action: Action) -> bool {
        policy::can(&self.actor, action, self.org.access())
    }

    pub(crate) fn chrome(&self, visitor: &Visitor) -> Chrome {
        let mut chrome = Chrome::in_org(visitor, &self.org, &self.actor);
        chrome.switcher = self.elsewhere && matches!(self.actor, Actor::Member(_));
        chrome
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

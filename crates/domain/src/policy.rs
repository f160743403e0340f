//! The one function that decides who may do what. Deny by default.
//!
//! An [`Actor`] is always relative to one organization: the same person is
//! a `Member` of their own organization and merely a `Person` in another,
//! so "another organization's data" needs no special case here; callers
//! answer every refusal about an organization's data as "not found".

use crate::membership::{Capabilities, Capability};

/// Who is asking, as far as one organization is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// Signed in, but not an active member of this organization (including
    /// a member who departed).
    Person,
    /// An active member with these capabilities.
    Member(Capabilities),
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Abilities, milestones, roles, positions, requirements, health, and
    /// public observations.
    ReadFramework,
    /// Sections for members only: the members list, conversations.
    ReadMemberContent,
    /// Create, edit, archive abilities, roles and positions.
    EditFramework,
    /// Invite, change capabilities (except owner and admin), set managers,
    /// mark departed.
    ManageMembers,
    /// Grant or remove the owner and admin capabilities.
    GrantAdmin,
    /// Organization name, publishing.
    ManageSettings,
    /// All awards, everyone's progress.
    ManagePeople,
    /// Give members positions and roles, and see everyone's history of
    /// them: admins (who run the organization's people) and people leads.
    AssignJobs,
    /// Create a new organization (not about an existing one).
    CreateOrganization,
    /// Read a credential a member chose to make of an award, and what
    /// verifies it (the issuer's profile, keys and status list): anyone,
    /// published framework or not, since it is made to be carried to
    /// whoever the member shows it to.
    VerifyCredential,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::ReadFramework,
        Action::ReadMemberContent,
        Action::EditFramework,
        Action::ManageMembers,
        Action::GrantAdmin,
        Action::ManageSettings,
        Action::ManagePeople,
        Action::AssignJobs,
        Action::CreateOrganization,
        Action::VerifyCredential,
    ];
}

/// The facts about an organization that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgAccess {
    pub published: bool,
}

/// A refusal. Callers answer it as "not found" for an organization's data,
/// so nobody learns that what they may not see exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not permitted")]
pub struct PolicyDenied;

pub fn can(actor: &Actor, action: Action, org: OrgAccess) -> bool {
    let member_with = |c: Capability| matches!(actor, Actor::Member(caps) if caps.has(c));
    match action {
        Action::ReadFramework => org.published || matches!(actor, Actor::Member(_)),
        Action::ReadMemberContent => matches!(actor, Actor::Member(_)),
        Action::EditFramework => member_with(Capability::FrameworkEditor),
        Action::ManageMembers | Action::ManageSettings => member_with(Capability::Admin),
        Action::GrantAdmin => member_with(Capability::Owner),
        Action::ManagePeople => member_with(Capability::PeopleLead),
        Action::AssignJobs => member_with(Capability::Admin) || member_with(Capability::PeopleLead),
        Action::CreateOrganization => !matches!(actor, Actor::Anonymous),
        Action::VerifyCredential => true,
    }
}

/// An item's history shows its content. While the item is live that is
/// the framework anyone may read; once it is archived, the item is gone
/// for everyone but the framework's editors, and so is its history.
pub fn can_read_history(actor: &Actor, org: OrgAccess, archived: bool) -> bool {
    if archived {
        can(actor, Action::EditFramework, org)
    } else {
        can(actor, Action::ReadFramework, org)
    }
}

pub fn require(actor: &Actor, action: Action, org: OrgAccess) -> Result<(), PolicyDenied> {
    if can(actor, action, org) {
        Ok(())
    } else {
        Err(PolicyDenied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    /// The visitor kinds of the access table: anonymous, a signed-in
    /// outsider (which is what a member of another organization, or a
    /// departed member, is here), and each capability.
    fn visitors() -> Vec<(&'static str, Actor)> {
        let m = |c: &[Capability]| Actor::Member(Capabilities::of(c));
        vec![
            ("anonymous", Actor::Anonymous),
            ("other organization's member", Actor::Person),
            ("member", m(&[])),
            ("framework editor", m(&[Capability::FrameworkEditor])),
            ("people lead", m(&[Capability::PeopleLead])),
            ("admin", m(&[Capability::Admin])),
            ("owner", m(&[Capability::Owner])),
        ]
    }

    /// Expected answers, one row per visitor kind; columns follow
    /// `Action::ALL`: read, member content, edit, members, grant admin,
    /// settings, people, jobs, create org, verify a credential.
    #[rustfmt::skip]
    const PUBLISHED: &[(&str, [bool; 10])] = &[
        ("anonymous",                   [true, false, false, false, false, false, false, false, false, true]),
        ("other organization's member", [true, false, false, false, false, false, false, false, true,  true]),
        ("member",                      [true, true,  false, false, false, false, false, false, true,  true]),
        ("framework editor",            [true, true,  true,  false, false, false, false, false, true,  true]),
        ("people lead",                 [true, true,  false, false, false, false, true,  true,  true,  true]),
        ("admin",                       [true, true,  false, true,  false, true,  false, true,  true,  true]),
        ("owner",                       [true, true,  true,  true,  true,  true,  true,  true,  true,  true]),
    ];

    #[test]
    fn every_visitor_kind_times_every_action_on_a_published_framework() {
        let org = OrgAccess { published: true };
        for ((name, actor), (row_name, expected)) in visitors().into_iter().zip(PUBLISHED) {
            assert_eq!(name, *row_name);
            for (action, allowed) in Action::ALL.into_iter().zip(expected) {
                assert_eq!(can(&actor, action, org), *allowed, "{name} {action:?}");
                assert_eq!(require(&actor, action, org).is_ok(), *allowed);
            }
        }
    }

    #[test]
    #[rustfmt::skip]
    fn history_of_an_archived_item_is_for_editors_only() {
        let editor = Actor::Member(Capabilities::of(&[Capability::FrameworkEditor]));
        let admin = Actor::Member(Capabilities::of(&[Capability::Admin]));
        let member = Actor::Member(Capabilities::NONE);
        let published = OrgAccess { published: true };
        let unpublished = OrgAccess { published: false };
        let cases = [
            ("anonymous, live item, published",      Actor::Anonymous, published,   false, true),
            ("anonymous, archived item",             Actor::Anonymous, published,   true,  false),
            ("anonymous, unpublished framework",     Actor::Anonymous, unpublished, false, false),
            ("member, live item",                    member,           published,   false, true),
            ("member, archived item",                member,           published,   true,  false),
            ("admin, archived item",                 admin,            published,   true,  false),
            ("editor, archived item",                editor,           unpublished, true,  true),
            ("outsider, archived item",              Actor::Person,    published,   true,  false),
        ];
        for (name, actor, org, archived, expected) in cases {
            assert_eq!(can_read_history(&actor, org, archived), expected, "{name}");
        }
    }

    #[test]
    fn an_unpublished_framework_is_for_members_only() {
        let org = OrgAccess { published: false };
        for (name, actor) in visitors() {
            let member = matches!(actor, Actor::Member(_));
            assert_eq!(can(&actor, ReadFramework, org), member, "{name}");
            // Publishing changes nothing but reading the framework.
            for action in Action::ALL.into_iter().filter(|a| *a != ReadFramework) {
                assert_eq!(
                    can(&actor, action, org),
                    can(&actor, action, OrgAccess { published: true }),
                    "{name} {action:?}"
                );
            }
        }
    }
}

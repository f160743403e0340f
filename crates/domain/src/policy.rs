//! The one function that decides who may do what. Deny by default.
//!
//! Accounts and memberships arrive with the accounts issue; until then the
//! only actor is an anonymous visitor, who may read a published framework.

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read abilities, milestones, roles, positions and requirements.
    ReadFramework,
}

/// The facts about an organization that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgAccess {
    pub published: bool,
}

/// A refusal. Callers answer it as "not found", so nobody learns that an
/// organization they may not see exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not permitted")]
pub struct PolicyDenied;

pub fn can(actor: &Actor, action: Action, org: OrgAccess) -> bool {
    match (actor, action) {
        (Actor::Anonymous, Action::ReadFramework) => org.published,
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

    #[test]
    fn anonymous_reads_only_published_frameworks() {
        let cases = [
            (Actor::Anonymous, Action::ReadFramework, true, true),
            (Actor::Anonymous, Action::ReadFramework, false, false),
        ];
        for (actor, action, published, allowed) in cases {
            let org = OrgAccess { published };
            assert_eq!(
                can(&actor, action, org),
                allowed,
                "{actor:?} {action:?} published={published}"
            );
            assert_eq!(require(&actor, action, org).is_ok(), allowed);
        }
    }
}

//! Members of an organization: what they may do, whom they report to,
//! and whether they are still here.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

/// What a member may do beyond reading and taking part. Every active
/// member is a plain member; these add rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// Everything, including granting and removing admins and owners.
    Owner,
    /// Members, invitations and settings.
    Admin,
    /// Abilities, roles and positions.
    FrameworkEditor,
    /// All awards, positions of people.
    PeopleLead,
}

impl Capability {
    pub const ALL: [Capability; 4] = [
        Capability::Owner,
        Capability::Admin,
        Capability::FrameworkEditor,
        Capability::PeopleLead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Owner => "owner",
            Capability::Admin => "admin",
            Capability::FrameworkEditor => "framework_editor",
            Capability::PeopleLead => "people_lead",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Capability::Owner => "Owner",
            Capability::Admin => "Admin",
            Capability::FrameworkEditor => "Framework editor",
            Capability::PeopleLead => "People lead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.as_str().replace('_', "-") == s)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of capabilities. An owner holds every right of the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Capabilities(u8);

impl Capabilities {
    pub const NONE: Capabilities = Capabilities(0);

    fn bit(c: Capability) -> u8 {
        1 << (c as u8)
    }

    pub fn with(mut self, c: Capability) -> Self {
        self.0 |= Self::bit(c);
        self
    }

    pub fn of(list: &[Capability]) -> Self {
        list.iter().fold(Self::NONE, |acc, c| acc.with(*c))
    }

    /// Held directly, or through ownership.
    pub fn has(self, c: Capability) -> bool {
        self.0 & (Self::bit(c) | Self::bit(Capability::Owner)) != 0
    }

    /// Held directly (what the members list shows).
    pub fn holds(self, c: Capability) -> bool {
        self.0 & Self::bit(c) != 0
    }

    pub fn list(self) -> Vec<Capability> {
        Capability::ALL
            .into_iter()
            .filter(|c| self.holds(*c))
            .collect()
    }

    /// Stored form: "admin,framework_editor".
    pub fn to_text(self) -> String {
        self.list()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form; unknown words are an error.
    pub fn from_text(s: &str) -> Option<Self> {
        s.split(',')
            .filter(|w| !w.is_empty())
            .try_fold(Self::NONE, |acc, w| {
                Capability::parse(w).map(|c| acc.with(c))
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    Active,
    /// Left the organization: no access at all, but what they wrote stays.
    Departed,
}

/// Where a member stands: what they may do and whether they are here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub capabilities: Capabilities,
    pub status: MemberStatus,
}

impl Standing {
    pub fn is_active_owner(self) -> bool {
        self.status == MemberStatus::Active && self.capabilities.holds(Capability::Owner)
    }

    /// Holds a capability only owners may grant or take away.
    fn is_owner_or_admin(self) -> bool {
        self.capabilities.holds(Capability::Owner) || self.capabilities.holds(Capability::Admin)
    }
}

/// What someone managing members asks for one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberRequest {
    pub capabilities: Capabilities,
    pub departed: bool,
}

/// Why a change to a member was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MemberChangeRefused {
    /// The one asking is not (or no longer) an active admin or owner.
    #[error("only admins and owners manage members")]
    NotAdmin,
    /// Marking an owner or admin departed, or bringing one back, is for owners.
    #[error("only owners change whether an owner or admin is here")]
    OwnersOnly,
    /// The change would leave the organization without an active owner.
    #[error("the organization would have no active owner")]
    LastOwner,
}

/// Decides a change to a member, given everyone's standing as the write
/// transaction reads it. The owner and admin capabilities are granted and
/// removed by owners only: from anyone else those bits of the request are
/// ignored (the form shows them disabled) and the member keeps theirs.
/// Returns the member's new standing.
pub fn decide_member_change(
    actor: Option<Standing>,
    before: Standing,
    request: MemberRequest,
    other_active_owners: usize,
) -> Result<Standing, MemberChangeRefused> {
    let actor = actor
        .filter(|a| a.status == MemberStatus::Active && a.capabilities.has(Capability::Admin))
        .ok_or(MemberChangeRefused::NotAdmin)?;
    let by_owner = actor.capabilities.holds(Capability::Owner);
    let capabilities = Capability::ALL
        .into_iter()
        .fold(Capabilities::NONE, |acc, c| {
            let owners_only = matches!(c, Capability::Owner | Capability::Admin);
            let keep = if owners_only && !by_owner {
                before.capabilities.holds(c)
            } else {
                request.capabilities.holds(c)
            };
            if keep { acc.with(c) } else { acc }
        });
    let status = if request.departed {
        MemberStatus::Departed
    } else {
        MemberStatus::Active
    };
    let after = Standing {
        capabilities,
        status,
    };
    if status != before.status && before.is_owner_or_admin() && !by_owner {
        return Err(MemberChangeRefused::OwnersOnly);
    }
    if before.is_active_owner() && !after.is_active_owner() && other_active_owners == 0 {
        return Err(MemberChangeRefused::LastOwner);
    }
    Ok(after)
}

/// Would making `manager` the manager of `member` close a reports-to loop?
/// `managers` maps each member to their current manager.
pub fn creates_cycle<K: Eq + Hash + Clone>(
    managers: &HashMap<K, K>,
    member: &K,
    manager: &K,
) -> bool {
    let mut current = Some(manager.clone());
    let mut steps = 0;
    while let Some(m) = current {
        if &m == member {
            return true;
        }
        steps += 1;
        if steps > managers.len() + 1 {
            // Stored data already loops; refuse rather than spin.
            return true;
        }
        current = managers.get(&m).cloned();
    }
    false
}

/// Everyone above `member` in the reports-to chain, nearest first.
pub fn managers_of<K: Eq + Hash + Clone>(managers: &HashMap<K, K>, member: &K) -> Vec<K> {
    let mut out: Vec<K> = Vec::new();
    let mut current = managers.get(member).cloned();
    while let Some(m) = current {
        if &m == member || out.contains(&m) {
            break;
        }
        current = managers.get(&m).cloned();
        out.push(m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_round_trip_and_owner_implies_all() {
        let caps = Capabilities::of(&[Capability::Admin, Capability::PeopleLead]);
        assert_eq!(caps.to_text(), "admin,people_lead");
        assert_eq!(Capabilities::from_text("admin,people_lead"), Some(caps));
        assert_eq!(Capabilities::from_text(""), Some(Capabilities::NONE));
        assert_eq!(Capabilities::from_text("admin,wizard"), None);
        let owner = Capabilities::of(&[Capability::Owner]);
        for c in Capability::ALL {
            assert!(owner.has(c), "owner has {c}");
        }
        assert!(!owner.holds(Capability::Admin));
        assert!(caps.has(Capability::Admin) && !caps.has(Capability::FrameworkEditor));
        assert_eq!(
            Capability::parse("framework-editor"),
            Some(Capability::FrameworkEditor)
        );
    }

    #[test]
    fn reports_to_cycles_are_detected() {
        // ana ← ben ← cy (cy reports to ben, ben to ana); dee reports to nobody.
        let managers: HashMap<&str, &str> = [("ben", "ana"), ("cy", "ben")].into_iter().collect();
        let cases = [
            ("dee reports to cy", "dee", "cy", false),
            ("ana reports to cy: loop", "ana", "cy", true),
            ("ana reports to ben: loop", "ana", "ben", true),
            ("cy reports to ana: fine", "cy", "ana", false),
            ("self", "dee", "dee", true),
        ];
        for (name, member, manager, expected) in cases {
            assert_eq!(
                creates_cycle(&managers, &member, &manager),
                expected,
                "{name}"
            );
        }
        assert_eq!(managers_of(&managers, &"cy"), vec!["ben", "ana"]);
        assert!(managers_of(&managers, &"ana").is_empty());
    }
    #[test]
    #[rustfmt::skip]
    fn member_changes_keep_an_owner_and_leave_owners_to_owners() {
        use MemberChangeRefused::*;
        let st = |caps: &[Capability], departed: bool| Standing {
            capabilities: Capabilities::of(caps),
            status: if departed { MemberStatus::Departed } else { MemberStatus::Active },
        };
        let ask = |caps: &[Capability], departed: bool| MemberRequest { capabilities: Capabilities::of(caps), departed };
        let (o, a, e, p) = (Capability::Owner, Capability::Admin, Capability::FrameworkEditor, Capability::PeopleLead);
        let cases: &[(&str, Option<Standing>, Standing, MemberRequest, usize, Result<Standing, MemberChangeRefused>)] = &[
            ("owner makes a member an editor",              Some(st(&[o], false)), st(&[], false),  ask(&[e], false),  1, Ok(st(&[e], false))),
            ("admin makes a member a people lead",          Some(st(&[a], false)), st(&[], false),  ask(&[p], false),  1, Ok(st(&[p], false))),
            ("admin's request for admin is ignored",        Some(st(&[a], false)), st(&[], false),  ask(&[a, e], false), 1, Ok(st(&[e], false))),
            ("admin cannot take owner away (kept)",         Some(st(&[a], false)), st(&[o], false), ask(&[], false),   0, Ok(st(&[o], false))),
            ("admin cannot mark an owner departed",         Some(st(&[a], false)), st(&[o], false), ask(&[o], true),   1, Err(OwnersOnly)),
            ("admin cannot mark an admin departed",         Some(st(&[a], false)), st(&[a], false), ask(&[a], true),   1, Err(OwnersOnly)),
            ("admin cannot bring a departed admin back",    Some(st(&[a], false)), st(&[a], true),  ask(&[a], false),  1, Err(OwnersOnly)),
            ("admin marks a plain member departed",         Some(st(&[a], false)), st(&[e], false), ask(&[e], true),   1, Ok(st(&[e], true))),
            ("owner marks an admin departed",               Some(st(&[o], false)), st(&[a], false), ask(&[a], true),   1, Ok(st(&[a], true))),
            ("owner departs another owner; one remains",    Some(st(&[o], false)), st(&[o], false), ask(&[o], true),   1, Ok(st(&[o], true))),
            ("the only owner cannot depart",                Some(st(&[o], false)), st(&[o], false), ask(&[o], true),   0, Err(LastOwner)),
            ("the only owner cannot lose owner",            Some(st(&[o], false)), st(&[o], false), ask(&[a], false),  0, Err(LastOwner)),
            ("a departed owner may lose owner",             Some(st(&[o], false)), st(&[o], true),  ask(&[], true),    0, Ok(st(&[], true))),
            ("a departed actor decides nothing",            Some(st(&[o], true)),  st(&[], false),  ask(&[e], false),  1, Err(NotAdmin)),
            ("an editor manages no one",                    Some(st(&[e], false)), st(&[], false),  ask(&[e], false),  1, Err(NotAdmin)),
            ("a non-member manages no one",                 None,                  st(&[], false),  ask(&[e], false),  1, Err(NotAdmin)),
        ];
        for (name, actor, before, request, others, expected) in cases {
            assert_eq!(decide_member_change(*actor, *before, *request, *others), *expected, "{name}");
        }
    }
}

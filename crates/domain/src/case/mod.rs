//! CASE 1.1 (1EdTech's Competencies and Academic Standards Exchange): a
//! framework as a CFPackage ([`package`]) and a CFPackage read back into a
//! framework, with a report that accounts for every item ([`read`]).
//!
//! The mapping (also in the README, "Open standards"):
//!
//! - the organization's framework is the CFDocument (`title` and `creator`
//!   its name, `version` the published version);
//! - each ability is a CFItem of type "Ability": `humanCodingScheme` its
//!   slug, `abbreviatedStatement` its name, `fullStatement` its description
//!   (its name when it has none); a category is a CFItem of type "Category"
//!   that its abilities are `isChildOf`;
//! - each ability's five milestones are a CFRubric with one criterion (its
//!   `CFItemURI` the ability) and five CFRubricCriterionLevels: `quality`
//!   the summary, `description` the examples (a `- ` line each), `score`
//!   the miles of the organization's scale, `position` the milestone;
//! - roles and positions are CFItems of types "Role" and "Position",
//!   `isChildOf` the document; each requirement is an `isRelatedTo`
//!   association from the role or position to the ability, its level in
//!   `extensions.cairn.requires` and in words in `notes`; a position's roles
//!   are `isRelatedTo` associations to the role (`extensions.cairn.role`
//!   "required" or "suggested");
//! - what CASE has no field for (slugs of the organization, plurals,
//!   position levels and miles rules, the miles scale, licence id and
//!   attribution) is under `extensions.cairn`, so cairn's own packages read
//!   back exactly.
//!
//! Identifiers are UUIDs derived from the organization's id and what the
//! object is ("ability/mentoring"), so they stay the same across exports
//! and versions; the first eight bytes are the organization's own id's,
//! which is how `/ims/case/v1p1/CFItems/{id}` finds the organization
//! without a lookup table ([`org_prefix`]).

use sha2::{Digest, Sha256};

mod read;
mod write;

pub use read::{Imported, Outcome, ReportLine, read};
pub use write::{Context, package};

/// The CFItemType of each kind of item cairn writes.
pub const ABILITY: &str = "Ability";
pub const CATEGORY: &str = "Category";
pub const ROLE: &str = "Role";
pub const POSITION: &str = "Position";

/// Whether a file looks like a CFPackage (a JSON object with a
/// CFDocument) rather than a framework file: how an upload is told apart.
pub fn is_package(text: &str) -> bool {
    text.trim_start().starts_with('{') && text.contains("\"CFDocument\"")
}

/// The REST binding's base path.
pub const API: &str = "/ims/case/v1p1";

/// A UUID's bytes, hyphenated ("0193…-…") or simple (32 hex digits, as
/// the store writes its ids).
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let hex: String = match s.len() {
        32 => s.to_owned(),
        36 => {
            let groups: Vec<&str> = s.split('-').collect();
            if groups.iter().map(|g| g.len()).collect::<Vec<_>>() != [8, 4, 4, 4, 12] {
                return None;
            }
            groups.concat()
        }
        _ => return None,
    };
    let mut out = [0u8; 16];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn format_uuid(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The first eight bytes every identifier of the organization shares: its
/// own id's when that is a UUID (as every id the store makes is).
fn prefix(org_id: &str) -> [u8; 8] {
    let mut out = [0u8; 8];
    match parse_uuid(org_id) {
        Some(b) => out.copy_from_slice(&b[..8]),
        None => {
            out.copy_from_slice(&Sha256::digest(org_id.as_bytes())[..8]);
            out[6] = (out[6] & 0x0f) | 0x80;
        }
    }
    out
}

/// The identifier of `key` ("ability/mentoring") in the organization: the
/// organization's prefix, then a hash of the key with the RFC 4122
/// variant, as the CASE schema's pattern asks.
pub fn identifier(org_id: &str, key: &str) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&prefix(org_id));
    let mut h = Sha256::new();
    h.update(org_id.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    b[8..].copy_from_slice(&h.finalize()[..8]);
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

/// The CFDocument that is the organization's framework (its latest
/// published version): the organization's id itself.
pub fn document_identifier(org_id: &str) -> String {
    match parse_uuid(&org_id.to_ascii_lowercase()) {
        Some(b) if b[8] & 0xc0 == 0x80 => format_uuid(&b),
        _ => identifier(org_id, "document"),
    }
}

/// The CFDocument of one published version, which never changes.
pub fn version_identifier(org_id: &str, version: i64) -> String {
    identifier(org_id, &format!("version/{version}"))
}

/// The part of an identifier that names its organization: the first
/// sixteen hexadecimal digits of its organization's id, as the store
/// writes ids; `None` when `id` is not a UUID.
pub fn org_prefix(id: &str) -> Option<String> {
    let b = parse_uuid(&id.to_ascii_lowercase())?;
    Some(b[..8].iter().map(|x| format!("{x:02x}")).collect())
}

#[cfg(test)]
mod tests;

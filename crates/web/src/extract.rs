//! Path segments parsed into domain types at the edge. A segment that
//! cannot be what its place asks for names nothing that exists: it is a
//! 404, like any unknown item (under `/api/` the 404 is problem details,
//! as every API error is).

use std::fmt;
use std::ops::Deref;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use cairn_domain::{ItemKind, OrgSlug, Slug};
use cairn_store::people::PersonId;

use crate::error::PageError;

/// An opaque record id from a path (an observation, a conversation, an
/// award, an invitation, a session, a token): 1 to 64 letters, digits,
/// `-` or `_`. Anything else is not an id of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordId(String);

impl RecordId {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| RecordId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for RecordId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn org(s: &str) -> Option<OrgSlug> {
    OrgSlug::parse(s).ok()
}

fn slug(s: &str) -> Option<Slug> {
    Slug::parse(s).ok()
}

fn person(s: &str) -> Option<PersonId> {
    RecordId::parse(s).map(|id| PersonId::from_form(id.as_str()))
}

/// The route's parameters, in order; exactly `N` of them.
async fn segments<const N: usize, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<[String; N], PageError> {
    let Path(values): Path<Vec<String>> = Path::from_request_parts(parts, state)
        .await
        .map_err(|_| PageError::NotFound)?;
    values.try_into().map_err(|_| PageError::NotFound)
}

macro_rules! path_extractor {
    ($(#[$doc:meta])* $name:ident($($field:ident: $ty:ty = $parse:expr),+) [$n:literal]) => {
        $(#[$doc])*
        pub struct $name($(pub $ty),+);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = PageError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
                let [$($field),+] = segments::<$n, S>(parts, state).await?;
                Ok($name($($parse(&$field).ok_or(PageError::NotFound)?),+))
            }
        }
    };
}

path_extractor!(
    /// `/{org}`.
    OrgPath(o: OrgSlug = org) [1]
);
path_extractor!(
    /// `/{org}/<area>/{slug}`.
    ItemPath(o: OrgSlug = org, s: Slug = slug) [2]
);
path_extractor!(
    /// `/{org}/people/{person}…`.
    MemberPath(o: OrgSlug = org, p: PersonId = person) [2]
);
path_extractor!(
    /// `/{org}/<records>/{id}…`: an observation, conversation, award or
    /// invitation of the organization.
    RecordPath(o: OrgSlug = org, id: RecordId = RecordId::parse) [2]
);
path_extractor!(
    /// `/{org}/people/{person}/positions/{position}`.
    MemberPositionPath(o: OrgSlug = org, p: PersonId = person, s: Slug = slug) [3]
);
path_extractor!(
    /// `/settings/…/{id}`, `/invite/{token}`: one id, no organization.
    IdPath(id: RecordId = RecordId::parse) [1]
);

/// `/{org}/{area}/{slug}/…`: one route serving abilities, roles and
/// positions alike (history, archive, restore, conversations). An area
/// that is not one of the three is a 404.
pub struct KindPath {
    pub org: OrgSlug,
    pub kind: ItemKind,
    pub slug: Slug,
}

impl<S: Send + Sync> FromRequestParts<S> for KindPath {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        let [o, area, s] = segments::<3, S>(parts, state).await?;
        Ok(KindPath {
            org: org(&o).ok_or(PageError::NotFound)?,
            kind: ItemKind::from_area(&area).ok_or(PageError::NotFound)?,
            slug: slug(&s).ok_or(PageError::NotFound)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn record_ids_are_short_plain_tokens() {
        for (id, ok) in [
            ("0197a4c2e5b87c3f9d1e2a3b4c5d6e7f", true),
            ("p000042", true),
            ("a-b_c", true),
            ("", false),
            ("../etc", false),
            ("x y", false),
            ("ä", false),
            (&"a".repeat(65), false),
        ] {
            assert_eq!(RecordId::parse(id).is_some(), ok, "{id:?}");
        }
    }
}

/// `?older=…`: where a keyset-paged list goes on. Absent is the first
/// page; a value that is not a cursor of ours is refused (400), not read
/// as the first page.
#[derive(Debug, Clone, Default)]
pub struct Older(pub Option<cairn_store::paging::Cursor>);

/// A paging parameter: None when absent or empty, else `parse`d, and a
/// value that does not parse is a 400 naming the link.
fn page_param<T>(
    parts: &Parts,
    name: &str,
    parse: impl FnOnce(&str) -> Option<T>,
    refusal: &'static str,
) -> Result<Option<T>, PageError> {
    let value = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v);
    match value {
        None | Some("") => Ok(None),
        Some(v) => parse(v).map(Some).ok_or(PageError::BadRequest(refusal)),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Older {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        page_param(
            parts,
            "older",
            cairn_store::paging::Cursor::parse,
            "This \"older\" link is not one cairn made. Go back to the first page.",
        )
        .map(Older)
    }
}

/// `?after=…`: where a list of people ordered by name goes on (the last
/// person a page showed). Absent is the first page; a value that is not a
/// person id is refused (400).
#[derive(Debug, Clone, Default)]
pub struct After(pub Option<PersonId>);

impl<S: Send + Sync> FromRequestParts<S> for After {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        page_param(
            parts,
            "after",
            |v| RecordId::parse(v).map(|id| PersonId::from_form(id.as_str())),
            "This \"more\" link is not one cairn made. Go back to the first page.",
        )
        .map(After)
    }
}

/// `?before=N`: a page of versions older than version N.
pub struct BeforeVersion(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for BeforeVersion {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        page_param(
            parts,
            "before",
            |v| v.parse::<i64>().ok().filter(|n| *n >= 1),
            "This \"older versions\" link is not one cairn made. Go back to the first page.",
        )
        .map(BeforeVersion)
    }
}

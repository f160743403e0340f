//! The framework an organization writes down: abilities with five
//! milestones, roles and positions that require them, and the miles scale.
//!
//! Every type here is parsed at the edge: once a value exists it is valid,
//! so the rest of the code never re-checks a slug, a level or a scale.

use std::fmt;

use thiserror::Error;

/// Why a value could not be parsed into a domain type. The message is
/// written for the person who typed the value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error(
        "a slug uses only lowercase letters, digits and hyphens, and starts and ends with a letter or digit (got {0:?})"
    )]
    SlugCharacters(String),
    #[error("a slug is {min} to {max} characters long (got {len})")]
    SlugLength { min: usize, max: usize, len: usize },
    #[error("{0:?} is a reserved word and cannot be an organization slug")]
    ReservedSlug(String),
    #[error("{what} must not be empty")]
    Empty { what: &'static str },
    #[error("{what} is at most {max} characters long (got {len})")]
    TooLong {
        what: &'static str,
        max: usize,
        len: usize,
    },
    #[error("{what} is a single line")]
    Multiline { what: &'static str },
    #[error("{what} must not contain control, text-direction or zero-width characters")]
    Invisible { what: &'static str },
    #[error("{what} must not contain control characters (such as NUL); only line breaks and tabs")]
    Control { what: &'static str },
    #[error("a milestone is a whole number from 1 to 5 (got {0})")]
    Level(i64),
    #[error("the miles scale has exactly five values (got {0})")]
    MilesCount(usize),
    #[error("miles are positive whole numbers (got {0})")]
    MilesPositive(i64),
    #[error("miles increase strictly from milestone 1 to 5 ({0} is followed by {1})")]
    MilesIncreasing(u32, u32),
}

/// Organization slugs that would collide with the site's own paths.
pub const RESERVED_ORG_SLUGS: &[&str] = &[
    "api", "assets", "static", "login", "logout", "signup", "invite", "explore", "settings",
    "admin", "healthz", "new", "about",
];

fn check_slug(s: &str, min: usize, max: usize) -> Result<(), ParseError> {
    let len = s.chars().count();
    if len < min || len > max {
        return Err(ParseError::SlugLength { min, max, len });
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c != '-');
    if !s.chars().all(allowed) || !edge_ok(s.chars().next()) || !edge_ok(s.chars().last()) {
        return Err(ParseError::SlugCharacters(s.to_owned()));
    }
    Ok(())
}

/// The URL name of an ability, role or position: `[a-z0-9-]`, 1..=64.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX: usize = 64;

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        check_slug(s, 1, Self::MAX)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The URL name of an organization: `[a-z0-9-]`, 2..=40, not reserved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        check_slug(s, 2, 40)?;
        if RESERVED_ORG_SLUGS.contains(&s) {
            return Err(ParseError::ReservedSlug(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(Slug, OrgSlug, Name);

/// A human name or title: trimmed, non-empty, at most 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);

impl Name {
    pub const MAX: usize = 200;

    /// `what` names the field in the error ("an ability name").
    pub fn parse(s: &str, what: &'static str) -> Result<Self, ParseError> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(ParseError::Empty { what });
        }
        let len = trimmed.chars().count();
        if len > Self::MAX {
            return Err(ParseError::TooLong {
                what,
                max: Self::MAX,
                len,
            });
        }
        // A name shows in lists, links and page titles: a newline or a
        // right-to-left override there could make one name pose as another.
        if trimmed.chars().any(is_invisible) {
            return Err(ParseError::Invisible { what });
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Control characters, the formatting characters that change text
/// direction (bidi embeddings, overrides, isolates and marks), and the
/// zero-width ones (space, joiners, word joiner, byte-order mark), with
/// which two names that look the same could be different.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Text people write at length (descriptions, stories, notes) keeps line
/// breaks and tabs but no other control character: PostgreSQL cannot
/// store NUL at all, and SQLite would, so the two backends would disagree.
pub fn check_text(s: &str, what: &'static str) -> Result<(), ParseError> {
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ParseError::Control { what });
    }
    Ok(())
}

/// The three kinds of framework item. `as_str` is how the store, the
/// history and conversations name a kind; `area` is its URL segment (and
/// table): `/{org}/abilities/{slug}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Ability,
    Role,
    Position,
}

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [ItemKind::Ability, ItemKind::Role, ItemKind::Position];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Ability => "ability",
            ItemKind::Role => "role",
            ItemKind::Position => "position",
        }
    }

    pub fn area(self) -> &'static str {
        match self {
            ItemKind::Ability => "abilities",
            ItemKind::Role => "roles",
            ItemKind::Position => "positions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn from_area(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.area() == s)
    }
}

/// A milestone level, 1..=5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(u8);

impl Level {
    pub const ALL: [Level; 5] = [Level(1), Level(2), Level(3), Level(4), Level(5)];

    pub fn parse(n: i64) -> Result<Self, ParseError> {
        match n {
            1..=5 => Ok(Self(n as u8)),
            _ => Err(ParseError::Level(n)),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Position of this level in five-element arrays.
    pub fn index(self) -> usize {
        usize::from(self.0) - 1
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What each milestone is worth: five strictly increasing positive values.
/// The value of milestone k is what holding k (and so 1..k) adds in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilesScale([u32; 5]);

impl Default for MilesScale {
    fn default() -> Self {
        Self([1, 3, 6, 12, 20])
    }
}

impl MilesScale {
    pub fn parse(values: &[i64]) -> Result<Self, ParseError> {
        if values.len() != 5 {
            return Err(ParseError::MilesCount(values.len()));
        }
        let mut out = [0u32; 5];
        for (slot, &v) in out.iter_mut().zip(values) {
            *slot = u32::try_from(v)
                .ok()
                .filter(|&v| v > 0)
                .ok_or(ParseError::MilesPositive(v))?;
        }
        if let Some(w) = out.windows(2).find(|w| w[0] >= w[1]) {
            return Err(ParseError::MilesIncreasing(w[0], w[1]));
        }
        Ok(Self(out))
    }

    pub fn miles(&self, level: Level) -> u32 {
        self.0[level.index()]
    }

    pub fn values(&self) -> [u32; 5] {
        self.0
    }
}

/// Markdown text as the author wrote it; rendered (and sanitised) by the web
/// layer, never trusted as HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markdown(String);

impl Markdown {
    /// Line endings are normalised to `\n` (browsers send `\r\n`) and
    /// trailing white space dropped, so the same text typed in a form or
    /// written in a file is the same value.
    pub fn new(s: impl Into<String>) -> Self {
        let s: String = s.into();
        let s = if s.contains('\r') {
            s.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            s
        };
        Self(s.trim_end().to_owned())
    }

    /// [`Markdown::new`] for text from outside: refuses what
    /// [`check_text`] refuses.
    pub fn parse(s: impl Into<String>, what: &'static str) -> Result<Self, ParseError> {
        let m = Self::new(s);
        check_text(&m.0, what)?;
        Ok(m)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub slug: OrgSlug,
    pub name: Name,
    pub miles: MilesScale,
    /// What others may do with the published framework.
    pub licence: crate::licence::Licence,
    /// A fork's credit to where it came from, as its licence requires
    /// ('' when none): shown on its pages, kept in its files.
    pub attribution: String,
}

/// One milestone of an ability: a summary and examples ("not a checklist").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Milestone {
    pub summary: Markdown,
    /// Short lines, each rendered as inline markdown.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ability {
    pub slug: Slug,
    pub name: Name,
    pub category: Option<Name>,
    pub description: Markdown,
    /// Exactly five, milestone 1 first: the array length is the rule.
    pub milestones: [Milestone; 5],
}

impl Ability {
    pub fn milestone(&self, level: Level) -> &Milestone {
        &self.milestones[level.index()]
    }
}

/// (ability, minimum milestone): "must be milestone N+".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub ability: Slug,
    pub level: Level,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub slug: Slug,
    pub name: Name,
    /// "Ops Engineers" in "Ops Engineers must be milestone 1+".
    pub plural: Name,
    pub description: Markdown,
    /// At most one per ability, in the order written.
    pub requires: Vec<Requirement>,
}

impl Role {
    /// The plural used when none is given: the name plus "s".
    pub fn default_plural(name: &Name) -> Name {
        Name(format!("{}s", name.as_str()))
    }
}

/// How many miles a position asks for beyond its required milestones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MilesRule {
    /// Exactly the miles of the required milestones.
    #[default]
    Required,
    /// The required miles plus this percentage, rounded up.
    OverRequiredPercent(u32),
    /// A fixed number of miles.
    AtLeast(u32),
    /// A band of miles, as Snowflake's titles have: at least `at_least`
    /// and fewer than `below`. Eligibility asks for the floor (more miles
    /// never make someone less able); the band says which title a total
    /// of miles falls in, so a framework of miles only works.
    Band { at_least: u32, below: u32 },
}

impl MilesRule {
    /// The band `[at_least, below)`, for a band rule.
    pub fn band(self) -> Option<(u32, u32)> {
        match self {
            MilesRule::Band { at_least, below } => Some((at_least, below)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub slug: Slug,
    pub title: Name,
    /// "Senior Pilots" in "Senior Pilots must be milestone 3+".
    pub plural: Name,
    /// Free-form level such as "3.1"; several positions may share one.
    pub level: Name,
    pub description: Markdown,
    pub required_roles: Vec<Slug>,
    pub suggested_roles: Vec<Slug>,
    pub requires: Vec<Requirement>,
    pub miles: MilesRule,
}

/// One organization's whole framework, with every cross-reference checked:
/// requirements name existing abilities, positions name existing roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    pub organization: Organization,
    pub abilities: Vec<Ability>,
    pub roles: Vec<Role>,
    pub positions: Vec<Position>,
}

impl Framework {
    pub fn ability(&self, slug: &Slug) -> Option<&Ability> {
        self.abilities.iter().find(|a| &a.slug == slug)
    }

    pub fn role(&self, slug: &Slug) -> Option<&Role> {
        self.roles.iter().find(|r| &r.slug == slug)
    }

    pub fn position(&self, slug: &Slug) -> Option<&Position> {
        self.positions.iter().find(|p| &p.slug == slug)
    }

    /// Requirements and roles that name nothing in this framework, as
    /// sentences for the person who caused them.
    pub fn reference_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let ability = |slug: &Slug| self.ability(slug).is_some();
        for role in &self.roles {
            for r in role.requires.iter().filter(|r| !ability(&r.ability)) {
                out.push(format!(
                    "The role {} requires {}, which is not an active ability.",
                    role.name, r.ability
                ));
            }
        }
        for p in &self.positions {
            for r in p.requires.iter().filter(|r| !ability(&r.ability)) {
                out.push(format!(
                    "The position {} requires {}, which is not an active ability.",
                    p.title, r.ability
                ));
            }
            for role in p
                .required_roles
                .iter()
                .chain(&p.suggested_roles)
                .filter(|r| self.role(r).is_none())
            {
                out.push(format!(
                    "The position {} lists the role {role}, which is not an active role.",
                    p.title
                ));
            }
        }
        out
    }

    /// Who requires an ability directly: ("role"|"position", name).
    pub fn requirers_of(&self, ability: &Slug) -> Vec<String> {
        let roles = self
            .roles
            .iter()
            .filter(|r| r.requires.iter().any(|q| &q.ability == ability))
            .map(|r| format!("the role {}", r.name));
        let positions = self
            .positions
            .iter()
            .filter(|p| p.requires.iter().any(|q| &q.ability == ability))
            .map(|p| format!("the position {}", p.title));
        roles.chain(positions).collect()
    }

    /// Archives one item, or says why it cannot be: an ability still
    /// required by a role or position, and a role a position lists, stay
    /// (the sentence names them). `Ok(false)`: no such live item.
    pub fn archive(&mut self, kind: ItemKind, slug: &Slug) -> Result<bool, String> {
        match kind {
            ItemKind::Ability => {
                let Some(ability) = self.ability(slug) else {
                    return Ok(false);
                };
                let requirers = self.requirers_of(slug);
                if !requirers.is_empty() {
                    return Err(format!(
                        "{} cannot be archived while {} require it. Remove those requirements first.",
                        ability.name,
                        requirers.join(", ")
                    ));
                }
                self.abilities.retain(|a| &a.slug != slug);
            }
            ItemKind::Role => {
                let Some(role) = self.role(slug) else {
                    return Ok(false);
                };
                let users: Vec<String> = self
                    .positions
                    .iter()
                    .filter(|p| p.required_roles.contains(slug) || p.suggested_roles.contains(slug))
                    .map(|p| format!("the position {}", p.title))
                    .collect();
                if !users.is_empty() {
                    return Err(format!(
                        "{} cannot be archived while {} list it. Remove it from those positions first.",
                        role.name,
                        users.join(", ")
                    ));
                }
                self.roles.retain(|r| &r.slug != slug);
            }
            ItemKind::Position => {
                if self.position(slug).is_none() {
                    return Ok(false);
                }
                self.positions.retain(|p| &p.slug != slug);
            }
        }
        Ok(true)
    }

    /// Abilities grouped by category, in first-appearance order; abilities
    /// without a category come last under `None`.
    pub fn abilities_by_category(&self) -> Vec<(Option<&Name>, Vec<&Ability>)> {
        let mut groups: Vec<(Option<&Name>, Vec<&Ability>)> = Vec::new();
        for ability in &self.abilities {
            let key = ability.category.as_ref();
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(ability),
                None => groups.push((key, vec![ability])),
            }
        }
        groups.sort_by_key(|(k, _)| k.is_none());
        groups
    }
}

#[cfg(test)]
mod tests;

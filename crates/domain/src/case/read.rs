//! A CASE 1.1 CFPackage read into a framework, with a report line for
//! every CFItem (what it became, or why it was skipped).
//!
//! The package is translated into a framework file (`format: cairn/1`),
//! one entity per line, and checked by the framework file's own reader,
//! so the rules are the file's; a problem is reported at the line of the
//! CFItem it came from.
//!
//! cairn's own packages (their CFDocument has `extensions.cairn`) read
//! back exactly. Other packages are read leniently: a CFItem that has
//! children (`isChildOf` it) is a category for the abilities directly
//! under it; every other item with a statement is an ability, its
//! milestones from a rubric criterion with five levels that names it, or
//! empty for editors to fill; associations other than the hierarchy are
//! counted in the report and not carried.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Deserialize;
use serde_json::{Value, json};
use serde_saphyr::Spanned;

use super::{CATEGORY, POSITION, ROLE};
use crate::file::{self, FileProblem};
use crate::framework::{Framework, Name, OrgSlug, Slug, check_text, is_invisible};
use crate::gruuv_csv::slugify;

type S<T> = Spanned<T>;

#[derive(Deserialize)]
struct RawPackage {
    #[serde(rename = "CFDocument")]
    document: S<RawDocument>,
    #[serde(rename = "CFItems", default)]
    items: Vec<S<RawItem>>,
    #[serde(rename = "CFAssociations", default)]
    associations: Vec<RawAssociation>,
    #[serde(rename = "CFRubrics", default)]
    rubrics: Vec<RawRubric>,
}

#[derive(Deserialize)]
struct RawDocument {
    #[serde(default)]
    title: String,
    extensions: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawItem {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    full_statement: String,
    abbreviated_statement: Option<String>,
    human_coding_scheme: Option<String>,
    #[serde(rename = "CFItemType")]
    item_type: Option<String>,
    extensions: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAssociation {
    #[serde(default)]
    association_type: String,
    sequence_number: Option<i64>,
    #[serde(rename = "originNodeURI")]
    origin: RawLink,
    #[serde(rename = "destinationNodeURI")]
    destination: RawLink,
    extensions: Option<Value>,
}

#[derive(Deserialize)]
struct RawLink {
    #[serde(default)]
    identifier: String,
}

#[derive(Deserialize)]
struct RawRubric {
    #[serde(rename = "CFRubricCriteria", default)]
    criteria: Vec<RawCriterion>,
}

#[derive(Deserialize)]
struct RawCriterion {
    #[serde(rename = "CFItemURI")]
    item: Option<RawLink>,
    #[serde(rename = "CFRubricCriterionLevels", default)]
    levels: Vec<RawLevel>,
}

#[derive(Deserialize)]
struct RawLevel {
    quality: Option<String>,
    description: Option<String>,
    position: Option<i64>,
    score: Option<f64>,
}

/// What one CFItem became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `milestones`: from a rubric with five levels (else empty, to fill).
    Ability {
        slug: String,
        milestones: bool,
    },
    Category {
        name: String,
    },
    Role {
        slug: String,
    },
    Position {
        slug: String,
    },
    Skipped {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub identifier: String,
    /// The CFItem's line in the file.
    pub line: u64,
    pub outcome: Outcome,
}

impl fmt::Display for ReportLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: CFItem {}: ", self.line, self.identifier)?;
        match &self.outcome {
            Outcome::Ability {
                slug,
                milestones: true,
            } => write!(f, "ability {slug}, milestones from its rubric"),
            Outcome::Ability { slug, .. } => write!(
                f,
                "ability {slug}, its statement the description; milestones empty, to fill"
            ),
            Outcome::Category { name } => write!(f, "category {name:?}"),
            Outcome::Role { slug } => write!(f, "role {slug}"),
            Outcome::Position { slug } => write!(f, "position {slug}"),
            Outcome::Skipped { reason } => write!(f, "skipped: {reason}"),
        }
    }
}

/// A package read: the framework, whether it is one of cairn's own (so
/// its organization's settings are the package's), and the report.
#[derive(Debug)]
pub struct Imported {
    pub framework: Framework,
    pub cairn: bool,
    pub report: Vec<ReportLine>,
    /// Associations not carried into the framework, by type, with counts.
    pub not_carried: Vec<(String, usize)>,
}

impl Imported {
    /// "16 CFItems: 8 abilities (0 with milestones, 8 to fill), …".
    pub fn summary(&self) -> String {
        let count =
            |f: &dyn Fn(&Outcome) -> bool| self.report.iter().filter(|l| f(&l.outcome)).count();
        let abilities = count(&|o| matches!(o, Outcome::Ability { .. }));
        let with = count(&|o| {
            matches!(
                o,
                Outcome::Ability {
                    milestones: true,
                    ..
                }
            )
        });
        let mut out = format!(
            "{} CFItems: {abilities} abilities ({with} with milestones from their rubric, {} with empty milestones to fill), {} categories, {} roles, {} positions, {} skipped",
            self.report.len(),
            abilities - with,
            count(&|o| matches!(o, Outcome::Category { .. })),
            count(&|o| matches!(o, Outcome::Role { .. })),
            count(&|o| matches!(o, Outcome::Position { .. })),
            count(&|o| matches!(o, Outcome::Skipped { .. })),
        );
        if !self.not_carried.is_empty() {
            let list: Vec<String> = self
                .not_carried
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            out.push_str(&format!("; associations not carried: {}", list.join(", ")));
        }
        out
    }
}

/// One line of text fit for a name: white space runs made one space,
/// invisible characters dropped, at most `max` characters (cut at a word,
/// with "…").
fn one_line(s: &str, max: usize) -> String {
    let words: Vec<String> = s
        .split_whitespace()
        .map(|w| w.chars().filter(|c| !is_invisible(*c)).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    let full = words.join(" ");
    if full.chars().count() <= max {
        return full;
    }
    let mut out = String::new();
    for w in &words {
        if out.chars().count() + w.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = full.chars().take(max - 1).collect();
    }
    out.push('…');
    out
}

/// Text without the control characters a description may not hold.
fn text(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    debug_assert!(check_text(&s, "text").is_ok());
    s
}

fn cairn_ext(ext: &Option<Value>) -> Option<&Value> {
    ext.as_ref()?.get("cairn").filter(|v| v.is_object())
}

fn label(item: &RawItem) -> String {
    match item.abbreviated_statement.as_deref().map(str::trim) {
        Some(a) if !a.is_empty() => one_line(a, Name::MAX),
        _ => {
            let short = one_line(&item.full_statement, 80);
            match item.human_coding_scheme.as_deref().map(str::trim) {
                Some(c) if !c.is_empty() => one_line(&format!("{c} {short}"), Name::MAX),
                _ => short,
            }
        }
    }
}

fn unique_slug(item: &RawItem, name: &str, used: &mut HashSet<String>) -> String {
    let code = item.human_coding_scheme.as_deref().unwrap_or("").trim();
    let base = Slug::parse(code)
        .ok()
        .or_else(|| slugify(code))
        .or_else(|| slugify(name))
        .map_or_else(|| "item".to_owned(), |s| s.as_str().to_owned());
    let mut slug = base.clone();
    let mut n = 2;
    while used.contains(&slug) {
        let suffix = format!("-{n}");
        let room = Slug::MAX - suffix.len();
        let stem: String = base.chars().take(room).collect();
        slug = format!("{}{suffix}", stem.trim_end_matches('-'));
        n += 1;
    }
    used.insert(slug.clone());
    slug
}

/// The milestones of a rubric criterion with exactly five levels.
fn milestones(levels: &[RawLevel]) -> Option<Vec<Value>> {
    if levels.len() != 5 {
        return None;
    }
    let mut sorted: Vec<&RawLevel> = levels.iter().collect();
    sorted.sort_by(|a, b| {
        a.position
            .cmp(&b.position)
            .then(a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)))
    });
    Some(
        sorted
            .into_iter()
            .map(|l| {
                let examples: Vec<String> = l
                    .description
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .map(|line| {
                        let t = line.trim();
                        ["- ", "* ", "• "]
                            .iter()
                            .find_map(|b| t.strip_prefix(b))
                            .unwrap_or(t)
                            .trim()
                            .to_owned()
                    })
                    .filter(|e| !e.is_empty())
                    .collect();
                json!({ "summary": text(l.quality.as_deref().unwrap_or("")), "examples": examples })
            })
            .collect(),
    )
}

/// Stands for a role's or position's requirements in its line.
const REQUIRES: &str = "\u{1}requires";

/// Where a line of the translated file came from.
struct Translation {
    lines: Vec<String>,
    origin: Vec<(u64, String)>,
}

impl Translation {
    fn push(&mut self, line: String, from: u64, what: String) {
        self.lines.push(line);
        self.origin.push((from, what));
    }

    /// A list of entities, one a line; `requires` replaces the
    /// [`REQUIRES`] placeholder.
    fn list(&mut self, opening: &str, entries: Vec<(Value, String, u64, String)>) {
        self.push(opening.to_owned(), 0, String::new());
        let n = entries.len();
        let placeholder = json!(REQUIRES).to_string();
        for (i, (v, requires, from, what)) in entries.into_iter().enumerate() {
            let comma = if i + 1 < n { "," } else { "" };
            let line = v.to_string().replacen(&placeholder, &requires, 1);
            self.push(format!("{line}{comma}"), from, what);
        }
    }
}

/// Reads a CFPackage. `org` is the organization it is for (by default the
/// slug in a cairn package, or one made from the document's title).
pub fn read(text_in: &str, org: Option<&OrgSlug>) -> Result<Imported, Vec<FileProblem>> {
    let raw: RawPackage = serde_saphyr::from_str(text_in).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        vec![FileProblem {
            line,
            column,
            message: format!("not a CASE CFPackage: {}", e.without_snippet()),
        }]
    })?;
    let doc_line = raw.document.referenced.line();
    let doc = &raw.document.value;
    let doc_ext = cairn_ext(&doc.extensions);
    let cairn = doc_ext.is_some();

    let slug = match org {
        Some(s) => s.clone(),
        None => {
            let from_ext = doc_ext
                .and_then(|e| e.get("slug"))
                .and_then(Value::as_str)
                .and_then(|s| OrgSlug::parse(s).ok());
            let from_title = slugify(&doc.title).and_then(|s| {
                let short: String = s.as_str().chars().take(40).collect();
                OrgSlug::parse(short.trim_end_matches('-')).ok()
            });
            match from_ext.or(from_title) {
                Some(s) => s,
                None => {
                    return Err(vec![FileProblem {
                        line: doc_line,
                        column: 0,
                        message: "cannot name an organization from the CFDocument's title: give one (--org)".into(),
                    }]);
                }
            }
        }
    };

    // The hierarchy: each item's parent, and the items that have children.
    let mut parent: HashMap<&str, (&str, i64)> = HashMap::new();
    let mut has_children: HashSet<&str> = HashSet::new();
    let mut not_carried: Vec<(String, usize)> = Vec::new();
    let mut related: Vec<&RawAssociation> = Vec::new();
    for a in &raw.associations {
        if a.association_type == "isChildOf" {
            parent.entry(a.origin.identifier.as_str()).or_insert((
                a.destination.identifier.as_str(),
                a.sequence_number.unwrap_or(0),
            ));
            has_children.insert(a.destination.identifier.as_str());
        } else if cairn && a.association_type == "isRelatedTo" && cairn_ext(&a.extensions).is_some()
        {
            related.push(a);
        } else {
            match not_carried
                .iter_mut()
                .find(|(t, _)| *t == a.association_type)
            {
                Some((_, n)) => *n += 1,
                None => not_carried.push((a.association_type.clone(), 1)),
            }
        }
    }
    let mut rubric: HashMap<&str, &[RawLevel]> = HashMap::new();
    for c in raw.rubrics.iter().flat_map(|r| &r.criteria) {
        if let Some(link) = &c.item {
            rubric.entry(link.identifier.as_str()).or_insert(&c.levels);
        }
    }

    // What each item is.
    enum Kind {
        Ability,
        Category,
        Role,
        Position,
        Skip(String),
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let kinds: Vec<Kind> = raw
        .items
        .iter()
        .map(|s| {
            let item = &s.value;
            let ty = item.item_type.as_deref().unwrap_or("");
            if item.identifier.is_empty() {
                Kind::Skip("it has no identifier".into())
            } else if !seen.insert(item.identifier.as_str()) {
                Kind::Skip("an earlier CFItem has the same identifier".into())
            } else if cairn && ty == ROLE && cairn_ext(&item.extensions).is_some() {
                Kind::Role
            } else if cairn && ty == POSITION && cairn_ext(&item.extensions).is_some() {
                Kind::Position
            } else if (cairn && ty == CATEGORY) || has_children.contains(item.identifier.as_str()) {
                Kind::Category
            } else if item.full_statement.trim().is_empty()
                && item
                    .abbreviated_statement
                    .as_deref()
                    .unwrap_or("")
                    .trim()
                    .is_empty()
            {
                Kind::Skip("it has no statement".into())
            } else {
                Kind::Ability
            }
        })
        .collect();

    let mut used: HashSet<String> = HashSet::new();
    let mut names: HashMap<&str, String> = HashMap::new();
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for (s, kind) in raw.items.iter().zip(&kinds) {
        let item = &s.value;
        let name = label(item);
        if matches!(kind, Kind::Ability | Kind::Role | Kind::Position) {
            slugs.insert(
                item.identifier.as_str(),
                unique_slug(item, &name, &mut used),
            );
        }
        names.entry(item.identifier.as_str()).or_insert(name);
    }

    let mut report = Vec::new();
    let (mut abilities, mut roles, mut positions) = (Vec::new(), Vec::new(), Vec::new());
    for (s, kind) in raw.items.iter().zip(kinds) {
        let item = &s.value;
        let line = s.referenced.line();
        let id = item.identifier.as_str();
        let name = names.get(id).cloned().unwrap_or_default();
        let slug = slugs.get(id).cloned().unwrap_or_default();
        let description = if item.abbreviated_statement.as_deref().map(str::trim)
            == Some(item.full_statement.trim())
        {
            String::new()
        } else {
            text(item.full_statement.trim())
        };
        let ext = cairn_ext(&item.extensions);
        let ext_str = |key: &str| ext.and_then(|e| e.get(key)).and_then(Value::as_str);
        let outcome = match kind {
            Kind::Skip(reason) => Outcome::Skipped { reason },
            Kind::Category => Outcome::Category { name },
            Kind::Ability => {
                let category = parent.get(id).and_then(|(p, _)| names.get(p)).filter(|_| {
                    parent
                        .get(id)
                        .is_some_and(|(p, _)| has_children.contains(p) && names.contains_key(p))
                });
                let ms = rubric.get(id).and_then(|levels| milestones(levels));
                let with = ms.is_some();
                let ms = ms.unwrap_or_else(|| vec![json!({ "summary": "", "examples": [] }); 5]);
                let mut v = json!({ "slug": slug, "name": name, "description": description, "milestones": ms });
                if let Some(c) = category {
                    v["category"] = json!(c);
                }
                abilities.push((
                    v,
                    String::new(),
                    line,
                    format!("CFItem {id} (ability {slug})"),
                ));
                Outcome::Ability {
                    slug,
                    milestones: with,
                }
            }
            Kind::Role | Kind::Position => {
                let mut requires: Vec<(i64, String, i64)> = Vec::new();
                let mut roles_of: Vec<(i64, String, bool)> = Vec::new();
                for a in related.iter().filter(|a| a.origin.identifier == id) {
                    let Some(target) = slugs.get(a.destination.identifier.as_str()) else {
                        continue;
                    };
                    let e = cairn_ext(&a.extensions);
                    let seq = a.sequence_number.unwrap_or(0);
                    if let Some(level) = e.and_then(|e| e.get("requires")).and_then(Value::as_i64) {
                        requires.push((seq, target.clone(), level));
                    } else if let Some(how) = e.and_then(|e| e.get("role")).and_then(Value::as_str)
                    {
                        roles_of.push((seq, target.clone(), how == "required"));
                    }
                }
                requires.sort_by_key(|r| r.0);
                roles_of.sort_by_key(|r| r.0);
                // An ordered mapping (serde_json's maps sort their keys):
                // spliced into the line as text below.
                let req: Vec<String> = requires
                    .iter()
                    .map(|(_, ability, level)| format!("{}:{level}", json!(ability)))
                    .collect();
                let req = format!("{{{}}}", req.join(","));
                let mut v =
                    json!({ "slug": slug, "description": description, "requires": REQUIRES });
                if let Some(p) = ext_str("plural") {
                    v["plural"] = json!(p);
                }
                if matches!(kind, Kind::Role) {
                    v["name"] = json!(name);
                    roles.push((v, req, line, format!("CFItem {id} (role {slug})")));
                    Outcome::Role { slug }
                } else {
                    v["title"] = json!(name);
                    v["level"] = json!(ext_str("level").unwrap_or(""));
                    let required: Vec<&String> =
                        roles_of.iter().filter(|r| r.2).map(|r| &r.1).collect();
                    let suggested: Vec<&String> =
                        roles_of.iter().filter(|r| !r.2).map(|r| &r.1).collect();
                    v["roles"] = json!({ "required": required, "suggested": suggested });
                    if let Some(rule) = ext.and_then(|e| e.get("milesRule")) {
                        let mut m = serde_json::Map::new();
                        for (from, to) in [
                            ("overRequiredPercent", "over_required_percent"),
                            ("atLeast", "at_least"),
                            ("below", "below"),
                        ] {
                            if let Some(n) = rule.get(from) {
                                m.insert(to.into(), n.clone());
                            }
                        }
                        if !m.is_empty() {
                            v["miles"] = Value::Object(m);
                        }
                    }
                    positions.push((v, req, line, format!("CFItem {id} (position {slug})")));
                    Outcome::Position { slug }
                }
            }
        };
        report.push(ReportLine {
            identifier: item.identifier.clone(),
            line,
            outcome,
        });
    }

    // The organization, as the package has it.
    let title = one_line(&doc.title, Name::MAX);
    let miles = doc_ext
        .and_then(|e| e.get("miles"))
        .cloned()
        .unwrap_or_else(|| json!([1, 3, 6, 12, 20]));
    let mut head = json!({
        "format": file::FORMAT,
        "organization": {
            "slug": slug.as_str(),
            "name": if title.is_empty() { "Imported framework".to_owned() } else { title },
            "miles": miles,
        },
    });
    if let Some(l) = doc_ext
        .and_then(|e| e.get("licence"))
        .and_then(Value::as_str)
    {
        head["licence"] = json!(l);
    }
    if let Some(a) = doc_ext
        .and_then(|e| e.get("attribution"))
        .and_then(Value::as_str)
        && !a.is_empty()
    {
        head["attribution"] = json!(a);
    }
    let head = head.to_string();
    let mut t = Translation {
        lines: Vec::new(),
        origin: Vec::new(),
    };
    t.push(
        format!("{},", head.strip_suffix('}').unwrap_or(&head)),
        doc_line,
        "CFDocument".into(),
    );
    t.list("\"abilities\":[", abilities);
    t.list("],\"roles\":[", roles);
    t.list("],\"positions\":[", positions);
    t.push("]}".into(), 0, String::new());
    let translated = t.lines.join("\n");
    match file::read(&translated) {
        Ok(contents) => Ok(Imported {
            framework: contents.framework,
            cairn,
            report,
            not_carried,
        }),
        Err(problems) => Err(problems
            .into_iter()
            .map(|p| {
                let (line, what) = usize::try_from(p.line)
                    .ok()
                    .and_then(|l| t.origin.get(l.wrapping_sub(1)))
                    .cloned()
                    .unwrap_or((0, String::new()));
                FileProblem {
                    line,
                    column: 0,
                    message: if what.is_empty() {
                        p.message
                    } else {
                        format!("{what}: {}", p.message)
                    },
                }
            })
            .collect()),
    }
}

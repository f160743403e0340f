//! Reading OurGruuv's abilities and assignments CSVs, and merging what
//! they say into a framework.

use super::*;
use crate::framework::{
    Ability, Framework, Level, Markdown, MilesRule, Milestone, Name, Position, Requirement, Role,
};

/// One abilities line.
#[derive(Debug, Clone)]
pub struct AbilityRow {
    line: u64,
    slug: Slug,
    name: Name,
    description: Option<Markdown>,
    /// The `Organization` cell, when not empty.
    category: Option<Name>,
    milestones: [CellMilestone; 5],
    /// (role title, level, column) from `Assignments`.
    assignments: Vec<(Name, Level, u64)>,
}

/// One assignments line: a role.
#[derive(Debug, Clone)]
pub struct AssignmentRow {
    line: u64,
    slug: Slug,
    name: Name,
    description: Option<Markdown>,
    /// (ability name, level) from `Milestones`.
    milestones: Vec<(String, Level)>,
    milestones_column: u64,
    /// (position title, level, required) from `Positions`.
    positions: Vec<(Name, Name, bool)>,
}

/// What a CSV is, by its header.
#[derive(Debug, Clone)]
pub enum Parsed {
    Abilities(Vec<AbilityRow>),
    Assignments(Vec<AssignmentRow>),
}

struct Columns(csv::StringRecord);

impl Columns {
    fn find(&self, name: &str) -> Option<usize> {
        self.0
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }
}

/// Reads an abilities or assignments CSV (told apart by the header:
/// `Assignment ID` or `Milestones` makes it assignments).
pub fn parse(text: &str) -> Result<Parsed, Vec<FileProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = Columns(reader.headers().map_err(|e| vec![csv_problem(&e)])?.clone());
    let assignments = headers.find("Assignment ID").is_some()
        || (headers.find("Milestones").is_some() && headers.find("Title").is_some());
    let mut problems = Vec::new();
    let parsed = if assignments {
        let Some(title) = headers.find("Title") else {
            return Err(vec![problem(1, 0, "the header has no \"Title\" column")]);
        };
        Parsed::Assignments(assignment_rows(&mut reader, &headers, title, &mut problems))
    } else {
        let Some(name) = headers.find("Name") else {
            return Err(vec![problem(1, 0, "the header has no \"Name\" column")]);
        };
        Parsed::Abilities(ability_rows(&mut reader, &headers, name, &mut problems))
    };
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// A record's cells by column, with the line it starts on.
struct Line<'a> {
    record: &'a csv::StringRecord,
    line: u64,
}

impl Line<'_> {
    /// A cell, without the apostrophe a spreadsheet export puts before
    /// a value that would run as a formula (`crate::csv_out`).
    fn cell(&self, col: Option<usize>) -> &str {
        let c = col.and_then(|c| self.record.get(c)).unwrap_or("");
        match c.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
            _ => c,
        }
    }

    /// The 1-based column number.
    fn column(col: Option<usize>) -> u64 {
        col.map_or(0, |c| c as u64 + 1)
    }
}

fn records(
    reader: &mut csv::Reader<&[u8]>,
    problems: &mut Vec<FileProblem>,
) -> Vec<(csv::StringRecord, u64)> {
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                if !r.iter().all(|c| c.trim().is_empty()) {
                    out.push((r, line));
                }
            }
            Err(e) => problems.push(csv_problem(&e)),
        }
    }
    out
}

fn name_and_slug(
    l: &Line,
    col: usize,
    what: &'static str,
    seen: &mut Vec<Slug>,
    problems: &mut Vec<FileProblem>,
) -> Option<(Name, Slug)> {
    let column = Line::column(Some(col));
    let name = match Name::parse(l.cell(Some(col)), what) {
        Ok(n) => n,
        Err(e) => {
            problems.push(problem(l.line, column, e.to_string()));
            return None;
        }
    };
    let Some(slug) = slugify(name.as_str()) else {
        problems.push(problem(
            l.line,
            column,
            format!(
                "cannot make a slug from the name {:?}: use letters or digits",
                name.as_str()
            ),
        ));
        return None;
    };
    if seen.contains(&slug) {
        problems.push(problem(
            l.line,
            column,
            format!("two lines would share the slug {:?}", slug.as_str()),
        ));
        return None;
    }
    seen.push(slug.clone());
    Some((name, slug))
}

fn markdown(
    l: &Line,
    col: Option<usize>,
    what: &'static str,
    problems: &mut Vec<FileProblem>,
) -> Option<Markdown> {
    let text = l.cell(col).trim();
    if text.is_empty() {
        return None;
    }
    match Markdown::parse(text, what) {
        Ok(m) => Some(m),
        Err(e) => {
            problems.push(problem(l.line, Line::column(col), e.to_string()));
            None
        }
    }
}

fn ability_rows(
    reader: &mut csv::Reader<&[u8]>,
    headers: &Columns,
    name_col: usize,
    problems: &mut Vec<FileProblem>,
) -> Vec<AbilityRow> {
    let description = headers.find("Description");
    let organization = headers.find("Organization");
    let assignments = headers.find("Assignments");
    let milestone_cols: Vec<Option<usize>> = (1..=5)
        .map(|n| headers.find(&format!("Milestone {n} Description")))
        .collect();
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (record, line) in records(reader, problems) {
        let l = Line {
            record: &record,
            line,
        };
        let Some((name, slug)) = name_and_slug(&l, name_col, "the Name", &mut seen, problems)
        else {
            continue;
        };
        let mut milestones: [CellMilestone; 5] = Default::default();
        for (i, (m, col)) in milestones.iter_mut().zip(&milestone_cols).enumerate() {
            let mut parsed = milestone(l.cell(*col));
            parsed.examples =
                checked_examples(parsed.examples, line, Line::column(*col), i + 1, problems);
            if let Some(s) = &parsed.summary
                && let Err(e) = crate::framework::check_text(s, "a milestone summary")
            {
                problems.push(problem(line, Line::column(*col), e.to_string()));
            }
            *m = parsed;
        }
        let category = match l.cell(organization).trim() {
            "" => None,
            c => match Name::parse(c, "the Organization") {
                Ok(n) => Some(n),
                Err(e) => {
                    problems.push(problem(line, Line::column(organization), e.to_string()));
                    None
                }
            },
        };
        let column = Line::column(assignments);
        let mut roles = Vec::new();
        for (title, level) in requirements(&l, assignments, "assignment", problems) {
            match Name::parse(&title, "an assignment title") {
                Ok(t) => roles.push((t, level, column)),
                Err(e) => problems.push(problem(line, column, e.to_string())),
            }
        }
        out.push(AbilityRow {
            line,
            slug,
            name,
            description: markdown(&l, description, "Description", problems),
            category,
            milestones,
            assignments: roles,
        });
    }
    out
}

/// The `<name> - Milestone N` lines of a cell (`what` names the name in
/// the problem for a line that is not one).
fn requirements(
    l: &Line,
    col: Option<usize>,
    what: &str,
    problems: &mut Vec<FileProblem>,
) -> Vec<(String, Level)> {
    let column = Line::column(col);
    let mut out = Vec::new();
    for text in l.cell(col).lines().filter(|t| !t.trim().is_empty()) {
        match requirement_line(text).map(|(name, n)| (name, Level::parse(n))) {
            Some((name, Ok(level))) => out.push((name.to_owned(), level)),
            Some((_, Err(e))) => problems.push(problem(l.line, column, format!("{text:?}: {e}"))),
            None => problems.push(problem(
                l.line,
                column,
                format!("{:?} is not \"<{what}> - Milestone N\"", text.trim()),
            )),
        }
    }
    out
}

/// `External Title - Level (required, 50%-80%)`.
fn position_line(text: &str) -> Option<(&str, &str, bool)> {
    let t = text.trim();
    let (head, rest) = t.split_once(" (").unwrap_or((t, ""));
    let (title, level) = head.rsplit_once(" - ")?;
    let required = !rest.trim_start().starts_with("suggested");
    Some((title.trim(), level.trim(), required))
}

fn assignment_rows(
    reader: &mut csv::Reader<&[u8]>,
    headers: &Columns,
    title_col: usize,
    problems: &mut Vec<FileProblem>,
) -> Vec<AssignmentRow> {
    let tagline = headers.find("Tagline");
    let handbook = headers.find("Handbook");
    let milestones = headers.find("Milestones");
    let positions = headers.find("Positions");
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (record, line) in records(reader, problems) {
        let l = Line {
            record: &record,
            line,
        };
        let Some((name, slug)) = name_and_slug(&l, title_col, "the Title", &mut seen, problems)
        else {
            continue;
        };
        let description = [l.cell(tagline).trim(), l.cell(handbook).trim()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        let description = if description.is_empty() {
            None
        } else {
            match Markdown::parse(description, "Tagline") {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push(problem(line, Line::column(tagline), e.to_string()));
                    None
                }
            }
        };
        let column = Line::column(milestones);
        let requires = requirements(&l, milestones, "ability", problems);
        let mut held = Vec::new();
        for text in l.cell(positions).lines().filter(|t| !t.trim().is_empty()) {
            let column = Line::column(positions);
            match position_line(text) {
                Some((title, level, required)) => {
                    match (
                        Name::parse(title, "a position title"),
                        Name::parse(level, "a position level"),
                    ) {
                        (Ok(t), Ok(lv)) => held.push((t, lv, required)),
                        (Err(e), _) | (_, Err(e)) => {
                            problems.push(problem(line, column, e.to_string()))
                        }
                    }
                }
                None => problems.push(problem(
                    line,
                    column,
                    format!(
                        "{:?} is not \"<title> - <level> (required|suggested)\"",
                        text.trim()
                    ),
                )),
            }
        }
        out.push(AssignmentRow {
            line,
            slug,
            name,
            description,
            milestones: requires,
            milestones_column: column,
            positions: held,
        });
    }
    out
}

fn set_requirement(requires: &mut Vec<Requirement>, ability: &Slug, level: Level) {
    match requires.iter_mut().find(|r| &r.ability == ability) {
        Some(r) => r.level = level,
        None => requires.push(Requirement {
            ability: ability.clone(),
            level,
        }),
    }
}

/// The role of that name (else slug), made when there is none.
fn role_mut<'a>(fw: &'a mut Framework, slug: &Slug, name: &Name) -> &'a mut Role {
    let found = fw
        .roles
        .iter()
        .position(|r| r.name.as_str().eq_ignore_ascii_case(name.as_str()))
        .or_else(|| fw.roles.iter().position(|r| &r.slug == slug));
    let at = match found {
        Some(i) => i,
        None => {
            fw.roles.push(Role {
                slug: slug.clone(),
                name: name.clone(),
                plural: Role::default_plural(name),
                description: Markdown::default(),
                requires: Vec::new(),
            });
            fw.roles.len() - 1
        }
    };
    &mut fw.roles[at]
}

/// What a CSV says, merged into `fw`: abilities, roles and positions it
/// names are added or updated; what it does not carry is kept.
pub fn merge(fw: &Framework, parsed: &Parsed) -> Result<Framework, Vec<FileProblem>> {
    let mut out = fw.clone();
    let mut problems = Vec::new();
    match parsed {
        Parsed::Abilities(rows) => {
            for row in rows {
                // OurGruuv names an ability, cairn gives it a slug: the same
                // name is the same ability, whatever its slug here.
                let existing = out
                    .abilities
                    .iter()
                    .position(|a| a.name.as_str().eq_ignore_ascii_case(row.name.as_str()))
                    .or_else(|| out.abilities.iter().position(|a| a.slug == row.slug));
                let mut ability = match existing {
                    Some(i) => out.abilities[i].clone(),
                    None => Ability {
                        slug: row.slug.clone(),
                        name: row.name.clone(),
                        category: None,
                        description: Markdown::default(),
                        milestones: Default::default(),
                    },
                };
                ability.name = row.name.clone();
                if let Some(d) = &row.description {
                    ability.description = d.clone();
                }
                // The organization's own name is OurGruuv's "no department".
                match &row.category {
                    Some(c) if c.as_str() == fw.organization.name.as_str() => {
                        ability.category = None
                    }
                    Some(c) => ability.category = Some(c.clone()),
                    None => {}
                }
                for (m, cell) in ability.milestones.iter_mut().zip(&row.milestones) {
                    let Milestone { summary, examples } = m;
                    if let Some(s) = &cell.summary {
                        *summary = Markdown::new(s.clone());
                    }
                    if let Some(e) = &cell.examples {
                        *examples = e.clone();
                    }
                }
                let slug = ability.slug.clone();
                match existing {
                    Some(i) => out.abilities[i] = ability,
                    None => out.abilities.push(ability),
                }
                for (title, level, column) in &row.assignments {
                    if slugify(title.as_str()).is_none() {
                        problems.push(problem(
                            row.line,
                            *column,
                            format!("cannot make a slug from {:?}", title.as_str()),
                        ));
                        continue;
                    }
                    let Some(role_slug) = slugify(title.as_str()) else {
                        continue;
                    };
                    set_requirement(
                        &mut role_mut(&mut out, &role_slug, title).requires,
                        &slug,
                        *level,
                    );
                }
            }
        }
        Parsed::Assignments(rows) => {
            for row in rows {
                let mut requires = Vec::new();
                for (name, level) in &row.milestones {
                    let found = out
                        .abilities
                        .iter()
                        .find(|a| a.name.as_str().eq_ignore_ascii_case(name.trim()))
                        .or_else(|| {
                            let slug = slugify(name)?;
                            out.abilities.iter().find(|a| a.slug == slug)
                        })
                        .map(|a| a.slug.clone());
                    match found {
                        Some(ability) => set_requirement(&mut requires, &ability, *level),
                        None => problems.push(problem(
                            row.line,
                            row.milestones_column,
                            format!("no ability is named {name:?}: import the abilities CSV first"),
                        )),
                    }
                }
                let role = role_mut(&mut out, &row.slug, &row.name);
                let role_slug = role.slug.clone();
                role.name = row.name.clone();
                if let Some(d) = &row.description {
                    role.description = d.clone();
                }
                if !row.milestones.is_empty() {
                    role.requires = requires;
                }
                for (title, level, required) in &row.positions {
                    let at = match out.positions.iter().position(|p| {
                        p.title.as_str().eq_ignore_ascii_case(title.as_str()) && p.level == *level
                    }) {
                        Some(i) => i,
                        None => {
                            let base = slugify(&format!("{title} {level}"))
                                .or_else(|| slugify(title.as_str()))
                                .unwrap_or_else(|| row.slug.clone());
                            let mut slug = base.clone();
                            let mut n = 2;
                            while out.positions.iter().any(|p| p.slug == slug) {
                                slug = Slug::parse(&format!(
                                    "{}-{n}",
                                    &base.as_str()[..base.as_str().len().min(Slug::MAX - 4)]
                                ))
                                .unwrap_or_else(|_| base.clone());
                                n += 1;
                            }
                            out.positions.push(Position {
                                slug,
                                title: title.clone(),
                                plural: Role::default_plural(title),
                                level: level.clone(),
                                description: Markdown::default(),
                                required_roles: Vec::new(),
                                suggested_roles: Vec::new(),
                                requires: Vec::new(),
                                miles: MilesRule::Required,
                            });
                            out.positions.len() - 1
                        }
                    };
                    let p = &mut out.positions[at];
                    let (has_required, has_suggested) = (
                        p.required_roles.contains(&role_slug),
                        p.suggested_roles.contains(&role_slug),
                    );
                    // Already where the file puts it: its place in the list stays.
                    if (*required && has_required) || (!*required && has_suggested) {
                        continue;
                    }
                    p.required_roles.retain(|r| r != &role_slug);
                    p.suggested_roles.retain(|r| r != &role_slug);
                    if *required {
                        p.required_roles.push(role_slug.clone());
                    } else {
                        p.suggested_roles.push(role_slug.clone());
                    }
                }
            }
        }
    }
    for p in out.reference_problems() {
        problems.push(problem(0, 0, p));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

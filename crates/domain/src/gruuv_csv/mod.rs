//! OurGruuv's CSV exports, both ways (the columns as its bulk downloads
//! write them, `app/controllers/organizations/bulk_downloads_controller.rb`
//! in ar3/our_gruuv):
//!
//! - **Abilities**: `Name, Description, Organization, Semantic Version,
//!   Assignments, Milestone 1 Description … Milestone 5 Description,
//!   Created At, Updated At`. A milestone cell is a paragraph (the
//!   summary), then a `-----` rule, an `##### Examples` heading and a
//!   markdown table whose cells are the examples, then a note that they
//!   are not a checklist ([`milestone`]). `Organization` is the category;
//!   `Assignments` lines (`<title> - Milestone N`) are roles requiring
//!   the ability.
//! - **Assignments** (`Assignment ID, Title, Tagline, Department,
//!   Positions, Milestones, Outcomes, …`): roles, with their requirements
//!   (`Ability Name - Milestone N`) and the positions that hold them
//!   (`External Title - Level (required|suggested, …)`).
//! - **Positions** (`External Title, Level, Company, …, Assignments,
//!   Direct Milestone Requirements, …, Title, Position Summary, …`):
//!   written only.
//!
//! Reading merges into a framework: what the file carries replaces what
//! is there, what it does not carry (an empty cell, a milestone without a
//! summary paragraph) is kept, so editing in cairn between two imports of
//! the same file loses nothing. Problems name the 1-based line and column
//! (the CSV field: 1 is the first).

use crate::file::{FileProblem, check_example};
use crate::framework::Slug;

mod read;
mod write;

pub use read::{Parsed, merge, parse};
pub use write::{Files, write};

/// A milestone as a cell carries it: either part may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellMilestone {
    pub summary: Option<String>,
    pub examples: Option<Vec<String>>,
}

fn is_rule(t: &str) -> bool {
    t.len() >= 3 && t.chars().all(|c| c == '-')
}

fn bullet(t: &str) -> Option<&str> {
    ["- ", "* ", "• "]
        .iter()
        .find_map(|b| t.strip_prefix(b))
        .map(str::trim)
}

/// A table row's cells, `\|` kept as a pipe.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    out.push(cell);
    out.into_iter().map(|c| c.trim().to_owned()).collect()
}

fn is_separator(row: &str) -> bool {
    row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Reads a milestone cell. Text before the first rule, heading or table
/// is the summary; bullet lines anywhere, and every cell of a table's
/// rows after its header, are examples; anything else after the summary
/// (headings, the "not a checklist" note) is left out.
pub fn milestone(cell: &str) -> CellMilestone {
    let mut summary: Vec<&str> = Vec::new();
    let mut examples: Vec<String> = Vec::new();
    let mut in_summary = true;
    let mut header_seen = false;
    for line in cell.lines() {
        let t = line.trim();
        if in_summary && (is_rule(t) || t.starts_with('#') || t.starts_with('|')) {
            in_summary = false;
        }
        if let Some(b) = bullet(t) {
            if !b.is_empty() {
                examples.push(b.to_owned());
            }
        } else if in_summary {
            summary.push(line);
        } else if t.starts_with('|') {
            if is_separator(t) {
                continue;
            }
            if !header_seen {
                header_seen = true;
                continue;
            }
            examples.extend(cells(t).into_iter().filter(|c| !c.is_empty()));
        } else if t.is_empty() {
            // A blank line ends a table: the next one has its own header.
            header_seen = false;
        }
    }
    let summary = summary.join("\n").trim().to_owned();
    CellMilestone {
        summary: (!summary.is_empty()).then_some(summary),
        examples: (!examples.is_empty()).then_some(examples),
    }
}

/// The note OurGruuv puts under a milestone's examples.
pub const NOT_A_CHECKLIST: &str =
    "These examples are not a checklist: they show what the milestone looks like in practice.";

/// A milestone as OurGruuv writes the cell ([`milestone`] reads it back).
pub fn milestone_cell(summary: &str, examples: &[String]) -> String {
    let mut out = summary.trim().to_owned();
    if examples.is_empty() {
        return out;
    }
    if !out.is_empty() {
        out.push_str("\n\n-----\n\n");
    }
    out.push_str("##### Examples\n\n| Example |\n| --- |\n");
    for e in examples {
        out.push_str(&format!("| {} |\n", e.replace('|', "\\|")));
    }
    out.push('\n');
    out.push_str(NOT_A_CHECKLIST);
    out
}

/// "Ops Skill & Craft" → "ops-skill-craft"; None when nothing is left.
pub fn slugify(name: &str) -> Option<Slug> {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut slug: String = out.trim_end_matches('-').chars().take(Slug::MAX).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    Slug::parse(&slug).ok()
}

/// `<name> - Milestone N`, as OurGruuv writes a requirement.
fn requirement_text(name: &str, level: crate::framework::Level) -> String {
    format!("{name} - Milestone {level}")
}

/// `<name> - Milestone N` (OurGruuv's requirement lines).
fn requirement_line(line: &str) -> Option<(&str, i64)> {
    let (name, level) = line.trim().rsplit_once(" - Milestone ")?;
    Some((name.trim(), level.trim().parse().ok()?))
}

fn problem(line: u64, column: u64, message: impl Into<String>) -> FileProblem {
    FileProblem {
        line,
        column,
        message: message.into(),
    }
}

fn csv_problem(e: &csv::Error) -> FileProblem {
    let line = e.position().map_or(0, |p| p.line());
    problem(line, 0, format!("not readable as CSV: {e}"))
}

fn checked_examples(
    examples: Option<Vec<String>>,
    line: u64,
    column: u64,
    level: usize,
    problems: &mut Vec<FileProblem>,
) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for e in examples? {
        match check_example(&e) {
            Ok(e) => out.push(e),
            Err(err) => problems.push(problem(
                line,
                column,
                format!("Milestone {level} Description: {err}"),
            )),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;

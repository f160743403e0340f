//! Bulk onboarding: people from a CSV in the columns of OurGruuv's
//! employee upload (`Name`, `Preferred Name`, `Email`, `Start Date`,
//! `Department`, `Manager Email`, `Job Title`, `Job Title Level`; others
//! ignored), and the plan of what importing it would change.
//!
//! Two kinds of trouble, kept apart: a file that cannot be read as people
//! (no `Email` column, an address or date that is not one) is refused
//! whole, every problem with its line, and nothing changes; a readable row
//! that cannot be applied here (an unknown job title, an email already on
//! an earlier line, a manager who is neither a member nor in the file) is
//! refused on its own with its line, and the plan keeps the rest.

use crate::file::FileProblem;
use crate::framework::{Name, Slug};
use crate::gruuv_csv::slugify;
use crate::jobs::Day;
use crate::people::Email;

/// One person as the file gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The CSV line (the header is line 1).
    pub line: u64,
    /// The preferred name when given, else the name.
    pub name: Name,
    pub email: Email,
    pub start: Option<Day>,
    pub department: Option<Name>,
    pub manager: Option<Email>,
    /// Job title and level, as written.
    pub job: Option<(String, String)>,
}

/// Reads the rows; every problem of the file, each with its line.
pub fn parse(text: &str) -> Result<Vec<Row>, Vec<FileProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| vec![problem(e.position().map_or(1, |p| p.line()), e.to_string())])?
        .clone();
    let column = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let Some(email_col) = column("Email") else {
        return Err(vec![problem(
            1,
            "the header has no \"Email\" column".into(),
        )]);
    };
    let name_col = column("Name");
    let preferred_col = column("Preferred Name");
    if name_col.is_none() && preferred_col.is_none() {
        return Err(vec![problem(1, "the header has no \"Name\" column".into())]);
    }
    let (start_col, department_col, manager_col, title_col, level_col) = (
        column("Start Date"),
        column("Department"),
        column("Manager Email"),
        column("Job Title"),
        column("Job Title Level"),
    );
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(e.position().map_or(0, |p| p.line()), e.to_string()));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        let cell = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("").trim();
        let mut bad = |message: String| problems.push(problem(line, message));
        let shown = match cell(preferred_col) {
            "" => cell(name_col),
            p => p,
        };
        let name = Name::parse(shown, "the name")
            .map_err(|e| bad(e.to_string()))
            .ok();
        let email = match Email::parse(cell(Some(email_col))) {
            Ok(e) => Some(e),
            Err(e) => {
                bad(format!("Email: {e}"));
                None
            }
        };
        let start = match cell(start_col) {
            "" => Some(None),
            d => match parse_day(d) {
                Some(day) => Some(Some(day)),
                None => {
                    bad(format!(
                        "Start Date {d:?} is not a date (YYYY-MM-DD or M/D/YYYY)"
                    ));
                    None
                }
            },
        };
        let department = match cell(department_col) {
            "" => Some(None),
            d => Name::parse(d, "the Department")
                .map(Some)
                .map_err(|e| bad(e.to_string()))
                .ok(),
        };
        let manager = match cell(manager_col) {
            "" => Some(None),
            m => match Email::parse(m) {
                Ok(e) => Some(Some(e)),
                Err(e) => {
                    bad(format!("Manager Email: {e}"));
                    None
                }
            },
        };
        let job = match (cell(title_col), cell(level_col)) {
            ("", _) => None,
            (t, l) => Some((t.to_owned(), l.to_owned())),
        };
        if let (Some(name), Some(email), Some(start), Some(department), Some(manager)) =
            (name, email, start, department, manager)
        {
            rows.push(Row {
                line,
                name,
                email,
                start,
                department,
                manager,
                job,
            });
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// "2023-01-15" or "1/15/2023" (US order, as spreadsheets export it).
fn parse_day(s: &str) -> Option<Day> {
    if let Some(d) = crate::wording::parse_date(s) {
        return Some(d);
    }
    let mut parts = s.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (m, d, y): (u32, u32, u32) = (m.parse().ok()?, d.parse().ok()?, y.parse().ok()?);
    crate::wording::parse_date(&format!("{y:04}-{m:02}-{d:02}"))
}

fn problem(line: u64, message: String) -> FileProblem {
    FileProblem {
        line,
        column: 0,
        message,
    }
}

/// What the organization has that a file's rows are matched against.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Emails of its active members.
    pub members: Vec<Email>,
    /// Active positions: slug, title, level.
    pub positions: Vec<(Slug, String, String)>,
    /// Teams: slug, name.
    pub teams: Vec<(Slug, Name)>,
}

/// The team a row puts someone in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamChoice {
    Existing(Slug),
    /// Made by the import (the preview lists it).
    New(Slug, Name),
}

/// What importing one row does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub line: u64,
    pub name: Name,
    pub email: Email,
    /// An invitation (not a member yet; what follows applies when they
    /// accept it) or a change to a member.
    pub invite: bool,
    pub position: Option<Slug>,
    pub team: Option<TeamChoice>,
    pub manager: Option<Email>,
    pub since: Option<Day>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub rows: Vec<Planned>,
    /// Lines refused, each with the reason.
    pub refused: Vec<(u64, String)>,
}

impl Plan {
    /// Each row to apply in words, with its line: what the preview shows
    /// (the page and the command line alike).
    pub fn describe(&self) -> Vec<(u64, String)> {
        self.rows
            .iter()
            .map(|r| {
                let mut parts = vec![if r.invite {
                    format!("invite {} <{}>", r.name, r.email.as_str())
                } else {
                    format!("{} <{}>", r.name, r.email.as_str())
                }];
                if let Some(p) = &r.position {
                    parts.push(format!("position {p}"));
                }
                match &r.team {
                    Some(TeamChoice::Existing(t)) => parts.push(format!("team {t}")),
                    Some(TeamChoice::New(_, n)) => parts.push(format!("new team {n}")),
                    None => {}
                }
                if let Some(m) = &r.manager {
                    parts.push(format!("reports to {}", m.as_str()));
                }
                if let Some(d) = r.since {
                    parts.push(format!("started {}", crate::wording::date(d)));
                }
                (r.line, parts.join("; "))
            })
            .collect()
    }

    pub fn new_teams(&self) -> Vec<(Slug, Name)> {
        let mut out: Vec<(Slug, Name)> = Vec::new();
        for r in &self.rows {
            if let Some(TeamChoice::New(s, n)) = &r.team
                && !out.iter().any(|(x, _)| x == s)
            {
                out.push((s.clone(), n.clone()));
            }
        }
        out
    }
}

/// The plan for `rows` against what the organization has. A manager may
/// be a member or anyone this file brings in, wherever they appear in it.
pub fn plan(rows: &[Row], dir: &Directory) -> Plan {
    let mut out = Plan::default();
    let mut seen: Vec<(&Email, u64)> = Vec::new();
    // First pass: duplicates and positions, so managers can be checked
    // against the rows that will be imported.
    let mut kept: Vec<(&Row, Option<Slug>)> = Vec::new();
    for r in rows {
        if let Some((_, first)) = seen.iter().find(|(e, _)| *e == &r.email) {
            out.refused.push((
                r.line,
                format!("{} is already on line {first}", r.email.as_str()),
            ));
            continue;
        }
        seen.push((&r.email, r.line));
        let position = match &r.job {
            None => None,
            Some((title, level)) => {
                let matches: Vec<&(Slug, String, String)> = dir
                    .positions
                    .iter()
                    .filter(|(_, t, l)| {
                        t.eq_ignore_ascii_case(title)
                            && (level.is_empty() || l.eq_ignore_ascii_case(level))
                    })
                    .collect();
                match matches.as_slice() {
                    [(slug, _, _)] => Some(slug.clone()),
                    [] => {
                        out.refused.push((
                            r.line,
                            if level.is_empty() {
                                format!("no position is titled {title:?}")
                            } else {
                                format!("no position is titled {title:?} at level {level:?}")
                            },
                        ));
                        continue;
                    }
                    _ => {
                        out.refused.push((
                            r.line,
                            format!(
                                "several positions are titled {title:?}: give the Job Title Level"
                            ),
                        ));
                        continue;
                    }
                }
            }
        };
        kept.push((r, position));
    }
    let in_file = |e: &Email| kept.iter().any(|(r, _)| &r.email == e);
    let mut new_teams: Vec<(Slug, Name)> = Vec::new();
    for (r, position) in &kept {
        if let Some(m) = &r.manager {
            if m == &r.email {
                out.refused
                    .push((r.line, "someone cannot report to themselves".into()));
                continue;
            }
            if !dir.members.contains(m) && !in_file(m) {
                out.refused.push((
                    r.line,
                    format!(
                        "the manager {} is neither a member nor in this file",
                        m.as_str()
                    ),
                ));
                continue;
            }
        }
        let team = match &r.department {
            None => None,
            Some(d) => match dir
                .teams
                .iter()
                .find(|(_, n)| n.as_str().eq_ignore_ascii_case(d.as_str()))
            {
                Some((slug, _)) => Some(TeamChoice::Existing(slug.clone())),
                None => match new_teams
                    .iter()
                    .find(|(_, n)| n.as_str().eq_ignore_ascii_case(d.as_str()))
                {
                    Some((s, n)) => Some(TeamChoice::New(s.clone(), n.clone())),
                    None => {
                        let Some(mut slug) = slugify(d.as_str()) else {
                            out.refused.push((
                                r.line,
                                format!("cannot make a team address from {:?}", d.as_str()),
                            ));
                            continue;
                        };
                        // Another team may hold that address under another name.
                        let mut n = 2;
                        while dir
                            .teams
                            .iter()
                            .chain(new_teams.iter())
                            .any(|(s, _)| s == &slug)
                        {
                            match Slug::parse(&format!(
                                "{}-{n}",
                                slugify(d.as_str()).map_or_else(String::new, |s| s.to_string())
                            )) {
                                Ok(s) => slug = s,
                                Err(_) => break,
                            }
                            n += 1;
                        }
                        new_teams.push((slug.clone(), d.clone()));
                        Some(TeamChoice::New(slug, d.clone()))
                    }
                },
            },
        };
        out.rows.push(Planned {
            line: r.line,
            name: r.name.clone(),
            email: r.email.clone(),
            invite: !dir.members.contains(&r.email),
            position: position.clone(),
            team,
            manager: r.manager.clone(),
            since: r.start,
        });
    }
    out.refused.sort_by_key(|(line, _)| *line);
    out
}

#[cfg(test)]
mod tests;

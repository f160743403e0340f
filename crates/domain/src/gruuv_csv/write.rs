//! The framework as OurGruuv's three CSV exports (abilities, assignments
//! for roles, positions), each readable by OurGruuv's upload and by
//! [`super::parse`].

use super::{milestone_cell, requirement_text};
use crate::csv_out::row;
use crate::framework::Framework;

/// The three files.
pub struct Files {
    pub abilities: String,
    pub assignments: String,
    pub positions: String,
}

const ABILITIES: &[&str] = &[
    "Name",
    "Description",
    "Organization",
    "Semantic Version",
    "Assignments",
    "Milestone 1 Description",
    "Milestone 2 Description",
    "Milestone 3 Description",
    "Milestone 4 Description",
    "Milestone 5 Description",
    "Created At",
    "Updated At",
];

const ASSIGNMENTS: &[&str] = &[
    "Assignment ID",
    "Title",
    "Tagline",
    "Department",
    "Positions",
    "Milestones",
    "Outcomes",
    "Required Activities",
    "Handbook",
    "Version",
    "Changes Count",
    "Public URL",
    "Created At",
    "Updated At",
];

const POSITIONS: &[&str] = &[
    "External Title",
    "Level",
    "Company",
    "Department",
    "Semantic Version",
    "Created At",
    "Updated At",
    "Public Position URL",
    "Number of Active Employment Tenures",
    "Assignments",
    "Direct Milestone Requirements",
    "Version Count",
    "Title",
    "Position Summary",
    "Seats",
    "Other Uploads",
];

/// A description split as OurGruuv keeps a role's: the first paragraph
/// (its tagline) and the rest (its handbook).
fn tagline_and_handbook(text: &str) -> (&str, &str) {
    match text.split_once("\n\n") {
        Some((first, rest)) => (first.trim(), rest.trim()),
        None => (text.trim(), ""),
    }
}

/// The three CSVs of `fw`; `base` is the site's address (public URLs).
pub fn write(fw: &Framework, base: &str) -> Files {
    let org = &fw.organization;
    let ability_name = |slug: &crate::framework::Slug| {
        fw.ability(slug)
            .map_or_else(|| slug.to_string(), |a| a.name.to_string())
    };
    let mut abilities = row(ABILITIES);
    for a in &fw.abilities {
        let assignments: Vec<String> = fw
            .roles
            .iter()
            .filter_map(|r| {
                let q = r.requires.iter().find(|q| q.ability == a.slug)?;
                Some(requirement_text(r.name.as_str(), q.level))
            })
            .collect();
        let mut cells = vec![
            a.name.to_string(),
            a.description.as_str().to_owned(),
            a.category
                .as_ref()
                .map_or_else(|| org.name.to_string(), ToString::to_string),
            String::new(),
            assignments.join("\n"),
        ];
        cells.extend(
            a.milestones
                .iter()
                .map(|m| milestone_cell(m.summary.as_str(), &m.examples)),
        );
        cells.extend([String::new(), String::new()]);
        abilities.push_str(&row(&cells));
    }
    let mut assignments = row(ASSIGNMENTS);
    for r in &fw.roles {
        let positions: Vec<String> = fw
            .positions
            .iter()
            .filter_map(|p| {
                let how = if p.required_roles.contains(&r.slug) {
                    "required"
                } else if p.suggested_roles.contains(&r.slug) {
                    "suggested"
                } else {
                    return None;
                };
                Some(format!("{} - {} ({how})", p.title, p.level))
            })
            .collect();
        let requires: Vec<String> = r
            .requires
            .iter()
            .map(|q| requirement_text(&ability_name(&q.ability), q.level))
            .collect();
        let (tagline, handbook) = tagline_and_handbook(r.description.as_str());
        assignments.push_str(&row(&[
            r.slug.to_string(),
            r.name.to_string(),
            tagline.to_owned(),
            String::new(),
            positions.join("\n"),
            requires.join("\n"),
            String::new(),
            String::new(),
            handbook.to_owned(),
            String::new(),
            String::new(),
            format!("{base}/{}/roles/{}", org.slug, r.slug),
            String::new(),
            String::new(),
        ]));
    }
    let mut positions = row(POSITIONS);
    for p in &fw.positions {
        let roles: Vec<String> = p
            .required_roles
            .iter()
            .map(|s| (s, "required"))
            .chain(p.suggested_roles.iter().map(|s| (s, "suggested")))
            .map(|(s, how)| {
                let name = fw
                    .role(s)
                    .map_or_else(|| s.to_string(), |r| r.name.to_string());
                format!("{name} ({how})")
            })
            .collect();
        let requires: Vec<String> = p
            .requires
            .iter()
            .map(|q| requirement_text(&ability_name(&q.ability), q.level))
            .collect();
        positions.push_str(&row(&[
            p.title.to_string(),
            p.level.to_string(),
            org.name.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("{base}/{}/positions/{}", org.slug, p.slug),
            String::new(),
            roles.join("\n"),
            requires.join("\n"),
            String::new(),
            p.title.to_string(),
            p.description.as_str().to_owned(),
            String::new(),
            format!("{} - {}", p.title, p.level),
        ]));
    }
    Files {
        abilities,
        assignments,
        positions,
    }
}

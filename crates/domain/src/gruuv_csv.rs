//! Abilities from a CSV in the columns of OurGruuv's abilities export:
//! `Name`, `Description`, `Milestone 1 Description` … `Milestone 5 Description`.
//! Other columns are ignored; each line of a milestone cell is one example.

use crate::file::{FileProblem, check_example};
use crate::framework::{Ability, Markdown, Milestone, Name, Slug};

/// Reads abilities from CSV text. Problems name the CSV line (1-based,
/// header = line 1) and the column.
pub fn parse(text: &str) -> Result<Vec<Ability>, Vec<FileProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| vec![csv_problem(&e)])?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(name_col) = column("Name") else {
        return Err(vec![problem(1, "the header has no \"Name\" column".into())]);
    };
    let description_col = column("Description");
    let milestone_cols: Vec<Option<usize>> = (1..=5)
        .map(|n| column(&format!("Milestone {n} Description")))
        .collect();

    let mut problems = Vec::new();
    let mut abilities: Vec<Ability> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_problem(&e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("");
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let name = match Name::parse(cell(Some(name_col)), "the Name") {
            Ok(n) => n,
            Err(e) => {
                problems.push(problem(line, e.to_string()));
                continue;
            }
        };
        let Some(slug) = slugify(name.as_str()) else {
            problems.push(problem(
                line,
                format!(
                    "cannot make a slug from the name {:?}: use letters or digits",
                    name.as_str()
                ),
            ));
            continue;
        };
        if abilities.iter().any(|a| a.slug == slug) {
            problems.push(problem(
                line,
                format!("two abilities would share the slug {:?}", slug.as_str()),
            ));
            continue;
        }
        let mut milestones: [Milestone; 5] = Default::default();
        for (n, (milestone, col)) in milestones.iter_mut().zip(&milestone_cols).enumerate() {
            for example in cell(*col)
                .lines()
                .map(clean_example)
                .filter(|l| !l.is_empty())
            {
                match check_example(example) {
                    Ok(e) => milestone.examples.push(e),
                    Err(e) => problems.push(problem(
                        line,
                        format!("Milestone {} Description: {e}", n + 1),
                    )),
                }
            }
        }
        let description = match Markdown::parse(cell(description_col).trim(), "Description") {
            Ok(d) => d,
            Err(e) => {
                problems.push(problem(line, e.to_string()));
                continue;
            }
        };
        abilities.push(Ability {
            slug,
            name,
            category: None,
            description,
            milestones,
        });
    }
    if problems.is_empty() {
        Ok(abilities)
    } else {
        Err(problems)
    }
}

/// A cell line without surrounding space or a leading list bullet.
fn clean_example(line: &str) -> &str {
    let t = line.trim();
    ["- ", "* ", "• "]
        .iter()
        .find_map(|b| t.strip_prefix(b))
        .map_or(t, str::trim)
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

fn problem(line: u64, message: String) -> FileProblem {
    FileProblem {
        line,
        column: 0,
        message,
    }
}

fn csv_problem(e: &csv::Error) -> FileProblem {
    let line = e.position().map_or(0, |p| p.line());
    problem(line, format!("not readable as CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_rules() {
        for (name, expected) in [
            ("Ops Skill", Some("ops-skill")),
            ("  Code & Craft!  ", Some("code-craft")),
            ("C++", Some("c")),
            ("Élan", Some("lan")),
            ("!!!", None),
            ("日本語", None),
        ] {
            assert_eq!(
                slugify(name).as_ref().map(Slug::as_str),
                expected,
                "{name:?}"
            );
        }
        let long = slugify(&"ab ".repeat(40)).expect("slug");
        assert!(long.as_str().len() <= Slug::MAX && !long.as_str().ends_with('-'));
    }

    #[test]
    fn reads_the_gruuv_columns_and_ignores_others() {
        let csv = "Id,Name,Description,Milestone 1 Description,Milestone 2 Description,Milestone 3 Description,Milestone 4 Description,Milestone 5 Description,Owner\n\
                   7,Ops Skill,Depth of the work.,\"- Follows runbooks\n- Asks for help early\",Handles on-call with backup,,,Leads the platform,ana\n";
        let abilities = parse(csv).expect("parses");
        assert_eq!(abilities.len(), 1);
        let a = &abilities[0];
        assert_eq!(a.slug.as_str(), "ops-skill");
        assert_eq!(a.description.as_str(), "Depth of the work.");
        assert_eq!(
            a.milestones[0].examples,
            vec!["Follows runbooks", "Asks for help early"]
        );
        assert_eq!(
            a.milestones[1].examples,
            vec!["Handles on-call with backup"]
        );
        assert!(a.milestones[2].examples.is_empty());
        assert_eq!(a.milestones[4].examples, vec!["Leads the platform"]);
    }

    #[test]
    fn errors_name_the_line() {
        type Case<'a> = (&'a str, &'a str, &'a [&'a str]);
        let cases: &[Case] = &[
            (
                "missing Name column",
                "Title,Description\nX,Y\n",
                &["1:0: the header has no \"Name\" column"],
            ),
            (
                "empty name",
                "Name,Description\nGood,ok\n ,oops\n",
                &["3:0: the Name must not be empty"],
            ),
            (
                "duplicate slug",
                "Name\nOps Skill\nops skill\n",
                &["3:0: two abilities would share the slug \"ops-skill\""],
            ),
            (
                "no slug possible",
                "Name\n???\n",
                &["2:0: cannot make a slug from the name \"???\": use letters or digits"],
            ),
        ];
        for (name, csv, expected) in cases {
            let got: Vec<String> = parse(csv)
                .expect_err(name)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(&got, expected, "{name}");
        }
    }

    #[test]
    fn blank_rows_are_skipped() {
        let abilities = parse("Name,Description\n,\nA,b\n").expect("parses");
        assert_eq!(abilities.len(), 1);
    }
}

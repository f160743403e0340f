//! The history of framework items: snapshots as labelled fields, and
//! readable differences between two snapshots, per field and per line.

use serde::{Deserialize, Serialize};

use crate::framework::{Ability, Level, MilesRule, Position, Requirement, Role};

/// An item as a list of (field label, text), in display order. Stored as
/// JSON with each history entry; labels are stable across versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot(pub Vec<(String, String)>);

fn requires(list: &[Requirement]) -> String {
    list.iter()
        .map(|r| format!("{}: milestone {}+", r.ability, r.level))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn ability(a: &Ability) -> Snapshot {
    let mut fields = vec![
        ("Name".to_owned(), a.name.to_string()),
        (
            "Category".to_owned(),
            a.category
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        ("Description".to_owned(), a.description.as_str().to_owned()),
    ];
    for level in Level::ALL {
        let m = a.milestone(level);
        fields.push((
            format!("Milestone {level} summary"),
            m.summary.as_str().to_owned(),
        ));
        fields.push((format!("Milestone {level} examples"), m.examples.join("\n")));
    }
    Snapshot(fields)
}

pub fn role(r: &Role) -> Snapshot {
    Snapshot(vec![
        ("Name".into(), r.name.to_string()),
        ("Plural".into(), r.plural.to_string()),
        ("Description".into(), r.description.as_str().to_owned()),
        ("Requirements".into(), requires(&r.requires)),
    ])
}

pub fn position(p: &Position) -> Snapshot {
    let list = |v: &[crate::Slug]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let miles = match p.miles {
        MilesRule::Required => "the required milestones' miles".to_owned(),
        MilesRule::OverRequiredPercent(n) => format!("{n}% over the required milestones' miles"),
        MilesRule::AtLeast(n) => format!("at least {n} miles"),
        MilesRule::Band { at_least, below } => {
            format!("a band: at least {at_least} and fewer than {below} miles")
        }
    };
    Snapshot(vec![
        ("Title".into(), p.title.to_string()),
        ("Plural".into(), p.plural.to_string()),
        ("Level".into(), p.level.to_string()),
        ("Description".into(), p.description.as_str().to_owned()),
        ("Required roles".into(), list(&p.required_roles)),
        ("Suggested roles".into(), list(&p.suggested_roles)),
        ("Requirements".into(), requires(&p.requires)),
        ("Miles".into(), miles),
    ])
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Same(String),
    Removed(String),
    Added(String),
}

/// One field that differs between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub label: String,
    pub lines: Vec<Line>,
}

/// The fields that changed, in the newer snapshot's order (then fields
/// only the older one had), each as a line diff.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<FieldChange> {
    let get = |s: &Snapshot, label: &str| {
        s.0.iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut labels: Vec<&String> = after.0.iter().map(|(l, _)| l).collect();
    labels.extend(
        before
            .0
            .iter()
            .map(|(l, _)| l)
            .filter(|l| !after.0.iter().any(|(a, _)| a == *l)),
    );
    labels
        .into_iter()
        .filter_map(|label| {
            let (old, new) = (get(before, label), get(after, label));
            (old != new).then(|| FieldChange {
                label: label.clone(),
                lines: line_diff(&old, &new),
            })
        })
        .collect()
}

/// A longest-common-subsequence diff of lines. Fields are short (a
/// description, a list of examples), so the quadratic table is fine.
pub fn line_diff(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = if old.is_empty() {
        vec![]
    } else {
        old.lines().collect()
    };
    let b: Vec<&str> = if new.is_empty() {
        vec![]
    } else {
        new.lines().collect()
    };
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Line::Same(a[i].to_owned()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(Line::Removed(a[i].to_owned()));
            i += 1;
        } else {
            out.push(Line::Added(b[j].to_owned()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| Line::Removed((*l).to_owned())));
    out.extend(b[j..].iter().map(|l| Line::Added((*l).to_owned())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(fields: &[(&str, &str)]) -> Snapshot {
        Snapshot(
            fields
                .iter()
                .map(|(l, v)| ((*l).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn only_changed_fields_are_reported() {
        let before = snap(&[("Name", "Ops"), ("Description", "a\nb\nc"), ("Gone", "x")]);
        let after = snap(&[("Name", "Ops"), ("Description", "a\nB\nc\nd"), ("New", "y")]);
        let changes = diff(&before, &after);
        let labels: Vec<&str> = changes.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, vec!["Description", "New", "Gone"]);
        assert_eq!(
            changes[0].lines,
            vec![
                Line::Same("a".into()),
                Line::Removed("b".into()),
                Line::Added("B".into()),
                Line::Same("c".into()),
                Line::Added("d".into())
            ]
        );
        assert_eq!(changes[1].lines, vec![Line::Added("y".into())]);
        assert_eq!(changes[2].lines, vec![Line::Removed("x".into())]);
        assert!(diff(&before, &before).is_empty());
    }

    #[test]
    fn line_diff_cases() {
        type Case<'a> = (&'a str, &'a str, &'a str, &'a [&'a str]);
        let cases: &[Case] = &[
            ("nothing to something", "", "a", &["+a"]),
            ("something to nothing", "a", "", &["-a"]),
            ("unchanged", "a\nb", "a\nb", &[" a", " b"]),
            (
                "insert in the middle",
                "a\nc",
                "a\nb\nc",
                &[" a", "+b", " c"],
            ),
            ("reorder", "a\nb", "b\na", &["-a", " b", "+a"]),
        ];
        for (name, old, new, expected) in cases {
            let got: Vec<String> = line_diff(old, new)
                .into_iter()
                .map(|l| match l {
                    Line::Same(s) => format!(" {s}"),
                    Line::Removed(s) => format!("-{s}"),
                    Line::Added(s) => format!("+{s}"),
                })
                .collect();
            assert_eq!(&got, expected, "{name}");
        }
    }

    #[test]
    fn ability_snapshots_have_a_field_per_milestone() {
        let a = crate::file::parse(include_str!("../../../demo/fernhill.yaml"))
            .expect("demo")
            .abilities
            .remove(0);
        let s = ability(&a);
        assert_eq!(s.0.len(), 3 + 10);
        assert_eq!(s.0[3].0, "Milestone 1 summary");
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(serde_json::from_str::<Snapshot>(&json).expect("back"), s);
    }
}

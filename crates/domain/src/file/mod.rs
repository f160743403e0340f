//! The framework file (`format: cairn/1`), YAML or JSON: parsing with
//! locations, validation into a [`Framework`], and writing it back.
//!
//! JSON is read by the YAML parser too (JSON is YAML's flow syntax), so both
//! formats report problems at a line and column. Every problem found is
//! reported, not only the first, so a broken file is fixed in one pass.
//!
//! [`read`] parses and validates a file (every problem with its line and
//! column); [`write`] writes one that reads back the same.

use std::fmt;

mod read;
mod write;

pub use read::{Contents, check_example, parse, read};
pub use write::{WriteError, write, write_version};

pub const FORMAT: &str = "cairn/1";

/// One thing wrong with a file, where it is and which rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// 1-based; 0 when the location is unknown.
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The output format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::*;

    const DEMO: &str = include_str!("../../../../demo/fernhill.yaml");

    /// A small valid file; cases below break one thing in it at a time.
    const BASE: &str = "\
format: cairn/1
organization:
  slug: acme
  name: Acme
abilities:
  - slug: ops
    name: Ops
    milestones:
      - summary: one
      - summary: two
      - summary: three
      - summary: four
      - summary: five
roles:
  - slug: ops-engineer
    name: Ops Engineer
    requires: { ops: 1 }
positions:
  - slug: senior
    title: Senior Ops Engineer
    level: \"3.1\"
    roles: { required: [ops-engineer] }
    requires: { ops: 3 }
";

    fn round_trip(text: &str, format: Format) -> String {
        let first = parse(text).expect("first parse");
        let exported = write(&first, format).expect("write");
        let second = parse(&exported).expect("re-parse of export");
        assert_eq!(first, second, "import of the export is the same framework");
        let again = write(&second, format).expect("write again");
        assert_eq!(exported, again, "export → import → export is identical");
        exported
    }

    #[test]
    fn demo_round_trips_in_both_formats() {
        let yaml = round_trip(DEMO, Format::Yaml);
        let json = round_trip(DEMO, Format::Json);
        // Both formats describe the same framework.
        assert_eq!(parse(&yaml).expect("yaml"), parse(&json).expect("json"));
        let demo = parse(DEMO).expect("demo");
        assert_eq!(demo.abilities.len(), 8);
        assert_eq!(demo.roles.len(), 4);
        assert_eq!(demo.positions.len(), 4);
    }

    #[test]
    fn edge_cases_round_trip() {
        let long =
            "Paragraph with **bold**, `code` and a [link](https://example.com).\n\n".repeat(200);
        let edge = format!(
            "format: cairn/1
organization: {{ slug: zz, name: \"Zoë & Søren's «Team» 🚀\", miles: [2, 5, 9, 14, 30] }}
abilities:
  - slug: u
    name: \"Ünïcödé: 日本語 ✨\"
    category: \"Ça va\"
    description: {long:?}
    milestones:
      - {{ summary: \"\", examples: [] }}
      - {{ examples: [\"quotes \\\"double\\\" and 'single'\", \"a | pipe | table\", \"<script>alert(1)</script>\", \"- looks like a list\", \"# not a heading\", \"123\", \"yes\", \"  leading spaces\", \"emoji 🎉 and tab\\there\"] }}
      - {{ summary: \"trailing newline\\n\" }}
      - {{ summary: \"three\\nlines\\nhere\" }}
      - {{ summary: \"a: colon\" }}
roles:
  - {{ slug: r, name: Person, plural: People, requires: {{}} }}
  - {{ slug: r2, name: Ops Engineer, requires: {{ u: 5 }} }}
positions:
  - {{ slug: p, title: P, level: \"1\", miles: {{ at_least: 0 }} }}
  - {{ slug: p2, title: P2, plural: Pilots Two, level: \"1\", roles: {{ required: [r2], suggested: [r] }}, miles: {{ over_required_percent: 15 }} }}
"
        );
        for format in [Format::Yaml, Format::Json] {
            let out = round_trip(&edge, format);
            let f = parse(&out).expect("parse");
            assert_eq!(f.organization.name.as_str(), "Zoë & Søren's «Team» 🚀");
            assert!(
                f.abilities[0].description.as_str() == long.trim_end(),
                "long markdown kept, trailing space trimmed"
            );
            assert_eq!(
                f.abilities[0].milestones[1].examples[0],
                "quotes \"double\" and 'single'"
            );
            assert_eq!(f.abilities[0].milestones[1].examples[7], "  leading spaces");
            assert_eq!(f.roles[0].plural.as_str(), "People");
            assert_eq!(f.roles[1].plural.as_str(), "Ops Engineers");
            assert_eq!(f.positions[0].plural.as_str(), "Ps");
            assert_eq!(f.positions[1].plural.as_str(), "Pilots Two");
            assert_eq!(f.positions[0].miles, MilesRule::AtLeast(0));
        }
    }

    #[test]
    fn broken_files_report_every_problem_with_its_location() {
        type Case<'a> = (&'a str, &'a str, &'a str, &'a [&'a str]);
        let cases: &[Case] = &[
            (
                "unknown ability in a role",
                "requires: { ops: 1 }",
                "requires: { opz: 1 }",
                &["17:17: unknown ability \"opz\" in a requirement"],
            ),
            (
                "unknown ability in a position",
                "requires: { ops: 3 }",
                "requires: { ops: 3, nope: 2 }",
                &["23:25: unknown ability \"nope\" in a requirement"],
            ),
            (
                "unknown role in a position",
                "required: [ops-engineer]",
                "required: [ghost]",
                &["22:25: unknown role \"ghost\" in required roles"],
            ),
            (
                "level out of range",
                "requires: { ops: 1 }",
                "requires: { ops: 6 }",
                &["17:22: a milestone is a whole number from 1 to 5 (got 6)"],
            ),
            (
                "four milestones",
                "      - summary: five\n",
                "",
                &["9:7: an ability has exactly five milestones (got 4)"],
            ),
            (
                "decreasing miles",
                "  name: Acme\n",
                "  name: Acme\n  miles: [1, 3, 6, 20, 12]\n",
                &["5:10: miles increase strictly from milestone 1 to 5 (20 is followed by 12)"],
            ),
            (
                "four miles",
                "  name: Acme\n",
                "  name: Acme\n  miles: [1, 3, 6, 12]\n",
                &["5:10: the miles scale has exactly five values (got 4)"],
            ),
            (
                "reserved slug",
                "slug: acme",
                "slug: admin",
                &["3:9: \"admin\" is a reserved word and cannot be an organization slug"],
            ),
            (
                "bad ability slug",
                "slug: ops\n",
                "slug: Ops Skill\n",
                &[
                    "6:11: a slug uses only lowercase letters, digits and hyphens, and starts and ends with a letter or digit (got \"Ops Skill\")",
                    "17:17: unknown ability \"ops\" in a requirement",
                    "23:17: unknown ability \"ops\" in a requirement",
                ],
            ),
            (
                "empty name",
                "name: Ops\n",
                "name: \"  \"\n",
                &["7:11: an ability name must not be empty"],
            ),
            (
                "wrong format",
                "format: cairn/1",
                "format: cairn/2",
                &["1:9: format must be \"cairn/1\" (got \"cairn/2\")"],
            ),
            (
                "unknown field",
                "    name: Ops\n",
                "    name: Ops\n    colour: red\n",
                &[
                    "8:5: unknown field `colour`, expected one of slug, name, category, description, milestones",
                ],
            ),
            (
                "both miles rules",
                "requires: { ops: 3 }\n",
                "requires: { ops: 3 }\n    miles: { at_least: 4, over_required_percent: 5 }\n",
                &[
                    "24:12: a position's miles give exactly one of over_required_percent or at_least (a band: at_least and below)",
                ],
            ),
            (
                "a band that ends where it starts",
                "requires: { ops: 3 }\n",
                "requires: { ops: 3 }\n    miles: { at_least: 4, below: 4 }\n",
                &["24:34: a miles band's below (4) must be more than its at_least (4)"],
            ),
            (
                "a band on a percentage",
                "requires: { ops: 3 }\n",
                "requires: { ops: 3 }\n    miles: { over_required_percent: 5, below: 40 }\n",
                &[
                    "24:12: a position's miles give exactly one of over_required_percent or at_least (a band: at_least and below)",
                ],
            ),
            (
                "negative miles",
                "requires: { ops: 3 }\n",
                "requires: { ops: 3 }\n    miles: { at_least: -4 }\n",
                &["24:24: miles are whole numbers from 0 to 4294967295 (got -4)"],
            ),
            (
                "multi-line example",
                "      - summary: one\n",
                "      - summary: one\n        examples: [\"a\\nb\"]\n",
                &["10:20: an example is a single line"],
            ),
            (
                "wrong type",
                "    name: Ops\n",
                "    name: [Ops]\n",
                &["7:11: expected string scalar"],
            ),
            (
                "syntax error",
                "    name: Ops\n",
                "    name: \"Ops\n",
                &["21:13: invalid trailing content after double-quoted scalar"],
            ),
            (
                "NUL in a summary",
                "      - summary: two\n",
                "      - summary: \"t\\0wo\"\n",
                &[
                    "10:18: a milestone summary must not contain control characters (such as NUL); only line breaks and tabs",
                ],
            ),
            (
                "a zero-width space in a name",
                "    name: Ops\n",
                "    name: \"O\\u200Bps\"\n",
                &[
                    "7:11: an ability name must not contain control, text-direction or zero-width characters",
                ],
            ),
            (
                "an unknown licence",
                "format: cairn/1\n",
                "format: cairn/1\nlicence: CC-BY-NC-4.0\n",
                &[
                    "2:10: unknown licence \"CC-BY-NC-4.0\": use one of none, CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0",
                ],
            ),
            (
                "version zero",
                "format: cairn/1\n",
                "format: cairn/1\nversion: 0\n",
                &["2:10: version is a published version's number: 1 or more"],
            ),
            (
                "an empty position plural",
                "    title: Senior Ops Engineer\n",
                "    title: Senior Ops Engineer\n    plural: \"\"\n",
                &["21:13: a position's plural must not be empty"],
            ),
        ];
        let mut mismatches = Vec::new();
        for (name, from, to, expected) in cases {
            assert!(BASE.contains(from), "{name}: base contains {from:?}");
            let text = BASE.replacen(from, to, 1);
            let problems = parse(&text).expect_err(name);
            let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
            if &got != expected {
                mismatches.push(format!("{name}: got {got:?}"));
            }
        }
        assert!(mismatches.is_empty(), "{mismatches:#?}");
        assert!(parse(BASE).is_ok());
    }

    #[test]
    fn licence_and_version_round_trip_and_are_left_out_when_absent() {
        for format in [Format::Yaml, Format::Json] {
            let plain = round_trip(BASE, format);
            assert!(
                !plain.contains("licence")
                    && !plain.contains("version")
                    && !plain.contains("attribution"),
                "{plain}"
            );
            // A fork's attribution travels with its file.
            let credited = BASE.replacen(
                "format: cairn/1\n",
                "format: cairn/1\nattribution: \"Adapted from Up's framework (https://up.example/up), CC BY 4.0\"\n",
                1,
            );
            let fw = parse(&credited).expect("parses");
            assert_eq!(
                fw.organization.attribution,
                "Adapted from Up's framework (https://up.example/up), CC BY 4.0"
            );
            let out = write(&fw, format).expect("writes");
            assert_eq!(parse(&out).expect("reads back"), fw, "{format:?}");
            for licence in crate::licence::Licence::ALL {
                let text = BASE.replacen(
                    "format: cairn/1\n",
                    &format!(
                        "format: cairn/1\nversion: 7\nlicence: {}\n",
                        licence.as_str()
                    ),
                    1,
                );
                let contents = read(&text).expect("reads");
                assert_eq!(contents.version, Some(7));
                assert_eq!(contents.framework.organization.licence, licence);
                let out =
                    write_version(&contents.framework, format, contents.version).expect("writes");
                assert_eq!(
                    read(&out).expect("reads back"),
                    contents,
                    "{licence:?} {format:?}"
                );
            }
        }
    }

    #[test]
    fn duplicate_slugs_name_the_first_definition() {
        let text = BASE.replacen(
            "roles:\n",
            "roles:\n  - { slug: ops-engineer, name: Again }\n",
            1,
        );
        let problems = parse(&text).expect_err("duplicate");
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["16:11: duplicate role slug \"ops-engineer\" (first defined on line 15)"]
        );
    }

    #[test]
    fn json_reports_locations_too() {
        let json = write(&parse(BASE).expect("base"), Format::Json).expect("json");
        let broken = json.replacen("\"ops\": 1", "\"opz\": 1", 1);
        let problems = parse(&broken).expect_err("broken json");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].line > 1 && problems[0].column > 1,
            "{:?}",
            problems[0]
        );
        assert!(problems[0].message.contains("unknown ability \"opz\""));
    }

    #[test]
    fn miles_default_when_absent_and_custom_scale_is_kept() {
        let f = parse(BASE).expect("base");
        assert_eq!(f.organization.miles, MilesScale::default());
        let custom = parse(&BASE.replacen(
            "  name: Acme\n",
            "  name: Acme\n  miles: [2, 4, 8, 16, 32]\n",
            1,
        ))
        .expect("custom");
        assert_eq!(custom.organization.miles.values(), [2, 4, 8, 16, 32]);
    }
}

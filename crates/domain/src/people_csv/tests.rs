use super::*;

/// OurGruuv's columns, plus one it has that cairn ignores; a quoted comma,
/// a manager who appears later in the file, an unknown job title and a
/// duplicate email.
const FILE: &str =
    "Name,Preferred Name,Email,Start Date,Department,Manager Email,Job Title,Job Title Level,Phone
Robert Smith,Bob,bob@acme.test,2023-01-15,\"Platform, Infra\",ann@acme.test,Engineer,2,555
Ann Lee,,ann@acme.test,3/1/2022,\"Platform, Infra\",,Senior Engineer,3,
Cy Doe,,cy@acme.test,,Product,ann@acme.test,Astronaut,9,
Bob Again,,BOB@acme.test,,,,,,
Dee Roe,,dee@acme.test,,,ghost@acme.test,,,
Eve Known,,eve@acme.test,,Product,,Engineer,,
";

fn dir() -> Directory {
    let slug = |s: &str| Slug::parse(s).expect("slug");
    Directory {
        members: vec![Email::parse("eve@acme.test").expect("email")],
        positions: vec![
            (slug("engineer-2"), "Engineer".into(), "2".into()),
            (
                slug("senior-engineer"),
                "Senior Engineer".into(),
                "3".into(),
            ),
        ],
        teams: vec![(slug("product"), Name::parse("Product", "n").expect("name"))],
    }
}

#[test]
fn a_file_in_ourgruuvs_columns_becomes_a_plan() {
    let rows = parse(FILE).expect("parses");
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0].name.as_str(), "Bob", "the preferred name wins");
    assert_eq!(
        rows[0].department.as_ref().map(|d| d.as_str()),
        Some("Platform, Infra")
    );
    assert_eq!(rows[1].start, crate::wording::parse_date("2022-03-01"));
    let p = plan(&rows, &dir());
    assert_eq!(
        p.refused,
        [
            (
                4,
                "no position is titled \"Astronaut\" at level \"9\"".to_owned()
            ),
            (5, "bob@acme.test is already on line 2".to_owned()),
            (
                6,
                "the manager ghost@acme.test is neither a member nor in this file".to_owned()
            ),
        ]
    );
    let lines: Vec<String> = p
        .rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {:?} {:?} {:?}",
                r.line,
                r.email.as_str(),
                if r.invite { "invite" } else { "member" },
                r.position.as_ref().map(|s| s.as_str().to_owned()),
                r.team.as_ref().map(|t| match t {
                    TeamChoice::Existing(s) => format!("team {s}"),
                    TeamChoice::New(s, n) => format!("new team {s} ({n})"),
                }),
                r.manager.as_ref().map(|m| m.as_str().to_owned()),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "2 bob@acme.test invite Some(\"engineer-2\") Some(\"new team platform-infra (Platform, Infra)\") Some(\"ann@acme.test\")",
            "3 ann@acme.test invite Some(\"senior-engineer\") Some(\"new team platform-infra (Platform, Infra)\") None",
            "7 eve@acme.test member Some(\"engineer-2\") Some(\"team product\") None",
        ]
    );
    assert_eq!(p.new_teams().len(), 1);
}

#[test]
fn a_file_that_is_not_people_is_refused_whole_with_every_line() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &[&str])] = &[
        ("no email column", "Name,Phone\nAnn,1\n", &["1:0: the header has no \"Email\" column"]),
        ("no name column", "Email\nann@acme.test\n", &["1:0: the header has no \"Name\" column"]),
        ("a bad address and a bad date",
         "Name,Email,Start Date\nAnn,not-an-email,2023-01-01\nCy,cy@acme.test,31/31/2023\n",
         &["2:0: Email: ", "3:0: Start Date \"31/31/2023\" is not a date (YYYY-MM-DD or M/D/YYYY)"]),
        ("a bad manager address", "Name,Email,Manager Email\nAnn,ann@acme.test,boss\n", &["2:0: Manager Email: "]),
    ];
    for (name, text, expected) in cases {
        let problems = parse(text).expect_err(name);
        let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), expected.len(), "{name}: {got:?}");
        for (g, e) in got.iter().zip(expected.iter()) {
            assert!(g.starts_with(e), "{name}: {g:?} should start with {e:?}");
        }
    }
    // Blank lines are skipped, not refused.
    assert_eq!(
        parse("Name,Email\n\n,\nAnn,ann@acme.test\n")
            .expect("parses")
            .len(),
        1
    );
}

#[test]
fn ambiguous_and_self_managed_rows_are_refused() {
    let mut d = dir();
    d.positions.push((
        Slug::parse("engineer-3").expect("slug"),
        "Engineer".into(),
        "3".into(),
    ));
    let rows =
        parse("Name,Email,Job Title,Manager Email\nA,a@x.test,Engineer,\nB,b@x.test,,b@x.test\n")
            .expect("parses");
    let p = plan(&rows, &d);
    assert_eq!(
        p.refused,
        [
            (
                2,
                "several positions are titled \"Engineer\": give the Job Title Level".to_owned()
            ),
            (3, "someone cannot report to themselves".to_owned()),
        ]
    );
    assert!(p.rows.is_empty());
}

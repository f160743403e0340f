use super::*;
use crate::framework::{Framework, Markdown};

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

const OURGRUUV_CELL: &str = "Handles most incidents in their area alone.\n\n-----\n\n##### Examples\n\n| Example | Where |\n| --- | --- |\n| Restores checkout | Payments |\n| Writes the review \\| and the follow-ups | |\n\nThese are not a checklist: use them to calibrate.";

#[test]
#[rustfmt::skip]
fn milestone_cells_read_as_summary_and_examples() {
    let s = |t: &str| Some(t.to_owned());
    let e = |list: &[&str]| Some(list.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>());
    let cases: &[(&str, &str, CellMilestone)] = &[
        ("OurGruuv's paragraph, rule, heading, table and note", OURGRUUV_CELL,
         CellMilestone { summary: s("Handles most incidents in their area alone."), examples: e(&["Restores checkout", "Payments", "Writes the review | and the follow-ups"]) }),
        ("a paragraph only", "Owns a system\nend to end.", CellMilestone { summary: s("Owns a system\nend to end."), examples: None }),
        ("bullets only", "- Follows runbooks\n* Asks early", CellMilestone { summary: None, examples: e(&["Follows runbooks", "Asks early"]) }),
        ("a paragraph and bullets", "Helps.\n- Pairs", CellMilestone { summary: s("Helps."), examples: e(&["Pairs"]) }),
        ("a table without a summary", "##### Examples\n\n| Example |\n| --- |\n| One |\n\nnote", CellMilestone { summary: None, examples: e(&["One"]) }),
        ("empty", "", CellMilestone::default()),
        ("white space", "  \n ", CellMilestone::default()),
        ("a rule and nothing after", "Summary\n-----", CellMilestone { summary: s("Summary"), examples: None }),
        ("two tables, each with its header", "S\n-----\n| H |\n|---|\n| a |\n\n| H2 |\n|---|\n| b |", CellMilestone { summary: s("S"), examples: e(&["a", "b"]) }),
    ];
    for (name, cell, want) in cases {
        assert_eq!(&milestone(cell), want, "{name}");
    }
}

#[test]
fn written_cells_read_back() {
    for (summary, examples) in [
        ("Leads.", vec!["One".to_owned(), "Two | three".to_owned()]),
        ("", vec!["Only an example".to_owned()]),
        ("Only a summary.", vec![]),
        ("", vec![]),
    ] {
        let got = milestone(&milestone_cell(summary, &examples));
        assert_eq!(got.summary.unwrap_or_default(), summary);
        assert_eq!(got.examples.unwrap_or_default(), examples);
    }
}

fn demo() -> Framework {
    crate::file::parse(include_str!("../../../../demo/fernhill.yaml")).expect("demo")
}

fn empty_like(fw: &Framework) -> Framework {
    Framework {
        organization: fw.organization.clone(),
        abilities: vec![],
        roles: vec![],
        positions: vec![],
    }
}

#[test]
fn the_exports_read_back_into_the_framework_they_came_from_unchanged() {
    let fw = demo();
    let files = write(&fw, "https://cairn.example");
    // Into the framework itself: nothing changes (names find the items).
    let same = merge(&fw, &parse(&files.abilities).expect("abilities")).expect("merge");
    let same = merge(&same, &parse(&files.assignments).expect("assignments")).expect("merge");
    assert!(same == fw, "importing its own export changes nothing");
    // Into an empty organization: the same abilities (slugs from their
    // names), roles with their requirements, positions holding the roles.
    let step1 = merge(
        &empty_like(&fw),
        &parse(&files.abilities).expect("abilities"),
    )
    .expect("merge");
    let back = merge(&step1, &parse(&files.assignments).expect("assignments")).expect("merge");
    assert_eq!(back.abilities.len(), fw.abilities.len());
    for (got, want) in back.abilities.iter().zip(&fw.abilities) {
        assert_eq!(
            (&got.name, &got.category, &got.description),
            (&want.name, &want.category, &want.description)
        );
        assert!(
            got.milestones == want.milestones,
            "{} milestones",
            want.name
        );
    }
    let name_of = |f: &Framework, s: &Slug| f.ability(s).map(|a| a.name.to_string());
    for role in &fw.roles {
        let got = back
            .roles
            .iter()
            .find(|r| r.name == role.name)
            .expect("role");
        assert_eq!(got.description, role.description, "{}", role.name);
        let mut want: Vec<_> = role
            .requires
            .iter()
            .map(|r| (name_of(&fw, &r.ability), r.level))
            .collect();
        let mut have: Vec<_> = got
            .requires
            .iter()
            .map(|r| (name_of(&back, &r.ability), r.level))
            .collect();
        want.sort();
        have.sort();
        assert_eq!(have, want, "{}", role.name);
    }
    for p in &fw.positions {
        let got = back
            .positions
            .iter()
            .find(|q| q.title == p.title && q.level == p.level)
            .expect("position made from the assignments");
        assert_eq!(
            got.required_roles.len(),
            p.required_roles.len(),
            "{}",
            p.title
        );
    }
    assert!(files.positions.starts_with("External Title,Level,Company,"));
    assert!(files.positions.contains("Senior Engineer,3,Fernhill,"));
}

#[test]
fn reimporting_keeps_what_was_edited_in_cairn_and_the_file_does_not_carry() {
    let mut fw = demo();
    let csv = "Name,Description,Organization,Assignments,Milestone 1 Description,Milestone 2 Description\n\
               Mentoring,,Fernhill,Mentor - Milestone 3,\"- Pairs with a new joiner\",\n";
    fw.abilities
        .iter_mut()
        .find(|a| a.slug.as_str() == "mentoring")
        .expect("mentoring")
        .milestones[0]
        .summary = Markdown::new("Edited in cairn.");
    let merged = merge(&fw, &parse(csv).expect("parse")).expect("merge");
    let m = merged
        .abilities
        .iter()
        .find(|a| a.slug.as_str() == "mentoring")
        .expect("mentoring");
    let before = fw
        .abilities
        .iter()
        .find(|a| a.slug.as_str() == "mentoring")
        .expect("mentoring");
    assert_eq!(
        m.milestones[0].summary.as_str(),
        "Edited in cairn.",
        "no summary in the cell: kept"
    );
    assert_eq!(
        m.milestones[0].examples,
        ["Pairs with a new joiner"],
        "examples in the cell: replaced"
    );
    assert_eq!(
        m.milestones[1], before.milestones[1],
        "an empty cell keeps the milestone"
    );
    assert_eq!(
        m.description, before.description,
        "an empty description is kept"
    );
    assert_eq!(m.category, None, "the organization's own name: no category");
    let mentor = merged
        .roles
        .iter()
        .find(|r| r.slug.as_str() == "mentor")
        .expect("mentor");
    assert_eq!(
        mentor
            .requires
            .iter()
            .find(|r| r.ability.as_str() == "mentoring")
            .map(|r| r.level.get()),
        Some(3)
    );
    // Importing the same file again changes nothing more.
    assert_eq!(
        merge(&merged, &parse(csv).expect("parse")).expect("merge"),
        merged
    );
}

#[test]
fn problems_name_the_line_and_column() {
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
            &["3:1: the Name must not be empty"],
        ),
        (
            "duplicate slug",
            "Name\nOps Skill\nops skill\n",
            &["3:1: two lines would share the slug \"ops-skill\""],
        ),
        (
            "no slug possible",
            "Name\n???\n",
            &["2:1: cannot make a slug from the name \"???\": use letters or digits"],
        ),
        (
            "a bad assignment line",
            "Name,Assignments\nOps,Mentor at 3\n",
            &["2:2: \"Mentor at 3\" is not \"<assignment> - Milestone N\""],
        ),
        (
            "a level out of range",
            "Name,Assignments\nOps,Mentor - Milestone 7\n",
            &["2:2: \"Mentor - Milestone 7\": a milestone is a whole number from 1 to 5 (got 7)"],
        ),
        (
            "assignments without a Title",
            "Assignment ID,Name\n1,x\n",
            &["1:0: the header has no \"Title\" column"],
        ),
        (
            "a bad position line",
            "Assignment ID,Title,Positions\n1,Mentor,Nowhere\n",
            &["2:3: \"Nowhere\" is not \"<title> - <level> (required|suggested)\""],
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
    // An assignment requiring an ability nobody has: at the Milestones cell.
    let csv = "Assignment ID,Title,Tagline,Department,Positions,Milestones\n7,Mentor,,,,Juggling - Milestone 2\n";
    let got: Vec<String> = merge(&demo(), &parse(csv).expect("parse"))
        .expect_err("unknown ability")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        got,
        ["2:6: no ability is named \"Juggling\": import the abilities CSV first"]
    );
}

#[test]
fn an_assignments_file_makes_roles_and_places_them_in_positions() {
    let csv = "Assignment ID,Title,Tagline,Department,Positions,Milestones,Outcomes,Required Activities,Handbook\n\
               12,Incident Commander,Runs major incidents.,Ops,\"Staff Engineer - 4 (required, 20%-40%)\nSenior Engineer - 3 (suggested)\nSRE - 2 (required)\",\"Incident Response - Milestone 4\nwritten communication - Milestone 3\",Fewer outages,,How we run them.\n";
    let merged = merge(&demo(), &parse(csv).expect("parse")).expect("merge");
    let role = merged
        .roles
        .iter()
        .find(|r| r.slug.as_str() == "incident-commander")
        .expect("role");
    assert_eq!(
        role.description.as_str(),
        "Runs major incidents.\n\nHow we run them."
    );
    let req: Vec<(&str, u8)> = role
        .requires
        .iter()
        .map(|r| (r.ability.as_str(), r.level.get()))
        .collect();
    assert_eq!(
        req,
        [("incident-response", 4), ("written-communication", 3)]
    );
    let staff = merged
        .positions
        .iter()
        .find(|p| p.slug.as_str() == "staff-engineer")
        .expect("staff");
    assert!(staff.required_roles.contains(&role.slug));
    let senior = merged
        .positions
        .iter()
        .find(|p| p.slug.as_str() == "senior-engineer")
        .expect("senior");
    assert!(senior.suggested_roles.contains(&role.slug));
    let sre = merged
        .positions
        .iter()
        .find(|p| p.title.as_str() == "SRE")
        .expect("a new position");
    assert_eq!((sre.slug.as_str(), sre.level.as_str()), ("sre-2", "2"));
    assert_eq!(sre.required_roles, std::slice::from_ref(&role.slug));
}

#[test]
fn blank_rows_are_skipped() {
    match parse("Name,Description\n,\nA,b\n").expect("parses") {
        Parsed::Abilities(rows) => assert_eq!(rows.len(), 1),
        Parsed::Assignments(_) => panic!("abilities"),
    }
}

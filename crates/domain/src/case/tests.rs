use super::*;
use crate::file;

/// As the store writes ids (simple form).
const ORG: &str = "01936f2e8b7a7c3d9e4f0a1b2c3d4e5f";

fn demo() -> crate::Framework {
    file::parse(include_str!("../../../../demo/fernhill.yaml")).expect("demo parses")
}

fn ctx(version: Option<i64>, pinned: bool) -> Context<'static> {
    Context {
        base: "https://cairn.example",
        org_id: ORG,
        version,
        pinned,
        changed_at: 1_795_941_303_000,
    }
}

fn is_case_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && s.chars().enumerate().all(|(i, c)| {
            [8, 13, 18, 23].contains(&i) || c.is_ascii_digit() || ('a'..='f').contains(&c)
        })
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

#[test]
fn identifiers_are_stable_case_uuids_that_name_their_organization() {
    type Case = (&'static str, &'static str, &'static str);
    let cases: &[Case] = &[
        ("same key twice", "ability/mentoring", "ability/mentoring"),
        (
            "another key",
            "ability/mentoring",
            "ability/incident-response",
        ),
        ("another kind", "ability/x", "role/x"),
    ];
    for (name, a, b) in cases {
        let (x, y) = (identifier(ORG, a), identifier(ORG, b));
        assert!(is_case_uuid(&x) && is_case_uuid(&y), "{name}: {x} {y}");
        assert_eq!(x == y, a == b, "{name}");
        assert_eq!(org_prefix(&x).as_deref(), Some(&ORG[..16]), "{name}");
    }
    let other = "01936f2e8b7a7c3d9e4fffffffffffff";
    assert_ne!(identifier(ORG, "ability/x"), identifier(other, "ability/x"));
    assert_eq!(
        document_identifier(ORG),
        "01936f2e-8b7a-7c3d-9e4f-0a1b2c3d4e5f"
    );
    assert_eq!(
        document_identifier("01936f2e-8b7a-7c3d-9e4f-0a1b2c3d4e5f"),
        document_identifier(ORG)
    );
    assert!(is_case_uuid(&document_identifier("not-a-uuid")));
    assert_ne!(version_identifier(ORG, 1), version_identifier(ORG, 2));
    for bad in [
        "",
        "xyz",
        "01936f2e-8b7a-7c3d-9e4f",
        "01936f2e8b7a7c3d9e4f0a1b2c3d4e5",
        "0193-6f2e8b7a7c3d9e4f0a1b2c3d4e5f-x",
    ] {
        assert_eq!(org_prefix(bad), None, "{bad:?}");
    }
}

#[test]
fn a_package_reads_back_as_the_same_framework() {
    let fw = demo();
    let text = serde_json::to_string_pretty(&package(&fw, &ctx(Some(3), false))).expect("json");
    let back = read(&text, None).expect("reads");
    assert!(back.cairn);
    assert!(back.framework == fw, "the framework read back differs");
    let items = fw.abilities.len() + fw.roles.len() + fw.positions.len();
    assert!(back.report.len() > items, "categories are items too");
    assert!(
        back.report
            .iter()
            .all(|l| !matches!(l.outcome, Outcome::Skipped { .. }))
    );
    assert!(back.not_carried.is_empty(), "{:?}", back.not_carried);
}

#[test]
fn the_package_maps_the_framework_as_documented() {
    let fw = demo();
    let p = package(&fw, &ctx(Some(3), true));
    let doc = &p["CFDocument"];
    assert_eq!(doc["identifier"], version_identifier(ORG, 3));
    assert_eq!(doc["version"], "3");
    assert_eq!(doc["title"], fw.organization.name.as_str());
    let a = &fw.abilities[0];
    let item = p["CFItems"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["humanCodingScheme"] == a.slug.as_str())
        })
        .expect("the ability's item");
    assert_eq!(item["CFItemType"], ABILITY);
    assert_eq!(
        item["identifier"],
        identifier(ORG, &format!("ability/{}", a.slug))
    );
    assert_eq!(
        item["uri"],
        format!("https://cairn.example/fernhill/abilities/{}", a.slug)
    );
    let levels = p["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
        .as_array()
        .expect("levels");
    assert_eq!(levels.len(), 5);
    let scores: Vec<u64> = levels.iter().filter_map(|l| l["score"].as_u64()).collect();
    let miles: Vec<u64> = fw
        .organization
        .miles
        .values()
        .iter()
        .map(|&m| u64::from(m))
        .collect();
    assert_eq!(scores, miles);
    assert_eq!(levels[0]["quality"], a.milestones[0].summary.as_str());
    // The same item keeps its identifier in another version's package.
    let later = package(&fw, &ctx(Some(4), true));
    assert_eq!(
        later["CFItems"][0]["identifier"],
        p["CFItems"][0]["identifier"]
    );
    assert_ne!(later["CFDocument"]["identifier"], doc["identifier"]);
}

#[test]
fn a_foreign_package_becomes_abilities_under_categories_and_every_item_is_reported() {
    let text = r#"{
  "CFDocument": {"identifier": "20c5134f-423d-4097-a971-3dd5152bf507", "title": "What Standards Could Be"},
  "CFItems": [
    {"identifier": "a1", "fullStatement": "Understand ratio concepts.", "humanCodingScheme": "6.RP.A", "CFItemType": "Cluster"},
    {"identifier": "a2", "fullStatement": "Understand the concept of a ratio and use ratio language to describe a ratio relationship between two quantities, for example in a recipe.", "humanCodingScheme": "6.RP.A.1"},
    {"identifier": "a3", "fullStatement": "Use rate language.", "abbreviatedStatement": "Rates", "humanCodingScheme": "6.RP.A.2"},
    {"identifier": "a4", "fullStatement": "  "},
    {"identifier": "a2", "fullStatement": "Again"}
  ],
  "CFAssociations": [
    {"associationType": "isChildOf", "originNodeURI": {"identifier": "a1"}, "destinationNodeURI": {"identifier": "20c5134f-423d-4097-a971-3dd5152bf507"}},
    {"associationType": "isChildOf", "originNodeURI": {"identifier": "a2"}, "destinationNodeURI": {"identifier": "a1"}},
    {"associationType": "isChildOf", "originNodeURI": {"identifier": "a3"}, "destinationNodeURI": {"identifier": "a1"}},
    {"associationType": "exactMatchOf", "originNodeURI": {"identifier": "a2"}, "destinationNodeURI": {"identifier": "zz"}}
  ],
  "CFRubrics": [{"CFRubricCriteria": [{"CFItemURI": {"identifier": "a3"}, "CFRubricCriterionLevels": [
    {"position": 2, "quality": "Two"}, {"position": 1, "quality": "One", "description": "- first\n- second"},
    {"position": 3}, {"position": 4}, {"position": 5}
  ]}]}]
}"#;
    let got = read(text, None).expect("reads");
    assert!(!got.cairn);
    assert_eq!(
        got.framework.organization.slug.as_str(),
        "what-standards-could-be"
    );
    let outcomes: Vec<String> = got.report.iter().map(ToString::to_string).collect();
    assert_eq!(
        outcomes,
        [
            "line 4: CFItem a1: category \"6.RP.A Understand ratio concepts.\"",
            "line 5: CFItem a2: ability 6-rp-a-1, its statement the description; milestones empty, to fill",
            "line 6: CFItem a3: ability 6-rp-a-2, milestones from its rubric",
            "line 7: CFItem a4: skipped: it has no statement",
            "line 8: CFItem a2: skipped: an earlier CFItem has the same identifier",
        ]
    );
    let abilities = &got.framework.abilities;
    assert_eq!(abilities.len(), 2);
    assert!(
        abilities[0]
            .name
            .as_str()
            .starts_with("6.RP.A.1 Understand the concept"),
        "{}",
        abilities[0].name
    );
    assert!(abilities[0].name.as_str().ends_with('…'));
    assert_eq!(
        abilities[0].category.as_ref().map(|c| c.as_str()),
        Some("6.RP.A Understand ratio concepts.")
    );
    assert!(abilities[0].description.as_str().ends_with("in a recipe."));
    assert_eq!(abilities[1].name.as_str(), "Rates");
    assert_eq!(abilities[1].milestones[0].summary.as_str(), "One");
    assert_eq!(abilities[1].milestones[0].examples, ["first", "second"]);
    assert_eq!(abilities[1].milestones[1].summary.as_str(), "Two");
    assert_eq!(got.not_carried, [("exactMatchOf".to_owned(), 1)]);
}

#[test]
fn problems_name_the_line_of_the_item_or_the_syntax_error() {
    let cases: &[(&str, &str, &str)] = &[
        ("not json", "{\"CFDocument\": [", "not a CASE CFPackage"),
        ("no document", "{\"CFItems\": []}", "not a CASE CFPackage"),
        (
            "no title to name it",
            "{\"CFDocument\": {\"title\": \"!!!\"}}",
            "1:0: cannot name an organization",
        ),
        (
            "a cairn role requiring a level out of range",
            r#"{"CFDocument": {"title": "X Co", "extensions": {"cairn": {"slug": "x-co"}}},
"CFItems": [
 {"identifier": "r", "fullStatement": "Ops", "abbreviatedStatement": "Ops", "humanCodingScheme": "ops", "CFItemType": "Role", "extensions": {"cairn": {"plural": "Ops"}}},
 {"identifier": "a", "fullStatement": "Craft", "humanCodingScheme": "craft", "CFItemType": "Ability"}],
"CFAssociations": [{"associationType": "isRelatedTo", "originNodeURI": {"identifier": "r"}, "destinationNodeURI": {"identifier": "a"}, "extensions": {"cairn": {"requires": 9}}}]}"#,
            "3:0: CFItem r (role ops): ",
        ),
    ];
    for (name, text, want) in cases {
        let problems = read(text, None).expect_err(name);
        let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(got.iter().any(|p| p.contains(want)), "{name}: {got:?}");
    }
}

use super::*;

#[test]
fn slug_rules() {
    let cases: &[(&str, bool)] = &[
        ("incident-response", true),
        ("c", true),
        ("a1-b2", true),
        ("", false),
        ("Incident", false),
        ("-lead", false),
        ("trail-", false),
        ("under_score", false),
        ("space d", false),
        ("émile", false),
        (&"a".repeat(64), true),
        (&"a".repeat(65), false),
    ];
    for (input, ok) in cases {
        assert_eq!(Slug::parse(input).is_ok(), *ok, "slug {input:?}");
    }
}

#[test]
fn org_slug_rules() {
    let cases: &[(&str, Result<(), &str>)] = &[
        ("acme", Ok(())),
        ("northwind-2", Ok(())),
        ("a", Err("length")),
        (&"a".repeat(40), Ok(())),
        (&"a".repeat(41), Err("length")),
        ("api", Err("reserved")),
        ("healthz", Err("reserved")),
        ("about", Err("reserved")),
        ("Acme", Err("characters")),
    ];
    for (input, expected) in cases {
        let got = OrgSlug::parse(input).map(|_| ()).map_err(|e| match e {
            ParseError::SlugLength { .. } => "length",
            ParseError::ReservedSlug(_) => "reserved",
            ParseError::SlugCharacters(_) => "characters",
            other => panic!("unexpected {other:?}"),
        });
        assert_eq!(&got, expected, "org slug {input:?}");
    }
}

#[test]
fn every_reserved_word_is_refused() {
    for word in RESERVED_ORG_SLUGS {
        assert_eq!(
            OrgSlug::parse(word),
            Err(ParseError::ReservedSlug((*word).to_owned()))
        );
    }
}

#[test]
fn name_rules() {
    let cases: &[(&str, Option<&str>)] = &[
        ("Incident Response", Some("Incident Response")),
        ("  padded  ", Some("padded")),
        ("", None),
        ("   ", None),
        ("Ünïcödé 🚀", Some("Ünïcödé 🚀")),
        (&"x".repeat(200), Some(&"x".repeat(200))),
        (&"x".repeat(201), None),
        (
            "<script>alert(1)</script>",
            Some("<script>alert(1)</script>"),
        ),
        ("Ada\u{202E}nimda", None),
        ("Ada\u{2066}x\u{2069}", None),
        ("Ada\u{200F}", None),
        ("two\nlines", None),
        ("tab\there", None),
        ("nul\u{0}", None),
        ("zero\u{200B}width", None),
        ("zero\u{200C}joiner", None),
        ("zero\u{200D}joiner", None),
        ("word\u{2060}joiner", None),
        ("\u{FEFF}bom", None),
        ("Zoë & Søren 🚀", Some("Zoë & Søren 🚀")),
    ];
    for (input, expected) in cases {
        let got = Name::parse(input, "a name").ok();
        assert_eq!(got.as_ref().map(Name::as_str), *expected, "name {input:?}");
    }
}

#[test]
#[rustfmt::skip]
fn items_still_in_use_cannot_be_archived() {
    let fw = crate::file::parse(include_str!("../../../../demo/fernhill.yaml")).expect("demo");
    let required = fw.roles[0].requires[0].ability.clone();
    let listed = fw.positions.iter().find_map(|p| p.required_roles.first().cloned()).expect("a listed role");
    let free_position = fw.positions[0].slug.clone();
    let nobody = Slug::parse("nothing-here").expect("slug");
    let cases: &[(&str, ItemKind, &Slug, Result<bool, &str>)] = &[
        ("an ability a role requires",  ItemKind::Ability,  &required,      Err("cannot be archived while the role")),
        ("a role a position lists",     ItemKind::Role,     &listed,        Err("cannot be archived while the position")),
        ("a position: nothing needs it", ItemKind::Position, &free_position, Ok(true)),
        ("an unknown item",             ItemKind::Ability,  &nobody,        Ok(false)),
    ];
    for (name, kind, slug, expected) in cases {
        let mut copy = fw.clone();
        let got = copy.archive(*kind, slug);
        match (got, expected) {
            (Ok(a), Ok(b)) => assert_eq!(a, *b, "{name}"),
            (Err(e), Err(part)) => {
                assert!(e.contains(part), "{name}: {e}");
                assert_eq!(copy, fw, "{name}: refused, nothing changed");
            }
            (got, _) => panic!("{name}: {got:?}"),
        }
    }
}

#[test]
fn item_kinds_round_trip_through_their_names_and_areas() {
    for k in ItemKind::ALL {
        assert_eq!(ItemKind::parse(k.as_str()), Some(k));
        assert_eq!(ItemKind::from_area(k.area()), Some(k));
    }
    assert_eq!(ItemKind::from_area("ability"), None);
    assert_eq!(ItemKind::parse("abilities"), None);
}

#[test]
fn level_rules() {
    for (n, ok) in [
        (0, false),
        (1, true),
        (3, true),
        (5, true),
        (6, false),
        (-1, false),
    ] {
        assert_eq!(Level::parse(n).is_ok(), ok, "level {n}");
    }
    assert_eq!(Level::parse(4).map(Level::index), Ok(3));
}

#[test]
fn miles_scale_rules() {
    let cases: &[(&[i64], Result<[u32; 5], ParseError>)] = &[
        (&[1, 3, 6, 12, 20], Ok([1, 3, 6, 12, 20])),
        (&[1, 2, 3, 4, 5], Ok([1, 2, 3, 4, 5])),
        (&[1, 3, 6, 12], Err(ParseError::MilesCount(4))),
        (&[1, 3, 6, 12, 20, 30], Err(ParseError::MilesCount(6))),
        (&[0, 3, 6, 12, 20], Err(ParseError::MilesPositive(0))),
        (&[-1, 3, 6, 12, 20], Err(ParseError::MilesPositive(-1))),
        (&[1, 3, 3, 12, 20], Err(ParseError::MilesIncreasing(3, 3))),
        (&[1, 3, 6, 20, 12], Err(ParseError::MilesIncreasing(20, 12))),
        (
            &[1, 3, 6, 12, 5_000_000_000],
            Err(ParseError::MilesPositive(5_000_000_000)),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            &MilesScale::parse(input).map(|s| s.values()),
            expected,
            "scale {input:?}"
        );
    }
    assert_eq!(MilesScale::default().values(), [1, 3, 6, 12, 20]);
}

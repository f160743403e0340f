//! The journey's radial chart, drawn on the server as inline SVG (no
//! script, no external file): one wedge per ability, grouped and coloured
//! by category, filled ring by ring up to the highest milestone held.
//!
//! Labels are short (`abbreviation`) and drawn at 22 units in a 440-unit
//! view box, so they stay at 12 px or more down to a 264 px wide chart,
//! which is what a 320 px phone leaves; the list beside the chart spells
//! every abbreviation out. Colours come from the stylesheet (classes
//! `c0`…`c5`), so dark mode and print restyle the chart with the page.

use std::f64::consts::{FRAC_PI_2, TAU};
use std::fmt::Write;

use cairn_domain::{Ability, Framework, Level, Slug};

/// How many category colours the stylesheet defines; more categories
/// reuse them in turn (neighbours still differ).
const COLOURS: usize = 6;
const SIZE: f64 = 440.0;
const CENTRE: f64 = SIZE / 2.0;
const HOLE: f64 = 22.0;
const OUTER: f64 = 150.0;
const LABEL_AT: f64 = 172.0;
/// Label size in view-box units (see the module note).
pub(crate) const LABEL_UNITS: u32 = 22;

/// The framework's abilities in chart order: grouped by category in the
/// order categories first appear, uncategorised ones last; with each
/// one's category colour class and abbreviation.
pub(crate) struct Placed<'a> {
    pub ability: &'a Ability,
    pub colour: usize,
    pub abbreviation: String,
}

pub(crate) fn placed(fw: &Framework) -> Vec<Placed<'_>> {
    let mut out: Vec<Placed<'_>> = Vec::with_capacity(fw.abilities.len());
    for (i, (_, abilities)) in fw.abilities_by_category().into_iter().enumerate() {
        for a in abilities {
            let base = abbreviation(a.name.as_str());
            let mut abbreviation = base.clone();
            let mut n = 2;
            while out.iter().any(|p| p.abbreviation == abbreviation) {
                abbreviation = format!("{base}{n}");
                n += 1;
            }
            out.push(Placed {
                ability: a,
                colour: i % COLOURS,
                abbreviation,
            });
        }
    }
    out
}

/// `placed`, a group per category in chart order: the category's name
/// ("Other abilities" for those without one) and its abilities. Lists
/// beside the chart (the journey's, the observation form's) group by it.
pub(crate) fn by_category(fw: &Framework) -> Vec<(String, Vec<Placed<'_>>)> {
    let mut groups: Vec<(String, Vec<Placed<'_>>)> = Vec::new();
    for p in placed(fw) {
        let name = p
            .ability
            .category
            .as_ref()
            .map_or_else(|| "Other abilities".to_owned(), |c| c.to_string());
        match groups.last_mut() {
            Some((n, list)) if *n == name => list.push(p),
            _ => groups.push((name, vec![p])),
        }
    }
    groups
}

/// "Incident Response" → "IR", "Testing & Verification" → "TV",
/// "Mentoring" → "Men": initials of the words that carry meaning (at most
/// three), or the first three letters of a one-word name.
pub(crate) fn abbreviation(name: &str) -> String {
    const SMALL: [&str; 8] = ["and", "of", "the", "a", "an", "to", "for", "in"];
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !SMALL.contains(&w.to_lowercase().as_str()))
        .collect();
    match words.as_slice() {
        [] => "?".to_owned(),
        [one] => {
            let mut chars = one.chars();
            let first: String = chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .collect();
            first + &chars.take(2).collect::<String>()
        }
        many => many
            .iter()
            .take(3)
            .filter_map(|w| w.chars().next())
            .flat_map(char::to_uppercase)
            .collect(),
    }
}

pub(crate) use cairn_domain::journey::highest;

/// The chart of `held` (every level held; the highest counts). `whose`
/// names the person for the text alternative.
pub(crate) fn radial_chart(fw: &Framework, held: &[(Slug, Level)], whose: &str) -> String {
    let placed = placed(fw);
    let n = placed.len().max(1) as f64;
    let at = |angle: f64, r: f64| (CENTRE + r * angle.cos(), CENTRE + r * angle.sin());
    let ring = |k: usize| HOLE + (OUTER - HOLE) * k as f64 / 5.0;
    let mut svg = format!(
        r#"<svg viewBox="0 0 {SIZE} {SIZE}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title>"#,
        escape(&format!(
            "{whose}: milestones held per ability, one wedge each, rings 1 to 5 from the centre"
        ))
    );
    // A sliver between wedges, drawn by the stroke; a whole circle for a
    // one-ability framework would be a zero-length arc, so stop short.
    let span = (TAU / n).min(TAU - 1e-3);
    for (i, p) in placed.iter().enumerate() {
        let level = highest(held, &p.ability.slug);
        let shown = level.map_or(0, |l| usize::from(l.get()));
        let a0 = -FRAC_PI_2 + TAU * i as f64 / n;
        let a1 = a0 + span;
        let large = u8::from(span > std::f64::consts::PI);
        let _ = write!(
            svg,
            r#"<g class="wedge c{}" data-ability="{}" data-level="{shown}"><title>{}</title>"#,
            p.colour,
            escape(p.ability.slug.as_str()),
            escape(&format!(
                "{}: {}",
                p.ability.name,
                level.map_or_else(
                    || "no milestone yet".to_owned(),
                    |l| format!("milestone {l}")
                )
            )),
        );
        for k in 1..=5 {
            let (r0, r1) = (ring(k - 1), ring(k));
            let (x0, y0) = at(a0, r1);
            let (x1, y1) = at(a1, r1);
            let (x2, y2) = at(a1, r0);
            let (x3, y3) = at(a0, r0);
            let _ = write!(
                svg,
                r#"<path class="{}" d="M{x0:.1} {y0:.1}A{r1:.1} {r1:.1} 0 {large} 1 {x1:.1} {y1:.1}L{x2:.1} {y2:.1}A{r0:.1} {r0:.1} 0 {large} 0 {x3:.1} {y3:.1}Z"/>"#,
                if k <= shown { "on" } else { "off" }
            );
        }
        let mid = a0 + span / 2.0;
        let (lx, ly) = at(mid, LABEL_AT);
        let anchor = if (lx - CENTRE).abs() < 12.0 {
            "middle"
        } else if lx > CENTRE {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            svg,
            r#"<text x="{lx:.1}" y="{ly:.1}" font-size="{LABEL_UNITS}" text-anchor="{anchor}" dominant-baseline="middle">{}</text></g>"#,
            escape(&p.abbreviation)
        );
    }
    svg.push_str("</svg>");
    svg
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framework(abilities: &[(&str, Option<&str>)]) -> Framework {
        let abilities: String = abilities
            .iter()
            .enumerate()
            .map(|(i, (n, c))| {
                let category = c.map(|c| format!(", category: {c:?}")).unwrap_or_default();
                format!("  - {{ slug: a{i}, name: {n:?}{category}, milestones: [{{}}, {{}}, {{}}, {{}}, {{}}] }}\n")
            })
            .collect();
        cairn_domain::file::parse(&format!(
            "format: cairn/1\norganization: {{ slug: acme, name: Acme }}\nabilities:\n{abilities}"
        ))
        .expect("framework")
    }

    fn level(n: i64) -> Level {
        Level::parse(n).expect("level")
    }

    fn s(x: &str) -> Slug {
        Slug::parse(x).expect("slug")
    }

    #[test]
    #[rustfmt::skip]
    fn names_abbreviate_to_the_initials_that_carry_meaning() {
        let cases = [
            ("Incident Response",           "IR"),
            ("Testing & Verification",      "TV"),
            ("Giving & Receiving Feedback", "GRF"),
            ("Mentoring",                   "Men"),
            ("Craft of the Code and Tests", "CCT"),
            ("a",                           "?"),
            ("Ünïcode",                     "Ünï"),
            ("one two three four",          "OTT"),
        ];
        for (name, want) in cases {
            assert_eq!(abbreviation(name), want, "{name}");
        }
    }

    #[test]
    fn abilities_group_by_category_in_first_seen_order_and_abbreviations_are_unique() {
        let fw = framework(&[
            ("Incident Response", Some("Ops")),
            ("Code", Some("Craft")),
            ("Ideas Rule", None),
            ("Inner Roads", Some("Ops")),
        ]);
        let placed = placed(&fw);
        let got: Vec<(&str, usize, &str)> = placed
            .iter()
            .map(|p| (p.ability.slug.as_str(), p.colour, p.abbreviation.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a0", 0, "IR"),
                ("a3", 0, "IR2"),
                ("a1", 1, "Cod"),
                ("a2", 2, "IR3")
            ]
        );
    }

    #[test]
    fn every_wedge_fills_the_rings_up_to_the_highest_milestone_held() {
        let fw = framework(&[("Code", None), ("Tests", None)]);
        // Every level awarded is listed, in no particular order.
        #[rustfmt::skip]
        let cases: &[(&[(&str, i64)], [usize; 2])] = &[
            (&[],                                   [0, 0]),
            (&[("a0", 1), ("a0", 2), ("a0", 3)],    [3, 0]),
            (&[("a1", 4), ("a1", 1), ("a0", 2)],    [2, 4]),
            (&[("a1", 5)],                          [0, 5]),
        ];
        for (held, want) in cases {
            let held: Vec<(Slug, Level)> = held.iter().map(|(a, l)| (s(a), level(*l))).collect();
            let svg = radial_chart(&fw, &held, "Rae");
            let wedges: Vec<&str> = svg.split("<g ").skip(1).collect();
            assert_eq!(wedges.len(), 2, "one wedge per ability: {svg}");
            for (wedge, want) in wedges.iter().zip(want) {
                assert!(
                    wedge.contains(&format!(r#"data-level="{want}""#)),
                    "{wedge}"
                );
                assert_eq!(wedge.matches(r#"class="on""#).count(), *want, "{wedge}");
                assert_eq!(wedge.matches(r#"class="off""#).count(), 5 - want, "{wedge}");
            }
        }
    }

    #[test]
    fn labels_are_escaped_text_and_the_chart_has_a_text_alternative() {
        let fw = framework(&[("<b>&", None), ("Only", None)]);
        let svg = radial_chart(&fw, &[], "Rae & <i>Co</i>");
        for (needle, present) in [
            (">B<", true),
            ("<b>", false),
            ("<i>", false),
            (
                "Rae &amp; &lt;i&gt;Co&lt;/i&gt;: milestones held per ability",
                true,
            ),
            ("<script", false),
        ] {
            assert_eq!(svg.contains(needle), present, "{needle}: {svg}");
        }
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // One ability: the wedge stops short of a full circle, so the arc
        // is drawn at all.
        let one = radial_chart(&framework(&[("Solo", None)]), &[], "Rae");
        assert!(one.contains(" 0 1 1 "), "{one}");
    }
}

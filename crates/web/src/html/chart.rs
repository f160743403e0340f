//! The journey's radial chart: milestones held per ability, drawn as
//! inline SVG (no script, no external file), every spoke labelled in text.

use std::fmt::Write;

use cairn_domain::{Framework, Level, Slug};

/// A radial chart of milestones per ability, as inline SVG. Every spoke is
/// labelled with the ability and its level in text, so it reads without
/// colour (and the table beside it says the same).
pub(crate) fn radial_chart(fw: &Framework, held: &[(Slug, Level)]) -> String {
    let n = fw.abilities.len().max(1) as f64;
    let (cx, cy, r) = (200.0, 200.0, 130.0);
    let point = |i: usize, level: f64| {
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n;
        (
            cx + r * level / 5.0 * angle.cos(),
            cy + r * level / 5.0 * angle.sin(),
        )
    };
    let mut svg = String::from(
        r#"<svg viewBox="-90 -10 580 420" role="img" aria-label="Milestones held per ability" xmlns="http://www.w3.org/2000/svg">"#,
    );
    for ring in 1..=5 {
        let _ = write!(
            svg,
            r##"<circle cx="{cx}" cy="{cy}" r="{}" fill="none" stroke="#d9d5cb" stroke-width="1"/>"##,
            r * f64::from(ring) / 5.0
        );
    }
    let mut polygon = Vec::new();
    for (i, a) in fw.abilities.iter().enumerate() {
        // The highest milestone held: holding N implies 1..N-1, and the
        // list holds every level awarded.
        let level = held
            .iter()
            .filter(|(s, _)| s == &a.slug)
            .map(|(_, l)| l.get())
            .max()
            .unwrap_or(0);
        let (x, y) = point(i, 5.0);
        let _ = write!(
            svg,
            r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#d9d5cb"/>"##
        );
        let (px, py) = point(i, f64::from(level));
        polygon.push(format!("{px:.1},{py:.1}"));
        let (lx, ly) = point(i, 6.1);
        let anchor = if (lx - cx).abs() < 10.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let label = escape(&format!("{} · M{level}", short(a.name.as_str())));
        let _ = write!(
            svg,
            r##"<text x="{lx:.1}" y="{ly:.1}" font-size="11" text-anchor="{anchor}" fill="#1f2a2e">{label}</text>"##
        );
    }
    let _ = write!(
        svg,
        r##"<polygon points="{}" fill="#2f6f62" fill-opacity="0.25" stroke="#2f6f62" stroke-width="2"/>"##,
        polygon.join(" ")
    );
    for p in &polygon {
        if let Some((x, y)) = p.split_once(',') {
            let _ = write!(svg, r##"<circle cx="{x}" cy="{y}" r="3" fill="#2f6f62"/>"##);
        }
    }
    svg.push_str("</svg>");
    svg
}

fn short(name: &str) -> String {
    if name.chars().count() <= 18 {
        name.to_owned()
    } else {
        format!("{}…", name.chars().take(17).collect::<String>())
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framework(names: &[&str]) -> Framework {
        let abilities: String = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("  - {{ slug: a{i}, name: {n:?}, milestones: [{{}}, {{}}, {{}}, {{}}, {{}}] }}\n"))
            .collect();
        cairn_domain::file::parse(&format!(
            "format: cairn/1\norganization: {{ slug: acme, name: Acme }}\nabilities:\n{abilities}"
        ))
        .expect("framework")
    }

    fn level(n: i64) -> Level {
        Level::parse(n).expect("level")
    }

    #[test]
    #[rustfmt::skip]
    fn every_spoke_is_labelled_with_its_ability_and_level() {
        let fw = framework(&["Code", "A very long ability name indeed", "<b>&"]);
        let held = [(Slug::parse("a0").expect("slug"), level(3))];
        let svg = radial_chart(&fw, &held);
        let cases = [
            ("a held ability shows its level",       "Code · M3",               true),
            ("one not held shows M0",                "&lt;b&gt;&amp; · M0",     true),
            ("long names are shortened",             "A very long abili… · M0", true),
            ("names are escaped, never markup",      "<b>",                     false),
            ("no script",                            "<script",                 false),
        ];
        for (name, needle, present) in cases {
            assert_eq!(svg.contains(needle), present, "{name}: {svg}");
        }
        assert_eq!(svg.matches("<text").count(), 3, "one label per ability");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn each_spoke_plots_the_highest_milestone_held() {
        let fw = framework(&["Code", "Tests"]);
        let s = |x: &str| Slug::parse(x).expect("slug");
        // Every level awarded is listed, lowest first (as awards come).
        #[rustfmt::skip]
        let cases: &[(&[(&str, i64)], [&str; 2])] = &[
            (&[],                                   ["Code · M0", "Tests · M0"]),
            (&[("a0", 1), ("a0", 2), ("a0", 3)],    ["Code · M3", "Tests · M0"]),
            (&[("a1", 4), ("a1", 1), ("a0", 2)],    ["Code · M2", "Tests · M4"]),
        ];
        for (held, labels) in cases {
            let held: Vec<(Slug, Level)> = held.iter().map(|(a, l)| (s(a), level(*l))).collect();
            let svg = radial_chart(&fw, &held);
            for label in labels {
                assert!(svg.contains(label), "{label}: {svg}");
            }
        }
        // The drawn point sits on the ring of the level: M3 of 5 at 3/5 of
        // the radius (130) straight up from the centre (200, 200).
        let svg = radial_chart(&fw, &[(s("a0"), level(1)), (s("a0"), level(3))]);
        assert!(
            svg.contains(r#"<circle cx="200.0" cy="122.0" r="3""#),
            "{svg}"
        );
    }
}

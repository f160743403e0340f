//! The insights page's pictures, drawn on the server as inline SVG: a
//! histogram, bars with the organization's line, small multiples and a
//! heat map. Every chart has a name for screen readers and a table of the
//! same numbers beside it on the page; colours come from the stylesheet.

use std::fmt::Write;

use cairn_domain::insights::report::{Bucket, Matrix};

use crate::html::chart::escape;

fn open(w: f64, h: f64, label: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {w} {h}" role="img" aria-label="{}" class="insight-chart" xmlns="http://www.w3.org/2000/svg">"#,
        escape(label)
    )
}

/// Members per bucket of observations received.
pub(crate) fn histogram(buckets: &[Bucket], label: &str) -> String {
    let (w, h, base, left) = (360.0, 170.0, 140.0, 10.0);
    let max = buckets.iter().map(|b| b.people).max().unwrap_or(0).max(1) as f64;
    let slot = (w - 2.0 * left) / buckets.len().max(1) as f64;
    let mut s = open(w, h, label);
    for (i, b) in buckets.iter().enumerate() {
        let bh = 110.0 * b.people as f64 / max;
        let x = left + slot * i as f64 + 4.0;
        let _ = write!(
            s,
            r#"<rect class="bar" x="{x:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="value">{}</text><text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            base - bh,
            slot - 8.0,
            x + (slot - 8.0) / 2.0,
            base - bh - 4.0,
            b.people,
            x + (slot - 8.0) / 2.0,
            base + 18.0,
            escape(b.label),
        );
    }
    let _ = write!(
        s,
        r#"<line class="axis" x1="{left}" y1="{base}" x2="{}" y2="{base}"/></svg>"#,
        w - left
    );
    s
}

/// One horizontal bar per group (None: not shown, written instead), with
/// a line where the organization stands.
pub(crate) fn bars(rows: &[(String, Option<f64>)], org: f64, label: &str) -> String {
    let (w, row_h, name_w) = (420.0, 26.0, 150.0);
    let h = row_h * rows.len() as f64 + 30.0;
    let max = rows
        .iter()
        .filter_map(|r| r.1)
        .fold(org, f64::max)
        .max(f64::MIN_POSITIVE);
    let span = w - name_w - 50.0;
    let mut s = open(w, h, label);
    for (i, (name, value)) in rows.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        let short: String = name.chars().take(22).collect();
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            name_w - 6.0,
            y + 14.0,
            escape(&short)
        );
        match value {
            Some(v) => {
                let bw = span * v / max;
                let _ = write!(
                    s,
                    r#"<rect class="bar" x="{name_w}" y="{y:.1}" width="{bw:.1}" height="18"/><text x="{:.1}" y="{:.1}" class="value">{v:.1}</text>"#,
                    name_w + bw + 4.0,
                    y + 14.0
                );
            }
            None => {
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" class="hidden-figure">fewer than 5 / hidden</text>"#,
                    name_w + 4.0,
                    y + 14.0
                );
            }
        }
    }
    let x = name_w + span * org / max;
    let _ = write!(
        s,
        r#"<line class="org-line" x1="{x:.1}" y1="2" x2="{x:.1}" y2="{:.1}"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="value">everyone {org:.1}</text></svg>"#,
        h - 18.0,
        h - 4.0
    );
    s
}

/// A small histogram per group, side by side, on one scale.
pub(crate) fn multiples(groups: &[(String, &[Bucket])], label: &str) -> String {
    let (cell_w, cell_h, per_row) = (150.0, 110.0, 4usize);
    let rows = groups.len().div_ceil(per_row).max(1);
    let (w, h) = (cell_w * per_row as f64, cell_h * rows as f64);
    let max = groups
        .iter()
        .flat_map(|g| g.1.iter().map(|b| b.people))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = open(w, h, label);
    for (i, (name, buckets)) in groups.iter().enumerate() {
        let (ox, oy) = (cell_w * (i % per_row) as f64, cell_h * (i / per_row) as f64);
        let short: String = name.chars().take(20).collect();
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            ox + 6.0,
            oy + 16.0,
            escape(&short)
        );
        let slot = (cell_w - 16.0) / buckets.len().max(1) as f64;
        for (j, b) in buckets.iter().enumerate() {
            let bh = 64.0 * b.people as f64 / max;
            let _ = write!(
                s,
                r#"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}"/>"#,
                ox + 8.0 + slot * j as f64,
                oy + 92.0 - bh,
                slot - 3.0
            );
        }
        let _ = write!(
            s,
            r#"<line class="axis" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
            ox + 8.0,
            oy + 92.0,
            ox + cell_w - 8.0,
            oy + 92.0
        );
    }
    s.push_str("</svg>");
    s
}

/// The team matrix: darker cells count more; hidden cells are blank.
pub(crate) fn heatmap(m: &Matrix, label: &str) -> String {
    let (cell, name_w, head_h) = (46.0, 140.0, 70.0);
    let (w, h) = (
        name_w + cell * m.columns.len() as f64 + 10.0,
        head_h + cell * m.rows.len() as f64 + 10.0,
    );
    let max = m
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = open(w, h, label);
    for (j, c) in m.columns.iter().enumerate() {
        let short: String = c.chars().take(14).collect();
        let x = name_w + cell * j as f64 + cell / 2.0;
        let _ = write!(
            s,
            r#"<text transform="translate({x:.1},{:.1}) rotate(-40)">{}</text>"#,
            head_h - 6.0,
            escape(&short)
        );
    }
    for (i, r) in m.rows.iter().enumerate() {
        let y = head_h + cell * i as f64;
        let short: String = r.team.chars().take(20).collect();
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            name_w - 6.0,
            y + cell / 2.0 + 5.0,
            escape(&short)
        );
        for (j, v) in r.cells.iter().enumerate() {
            let x = name_w + cell * j as f64;
            match v {
                Some(n) => {
                    // Five shades, so the stylesheet can keep contrast.
                    let shade = ((*n as f64 / max) * 4.0).round() as u32;
                    let _ = write!(
                        s,
                        r#"<rect class="heat h{shade}" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="cell h{shade}">{n}</text>"#,
                        cell - 2.0,
                        cell - 2.0,
                        x + cell / 2.0,
                        y + cell / 2.0 + 5.0
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r#"<rect class="heat-hidden" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="cell">–</text>"#,
                        cell - 2.0,
                        cell - 2.0,
                        x + cell / 2.0,
                        y + cell / 2.0 + 5.0
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

//! `/{org}/positions/compare?a=SLUG&b=SLUG`: two positions side by side,
//! requirement by requirement, with the milestones a raised requirement
//! climbs through, so the difference reads as a story. Without both
//! positions it is a form to choose them. (A position whose slug is
//! `compare` would be shadowed by this address: without `a` and `b`, its
//! page is shown instead of the form.)

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use cairn_domain::compare::{Change, compare};
use cairn_domain::policy::Action;
use cairn_domain::wording::miles;
use cairn_domain::{Slug, eligibility};
use serde::Deserialize;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::html::abilities::Rendered;
use crate::html::conversations::Drafts;
use crate::html::{Chrome, Link, OrgContext};

#[derive(Deserialize, Default)]
pub(crate) struct Pair {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

pub(crate) struct Side {
    link: Link,
    level: String,
    miles_rule: String,
    miles: String,
}

pub(crate) struct Row {
    ability: Link,
    from: String,
    to: String,
    change: &'static str,
    /// "raised", "new", …: the row's class, so the change is marked by
    /// more than colour (the word is in its own column too).
    class: &'static str,
    /// The milestones climbed, "M3: summary" as rendered markdown.
    between: Vec<(u8, String)>,
}

pub(crate) struct RoleRow {
    role: Link,
    in_a: bool,
    in_b: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "positions/compare.html")]
pub(crate) struct ComparePage {
    chrome: Chrome,
    /// Both positions chosen; otherwise the page is the form.
    sides: Option<(Side, Side)>,
    same: bool,
    rows: Vec<Row>,
    roles: Vec<RoleRow>,
    choices: Vec<(String, String)>,
    a: String,
    b: String,
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Query(pair): Query<Pair>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadFramework).await?;
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let (a, b) = (pair.a.trim(), pair.b.trim());
    let choices = fw
        .positions
        .iter()
        .map(|p| {
            (
                p.slug.to_string(),
                format!("{} (level {})", p.title, p.level),
            )
        })
        .collect();
    let found = |s: &str| {
        Slug::parse(s)
            .ok()
            .and_then(|s| fw.position(&s))
            .ok_or(PageError::NotFound)
    };
    if a.is_empty() || b.is_empty() {
        let here = Slug::parse("compare")
            .ok()
            .filter(|s| fw.position(s).is_some());
        if let (true, Some(slug)) = (a.is_empty() && b.is_empty(), here) {
            return Ok(super::page(&app, &visitor, &org, &slug, Drafts::default())
                .await?
                .into_response());
        }
        // One chosen: it must exist; the form offers the other.
        if !a.is_empty() {
            found(a)?;
        }
        if !b.is_empty() {
            found(b)?;
        }
        return Ok(ComparePage {
            chrome: ctx.chrome(&visitor),
            sides: None,
            same: false,
            rows: Vec::new(),
            roles: Vec::new(),
            choices,
            a: a.to_owned(),
            b: b.to_owned(),
        }
        .into_response());
    }
    let (pa, pb) = (found(a)?, found(b)?);
    let c = compare(&fw, pa, pb);
    let rendered = fw.prepared(Rendered::of);
    let side = |p: &cairn_domain::Position, m: u32| Side {
        link: Link {
            href: crate::html::position_href(&org, &p.slug),
            text: p.title.to_string(),
        },
        level: p.level.to_string(),
        miles_rule: super::miles_rule_text(&fw, p),
        miles: miles(m),
    };
    let level =
        |l: Option<cairn_domain::Level>| l.map_or_else(|| "—".to_owned(), |l| format!("{l}+"));
    let rows = c
        .lines
        .iter()
        .filter_map(|line| {
            let ability = fw.ability(&line.ability)?;
            let summaries = rendered.0.get(&line.ability);
            Some(Row {
                ability: Link {
                    href: crate::html::ability_href(&org, &line.ability),
                    text: ability.name.to_string(),
                },
                from: level(line.from),
                to: level(line.to),
                change: line.change.label(),
                class: match line.change {
                    Change::New => "new",
                    Change::Raised => "raised",
                    Change::Unchanged => "unchanged",
                    Change::Lowered => "lowered",
                    Change::Dropped => "dropped",
                },
                between: line
                    .between()
                    .into_iter()
                    .map(|l| {
                        (
                            l.get(),
                            summaries.map_or_else(String::new, |s| s.summaries[l.index()].clone()),
                        )
                    })
                    .collect(),
            })
        })
        .collect();
    let mut roles: Vec<RoleRow> = Vec::new();
    for r in &fw.roles {
        let (in_a, in_b) = (
            pa.required_roles.contains(&r.slug),
            pb.required_roles.contains(&r.slug),
        );
        if in_a || in_b {
            roles.push(RoleRow {
                role: Link {
                    href: crate::html::role_href(&org, &r.slug),
                    text: r.name.to_string(),
                },
                in_a,
                in_b,
            });
        }
    }
    Ok(ComparePage {
        chrome: ctx.chrome(&visitor),
        sides: Some((side(pa, c.miles.0), side(pb, c.miles.1))),
        same: pa.slug == pb.slug,
        rows,
        roles,
        choices,
        a: a.to_owned(),
        b: b.to_owned(),
    }
    .into_response())
}

/// The position page's link: the next level up from `slug` (the first of
/// them, when several share it), or the form with this one chosen.
pub(crate) fn next_level_href(
    fw: &cairn_domain::Framework,
    org: &cairn_domain::OrgSlug,
    slug: &Slug,
) -> String {
    let (next, _) = eligibility::from_where_they_stand(&fw.positions, Some(slug));
    match next.first() {
        Some(n) => format!("/{org}/positions/compare?a={slug}&b={}", n.slug),
        None => format!("/{org}/positions/compare?a={slug}"),
    }
}

//! `/{org}/insights`: who gets seen, who is left out, how observers rate
//! (`cairn_domain::insights::report`), for people leads (everyone) and
//! managers (their reports); the same report as CSV here and as JSON in
//! the API. Every number comes out of the domain's report, which the
//! privacy rule has already passed; this module only draws it.

mod charts;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::csv_out::row;

use cairn_domain::insights::report::{Person, Report, build};
use cairn_domain::insights::{self, Viewer};
use cairn_domain::policy::{self, Action, Actor};
use cairn_store::StoreError;
use cairn_store::insights::{Scope, members, period};
use cairn_store::orgs::OrgRecord;
use cairn_store::people::PersonId;
use serde::Deserialize;

use super::{Chrome, OrgContext};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;

/// How many names a page of the not-observed list shows.
pub(crate) const PAGE: usize = 50;
/// How many groups of a breakdown the page draws and lists (the largest
/// shown ones, then hidden ones by name); the CSV and JSON have them all.
const GROUPS_ON_PAGE: usize = 20;
/// How many teams get a small chart of their own.
const MULTIPLES: usize = 12;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct InsightsQuery {
    pub days: String,
    pub page: String,
}

/// Everything the page, the CSV and the JSON show.
pub(crate) struct Loaded {
    pub viewer: Viewer,
    pub days: u32,
    pub report: Report,
    /// Days without an observation that put a member on the list.
    pub list_days: u32,
    /// Members in scope not observed in `list_days`, by name: shown only
    /// when the scope itself is (five or more people).
    pub not_observed: Vec<(PersonId, String)>,
}

/// Whose insights the visitor may see in `org`, if any.
pub(crate) async fn viewer_of(
    app: &App,
    org: &OrgRecord,
    actor: &Actor,
    person: Option<&PersonId>,
) -> Result<Option<Viewer>, StoreError> {
    if !matches!(actor, Actor::Member(_)) {
        return Ok(None);
    }
    let lead = policy::can(actor, Action::ManagePeople, org.access());
    let has_reports = match (lead, person) {
        (false, Some(p)) => {
            cairn_store::observations::manages_anyone(&app.store, &org.id, p).await?
        }
        _ => false,
    };
    Ok(insights::viewer(lead, has_reports))
}

pub(crate) async fn load(
    app: &App,
    org: &OrgRecord,
    viewer: Viewer,
    person: Option<&PersonId>,
    days: u32,
) -> Result<Loaded, StoreError> {
    let scope = match (viewer, person) {
        (Viewer::Reports, Some(p)) => Scope::ReportsOf(p.clone()),
        _ => Scope::Organization,
    };
    let (list_days, _) = cairn_store::insights::settings(&app.store, &org.id).await?;
    let now = app.now();
    let day = 86_400_000;
    let people = members(&app.store, &org.id, &scope).await?;
    // People by their place in the list: the report's sets and maps then
    // hash small numbers, not ids. Anyone else (a departed observer) is
    // one number past the end: in no team, out of scope.
    let counts = period(
        &app.store,
        &org.id,
        &people,
        now - i64::from(days) * day,
        now + day,
        now - i64::from(list_days) * day,
    )
    .await?;
    let persons: Vec<Person<u32>> = people
        .iter()
        .enumerate()
        .map(|(i, m)| Person {
            id: i as u32,
            joined: m.person.joined,
            team: m.person.team.clone(),
            level: m.person.level.clone(),
            manager: m.person.manager.clone(),
            in_scope: m.person.in_scope,
        })
        .collect();
    let report = build(&persons, &counts.counts, now);
    let not_observed = if report.people.is_some() {
        people
            .into_iter()
            .enumerate()
            .filter(|(i, m)| m.person.in_scope && !counts.observed_since.contains(&(*i as u32)))
            .map(|(_, m)| (m.person.id, m.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Loaded {
        viewer,
        days,
        report,
        list_days,
        not_observed,
    })
}

fn percent(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

fn times(x: f64) -> String {
    format!("{x:.1}×")
}

/// A table's row: the group's name, then its cells as text.
pub(crate) struct Line {
    name: String,
    cells: Vec<String>,
}

pub(crate) struct Section {
    title: &'static str,
    /// "The 20 largest of 400 groups", when the page lists fewer.
    more: Option<String>,
    chart: String,
    headers: Vec<String>,
    lines: Vec<Line>,
}

#[derive(Template, WebTemplate)]
#[template(path = "insights/show.html")]
pub(crate) struct InsightsPage {
    chrome: Chrome,
    scope: String,
    days: String,
    periods: Vec<(u32, bool)>,
    error: Option<&'static str>,
    shown: bool,
    summary: Vec<String>,
    histogram: String,
    histogram_rows: Vec<(&'static str, u64)>,
    coverage: Vec<Section>,
    multiples: String,
    list_days: u32,
    not_observed: Vec<(String, String)>,
    not_observed_total: usize,
    page: usize,
    pages: usize,
    concentration: Vec<String>,
    matrix: Option<Section>,
    ratings: Vec<Section>,
    ratings_note: Option<String>,
}

/// The groups the page shows: shown ones largest first, then hidden ones
/// in the report's order, by name (their order must not hint at their
/// size); at most `GROUPS_ON_PAGE`.
fn largest<G>(groups: &[G], size: impl Fn(&G) -> Option<u64>) -> Vec<&G> {
    let mut out: Vec<&G> = groups.iter().collect();
    out.sort_by_key(|g| std::cmp::Reverse(size(g).map_or(0, |n| n + 1)));
    out.truncate(GROUPS_ON_PAGE);
    out
}

fn more(all: usize, listed: usize) -> Option<String> {
    (all > listed).then(|| format!("The {listed} largest of {all} groups; the CSV has every one."))
}

fn hidden_text(h: Option<cairn_domain::insights::report::Hidden>) -> String {
    h.map_or_else(String::new, |h| h.label().to_owned())
}

/// A table row for a hidden group: why in the first of `width` cells, the
/// rest blank, so no figure of the group shows in any column.
fn hidden_cells(h: Option<cairn_domain::insights::report::Hidden>, width: usize) -> Vec<String> {
    let mut cells = vec![String::new(); width];
    cells[0] = hidden_text(h);
    cells
}

impl InsightsPage {
    fn new(
        chrome: Chrome,
        l: &Loaded,
        page: usize,
        error: Option<&'static str>,
        org_name: &str,
    ) -> Self {
        let r = &l.report;
        let scope = match l.viewer {
            Viewer::Organization => format!("Everyone in {org_name}"),
            Viewer::Reports => "The people who report to you".to_owned(),
        };
        let mut out = InsightsPage {
            chrome,
            scope,
            days: l.days.to_string(),
            periods: insights::PERIODS
                .iter()
                .map(|d| (*d, *d == l.days))
                .collect(),
            error,
            shown: r.people.is_some(),
            summary: Vec::new(),
            histogram: String::new(),
            histogram_rows: Vec::new(),
            coverage: Vec::new(),
            multiples: String::new(),
            list_days: l.list_days,
            not_observed: Vec::new(),
            not_observed_total: l.not_observed.len(),
            page,
            pages: l.not_observed.len().div_ceil(PAGE).max(1),
            concentration: Vec::new(),
            matrix: None,
            ratings: Vec::new(),
            ratings_note: None,
        };
        out.not_observed = l
            .not_observed
            .iter()
            .skip((page - 1) * PAGE)
            .take(PAGE)
            .map(|(id, name)| (id.as_str().to_owned(), name.clone()))
            .collect();
        if let Some(c) = &r.coverage {
            out.summary = vec![
                format!(
                    "{} observations received by {} members in the last {} days: {:.1} per member.",
                    c.received, c.members, l.days, c.mean
                ),
                format!(
                    "{} members ({}) received none: observation deserts.",
                    c.without,
                    percent(c.without_share)
                ),
            ];
            out.histogram = charts::histogram(
                &c.histogram,
                "Members by observations received in the period",
            );
            out.histogram_rows = c.histogram.iter().map(|b| (b.label, b.people)).collect();
            for b in &c.breakdowns {
                let groups = largest(&b.groups, |g| g.members);
                out.coverage.push(Section {
                    title: b.title,
                    more: more(b.groups.len(), groups.len()),
                    chart: charts::bars(
                        &groups
                            .iter()
                            .map(|g| (g.name.clone(), g.mean))
                            .collect::<Vec<_>>(),
                        c.mean,
                        &format!(
                            "Observations received per member, {}",
                            b.title.to_lowercase()
                        ),
                    ),
                    headers: ["Members", "Per member", "Received none", "Against everyone"]
                        .map(String::from)
                        .to_vec(),
                    lines: groups
                        .iter()
                        .map(|g| Line {
                            name: g.name.clone(),
                            cells: match (g.members, g.mean, g.without_share, g.ratio) {
                                (Some(m), Some(mean), Some(w), ratio) => vec![
                                    m.to_string(),
                                    format!("{mean:.1}"),
                                    percent(w),
                                    ratio.map_or_else(|| "—".into(), times),
                                ],
                                _ => hidden_cells(g.hidden, 4),
                            },
                        })
                        .collect(),
                });
            }
            if let Some(teams) = c.breakdowns.iter().find(|b| b.by == "team") {
                let shown: Vec<(String, &[cairn_domain::insights::report::Bucket])> =
                    largest(&teams.groups, |g| g.members)
                        .into_iter()
                        .filter_map(|g| g.histogram.as_deref().map(|h| (g.name.clone(), h)))
                        .take(MULTIPLES)
                        .collect();
                if !shown.is_empty() {
                    out.multiples = charts::multiples(
                        &shown,
                        "Each team's members by observations received (buckets 0, 1, 2–3, 4–7, 8–15, 16+)",
                    );
                }
            }
        }
        if let Some(k) = &r.concentration {
            out.concentration.push(format!(
                "{} members wrote {} observations in the period.",
                k.observers, k.written
            ));
            match (k.top_tenth_people, k.top_tenth_share) {
                (Some(n), Some(share)) => out.concentration.push(format!(
                    "The most active 10 % of observers ({n} people) wrote {} of them.",
                    percent(share)
                )),
                (Some(_), None) => out.concentration.push(
                    "The most active 10 % of observers are fewer than 5 people: their share is not shown."
                        .into(),
                ),
                _ => {}
            }
            out.concentration.push(format!(
                "Gini coefficient of observations written: {:.2}; of observations received: {:.2} (0: perfectly even; 1: one person has them all).",
                k.gini_written, k.gini_received
            ));
            if let Some(w) = k.within_team_share {
                out.concentration.push(format!(
                    "{} of observations between people with a team stay within one team; {} cross teams.",
                    percent(w),
                    percent(1.0 - w)
                ));
            }
        }
        if let Some(m) = &r.matrix {
            out.matrix = Some(Section {
                title: "Who observes whom, by team",
                more: None,
                chart: charts::heatmap(
                    m,
                    "Observations by observer's team (rows) and observed person's team (columns)",
                ),
                headers: m.columns.clone(),
                lines: m
                    .rows
                    .iter()
                    .map(|row| Line {
                        name: row.team.clone(),
                        cells: row
                            .cells
                            .iter()
                            .map(|c| c.map_or_else(|| "hidden".into(), |n| n.to_string()))
                            .collect(),
                    })
                    .collect(),
            });
        }
        match &r.ratings {
            None if r.people.is_some() => {
                out.ratings_note = Some(
                    "Fewer than 5 people rated in the period, and rating patterns are never shown for one person."
                        .into(),
                );
            }
            None => {}
            Some(p) => {
                let all = p.all.total().max(1) as f64;
                out.ratings_note = Some(format!(
                    "{} ratings by {} raters: Exceptional {}, Strong {}, N/A {}. Misaligned and Concerning ratings are never counted here: they show only to the people observed and their managers.",
                    p.all.total(),
                    p.all.raters,
                    percent(p.all.exceptional as f64 / all),
                    percent(p.all.strong as f64 / all),
                    percent(p.all.not_applicable as f64 / all),
                ));
                let spread_cells = |g: &cairn_domain::insights::report::RatingGroup| match &g.spread
                {
                    Some(s) => {
                        let t = s.total().max(1) as f64;
                        vec![
                            s.raters.to_string(),
                            percent(s.exceptional as f64 / t),
                            percent(s.strong as f64 / t),
                            percent(s.not_applicable as f64 / t),
                            g.exceptional_ratio.map_or_else(|| "—".into(), times),
                        ]
                    }
                    None => hidden_cells(g.hidden, 5),
                };
                let headers: Vec<String> = [
                    "Raters",
                    "Exceptional",
                    "Strong",
                    "N/A",
                    "Exceptional against everyone",
                ]
                .map(String::from)
                .to_vec();
                out.ratings.push(Section {
                    title: "By ability",
                    more: None,
                    chart: String::new(),
                    headers: headers.clone(),
                    lines: p
                        .abilities
                        .iter()
                        .map(|g| Line {
                            name: g.name.clone(),
                            cells: spread_cells(g),
                        })
                        .collect(),
                });
                for b in &p.breakdowns {
                    let groups = largest(&b.groups, |g| g.spread.as_ref().map(|s| s.raters));
                    out.ratings.push(Section {
                        title: b.title,
                        more: more(b.groups.len(), groups.len()),
                        chart: charts::bars(
                            &groups
                                .iter()
                                .map(|g| (g.name.clone(), g.exceptional_ratio))
                                .collect::<Vec<_>>(),
                            1.0,
                            &format!(
                                "How often each group rates Exceptional against everyone, {}",
                                b.title.to_lowercase()
                            ),
                        ),
                        headers: headers.clone(),
                        lines: groups
                            .iter()
                            .map(|g| Line {
                                name: g.name.clone(),
                                cells: spread_cells(g),
                            })
                            .collect(),
                    });
                }
            }
        }
        out
    }
}

/// The period asked for, or the default with the reason it was refused.
fn period_of(q: &InsightsQuery) -> (u32, Option<&'static str>) {
    match insights::period(&q.days) {
        Ok(d) => (d, None),
        Err(e) => (insights::DEFAULT_PERIOD, Some(e)),
    }
}

async fn context(
    app: &App,
    visitor: &Visitor,
    slug: &cairn_domain::OrgSlug,
) -> Result<(OrgContext, Viewer), PageError> {
    let ctx = OrgContext::load(app, visitor, slug, Action::ReadMemberContent).await?;
    let person = visitor.person.as_ref().map(|p| &p.id);
    let viewer = viewer_of(app, &ctx.org, &ctx.actor, person)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((ctx, viewer))
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(q): Query<InsightsQuery>,
) -> Result<InsightsPage, PageError> {
    let (ctx, viewer) = context(&app, &visitor, &slug).await?;
    let (days, error) = period_of(&q);
    let person = visitor.person.as_ref().map(|p| &p.id);
    let loaded = load(&app, &ctx.org, viewer, person, days).await?;
    let pages = loaded.not_observed.len().div_ceil(PAGE).max(1);
    let page = q.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    Ok(InsightsPage::new(
        ctx.chrome(&visitor),
        &loaded,
        page,
        error,
        ctx.org.org.name.as_str(),
    ))
}

/// Every figure of the report as CSV: section, group, measure, value;
/// hidden figures say why instead of a value.
pub(crate) fn csv(l: &Loaded) -> String {
    let mut out = row(&["section", "group", "measure", "value"]);
    let mut put = |section: &str, group: &str, measure: &str, value: String| {
        out.push_str(&row(&[section, group, measure, &value]));
    };
    let r = &l.report;
    let days = l.days.to_string();
    put("period", "", "days", days);
    let Some(c) = &r.coverage else {
        put("coverage", "everyone", "members", "fewer than 5".into());
        return out;
    };
    put("coverage", "everyone", "members", c.members.to_string());
    put("coverage", "everyone", "received", c.received.to_string());
    put(
        "coverage",
        "everyone",
        "per member",
        format!("{:.2}", c.mean),
    );
    put(
        "coverage",
        "everyone",
        "received none",
        c.without.to_string(),
    );
    for b in &c.histogram {
        put("histogram", "everyone", b.label, b.people.to_string());
    }
    for b in &c.breakdowns {
        for g in &b.groups {
            let section = format!("coverage by {}", b.by);
            match (g.members, g.mean, g.without_share) {
                (Some(m), Some(mean), Some(w)) => {
                    put(&section, &g.name, "members", m.to_string());
                    put(&section, &g.name, "per member", format!("{mean:.2}"));
                    put(&section, &g.name, "share received none", format!("{w:.3}"));
                }
                _ => put(&section, &g.name, "members", hidden_text(g.hidden)),
            }
        }
    }
    if let Some(k) = &r.concentration {
        put(
            "concentration",
            "everyone",
            "observers",
            k.observers.to_string(),
        );
        put(
            "concentration",
            "everyone",
            "written",
            k.written.to_string(),
        );
        put(
            "concentration",
            "everyone",
            "top 10 % share",
            k.top_tenth_share
                .map_or_else(|| "fewer than 5".into(), |s| format!("{s:.3}")),
        );
        put(
            "concentration",
            "everyone",
            "gini written",
            format!("{:.3}", k.gini_written),
        );
        put(
            "concentration",
            "everyone",
            "gini received",
            format!("{:.3}", k.gini_received),
        );
    }
    if let Some(m) = &r.matrix {
        for row in &m.rows {
            for (col, cell) in m.columns.iter().zip(&row.cells) {
                put(
                    "team matrix",
                    &format!("{} → {col}", row.team),
                    "observations",
                    cell.map_or_else(|| "hidden".into(), |n| n.to_string()),
                );
            }
        }
    }
    if let Some(p) = &r.ratings {
        let groups = p
            .abilities
            .iter()
            .map(|g| ("ratings by ability".to_owned(), g))
            .chain(p.breakdowns.iter().flat_map(|b| {
                b.groups
                    .iter()
                    .map(move |g| (format!("ratings by {}", b.by), g))
            }));
        for (section, g) in groups {
            match &g.spread {
                Some(s) => {
                    put(&section, &g.name, "raters", s.raters.to_string());
                    put(&section, &g.name, "exceptional", s.exceptional.to_string());
                    put(&section, &g.name, "strong", s.strong.to_string());
                    put(&section, &g.name, "n/a", s.not_applicable.to_string());
                }
                None => put(&section, &g.name, "raters", hidden_text(g.hidden)),
            }
        }
    }
    out
}

pub(crate) async fn download(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(q): Query<InsightsQuery>,
) -> Result<Response, PageError> {
    let (ctx, viewer) = context(&app, &visitor, &slug).await?;
    let (days, error) = period_of(&q);
    if let Some(e) = error {
        return Err(PageError::BadRequest(e));
    }
    let person = visitor.person.as_ref().map(|p| &p.id);
    let loaded = load(&app, &ctx.org, viewer, person, days).await?;
    Ok(super::csv_response(
        &format!("{slug}-insights-{days}-days.csv"),
        csv(&loaded),
    ))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/insights", show)
        .get("/{org}/insights/insights.csv", download)
}

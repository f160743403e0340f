//! `/{org}/explore`: the playground. Anyone who may read the framework
//! chooses a milestone per ability and sees the miles, the positions met,
//! the closest one not met and the band, computed by the domain's
//! `explore::outcome` (the journey's and eligibility's rules).
//!
//! The state is the link (`?m=slug:level,…`): nothing is stored. The
//! form posts nothing either: it is a GET whose fields (`l.<slug>`) are
//! turned into the link by a redirect, so the address bar always holds
//! the picture. With JavaScript (`assets/explore.js`) a change fetches
//! the same page and swaps it in; the rule is never copied to the
//! browser.
//!
//! Decisions: "Ask my manager about this" shows the link ready to send
//! (and an email to the manager when the member has one) rather than
//! drafting an observation: an observation is about someone else seen at
//! work, and a check-in is opened by the manager, so neither fits a
//! member's "this is where I think I am". Pages and the SVG download use
//! only the framework snapshot.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_domain::awards::can_read_award;
use cairn_domain::explore::{self, Choice, Outcome};
use cairn_domain::policy::Action;
use cairn_domain::wording::miles;
use cairn_domain::{Framework, Level, OrgSlug, Slug};

use super::chart::{by_category, radial_chart};
use super::eligibility::describe_set;
use super::observations::reader_about;
use super::{Chrome, Link, OrgContext, url_encode};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;

/// Gap sets listed under the closest position (eligibility pages them
/// all; here they say what it would take).
pub(crate) const GAPS_SHOWN: usize = 5;

/// The `m=` value of a query, and whether the query is the form's fields
/// (`l.<slug>=N`) to be turned into one.
pub(crate) fn choice_of(fw: &Framework, query: &[(String, String)]) -> (Choice, bool) {
    let fields: Vec<String> = query
        .iter()
        .filter_map(|(k, v)| {
            let slug = k.strip_prefix("l.")?;
            (v.trim() != "0" && !v.trim().is_empty()).then(|| format!("{slug}:{}", v.trim()))
        })
        .collect();
    let from_form = query.iter().any(|(k, _)| k.starts_with("l."));
    let raw = if from_form {
        fields.join(",")
    } else {
        query
            .iter()
            .filter(|(k, _)| k == "m")
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    (explore::parse(&raw, fw), from_form)
}

/// The query that reproduces `levels` ("?m=…", or nothing at all).
/// Slugs and digits need no escaping; the separators read better as
/// they are.
fn query(levels: &[(Slug, Level)]) -> String {
    let value = explore::link_value(levels);
    if value.is_empty() {
        value
    } else {
        format!("?m={value}")
    }
}

/// The playground's address for `levels`.
pub(crate) fn href(org: &OrgSlug, levels: &[(Slug, Level)]) -> String {
    format!("/{org}/explore{}", query(levels))
}

/// What every playground address starts with: the organization as the
/// visitor may see it, its framework, and the link's choice.
async fn picture(
    app: &App,
    visitor: &Visitor,
    org: &OrgSlug,
    action: Action,
    q: &[(String, String)],
) -> Result<
    (
        OrgContext,
        std::sync::Arc<cairn_store::framework::Snapshot>,
        Choice,
        bool,
    ),
    PageError,
> {
    let ctx = OrgContext::load(app, visitor, org, action).await?;
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let (choice, from_form) = choice_of(&fw, q);
    Ok((ctx, fw, choice, from_form))
}

pub(crate) struct Pick {
    slug: String,
    name: String,
    level: u8,
}

pub(crate) struct Closest {
    link: Link,
    miles: String,
    needs: Vec<String>,
    count: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "explore/show.html")]
pub(crate) struct ExplorePage {
    chrome: Chrome,
    chart: String,
    notice: Option<String>,
    groups: Vec<(String, Vec<Pick>)>,
    total: String,
    band: Option<String>,
    met: Vec<Link>,
    closest: Option<Closest>,
    positions: bool,
    /// The link, whole, to copy.
    share: String,
    svg: String,
    ask: String,
    member: bool,
    script: &'static str,
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (ctx, fw, choice, from_form) =
        picture(&app, &visitor, &org, Action::ReadFramework, &q).await?;
    let link = href(&org, &choice.levels);
    if from_form {
        return Ok(crate::forms::redirect(&link));
    }
    let o = explore::outcome(&fw, &choice.levels);
    let suffix = query(&choice.levels);
    let page = ExplorePage {
        chrome: ctx.chrome(&visitor),
        chart: radial_chart(&fw, &choice.levels, "This picture"),
        notice: explore::notice(&choice.ignored),
        groups: by_category(&fw)
            .into_iter()
            .map(|(name, placed)| {
                let picks = placed
                    .into_iter()
                    .map(|p| Pick {
                        slug: p.ability.slug.to_string(),
                        name: p.ability.name.to_string(),
                        level: cairn_domain::journey::highest(&choice.levels, &p.ability.slug)
                            .map_or(0, Level::get),
                    })
                    .collect();
                (name, picks)
            })
            .collect(),
        total: miles(o.miles),
        band: super::journey::band_line(o.band.clone(), o.miles, true, ""),
        met: o
            .met
            .iter()
            .map(|p| Link {
                href: super::position_href(&org, &p.slug),
                text: p.title.to_string(),
            })
            .collect(),
        closest: closest(&fw, &org, &o),
        positions: !fw.positions.is_empty(),
        svg: format!("/{org}/explore.svg{suffix}"),
        ask: format!("/{org}/explore/ask{suffix}"),
        share: format!(
            "{}{link}",
            app.config.trusted_origin.as_deref().unwrap_or("")
        ),
        member: ctx.can(Action::ReadMemberContent),
        script: crate::assets::js_href(),
    };
    Ok(page.into_response())
}

fn closest(fw: &Framework, org: &OrgSlug, o: &Outcome<'_>) -> Option<Closest> {
    let (p, e) = o.closest.as_ref()?;
    Some(Closest {
        link: Link {
            href: super::position_href(org, &p.slug),
            text: p.title.to_string(),
        },
        miles: format!(
            "{} of {} required",
            miles(e.miles_earned),
            miles(e.miles_required)
        ),
        needs: e
            .gap_sets
            .iter()
            .take(GAPS_SHOWN)
            .map(|s| describe_set(fw, s))
            .collect(),
        count: match (e.gap_set_count, e.gap_sets_complete) {
            (n, _) if n <= GAPS_SHOWN => String::new(),
            (n, true) => format!("{n} sets tie; the first {GAPS_SHOWN} are shown."),
            (n, false) => format!("{n} or more sets tie; the first {GAPS_SHOWN} are shown."),
        },
    })
}

/// The picture as an SVG file of its own: the chart with its colours
/// written in, since the stylesheet does not travel with it.
pub(crate) async fn svg(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, fw, choice, _) = picture(&app, &visitor, &org, Action::ReadFramework, &q).await?;
    let chart = radial_chart(&fw, &choice.levels, fw.organization.name.as_str());
    let style = "<style>.wedge path{stroke:#fff;stroke-width:2}.wedge path.off{fill:#ebe8e1}text{fill:#1d2426;font:600 22px sans-serif}.c0 path.on{fill:#2f6f62}.c1 path.on{fill:#7a3fa0}.c2 path.on{fill:#a84b14}.c3 path.on{fill:#2c5fa8}.c4 path.on{fill:#a3364e}.c5 path.on{fill:#5f6212}</style>";
    let body = chart.replacen("<title", &format!("{style}<title"), 1);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "image/svg+xml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{org}-explore.svg\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// Members: the playground filled with their own milestones, those they
/// may see of themselves (every one: a member reads all their awards).
pub(crate) async fn mine(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let me = visitor.person.as_ref().ok_or(PageError::NotFound)?;
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let reader = reader_about(&visitor, &ctx, &me.id, false);
    let people_lead = ctx.can(Action::ManagePeople);
    let held = super::eligibility::held(&app, &ctx, &me.id, |a| {
        can_read_award(&reader, &a.facts(), people_lead, false)
    })
    .await?;
    Ok(crate::forms::redirect(&href(
        &org,
        &explore::from_held(&fw, &held),
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "explore/ask.html")]
pub(crate) struct AskPage {
    chrome: Chrome,
    link: String,
    back: String,
    manager: Option<(String, String)>,
}

/// Members: the link to send to their manager, with an email ready when
/// they have one.
pub(crate) async fn ask(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<AskPage, PageError> {
    let (ctx, _, choice, _) = picture(&app, &visitor, &org, Action::ReadMemberContent, &q).await?;
    let me = visitor.person.as_ref().ok_or(PageError::NotFound)?;
    let back = href(&org, &choice.levels);
    let link = format!(
        "{}{back}",
        app.config.trusted_origin.as_deref().unwrap_or("")
    );
    let manager = match cairn_store::members::get(&app.store, &ctx.org.id, &me.id)
        .await?
        .and_then(|m| m.manager)
    {
        Some(id) => cairn_store::members::get(&app.store, &ctx.org.id, &id)
            .await?
            .map(|m| m.person),
        None => None,
    };
    let manager = manager.map(|m| {
            let body = format!(
                "Hello {},\n\nThis is where I think I stand in our framework. Could we talk about it?\n\n{link}\n",
                m.name
            );
            (
                m.name.to_string(),
                format!(
                    "mailto:{}?subject={}&body={}",
                    m.email.as_str(),
                    url_encode("Where I think I stand"),
                    url_encode(&body)
                ),
            )
        });
    Ok(AskPage {
        chrome: ctx.chrome(&visitor),
        link,
        back,
        manager,
    })
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/explore", show)
        .get("/{org}/explore.svg", svg)
        .get("/{org}/explore/mine", mine)
        .get("/{org}/explore/ask", ask)
}

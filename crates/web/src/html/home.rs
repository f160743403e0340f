//! `/`: what cairn is, with a real picture (the demo's milestones and a
//! journey chart), "Try the demo" on a demo instance, the visitor's
//! organizations, and the published frameworks a page at a time.

use std::sync::OnceLock;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use cairn_domain::wording::{adds_miles, pluralize};
use cairn_domain::{Level, MilesScale};
use serde::Deserialize;

use super::{Chrome, Link};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;

pub(crate) struct OrgLine {
    slug: String,
    name: String,
    abilities: String,
    categories: String,
}

/// The picture: one ability's milestones and a journey drawn from the
/// demo framework (built into the binary), made once per process.
pub(crate) struct Picture {
    ability: String,
    milestones: Vec<(u8, String, String)>,
    chart: String,
    whose: String,
}

fn picture() -> Option<&'static Picture> {
    static PICTURE: OnceLock<Option<Picture>> = OnceLock::new();
    PICTURE
        .get_or_init(|| {
            let fw = cairn_store::demo::framework().ok()?;
            let ability = fw
                .abilities
                .iter()
                .find(|a| a.slug.as_str() == "incident-response")?;
            let scale = MilesScale::default();
            let milestones = Level::ALL
                .iter()
                .take(3)
                .map(|&l| {
                    (
                        l.get(),
                        adds_miles(scale.miles(l)),
                        crate::markdown::render(ability.milestone(l).summary.as_str()),
                    )
                })
                .collect();
            Some(Picture {
                ability: ability.name.to_string(),
                milestones,
                chart: super::chart::radial_chart(
                    &fw,
                    &cairn_store::demo::held_by("priya"),
                    "Priya",
                ),
                whose: "Priya, an engineer in the demo".to_owned(),
            })
        })
        .as_ref()
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    chrome: Chrome,
    signed_in: bool,
    demo: bool,
    picture: Option<&'static Picture>,
    mine: Vec<Link>,
    orgs: Vec<OrgLine>,
    /// The next page of published frameworks.
    more: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct HomeQuery {
    page: Option<String>,
}

pub(crate) async fn index(
    State(app): State<App>,
    visitor: Visitor,
    Query(q): Query<HomeQuery>,
) -> Result<HomePage, PageError> {
    // A page number that is not one is the first page.
    let page = q
        .page
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (0..1_000_000).contains(p))
        .unwrap_or(0);
    let (orgs, more) = cairn_store::orgs::list_published(&app.store, page).await?;
    let mine = match &visitor.person {
        Some(p) => cairn_store::members::organizations_of(&app.store, &p.id)
            .await?
            .into_iter()
            .map(|(slug, name)| Link {
                href: format!("/{slug}"),
                text: name.to_string(),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(HomePage {
        chrome: Chrome::new(&visitor),
        signed_in: visitor.person.is_some(),
        demo: app.config.demo,
        picture: picture(),
        mine,
        orgs: orgs
            .into_iter()
            .map(|o| OrgLine {
                slug: o.slug.to_string(),
                name: o.name.to_string(),
                abilities: pluralize(o.abilities.max(0) as u64, "ability", "abilities"),
                categories: o
                    .categories
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        more: more.then(|| format!("/?page={}#orgs", page + 1)),
    })
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get("/", index)
}

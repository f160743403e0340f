//! `/`: the published organizations, and the visitor's own.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::wording::pluralize;

use super::{Chrome, Link};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;

pub(crate) struct OrgLine {
    slug: String,
    name: String,
    abilities: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    chrome: Chrome,
    signed_in: bool,
    mine: Vec<Link>,
    orgs: Vec<OrgLine>,
}

pub(crate) async fn index(State(app): State<App>, visitor: Visitor) -> Result<HomePage, PageError> {
    let orgs = cairn_store::orgs::list_published(&app.store).await?;
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
        mine,
        orgs: orgs
            .into_iter()
            .map(|o| OrgLine {
                slug: o.slug.to_string(),
                name: o.name.to_string(),
                abilities: pluralize(o.abilities.max(0) as u64, "ability", "abilities"),
            })
            .collect(),
    })
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new().get("/", index)
}

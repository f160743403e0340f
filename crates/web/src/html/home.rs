//! `/`: the published organizations.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use cairn_domain::wording::pluralize;

use crate::App;
use crate::error::PageError;

pub(crate) struct OrgLine {
    slug: String,
    name: String,
    abilities: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    orgs: Vec<OrgLine>,
}

pub(crate) async fn index(State(app): State<App>) -> Result<HomePage, PageError> {
    let orgs = cairn_store::orgs::list_published(&app.store).await?;
    Ok(HomePage {
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

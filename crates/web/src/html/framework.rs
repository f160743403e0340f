//! `/{org}/settings/framework`: the authoring hub (every item, the archived
//! ones, the miles scale).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::MilesScale;
use cairn_store::framework::{self, Edit, ItemKind};
use serde::Deserialize;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::editing::*;
use crate::html::{Chrome, Link, OrgContext};

pub(crate) struct Group {
    kind: &'static str,
    title: &'static str,
    area: &'static str,
    items: Vec<Link>,
    /// New in the draft: no page until published.
    drafted: Vec<Link>,
    archived: Vec<ArchivedLine>,
}

pub(crate) struct ArchivedLine {
    slug: String,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "framework/hub.html")]
pub(crate) struct HubPage {
    chrome: Chrome,
    groups: Vec<Group>,
    /// Saves go into the draft.
    drafting: bool,
    miles: [String; 5],
    saved: bool,
    /// The framework has no items yet.
    empty: bool,
    /// Published frameworks to start from (for an empty one).
    sources: Vec<Link>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SavedQuery {
    saved: String,
}

pub(crate) async fn hub_view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    miles: Option<[String; 5]>,
    saved: bool,
    errors: FormErrors,
) -> Result<HubPage, PageError> {
    // What editors edit: the draft, when the organization drafts. Items
    // only in the draft have no page yet; items the draft archived show
    // with the archived ones, to restore.
    let fw = framework::editable(&app.store, &ctx.org).await?;
    let live = framework::load(&app.store, &ctx.org).await?;
    let drafting = ctx.org.publishing == cairn_domain::publishing::Publishing::Drafts;
    let slug = &ctx.org.org.slug;
    let mut groups = Vec::new();
    for (kind, title, kind_name) in [
        (ItemKind::Ability, "Abilities", "ability"),
        (ItemKind::Role, "Roles", "role"),
        (ItemKind::Position, "Positions", "position"),
    ] {
        let items: Vec<(bool, Link)> = match kind {
            ItemKind::Ability => fw
                .abilities
                .iter()
                .map(|a| (a.slug.clone(), a.name.to_string()))
                .collect::<Vec<_>>(),
            ItemKind::Role => fw
                .roles
                .iter()
                .map(|r| (r.slug.clone(), r.name.to_string()))
                .collect(),
            ItemKind::Position => fw
                .positions
                .iter()
                .map(|p| (p.slug.clone(), p.title.to_string()))
                .collect(),
        }
        .into_iter()
        .map(|(s, text)| {
            let draft_only = live.id_of(kind, &s).is_none();
            (
                draft_only,
                Link {
                    href: format!("/{slug}/{}/{s}", kind.area()),
                    text,
                },
            )
        })
        .collect();
        let (drafted, items): (Vec<_>, Vec<_>) = items.into_iter().partition(|(d, _)| *d);
        let in_draft = |s: &cairn_domain::Slug| match kind {
            ItemKind::Ability => fw.ability(s).is_some(),
            ItemKind::Role => fw.role(s).is_some(),
            ItemKind::Position => fw.positions.iter().any(|p| &p.slug == s),
        };
        let mut archived: Vec<ArchivedLine> = framework::archived(&app.store, &ctx.org.id, kind)
            .await?
            .into_iter()
            .filter(|(s, _)| !in_draft(s))
            .map(|(s, name)| ArchivedLine {
                slug: s.to_string(),
                name,
            })
            .collect();
        if drafting {
            let live_items: Vec<(cairn_domain::Slug, String)> = match kind {
                ItemKind::Ability => live
                    .abilities
                    .iter()
                    .map(|a| (a.slug.clone(), a.name.to_string()))
                    .collect(),
                ItemKind::Role => live
                    .roles
                    .iter()
                    .map(|r| (r.slug.clone(), r.name.to_string()))
                    .collect(),
                ItemKind::Position => live
                    .positions
                    .iter()
                    .map(|p| (p.slug.clone(), p.title.to_string()))
                    .collect(),
            };
            archived.extend(live_items.into_iter().filter(|(s, _)| !in_draft(s)).map(
                |(s, name)| ArchivedLine {
                    slug: s.to_string(),
                    name: format!("{name} (archived in the draft)"),
                },
            ));
        }
        let items = items.into_iter().map(|(_, l)| l).collect();
        let drafted = drafted.into_iter().map(|(_, l)| l).collect();
        groups.push(Group {
            kind: kind_name,
            title,
            area: kind.area(),
            items,
            drafted,
            archived,
        });
    }
    let empty = fw.abilities.is_empty() && fw.roles.is_empty() && fw.positions.is_empty();
    let sources = if empty {
        published_sources(app, slug).await?
    } else {
        Vec::new()
    };
    Ok(HubPage {
        chrome: ctx.chrome(visitor),
        empty,
        sources,
        groups,
        drafting,
        miles: miles.unwrap_or_else(|| fw.organization.miles.values().map(|m| m.to_string())),
        saved,
        errors,
    })
}

/// Published frameworks other than `slug`'s whose licence allows
/// copying, to fork.
pub(crate) async fn published_sources(
    app: &App,
    slug: &cairn_domain::OrgSlug,
) -> Result<Vec<Link>, PageError> {
    Ok(cairn_store::orgs::list_published(&app.store, 0)
        .await?
        .0
        .into_iter()
        .filter(|o| &o.slug != slug && o.abilities > 0 && o.licence.allows_fork())
        .map(|o| Link {
            href: o.slug.to_string(),
            text: format!(
                "{} ({}, {})",
                o.name,
                cairn_domain::wording::pluralize(o.abilities.max(0) as u64, "ability", "abilities"),
                o.licence.label()
            ),
        })
        .collect())
}

pub(crate) async fn hub(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Query(q): Query<SavedQuery>,
) -> Result<HubPage, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    hub_view(
        &app,
        &visitor,
        &ctx,
        None,
        !q.saved.is_empty(),
        FormErrors::default(),
    )
    .await
}

pub(crate) async fn set_miles(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    let person = ctx.member()?;
    let typed: [String; 5] =
        std::array::from_fn(|i| field(&pairs, &format!("m{}", i + 1)).trim().to_owned());
    let mut errors = FormErrors::default();
    let numbers: Option<Vec<i64>> = typed.iter().map(|t| t.parse::<i64>().ok()).collect();
    let scale = match numbers {
        Some(n) => errors.check("miles", MilesScale::parse(&n)),
        None => {
            errors.add("miles", "Miles are whole numbers.");
            None
        }
    };
    if let Some(scale) = scale {
        match framework::apply(
            &app.store,
            &ctx.org.id,
            Edit::SetMiles(scale),
            &person.id,
            app.now(),
        )
        .await?
        {
            Ok(_) => return Ok(redirect(&format!("/{org}/settings/framework?saved=1"))),
            Err(r) => refused(&mut errors, r)?,
        }
    }
    Ok(invalid(
        hub_view(&app, &visitor, &ctx, Some(typed), false, errors).await?,
    ))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/settings/framework", hub)
        .post("/{org}/settings/framework/miles", set_miles)
        .get_post(
            "/{org}/settings/framework/import",
            super::framework_import::to_hub,
            super::framework_import::import,
        )
        .get_post(
            "/{org}/settings/framework/adopt",
            super::framework_import::to_hub,
            super::framework_import::adopt,
        )
}

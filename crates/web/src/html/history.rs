//! The same for every kind of item: archive, restore, and the history
//! page (who changed what, when, as a diff per field).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use cairn_domain::history::{self, Line};
use cairn_domain::policy::Action;
use cairn_domain::wording::{ago, date};
use cairn_store::framework::{self, Edit};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::{KindPath, Older};
use crate::forms::{FormErrors, invalid, redirect};
use crate::html::editing::*;
use crate::html::framework::hub_view;
use crate::html::{Chrome, OrgContext};

pub(crate) async fn archive_or_restore(
    app: App,
    visitor: Visitor,
    KindPath { org, kind, slug }: KindPath,
    restore: bool,
) -> Result<Response, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    let person = ctx.member()?;
    let edit = if restore {
        Edit::Restore {
            kind,
            slug: slug.clone(),
        }
    } else {
        Edit::Archive {
            kind,
            slug: slug.clone(),
        }
    };
    let mut errors = FormErrors::default();
    match framework::apply(&app.store, &ctx.org.id, edit, &person.id, app.now()).await? {
        Ok(framework::Saved::Draft) => Ok(redirect(&format!("/{org}/changes#draft"))),
        Ok(framework::Saved::Live) if restore => {
            Ok(redirect(&format!("/{org}/{}/{slug}", kind.area())))
        }
        Ok(framework::Saved::Live) => Ok(redirect(&format!("/{org}/settings/framework?saved=1"))),
        Err(r) => {
            refused(&mut errors, r)?;
            Ok(invalid(
                hub_view(&app, &visitor, &ctx, None, false, errors).await?,
            ))
        }
    }
}

pub(crate) async fn archive(
    State(app): State<App>,
    visitor: Visitor,
    path: KindPath,
) -> Result<Response, PageError> {
    archive_or_restore(app, visitor, path, false).await
}

pub(crate) async fn restore(
    State(app): State<App>,
    visitor: Visitor,
    path: KindPath,
) -> Result<Response, PageError> {
    archive_or_restore(app, visitor, path, true).await
}

pub(crate) struct DiffLine {
    kind: &'static str,
    text: String,
}

pub(crate) struct FieldView {
    label: String,
    lines: Vec<DiffLine>,
}

pub(crate) struct EntryView {
    change: String,
    when: String,
    date: String,
    actor: String,
    published_in: Option<i64>,
    fields: Vec<FieldView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "history/show.html")]
pub(crate) struct HistoryPage {
    chrome: Chrome,
    name: String,
    item_href: String,
    entries: Vec<EntryView>,
    /// The next (older) page's address, when there is one.
    older: Option<String>,
}

/// How many changes a history page shows.
const HISTORY_PAGE: u32 = 25;

/// An item's history: who changed what, when, as a diff per field.
/// Readable by whoever may read the framework.
pub(crate) async fn history_page(
    State(app): State<App>,
    visitor: Visitor,
    KindPath { org, kind, slug }: KindPath,
    Older(before): Older,
) -> Result<HistoryPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadFramework).await?;
    let history = framework::history(
        &app.store,
        &ctx.org.id,
        kind,
        &slug,
        before.as_ref(),
        Some(HISTORY_PAGE),
    )
    .await?
    .ok_or(PageError::NotFound)?;
    if !cairn_domain::policy::can_read_history(&ctx.actor, ctx.org.access(), history.archived) {
        return Err(PageError::NotFound);
    }
    let entries = history.entries;
    let older = history
        .older
        .map(|c| format!("/{org}/{}/{slug}/history?older={}", kind.area(), c.param()));
    let now = app.now();
    // The newest snapshot names the item (archived items included).
    let name = entries
        .iter()
        .find_map(|e| e.after.as_ref().or(e.before.as_ref()))
        .and_then(|s| s.0.first())
        .map_or_else(|| slug.to_string(), |(_, v)| v.clone());
    let empty = history::Snapshot::default();
    Ok(HistoryPage {
        chrome: ctx.chrome(&visitor),
        item_href: format!("/{org}/{}/{slug}", kind.area()),
        older,
        entries: entries
            .iter()
            .map(|e| EntryView {
                change: capitalized(&e.change),
                when: ago(e.at, now),
                date: date(e.at),
                actor: e
                    .actor
                    .as_ref()
                    .map_or_else(|| "an import".to_owned(), ToString::to_string),
                published_in: e.published_in,
                fields: history::diff(
                    e.before.as_ref().unwrap_or(&empty),
                    e.after.as_ref().unwrap_or(&empty),
                )
                .into_iter()
                .map(|f| FieldView {
                    label: f.label,
                    lines: f
                        .lines
                        .into_iter()
                        .map(|l| match l {
                            Line::Same(t) => DiffLine {
                                kind: "same",
                                text: t,
                            },
                            Line::Removed(t) => DiffLine {
                                kind: "removed",
                                text: t,
                            },
                            Line::Added(t) => DiffLine {
                                kind: "added",
                                text: t,
                            },
                        })
                        .collect(),
                })
                .collect(),
            })
            .collect(),
        name,
    })
}

pub(crate) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .post("/{org}/{area}/{slug}/archive", archive)
        .post("/{org}/{area}/{slug}/restore", restore)
        .get("/{org}/{area}/{slug}/history", history_page)
}

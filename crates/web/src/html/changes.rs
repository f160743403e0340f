//! `/{org}/changes`: the framework's published versions, each with its
//! release notes and what changed from the one before, in the words of
//! `cairn_domain::changes` (raises the bar, or editorial); for framework
//! editors, what changed since the latest version and the form that
//! publishes it. `/{org}/changes/{from}...{to}` compares any two
//! versions; `/{org}/changes.atom` is the feed.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::changes::{self, Change, Weight};
use cairn_domain::file::{self, Format};
use cairn_domain::framework::Framework;
use cairn_domain::licence::Licence;
use cairn_domain::policy::Action;
use cairn_domain::publishing::{Publishing, can_read_draft};
use cairn_store::framework;
use cairn_store::versions::{self, Publish, Refused};

use super::{Chrome, OrgContext, date};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::forms::{FormErrors, redirect};

/// How many versions the page shows with their changes.
const SHOWN: i64 = 20;

pub(crate) struct ChangeLine {
    text: String,
    raises: bool,
}

pub(crate) struct VersionBlock {
    number: i64,
    notes: String,
    published_at: i64,
    when: String,
    by: String,
    changes: Vec<ChangeLine>,
    /// Proposals this version published, with their authors.
    proposals: Vec<AcceptedLine>,
}

pub(crate) struct AcceptedLine {
    title: String,
    author: String,
    href: String,
}

fn accepted_lines(slug: &str, list: &[cairn_store::proposals::Accepted]) -> Vec<AcceptedLine> {
    list.iter()
        .map(|a| AcceptedLine {
            title: a.title.clone(),
            author: a.author.to_string(),
            href: format!("/{slug}/proposals/{}", a.id),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "changes/list.html")]
pub(crate) struct ChangesPage {
    chrome: Chrome,
    versions: Vec<VersionBlock>,
    /// Editors: what changed since the latest version (or everything, when
    /// none is published yet), and the form.
    editor: bool,
    /// The organization drafts: `pending` is its draft (when `show_draft`).
    drafting: bool,
    show_draft: bool,
    has_draft: bool,
    draft_by: String,
    draft_when: String,
    revision: i64,
    /// Admins choose how changes reach readers, and the licence.
    settings: bool,
    draft_visible: bool,
    licence: &'static str,
    licences: Vec<(&'static str, &'static str)>,
    latest: i64,
    pending: Vec<ChangeLine>,
    /// Accepted since the latest version: the next one's release notes.
    pending_proposals: Vec<AcceptedLine>,
    read_at: i64,
    notes: String,
    /// The next page of older versions.
    older: Option<String>,
    /// A fork: the upstream's name (its page is `/{org}/upstream`).
    forked_from: Option<String>,
    errors: FormErrors,
}

fn lines(list: &[Change]) -> Vec<ChangeLine> {
    list.iter()
        .map(|c| ChangeLine {
            text: c.describe(),
            raises: c.weight() == Weight::RaisesTheBar,
        })
        .collect()
}

fn parse(snapshot: &str) -> Result<Framework, PageError> {
    file::parse(snapshot)
        .map_err(|p| PageError::Internal(format!("a stored version does not parse: {p:?}")))
}

/// A framework with nothing in it, to compare the first version against.
fn empty_like(fw: &Framework) -> Framework {
    Framework {
        organization: fw.organization.clone(),
        abilities: Vec::new(),
        roles: Vec::new(),
        positions: Vec::new(),
    }
}

/// A page of versions with what each changed, newest first (one
/// statement: the versions come with their files), the latest version's
/// framework when this is the first page, and whether older ones follow.
async fn history(
    app: &App,
    ctx: &OrgContext,
    page: i64,
) -> Result<(Vec<VersionBlock>, Option<(i64, Framework)>, bool), PageError> {
    let (rows, more) = versions::page(&app.store, &ctx.org.id, page, SHOWN).await?;
    let parsed = rows
        .iter()
        .map(|(v, snapshot)| Ok((v, parse(snapshot)?)))
        .collect::<Result<Vec<_>, PageError>>()?;
    // The proposals these versions published: accepted after the version
    // before each, up to it (one statement for the page).
    let window = |i: usize| parsed.get(i + 1).map_or(0, |(v, _)| v.published_at);
    let shown = parsed.len().min(SHOWN as usize);
    let accepted = match (parsed.first(), shown) {
        (Some((newest, _)), n) if n > 0 => {
            cairn_store::proposals::accepted_between(
                &app.store,
                &ctx.org.id,
                window(n - 1),
                newest.published_at,
            )
            .await?
        }
        _ => Vec::new(),
    };
    let slug = ctx.org.org.slug.as_str();
    let mut blocks = Vec::new();
    for (i, (v, fw)) in parsed.iter().enumerate().take(SHOWN as usize) {
        let before = match parsed.get(i + 1) {
            Some((_, older)) => older.clone(),
            None => empty_like(fw),
        };
        let mine: Vec<_> = accepted
            .iter()
            .filter(|a| a.decided_at > window(i) && a.decided_at <= v.published_at)
            .cloned()
            .collect();
        let mut b = block(v, &changes::diff(&before, fw));
        b.proposals = accepted_lines(slug, &mine);
        blocks.push(b);
    }
    let latest = (page == 0)
        .then(|| parsed.into_iter().next().map(|(v, fw)| (v.number, fw)))
        .flatten();
    Ok((blocks, latest, more))
}

async fn view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    page: i64,
) -> Result<ChangesPage, PageError> {
    let (blocks, latest, more) = history(app, ctx, page).await?;
    // Editors, on the first page: what changed since the latest version:
    // the framework as it is, or the draft when the organization drafts
    // (which members read too when the organization says so).
    let editor = ctx.can(Action::EditFramework) && page == 0;
    let drafting = ctx.org.publishing == Publishing::Drafts;
    let show_draft = drafting
        && page == 0
        && can_read_draft(
            ctx.can(Action::EditFramework),
            ctx.can(Action::ReadMemberContent),
            ctx.org.draft_visible,
        );
    let base_of = |current: &Framework| match &latest {
        Some((_, fw)) => fw.clone(),
        None => empty_like(current),
    };
    let mut draft_meta = None;
    let pending = if show_draft {
        // Against what readers see now: the latest version, or the
        // framework as it was before the organization drafted.
        match framework::draft(&app.store, &ctx.org).await? {
            Some(d) => {
                let live = framework::load(&app.store, &ctx.org).await?;
                let list = lines(&changes::diff(live.framework(), &d.framework));
                draft_meta = Some(d);
                list
            }
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    // No draft: what changed in the framework itself since the latest
    // version (every save; or an import, or edits from before drafting).
    let pending = if editor && draft_meta.is_none() {
        let current = framework::load(&app.store, &ctx.org).await?;
        let current = current.framework();
        lines(&changes::diff(&base_of(current), current))
    } else {
        pending
    };
    let slug = ctx.org.org.slug.as_str();
    let pending_proposals = if editor || show_draft {
        let since = blocks.first().map_or(0, |b| b.published_at);
        let list =
            cairn_store::proposals::accepted_between(&app.store, &ctx.org.id, since, i64::MAX)
                .await?;
        accepted_lines(slug, &list)
    } else {
        Vec::new()
    };
    let forked_from = cairn_store::framework::fork::get(&app.store, &ctx.org.id)
        .await?
        .map(|f| f.upstream_name);
    Ok(ChangesPage {
        chrome: ctx.chrome(visitor),
        forked_from,
        pending_proposals,
        versions: blocks,
        editor,
        drafting,
        show_draft,
        has_draft: draft_meta.is_some(),
        draft_by: draft_meta
            .as_ref()
            .map(|d| d.by.clone())
            .unwrap_or_default(),
        draft_when: draft_meta
            .as_ref()
            .map(|d| date(d.updated_at))
            .unwrap_or_default(),
        revision: draft_meta.as_ref().map_or(0, |d| d.revision),
        settings: ctx.can(Action::ManageSettings) && page == 0,
        draft_visible: ctx.org.draft_visible,
        licence: ctx.org.org.licence.as_str(),
        licences: Licence::ALL
            .iter()
            .map(|l| (l.as_str(), l.label()))
            .collect(),
        latest: latest.map_or(0, |(n, _)| n),
        pending,
        read_at: ctx.org.framework_version,
        notes: String::new(),
        older: more.then(|| format!("/{slug}/changes?page={}", page + 1)),
        errors: FormErrors::default(),
    })
}

fn block(v: &versions::Version, list: &[Change]) -> VersionBlock {
    VersionBlock {
        number: v.number,
        notes: v.notes.clone(),
        published_at: v.published_at,
        when: date(v.published_at),
        by: v.by.clone(),
        changes: lines(list),
        proposals: Vec::new(),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct PageQuery {
    page: String,
}

pub(crate) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Result<ChangesPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadFramework).await?;
    let page = q
        .page
        .parse::<i64>()
        .ok()
        .filter(|p| (0..100_000).contains(p))
        .unwrap_or(0);
    view(&app, &visitor, &ctx, page).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct PublishForm {
    notes: String,
    after: String,
    read_at: String,
    /// The draft's revision the page showed (drafting organizations).
    revision: String,
}

/// Publishes the framework as it is as the next version.
pub(crate) async fn publish(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::EditFramework).await?;
    let person = ctx.member()?.id.clone();
    let notes = form.notes.trim();
    let (Ok(after), Ok(read_at)) = (form.after.parse::<i64>(), form.read_at.parse::<i64>()) else {
        return Err(PageError::BadRequest("the form's version fields"));
    };
    let refused: Option<(StatusCode, String)> = if notes.is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Write release notes: what changed and why".into(),
        ))
    } else if notes.chars().count() > 20_000 {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Keep the notes under 20000 characters".into(),
        ))
    } else {
        let revision = form.revision.parse::<i64>().unwrap_or(0);
        let published = if ctx.org.publishing == Publishing::Drafts && revision > 0 {
            // What is published is the draft the page showed; the store
            // checks it was not saved again since.
            framework::publish_draft(
                &app.store,
                &ctx.org.id,
                after,
                revision,
                notes,
                Some(&person),
                app.now(),
            )
            .await?
        } else {
            let current = framework::load(&app.store, &ctx.org).await?;
            let snapshot = file::write(current.framework(), Format::Json)
                .map_err(|e| PageError::Internal(e.to_string()))?;
            // What is published is what the page showed: the framework at
            // the form's write counter; the store checks nothing was
            // written since.
            let p = Publish {
                after,
                read_at: if current.version == read_at {
                    read_at
                } else {
                    -1
                },
                snapshot: &snapshot,
                notes,
                by: Some(&person),
            };
            versions::publish(&app.store, &ctx.org.id, &p, app.now()).await?
        };
        match published {
            Ok(_) => None,
            Err(Refused::AlreadyPublished(n)) => Some((
                StatusCode::CONFLICT,
                format!("Already published as v{n} by someone else: look at it before publishing again"),
            )),
            Err(Refused::NothingToPublish) => Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Nothing changed since v{after}: there is nothing to publish"),
            )),
            Err(Refused::Moved) => Some((
                StatusCode::CONFLICT,
                "The framework changed while you were writing: look at the changes again, then publish".into(),
            )),
        }
    };
    let Some((status, message)) = refused else {
        return Ok(redirect(&format!("/{slug}/changes")));
    };
    let mut page = view(&app, &visitor, &ctx, 0).await?;
    page.notes = form.notes.clone();
    page.errors.add("notes", message);
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "changes/compare.html")]
pub(crate) struct ComparePage {
    chrome: Chrome,
    from: i64,
    to: i64,
    changes: Vec<ChangeLine>,
}

/// `/{org}/changes/{from}...{to}`.
pub(crate) async fn compare(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, range)): Path<(String, String)>,
) -> Result<ComparePage, PageError> {
    let slug = cairn_domain::OrgSlug::parse(&org).map_err(|_| PageError::NotFound)?;
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadFramework).await?;
    // "latest" stands for the newest version (links from a journey).
    let latest = versions::latest(&app.store, &ctx.org.id)
        .await?
        .unwrap_or(0);
    let number = |s: &str| {
        if s == "latest" {
            Some(latest)
        } else {
            s.trim_start_matches('v').parse::<i64>().ok()
        }
    };
    let (from, to) = range
        .split_once("...")
        .and_then(|(a, b)| Some((number(a)?, number(b)?)))
        .ok_or(PageError::NotFound)?;
    let mut fws = Vec::new();
    for n in [from, to] {
        let snap = versions::snapshot(&app.store, &ctx.org.id, n)
            .await?
            .ok_or(PageError::NotFound)?;
        fws.push(parse(&snap)?);
    }
    Ok(ComparePage {
        chrome: ctx.chrome(&visitor),
        from,
        to,
        changes: lines(&changes::diff(&fws[0], &fws[1])),
    })
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `/{org}/changes.atom`: the versions as an Atom feed.
pub(crate) async fn feed(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadFramework).await?;
    let (blocks, _, _) = history(&app, &ctx, 0).await?;
    let base = app.config.trusted_origin.clone().unwrap_or_default();
    let updated = blocks.first().map_or(0, |b| b.published_at);
    let stamp = cairn_domain::wording::timestamp;
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{} framework changes</title>\n<id>{base}/{slug}/changes</id>\n<link href=\"{base}/{slug}/changes\"/>\n<updated>{}</updated>\n",
        xml(ctx.org.org.name.as_str()),
        stamp(updated)
    );
    for b in &blocks {
        let mut body: String = b
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}{}\n",
                    if c.raises { "Raises the bar: " } else { "" },
                    c.text
                )
            })
            .collect();
        for p in &b.proposals {
            body.push_str(&format!(
                "Accepted proposal: {}, proposed by {}\n",
                p.title, p.author
            ));
        }
        out.push_str(&format!(
            "<entry>\n<title>v{n}</title>\n<id>{base}/{slug}/changes#v{n}</id>\n<link href=\"{base}/{slug}/changes#v{n}\"/>\n<updated>{}</updated>\n<summary>{}</summary>\n<content type=\"text\">{}</content>\n</entry>\n",
            stamp(b.published_at),
            xml(&b.notes),
            xml(&body),
            n = b.number
        ));
    }
    out.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        out,
    )
        .into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct DiscardForm {
    revision: String,
}

/// Throws the draft away (the revision the page showed, so a save made
/// meanwhile is not lost unseen).
pub(crate) async fn discard(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Form(form): Form<DiscardForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::EditFramework).await?;
    let revision = form
        .revision
        .parse::<i64>()
        .map_err(|_| PageError::BadRequest("the draft's revision"))?;
    if framework::discard(&app.store, &ctx.org.id, revision).await? {
        return Ok(redirect(&format!("/{slug}/changes")));
    }
    let mut page = view(&app, &visitor, &ctx, 0).await?;
    page.errors.add(
        "notes",
        "The draft changed (or was published) since you read it: look at it again",
    );
    Ok((StatusCode::CONFLICT, page).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct PublishingForm {
    publishing: String,
    draft_visible: String,
    licence: String,
}

/// Admins: how editors' saves reach readers, whether members read the
/// draft, and the licence the published framework is offered under.
pub(crate) async fn settings(
    State(app): State<App>,
    visitor: Visitor,
    crate::auth::ClientInfo(client): crate::auth::ClientInfo,
    OrgPath(slug): OrgPath,
    Form(form): Form<PublishingForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageSettings).await?;
    let mode = Publishing::parse(&form.publishing);
    let licence = match form.licence.as_str() {
        "" => Some(ctx.org.org.licence),
        l => Licence::parse(l),
    };
    let visible = form.draft_visible == "on";
    let refusal = match (mode, licence) {
        (None, _) => Some("Choose how changes reach readers".to_owned()),
        (_, None) => Some("Choose a licence from the list".to_owned()),
        (Some(mode), Some(licence)) => {
            match framework::set_licence(&app.store, &ctx.org.id, licence, app.now()).await? {
                Err(why) => Some(why),
                Ok(()) => match framework::set_publishing(&app.store, &ctx.org.id, mode, visible)
                    .await?
                {
                    Ok(()) => None,
                    Err(framework::ModeRefused::DraftPending) => Some(
                        "A draft is waiting: publish it or discard it before publishing every save"
                            .to_owned(),
                    ),
                },
            }
        }
    };
    if let Some(message) = refusal {
        let mut page = view(&app, &visitor, &ctx, 0).await?;
        page.errors.add("publishing", message);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    crate::audit::note(
        &app,
        cairn_store::audit::Entry {
            org: Some(&ctx.org.id),
            actor: visitor.person.as_ref().map(|p| &p.id),
            action: cairn_domain::audit::AuditAction::SettingsChanged,
            subject: "publishing".into(),
            detail: format!(
                "{}; draft {}; licence {}",
                form.publishing,
                if visible {
                    "visible to members"
                } else {
                    "visible to editors"
                },
                licence.map_or("", |l| l.as_str())
            ),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok(redirect(&format!("/{slug}/changes")))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/{org}/changes", page, publish)
        .post("/{org}/changes/discard", discard)
        .post("/{org}/settings/publishing", settings)
        .get("/{org}/changes.atom", feed)
        .get("/{org}/changes/{range}", compare)
}

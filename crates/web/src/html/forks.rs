//! Forks in the browser: "Use this framework" on a published framework
//! whose licence allows copying (`/{org}/fork`), and a fork's own page of
//! where it came from and what its upstream changed since
//! (`/{org}/upstream`), where its editors pull changes one item at a time.
//!
//! Only frameworks published to everyone can be forked, into an
//! organization the visitor edits that has no framework yet, or a new one
//! (they become its owner). The copy lands as the new organization's draft
//! (`cairn_store::framework::fork`). Upstreams on this instance are read
//! directly; `cairn fork URL` forks from another instance, whose later
//! versions that command reads again (`cairn fork --pull`), since this
//! server makes no requests to other servers on a page view.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_domain::changes::Weight;
use cairn_domain::fork::{self as rules, Subject};
use cairn_domain::licence::{self, Licence};
use cairn_domain::policy::Action;
use cairn_domain::{Name, OrgSlug};
use cairn_store::framework::fork::{self, Fork, ForkRefused, PullRefused, Source};
use cairn_store::framework::{self, Saved};
use cairn_store::{StoreError, orgs};
use serde::Deserialize;

use super::{Chrome, OrgContext, signed_in};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::forms::{FormErrors, Pairs, field, redirect};

/// An organization the visitor may fork into.
pub(crate) struct Target {
    slug: String,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "forks/new.html")]
pub(crate) struct ForkPage {
    chrome: Chrome,
    upstream: String,
    licence: Licence,
    /// What the copy will say on its pages ('' when nothing is required).
    attribution: String,
    /// Why this framework cannot be forked, when it cannot.
    refusal: Option<String>,
    targets: Vec<Target>,
    into: String,
    name: String,
    slug: String,
    errors: FormErrors,
}

/// The upstream as its public page: published to everyone, or a 404.
async fn upstream(app: &App, visitor: &Visitor, slug: &OrgSlug) -> Result<OrgContext, PageError> {
    let ctx = OrgContext::load(app, visitor, slug, Action::ReadFramework).await?;
    if !ctx.org.published {
        return Err(PageError::NotFound);
    }
    Ok(ctx)
}

/// This instance's public address of an organization.
pub(crate) fn page_url(app: &App, slug: &OrgSlug) -> String {
    let base = app.config.trusted_origin.as_deref().unwrap_or("");
    format!("{base}/{slug}")
}

/// The visitor's organizations they edit that have no framework and no
/// draft yet, other than the upstream.
/// A few statements per organization of the visitor's: people belong to
/// a handful, and the framework read is the cached snapshot.
async fn targets(app: &App, visitor: &Visitor, not: &OrgSlug) -> Result<Vec<Target>, PageError> {
    let Some(person) = &visitor.person else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (slug, name) in cairn_store::members::organizations_of(&app.store, &person.id).await? {
        if &slug == not {
            continue;
        }
        let Ok(ctx) = OrgContext::load(app, visitor, &slug, Action::EditFramework).await else {
            continue;
        };
        let fw = framework::load(&app.store, &ctx.org).await?;
        let empty = fw.abilities.is_empty() && fw.roles.is_empty() && fw.positions.is_empty();
        if empty && framework::draft(&app.store, &ctx.org).await?.is_none() {
            out.push(Target {
                slug: slug.to_string(),
                name: name.to_string(),
            });
        }
    }
    Ok(out)
}

async fn fork_page(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    pairs: &Pairs,
    errors: FormErrors,
) -> Result<ForkPage, PageError> {
    let org = &ctx.org.org;
    let targets = targets(app, visitor, &org.slug).await?;
    let into = match field(pairs, "into") {
        "" => targets
            .first()
            .map_or_else(|| "new".to_owned(), |t| t.slug.clone()),
        chosen => chosen.to_owned(),
    };
    Ok(ForkPage {
        chrome: ctx.chrome(visitor),
        upstream: org.name.to_string(),
        licence: org.licence,
        attribution: licence::attribution(
            org.licence,
            org.name.as_str(),
            &page_url(app, &org.slug),
        )
        .unwrap_or_default(),
        refusal: licence::fork_refusal(org.name.as_str(), org.licence),
        targets,
        into,
        name: field(pairs, "name").to_owned(),
        slug: field(pairs, "slug").to_owned(),
        errors,
    })
}

pub(crate) async fn fork_form(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<ForkPage, PageError> {
    let ctx = upstream(&app, &visitor, &org).await?;
    signed_in(&visitor, &format!("/{org}/fork"))?;
    fork_page(
        &app,
        &visitor,
        &ctx,
        &Pairs::default(),
        FormErrors::default(),
    )
    .await
}

fn unprocessable(page: ForkPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub(crate) async fn fork_into(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = upstream(&app, &visitor, &org).await?;
    let person = signed_in(&visitor, &format!("/{org}/fork"))?;
    let mut errors = FormErrors::default();
    if let Some(why) = licence::fork_refusal(ctx.org.org.name.as_str(), ctx.org.org.licence) {
        errors.add("into", why);
        return Ok(unprocessable(
            fork_page(&app, &visitor, &ctx, &pairs, errors).await?,
        ));
    }
    let into = field(&pairs, "into");
    let target = if into == "new" {
        let name = errors.check(
            "name",
            Name::parse(field(&pairs, "name"), "the organization name"),
        );
        let slug = errors.check("slug", OrgSlug::parse(field(&pairs, "slug").trim()));
        let (Some(name), Some(slug)) = (name, slug) else {
            return Ok(unprocessable(
                fork_page(&app, &visitor, &ctx, &pairs, errors).await?,
            ));
        };
        match orgs::create(&app.store, &slug, &name, &person.id, app.now()).await {
            Ok(id) => (id, slug),
            Err(StoreError::Conflict(_)) => {
                errors.add(
                    "slug",
                    format!("The address {slug} is taken. Choose another."),
                );
                return Ok(unprocessable(
                    fork_page(&app, &visitor, &ctx, &pairs, errors).await?,
                ));
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        let chosen = OrgSlug::parse(into).ok().filter(|s| s != &org);
        let editing = match &chosen {
            Some(s) => OrgContext::load(&app, &visitor, s, Action::EditFramework)
                .await
                .ok(),
            None => None,
        };
        match (chosen, editing) {
            (Some(slug), Some(target)) => (target.org.id, slug),
            _ => {
                errors.add(
                    "into",
                    "Choose one of your organizations with no framework yet, or start a new one.",
                );
                return Ok(unprocessable(
                    fork_page(&app, &visitor, &ctx, &pairs, errors).await?,
                ));
            }
        }
    };
    let (target_id, target_slug) = target;
    let source = fork::local_source(&app.store, &ctx.org, page_url(&app, &org)).await?;
    match fork::fork(&app.store, &target_id, &source, Some(&person.id), app.now()).await? {
        Ok(()) => Ok(redirect(&format!("/{target_slug}/upstream?forked=1"))),
        Err(refused) => {
            errors.add(
                "into",
                match refused {
                    ForkRefused::Licence(why) => why,
                    ForkRefused::NotEmpty => format!(
                        "{target_slug} already has a framework or a draft: fork into an organization with none, or start a new one."
                    ),
                    ForkRefused::Itself => "A framework cannot be forked into itself.".into(),
                },
            );
            Ok(unprocessable(
                fork_page(&app, &visitor, &ctx, &pairs, errors).await?,
            ))
        }
    }
}

pub(crate) struct Ancestor {
    name: String,
    url: String,
    version: String,
}

pub(crate) struct ChangeLine {
    text: String,
    raises: bool,
}

/// One item's pending upstream changes, pulled together.
pub(crate) struct PendingView {
    key: String,
    label: String,
    /// What the page showed: a pull is refused if the upstream moved since.
    seen: String,
    changes: Vec<ChangeLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "forks/upstream.html")]
pub(crate) struct UpstreamPage {
    chrome: Chrome,
    upstream: String,
    upstream_url: String,
    forked: String,
    lineage: Vec<Ancestor>,
    /// "Fernhill published v4" when newer than what was taken.
    news: Option<String>,
    /// Why nothing can be pulled (the upstream is gone, or its licence
    /// no longer allows copying).
    unavailable: Option<String>,
    /// The upstream is on another instance: `cairn fork --pull` reads it.
    remote: bool,
    pending: Vec<PendingView>,
    can_pull: bool,
    flash: Option<String>,
    errors: FormErrors,
}

/// The upstream as it is now, when it is on this instance and can be read.
enum Upstream {
    Here(Box<Source>),
    Unavailable(String),
    Remote,
}

async fn upstream_of(app: &App, f: &Fork) -> Result<Upstream, PageError> {
    let Some(id) = &f.upstream_org_id else {
        return Ok(Upstream::Remote);
    };
    let gone = || {
        Upstream::Unavailable(format!(
            "{}'s framework is no longer published here: your framework keeps everything it took, and nothing more can be pulled.",
            f.upstream_name
        ))
    };
    let Some(org) = orgs::by_id(&app.store, id).await?.filter(|o| o.published) else {
        return Ok(gone());
    };
    if let Some(why) = licence::fork_refusal(org.org.name.as_str(), org.org.licence) {
        return Ok(Upstream::Unavailable(format!(
            "{why}. Your framework keeps everything it took under {}.",
            f.licence.label()
        )));
    }
    let url = page_url(app, &org.org.slug);
    Ok(Upstream::Here(Box::new(
        fork::local_source(&app.store, &org, url).await?,
    )))
}

fn seen(p: &rules::Pending) -> String {
    let text: Vec<String> = p.changes.iter().map(|c| c.describe()).collect();
    crate::secrets::hash(&text.join("\n"))
}

fn version_label(v: i64) -> String {
    if v > 0 {
        format!("v{v}")
    } else {
        "before its first numbered version".into()
    }
}

async fn upstream_page(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    flash: Option<String>,
    errors: FormErrors,
) -> Result<UpstreamPage, PageError> {
    let f = fork::get(&app.store, &ctx.org.id)
        .await?
        .ok_or(PageError::NotFound)?;
    let state = upstream_of(app, &f).await?;
    let (news, unavailable, remote, pending) = match &state {
        Upstream::Here(source) => {
            let pending = rules::pending(&f.base, &source.framework);
            let news = (source.version > f.upstream_version)
                .then(|| format!("{} published v{}", f.upstream_name, source.version))
                .or_else(|| {
                    (!pending.is_empty())
                        .then(|| format!("{} changed its framework since", f.upstream_name))
                });
            (news, None, false, pending)
        }
        Upstream::Unavailable(why) => (None, Some(why.clone()), false, Vec::new()),
        Upstream::Remote => (None, None, true, Vec::new()),
    };
    let pending = pending
        .iter()
        .map(|p| PendingView {
            key: p.subject.key(),
            label: p.label.clone(),
            seen: seen(p),
            changes: p
                .changes
                .iter()
                .map(|c| ChangeLine {
                    text: c.describe(),
                    raises: c.weight() == Weight::RaisesTheBar,
                })
                .collect(),
        })
        .collect();
    Ok(UpstreamPage {
        chrome: ctx.chrome(visitor),
        upstream: f.upstream_name.clone(),
        upstream_url: f.upstream_url.clone(),
        forked: version_label(f.upstream_version),
        lineage: f
            .lineage
            .iter()
            .map(|a| Ancestor {
                name: a.name.clone(),
                url: a.url.clone(),
                version: version_label(a.version),
            })
            .collect(),
        news,
        unavailable,
        remote,
        pending,
        can_pull: ctx.can(Action::EditFramework),
        flash,
        errors,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct UpstreamQuery {
    forked: Option<String>,
    pulled: Option<String>,
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Query(q): Query<UpstreamQuery>,
) -> Result<UpstreamPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadFramework).await?;
    let flash = if q.forked.is_some() {
        Some(
            "Forked. The copy is your draft: read it through, then publish it on the changes page."
                .to_owned(),
        )
    } else {
        q.pulled.map(|p| match p.as_str() {
            "live" => "Pulled, and published.".to_owned(),
            _ => "Pulled into the draft: it is published with the next version.".to_owned(),
        })
    };
    upstream_page(&app, &visitor, &ctx, flash, FormErrors::default()).await
}

pub(crate) async fn pull(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = super::editing::editor(&app, &visitor, &org).await?;
    match pulled(&app, &ctx, &org, &pairs).await? {
        Ok(saved) => Ok(redirect(&format!(
            "/{org}/upstream?pulled={}",
            match saved {
                Saved::Live => "live",
                Saved::Draft => "draft",
            }
        ))),
        Err((status, message)) => {
            let mut errors = FormErrors::default();
            errors.add("pull", message);
            Ok((
                status,
                upstream_page(&app, &visitor, &ctx, None, errors).await?,
            )
                .into_response())
        }
    }
}

/// Pulls the change the form names, or says why not.
async fn pulled(
    app: &App,
    ctx: &OrgContext,
    org: &OrgSlug,
    pairs: &Pairs,
) -> Result<Result<Saved, (StatusCode, String)>, PageError> {
    let person = ctx.member()?.id.clone();
    let f = fork::get(&app.store, &ctx.org.id)
        .await?
        .ok_or(PageError::NotFound)?;
    let source = match upstream_of(app, &f).await? {
        Upstream::Here(s) => s,
        Upstream::Unavailable(why) => return Ok(Err((StatusCode::CONFLICT, why))),
        Upstream::Remote => {
            return Ok(Err((
                StatusCode::CONFLICT,
                format!(
                    "{} is on another cairn instance: pull its changes with `cairn fork --pull {org}`.",
                    f.upstream_name
                ),
            )));
        }
    };
    let Some(subject) = Subject::parse(field(pairs, "subject")) else {
        return Ok(Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a change to pull.".into(),
        )));
    };
    let now_pending = rules::pending(&f.base, &source.framework);
    let shown = now_pending.iter().find(|p| p.subject == subject);
    if shown.is_none_or(|p| seen(p) != field(pairs, "seen")) {
        return Ok(Err((
            StatusCode::CONFLICT,
            format!(
                "{} changed this since the page was shown, or it is pulled already: look at it again.",
                f.upstream_name
            ),
        )));
    }
    Ok(
        match fork::pull(
            &app.store,
            &ctx.org.id,
            &subject,
            &source.framework,
            source.licence,
            source.version,
            Some(&person),
            app.now(),
        )
        .await?
        {
            Ok(saved) => Ok(saved),
            Err(PullRefused::NotAFork) => return Err(PageError::NotFound),
            Err(PullRefused::Licence(why)) => Err((StatusCode::CONFLICT, why)),
            Err(PullRefused::NothingToPull) => Err((
                StatusCode::CONFLICT,
                "That change is pulled already, or no longer differs.".into(),
            )),
            Err(PullRefused::Problems(list)) => Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Pulling it would leave the framework broken: {}",
                    list.join("; ")
                ),
            )),
        },
    )
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/{org}/fork", fork_form, fork_into)
        .get("/{org}/upstream", show)
        .post("/{org}/upstream/pull", pull)
}

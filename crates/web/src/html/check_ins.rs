//! Check-ins: `/{org}/check-ins` (who is due), a member's check-in
//! opened from their journey, its page at `/{org}/check-ins/{id}` with
//! each step's form. Who may read and do what is `cairn_domain::check_ins`;
//! the store checks each step inside its write. A finalized check-in is
//! shown from its snapshot only.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_domain::audit::AuditAction;
use cairn_domain::awards::can_read_award;
use cairn_domain::check_ins::{
    self, AbilityRating, Clarity, Entry, Freezing, Frozen, Overall, Side, Sides, Stage, Standing,
    StepRefused,
};
use cairn_domain::policy::Action;
use cairn_domain::visibility::Reader;
use cairn_domain::wording::{date, pluralize};
use cairn_domain::{Framework, Slug};
use cairn_store::audit::Entry as AuditEntry;
use cairn_store::check_ins::{self as store, CheckIn, SideWrite};
use cairn_store::people::PersonId;
use cairn_store::{awards, members, observations};

use super::{Chrome, Link, OrgContext};
use crate::App;
use crate::auth::{ClientInfo, Visitor};
use crate::error::PageError;
use crate::extract::{MemberPath, OrgPath, RecordPath};
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::markdown;

const DAY: i64 = 86_400_000;

/// Who the visitor is to `member`, as the rules need it.
struct Seen {
    reader: Reader<PersonId>,
    standing: Standing,
    has_manager: bool,
}

async fn seen(app: &App, ctx: &OrgContext, member: &PersonId) -> Result<Seen, PageError> {
    let me = ctx.member()?.id.clone();
    let (m, reports) = members::get_seen_by(&app.store, &ctx.org.id, member, Some(&me))
        .await?
        .ok_or(PageError::NotFound)?;
    seen_of(app, ctx, &m, reports).await
}

/// `seen`, from the member and whether they report to the visitor, as a
/// page has already read them. The organization's settings are read only
/// for an admin who would not read check-ins otherwise.
async fn seen_of(
    app: &App,
    ctx: &OrgContext,
    m: &members::Member,
    reports: bool,
) -> Result<Seen, PageError> {
    let me = ctx.member()?.id.clone();
    let reader = observations::reader_with(Some(&me), true, reports.then(|| m.person.id.clone()));
    let standing = standing(app, &ctx.org, &ctx.actor, m, &reader).await?;
    Ok(Seen {
        reader,
        standing,
        has_manager: m.manager.is_some(),
    })
}

/// The reader's standing towards `member`'s check-ins, for pages and the
/// API alike. The organization's settings are read only for an admin who
/// would not read check-ins otherwise.
pub(crate) async fn standing(
    app: &App,
    org: &cairn_store::orgs::OrgRecord,
    actor: &cairn_domain::policy::Actor,
    member: &members::Member,
    reader: &Reader<PersonId>,
) -> Result<Standing, cairn_store::StoreError> {
    let can = |action| cairn_domain::policy::can(actor, action, org.access());
    let mut s = Standing {
        direct_manager: member.manager.is_some()
            && member.manager.as_ref() == reader.person.as_ref(),
        people_lead: can(Action::ManagePeople),
        admin: can(Action::ManageSettings),
        admins_read: false,
    };
    if s.admin && !check_ins::can_read(reader, &member.person.id, s) {
        s.admins_read = store::settings(&app.store, &org.id).await?.1;
    }
    Ok(s)
}

fn refusal(errors: &mut FormErrors, field: &'static str, r: StepRefused) {
    errors.add(field, r.to_string());
}

// ---------------------------------------------------------------- opening

/// `POST /{org}/people/{person}/check-ins`: opens one, against their
/// position or (`position=…`) one they aim for.
pub(crate) async fn open(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientInfo,
    MemberPath(org, person): MemberPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let me = ctx.member()?.id.clone();
    let s = seen(&app, &ctx, &person).await?;
    if !check_ins::may_open(&s.reader, &person, s.standing) {
        return Err(PageError::NotFound);
    }
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let current = cairn_store::jobs::of_person(&app.store, &ctx.org.id, &person)
        .await?
        .position()
        .map(|t| t.slug.clone());
    let wanted = Slug::parse(field(&pairs, "position"))
        .ok()
        .or(current.clone());
    let mut errors = FormErrors::default();
    match wanted.filter(|w| fw.position(w).is_some()) {
        None => errors.add(
            "check-in-position",
            "Choose a position to take stock against: they hold none yet.",
        ),
        Some(position) => {
            let aiming = current.as_ref() != Some(&position);
            match store::open(
                &app.store,
                &ctx.org.id,
                &person,
                &position,
                aiming,
                &me,
                app.now(),
            )
            .await?
            {
                Ok(id) => {
                    note(
                        &app,
                        &ctx,
                        &client,
                        AuditAction::CheckInOpened,
                        &id,
                        position.as_str(),
                    )
                    .await;
                    return Ok(redirect(&format!("/{org}/check-ins/{id}")));
                }
                Err(r) => refusal(&mut errors, "check-in-position", r),
            }
        }
    }
    Ok(invalid(
        super::journey::journey_view(&app, &visitor, &ctx, &person, None, None, errors).await?,
    ))
}

async fn note(
    app: &App,
    ctx: &OrgContext,
    client: &ClientInfo,
    action: AuditAction,
    id: &str,
    detail: &str,
) {
    crate::audit::note(
        app,
        AuditEntry {
            org: Some(&ctx.org.id),
            actor: ctx.member().ok().map(|p| &p.id),
            action,
            subject: format!("check-in {id}"),
            detail: detail.to_owned(),
            client_ip: &client.0.ip,
        },
    )
    .await;
}

// ------------------------------------------------------------- the page

/// One side's words on one ability, as shown.
pub(crate) struct Said {
    rating: String,
    note: String,
}

fn said(e: Option<&Entry>) -> Option<Said> {
    let e = e?;
    if e.rating.is_none() && e.note.is_empty() {
        return None;
    }
    Some(Said {
        rating: e
            .rating
            .map_or("not rated", AbilityRating::label)
            .to_owned(),
        note: e.note.clone(),
    })
}

pub(crate) struct Line {
    slug: String,
    name: String,
    required: String,
    milestone: String,
    held: String,
    member: Option<Said>,
    manager: Option<Said>,
    agreed: Option<Said>,
    differs: bool,
    /// What this visitor's form starts at (their side, or the agreement).
    value: String,
    note: String,
    /// The manager side's evidence: observations of the member rating
    /// this ability that the manager may read (id, words, cited).
    evidence: Vec<(String, String, bool)>,
    /// What the manager side cited, as links.
    cited: Vec<Link>,
}

#[derive(Template, WebTemplate)]
#[template(path = "check_ins/show.html")]
pub(crate) struct CheckInPage {
    chrome: Chrome,
    id: String,
    title: String,
    member_name: String,
    member_href: String,
    stage: &'static str,
    /// Open: what each side has done, in words.
    progress: Vec<String>,
    /// The side this visitor writes now, if any (and whether it is the
    /// member's).
    writing: bool,
    writing_member: bool,
    /// Both sides visible.
    revealed: bool,
    can_finalize: bool,
    can_acknowledge: bool,
    lines: Vec<Line>,
    ratings: Vec<(&'static str, &'static str)>,
    /// Abilities the member may add (the member writing their side).
    addable: Vec<(String, String)>,
    overall: Vec<(&'static str, String, bool)>,
    summary: String,
    overall_said: Option<String>,
    /// "Measured against the framework as of …", for a finalized one.
    measured: Option<String>,
    /// What changed since, when the framework did.
    changed: Option<Link>,
    acknowledged: Option<String>,
    errors: FormErrors,
}

fn by_slug<'a>(list: &'a [(Slug, Entry)], slug: &str) -> Option<&'a Entry> {
    list.iter()
        .find(|(s, _)| s.as_str() == slug)
        .map(|(_, e)| e)
}

async fn page(
    app: &App,
    visitor: &Visitor,
    org: &cairn_domain::OrgSlug,
    id: &str,
    errors: FormErrors,
) -> Result<CheckInPage, PageError> {
    let ctx = OrgContext::load(app, visitor, org, Action::ReadMemberContent).await?;
    let c = store::get(&app.store, &ctx.org.id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let s = seen(app, &ctx, &c.member).await?;
    if !check_ins::can_read(&s.reader, &c.member, s.standing) {
        return Err(PageError::NotFound);
    }
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let facts = c.facts();
    let stage = facts.stage();
    let my_side = check_ins::side_of(&s.reader, &c.member, s.has_manager, s.standing);
    let writing = match (stage, my_side) {
        (Stage::Open, Some(Side::Member)) if c.member_completed_at.is_none() => Some(Side::Member),
        (Stage::Open, Some(Side::Manager)) if c.manager_completed_at.is_none() => {
            Some(Side::Manager)
        }
        _ => None,
    };
    let can_finalize = check_ins::may_finalize(&facts, s.standing).is_ok();
    let me = ctx.member()?.id.clone();
    let can_acknowledge = check_ins::may_acknowledge(&me, &facts).is_ok();
    let visible = |side| check_ins::can_read_side(my_side, side, &facts);
    let lines = match &c.frozen {
        Some(f) => frozen_lines(f, &ctx.org.org.slug),
        None => live_lines(app, &ctx, &fw, &c, &s, writing, can_finalize, &visible).await?,
    };
    // The organization's names, for the finalize form (read with it).
    let scale = &c.scale;
    let addable = if writing == Some(Side::Member) && c.frozen.is_none() {
        fw.abilities
            .iter()
            .filter(|a| !lines.iter().any(|l| l.slug == a.slug.as_str()))
            .map(|a| (a.slug.to_string(), a.name.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let org_slug = &ctx.org.org.slug;
    let position = match &c.frozen {
        Some(f) => f.position_title.clone(),
        None => fw
            .position(&c.position)
            .map_or_else(|| c.position.to_string(), |p| p.title.to_string()),
    };
    let done = |at: Option<i64>| {
        if at.is_some() {
            "completed"
        } else {
            "not completed yet"
        }
    };
    Ok(CheckInPage {
        chrome: ctx.chrome(visitor),
        id: c.id.clone(),
        title: format!(
            "Check-in of {}, {}{}",
            c.member_name,
            position,
            if c.aiming { " (aiming for it)" } else { "" }
        ),
        member_name: c.member_name.to_string(),
        member_href: format!("/{org_slug}/people/{}", c.member.as_str()),
        stage: match stage {
            Stage::Open => "Open: each side fills in theirs",
            Stage::Revealed => "Both sides completed: to agree and finalize",
            Stage::Finalized => "Finalized: waiting for the member to acknowledge",
            Stage::Acknowledged => "Finalized and acknowledged",
        },
        progress: vec![
            format!("{}'s side: {}", c.member_name, done(c.member_completed_at)),
            format!("The manager's side: {}", done(c.manager_completed_at)),
        ],
        writing: writing.is_some(),
        writing_member: writing == Some(Side::Member),
        revealed: stage != Stage::Open,
        can_finalize,
        can_acknowledge,
        lines,
        addable,
        ratings: AbilityRating::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        overall: Overall::ALL
            .iter()
            .map(|o| (o.as_str(), scale.label(*o).to_owned(), o.concern()))
            .collect(),
        summary: c
            .frozen
            .as_ref()
            .map(|f| f.summary.clone())
            .unwrap_or_default(),
        overall_said: c.frozen.as_ref().map(|f| {
            if check_ins::can_see_overall(&s.reader, &c.member, s.standing, f.overall) {
                f.overall_text().to_owned()
            } else {
                "a concern level, which only the member, their managers and people leads see"
                    .to_owned()
            }
        }),
        measured: c.frozen.as_ref().map(|f| {
            format!(
                "Measured against the framework as of {}{}.",
                date(f.measured_at),
                f.published_version
                    .map(|v| format!(" (v{v})"))
                    .unwrap_or_default()
            )
        }),
        changed: c
            .frozen
            .as_ref()
            .filter(|f| f.framework_version != ctx.org.framework_version)
            .map(|f| Link {
                href: format!("/{org_slug}/positions/{}/history", f.position_slug),
                text: "The framework has changed since: what changed".to_owned(),
            }),
        acknowledged: c.acknowledged.as_ref().map(|a| {
            sentence(format!(
                "Acknowledged by {} on {}{}",
                c.member_name,
                date(a.at),
                if a.disagrees {
                    format!(", disagreeing: {}", a.comment)
                } else if a.comment.is_empty() {
                    String::new()
                } else {
                    format!(": {}", a.comment)
                }
            ))
        }),
        errors,
    })
}

/// Ends `s` with a full stop unless it ends a sentence already.
fn sentence(mut s: String) -> String {
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

fn frozen_lines(f: &Frozen, org: &cairn_domain::OrgSlug) -> Vec<Line> {
    f.abilities
        .iter()
        .map(|a| Line {
            slug: a.slug.clone(),
            name: a.name.clone(),
            required: a.required.map_or_else(
                || "added by the member".to_owned(),
                |l| format!("milestone {l}+"),
            ),
            milestone: markdown::render(&a.milestone),
            held: a
                .held
                .map_or_else(|| "none".to_owned(), |l| format!("milestone {l}")),
            differs: a.member.rating != a.manager.rating,
            member: said(Some(&a.member)),
            manager: said(Some(&a.manager)),
            agreed: said(Some(&a.agreed)),
            value: String::new(),
            note: String::new(),
            evidence: Vec::new(),
            cited: cited_links(org, &a.manager.evidence),
        })
        .collect()
}

/// Links to the observations a side cites (each page applies its own
/// reading rule).
fn cited_links(org: &cairn_domain::OrgSlug, ids: &[String]) -> Vec<Link> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| Link {
            href: format!("/{org}/observations/{id}"),
            text: format!("evidence {}", i + 1),
        })
        .collect()
}

/// The member's published observations this reader may read, by the
/// abilities they rate: what a manager may cite.
async fn citable(
    app: &App,
    ctx: &OrgContext,
    member: &PersonId,
) -> Result<Vec<(String, String, Vec<Slug>)>, PageError> {
    let me = ctx.member()?.id.clone();
    let cards = observations::visible_of(
        &app.store,
        &ctx.org.id,
        Some(&me),
        true,
        member,
        None,
        observations::PAGE,
    )
    .await?;
    Ok(cards
        .list
        .iter()
        .filter(|o| o.published_at.is_some())
        .map(|o| {
            (
                o.id.clone(),
                format!("{} by {}", date(o.observed_on), o.observer.name),
                o.ratings.iter().map(|r| r.ability.clone()).collect(),
            )
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn live_lines(
    app: &App,
    ctx: &OrgContext,
    fw: &Framework,
    c: &CheckIn,
    s: &Seen,
    writing: Option<Side>,
    finalizing: bool,
    visible: &(dyn Fn(Side) -> bool + Sync),
) -> Result<Vec<Line>, PageError> {
    let Some(position) = fw.position(&c.position) else {
        return Ok(Vec::new());
    };
    let held = held_now(app, ctx, c, s).await?;
    let listed = check_ins::abilities(fw, position, &c.added);
    let citable = if writing == Some(Side::Manager) {
        citable(app, ctx, &c.member).await?
    } else {
        Vec::new()
    };
    let org = &ctx.org.org.slug;
    Ok(listed
        .iter()
        .filter_map(|(slug, required)| {
            let a = fw.abilities.iter().find(|a| &a.slug == slug)?;
            let member = visible(Side::Member)
                .then(|| by_slug(&c.sides.member, slug.as_str()))
                .flatten();
            let manager = visible(Side::Manager)
                .then(|| by_slug(&c.sides.manager, slug.as_str()))
                .flatten();
            let mine = match writing {
                Some(Side::Member) => by_slug(&c.sides.member, slug.as_str()),
                // A draft is its author's: a new manager starts afresh.
                Some(Side::Manager) if c.manager_author.as_ref() == s.reader.person.as_ref() => {
                    by_slug(&c.sides.manager, slug.as_str())
                }
                Some(Side::Manager) => None,
                // The agreement starts at the manager's word.
                None if finalizing => by_slug(&c.sides.manager, slug.as_str()),
                None => None,
            };
            let highest = cairn_domain::journey::highest(&held, slug).map(|l| l.get());
            Some(Line {
                slug: slug.to_string(),
                name: a.name.to_string(),
                required: required.map_or_else(
                    || "added by the member".to_owned(),
                    |l| format!("milestone {l}+"),
                ),
                milestone: required
                    .map(|l| markdown::render(a.milestone(l).summary.as_str()))
                    .unwrap_or_default(),
                held: highest.map_or_else(|| "none".to_owned(), |l| format!("milestone {l}")),
                differs: member.and_then(|e| e.rating) != manager.and_then(|e| e.rating),
                member: said(member),
                manager: said(manager),
                agreed: None,
                value: mine
                    .and_then(|e| e.rating)
                    .map(AbilityRating::as_str)
                    .unwrap_or("")
                    .to_owned(),
                note: mine.map(|e| e.note.clone()).unwrap_or_default(),
                evidence: citable
                    .iter()
                    .filter(|(_, _, rates)| rates.contains(slug))
                    .map(|(id, text, _)| {
                        let cited = mine.is_some_and(|e| e.evidence.contains(id));
                        (id.clone(), text.clone(), cited)
                    })
                    .collect(),
                cited: manager
                    .map(|e| cited_links(org, &e.evidence))
                    .unwrap_or_default(),
            })
        })
        .collect())
}

/// The member's milestones as this reader may see them (people who read a
/// check-in may read the member's awards: the member, managers, leads).
async fn held_now(
    app: &App,
    ctx: &OrgContext,
    c: &CheckIn,
    s: &Seen,
) -> Result<Vec<(Slug, cairn_domain::Level)>, PageError> {
    let all = awards::of_person(&app.store, &ctx.org.id, &c.member).await?;
    let visible: Vec<_> = all
        .iter()
        .filter(|a| can_read_award(&s.reader, &a.facts(), s.standing.people_lead, false))
        .collect();
    Ok(awards::held(visible.iter().copied()))
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<CheckInPage, PageError> {
    page(&app, &visitor, &org, &id, FormErrors::default()).await
}

// ------------------------------------------------------------- the steps

/// Each ability's rating and note from a form: `rate_{slug}`, `note_{slug}`.
fn entries(
    fw: &Framework,
    c: &CheckIn,
    pairs: &Pairs,
    errors: &mut FormErrors,
) -> Vec<(Slug, Entry)> {
    let Some(position) = fw.position(&c.position) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (slug, _) in check_ins::abilities(fw, position, &c.added) {
        let value = field(pairs, &format!("rate_{slug}"));
        let rating = match value {
            "" => None,
            v => match AbilityRating::parse(v) {
                Some(r) => Some(r),
                None => {
                    errors.add(
                        "ratings",
                        format!("{slug}: choose working towards, meeting or exceeding."),
                    );
                    None
                }
            },
        };
        let note = field(pairs, &format!("note_{slug}")).trim().to_owned();
        if note.chars().count() > 5_000 {
            errors.add(
                "ratings",
                format!("{slug}: keep the note under 5000 characters."),
            );
        }
        out.push((
            slug,
            Entry {
                rating,
                note,
                evidence: Vec::new(),
            },
        ));
    }
    out
}

async fn loaded(
    app: &App,
    visitor: &Visitor,
    org: &cairn_domain::OrgSlug,
    id: &str,
) -> Result<(OrgContext, CheckIn, Seen), PageError> {
    let ctx = OrgContext::load(app, visitor, org, Action::ReadMemberContent).await?;
    let c = store::get(&app.store, &ctx.org.id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let s = seen(app, &ctx, &c.member).await?;
    if !check_ins::can_read(&s.reader, &c.member, s.standing) {
        return Err(PageError::NotFound);
    }
    Ok((ctx, c, s))
}

/// `POST …/side`: saves the visitor's side, as a draft or completed.
pub(crate) async fn save_side(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let (ctx, c, s) = loaded(&app, &visitor, &org, &id).await?;
    let Some(side) = check_ins::side_of(&s.reader, &c.member, s.has_manager, s.standing) else {
        return Err(PageError::NotFound);
    };
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let mut errors = FormErrors::default();
    let mut list = entries(&fw, &c, &pairs, &mut errors);
    if side == Side::Manager {
        // Evidence: only observations of the member this manager may read
        // that rate the ability.
        let citable = citable(&app, &ctx, &c.member).await?;
        for (slug, e) in &mut list {
            let key = format!("evidence_{slug}");
            for (_, id) in pairs.iter().filter(|(k, _)| *k == key) {
                match citable
                    .iter()
                    .find(|(o, _, rates)| o == id && rates.contains(slug))
                {
                    Some((o, ..)) => e.evidence.push(o.clone()),
                    None => errors.add(
                        "ratings",
                        format!("{slug}: cite observations from the list."),
                    ),
                }
            }
        }
    }
    // The member may add abilities the position does not ask for; added
    // ones are rated before the side can be completed.
    let mut added = c.added.clone();
    let mut adding = false;
    if side == Side::Member {
        for (_, v) in pairs.iter().filter(|(k, _)| k == "add") {
            match Slug::parse(v).ok().filter(|a| fw.ability(a).is_some()) {
                Some(a) if !list.iter().any(|(x, _)| *x == a) && !added.contains(&a) => {
                    added.push(a);
                    adding = true;
                }
                Some(_) => {}
                None => errors.add("ratings", "Add abilities from the list."),
            }
        }
    }
    let complete = field(&pairs, "action") == "complete" && !adding;
    if complete && list.iter().any(|(_, e)| e.rating.is_none()) {
        errors.add(
            "ratings",
            "Rate every ability before completing your side (save a draft to finish later).",
        );
    }
    if errors.is_empty() {
        let me = ctx.member()?.id.clone();
        let w = SideWrite {
            side,
            author: &me,
            entries: &list,
            added: &added,
            complete,
        };
        match store::save_side(&app.store, &ctx.org.id, &id, &w, app.now()).await? {
            Ok(()) => return Ok(redirect(&format!("/{org}/check-ins/{id}"))),
            Err(r) => refusal(&mut errors, "ratings", r),
        }
    }
    Ok(invalid(page(&app, &visitor, &org, &id, errors).await?))
}

/// `POST …/finalize`: the agreed ratings, summary and overall rating,
/// frozen with what the check-in was measured against.
pub(crate) async fn finalize(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientInfo,
    RecordPath(org, id): RecordPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let (ctx, c, s) = loaded(&app, &visitor, &org, &id).await?;
    let mut errors = FormErrors::default();
    if let Err(r) = check_ins::may_finalize(&c.facts(), s.standing) {
        if r == StepRefused::NotFinalizer {
            return Err(PageError::NotFound);
        }
        refusal(&mut errors, "ratings", r);
        return Ok(invalid(page(&app, &visitor, &org, &id, errors).await?));
    }
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    let agreed = entries(&fw, &c, &pairs, &mut errors);
    if agreed.iter().any(|(_, e)| e.rating.is_none()) {
        errors.add("ratings", "Record the agreed rating of every ability.");
    }
    let overall = Overall::parse(field(&pairs, "overall"));
    if overall.is_none() {
        errors.add("overall", "Choose the overall rating.");
    }
    let summary = field(&pairs, "summary").trim().to_owned();
    if summary.chars().count() > 20_000 {
        errors.add("summary", "Keep the summary under 20000 characters.");
    }
    let (Some(overall), Some(position), true) =
        (overall, fw.position(&c.position), errors.is_empty())
    else {
        if fw.position(&c.position).is_none() {
            errors.add(
                "ratings",
                "The position this check-in is about is no longer in the framework.",
            );
        }
        return Ok(invalid(page(&app, &visitor, &org, &id, errors).await?));
    };
    let held = held_now(&app, &ctx, &c, &s).await?;
    let scale = c.scale.clone();
    let sides = Sides {
        member: c.sides.member.clone(),
        manager: c.sides.manager.clone(),
        agreed: agreed.clone(),
    };
    let now = app.now();
    let mut frozen = check_ins::freeze(&Freezing {
        fw: &fw,
        framework_version: ctx.org.framework_version,
        position,
        aiming: c.aiming,
        added: &c.added,
        held: &held,
        sides: &sides,
        summary: &summary,
        overall,
        scale: &scale,
        at: now,
    });
    frozen.published_version = cairn_store::versions::latest(&app.store, &ctx.org.id).await?;
    let me = ctx.member()?.id.clone();
    match store::finalize(&app.store, &ctx.org.id, &id, &me, &agreed, &frozen, now).await? {
        Ok(()) => {
            note(
                &app,
                &ctx,
                &client,
                AuditAction::CheckInFinalized,
                &id,
                overall.as_str(),
            )
            .await;
            Ok(redirect(&format!("/{org}/check-ins/{id}")))
        }
        Err(r) => {
            refusal(&mut errors, "ratings", r);
            Ok(invalid(page(&app, &visitor, &org, &id, errors).await?))
        }
    }
}

/// `POST …/acknowledge`: the member has read it (and may disagree).
pub(crate) async fn acknowledge(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientInfo,
    RecordPath(org, id): RecordPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let (ctx, c, _) = loaded(&app, &visitor, &org, &id).await?;
    let me = ctx.member()?.id.clone();
    if me != c.member {
        return Err(PageError::NotFound);
    }
    let disagrees = field(&pairs, "disagree") == "on";
    let comment = field(&pairs, "comment").trim().to_owned();
    let mut errors = FormErrors::default();
    if disagrees && comment.is_empty() {
        errors.add("comment", "Say what you disagree with.");
    } else if comment.chars().count() > 5_000 {
        errors.add("comment", "Keep the comment under 5000 characters.");
    }
    if errors.is_empty() {
        match store::acknowledge(
            &app.store,
            &ctx.org.id,
            &id,
            &me,
            disagrees,
            &comment,
            app.now(),
        )
        .await?
        {
            Ok(()) => {
                let detail = if disagrees { "disagrees" } else { "agrees" };
                note(
                    &app,
                    &ctx,
                    &client,
                    AuditAction::CheckInAcknowledged,
                    &id,
                    detail,
                )
                .await;
                return Ok(redirect(&format!("/{org}/check-ins/{id}")));
            }
            Err(r) => refusal(&mut errors, "comment", r),
        }
    }
    Ok(invalid(page(&app, &visitor, &org, &id, errors).await?))
}

// ---------------------------------------------------------- the due list

pub(crate) struct DueRow {
    name: String,
    href: String,
    last: String,
    clarity: &'static str,
    due: bool,
    open: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "check_ins/list.html")]
pub(crate) struct DuePage {
    chrome: Chrome,
    everyone: bool,
    every_days: i64,
    rows: Vec<DueRow>,
    teams: Vec<(String, String, bool)>,
    team: String,
    more: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct DueQuery {
    team: String,
    page: String,
}

/// `/{org}/check-ins`: a manager's reports, or (people leads) everyone,
/// with how clear each one's last check-in leaves things; overdue first.
pub(crate) async fn due(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Query(q): Query<DueQuery>,
) -> Result<DuePage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let me = ctx.member()?.id.clone();
    let everyone = ctx.can(Action::ManagePeople);
    let team = Slug::parse(&q.team).ok().filter(|_| everyone);
    let page_no = q
        .page
        .parse::<i64>()
        .ok()
        .filter(|p| (0..100_000).contains(p))
        .unwrap_or(0);
    let (every_days, _) = store::settings(&app.store, &ctx.org.id).await?;
    let (lines, more) = store::due_list(
        &app.store,
        &ctx.org.id,
        &me,
        everyone,
        team.as_ref(),
        page_no,
    )
    .await?;
    let now = app.now();
    let teams = if everyone {
        cairn_store::teams::list(&app.store, &ctx.org.id)
            .await?
            .into_iter()
            .map(|t| {
                let chosen = team.as_ref() == Some(&t.slug);
                (t.slug.to_string(), t.name.to_string(), chosen)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DuePage {
        chrome: ctx.chrome(&visitor),
        everyone,
        every_days,
        rows: lines
            .into_iter()
            .map(|l| {
                let days = l.last_finalized.map(|at| (now - at).max(0) / DAY);
                DueRow {
                    href: format!("/{org}/people/{}#check-ins", l.person.as_str()),
                    name: l.name.to_string(),
                    last: match days {
                        None => "never".to_owned(),
                        Some(d) => format!(
                            "{} ({} ago)",
                            date(now - d * DAY),
                            pluralize(d as u64, "day", "days")
                        ),
                    },
                    clarity: Clarity::of(days).label(),
                    due: check_ins::due(days, every_days),
                    open: l.open.map(|id| format!("/{org}/check-ins/{id}")),
                }
            })
            .collect(),
        teams,
        team: team.map(|t| t.to_string()).unwrap_or_default(),
        more: more.then(|| {
            format!(
                "/{org}/check-ins?page={}{}",
                page_no + 1,
                if q.team.is_empty() {
                    String::new()
                } else {
                    format!("&team={}", q.team)
                }
            )
        }),
    })
}

/// A member's check-ins on their journey, for those who may read them.
pub(crate) struct JourneyCheckIns {
    pub list: Vec<Link>,
    pub can_open: bool,
    pub positions: Vec<(String, String)>,
}

pub(crate) async fn for_journey(
    app: &App,
    ctx: &OrgContext,
    m: &members::Member,
    reports: bool,
    fw: &Framework,
) -> Result<Option<JourneyCheckIns>, PageError> {
    if ctx.member().is_err() {
        return Ok(None);
    }
    let s = seen_of(app, ctx, m, reports).await?;
    let member = &m.person.id;
    if !check_ins::can_read(&s.reader, member, s.standing) {
        return Ok(None);
    }
    let org = &ctx.org.org.slug;
    let overall = |f: &Frozen| {
        if check_ins::can_see_overall(&s.reader, member, s.standing, f.overall) {
            f.overall_text().to_owned()
        } else {
            "a concern level".to_owned()
        }
    };
    let list = store::of_member(&app.store, &ctx.org.id, member)
        .await?
        .into_iter()
        .map(|c| {
            let f = c.facts();
            Link {
                href: format!("/{org}/check-ins/{}", c.id),
                text: format!(
                    "{}: {} ({})",
                    date(c.finalized_at.unwrap_or(c.opened_at)),
                    c.frozen
                        .as_ref()
                        .map_or_else(|| c.position.to_string(), |f| f.position_title.clone()),
                    match f.stage() {
                        Stage::Open => "open".to_owned(),
                        Stage::Revealed => "to finalize".to_owned(),
                        Stage::Finalized => format!(
                            "finalized, {}",
                            c.frozen.as_ref().map_or_else(String::new, overall)
                        ),
                        Stage::Acknowledged => format!(
                            "acknowledged, {}",
                            c.frozen.as_ref().map_or_else(String::new, overall)
                        ),
                    }
                ),
            }
        })
        .collect();
    Ok(Some(JourneyCheckIns {
        list,
        can_open: check_ins::may_open(&s.reader, member, s.standing),
        positions: fw
            .positions
            .iter()
            .map(|p| (p.slug.to_string(), p.title.to_string()))
            .collect(),
    }))
}

// ------------------------------------------------------------- CSV

use super::csv_response;

/// `GET /{org}/check-ins/{id}/csv`: the check-in as its page shows it to
/// this visitor (sides by the same rule), one line per ability.
pub(crate) async fn csv_one(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let p = page(&app, &visitor, &org, &id, FormErrors::default()).await?;
    let said = |s: &Option<Said>| {
        s.as_ref().map_or((String::new(), String::new()), |s| {
            (s.rating.clone(), s.note.clone())
        })
    };
    let mut body = cairn_domain::csv_out::row(&[
        "Ability",
        "Requires",
        "Holds",
        "Member",
        "Member's note",
        "Manager",
        "Manager's note",
        "Agreed",
        "Agreed note",
    ]);
    for l in &p.lines {
        let (m, mn) = said(&l.member);
        let (g, gn) = said(&l.manager);
        let (a, an) = said(&l.agreed);
        body.push_str(&cairn_domain::csv_out::row(&[
            l.name.as_str(),
            &l.required,
            &l.held,
            &m,
            &mn,
            &g,
            &gn,
            &a,
            &an,
        ]));
    }
    Ok(csv_response(&format!("check-in-{id}.csv"), body))
}

/// `GET /{org}/check-ins/export`: every finalized check-in, one line each
/// (people leads).
pub(crate) async fn csv_summary(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ManagePeople).await?;
    let mut body = cairn_domain::csv_out::row(&[
        "Member",
        "Position",
        "Aiming",
        "Finalized",
        "Overall",
        "Acknowledged",
        "Disagrees",
    ]);
    for c in store::finalized(&app.store, &ctx.org.id).await? {
        let f = c.frozen.as_ref();
        body.push_str(&cairn_domain::csv_out::row(&[
            c.member_name.to_string(),
            f.map_or_else(|| c.position.to_string(), |f| f.position_title.clone()),
            if c.aiming { "yes" } else { "no" }.to_owned(),
            c.finalized_at.map(date).unwrap_or_default(),
            f.map_or("", |f| f.overall_text()).to_owned(),
            c.acknowledged
                .as_ref()
                .map(|a| date(a.at))
                .unwrap_or_default(),
            match &c.acknowledged {
                Some(a) if a.disagrees => "yes",
                Some(_) => "no",
                None => "",
            }
            .to_owned(),
        ]));
    }
    Ok(csv_response(&format!("{org}-check-ins.csv"), body))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/check-ins", due)
        .get("/{org}/check-ins/export", csv_summary)
        .get("/{org}/check-ins/{id}/csv", csv_one)
        .post("/{org}/people/{person}/check-ins", open)
        .get("/{org}/check-ins/{id}", show)
        .post("/{org}/check-ins/{id}/side", save_side)
        .post("/{org}/check-ins/{id}/finalize", finalize)
        .post("/{org}/check-ins/{id}/acknowledge", acknowledge)
}

//! Writing and editing an observation: one form for both, quick to fill
//! in and whole without JavaScript.
//!
//! People are checkboxes, filtered by a search that is a button of the
//! same form (so what is typed and ticked survives a search), a page of
//! `PEOPLE_OFFERED` at a time, the ones chosen always listed first. Each
//! ability has one compact row of rating radios and none chosen: only
//! the abilities given a rating are saved, and Tab then Space on a row
//! gives its first rating. Who will read it is a radio per level, each a
//! sentence naming the people chosen; "Preview" shows the story as it
//! will read and who will read it. Then "Publish" or "Save draft".
//!
//! Editing: a draft, fully; a published observation, by its observer, only
//! its story and ratings (who and when stay), each edit keeping the
//! version it replaced (`observations::edit`, which also refuses an edit
//! of a version someone changed meanwhile).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use cairn_domain::audit::AuditAction;
use cairn_domain::policy::Action;
use cairn_domain::visibility::{Privacy, Rating, audience, sensitive_audience};
use cairn_domain::wording::{date, parse_date};
use cairn_domain::{Markdown, Slug};
use cairn_store::audit::Entry;
use cairn_store::members;
use cairn_store::observations::{self, Draft, DraftRefused, EditRefused, Observation};
use cairn_store::people::PersonId;

use super::readable;
use crate::App;
use crate::auth::{ClientInfo, Visitor};
use crate::error::PageError;
use crate::extract::{OrgPath, RecordPath};
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::{Chrome, OrgContext};
use crate::markdown;

/// How many people the form offers at once; the search finds others.
const PEOPLE_OFFERED: u32 = 25;
/// At most this many people in one observation.
const MOST_OBSERVEES: usize = 20;
/// The level offered first: the people observed and their managers.
const DEFAULT_LEVEL: Privacy = Privacy::ObserveesAndManagers;

pub(crate) struct PersonChoice {
    id: String,
    name: String,
    selected: bool,
}

pub(crate) struct RatingChoice {
    slug: String,
    name: String,
    value: String,
}

pub(crate) struct RateGroup {
    name: String,
    abilities: Vec<RatingChoice>,
}

pub(crate) struct LevelChoice {
    value: &'static str,
    label: &'static str,
    sentence: String,
    checked: bool,
}

/// The story as it will read, and who will read it.
pub(crate) struct Preview {
    story: String,
    ratings: Vec<String>,
    audience: String,
    sensitive: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "observations/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    /// The version an edit starts from.
    version: Option<i64>,
    /// New ones and drafts choose people, date and level; published ones
    /// keep theirs.
    draft: bool,
    editing: bool,
    find: String,
    people: Vec<PersonChoice>,
    /// The next page of people, when more match.
    people_after: Option<String>,
    observed_on: String,
    story: String,
    groups: Vec<RateGroup>,
    ratings: Vec<(&'static str, &'static str)>,
    levels: Vec<LevelChoice>,
    /// A published observation's level, said in a sentence.
    shared_with: Option<String>,
    preview: Option<Preview>,
    errors: FormErrors,
}

/// What the form holds: from a submission, an observation, or blank.
struct Values {
    find: String,
    people_after: Option<PersonId>,
    observees: Vec<String>,
    observed_on: String,
    story: String,
    ratings: HashMap<String, String>,
    privacy: String,
}

impl Values {
    fn blank(today: &str, observee: Option<&str>, find: &str) -> Self {
        Values {
            find: find.to_owned(),
            people_after: None,
            observees: observee.into_iter().map(str::to_owned).collect(),
            observed_on: today.to_owned(),
            story: String::new(),
            ratings: HashMap::new(),
            privacy: DEFAULT_LEVEL.as_str().to_owned(),
        }
    }

    fn of(o: &Observation) -> Self {
        Values {
            find: String::new(),
            people_after: None,
            observees: o
                .observees
                .iter()
                .map(|p| p.id.as_str().to_owned())
                .collect(),
            observed_on: date(o.observed_on),
            story: o.story.as_str().to_owned(),
            ratings: o
                .ratings
                .iter()
                .map(|r| (r.ability.to_string(), r.rating.as_str().to_owned()))
                .collect(),
            privacy: if o.published_at.is_some() {
                o.privacy.as_str().to_owned()
            } else {
                DEFAULT_LEVEL.as_str().to_owned()
            },
        }
    }

    fn from_pairs(pairs: &Pairs) -> Self {
        Values {
            find: field(pairs, "find").trim().to_owned(),
            people_after: Some(field(pairs, "people_after"))
                .filter(|v| !v.is_empty())
                .map(PersonId::from_form),
            observees: pairs
                .iter()
                .filter(|(k, _)| k == "observee")
                .map(|(_, v)| v.clone())
                .collect(),
            observed_on: field(pairs, "observed_on").to_owned(),
            story: field(pairs, "story").to_owned(),
            ratings: pairs
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("rate_")?.to_owned(), v.clone())))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            privacy: field(pairs, "privacy").to_owned(),
        }
    }
}

/// What the submit button asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Act {
    Find,
    Preview,
    Draft,
    Publish,
}

fn act(pairs: &Pairs) -> Act {
    if !field(pairs, "people_after").is_empty() {
        return Act::Find;
    }
    match field(pairs, "action") {
        "find" => Act::Find,
        "preview" => Act::Preview,
        "publish" => Act::Publish,
        // A form without a button (a script, an older page): a draft.
        _ => Act::Draft,
    }
}

/// What is being edited, if anything.
struct Editing<'a> {
    id: &'a str,
    version: i64,
    published: Option<Privacy>,
}

#[allow(clippy::too_many_arguments)]
async fn view(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    values: &Values,
    editing: Option<&Editing<'_>>,
    fixed_people: &[(String, String)],
    show_preview: bool,
    errors: FormErrors,
) -> Result<FormPage, PageError> {
    let org = &ctx.org.org.slug;
    let me = ctx.member()?.id.clone();
    let draft = editing.is_none_or(|e| e.published.is_none());
    let fw = cairn_store::framework::load(&app.store, &ctx.org).await?;
    // People: the chosen first, then this page of the search.
    let mut people: Vec<PersonChoice> = Vec::new();
    let mut people_after = None;
    if draft {
        let (found, more) = members::page(
            &app.store,
            &ctx.org.id,
            &values.find,
            true,
            values.people_after.as_ref(),
            PEOPLE_OFFERED,
        )
        .await?;
        people_after = more.map(|p| p.as_str().to_owned());
        for id in values.observees.iter().take(MOST_OBSERVEES) {
            let listed = found.iter().find(|l| l.member.person.id.as_str() == id);
            let name = match listed {
                Some(l) => Some(l.member.person.name.to_string()),
                None => members::get(&app.store, &ctx.org.id, &PersonId::from_form(id))
                    .await?
                    .filter(|m| m.status == cairn_domain::membership::MemberStatus::Active)
                    .map(|m| m.person.name.to_string()),
            };
            if let Some(name) = name.filter(|_| !people.iter().any(|p| &p.id == id)) {
                people.push(PersonChoice {
                    id: id.clone(),
                    name,
                    selected: true,
                });
            }
        }
        for l in &found {
            let p = &l.member.person;
            if p.id == me
                || l.member.status != cairn_domain::membership::MemberStatus::Active
                || people.iter().any(|c| c.id == p.id.as_str())
            {
                continue;
            }
            people.push(PersonChoice {
                id: p.id.as_str().to_owned(),
                name: p.name.to_string(),
                selected: false,
            });
        }
    }
    let names: Vec<String> = if draft {
        people
            .iter()
            .filter(|p| p.selected)
            .map(|p| p.name.clone())
            .collect()
    } else {
        fixed_people.iter().map(|(_, n)| n.clone()).collect()
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let org_name = ctx.org.org.name.as_str();
    let groups: Vec<RateGroup> = crate::html::chart::by_category(&fw)
        .into_iter()
        .map(|(name, placed)| RateGroup {
            name,
            abilities: placed
                .iter()
                .map(|p| RatingChoice {
                    slug: p.ability.slug.to_string(),
                    name: p.ability.name.to_string(),
                    value: values
                        .ratings
                        .get(p.ability.slug.as_str())
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let chosen_level = Privacy::parse(&values.privacy);
    let preview = show_preview.then(|| {
        let rated: Vec<(String, Rating)> = fw
            .abilities
            .iter()
            .filter_map(|a| {
                let r = Rating::parse(values.ratings.get(a.slug.as_str())?)?;
                Some((a.name.to_string(), r))
            })
            .collect();
        let level = editing
            .and_then(|e| e.published)
            .or(chosen_level)
            .unwrap_or(DEFAULT_LEVEL);
        Preview {
            story: markdown::render(&values.story),
            ratings: rated
                .iter()
                .map(|(n, r)| format!("{n}: {}", r.label()))
                .collect(),
            audience: audience(level, &names, org_name),
            sensitive: rated
                .iter()
                .any(|(_, r)| r.sensitive())
                .then(|| sensitive_audience(&names)),
        }
    });
    Ok(FormPage {
        chrome: ctx.chrome(visitor),
        heading: match editing {
            None => "Write an observation".to_owned(),
            Some(e) if e.published.is_some() => "Edit your observation".to_owned(),
            Some(_) => "Edit your draft".to_owned(),
        },
        action: match editing {
            None => format!("/{org}/observations/new"),
            Some(e) => format!("/{org}/observations/{}/edit", e.id),
        },
        version: editing.map(|e| e.version),
        draft,
        editing: editing.is_some(),
        find: values.find.clone(),
        people,
        people_after,
        observed_on: values.observed_on.clone(),
        story: values.story.clone(),
        groups,
        ratings: Rating::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        levels: Privacy::ALL
            .iter()
            .map(|&l| LevelChoice {
                value: l.as_str(),
                label: l.label(),
                sentence: audience(l, &names, org_name),
                checked: chosen_level == Some(l),
            })
            .collect(),
        shared_with: editing
            .and_then(|e| e.published)
            .map(|l| audience(l, &names, org_name)),
        preview,
        errors,
    })
}

/// The draft a submission describes, or what is wrong with it. A
/// published observation keeps who and when (`fixed`).
fn parse(values: &Values, fixed: Option<&Observation>, errors: &mut FormErrors) -> Option<Draft> {
    let (observees, observed_on) = match fixed {
        Some(o) => (
            o.observees.iter().map(|p| p.id.clone()).collect(),
            Some(o.observed_on),
        ),
        None => {
            let observees: Vec<PersonId> = values
                .observees
                .iter()
                .map(|v| PersonId::from_form(v))
                .collect();
            if observees.is_empty() {
                errors.add("observee", "Choose who you observed.");
            } else if observees.len() > MOST_OBSERVEES {
                errors.add(
                    "observee",
                    format!("Choose at most {MOST_OBSERVEES} people."),
                );
            }
            let on = parse_date(&values.observed_on);
            if on.is_none() {
                errors.add("observed_on", "Give the date as YYYY-MM-DD.");
            }
            (observees, on)
        }
    };
    let story = values.story.trim_end();
    if story.trim().is_empty() {
        errors.add("story", "Tell what happened.");
    } else if story.chars().count() > 20_000 {
        errors.add("story", "Keep the story under 20000 characters.");
    }
    let mut ratings = Vec::new();
    let mut rated: Vec<(&String, &String)> = values.ratings.iter().collect();
    rated.sort();
    for (ability, v) in rated {
        match (Slug::parse(ability), Rating::parse(v)) {
            (Ok(a), Some(r)) => ratings.push((a, r)),
            _ => errors.add(
                "ratings",
                format!("{ability}: choose a rating from the list."),
            ),
        }
    }
    if !errors.is_empty() {
        return None;
    }
    Some(Draft {
        observees,
        story: Markdown::new(story),
        observed_on: observed_on?,
        ratings,
    })
}

fn refused(errors: &mut FormErrors, r: DraftRefused) {
    match r {
        DraftRefused::NotAMember => errors.add("observee", "Choose people of this organization."),
        DraftRefused::UnknownAbility(a) => {
            errors.add("ratings", format!("{a} is not an ability here."))
        }
    }
}

/// The level chosen for publishing, or the error saying to choose one.
fn level_to_publish(values: &Values, errors: &mut FormErrors) -> Option<Privacy> {
    let level = Privacy::parse(&values.privacy);
    if level.is_none() {
        errors.add("privacy", "Choose who will be able to read it.");
    }
    level
}

async fn note_published(
    app: &App,
    ctx: &OrgContext,
    id: &str,
    level: Privacy,
    client: &ClientInfo,
) {
    crate::audit::note(
        app,
        Entry {
            org: Some(&ctx.org.id),
            actor: ctx.member().ok().map(|p| &p.id),
            action: AuditAction::ObservationPublished,
            subject: format!(
                "observation {id} by {}",
                ctx.member().map(|p| p.name.to_string()).unwrap_or_default()
            ),
            detail: level.as_str().to_owned(),
            client_ip: &client.0.ip,
        },
    )
    .await;
}

/// `?find=…` (or `?people=…`) filters whom the form offers; `?observee=ID`
/// ticks one (the journey's "Write an observation of …").
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct NewQuery {
    find: String,
    people: String,
    observee: String,
}

pub(crate) async fn new_form(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Query(q): Query<NewQuery>,
) -> Result<FormPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadMemberContent).await?;
    let find = if q.find.is_empty() {
        &q.people
    } else {
        &q.find
    };
    let values = Values::blank(
        &date(app.now()),
        Some(q.observee.as_str()).filter(|o| !o.is_empty()),
        find.trim(),
    );
    view(
        &app,
        &visitor,
        &ctx,
        &values,
        None,
        &[],
        false,
        FormErrors::default(),
    )
    .await
}

pub(crate) async fn create(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientInfo,
    OrgPath(slug): OrgPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ReadMemberContent).await?;
    let me = ctx.member()?.id.clone();
    let values = Values::from_pairs(&pairs);
    let act = act(&pairs);
    let mut errors = FormErrors::default();
    if matches!(act, Act::Draft | Act::Publish) {
        let level = if act == Act::Publish {
            level_to_publish(&values, &mut errors)
        } else {
            None
        };
        if let Some(draft) = parse(&values, None, &mut errors) {
            let saved = match (act, level) {
                (Act::Publish, Some(level)) => {
                    observations::create_published(
                        &app.store,
                        &ctx.org.id,
                        &me,
                        &draft,
                        level,
                        app.now(),
                    )
                    .await?
                }
                (Act::Publish, None) => {
                    return render(&app, &visitor, &ctx, &values, None, &[], false, errors).await;
                }
                _ => observations::create(&app.store, &ctx.org.id, &me, &draft, app.now()).await?,
            };
            match saved {
                Ok(id) => {
                    if let (Act::Publish, Some(level)) = (act, level) {
                        note_published(&app, &ctx, &id, level, &client).await;
                    }
                    return Ok(redirect(&format!("/{slug}/observations/{id}")));
                }
                Err(r) => refused(&mut errors, r),
            }
        }
    }
    render(
        &app,
        &visitor,
        &ctx,
        &values,
        None,
        &[],
        act == Act::Preview,
        errors,
    )
    .await
}

/// The form again: 200 for a search or a preview, 422 with errors.
#[allow(clippy::too_many_arguments)]
async fn render(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    values: &Values,
    editing: Option<&Editing<'_>>,
    fixed_people: &[(String, String)],
    preview: bool,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let failed = !errors.is_empty();
    let page = view(
        app,
        visitor,
        ctx,
        values,
        editing,
        fixed_people,
        preview,
        errors,
    )
    .await?;
    Ok(if failed {
        invalid(page)
    } else {
        page.into_response()
    })
}

/// The observation, when this visitor is its observer (else 404).
async fn own(
    app: &App,
    visitor: &Visitor,
    org: &cairn_domain::OrgSlug,
    id: &str,
) -> Result<(OrgContext, Observation), PageError> {
    let (ctx, o, reader) = readable(app, visitor, org, id).await?;
    if !(reader.member && reader.person.as_ref() == Some(&o.observer.id)) {
        return Err(PageError::NotFound);
    }
    Ok((ctx, o))
}

fn people_of(o: &Observation) -> Vec<(String, String)> {
    o.observees
        .iter()
        .map(|p| (p.id.as_str().to_owned(), p.name.to_string()))
        .collect()
}

pub(crate) async fn edit_form(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<FormPage, PageError> {
    let (ctx, o) = own(&app, &visitor, &org, &id).await?;
    let editing = Editing {
        id: &o.id,
        version: o.version,
        published: o.published_at.map(|_| o.privacy),
    };
    view(
        &app,
        &visitor,
        &ctx,
        &Values::of(&o),
        Some(&editing),
        &people_of(&o),
        false,
        FormErrors::default(),
    )
    .await
}

pub(crate) async fn save_edit(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientInfo,
    RecordPath(org, id): RecordPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let (ctx, o) = own(&app, &visitor, &org, &id).await?;
    let me = ctx.member()?.id.clone();
    let values = Values::from_pairs(&pairs);
    let act = act(&pairs);
    let published = o.published_at.map(|_| o.privacy);
    // The version the form was loaded at; without one, this one.
    let version = field(&pairs, "version").parse().unwrap_or(o.version);
    let mut editing = Editing {
        id: &o.id,
        version,
        published,
    };
    let fixed = published.map(|_| &o);
    let people = people_of(&o);
    let mut errors = FormErrors::default();
    if matches!(act, Act::Draft | Act::Publish) {
        let level = if act == Act::Publish && published.is_none() {
            level_to_publish(&values, &mut errors)
        } else {
            None
        };
        if let Some(draft) = parse(&values, fixed, &mut errors)
            && errors.is_empty()
        {
            match observations::edit(
                &app.store,
                &ctx.org.id,
                &me,
                &id,
                version,
                &draft,
                app.now(),
            )
            .await?
            {
                Ok(()) => {
                    if let Some(level) = level {
                        observations::publish(&app.store, &ctx.org.id, &id, level, app.now())
                            .await?;
                        note_published(&app, &ctx, &id, level, &client).await;
                    }
                    return Ok(redirect(&format!("/{org}/observations/{id}")));
                }
                Err(EditRefused::Gone) => return Err(PageError::NotFound),
                Err(EditRefused::Changed) => {
                    errors.add(
                        "story",
                        "This observation changed after you opened it (in another tab?). \
                         Your text is below, as you wrote it; save again to replace the new version.",
                    );
                    editing.version = o.version;
                }
                Err(EditRefused::Draft(r)) => refused(&mut errors, r),
            }
        }
    }
    render(
        &app,
        &visitor,
        &ctx,
        &values,
        Some(&editing),
        &people,
        act == Act::Preview,
        errors,
    )
    .await
}

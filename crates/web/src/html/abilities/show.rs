//! `/{org}/abilities/{ability}`: the ability page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use cairn_domain::ItemKind;
use cairn_domain::changes::{Word, word_diff};
use cairn_domain::jobs::HoldingKind;
use cairn_domain::policy::Action;
use cairn_domain::requirement::required_level;
use cairn_domain::wording::{adds_miles, must_be};
use std::collections::HashMap;

use cairn_domain::{Framework, Level, OrgSlug, Slug, health};
use cairn_store::framework::{self, RequirerKind};
use cairn_store::observations;

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::ItemPath;
use crate::html::conversations::{Drafts, Talk, talk};
use crate::html::{Chrome, OrgContext};
use crate::markdown;

pub(crate) struct MilestoneView {
    level: u8,
    adds: String,
    miles: u32,
    summary: String,
    examples: Vec<String>,
}

pub(crate) struct HealthLine {
    pub symbol: &'static str,
    pub label: &'static str,
    pub text: String,
}

impl HealthLine {
    pub(crate) fn from(c: &health::Check) -> Self {
        HealthLine {
            symbol: c.severity.symbol(),
            label: c.severity.label(),
            text: c.text.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "abilities/show.html")]
pub(crate) struct AbilityPage {
    chrome: Chrome,
    slug: String,
    name: String,
    category: Option<String>,
    description: String,
    milestones: Vec<MilestoneView>,
    max_miles: u32,
    health: Vec<HealthLine>,
    can_edit: bool,
    requirements: Vec<RequirementLine>,
    observations: Vec<crate::html::observations::Card>,
    talk: Talk,
    step: Option<StepView>,
}

/// Every ability's markdown rendered, once per framework snapshot.
pub(crate) struct Rendered(pub(crate) HashMap<Slug, RenderedAbility>);

pub(crate) struct RenderedAbility {
    description: String,
    pub(crate) summaries: [String; 5],
    examples: [Vec<String>; 5],
}

impl Rendered {
    pub(crate) fn of(fw: &Framework) -> Rendered {
        Rendered(
            fw.abilities
                .iter()
                .map(|a| {
                    let rendered = RenderedAbility {
                        description: markdown::render(a.description.as_str()),
                        summaries: a
                            .milestones
                            .each_ref()
                            .map(|m| markdown::render(m.summary.as_str())),
                        examples: a.milestones.each_ref().map(|m| {
                            m.examples
                                .iter()
                                .map(|e| markdown::render_inline(e))
                                .collect()
                        }),
                    };
                    (a.slug.clone(), rendered)
                })
                .collect(),
        )
    }
}

/// "held by 3 people, 1 below".
fn held_by(n: usize, below: usize) -> String {
    match (n, below) {
        (0, _) => "held by nobody".to_owned(),
        (1, 0) => "held by 1 person, who meets it".to_owned(),
        (1, _) => "held by 1 person, below it".to_owned(),
        (n, 0) => format!("held by {n} people, all meet it"),
        (n, b) => format!("held by {n} people, {b} below"),
    }
}

/// "Ops Engineers must be milestone 1+", and for members how many hold
/// that role or position and how many of them are below it.
pub(crate) struct RequirementLine {
    href: String,
    text: String,
    holders: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct StepQuery {
    #[serde(default)]
    step: String,
}

/// "What changes from milestone N to N+1": both milestones side by side,
/// the words the next one drops struck through on the left and those it
/// adds marked on the right. Examples are paired in order.
pub(crate) struct StepView {
    from: u8,
    to: u8,
    summaries: (String, String),
    examples: Vec<(String, String)>,
}

/// One side of a word difference as HTML: the words both share, and this
/// side's own marked (`<del>` on the left, `<ins>` on the right). The
/// text is shown as words, escaped, not as markdown.
fn side(words: &[Word], left: bool) -> String {
    words
        .iter()
        .filter_map(|w| match (w, left) {
            (Word::Same(t), _) => Some(escape(t)),
            (Word::Removed(t), true) => Some(format!("<del>{}</del>", escape(t))),
            (Word::Added(t), false) => Some(format!("<ins>{}</ins>", escape(t))),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn escape(s: &str) -> String {
    crate::html::chart::escape(s)
}

fn pair(a: &str, b: &str) -> (String, String) {
    let words = word_diff(a, b);
    (side(&words, true), side(&words, false))
}

pub(crate) fn step_view(ability: &cairn_domain::Ability, from: Level) -> Option<StepView> {
    let to = Level::parse(i64::from(from.get()) + 1).ok()?;
    let (a, b) = (ability.milestone(from), ability.milestone(to));
    let n = a.examples.len().max(b.examples.len());
    Some(StepView {
        from: from.get(),
        to: to.get(),
        summaries: pair(a.summary.as_str(), b.summary.as_str()),
        examples: (0..n)
            .map(|i| {
                pair(
                    a.examples.get(i).map_or("", String::as_str),
                    b.examples.get(i).map_or("", String::as_str),
                )
            })
            .collect(),
    })
}

pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    ItemPath(org, slug): ItemPath,
    Query(q): Query<StepQuery>,
) -> Result<AbilityPage, PageError> {
    // Anything but 1 to 4 shows no comparison: a link from an older page.
    let step = q
        .step
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| Level::parse(n).ok());
    page(&app, &visitor, &org, &slug, Drafts::default(), step).await
}

pub(crate) async fn page(
    app: &App,
    visitor: &Visitor,
    org_slug: &OrgSlug,
    slug: &Slug,
    drafts: Drafts,
    step: Option<Level>,
) -> Result<AbilityPage, PageError> {
    let ctx = OrgContext::load(app, visitor, org_slug, Action::ReadFramework).await?;
    let org = &ctx.org;
    let snapshot = framework::load(&app.store, org).await?;
    let id = snapshot
        .id_of(ItemKind::Ability, slug)
        .ok_or(PageError::NotFound)?;
    // The cards and the ability's activity: one statement.
    let (person, _) = crate::html::observations::viewer(visitor, &ctx);
    let member = ctx.can(Action::ReadMemberContent);
    let cards = observations::public_for_ability(&app.store, &org.id, person, id, member).await?;
    let framework::AbilityDetail {
        ability,
        required_by,
        facts,
    } = framework::AbilityDetail::of(&snapshot, slug, cards.activity.unwrap_or_default())
        .ok_or(PageError::NotFound)?;
    let rendered = snapshot.prepared(Rendered::of);
    let rendered = rendered.0.get(slug).ok_or(PageError::NotFound)?;

    let scale = org.org.miles;
    let milestones = Level::ALL
        .iter()
        .map(|&level| MilestoneView {
            level: level.get(),
            adds: adds_miles(scale.miles(level)),
            miles: scale.miles(level),
            summary: rendered.summaries[level.index()].clone(),
            examples: rendered.examples[level.index()].clone(),
        })
        .collect();
    let requirements = required_by
        .iter()
        .map(|r| {
            let (kind, item, holding) = match r.kind {
                RequirerKind::Role => (ItemKind::Role, HoldingKind::Role, r.level),
                // A position asks the highest of its own level and its
                // required roles' (as eligibility reads it).
                RequirerKind::Position => (
                    ItemKind::Position,
                    HoldingKind::Position,
                    snapshot
                        .position(&r.slug)
                        .and_then(|p| required_level(p, &snapshot.roles, slug))
                        .unwrap_or(r.level),
                ),
            };
            let item_id = snapshot.id_of(kind, &r.slug);
            let levels: Vec<Option<Level>> = cards
                .holdings
                .iter()
                .filter(|h| h.kind == item && Some(h.item_id.as_str()) == item_id)
                .map(|h| h.level)
                .collect();
            let below = levels
                .iter()
                .filter(|l| l.is_none_or(|l| l < holding))
                .count();
            RequirementLine {
                href: match r.kind {
                    RequirerKind::Role => crate::html::role_href(&org.org.slug, &r.slug),
                    RequirerKind::Position => crate::html::position_href(&org.org.slug, &r.slug),
                },
                text: must_be(&r.label, r.level),
                holders: member.then(|| held_by(levels.len(), below)),
            }
        })
        .collect();
    let checks = health::check(&facts, &org.thresholds, app.now());
    Ok(AbilityPage {
        chrome: ctx.chrome(visitor),
        slug: slug.to_string(),
        name: ability.name.to_string(),
        category: ability.category.as_ref().map(ToString::to_string),
        description: rendered.description.clone(),
        milestones,
        max_miles: scale.values()[4],
        health: checks.iter().map(HealthLine::from).collect(),
        can_edit: ctx.can(Action::EditFramework),
        requirements,
        observations: crate::html::observations::for_ability(visitor, &ctx, slug, &cards),
        talk: talk(
            app,
            visitor,
            &ctx,
            ItemKind::Ability,
            slug,
            ability.name.as_str(),
            drafts,
        )
        .await?,
        step: step.and_then(|from| step_view(&ability, from)),
    })
}

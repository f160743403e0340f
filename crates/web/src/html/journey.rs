//! `/{org}/people/{person}`: a member's journey, and awarding milestones.
//!
//! The journey counts only the awards this viewer may read (one rule:
//! `can_read_award`), so a private award never leaks through a total.
//! Awarders are people leads and the recipient's managers (anywhere up the
//! reports-to chain); the organization may require evidence first.
//! An ability archived after an award keeps the award in the history but
//! adds no miles: the journey is measured against the framework in force.

use crate::auth::ClientInfo;
use cairn_domain::audit::AuditAction;
use cairn_store::audit::Entry;
use std::fmt::Write;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cairn_domain::awards::{
    AwardVisibility, RevokeRefused, can_read_award, check_evidence, levels_to_award,
};
use cairn_domain::journey::journey;
use cairn_domain::membership::MemberStatus;
use cairn_domain::policy::Action;
use cairn_domain::visibility::{Reader, can_see_progress};
use cairn_domain::wording::{adds_miles, date, miles};
use cairn_domain::{Framework, Level, OrgSlug, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::people::PersonId;
use cairn_store::{members, observations};

use super::observations::{Card, card, reader_for};
use super::{Chrome, Link, OrgContext, signed_in};
use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};

pub(crate) struct AbilityRow {
    slug: String,
    href: String,
    name: String,
    level: String,
    miles: u32,
    next: String,
}

pub(crate) struct AwardLine {
    id: String,
    on_profile: bool,
    ability: String,
    level: u8,
    date: String,
    certifier: String,
    note: String,
    revoked: bool,
    can_revoke: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "people/journey.html")]
pub(crate) struct JourneyPage {
    chrome: Chrome,
    person_id: String,
    name: String,
    total: String,
    chart: String,
    rows: Vec<AbilityRow>,
    awards: Vec<AwardLine>,
    can_award: bool,
    evidence_rule: Vec<String>,
    evidence: Vec<Link>,
    observations: Vec<Card>,
    positions: Vec<Link>,
    is_self: bool,
    public_profile: bool,
    notice: Option<String>,
    errors: FormErrors,
}

/// May `reader` award milestones to `recipient`? People leads and the
/// recipient's managers, as the organization's setting says; never oneself.
fn may_award(
    ctx: &OrgContext,
    reader: &Reader<PersonId>,
    recipient: &PersonId,
    who: awards::Awarders,
) -> bool {
    let me = reader.person.as_ref().filter(|_| reader.member);
    let lead = ctx.can(Action::ManagePeople);
    let manager = reader.reports.contains(recipient);
    me.is_some_and(|m| m != recipient)
        && match who {
            awards::Awarders::Both => lead || manager,
            awards::Awarders::PeopleLeads => lead,
            awards::Awarders::Managers => manager,
        }
}

/// A radial chart of milestones per ability, as inline SVG. Every spoke is
/// labelled with the ability and its level in text, so it reads without
/// colour (and the table beside it says the same).
pub(crate) fn radial_chart(fw: &Framework, held: &[(Slug, Level)]) -> String {
    let n = fw.abilities.len().max(1) as f64;
    let (cx, cy, r) = (200.0, 200.0, 130.0);
    let point = |i: usize, level: f64| {
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n;
        (
            cx + r * level / 5.0 * angle.cos(),
            cy + r * level / 5.0 * angle.sin(),
        )
    };
    let mut svg = String::from(
        r#"<svg viewBox="-90 -10 580 420" role="img" aria-label="Milestones held per ability" xmlns="http://www.w3.org/2000/svg">"#,
    );
    for ring in 1..=5 {
        let _ = write!(
            svg,
            r##"<circle cx="{cx}" cy="{cy}" r="{}" fill="none" stroke="#d9d5cb" stroke-width="1"/>"##,
            r * f64::from(ring) / 5.0
        );
    }
    let mut polygon = Vec::new();
    for (i, a) in fw.abilities.iter().enumerate() {
        let level = held
            .iter()
            .find(|(s, _)| s == &a.slug)
            .map_or(0, |(_, l)| l.get());
        let (x, y) = point(i, 5.0);
        let _ = write!(
            svg,
            r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#d9d5cb"/>"##
        );
        let (px, py) = point(i, f64::from(level));
        polygon.push(format!("{px:.1},{py:.1}"));
        let (lx, ly) = point(i, 6.1);
        let anchor = if (lx - cx).abs() < 10.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let label = escape(&format!("{} · M{level}", short(a.name.as_str())));
        let _ = write!(
            svg,
            r##"<text x="{lx:.1}" y="{ly:.1}" font-size="11" text-anchor="{anchor}" fill="#1f2a2e">{label}</text>"##
        );
    }
    let _ = write!(
        svg,
        r##"<polygon points="{}" fill="#2f6f62" fill-opacity="0.25" stroke="#2f6f62" stroke-width="2"/>"##,
        polygon.join(" ")
    );
    for p in &polygon {
        if let Some((x, y)) = p.split_once(',') {
            let _ = write!(svg, r##"<circle cx="{x}" cy="{y}" r="3" fill="#2f6f62"/>"##);
        }
    }
    svg.push_str("</svg>");
    svg
}

fn short(name: &str) -> String {
    if name.chars().count() <= 18 {
        name.to_owned()
    } else {
        format!("{}…", name.chars().take(17).collect::<String>())
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn view(
    app: &App,
    visitor: &Visitor,
    org: &OrgSlug,
    person: &str,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<JourneyPage, PageError> {
    let ctx = OrgContext::load(app, visitor, org, Action::ReadMemberContent).await?;
    let member = members::get(&app.store, &ctx.org.id, person)
        .await?
        .ok_or(PageError::NotFound)?;
    let recipient = &member.person.id;
    let reader = reader_for(app, visitor, &ctx).await?;
    let people_lead = ctx.can(Action::ManagePeople);
    let fw = cairn_store::framework::load(&app.store, &ctx.org.id).await?;
    let all_awards = awards::of_person(&app.store, &ctx.org.id, recipient).await?;
    let visible: Vec<_> = all_awards
        .iter()
        .filter(|a| can_read_award(&reader, &a.facts(), people_lead, false))
        .collect();
    let held = awards::held(visible.iter().copied());
    let scale = fw.organization.miles;
    let j = journey(held.iter().map(|(s, l)| (s, *l)), &scale);
    let rows = fw
        .abilities
        .iter()
        .map(|a| {
            let level = j
                .abilities
                .iter()
                .find(|x| x.ability == a.slug)
                .map(|x| x.level);
            let next = match level {
                None => Some(Level::ALL[0]),
                Some(l) => Level::ALL.get(l.index() + 1).copied(),
            };
            AbilityRow {
                slug: a.slug.to_string(),
                href: super::ability_href(org, &a.slug),
                name: a.name.to_string(),
                level: level.map_or_else(|| "none yet".to_owned(), |l| format!("M{l}")),
                miles: level.map_or(0, |l| scale.miles(l)),
                next: next.map_or_else(
                    || "all five held".to_owned(),
                    |n| {
                        format!(
                            "M{n} {}",
                            adds_miles(scale.miles(n) - level.map_or(0, |l| scale.miles(l)))
                        )
                    },
                ),
            }
        })
        .collect();
    let me = reader.person.clone();
    let who = awards::awarders(&app.store, &ctx.org.id).await?;
    let can_award =
        member.status == MemberStatus::Active && may_award(&ctx, &reader, recipient, who);
    let of_them: Vec<_> = observations::visible_of(
        &app.store,
        &ctx.org.id,
        reader.person.as_ref(),
        reader.member,
        recipient,
        100,
    )
    .await?;
    let rule = awards::evidence_rule(&app.store, &ctx.org.id).await?;
    Ok(JourneyPage {
        chrome: ctx.chrome(visitor),
        person_id: recipient.as_str().to_owned(),
        name: member.person.name.to_string(),
        total: miles(j.total),
        chart: radial_chart(&fw, &held),
        rows,
        awards: visible
            .iter()
            .map(|a| AwardLine {
                id: a.id.clone(),
                on_profile: a.on_profile,
                ability: a.ability_name.to_string(),
                level: a.level.get(),
                date: date(a.awarded_at),
                certifier: a.certifier_name.to_string(),
                note: a.note.clone(),
                revoked: a.revoked,
                can_revoke: !a.revoked && (people_lead || me.as_ref() == Some(&a.certifier)),
            })
            .collect(),
        can_award,
        evidence_rule: check_evidence::<&str>(&rule, &[])
            .reasons
            .into_iter()
            .filter(|_| rule.min_observations > 0)
            .collect(),
        evidence: of_them
            .iter()
            .filter(|o| o.published_at.is_some())
            .map(|o| Link {
                href: o.id.clone(),
                text: format!("{} by {}", date(o.observed_on), o.observer.name),
            })
            .collect(),
        observations: of_them.iter().map(|o| card(org, o, &reader)).collect(),
        // Eligibility is for the member, their managers and people leads.
        positions: if can_see_progress(&reader, recipient, people_lead) {
            fw.positions
                .iter()
                .map(|p| Link {
                    href: format!("/{org}/people/{}/positions/{}", recipient.as_str(), p.slug),
                    text: format!("{} (level {})", p.title, p.level),
                })
                .collect()
        } else {
            Vec::new()
        },
        is_self: me.as_ref() == Some(recipient),
        public_profile: members::public_profile(&app.store, &ctx.org.id, recipient).await?,
        notice,
        errors,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "people/profile.html")]
pub(crate) struct ProfilePage {
    chrome: Chrome,
    name: String,
    awards: Vec<String>,
    observations: Vec<Card>,
}

/// Members see the journey; everyone else sees the public profile, if
/// the person chose to show one, and otherwise nothing (404).
pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, person)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let org = OrgSlug::parse(&org).map_err(|_| PageError::NotFound)?;
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadFramework).await?;
    if ctx.can(Action::ReadMemberContent) {
        return Ok(
            view(&app, &visitor, &org, &person, None, FormErrors::default())
                .await?
                .into_response(),
        );
    }
    let member = members::get(&app.store, &ctx.org.id, &person)
        .await?
        .filter(|m| m.status == MemberStatus::Active)
        .ok_or(PageError::NotFound)?;
    if !members::public_profile(&app.store, &ctx.org.id, &member.person.id).await? {
        return Err(PageError::NotFound);
    }
    let outsider = Reader::outsider();
    let awards = awards::of_person(&app.store, &ctx.org.id, &member.person.id)
        .await?
        .into_iter()
        .filter(|a| a.ability_active && can_read_award(&outsider, &a.facts(), false, true))
        .map(|a| format!("{}: milestone {}", a.ability_name, a.level))
        .collect();
    let observations =
        observations::visible_of(&app.store, &ctx.org.id, None, false, &member.person.id, 100)
            .await?
            .iter()
            .map(|o| card(&org, o, &outsider))
            .collect();
    Ok(ProfilePage {
        chrome: ctx.chrome(&visitor),
        name: member.person.name.to_string(),
        awards,
        observations,
    }
    .into_response())
}

/// The member's own choice: a public profile, and which awards it shows.
pub(crate) async fn save_profile(
    State(app): State<App>,
    visitor: Visitor,
    Path((org, person)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let org = OrgSlug::parse(&org).map_err(|_| PageError::NotFound)?;
    let me = signed_in(&visitor, "/")?.id.clone();
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    if me.as_str() != person {
        return Err(PageError::NotFound);
    }
    members::set_public_profile(
        &app.store,
        &ctx.org.id,
        &me,
        field(&pairs, "public") == "on",
    )
    .await?;
    let shown: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "show")
        .map(|(_, v)| v.as_str())
        .collect();
    for a in awards::of_person(&app.store, &ctx.org.id, &me).await? {
        let want = shown.contains(&a.id.as_str());
        if want != a.on_profile {
            awards::set_on_profile(&app.store, &ctx.org.id, &me, &a.id, want).await?;
        }
    }
    Ok(redirect(&format!("/{org}/people/{person}#profile")))
}

pub(crate) async fn award(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    Path((org, person)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let org = OrgSlug::parse(&org).map_err(|_| PageError::NotFound)?;
    let me = signed_in(&visitor, "/")?.id.clone();
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let member = members::get(&app.store, &ctx.org.id, &person)
        .await?
        .filter(|m| m.status == MemberStatus::Active)
        .ok_or(PageError::NotFound)?;
    let recipient = member.person.id.clone();
    let reader = reader_for(&app, &visitor, &ctx).await?;
    let who = awards::awarders(&app.store, &ctx.org.id).await?;
    if !may_award(&ctx, &reader, &recipient, who) {
        return Err(PageError::NotFound);
    }
    let mut errors = FormErrors::default();
    let ability = errors.check("ability", Slug::parse(field(&pairs, "ability")));
    let level = errors.check(
        "level",
        field(&pairs, "level")
            .parse::<i64>()
            .map_err(|_| "choose a milestone")
            .and_then(|n| Level::parse(n).map_err(|_| "choose a milestone")),
    );
    let visibility =
        AwardVisibility::parse(field(&pairs, "visibility")).unwrap_or(AwardVisibility::Private);
    let chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "evidence")
        .map(|(_, v)| v.clone())
        .collect();
    // Evidence must be published observations of the recipient that the
    // awarder may read.
    // (The same newest 100 the form offered.)
    let readable: Vec<_> = observations::visible_of(
        &app.store,
        &ctx.org.id,
        reader.person.as_ref(),
        reader.member,
        &recipient,
        100,
    )
    .await?
    .into_iter()
    .filter(|o| o.published_at.is_some())
    .collect();
    let evidence: Vec<_> = readable.iter().filter(|o| chosen.contains(&o.id)).collect();
    if evidence.len() != chosen.len() {
        errors.add("evidence", "Choose evidence from the observations listed.");
    }
    let rule = awards::evidence_rule(&app.store, &ctx.org.id).await?;
    let check = check_evidence(
        &rule,
        &evidence
            .iter()
            .map(|o| (o.observer.id.clone(), o.observed_on))
            .collect::<Vec<_>>(),
    );
    if !check.met {
        errors.add(
            "evidence",
            format!("The evidence rule is not met: {}", check.reasons.join("; ")),
        );
    }
    if let (true, Some(ability), Some(level)) = (errors.is_empty(), ability, level) {
        let held = awards::of_person(&app.store, &ctx.org.id, &recipient)
            .await?
            .into_iter()
            .filter(|a| !a.revoked && a.ability == ability)
            .map(|a| a.level)
            .max();
        match levels_to_award(held, level, field(&pairs, "confirm_jump") == "on") {
            Ok(levels) => {
                let new = NewAward {
                    recipient: recipient.clone(),
                    ability,
                    levels,
                    note: field(&pairs, "note").trim().chars().take(2000).collect(),
                    visibility,
                    evidence: evidence.iter().map(|o| o.id.clone()).collect(),
                };
                match awards::award(&app.store, &ctx.org.id, &me, &new, app.now()).await {
                    Ok(()) => {
                        let levels: Vec<String> =
                            new.levels.iter().map(|l| format!("M{l}")).collect();
                        crate::audit::note(
                            &app,
                            Entry {
                                org: Some(&ctx.org.id),
                                actor: Some(&me),
                                action: AuditAction::MilestoneAwarded,
                                subject: crate::audit::about(&member.person),
                                detail: format!("{} {}", new.ability, levels.join(", ")),
                                client_ip: &client.ip,
                            },
                        )
                        .await;
                        return Ok(redirect(&format!("/{org}/people/{person}#awards")));
                    }
                    Err(cairn_store::StoreError::NotFound) => {
                        errors.add("ability", "Choose an ability of this framework.")
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Err(refused) => {
                errors.check::<(), _>("level", Err(refused));
            }
        }
    }
    Ok(invalid(
        view(&app, &visitor, &org, &person, None, errors).await?,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "people/revoke_confirm.html")]
pub(crate) struct RevokeConfirmPage {
    chrome: Chrome,
    what: String,
    reason: String,
    action: String,
    back: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct RevokeForm {
    confirm: String,
}

pub(crate) async fn revoke(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    Path((org, id)): Path<(String, String)>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, PageError> {
    let org = OrgSlug::parse(&org).map_err(|_| PageError::NotFound)?;
    let me = signed_in(&visitor, "/")?.id.clone();
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let (recipient, certifier) = awards::parties(&app.store, &ctx.org.id, &id)
        .await?
        .ok_or(PageError::NotFound)?;
    let people_lead = ctx.can(Action::ManagePeople);
    if !(people_lead || certifier == me) {
        return Err(PageError::NotFound);
    }
    let back = format!("/{org}/people/{}#awards", recipient.as_str());
    let revoked = match awards::revoke(
        &app.store,
        &ctx.org.id,
        &id,
        &me,
        people_lead,
        form.confirm == "yes",
        app.now(),
    )
    .await?
    {
        Ok(ids) => ids,
        Err(refused @ RevokeRefused::HigherHeld { .. }) => {
            return Ok(RevokeConfirmPage {
                chrome: ctx.chrome(&visitor),
                what: "this milestone and the ones above it".into(),
                reason: format!("{refused}."),
                action: format!("/{org}/awards/{id}/revoke"),
                back,
            }
            .into_response());
        }
        Err(refused @ RevokeRefused::NotYours { .. }) => {
            let mut errors = FormErrors::default();
            errors.add("", format!("Not revoked: {refused}."));
            return Ok(invalid(
                view(&app, &visitor, &org, recipient.as_str(), None, errors).await?,
            ));
        }
    };
    if revoked.is_empty() {
        return Err(PageError::NotFound);
    }
    let whom = members::get(&app.store, &ctx.org.id, recipient.as_str())
        .await?
        .map_or_else(
            || recipient.as_str().to_owned(),
            |m| crate::audit::about(&m.person),
        );
    for award in &revoked {
        crate::audit::note(
            &app,
            Entry {
                org: Some(&ctx.org.id),
                actor: Some(&me),
                action: AuditAction::AwardRevoked,
                subject: whom.clone(),
                detail: if award == &id {
                    format!("award {award}")
                } else {
                    format!("award {award} (above award {id}, revoked with it)")
                },
                client_ip: &client.ip,
            },
        )
        .await;
    }
    Ok(redirect(&back))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get("/{org}/people/{person}", show)
        .post("/{org}/people/{person}/awards", award)
        .post("/{org}/people/{person}/profile", save_profile)
        .post("/{org}/awards/{id}/revoke", revoke)
}

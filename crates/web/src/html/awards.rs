//! Awarding milestones and revoking them (people leads and the recipient's
//! managers, as the organization's setting says). Holding N implies
//! 1..N-1: an award that skips levels records every level between, and
//! revoking one takes the higher ones with it, each after a confirmation.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cairn_domain::awards::{
    AwardVisibility, RevokeRefused, check_evidence, levels_to_award, may_award,
};
use cairn_domain::membership::MemberStatus;
use cairn_domain::policy::Action;
use cairn_domain::visibility::can_read;
use cairn_domain::{Level, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::observations::Observation;
use cairn_store::{members, observations};

use cairn_domain::audit::AuditAction;
use cairn_store::audit::Entry;

use crate::App;
use crate::auth::{ClientInfo, Visitor};
use crate::error::PageError;
use crate::extract::{MemberPath, RecordPath};
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::journey::journey_view;
use crate::html::observations::reader_about;
use crate::html::{Chrome, OrgContext};

/// How many observations one award may cite.
const MAX_EVIDENCE: usize = 50;

pub(crate) async fn award(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    MemberPath(org, person): MemberPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let me = ctx.member()?.id.clone();
    let (member, reports) = members::get_seen_by(&app.store, &ctx.org.id, &person, Some(&me))
        .await?
        .filter(|(m, _)| m.status == MemberStatus::Active)
        .ok_or(PageError::NotFound)?;
    let recipient = member.person.id.clone();
    let reader = reader_about(&visitor, &ctx, &recipient, reports);
    if !may_award(
        &reader,
        &recipient,
        ctx.can(Action::ManagePeople),
        ctx.org.awarders,
    ) {
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
    let mut chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "evidence")
        .map(|(_, v)| v.clone())
        .collect();
    chosen.sort();
    chosen.dedup();
    // Evidence must be published observations of the recipient that the
    // awarder may read: each chosen one is looked up (the form offers a
    // page of them at a time, so any page's may be chosen), at most
    // MAX_EVIDENCE, each checked by the one rule.
    let mut evidence: Vec<Observation> = Vec::new();
    if chosen.len() > MAX_EVIDENCE {
        errors.add(
            "evidence",
            format!("Choose at most {MAX_EVIDENCE} observations as evidence."),
        );
    } else {
        for id in &chosen {
            let Some(id) = crate::extract::RecordId::parse(id) else {
                continue;
            };
            // The rule sees the awarder's reports among this card's people.
            let Some((o, card_reports)) =
                observations::get(&app.store, &ctx.org.id, reader.person.as_ref(), &id).await?
            else {
                continue;
            };
            let mut checker = reader.clone();
            checker.reports.extend(card_reports);
            if o.published_at.is_some()
                && o.observees.iter().any(|e| e.id == recipient)
                && can_read(&checker, &o.facts())
            {
                evidence.push(o);
            }
        }
        if evidence.len() != chosen.len() {
            errors.add("evidence", "Choose evidence from the observations listed.");
        }
    }
    let rule = ctx.org.evidence;
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
        journey_view(&app, &visitor, &ctx, &person, None, None, errors).await?,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "awards/revoke_confirm.html")]
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
    RecordPath(org, id): RecordPath,
    Form(form): Form<RevokeForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ReadMemberContent).await?;
    let me = ctx.member()?.id.clone();
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
                journey_view(&app, &visitor, &ctx, &recipient, None, None, errors).await?,
            ));
        }
    };
    if revoked.is_empty() {
        return Err(PageError::NotFound);
    }
    let whom = members::get(&app.store, &ctx.org.id, &recipient)
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
                detail: if award.as_str() == id.as_str() {
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
        .post("/{org}/people/{person}/awards", award)
        .post("/{org}/awards/{id}/revoke", revoke)
}

//! Open Badges 3.0 credentials of awards: offered to the award's
//! recipient (`/{org}/awards/{id}/credential`; nothing is made unless they
//! ask), shown to anyone with the link with whether it verifies
//! (`/{org}/credentials/{id}`), downloadable, and verifiable from what the
//! organization publishes: its issuer profile, its keys as a JWKS and its
//! revocation list. What a credential says: `cairn_domain::credentials`;
//! how it is signed: `crate::credentials`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_domain::credentials::{self as badge, Achievement, Evidence, Issuer, Recipient};
use cairn_domain::file;
use cairn_domain::policy::Action;
use cairn_domain::visibility::{Reader, can_read};
use cairn_domain::{Framework, Milestone, OrgSlug, case};
use cairn_store::awards::{self, Award};
use cairn_store::credentials::{self as store, Credential, Issuing};
use cairn_store::{framework, observations, versions};
use serde_json::{Value, json};

use crate::App;
use crate::auth::Visitor;
use crate::credentials;
use crate::error::PageError;
use crate::extract::{OrgPath, RecordPath};
use crate::forms::redirect;
use crate::html::{Chrome, Link, OrgContext};

fn issuer<'a>(base: &'a str, ctx: &'a OrgContext) -> Issuer<'a> {
    Issuer {
        base,
        org: ctx.org.org.slug.as_str(),
        name: ctx.org.org.name.as_str(),
    }
}

/// The organization, and the signed-in member's own live award `id`.
async fn own_award(
    app: &App,
    visitor: &Visitor,
    org: &OrgSlug,
    id: &str,
) -> Result<(OrgContext, Award), PageError> {
    let ctx = OrgContext::load(app, visitor, org, Action::ReadMemberContent).await?;
    let me = ctx.member()?.id.clone();
    let award = awards::of_person(&app.store, &ctx.org.id, &me)
        .await?
        .into_iter()
        .find(|a| a.id == id && !a.revoked)
        .ok_or(PageError::NotFound)?;
    Ok((ctx, award))
}

/// The framework the award was made under: its version's, or the
/// framework as it is when none was published then.
async fn framework_of(app: &App, ctx: &OrgContext, award: &Award) -> Result<Framework, PageError> {
    if let Some(n) = award.version
        && let Some(text) = versions::snapshot(&app.store, &ctx.org.id, n).await?
        && let Ok(fw) = file::parse(&text)
    {
        return Ok(fw);
    }
    Ok(framework::load(&app.store, &ctx.org)
        .await?
        .framework()
        .clone())
}

/// The observations an award cites that anyone may read.
async fn public_evidence(
    app: &App,
    ctx: &OrgContext,
    award: &Award,
) -> Result<Vec<observations::Observation>, PageError> {
    let mut out = Vec::new();
    for id in &award.evidence {
        // Public: what the visibility rule lets anyone at all read.
        if let Some((o, _)) = observations::get(&app.store, &ctx.org.id, None, id).await?
            && can_read(&Reader::outsider(), &o.facts())
        {
            out.push(o);
        }
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "credentials/offer.html")]
struct OfferPage {
    chrome: Chrome,
    id: String,
    person: String,
    award: String,
    evidence: usize,
    enabled: bool,
}

/// `GET /{org}/awards/{id}/credential`: what a credential of the award
/// would say, and the button that makes it (or the one made).
pub(crate) async fn offer(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let (ctx, award) = own_award(&app, &visitor, &org, &id).await?;
    if let Some(c) = store::of_award(&app.store, &ctx.org.id, &award.id).await? {
        return Ok(redirect(&format!("/{org}/credentials/{}", c.id)));
    }
    let evidence = public_evidence(&app, &ctx, &award).await?.len();
    Ok(OfferPage {
        chrome: ctx.chrome(&visitor),
        id: award.id.clone(),
        person: award.recipient.as_str().to_owned(),
        award: format!("{}: milestone {}", award.ability_name, award.level),
        evidence,
        enabled: app.config.credential_sealer.is_some(),
    }
    .into_response())
}

/// `POST /{org}/awards/{id}/credential`: makes the credential (once: a
/// second request gets the first), signed with the organization's key
/// (made at first use).
pub(crate) async fn make(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let (ctx, award) = own_award(&app, &visitor, &org, &id).await?;
    let sealer = app.config.credential_sealer.clone().ok_or(PageError::BadRequest(
        "Credentials are off on this server: its administrator sets credential_key to turn them on.",
    ))?;
    let key = match store::signing_key(&app.store, &ctx.org.id).await? {
        Some(k) => k,
        None => {
            let (public, sealed) = credentials::new_key(&sealer).map_err(PageError::Internal)?;
            store::add_key(&app.store, &ctx.org.id, &public, &sealed, false, app.now()).await?
        }
    };
    let fw = framework_of(&app, &ctx, &award).await?;
    let milestone: Milestone = fw
        .ability(&award.ability)
        .map(|a| a.milestone(award.level).clone())
        .unwrap_or_default();
    let evidence = public_evidence(&app, &ctx, &award).await?;
    let me = ctx.member()?.clone();
    let base = app.absolute_base();
    let iss = issuer(&base, &ctx);
    let case_item = case::identifier(ctx.org.id.as_str(), &format!("ability/{}", award.ability));
    let salt = crate::secrets::new_secret("").map_err(|e| PageError::Internal(e.to_string()))?;
    let salt = &salt[..16];
    let now = app.now();
    let made = store::issue(
        &app.store,
        &ctx.org.id,
        &award.id,
        &me.id,
        key.number,
        now,
        |i: &Issuing| {
            let evidence: Vec<Evidence> = evidence
                .iter()
                .map(|o| Evidence {
                    id: &o.id,
                    observed_on: o.observed_on,
                    story: o.story.as_str(),
                })
                .collect();
            let achievement = Achievement {
                ability_slug: award.ability.as_str(),
                ability_name: award.ability_name.as_str(),
                level: award.level,
                milestone: &milestone,
                case_item: &case_item,
                version: award.version,
            };
            let recipient = Recipient {
                email: me.email.as_str(),
                salt,
            };
            let credential = badge::credential(
                &iss,
                i.id,
                &achievement,
                &recipient,
                &evidence,
                award.awarded_at,
                now,
                i.status_index,
            );
            credentials::sign(
                &sealer,
                &key.private_key,
                &iss.key_id(key.number),
                &credential,
            )
        },
    )
    .await?
    .ok_or(PageError::NotFound)?;
    Ok(redirect(&format!("/{org}/credentials/{}", made.id)))
}

/// Whether a stored credential verifies against the organization's keys,
/// in words, and its payload when it does.
async fn verdict(
    app: &App,
    ctx: &OrgContext,
    c: &Credential,
) -> Result<(bool, String, Option<Value>), PageError> {
    let keys = store::keys(&app.store, &ctx.org.id).await?;
    let verified = keys
        .iter()
        .find(|k| k.number == c.key_number)
        .and_then(|k| credentials::verify(&k.public_key, &c.jws));
    Ok(match verified {
        None => (false, "This credential does not verify.".to_owned(), None),
        Some(_) if c.revoked => (
            false,
            format!(
                "Revoked: {} revoked the award, and the credential with it.",
                ctx.org.org.name
            ),
            credentials::payload(&c.jws),
        ),
        Some((_, payload)) => (
            true,
            format!(
                "Verified: signed with {}'s key {}, and not revoked.",
                ctx.org.org.name, c.key_number
            ),
            Some(payload),
        ),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "credentials/show.html")]
struct ShowPage {
    chrome: Chrome,
    name: String,
    verdict: String,
    verdict_class: &'static str,
    criteria: String,
    awarded: String,
    issued: String,
    alignment: String,
    evidence: Vec<Link>,
    json: String,
    jwt: String,
    jwks: String,
    status: String,
}

async fn credential_of(
    app: &App,
    visitor: &Visitor,
    org: &OrgSlug,
    id: &str,
) -> Result<(OrgContext, Credential), PageError> {
    let ctx = OrgContext::load(app, visitor, org, Action::VerifyCredential).await?;
    let c = store::get(&app.store, &ctx.org.id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((ctx, c))
}

/// `GET /{org}/credentials/{id}`: the credential, and whether it verifies.
pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let (ctx, c) = credential_of(&app, &visitor, &org, &id).await?;
    let (ok, verdict, payload) = verdict(&app, &ctx, &c).await?;
    let payload = payload.unwrap_or(Value::Null);
    let achievement = &payload["credentialSubject"]["achievement"];
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let date = |v: &Value| text(v).get(..10).unwrap_or("").to_owned();
    let base = app.absolute_base();
    let iss = issuer(&base, &ctx);
    let here = format!("/{org}/credentials/{id}");
    Ok(ShowPage {
        name: text(&payload["name"]),
        verdict,
        verdict_class: if ok { "verified" } else { "not-verified" },
        criteria: crate::markdown::render(&text(&achievement["criteria"]["narrative"])),
        awarded: date(&payload["awardedDate"]),
        issued: date(&payload["validFrom"]),
        alignment: text(&achievement["alignment"][0]["targetUrl"]),
        evidence: payload["evidence"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| Link {
                        href: text(&e["id"]),
                        text: text(&e["name"]),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        json: format!("{here}/credential.json"),
        jwt: format!("{here}/credential.jwt"),
        jwks: iss.jwks(),
        status: iss.status_list(),
        chrome: ctx.chrome(&visitor),
    }
    .into_response())
}

fn attachment(content_type: &'static str, name: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /{org}/credentials/{id}/credential.jwt`: the signed credential.
pub(crate) async fn jwt(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let (_, c) = credential_of(&app, &visitor, &org, &id).await?;
    Ok(attachment(
        "application/vc+jwt",
        format!("{org}-credential-{id}.jwt"),
        c.jws,
    ))
}

/// `GET /{org}/credentials/{id}/credential.json`: the same, as the JSON
/// a Verifiable Credentials 2.0 wallet takes (an enveloped credential).
pub(crate) async fn json_file(
    State(app): State<App>,
    visitor: Visitor,
    RecordPath(org, id): RecordPath,
) -> Result<Response, PageError> {
    let (_, c) = credential_of(&app, &visitor, &org, &id).await?;
    let body = json!({
        "@context": badge::CONTEXTS[0],
        "id": format!("data:application/vc+jwt,{}", c.jws),
        "type": "EnvelopedVerifiableCredential",
    });
    Ok(attachment(
        "application/json",
        format!("{org}-credential-{id}.json"),
        serde_json::to_string_pretty(&body).unwrap_or_default(),
    ))
}

/// `GET /{org}/issuer`: the organization's Open Badges issuer profile.
pub(crate) async fn profile(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::VerifyCredential).await?;
    let base = app.absolute_base();
    Ok(axum::Json(issuer(&base, &ctx).profile()).into_response())
}

/// `GET /{org}/issuer/jwks.json`: every key the organization has signed
/// with, retired ones too (what they signed still verifies).
pub(crate) async fn jwks(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::VerifyCredential).await?;
    let base = app.absolute_base();
    let iss = issuer(&base, &ctx);
    let keys: Vec<Value> = store::keys(&app.store, &ctx.org.id)
        .await?
        .iter()
        .map(|k| credentials::jwk(&k.public_key, &iss.key_id(k.number)))
        .collect();
    Ok((
        [(header::CONTENT_TYPE, "application/jwk-set+json")],
        json!({ "keys": keys }).to_string(),
    )
        .into_response())
}

/// `GET /{org}/credentials/status`: the revocation list, a Bitstring
/// Status List credential signed like the credentials; a 404 until the
/// organization has a key.
pub(crate) async fn status_list(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::VerifyCredential).await?;
    let sealer = app
        .config
        .credential_sealer
        .clone()
        .ok_or(PageError::NotFound)?;
    let key = store::signing_key(&app.store, &ctx.org.id)
        .await?
        .ok_or(PageError::NotFound)?;
    let (revoked, _) = store::revoked(&app.store, &ctx.org.id).await?;
    let encoded = credentials::encode_status_list(&badge::status_bits(&revoked))
        .map_err(PageError::Internal)?;
    let base = app.absolute_base();
    let iss = issuer(&base, &ctx);
    let list = badge::status_list(&iss, &encoded, app.now());
    let jws = credentials::sign(&sealer, &key.private_key, &iss.key_id(key.number), &list)
        .map_err(PageError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+jwt"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        jws,
    )
        .into_response())
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/{org}/awards/{id}/credential", offer, make)
        .get("/{org}/credentials/status", status_list)
        .get("/{org}/credentials/{id}", show)
        .get("/{org}/credentials/{id}/credential.jwt", jwt)
        .get("/{org}/credentials/{id}/credential.json", json_file)
        .get("/{org}/issuer", profile)
        .get("/{org}/issuer/jwks.json", jwks)
}

//! `/{org}/settings/domains`: the domains whose people may join without
//! an invitation, each proved through a sign-in provider the operator
//! made authoritative for it (or whose `hd` claim it believes); whether
//! they join as members or ask an admin; and the requests waiting.
//! Owners choose domains and the rule; admins decide requests.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use cairn_domain::audit::AuditAction;
use cairn_domain::policy::Action;
use cairn_domain::sso::DomainJoin;
use cairn_store::audit::Entry;
use cairn_store::sso;

use super::{Chrome, OrgContext, date};
use crate::App;
use crate::auth::{ClientInfo, Visitor};
use crate::error::PageError;
use crate::extract::{MemberPath, OrgPath};
use crate::forms::{FormErrors, invalid, redirect};

pub(crate) struct DomainLine {
    domain: String,
    provider: String,
}

pub(crate) struct RequestLine {
    person: String,
    name: String,
    email: String,
    since: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/domains.html")]
pub(crate) struct DomainsPage {
    chrome: Chrome,
    domains: Vec<DomainLine>,
    /// Providers that can prove a domain: (id, name).
    providers: Vec<(String, String)>,
    join: &'static str,
    joins: Vec<(&'static str, &'static str)>,
    requests: Vec<RequestLine>,
    owner: bool,
    domain: String,
    errors: FormErrors,
}

fn join_label(j: DomainJoin) -> &'static str {
    match j {
        DomainJoin::Off => "Off: only invitations bring people in",
        DomainJoin::Member => "They join as members at their first sign-in",
        DomainJoin::Approval => "They ask to join, and an admin approves",
    }
}

async fn view(app: &App, visitor: &Visitor, ctx: &OrgContext) -> Result<DomainsPage, PageError> {
    let (domains, join) = sso::domains(&app.store, &ctx.org.id).await?;
    let requests = sso::join_requests(&app.store, &ctx.org.id).await?;
    let name_of = |id: &str| {
        app.sso
            .config(id)
            .map_or_else(|| id.to_owned(), |c| c.name.clone())
    };
    Ok(DomainsPage {
        chrome: ctx.chrome(visitor),
        domains: domains
            .into_iter()
            .map(|d| DomainLine {
                provider: name_of(&d.provider),
                domain: d.domain,
            })
            .collect(),
        providers: app
            .sso
            .buttons()
            .into_iter()
            .filter(|(id, _)| {
                app.sso
                    .config(id)
                    .is_some_and(|c| !c.domains.is_empty() || c.hosted_domain_claim)
            })
            .collect(),
        join: join.as_str(),
        joins: DomainJoin::ALL
            .iter()
            .map(|j| (j.as_str(), join_label(*j)))
            .collect(),
        requests: requests
            .into_iter()
            .map(|r| RequestLine {
                person: r.person.as_str().to_owned(),
                name: r.name,
                email: r.email,
                since: date(r.created_at),
            })
            .collect(),
        owner: ctx.can(Action::GrantAdmin),
        domain: String::new(),
        errors: FormErrors::default(),
    })
}

pub(crate) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
) -> Result<DomainsPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageMembers).await?;
    view(&app, &visitor, &ctx).await
}

/// A domain name as people type it: lowercase letters, digits, hyphens
/// and dots, with at least one dot.
fn parse_domain(s: &str) -> Option<String> {
    let d = s.trim().trim_start_matches('@').to_ascii_lowercase();
    let ok = d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then_some(d)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct AddForm {
    domain: String,
    provider: String,
}

pub(crate) async fn add(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    OrgPath(slug): OrgPath,
    Form(form): Form<AddForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::GrantAdmin).await?;
    let person = ctx.member()?;
    let mut errors = FormErrors::default();
    let domain = parse_domain(&form.domain);
    let provider = app.sso.config(&form.provider).cloned();
    match (&domain, &provider) {
        (None, _) => errors.add("domain", "Enter a domain name, like acme.com"),
        (_, None) => errors.add("provider", "Choose the sign-in provider that proves it"),
        (Some(d), Some(p)) => {
            let vouches =
                p.domains.iter().any(|x| x.eq_ignore_ascii_case(d)) || p.hosted_domain_claim;
            if !vouches {
                errors.add(
                    "domain",
                    format!("{} is not authoritative for {d}: the operator lists the domains it may prove", p.name),
                );
            }
        }
    }
    if errors.is_empty()
        && let (Some(d), Some(p)) = (&domain, &provider)
        && !sso::add_domain(&app.store, &ctx.org.id, d, &p.id, &person.id, app.now()).await?
    {
        errors.add(
            "domain",
            "Another organization on this server has this domain already",
        );
    }
    if !errors.is_empty() {
        let mut page = view(&app, &visitor, &ctx).await?;
        page.domain = form.domain;
        page.errors = errors;
        return Ok(invalid(page));
    }
    crate::audit::note(
        &app,
        Entry {
            org: Some(&ctx.org.id),
            actor: Some(&person.id),
            action: AuditAction::SettingsChanged,
            subject: format!("domain {}", domain.unwrap_or_default()),
            detail: format!("proved through {}", form.provider),
            client_ip: &client.ip,
        },
    )
    .await;
    Ok(redirect(&format!("/{slug}/settings/domains")))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct DomainForm {
    domain: String,
}

pub(crate) async fn remove(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Form(form): Form<DomainForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::GrantAdmin).await?;
    if !sso::remove_domain(&app.store, &ctx.org.id, &form.domain).await? {
        return Err(PageError::NotFound);
    }
    Ok(redirect(&format!("/{slug}/settings/domains")))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct JoinForm {
    join: String,
}

pub(crate) async fn set_join(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(slug): OrgPath,
    Form(form): Form<JoinForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::GrantAdmin).await?;
    let Some(join) = DomainJoin::parse(&form.join) else {
        let mut page = view(&app, &visitor, &ctx).await?;
        page.errors.add("join", "Choose who may join");
        return Ok(invalid(page));
    };
    sso::set_domain_join(&app.store, &ctx.org.id, join).await?;
    Ok(redirect(&format!("/{slug}/settings/domains")))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct DecideForm {
    decision: String,
}

pub(crate) async fn decide(
    State(app): State<App>,
    visitor: Visitor,
    MemberPath(slug, person): MemberPath,
    Form(form): Form<DecideForm>,
) -> Result<Response, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &slug, Action::ManageMembers).await?;
    let me = ctx.member()?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(PageError::BadRequest("approve or decline")),
    };
    if !sso::decide_request(&app.store, &ctx.org.id, &person, approve, &me.id, app.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(redirect(&format!("/{slug}/settings/domains")))
}

pub(crate) fn routes() -> crate::routes::Area {
    crate::routes::Area::new()
        .get_post("/{org}/settings/domains", page, add)
        .post("/{org}/settings/domains/remove", remove)
        .post("/{org}/settings/domains/join", set_join)
        .post("/{org}/settings/domains/requests/{person}", decide)
}

#[cfg(test)]
mod tests {
    use super::parse_domain;

    #[test]
    #[rustfmt::skip]
    fn domains_are_names_with_a_dot() {
        let cases: &[(&str, Option<&str>)] = &[
            ("acme.com", Some("acme.com")),
            (" ACME.com ", Some("acme.com")),
            ("@acme.com", Some("acme.com")),
            ("eu.acme-corp.co.uk", Some("eu.acme-corp.co.uk")),
            ("localhost", None),
            ("acme..com", None),
            ("-acme.com", None),
            ("acme.com/evil", None),
            ("ana@acme.com", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_domain(input).as_deref(), *want, "{input:?}");
        }
    }
}

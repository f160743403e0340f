//! The route sweep: every route the router declares, for every method, is
//! requested as an anonymous visitor, as the owner of another organization
//! and as a plain member, and the answers are checked against the table
//! below. The route list is read from the router's source, so a new route
//! without a row fails this test.

use axum::http::StatusCode;
use cairn_domain::ItemKind;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::visibility::Privacy;
use cairn_domain::{Level, Markdown, Name, OrgSlug, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::conversations;
use cairn_store::observations::{self, Draft};
use cairn_store::{members, orgs};

use crate::support::TestApp;

/// What a visitor gets: `L` a redirect to sign in, `R` any other redirect
/// (done), `Bad` a refusal of the input (4xx other than 404), `Unauth` an
/// API 401.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Got {
    Ok,
    L,
    R,
    NotFound,
    Bad,
    Unauth,
}
use Got::*;

fn classify(status: StatusCode, location: &str) -> Got {
    match status {
        StatusCode::OK => Ok,
        StatusCode::NOT_FOUND => NotFound,
        StatusCode::UNAUTHORIZED => Unauth,
        StatusCode::SEE_OTHER if location.starts_with("/login") => L,
        StatusCode::SEE_OTHER => R,
        s if s.is_client_error() => Bad,
        s => panic!("unexpected status {s}"),
    }
}

/// (method, route pattern as declared, concrete path, form, [anonymous,
/// other organization, member]).
type Row = (
    &'static str,
    &'static str,
    String,
    Vec<(&'static str, String)>,
    [Got; 3],
);

/// Every (method, pattern) the router declares, as its areas declare them.
fn declared_routes() -> Vec<(String, String)> {
    cairn_web::declared_routes()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect()
}

#[tokio::test]
async fn every_declared_route_answers_outsiders_and_members_as_the_table_says() {
    let app = TestApp::with_demo().await;
    let store = &app.db.store;
    let org = app.org("fernhill").await;

    // Visitors: anonymous, the owner of another organization, a member.
    let olga = app.person("olga@other.example").await;
    orgs::create(
        store,
        &OrgSlug::parse("acme").expect("slug"),
        &Name::parse("Acme", "n").expect("name"),
        &olga.id,
        1,
    )
    .await
    .expect("other org");
    let mut clients = [
        app.anon(),
        app.signed_in(&olga).await,
        app.member("fernhill", "mia@example.com", Capabilities::NONE)
            .await,
    ];
    let _owner = app
        .member(
            "fernhill",
            "owen@example.com",
            Capabilities::of(&[Capability::Owner]),
        )
        .await;
    let list = members::list(store, &org.id).await.expect("members");
    let id_of = |email: &str| {
        list.iter()
            .find(|m| m.person.email.as_str() == email)
            .expect("member")
            .person
            .id
            .clone()
    };
    let (mia, owen) = (id_of("mia@example.com"), id_of("owen@example.com"));

    // Things the routes act on, all made by the owner.
    let obs = observations::create(
        store,
        &org.id,
        &owen,
        &Draft {
            observees: vec![mia.clone()],
            story: Markdown::new("Mia ran the retro."),
            observed_on: 1,
            ratings: vec![(
                Slug::parse("mentoring").expect("slug"),
                cairn_domain::visibility::Rating::Strong,
            )],
        },
        2,
    )
    .await
    .expect("create")
    .expect("draft");
    observations::publish(store, &org.id, &obs, Privacy::Organization, 3)
        .await
        .expect("publish");
    let subject = conversations::subject(store, &org.id, ItemKind::Ability, "mentoring")
        .await
        .expect("read")
        .expect("subject");
    let conv = conversations::start(store, &org.id, &subject, &owen, "Why?", "Because.", 4)
        .await
        .expect("conversation");
    awards::award(
        store,
        &org.id,
        &owen,
        &NewAward {
            recipient: mia.clone(),
            ability: Slug::parse("mentoring").expect("slug"),
            levels: vec![Level::ALL[0]],
            note: String::new(),
            visibility: cairn_domain::awards::AwardVisibility::Organization,
            evidence: vec![],
        },
        5,
    )
    .await
    .expect("award");
    let award = awards::of_person(store, &org.id, &mia)
        .await
        .expect("awards")[0]
        .id
        .clone();
    let invitation = members::create_invitation(store, &org.id, "hash", "note", &owen, 6, i64::MAX)
        .await
        .expect("invitation")
        .id;

    let mia = mia.as_str().to_owned();
    let f = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    let none = Vec::new;
    let p = |s: &str| s.to_owned();
    let rows: Vec<Row> = vec![
        (
            "GET",
            "/assets/cairn.css",
            p("/assets/cairn.css"),
            none(),
            [Ok, Ok, Ok],
        ),
        ("GET", "/", p("/"), none(), [Ok, Ok, Ok]),
        ("GET", "/healthz", p("/healthz"), none(), [Ok, Ok, Ok]),
        ("GET", "/signup", p("/signup"), none(), [Ok, Ok, Ok]),
        ("POST", "/signup", p("/signup"), none(), [Bad, Bad, Bad]),
        ("GET", "/login", p("/login"), none(), [Ok, Ok, Ok]),
        // Hostile `next`s: tab, newline and backslash variants browsers
        // would turn into another host. Every Location is checked below.
        (
            "GET",
            "/login",
            p("/login?next=%09/evil.example"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/signup",
            p("/signup?next=/%0A/evil.example"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "POST",
            "/login",
            p("/login"),
            f(&[
                ("email", "tab@example.com"),
                ("password", "wrong password"),
                ("next", "/\t/evil.example"),
            ]),
            [Unauth, Unauth, Unauth],
        ),
        (
            "POST",
            "/login",
            p("/login"),
            f(&[
                ("email", "slash@example.com"),
                ("password", "wrong password"),
                ("next", "/\\evil.example"),
            ]),
            [Unauth, Unauth, Unauth],
        ),
        // A zero-width name, and NUL in text: refused before anything is written.
        (
            "POST",
            "/signup",
            p("/signup"),
            f(&[
                ("name", "O\u{200B}wen"),
                ("email", "zw@example.com"),
                ("password", "a long password"),
            ]),
            [Bad, Bad, Bad],
        ),
        (
            "POST",
            "/login",
            p("/login"),
            none(),
            [Unauth, Unauth, Unauth],
        ),
        (
            "GET",
            "/settings/account",
            p("/settings/account"),
            none(),
            [L, Ok, Ok],
        ),
        (
            "POST",
            "/settings/password",
            p("/settings/password"),
            none(),
            [L, Bad, Bad],
        ),
        (
            "GET",
            "/settings/sessions",
            p("/settings/sessions"),
            none(),
            [L, Ok, Ok],
        ),
        (
            "POST",
            "/settings/sessions/{id}/revoke",
            p("/settings/sessions/nope/revoke"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/settings/tokens",
            p("/settings/tokens"),
            none(),
            [L, Ok, Ok],
        ),
        (
            "POST",
            "/settings/tokens",
            p("/settings/tokens"),
            none(),
            [L, Bad, Bad],
        ),
        (
            "POST",
            "/settings/tokens/{id}/revoke",
            p("/settings/tokens/nope/revoke"),
            none(),
            [L, NotFound, NotFound],
        ),
        ("GET", "/new", p("/new"), none(), [L, Ok, Ok]),
        ("POST", "/new", p("/new"), none(), [L, Bad, Bad]),
        (
            "GET",
            "/invite/{token}",
            p("/invite/unknown"),
            none(),
            [NotFound, NotFound, NotFound],
        ),
        (
            "POST",
            "/invite/{token}",
            p("/invite/unknown"),
            none(),
            [NotFound, NotFound, NotFound],
        ),
        ("GET", "/{org}", p("/fernhill"), none(), [Ok, Ok, Ok]),
        (
            "GET",
            "/{org}/people",
            p("/fernhill/people"),
            none(),
            [L, NotFound, Ok],
        ),
        (
            "GET",
            "/{org}/health",
            p("/fernhill/health"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/{org}/people/{person}",
            format!("/fernhill/people/{mia}"),
            none(),
            // Outsiders see a journey only as an opted-in public profile.
            [NotFound, NotFound, Ok],
        ),
        (
            "POST",
            "/{org}/people/{person}/awards",
            format!("/fernhill/people/{mia}/awards"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/people/{person}/profile",
            format!("/fernhill/people/{mia}/profile"),
            none(),
            [L, NotFound, R],
        ),
        (
            "GET",
            "/{org}/people/{person}/positions/{position}",
            format!("/fernhill/people/{mia}/positions/engineer-1"),
            none(),
            [L, NotFound, Ok],
        ),
        (
            "GET",
            "/{org}/positions/{position}/candidates",
            p("/fernhill/positions/engineer-1/candidates"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/awards/{id}/revoke",
            format!("/fernhill/awards/{award}/revoke"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/observations",
            p("/fernhill/observations"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/{org}/observations/new",
            p("/fernhill/observations/new"),
            none(),
            [L, NotFound, Ok],
        ),
        (
            "POST",
            "/{org}/observations/new",
            p("/fernhill/observations/new"),
            none(),
            [L, NotFound, Bad],
        ),
        (
            "GET",
            "/{org}/observations/{id}",
            format!("/fernhill/observations/{obs}"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "POST",
            "/{org}/observations/{id}/publish",
            format!("/fernhill/observations/{obs}/publish"),
            f(&[("privacy", "public")]),
            // An observation one may not read is not there, signed in or not.
            [NotFound, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/observations/{id}/delete",
            format!("/fernhill/observations/{obs}/delete"),
            none(),
            [NotFound, NotFound, NotFound],
        ),
        // Last for this observation: the observee narrows it.
        (
            "POST",
            "/{org}/observations/{id}/privacy",
            format!("/fernhill/observations/{obs}/privacy"),
            f(&[("privacy", "observees")]),
            [NotFound, NotFound, R],
        ),
        (
            "GET",
            "/{org}/settings",
            p("/fernhill/settings"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings",
            p("/fernhill/settings"),
            f(&[("name", "Taken Over")]),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings/members/{person}",
            format!("/fernhill/settings/members/{mia}"),
            f(&[("manager", "")]),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/settings/audit",
            p("/fernhill/settings/audit"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/settings/export",
            p("/fernhill/settings/export"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/settings/invitations",
            p("/fernhill/settings/invitations"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings/invitations",
            p("/fernhill/settings/invitations"),
            f(&[("note", "x")]),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings/invitations/{id}/revoke",
            format!("/fernhill/settings/invitations/{invitation}/revoke"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/abilities/{ability}",
            p("/fernhill/abilities/mentoring"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/{org}/roles/{role}",
            p("/fernhill/roles/mentor"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/{org}/positions/{position}",
            p("/fernhill/positions/engineer-1"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/conversations",
            p("/fernhill/abilities/mentoring/conversations"),
            f(&[("title", "t"), ("body", "b")]),
            [L, NotFound, R],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/conversations",
            p("/fernhill/abilities/mentoring/conversations"),
            f(&[("title", "t"), ("body", "nul \u{0} here")]),
            [Bad, Bad, Bad],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/conversations",
            p("/fernhill/roles/mentor/conversations"),
            f(&[("title", "t"), ("body", "b")]),
            [L, NotFound, R],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/conversations",
            p("/fernhill/positions/engineer-1/conversations"),
            f(&[("title", "t"), ("body", "b")]),
            [L, NotFound, R],
        ),
        (
            "GET",
            "/{org}/settings/framework",
            p("/fernhill/settings/framework"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings/framework/miles",
            p("/fernhill/settings/framework/miles"),
            f(&[
                ("m1", "1"),
                ("m2", "2"),
                ("m3", "3"),
                ("m4", "4"),
                ("m5", "5"),
            ]),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/settings/framework/abilities/new",
            p("/fernhill/settings/framework/abilities/new"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings/framework/abilities/new",
            p("/fernhill/settings/framework/abilities/new"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/settings/framework/roles/new",
            p("/fernhill/settings/framework/roles/new"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings/framework/roles/new",
            p("/fernhill/settings/framework/roles/new"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/settings/framework/positions/new",
            p("/fernhill/settings/framework/positions/new"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/settings/framework/positions/new",
            p("/fernhill/settings/framework/positions/new"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/abilities/{ability}/edit",
            p("/fernhill/abilities/mentoring/edit"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/abilities/{ability}/edit",
            p("/fernhill/abilities/mentoring/edit"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/roles/{role}/edit",
            p("/fernhill/roles/mentor/edit"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/roles/{role}/edit",
            p("/fernhill/roles/mentor/edit"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/positions/{position}/edit",
            p("/fernhill/positions/engineer-1/edit"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/positions/{position}/edit",
            p("/fernhill/positions/engineer-1/edit"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/archive",
            p("/fernhill/abilities/mentoring/archive"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/archive",
            p("/fernhill/roles/mentor/archive"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/archive",
            p("/fernhill/positions/engineer-1/archive"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/restore",
            p("/fernhill/abilities/mentoring/restore"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/restore",
            p("/fernhill/roles/mentor/restore"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/{area}/{slug}/restore",
            p("/fernhill/positions/engineer-1/restore"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/{org}/{area}/{slug}/history",
            p("/fernhill/abilities/mentoring/history"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/{org}/{area}/{slug}/history",
            p("/fernhill/roles/mentor/history"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/{org}/{area}/{slug}/history",
            p("/fernhill/positions/engineer-1/history"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "POST",
            "/{org}/conversations/{id}/replies",
            format!("/fernhill/conversations/{conv}/replies"),
            f(&[("body", "b")]),
            [L, NotFound, R],
        ),
        (
            "POST",
            "/{org}/conversations/{id}/resolve",
            format!("/fernhill/conversations/{conv}/resolve"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "POST",
            "/{org}/conversations/{id}/reopen",
            format!("/fernhill/conversations/{conv}/reopen"),
            none(),
            [L, NotFound, NotFound],
        ),
        (
            "GET",
            "/api/v1/openapi.json",
            p("/api/v1/openapi.json"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/me",
            p("/api/v1/me"),
            none(),
            [Unauth, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/abilities",
            p("/api/v1/orgs/fernhill/abilities"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/abilities/{item}",
            p("/api/v1/orgs/fernhill/abilities/mentoring"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/roles",
            p("/api/v1/orgs/fernhill/roles"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/positions",
            p("/api/v1/orgs/fernhill/positions"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/health",
            p("/api/v1/orgs/fernhill/health"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/observations",
            p("/api/v1/orgs/fernhill/observations"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/observations/{id}",
            format!("/api/v1/orgs/fernhill/observations/{obs}"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/people/{person}/journey",
            format!("/api/v1/orgs/fernhill/people/{mia}/journey"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/people/{person}/positions/{position}/eligibility",
            format!("/api/v1/orgs/fernhill/people/{mia}/positions/engineer-1/eligibility"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/{area}/{slug}/history",
            p("/api/v1/orgs/fernhill/abilities/mentoring/history"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/{area}/{slug}/history",
            p("/api/v1/orgs/fernhill/roles/mentor/history"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/{area}/{slug}/history",
            p("/api/v1/orgs/fernhill/positions/engineer-1/history"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/{area}/{slug}/conversations",
            p("/api/v1/orgs/fernhill/abilities/mentoring/conversations"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/{area}/{slug}/conversations",
            p("/api/v1/orgs/fernhill/roles/mentor/conversations"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/{area}/{slug}/conversations",
            p("/api/v1/orgs/fernhill/positions/engineer-1/conversations"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/framework",
            p("/api/v1/orgs/fernhill/framework"),
            none(),
            [Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/{org}/members",
            p("/api/v1/orgs/fernhill/members"),
            none(),
            [NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/api/v1/{*rest}",
            p("/api/v1/nothing/here"),
            none(),
            [NotFound, NotFound, NotFound],
        ),
        // Last: it ends each visitor's session.
        ("POST", "/logout", p("/logout"), none(), [R, R, R]),
    ];

    // Every declared route has a row, and every row a declared route.
    let declared = declared_routes();
    assert!(declared.len() > 80, "route list read: {}", declared.len());
    let covered: Vec<(String, String)> = rows
        .iter()
        .map(|(m, pattern, ..)| ((*m).to_owned(), (*pattern).to_owned()))
        .collect();
    let missing: Vec<_> = declared.iter().filter(|r| !covered.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the sweep: {missing:#?}"
    );
    let stale: Vec<_> = covered.iter().filter(|r| !declared.contains(r)).collect();
    assert!(
        stale.is_empty(),
        "rows for routes that do not exist: {stale:#?}"
    );

    let names = ["anonymous", "other organization", "member"];
    let mut mismatches = Vec::new();
    let mut requests = 0;
    for (method, _, path, form, expected) in &rows {
        for ((client, name), want) in clients.iter_mut().zip(names).zip(expected) {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = if *method == "GET" {
                client.get(path).await
            } else {
                client.post(path, &form).await
            };
            requests += 1;
            let location = page.location();
            assert!(
                location.is_empty()
                    || (location.starts_with('/')
                        && !location.starts_with("//")
                        && !location.contains('\\')
                        && !location.chars().any(char::is_control)),
                "{method} {path} as {name} leaves the site: {location:?}"
            );
            let got = classify(page.status, page.location());
            if got != *want {
                mismatches.push(format!(
                    "{method} {path} as {name}: expected {want:?}, got {} {}",
                    page.status,
                    page.location()
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    // Nothing the outsiders tried changed the organization.
    let after = app.org("fernhill").await;
    assert_eq!(after.org.name.as_str(), "Fernhill");
    println!(
        "route sweep: {} routes, {} requests as anonymous, another organization's owner and a member",
        declared.len(),
        requests
    );
}

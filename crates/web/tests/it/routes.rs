//! One route × visitor table: every route the router declares, for every
//! method, requested by each kind of visitor, against the answer the table
//! says. The route list comes from the router itself
//! (`cairn_web::declared_routes`), so a new route without a row fails here,
//! and so does a row for a route that no longer exists.
//!
//! Visitors act in turn, row by row and left to right, so a row's later
//! visitors see what its earlier ones did (an archived position is not
//! there to archive again); rows that destroy what later rows need come
//! last.

use axum::http::StatusCode;
use cairn_domain::ItemKind;
use cairn_domain::awards::AwardVisibility;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Level, Markdown, Name, OrgSlug, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::conversations;
use cairn_store::observations::{self, Draft};
use cairn_store::people::PersonId;
use cairn_store::{members, orgs};

use crate::support::{Client, Page, TestApp};

const VISITORS: [&str; 8] = [
    "anonymous",
    "other organization",
    "member",
    "manager",
    "editor",
    "people lead",
    "admin",
    "owner",
];

/// What a visitor gets: `L` a redirect to sign in, `R` any other redirect
/// (done), `B` a refusal of the input (4xx other than 401 and 404), `U` an
/// API 401, `N` not found.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Got {
    O,
    L,
    R,
    N,
    B,
    U,
}
use Got::*;

fn classify(page: &Page) -> Got {
    match page.status {
        StatusCode::OK => O,
        StatusCode::NOT_FOUND => N,
        StatusCode::UNAUTHORIZED => U,
        StatusCode::SEE_OTHER if page.location().starts_with("/login") => L,
        StatusCode::SEE_OTHER => R,
        s if s.is_client_error() => B,
        s => panic!("unexpected status {s}"),
    }
}

/// The visitors, in `VISITORS` order, and the people the rows act on.
struct Cast<'a> {
    clients: Vec<Client<'a>>,
    /// The plain member (visitor 2), subject of the "self" rows.
    mia: PersonId,
    /// Reports to the manager (visitor 3); not a visitor.
    eve: PersonId,
    owner: PersonId,
}

async fn cast(app: &TestApp) -> Cast<'_> {
    let olga = app.person("olga@other.example").await;
    orgs::create(
        &app.db.store,
        &OrgSlug::parse("acme").expect("slug"),
        &Name::parse("Acme", "n").expect("name"),
        &olga.id,
        1,
    )
    .await
    .expect("other org");
    let caps = |c: &[Capability]| Capabilities::of(c);
    let mia = app.join("fernhill", "mia", caps(&[])).await;
    let max = app.join("fernhill", "max", caps(&[])).await;
    let eddie = app
        .join("fernhill", "eddie", caps(&[Capability::FrameworkEditor]))
        .await;
    let lea = app
        .join("fernhill", "lea", caps(&[Capability::PeopleLead]))
        .await;
    let ada = app
        .join("fernhill", "ada", caps(&[Capability::Admin]))
        .await;
    let owen = app
        .join("fernhill", "owen", caps(&[Capability::Owner]))
        .await;
    let eve = app.join("fernhill", "eve", caps(&[])).await;
    let org = app.org("fernhill").await;
    members::set_manager(&app.db.store, &org.id, &eve.id, Some(&max.id))
        .await
        .expect("set")
        .expect("no loop");
    let mut clients = vec![
        app.anon(),
        app.signed_in(&olga).await,
        mia.client,
        max.client,
        eddie.client,
        lea.client,
        ada.client,
        owen.client,
    ];
    // Each visitor on their own machine, as people are: one visitor's
    // failed sign-ins do not throttle the next.
    for (i, client) in clients.iter_mut().enumerate() {
        client.ip = format!("192.0.2.{}", i + 1);
    }
    Cast {
        mia: mia.id,
        eve: eve.id,
        owner: owen.id,
        clients,
    }
}

/// (method, route pattern as declared, concrete path, form, answers in
/// `VISITORS` order).
type Row = (
    &'static str,
    &'static str,
    String,
    Vec<(&'static str, String)>,
    [Got; 8],
);

#[tokio::test]
async fn every_declared_route_answers_every_visitor_as_the_table_says() {
    let app = TestApp::with_demo().await;
    let store = &app.db.store;
    let org = app.org("fernhill").await;
    let Cast {
        mut clients,
        mia,
        eve,
        owner,
    } = cast(&app).await;

    // What the rows act on, all made by the owner: an observation of mia
    // every member may read, an award to her, a conversation, an invitation.
    let doc = cairn_domain::case::document_identifier(org.id.as_str());
    let case_id = |key: &str| cairn_domain::case::identifier(org.id.as_str(), key);
    let obs = observations::create(
        store,
        &org.id,
        &owner,
        &Draft {
            observees: vec![mia.clone()],
            story: Markdown::new("Mia ran the retro."),
            observed_on: 1,
            ratings: vec![(Slug::parse("mentoring").expect("slug"), Rating::Strong)],
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
    let conv = conversations::start(store, &org.id, &subject, &owner, "Why?", "Because.", 4)
        .await
        .expect("conversation");
    // A proposal whose edit no longer parses: accepting it is refused.
    let proposal = cairn_store::proposals::create(
        store,
        &org.id,
        &subject,
        &owner,
        "Proposal: x",
        "Why.",
        "[]",
        "[]",
        5,
    )
    .await
    .expect("proposal");
    awards::award(
        store,
        &org.id,
        &owner,
        &NewAward {
            recipient: mia.clone(),
            ability: Slug::parse("mentoring").expect("slug"),
            levels: vec![Level::ALL[0]],
            note: String::new(),
            visibility: AwardVisibility::Organization,
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
    // A credential of it, made directly (this server signs none).
    let credential = cairn_store::credentials::issue(store, &org.id, &award, &mia, 1, 6, |_| {
        Ok("e30.e30.sig".to_owned())
    })
    .await
    .expect("issue")
    .expect("a live award")
    .id;
    let invitation =
        members::create_invitation(store, &org.id, "hash", "note", &owner, 6, i64::MAX)
            .await
            .expect("invitation")
            .id;

    // A check-in of eve, who reports to the manager.
    let check_in = cairn_store::check_ins::open(
        store,
        &org.id,
        &eve,
        &Slug::parse("engineer-1").expect("slug"),
        false,
        &eve,
        7,
    )
    .await
    .expect("open")
    .expect("opened");
    // A genuine unsubscribe link of mia's, and one forged from it.
    let key = cairn_web::delivery::unsubscribe::key(store)
        .await
        .expect("key");
    let token =
        cairn_web::delivery::unsubscribe::token(&key, org.id.as_str(), mia.as_str(), "observed");
    let unsubscribe = format!("/settings/notifications/unsubscribe/{token}");
    let forged = unsubscribe.replace("observed", "awarded");
    let (mia, eve) = (mia.as_str().to_owned(), eve.as_str().to_owned());
    // The stylesheet's address is named by its content: take it from a page.
    let css = {
        let page = app.get("/").await;
        let html = page.html();
        let link = scraper::Selector::parse("link[rel=stylesheet]").expect("selector");
        html.select(&link)
            .next()
            .and_then(|e| e.value().attr("href"))
            .expect("a stylesheet link")
            .to_owned()
    };
    let f = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    let none = Vec::new;
    let p = |s: &str| s.to_owned();
    let settings = f(&[
        ("name", "Fernhill"),
        ("published", "on"),
        ("stale_days", "183"),
        ("critical_days", "365"),
        ("awards_by", "both"),
    ]);
    let miles = f(&[
        ("m1", "1"),
        ("m2", "3"),
        ("m3", "6"),
        ("m4", "12"),
        ("m5", "20"),
    ]);
    let talk = f(&[("title", "t"), ("body", "b")]);

    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        //                                                                                              anon other mem  mgr  edit lead adm  own
        ("GET",  "/assets/cairn.css", p("/assets/cairn.css"), none(),                                    [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/assets/favicon.svg", p("/assets/favicon.svg"), none(),                                [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/assets/{file}", css.clone(), none(),                                                  [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/assets/{file}", p("/assets/cairn.0123456789abcdef.css"), none(),                      [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/favicon.ico", p("/favicon.ico"), none(),                                              [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/", p("/"), none(),                                                                    [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/healthz", p("/healthz"), none(),                                                      [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/signup", p("/signup"), none(),                                                        [O,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/signup", p("/signup"), none(),                                                        [B,   B,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/login", p("/login"), none(),                                                          [O,   O,   O,   O,   O,   O,   O,   O]),
        // Failed sign-ins: five for one account, whoever tries, and the
        // rest are throttled (429, `throttle::PER_ACCOUNT`).
        // Hostile `next`s: tab, newline and backslash variants browsers
        // would turn into another host. Every Location is checked below.
        ("GET",  "/login", p("/login?next=%09/evil.example"), none(),                                    [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/signup", p("/signup?next=/%0A/evil.example"), none(),                                 [O,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/login", p("/login"),
            f(&[("email", "tab@example.com"), ("password", "wrong password"), ("next", "/\t/evil.example")]),
                                                                                                         [U,   U,   U,   U,   U,   B,   B,   B]),
        ("POST", "/login", p("/login"),
            f(&[("email", "slash@example.com"), ("password", "wrong password"), ("next", "/\\evil.example")]),
                                                                                                         [U,   U,   U,   U,   U,   B,   B,   B]),
        // A zero-width name, and NUL in text: refused before anything is written.
        ("POST", "/signup", p("/signup"),
            f(&[("name", "O\u{200B}wen"), ("email", "zw@example.com"), ("password", "a long password")]),
                                                                                                         [B,   B,   B,   B,   B,   B,   B,   B]),
        ("POST", "/login", p("/login"), none(),                                                          [U,   U,   U,   U,   U,   B,   B,   B]),
        ("GET",  "/settings/account", p("/settings/account"), none(),                                    [L,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/settings/password", p("/settings/password"), none(),                                  [L,   B,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/settings/sessions", p("/settings/sessions"), none(),                                  [L,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/settings/sessions/{id}/revoke", p("/settings/sessions/nope/revoke"), none(),          [L,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/settings/tokens", p("/settings/tokens"), none(),                                      [L,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/settings/tokens", p("/settings/tokens"), none(),                                      [L,   B,   B,   B,   B,   B,   B,   B]),
        ("POST", "/settings/tokens/{id}/revoke", p("/settings/tokens/nope/revoke"), none(),              [L,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/new", p("/new"), none(),                                                              [L,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/new", p("/new"), none(),                                                              [L,   B,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/invite/{token}", p("/invite/unknown"), none(),                                        [N,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/invite/{token}", p("/invite/unknown"), none(),                                        [N,   N,   N,   N,   N,   N,   N,   N]),

        // The organization and its people.
        ("GET",  "/{org}", p("/fernhill"), none(),                                                       [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/people", p("/fernhill/people"), none(),                                         [L,   N,   O,   O,   O,   O,   O,   O]),
        // People imports: admins; a form that is not an upload is refused.
        ("GET",  "/{org}/settings/people/import", p("/fernhill/settings/people/import"), none(),         [L,   N,   N,   N,   N,   N,   O,   O]),
        ("POST", "/{org}/settings/people/import", p("/fernhill/settings/people/import"), none(),         [L,   N,   N,   N,   N,   N,   B,   B]),
        // Teams: members read them; admins add and change them (the owner's
        // second "core" is taken).
        ("GET",  "/{org}/teams", p("/fernhill/teams"), none(),                                           [L,   N,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/teams", p("/fernhill/teams"), f(&[("name", "Core"), ("slug", "core")]),         [L,   N,   N,   N,   N,   N,   R,   B]),
        ("GET",  "/{org}/teams/{team}", p("/fernhill/teams/core"), none(),                               [L,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/teams/{team}", p("/fernhill/teams/nowhere"), none(),                            [L,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/{org}/teams/{team}", p("/fernhill/teams/core"), f(&[("name", "Core team")]),          [L,   N,   N,   N,   N,   N,   R,   R]),
        ("POST", "/{org}/teams/{team}", p("/fernhill/teams/core"), f(&[("name", "Core"), ("parent", "core")]),
                                                                                                         [L,   N,   N,   N,   N,   N,   B,   B]),
        ("GET",  "/{org}/health", p("/fernhill/health"), none(),                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        // Outsiders see a journey only as an opted-in public profile.
        ("GET",  "/{org}/people/{person}", format!("/fernhill/people/{mia}"), none(),                    [N,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/people/{person}", format!("/fernhill/people/{eve}"), none(),                    [N,   N,   O,   O,   O,   O,   O,   O]),
        // Progress is for the person, their managers and people leads.
        ("GET",  "/{org}/people/{person}/positions/{position}",
            format!("/fernhill/people/{mia}/positions/engineer-1"), none(),                              [L,   N,   O,   N,   N,   O,   N,   O]),
        ("GET",  "/{org}/people/{person}/positions/{position}",
            format!("/fernhill/people/{eve}/positions/engineer-1"), none(),                              [L,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/{org}/positions/{position}/candidates",
            p("/fernhill/positions/engineer-1/candidates"), none(),                                      [L,   N,   N,   N,   N,   O,   N,   O]),
        ("POST", "/{org}/people/{person}/awards", format!("/fernhill/people/{mia}/awards"), none(),      [L,   N,   N,   N,   N,   B,   N,   B]),
        ("POST", "/{org}/people/{person}/profile", format!("/fernhill/people/{mia}/profile"), none(),    [L,   N,   R,   N,   N,   N,   N,   N]),
        // People leads see everyone; a manager their reports.
        ("GET",  "/{org}/requirements", p("/fernhill/requirements"), none(),                             [L,   N,   N,   O,   N,   O,   N,   O]),
        // Insights: people leads (everyone), managers (their reports).
        ("GET",  "/{org}/insights", p("/fernhill/insights"), none(),                                     [L,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/{org}/insights", p("/fernhill/insights?days=nonsense&page=x"), none(),                [L,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/{org}/insights/insights.csv", p("/fernhill/insights/insights.csv"), none(),           [L,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/{org}/insights/insights.csv", p("/fernhill/insights/insights.csv?days=2"), none(),    [L,   N,   N,   B,   N,   B,   N,   B]),
        ("GET",  "/{org}/requirements", p("/fernhill/requirements?held=position:engineer-1&q=e&after=nobody"), none(),
                                                                                                         [L,   N,   N,   O,   N,   O,   N,   O]),
        // Opening the form's address lands on the member's page.
        ("GET",  "/{org}/people/{person}/jobs", format!("/fernhill/people/{eve}/jobs"), none(),          [R,   R,   R,   R,   R,   R,   R,   R]),
        // Positions and roles: admins and people leads (the same change again is no change).
        ("POST", "/{org}/people/{person}/jobs", format!("/fernhill/people/{eve}/jobs"),
            f(&[("position", "engineer-1"), ("role", "mentor"), ("since", "2020-01-06")]),              [L,   N,   N,   N,   N,   R,   R,   R]),
        ("POST", "/{org}/people/{person}/jobs", format!("/fernhill/people/{eve}/jobs"),
            f(&[("position", "engineer-1"), ("since", "not a date")]),                                  [L,   N,   N,   N,   N,   B,   B,   B]),

        // Observations (the one made above is read here; changed at the end).
        ("GET",  "/{org}/observations", p("/fernhill/observations"), none(),                             [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/observations/new", p("/fernhill/observations/new"), none(),                     [L,   N,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/observations/new", p("/fernhill/observations/new"), none(),                     [L,   N,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/{org}/observations/{id}", format!("/fernhill/observations/{obs}"), none(),            [N,   N,   O,   O,   O,   O,   O,   O]),

        // Settings and members.
        ("GET",  "/{org}/settings", p("/fernhill/settings"), none(),                                     [L,   N,   N,   N,   N,   N,   O,   O]),
        ("POST", "/{org}/settings", p("/fernhill/settings"), settings.clone(),                           [L,   N,   N,   N,   N,   N,   R,   R]),
        // Only a name: the admins are told what else the form needs.
        ("POST", "/{org}/settings", p("/fernhill/settings"), f(&[("name", "Taken Over")]),               [L,   N,   N,   N,   N,   N,   B,   B]),
        ("POST", "/{org}/settings/members/{person}", format!("/fernhill/settings/members/{mia}"),
            f(&[("manager", "")]),                                                                       [L,   N,   N,   N,   N,   N,   R,   R]),
        ("GET",  "/{org}/settings/audit", p("/fernhill/settings/audit"), none(),                         [L,   N,   N,   N,   N,   N,   O,   O]),
        ("GET",  "/{org}/settings/export", p("/fernhill/settings/export"), none(),                       [L,   N,   N,   N,   N,   N,   O,   O]),
        ("GET",  "/{org}/settings/invitations", p("/fernhill/settings/invitations"), none(),             [L,   N,   N,   N,   N,   N,   O,   O]),
        ("POST", "/{org}/settings/invitations", p("/fernhill/settings/invitations"), f(&[("note", "x")]),[L,   N,   N,   N,   N,   N,   O,   O]),
        // The admin revokes it; the owner finds nothing left to revoke.
        ("POST", "/{org}/settings/invitations/{id}/revoke",
            format!("/fernhill/settings/invitations/{invitation}/revoke"), none(),                       [L,   N,   N,   N,   N,   N,   R,   N]),

        // The framework's pages, their conversations and history.
        ("GET",  "/{org}/abilities/{ability}", p("/fernhill/abilities/mentoring"), none(),               [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/roles/{role}", p("/fernhill/roles/mentor"), none(),                             [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/positions/{position}", p("/fernhill/positions/engineer-1"), none(),             [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/positions/compare", p("/fernhill/positions/compare?a=engineer-1&b=engineer-2"), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/positions/compare", p("/fernhill/positions/compare?a=engineer-1&b=nope"), none(),
                                                                                                         [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/{org}/abilities/{ability}", p("/fernhill/abilities/mentoring?step=2"), none(),        [O,   O,   O,   O,   O,   O,   O,   O]),
        // The playground: whoever reads the framework; a member's own start.
        ("GET",  "/{org}/explore", p("/fernhill/explore?m=mentoring:2,nope:9"), none(),                  [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/explore", p("/fernhill/explore?l.mentoring=2"), none(),                         [R,   R,   R,   R,   R,   R,   R,   R]),
        ("GET",  "/{org}/explore.svg", p("/fernhill/explore.svg?m=mentoring:2"), none(),                 [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/explore/mine", p("/fernhill/explore/mine"), none(),                             [L,   N,   R,   R,   R,   R,   R,   R]),
        ("GET",  "/{org}/explore/ask", p("/fernhill/explore/ask?m=mentoring:2"), none(),                 [L,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/explore", p("/api/v1/orgs/fernhill/explore?m=mentoring:2"), none(), [O,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/{area}/{slug}/conversations", p("/fernhill/abilities/mentoring/conversations"), talk.clone(),
                                                                                                         [L,   N,   R,   R,   R,   R,   R,   R]),
        ("POST", "/{org}/{area}/{slug}/conversations", p("/fernhill/abilities/mentoring/conversations"),
            f(&[("title", "t"), ("body", "nul \u{0} here")]),                                            [B,   B,   B,   B,   B,   B,   B,   B]),
        ("POST", "/{org}/{area}/{slug}/conversations", p("/fernhill/roles/mentor/conversations"), talk.clone(),
                                                                                                         [L,   N,   R,   R,   R,   R,   R,   R]),
        ("POST", "/{org}/{area}/{slug}/conversations", p("/fernhill/positions/engineer-1/conversations"), talk.clone(),
                                                                                                         [L,   N,   R,   R,   R,   R,   R,   R]),
        ("POST", "/{org}/conversations/{id}/replies", format!("/fernhill/conversations/{conv}/replies"),
            f(&[("body", "b")]),                                                                         [L,   N,   R,   R,   R,   R,   R,   R]),
        ("POST", "/{org}/conversations/{id}/resolve", format!("/fernhill/conversations/{conv}/resolve"), none(),
                                                                                                         [L,   N,   N,   N,   R,   N,   N,   R]),
        ("POST", "/{org}/conversations/{id}/reopen", format!("/fernhill/conversations/{conv}/reopen"), none(),
                                                                                                         [L,   N,   N,   N,   R,   N,   N,   R]),
        // Proposals: any member proposes, reads and supports; editors decide
        // (here: no reason to decline, an edit that no longer parses).
        ("GET",  "/{org}/abilities/{ability}/propose", p("/fernhill/abilities/mentoring/propose"), none(), [L,   N,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/abilities/{ability}/propose", p("/fernhill/abilities/mentoring/propose"), none(), [L,   N,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/{org}/roles/{role}/propose", p("/fernhill/roles/mentor/propose"), none(),             [L,   N,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/roles/{role}/propose", p("/fernhill/roles/mentor/propose"), none(),             [L,   N,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/{org}/positions/{position}/propose", p("/fernhill/positions/engineer-1/propose"), none(), [L,   N,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/positions/{position}/propose", p("/fernhill/positions/engineer-1/propose"), none(), [L,   N,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/{org}/proposals/{id}", format!("/fernhill/proposals/{proposal}"), none(),            [L,   N,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/proposals/{id}/support", format!("/fernhill/proposals/{proposal}/support"),
            f(&[("support", "on")]),                                                                     [L,   N,   R,   R,   R,   R,   R,   R]),
        ("POST", "/{org}/proposals/{id}/accept", format!("/fernhill/proposals/{proposal}/accept"), none(),
                                                                                                         [L,   N,   N,   N,   B,   N,   N,   B]),
        ("POST", "/{org}/proposals/{id}/decline", format!("/fernhill/proposals/{proposal}/decline"),
            f(&[("reason", " ")]),                                                                       [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/{area}/{slug}/history", p("/fernhill/abilities/mentoring/history"), none(),     [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/{area}/{slug}/history", p("/fernhill/roles/mentor/history"), none(),            [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/{area}/{slug}/history", p("/fernhill/positions/engineer-1/history"), none(),    [O,   O,   O,   O,   O,   O,   O,   O]),

        // Editing the framework.
        ("GET",  "/{org}/settings/framework", p("/fernhill/settings/framework"), none(),                 [L,   N,   N,   N,   O,   N,   N,   O]),
        ("POST", "/{org}/settings/framework/miles", p("/fernhill/settings/framework/miles"), miles,      [L,   N,   N,   N,   R,   N,   N,   R]),
        // Importing and copying (tests/it/framework_import.rs); here, the
        // address opened leads to the hub, and a post without a file or a
        // choice is refused before anything is written.
        ("GET",  "/{org}/settings/framework/import", p("/fernhill/settings/framework/import"), none(),   [L,   N,   N,   N,   R,   N,   N,   R]),
        ("POST", "/{org}/settings/framework/import", p("/fernhill/settings/framework/import"), none(),   [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/settings/framework/adopt", p("/fernhill/settings/framework/adopt"), none(),     [L,   N,   N,   N,   R,   N,   N,   R]),
        ("POST", "/{org}/settings/framework/adopt", p("/fernhill/settings/framework/adopt"), f(&[("from", "fernhill")]),
                                                                                                         [L,   N,   N,   N,   B,   N,   N,   B]),
        // Forks (tests/it/forks.rs): anyone signed in may fork a published
        // framework whose licence allows it, into an empty organization of
        // theirs (here: into itself, refused); Fernhill is not a fork, so
        // it has no upstream page.
        ("GET",  "/{org}/fork", p("/fernhill/fork"), none(),                                             [L,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/fork", p("/fernhill/fork"), f(&[("into", "fernhill")]),                         [L,   B,   B,   B,   B,   B,   B,   B]),
        ("GET",  "/{org}/upstream", p("/fernhill/upstream"), none(),                                     [N,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/{org}/upstream/pull", p("/fernhill/upstream/pull"), f(&[("subject", "scale")]),      [L,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/{org}/settings/framework/abilities/new", p("/fernhill/settings/framework/abilities/new"), none(),
                                                                                                         [L,   N,   N,   N,   O,   N,   N,   O]),
        ("POST", "/{org}/settings/framework/abilities/new", p("/fernhill/settings/framework/abilities/new"), none(),
                                                                                                         [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/settings/framework/roles/new", p("/fernhill/settings/framework/roles/new"), none(),
                                                                                                         [L,   N,   N,   N,   O,   N,   N,   O]),
        ("POST", "/{org}/settings/framework/roles/new", p("/fernhill/settings/framework/roles/new"), none(),
                                                                                                         [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/settings/framework/positions/new", p("/fernhill/settings/framework/positions/new"), none(),
                                                                                                         [L,   N,   N,   N,   O,   N,   N,   O]),
        ("POST", "/{org}/settings/framework/positions/new", p("/fernhill/settings/framework/positions/new"), none(),
                                                                                                         [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/abilities/{ability}/edit", p("/fernhill/abilities/mentoring/edit"), none(),     [L,   N,   N,   N,   O,   N,   N,   O]),
        ("POST", "/{org}/abilities/{ability}/edit", p("/fernhill/abilities/mentoring/edit"), none(),     [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/roles/{role}/edit", p("/fernhill/roles/mentor/edit"), none(),                   [L,   N,   N,   N,   O,   N,   N,   O]),
        ("POST", "/{org}/roles/{role}/edit", p("/fernhill/roles/mentor/edit"), none(),                   [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/positions/{position}/edit", p("/fernhill/positions/engineer-1/edit"), none(),   [L,   N,   N,   N,   O,   N,   N,   O]),
        ("POST", "/{org}/positions/{position}/edit", p("/fernhill/positions/engineer-1/edit"), none(),   [L,   N,   N,   N,   B,   N,   N,   B]),
        // Mentoring and the mentor role are required by positions, so editors
        // are told they cannot be archived, and there is nothing to restore.
        // The editor archives a position (the owner then finds nothing to
        // archive), and restores it (nothing left for the owner to restore).
        ("POST", "/{org}/{area}/{slug}/archive", p("/fernhill/abilities/mentoring/archive"), none(),     [L,   N,   N,   N,   B,   N,   N,   B]),
        ("POST", "/{org}/{area}/{slug}/archive", p("/fernhill/roles/mentor/archive"), none(),            [L,   N,   N,   N,   B,   N,   N,   B]),
        ("POST", "/{org}/{area}/{slug}/archive", p("/fernhill/positions/engineer-1/archive"), none(),    [L,   N,   N,   N,   R,   N,   N,   N]),
        ("POST", "/{org}/{area}/{slug}/restore", p("/fernhill/abilities/mentoring/restore"), none(),     [L,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/{org}/{area}/{slug}/restore", p("/fernhill/roles/mentor/restore"), none(),            [L,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/{org}/{area}/{slug}/restore", p("/fernhill/positions/engineer-1/restore"), none(),    [L,   N,   N,   N,   R,   N,   N,   N]),

        // The API.
        ("GET",  "/api/v1/openapi.json", p("/api/v1/openapi.json"), none(),                              [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/me", p("/api/v1/me"), none(),                                                  [U,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/framework", p("/api/v1/orgs/fernhill/framework"), none(),           [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/abilities", p("/api/v1/orgs/fernhill/abilities"), none(),           [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/abilities/{item}", p("/api/v1/orgs/fernhill/abilities/mentoring"), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/roles", p("/api/v1/orgs/fernhill/roles"), none(),                   [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/positions", p("/api/v1/orgs/fernhill/positions"), none(),           [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/health", p("/api/v1/orgs/fernhill/health"), none(),                 [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/members", p("/api/v1/orgs/fernhill/members"), none(),               [N,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/observations", p("/api/v1/orgs/fernhill/observations"), none(),     [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/observations/{id}", format!("/api/v1/orgs/fernhill/observations/{obs}"), none(),
                                                                                                         [N,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/people/{person}", format!("/api/v1/orgs/fernhill/people/{eve}"), none(),
                                                                                                         [N,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/people/{person}", p("/api/v1/orgs/fernhill/people/nobody"), none(),
                                                                                                         [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/api/v1/orgs/{org}/requirements", p("/api/v1/orgs/fernhill/requirements"), none(),     [N,   N,   N,   N,   N,   O,   N,   O]),
        ("GET",  "/api/v1/orgs/{org}/insights", p("/api/v1/orgs/fernhill/insights"), none(),             [N,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/api/v1/orgs/{org}/insights", p("/api/v1/orgs/fernhill/insights?days=5000"), none(),   [N,   N,   N,   B,   N,   B,   N,   B]),
        // Eve's check-ins: her manager and people leads (the owner is one).
        ("GET",  "/api/v1/orgs/{org}/people/{person}/check-ins", format!("/api/v1/orgs/fernhill/people/{eve}/check-ins"), none(),
                                                                                                         [N,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/api/v1/orgs/{org}/check-ins/{id}", format!("/api/v1/orgs/fernhill/check-ins/{check_in}"), none(),
                                                                                                         [N,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/api/v1/orgs/{org}/check-ins/{id}", p("/api/v1/orgs/fernhill/check-ins/nothing"), none(),
                                                                                                         [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/api/v1/orgs/{org}/people/{person}/journey", format!("/api/v1/orgs/fernhill/people/{mia}/journey"), none(),
                                                                                                         [N,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/people/{person}/positions/{position}/eligibility",
            format!("/api/v1/orgs/fernhill/people/{eve}/positions/engineer-1/eligibility"), none(),      [N,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/api/v1/orgs/{org}/people/{person}/positions/{position}/eligibility",
            format!("/api/v1/orgs/fernhill/people/{mia}/positions/engineer-1/eligibility"), none(),      [N,   N,   O,   N,   N,   O,   N,   O]),
        ("GET",  "/api/v1/orgs/{org}/{area}/{slug}/history", p("/api/v1/orgs/fernhill/abilities/mentoring/history"), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/{area}/{slug}/history", p("/api/v1/orgs/fernhill/roles/mentor/history"), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/{area}/{slug}/history", p("/api/v1/orgs/fernhill/positions/engineer-1/history"), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/{area}/{slug}/conversations", p("/api/v1/orgs/fernhill/abilities/mentoring/conversations"), none(),
                                                                                                         [N,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/{area}/{slug}/conversations", p("/api/v1/orgs/fernhill/roles/mentor/conversations"), none(),
                                                                                                         [N,   N,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/{area}/{slug}/conversations", p("/api/v1/orgs/fernhill/positions/engineer-1/conversations"), none(),
                                                                                                         [N,   N,   O,   O,   O,   O,   O,   O]),
        // CASE 1.1: readable exactly when the framework is (fernhill is
        // published); an identifier of no organization is not there.
        ("GET",  "/ims/case/v1p1/CFDocuments", p("/ims/case/v1p1/CFDocuments"), none(),                 [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/ims/case/v1p1/CFDocuments/{id}", format!("/ims/case/v1p1/CFDocuments/{doc}"), none(), [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/ims/case/v1p1/CFPackages/{id}", format!("/ims/case/v1p1/CFPackages/{doc}"), none(),   [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/ims/case/v1p1/CFPackages/{id}", p("/ims/case/v1p1/CFPackages/00000000-0000-7000-8000-000000000000"), none(),
                                                                                                         [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/ims/case/v1p1/CFItems/{id}", format!("/ims/case/v1p1/CFItems/{}", case_id("ability/mentoring")), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/ims/case/v1p1/CFAssociations/{id}", format!("/ims/case/v1p1/CFAssociations/{}", case_id("association/child/ability/mentoring")), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/ims/case/v1p1/CFRubrics/{id}", format!("/ims/case/v1p1/CFRubrics/{}", case_id("rubric/mentoring")), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/ims/case/v1p1/CFItemTypes/{id}", format!("/ims/case/v1p1/CFItemTypes/{}", case_id("type/Ability")), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/{*rest}", p("/api/v1/nothing/here"), none(),                                   [N,   N,   N,   N,   N,   N,   N,   N]),

        // The framework in OurGruuv's CSVs: whoever may read it (fernhill is
        // published); another file name is not there.
        ("GET",  "/{org}/settings/export/{file}", p("/fernhill/settings/export/abilities.csv"), none(),  [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/settings/export/{file}", p("/fernhill/settings/export/assignments.csv"), none(),[O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/settings/export/{file}", p("/fernhill/settings/export/positions.csv"), none(),  [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/settings/export/{file}", p("/fernhill/settings/export/people.csv"), none(),     [N,   N,   N,   N,   N,   N,   N,   N]),
        // Open Badges: only the recipient is offered a credential of her
        // award (this server has no credential_key, so making one is
        // refused); a credential made, its issuer, keys and downloads are
        // anyone's to verify; the status list needs a signing key.
        // (She made one already: it is where the offer leads.)
        ("GET",  "/{org}/awards/{id}/credential", format!("/fernhill/awards/{award}/credential"), none(),
                                                                                                         [L,   N,   R,   N,   N,   N,   N,   N]),
        ("POST", "/{org}/awards/{id}/credential", format!("/fernhill/awards/{award}/credential"), none(),
                                                                                                         [L,   N,   B,   N,   N,   N,   N,   N]),
        ("GET",  "/{org}/credentials/{id}", format!("/fernhill/credentials/{credential}"), none(),       [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/credentials/{id}", p("/fernhill/credentials/nothing"), none(),                  [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/{org}/credentials/{id}/credential.jwt", format!("/fernhill/credentials/{credential}/credential.jwt"), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/credentials/{id}/credential.json", format!("/fernhill/credentials/{credential}/credential.json"), none(),
                                                                                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/credentials/status", p("/fernhill/credentials/status"), none(),                 [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/{org}/issuer", p("/fernhill/issuer"), none(),                                         [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/issuer/jwks.json", p("/fernhill/issuer/jwks.json"), none(),                     [O,   O,   O,   O,   O,   O,   O,   O]),
        // Last for the award and the observation: they are changed or gone.
        // An award is revoked by people leads; then there is none to revoke.
        ("POST", "/{org}/awards/{id}/revoke", format!("/fernhill/awards/{award}/revoke"), none(),        [L,   N,   N,   N,   N,   R,   N,   N]),
        // An observation one may not change is not there, signed in or not;
        // publishing is for drafts, so even its author finds none here.
        ("POST", "/{org}/observations/{id}/publish", format!("/fernhill/observations/{obs}/publish"),
            f(&[("privacy", "public")]),                                                                 [N,   N,   N,   N,   N,   N,   N,   N]),
        // Check-ins (tests/it/check_ins.rs walks the flow): the due list
        // for members; opening one for mia, by herself, then (one open
        // per member) refused to people leads (the owner is one); eve's,
        // read by her manager and people leads, its manager side written by her
        // manager, finalizing refused until both sides are done, and
        // acknowledging hers alone.
        ("GET",  "/{org}/check-ins", p("/fernhill/check-ins"), none(),                                  [L,   N,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/people/{person}/check-ins", format!("/fernhill/people/{mia}/check-ins"),
            f(&[("position", "engineer-1")]),                                                            [L,   N,   R,   N,   N,   B,   N,   B]),
        ("GET",  "/{org}/check-ins/export", p("/fernhill/check-ins/export"), none(),                     [L,   N,   N,   N,   N,   O,   N,   O]),
        ("GET",  "/{org}/check-ins/{id}/csv", format!("/fernhill/check-ins/{check_in}/csv"), none(),    [L,   N,   N,   O,   N,   O,   N,   O]),
        ("GET",  "/{org}/check-ins/{id}", format!("/fernhill/check-ins/{check_in}"), none(),            [L,   N,   N,   O,   N,   O,   N,   O]),
        ("POST", "/{org}/check-ins/{id}/side", format!("/fernhill/check-ins/{check_in}/side"),
            f(&[("action", "draft")]),                                                                   [L,   N,   N,   R,   N,   N,   N,   N]),
        ("POST", "/{org}/check-ins/{id}/finalize", format!("/fernhill/check-ins/{check_in}/finalize"),
            f(&[("overall", "accomplished")]),                                                           [L,   N,   N,   B,   N,   B,   N,   B]),
        ("POST", "/{org}/check-ins/{id}/acknowledge", format!("/fernhill/check-ins/{check_in}/acknowledge"),
            none(),                                                                                      [L,   N,   N,   N,   N,   N,   N,   N]),
        // Only its observer edits it; to everyone else it is not there.
        ("GET",  "/{org}/observations/{id}/edit", format!("/fernhill/observations/{obs}/edit"), none(),  [N,   N,   N,   N,   N,   N,   N,   O]),
        ("POST", "/{org}/observations/{id}/edit", format!("/fernhill/observations/{obs}/edit"),
            f(&[("story", "Mia ran the retro, and wrote it up."), ("action", "draft")]),                 [N,   N,   N,   N,   N,   N,   N,   R]),
        // The observee narrows it: from then on only they and the author see it.
        ("POST", "/{org}/observations/{id}/privacy", format!("/fernhill/observations/{obs}/privacy"),
            f(&[("privacy", "observees")]),                                                              [N,   N,   R,   N,   N,   N,   N,   R]),
        ("POST", "/{org}/observations/{id}/delete", format!("/fernhill/observations/{obs}/delete"), none(),
                                                                                                         [N,   N,   N,   N,   N,   N,   N,   R]),
        // The inbox: everyone signed in has one; an id not theirs is not there.
        ("GET",  "/notifications", p("/notifications"), none(),                                          [L,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/notifications/{id}/open", p("/notifications/nothing/open"), none(),                   [L,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/notifications/read", p("/notifications/read"), none(),                                [L,   R,   R,   R,   R,   R,   R,   R]),
        // Forgot password: the same answer for everyone; this instance sends
        // no email, and says so. An unknown link is "expired or used".
        ("GET",  "/forgot-password", p("/forgot-password"), none(),                                      [O,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/forgot-password", p("/forgot-password"), f(&[("email", "nobody@example.com")]),       [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/forgot-password/{token}", p("/forgot-password/unknown"), none(),                      [O,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/forgot-password/{token}", p("/forgot-password/unknown"),
            f(&[("password", "a long new password")]),                                                   [B,   B,   B,   B,   B,   B,   B,   B]),
        // Single sign-on: no provider configured here, so every provider
        // address is unknown; linking and unlinking need a session.
        ("GET",  "/auth/oidc/{id}", p("/auth/oidc/nobody?next=/"), none(),                                      [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/auth/oidc/{id}/callback", p("/auth/oidc/nobody/callback?code=x&state=y"), none(),     [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/auth/link/{token}", p("/auth/link/unknown"), none(),                                  [N,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/auth/link/{token}", p("/auth/link/unknown"), f(&[("password", "a long password")]),   [N,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/settings/account/identities/remove", p("/settings/account/identities/remove"),
            f(&[("issuer", "https://id.example"), ("subject", "x")]),                                     [L,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/settings/account/identities/{id}", p("/settings/account/identities/nobody"), none(),  [L,   N,   N,   N,   N,   N,   N,   N]),
        // Versions: everyone reads a published framework's; editors publish
        // (here from a form of another framework version: refused).
        ("GET",  "/{org}/changes", p("/fernhill/changes"), none(),                                       [O,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/{org}/changes", p("/fernhill/changes"),
            f(&[("notes", "v1"), ("after", "0"), ("read_at", "-5")]),                                     [L,   N,   N,   N,   B,   N,   N,   B]),
        ("GET",  "/{org}/changes.atom", p("/fernhill/changes.atom"), none(),                             [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/{org}/changes/{range}", p("/fernhill/changes/1...2"), none(),                         [N,   N,   N,   N,   N,   N,   N,   N]),
        // Discarding a draft (editors; here a revision nobody has: refused),
        // and how changes reach readers (admins; here a mode that is none).
        ("POST", "/{org}/changes/discard", p("/fernhill/changes/discard"), f(&[("revision", "999")]),  [L,   N,   N,   N,   B,   N,   N,   B]),
        ("POST", "/{org}/settings/publishing", p("/fernhill/settings/publishing"),
            f(&[("publishing", "sometimes")]),                                                            [L,   N,   N,   N,   N,   N,   B,   B]),
        ("GET",  "/api/v1/orgs/{org}/versions", p("/api/v1/orgs/fernhill/versions"), none(),             [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/versions/{number}", p("/api/v1/orgs/fernhill/versions/99"), none(), [N,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/api/v1/orgs/{org}/lineage", p("/api/v1/orgs/fernhill/lineage"), none(),                [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/api/v1/orgs/{org}/changes/{from}/{to}", p("/api/v1/orgs/fernhill/changes/1/99"), none(),
                                                                                                          [N,   N,   N,   N,   N,   N,   N,   N]),
        // Domains: admins see them and decide requests; owners choose.
        ("GET",  "/{org}/settings/domains", p("/fernhill/settings/domains"), none(),                     [L,   N,   N,   N,   N,   N,   O,   O]),
        ("POST", "/{org}/settings/domains", p("/fernhill/settings/domains"),
            f(&[("domain", "acme.com"), ("provider", "nobody")]),                                         [L,   N,   N,   N,   N,   N,   N,   B]),
        ("POST", "/{org}/settings/domains/remove", p("/fernhill/settings/domains/remove"),
            f(&[("domain", "acme.com")]),                                                                 [L,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/{org}/settings/domains/join", p("/fernhill/settings/domains/join"),
            f(&[("join", "member")]),                                                                     [L,   N,   N,   N,   N,   N,   N,   R]),
        ("POST", "/{org}/settings/domains/requests/{person}", format!("/fernhill/settings/domains/requests/{mia}"),
            f(&[("decision", "approve")]),                                                                [L,   N,   N,   N,   N,   N,   N,   N]),
        // Preferences: your own, in your own organizations.
        ("GET",  "/settings/notifications", p("/settings/notifications"), none(),                        [L,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/settings/notifications", p("/settings/notifications"),
            f(&[("org", "fernhill"), ("observed", "inbox"), ("digest", "on")]),                          [L,   N,   R,   R,   R,   R,   R,   R]),
        // Unsubscribe links work without signing in, only when genuine.
        ("GET",  "/settings/notifications/unsubscribe/{token}", unsubscribe.clone(), none(),             [O,   O,   O,   O,   O,   O,   O,   O]),
        ("POST", "/settings/notifications/unsubscribe/{token}", unsubscribe.clone(), none(),             [O,   O,   O,   O,   O,   O,   O,   O]),
        ("GET",  "/settings/notifications/unsubscribe/{token}", forged.clone(), none(),                  [N,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/settings/notifications/unsubscribe/{token}", forged.clone(), none(),                  [N,   N,   N,   N,   N,   N,   N,   N]),
        // Deliveries and webhooks: admins.
        ("GET",  "/{org}/settings/deliveries", p("/fernhill/settings/deliveries"), none(),               [L,   N,   N,   N,   N,   N,   O,   O]),
        ("POST", "/{org}/settings/deliveries/{id}/retry", p("/fernhill/settings/deliveries/nope/retry"), none(),
                                                                                                         [L,   N,   N,   N,   N,   N,   N,   N]),
        ("GET",  "/{org}/settings/webhooks", p("/fernhill/settings/webhooks"), none(),                   [L,   N,   N,   N,   N,   N,   O,   O]),
        ("POST", "/{org}/settings/webhooks", p("/fernhill/settings/webhooks"),
            f(&[("url", "https://127.0.0.1/hook"), ("kind", "observed")]),                               [L,   N,   N,   N,   N,   N,   B,   B]),
        ("POST", "/{org}/settings/webhooks", p("/fernhill/settings/webhooks"),
            f(&[("url", "https://hooks.example.com/x"), ("kind", "observed")]),                          [L,   N,   N,   N,   N,   N,   O,   O]),
        ("POST", "/{org}/settings/webhooks/{id}/remove", p("/fernhill/settings/webhooks/nope/remove"), none(),
                                                                                                         [L,   N,   N,   N,   N,   N,   N,   N]),
        // Last: it ends each visitor's session.
        ("POST", "/logout", p("/logout"), none(),                                                        [R,   R,   R,   R,   R,   R,   R,   R]),
        // Only an instance started with --demo has it (tests/it/home.rs).
        ("GET",  "/demo", p("/demo"), none(),                                                            [N,   N,   N,   N,   N,   N,   N,   N]),
        ("POST", "/demo", p("/demo"), none(),                                                            [N,   N,   N,   N,   N,   N,   N,   N]),
    ];

    // Every declared route has a row, and every row a declared route.
    let declared: Vec<(String, String)> = cairn_web::declared_routes()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    assert!(declared.len() > 80, "route list read: {}", declared.len());
    let covered: Vec<(String, String)> = rows
        .iter()
        .map(|(m, pattern, ..)| ((*m).to_owned(), (*pattern).to_owned()))
        .collect();
    let missing: Vec<_> = declared.iter().filter(|r| !covered.contains(r)).collect();
    assert!(missing.is_empty(), "routes without a row: {missing:#?}");
    let stale: Vec<_> = covered.iter().filter(|r| !declared.contains(r)).collect();
    assert!(
        stale.is_empty(),
        "rows for routes that do not exist: {stale:#?}"
    );

    let mut mismatches = Vec::new();
    let mut requests = 0;
    for (method, _, path, form, expected) in &rows {
        for ((client, name), want) in clients.iter_mut().zip(VISITORS).zip(expected) {
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
            let got = classify(&page);
            if got != *want {
                mismatches.push(format!(
                    "{method} {path} as {name}: expected {want:?}, got {} {}",
                    page.status, location
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    // Nothing anyone tried renamed the organization.
    assert_eq!(app.org("fernhill").await.org.name.as_str(), "Fernhill");
    println!(
        "route table: {} routes, {} rows, {requests} requests as {} visitor kinds",
        declared.len(),
        rows.len(),
        VISITORS.len()
    );
}

#[tokio::test]
async fn each_visitor_sees_only_the_controls_they_may_use() {
    let app = TestApp::with_demo().await;
    let mut clients = cast(&app).await.clients;
    let nav = |page: &Page| {
        page.links("header.site nav a")
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
    };
    let expected: [&[&str]; 8] = [
        &["cairn", "Fernhill", "Sign in", "Sign up"],
        &["cairn", "Fernhill", "Notifications", "olga"],
        &[
            "cairn",
            "Fernhill",
            "My journey",
            "People",
            "Observations",
            "Check-ins",
            "Notifications",
            "mia",
        ],
        &[
            "cairn",
            "Fernhill",
            "My journey",
            "People",
            "Observations",
            "Check-ins",
            "Notifications",
            "max",
        ],
        &[
            "cairn",
            "Fernhill",
            "My journey",
            "People",
            "Observations",
            "Check-ins",
            "Framework",
            "Notifications",
            "eddie",
        ],
        &[
            "cairn",
            "Fernhill",
            "My journey",
            "People",
            "Observations",
            "Check-ins",
            "Requirements",
            "Notifications",
            "lea",
        ],
        &[
            "cairn",
            "Fernhill",
            "My journey",
            "People",
            "Observations",
            "Check-ins",
            "Settings",
            "Notifications",
            "ada",
        ],
        &[
            "cairn",
            "Fernhill",
            "My journey",
            "People",
            "Observations",
            "Check-ins",
            "Requirements",
            "Framework",
            "Settings",
            "Notifications",
            "owen",
        ],
    ];
    for ((client, name), want) in clients.iter_mut().zip(VISITORS).zip(expected) {
        assert_eq!(nav(&client.get("/fernhill").await), want, "{name}");
    }
}

#[tokio::test]
async fn an_unpublished_framework_is_for_its_members_only() {
    let app = TestApp::with_demo().await;
    let mut clients = cast(&app).await.clients;
    let org = app.org("fernhill").await;
    orgs::set_published(&app.db.store, &org.id, false, 2)
        .await
        .expect("unpublish");
    let expected = [N, N, O, O, O, O, O, O];
    for path in [
        "/fernhill",
        "/fernhill/abilities/code-quality",
        "/api/v1/orgs/fernhill/framework",
        "/fernhill/people",
    ] {
        for ((client, name), want) in clients.iter_mut().zip(VISITORS).zip(expected) {
            let page = client.get(path).await;
            assert_eq!(classify(&page), want, "{path} as {name}");
        }
    }
}

#[tokio::test]
async fn another_organizations_member_is_not_found_through_ours() {
    let app = TestApp::with_demo().await;
    let Cast {
        mut clients, mia, ..
    } = cast(&app).await;
    let fernhill = app.org("fernhill").await;
    // Acme's owner tries to change a Fernhill member through Acme's URL.
    let olga = &mut clients[1];
    let page = olga
        .post(
            &format!("/acme/settings/members/{}", mia.as_str()),
            &[("cap_admin", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let caps = members::membership(&app.db.store, &fernhill.id, &mia)
        .await
        .expect("read")
        .expect("member")
        .0;
    assert_eq!(caps, Capabilities::NONE, "nothing changed");
}

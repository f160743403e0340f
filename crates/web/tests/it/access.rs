//! Every page and API route × every visitor kind, against an explicit table.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::{Name, OrgSlug};
use cairn_store::orgs;

use crate::support::{Client, TestApp};

const VISITORS: [&str; 8] = [
    "anonymous",
    "other org",
    "member",
    "manager",
    "editor",
    "people lead",
    "admin",
    "owner",
];

/// Expected answer per visitor, in VISITORS order. `L` is a redirect to
/// sign in, `R` a redirect after success.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Ok,
    L,
    R,
    NotFound,
}
use Expect::*;

async fn visitors(app: &TestApp) -> Vec<Client<'_>> {
    let outsider = app.person("olga@other.example").await;
    orgs::create(
        &app.db.store,
        &OrgSlug::parse("acme").expect("slug"),
        &Name::parse("Acme", "n").expect("name"),
        &outsider.id,
        1,
    )
    .await
    .expect("other org");
    let outsider = app.signed_in(&outsider).await;
    let caps = |c: &[Capability]| Capabilities::of(c);
    vec![
        app.anon(),
        outsider,
        app.member("fernhill", "mia@example.com", caps(&[])).await,
        // Manages eve (made below), a plain member like mia.
        app.member("fernhill", "max@example.com", caps(&[])).await,
        app.member(
            "fernhill",
            "eddie@example.com",
            caps(&[Capability::FrameworkEditor]),
        )
        .await,
        app.member(
            "fernhill",
            "lea@example.com",
            caps(&[Capability::PeopleLead]),
        )
        .await,
        app.member("fernhill", "ada@example.com", caps(&[Capability::Admin]))
            .await,
        app.member("fernhill", "owen@example.com", caps(&[Capability::Owner]))
            .await,
    ]
}

fn classify(status: StatusCode, location: &str) -> Option<Expect> {
    match status {
        StatusCode::OK => Some(Ok),
        StatusCode::NOT_FOUND => Some(NotFound),
        StatusCode::SEE_OTHER if location.starts_with("/login") => Some(L),
        StatusCode::SEE_OTHER => Some(R),
        _ => None,
    }
}

#[tokio::test]
async fn every_route_answers_each_visitor_kind_as_the_table_says() {
    let app = TestApp::with_demo().await;
    let mut clients = visitors(&app).await;
    let org = app.org("fernhill").await;
    let target = cairn_store::members::list(&app.db.store, &org.id)
        .await
        .expect("members")
        .into_iter()
        .find(|m| m.person.email.as_str() == "mia@example.com")
        .expect("mia")
        .person
        .id;
    let member_path = format!("/fernhill/settings/members/{}", target.as_str());
    // Eve reports to max: her progress is for her, max, people leads (and owners).
    let eve = app.person("eve@example.com").await;
    cairn_store::members::add(&app.db.store, &org.id, &eve.id, Capabilities::NONE, 1)
        .await
        .expect("eve");
    let max = cairn_store::people::by_email(
        &app.db.store,
        &cairn_domain::people::Email::parse("max@example.com").expect("email"),
    )
    .await
    .expect("read")
    .expect("max")
    .0;
    cairn_store::members::set_manager(&app.db.store, &org.id, &eve.id, Some(&max.id))
        .await
        .expect("set")
        .expect("no loop");
    let eve_journey = format!("/fernhill/people/{}", eve.id.as_str());
    let eve_eligibility = format!("/fernhill/people/{}/positions/engineer-1", eve.id.as_str());

    type Row<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], [Expect; 8]);
    let rows: Vec<Row> = vec![
        ("GET", "/", &[], [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        (
            "GET",
            &eve_journey,
            &[],
            // Anonymous visitors see a public profile or nothing.
            [NotFound, NotFound, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            &eve_eligibility,
            &[],
            [L, NotFound, NotFound, Ok, NotFound, Ok, NotFound, Ok],
        ),
        ("GET", "/fernhill", &[], [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        (
            "GET",
            "/fernhill/abilities/code-quality",
            &[],
            [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/fernhill/roles/mentor",
            &[],
            [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/fernhill/positions/engineer-1",
            &[],
            [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/fernhill/people",
            &[],
            [L, NotFound, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/fernhill/settings",
            &[],
            [L, NotFound, NotFound, NotFound, NotFound, NotFound, Ok, Ok],
        ),
        (
            "POST",
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("published", "on"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
            ],
            [L, NotFound, NotFound, NotFound, NotFound, NotFound, R, R],
        ),
        (
            "GET",
            "/fernhill/settings/invitations",
            &[],
            [L, NotFound, NotFound, NotFound, NotFound, NotFound, Ok, Ok],
        ),
        (
            "POST",
            "/fernhill/settings/invitations",
            &[("note", "x")],
            [L, NotFound, NotFound, NotFound, NotFound, NotFound, Ok, Ok],
        ),
        (
            "POST",
            &member_path,
            &[("manager", "")],
            [L, NotFound, NotFound, NotFound, NotFound, NotFound, R, R],
        ),
        (
            "GET",
            "/fernhill/settings/framework",
            &[],
            [L, NotFound, NotFound, NotFound, Ok, NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/fernhill/settings/framework/abilities/new",
            &[],
            [L, NotFound, NotFound, NotFound, Ok, NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/fernhill/abilities/mentoring/edit",
            &[],
            [L, NotFound, NotFound, NotFound, Ok, NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/fernhill/roles/mentor/edit",
            &[],
            [L, NotFound, NotFound, NotFound, Ok, NotFound, NotFound, Ok],
        ),
        (
            "GET",
            "/fernhill/positions/engineer-1/edit",
            &[],
            [L, NotFound, NotFound, NotFound, Ok, NotFound, NotFound, Ok],
        ),
        (
            "POST",
            "/fernhill/settings/framework/miles",
            &[
                ("m1", "1"),
                ("m2", "3"),
                ("m3", "6"),
                ("m4", "12"),
                ("m5", "20"),
            ],
            [L, NotFound, NotFound, NotFound, R, NotFound, NotFound, R],
        ),
        // Visitors act in turn: the editor archives (the owner then finds
        // nothing to archive), and the editor restores it again.
        (
            "POST",
            "/fernhill/positions/engineer-1/archive",
            &[],
            [
                L, NotFound, NotFound, NotFound, R, NotFound, NotFound, NotFound,
            ],
        ),
        (
            "POST",
            "/fernhill/positions/engineer-1/restore",
            &[],
            [
                L, NotFound, NotFound, NotFound, R, NotFound, NotFound, NotFound,
            ],
        ),
        (
            "GET",
            "/fernhill/abilities/mentoring/history",
            &[],
            [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "POST",
            "/fernhill/abilities/mentoring/conversations",
            &[("title", "t"), ("body", "b")],
            [L, NotFound, R, R, R, R, R, R],
        ),
        (
            "GET",
            "/api/v1/orgs/fernhill/framework",
            &[],
            [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/api/v1/orgs/fernhill/members",
            &[],
            [NotFound, NotFound, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/fernhill/observations",
            &[],
            [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/fernhill/observations/new",
            &[],
            [L, NotFound, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/settings/account",
            &[],
            [L, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/settings/sessions",
            &[],
            [L, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        (
            "GET",
            "/settings/tokens",
            &[],
            [L, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        ),
        ("GET", "/new", &[], [L, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/signup", &[], [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/login", &[], [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/healthz", &[], [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
    ];
    let mut mismatches = Vec::new();
    for (method, path, form, expected) in &rows {
        for ((client, name), want) in clients.iter_mut().zip(VISITORS).zip(expected) {
            let page = if *method == "GET" {
                client.get(path).await
            } else {
                client.post(path, form).await
            };
            let got = classify(page.status, page.location());
            if got != Some(*want) {
                mismatches.push(format!(
                    "{method} {path} as {name}: expected {want:?}, got {} {}",
                    page.status,
                    page.location()
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");

    // The organization's pages only show controls a visitor may use.
    let nav = |page: &crate::support::Page| {
        page.links("header.site nav a")
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
    };
    let expected_nav: [&[&str]; 8] = [
        &["cairn", "Fernhill", "Sign in", "Sign up"],
        &["cairn", "Fernhill", "olga"],
        &["cairn", "Fernhill", "People", "Observations", "mia"],
        &["cairn", "Fernhill", "People", "Observations", "max"],
        &[
            "cairn",
            "Fernhill",
            "People",
            "Observations",
            "Framework",
            "eddie",
        ],
        &["cairn", "Fernhill", "People", "Observations", "lea"],
        &[
            "cairn",
            "Fernhill",
            "People",
            "Observations",
            "Settings",
            "ada",
        ],
        &[
            "cairn",
            "Fernhill",
            "People",
            "Observations",
            "Framework",
            "Settings",
            "owen",
        ],
    ];
    for ((client, name), want) in clients.iter_mut().zip(VISITORS).zip(expected_nav) {
        assert_eq!(nav(&client.get("/fernhill").await), want, "{name}");
    }
}

#[tokio::test]
async fn an_unpublished_framework_is_for_its_members_only() {
    let app = TestApp::with_demo().await;
    let mut clients = visitors(&app).await;
    let org = app.org("fernhill").await;
    orgs::set_published(&app.db.store, &org.id, false, 2)
        .await
        .expect("unpublish");
    let expected = [NotFound, NotFound, Ok, Ok, Ok, Ok, Ok, Ok];
    for path in [
        "/fernhill",
        "/fernhill/abilities/code-quality",
        "/api/v1/orgs/fernhill/framework",
        "/fernhill/people",
    ] {
        for ((client, name), want) in clients.iter_mut().zip(VISITORS).zip(expected) {
            let page = client.get(path).await;
            assert_eq!(
                classify(page.status, page.location()),
                Some(want),
                "{path} as {name}"
            );
        }
    }
}

#[tokio::test]
async fn another_organizations_member_is_not_found_through_ours() {
    let app = TestApp::with_demo().await;
    let clients = visitors(&app).await;
    drop(clients);
    let fernhill = app.org("fernhill").await;
    let mia = cairn_store::members::list(&app.db.store, &fernhill.id)
        .await
        .expect("list")
        .into_iter()
        .find(|m| m.person.email.as_str() == "mia@example.com")
        .expect("mia")
        .person
        .id;
    // Acme's owner tries to change a Fernhill member through Acme's URL.
    let olga = cairn_store::people::by_email(
        &app.db.store,
        &cairn_domain::people::Email::parse("olga@other.example").expect("email"),
    )
    .await
    .expect("read")
    .expect("olga")
    .0;
    let mut olga = app.signed_in(&olga).await;
    let page = olga
        .post(
            &format!("/acme/settings/members/{}", mia.as_str()),
            &[("cap_admin", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let caps = cairn_store::members::membership(&app.db.store, &fernhill.id, &mia)
        .await
        .expect("read")
        .expect("member")
        .0;
    assert_eq!(caps, Capabilities::NONE, "nothing changed");
}

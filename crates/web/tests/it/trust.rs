//! The promises of "Access and accounts" under concurrent requests and
//! hostile input: each test here failed before its fix.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cairn_domain::audit::AuditAction;
use cairn_domain::membership::{Capabilities, Capability, MemberStatus};
use cairn_domain::throttle;
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Level, Markdown};
use cairn_store::people::PersonId;
use cairn_store::testing::{self, TestDb};
use cairn_store::{members, observations};

use crate::support::{DEMO, Member, PASSWORD, TestApp};

/// An observation by `observer` of `observee`, published at `level` (a
/// draft when None), made directly in the store.
async fn observe(
    app: &TestApp,
    observer: &PersonId,
    observee: &PersonId,
    story: &str,
    ratings: Vec<(cairn_domain::Slug, Rating)>,
    level: Option<Privacy>,
) -> String {
    let org = app.org("fernhill").await;
    let draft = observations::Draft {
        observees: vec![observee.clone()],
        story: Markdown::new(story),
        observed_on: crate::support::START,
        ratings,
    };
    let id = observations::create(
        &app.db.store,
        &org.id,
        observer,
        &draft,
        crate::support::START,
    )
    .await
    .expect("create")
    .expect("draft");
    if let Some(level) = level {
        observations::publish(&app.db.store, &org.id, &id, level, crate::support::START)
            .await
            .expect("publish");
    }
    id
}

/// Every backend: SQLite, then PostgreSQL when configured.
async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![testing::sqlite().await];
    dbs.extend(testing::postgres().await);
    dbs
}

async fn demo_on(db: TestDb) -> TestApp {
    let app = TestApp::on(db);
    app.import(DEMO).await;
    app
}

async fn active_owners(app: &TestApp) -> usize {
    let org = app.org("fernhill").await;
    members::list(&app.db.store, &org.id)
        .await
        .expect("list")
        .iter()
        .filter(|m| m.status == MemberStatus::Active && m.capabilities.holds(Capability::Owner))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_owners_departing_each_other_at_once_leave_one_owner() {
    let owner = Capabilities::of(&[Capability::Owner]);
    for db in backends().await {
        let label = db.label;
        let app = demo_on(db).await;
        let Member {
            client: mut ana,
            id: ana_id,
        } = app.join("fernhill", "ana", owner).await;
        let Member {
            client: mut ben,
            id: ben_id,
        } = app.join("fernhill", "ben", owner).await;
        for round in 0..6 {
            let depart = |id: &PersonId| format!("/fernhill/settings/members/{}", id.as_str());
            let form = [("cap_owner", "on"), ("departed", "on")];
            let (to_ben, to_ana) = (depart(&ben_id), depart(&ana_id));
            let (a, b) = tokio::join!(ana.post(&to_ben, &form), ben.post(&to_ana, &form));
            let won: Vec<StatusCode> = [a.status, b.status]
                .into_iter()
                .filter(|s| *s == StatusCode::SEE_OTHER)
                .collect();
            assert_eq!(
                won.len(),
                1,
                "{label} round {round}: exactly one wins ({a:?} / {b:?})",
                a = a.status,
                b = b.status
            );
            assert_eq!(active_owners(&app).await, 1, "{label} round {round}");
            // The loser is refused with a reason (or, having departed, sees nothing).
            for page in [&a, &b] {
                assert!(
                    [
                        StatusCode::SEE_OTHER,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        StatusCode::NOT_FOUND
                    ]
                    .contains(&page.status),
                    "{label}: {}",
                    page.status
                );
            }
            // Both back as owners for the next round (the operator's path).
            let org = app.org("fernhill").await;
            for id in [&ana_id, &ben_id] {
                members::set_status(&app.db.store, &org.id, id, MemberStatus::Active, 1)
                    .await
                    .expect("reactivate");
            }
        }
    }
}

#[tokio::test]
async fn admins_cannot_depart_or_restore_owners_and_admins() {
    let app = TestApp::with_demo().await;
    let mut adam = app
        .join("fernhill", "adam", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let olga = app
        .join("fernhill", "olga", Capabilities::of(&[Capability::Owner]))
        .await
        .id;
    let alma = app
        .join("fernhill", "alma", Capabilities::of(&[Capability::Admin]))
        .await
        .id;
    let pete = app.join("fernhill", "pete", Capabilities::NONE).await.id;
    for (email, id, caps) in [
        ("olga@example.com", olga, vec![("cap_owner", "on")]),
        ("alma@example.com", alma, vec![("cap_admin", "on")]),
    ] {
        let mut form = caps.clone();
        form.push(("departed", "on"));
        let page = adam
            .post(
                &format!("/fernhill/settings/members/{}", id.as_str()),
                &form,
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert!(page.text().contains("Only owners can mark"), "{email}");
        let org = app.org("fernhill").await;
        let (_, status) = members::membership(&app.db.store, &org.id, &id)
            .await
            .expect("read")
            .expect("member");
        assert_eq!(status, MemberStatus::Active, "{email} is still here");
    }
    // A plain member, the admin may mark departed.
    let page = adam
        .post(
            &format!("/fernhill/settings/members/{}", pete.as_str()),
            &[("departed", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_departed_admin_rejoining_by_invitation_is_a_plain_member() {
    let app = TestApp::with_demo().await;
    let mut owner = app
        .join("fernhill", "olga", Capabilities::of(&[Capability::Owner]))
        .await
        .client;
    let Member {
        client: mut adam,
        id: adam_id,
    } = app
        .join("fernhill", "adam", Capabilities::of(&[Capability::Admin]))
        .await;
    let created = owner
        .post("/fernhill/settings/invitations", &[("note", "anyone")])
        .await;
    let link = created.texts("code.secret").pop().expect("link");
    let path = format!("/invite/{}", link.split_once("/invite/").expect("path").1);
    let departed = owner
        .post(
            &format!("/fernhill/settings/members/{}", adam_id.as_str()),
            &[("cap_admin", "on"), ("departed", "on")],
        )
        .await;
    assert_eq!(departed.status, StatusCode::SEE_OTHER);
    let joined = adam.post(&path, &[]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER);
    let org = app.org("fernhill").await;
    assert_eq!(
        members::membership(&app.db.store, &org.id, &adam_id)
            .await
            .expect("read"),
        Some((Capabilities::NONE, MemberStatus::Active)),
        "back, without the capabilities of before"
    );
    assert_eq!(
        adam.get("/fernhill/settings/audit").await.status,
        StatusCode::NOT_FOUND
    );
    let audit = owner.get("/fernhill/settings/audit").await;
    assert!(audit.text().contains("Invitation accepted"));
    assert!(audit.text().contains("capabilities not restored"));
    assert!(audit.text().contains("Invitation created"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_simultaneous_wrong_passwords_are_thirty_attempts() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::on(db);
        app.person("ana@example.com").await;
        let mut clients: Vec<_> = (0..30).map(|_| app.anon()).collect();
        let pages = futures_util::future::join_all(clients.iter_mut().map(|c| {
            c.post(
                "/login",
                &[
                    ("email", "ana@example.com"),
                    ("password", "not the password"),
                ],
            )
        }))
        .await;
        let count = |s: StatusCode| pages.iter().filter(|p| p.status == s).count();
        assert_eq!(
            (
                count(StatusCode::UNAUTHORIZED),
                count(StatusCode::TOO_MANY_REQUESTS)
            ),
            (5, 25),
            "{label}: five passwords checked, the rest throttled"
        );
        assert!(
            pages
                .iter()
                .filter(|p| p.status == StatusCode::TOO_MANY_REQUESTS)
                .all(|p| !p.header("retry-after").is_empty())
        );
        // Even the right password waits now.
        let right = app
            .anon()
            .post(
                "/login",
                &[("email", "ana@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "{label}");
    }
}

/// Fills a throttle key up to its limit, as earlier attempts would have.
async fn exhaust(app: &TestApp, key: &str, limit: throttle::Limit) {
    for _ in 0..limit.max {
        cairn_store::throttle::begin(&app.db.store, &[(key, limit)], crate::support::START)
            .await
            .expect("begin")
            .expect("under the limit");
    }
}

#[tokio::test]
async fn sign_ups_and_password_checks_are_throttled_too() {
    let app = TestApp::new().await;
    let person = app.person("ana@example.com").await;
    let mut ana = app.signed_in(&person).await;
    exhaust(&app, "email:ana@example.com", throttle::PER_ACCOUNT).await;
    let page = ana
        .post(
            "/settings/password",
            &[
                ("current", "guess one"),
                ("password", "a new long password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.text().contains("Too many attempts"));

    let other = TestApp::new().await;
    exhaust(&other, "ip:192.0.2.1", throttle::PER_ADDRESS).await;
    let page = other
        .anon()
        .post(
            "/signup",
            &[
                ("name", "Probe"),
                ("email", "probe@example.com"),
                ("password", "a long password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn only_paths_of_this_site_are_followed_after_sign_in() {
    let app = TestApp::with_demo().await;
    app.person("ana@example.com").await;
    for (next, location) in [
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("\t//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/fernhill/people", "/fernhill/people"),
    ] {
        let page = app
            .anon()
            .post(
                "/login",
                &[
                    ("email", "ana@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(
            (page.status, page.location()),
            (StatusCode::SEE_OTHER, location),
            "{next:?}"
        );
    }
    // A members-only page sends a signed-out visitor to sign in and back.
    let page = app.get("/fernhill/observations/new").await;
    assert_eq!(page.location(), "/login?next=/fernhill/observations/new");
    let page = app.get("/fernhill/abilities/incident-response").await;
    let sign_in = page.links("header a");
    assert!(
        sign_in
            .iter()
            .any(|(href, _)| href == "/login?next=/fernhill/abilities/incident-response"),
        "{sign_in:?}"
    );
}

#[tokio::test]
async fn every_api_error_is_problem_details() {
    let app = TestApp::with_demo().await;
    let long = format!("/api/v1/orgs/{}", "x".repeat(9_000));
    let big = "x".repeat(2 * 1024 * 1024);
    let cases: Vec<(&str, Request<Body>, StatusCode)> = vec![
        (
            "invalid UTF-8 in the path: names nothing, like any unknown item",
            Request::get("/api/v1/orgs/%FF%FE/abilities")
                .body(Body::empty())
                .expect("req"),
            StatusCode::NOT_FOUND,
        ),
        (
            "a wrong method",
            Request::delete("/api/v1/me")
                .body(Body::empty())
                .expect("req"),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "an oversized body",
            Request::post("/api/v1/me")
                .header("content-length", big.len())
                .body(Body::from(big.clone()))
                .expect("req"),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "a long URL",
            Request::get(long.as_str())
                .body(Body::empty())
                .expect("req"),
            StatusCode::URI_TOO_LONG,
        ),
        (
            "an unknown address",
            Request::get("/api/nothing")
                .body(Body::empty())
                .expect("req"),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (name, request, status) in cases {
        let (parts, body) = request.into_parts();
        let mut builder = Request::builder().method(parts.method).uri(parts.uri);
        for (k, v) in &parts.headers {
            builder = builder.header(k, v);
        }
        let page = app.anon().send(builder, body, &[]).await;
        assert_eq!(page.status, status, "{name}");
        assert_eq!(
            page.header("content-type"),
            "application/problem+json",
            "{name}"
        );
        let json: serde_json::Value = serde_json::from_str(&page.body).expect("json");
        assert_eq!(json["status"], status.as_u16(), "{name}");
    }
}

#[tokio::test]
async fn the_history_of_an_archived_item_is_for_editors_only() {
    let app = TestApp::with_demo().await;
    let mut ed = app
        .join(
            "fernhill",
            "ed",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await
        .client;
    let mut mia = app.join("fernhill", "mia", Capabilities::NONE).await.client;
    // An ability no role or position requires can be archived.
    let fw = cairn_store::framework::current(&app.db.store, &app.org("fernhill").await.id)
        .await
        .expect("load");
    let mut text = cairn_domain::file::write(&fw, cairn_domain::file::Format::Yaml).expect("write");
    text = text.replacen(
        "abilities:\n",
        "abilities:\n- slug: juggling\n  name: Juggling\n  description: Secret recipe.\n  milestones: [{}, {}, {}, {}, {}]\n",
        1,
    );
    app.import(&text).await;
    let free = "juggling";
    let page = format!("/fernhill/abilities/{free}/history");
    let api = format!("/api/v1/orgs/fernhill/abilities/{free}/history");
    assert_eq!(
        app.get(&page).await.status,
        StatusCode::OK,
        "live: anyone reads it"
    );
    let archived = ed
        .post(&format!("/fernhill/abilities/{free}/archive"), &[])
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    for (who, status) in [
        ("anonymous", app.get(&page).await.status),
        ("anonymous API", app.get(&api).await.status),
        ("member", mia.get(&page).await.status),
        ("member API", mia.get(&api).await.status),
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
    }
    assert_eq!(ed.get(&page).await.status, StatusCode::OK);
    assert_eq!(ed.get(&api).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admins_export_holds_only_the_observations_they_may_read() {
    let app = TestApp::with_demo().await;
    let mut adam = app
        .join("fernhill", "adam", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let olive = app.join("fernhill", "olive", Capabilities::NONE).await.id;
    let eve = app.join("fernhill", "eve", Capabilities::NONE).await.id;
    let org = app.org("fernhill").await;
    let ability = cairn_store::framework::current(&app.db.store, &org.id)
        .await
        .expect("load")
        .abilities[0]
        .slug
        .clone();
    let mut ids = Vec::new();
    for (story, rating, publish) in [
        (
            "shared with everyone",
            Rating::Strong,
            Some(Privacy::Organization),
        ),
        ("a journal entry", Rating::Strong, Some(Privacy::Journal)),
        ("a draft", Rating::Strong, None),
        (
            "a concern shared widely",
            Rating::Concerning,
            Some(Privacy::Organization),
        ),
        ("deleted later", Rating::Strong, Some(Privacy::Organization)),
    ] {
        let id = observe(
            &app,
            &olive,
            &eve,
            story,
            vec![(ability.clone(), rating)],
            publish,
        )
        .await;
        ids.push(id);
    }
    observations::delete(&app.db.store, &org.id, &ids[4], crate::support::START)
        .await
        .expect("delete");
    let export = adam.get("/fernhill/settings/export").await;
    assert_eq!(export.status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&export.body).expect("json");
    let table = |name: &str| {
        doc["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .find(|t| t["table"] == name)
            .expect("table")
            .clone()
    };
    let stories: Vec<String> = {
        let t = table("observations");
        let i = t["columns"]
            .as_array()
            .expect("cols")
            .iter()
            .position(|c| c == "story")
            .expect("story");
        t["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r[i].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let mut sorted = stories.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec!["a concern shared widely", "shared with everyone"],
        "what the admin may read"
    );
    let ratings = table("observation_ratings");
    let i = ratings["columns"]
        .as_array()
        .expect("cols")
        .iter()
        .position(|c| c == "rating")
        .expect("rating");
    let shown: Vec<&str> = ratings["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[i].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        shown,
        vec!["strong"],
        "the Concerning rating is not theirs to see"
    );
    // The operator's command exports everything.
    let mut all = Vec::new();
    cairn_store::org_export::export(
        &app.db.store,
        &org.id,
        cairn_store::org_export::ExportFor::Operator,
        &mut all,
    )
    .await
    .expect("export");
    let all: serde_json::Value = serde_json::from_slice(&all).expect("json");
    let n = all["tables"]
        .as_array()
        .expect("t")
        .iter()
        .find(|t| t["table"] == "observations")
        .expect("obs")["rows"]
        .as_array()
        .expect("rows")
        .len();
    assert_eq!(n, 5);
}

#[tokio::test]
async fn api_tokens_have_scopes_and_never_manage_tokens_or_sessions() {
    let app = TestApp::with_demo().await;
    let mut ana = app
        .join(
            "fernhill",
            "ana",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await
        .client;
    let mut tokens = Vec::new();
    for scope in ["read", "write"] {
        let page = ana
            .post("/settings/tokens", &[("name", scope), ("scope", scope)])
            .await;
        assert_eq!(page.status, StatusCode::OK);
        tokens.push(page.texts("code.secret").pop().expect("token shown"));
    }
    let (read, write) = (tokens[0].clone(), tokens[1].clone());
    let bearer = |t: &str| format!("Bearer {t}");
    let mut anon = app.anon();
    let get = |path: &str| Request::get(path.to_owned());
    let post = |path: &str| Request::post(path.to_owned());
    let form = || Body::from("name=more&scope=write");
    let ct = ("content-type", "application/x-www-form-urlencoded");
    for (name, builder, body, token, status) in [
        (
            "a read token reads",
            get("/api/v1/me"),
            Body::empty(),
            &read,
            StatusCode::OK,
        ),
        (
            "a read token cannot post",
            post("/fernhill/abilities/incident-response/conversations"),
            form(),
            &read,
            StatusCode::FORBIDDEN,
        ),
        (
            "a write token cannot make tokens",
            post("/settings/tokens"),
            form(),
            &write,
            StatusCode::FORBIDDEN,
        ),
        (
            "nor list them",
            get("/settings/tokens"),
            Body::empty(),
            &write,
            StatusCode::FORBIDDEN,
        ),
        (
            "nor list sessions",
            get("/settings/sessions"),
            Body::empty(),
            &write,
            StatusCode::FORBIDDEN,
        ),
        (
            "nor change the password",
            post("/settings/password"),
            form(),
            &write,
            StatusCode::FORBIDDEN,
        ),
    ] {
        let page = anon
            .send(builder, body, &[("authorization", &bearer(token)), ct])
            .await;
        assert_eq!(page.status, status, "{name}");
    }
    // Changing the password revokes them unless asked to keep them.
    let changed = ana
        .post(
            "/settings/password",
            &[("current", PASSWORD), ("password", "another long password")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let me = anon
        .send(
            get("/api/v1/me"),
            Body::empty(),
            &[("authorization", &bearer(&read))],
        )
        .await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "revoked with the password change"
    );
}

#[tokio::test]
async fn text_with_nul_or_zero_width_names_is_refused_and_nothing_changes() {
    let app = TestApp::with_demo().await;
    let mut mia = app.join("fernhill", "mia", Capabilities::NONE).await.client;
    let page = mia
        .post(
            "/fernhill/abilities/incident-response/conversations",
            &[("title", "A question"), ("body", "nul\u{0}here")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("control character"), "{}", page.text());
    for name in ["A\u{200B}na", "\u{FEFF}Ana", "An\u{2060}a"] {
        let page = app
            .anon()
            .post(
                "/signup",
                &[
                    ("name", name),
                    ("email", "zw@example.com"),
                    ("password", "a long password"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert!(
            page.texts(".field-error")
                .iter()
                .any(|e| e.contains("zero-width")),
            "{name:?}"
        );
    }
    assert!(
        cairn_store::people::by_email(
            &app.db.store,
            &cairn_domain::people::Email::parse("zw@example.com").expect("email")
        )
        .await
        .expect("read")
        .is_none()
    );
}

#[tokio::test]
async fn a_form_from_the_other_scheme_is_refused() {
    let app = TestApp::with_demo().await;
    let mut mia = app.join("fernhill", "mia", Capabilities::NONE).await.client;
    let sent = |origin: &'static str| {
        (
            origin,
            [("origin", origin), ("sec-fetch-site", "same-origin")],
        )
    };
    for (origin, headers, status) in [
        (
            sent("https://cairn.test").0,
            sent("https://cairn.test").1,
            StatusCode::FORBIDDEN,
        ),
        (
            sent("http://cairn.test").0,
            sent("http://cairn.test").1,
            StatusCode::SEE_OTHER,
        ),
    ] {
        let page = mia
            .post_with(
                "/fernhill/abilities/incident-response/conversations",
                &[("title", "Scheme"), ("body", "Which scheme sent this?")],
                &headers,
            )
            .await;
        assert_eq!(
            page.status == StatusCode::FORBIDDEN,
            status == StatusCode::FORBIDDEN,
            "{origin}: {}",
            page.status
        );
    }
}

#[tokio::test]
async fn an_observee_may_narrow_only_to_levels_they_still_see() {
    let app = TestApp::with_demo().await;
    let olive = app.join("fernhill", "olive", Capabilities::NONE).await.id;
    let Member {
        client: mut eve,
        id: eve_id,
    } = app.join("fernhill", "eve", Capabilities::NONE).await;
    let id = observe(
        &app,
        &olive,
        &eve_id,
        "Calm under pressure.",
        vec![],
        Some(Privacy::Organization),
    )
    .await;
    let page = eve.get(&format!("/fernhill/observations/{id}")).await;
    let offered: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("select[name=privacy] option").expect("sel"))
        .filter_map(|e| e.value().attr("value").map(str::to_owned))
        .collect();
    assert_eq!(
        offered,
        vec!["observees", "observees_and_managers", "organization"]
    );
    let refused = eve
        .post(
            &format!("/fernhill/observations/{id}/privacy"),
            &[("privacy", "journal")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_awards_evidence_names_only_what_the_reader_may_read() {
    let app = TestApp::with_demo().await;
    let lead = app
        .join(
            "fernhill",
            "lead",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await
        .id;
    let olive = app.join("fernhill", "olive", Capabilities::NONE).await.id;
    let eve = app.join("fernhill", "eve", Capabilities::NONE).await.id;
    let mut mia = app.join("fernhill", "mia", Capabilities::NONE).await.client;
    let org = app.org("fernhill").await;
    let ability = cairn_store::framework::current(&app.db.store, &org.id)
        .await
        .expect("load")
        .abilities[0]
        .slug
        .clone();
    let mut evidence = Vec::new();
    for _ in 0..2 {
        let id = observe(
            &app,
            &olive,
            &eve,
            "Evidence.",
            vec![(ability.clone(), Rating::Strong)],
            Some(Privacy::Organization),
        )
        .await;
        evidence.push(id);
    }
    let lead_id = lead.clone();
    cairn_store::awards::award(
        &app.db.store,
        &org.id,
        &lead_id,
        &cairn_store::awards::NewAward {
            recipient: eve.clone(),
            ability: ability.clone(),
            levels: vec![Level::parse(1).expect("level")],
            note: String::new(),
            visibility: cairn_domain::awards::AwardVisibility::Organization,
            evidence: evidence.clone(),
        },
        crate::support::START,
    )
    .await
    .expect("award");
    // The observer narrows one to their journal afterwards.
    assert!(
        observations::set_privacy(
            &app.db.store,
            &org.id,
            &evidence[1],
            Privacy::Organization,
            Privacy::Journal,
            crate::support::START
        )
        .await
        .expect("narrow")
    );
    let path = format!("/api/v1/orgs/fernhill/people/{}/journey", eve.as_str());
    let page = mia.get(&path).await;
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(
        json["awards"][0]["evidence"],
        serde_json::json!([evidence[0]])
    );
    assert_eq!(json["awards"][0]["evidence_hidden"], 1);
}

#[tokio::test]
async fn reports_to_settings_and_invitation_changes_are_audited() {
    let app = TestApp::with_demo().await;
    let mut olga = app
        .join("fernhill", "olga", Capabilities::of(&[Capability::Owner]))
        .await
        .client;
    let max = app.join("fernhill", "max", Capabilities::NONE).await.id;
    let eve = app.join("fernhill", "eve", Capabilities::NONE).await.id;
    let page = olga
        .post(
            &format!("/fernhill/settings/members/{}", eve.as_str()),
            &[("manager", max.as_str())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let created = olga
        .post("/fernhill/settings/invitations", &[("note", "Sam")])
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let org = app.org("fernhill").await;
    let invitation = members::invitations(&app.db.store, &org.id, crate::support::START)
        .await
        .expect("list")
        .remove(0);
    let revoked = olga
        .post(
            &format!("/fernhill/settings/invitations/{}/revoke", invitation.id),
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let settings = olga
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("published", "on"),
                ("stale_days", "100"),
                ("critical_days", "300"),
                ("awards_by", "both"),
            ],
        )
        .await;
    assert_eq!(
        settings.status,
        StatusCode::SEE_OTHER,
        "{}",
        settings.text()
    );
    let entries = cairn_store::audit::list(&app.db.store, Some(&org.id), &Default::default(), 100)
        .await
        .expect("audit");
    let kinds: Vec<AuditAction> = entries.iter().map(|e| e.action).collect();
    for kind in [
        AuditAction::ManagerChanged,
        AuditAction::InvitationCreated,
        AuditAction::InvitationRevoked,
        AuditAction::SettingsChanged,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    let manager = entries
        .iter()
        .find(|e| e.action == AuditAction::ManagerChanged)
        .expect("entry");
    assert!(
        manager.detail.starts_with("nobody → max"),
        "{}",
        manager.detail
    );
}

#[tokio::test]
async fn revoking_a_lower_milestone_asks_then_takes_the_higher_ones() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut lead,
        id: lead_id,
    } = app
        .join(
            "fernhill",
            "lead",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let eve = app.join("fernhill", "eve", Capabilities::NONE).await.id;
    let org = app.org("fernhill").await;
    let ability = cairn_store::framework::current(&app.db.store, &org.id)
        .await
        .expect("load")
        .abilities[0]
        .slug
        .clone();
    cairn_store::awards::award(
        &app.db.store,
        &org.id,
        &lead_id,
        &cairn_store::awards::NewAward {
            recipient: eve.clone(),
            ability,
            levels: vec![Level::parse(1).expect("l"), Level::parse(2).expect("l")],
            note: String::new(),
            visibility: cairn_domain::awards::AwardVisibility::Organization,
            evidence: vec![],
        },
        crate::support::START,
    )
    .await
    .expect("award");
    let held = cairn_store::awards::of_person(&app.db.store, &org.id, &eve)
        .await
        .expect("list");
    let m1 = held
        .iter()
        .find(|a| a.level.get() == 1)
        .expect("m1")
        .id
        .clone();
    let asked = lead
        .post(&format!("/fernhill/awards/{m1}/revoke"), &[])
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        asked.text().contains("milestone(s) 2 are held too"),
        "{}",
        asked.text()
    );
    let live = |list: Vec<cairn_store::awards::Award>| list.iter().filter(|a| !a.revoked).count();
    assert_eq!(
        live(
            cairn_store::awards::of_person(&app.db.store, &org.id, &eve)
                .await
                .expect("list")
        ),
        2,
        "nothing revoked yet"
    );
    let done = lead
        .post(
            &format!("/fernhill/awards/{m1}/revoke"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        live(
            cairn_store::awards::of_person(&app.db.store, &org.id, &eve)
                .await
                .expect("list")
        ),
        0
    );
}

#[tokio::test]
async fn every_tied_gap_set_is_counted_and_paged() {
    let app = TestApp::new().await;
    let abilities: String = (0..30)
        .map(|i| format!("  - {{ slug: a{i:02}, name: Ability {i:02}, milestones: [{{}}, {{}}, {{}}, {{}}, {{}}] }}\n"))
        .collect();
    app.import(&format!(
        "format: cairn/1\norganization: {{ slug: fernhill, name: Fernhill }}\nabilities:\n{abilities}positions:\n  - {{ slug: p, title: P, level: '1', miles: {{ at_least: 1 }} }}\n"
    ))
    .await;
    let Member {
        client: mut eve,
        id: eve_id,
    } = app.join("fernhill", "eve", Capabilities::NONE).await;
    let path = format!("/fernhill/people/{}/positions/p", eve_id.as_str());
    let first = eve.get(&path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.text().contains("30 sets tie, showing 1–20"),
        "{}",
        first.text()
    );
    assert_eq!(first.texts("ul.gaps li").len(), 20);
    let next = first
        .links("nav.pager a")
        .into_iter()
        .find(|(_, t)| t == "More sets")
        .expect("more")
        .0;
    let second = eve.get(&format!("{path}{next}")).await;
    assert_eq!(second.texts("ul.gaps li").len(), 10);
    assert!(second.text().contains("showing 21–30"));
}

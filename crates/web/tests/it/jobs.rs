//! Positions and roles held over time, on the member's page.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::{Name, OrgSlug};

use crate::support::{Member, TestApp};

#[tokio::test]
async fn an_admin_gives_a_position_and_roles_and_everyone_sees_what_they_may() {
    let app = TestApp::with_demo().await;
    let caps = |c: &[Capability]| Capabilities::of(c);
    let Member {
        client: mut ana,
        id: ana_id,
    } = app.join("fernhill", "ana", caps(&[])).await;
    let Member {
        client: mut max,
        id: max_id,
    } = app.join("fernhill", "max", caps(&[])).await;
    let mut mia = app.join("fernhill", "mia", caps(&[])).await.client;
    let mut lea = app
        .join("fernhill", "lea", caps(&[Capability::PeopleLead]))
        .await
        .client;
    let mut ada = app
        .join("fernhill", "ada", caps(&[Capability::Admin]))
        .await
        .client;
    let olga = app.person("olga@other.example").await;
    cairn_store::orgs::create(
        &app.db.store,
        &OrgSlug::parse("acme").expect("slug"),
        &Name::parse("Acme", "n").expect("name"),
        &olga.id,
        1,
    )
    .await
    .expect("other org");
    let mut olga = app.signed_in(&olga).await;
    let mut anon = app.anon();
    let org = app.org("fernhill").await;
    cairn_store::members::set_manager(&app.db.store, &org.id, &ana_id, Some(&max_id))
        .await
        .expect("set")
        .expect("ok");
    let page = format!("/fernhill/people/{}", ana_id.as_str());
    let post = format!("{page}/jobs");

    // Before: nothing held; only admins and people leads get the form.
    let before = ada.get(&page).await;
    assert_eq!(
        before.texts("#jobs .empty"),
        ["ana holds no position or role yet."]
    );
    assert_eq!(
        before.texts("#jobs form button"),
        ["Save position and roles"]
    );
    assert!(ana.get(&page).await.texts("#jobs form button").is_empty());
    assert!(max.get(&page).await.texts("#jobs form button").is_empty());

    // Two changes: an admin, then a people lead.
    let first = ada
        .post(
            &post,
            &[
                ("position", "engineer-2"),
                ("role", "mentor"),
                ("since", "2022-01-03"),
                ("note", "Joined"),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location(), format!("{page}#jobs"));
    let second = lea
        .post(
            &post,
            &[
                ("position", "senior-engineer"),
                ("role", "mentor"),
                ("role", "on-call-responder"),
                ("since", "2023-02-01"),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);

    // History, newest first, for the member, their manager, admins and leads.
    let history = [
        "Senior Engineer (position, since 2023-02-01, set by lea)",
        "On-call Responder (role, since 2023-02-01, set by lea)",
        "Engineer II (position, from 2022-01-03 until 2023-02-01, set by ada) Joined",
        "Mentor (role, since 2022-01-03, set by ada) Joined",
    ];
    for (who, client) in [
        ("ana", &mut ana),
        ("max", &mut max),
        ("lea", &mut lea),
        ("ada", &mut ada),
    ] {
        let seen = client.get(&page).await;
        assert_eq!(seen.status, StatusCode::OK, "{who}");
        assert_eq!(seen.texts("#jobs .history li"), history, "{who}");
        assert_eq!(
            seen.texts("#jobs dd"),
            [
                "Senior Engineer since 2023-02-01",
                "Mentor since 2022-01-03",
                "On-call Responder since 2023-02-01"
            ],
            "{who}"
        );
    }
    // Where she stands: for herself, her manager and people leads; an
    // admin gives positions but does not see progress.
    let own = ana.get(&page).await;
    let lines = own.texts("#jobs tbody tr");
    assert!(
        lines.contains(&"Senior Engineer Code Quality milestone 3+ none 3 levels below".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Senior Engineer, Mentor Mentoring milestone 2+")),
        "{lines:?}"
    );
    assert!(own.texts("#jobs p")[0].ends_with("requirements are not met yet."));
    // Eligibility from where she stands: the next level up first.
    let positions = own.texts("section[aria-labelledby=positions] li");
    assert!(
        positions[0].starts_with("Next: Staff Engineer — ")
            && positions[0].ends_with(" milestones to go"),
        "{positions:?}"
    );
    assert_eq!(
        positions[1..],
        [
            "Engineer I (level 1)",
            "Engineer II (level 2)",
            "Senior Engineer (level 3)"
        ]
    );

    assert!(!lea.get(&page).await.texts("#jobs tbody tr").is_empty());
    assert!(ada.get(&page).await.texts("#jobs tbody tr").is_empty());

    // The ability page counts holders for members, and only for them.
    let ability = mia.get("/fernhill/abilities/code-quality").await;
    let lines = ability.texts(".requirements li");
    assert!(
        lines.contains(
            &"Senior Engineers must be milestone 3+ (held by 1 person, below it)".to_owned()
        ),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Software Engineers must be milestone 1+ (held by nobody)".to_owned()),
        "{lines:?}"
    );
    let public = anon.get("/fernhill/abilities/code-quality").await;
    assert!(
        public
            .texts(".requirements li")
            .iter()
            .all(|l| !l.contains("held by"))
    );
    // Health knows who holds what: counts, for everyone.
    assert!(
        public
            .texts("ul.health li")
            .contains(&"✅ ok: Required of 1 person".to_owned()),
        "{:?}",
        public.texts("ul.health li")
    );
    let report = anon.get("/fernhill/health").await;
    // Every row has a cell per column, words beside the symbols.
    assert_eq!(report.texts(".health-table thead th").len(), 7);
    let cells = report.html();
    let row = scraper::Selector::parse(".health-table tbody tr").expect("selector");
    let td = scraper::Selector::parse("td").expect("selector");
    for tr in cells.select(&row) {
        assert_eq!(tr.select(&td).count(), 6, "{}", tr.html());
    }
    let code_quality = report
        .texts(".health-table tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Code Quality"))
        .expect("row");
    assert!(
        code_quality.ends_with("✅ ok : Required of 1 person"),
        "{code_quality}"
    );
    let health = report.text();
    assert!(
        health.contains("Nobody holds the position Engineer I."),
        "{health}"
    );
    assert!(
        health.contains("4 active members hold no position."),
        "{health}"
    );

    // Another member sees what is held now, not the history.
    let other = mia.get(&page).await;
    assert_eq!(other.texts("#jobs dd").len(), 3);
    assert!(other.texts("#jobs .history li").is_empty());
    assert!(other.texts("#jobs tbody tr").is_empty());

    // With the setting off, not even that.
    let off = ada
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("published", "on"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
            ],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(mia.get(&page).await.texts("#jobs").is_empty());
    assert_eq!(max.get(&page).await.texts("#jobs .history li"), history);

    // Nobody else changes anything, and refusals say why.
    for (who, client, status) in [
        ("member", &mut mia, StatusCode::NOT_FOUND),
        ("the member herself", &mut ana, StatusCode::NOT_FOUND),
        ("her manager", &mut max, StatusCode::NOT_FOUND),
        ("another organization", &mut olga, StatusCode::NOT_FOUND),
        ("anonymous", &mut anon, StatusCode::SEE_OTHER),
    ] {
        let tried = client
            .post(
                &post,
                &[("position", "engineer-1"), ("since", "2023-03-01")],
            )
            .await;
        assert_eq!(tried.status, status, "{who}");
    }
    let early = lea
        .post(
            &post,
            &[("position", "staff-engineer"), ("since", "2023-01-15")],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        early.texts(".form-errors li"),
        ["Give a start date after 2023-02-01, when what it replaces began."]
    );
    // The refusal's address works with GET too: it leads to the form.
    let reopened = lea.get(&post).await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    assert_eq!(reopened.location(), format!("{page}#jobs"));
    let future = lea
        .post(
            &post,
            &[("position", "staff-engineer"), ("since", "2030-01-01")],
        )
        .await;
    assert_eq!(
        future.texts(".form-errors li"),
        ["Give a start date of today or earlier."]
    );
    assert_eq!(ana.get(&page).await.texts("#jobs .history li"), history);

    // Each change is in the audit log.
    let audit = ada.get("/fernhill/settings/audit").await;
    let rows = audit.texts("tbody tr");
    let changes: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains("Position or roles changed"))
        .collect();
    assert_eq!(changes.len(), 2, "{rows:?}");
    assert!(changes[0].contains("ana <ana@example.com> position senior-engineer; roles mentor, on-call-responder; team none; from 2023-02-01"));
}

#[tokio::test]
async fn people_leads_list_who_is_below_what_they_hold_paged_and_filtered() {
    let app = TestApp::with_demo().await;
    let lea = app
        .join(
            "fernhill",
            "lea",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await;
    let mut lead = lea.client;
    let org = app.org("fernhill").await;
    let store = &app.db.store;
    let slug = |s: &str| cairn_domain::Slug::parse(s).expect("slug");
    // 27 engineers (below: Engineer I asks Code Quality 1 and Testing 1
    // through Software Engineer), of whom the first also holds the Mentor
    // role; one who meets everything.
    let mut ids = Vec::new();
    for n in 0..28 {
        let m = app
            .join("fernhill", &format!("eng{n:02}"), Capabilities::NONE)
            .await;
        let roles = if n == 0 { vec![slug("mentor")] } else { vec![] };
        let position = slug("engineer-1");
        cairn_store::jobs::change(
            store,
            &org.id,
            &m.id,
            &cairn_store::jobs::Change {
                position: Some(&position),
                roles: &roles,
                team: None,
                since: 1_600_000_000_000,
                note: "",
                by: &lea.id,
                client_ip: "",
            },
            1_700_000_000_000,
        )
        .await
        .expect("store")
        .expect("change");
        ids.push(m.id);
    }
    let meets = &ids[27];
    for ability in ["code-quality", "testing"] {
        cairn_store::awards::award(
            store,
            &org.id,
            &lea.id,
            &cairn_store::awards::NewAward {
                recipient: meets.clone(),
                ability: slug(ability),
                levels: vec![cairn_domain::Level::ALL[0]],
                note: String::new(),
                visibility: cairn_domain::awards::AwardVisibility::Private,
                evidence: vec![],
            },
            1_700_000_000_000,
        )
        .await
        .expect("award");
    }

    let first = lead.get("/fernhill/requirements").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.texts("h1 + p")[0]
            .starts_with("27 people are below a requirement of what they hold (28 hold"),
        "{:?}",
        first.texts("h1 + p")
    );
    assert_eq!(
        first.texts("table tbody tr"),
        ["Engineer I (position) 28 27", "Mentor (role) 1 1"]
    );
    let names = first.texts(".people > li > p strong");
    assert_eq!(names.len(), 25);
    assert_eq!(names[0], "eng00");
    assert_eq!(
        first.texts(".people > li")[0],
        "eng00 holds Engineer I, Mentor Code Quality: milestone 1+ required, holds none (Engineer I) Testing & Verification: milestone 1+ required, holds none (Engineer I) Mentoring: milestone 2+ required, holds none (Mentor) Giving & Receiving Feedback: milestone 2+ required, holds none (Mentor)"
    );
    let (href, _) = first.links(".pager a")[0].clone();
    let second = lead.get(&href).await;
    assert_eq!(second.texts(".people > li > p strong"), ["eng25", "eng26"]);
    assert!(second.links(".pager a").is_empty());

    // Filtered by what they hold, and by name.
    let mentors = lead.get("/fernhill/requirements?held=role:mentor").await;
    assert_eq!(mentors.texts(".people > li > p strong"), ["eng00"]);
    let named = lead.get("/fernhill/requirements?q=ENG1").await;
    assert_eq!(named.texts(".people > li > p strong").len(), 10);
    // Candidates say what each holds now, and for how long.
    let candidates = lead.get("/fernhill/positions/engineer-1/candidates").await;
    let eligible = candidates.texts("ul li");
    assert!(
        eligible
            .iter()
            .any(|l| l.starts_with("eng27 holds Engineer I since 2020-09-13 (")),
        "{eligible:?}"
    );
    let nobody = lead.get("/fernhill/requirements?q=zed").await;
    assert_eq!(
        nobody.texts(".empty"),
        ["Nobody matching “zed” is below a requirement here."]
    );
}

#[tokio::test]
async fn the_api_shows_what_is_held_to_whom_the_pages_do() {
    let app = TestApp::with_demo().await;
    let caps = |c: &[Capability]| Capabilities::of(c);
    let ana = app.join("fernhill", "ana", caps(&[])).await;
    let mut mia = app.join("fernhill", "mia", caps(&[])).await.client;
    let mut lea = app
        .join("fernhill", "lea", caps(&[Capability::PeopleLead]))
        .await
        .client;
    let mut own = ana.client;
    let post = format!("/fernhill/people/{}/jobs", ana.id.as_str());
    for (position, since) in [("engineer-1", "2022-01-03"), ("engineer-2", "2023-01-02")] {
        let done = lea
            .post(
                &post,
                &[("position", position), ("role", "mentor"), ("since", since)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
    }
    let api = format!("/api/v1/orgs/fernhill/people/{}", ana.id.as_str());
    let json = |page: &crate::support::Page| -> serde_json::Value {
        serde_json::from_str(&page.body).expect("json")
    };
    let herself = json(&own.get(&api).await);
    assert_eq!(herself["jobs_visible"], "history");
    assert_eq!(herself["position"]["slug"], "engineer-2");
    assert_eq!(herself["position"]["since"], 1_672_617_600_000_i64);
    assert_eq!(herself["roles"][0]["slug"], "mentor");
    let tenures: Vec<(String, bool)> = herself["tenures"]
        .as_array()
        .expect("tenures")
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap_or("").to_owned(),
                t["until"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        tenures,
        [
            ("engineer-2".into(), true),
            ("engineer-1".into(), false),
            ("mentor".into(), true)
        ]
    );
    let lines = herself["requirements"].as_array().expect("lines");
    assert!(lines.iter().any(|l| l["ability"] == "code-quality"
        && l["required"] == 2
        && l["levels_below"] == 2
        && l["from"]["kind"] == "position"));
    let other = json(&mia.get(&api).await);
    assert_eq!(other["jobs_visible"], "current");
    assert_eq!(other["position"]["slug"], "engineer-2");
    assert!(other.get("tenures").is_none() && other.get("requirements").is_none());

    let list = lea.get("/api/v1/orgs/fernhill/requirements").await;
    assert_eq!(list.status, StatusCode::OK);
    let list = json(&list);
    assert_eq!(
        (list["holders"].as_i64(), list["below"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(list["people"][0]["position"], "engineer-2");
    assert!(list["next"].is_null());
    assert_eq!(
        mia.get("/api/v1/orgs/fernhill/requirements").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn teams_list_their_members_with_what_they_hold_and_how_they_stand() {
    let app = TestApp::with_demo().await;
    let caps = |c: &[Capability]| Capabilities::of(c);
    let ana = app.join("fernhill", "ana", caps(&[])).await;
    let mut mia = app.join("fernhill", "mia", caps(&[])).await.client;
    let mut lea = app
        .join("fernhill", "lea", caps(&[Capability::PeopleLead]))
        .await
        .client;
    let mut ada = app
        .join("fernhill", "ada", caps(&[Capability::Admin]))
        .await
        .client;
    for (name, slug, parent) in [("Engineering", "eng", ""), ("Platform", "platform", "eng")] {
        let made = ada
            .post(
                "/fernhill/teams",
                &[("name", name), ("slug", slug), ("parent", parent)],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{slug}");
        assert_eq!(made.location(), format!("/fernhill/teams/{slug}"));
    }
    let looped = ada
        .post(
            "/fernhill/teams/eng",
            &[("name", "Engineering"), ("parent", "platform")],
        )
        .await;
    assert_eq!(looped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        looped.texts(".form-errors li"),
        ["A team cannot be inside itself: choose another parent."]
    );
    let taken = ada
        .post("/fernhill/teams", &[("name", "Again"), ("slug", "eng")])
        .await;
    assert_eq!(
        taken.texts(".form-errors li"),
        ["There is already a team at this address: choose another."]
    );
    assert_eq!(
        mia.get("/fernhill/teams").await.texts("ul.teams li"),
        ["Engineering (0 members)", "Platform (0 members)"]
    );
    assert_eq!(
        mia.post("/fernhill/teams", &[("name", "Mine"), ("slug", "mine")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Ana joins Platform as an Engineer I, through her page's form.
    let page = format!("/fernhill/people/{}", ana.id.as_str());
    let form = lea.get(&page).await;
    assert_eq!(
        form.texts("#team option"),
        ["No team", "Engineering", "Platform"]
    );
    let done = lea
        .post(
            &format!("{page}/jobs"),
            &[
                ("position", "engineer-1"),
                ("team", "platform"),
                ("since", "2023-01-02"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(
        lea.get(&page)
            .await
            .texts("#jobs dd")
            .contains(&"Platform since 2023-01-02".to_owned())
    );

    let lead_view = lea.get("/fernhill/teams/platform").await;
    assert_eq!(lead_view.status, StatusCode::OK);
    assert_eq!(
        lead_view.texts(".people li"),
        ["ana since 2023-01-02 · Engineer I · 2 requirements below"]
    );
    assert_eq!(
        lead_view.texts("main p.muted a, p.muted a")[..2],
        ["Teams".to_owned(), "Engineering".to_owned()]
    );
    let member_view = mia.get("/fernhill/teams/platform").await;
    assert_eq!(
        member_view.texts(".people li"),
        ["ana since 2023-01-02 · Engineer I"]
    );
    assert_eq!(
        mia.get("/fernhill/teams").await.texts("ul.teams li"),
        ["Engineering (0 members)", "Platform (1 member)"]
    );
    // The requirements list counts by team too, and filters by it.
    let by_team = lea.get("/fernhill/requirements").await;
    assert!(
        by_team
            .texts("table tbody tr")
            .contains(&"Platform (team) 1 1".to_owned())
    );
    let platform = lea.get("/fernhill/requirements?held=team:platform").await;
    assert_eq!(platform.texts(".people > li > p strong"), ["ana"]);
    let engineering = lea
        .get("/fernhill/requirements?held=team:engineering")
        .await;
    assert!(engineering.texts(".people > li > p strong").is_empty());
}

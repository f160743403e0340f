use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::TestApp;

const ABILITY: &str = "/fernhill/abilities/incident-response";

#[tokio::test]
async fn the_ability_page_has_every_section_in_order() {
    let app = TestApp::with_demo().await;
    let page = app.get(ABILITY).await;
    assert_eq!(
        page.texts("article.ability h2"),
        vec![
            "Description",
            "Milestone 1",
            "Milestone 2",
            "Milestone 3",
            "Milestone 4",
            "Milestone 5",
            "Configuration Health",
            "Role & Position Requirements",
            "Examples / Observations",
            "Conversations about Incident Response",
        ]
    );
    assert_eq!(
        page.texts("ul.health li"),
        vec![
            "✅ ok: Associated with 1 role",
            "⚠️ warning: Has been referenced in no observations",
            "ℹ️ info: No one has achieved a milestone on this ability",
            "✅ ok: Last updated: less than a minute ago",
            "ℹ️ info: Never conversed about",
            "ℹ️ info: Required of nobody: no one holds a role or position that requires it",
        ]
    );
    assert!(page.text().contains(
        "An observation relating to Incident Response has not been publicly recognized yet."
    ));
}

#[tokio::test]
async fn freshness_ages_with_the_clock_and_the_organization_thresholds() {
    let app = TestApp::with_demo().await;
    app.advance(5 * 365 * 24 * 3600 * 1000 - 60 * 24 * 3600 * 1000);
    let page = app.get(ABILITY).await;
    assert!(
        page.texts("ul.health li")
            .contains(&"⛔️ critical: Last updated: almost 5 years ago".to_owned())
    );
    let org = app.org("fernhill").await;
    cairn_store::orgs::set_thresholds(
        &app.db.store,
        &org.id,
        cairn_domain::health::Thresholds {
            stale_after_days: 3000,
            critical_after_days: 4000,
            ..Default::default()
        },
        1,
    )
    .await
    .expect("thresholds");
    let page = app.get(ABILITY).await;
    assert!(
        page.texts("ul.health li")
            .contains(&"✅ ok: Last updated: almost 5 years ago".to_owned())
    );
}

#[tokio::test]
async fn outsiders_see_the_members_only_notice_and_no_conversation_data() {
    let app = TestApp::with_demo().await;
    let mut member = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    let start = member
        .post(
            &format!("{ABILITY}/conversations"),
            &[("title", "Secret pager rota"), ("body", "Only for **us**.")],
        )
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);

    let outsider = app.person("olga@other.example").await;
    let mut outsider = app.signed_in(&outsider).await;
    for (name, page) in [
        ("anonymous", app.get(ABILITY).await),
        ("other organization", outsider.get(ABILITY).await),
    ] {
        assert_eq!(page.status, StatusCode::OK, "{name}");
        let section = page.texts("section.conversations").join(" ");
        assert!(
            section.contains("This section is for Fernhill folks only."),
            "{name}"
        );
        assert!(
            !page.body.contains("Secret pager rota") && !page.body.contains("Only for"),
            "{name}: no data"
        );
        assert!(
            page.html()
                .select(&scraper::Selector::parse("section.conversations form").expect("sel"))
                .next()
                .is_none(),
            "{name}: no form"
        );
        // The health line counts conversations without revealing them.
        assert!(
            page.texts("ul.health li")
                .iter()
                .any(|l| l.starts_with("✅ ok: Conversed about 1 time")),
            "{name}"
        );
    }
    let anon = app.get(ABILITY).await;
    assert!(
        anon.links("section.conversations a")
            .iter()
            .any(|(h, t)| h == "/signup?next=/new" && t == "Sign your team up")
    );
    // Outsiders cannot post either.
    let refused = outsider
        .post(
            &format!("{ABILITY}/conversations"),
            &[("title", "x"), ("body", "y")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn members_start_reply_and_authors_or_editors_resolve() {
    let app = TestApp::with_demo().await;
    let mut mia = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    let mut ben = app
        .member("fernhill", "ben@example.com", Capabilities::NONE)
        .await;
    let mut eddie = app
        .member(
            "fernhill",
            "eddie@example.com",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;

    let empty = mia
        .post(
            &format!("{ABILITY}/conversations"),
            &[("title", ""), ("body", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.texts("section.conversations .form-errors li"),
        vec!["Give the conversation a topic.", "Write something first."]
    );

    let started = mia
        .post(
            &format!("{ABILITY}/conversations"),
            &[
                ("title", "Is M3 too high?"),
                ("body", "Runbooks *and* reviews?"),
            ],
        )
        .await;
    let anchor = started
        .location()
        .split('#')
        .nth(1)
        .expect("anchor")
        .to_owned();
    let id = anchor.trim_start_matches("thread-").to_owned();
    assert_eq!(
        ben.post(
            &format!("/fernhill/conversations/{id}/replies"),
            &[("body", "I think it is fine.")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let blank = ben
        .post(
            &format!("/fernhill/conversations/{id}/replies"),
            &[("body", "")],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        blank.texts(&format!("#{anchor} .field-error")),
        vec!["Error: Write something first."]
    );

    let page = mia.get(ABILITY).await;
    let thread = page.texts(&format!("#{anchor} .comment"));
    assert_eq!(
        thread,
        vec![
            "mia less than a minute ago Runbooks and reviews?",
            "ben less than a minute ago I think it is fine."
        ]
    );
    assert!(
        page.texts("ul.health li")
            .contains(&"✅ ok: Conversed about 1 time, last less than a minute ago".to_owned())
    );

    // Ben is neither author nor editor.
    assert_eq!(
        ben.post(&format!("/fernhill/conversations/{id}/resolve"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        mia.post(&format!("/fernhill/conversations/{id}/resolve"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        mia.get(ABILITY).await.texts(&format!("#{anchor} h3")),
        vec!["Is M3 too high? resolved"]
    );
    assert_eq!(
        eddie
            .post(&format!("/fernhill/conversations/{id}/reopen"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        mia.get(ABILITY).await.texts(&format!("#{anchor} h3")),
        vec!["Is M3 too high?"]
    );

    // Roles and positions have conversations too.
    let role = mia
        .post(
            "/fernhill/roles/mentor/conversations",
            &[("title", "Who mentors whom?"), ("body", "A list?")],
        )
        .await;
    assert!(
        role.location()
            .starts_with("/fernhill/roles/mentor#thread-")
    );
    assert!(
        mia.get("/fernhill/roles/mentor")
            .await
            .text()
            .contains("Who mentors whom?")
    );
    let position = mia
        .post(
            "/fernhill/positions/staff-engineer/conversations",
            &[("title", "90 miles?"), ("body", "Why 90?")],
        )
        .await;
    assert_eq!(position.status, StatusCode::SEE_OTHER);
    // A thread of another organization is not found through ours.
    assert_eq!(
        mia.post("/acme/conversations/x/replies", &[("body", "hi")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_health_report_lists_every_ability_and_framework_findings() {
    let app = TestApp::new().await;
    app.import(&crate::support::DEMO.replacen(
        "miles: { at_least: 90 }",
        "miles: { at_least: 900 }",
        1,
    ))
    .await;
    let page = app.get("/fernhill/health").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("table.health-table tbody tr").len(), 8);
    assert_eq!(
        page.texts("section[aria-labelledby=findings] li"),
        vec![
            "⛔️ critical: No one could meet the miles of Staff Engineer: it asks for 900, and holding every ability at milestone 5 gives 160."
        ]
    );
    assert!(page.text().contains("Worst finding: critical"));
    assert!(
        app.get("/fernhill")
            .await
            .links("main a")
            .iter()
            .any(|(h, _)| h == "/fernhill/health")
    );
    let org = app.org("fernhill").await;
    cairn_store::orgs::set_published(&app.db.store, &org.id, false, 1)
        .await
        .expect("unpublish");
    assert_eq!(
        app.get("/fernhill/health").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_section_renders_for_each_visitor_kind_and_only_members_see_member_data() {
    let app = TestApp::with_demo().await;
    let mut member = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    member
        .post(
            &format!("{ABILITY}/conversations"),
            &[("title", "Members-only topic"), ("body", "Quokka")],
        )
        .await;
    let mut editor = app
        .member(
            "fernhill",
            "eddie@example.com",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;
    let outsider = app.person("olga@other.example").await;
    let mut outsider = app.signed_in(&outsider).await;
    let pages = [
        ("anonymous", app.get(ABILITY).await, false, false),
        ("member", member.get(ABILITY).await, true, false),
        ("editor", editor.get(ABILITY).await, true, true),
        (
            "other organization",
            outsider.get(ABILITY).await,
            false,
            false,
        ),
    ];
    for (name, page, is_member, is_editor) in pages {
        assert_eq!(page.status, StatusCode::OK, "{name}");
        assert_eq!(
            page.texts("article.ability h2").len(),
            10,
            "{name}: every section"
        );
        assert_eq!(page.texts("section.milestone .miles").len(), 5, "{name}");
        // The reference page's five, and who holds what requires it.
        assert_eq!(page.texts("ul.health li").len(), 6, "{name}");
        assert_eq!(
            page.texts("ul.requirements a"),
            vec!["On-call Responders must be milestone 2+"],
            "{name}"
        );
        assert!(
            page.text().contains("has not been publicly recognized yet"),
            "{name}"
        );
        let notice = page
            .text()
            .contains("This section is for Fernhill folks only.");
        assert_eq!(notice, !is_member, "{name}: members-only notice");
        assert_eq!(
            page.body.contains("Quokka") && page.body.contains("Members-only topic"),
            is_member,
            "{name}: thread data"
        );
        assert_eq!(
            page.links("a").iter().any(|(h, _)| h.ends_with("/edit")),
            is_editor,
            "{name}: edit link"
        );
    }
}

#[tokio::test]
async fn admins_set_the_health_thresholds_with_checks() {
    let app = TestApp::with_demo().await;
    let mut admin = app
        .member(
            "fernhill",
            "ada@example.com",
            Capabilities::of(&[Capability::Admin]),
        )
        .await;
    let form = |stale: &'static str, critical: &'static str| {
        [
            ("name", "Fernhill"),
            ("published", "on"),
            ("stale_days", stale),
            ("critical_days", critical),
            ("awards_by", "both"),
        ]
    };
    let bad = admin.post("/fernhill/settings", &form("400", "300")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.texts(".form-errors li"),
        vec!["Critical comes after the warning: give more days."]
    );
    let bad = admin.post("/fernhill/settings", &form("soon", "0")).await;
    assert_eq!(bad.texts(".form-errors li").len(), 2);
    assert_eq!(
        admin
            .post("/fernhill/settings", &form("10", "20"))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    app.advance(15 * 24 * 3600 * 1000);
    assert!(
        app.get(ABILITY)
            .await
            .texts("ul.health li")
            .contains(&"⚠️ warning: Last updated: 15 days ago".to_owned())
    );
}

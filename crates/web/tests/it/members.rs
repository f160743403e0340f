use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability, MemberStatus};
use cairn_store::members;
use cairn_store::people::PersonId;

use crate::support::{Member, PASSWORD, Page, TestApp};

fn invitation_link(page: &Page) -> String {
    let link = page.texts("code.secret").pop().expect("link shown");
    link.split_once("/invite/")
        .map(|(_, t)| format!("/invite/{t}"))
        .expect("invite path")
}

#[tokio::test]
async fn a_person_starts_an_organization_and_owns_it() {
    let app = TestApp::new().await;
    let ana_person = app.person("ana@example.com").await;
    let mut ana = app.signed_in(&ana_person).await;
    let cases: &[(&str, &str, &str)] = &[
        (
            "Acme",
            "admin",
            "\"admin\" is a reserved word and cannot be an organization slug",
        ),
        (
            "Acme",
            "Acme Corp",
            "A slug uses only lowercase letters, digits and hyphens, and starts and ends with a letter or digit (got \"Acme Corp\")",
        ),
        ("", "acme", "The organization name must not be empty"),
    ];
    for (name, slug, error) in cases {
        let page = ana.post("/new", &[("name", name), ("slug", slug)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{slug}");
        assert_eq!(
            page.texts(".field-error"),
            vec![format!("Error: {error}")],
            "{slug}"
        );
    }
    let page = ana
        .post("/new", &[("name", "Acme"), ("slug", "acme")])
        .await;
    assert_eq!(
        (page.status, page.location()),
        (StatusCode::SEE_OTHER, "/acme")
    );
    let org = app.org("acme").await;
    let (caps, _) = members::membership(&app.db.store, &org.id, &ana_person.id)
        .await
        .expect("read")
        .expect("member");
    assert!(caps.holds(Capability::Owner));
    assert!(org.published, "published by default");

    let ben = app.person("ben@example.com").await;
    let mut ben = app.signed_in(&ben).await;
    let taken = ben
        .post("/new", &[("name", "Acme Two"), ("slug", "acme")])
        .await;
    assert_eq!(
        taken.texts(".field-error"),
        vec!["Error: The address acme is taken. Choose another."]
    );
}

#[tokio::test]
async fn an_invitation_link_works_once_and_expires() {
    let app = TestApp::with_demo().await;
    let mut admin = app
        .member(
            "fernhill",
            "ada@example.com",
            Capabilities::of(&[Capability::Admin]),
        )
        .await;
    let created = admin
        .post("/fernhill/settings/invitations", &[("note", "Sam")])
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let link = invitation_link(&created);

    // A newcomer opens it, is sent to sign up, and comes back to join.
    let mut sam = app.anon();
    let invite = sam.get(&link).await;
    assert_eq!(invite.status, StatusCode::OK);
    assert_eq!(invite.texts("h1"), vec!["Join Fernhill"]);
    let signup = invite
        .links("main a")
        .into_iter()
        .find(|(_, t)| t.starts_with("Sign up"))
        .expect("sign up link")
        .0;
    assert!(signup.starts_with("/signup?next=/invite/"));
    let next = link.clone();
    let done = sam
        .post(
            "/signup",
            &[
                ("name", "Sam"),
                ("email", "sam@example.com"),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(done.location(), link);
    let joined = sam.post(&link, &[]).await;
    assert_eq!(
        (joined.status, joined.location()),
        (StatusCode::SEE_OTHER, "/fernhill")
    );
    assert_eq!(sam.get("/fernhill/people").await.status, StatusCode::OK);

    // Single use.
    let ben = app.person("ben@example.com").await;
    let mut ben = app.signed_in(&ben).await;
    let again = ben.post(&link, &[]).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.text().contains("already used"));
    assert_eq!(
        ben.get("/fernhill/people").await.status,
        StatusCode::NOT_FOUND
    );

    // Expiry.
    let second = invitation_link(
        &admin
            .post("/fernhill/settings/invitations", &[("note", "")])
            .await,
    );
    app.advance(15 * 24 * 3600 * 1000);
    let late = ben.post(&second, &[]).await;
    assert_eq!(late.status, StatusCode::GONE);
    assert!(late.text().contains("expired"));
    assert_eq!(ben.get(&second).await.status, StatusCode::GONE);

    // Revocation, and an unknown link.
    let third_page = admin
        .post("/fernhill/settings/invitations", &[("note", "Revoke me")])
        .await;
    let third = invitation_link(&third_page);
    let list = admin.get("/fernhill/settings/invitations").await;
    let states: Vec<String> = list.texts("tbody tr");
    assert!(
        states
            .iter()
            .any(|r| r.starts_with("Sam") && r.contains("used")),
        "{states:?}"
    );
    let sel = scraper::Selector::parse("tbody form").expect("sel");
    let revoke = list
        .html()
        .select(&sel)
        .next()
        .and_then(|f| f.value().attr("action"))
        .expect("revoke")
        .to_owned();
    assert_eq!(admin.post(&revoke, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(ben.post(&third, &[]).await.status, StatusCode::GONE);
    assert_eq!(
        ben.get(&format!("/invite/{}", "0".repeat(64))).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_departed_member_loses_access_at_once() {
    let app = TestApp::with_demo().await;
    let mut admin = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await
        .client;
    let Member {
        client: mut mia,
        id: mia_id,
    } = app
        .join(
            "fernhill",
            "mia",
            Capabilities::of(&[Capability::FrameworkEditor]),
        )
        .await;
    assert_eq!(mia.get("/fernhill/people").await.status, StatusCode::OK);
    let page = admin
        .post(
            &format!("/fernhill/settings/members/{}", mia_id.as_str()),
            &[("cap_framework_editor", "on"), ("departed", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        mia.get("/fernhill/people").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        mia.get("/api/v1/orgs/fernhill/members").await.status,
        StatusCode::NOT_FOUND
    );
    // The public framework is still public to them, like to anyone.
    assert_eq!(mia.get("/fernhill").await.status, StatusCode::OK);
    let org = app.org("fernhill").await;
    let (_, status) = members::membership(&app.db.store, &org.id, &mia_id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        status,
        MemberStatus::Departed,
        "the membership (and what they wrote) stays"
    );
    let list = admin.get("/fernhill/people").await;
    assert!(list.texts("li.departed strong").contains(&"mia".to_owned()));
}

#[tokio::test]
async fn managers_form_no_loops() {
    let app = TestApp::with_demo().await;
    let Member {
        client: mut admin,
        id: ada,
    } = app
        .join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
        .await;
    let ben = app.join("fernhill", "ben", Capabilities::NONE).await.id;
    let cy = app.join("fernhill", "cy", Capabilities::NONE).await.id;
    let set = |who: &PersonId| format!("/fernhill/settings/members/{}", who.as_str());
    // cy → ben → ada
    assert_eq!(
        admin
            .post(&set(&cy), &[("manager", ben.as_str())])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        admin
            .post(&set(&ben), &[("manager", ada.as_str()), ("cap_admin", "")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // ada → cy would close the loop.
    let page = admin
        .post(&set(&ada), &[("manager", cy.as_str()), ("cap_admin", "on")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".form-errors li"),
        vec!["ada cannot report to someone who reports to them."]
    );
    let list = admin.get("/fernhill/people").await;
    assert!(list.text().contains("Reports to ben"));
    let org = app.org("fernhill").await;
    let ada_row = members::list(&app.db.store, &org.id)
        .await
        .expect("list")
        .into_iter()
        .find(|m| m.person.id == ada)
        .expect("ada");
    assert_eq!(ada_row.manager, None, "nothing changed");
}

#[tokio::test]
async fn only_owners_grant_admin_and_an_organization_keeps_an_owner() {
    let app = TestApp::with_demo().await;
    let mut admin = app
        .member(
            "fernhill",
            "ada@example.com",
            Capabilities::of(&[Capability::Admin]),
        )
        .await;
    let Member {
        client: mut owner,
        id: owen,
    } = app
        .join("fernhill", "owen", Capabilities::of(&[Capability::Owner]))
        .await;
    let mia = app.join("fernhill", "mia", Capabilities::NONE).await.id;
    let org = app.org("fernhill").await;
    let caps_of = |p: PersonId| {
        let store = app.db.store.clone();
        let org = org.id.clone();
        async move {
            members::membership(&store, &org, &p)
                .await
                .expect("read")
                .expect("member")
                .0
        }
    };
    // An admin may grant framework editor, not admin.
    admin
        .post(
            &format!("/fernhill/settings/members/{}", mia.as_str()),
            &[("cap_admin", "on"), ("cap_framework_editor", "on")],
        )
        .await;
    assert_eq!(
        caps_of(mia.clone()).await,
        Capabilities::of(&[Capability::FrameworkEditor])
    );
    // An owner may.
    owner
        .post(
            &format!("/fernhill/settings/members/{}", mia.as_str()),
            &[("cap_admin", "on")],
        )
        .await;
    assert_eq!(
        caps_of(mia.clone()).await,
        Capabilities::of(&[Capability::Admin])
    );
    // The only owner cannot stop being one.
    let page = owner
        .post(
            &format!("/fernhill/settings/members/{}", owen.as_str()),
            &[("cap_admin", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".form-errors li"),
        vec!["owen is the only owner. Make someone else an owner first."]
    );
    assert!(caps_of(owen).await.holds(Capability::Owner));
}

#[tokio::test]
async fn emails_are_shown_only_to_those_who_manage_members() {
    let app = TestApp::with_demo().await;
    let mut member = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    let mut admin = app
        .member(
            "fernhill",
            "ada@example.com",
            Capabilities::of(&[Capability::Admin]),
        )
        .await;
    assert!(
        !member
            .get("/fernhill/people")
            .await
            .body
            .contains("ada@example.com")
    );
    assert!(
        member
            .get("/fernhill/people")
            .await
            .texts("details")
            .is_empty(),
        "no controls for members"
    );
    assert!(
        admin
            .get("/fernhill/people")
            .await
            .body
            .contains("mia@example.com")
    );
    assert!(
        !member
            .get("/api/v1/orgs/fernhill/members")
            .await
            .body
            .contains("@example.com")
    );
}

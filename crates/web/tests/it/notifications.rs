//! Who is told of what, through the real router: for every kind of event,
//! every person told can open the page the notification links to, and
//! nobody else was told.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use cairn_domain::ItemKind;
use cairn_domain::awards::AwardVisibility;
use cairn_domain::check_ins::Side;
use cairn_domain::jobs::day_of;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Level, Markdown, Slug};
use cairn_store::awards::{self, NewAward};
use cairn_store::check_ins::{self, SideWrite};
use cairn_store::observations::{self, Draft};
use cairn_store::{conversations, jobs, members, notifications};

use crate::support::TestApp;

#[tokio::test]
async fn every_person_told_may_open_what_they_are_told_of_and_nobody_else_is_told() {
    let app = TestApp::with_demo().await;
    let store = &app.db.store;
    let org = app.org("fernhill").await;
    let none = Capabilities::of(&[]);
    let mut cast = [
        app.join("fernhill", "olive", none).await,
        app.join("fernhill", "ana", none).await,
        app.join("fernhill", "max", none).await,
        app.join(
            "fernhill",
            "lea",
            Capabilities::of(&[Capability::PeopleLead]),
        )
        .await,
        app.join("fernhill", "ada", Capabilities::of(&[Capability::Admin]))
            .await,
        app.join("fernhill", "zed", none).await,
    ];
    let names = ["olive", "ana", "max", "lea", "ada", "zed"];
    let id = |i: usize| cast[i].id.clone();
    let (olive, ana, max, lea) = (id(0), id(1), id(2), id(3));
    members::set_manager(store, &org.id, &ana, Some(&max))
        .await
        .expect("set")
        .expect("no loop");
    let slug = |s: &str| Slug::parse(s).expect("slug");

    // Observed: at every level; only observees who may read it are told.
    for privacy in Privacy::ALL {
        let o = observations::create(
            store,
            &org.id,
            &olive,
            &Draft {
                observees: vec![ana.clone()],
                story: Markdown::new("Ana ran the retro."),
                observed_on: 1,
                ratings: vec![(slug("mentoring"), Rating::Strong)],
            },
            10,
        )
        .await
        .expect("create")
        .expect("draft");
        observations::publish(store, &org.id, &o, privacy, 11)
            .await
            .expect("publish");
    }
    // Awarded and revoked.
    awards::award(
        store,
        &org.id,
        &lea,
        &NewAward {
            recipient: ana.clone(),
            ability: slug("mentoring"),
            levels: vec![Level::ALL[0]],
            note: String::new(),
            visibility: AwardVisibility::Private,
            evidence: vec![],
        },
        20,
    )
    .await
    .expect("award");
    let award = awards::of_person(store, &org.id, &ana)
        .await
        .expect("awards")[0]
        .id
        .clone();
    awards::revoke(store, &org.id, &award, &lea, true, true, 21)
        .await
        .expect("revoke")
        .expect("revoked");
    // Replied and resolved: olive starts, ana and zed reply, olive resolves.
    let subject = conversations::subject(store, &org.id, ItemKind::Ability, "mentoring")
        .await
        .expect("read")
        .expect("subject");
    let c = conversations::start(store, &org.id, &subject, &olive, "Why?", "Because.", 30)
        .await
        .expect("start");
    conversations::reply(store, &org.id, &c, &ana, "Agreed.", 31)
        .await
        .expect("reply");
    conversations::reply(store, &org.id, &c, &id(5), "Me too.", 32)
        .await
        .expect("reply");
    conversations::set_resolved(store, &org.id, &c, &olive, true, 33)
        .await
        .expect("resolve");
    // A check-in: the manager opens it, each side completes.
    let ci = check_ins::open(store, &org.id, &ana, &slug("engineer-1"), false, &max, 40)
        .await
        .expect("open")
        .expect("opened");
    for (side, author) in [(Side::Member, &ana), (Side::Manager, &max)] {
        check_ins::save_side(
            store,
            &org.id,
            &ci,
            &SideWrite {
                side,
                author,
                entries: &[],
                added: &[],
                complete: true,
            },
            41,
        )
        .await
        .expect("save")
        .expect("saved");
    }
    // A job change by the people lead.
    let engineer = slug("engineer-1");
    jobs::change(
        store,
        &org.id,
        &ana,
        &jobs::Change {
            position: Some(&engineer),
            roles: &[],
            team: None,
            since: day_of(50),
            note: "",
            by: &lea,
            client_ip: "",
        },
        50,
    )
    .await
    .expect("change")
    .expect("changed");

    // Who was told what.
    let mut told = BTreeSet::new();
    for (i, member) in cast.iter_mut().enumerate() {
        let (inbox, _) = notifications::inbox(store, &member.id, 0)
            .await
            .expect("inbox");
        for n in inbox {
            told.insert((names[i], n.kind.as_str()));
            let opened = member
                .client
                .post(&format!("/notifications/{}/open", n.id), &[])
                .await;
            assert_eq!(opened.status, StatusCode::SEE_OTHER);
            let page = member.client.get(opened.location()).await;
            assert_eq!(page.status, StatusCode::OK, "{} opens {}", names[i], n.href);
        }
    }
    let want: BTreeSet<(&str, &str)> = [
        ("ana", "observed"),
        ("ana", "awarded"),
        ("ana", "revoked"),
        ("olive", "replied"),
        ("ana", "replied"),
        ("ana", "resolved"),
        ("zed", "resolved"),
        ("ana", "check_in"),
        ("max", "check_in"),
        ("ana", "job"),
    ]
    .into_iter()
    .collect();
    assert_eq!(told, want);
    // Observed: once per observation ana may read (observees, observees and
    // managers, organization, public), not for managers-only or journal.
    let (inbox, _) = notifications::inbox(store, &ana, 0).await.expect("inbox");
    let observed = inbox
        .iter()
        .filter(|n| n.kind.as_str() == "observed")
        .count();
    assert_eq!(observed, 4);
}

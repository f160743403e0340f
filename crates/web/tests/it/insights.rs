//! `/{org}/insights`, its CSV and its JSON, through the router: what
//! people leads and managers see, what nobody learns (a group under five,
//! an observation they could not read), and the recency of milestones on
//! the journey and the health report.

use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Markdown, Name, Slug};
use cairn_store::jobs::{self, Change};
use cairn_store::observations::{self, Draft};
use cairn_store::people::PersonId;
use cairn_store::{members, teams};
use serde_json::Value;

use crate::support::{Member, START, TestApp};

const DAY: i64 = 86_400_000;

/// Fernhill with a people lead and two teams of six: Web is observed by
/// Ops every week; Ops is never observed. Returns the lead and the teams'
/// members.
async fn skewed(app: &TestApp) -> (Member<'_>, Vec<PersonId>, Vec<PersonId>) {
    let lead = app
        .join(
            "fernhill",
            "lena",
            Capabilities::NONE.with(Capability::PeopleLead),
        )
        .await;
    let org = app.org("fernhill").await;
    for (slug, name) in [("ops", "Ops"), ("web", "Web")] {
        teams::save(
            &app.db.store,
            &org.id,
            &Slug::parse(slug).expect("slug"),
            &Name::parse(name, "n").expect("name"),
            None,
            true,
            START,
        )
        .await
        .expect("save")
        .expect("saved");
    }
    let (mut ops, mut web) = (Vec::new(), Vec::new());
    let put = |person: PersonId, team: &'static str| {
        let (org, by) = (org.id.clone(), lead.id.clone());
        async move {
            let team = Slug::parse(team).expect("slug");
            let change = Change {
                position: None,
                roles: &[],
                team: Some(&team),
                since: cairn_domain::jobs::day_of(START - 400 * DAY),
                note: "",
                by: &by,
                client_ip: "",
            };
            jobs::change(&app.db.store, &org, &person, &change, START)
                .await
                .expect("change")
                .expect("changed");
        }
    };
    // The lead works in Ops too, and is never observed either.
    put(lead.id.clone(), "ops").await;
    for i in 0..12 {
        let (team, list) = if i < 6 {
            ("ops", &mut ops)
        } else {
            ("web", &mut web)
        };
        let m = app
            .join("fernhill", &format!("{team}{i}"), Capabilities::NONE)
            .await;
        put(m.id.clone(), team).await;
        list.push(m.id);
    }
    for week in 0..8 {
        for (i, observee) in web.iter().enumerate() {
            observe(
                app,
                &ops[i],
                observee,
                START - week * 7 * DAY,
                Privacy::Organization,
                Rating::Strong,
            )
            .await;
        }
    }
    (lead, ops, web)
}

async fn observe(
    app: &TestApp,
    by: &PersonId,
    of: &PersonId,
    on: i64,
    privacy: Privacy,
    rating: Rating,
) {
    let org = app.org("fernhill").await;
    let draft = Draft {
        observees: vec![of.clone()],
        story: Markdown::new("Shipped the fix with tests."),
        observed_on: on,
        ratings: vec![(Slug::parse("testing").expect("slug"), rating)],
    };
    observations::create_published(&app.db.store, &org.id, by, &draft, privacy, on)
        .await
        .expect("write")
        .expect("saved");
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).expect("json")
}

fn group<'a>(report: &'a Value, by: &str, name: &str) -> &'a Value {
    report["report"]["coverage"]["breakdowns"]
        .as_array()
        .expect("breakdowns")
        .iter()
        .find(|b| b["by"] == by)
        .and_then(|b| {
            b["groups"]
                .as_array()
                .expect("groups")
                .iter()
                .find(|g| g["name"] == name)
        })
        .unwrap_or_else(|| panic!("{by}: {name} in {report}"))
}

#[tokio::test]
async fn a_team_never_observed_shows_on_the_page_in_the_csv_and_in_the_api() {
    let app = TestApp::with_demo().await;
    let (mut lead, ops, _) = skewed(&app).await;
    let page = lead.client.get("/fernhill/insights").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("table tr");
    let ops_row = rows
        .iter()
        .find(|r| r.starts_with("Ops") && r.contains("100 %"))
        .unwrap_or_else(|| panic!("Ops never observed: {rows:?}"));
    assert!(ops_row.contains("0.0"), "{ops_row}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Web") && r.contains("0 %")),
        "{rows:?}"
    );
    // Everyone in Ops is listed as not observed, with a link to their journey.
    let listed = page.links("#not-observed ~ ul a, section[aria-labelledby=not-observed] li a");
    for p in &ops {
        assert!(
            listed.iter().any(|(href, _)| href.ends_with(p.as_str())),
            "{p:?} in {listed:?}"
        );
    }
    // The pictures are there, each with its name, and the numbers beside.
    assert!(
        page.body
            .contains(r#"role="img" aria-label="Members by observations received"#)
    );
    assert!(
        page.body.contains("class=\"heat"),
        "the team matrix is drawn"
    );

    let csv = lead.client.get("/fernhill/insights/insights.csv").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .contains("coverage by team,Ops,share received none,1.000"),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains("coverage by team,Web,share received none,0.000"),
        "{}",
        csv.body
    );

    let api = json(&lead.client.get("/api/v1/orgs/fernhill/insights").await.body);
    assert_eq!(group(&api, "team", "Ops")["mean"], 0.0);
    assert_eq!(group(&api, "team", "Ops")["without_share"], 1.0);
    assert_eq!(group(&api, "team", "Web")["mean"], 8.0 * 90.0 / 90.0);
    let matrix = &api["report"]["matrix"];
    assert_eq!(matrix["columns"], serde_json::json!(["Ops", "Web"]));
    let ops_row = matrix["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["team"] == "Ops")
        .expect("Ops row");
    assert_eq!(ops_row["cells"], serde_json::json!([null, 48]));
    // Ops and the lead, who is in no team and never observed.
    assert_eq!(
        api["not_observed"]["total"].as_u64().expect("total"),
        ops.len() as u64 + 1
    );
}

/// Every number the API shows about a group is about five or more people.
fn assert_no_small_group(v: &Value) {
    let r = &v["report"];
    if r["people"].is_null() {
        assert!(
            r["coverage"].is_null() && r["matrix"].is_null() && r["ratings"].is_null(),
            "{v}"
        );
        assert!(
            v["not_observed"]["total"].is_null()
                && v["not_observed"]["members"] == serde_json::json!([]),
            "{v}"
        );
        return;
    }
    assert!(r["people"].as_u64().expect("people") >= 5);
    for b in r["coverage"]["breakdowns"].as_array().expect("breakdowns") {
        for g in b["groups"].as_array().expect("groups") {
            match g["members"].as_u64() {
                Some(n) => assert!(n >= 5, "{g}"),
                None => assert!(
                    g["mean"].is_null() && g["histogram"].is_null() && !g["hidden"].is_null(),
                    "{g}"
                ),
            }
        }
    }
    for row in r["matrix"]["rows"].as_array().into_iter().flatten() {
        for c in row["cells"].as_array().expect("cells") {
            assert!(c.is_null() || c.as_u64().expect("count") >= 5, "{row}");
        }
    }
    if let Some(p) = r["ratings"].as_object() {
        let groups = p["abilities"].as_array().expect("abilities").iter().chain(
            p["breakdowns"]
                .as_array()
                .expect("breakdowns")
                .iter()
                .flat_map(|b| b["groups"].as_array().expect("groups")),
        );
        for g in groups {
            assert!(
                g["spread"].is_null() || g["spread"]["raters"].as_u64().expect("raters") >= 5,
                "{g}"
            );
        }
    }
}

#[tokio::test]
async fn no_answer_tells_of_a_group_under_five_or_an_observation_its_reader_could_not_read() {
    let app = TestApp::with_demo().await;
    let (mut lead, ops, web) = skewed(&app).await;
    let org = app.org("fernhill").await;
    // A manager of three: fewer than five in scope, so nothing at all.
    let mut sam = app.join("fernhill", "sam", Capabilities::NONE).await;
    for p in &ops[..3] {
        members::set_manager(&app.db.store, &org.id, p, Some(&sam.id))
            .await
            .expect("set")
            .expect("ok");
    }
    let page = sam.client.get("/fernhill/insights").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Fewer than 5 people are in scope"),
        "{}",
        page.text()
    );
    assert!(
        page.texts("#not-observed").is_empty(),
        "no list under a hidden group"
    );
    let api = json(&sam.client.get("/api/v1/orgs/fernhill/insights").await.body);
    assert_eq!(api["scope"], "reports");
    assert_no_small_group(&api);
    let csv = sam.client.get("/fernhill/insights/insights.csv").await;
    assert!(
        csv.body.contains("coverage,everyone,members,fewer than 5"),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains("coverage by"), "{}", csv.body);

    // "Reports of sam" is a group of three: hidden, and so is whatever
    // would let it be worked out; the rest of the report is unchanged.
    let before = json(&lead.client.get("/api/v1/orgs/fernhill/insights").await.body);
    assert_no_small_group(&before);
    assert_eq!(
        group(&before, "manager", "Reports of sam")["hidden"],
        "fewer_than_five"
    );

    // Observations the lead could not read, and sensitive ratings, change
    // no figure of any answer.
    for privacy in [
        Privacy::Journal,
        Privacy::Observees,
        Privacy::Managers,
        Privacy::ObserveesAndManagers,
    ] {
        observe(&app, &web[0], &ops[0], START, privacy, Rating::Strong).await;
    }
    observe(
        &app,
        &web[1],
        &ops[1],
        START,
        Privacy::Organization,
        Rating::Concerning,
    )
    .await;
    let after = json(&lead.client.get("/api/v1/orgs/fernhill/insights").await.body);
    let strip = |mut v: Value| {
        // Only the list of the not-observed may differ: ops1 is now observed.
        v["not_observed"] = Value::Null;
        v["report"]["coverage"] = Value::Null;
        v["report"]["concentration"] = Value::Null;
        v["report"]["matrix"] = Value::Null;
        v
    };
    assert_eq!(
        before["report"]["ratings"], after["report"]["ratings"],
        "a Concerning rating is never counted"
    );
    assert_eq!(strip(before.clone()), strip(after.clone()));
    let received = |v: &Value| {
        v["report"]["coverage"]["received"]
            .as_u64()
            .expect("received")
    };
    assert_eq!(
        received(&after),
        received(&before) + 1,
        "only the shared one counts"
    );
    assert_no_small_group(&after);

    // A plain member is refused, as the route table says; so is an
    // unknown period, with a reason.
    let mut mia = app.join("fernhill", "mia", Capabilities::NONE).await;
    assert_eq!(mia.client.get("/fernhill/insights").await.status, 404);
    assert_eq!(
        mia.client
            .get("/api/v1/orgs/fernhill/insights")
            .await
            .status,
        404
    );
    let bad = lead.client.get("/fernhill/insights?days=3").await;
    assert!(
        bad.text().contains("whole number of days from 7 to 1095"),
        "{}",
        bad.text()
    );
}

#[tokio::test]
async fn the_journey_and_the_health_report_show_how_recent_milestones_are() {
    let app = TestApp::demo_instance().await;
    let org = app.org("fernhill").await;
    let store = &app.db.store;
    let by_email = |e: &'static str| async move {
        let e = cairn_domain::people::Email::parse(e).expect("email");
        cairn_store::people::by_email(store, &e)
            .await
            .expect("read")
            .expect("demo person")
            .0
    };
    // Omar is an admin and a people lead; Nadia holds the oldest awards.
    let mut omar = app
        .signed_in(&by_email("omar@fernhill.example").await)
        .await;
    let nadia = by_email("nadia@fernhill.example").await;
    // The settings: 6 months makes the demo's older awards stale.
    let saved = omar
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("published", "on"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
                ("desert_days", "30"),
                ("stale_months", "6"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(
        cairn_store::insights::settings(&app.db.store, &org.id)
            .await
            .expect("read"),
        (30, 6)
    );
    let refused = omar
        .post(
            "/fernhill/settings",
            &[
                ("name", "Fernhill"),
                ("stale_days", "183"),
                ("critical_days", "365"),
                ("awards_by", "both"),
                ("stale_months", "999"),
            ],
        )
        .await;
    assert!(
        refused.text().contains("Give a number of months from 0"),
        "{}",
        refused.text()
    );
    assert_eq!(
        cairn_store::insights::settings(&app.db.store, &org.id)
            .await
            .expect("read"),
        (30, 6),
        "a refused form changes nothing"
    );

    app.advance(400 * DAY);
    let health = omar.get("/fernhill/health").await;
    let line = health
        .texts("ul.health li")
        .into_iter()
        .find(|l| l.contains("not evidenced in 6 months"))
        .unwrap_or_else(|| panic!("{}", health.text()));
    assert!(line.contains("milestones not evidenced"), "{line}");
    assert!(
        !app.anon()
            .get("/fernhill/health")
            .await
            .text()
            .contains("not evidenced"),
        "outsiders do not see it"
    );

    let journey = omar
        .get(&format!("/fernhill/people/{}", nadia.id.as_str()))
        .await;
    let awards = journey.texts("ul.awards li");
    assert!(
        awards
            .iter()
            .any(|a| a.contains("last evidenced") && a.contains("months ago")),
        "{awards:?}"
    );
}

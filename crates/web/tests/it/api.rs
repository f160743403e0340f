use axum::http::StatusCode;
use cairn_domain::membership::Capabilities;
use serde_json::Value;

use crate::support::TestApp;

fn json(page: &crate::support::Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("json: {e}: {}", page.body))
}

#[tokio::test]
async fn every_documented_operation_answers_with_the_same_policy_as_the_pages() {
    let app = TestApp::with_demo().await;
    let mut member = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    let mut lead = app
        .member(
            "fernhill",
            // After mia by name: the first member is the {person} below.
            "zoe@example.com",
            Capabilities::of(&[cairn_domain::membership::Capability::PeopleLead]),
        )
        .await;
    member
        .post(
            "/fernhill/abilities/mentoring/conversations",
            &[("title", "Hi"), ("body", "Zebra secret")],
        )
        .await;
    let org = app.org("fernhill").await;
    let mia = cairn_store::members::list(&app.db.store, &org.id)
        .await
        .expect("list")
        .remove(0)
        .person
        .id;
    let created = member
        .post(
            "/fernhill/observations/new",
            &[
                ("observee", mia.as_str()),
                ("observed_on", "2024-01-02"),
                ("story", "Public story"),
            ],
        )
        .await;
    let obs_href = created.location().to_owned();
    member
        .post(&format!("{obs_href}/publish"), &[("privacy", "public")])
        .await;
    let obs_id = obs_href.rsplit('/').next().expect("id").to_owned();
    // Mia's own check-in, for the check-in paths' {id}.
    let opened = member
        .post(
            &format!("/fernhill/people/{}/check-ins", mia.as_str()),
            &[("position", "engineer-1")],
        )
        .await;
    let check_in = opened.location().rsplit('/').next().expect("id").to_owned();
    let outsider = app.person("olga@other.example").await;
    let mut outsider = app.signed_in(&outsider).await;
    // A published version, for the versions' paths.
    let current = cairn_store::framework::load(&app.db.store, &org)
        .await
        .expect("load");
    let snapshot = cairn_domain::file::write(current.framework(), cairn_domain::file::Format::Json)
        .expect("write");
    let p = cairn_store::versions::Publish {
        after: 0,
        read_at: current.version,
        snapshot: &snapshot,
        notes: "v1",
        by: None,
    };
    cairn_store::versions::publish(&app.db.store, &org.id, &p, 1)
        .await
        .expect("publish")
        .expect("v1");
    let case_id = |key: &str| cairn_domain::case::identifier(org.id.as_str(), key);
    let spec = json(&app.get("/api/v1/openapi.json").await);
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 18, "{}", paths.len());
    for (path, item) in paths {
        let op = &item["get"];
        for (code, response) in op["responses"].as_object().expect("responses") {
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{path} {code} has a description"
            );
        }
        let item = match path {
            p if p.contains("/roles/") => "mentor",
            p if p.contains("/positions/{item}") => "staff-engineer",
            _ => "mentoring",
        };
        let url = path
            .replace("{org}", "fernhill")
            .replace("{item}", item)
            .replace(
                "{id}",
                &match path {
                    p if p.contains("/check-ins/") => check_in.clone(),
                    p if p.contains("/CFItems/") => case_id("ability/mentoring"),
                    p if p.contains("/CFAssociations/") => {
                        case_id("association/child/ability/mentoring")
                    }
                    p if p.contains("/CFRubrics/") => case_id("rubric/mentoring"),
                    p if p.contains("/CFItemTypes/") => case_id("type/Ability"),
                    p if p.starts_with("/ims/") => {
                        cairn_domain::case::document_identifier(org.id.as_str())
                    }
                    _ => obs_id.clone(),
                },
            )
            .replace("{person}", mia.as_str())
            .replace("{number}", "1")
            .replace("{from}", "1")
            .replace("{to}", "latest")
            .replace("{position}", "engineer-1");
        let members_only = path.ends_with("/conversations")
            || path.ends_with("/members")
            || path.contains("/people/")
            || path.contains("/check-ins/");
        // People leads' lists: other members get what outsiders get.
        let leads_only = path.ends_with("/requirements") || path.ends_with("/insights");
        if leads_only {
            assert_eq!(
                member.get(&url).await.status,
                StatusCode::NOT_FOUND,
                "{url}"
            );
        }
        let caller = if leads_only { &mut lead } else { &mut member };
        let as_member = caller.get(&url).await;
        assert_eq!(
            as_member.status,
            StatusCode::OK,
            "{url} as member: {}",
            as_member.body
        );
        json(&as_member);
        let expected_outside = if path == "/api/v1/me" {
            StatusCode::UNAUTHORIZED
        } else if members_only || leads_only {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        let anon = app.get(&url).await;
        assert_eq!(anon.status, expected_outside, "{url} anonymous");
        if path != "/api/v1/me" {
            assert_eq!(
                outsider.get(&url).await.status,
                expected_outside,
                "{url} other organization"
            );
        }
        if anon.status != StatusCode::OK {
            assert_eq!(
                anon.header("content-type"),
                "application/problem+json",
                "{url}"
            );
            assert!(!anon.body.contains("Zebra"), "{url}: no members-only data");
        }
    }
}

#[tokio::test]
async fn the_ability_twin_carries_milestones_health_and_requirements() {
    let app = TestApp::with_demo().await;
    let a = json(
        &app.get("/api/v1/orgs/fernhill/abilities/incident-response")
            .await,
    );
    let miles: Vec<u64> = a["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .map(|m| m["miles"].as_u64().expect("miles"))
        .collect();
    assert_eq!(miles, vec![1, 3, 6, 12, 20]);
    assert_eq!(a["health"][0]["text"], "Associated with 1 role");
    assert_eq!(a["health"][1]["severity"], "warning");
    assert_eq!(a["required_by"][0]["label"], "On-call Responders");
    let p = json(&app.get("/api/v1/orgs/fernhill/positions").await);
    assert_eq!(p["positions"][2]["required_miles"], 30);
    let h = json(&app.get("/api/v1/orgs/fernhill/health").await);
    assert_eq!(h["worst"], "warning");
    let history = json(&app.get("/api/v1/orgs/fernhill/roles/mentor/history").await);
    assert_eq!(history["history"][0]["change"], "created");
    let missing = app.get("/api/v1/orgs/fernhill/abilities/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&missing)["status"], 404);
    assert_eq!(
        app.get("/api/v1/nothing/here").await.status,
        StatusCode::NOT_FOUND
    );
}

//! Change proposals through the router: any member proposes a change with
//! the item's own form and a rationale; it is a conversation on the item
//! that members support (once each) and discuss; framework editors accept
//! it (never over a later change without seeing it and confirming) or
//! decline it with a reason; accepted proposals go into the release notes
//! of the version that publishes them.

use axum::http::StatusCode;
use cairn_domain::membership::{Capabilities, Capability};

use crate::support::{Client, Page, TestApp};

const ITEM: &str = "/fernhill/abilities/code-quality";

fn form(name: &str, description: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("category", "Craft".to_owned()),
        ("description", description.to_owned()),
        ("m1_summary", "Writes working code.".to_owned()),
    ]
}

async fn propose(client: &mut Client<'_>, name: &str, rationale: &str) -> Page {
    let mut fields = form(name, "Code the next person can change.");
    fields.push(("rationale", rationale.to_owned()));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post(&format!("{ITEM}/propose"), &borrowed).await
}

fn value_of(page: &Page, selector: &str) -> Option<String> {
    let html = page.html();
    let s = scraper::Selector::parse(selector).expect("selector");
    html.select(&s)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

#[tokio::test]
async fn members_propose_support_and_editors_decide_without_overwriting_later_changes() {
    let app = TestApp::with_demo().await;
    let caps = Capabilities::of;
    let mut mia = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    let mut max = app
        .member("fernhill", "max@example.com", Capabilities::NONE)
        .await;
    let mut eddie = app
        .member(
            "fernhill",
            "eddie@example.com",
            caps(&[Capability::FrameworkEditor]),
        )
        .await;
    let mut anon = app.anon();
    let outsider = app.person("olga@other.example").await;
    let mut outsider = app.signed_in(&outsider).await;

    // The form is the editors' form, with a rationale; members only.
    let page = mia.get(&format!("{ITEM}/propose")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Propose a change to Code Quality"]);
    assert_eq!(
        value_of(&page, "input[name=name]").as_deref(),
        Some("Code Quality")
    );
    assert!(!page.texts("textarea#rationale").is_empty());
    for c in [&mut anon, &mut outsider] {
        let got = c.get(&format!("{ITEM}/propose")).await.status;
        assert!(
            got == StatusCode::NOT_FOUND || got == StatusCode::SEE_OTHER,
            "{got}"
        );
    }
    // No rationale, nothing changed, bad input: the form again, nothing kept.
    let no_why = propose(&mut mia, "Code Care", " ").await;
    assert_eq!(no_why.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_why.text().contains("Say why"));
    let nameless = propose(&mut mia, "", "Because.").await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!mia.get(ITEM).await.text().contains("Open proposal"));

    let made = propose(&mut mia, "Code Care", "Care says **more** than quality.").await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let href = made.location().to_owned();
    assert!(href.starts_with("/fernhill/proposals/"), "{href}");

    // Members read it; nobody outside does.
    let page = max.get(&href).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains("ability code-quality renamed from \u{201c}Code Quality\u{201d} to \u{201c}Code Care\u{201d}"),
        "{}",
        page.text()
    );
    assert!(page.html().html().contains("<strong>more</strong>"));
    assert!(page.texts("#accept").is_empty(), "members do not decide");
    assert!(
        anon.get(&href).await.location().starts_with("/login"),
        "to sign in"
    );
    assert_eq!(outsider.get(&href).await.status, StatusCode::NOT_FOUND);
    // It is a conversation on the item.
    let item = max.get(ITEM).await;
    assert!(
        item.text().contains("Open proposal · 0 supporters"),
        "{}",
        item.text()
    );
    assert!(item.links("a").iter().any(|(h, _)| h == &href));

    // Support: one per person, withdrawn and given again.
    let support = format!("{href}/support");
    for _ in 0..2 {
        max.post(&support, &[("support", "on")]).await;
    }
    mia.post(&support, &[("support", "on")]).await;
    assert!(
        max.get(&href)
            .await
            .text()
            .contains("2 people support it, you among them")
    );
    max.post(&support, &[("support", "off")]).await;
    assert!(
        max.get(&href)
            .await
            .text()
            .contains("1 person supports it.")
    );
    assert_eq!(
        anon.post(&support, &[("support", "on")]).await.status,
        StatusCode::SEE_OTHER,
        "anonymous: to sign in"
    );

    // Members cannot decide.
    for path in ["accept", "decline"] {
        let got = max
            .post(&format!("{href}/{path}"), &[("reason", "no")])
            .await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{path}");
    }

    // The item changes after the proposal: accepting shows the three
    // versions and needs a confirmation of what the editor saw.
    let mut later = form("Code Quality", "Edited meanwhile.");
    later.truncate(3);
    let borrowed: Vec<(&str, &str)> = later.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let edited = eddie.post(&format!("{ITEM}/edit"), &borrowed).await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.text());
    let unconfirmed = eddie.post(&format!("{href}/accept"), &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::CONFLICT);
    assert!(unconfirmed.text().contains("Changed since it was proposed"));
    let rows = unconfirmed.texts("tbody tr th");
    assert!(rows.contains(&"Description".to_owned()), "{rows:?}");
    assert!(
        anon.get(ITEM).await.text().contains("Code Quality"),
        "nothing written"
    );
    let stale = eddie
        .post(
            &format!("{href}/accept"),
            &[("confirm", "not what was shown")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let confirm = value_of(&unconfirmed, "input[name=confirm]").expect("the confirm field");
    let accepted = eddie
        .post(&format!("{href}/accept"), &[("confirm", &confirm)])
        .await;
    assert_eq!(
        accepted.status,
        StatusCode::SEE_OTHER,
        "{}",
        accepted.text()
    );
    assert!(anon.get(ITEM).await.text().contains("Code Care"));
    let done = max.get(&href).await;
    assert!(done.text().contains("Accepted"));
    assert!(
        done.texts("#support-button").is_empty(),
        "support is closed"
    );
    assert_eq!(
        max.post(&support, &[("support", "on")]).await.status,
        StatusCode::CONFLICT
    );
    let thread = max.get(ITEM).await;
    assert!(thread.text().contains("Accepted, and published."));
    assert_eq!(
        eddie
            .post(&format!("{href}/accept"), &[("confirm", &confirm)])
            .await
            .status,
        StatusCode::CONFLICT,
        "decided once"
    );

    // Declining needs a reason, which the thread shows.
    let second = propose(&mut mia, "Craft", "Shorter.").await;
    let second = second.location().to_owned();
    let no_reason = eddie
        .post(&format!("{second}/decline"), &[("reason", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().contains("Say why it is declined"));
    let declined = eddie
        .post(
            &format!("{second}/decline"),
            &[("reason", "Craft is a category already.")],
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER);
    let page = mia.get(&second).await;
    assert!(
        page.text()
            .contains("Declined: Craft is a category already.")
    );
    assert!(
        anon.get(ITEM).await.text().contains("Code Care"),
        "unchanged"
    );

    // Editing before accepting: the form holds the proposal; saving
    // accepts it with the editor's changes.
    let third = propose(&mut max, "Code Care and Feeding", "Funnier.").await;
    let third = third.location().to_owned();
    let id = third.rsplit('/').next().expect("id");
    let form_page = eddie.get(&format!("{ITEM}/edit?proposal={id}")).await;
    assert_eq!(
        value_of(&form_page, "input[name=name]").as_deref(),
        Some("Code Care and Feeding")
    );
    assert_eq!(
        value_of(&form_page, "input[name=proposal]").as_deref(),
        Some(id)
    );
    let mut edited = form("Code Care & Feeding", "Code the next person can change.");
    edited.push(("proposal", id.to_owned()));
    let borrowed: Vec<(&str, &str)> = edited.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = eddie.post(&format!("{ITEM}/edit"), &borrowed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert!(
        anon.get(ITEM)
            .await
            .text()
            .contains("Code Care &amp; Feeding")
            || anon.get(ITEM).await.text().contains("Code Care & Feeding")
    );
    assert!(mia.get(&third).await.text().contains("Accepted"));

    // The next version's release notes name the accepted proposals and
    // their authors, not the declined one.
    let changes = eddie.get("/fernhill/changes").await;
    let at = value_of(&changes, "input[name=read_at]").expect("read_at");
    let published = eddie
        .post(
            "/fernhill/changes",
            &[("after", "0"), ("read_at", &at), ("notes", "Care.")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    let public = anon.get("/fernhill/changes").await;
    let text = public.text();
    assert!(text.contains("Accepted proposals"), "{text}");
    assert!(text.contains("proposed by mia"), "{text}");
    assert!(text.contains("proposed by max"), "{text}");
    assert!(!text.contains("Shorter"), "{text}");
    let feed = anon.get("/fernhill/changes.atom").await;
    assert!(feed.body.contains("Accepted proposal: "), "{}", feed.body);
}

#[tokio::test]
async fn a_proposal_for_an_archived_item_cannot_be_accepted_and_drafts_take_accepted_ones() {
    let app = TestApp::new().await;
    // A copy of the demo where nothing requires Code Quality, so it can be
    // archived.
    let unrequired = crate::support::DEMO
        .replace("code-quality: 1, ", "")
        .replace("code-quality: 2, ", "")
        .replace("code-quality: 3, ", "")
        .replace(", code-quality: 3", "");
    assert!(!unrequired.contains("code-quality: "), "still required");
    app.import(&unrequired).await;
    let mut mia = app
        .member("fernhill", "mia@example.com", Capabilities::NONE)
        .await;
    let mut ada = app
        .member(
            "fernhill",
            "ada@example.com",
            Capabilities::of(&[Capability::FrameworkEditor, Capability::Admin]),
        )
        .await;
    let mut anon = app.anon();
    let first = propose(&mut mia, "Code Care", "Warmer.").await;
    let first = first.location().to_owned();
    // Archived after it was proposed: it cannot be accepted, nothing changes.
    let archived = ada.post(&format!("{ITEM}/archive"), &[]).await;
    assert_eq!(
        archived.status,
        StatusCode::SEE_OTHER,
        "{}",
        archived.text()
    );
    let page = ada.get(&first).await;
    assert!(
        page.text().contains("was archived after this proposal"),
        "{}",
        page.text()
    );
    let refused = ada.post(&format!("{first}/accept"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        ada.get(&first).await.texts("p.lede .chip"),
        ["Open"],
        "still open"
    );
    let restored = ada.post(&format!("{ITEM}/restore"), &[]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);

    // Drafting: accepting goes into the draft, readers see it once published.
    ada.post("/fernhill/settings/publishing", &[("publishing", "drafts")])
        .await;
    let accepted = ada.post(&format!("{first}/accept"), &[]).await;
    assert_eq!(
        accepted.location(),
        "/fernhill/changes#draft",
        "{}",
        accepted.text()
    );
    assert!(anon.get(ITEM).await.text().contains("Code Quality"));
    let changes = ada.get("/fernhill/changes").await;
    assert!(
        changes.text().contains("Accepted proposals in the draft"),
        "{}",
        changes.text()
    );
    let revision = value_of(&changes, "input[name=revision]").expect("revision");
    let at = value_of(&changes, "input[name=read_at]").expect("read_at");
    let published = ada
        .post(
            "/fernhill/changes",
            &[
                ("after", "0"),
                ("read_at", &at),
                ("revision", &revision),
                ("notes", "Warmer."),
            ],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    assert!(anon.get(ITEM).await.text().contains("Code Care"));
    assert!(
        anon.get("/fernhill/changes")
            .await
            .text()
            .contains("proposed by mia")
    );
}

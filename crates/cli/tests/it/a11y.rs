//! Accessibility in a real browser, on the demo: axe-core (WCAG 2.2 A and
//! AA rules) on every page type for an anonymous visitor, a member and an
//! admin, in light and dark, and on every form sent back with errors; no
//! page scrolls sideways on a 320 px phone; the error summary takes focus;
//! keyboard-only journeys with Tab, Shift-Tab, Enter and Space. Every page
//! is photographed at desktop, phone and dark into target/screenshots/.
//!
//! axe-core comes from npm (`tools/axe`, installed by `.ci/run`); without
//! it these tests say they were skipped, unless CAIRN_TEST_REQUIRE_BROWSER=1.

use std::path::{Path, PathBuf};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

use crate::browser::{
    Guard, Look, browser_as, create_user, fernhill, grant, shot, sign_in, start_server, wait_for,
};

/// The WCAG 2.2 A and AA rules (axe's tags for them).
const TAGS: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']";

fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            assert!(
                std::env::var("CAIRN_TEST_REQUIRE_BROWSER").map_or(true, |v| v != "1"),
                "CAIRN_TEST_REQUIRE_BROWSER=1 but {} is missing: npm ci --prefix tools/axe",
                path.display()
            );
            eprintln!(
                "SKIPPED accessibility test: axe-core is not installed (npm ci --prefix tools/axe)"
            );
            None
        }
    }
}

/// The demo, served, with three people who sign in with a password: a
/// member, an admin (also editor and people lead, so every page type is
/// theirs to see) and a people lead.
struct Demo {
    _server: Guard,
    _dir: tempfile::TempDir,
    base: String,
    /// Priya, a demo member with a manager, awards and observations.
    priya: String,
    /// A public observation of the demo.
    observation: String,
    /// Priya's finalized check-in.
    check_in: String,
    /// Mia's award, whose credential she is offered.
    mia_award: String,
    /// An Open Badges credential of one of Priya's awards.
    credential: String,
}

const MEMBER: &str = "mia@example.com";
const ADMIN: &str = "ada@example.com";
const LEAD: &str = "lee@example.com";

async fn demo() -> Demo {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let db = d.join("a11y.db").display().to_string();
    let (server, address) = start_server(d, &db);
    for (email, name, caps) in [
        (MEMBER, "Mia", &["member"][..]),
        (
            ADMIN,
            "Ada",
            &["admin", "framework-editor", "people-lead"][..],
        ),
        (LEAD, "Lee", &["people-lead"][..]),
    ] {
        create_user(d, &db, email, name);
        for cap in caps {
            grant(d, &db, email, cap);
        }
    }
    // A fork of the demo, for its upstream page.
    let out = crate::cairn(
        d,
        &[
            "--database-url",
            &db,
            "fork",
            "fernhill",
            "--into",
            "forked",
            "--name",
            "Forked",
        ],
    );
    assert!(out.status.success(), "{}", crate::stderr(&out));
    let (store, org) = fernhill(&db).await;
    let email = cairn_domain::people::Email::parse(cairn_store::demo::TRY_AS).expect("email");
    let (priya, _) = cairn_store::people::by_email(&store, &email)
        .await
        .expect("read")
        .expect("priya");
    let public = cairn_store::observations::visible(&store, &org.id, None, false)
        .await
        .expect("public");
    let observation = public
        .first()
        .expect("a public demo observation")
        .id
        .clone();
    let check_in = cairn_store::check_ins::of_member(&store, &org.id, &priya.id)
        .await
        .expect("check-ins")
        .first()
        .expect("Priya's demo check-in")
        .id
        .clone();
    let (mia_award, credential) = credentials(&store, &org, &priya.id).await;
    store.close().await;
    Demo {
        _server: server,
        _dir: dir,
        base: format!("http://{address}"),
        priya: priya.id.as_str().to_owned(),
        observation,
        check_in,
        mia_award,
        credential,
    }
}

/// An award of Mia's (her credential offer), and a credential of one of
/// Priya's awards, signed with a key made here (the page verifies it from
/// the stored public key; the server itself has no credential_key).
async fn credentials(
    store: &cairn_store::Store,
    org: &cairn_store::orgs::OrgRecord,
    priya: &cairn_store::people::PersonId,
) -> (String, String) {
    use cairn_domain::credentials as badge;
    let email = cairn_domain::people::Email::parse(MEMBER).expect("email");
    let (mia, _) = cairn_store::people::by_email(store, &email)
        .await
        .expect("read")
        .expect("mia");
    cairn_store::awards::award(
        store,
        &org.id,
        priya,
        &cairn_store::awards::NewAward {
            recipient: mia.id.clone(),
            ability: cairn_domain::Slug::parse("mentoring").expect("slug"),
            levels: vec![cairn_domain::Level::parse(1).expect("level")],
            note: String::new(),
            visibility: cairn_domain::awards::AwardVisibility::Organization,
            evidence: vec![],
        },
        1,
    )
    .await
    .expect("award");
    let mia_award = cairn_store::awards::of_person(store, &org.id, &mia.id)
        .await
        .expect("awards")[0]
        .id
        .clone();
    let award = cairn_store::awards::of_person(store, &org.id, priya)
        .await
        .expect("awards")
        .into_iter()
        .find(|a| !a.revoked)
        .expect("a live award of Priya's");
    let sealer = cairn_web::credentials::Sealer::new("a11y");
    let (public, sealed) = cairn_web::credentials::new_key(&sealer).expect("key");
    let key = cairn_store::credentials::add_key(store, &org.id, &public, &sealed, false, 1)
        .await
        .expect("key");
    let issuer = badge::Issuer {
        base: "http://localhost",
        org: "fernhill",
        name: "Fernhill",
    };
    let milestone = cairn_domain::Milestone {
        summary: cairn_domain::Markdown::new("Helps teammates learn on purpose."),
        examples: vec!["Onboards a new engineer.".into()],
    };
    let made =
        cairn_store::credentials::issue(store, &org.id, &award.id, priya, key.number, 2, |i| {
            let achievement = badge::Achievement {
                ability_slug: award.ability.as_str(),
                ability_name: award.ability_name.as_str(),
                level: award.level,
                milestone: &milestone,
                case_item: "case-item",
                version: None,
            };
            let recipient = badge::Recipient {
                email: "priya@fernhill.example",
                salt: "salt",
            };
            let c = badge::credential(
                &issuer,
                i.id,
                &achievement,
                &recipient,
                &[],
                1,
                2,
                i.status_index,
            );
            cairn_web::credentials::sign(&sealer, &sealed, &issuer.key_id(key.number), &c)
        })
        .await
        .expect("issue")
        .expect("live award");
    (mia_award, made.id)
}

/// Every page type, as (name, path).
fn pages(d: &Demo) -> Vec<(&'static str, String)> {
    let p = &d.priya;
    let o = &d.observation;
    [
        ("home", "/".to_owned()),
        ("login", "/login".to_owned()),
        ("signup", "/signup".to_owned()),
        ("new-org", "/new".to_owned()),
        ("not-found", "/nowhere/at/all".to_owned()),
        ("org", "/fernhill".to_owned()),
        (
            "ability",
            "/fernhill/abilities/incident-response".to_owned(),
        ),
        (
            "ability-history",
            "/fernhill/abilities/incident-response/history".to_owned(),
        ),
        (
            "ability-edit",
            "/fernhill/abilities/incident-response/edit".to_owned(),
        ),
        (
            "ability-new",
            "/fernhill/settings/framework/abilities/new".to_owned(),
        ),
        ("role", "/fernhill/roles/on-call-responder".to_owned()),
        (
            "role-edit",
            "/fernhill/roles/on-call-responder/edit".to_owned(),
        ),
        ("position", "/fernhill/positions/senior-engineer".to_owned()),
        (
            "explore",
            "/fernhill/explore?m=code-quality:3,testing:2,nope:4".to_owned(),
        ),
        (
            "explore-ask",
            "/fernhill/explore/ask?m=code-quality:3".to_owned(),
        ),
        (
            "positions-compare",
            "/fernhill/positions/compare?a=engineer-2&b=senior-engineer".to_owned(),
        ),
        (
            "ability-step",
            "/fernhill/abilities/incident-response?step=2".to_owned(),
        ),
        (
            "position-edit",
            "/fernhill/positions/senior-engineer/edit".to_owned(),
        ),
        (
            "candidates",
            "/fernhill/positions/senior-engineer/candidates".to_owned(),
        ),
        ("health", "/fernhill/health".to_owned()),
        ("insights", "/fernhill/insights".to_owned()),
        ("people", "/fernhill/people".to_owned()),
        ("journey", format!("/fernhill/people/{p}")),
        (
            "eligibility",
            format!("/fernhill/people/{p}/positions/senior-engineer"),
        ),
        ("observations", "/fernhill/observations".to_owned()),
        ("observation", format!("/fernhill/observations/{o}")),
        ("observation-new", "/fernhill/observations/new".to_owned()),
        ("requirements", "/fernhill/requirements".to_owned()),
        ("check-ins", "/fernhill/check-ins".to_owned()),
        ("check-in", format!("/fernhill/check-ins/{}", d.check_in)),
        ("teams", "/fernhill/teams".to_owned()),
        ("team", "/fernhill/teams/platform".to_owned()),
        ("settings", "/fernhill/settings".to_owned()),
        ("framework", "/fernhill/settings/framework".to_owned()),
        ("invitations", "/fernhill/settings/invitations".to_owned()),
        (
            "people-import",
            "/fernhill/settings/people/import".to_owned(),
        ),
        ("audit", "/fernhill/settings/audit".to_owned()),
        ("notifications", "/notifications".to_owned()),
        ("account", "/settings/account".to_owned()),
        ("sessions", "/settings/sessions".to_owned()),
        ("tokens", "/settings/tokens".to_owned()),
        ("forgot-password", "/forgot-password".to_owned()),
        ("reset-link", "/forgot-password/unknown".to_owned()),
        (
            "notification-settings",
            "/settings/notifications".to_owned(),
        ),
        ("webhooks", "/fernhill/settings/webhooks".to_owned()),
        ("deliveries", "/fernhill/settings/deliveries".to_owned()),
        ("domains", "/fernhill/settings/domains".to_owned()),
        ("changes", "/fernhill/changes".to_owned()),
        ("fork", "/fernhill/fork".to_owned()),
        ("upstream", "/forked/upstream".to_owned()),
        (
            "propose",
            "/fernhill/abilities/incident-response/propose".to_owned(),
        ),
        (
            "credential-offer",
            format!("/fernhill/awards/{}/credential", d.mia_award),
        ),
        (
            "credential",
            format!("/fernhill/credentials/{}", d.credential),
        ),
    ]
    .into_iter()
    .collect()
}

/// axe-core's WCAG 2.2 A/AA violations on the page as it is, one line each.
async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(&format!("{axe}\n;return typeof window.axe;"), vec![])
        .await
        .expect("inject axe");
    let found = c
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 window.axe.run(document, {{ runOnly: {{ type: 'tag', values: {TAGS} }} }})
                   .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                       + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                   .catch(e => done(['axe failed: ' + e]));"
            ),
            vec![],
        )
        .await
        .expect("run axe");
    found
        .as_array()
        .unwrap_or_else(|| panic!("axe answered {found}"))
        .iter()
        .map(|v| v.as_str().unwrap_or("?").to_owned())
        .collect()
}

/// How far the page scrolls sideways (0 when it fits its viewport).
async fn sideways(c: &Client) -> i64 {
    c.execute(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        vec![],
    )
    .await
    .expect("measure")
    .as_i64()
    .unwrap_or(i64::MAX)
}

async fn open(c: &Client, url: &str) {
    c.goto(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
    wait_for(c, "main").await;
}

fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

/// Every page type for every visitor, in one look: no axe violations, and
/// on the phone no sideways scrolling; a screenshot of each.
async fn every_page_in(look: Look) {
    let Some(axe) = axe_source() else { return };
    let Some((c, _driver, _profile)) = browser_as(look).await else {
        return;
    };
    let d = demo().await;
    open(&c, &format!("{}/", d.base)).await;
    if look == Look::Phone {
        let width = c
            .execute("return window.innerWidth;", vec![])
            .await
            .expect("width");
        assert_eq!(width.as_i64(), Some(320), "a real 320 px viewport");
    }
    // The harness finds what it should: an image without a text
    // alternative, added to the page, is a violation.
    c.execute(
        "const i = document.createElement('img'); i.src = '/favicon.ico'; document.querySelector('main').appendChild(i);",
        vec![],
    )
    .await
    .expect("add an image");
    let planted = violations(&c, &axe).await;
    assert!(
        planted.iter().any(|v| v.starts_with("image-alt")),
        "axe did not see a missing alt: {planted:?}"
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for visitor in ["anonymous", "member", "admin"] {
        match visitor {
            "member" => sign_in(&c, &d.base, MEMBER).await,
            "admin" => sign_in(&c, &d.base, ADMIN).await,
            _ => {}
        }
        for (name, path) in pages(&d) {
            open(&c, &format!("{}{path}", d.base)).await;
            for v in violations(&c, &axe).await {
                problems.push(format!("{visitor} {name} ({path}): {v}"));
            }
            if look == Look::Phone {
                let over = sideways(&c).await;
                if over > 0 {
                    let wide = c
                        .execute(
                            "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('main *')]
                               .filter(e => e.getBoundingClientRect().right > w + 1)
                               .filter(e => !e.parentElement.closest('.scroll'))
                               .slice(0, 3).map(e => e.tagName + '.' + e.className).join(', ');",
                            vec![],
                        )
                        .await
                        .expect("wide");
                    problems.push(format!(
                        "{visitor} {name} ({path}): scrolls {over} px sideways at 320 px ({wide})"
                    ));
                }
            }
            if look == Look::Phone {
                // Every label of a chart reads at 12 px or more.
                let smallest = c
                    .execute(
                        "const svg = document.querySelector('figure.radial svg');
                         if (!svg) return null;
                         const scale = svg.getScreenCTM().a;
                         return Math.min(...[...svg.querySelectorAll('text')]
                           .map(t => parseFloat(t.getAttribute('font-size')) * scale));",
                        vec![],
                    )
                    .await
                    .expect("labels");
                if let Some(px) = smallest.as_f64()
                    && px < 12.0
                {
                    problems.push(format!(
                        "{visitor} {name}: chart labels at {px:.1} px on a phone"
                    ));
                }
                if name == "journey" && visitor != "anonymous" {
                    assert!(smallest.as_f64().is_some(), "the journey has its chart");
                }
            }
            shot(&c, &format!("{name}-{visitor}-{}", look.name())).await;
            checked += 1;
        }
        if visitor != "anonymous" {
            c.delete_all_cookies().await.expect("sign out");
        }
    }
    assert!(checked >= 90, "{checked} pages checked");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        screenshots_dir()
            .join(format!("journey-member-{}.png", look.name()))
            .exists()
    );
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_passes_axe_on_a_desktop() {
    every_page_in(Look::Desktop).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_passes_axe_and_fits_a_320_px_phone() {
    every_page_in(Look::Phone).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_passes_axe_in_dark_mode() {
    every_page_in(Look::Dark).await;
}

/// Clicks the submit button whose text is `label` (the first one).
async fn press(c: &Client, label: &str) {
    c.find(Locator::XPath(&format!(
        "(//button[normalize-space()='{label}'])[1]"
    )))
    .await
    .unwrap_or_else(|e| panic!("button {label}: {e}"))
    .click()
    .await
    .expect("click");
}

async fn clear(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .clear()
        .await
        .expect("clear");
}

/// Every form sent back with errors: no axe violations, the error summary
/// has focus, each error links to a field that exists, and each invalid
/// field says so (`aria-invalid`) and points at its message.
#[tokio::test(flavor = "multi_thread")]
async fn every_form_with_errors_passes_axe_and_focuses_its_summary() {
    let Some(axe) = axe_source() else { return };
    let Some((c, _driver, _profile)) = browser_as(Look::Desktop).await else {
        return;
    };
    let d = demo().await;
    let base = &d.base;
    let mut problems = Vec::new();
    let mut checked = 0;
    // (who, name, page, fields to clear, button)
    let forms: &[(&str, &str, String, &[&str], &str)] = &[
        ("anonymous", "login", "/login".into(), &[], "Sign in"),
        (
            "anonymous",
            "signup",
            "/signup".into(),
            &[],
            "Create account",
        ),
        (
            "admin",
            "new-org",
            "/new".into(),
            &[],
            "Create organization",
        ),
        (
            "admin",
            "observation",
            "/fernhill/observations/new".into(),
            &[],
            "Publish",
        ),
        (
            "admin",
            "ability-new",
            "/fernhill/settings/framework/abilities/new".into(),
            &[],
            "Create ability",
        ),
        (
            "admin",
            "ability-edit",
            "/fernhill/abilities/incident-response/edit".into(),
            &["#name"],
            "Save changes",
        ),
        (
            "admin",
            "role-new",
            "/fernhill/settings/framework/roles/new".into(),
            &[],
            "Create role",
        ),
        (
            "admin",
            "position-new",
            "/fernhill/settings/framework/positions/new".into(),
            &[],
            "Create position",
        ),
        (
            "admin",
            "org-settings",
            "/fernhill/settings".into(),
            &["#name"],
            "Save",
        ),
        (
            "admin",
            "miles",
            "/fernhill/settings/framework".into(),
            &["#m3"],
            "Save scale",
        ),
        (
            "admin",
            "framework-import",
            "/fernhill/settings/framework".into(),
            &[],
            "Import the file",
        ),
        (
            "admin",
            "people-import",
            "/fernhill/settings/people/import".into(),
            &[],
            "Preview",
        ),
        (
            "admin",
            "password",
            "/settings/account".into(),
            &[],
            "Change password",
        ),
        (
            "admin",
            "token",
            "/settings/tokens".into(),
            &[],
            "Create token",
        ),
        ("admin", "team", "/fernhill/teams".into(), &[], "Add team"),
        (
            "admin",
            "webhook",
            "/fernhill/settings/webhooks".into(),
            &[],
            "Add webhook",
        ),
        (
            "admin",
            "conversation",
            "/fernhill/abilities/mentoring".into(),
            &[],
            "Start conversation",
        ),
        (
            "admin",
            "jobs",
            format!("/fernhill/people/{}", d.priya),
            &["#since"],
            "Save position and roles",
        ),
    ];
    let mut signed_in = false;
    for (who, name, path, cleared, button) in forms {
        if *who == "admin" && !signed_in {
            sign_in(&c, base, ADMIN).await;
            signed_in = true;
        }
        open(&c, &format!("{base}{path}")).await;
        for css in *cleared {
            clear(&c, css).await;
        }
        press(&c, button).await;
        wait_for(&c, ".form-errors").await;
        checked += 1;
        let focused = c
            .execute(
                "return document.activeElement && document.activeElement.classList.contains('form-errors');",
                vec![],
            )
            .await
            .expect("focus");
        if focused.as_bool() != Some(true) {
            problems.push(format!("{name}: the error summary does not have focus"));
        }
        let title = c.title().await.expect("title");
        if !title.starts_with("Error: ") {
            problems.push(format!(
                "{name}: title {title:?} does not start with 'Error: '"
            ));
        }
        // Each summary link names a field on the page; a field that is an
        // input says it is invalid and points at its message.
        let broken = c
            .execute(
                "const out = [];
                 for (const a of document.querySelectorAll('.form-errors a')) {
                   const id = a.getAttribute('href').slice(1);
                   if (!id) continue;
                   const f = document.getElementById(id);
                   if (!f) { out.push('no field #' + id); continue; }
                   if (['INPUT', 'SELECT', 'TEXTAREA'].includes(f.tagName) && f.type !== 'checkbox' && f.type !== 'radio') {
                     if (f.getAttribute('aria-invalid') !== 'true') out.push('#' + id + ' lacks aria-invalid');
                     const by = (f.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
                     if (!by.some(x => document.getElementById(x))) out.push('#' + id + ' is not described by its message');
                   }
                 }
                 return out;",
                vec![],
            )
            .await
            .expect("links");
        for b in broken.as_array().into_iter().flatten() {
            problems.push(format!("{name}: {}", b.as_str().unwrap_or("?")));
        }
        for v in violations(&c, &axe).await {
            problems.push(format!("{name}: {v}"));
        }
        shot(&c, &format!("form-errors-{name}-desktop")).await;
    }
    assert_eq!(checked, forms.len());
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    c.close().await.expect("close");
}

/// Presses keys as a keyboard does (WebDriver key actions, to whatever
/// has focus): each of `keys` down then up, modifiers in `held` held
/// throughout.
async fn press_keys(c: &Client, held: &[Key], keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for k in held {
        actions = actions.then(KeyAction::Down {
            value: char::from(*k),
        });
    }
    for &k in keys {
        actions = actions
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
    }
    for k in held {
        actions = actions.then(KeyAction::Up {
            value: char::from(*k),
        });
    }
    c.perform_actions(actions).await.expect("keys");
}

async fn key(c: &Client, k: Key) {
    press_keys(c, &[], &[char::from(k)]).await;
}

async fn shift_tab(c: &Client) {
    press_keys(c, &[Key::Shift], &[char::from(Key::Tab)]).await;
}

async fn type_text(c: &Client, text: &str) {
    let chars: Vec<char> = text.chars().collect();
    press_keys(c, &[], &chars).await;
}

/// Whether the focused element matches `css`.
async fn focused(c: &Client, css: &str) -> bool {
    c.execute(
        "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
        vec![serde_json::json!(css)],
    )
    .await
    .expect("focus")
    .as_bool()
    .unwrap_or(false)
}

/// Presses Tab until `css` has focus; how many presses it took.
async fn tab_to(c: &Client, css: &str) -> usize {
    for n in 1..=150 {
        key(c, Key::Tab).await;
        if focused(c, css).await {
            return n;
        }
    }
    panic!("Tab never reached {css}");
}

async fn interactions_in(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.path().to_owned())
        .unwrap_or_default()
}

/// Keyboard only: sign in, write and publish an observation of two people
/// with two ratings, start a conversation, award a milestone. Tab,
/// Shift-Tab, Enter and Space (and typing text) are the only keys.
#[tokio::test(flavor = "multi_thread")]
async fn keyboard_only_journeys_sign_in_observe_converse_and_award() {
    let Some((c, _driver, _profile)) = browser_as(Look::Desktop).await else {
        return;
    };
    let d = demo().await;
    let base = &d.base;

    // Sign in: the skip link comes first, then the fields.
    open(&c, &format!("{base}/login")).await;
    tab_to(&c, "a.skip-link").await;
    tab_to(&c, "#email").await;
    type_text(&c, MEMBER).await;
    key(&c, Key::Tab).await;
    assert!(focused(&c, "#password").await);
    shift_tab(&c).await;
    assert!(focused(&c, "#email").await, "Shift-Tab goes back");
    key(&c, Key::Tab).await;
    type_text(&c, "browser test password").await;
    key(&c, Key::Enter).await;
    wait_for(&c, "header.site form.inline").await;

    // My journey is one link away from any page.
    open(&c, &format!("{base}/fernhill/abilities/mentoring")).await;
    tab_to(&c, "header.site a[href^='/fernhill/people/']").await;
    key(&c, Key::Enter).await;
    wait_for(&c, "figure.radial").await;
    assert_eq!(crate::browser::text(&c, "h1").await, "Your journey");

    // An observation of two people with two ratings, published.
    open(&c, &format!("{base}/fernhill/observations/new")).await;
    tab_to(&c, "input[name=observee]").await;
    key(&c, Key::Space).await;
    key(&c, Key::Tab).await;
    key(&c, Key::Space).await;
    tab_to(&c, "#story").await;
    type_text(&c, "Paired on the flaky build and wrote down the fix.").await;
    // Tab into the first two rating rows: Space gives each its first rating.
    key(&c, Key::Tab).await;
    assert!(
        focused(&c, "fieldset.rate input[type=radio]").await,
        "the first rating row"
    );
    key(&c, Key::Space).await;
    key(&c, Key::Tab).await;
    key(&c, Key::Space).await;
    tab_to(&c, "button[value=publish]").await;
    key(&c, Key::Enter).await;
    wait_for(&c, "article.observation").await;
    let page = interactions_in(&c).await;
    assert!(page.starts_with("/fernhill/observations/"), "{page}");
    let card = crate::browser::text(&c, "article.observation").await;
    assert!(card.contains("Paired on the flaky build"), "{card}");
    assert_eq!(
        c.find_all(Locator::Css("article.observation .ratings .chip"))
            .await
            .expect("chips")
            .len(),
        2,
        "two ratings: {card}"
    );
    assert!(card.contains(", "), "two people observed: {card}");
    shot(&c, "observation-published-keyboard-desktop").await;

    // A conversation about an ability.
    open(&c, &format!("{base}/fernhill/abilities/mentoring")).await;
    tab_to(&c, "#conversation-title").await;
    type_text(&c, "Does pairing count as mentoring?").await;
    tab_to(&c, "#conversation-body").await;
    type_text(&c, "Asking for the platform team.").await;
    key(&c, Key::Tab).await;
    assert!(
        focused(
            &c,
            "section.conversations form:last-of-type button[type=submit]"
        )
        .await
    );
    key(&c, Key::Enter).await;
    wait_for(&c, "article.thread").await;
    assert!(
        crate::browser::text(&c, "article.thread")
            .await
            .contains("Does pairing count as mentoring?")
    );
    c.delete_all_cookies().await.expect("sign out");

    // A people lead awards Priya her next milestone from her journey.
    sign_in(&c, base, LEAD).await;
    open(&c, &format!("{base}/fernhill/people/{}", d.priya)).await;
    let before = crate::browser::text(&c, ".totals .big").await;
    tab_to(&c, "li.leg[data-ability=mentoring] .next a").await;
    key(&c, Key::Enter).await;
    wait_for(&c, "#award").await;
    tab_to(&c, "section[aria-labelledby=award] button[type=submit]").await;
    key(&c, Key::Enter).await;
    wait_for(&c, "ul.awards li").await;
    let after = crate::browser::text(&c, ".totals .big").await;
    assert_ne!(before, after, "the award added miles");
    assert!(
        crate::browser::text(&c, "ul.awards")
            .await
            .contains("Mentoring: milestone 1")
    );
    c.close().await.expect("close");
}

/// The issue's measure: a newcomer on the demo publishes an observation of
/// two people with two ratings in under 15 interactions (each click and
/// each run of typing counts one), starting from the home page.
#[tokio::test(flavor = "multi_thread")]
async fn a_newcomer_publishes_an_observation_of_two_people_in_few_interactions() {
    let Some((c, _driver, _profile)) = browser_as(Look::Desktop).await else {
        return;
    };
    let d = demo().await;
    open(&c, &format!("{}/", d.base)).await;
    let mut interactions = 0;
    let click = |css: String| {
        let c = &c;
        async move {
            c.find(Locator::Css(&css))
                .await
                .unwrap_or_else(|e| panic!("{css}: {e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{css}: {e}"));
        }
    };
    click("form[action='/demo'] button".into()).await;
    interactions += 1;
    wait_for(&c, "figure.radial").await;
    click("header.site a[href='/fernhill/observations']".into()).await;
    interactions += 1;
    wait_for(&c, "a.button[href$='/observations/new']").await;
    click("a.button[href$='/observations/new']".into()).await;
    interactions += 1;
    wait_for(&c, "input[name=observee]").await;
    for i in 1..=2 {
        click(format!("fieldset.people label.check:nth-child({i}) input")).await;
        interactions += 1;
    }
    click("#story".into()).await;
    interactions += 1;
    type_text(
        &c,
        "Both stayed late to get the release out, and wrote the runbook after.",
    )
    .await;
    interactions += 1;
    for ability in ["incident-response", "written-communication"] {
        click(format!("input[name='rate_{ability}'][value='strong']")).await;
        interactions += 1;
    }
    click("button[value=publish]".into()).await;
    interactions += 1;
    wait_for(&c, "article.observation").await;
    let card = crate::browser::text(&c, "article.observation").await;
    assert!(card.contains("Both stayed late"), "{card}");
    assert!(card.contains(", "), "two people: {card}");
    assert!(
        card.contains("Incident Response: Strong")
            && card.contains("Written Communication: Strong"),
        "{card}"
    );
    assert!(!card.contains("draft"), "published: {card}");
    assert!(interactions < 15, "{interactions} interactions");
    shot(&c, "observation-published-by-a-newcomer-desktop").await;
    c.close().await.expect("close");
}

//! The XSS corpus: each payload is stored in every user-written field
//! (framework texts through an import, a person's name, an observation's
//! story, a conversation's title and body, a reply, an award note, an
//! invitation note, an API token's name) and every page that shows them is
//! parsed as HTML and checked: no script element, no event-handler
//! attribute, no `javascript:`/`data:` URL, no frame, object, embed or
//! style element, no base or meta refresh. The payload must be visible as
//! text somewhere, so the test cannot pass by showing nothing.

use axum::http::StatusCode;
use cairn_domain::file::{self, Format};
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::{Markdown, Name};
use scraper::{Html, Selector};

use crate::support::{DEMO, PASSWORD, TestApp};

const PAYLOADS: &[&str] = &[
    "<script>alert('x1')</script>",
    "\"><img src=x onerror=alert('x2')>",
    "'><svg onload=alert('x3')>",
    "javascript:alert('x4')",
    "[click](javascript:alert('x5'))",
    "![img](javascript:alert('x6'))",
    "[data](data:text/html,<script>alert('x7')</script>)",
    "<a href=\"javascript:alert('x8')\">link</a>",
    "<iframe src=\"//evil.example/x9\"></iframe>",
    "<style>body{display:none}</style>x10",
    "<meta http-equiv=refresh content=0;url=//evil.example>x11",
    "[x12](  JaVaScRiPt:alert(1))",
    "<base href=//evil.example>x13",
    "x14 \u{202E}txt.exe",
];

/// Problems with one page's HTML, by the rules above.
fn dangers(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut out = Vec::new();
    let all = Selector::parse("*").expect("selector");
    for el in doc.select(&all) {
        let name = el.value().name();
        if matches!(
            name,
            "script" | "iframe" | "object" | "embed" | "style" | "base" | "frame"
        ) {
            out.push(format!("<{name}> element"));
        }
        if name == "meta" && el.value().attr("http-equiv").is_some() {
            out.push("<meta http-equiv>".into());
        }
        for (attr, value) in el.value().attrs() {
            if attr.to_ascii_lowercase().starts_with("on") {
                out.push(format!("<{name} {attr}=…>"));
            }
            if matches!(
                attr,
                "href" | "src" | "action" | "formaction" | "xlink:href"
            ) {
                let v: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if v.starts_with("javascript:")
                    || v.starts_with("data:")
                    || v.starts_with("vbscript:")
                {
                    out.push(format!("<{name} {attr}={value:?}>"));
                }
            }
        }
    }
    out
}

/// Text content of a page, whitespace collapsed.
fn text(html: &str) -> String {
    let doc = Html::parse_document(html);
    doc.root_element().text().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn no_payload_in_any_field_runs_on_any_page() {
    // The checker itself catches what it looks for.
    for (html, dangerous) in [
        ("<p>fine &lt;script&gt;</p>", false),
        ("<img src=x onerror=alert(1)>", true),
        ("<a href=' JavaScript:alert(1)'>x</a>", true),
        ("<script>alert(1)</script>", true),
        ("<iframe src=//x></iframe>", true),
        ("<a href=\"data:text/html,x\">x</a>", true),
    ] {
        assert_eq!(!dangers(html).is_empty(), dangerous, "{html}");
    }
    let mut tried = 0;
    let mut pages_checked = 0;
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let app = TestApp::new().await;
        // Names refuse text-direction characters; everything else takes it.
        let as_name = payload.replace('\u{202E}', "");
        let name = |what| Name::parse(&as_name, what).expect("payload as a name");
        let mut fw = file::parse(DEMO).expect("demo");
        {
            let a = &mut fw.abilities[0];
            a.name = name("ability");
            a.category = Some(name("category"));
            a.description = Markdown::new(*payload);
            a.milestones[0].summary = Markdown::new(*payload);
            a.milestones[0].examples = vec![(*payload).replace('\n', " ")];
            let r = &mut fw.roles[0];
            r.name = name("role");
            r.plural = name("plural");
            r.description = Markdown::new(*payload);
            let p = &mut fw.positions[0];
            p.title = name("position");
            p.description = Markdown::new(*payload);
            fw.organization.name = name("org");
        }
        let (ability, role, position) = (
            fw.abilities[0].slug.to_string(),
            fw.roles[0].slug.to_string(),
            fw.positions[0].slug.to_string(),
        );
        app.import(&file::write(&fw, Format::Yaml).expect("yaml"))
            .await;

        // A person whose name is the payload signs up and joins.
        let mut eve = app.anon();
        let signed = eve
            .post(
                "/signup",
                &[
                    ("email", "eve@example.com"),
                    ("name", &as_name),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            signed.status,
            StatusCode::SEE_OTHER,
            "{payload}: {}",
            signed.body
        );
        let org = app.org("fernhill").await;
        let mut owner = app
            .member(
                "fernhill",
                "owen@example.com",
                Capabilities::of(&[Capability::Owner, Capability::PeopleLead]),
            )
            .await;
        let eve_person = cairn_store::people::by_email(
            &app.db.store,
            &cairn_domain::people::Email::parse("eve@example.com").expect("email"),
        )
        .await
        .expect("read")
        .expect("eve")
        .0;
        cairn_store::members::add(
            &app.db.store,
            &org.id,
            &eve_person.id,
            Capabilities::NONE,
            1,
        )
        .await
        .expect("join");
        let eve_id = eve_person.id.as_str().to_owned();

        // The owner writes about Eve, starts a conversation, replies, awards.
        let draft = owner
            .post(
                "/fernhill/observations/new",
                &[
                    ("observee", &eve_id),
                    ("observed_on", "2023-11-01"),
                    ("story", payload),
                    (&format!("rate_{ability}"), "strong"),
                ],
            )
            .await;
        assert_eq!(
            draft.status,
            StatusCode::SEE_OTHER,
            "{payload}: {}",
            draft.body
        );
        let obs = draft.location().to_owned();
        owner
            .post(&format!("{obs}/publish"), &[("privacy", "public")])
            .await;
        let started = owner
            .post(
                &format!("/fernhill/abilities/{ability}/conversations"),
                &[("title", &as_name), ("body", payload)],
            )
            .await;
        assert_eq!(
            started.status,
            StatusCode::SEE_OTHER,
            "{payload}: {}",
            started.body
        );
        let subject = cairn_store::conversations::subject(
            &app.db.store,
            &org.id,
            cairn_domain::ItemKind::Ability,
            &ability,
        )
        .await
        .expect("read")
        .expect("subject");
        let thread = cairn_store::conversations::threads(&app.db.store, &org.id, &subject)
            .await
            .expect("threads")[0]
            .id
            .clone();
        owner
            .post(
                &format!("/fernhill/conversations/{thread}/replies"),
                &[("body", payload)],
            )
            .await;
        let awarded = owner
            .post(
                &format!("/fernhill/people/{eve_id}/awards"),
                &[
                    ("ability", &ability),
                    ("level", "1"),
                    ("visibility", "organization"),
                    ("note", payload),
                ],
            )
            .await;
        assert_eq!(
            awarded.status,
            StatusCode::SEE_OTHER,
            "{payload}: {}",
            awarded.body
        );
        owner
            .post("/fernhill/settings/invitations", &[("note", payload)])
            .await;
        owner.post("/settings/tokens", &[("name", &as_name)]).await;

        let pages = [
            "/".to_owned(),
            "/fernhill".to_owned(),
            format!("/fernhill/abilities/{ability}"),
            format!("/fernhill/abilities/{ability}/history"),
            format!("/fernhill/roles/{role}"),
            format!("/fernhill/positions/{position}"),
            "/fernhill/observations".to_owned(),
            obs.clone(),
            format!("/fernhill/people/{eve_id}"),
            "/fernhill/people".to_owned(),
            "/fernhill/health".to_owned(),
            "/fernhill/settings/invitations".to_owned(),
            "/fernhill/settings/audit".to_owned(),
            "/settings/tokens".to_owned(),
            format!("/fernhill/people/{eve_id}/positions/{position}"),
        ];
        let marker = format!("x{}", i + 1);
        let mut seen = false;
        for path in &pages {
            for client in [&mut owner, &mut eve] {
                let page = client.get(path).await;
                if page.status != StatusCode::OK {
                    continue;
                }
                pages_checked += 1;
                let found = dangers(&page.body);
                assert!(found.is_empty(), "payload {payload:?} on {path}: {found:?}");
                seen |=
                    text(&page.body).contains(&marker) || text(&page.body).contains(payload.trim());
            }
        }
        assert!(seen, "payload {payload:?} was never shown as text");
        tried += 1;
    }
    println!(
        "XSS corpus: {tried} payloads in 17 fields, {pages_checked} pages parsed, none executable"
    );
}

/// Where a page says where to come back to after signing in (`next` on
/// the sign-in and sign-up pages, and the page's own address in the header
/// links), the corpus, plus tab, newline, backslash and NUL variants, is
/// text in a link, never markup, and never a link off the site.
#[tokio::test]
async fn no_payload_in_a_return_address_runs_or_leaves_the_site() {
    let app = TestApp::with_demo().await;
    let hostile: Vec<String> = PAYLOADS
        .iter()
        .map(|p| (*p).to_owned())
        .chain(
            [
                "/\t/evil.example",
                "/\n/evil.example",
                "/\\evil.example",
                "/\u{0}x",
                "//evil.example",
            ]
            .map(String::from),
        )
        .collect();
    let mut pages = 0;
    for payload in &hostile {
        let encoded: String = payload
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        for path in [
            format!("/login?next={encoded}"),
            format!("/signup?next={encoded}"),
            format!("/fernhill/abilities/incident-response?x={encoded}"),
        ] {
            let page = app.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(
                dangers(&page.body).is_empty(),
                "{path}: {:?}",
                dangers(&page.body)
            );
            for (href, _) in page.links("a") {
                // A place on the page itself (the skip link), on the site,
                // or our own https addresses; never elsewhere.
                let in_page = href.starts_with('#') && !href.contains(':');
                assert!(
                    in_page
                        || href.starts_with('/') && !href.starts_with("//")
                        || href.starts_with("https://") && !href.contains("evil"),
                    "{path}: link {href:?}"
                );
            }
            pages += 1;
        }
    }
    println!(
        "return addresses: {} hostile values on {pages} pages, none executable or off-site",
        hostile.len()
    );
}

/// The markdown renderer and sanitiser, on arbitrary text built from the
/// corpus, markdown syntax and random unicode: never a panic, never
/// anything executable, blocks and inline alike.
#[test]
fn the_sanitiser_never_panics_and_never_lets_script_through() {
    const PIECES: &[&str] = &[
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "\"",
        "'",
        "`",
        "```",
        "*",
        "_",
        "~~",
        "#",
        "- ",
        "1. ",
        "> ",
        "|",
        "---",
        "\n",
        "\n\n",
        "    ",
        "&#106;avascript:",
        "javascript:",
        "JaVaScRiPt:",
        "data:",
        "vbscript:",
        "<script>",
        "</script>",
        "<img src=x onerror=",
        "onload=",
        "<a href=",
        "<svg>",
        "<math>",
        "&lt;",
        "&",
        "\u{202E}",
        "\u{0}",
        "💥",
        "http://x.example/",
        "\\",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut rendered = 0;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(next() % 40) {
            if next() % 5 == 0 {
                text.push(char::from_u32((next() % 0x3_0000) as u32).unwrap_or('?'));
            } else {
                text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
        }
        for html in [
            cairn_web::markdown::render(&text),
            cairn_web::markdown::render_inline(&text),
        ] {
            let found = dangers(&format!("<html><body>{html}</body></html>"));
            assert!(found.is_empty(), "{text:?} rendered as {html:?}: {found:?}");
            rendered += 1;
        }
    }
    println!("markdown sanitiser: {rendered} renderings of random text, none executable");
}

/// Email: every payload as a display name, a subject and an invitation
/// note (with CR/LF to start headers of its own): the headers stay the
/// headers cairn wrote, the HTML body passes the page rules above, and the
/// text body says it as written.
#[test]
fn mail_escapes_html_and_keeps_user_text_out_of_its_headers() {
    use cairn_store::deliveries::{Due, INVITATION, Target};
    use cairn_web::delivery::{Smtp, mail};
    let mailer = mail::Mailer::new(
        &Smtp {
            url: "smtp://127.0.0.1:1".into(),
            from: "cairn <no-reply@cairn.test>".into(),
        },
        "https://cairn.test",
    )
    .expect("mailer");
    for payload in PAYLOADS {
        let injected = format!("{payload}\r\nBcc: evil@example.com\r\nX-Injected: 1");
        let due = Due {
            id: "d1".into(),
            kind: INVITATION.into(),
            target: Target::Email {
                address: "ana@example.com".into(),
                name: injected.clone(),
            },
            org_id: "o1".into(),
            org_name: "Fernhill".into(),
            org_slug: "fernhill".into(),
            person: None,
            subject: injected.clone(),
            href: "/invite/".into(),
            body: (*payload).to_owned(),
            secret: Some("token".into()),
            attempts: 1,
            created_at: 0,
        };
        let message = mailer
            .message(&due, None)
            .unwrap_or_else(|e| panic!("{payload}: {}", e.message));
        let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
        let headers = raw.split("\r\n\r\n").next().unwrap_or("");
        for line in headers.split("\r\n") {
            let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
            assert!(
                !matches!(name.as_str(), "bcc" | "x-injected"),
                "{payload:?}: injected header {line:?}"
            );
        }
        let (text, html) = mail::bodies(&due, "https://cairn.test", None).expect("bodies");
        assert_eq!(dangers(&html), Vec::<String>::new(), "{payload:?}: {html}");
        assert!(text.contains(payload), "{payload:?} in the text: {text}");
        assert!(text.contains("https://cairn.test/invite/token"));
    }
}

//! The outbox on both backends: what is queued with each change (as the
//! person chose; webhooks only what every member may read), leases held
//! by one worker at a time, retries and failures, the weekly digest
//! written once, and password reset links used once.

use cairn_domain::awards::AwardVisibility;
use cairn_domain::membership::Capabilities;
use cairn_domain::notify::{Channel, Kind};
use cairn_domain::people::Email;
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{Level, Markdown, Name, Slug};
use cairn_store::deliveries::{self, Finished, Target};
use cairn_store::observations::{self, Draft};
use cairn_store::orgs::OrgRecord as Org;
use cairn_store::people::{self, Person};
use cairn_store::testing::for_each_backend;
use cairn_store::{Store, awards, framework, members, notifications, orgs, password_resets};

use crate::demo;

async fn person(store: &Store, name: &str) -> Person {
    let email = Email::parse(&format!("{name}@example.com")).expect("email");
    people::create(
        store,
        &email,
        &Name::parse(name, "n").expect("name"),
        "h",
        1,
    )
    .await
    .expect("person")
}

async fn setup(s: &Store) -> (Org, Person, Person) {
    framework::replace(s, &demo(), 1).await.expect("import");
    let org = orgs::by_slug(s, &demo().organization.slug)
        .await
        .expect("read")
        .expect("org");
    let (olive, ana) = (person(s, "olive").await, person(s, "ana").await);
    for p in [&olive, &ana] {
        members::add(s, &org.id, &p.id, Capabilities::NONE, 1)
            .await
            .expect("add");
    }
    (org, olive, ana)
}

async fn publish(
    s: &Store,
    org: &Org,
    by: &Person,
    of: &Person,
    level: Privacy,
    now: i64,
) -> String {
    let draft = Draft {
        observees: vec![of.id.clone()],
        story: Markdown::new("Ran the incident review."),
        observed_on: 10,
        ratings: vec![(Slug::parse("mentoring").expect("slug"), Rating::Strong)],
    };
    let id = observations::create(s, &org.id, &by.id, &draft, now)
        .await
        .expect("create")
        .expect("ok");
    observations::publish(s, &org.id, &id, level, now)
        .await
        .expect("publish");
    id
}

async fn award(
    s: &Store,
    org: &Org,
    by: &Person,
    to: &Person,
    visibility: AwardVisibility,
    now: i64,
) {
    awards::award(
        s,
        &org.id,
        &by.id,
        &awards::NewAward {
            recipient: to.id.clone(),
            ability: Slug::parse("mentoring").expect("slug"),
            levels: vec![Level::ALL[0]],
            note: String::new(),
            visibility,
            evidence: vec![],
        },
        now,
    )
    .await
    .expect("award");
}

/// (channel, kind, recipient) of every queued delivery, oldest first.
async fn queued(s: &Store, org: &Org) -> Vec<(String, String, String)> {
    let (_, mut lines, _) = deliveries::of_org(s, &org.id, 0).await.expect("list");
    lines.reverse();
    lines
        .into_iter()
        .map(|l| (l.channel, l.kind, l.recipient))
        .collect()
}

#[tokio::test]
async fn each_change_queues_what_its_people_chose_and_webhooks_only_what_all_may_read() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let (org, olive, ana) = setup(s).await;
        let hook = deliveries::add_webhook(
            s,
            &org.id,
            &deliveries::NewWebhook {
                url: "https://hooks.example.com/x",
                kinds: &[Kind::Observed, Kind::Awarded],
                secret: "whsec",
                slack: false,
            },
            &olive.id,
            5,
        )
        .await
        .expect("hook");
        let url = "https://hooks.example.com/x".to_owned();
        let email = |k: &str| {
            (
                "email".to_owned(),
                k.to_owned(),
                "ana@example.com".to_owned(),
            )
        };
        let webhook = |k: &str| ("webhook".to_owned(), k.to_owned(), url.clone());

        // Default: inbox and email; not public: no webhook.
        publish(s, &org, &olive, &ana, Privacy::Organization, 10).await;
        assert_eq!(
            queued(s, &org).await,
            vec![email("observed")],
            "{}",
            db.label
        );

        // Public: the webhook too; re-levelling to public later counts once.
        let id = publish(s, &org, &olive, &ana, Privacy::Public, 20).await;
        assert_eq!(queued(s, &org).await.len(), 3, "{}", db.label);
        assert_eq!(
            queued(s, &org).await[2],
            webhook("observed"),
            "{}",
            db.label
        );
        assert!(
            observations::set_privacy(s, &org.id, &id, Privacy::Public, Privacy::Organization, 21)
                .await
                .expect("level")
        );
        assert!(
            observations::set_privacy(s, &org.id, &id, Privacy::Organization, Privacy::Public, 22)
                .await
                .expect("level")
        );
        let webhooks = queued(s, &org)
            .await
            .iter()
            .filter(|q| q.0 == "webhook")
            .count();
        assert_eq!(webhooks, 2, "{}: public again is news again", db.label);

        // Inbox only: told, not emailed; off: not told at all.
        let mut prefs: Vec<(Kind, Channel)> =
            Kind::ALL.iter().map(|k| (*k, Channel::Email)).collect();
        prefs[0] = (Kind::Observed, Channel::Inbox);
        deliveries::set_preferences(s, &org.id, &ana.id, &prefs, false)
            .await
            .expect("prefs");
        let before = queued(s, &org).await.len();
        let inbox_before = notifications::inbox(s, &ana.id, 0)
            .await
            .expect("inbox")
            .0
            .len();
        publish(s, &org, &olive, &ana, Privacy::Organization, 30).await;
        assert_eq!(
            queued(s, &org).await.len(),
            before,
            "{}: inbox only",
            db.label
        );
        let inbox_now = notifications::inbox(s, &ana.id, 0)
            .await
            .expect("inbox")
            .0
            .len();
        assert_eq!(inbox_now, inbox_before + 1, "{}", db.label);
        prefs[0] = (Kind::Observed, Channel::Off);
        deliveries::set_preferences(s, &org.id, &ana.id, &prefs, true)
            .await
            .expect("prefs");
        publish(s, &org, &olive, &ana, Privacy::Organization, 40).await;
        let inbox_off = notifications::inbox(s, &ana.id, 0)
            .await
            .expect("inbox")
            .0
            .len();
        assert_eq!(inbox_off, inbox_now, "{}: off", db.label);
        let (kinds, digest) = deliveries::preferences(s, &org.id, &ana.id)
            .await
            .expect("read");
        assert_eq!(kinds[0], (Kind::Observed, Channel::Off));
        assert!(digest);

        // Awards: the recipient by email; the webhook only when organization-wide.
        let before = queued(s, &org).await.len();
        award(s, &org, &olive, &ana, AwardVisibility::Private, 50).await;
        assert_eq!(
            queued(s, &org).await[before..],
            [email("awarded")],
            "{}",
            db.label
        );
        award(s, &org, &olive, &ana, AwardVisibility::Organization, 60).await;
        assert_eq!(
            queued(s, &org).await[before + 1..],
            [email("awarded"), webhook("awarded")],
            "{}",
            db.label
        );

        // One-click unsubscribe: email off, the inbox stays.
        deliveries::unsubscribe(s, &org.id, &ana.id, "awarded")
            .await
            .expect("unsubscribe");
        let (kinds, _) = deliveries::preferences(s, &org.id, &ana.id)
            .await
            .expect("read");
        assert!(
            kinds.contains(&(Kind::Awarded, Channel::Inbox)),
            "{}",
            db.label
        );
        assert!(
            deliveries::unsubscribe(s, &org.id, &ana.id, "nonsense")
                .await
                .is_err()
        );

        // A removed webhook's queue is skipped, and it hears nothing new.
        assert!(
            deliveries::remove_webhook(s, &org.id, &hook, 70)
                .await
                .expect("remove")
        );
        let (counts, _, _) = deliveries::of_org(s, &org.id, 0).await.expect("list");
        assert_eq!(counts.skipped, 3, "{}", db.label);
        let before = queued(s, &org).await.len();
        publish(s, &org, &olive, &ana, Privacy::Public, 80).await;
        assert_eq!(queued(s, &org).await.len(), before, "{}", db.label);
    })
    .await;
}

#[tokio::test]
async fn a_lease_is_one_workers_until_it_ends_or_expires() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let (org, olive, ana) = setup(s).await;
        for i in 0..20 {
            publish(s, &org, &olive, &ana, Privacy::Observees, 100 + i).await;
        }
        // Two workers at once: disjoint claims covering everything due.
        let (a, b) = tokio::join!(
            deliveries::lease(s, "a", 1_000, 60_000, 12),
            deliveries::lease(s, "b", 1_000, 60_000, 12)
        );
        let (a, b) = (a.expect("lease a"), b.expect("lease b"));
        let mut ids: Vec<&str> = a.iter().chain(&b).map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), 20, "{}: {} + {}", db.label, a.len(), b.len());
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 20, "{}: a row leased twice", db.label);
        assert!(
            deliveries::lease(s, "c", 1_001, 60_000, 12)
                .await
                .expect("c")
                .is_empty()
        );
        let first = &a.first().or(b.first()).expect("one").clone();
        let owner = if a.iter().any(|d| d.id == first.id) {
            "a"
        } else {
            "b"
        };
        assert_eq!(
            first.target,
            Target::Email {
                address: "ana@example.com".into(),
                name: "ana".into()
            }
        );
        assert_eq!(first.attempts, 1);
        // Only the holder ends it.
        assert!(
            !deliveries::finish(s, &first.id, "c", Finished::Sent, None, 1_002)
                .await
                .expect("finish")
        );
        assert!(
            deliveries::retry(s, &first.id, owner, "421 busy", 2_000)
                .await
                .expect("retry")
        );
        assert!(
            !deliveries::retry(s, &first.id, owner, "again", 2_000)
                .await
                .expect("retry")
        );
        // Due again at 2 000; everything else is held until 61 000.
        let again = deliveries::lease(s, "c", 2_000, 60_000, 12)
            .await
            .expect("c");
        assert_eq!(
            again
                .iter()
                .map(|d| (d.id.as_str(), d.attempts))
                .collect::<Vec<_>>(),
            [(first.id.as_str(), 2)]
        );
        assert!(
            deliveries::finish(
                s,
                &first.id,
                "c",
                Finished::Failed,
                Some("550 no such user"),
                2_001
            )
            .await
            .expect("fail")
        );
        let (counts, lines, _) = deliveries::of_org(s, &org.id, 0).await.expect("list");
        assert_eq!((counts.failed, counts.pending), (1, 19), "{}", db.label);
        assert_eq!(
            lines[0].last_error.as_deref(),
            Some("550 no such user"),
            "failed first"
        );
        // A worker that died: its leases expire and another takes them.
        let taken = deliveries::lease(s, "d", 61_001, 60_000, 50)
            .await
            .expect("d");
        assert_eq!(taken.len(), 19, "{}", db.label);
        for d in &taken {
            assert!(
                deliveries::finish(s, &d.id, "d", Finished::Sent, None, 61_002)
                    .await
                    .expect("sent")
            );
        }
        assert!(!deliveries::any_due(s, 1_000_000).await.expect("due"));
        // An admin tries the failed one again.
        assert!(
            deliveries::try_again(s, &org.id, &first.id, 70_000)
                .await
                .expect("again")
        );
        assert!(deliveries::any_due(s, 70_000).await.expect("due"));
        assert!(
            !deliveries::try_again(s, &org.id, &first.id, 70_000)
                .await
                .expect("not failed")
        );
        // A server without SMTP skips waiting emails in one statement.
        let skipped = deliveries::skip_emails(s, "no SMTP", 70_001)
            .await
            .expect("skip");
        assert_eq!(skipped, 1, "{}", db.label);
        assert!(!deliveries::any_due(s, 70_002).await.expect("due"));
        // Old ones are forgotten: sent and skipped after their time.
        let gone = deliveries::prune(s, 70_000, 0).await.expect("prune");
        assert_eq!(gone, 19, "{}: sent before 70 000", db.label);
        let gone = deliveries::prune(s, 80_000, 0).await.expect("prune");
        assert_eq!(gone, 1, "{}: the skipped one", db.label);
        assert!(deliveries::statuses(s).await.expect("list").is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_weekly_digest_is_written_once_even_by_two_servers_at_once() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let (org, olive, ana) = setup(s).await;
        let prefs: Vec<(Kind, Channel)> = Kind::ALL.iter().map(|k| (*k, Channel::Inbox)).collect();
        deliveries::set_preferences(s, &org.id, &ana.id, &prefs, true)
            .await
            .expect("prefs");
        let week = deliveries::DIGEST_EVERY_MS;
        publish(s, &org, &olive, &ana, Privacy::Observees, week + 10).await;
        let now = week + 100;
        let (x, y) = tokio::join!(
            deliveries::write_digests(s, now),
            deliveries::write_digests(s, now)
        );
        assert_eq!(x.expect("x") + y.expect("y"), 1, "{}", db.label);
        let due = deliveries::lease(s, "w", now, 1000, 10)
            .await
            .expect("lease");
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].kind, deliveries::DIGEST);
        assert!(
            due[0].body.contains("olive wrote an observation of you"),
            "{}",
            due[0].body
        );
        // Not again within the week; and with nothing new, nothing sent.
        assert_eq!(
            deliveries::write_digests(s, now + 1000)
                .await
                .expect("again"),
            0
        );
        assert_eq!(
            deliveries::write_digests(s, now + week + 1)
                .await
                .expect("empty"),
            0
        );
    })
    .await;
}

#[tokio::test]
async fn a_reset_link_works_once_for_an_hour_and_ends_every_session() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let ana = person(s, "ana").await;
        people::start_session(s, "sess", &ana.id, &people::Client::default(), 1, i64::MAX)
            .await
            .expect("session");
        let email = Email::parse("ana@example.com").expect("email");
        let nobody = Email::parse("nobody@example.com").expect("email");
        assert!(
            !password_resets::ask(s, &nobody, "h0", "t0", 10)
                .await
                .expect("ask")
        );
        assert!(
            deliveries::statuses(s).await.expect("list").is_empty(),
            "{}",
            db.label
        );
        assert!(
            password_resets::ask(s, &email, "h1", "t1", 10)
                .await
                .expect("ask")
        );
        assert!(
            password_resets::ask(s, &email, "h2", "t2", 20)
                .await
                .expect("ask")
        );
        let due = deliveries::lease(s, "w", 30, 1000, 10)
            .await
            .expect("lease");
        assert_eq!(due.len(), 2);
        assert_eq!(due[0].secret.as_deref(), Some("t1"));
        assert!(
            deliveries::finish(s, &due[0].id, "w", Finished::Sent, None, 31)
                .await
                .expect("sent")
        );
        // The second, never ended: its lease runs out and it is due again,
        // with its link; once ended, the link is gone from the outbox.
        let again = deliveries::lease(s, "x", 5_000, 1000, 10)
            .await
            .expect("lease");
        assert_eq!(again.len(), 1, "{}", db.label);
        assert_eq!(again[0].secret.as_deref(), Some("t2"));
        assert!(
            deliveries::finish(s, &again[0].id, "x", Finished::Sent, None, 5_001)
                .await
                .expect("sent")
        );
        assert!(!deliveries::any_due(s, 100_000).await.expect("due"));

        let hour = password_resets::VALID_MS;
        assert_eq!(
            password_resets::person_of(s, "h1", 11).await.expect("read"),
            Some(ana.id.clone())
        );
        assert_eq!(
            password_resets::person_of(s, "h1", 10 + hour)
                .await
                .expect("read"),
            None
        );
        assert_eq!(
            password_resets::reset(s, "h1", "new", 10 + hour)
                .await
                .expect("late"),
            None
        );
        // Two uses at once: one wins; and it spends the other link too.
        let (x, y) = tokio::join!(
            password_resets::reset(s, "h1", "new", 40),
            password_resets::reset(s, "h1", "other", 40)
        );
        let won = [x.expect("x"), y.expect("y")].into_iter().flatten().count();
        assert_eq!(won, 1, "{}", db.label);
        assert_eq!(
            password_resets::reset(s, "h2", "third", 41)
                .await
                .expect("spent"),
            None
        );
        let hash = people::password_hash(s, &ana.id).await.expect("hash");
        assert!(hash == "new" || hash == "other");
        assert!(
            people::session_person(s, "sess", 50)
                .await
                .expect("read")
                .is_none(),
            "{}",
            db.label
        );
    })
    .await;
}

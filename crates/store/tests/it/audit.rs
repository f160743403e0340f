use cairn_domain::audit::AuditAction;
use cairn_domain::people::Email;
use cairn_domain::{Name, OrgSlug};
use cairn_store::audit::{self, Entry, Filter};
use cairn_store::testing::for_each_backend;
use cairn_store::{normalize_url, orgs, people};
use sqlx::Connection;

/// Entries come back newest first, per organization, filtered by kind and
/// by actor; and the database itself refuses to change or remove one.
#[tokio::test]
async fn the_audit_log_filters_and_is_append_only() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let mut ids = Vec::new();
        for name in ["ada", "ben"] {
            let email = Email::parse(&format!("{name}@example.com")).expect("email");
            let p = people::create(s, &email, &Name::parse(name, "n").expect("n"), "h", 1)
                .await
                .expect("person");
            ids.push(p.id);
        }
        let (ada, ben) = (&ids[0], &ids[1]);
        let org = orgs::create(
            s,
            &OrgSlug::parse("acme").expect("slug"),
            &Name::parse("Acme", "n").expect("n"),
            ada,
            1,
        )
        .await
        .expect("org");
        let entries = [
            (None, None, AuditAction::SignInFailed, "eve@example.com", 10),
            (
                None,
                Some(ada),
                AuditAction::SignedIn,
                "ada@example.com",
                11,
            ),
            (
                Some(&org),
                Some(ada),
                AuditAction::CapabilitiesChanged,
                "ben",
                12,
            ),
            (
                Some(&org),
                Some(ben),
                AuditAction::ObservationPublished,
                "obs",
                13,
            ),
            (
                Some(&org),
                Some(ada),
                AuditAction::MilestoneAwarded,
                "ben",
                14,
            ),
        ];
        for (o, actor, action, subject, at) in entries {
            let e = Entry {
                org: o,
                actor,
                action,
                subject: subject.to_owned(),
                detail: "d".into(),
                client_ip: "192.0.2.1",
            };
            audit::record(s, &e, at).await.expect("record");
        }
        let all = audit::list(s, Some(&org), &Filter::default(), 100)
            .await
            .expect("list");
        let seen: Vec<(AuditAction, i64)> = all.iter().map(|r| (r.action, r.at)).collect();
        assert_eq!(
            seen,
            [
                (AuditAction::MilestoneAwarded, 14),
                (AuditAction::ObservationPublished, 13),
                (AuditAction::CapabilitiesChanged, 12)
            ],
            "{}",
            db.label
        );
        assert_eq!(all[0].actor_name, "ada");
        assert_eq!(all[0].client_ip, "192.0.2.1");
        let cases: [(Filter, usize); 4] = [
            (
                Filter {
                    action: Some(AuditAction::MilestoneAwarded),
                    actor: None,
                    before: None,
                },
                1,
            ),
            (
                Filter {
                    action: None,
                    actor: Some(ada.clone()),
                    before: None,
                },
                2,
            ),
            (
                Filter {
                    action: None,
                    actor: Some(ben.clone()),
                    before: None,
                },
                1,
            ),
            (
                Filter {
                    action: Some(AuditAction::SignedIn),
                    actor: None,
                    before: None,
                },
                0,
            ),
        ];
        for (filter, want) in cases {
            let got = audit::list(s, Some(&org), &filter, 100)
                .await
                .expect("list");
            assert_eq!(got.len(), want, "{}: {filter:?}", db.label);
        }
        let sign_ins = audit::list(s, None, &Filter::default(), 100)
            .await
            .expect("list");
        assert_eq!(sign_ins.len(), 2, "{}", db.label);
        assert_eq!(sign_ins[1].actor, None, "a failed sign-in has no actor");

        // Append-only, whoever asks.
        let mut conn = sqlx::AnyConnection::connect(&normalize_url(&db.url).1)
            .await
            .expect("connect");
        for sql in [
            "UPDATE audit_log SET detail = 'changed'",
            "DELETE FROM audit_log",
        ] {
            let refused = sqlx::query(sql).execute(&mut conn).await;
            assert!(refused.is_err(), "{}: {sql} was allowed", db.label);
        }
        let again = audit::list(s, Some(&org), &Filter::default(), 100)
            .await
            .expect("list");
        assert_eq!(again, all, "{}", db.label);
    })
    .await;
}

/// The log reads a page at a time from where the last page ended, and
/// entries sharing a moment are neither repeated nor skipped.
#[tokio::test]
async fn the_audit_log_pages_by_time_and_id() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let email = Email::parse("ada@example.com").expect("email");
        let ada = people::create(s, &email, &Name::parse("ada", "n").expect("n"), "h", 1)
            .await
            .expect("person");
        let org = orgs::create(
            s,
            &OrgSlug::parse("acme").expect("slug"),
            &Name::parse("Acme", "n").expect("n"),
            &ada.id,
            1,
        )
        .await
        .expect("org");
        for n in 0..23 {
            let e = Entry {
                org: Some(&org),
                actor: Some(&ada.id),
                action: AuditAction::SettingsChanged,
                subject: format!("change {n}"),
                detail: String::new(),
                client_ip: "192.0.2.1",
            };
            // Three entries per moment.
            audit::record(s, &e, 100 + n / 3).await.expect("record");
        }
        let mut seen = Vec::new();
        let mut filter = Filter::default();
        let mut pages = 0;
        loop {
            let page = audit::list(s, Some(&org), &filter, 10).await.expect("page");
            pages += 1;
            let Some(last) = page.last() else { break };
            filter.before = Some(cairn_store::paging::Cursor {
                at: last.at,
                id: last.id.clone(),
            });
            seen.extend(page.iter().map(|r| r.subject.clone()));
            assert!(pages < 10, "{}: paging ends", db.label);
        }
        assert_eq!(seen.len(), 23, "{}", db.label);
        let distinct: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!(distinct.len(), 23, "{}: none twice", db.label);
        assert_eq!(pages, 4, "{}: 10 + 10 + 3, then an empty page", db.label);
    })
    .await;
}

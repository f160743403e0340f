//! Forks on both backends: two forks into the same empty organization at
//! once make one fork (the other is refused, nothing half-written); two
//! editors pulling the same upstream change at once take it once.

use cairn_domain::fork::Subject;
use cairn_domain::licence::Licence;
use cairn_domain::{ItemKind, Markdown, Name, OrgSlug, Slug};
use cairn_store::framework::fork::{self, ForkRefused, PullRefused};
use cairn_store::framework::{self, Saved};
use cairn_store::orgs;
use cairn_store::testing::for_each_backend;

use crate::demo;

#[tokio::test]
async fn a_fork_is_made_once_and_a_change_pulled_once() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let mut upstream_fw = demo();
        upstream_fw.organization.licence = Licence::CcBy4;
        framework::replace(s, &upstream_fw, 1)
            .await
            .expect("import");
        let upstream = orgs::by_slug(s, &upstream_fw.organization.slug)
            .await
            .expect("read")
            .expect("org");
        let ana = crate::person(s, "ana@example.com").await;
        let into = orgs::create(
            s,
            &OrgSlug::parse("acme").expect("slug"),
            &Name::parse("Acme", "n").expect("name"),
            &ana.id,
            2,
        )
        .await
        .expect("org");
        let source = fork::local_source(s, &upstream, "https://x.example/up".into())
            .await
            .expect("source");
        let (a, b) = tokio::join!(
            fork::fork(s, &into, &source, Some(&ana.id), 3),
            fork::fork(s, &into, &source, Some(&ana.id), 3),
        );
        let mut got = [a.expect("fork"), b.expect("fork")];
        got.sort_by_key(|r| r.is_err());
        assert_eq!(got, [Ok(()), Err(ForkRefused::NotEmpty)], "{}", db.label);
        let f = fork::get(s, &into).await.expect("read").expect("a fork");
        assert_eq!(f.lineage.len(), 1);
        assert_eq!(
            orgs::by_id(s, &into)
                .await
                .expect("read")
                .expect("org")
                .org
                .attribution,
            "Adapted from Fernhill's framework (https://x.example/up), CC BY 4.0"
        );

        // The upstream changes one summary; two editors pull it at once.
        let mut changed = upstream_fw.clone();
        changed.abilities[0].milestones[0].summary = Markdown::new("Changed upstream.");
        let subject = Subject::Item(ItemKind::Ability, changed.abilities[0].slug.clone());
        let (a, b) = tokio::join!(
            fork::pull(
                s,
                &into,
                &subject,
                &changed,
                Licence::CcBy4,
                1,
                Some(&ana.id),
                4
            ),
            fork::pull(
                s,
                &into,
                &subject,
                &changed,
                Licence::CcBy4,
                1,
                Some(&ana.id),
                4
            ),
        );
        let mut got = [a.expect("pull"), b.expect("pull")];
        got.sort_by_key(|r| r.is_err());
        assert_eq!(
            got,
            [Ok(Saved::Draft), Err(PullRefused::NothingToPull)],
            "{}",
            db.label
        );
        let org = orgs::by_id(s, &into).await.expect("read").expect("org");
        let draft = framework::draft(s, &org)
            .await
            .expect("read")
            .expect("draft");
        assert_eq!(draft.revision, 2, "one pull wrote once: {}", db.label);
        assert_eq!(
            draft.framework.abilities[0].milestones[0].summary.as_str(),
            "Changed upstream."
        );
        // The upstream withdrew its licence: nothing more is pulled.
        let other = Subject::Item(ItemKind::Ability, Slug::parse("testing").expect("slug"));
        assert!(matches!(
            fork::pull(
                s,
                &into,
                &other,
                &changed,
                Licence::None,
                2,
                Some(&ana.id),
                5
            )
            .await
            .expect("pull"),
            Err(PullRefused::Licence(_))
        ));
    })
    .await;
}

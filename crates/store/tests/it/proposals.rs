//! Proposals on both backends: support is one per person, a decision is
//! made once (two editors accepting at once apply it once), and accepted
//! ones are found for the release notes of the version that follows.

use cairn_domain::{ItemKind, Name};
use cairn_store::framework::{self, AcceptRefused, Edit, Saved};
use cairn_store::proposals::{self, Status};
use cairn_store::testing::for_each_backend;
use cairn_store::{conversations, orgs};

use crate::demo;

#[tokio::test]
async fn support_counts_once_and_a_proposal_is_decided_once() {
    for_each_backend(|db| async move {
        let s = &db.store;
        framework::replace(s, &demo(), 1).await.expect("import");
        let org = orgs::by_slug(s, &demo().organization.slug)
            .await
            .expect("read")
            .expect("org");
        let (ana, bob) = (
            crate::person(s, "ana@example.com").await,
            crate::person(s, "bob@example.com").await,
        );
        let ability = demo().abilities[0].clone();
        let subject = conversations::subject(s, &org.id, ItemKind::Ability, ability.slug.as_str())
            .await
            .expect("read")
            .expect("subject");
        let id = proposals::create(
            s,
            &org.id,
            &subject,
            &ana.id,
            "Proposal: x",
            "Why.",
            "[]",
            "[]",
            10,
        )
        .await
        .expect("create");
        for _ in 0..2 {
            proposals::support(s, &org.id, &id, &bob.id, true, 11)
                .await
                .expect("support")
                .expect("open");
        }
        let got = proposals::get(s, &org.id, &id, Some(&bob.id))
            .await
            .expect("get")
            .expect("found");
        assert_eq!(
            (got.state.supporters, got.state.mine),
            (1, true),
            "{}",
            db.label
        );
        assert_eq!(got.rationale, "Why.");
        assert_eq!(got.author_name, "ana");
        let threads = conversations::threads_for(s, &org.id, &subject, Some(&ana.id))
            .await
            .expect("threads");
        let state = threads[0].proposal.as_ref().expect("a proposal thread");
        assert_eq!(
            (state.supporters, state.mine, state.status),
            (1, false, Status::Open)
        );

        // Two editors accept at once: one applies it.
        let mut renamed = ability.clone();
        renamed.name = Name::parse("Renamed", "n").expect("name");
        let edit = || Edit::SaveAbility {
            ability: renamed.clone(),
            create: false,
        };
        let (x, y) = tokio::join!(
            framework::accept(s, &org.id, &id, edit(), &ana.id, 20),
            framework::accept(s, &org.id, &id, edit(), &bob.id, 20),
        );
        let results = [x.expect("x"), y.expect("y")];
        assert!(
            results.contains(&Ok(Saved::Live)),
            "{}: {results:?}",
            db.label
        );
        assert!(
            results.contains(&Err(AcceptRefused::Decided)),
            "{}: {results:?}",
            db.label
        );
        let got = proposals::get(s, &org.id, &id, None)
            .await
            .expect("get")
            .expect("found");
        assert_eq!(got.state.status, Status::Accepted);
        assert_eq!(
            proposals::support(s, &org.id, &id, &ana.id, true, 21)
                .await
                .expect("support"),
            Err(proposals::Refused::Decided)
        );
        assert_eq!(
            proposals::decline(s, &org.id, &id, &ana.id, "no", 22)
                .await
                .expect("decline"),
            Err(proposals::Refused::Decided)
        );
        let threads = conversations::threads(s, &org.id, &subject)
            .await
            .expect("threads");
        assert!(threads[0].resolved, "deciding resolves the thread");
        assert_eq!(
            threads[0].comments.last().map(|c| c.body.as_str()),
            Some("Accepted, and published.")
        );
        // Release notes: accepted in (after, upto].
        let org_id = &org.id;
        let found = |after, upto| async move {
            proposals::accepted_between(s, org_id, after, upto)
                .await
                .expect("accepted")
                .len()
        };
        assert_eq!(found(19, 20).await, 1);
        assert_eq!(found(20, 100).await, 0);
        assert_eq!(found(0, 19).await, 0);
        // A declined one is not in them.
        let other = proposals::create(
            s,
            &org.id,
            &subject,
            &bob.id,
            "Proposal: y",
            "Why.",
            "[]",
            "[]",
            30,
        )
        .await
        .expect("create");
        proposals::decline(s, &org.id, &other, &ana.id, "Not now.", 31)
            .await
            .expect("decline")
            .expect("open");
        assert_eq!(found(0, 100).await, 1);
    })
    .await;
}

//! The demo organization's people: a small engineering department of
//! Fernhill in two teams, with managers, positions and roles (two of them
//! below a requirement), awards, observations at several privacy levels
//! and a conversation, so every page of the demo has something real.
//!
//! Loaded once, into a demo organization that has no members yet (`cairn
//! serve --demo`, `cairn demo`): edits made in the running product are
//! never overwritten. The people cannot sign in with a password (their
//! hash is not one); `cairn admin session EMAIL` opens a session as any
//! of them. Names, stories and notes are ours, written for this demo.

use cairn_domain::awards::AwardVisibility;
use cairn_domain::membership::{Capabilities, Capability};
use cairn_domain::people::Email;
use cairn_domain::visibility::{Privacy, Rating};
use cairn_domain::{ItemKind, Level, Markdown, Name, Slug};

use crate::awards::{self, NewAward};
use crate::jobs::{self, Change};
use crate::observations::{self, Draft};
use crate::orgs::OrgRecord;
use crate::people::{self, PersonId};
use crate::{Millis, Store, StoreError, conversations, members, teams};

const DAY: Millis = 86_400_000;

/// The demo framework file; it ships with the binary.
pub const FILE: &str = include_str!("../../../demo/fernhill.yaml");

/// Who "Try the demo" signs a visitor in as: a member with a manager, a
/// team, a position below its next step, awards and observations.
pub const TRY_AS: &str = "priya@fernhill.example";

/// The demo framework, parsed. It is tested, so a failure here is a build
/// defect, reported rather than panicking.
pub fn framework() -> Result<cairn_domain::Framework, String> {
    cairn_domain::file::parse(FILE).map_err(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// The milestones a demo person holds, as the demo awards them (each
/// award holds every level up to its own): the home page draws one.
pub fn held_by(local: &str) -> Vec<(Slug, Level)> {
    AWARDS
        .iter()
        .filter(|(who, ..)| *who == local)
        .filter_map(|(_, ability, level, ..)| {
            Some((Slug::parse(ability).ok()?, Level::parse(*level).ok()?))
        })
        .collect()
}

/// Not a password hash: nobody signs in as a demo person with a password.
const NO_PASSWORD: &str = "!demo: no password";

/// (local part, name, capabilities, manager's local part, team, position,
/// roles, days ago they took it)
type Person = (
    &'static str,
    &'static str,
    &'static [Capability],
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    i64,
);

#[rustfmt::skip]
const CAST: &[Person] = &[
    ("nadia", "Nadia Okafor",  &[Capability::Owner],          None,          "engineering", Some("staff-engineer"),  &["software-engineer", "tech-lead", "mentor"], 900),
    ("omar",  "Omar Haddad",   &[Capability::Admin, Capability::PeopleLead], None, "engineering", None,          &[], 700),
    ("tomas", "Tomás Reyes",   &[Capability::FrameworkEditor], Some("nadia"), "platform",    Some("senior-engineer"), &["software-engineer", "on-call-responder", "mentor"], 600),
    ("priya", "Priya Raman",   &[],                            Some("tomas"), "platform",    Some("engineer-2"),      &["software-engineer", "on-call-responder"], 300),
    ("jonas", "Jonas Berg",    &[],                            Some("tomas"), "platform",    Some("engineer-1"),      &["software-engineer"], 120),
    ("aiko",  "Aiko Tanaka",   &[],                            Some("nadia"), "product",     Some("senior-engineer"), &["software-engineer", "on-call-responder", "mentor"], 500),
    ("sam",   "Sam Whitfield", &[],                            Some("aiko"),  "product",     Some("engineer-2"),      &["software-engineer", "on-call-responder"], 200),
    ("lena",  "Lena Vogt",     &[],                            Some("aiko"),  "product",     Some("engineer-1"),      &["software-engineer"], 60),
];

/// (recipient, ability, level, certifier, days ago, note)
#[rustfmt::skip]
const AWARDS: &[(&str, &str, i64, &str, i64, &str)] = &[
    ("nadia", "system-design", 4, "omar", 800, "Led the storage redesign end to end."),
    ("nadia", "written-communication", 4, "omar", 780, ""),
    ("nadia", "code-quality", 3, "omar", 760, ""),
    ("nadia", "testing", 3, "omar", 760, ""),
    ("nadia", "mentoring", 3, "omar", 700, ""),
    ("nadia", "feedback", 3, "omar", 700, ""),
    ("tomas", "code-quality", 3, "nadia", 500, "Raised the bar for reviews on the platform team."),
    ("tomas", "testing", 3, "nadia", 480, ""),
    ("tomas", "system-design", 2, "nadia", 450, ""),
    ("tomas", "incident-response", 3, "nadia", 400, ""),
    ("tomas", "observability", 2, "nadia", 400, ""),
    ("tomas", "mentoring", 2, "nadia", 300, ""),
    ("tomas", "feedback", 2, "nadia", 300, ""),
    ("priya", "code-quality", 2, "tomas", 200, "Her refactor of the job runner is a model for the team."),
    ("priya", "testing", 1, "tomas", 200, ""),
    ("priya", "incident-response", 2, "tomas", 150, ""),
    ("priya", "observability", 1, "tomas", 150, ""),
    ("jonas", "code-quality", 1, "tomas", 60, ""),
    ("jonas", "testing", 1, "tomas", 60, ""),
    ("aiko", "code-quality", 3, "nadia", 400, ""),
    ("aiko", "testing", 3, "nadia", 400, ""),
    ("aiko", "system-design", 2, "nadia", 350, ""),
    ("aiko", "incident-response", 2, "nadia", 300, ""),
    ("aiko", "observability", 1, "nadia", 300, ""),
    ("aiko", "mentoring", 2, "nadia", 250, ""),
    ("aiko", "feedback", 2, "nadia", 250, ""),
    ("sam", "code-quality", 2, "aiko", 100, ""),
    ("sam", "testing", 2, "aiko", 100, ""),
    ("sam", "observability", 1, "aiko", 90, ""),
    ("lena", "code-quality", 1, "aiko", 30, ""),
    ("lena", "testing", 1, "aiko", 20, "Tests for the edge cases nobody had written down."),
];

/// (observer, observees, days ago, story, privacy, ratings)
#[rustfmt::skip]
const OBSERVATIONS: &[(&str, &[&str], i64, &str, Privacy, &[(&str, Rating)])] = &[
    ("tomas", &["priya"], 40,
     "Priya spotted that the nightly export was retrying forever on one bad row, wrote a failing test first, and fixed it with a clear note for whoever meets it next.",
     Privacy::Public, &[("testing", Rating::Strong), ("code-quality", Rating::Strong)]),
    ("priya", &["jonas"], 25,
     "Jonas paired with me on his first on-call handover and asked exactly the right questions about the alerts we ignore.",
     Privacy::Organization, &[("incident-response", Rating::Strong)]),
    ("aiko", &["sam"], 20,
     "During Tuesday's outage Sam kept the incident channel calm and posted an update every fifteen minutes, even when there was nothing new.",
     Privacy::Organization, &[("incident-response", Rating::Exceptional), ("written-communication", Rating::Strong)]),
    ("nadia", &["tomas", "aiko"], 15,
     "Tomás and Aiko ran the design review for the new billing service together: the doc was short, the trade-offs were on the first page, and the meeting ended early.",
     Privacy::Public, &[("system-design", Rating::Strong), ("written-communication", Rating::Exceptional)]),
    ("sam", &["lena"], 10,
     "Lena's first pull request came with tests for the two edge cases nobody had written down.",
     Privacy::Observees, &[("testing", Rating::Strong)]),
    ("tomas", &["jonas"], 5,
     "Jonas merged a change without waiting for review on Friday; we talked it through and he wrote the checklist we now all use.",
     Privacy::Managers, &[("code-quality", Rating::Misaligned)]),
];

/// Fills the demo organization with its people, unless it has members
/// already; returns whether it did.
pub async fn people(store: &Store, org: &OrgRecord, now: Millis) -> Result<bool, StoreError> {
    if !members::list(store, &org.id).await?.is_empty() {
        return Ok(false);
    }
    let slug = |s: &str| Slug::parse(s).map_err(StoreError::from);
    let name = |s: &str| Name::parse(s, "demo name").map_err(StoreError::from);
    // Teams: Engineering, with Platform and Product inside.
    for (team, title, parent) in [
        ("engineering", "Engineering", None),
        ("platform", "Platform", Some("engineering")),
        ("product", "Product", Some("engineering")),
    ] {
        let parent = parent.map(slug).transpose()?;
        // Already there (a reload): keep it as it is.
        let _ = teams::save(
            store,
            &org.id,
            &slug(team)?,
            &name(title)?,
            parent.as_ref(),
            true,
            now,
        )
        .await?;
    }
    let mut ids: Vec<(&str, PersonId)> = Vec::new();
    for (local, full, caps, ..) in CAST {
        let email = Email::parse(&format!("{local}@fernhill.example"))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let person = match people::by_email(store, &email).await? {
            Some((p, _)) => p,
            None => people::create(store, &email, &name(full)?, NO_PASSWORD, now).await?,
        };
        members::add(store, &org.id, &person.id, Capabilities::of(caps), now).await?;
        members::set_capabilities(store, &org.id, &person.id, Capabilities::of(caps)).await?;
        ids.push((local, person.id));
    }
    let id = |local: &str| {
        ids.iter()
            .find(|(l, _)| *l == local)
            .map(|(_, id)| id.clone())
            .ok_or_else(|| StoreError::Corrupt(format!("demo person {local}")))
    };
    let omar = id("omar")?;
    for (local, _, _, manager, team, position, roles, days) in CAST {
        let person = id(local)?;
        if let Some(m) = manager {
            // The cast has no loops.
            let _ = members::set_manager(store, &org.id, &person, Some(&id(m)?)).await?;
        }
        let position = position.map(slug).transpose()?;
        let roles = roles
            .iter()
            .map(|r| slug(r))
            .collect::<Result<Vec<_>, _>>()?;
        let team = slug(team)?;
        let since = cairn_domain::jobs::day_of(now - days * DAY);
        let change = Change {
            position: position.as_ref(),
            roles: &roles,
            team: Some(&team),
            since,
            note: "",
            by: &omar,
            client_ip: "",
        };
        // Each is valid for the demo framework; a refusal would only mean
        // the framework changed, and then the person simply holds less.
        let _ = jobs::change(store, &org.id, &person, &change, now).await?;
    }
    for (recipient, ability, level, certifier, days, note) in AWARDS {
        let new = NewAward {
            recipient: id(recipient)?,
            ability: slug(ability)?,
            levels: (1..=*level).map(Level::parse).collect::<Result<_, _>>()?,
            note: (*note).to_owned(),
            visibility: if note.is_empty() {
                AwardVisibility::Private
            } else {
                AwardVisibility::Organization
            },
            evidence: vec![],
        };
        awards::award(store, &org.id, &id(certifier)?, &new, now - days * DAY).await?;
    }
    for (observer, observees, days, story, privacy, ratings) in OBSERVATIONS {
        let draft = Draft {
            observees: observees.iter().map(|o| id(o)).collect::<Result<_, _>>()?,
            story: Markdown::new(*story),
            observed_on: cairn_domain::jobs::day_of(now - days * DAY),
            ratings: ratings
                .iter()
                .map(|(a, r)| Ok((slug(a)?, *r)))
                .collect::<Result<_, StoreError>>()?,
        };
        let at = now - days * DAY + 3_600_000;
        if let Ok(obs) = observations::create(store, &org.id, &id(observer)?, &draft, at).await? {
            observations::publish(store, &org.id, &obs, *privacy, at).await?;
        }
    }
    if let Some(subject) =
        conversations::subject(store, &org.id, ItemKind::Ability, "observability").await?
    {
        conversations::start(
            store,
            &org.id,
            &subject,
            &id("sam")?,
            "Should milestone 1 ask for building a dashboard?",
            "On-call Responders need milestone 1 here. Most of us read the dashboards long before we build one: is reading them well enough, or should adding a panel be part of it?",
            now - 3 * DAY,
        )
        .await?;
    }
    check_ins(store, org, &id("priya")?, &id("tomas")?, &id("jonas")?, now).await?;
    Ok(true)
}

/// Two check-ins: Priya's last quarter with Tomás, finalized and
/// acknowledged; Jonas's open, his side completed, Tomás's not yet.
async fn check_ins(
    store: &Store,
    org: &OrgRecord,
    priya: &PersonId,
    tomas: &PersonId,
    jonas: &PersonId,
    now: Millis,
) -> Result<(), StoreError> {
    use crate::check_ins::{self as ci, SideWrite};
    use cairn_domain::check_ins::{AbilityRating as R, Entry, Freezing, Overall, Side, Sides};
    let slug = |s: &str| Slug::parse(s).map_err(StoreError::from);
    let said = |r: R, note: &str| Entry {
        rating: Some(r),
        note: note.to_owned(),
        evidence: Vec::new(),
    };
    let fw = crate::framework::load(store, org).await?;
    let position = slug("engineer-2")?;
    let Some(p) = fw.position(&position).cloned() else {
        return Ok(());
    };
    let listed = cairn_domain::check_ins::abilities(&fw, &p, &[]);
    let (opened, done) = (now - 20 * DAY, now - 12 * DAY);
    if let Ok(id) = ci::open(store, &org.id, priya, &position, false, tomas, opened).await? {
        let member: Vec<(Slug, Entry)> = listed
            .iter()
            .map(|(a, _)| {
                let note = if a.as_str() == "code-quality" {
                    "The job runner refactor is the work I am proudest of."
                } else {
                    ""
                };
                (a.clone(), said(R::Meeting, note))
            })
            .collect();
        let manager: Vec<(Slug, Entry)> = listed
            .iter()
            .map(|(a, _)| match a.as_str() {
                "code-quality" => (a.clone(), said(R::Exceeding, "A model for the team.")),
                "testing" => (
                    a.clone(),
                    said(
                        R::WorkingTowards,
                        "Milestone 2 is next: tests at the right level.",
                    ),
                ),
                _ => (a.clone(), said(R::Meeting, "")),
            })
            .collect();
        for (side, author, entries) in [
            (Side::Member, priya, &member),
            (Side::Manager, tomas, &manager),
        ] {
            let w = SideWrite {
                side,
                author,
                entries,
                added: &[],
                complete: true,
            };
            let _ = ci::save_side(store, &org.id, &id, &w, done - DAY).await?;
        }
        let held_awards = awards::of_person(store, &org.id, priya).await?;
        let held = awards::held(held_awards.iter());
        let sides = Sides {
            member,
            manager: manager.clone(),
            agreed: manager.clone(),
        };
        let summary = "A strong quarter: the job runner refactor raised the bar for the team. Next: testing at the right level, towards Engineer II's milestone 2.";
        let frozen = cairn_domain::check_ins::freeze(&Freezing {
            fw: &fw,
            framework_version: org.framework_version,
            position: &p,
            aiming: false,
            added: &[],
            held: &held,
            sides: &sides,
            summary,
            overall: Overall::Accomplished,
            scale: &Default::default(),
            at: done,
        });
        if ci::finalize(store, &org.id, &id, tomas, &manager, &frozen, done)
            .await?
            .is_ok()
        {
            let _ = ci::acknowledge(
                store,
                &org.id,
                &id,
                priya,
                false,
                "Agreed, and thanks.",
                done + DAY,
            )
            .await?;
        }
    }
    let junior = slug("engineer-1")?;
    if let Some(p) = fw.position(&junior).cloned()
        && let Ok(id) =
            ci::open(store, &org.id, jonas, &junior, false, tomas, now - 2 * DAY).await?
    {
        let mine: Vec<(Slug, Entry)> = cairn_domain::check_ins::abilities(&fw, &p, &[])
            .iter()
            .map(|(a, _)| (a.clone(), said(R::Meeting, "")))
            .collect();
        let w = SideWrite {
            side: Side::Member,
            author: jonas,
            entries: &mine,
            added: &[],
            complete: true,
        };
        let _ = ci::save_side(store, &org.id, &id, &w, now - DAY).await?;
    }
    Ok(())
}

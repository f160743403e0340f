//! Notifications (`cairn_domain::notify`): written inside the transaction
//! of the change they tell of, to the people the domain's rule names; read
//! back as a person's inbox, across their organizations.

use cairn_domain::notify::{Kind, newly_observed, participants_to_tell, to_webhook};
use cairn_domain::visibility::{ObservationFacts, Privacy, Reader, can_read};
use sqlx::AnyConnection;

use crate::deliveries;
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError, new_id};

/// One entry of an inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub kind: Kind,
    pub subject: String,
    pub href: String,
    pub created_at: Millis,
    pub read: bool,
}

/// How many an inbox page shows.
pub const PAGE: i64 = 25;

/// Tells `person` in their inbox and by email, as they chose for `kind`.
async fn insert(
    conn: &mut AnyConnection,
    org: &OrgId,
    person: &str,
    kind: Kind,
    subject: &str,
    href: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let channel = deliveries::channel_on(conn, org, person, kind.as_str()).await?;
    if !channel.inbox() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notifications (id, org_id, person_id, kind, subject, href, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(org.as_str())
    .bind(person)
    .bind(kind.as_str())
    .bind(subject)
    .bind(href)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if channel.email() {
        deliveries::email_person(conn, org, person, kind, subject, href, now).await?;
    }
    Ok(())
}

/// A webhook event as JSON: what happened, where, in words.
fn event_json(kind: Kind, org_slug: &str, subject: &str, href: &str, now: Millis) -> String {
    serde_json::json!({
        "kind": kind.as_str(),
        "organization": org_slug,
        "text": subject,
        "path": href,
        "at": now,
    })
    .to_string()
}

/// After an observation was published (`before` None) or re-levelled from
/// `before`: tells the people observed who may read it now and could not.
pub(crate) async fn observation_changed(
    conn: &mut AnyConnection,
    org: &OrgId,
    id: &str,
    before: Option<Privacy>,
    now: Millis,
) -> Result<(), StoreError> {
    let row: Option<(String, String, String, Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT o.observer_id, p.name, o.privacy, o.published_at, o.deleted_at, g.slug
           FROM observations o JOIN people p ON p.id = o.observer_id
           JOIN organizations g ON g.id = o.org_id
          WHERE o.org_id = $1 AND o.id = $2",
    )
    .bind(org.as_str())
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((observer, observer_name, privacy, published, deleted, slug)) = row else {
        return Ok(());
    };
    let observees: Vec<String> = sqlx::query_scalar(
        "SELECT person_id FROM observation_observees WHERE observation_id = $1 ORDER BY person_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let privacy = Privacy::parse(&privacy)
        .ok_or_else(|| StoreError::Corrupt(format!("privacy {privacy:?}")))?;
    let now_facts = ObservationFacts {
        observer: observer.clone(),
        observees: observees.clone(),
        privacy,
        published: published.is_some(),
        deleted: deleted.is_some(),
    };
    let before_facts = before.map(|p| ObservationFacts {
        privacy: p,
        ..now_facts.clone()
    });
    let subject = format!("{observer_name} wrote an observation of you");
    let href = format!("/{slug}/observations/{id}");
    for person in newly_observed(before_facts.as_ref(), &now_facts) {
        insert(conn, org, &person, Kind::Observed, &subject, &href, now).await?;
    }
    // Webhooks hear of it once anyone at all may read it (the pages' rule
    // for an outsider), and not before.
    let public = |f: &ObservationFacts<String>| can_read(&Reader::outsider(), f);
    let newly_public = public(&now_facts) && !before_facts.as_ref().is_some_and(public);
    if to_webhook(Kind::Observed, newly_public) {
        let hooks = deliveries::webhooks_for(conn, org, Kind::Observed).await?;
        if !hooks.is_empty() {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT p.name FROM observation_observees x JOIN people p ON p.id = x.person_id
                  WHERE x.observation_id = $1 ORDER BY p.name",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            let text = format!(
                "{observer_name} wrote a public observation of {}",
                names.join(", ")
            );
            let body = event_json(Kind::Observed, &slug, &text, &href, now);
            deliveries::to_webhooks(
                conn,
                org,
                &hooks,
                &deliveries::Event {
                    kind: Kind::Observed,
                    text: &text,
                    href: &href,
                    body: &body,
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// After an award: tells its recipient (who may always read their own);
/// and, when the whole organization may read it, the webhooks.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn awarded(
    conn: &mut AnyConnection,
    org: &OrgId,
    recipient: &PersonId,
    certifier: &PersonId,
    ability: &str,
    level: u8,
    organization_wide: bool,
    now: Millis,
) -> Result<(), StoreError> {
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.name, a.name, g.slug, r.name FROM people p, abilities a, organizations g, people r
          WHERE p.id = $1 AND a.org_id = $2 AND a.slug = $3 AND g.id = $2 AND r.id = $4",
    )
    .bind(certifier.as_str())
    .bind(org.as_str())
    .bind(ability)
    .bind(recipient.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((certifier_name, ability_name, slug, recipient_name)) = row else {
        return Ok(());
    };
    let href = format!("/{slug}/people/{}", recipient.as_str());
    if certifier != recipient {
        insert(
            conn,
            org,
            recipient.as_str(),
            Kind::Awarded,
            &format!("{certifier_name} awarded you {ability_name}: milestone {level}"),
            &href,
            now,
        )
        .await?;
    }
    if to_webhook(Kind::Awarded, organization_wide) {
        let hooks = deliveries::webhooks_for(conn, org, Kind::Awarded).await?;
        if !hooks.is_empty() {
            let text = format!("{recipient_name} was awarded {ability_name}: milestone {level}");
            let body = event_json(Kind::Awarded, &slug, &text, &href, now);
            deliveries::to_webhooks(
                conn,
                org,
                &hooks,
                &deliveries::Event {
                    kind: Kind::Awarded,
                    text: &text,
                    href: &href,
                    body: &body,
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// After awards were revoked: tells their recipient, unless they revoked
/// it themselves.
pub(crate) async fn revoked(
    conn: &mut AnyConnection,
    org: &OrgId,
    award: &str,
    by: &PersonId,
    now: Millis,
) -> Result<(), StoreError> {
    let row: Option<(String, String, i64, String, String)> = sqlx::query_as(
        "SELECT w.recipient_id, a.name, w.level, g.slug, p.name
           FROM awards w JOIN abilities a ON a.id = w.ability_id
           JOIN organizations g ON g.id = w.org_id JOIN people p ON p.id = $3
          WHERE w.org_id = $1 AND w.id = $2",
    )
    .bind(org.as_str())
    .bind(award)
    .bind(by.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((recipient, ability, level, slug, by_name)) = row else {
        return Ok(());
    };
    if recipient == by.as_str() {
        return Ok(());
    }
    let subject = format!("{by_name} revoked your {ability}: milestone {level}");
    let href = format!("/{slug}/people/{recipient}");
    insert(conn, org, &recipient, Kind::Revoked, &subject, &href, now).await
}

/// Tells one member about something of their own (a step in their
/// check-in, a change of their position or roles): they may always read
/// their own page. `actor` is not told of what they did themselves.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn to_member(
    conn: &mut AnyConnection,
    org: &OrgId,
    member: &str,
    actor: &PersonId,
    kind: Kind,
    subject: &str,
    href_in_org: &str,
    now: Millis,
) -> Result<(), StoreError> {
    if member == actor.as_str() {
        return Ok(());
    }
    nudge(conn, org, member, kind, subject, href_in_org, now).await
}

/// Tells one active member of something nobody did (a sweep found it): a
/// stale milestone of theirs or of a report's.
pub(crate) async fn nudge(
    conn: &mut AnyConnection,
    org: &OrgId,
    member: &str,
    kind: Kind,
    subject: &str,
    href_in_org: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let slug: Option<String> = sqlx::query_scalar(
        "SELECT g.slug FROM organizations g JOIN memberships m ON m.org_id = g.id
          WHERE g.id = $1 AND m.person_id = $2 AND m.status = 'active'",
    )
    .bind(org.as_str())
    .bind(member)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(slug) = slug else {
        return Ok(());
    };
    let href = format!("/{slug}{href_in_org}");
    insert(conn, org, member, kind, subject, &href, now).await
}

/// After a reply on (or the resolution of) a conversation: tells those
/// who took part, except the one who acted.
pub(crate) async fn conversation(
    conn: &mut AnyConnection,
    org: &OrgId,
    id: &str,
    actor: &PersonId,
    kind: Kind,
    now: Millis,
) -> Result<(), StoreError> {
    let row: Option<(String, String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT c.title, c.subject_kind, g.slug,
                CASE c.subject_kind
                     WHEN 'ability' THEN (SELECT a.slug FROM abilities a WHERE a.id = c.subject_id)
                     WHEN 'role' THEN (SELECT r.slug FROM roles r WHERE r.id = c.subject_id)
                     ELSE (SELECT p.slug FROM positions p WHERE p.id = c.subject_id) END,
                (SELECT x.name FROM people x WHERE x.id = $3)
           FROM conversations c JOIN organizations g ON g.id = c.org_id
          WHERE c.org_id = $1 AND c.id = $2",
    )
    .bind(org.as_str())
    .bind(id)
    .bind(actor.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((title, subject_kind, slug, Some(subject), Some(actor_name))) = row else {
        return Ok(());
    };
    let area = match subject_kind.as_str() {
        "ability" => "abilities",
        "role" => "roles",
        _ => "positions",
    };
    let people: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT x.person, m.status FROM (
             SELECT author_id AS person FROM conversations WHERE id = $1
             UNION SELECT author_id FROM comments WHERE conversation_id = $1) x
           LEFT JOIN memberships m ON m.org_id = $2 AND m.person_id = x.person
          ORDER BY x.person",
    )
    .bind(id)
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let participants: Vec<(String, bool)> = people
        .into_iter()
        .map(|(p, status)| (p, status.as_deref() == Some("active")))
        .collect();
    let subject_line = match kind {
        Kind::Resolved => format!("{actor_name} resolved \u{201c}{title}\u{201d}"),
        _ => format!("{actor_name} replied in \u{201c}{title}\u{201d}"),
    };
    let href = format!("/{slug}/{area}/{subject}#thread-{id}");
    for p in participants_to_tell(&participants, &actor.as_str().to_owned()) {
        insert(conn, org, &p, kind, &subject_line, &href, now).await?;
    }
    Ok(())
}

/// A page of `person`'s inbox, newest first, and whether there are more.
pub async fn inbox(
    store: &Store,
    person: &PersonId,
    page: i64,
) -> Result<(Vec<Notification>, bool), StoreError> {
    let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, kind, subject, href, created_at, read_at FROM notifications
          WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
    )
    .bind(person.as_str())
    .bind(PAGE + 1)
    .bind(page.max(0) * PAGE)
    .fetch_all(&store.pool)
    .await?;
    let more = rows.len() as i64 > PAGE;
    let list = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|(id, kind, subject, href, created_at, read_at)| {
            Ok(Notification {
                id,
                kind: Kind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("notification kind {kind:?}")))?,
                subject,
                href,
                created_at,
                read: read_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((list, more))
}

/// Marks one of `person`'s notifications read; where it leads, if it is
/// theirs.
pub async fn mark_read(
    store: &Store,
    person: &PersonId,
    id: &str,
    now: Millis,
) -> Result<Option<String>, StoreError> {
    let mut tx = store.begin_write().await?;
    let href: Option<String> =
        sqlx::query_scalar("SELECT href FROM notifications WHERE id = $1 AND person_id = $2")
            .bind(id)
            .bind(person.as_str())
            .fetch_optional(tx.conn()?)
            .await?;
    if href.is_some() {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(tx.conn()?)
            .await?;
    }
    tx.commit().await?;
    Ok(href)
}

pub async fn mark_all_read(
    store: &Store,
    person: &PersonId,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL")
        .bind(now)
        .bind(person.as_str())
        .execute(tx.conn()?)
        .await?;
    tx.commit().await
}

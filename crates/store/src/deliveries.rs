//! Deliveries: the outbox of messages leaving cairn (an email to a person,
//! a call to an organization's webhook). Rows are written inside the
//! transaction of what they tell, so a change and its messages commit or
//! vanish together. The worker of every `cairn serve` then [`lease`]s due
//! rows, sends them, and marks them [`sent`], [`retry`] or [`failed`].
//!
//! A lease is a claim with an expiry: the row's `leased_until`. On
//! PostgreSQL the claiming UPDATE picks its rows `FOR UPDATE SKIP LOCKED`,
//! so servers leasing at once take different rows; on SQLite the claim
//! runs under the write lock. A server that dies holding a lease leaves
//! the row to be leased again once the lease expires: a message sent just
//! before the crash is sent again (at-least-once), under the same id, which
//! receivers use to drop the duplicate (`Message-ID`, `Idempotency-Key`).

use cairn_domain::notify::{Channel, Kind};
use sqlx::AnyConnection;

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Backend, Millis, Store, StoreError, new_id};

/// What a delivery carries besides the notification kinds.
pub const INVITATION: &str = "invitation";
pub const PASSWORD_RESET: &str = "password_reset";
pub const DIGEST: &str = "digest";

/// The preference key of the weekly digest (beside the notification kinds).
pub const DIGEST_SETTING: &str = "digest";

/// How long between two digests of one person.
pub const DIGEST_EVERY_MS: Millis = 7 * 24 * 3600 * 1000;

/// Where a delivery goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An email to this address.
    Email { address: String, name: String },
    /// A POST to an organization's webhook.
    Webhook {
        url: String,
        secret: String,
        slack: bool,
    },
}

/// A leased delivery: everything the worker needs to send it.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    pub kind: String,
    pub target: Target,
    /// '' for an account's own mail (a password reset).
    pub org_id: String,
    pub org_name: String,
    pub org_slug: String,
    pub person: Option<PersonId>,
    pub subject: String,
    pub href: String,
    pub body: String,
    pub secret: Option<String>,
    pub attempts: u32,
    pub created_at: Millis,
}

/// One line of the deliveries page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub id: String,
    pub channel: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Millis,
}

/// How many the deliveries page shows at once.
pub const PAGE: i64 = 25;

pub(crate) struct NewDelivery<'a> {
    pub org: Option<&'a OrgId>,
    pub channel: &'static str,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub person: Option<&'a str>,
    pub name: &'a str,
    pub subject: &'a str,
    pub href: &'a str,
    pub body: &'a str,
    pub secret: Option<&'a str>,
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    d: &NewDelivery<'_>,
    now: Millis,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO deliveries (id, org_id, channel, kind, recipient, person_id, name, subject,
                                 href, body, secret, status, next_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $12)",
    )
    .bind(&id)
    .bind(d.org.map(OrgId::as_str))
    .bind(d.channel)
    .bind(d.kind)
    .bind(d.recipient)
    .bind(d.person)
    .bind(d.name)
    .bind(d.subject)
    .bind(d.href)
    .bind(d.body)
    .bind(d.secret)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// How `person` hears of `kind` in `org` (their choice, or the default).
pub(crate) async fn channel_on(
    conn: &mut AnyConnection,
    org: &OrgId,
    person: &str,
    kind: &str,
) -> Result<Channel, StoreError> {
    let chosen: Option<String> = sqlx::query_scalar(
        "SELECT channel FROM notification_settings WHERE org_id = $1 AND person_id = $2 AND kind = $3",
    )
    .bind(org.as_str())
    .bind(person)
    .bind(kind)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(chosen
        .as_deref()
        .and_then(Channel::parse)
        .unwrap_or(Channel::DEFAULT))
}

/// An email to a person about a notification (their address and name as
/// they are now; `person` is an active member, checked by the caller).
pub(crate) async fn email_person(
    conn: &mut AnyConnection,
    org: &OrgId,
    person: &str,
    kind: Kind,
    subject: &str,
    href: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT email, name FROM people WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((email, name)) = row else {
        return Ok(());
    };
    insert(
        conn,
        &NewDelivery {
            org: Some(org),
            channel: "email",
            kind: kind.as_str(),
            recipient: &email,
            person: Some(person),
            name: &name,
            subject,
            href,
            body: "",
            secret: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The organization's webhooks that asked for `kind`.
pub(crate) async fn webhooks_for(
    conn: &mut AnyConnection,
    org: &OrgId,
    kind: Kind,
) -> Result<Vec<String>, StoreError> {
    let hooks: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, kinds FROM webhooks WHERE org_id = $1 AND removed_at IS NULL ORDER BY id",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(hooks
        .into_iter()
        .filter(|(_, kinds)| kinds.split_whitespace().any(|k| k == kind.as_str()))
        .map(|(id, _)| id)
        .collect())
}

/// A call to each of `hooks` (from [`webhooks_for`]). The caller decided
/// the event may go to a webhook (`cairn_domain::notify::to_webhook`).
/// `body` is the event as JSON; the worker adds the absolute link and
/// shapes it for Slack when asked.
pub(crate) async fn to_webhooks(
    conn: &mut AnyConnection,
    org: &OrgId,
    hooks: &[String],
    event: &Event<'_>,
    now: Millis,
) -> Result<(), StoreError> {
    for id in hooks {
        insert(
            conn,
            &NewDelivery {
                org: Some(org),
                channel: "webhook",
                kind: event.kind.as_str(),
                recipient: id,
                person: None,
                name: "",
                subject: event.text,
                href: event.href,
                body: event.body,
                secret: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// What a webhook is told: the kind, the sentence, where, and the event
/// as JSON.
pub(crate) struct Event<'a> {
    pub kind: Kind,
    pub text: &'a str,
    pub href: &'a str,
    pub body: &'a str,
}

/// Whether anything is due (a cheap read, so idle servers do not take the
/// write lock every time they look).
pub async fn any_due(store: &Store, now: Millis) -> Result<bool, StoreError> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE status = 'pending' AND next_at <= $1
            AND (leased_until IS NULL OR leased_until < $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(&store.pool)
    .await?;
    Ok(found.is_some())
}

#[derive(sqlx::FromRow)]
struct DueRow {
    id: String,
    channel: String,
    kind: String,
    recipient: String,
    person_id: Option<String>,
    name: String,
    subject: String,
    href: String,
    body: String,
    secret: Option<String>,
    attempts: i64,
    created_at: i64,
    org_id: Option<String>,
    org_name: Option<String>,
    org_slug: Option<String>,
    url: Option<String>,
    hook_secret: Option<String>,
    slack: Option<i64>,
}

/// Claims up to `limit` due deliveries for `worker` until `now + lease_ms`,
/// counting the attempt. Each row is claimed by one worker at a time.
pub async fn lease(
    store: &Store,
    worker: &str,
    now: Millis,
    lease_ms: Millis,
    limit: i64,
) -> Result<Vec<Due>, StoreError> {
    let lock = match store.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut tx = store.begin_write().await?;
    let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM deliveries WHERE status = 'pending' AND next_at <= $1
            AND (leased_until IS NULL OR leased_until < $1)
          ORDER BY next_at, id LIMIT $2 {lock}"
    )))
    .bind(now)
    .bind(limit)
    .fetch_all(tx.conn()?)
    .await?;
    if ids.is_empty() {
        tx.rollback().await?;
        return Ok(Vec::new());
    }
    // One statement to claim them and one to read them, whatever the batch.
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let list = list.join(", ");
    let mut claim = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET leased_by = $1, leased_until = $2, attempts = attempts + 1
          WHERE id IN ({list})"
    )))
    .bind(worker)
    .bind(now + lease_ms);
    for id in &ids {
        claim = claim.bind(id);
    }
    claim.execute(tx.conn()?).await?;
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 1)).collect();
    let mut read = sqlx::query_as::<_, DueRow>(sqlx::AssertSqlSafe(format!(
        "SELECT d.id, d.channel, d.kind, d.recipient, d.person_id, d.name, d.subject, d.href,
                d.body, d.secret, d.attempts, d.created_at, d.org_id, o.name AS org_name,
                o.slug AS org_slug, w.url, w.secret AS hook_secret, w.slack
           FROM deliveries d
           LEFT JOIN organizations o ON o.id = d.org_id
           LEFT JOIN webhooks w ON d.channel = 'webhook' AND w.id = d.recipient
          WHERE d.id IN ({}) ORDER BY d.next_at, d.id",
        list.join(", ")
    )));
    for id in &ids {
        read = read.bind(id);
    }
    let rows = read.fetch_all(tx.conn()?).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id.clone();
        let target = match r.channel.as_str() {
            "email" => Target::Email {
                address: r.recipient,
                name: r.name,
            },
            "webhook" => match (r.url, r.hook_secret) {
                (Some(url), Some(secret)) => Target::Webhook {
                    url,
                    secret,
                    slack: r.slack.unwrap_or(0) != 0,
                },
                _ => return Err(StoreError::Corrupt(format!("delivery {id}: no webhook"))),
            },
            other => return Err(StoreError::Corrupt(format!("delivery channel {other:?}"))),
        };
        out.push(Due {
            id: r.id,
            kind: r.kind,
            target,
            org_id: r.org_id.unwrap_or_default(),
            org_name: r.org_name.unwrap_or_default(),
            org_slug: r.org_slug.unwrap_or_default(),
            person: r.person_id.map(PersonId),
            subject: r.subject,
            href: r.href,
            body: r.body,
            secret: r.secret,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            created_at: r.created_at,
        });
    }
    tx.commit().await?;
    Ok(out)
}

/// Ends a delivery `worker` holds: sent (or skipped, with why), or failed
/// for good with the error. The one-time secret it carried is forgotten.
/// False when the lease was lost (another worker holds the row now).
pub async fn finish(
    store: &Store,
    id: &str,
    worker: &str,
    status: Finished,
    error: Option<&str>,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE deliveries SET status = $1, sent_at = $2, last_error = COALESCE($3, last_error),
                secret = NULL, leased_by = NULL, leased_until = NULL
          WHERE id = $4 AND leased_by = $5 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(error)
    .bind(id)
    .bind(worker)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Sent,
    /// Not sent, and never will be (no SMTP server configured; the webhook
    /// was removed).
    Skipped,
    Failed,
}

impl Finished {
    pub fn as_str(self) -> &'static str {
        match self {
            Finished::Sent => "sent",
            Finished::Skipped => "skipped",
            Finished::Failed => "failed",
        }
    }
}

/// Marks every waiting email skipped, with why, in one statement: a
/// server without SMTP clears them in bulk rather than one by one, so it
/// takes the write lock once, not once per email.
pub async fn skip_emails(store: &Store, why: &str, now: Millis) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'skipped', last_error = $1, sent_at = $2, secret = NULL,
                leased_by = NULL, leased_until = NULL
          WHERE channel = 'email' AND status = 'pending'",
    )
    .bind(why)
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

/// Forgets deliveries that ended (sent or skipped) before `before`;
/// failed ones stay for admins to see until they are older than
/// `failed_before`.
pub async fn prune(
    store: &Store,
    before: Millis,
    failed_before: Millis,
) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "DELETE FROM deliveries
          WHERE (status IN ('sent', 'skipped') AND sent_at < $1)
             OR (status = 'failed' AND sent_at < $2)",
    )
    .bind(before)
    .bind(failed_before)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

/// Gives a delivery back to be tried again at `next_at`, with the error of
/// this try.
pub async fn retry(
    store: &Store,
    id: &str,
    worker: &str,
    error: &str,
    next_at: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE deliveries SET next_at = $1, last_error = $2, leased_by = NULL, leased_until = NULL
          WHERE id = $3 AND leased_by = $4 AND status = 'pending'",
    )
    .bind(next_at)
    .bind(error)
    .bind(id)
    .bind(worker)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Counts of an organization's deliveries by status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
}

/// The organization's deliveries, failed ones first, then the newest; a
/// page of them and whether there are more.
pub async fn of_org(
    store: &Store,
    org: &OrgId,
    page: i64,
) -> Result<(Counts, Vec<Line>, bool), StoreError> {
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM deliveries WHERE org_id = $1 GROUP BY status")
            .bind(org.as_str())
            .fetch_all(&store.pool)
            .await?;
    let mut c = Counts::default();
    for (status, n) in counts {
        match status.as_str() {
            "pending" => c.pending = n,
            "sent" => c.sent = n,
            "failed" => c.failed = n,
            _ => c.skipped += n,
        }
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        channel: String,
        kind: String,
        recipient: String,
        url: Option<String>,
        subject: String,
        status: String,
        attempts: i64,
        last_error: Option<String>,
        created_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.id, d.channel, d.kind, d.recipient, w.url, d.subject, d.status, d.attempts,
                d.last_error, d.created_at
           FROM deliveries d LEFT JOIN webhooks w ON d.channel = 'webhook' AND w.id = d.recipient
          WHERE d.org_id = $1
          ORDER BY CASE d.status WHEN 'failed' THEN 0 ELSE 1 END, d.created_at DESC, d.id DESC
          LIMIT $2 OFFSET $3",
    )
    .bind(org.as_str())
    .bind(PAGE + 1)
    .bind(page.max(0) * PAGE)
    .fetch_all(&store.pool)
    .await?;
    let more = rows.len() as i64 > PAGE;
    let lines = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| Line {
            id: r.id,
            recipient: r.url.unwrap_or(r.recipient),
            channel: r.channel,
            kind: r.kind,
            subject: r.subject,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
        })
        .collect();
    Ok((c, lines, more))
}

/// Puts a failed delivery of the organization back in the queue, now.
pub async fn try_again(
    store: &Store,
    org: &OrgId,
    id: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'pending', attempts = 0, next_at = $1, sent_at = NULL
          WHERE org_id = $2 AND id = $3 AND status = 'failed'",
    )
    .bind(now)
    .bind(org.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Every delivery's status by id (for tests and `cairn` reports).
pub async fn statuses(store: &Store) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, status, attempts FROM deliveries ORDER BY id")
            .fetch_all(&store.pool)
            .await?,
    )
}

// ---------------------------------------------------------------------------
// Preferences

/// What `person` chose in `org`: every notification kind's channel, and
/// whether they get the weekly digest.
pub async fn preferences(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<(Vec<(Kind, Channel)>, bool), StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, channel FROM notification_settings WHERE org_id = $1 AND person_id = $2",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_all(&store.pool)
    .await?;
    let chosen = |k: &str| {
        rows.iter()
            .find(|(kind, _)| kind == k)
            .and_then(|(_, c)| Channel::parse(c))
    };
    let kinds = Kind::ALL
        .into_iter()
        .map(|k| (k, chosen(k.as_str()).unwrap_or(Channel::DEFAULT)))
        .collect();
    let digest = chosen(DIGEST_SETTING) == Some(Channel::Email);
    Ok((kinds, digest))
}

async fn set_one(
    conn: &mut AnyConnection,
    org: &OrgId,
    person: &PersonId,
    kind: &str,
    channel: Channel,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notification_settings (org_id, person_id, kind, channel) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, person_id, kind) DO UPDATE SET channel = excluded.channel",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .bind(kind)
    .bind(channel.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Saves `person`'s choices in `org`, all at once.
pub async fn set_preferences(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    kinds: &[(Kind, Channel)],
    digest: bool,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    for (kind, channel) in kinds {
        set_one(tx.conn()?, org, person, kind.as_str(), *channel).await?;
    }
    let d = if digest { Channel::Email } else { Channel::Off };
    set_one(tx.conn()?, org, person, DIGEST_SETTING, d).await?;
    tx.commit().await
}

/// One-click unsubscribe from the emails of one kind (the inbox keeps
/// them), or from the digest.
pub async fn unsubscribe(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    kind: &str,
) -> Result<(), StoreError> {
    let channel = if kind == DIGEST_SETTING {
        Channel::Off
    } else if Kind::parse(kind).is_some() {
        Channel::Inbox
    } else {
        return Err(StoreError::NotFound);
    };
    let mut tx = store.begin_write().await?;
    set_one(tx.conn()?, org, person, kind, channel).await?;
    tx.commit().await
}

// ---------------------------------------------------------------------------
// The weekly digest

/// Writes the digests that are due: for everyone who asked for one and
/// has had none for a week, one email listing their unread notifications
/// of the week (none to list: nothing is sent, and the week starts again).
/// The conditional upsert of `digests` is the claim: of several servers
/// writing at once, one writes each person's digest. Returns how many.
pub async fn write_digests(store: &Store, now: Millis) -> Result<usize, StoreError> {
    let due: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT s.org_id, s.person_id, p.email, p.name FROM notification_settings s
           JOIN people p ON p.id = s.person_id
           JOIN memberships m ON m.org_id = s.org_id AND m.person_id = s.person_id
                             AND m.status = 'active'
           LEFT JOIN digests d ON d.org_id = s.org_id AND d.person_id = s.person_id
          WHERE s.kind = $1 AND s.channel = 'email' AND (d.last_at IS NULL OR d.last_at <= $2)
          ORDER BY s.org_id, s.person_id LIMIT 200",
    )
    .bind(DIGEST_SETTING)
    .bind(now - DIGEST_EVERY_MS)
    .fetch_all(&store.pool)
    .await?;
    let mut written = 0;
    for (org, person, email, name) in due {
        let org = OrgId(org);
        let mut tx = store.begin_write().await?;
        let claimed = sqlx::query(
            "INSERT INTO digests (org_id, person_id, last_at) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, person_id) DO UPDATE SET last_at = excluded.last_at
              WHERE digests.last_at <= $4",
        )
        .bind(org.as_str())
        .bind(&person)
        .bind(now)
        .bind(now - DIGEST_EVERY_MS)
        .execute(tx.conn()?)
        .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            continue;
        }
        let lines: Vec<(String, String)> = sqlx::query_as(
            "SELECT subject, href FROM notifications
              WHERE org_id = $1 AND person_id = $2 AND read_at IS NULL AND created_at > $3
              ORDER BY created_at DESC LIMIT 50",
        )
        .bind(org.as_str())
        .bind(&person)
        .bind(now - DIGEST_EVERY_MS)
        .fetch_all(tx.conn()?)
        .await?;
        if !lines.is_empty() {
            let body = serde_json::to_string(&lines)
                .map_err(|e| StoreError::Other(format!("digest: {e}")))?;
            let subject = format!(
                "Your week: {} new notification{}",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" }
            );
            insert(
                tx.conn()?,
                &NewDelivery {
                    org: Some(&org),
                    channel: "email",
                    kind: DIGEST,
                    recipient: &email,
                    person: Some(&person),
                    name: &name,
                    subject: &subject,
                    href: "/notifications",
                    body: &body,
                    secret: None,
                },
                now,
            )
            .await?;
            written += 1;
        }
        tx.commit().await?;
    }
    Ok(written)
}

// ---------------------------------------------------------------------------
// Webhooks

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub kinds: Vec<Kind>,
    pub slack: bool,
    pub created_at: Millis,
}

/// The organization's webhooks (not removed), oldest first.
pub async fn webhooks(store: &Store, org: &OrgId) -> Result<Vec<Webhook>, StoreError> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, url, kinds, slack, created_at FROM webhooks
          WHERE org_id = $1 AND removed_at IS NULL ORDER BY created_at, id",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, url, kinds, slack, created_at)| Webhook {
            id,
            url,
            kinds: kinds.split_whitespace().filter_map(Kind::parse).collect(),
            slack: slack != 0,
            created_at,
        })
        .collect())
}

/// A webhook to add: its URL (checked by the caller), the kinds it hears
/// of, its signing secret, and whether it takes Slack's message shape.
pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub kinds: &'a [Kind],
    pub secret: &'a str,
    pub slack: bool,
}

pub async fn add_webhook(
    store: &Store,
    org: &OrgId,
    w: &NewWebhook<'_>,
    by: &PersonId,
    now: Millis,
) -> Result<String, StoreError> {
    let id = new_id();
    let NewWebhook {
        url,
        kinds,
        secret,
        slack,
    } = *w;
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO webhooks (id, org_id, url, kinds, secret, slack, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(url)
    .bind(kinds.join(" "))
    .bind(secret)
    .bind(i64::from(slack))
    .bind(by.as_str())
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a webhook; what is queued for it is skipped.
pub async fn remove_webhook(
    store: &Store,
    org: &OrgId,
    id: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE webhooks SET removed_at = $1 WHERE org_id = $2 AND id = $3 AND removed_at IS NULL",
    )
    .bind(now)
    .bind(org.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    sqlx::query(
        "UPDATE deliveries SET status = 'skipped', last_error = 'the webhook was removed', sent_at = $1
          WHERE org_id = $2 AND channel = 'webhook' AND recipient = $3 AND status = 'pending'",
    )
    .bind(now)
    .bind(org.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------
// Keys of the instance

/// The instance's key called `name`: `candidate` if there was none yet
/// (several servers starting at once agree on the first one written).
pub async fn instance_key(
    store: &Store,
    name: &str,
    candidate: &str,
) -> Result<String, StoreError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT value FROM instance_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(&store.pool)
            .await?;
    if let Some(value) = found {
        return Ok(value);
    }
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO instance_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .execute(tx.conn()?)
    .await?;
    let value: String = sqlx::query_scalar("SELECT value FROM instance_keys WHERE name = $1")
        .bind(name)
        .fetch_one(tx.conn()?)
        .await?;
    tx.commit().await?;
    Ok(value)
}

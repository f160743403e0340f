//! Change proposals: a conversation on an ability, role or position that
//! carries an edit (the editors' form as posted), supported by members and
//! decided by a framework editor: accepted (applied like an editor's save,
//! in the same transaction: see `framework::accept`) or declined with a
//! reason. A decision resolves the thread and adds its reason as the last
//! comment; it is made once (checked in the deciding transaction).

use cairn_domain::{ItemKind, Name};
use sqlx::AnyConnection;

use crate::conversations::{self, Subject};
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Millis, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Accepted,
    Declined,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Status, StoreError> {
        match s {
            "open" => Ok(Status::Open),
            "accepted" => Ok(Status::Accepted),
            "declined" => Ok(Status::Declined),
            _ => Err(StoreError::Corrupt(format!("proposal status {s:?}"))),
        }
    }
}

/// What a thread shows of its proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub status: Status,
    /// The item as it was proposed against (history snapshot JSON).
    pub base: String,
    /// The edit form as posted (JSON pairs).
    pub proposed: String,
    pub reason: String,
    pub supporters: i64,
    /// Whether the reader supports it.
    pub mine: bool,
}

/// One proposal, to decide on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: String,
    pub kind: ItemKind,
    pub slug: String,
    pub title: String,
    pub author: PersonId,
    pub author_name: String,
    /// The thread's first comment: why.
    pub rationale: String,
    pub state: State,
}

/// Why a proposal step changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Accepted or declined already.
    Decided,
}

/// Opens a proposal: the thread (its rationale the first comment) and the
/// edit, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    store: &Store,
    org: &OrgId,
    subject: &Subject,
    author: &PersonId,
    title: &str,
    rationale: &str,
    base: &str,
    proposed: &str,
    now: Millis,
) -> Result<String, StoreError> {
    let mut tx = store.begin_write().await?;
    let id = conversations::start_in(&mut tx, org, subject, author, title, rationale, now).await?;
    sqlx::query(
        "INSERT INTO proposals (conversation_id, org_id, base, proposed) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(base)
    .bind(proposed)
    .execute(tx.conn()?)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A proposal by its thread's id, with the reader's support.
pub async fn get(
    store: &Store,
    org: &OrgId,
    id: &str,
    me: Option<&PersonId>,
) -> Result<Option<Proposal>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        kind: String,
        slug: Option<String>,
        title: String,
        author_id: String,
        author_name: String,
        rationale: Option<String>,
        status: String,
        base: String,
        proposed: String,
        reason: String,
        supporters: i64,
        mine: i64,
    }
    let row: Option<Row> =
        sqlx::query_as(
            "SELECT c.subject_kind AS kind,
                    CASE c.subject_kind
                         WHEN 'ability' THEN (SELECT a.slug FROM abilities a WHERE a.id = c.subject_id)
                         WHEN 'role' THEN (SELECT r.slug FROM roles r WHERE r.id = c.subject_id)
                         ELSE (SELECT p.slug FROM positions p WHERE p.id = c.subject_id) END AS slug,
                    c.title, c.author_id, w.name AS author_name,
                    (SELECT m.body FROM comments m WHERE m.conversation_id = c.id
                      ORDER BY m.created_at, m.id LIMIT 1) AS rationale,
                    pr.status, pr.base, pr.proposed, pr.reason,
                    (SELECT COUNT(*) FROM proposal_supports s WHERE s.conversation_id = c.id) AS supporters,
                    (SELECT COUNT(*) FROM proposal_supports s
                      WHERE s.conversation_id = c.id AND s.person_id = $3) AS mine
               FROM proposals pr JOIN conversations c ON c.id = pr.conversation_id
               JOIN people w ON w.id = c.author_id
              WHERE pr.org_id = $1 AND pr.conversation_id = $2",
        )
        .bind(org.as_str())
        .bind(id)
        .bind(me.map_or("", PersonId::as_str))
        .fetch_optional(&store.pool)
        .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    Ok(Some(Proposal {
        id: id.to_owned(),
        kind: ItemKind::parse(&r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("subject kind {:?}", r.kind)))?,
        slug: r.slug.ok_or(StoreError::NotFound)?,
        title: r.title,
        author: PersonId(r.author_id),
        author_name: r.author_name,
        rationale: r.rationale.unwrap_or_default(),
        state: State {
            status: Status::parse(&r.status)?,
            base: r.base,
            proposed: r.proposed,
            reason: r.reason,
            supporters: r.supporters,
            mine: r.mine > 0,
        },
    }))
}

/// Supports (or withdraws support for) an open proposal: one per person.
pub async fn support(
    store: &Store,
    org: &OrgId,
    id: &str,
    person: &PersonId,
    on: bool,
    now: Millis,
) -> Result<Result<(), Refused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM proposals WHERE org_id = $1 AND conversation_id = $2",
    )
    .bind(org.as_str())
    .bind(id)
    .fetch_optional(tx.conn()?)
    .await?;
    match status.as_deref() {
        None => return Err(StoreError::NotFound),
        Some("open") => {}
        Some(_) => {
            tx.rollback().await?;
            return Ok(Err(Refused::Decided));
        }
    }
    if on {
        sqlx::query(
            "INSERT INTO proposal_supports (conversation_id, person_id, org_id, at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(person.as_str())
        .bind(org.as_str())
        .bind(now)
        .execute(tx.conn()?)
        .await?;
    } else {
        sqlx::query("DELETE FROM proposal_supports WHERE conversation_id = $1 AND person_id = $2")
            .bind(id)
            .bind(person.as_str())
            .execute(tx.conn()?)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// A decision: accepted or declined, why (declined), and the thread's
/// last comment.
pub(crate) struct Decision<'a> {
    pub(crate) status: Status,
    pub(crate) reason: &'a str,
    pub(crate) comment: &'a str,
}

/// Records the decision inside the deciding transaction: false when it
/// was decided already. The thread is resolved with `comment` as its last
/// word, and its participants told.
pub(crate) async fn decide_in(
    tx: &mut crate::WriteTx,
    org: &OrgId,
    id: &str,
    by: &PersonId,
    d: Decision<'_>,
    now: Millis,
) -> Result<bool, StoreError> {
    let Decision {
        status,
        reason,
        comment,
    } = d;
    let done = sqlx::query(
        "UPDATE proposals SET status = $1, decided_by = $2, decided_at = $3, reason = $4
          WHERE org_id = $5 AND conversation_id = $6 AND status = 'open'",
    )
    .bind(status.as_str())
    .bind(by.as_str())
    .bind(now)
    .bind(reason)
    .bind(org.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    conversations::insert_comment(tx, org, id, by, comment, now).await?;
    resolve(tx.conn()?, org, id, by, now).await?;
    Ok(true)
}

async fn resolve(
    conn: &mut AnyConnection,
    org: &OrgId,
    id: &str,
    by: &PersonId,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE conversations SET resolved_at = $1, resolved_by = $2, last_activity_at = $1
          WHERE org_id = $3 AND id = $4",
    )
    .bind(now)
    .bind(by.as_str())
    .bind(org.as_str())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    crate::notifications::conversation(conn, org, id, by, cairn_domain::notify::Kind::Resolved, now)
        .await
}

/// Declines an open proposal with a reason.
pub async fn decline(
    store: &Store,
    org: &OrgId,
    id: &str,
    by: &PersonId,
    reason: &str,
    now: Millis,
) -> Result<Result<(), Refused>, StoreError> {
    let mut tx = store.begin_write().await?;
    let comment = format!("Declined: {reason}");
    let d = Decision {
        status: Status::Declined,
        reason,
        comment: &comment,
    };
    if !decide_in(&mut tx, org, id, by, d, now).await? {
        tx.rollback().await?;
        return Ok(Err(Refused::Decided));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// An accepted proposal, for release notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub id: String,
    pub title: String,
    pub author: Name,
    pub kind: ItemKind,
    pub slug: String,
    pub decided_at: Millis,
}

/// Proposals accepted after `after` (exclusive) up to `upto` (inclusive),
/// oldest first: those a version published at `upto` includes when the
/// one before it was published at `after`.
pub async fn accepted_between(
    store: &Store,
    org: &OrgId,
    after: Millis,
    upto: Millis,
) -> Result<Vec<Accepted>, StoreError> {
    let rows: Vec<(String, String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT c.id, c.title, p.name, c.subject_kind,
                CASE c.subject_kind
                     WHEN 'ability' THEN (SELECT a.slug FROM abilities a WHERE a.id = c.subject_id)
                     WHEN 'role' THEN (SELECT r.slug FROM roles r WHERE r.id = c.subject_id)
                     ELSE (SELECT x.slug FROM positions x WHERE x.id = c.subject_id) END,
                pr.decided_at
           FROM proposals pr JOIN conversations c ON c.id = pr.conversation_id
           JOIN people p ON p.id = c.author_id
          WHERE pr.org_id = $1 AND pr.status = 'accepted'
            AND pr.decided_at > $2 AND pr.decided_at <= $3
          ORDER BY pr.decided_at, c.id",
    )
    .bind(org.as_str())
    .bind(after)
    .bind(upto)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|(id, title, author, kind, slug, decided_at)| {
            Ok(Accepted {
                id,
                title,
                author: Name::parse(&author, "name")?,
                kind: ItemKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("subject kind {kind:?}")))?,
                slug: slug.unwrap_or_default(),
                decided_at,
            })
        })
        .collect()
}

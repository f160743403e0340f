//! Conversations about abilities, roles and positions: threads of
//! comments. Nothing is ever deleted; threads are resolved and reopened.

use cairn_domain::{ItemKind, Markdown, Name};

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError, new_id};

fn kind_from(s: &str) -> Result<ItemKind, StoreError> {
    ItemKind::parse(s).ok_or_else(|| StoreError::Corrupt(format!("subject kind {s:?}")))
}

/// A framework item that can be talked about (and has a history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub kind: ItemKind,
    pub id: String,
    pub slug: String,
}

/// Finds an item (active or archived) by slug.
pub async fn subject(
    store: &Store,
    org: &OrgId,
    kind: ItemKind,
    slug: &str,
) -> Result<Option<Subject>, StoreError> {
    // `table()` returns one of three constants.
    let rows: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {} WHERE org_id = $1 AND slug = $2",
        kind.area()
    )))
    .bind(org.as_str())
    .bind(slug)
    .fetch_optional(&store.pool)
    .await?;
    Ok(rows.map(|id| Subject {
        kind,
        id,
        slug: slug.to_owned(),
    }))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub author: Name,
    pub body: Markdown,
    pub at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: String,
    pub title: String,
    pub author_id: PersonId,
    pub author: Name,
    pub created_at: Millis,
    pub resolved: bool,
    pub comments: Vec<Comment>,
    /// When the thread is a change proposal: its state.
    pub proposal: Option<crate::proposals::State>,
}

/// Threads about one item, unresolved first, then most recent activity.
pub async fn threads(
    store: &Store,
    org: &OrgId,
    subject: &Subject,
) -> Result<Vec<Thread>, StoreError> {
    threads_for(store, org, subject, None).await
}

/// `threads`, saying for each proposal whether `me` supports it.
pub async fn threads_for(
    store: &Store,
    org: &OrgId,
    subject: &Subject,
    me: Option<&PersonId>,
) -> Result<Vec<Thread>, StoreError> {
    /// A thread with one of its comments (none for a thread without).
    struct Row {
        id: String,
        title: String,
        author_id: String,
        author_name: String,
        created_at: i64,
        resolved_at: Option<i64>,
        last_activity_at: i64,
        comment_id: Option<String>,
        comment_author: Option<String>,
        body: Option<String>,
        comment_at: Option<i64>,
        proposal: Option<crate::proposals::State>,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                id: r.text(0)?,
                title: r.text(1)?,
                author_id: r.text(2)?,
                author_name: r.text(3)?,
                created_at: r.int(4)?,
                resolved_at: r.opt_int(5)?,
                last_activity_at: r.int(6)?,
                comment_id: r.opt_text(7)?,
                comment_author: r.opt_text(8)?,
                body: r.opt_text(9)?,
                comment_at: r.opt_int(10)?,
                proposal: match r.opt_text(11)? {
                    None => None,
                    Some(status) => Some(crate::proposals::State {
                        status: crate::proposals::Status::parse(&status)?,
                        base: r.text(12)?,
                        proposed: r.text(13)?,
                        reason: r.text(14)?,
                        supporters: r.int(15)?,
                        mine: r.int(16)? > 0,
                    }),
                },
            })
        }
    }
    // Threads and their comments in one statement, ordered in Rust (a page
    // holds a handful of threads).
    let rows: Vec<Row> = reads::all(
        store,
        "SELECT c.id, c.title, c.author_id, p.name AS author_name, c.created_at, c.resolved_at,
                c.last_activity_at, m.id AS comment_id, mp.name AS comment_author, m.body,
                m.created_at AS comment_at, pr.status, pr.base, pr.proposed, pr.reason,
                (SELECT COUNT(*) FROM proposal_supports s WHERE s.conversation_id = c.id),
                (SELECT COUNT(*) FROM proposal_supports s
                  WHERE s.conversation_id = c.id AND s.person_id = $4)
           FROM conversations c JOIN people p ON p.id = c.author_id
           LEFT JOIN comments m ON m.conversation_id = c.id
           LEFT JOIN people mp ON mp.id = m.author_id
           LEFT JOIN proposals pr ON pr.conversation_id = c.id
          WHERE c.org_id = $1 AND c.subject_kind = $2 AND c.subject_id = $3"
            .to_owned(),
        vec![
            Arg::from(org.as_str()),
            Arg::from(subject.kind.as_str()),
            Arg::from(subject.id.as_str()),
            Arg::from(me.map_or("", PersonId::as_str)),
        ],
    )
    .await?;
    let mut threads: Vec<(i64, Thread)> = Vec::new();
    let mut comments: Vec<(String, i64, String, Comment)> = Vec::new();
    for r in rows {
        if let (Some(cid), Some(author), Some(body), Some(at)) =
            (r.comment_id, r.comment_author, r.body, r.comment_at)
        {
            comments.push((
                r.id.clone(),
                at,
                cid,
                Comment {
                    author: Name::parse(&author, "name")?,
                    body: Markdown::new(body),
                    at,
                },
            ));
        }
        if threads.iter().any(|(_, t)| t.id == r.id) {
            continue;
        }
        threads.push((
            r.last_activity_at,
            Thread {
                author: Name::parse(&r.author_name, "name")?,
                id: r.id,
                title: r.title,
                author_id: PersonId(r.author_id),
                created_at: r.created_at,
                resolved: r.resolved_at.is_some(),
                comments: Vec::new(),
                proposal: r.proposal,
            },
        ));
    }
    // Open threads first, then by latest activity; comments oldest first.
    threads.sort_by_key(|(at, t)| (t.resolved, std::cmp::Reverse(*at)));
    comments.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    for (thread, _, _, comment) in comments {
        if let Some((_, t)) = threads.iter_mut().find(|(_, t)| t.id == thread) {
            t.comments.push(comment);
        }
    }
    Ok(threads.into_iter().map(|(_, t)| t).collect())
}

/// Starts a thread with its first comment.
pub async fn start(
    store: &Store,
    org: &OrgId,
    subject: &Subject,
    author: &PersonId,
    title: &str,
    body: &str,
    now: Millis,
) -> Result<String, StoreError> {
    let mut tx = store.begin_write().await?;
    let id = start_in(&mut tx, org, subject, author, title, body, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// `start`, inside the caller's transaction.
pub(crate) async fn start_in(
    tx: &mut crate::WriteTx,
    org: &OrgId,
    subject: &Subject,
    author: &PersonId,
    title: &str,
    body: &str,
    now: Millis,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO conversations (id, org_id, subject_kind, subject_id, title, author_id, created_at, last_activity_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(org.as_str())
    .bind(subject.kind.as_str())
    .bind(&subject.id)
    .bind(title)
    .bind(author.as_str())
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    insert_comment(tx, org, &id, author, body, now).await?;
    Ok(id)
}

pub(crate) async fn insert_comment(
    tx: &mut crate::WriteTx,
    org: &OrgId,
    conversation: &str,
    author: &PersonId,
    body: &str,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO comments (id, org_id, conversation_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(org.as_str())
    .bind(conversation)
    .bind(author.as_str())
    .bind(body)
    .bind(now)
    .execute(tx.conn()?)
    .await?;
    Ok(())
}

/// A thread's subject and author, for deciding who may act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRef {
    pub id: String,
    pub subject_kind: ItemKind,
    pub subject_slug: String,
    pub author: PersonId,
    pub resolved: bool,
}

pub async fn thread(store: &Store, org: &OrgId, id: &str) -> Result<Option<ThreadRef>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct RefRow {
        subject_kind: String,
        subject_id: String,
        author_id: String,
        resolved_at: Option<i64>,
    }
    let row: Option<RefRow> = sqlx::query_as(
        "SELECT c.subject_kind, c.subject_id, c.author_id, c.resolved_at
           FROM conversations c WHERE c.org_id = $1 AND c.id = $2",
    )
    .bind(org.as_str())
    .bind(id)
    .fetch_optional(&store.pool)
    .await?;
    let Some(RefRow {
        subject_kind,
        subject_id,
        author_id: author,
        resolved_at: resolved,
    }) = row
    else {
        return Ok(None);
    };
    let kind = kind_from(&subject_kind)?;
    let slugs: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT slug FROM {} WHERE org_id = $1 AND id = $2",
        kind.area()
    )))
    .bind(org.as_str())
    .bind(&subject_id)
    .fetch_optional(&store.pool)
    .await?;
    let slug = slugs.ok_or(StoreError::NotFound)?;
    Ok(Some(ThreadRef {
        id: id.to_owned(),
        subject_kind: kind,
        subject_slug: slug,
        author: PersonId(author),
        resolved: resolved.is_some(),
    }))
}

pub async fn reply(
    store: &Store,
    org: &OrgId,
    id: &str,
    author: &PersonId,
    body: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let done =
        sqlx::query("UPDATE conversations SET last_activity_at = $1 WHERE org_id = $2 AND id = $3")
            .bind(now)
            .bind(org.as_str())
            .bind(id)
            .execute(tx.conn()?)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    insert_comment(&mut tx, org, id, author, body, now).await?;
    crate::notifications::conversation(
        tx.conn()?,
        org,
        id,
        author,
        cairn_domain::notify::Kind::Replied,
        now,
    )
    .await?;
    tx.commit().await
}

pub async fn set_resolved(
    store: &Store,
    org: &OrgId,
    id: &str,
    by: &PersonId,
    resolved: bool,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE conversations SET resolved_at = $1, resolved_by = $2, last_activity_at = $3
          WHERE org_id = $4 AND id = $5",
    )
    .bind(resolved.then_some(now))
    .bind(resolved.then(|| by.as_str().to_owned()))
    .bind(now)
    .bind(org.as_str())
    .bind(id)
    .execute(tx.conn()?)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if resolved {
        crate::notifications::conversation(
            tx.conn()?,
            org,
            id,
            by,
            cairn_domain::notify::Kind::Resolved,
            now,
        )
        .await?;
    }
    tx.commit().await
}

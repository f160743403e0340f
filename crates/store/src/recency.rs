//! Recency of milestones (`cairn_domain::recency`): each award keeps the
//! newest day an observation evidenced it (`awards.evidenced_on`, migration
//! 0031), refreshed in the transactions that change observations and
//! awards; stale milestones are counted for the health report and told to
//! their holders and managers once per crossing by `nudge_stale`.

use cairn_domain::notify::Kind;
use cairn_domain::recency::{evidences, months_before, nudge, should_nudge};
use cairn_domain::visibility::{Privacy, Rating};
use sqlx::AnyConnection;

use crate::orgs::OrgId;
use crate::{Millis, Store, StoreError};

/// `awards.evidenced_on` from the rows, for the award row `awards`.
fn evidenced_on() -> String {
    format!("evidenced_on = ({})", evidence_of_award())
}

/// The newest day an observation evidences the award row `awards` (the
/// domain's `evidences` rule as SQL).
fn evidence_of_award() -> String {
    let quote = |s: &str| format!("'{s}'");
    let levels: Vec<String> = Privacy::ALL
        .into_iter()
        .filter(|p| evidences(*p, Rating::Strong))
        .map(|p| quote(p.as_str()))
        .collect();
    let ratings: Vec<String> = Rating::ALL
        .into_iter()
        .filter(|r| evidences(Privacy::Public, *r))
        .map(|r| quote(r.as_str()))
        .collect();
    format!(
        "SELECT MAX(e.observed_on)
              FROM observation_observees e
              JOIN observation_ratings r ON r.observation_id = e.observation_id AND r.ability_id = awards.ability_id
              JOIN observations o ON o.id = e.observation_id
             WHERE e.org_id = awards.org_id AND e.person_id = awards.recipient_id
               AND r.rating IN ({}) AND o.privacy IN ({})
               AND o.published_at IS NOT NULL AND o.deleted_at IS NULL",
        ratings.join(", "),
        levels.join(", ")
    )
}

/// After `observation` changed: the evidence dates of its observees' live
/// awards, from the rows.
pub(crate) async fn refresh_evidence(
    conn: &mut AnyConnection,
    observation: &str,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE awards SET {}
          WHERE revoked_at IS NULL
            AND org_id = (SELECT org_id FROM observations WHERE id = $1)
            AND recipient_id IN (SELECT person_id FROM observation_observees WHERE observation_id = $1)",
        evidenced_on()
    )))
    .bind(observation)
    .execute(conn)
    .await?;
    Ok(())
}

/// A new award's evidence date.
pub(crate) async fn evidence_award(
    conn: &mut AnyConnection,
    award: &str,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE awards SET {} WHERE id = $1",
        evidenced_on()
    )))
    .bind(award)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every award of `org` from the rows (after a bulk load).
pub async fn refresh_org(store: &Store, org: &OrgId) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE awards SET {} WHERE org_id = $1 AND revoked_at IS NULL",
        evidenced_on()
    )))
    .bind(org.as_str())
    .execute(tx.conn()?)
    .await?;
    tx.commit().await
}

/// The live awards that count for recency: each active member's highest
/// on each active ability ($1 the organization), with its last-evidenced
/// day as `last`.
const TOP_LIVE: &str = "SELECT w.id, w.recipient_id, w.level, a.name AS ability,
        CASE WHEN w.evidenced_on > w.awarded_at THEN w.evidenced_on ELSE w.awarded_at END AS last,
        w.stale_nudged_for
   FROM awards w
   JOIN abilities a ON a.id = w.ability_id AND a.archived_at IS NULL
   JOIN memberships m ON m.org_id = w.org_id AND m.person_id = w.recipient_id AND m.status = 'active'
  WHERE w.org_id = $1 AND w.revoked_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM awards h
                     WHERE h.org_id = w.org_id AND h.recipient_id = w.recipient_id
                       AND h.ability_id = w.ability_id AND h.revoked_at IS NULL AND h.level > w.level)";

/// How many milestones of `org` were last evidenced before the threshold
/// (`months` before `now`).
pub async fn stale_count(
    store: &Store,
    org: &OrgId,
    months: u32,
    now: Millis,
) -> Result<u64, StoreError> {
    if months == 0 {
        return Ok(0);
    }
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ({TOP_LIVE}) t WHERE t.last < $2"
    )))
    .bind(org.as_str())
    .bind(months_before(now, months))
    .fetch_one(&store.pool)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[derive(sqlx::FromRow)]
struct StaleRow {
    id: String,
    recipient_id: String,
    level: i64,
    ability: String,
    last: i64,
    stale_nudged_for: Option<i64>,
}

/// Tells the holder of each stale milestone, and their direct manager,
/// once per crossing of the organization's threshold: an award is marked
/// with the last-evidenced day it was told for, in the same transaction as
/// the notifications, so two sweeps at once tell it once. Returns how many
/// milestones were told of.
pub async fn nudge_stale(store: &Store, now: Millis) -> Result<u64, StoreError> {
    let orgs: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, stale_months FROM organizations WHERE stale_months > 0")
            .fetch_all(&store.pool)
            .await?;
    let mut told = 0;
    for (org, months) in orgs {
        let months = u32::try_from(months).unwrap_or(0);
        let org = OrgId(org);
        let mut tx = store.begin_write().await?;
        let rows: Vec<StaleRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM ({TOP_LIVE}) t WHERE t.last < $2
               AND (t.stale_nudged_for IS NULL OR t.stale_nudged_for <> t.last)"
        )))
        .bind(org.as_str())
        .bind(months_before(now, months))
        .fetch_all(tx.conn()?)
        .await?;
        for r in rows
            .iter()
            .filter(|r| should_nudge(r.last, r.stale_nudged_for, now, months))
        {
            let done = sqlx::query(
                "UPDATE awards SET stale_nudged_for = $1
                  WHERE id = $2 AND (stale_nudged_for IS NULL OR stale_nudged_for <> $1)",
            )
            .bind(r.last)
            .bind(&r.id)
            .execute(tx.conn()?)
            .await?;
            if done.rows_affected() == 0 {
                continue;
            }
            told += 1;
            let level = u8::try_from(r.level).unwrap_or(0);
            let href = format!("/people/{}", r.recipient_id);
            let to_holder = nudge(None, &r.ability, level, r.last, now);
            crate::notifications::nudge(
                tx.conn()?,
                &org,
                &r.recipient_id,
                Kind::Stale,
                &to_holder,
                &href,
                now,
            )
            .await?;
            let manager: Option<(String, String)> = sqlx::query_as(
                "SELECT m.manager_id, p.name FROM memberships m JOIN people p ON p.id = m.person_id
                   JOIN memberships mm ON mm.org_id = m.org_id AND mm.person_id = m.manager_id AND mm.status = 'active'
                  WHERE m.org_id = $1 AND m.person_id = $2 AND m.manager_id IS NOT NULL",
            )
            .bind(org.as_str())
            .bind(&r.recipient_id)
            .fetch_optional(tx.conn()?)
            .await?;
            if let Some((manager, name)) = manager {
                let to_manager = nudge(Some(&name), &r.ability, level, r.last, now);
                crate::notifications::nudge(
                    tx.conn()?,
                    &org,
                    &manager,
                    Kind::Stale,
                    &to_manager,
                    &href,
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(told)
}

/// Live awards of `org` whose kept evidence date differs from the rows'
/// (`ability_stats::disagreements`).
pub(crate) async fn disagreements(store: &Store, org: &OrgId) -> Result<Vec<String>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        kept: Option<i64>,
        actual: Option<i64>,
    }
    let sql = format!(
        "SELECT awards.id, awards.evidenced_on AS kept, ({}) AS actual FROM awards
          WHERE awards.org_id = $1 AND awards.revoked_at IS NULL",
        evidence_of_award()
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org.as_str())
        .fetch_all(&store.pool)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.kept != r.actual)
        .map(|r| {
            format!(
                "award {}: evidenced {:?} kept, {:?} actual",
                r.id, r.kept, r.actual
            )
        })
        .collect())
}

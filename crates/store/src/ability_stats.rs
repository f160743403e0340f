//! Per-ability figures kept up to date in the write transactions that
//! change them (see migration 0008), so reading them costs one index probe
//! however many observations an organization has. A store test proves the
//! maintained figures equal the ones counted from the rows after every kind
//! of change; the synthetic seed writes them directly.

use sqlx::AnyConnection;

use crate::StoreError;

/// Adds `delta` to the observation count of every ability `observation`
/// rates. Call it when an observation starts (+1) or stops (-1) counting:
/// counted means published and not deleted.
pub(crate) async fn count_observation(
    conn: &mut AnyConnection,
    observation: &str,
    delta: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ability_stats (ability_id, org_id, observations)
         SELECT ability_id, org_id, $1 FROM observation_ratings WHERE observation_id = $2
         ON CONFLICT (ability_id) DO UPDATE SET observations = ability_stats.observations + excluded.observations",
    )
    .bind(delta)
    .bind(observation)
    .execute(conn)
    .await?;
    Ok(())
}

/// Copies what the readers of figures need from `observation` as it is
/// now onto its ratings and observee rows: its day while it is public (the
/// ability page), its observer while it is shared with the organization
/// (insights), and the evidence dates of its observees' awards.
pub(crate) async fn sync_copies(
    conn: &mut AnyConnection,
    observation: &str,
) -> Result<(), StoreError> {
    let shared = shared_where();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE observation_ratings SET {PUBLIC_ON},
                shared_by = (SELECT o.observer_id FROM observations o
                              WHERE o.id = observation_ratings.observation_id AND {shared}),
                shared_on = (SELECT o.observed_on FROM observations o
                              WHERE o.id = observation_ratings.observation_id AND {shared})
          WHERE observation_id = $1"
    )))
    .bind(observation)
    .execute(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE observation_observees
            SET shared_by = (SELECT o.observer_id FROM observations o
                              WHERE o.id = observation_observees.observation_id AND {shared})
          WHERE observation_id = $1"
    )))
    .bind(observation)
    .execute(&mut *conn)
    .await?;
    crate::recency::refresh_evidence(conn, observation).await
}

/// `o` (an observation) counts for insights: published, not deleted, at
/// a level the domain counts (`insights::counted`).
pub(crate) fn shared_where() -> String {
    let levels: Vec<String> = cairn_domain::visibility::Privacy::ALL
        .into_iter()
        .filter(|p| cairn_domain::insights::counted(*p))
        .map(|p| format!("'{}'", p.as_str()))
        .collect();
    format!(
        "o.privacy IN ({}) AND o.published_at IS NOT NULL AND o.deleted_at IS NULL",
        levels.join(", ")
    )
}

/// The rating's copy of its observation's day while that is public.
const PUBLIC_ON: &str = "public_observed_on = (
    SELECT o.observed_on FROM observations o
     WHERE o.id = observation_ratings.observation_id AND o.privacy = 'public'
       AND o.published_at IS NOT NULL AND o.deleted_at IS NULL)";

/// Where the maintained figures of `org` differ from the ones counted from
/// its rows, one line each; empty when they agree. Cheap enough for tests
/// and for an operator's check, not for a page.
pub async fn disagreements(
    store: &crate::Store,
    org: &crate::orgs::OrgId,
) -> Result<Vec<String>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct CountRow {
        slug: String,
        kept: i64,
        counted: i64,
    }
    #[derive(sqlx::FromRow)]
    struct PublicRow {
        observation_id: String,
        ability_id: String,
        kept: Option<i64>,
        actual: Option<i64>,
    }
    let counts: Vec<CountRow> = sqlx::query_as(
        "SELECT a.slug,
                COALESCE((SELECT s.observations FROM ability_stats s WHERE s.ability_id = a.id), 0) AS kept,
                (SELECT COUNT(*) FROM observation_ratings r JOIN observations o ON o.id = r.observation_id
                  WHERE r.ability_id = a.id AND o.published_at IS NOT NULL AND o.deleted_at IS NULL) AS counted
           FROM abilities a WHERE a.org_id = $1 ORDER BY a.slug",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    let mut out: Vec<String> = counts
        .into_iter()
        .filter(|c| c.kept != c.counted)
        .map(|c| {
            format!(
                "{}: {} observations kept, {} counted",
                c.slug, c.kept, c.counted
            )
        })
        .collect();
    let public: Vec<PublicRow> = sqlx::query_as(
        "SELECT r.observation_id, r.ability_id, r.public_observed_on AS kept,
                CASE WHEN o.privacy = 'public' AND o.published_at IS NOT NULL AND o.deleted_at IS NULL
                     THEN o.observed_on END AS actual
           FROM observation_ratings r JOIN observations o ON o.id = r.observation_id
          WHERE r.org_id = $1",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    out.extend(public.into_iter().filter(|p| p.kept != p.actual).map(|p| {
        format!(
            "rating {}/{}: public day {:?} kept, {:?} actual",
            p.observation_id, p.ability_id, p.kept, p.actual
        )
    }));
    // Insights' copies and the awards' evidence dates.
    #[derive(sqlx::FromRow)]
    struct CopyRow {
        what: String,
        kept: Option<String>,
        actual: Option<String>,
    }
    let shared = shared_where();
    let copies: Vec<CopyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT 'observee ' || e.observation_id || '/' || e.person_id AS what, e.shared_by AS kept,
                (SELECT o.observer_id FROM observations o WHERE o.id = e.observation_id AND {shared}) AS actual
           FROM observation_observees e WHERE e.org_id = $1
         UNION ALL
         SELECT 'rating ' || r.observation_id || '/' || r.ability_id,
                r.shared_by || '@' || CAST(r.shared_on AS TEXT),
                (SELECT o.observer_id || '@' || CAST(o.observed_on AS TEXT) FROM observations o
                  WHERE o.id = r.observation_id AND {shared})
           FROM observation_ratings r WHERE r.org_id = $1"
    )))
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    out.extend(copies.into_iter().filter(|c| c.kept != c.actual).map(|c| {
        format!(
            "{}: shared {:?} kept, {:?} actual",
            c.what, c.kept, c.actual
        )
    }));
    out.extend(crate::recency::disagreements(store, org).await?);
    Ok(out)
}

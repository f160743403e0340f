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

/// Copies whether `observation` is public now onto its ratings.
pub(crate) async fn sync_public(
    conn: &mut AnyConnection,
    observation: &str,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE observation_ratings SET {PUBLIC_ON} WHERE observation_id = $1"
    )))
    .bind(observation)
    .execute(conn)
    .await?;
    Ok(())
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
    Ok(out)
}

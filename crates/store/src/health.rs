//! The facts configuration health is computed from: aggregates only.

use cairn_domain::Slug;
use cairn_domain::health::{self, AbilityFacts, Dangling, Report};

use crate::orgs::OrgId;
use crate::{Store, StoreError};

const FACTS: &str = "
    SELECT a.slug, a.updated_at,
           (SELECT COUNT(DISTINCT w.recipient_id) FROM awards w
             WHERE w.ability_id = a.id AND w.revoked_at IS NULL) AS achievers,
           COALESCE((SELECT s.observations FROM ability_stats s WHERE s.ability_id = a.id), 0)
             AS observations,
           (SELECT COUNT(*) FROM role_requirements rr JOIN roles r ON r.id = rr.role_id
             WHERE rr.ability_id = a.id AND r.archived_at IS NULL) AS roles,
           (SELECT COUNT(*) FROM position_requirements pr JOIN positions p ON p.id = pr.position_id
             WHERE pr.ability_id = a.id AND p.archived_at IS NULL) AS positions,
           (SELECT COUNT(*) FROM conversations c
             WHERE c.org_id = a.org_id AND c.subject_kind = 'ability' AND c.subject_id = a.id)
             AS conversations,
           (SELECT MAX(c.last_activity_at) FROM conversations c
             WHERE c.org_id = a.org_id AND c.subject_kind = 'ability' AND c.subject_id = a.id)
             AS last_conversation_at
      FROM abilities a
     WHERE a.org_id = $1 AND a.archived_at IS NULL";

#[derive(sqlx::FromRow)]
struct FactsRow {
    slug: String,
    updated_at: i64,
    achievers: i64,
    observations: i64,
    roles: i64,
    positions: i64,
    conversations: i64,
    last_conversation_at: Option<i64>,
}

fn facts_from(r: FactsRow) -> Result<(Slug, AbilityFacts), StoreError> {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok((
        Slug::parse(&r.slug)?,
        AbilityFacts {
            roles: count(r.roles),
            positions: count(r.positions),
            observations: count(r.observations),
            achievers: count(r.achievers),
            updated_at: r.updated_at,
            conversations: count(r.conversations),
            last_conversation_at: r.last_conversation_at,
        },
    ))
}

/// Facts of one active ability.
pub async fn ability_facts(
    store: &Store,
    org: &OrgId,
    ability: &Slug,
) -> Result<Option<AbilityFacts>, StoreError> {
    let row: Option<FactsRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{FACTS} AND a.slug = $2")))
            .bind(org.as_str())
            .bind(ability.as_str())
            .fetch_optional(&store.pool)
            .await?;
    row.map(|r| facts_from(r).map(|(_, f)| f)).transpose()
}

/// Facts of every active ability, in the framework's order.
pub async fn all_ability_facts(
    store: &Store,
    org: &OrgId,
) -> Result<Vec<(Slug, AbilityFacts)>, StoreError> {
    let rows: Vec<FactsRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{FACTS} ORDER BY a.sort_order, a.slug"
    )))
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter().map(facts_from).collect()
}

/// Requirements of active roles and positions on archived abilities.
pub async fn dangling(store: &Store, org: &OrgId) -> Result<Vec<Dangling>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct DanglingRow {
        kind: String,
        item: String,
        ability: String,
    }
    let rows: Vec<DanglingRow> = sqlx::query_as(
        "SELECT 'role' AS kind, r.name AS item, a.name AS ability FROM role_requirements rr
           JOIN roles r ON r.id = rr.role_id JOIN abilities a ON a.id = rr.ability_id
          WHERE rr.org_id = $1 AND r.archived_at IS NULL AND a.archived_at IS NOT NULL
         UNION ALL
         SELECT 'position', p.title, a.name FROM position_requirements pr
           JOIN positions p ON p.id = pr.position_id JOIN abilities a ON a.id = pr.ability_id
          WHERE pr.org_id = $1 AND p.archived_at IS NULL AND a.archived_at IS NOT NULL",
    )
    .bind(org.as_str())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Dangling {
            kind: if r.kind == "role" { "role" } else { "position" },
            item: r.item,
            ability: r.ability,
        })
        .collect())
}

/// The organization's health report, as of `now`.
pub async fn report(
    store: &Store,
    org: &crate::orgs::OrgRecord,
    now: crate::Millis,
) -> Result<Report, StoreError> {
    let fw = crate::framework::load(store, &org.id).await?;
    let facts = all_ability_facts(store, &org.id).await?;
    let dangling = dangling(store, &org.id).await?;
    Ok(health::report(&fw, &facts, &dangling, &org.thresholds, now))
}

//! The facts configuration health is computed from: aggregates only.

use cairn_domain::Slug;
use cairn_domain::health::{self, AbilityFacts, Dangling, Report};

use cairn_domain::ItemKind;

use crate::framework::{self, RequiredBy, RequirerKind, Snapshot};
use crate::orgs::OrgId;
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Store, StoreError};

/// What changes with people's activity rather than with the framework:
/// achievers, counted observations, conversations. `{ABILITY}` is the
/// ability's id column.
const ACTIVITY: &str = "
    (SELECT COUNT(DISTINCT w.recipient_id) FROM awards w
      WHERE w.ability_id = {ABILITY} AND w.revoked_at IS NULL)";
const OBSERVED: &str =
    "COALESCE((SELECT s.observations FROM ability_stats s WHERE s.ability_id = {ABILITY}), 0)";
const CONVERSATIONS: &str = "(SELECT COUNT(*) FROM conversations c
      WHERE c.org_id = $1 AND c.subject_kind = 'ability' AND c.subject_id = {ABILITY})";
const LAST_CONVERSATION: &str = "(SELECT MAX(c.last_activity_at) FROM conversations c
      WHERE c.org_id = $1 AND c.subject_kind = 'ability' AND c.subject_id = {ABILITY})";

/// The four activity columns for the ability whose id is `ability`, named
/// `achievers`, `observations`, `conversations`, `last_conversation_at`:
/// for queries that carry them beside other rows (the ability page's
/// cards) as well as for the report.
pub(crate) fn activity_columns(ability: &str) -> String {
    format!(
        "{} AS achievers, {} AS observations, {} AS conversations, {} AS last_conversation_at",
        ACTIVITY.replace("{ABILITY}", ability),
        OBSERVED.replace("{ABILITY}", ability),
        CONVERSATIONS.replace("{ABILITY}", ability),
        LAST_CONVERSATION.replace("{ABILITY}", ability),
    )
}

/// An ability's activity, as read from the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    pub achievers: i64,
    pub observations: i64,
    pub conversations: i64,
    pub last_conversation_at: Option<i64>,
}

impl Activity {
    /// The four `activity_columns` from column `at` on.
    fn from_cols_at(r: &dyn Cols, at: usize) -> Result<Activity, StoreError> {
        Ok(Activity {
            achievers: r.int(at)?,
            observations: r.int(at + 1)?,
            conversations: r.int(at + 2)?,
            last_conversation_at: r.opt_int(at + 3)?,
        })
    }

    /// The health facts of `ability` in `snapshot` with this activity;
    /// None when it is not an active ability there.
    pub fn facts(
        self,
        snapshot: &Snapshot,
        ability: &Slug,
        required_by: &[RequiredBy],
    ) -> Option<AbilityFacts> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let kinds = |k: RequirerKind| required_by.iter().filter(|r| r.kind == k).count() as u64;
        Some(AbilityFacts {
            roles: kinds(RequirerKind::Role),
            positions: kinds(RequirerKind::Position),
            observations: count(self.observations),
            achievers: count(self.achievers),
            updated_at: snapshot.ability_updated_at(ability)?,
            conversations: count(self.conversations),
            last_conversation_at: self.last_conversation_at,
        })
    }
}

/// Facts of one active ability.
pub async fn ability_facts(
    store: &Store,
    org: &OrgId,
    ability: &Slug,
) -> Result<Option<AbilityFacts>, StoreError> {
    let snapshot = framework::current(store, org).await?;
    let Some(id) = snapshot.id_of(ItemKind::Ability, ability) else {
        return Ok(None);
    };
    let activity = activity(store, org, id).await?;
    Ok(activity.facts(&snapshot, ability, &snapshot.required_by(ability)))
}

impl FromCols for Activity {
    fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
        Activity::from_cols_at(r, 0)
    }
}

/// The activity of the ability whose stored id is `ability`.
pub async fn activity(store: &Store, org: &OrgId, ability: &str) -> Result<Activity, StoreError> {
    let sql = format!(
        "SELECT {} FROM organizations WHERE id = $1",
        activity_columns("$2")
    );
    let args = vec![Arg::from(org.as_str()), Arg::from(ability)];
    Ok(reads::one(store, sql, args).await?.unwrap_or_default())
}

/// Facts of every active ability, in the framework's order.
pub async fn all_ability_facts(
    store: &Store,
    org: &OrgId,
) -> Result<Vec<(Slug, AbilityFacts)>, StoreError> {
    let snapshot = framework::current(store, org).await?;
    all_facts(store, org, &snapshot).await
}

async fn all_facts(
    store: &Store,
    org: &OrgId,
    snapshot: &Snapshot,
) -> Result<Vec<(Slug, AbilityFacts)>, StoreError> {
    struct Row {
        slug: String,
        activity: Activity,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                slug: r.text(0)?,
                activity: Activity::from_cols_at(r, 1)?,
            })
        }
    }
    let sql = format!(
        "SELECT a.slug, {} FROM abilities a WHERE a.org_id = $1 AND a.archived_at IS NULL",
        activity_columns("a.id")
    );
    let rows: Vec<Row> = reads::all(store, sql, vec![Arg::from(org.as_str())]).await?;
    let mut activity = std::collections::HashMap::new();
    for r in rows {
        activity.insert(Slug::parse(&r.slug)?, r.activity);
    }
    Ok(snapshot
        .abilities
        .iter()
        .filter_map(|a| {
            let facts = activity.get(&a.slug).copied().unwrap_or_default().facts(
                snapshot,
                &a.slug,
                &snapshot.required_by(&a.slug),
            )?;
            Some((a.slug.clone(), facts))
        })
        .collect())
}

/// Requirements of active roles and positions on archived abilities.
pub async fn dangling(store: &Store, org: &OrgId) -> Result<Vec<Dangling>, StoreError> {
    struct DanglingRow {
        kind: String,
        item: String,
        ability: String,
    }
    impl FromCols for DanglingRow {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(DanglingRow {
                kind: r.text(0)?,
                item: r.text(1)?,
                ability: r.text(2)?,
            })
        }
    }
    let rows: Vec<DanglingRow> = reads::all(
        store,
        "SELECT 'role' AS kind, r.name AS item, a.name AS ability FROM role_requirements rr
           JOIN roles r ON r.id = rr.role_id JOIN abilities a ON a.id = rr.ability_id
          WHERE rr.org_id = $1 AND r.archived_at IS NULL AND a.archived_at IS NOT NULL
         UNION ALL
         SELECT 'position', p.title, a.name FROM position_requirements pr
           JOIN positions p ON p.id = pr.position_id JOIN abilities a ON a.id = pr.ability_id
          WHERE pr.org_id = $1 AND p.archived_at IS NULL AND a.archived_at IS NOT NULL"
            .to_owned(),
        vec![Arg::from(org.as_str())],
    )
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
    let snapshot = framework::load(store, org).await?;
    let facts = all_facts(store, &org.id, &snapshot).await?;
    let dangling = dangling(store, &org.id).await?;
    Ok(health::report(
        &snapshot,
        &facts,
        &dangling,
        &org.thresholds,
        now,
    ))
}

//! The facts configuration health is computed from: aggregates only.

use cairn_domain::Slug;
use cairn_domain::health::{self, AbilityFacts, Dangling, HolderFacts, Report, Staffing};

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
/// Active members holding a role or position that requires the ability:
/// directly, or (a position) through one of its required roles. The kinds
/// are named so the open-tenures index is searched by item, not scanned
/// through every team membership.
const REQUIRED_OF: &str = "(SELECT COUNT(DISTINCT t.person_id) FROM tenures t
      JOIN memberships m ON m.org_id = t.org_id AND m.person_id = t.person_id
     WHERE t.org_id = $1 AND t.ended_on IS NULL AND m.status = 'active'
       AND t.kind IN ('position', 'role')
       AND t.item_id IN (SELECT rr.role_id FROM role_requirements rr WHERE rr.ability_id = {ABILITY}
                         UNION ALL
                         SELECT pq.position_id FROM position_requirements pq WHERE pq.ability_id = {ABILITY}
                         UNION ALL
                         SELECT pr.position_id FROM position_roles pr
                           JOIN role_requirements rq ON rq.role_id = pr.role_id
                          WHERE pr.kind = 'required' AND rq.ability_id = {ABILITY}))";

/// The five activity columns for the ability whose id is `ability`, named
/// `achievers`, `observations`, `conversations`, `last_conversation_at`,
/// `required_of`:
/// for queries that carry them beside other rows (the ability page's
/// cards) as well as for the report.
pub(crate) fn activity_columns(ability: &str) -> String {
    format!(
        "{} AS achievers, {} AS observations, {} AS conversations, {} AS last_conversation_at, {} AS required_of",
        ACTIVITY.replace("{ABILITY}", ability),
        OBSERVED.replace("{ABILITY}", ability),
        CONVERSATIONS.replace("{ABILITY}", ability),
        LAST_CONVERSATION.replace("{ABILITY}", ability),
        REQUIRED_OF.replace("{ABILITY}", ability),
    )
}

/// An ability's activity, as read from the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    pub achievers: i64,
    pub observations: i64,
    pub conversations: i64,
    pub last_conversation_at: Option<i64>,
    /// Members who hold something that requires it.
    pub required_of: i64,
}

impl Activity {
    /// The four `activity_columns` from column `at` on.
    fn from_cols_at(r: &dyn Cols, at: usize) -> Result<Activity, StoreError> {
        Ok(Activity {
            achievers: r.int(at)?,
            observations: r.int(at + 1)?,
            conversations: r.int(at + 2)?,
            last_conversation_at: r.opt_int(at + 3)?,
            required_of: r.int(at + 4)?,
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
            required_of: count(self.required_of),
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

/// Requirements of active roles and positions on archived abilities, and
/// who holds what (tenures of active members, and the awards of those who
/// hold something): one statement for the report's findings. Driven from
/// the open tenures, so an organization that gives nobody a position pays
/// nothing for it (the member count too is read only when someone holds
/// one).
pub async fn dangling_and_staffing(
    store: &Store,
    org: &OrgId,
) -> Result<(Vec<Dangling>, Staffing), StoreError> {
    struct Row {
        part: String,
        a: String,
        b: String,
        c: String,
        n1: i64,
        n2: i64,
        n3: i64,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                part: r.text(0)?,
                a: r.text(1)?,
                b: r.text(2)?,
                c: r.text(3)?,
                n1: r.int(4)?,
                n2: r.int(5)?,
                n3: r.int(6)?,
            })
        }
    }
    let rows: Vec<Row> = reads::all(
        store,
        "SELECT 'd', 'role', r.name, a.name, 0, 0, 0 FROM role_requirements rr
           JOIN roles r ON r.id = rr.role_id JOIN abilities a ON a.id = rr.ability_id
          WHERE rr.org_id = $1 AND r.archived_at IS NULL AND a.archived_at IS NOT NULL
         UNION ALL
         SELECT 'd', 'position', p.title, a.name, 0, 0, 0 FROM position_requirements pr
           JOIN positions p ON p.id = pr.position_id JOIN abilities a ON a.id = pr.ability_id
          WHERE pr.org_id = $1 AND p.archived_at IS NULL AND a.archived_at IS NOT NULL
         UNION ALL
         SELECT 'm', '', '', '',
                CASE WHEN EXISTS (SELECT 1 FROM tenures WHERE org_id = $1 AND ended_on IS NULL
                                     AND kind = 'position')
                     THEN (SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND status = 'active')
                     ELSE 0 END, 0, 0
         UNION ALL
         SELECT 't', t.person_id, t.kind, COALESCE(p.slug, r.slug, ''), t.began_on, 0, 0
           FROM tenures t
           JOIN memberships m ON m.org_id = t.org_id AND m.person_id = t.person_id
           LEFT JOIN positions p ON t.kind = 'position' AND p.id = t.item_id
           LEFT JOIN roles r ON t.kind = 'role' AND r.id = t.item_id
          WHERE t.org_id = $1 AND t.ended_on IS NULL AND m.status = 'active'
            AND t.kind IN ('position', 'role')
         UNION ALL
         SELECT 'w', w.recipient_id, a.slug, '', w.level,
                CASE WHEN w.revoked_at IS NULL THEN 0 ELSE 1 END,
                CASE WHEN a.archived_at IS NULL THEN 0 ELSE 1 END
           FROM (SELECT DISTINCT t.person_id FROM tenures t
                   JOIN memberships m ON m.org_id = t.org_id AND m.person_id = t.person_id
                  WHERE t.org_id = $1 AND t.ended_on IS NULL AND m.status = 'active'
                    AND t.kind IN ('position', 'role')) h
           CROSS JOIN awards w
           JOIN abilities a ON a.id = w.ability_id
          WHERE w.org_id = $1 AND w.recipient_id = h.person_id"
            .to_owned(),
        vec![Arg::from(org.as_str())],
    )
    .await?;
    let mut dangling = Vec::new();
    let mut staffing = Staffing::default();
    let mut holders: std::collections::BTreeMap<String, HolderFacts> = Default::default();
    let mut awards: Vec<(String, Slug, cairn_domain::Level)> = Vec::new();
    for r in rows {
        match r.part.as_str() {
            "d" => dangling.push(Dangling {
                kind: if r.a == "role" { "role" } else { "position" },
                item: r.b,
                ability: r.c,
            }),
            "m" => staffing.members = u64::try_from(r.n1).unwrap_or(0),
            "t" => {
                let h = holders.entry(r.a).or_insert_with(|| HolderFacts {
                    position: None,
                    roles: Vec::new(),
                    held: Vec::new(),
                });
                let item = (Slug::parse(&r.c)?, r.n1);
                if r.b == "position" {
                    h.position = Some(item);
                } else {
                    h.roles.push(item);
                }
            }
            _ => {
                if crate::awards::counts(r.n3 == 0, r.n2 != 0) {
                    awards.push((r.a, Slug::parse(&r.b)?, cairn_domain::Level::parse(r.n1)?));
                }
            }
        }
    }
    for (person, ability, level) in awards {
        if let Some(h) = holders.get_mut(&person) {
            h.held.push((ability, level));
        }
    }
    staffing.holders = holders.into_values().collect();
    Ok((dangling, staffing))
}

/// The organization's health report, as of `now`.
pub async fn report(
    store: &Store,
    org: &crate::orgs::OrgRecord,
    now: crate::Millis,
) -> Result<Report, StoreError> {
    let snapshot = framework::load(store, org).await?;
    let facts = all_facts(store, &org.id, &snapshot).await?;
    let (dangling, staffing) = dangling_and_staffing(store, &org.id).await?;
    Ok(health::report(
        &snapshot,
        &facts,
        &dangling,
        &staffing,
        &org.thresholds,
        now,
    ))
}

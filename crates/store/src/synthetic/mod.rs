//! Synthetic data for the benchmark: organizations, members with managers,
//! frameworks, observations with a realistic mix of privacy levels and
//! ratings, awards and conversations. Deterministic: the same parameters
//! give the same rows, ids included. Bulk inserts, many rows a statement,
//! one transaction per batch.

use cairn_domain::{
    Ability, Framework, Level, Markdown, MilesRule, MilesScale, Milestone, Name, OrgSlug,
    Organization, Position, Requirement, Role, Slug,
};
use sqlx::Executor;

use crate::{Backend, Millis, Store, StoreError, framework, orgs};

mod load;

use load::{Loader, V, drop_indexes};

#[derive(Debug, Clone, Copy)]
pub struct SeedParams {
    pub orgs: u32,
    pub members: u32,
    pub observations: u32,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub orgs: u32,
    pub members: u32,
    pub observations: u32,
    pub awards: u32,
    pub conversations: u32,
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// Picks from (weight, value) pairs.
    fn weighted<T: Copy>(&mut self, table: &[(u64, T)]) -> T {
        let total: u64 = table.iter().map(|(w, _)| w).sum();
        let mut roll = self.below(total);
        for (w, v) in table {
            if roll < *w {
                return *v;
            }
            roll -= w;
        }
        table[table.len() - 1].1
    }
}

const ABILITIES: usize = 24;
const PRIVACY: &[(u64, &str)] = &[
    (5, "journal"),
    (10, "observees"),
    (10, "managers"),
    (25, "observees_and_managers"),
    (40, "organization"),
    (10, "public"),
];
const RATINGS: &[(u64, &str)] = &[
    (15, "exceptional"),
    (60, "strong"),
    (10, "n_a"),
    (10, "misaligned"),
    (5, "concerning"),
];

fn parse<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Other(format!("synthetic data: {e}")))
}

/// A framework of 24 abilities in 3 categories, 6 roles, 6 positions.
fn synthetic_framework(org: usize) -> Result<Framework, StoreError> {
    let categories = ["Craft", "Delivery", "Collaboration"];
    let abilities = (0..ABILITIES)
        .map(|i| {
            Ok(Ability {
                slug: parse(Slug::parse(&format!("ability-{i}")))?,
                name: parse(Name::parse(&format!("Ability {i}"), "name"))?,
                category: Some(parse(Name::parse(categories[i % 3], "category"))?),
                description: Markdown::new(format!("What ability {i} means at organization {org}, in a few sentences of **markdown**.")),
                milestones: std::array::from_fn(|l| Milestone {
                    summary: Markdown::new(format!("Milestone {} of ability {i}.", l + 1)),
                    examples: (0..3).map(|e| format!("Example {e} of milestone {} in ability {i}.", l + 1)).collect(),
                }),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let req = |a: usize, l: i64| -> Result<Requirement, StoreError> {
        Ok(Requirement {
            ability: parse(Slug::parse(&format!("ability-{a}")))?,
            level: parse(Level::parse(l))?,
        })
    };
    let roles = (0..6)
        .map(|r| {
            let name = parse(Name::parse(&format!("Role {r}"), "name"))?;
            Ok(Role {
                slug: parse(Slug::parse(&format!("role-{r}")))?,
                plural: Role::default_plural(&name),
                name,
                description: Markdown::new("A synthetic role."),
                requires: vec![req(r * 4, 1 + (r as i64 % 3))?, req(r * 4 + 1, 1)?],
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let positions = (0..6)
        .map(|p| {
            Ok(Position {
                slug: parse(Slug::parse(&format!("position-{p}")))?,
                title: parse(Name::parse(&format!("Position {p}"), "title"))?,
                plural: parse(Name::parse(&format!("Position {p}s"), "plural"))?,
                level: parse(Name::parse(&format!("{}", p + 1), "level"))?,
                description: Markdown::new("A synthetic position."),
                required_roles: vec![parse(Slug::parse(&format!("role-{p}")))?],
                suggested_roles: vec![],
                requires: vec![req((p * 3 + 2) % ABILITIES, 1 + (p as i64 % 4))?],
                miles: MilesRule::OverRequiredPercent(10 * p as u32),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Framework {
        organization: Organization {
            slug: parse(OrgSlug::parse(&format!("synthetic-{org}")))?,
            name: parse(Name::parse(&format!("Synthetic {org}"), "name"))?,
            miles: MilesScale::default(),
            licence: Default::default(),
            attribution: String::new(),
        },
        abilities,
        roles,
        positions,
    })
}

/// Seeds `p` into an empty (or previously seeded with other parameters)
/// database. Organization 0 holds a fifth of the members and observations.
pub async fn seed(store: &Store, p: &SeedParams, now: Millis) -> Result<SeedSummary, StoreError> {
    let mut rng = Rng(p.seed);
    let mut summary = SeedSummary::default();
    let orgs_n = p.orgs.max(1) as usize;
    let share = |total: u32, org: usize| -> u32 {
        if orgs_n == 1 {
            return total;
        }
        let big = total / 5;
        if org == 0 {
            big
        } else {
            let rest = total - big;
            let n = orgs_n as u32 - 1;
            rest / n + u32::from(((org - 1) as u32) < rest % n)
        }
    };
    let year = 365 * 86_400_000_i64;
    let backend = store.backend();
    let mut native = match backend {
        Backend::Postgres => {
            use sqlx::Connection;
            Some(sqlx::PgConnection::connect(&store.url.0).await?)
        }
        Backend::Sqlite => None,
    };
    let indexes = match native.as_mut() {
        Some(pg) => drop_indexes(pg).await?,
        None => Vec::new(),
    };
    let mut seeded = Vec::new();
    for org in 0..orgs_n {
        let fw = synthetic_framework(org)?;
        framework::replace(store, &fw, now - 2 * year).await?;
        let record = orgs::by_slug(store, &fw.organization.slug)
            .await?
            .ok_or(StoreError::NotFound)?;
        let org_id = record.id.as_str().to_owned();
        let ability_rows: Vec<String> =
            sqlx::query_scalar("SELECT id FROM abilities WHERE org_id = $1 ORDER BY sort_order")
                .bind(&org_id)
                .fetch_all(&store.pool)
                .await?;
        let ability_ids: Vec<String> = ability_rows;
        let members = share(p.members, org).max(2) as usize;
        let person = |m: usize| format!("s{}-o{org}-p{m}", p.seed);
        // Joined over the last three years and more, a month apart, so
        // every tenure band has members.
        let joined = |m: usize| now - ((m % 40) as i64) * 30 * 86_400_000;

        // SQLite: multi-row INSERTs in the store's write transaction.
        // PostgreSQL: COPY in a transaction on the native connection.
        let mut tx = match native.as_mut() {
            Some(pg) => {
                pg.execute("BEGIN").await?;
                None
            }
            None => Some(store.begin_write().await?),
        };
        let mut loader = match (tx.as_mut(), native.as_mut()) {
            (Some(tx), _) => Loader::Insert(tx.conn()?, backend),
            (None, Some(pg)) => Loader::Copy(pg),
            (None, None) => return Err(StoreError::Conflict("no connection to load".into())),
        };
        if let Loader::Insert(conn, Backend::Sqlite) = &mut loader {
            // A bulk load touches index pages all over: a large page cache
            // for this connection keeps them from spilling mid-transaction.
            sqlx::query("PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY")
                .execute(&mut **conn)
                .await?;
        }
        let people: Vec<Vec<V>> = (0..members)
            .map(|m| {
                vec![
                    V::T(person(m)),
                    V::T(format!("p{m}.o{org}.s{}@synthetic.invalid", p.seed)),
                    V::T(format!("Person {m} of {org}")),
                    V::T("!".into()), // no password: these accounts cannot sign in
                    V::I(now - 2 * year),
                    V::I(now - 2 * year),
                ]
            })
            .collect();
        loader
            .load(
                "people",
                &[
                    "id",
                    "email",
                    "name",
                    "password_hash",
                    "created_at",
                    "updated_at",
                ],
                &people,
            )
            .await?;
        // A tree: member m reports to member (m - 1) / 5; member 0 owns it.
        let memberships: Vec<Vec<V>> = (0..members)
            .map(|m| {
                let caps = match m {
                    0 => "owner",
                    1 => "admin,framework_editor",
                    2 => "people_lead",
                    _ => "",
                };
                vec![
                    V::T(org_id.clone()),
                    V::T(person(m)),
                    V::T(caps.into()),
                    if m == 0 {
                        V::Null
                    } else {
                        V::T(person((m - 1) / 5))
                    },
                    V::T("active".into()),
                    V::I(joined(m)),
                    V::T(format!("Person {m} of {org}")),
                ]
            })
            .collect();
        loader
            .load(
                "memberships",
                &[
                    "org_id",
                    "person_id",
                    "capabilities",
                    "manager_id",
                    "status",
                    "joined_at",
                    "person_name",
                ],
                &memberships,
            )
            .await?;

        let count = share(p.observations, org) as usize;
        let mut observations = Vec::with_capacity(count);
        let mut observees = Vec::with_capacity(count);
        let mut ratings = Vec::with_capacity(count * 2);
        // Every seeded observation is published: all count (ability_stats).
        let mut counted = vec![0_i64; ability_ids.len()];
        for o in 0..count {
            // Zero-padded so ids sort as they are made: every primary key
            // keyed by observation grows at its end instead of splitting
            // pages all over.
            let id = format!("s{}-o{org}-obs{o:08}", p.seed);
            let observer = rng.below(members as u64) as usize;
            let observee = (observer + 1 + rng.below(members as u64 - 1) as usize) % members;
            let at = now - rng.below(3 * year as u64) as i64;
            let privacy = rng.weighted(PRIVACY);
            observations.push(vec![
                V::T(id.clone()),
                V::T(org_id.clone()),
                V::T(person(observer)),
                V::T(format!(
                    "Observation {o}: a short story of someone exhibiting an ability well."
                )),
                V::I(at),
                V::T(privacy.into()),
                V::I(at),
                V::I(at),
                V::I(at),
            ]);
            // What `ability_stats::sync_copies` keeps for insights.
            let shared = matches!(privacy, "organization" | "public");
            let shared_by = || {
                if shared {
                    V::T(person(observer))
                } else {
                    V::Null
                }
            };
            observees.push(vec![
                V::T(org_id.clone()),
                V::T(id.clone()),
                V::T(person(observee)),
                V::I(at),
                shared_by(),
            ]);
            let first = rng.below(ABILITIES as u64) as usize;
            let picks = if rng.below(3) == 0 {
                vec![first, (first + 7) % ABILITIES]
            } else {
                vec![first]
            };
            for a in picks {
                ratings.push(vec![
                    V::T(org_id.clone()),
                    V::T(id.clone()),
                    V::T(ability_ids[a].clone()),
                    V::T(rng.weighted(RATINGS).into()),
                    if privacy == "public" {
                        V::I(at)
                    } else {
                        V::NullInt
                    },
                    shared_by(),
                    if shared { V::I(at) } else { V::NullInt },
                ]);
                counted[a] += 1;
            }
        }
        loader
            .load(
                "observations",
                &[
                    "id",
                    "org_id",
                    "observer_id",
                    "story",
                    "observed_on",
                    "privacy",
                    "published_at",
                    "created_at",
                    "updated_at",
                ],
                &observations,
            )
            .await?;
        loader
            .load(
                "observation_observees",
                &[
                    "org_id",
                    "observation_id",
                    "person_id",
                    "observed_on",
                    "shared_by",
                ],
                &observees,
            )
            .await?;
        loader
            .load(
                "observation_ratings",
                &[
                    "org_id",
                    "observation_id",
                    "ability_id",
                    "rating",
                    "public_observed_on",
                    "shared_by",
                    "shared_on",
                ],
                &ratings,
            )
            .await?;
        let stats: Vec<Vec<V>> = ability_ids
            .iter()
            .zip(&counted)
            .map(|(a, n)| vec![V::T(a.clone()), V::T(org_id.clone()), V::I(*n)])
            .collect();
        loader
            .load(
                "ability_stats",
                &["ability_id", "org_id", "observations"],
                &stats,
            )
            .await?;

        // Two awards per member (levels 1 and 2 of one ability), by member 2.
        let awards: Vec<Vec<V>> = (0..members)
            .flat_map(|m| {
                let a = (m * 7) % ABILITIES;
                (1..=2).map(move |level| (m, a, level))
            })
            .map(|(m, a, level)| {
                vec![
                    V::T(format!("s{}-o{org}-aw{m}-{level}", p.seed)),
                    V::T(org_id.clone()),
                    V::T(person(m)),
                    V::T(ability_ids[a].clone()),
                    V::I(level),
                    V::T(person(2 % members)),
                    V::I(now - year),
                    V::T(String::new()),
                    V::T(
                        if m % 2 == 0 {
                            "organization"
                        } else {
                            "private"
                        }
                        .into(),
                    ),
                ]
            })
            .collect();
        loader
            .load(
                "awards",
                &[
                    "id",
                    "org_id",
                    "recipient_id",
                    "ability_id",
                    "level",
                    "certifier_id",
                    "awarded_at",
                    "note",
                    "visibility",
                ],
                &awards,
            )
            .await?;

        // Teams of about twenty, each member in one from the day they joined.
        let team_count = (members / 20).max(1);
        let team = |t: usize| format!("s{}-o{org}-t{t}", p.seed);
        let teams: Vec<Vec<V>> = (0..team_count)
            .map(|t| {
                vec![
                    V::T(team(t)),
                    V::T(org_id.clone()),
                    V::T(format!("team-{t}")),
                    V::T(format!("Team {t}")),
                    V::Null,
                    V::I(now - 2 * year),
                    V::I(now - 2 * year),
                ]
            })
            .collect();
        loader
            .load(
                "teams",
                &[
                    "id",
                    "org_id",
                    "slug",
                    "name",
                    "parent_id",
                    "created_at",
                    "updated_at",
                ],
                &teams,
            )
            .await?;
        let tenures: Vec<Vec<V>> = (0..members)
            .map(|m| {
                vec![
                    V::T(format!("s{}-o{org}-tn{m}", p.seed)),
                    V::T(org_id.clone()),
                    V::T(person(m)),
                    V::T("team".into()),
                    V::T(team(m % team_count)),
                    V::I(joined(m)),
                    V::NullInt,
                    V::T(person(1 % members)),
                    V::I(joined(m)),
                    V::T(String::new()),
                ]
            })
            .collect();
        loader
            .load(
                "tenures",
                &[
                    "id",
                    "org_id",
                    "person_id",
                    "kind",
                    "item_id",
                    "began_on",
                    "ended_on",
                    "set_by",
                    "set_at",
                    "note",
                ],
                &tenures,
            )
            .await?;

        // One conversation with two comments per ability.
        let mut conversations = Vec::new();
        let mut comments = Vec::new();
        for (a, ability) in ability_ids.iter().enumerate() {
            let id = format!("s{}-o{org}-c{a}", p.seed);
            conversations.push(vec![
                V::T(id.clone()),
                V::T(org_id.clone()),
                V::T("ability".into()),
                V::T(ability.clone()),
                V::T(format!("Question about ability {a}")),
                V::T(person(a % members)),
                V::I(now - year),
                V::I(now - 86_400_000),
            ]);
            for c in 0..2 {
                comments.push(vec![
                    V::T(format!("{id}-m{c}")),
                    V::T(org_id.clone()),
                    V::T(id.clone()),
                    V::T(person((a + c) % members)),
                    V::T("A comment.".into()),
                    V::I(now - year + c as i64),
                ]);
            }
        }
        loader
            .load(
                "conversations",
                &[
                    "id",
                    "org_id",
                    "subject_kind",
                    "subject_id",
                    "title",
                    "author_id",
                    "created_at",
                    "last_activity_at",
                ],
                &conversations,
            )
            .await?;
        loader
            .load(
                "comments",
                &[
                    "id",
                    "org_id",
                    "conversation_id",
                    "author_id",
                    "body",
                    "created_at",
                ],
                &comments,
            )
            .await?;
        if let Loader::Insert(conn, Backend::Sqlite) = &mut loader {
            sqlx::query("PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT")
                .execute(&mut **conn)
                .await?;
        }
        match (tx, native.as_mut()) {
            (Some(tx), _) => tx.commit().await?,
            (None, Some(pg)) => {
                pg.execute("COMMIT").await?;
            }
            (None, None) => {}
        }
        // Who reports to whom, from the memberships just loaded.
        let mut tx = store.begin_write().await?;
        crate::members::rebuild_reports(tx.conn()?, &orgs::OrgId(org_id.clone())).await?;
        tx.commit().await?;

        seeded.push(orgs::OrgId(org_id.clone()));
        summary.orgs += 1;
        summary.members += members as u32;
        summary.observations += count as u32;
        summary.awards += awards.len() as u32;
        summary.conversations += conversations.len() as u32;
    }
    if let Some(mut pg) = native {
        for def in &indexes {
            // Definitions read from the catalogue above.
            pg.execute(sqlx::AssertSqlSafe(def.as_str())).await?;
        }
        use sqlx::Connection;
        pg.close().await?;
    }
    // Awards' evidence dates (`recency`), from the rows just loaded.
    for org in &seeded {
        crate::recency::refresh_org(store, org).await?;
    }
    // Statistics for the query planner after a bulk load.
    let mut conn = store.read().await?;
    if store.backend() == Backend::Sqlite {
        // Sampled statistics: exact ones over a million rows take longer
        // than the load, and the planner needs only the shape.
        sqlx::query("PRAGMA analysis_limit = 2000")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    if store.backend() == Backend::Sqlite {
        sqlx::query("PRAGMA analysis_limit = 0")
            .execute(&mut *conn)
            .await?;
    }
    Ok(summary)
}

//! Teams: a tree per organization (a team may have a parent), kept free of
//! loops inside the write transaction by the same rule as reports-to
//! (`membership::creates_cycle`). Who belongs to a team is a tenure of
//! kind `team` (`jobs`).

use std::collections::HashMap;

use cairn_domain::membership::creates_cycle;
use cairn_domain::{Name, Slug};

use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError, new_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub slug: Slug,
    pub name: Name,
    pub parent: Option<Slug>,
    /// Members who belong to it now.
    pub members: i64,
}

struct TeamRow {
    slug: String,
    name: String,
    parent: Option<String>,
    members: i64,
}

impl FromCols for TeamRow {
    fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
        Ok(TeamRow {
            slug: r.text(0)?,
            name: r.text(1)?,
            parent: r.opt_text(2)?,
            members: r.int(3)?,
        })
    }
}

/// Every team of `org`, by name, with how many belong to it now.
pub async fn list(store: &Store, org: &OrgId) -> Result<Vec<Team>, StoreError> {
    let rows: Vec<TeamRow> = reads::all(
        store,
        "SELECT t.slug, t.name, p.slug,
                (SELECT COUNT(*) FROM tenures x
                   JOIN memberships m ON m.org_id = x.org_id AND m.person_id = x.person_id
                  WHERE x.org_id = t.org_id AND x.kind = 'team' AND x.item_id = t.id
                    AND x.ended_on IS NULL AND m.status = 'active')
           FROM teams t LEFT JOIN teams p ON p.id = t.parent_id
          WHERE t.org_id = $1
          ORDER BY t.name, t.slug"
            .to_owned(),
        vec![Arg::from(org.as_str())],
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Team {
                slug: Slug::parse(&r.slug)?,
                name: Name::parse(&r.name, "team name")?,
                parent: r.parent.as_deref().map(Slug::parse).transpose()?,
                members: r.members,
            })
        })
        .collect()
}

/// Why a team change is refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamRefused {
    #[error("there is already a team at this address")]
    Taken,
    #[error("the parent team does not exist")]
    NoParent,
    #[error("a team cannot be inside itself, directly or through its parents")]
    Loop,
    #[error("no such team")]
    Unknown,
}

/// Creates a team, or changes one's name and parent (`slug` names it;
/// `create` says which), in one transaction that checks the parent exists
/// and the tree stays a tree.
pub async fn save(
    store: &Store,
    org: &OrgId,
    slug: &Slug,
    name: &Name,
    parent: Option<&Slug>,
    create: bool,
    now: Millis,
) -> Result<Result<(), TeamRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("teams:{}", org.as_str())).await?;
    let conn = tx.conn()?;
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, slug, parent_id FROM teams WHERE org_id = $1")
            .bind(org.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let id_of = |s: &Slug| {
        rows.iter()
            .find(|(_, slug, _)| slug == s.as_str())
            .map(|(id, _, _)| id.clone())
    };
    let existing = id_of(slug);
    match (create, &existing) {
        (true, Some(_)) => return Ok(Err(TeamRefused::Taken)),
        (false, None) => return Ok(Err(TeamRefused::Unknown)),
        _ => {}
    }
    let parent_id = match parent {
        Some(p) => match id_of(p) {
            Some(id) => Some(id),
            None => return Ok(Err(TeamRefused::NoParent)),
        },
        None => None,
    };
    let id = existing.unwrap_or_else(new_id);
    if let Some(parent_id) = &parent_id {
        let parents: HashMap<String, String> = rows
            .iter()
            .filter_map(|(i, _, p)| p.clone().map(|p| (i.clone(), p)))
            .collect();
        if parent_id == &id || creates_cycle(&parents, &id, parent_id) {
            return Ok(Err(TeamRefused::Loop));
        }
    }
    if create {
        sqlx::query(
            "INSERT INTO teams (id, org_id, slug, name, parent_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(org.as_str())
        .bind(slug.as_str())
        .bind(name.as_str())
        .bind(parent_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("UPDATE teams SET name = $1, parent_id = $2, updated_at = $3 WHERE id = $4")
            .bind(name.as_str())
            .bind(parent_id)
            .bind(now)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// A member of a team now, with the position they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub person: PersonId,
    pub name: Name,
    pub since: Millis,
    /// Whether they report to the viewer, directly or not.
    pub reports_to_viewer: bool,
}

/// The active members who belong to the team `slug` now, by name, each
/// flagged when they report to `viewer` (the rules look at no one else).
pub async fn members_of(
    store: &Store,
    org: &OrgId,
    slug: &Slug,
    viewer: Option<&PersonId>,
) -> Result<Vec<TeamMember>, StoreError> {
    struct Row {
        person: String,
        name: String,
        since: i64,
        reports: i64,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                person: r.text(0)?,
                name: r.text(1)?,
                since: r.int(2)?,
                reports: r.int(3)?,
            })
        }
    }
    let rows: Vec<Row> = reads::all(
        store,
        "SELECT x.person_id, m.person_name, x.began_on,
                CASE WHEN EXISTS (SELECT 1 FROM reports_to r
                                   WHERE r.org_id = $1 AND r.manager_id = $3 AND r.person_id = x.person_id)
                     THEN 1 ELSE 0 END
           FROM teams t
           JOIN tenures x ON x.org_id = t.org_id AND x.kind = 'team' AND x.item_id = t.id
                         AND x.ended_on IS NULL
           JOIN memberships m ON m.org_id = x.org_id AND m.person_id = x.person_id
          WHERE t.org_id = $1 AND t.slug = $2 AND m.status = 'active'
          ORDER BY m.person_name, x.person_id"
            .to_owned(),
        vec![
            Arg::from(org.as_str()),
            Arg::from(slug.as_str()),
            Arg::from(viewer.map_or("", PersonId::as_str)),
        ],
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(TeamMember {
                person: PersonId(r.person),
                name: Name::parse(&r.name, "name")?,
                since: r.since,
                reports_to_viewer: r.reports != 0,
            })
        })
        .collect()
}

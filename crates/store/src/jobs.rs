//! The positions and roles members hold and the teams they belong to, as
//! tenures (`tenures`): read in
//! one statement per person, changed in one transaction that ends what is
//! no longer held and opens what is new on the same day, so one member's
//! tenures never overlap (`cairn_domain::jobs`).

use cairn_domain::jobs::{Day, HoldingKind, Tenure, TenureRefused, check_start, day_of};
use cairn_domain::{Name, Slug};

use crate::audit::{self, Entry};
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Millis, Store, StoreError, new_id};

/// What a member holds now, and everything they held before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jobs {
    /// Every tenure, the newest first.
    pub tenures: Vec<Tenure>,
}

impl Jobs {
    /// The position held now.
    pub fn position(&self) -> Option<&Tenure> {
        self.tenures
            .iter()
            .find(|t| t.kind == HoldingKind::Position && t.until.is_none())
    }

    /// The roles held now, in name order.
    pub fn roles(&self) -> Vec<&Tenure> {
        let mut roles: Vec<&Tenure> = self
            .tenures
            .iter()
            .filter(|t| t.kind == HoldingKind::Role && t.until.is_none())
            .collect();
        roles.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
        roles
    }

    /// The team belonged to now.
    pub fn team(&self) -> Option<&Tenure> {
        self.tenures
            .iter()
            .find(|t| t.kind == HoldingKind::Team && t.until.is_none())
    }

    pub fn role_slugs(&self) -> Vec<Slug> {
        self.roles().into_iter().map(|t| t.slug.clone()).collect()
    }
}

struct TenureRow {
    kind: String,
    slug: String,
    name: String,
    began_on: i64,
    ended_on: Option<i64>,
    set_by: String,
    note: String,
}

impl FromCols for TenureRow {
    fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
        TenureRow::from_cols_at(r, 0)
    }
}

/// Every tenure of a person ($1 the organization, $2 the person) with the
/// names of what was held (archived positions and roles included: history
/// stays), in no set order (`jobs_from` sorts). Its columns line up with
/// `awards::OF_PERSON`'s types, so the two share one statement on a
/// member's page (`with_awards`): kind, slug, name, ended_on, began_on,
/// set_by, '', set_at, note, and six blanks.
const TENURES: &str =
    "SELECT t.kind, COALESCE(p.slug, r.slug, tm.slug, ''), COALESCE(p.title, r.name, tm.name, ''),
                t.ended_on, t.began_on, s.name, '', t.set_at, t.note, '', 0,
                CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
           FROM tenures t
           LEFT JOIN positions p ON t.kind = 'position' AND p.id = t.item_id
           LEFT JOIN roles r ON t.kind = 'role' AND r.id = t.item_id
           LEFT JOIN teams tm ON t.kind = 'team' AND tm.id = t.item_id
           JOIN people s ON s.id = t.set_by
          WHERE t.org_id = $1 AND t.person_id = $2";

impl TenureRow {
    fn from_cols_at(r: &dyn Cols, at: usize) -> Result<Self, StoreError> {
        Ok(TenureRow {
            kind: r.text(at)?,
            slug: r.text(at + 1)?,
            name: r.text(at + 2)?,
            ended_on: r.opt_int(at + 3)?,
            began_on: r.int(at + 4)?,
            set_by: r.text(at + 5)?,
            note: r.text(at + 8)?,
        })
    }
}

/// Tenures newest first: on one day the position, then roles, then the
/// team, each by name.
fn jobs_from(rows: Vec<TenureRow>) -> Result<Jobs, StoreError> {
    let mut tenures = rows
        .into_iter()
        .map(|r| {
            Ok(Tenure {
                kind: HoldingKind::parse(&r.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("tenure kind {:?}", r.kind)))?,
                slug: Slug::parse(&r.slug)?,
                name: Name::parse(&r.name, "name")?,
                since: r.began_on,
                until: r.ended_on,
                set_by: Name::parse(&r.set_by, "name")?,
                note: r.note,
            })
        })
        .collect::<Result<Vec<Tenure>, StoreError>>()?;
    let rank = |k: HoldingKind| match k {
        HoldingKind::Position => 0,
        HoldingKind::Role => 1,
        HoldingKind::Team => 2,
    };
    tenures.sort_by(|a, b| {
        b.since
            .cmp(&a.since)
            .then(rank(a.kind).cmp(&rank(b.kind)))
            .then(a.name.as_str().cmp(b.name.as_str()))
            .then(a.slug.as_str().cmp(b.slug.as_str()))
    });
    Ok(Jobs { tenures })
}

/// Every tenure of `person` in `org`, newest first.
pub async fn of_person(store: &Store, org: &OrgId, person: &PersonId) -> Result<Jobs, StoreError> {
    let rows: Vec<TenureRow> = reads::all(
        store,
        TENURES.to_owned(),
        vec![Arg::from(org.as_str()), Arg::from(person.as_str())],
    )
    .await?;
    jobs_from(rows)
}

/// A person's tenures and awards in one statement: what their page reads
/// of them.
pub async fn with_awards(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
) -> Result<(Jobs, Vec<crate::awards::Award>), StoreError> {
    enum Row {
        Tenure(TenureRow),
        Award(crate::awards::AwardRow),
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(if r.text(0)? == "t" {
                Row::Tenure(TenureRow::from_cols_at(r, 1)?)
            } else {
                Row::Award(crate::awards::AwardRow::from_cols_at(r, 1)?)
            })
        }
    }
    let sql = format!(
        "SELECT 'w', x.* FROM ({}) x UNION ALL SELECT 't', y.* FROM ({TENURES}) y",
        crate::awards::OF_PERSON
    );
    let rows: Vec<Row> = reads::all(
        store,
        sql,
        vec![Arg::from(org.as_str()), Arg::from(person.as_str())],
    )
    .await?;
    let (mut tenures, mut awards) = (Vec::new(), Vec::new());
    for r in rows {
        match r {
            Row::Tenure(t) => tenures.push(t),
            Row::Award(a) => awards.push(a),
        }
    }
    Ok((
        jobs_from(tenures)?,
        crate::awards::awards_from(awards, person)?,
    ))
}

/// A change of what a member holds: the position (None for none), the
/// whole set of roles and the team (None for none), from day `since`.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub position: Option<&'a Slug>,
    pub roles: &'a [Slug],
    pub team: Option<&'a Slug>,
    pub since: Day,
    pub note: &'a str,
    pub by: &'a PersonId,
    pub client_ip: &'a str,
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Nothing,
    Changed,
}

/// An open tenure as the write transaction sees it.
struct Open {
    id: String,
    kind: String,
    item_id: String,
    began_on: i64,
}

/// Applies `change` to `person` in one transaction, as of `now`. Every
/// rule that depends on other rows (the member is active, the position
/// and roles exist and are not archived, the new tenures start after the
/// ones they end) is checked inside it; it takes turns with every other
/// change of the organization's members (`WriteTx::serialize`, the key
/// `members::update` uses), so a concurrent change or departure is seen.
pub async fn change(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    change: &Change<'_>,
    now: Millis,
) -> Result<Result<Changed, TenureRefused>, StoreError> {
    let mut tx = store.begin_write().await?;
    tx.serialize(&format!("members:{}", org.as_str())).await?;
    let out = change_in(tx.conn()?, org, person, change, now).await?;
    if out == Ok(Changed::Changed) {
        let by: Option<String> = sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
            .bind(change.by.as_str())
            .fetch_optional(tx.conn()?)
            .await?;
        crate::notifications::to_member(
            tx.conn()?,
            org,
            person.as_str(),
            change.by,
            cairn_domain::notify::Kind::Job,
            &format!(
                "{} updated your position, roles and team",
                by.unwrap_or_default()
            ),
            &format!("/people/{}", person.as_str()),
            now,
        )
        .await?;
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(out)
}

/// [`change`] inside the caller's writing transaction, which holds the
/// organization's member lock (`members:{org}`).
pub(crate) async fn change_in(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    person: &PersonId,
    change: &Change<'_>,
    now: Millis,
) -> Result<Result<Changed, TenureRefused>, StoreError> {
    let status: Option<(String, String, String)> = sqlx::query_as(
        "SELECT m.status, p.name, p.email FROM memberships m JOIN people p ON p.id = m.person_id
          WHERE m.org_id = $1 AND m.person_id = $2",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((status, name, email)) = status else {
        return Err(StoreError::NotFound);
    };
    if status != "active" {
        return Ok(Err(TenureRefused::NotActive));
    }
    let position = match change.position {
        Some(slug) => match item_id(conn, org, "positions", slug).await? {
            Ok(id) => Some(id),
            Err(refused) => return Ok(Err(refused)),
        },
        None => None,
    };
    let mut roles = Vec::new();
    for slug in change.roles {
        match item_id(conn, org, "roles", slug).await? {
            Ok(id) => roles.push(id),
            Err(refused) => return Ok(Err(refused)),
        }
    }
    let team = match change.team {
        Some(slug) => {
            let id: Option<String> =
                sqlx::query_scalar("SELECT id FROM teams WHERE org_id = $1 AND slug = $2")
                    .bind(org.as_str())
                    .bind(slug.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
            match id {
                Some(id) => Some(id),
                None => return Ok(Err(TenureRefused::Unknown)),
            }
        }
        None => None,
    };
    let open: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, kind, item_id, began_on FROM tenures
          WHERE org_id = $1 AND person_id = $2 AND ended_on IS NULL",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let open: Vec<Open> = open
        .into_iter()
        .map(|(id, kind, item_id, began_on)| Open {
            id,
            kind,
            item_id,
            began_on,
        })
        .collect();
    let wanted = |o: &Open| match o.kind.as_str() {
        "position" => position.as_deref() == Some(o.item_id.as_str()),
        "team" => team.as_deref() == Some(o.item_id.as_str()),
        _ => roles.contains(&o.item_id),
    };
    let ending: Vec<&Open> = open.iter().filter(|o| !wanted(o)).collect();
    let held = |kind: &str, id: &str| open.iter().any(|o| o.kind == kind && o.item_id == id);
    let opening: Vec<(&str, &str)> = position
        .iter()
        .filter(|id| !held("position", id))
        .map(|id| ("position", id.as_str()))
        .chain(
            roles
                .iter()
                .filter(|id| !held("role", id))
                .map(|id| ("role", id.as_str())),
        )
        .chain(
            team.iter()
                .filter(|id| !held("team", id))
                .map(|id| ("team", id.as_str())),
        )
        .collect();
    if ending.is_empty() && opening.is_empty() {
        return Ok(Ok(Changed::Nothing));
    }
    // What ends must have begun before `since`; what opens may not reach
    // back into a past tenure of its slot (any position, any team, or the
    // same role).
    let past: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, item_id, MAX(ended_on) FROM tenures
          WHERE org_id = $1 AND person_id = $2 AND ended_on IS NOT NULL
          GROUP BY kind, item_id",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let ending_began = ending.iter().map(|o| o.began_on).max();
    let opening_after = opening
        .iter()
        .filter_map(|(kind, item)| {
            past.iter()
                .filter(|(k, i, _)| k == kind && (*kind != "role" || i == item))
                .map(|(_, _, ended)| *ended)
                .max()
        })
        .max();
    if let Err(refused) = check_start(ending_began, opening_after, change.since, day_of(now)) {
        return Ok(Err(refused));
    }
    for o in &ending {
        sqlx::query("UPDATE tenures SET ended_on = $1 WHERE id = $2")
            .bind(change.since)
            .bind(&o.id)
            .execute(&mut *conn)
            .await?;
    }
    for (kind, item) in &opening {
        sqlx::query(
            "INSERT INTO tenures (id, org_id, person_id, kind, item_id, began_on, set_by, set_at, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(org.as_str())
        .bind(person.as_str())
        .bind(*kind)
        .bind(*item)
        .bind(change.since)
        .bind(change.by.as_str())
        .bind(now)
        .bind(change.note.chars().take(500).collect::<String>())
        .execute(&mut *conn)
        .await?;
    }
    let detail = format!(
        "position {}; roles {}; team {}; from {}",
        change.position.map_or("none", Slug::as_str),
        if change.roles.is_empty() {
            "none".to_owned()
        } else {
            change
                .roles
                .iter()
                .map(Slug::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        },
        change.team.map_or("none", Slug::as_str),
        cairn_domain::wording::date(change.since),
    );
    audit::record_in(
        conn,
        &Entry {
            org: Some(org),
            actor: Some(change.by),
            action: cairn_domain::audit::AuditAction::JobsChanged,
            subject: format!("{name} <{email}>"),
            detail,
            client_ip: change.client_ip,
        },
        now,
    )
    .await?;
    Ok(Ok(Changed::Changed))
}

/// The id of the active position or role `slug` (`table` is `positions` or
/// `roles`), read inside the write transaction.
async fn item_id(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    table: &'static str,
    slug: &Slug,
) -> Result<Result<String, TenureRefused>, StoreError> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, archived_at FROM {table} WHERE org_id = $1 AND slug = $2"
    )))
    .bind(org.as_str())
    .bind(slug.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => Err(TenureRefused::Unknown),
        Some((_, Some(_))) => Err(TenureRefused::Archived),
        Some((id, None)) => Ok(id),
    })
}

/// Ends every open tenure of a member who departs, on the day they leave
/// (or the day a tenure began, if that is later), inside the caller's
/// transaction.
pub(crate) async fn end_all_in(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    person: &PersonId,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE tenures SET ended_on = CASE WHEN began_on > $3 THEN began_on ELSE $3 END
          WHERE org_id = $1 AND person_id = $2 AND ended_on IS NULL",
    )
    .bind(org.as_str())
    .bind(person.as_str())
    .bind(day_of(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An active member and what they hold now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub person: PersonId,
    pub name: Name,
    pub position: Option<Slug>,
    /// The day they took the position they hold.
    pub position_since: Option<Day>,
    /// In slug order.
    pub roles: Vec<Slug>,
    pub team: Option<Slug>,
}

/// Every active member of `org` who holds a position or a role now, by
/// name: one statement over the open tenures.
pub async fn holders(store: &Store, org: &OrgId) -> Result<Vec<Holder>, StoreError> {
    struct Row {
        person: String,
        name: String,
        kind: String,
        slug: String,
        since: i64,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                person: r.text(0)?,
                name: r.text(1)?,
                kind: r.text(2)?,
                slug: r.text(3)?,
                since: r.int(4)?,
            })
        }
    }
    let rows: Vec<Row> = reads::all(
        store,
        "SELECT t.person_id, pe.name, t.kind, COALESCE(p.slug, r.slug, tm.slug, ''), t.began_on
           FROM tenures t
           JOIN memberships m ON m.org_id = t.org_id AND m.person_id = t.person_id
           JOIN people pe ON pe.id = t.person_id
           LEFT JOIN positions p ON t.kind = 'position' AND p.id = t.item_id
           LEFT JOIN roles r ON t.kind = 'role' AND r.id = t.item_id
           LEFT JOIN teams tm ON t.kind = 'team' AND tm.id = t.item_id
          WHERE t.org_id = $1 AND t.ended_on IS NULL AND m.status = 'active'
          ORDER BY m.person_name, t.person_id, t.kind, 4"
            .to_owned(),
        vec![Arg::from(org.as_str())],
    )
    .await?;
    let mut out: Vec<Holder> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|h| h.person.as_str() != r.person) {
            out.push(Holder {
                person: PersonId(r.person.clone()),
                name: Name::parse(&r.name, "name")?,
                position: None,
                position_since: None,
                roles: Vec::new(),
                team: None,
            });
        }
        let Some(h) = out.last_mut() else { continue };
        let slug = Slug::parse(&r.slug)?;
        match HoldingKind::parse(&r.kind) {
            Some(HoldingKind::Position) => {
                h.position = Some(slug);
                h.position_since = Some(r.since);
            }
            Some(HoldingKind::Role) => h.roles.push(slug),
            Some(HoldingKind::Team) => h.team = Some(slug),
            None => return Err(StoreError::Corrupt(format!("tenure kind {:?}", r.kind))),
        }
    }
    Ok(out)
}

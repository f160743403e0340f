//! The people list and what pages about a person read: a page of members
//! found by name or email, and one member as a viewer sees them.

use super::{MEMBER_COLUMNS, MEMBER_WIDTH, Member, MemberRow, member_from};
use crate::orgs::OrgId;
use crate::people::{Person, PersonId, PersonRow, person_from};
use crate::reads::{self, Arg, Cols, FromCols};
use crate::{Store, StoreError};

/// A member as the people list shows them, with whom they report to.
#[derive(Debug, Clone)]
pub struct Listed {
    pub member: Member,
    pub manager: Option<Person>,
}

/// A page of the people list: members active first, then by name, those
/// whose name or email contains `q` (any case; empty for all), only the
/// active ones when `active`, after the member `after` (keyset: a page
/// never counts its way down the list). The second value is where the
/// next page starts, when there is one.
pub async fn page(
    store: &Store,
    org: &OrgId,
    q: &str,
    active: bool,
    after: Option<&PersonId>,
    limit: u32,
) -> Result<(Vec<Listed>, Option<PersonId>), StoreError> {
    struct Row {
        member: MemberRow,
        manager_email: Option<String>,
        manager_name: Option<String>,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                member: MemberRow::from_cols(r)?,
                manager_email: r.opt_text(MEMBER_WIDTH)?,
                manager_name: r.opt_text(MEMBER_WIDTH + 1)?,
            })
        }
    }
    let pattern = if q.trim().is_empty() {
        String::new()
    } else {
        let escaped = q
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    };
    let sql = format!(
        "SELECT {MEMBER_COLUMNS}, mp.email AS manager_email, mp.name AS manager_name
           FROM memberships m JOIN people p ON p.id = m.person_id
           LEFT JOIN people mp ON mp.id = m.manager_id
          WHERE m.org_id = $1 AND ($4 = 0 OR m.status = 'active')
            AND ($2 = '' OR LOWER(p.name) LIKE $2 ESCAPE '\\' OR LOWER(p.email) LIKE $2 ESCAPE '\\')
            AND ($3 = '' OR (m.status, m.person_name, m.person_id) > (
                    SELECT m2.status, m2.person_name, m2.person_id FROM memberships m2
                     WHERE m2.org_id = $1 AND m2.person_id = $3))
          ORDER BY m.status, m.person_name, m.person_id
          LIMIT {}",
        limit + 1
    );
    let args = vec![
        Arg::from(org.as_str()),
        Arg::from(pattern),
        Arg::from(after.map_or("", PersonId::as_str)),
        Arg::from(i64::from(active)),
    ];
    let rows: Vec<Row> = reads::all(store, sql, args).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let manager = match (r.member.manager_id.clone(), r.manager_email, r.manager_name) {
            (Some(id), Some(email), Some(name)) => {
                Some(person_from(PersonRow { id, email, name })?)
            }
            _ => None,
        };
        out.push(Listed {
            member: member_from(r.member)?,
            manager,
        });
    }
    let next = if out.len() > limit as usize {
        out.truncate(limit as usize);
        out.last().map(|l| l.member.person.id.clone())
    } else {
        None
    };
    Ok((out, next))
}

/// One member of `org`, and whether they report (directly or not) to
/// `viewer`: what a page about a person needs, in one statement.
pub async fn get_seen_by(
    store: &Store,
    org: &OrgId,
    person: &PersonId,
    viewer: Option<&PersonId>,
) -> Result<Option<(Member, bool)>, StoreError> {
    struct Row {
        member: MemberRow,
        reports: i64,
    }
    impl FromCols for Row {
        fn from_cols(r: &dyn Cols) -> Result<Self, StoreError> {
            Ok(Row {
                member: MemberRow::from_cols(r)?,
                reports: r.int(MEMBER_WIDTH)?,
            })
        }
    }
    let sql = format!(
        "SELECT {MEMBER_COLUMNS},
                CASE WHEN EXISTS (SELECT 1 FROM reports_to t
                                   WHERE t.org_id = $1 AND t.manager_id = $3 AND t.person_id = $2)
                     THEN 1 ELSE 0 END AS reports
           FROM memberships m JOIN people p ON p.id = m.person_id
          WHERE m.org_id = $1 AND m.person_id = $2"
    );
    let args = vec![
        Arg::from(org.as_str()),
        Arg::from(person.as_str()),
        Arg::from(viewer.map_or("", PersonId::as_str)),
    ];
    let row: Option<Row> = reads::one(store, sql, args).await?;
    row.map(|r| Ok((member_from(r.member)?, r.reports != 0)))
        .transpose()
}

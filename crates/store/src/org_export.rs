//! Everything of one organization as one JSON document, importable into
//! another instance: its framework, members, observations, awards,
//! conversations, history, figures and audit log, and the people those
//! rows name (with no password: they set one on the new instance). Not
//! included: sessions, API tokens, sign-in failures and invitations, which
//! are secrets or belong to this instance.
//!
//! ```json
//! {"format": "cairn-org/1", "organization": "fernhill", "migrations": [..],
//!  "tables": [{"table": "organizations", "columns": [..], "rows": [[..], ..]}, ..]}
//! ```

use std::collections::{HashMap, HashSet};
use std::io::Write;

use cairn_domain::awards::{AwardFacts, AwardVisibility, can_read_award};
use cairn_domain::visibility::{ObservationFacts, Privacy, Rating, Reader, can_see_rating};

use serde_json::Value;
use sqlx::Executor;

use crate::backup::{
    begin_snapshot, columns_of, each_row, insert_rows, integer_columns, migration_names,
};
use crate::observations::{readable_ids, reports_on};
use crate::orgs::OrgId;
use crate::people::PersonId;
use crate::{Store, StoreError};

pub const FORMAT: &str = "cairn-org/1";

/// Tables of the backup that are not in an export: the organization and
/// people are chosen separately; the rest are secrets or belong to this
/// instance.
const NOT_EXPORTED: &[&str] = &[
    "organizations",
    "people",
    "sessions",
    "api_tokens",
    "sign_in_failures",
    "invitations",
    // The outbox and webhooks hold addresses, one-time links and signing
    // secrets: they stay with the instance.
    "deliveries",
    "webhooks",
    "password_resets",
    "instance_keys",
    // Identities belong to accounts, not organizations; sign-ins in flight
    // and pending links are the instance's.
    "identities",
    "sso_logins",
    "sso_pending_links",
    // Domains are proved through this instance's providers, and join
    // requests wait on its admins: neither means anything elsewhere.
    "org_domains",
    "join_requests",
    // Signing keys are encrypted under this instance's credential_key, and
    // the credentials they signed are verified here (issuer, status list).
    "credential_keys",
    "credentials",
];

/// Tables holding one organization's rows (by `org_id`), parents first:
/// the backup's list, so a new table is exported unless excluded above.
fn org_tables() -> impl Iterator<Item = &'static str> {
    crate::backup::TABLES
        .iter()
        .copied()
        .filter(|t| !NOT_EXPORTED.contains(t))
}

/// People named by the organization's rows.
const PEOPLE: &str = "SELECT person_id FROM memberships WHERE org_id = $1
    UNION SELECT manager_id FROM memberships WHERE org_id = $1
    UNION SELECT author_id FROM conversations WHERE org_id = $1
    UNION SELECT resolved_by FROM conversations WHERE org_id = $1
    UNION SELECT author_id FROM comments WHERE org_id = $1
    UNION SELECT actor_id FROM history WHERE org_id = $1
    UNION SELECT observer_id FROM observations WHERE org_id = $1
    UNION SELECT person_id FROM observation_observees WHERE org_id = $1
    UNION SELECT recipient_id FROM awards WHERE org_id = $1
    UNION SELECT certifier_id FROM awards WHERE org_id = $1
    UNION SELECT revoked_by FROM awards WHERE org_id = $1
    UNION SELECT actor_id FROM audit_log WHERE org_id = $1
    UNION SELECT person_id FROM tenures WHERE org_id = $1
    UNION SELECT set_by FROM tenures WHERE org_id = $1
    UNION SELECT member_id FROM check_ins WHERE org_id = $1
    UNION SELECT opened_by FROM check_ins WHERE org_id = $1
    UNION SELECT manager_author FROM check_ins WHERE org_id = $1
    UNION SELECT finalized_by FROM check_ins WHERE org_id = $1";

fn io(e: std::io::Error) -> StoreError {
    StoreError::Other(format!("export: {e}"))
}

/// Whom an export is for.
#[derive(Debug, Clone, Copy)]
pub enum ExportFor<'a> {
    /// The operator's command (`cairn export-org`): everything, to move an
    /// organization to another instance.
    Operator,
    /// An admin's download from the organization's settings: the framework
    /// and membership data they administer, and of observations and awards
    /// exactly what this member may read on the pages (DESIGN: admins get
    /// no extra sight of observations).
    Member {
        person: &'a PersonId,
        people_lead: bool,
    },
}

/// Decides, row by row, what a member's export keeps of the tables that
/// hold observations and awards, with the domain's rules. Rows arrive
/// parents first (`TABLES` order), so what a child row depends on has been
/// seen by the time it comes.
struct Sieve {
    reader: Reader<PersonId>,
    people_lead: bool,
    /// Observations the reader may read (the SQL twin of `can_read`).
    readable: HashSet<String>,
    /// Of those: the observer and observees, for sensitive ratings.
    observers: HashMap<String, PersonId>,
    observees: HashMap<String, Vec<PersonId>>,
    /// Members who show a public profile.
    public_profiles: HashSet<PersonId>,
    /// Awards kept so far.
    awards: HashSet<String>,
    /// Check-ins kept so far: finalized ones this member may read (open
    /// ones hold drafts that are their authors' alone).
    check_ins: HashSet<String>,
}

fn text_at<'v>(columns: &[String], values: &'v [Value], name: &str) -> Option<&'v str> {
    columns
        .iter()
        .position(|c| c == name)
        .and_then(|i| values.get(i))
        .and_then(Value::as_str)
}

fn int_at(columns: &[String], values: &[Value], name: &str) -> Option<i64> {
    columns
        .iter()
        .position(|c| c == name)
        .and_then(|i| values.get(i))
        .and_then(Value::as_i64)
}

impl Sieve {
    fn keep(&mut self, table: &str, columns: &[String], values: &[Value]) -> bool {
        let text = |name| text_at(columns, values, name);
        let person = |name| text(name).map(|p| PersonId(p.to_owned()));
        match table {
            "memberships" => {
                if int_at(columns, values, "public_profile").is_some_and(|p| p != 0)
                    && text("status") == Some("active")
                    && let Some(p) = person("person_id")
                {
                    self.public_profiles.insert(p);
                }
                true
            }
            "observations" => {
                let Some(id) = text("id") else { return false };
                if !self.readable.contains(id) {
                    return false;
                }
                if let Some(o) = person("observer_id") {
                    self.observers.insert(id.to_owned(), o);
                }
                true
            }
            "observation_observees" => {
                let (Some(id), Some(p)) = (text("observation_id"), person("person_id")) else {
                    return false;
                };
                if !self.readable.contains(id) {
                    return false;
                }
                self.observees.entry(id.to_owned()).or_default().push(p);
                true
            }
            "observation_ratings" => {
                let Some(id) = text("observation_id") else {
                    return false;
                };
                let Some(observer) = self.observers.get(id) else {
                    return false;
                };
                let Some(rating) = text("rating").and_then(Rating::parse) else {
                    return false;
                };
                let facts = ObservationFacts {
                    observer: observer.clone(),
                    observees: self.observees.get(id).cloned().unwrap_or_default(),
                    privacy: Privacy::Organization,
                    published: true,
                    deleted: false,
                };
                // Readable already (above); what is left is the rating's own rule.
                can_see_rating(&self.reader, &facts, rating)
            }
            "check_ins" => {
                let (Some(id), Some(member)) = (text("id"), person("member_id")) else {
                    return false;
                };
                let standing = cairn_domain::check_ins::Standing {
                    people_lead: self.people_lead,
                    ..Default::default()
                };
                let keep = int_at(columns, values, "finalized_at").is_some()
                    && cairn_domain::check_ins::can_read(&self.reader, &member, standing);
                if keep {
                    self.check_ins.insert(id.to_owned());
                }
                keep
            }
            // A person's inbox is theirs alone.
            "notifications" | "notification_settings" | "digests" => {
                person("person_id").as_ref() == self.reader.person.as_ref()
            }
            "check_in_ratings" | "check_in_acknowledgements" => {
                text("check_in_id").is_some_and(|id| self.check_ins.contains(id))
            }
            // An earlier version goes with a readable observation only
            // when every rating it had is one this reader may see now.
            "observation_revisions" => {
                let Some(id) = text("observation_id") else {
                    return false;
                };
                let Some(observer) = self.observers.get(id) else {
                    return false;
                };
                let facts = ObservationFacts {
                    observer: observer.clone(),
                    observees: self.observees.get(id).cloned().unwrap_or_default(),
                    privacy: Privacy::Organization,
                    published: true,
                    deleted: false,
                };
                text("ratings").unwrap_or("").lines().all(|line| {
                    line.rsplit(' ')
                        .next()
                        .and_then(Rating::parse)
                        .is_some_and(|r| can_see_rating(&self.reader, &facts, r))
                })
            }
            "awards" => {
                let (Some(id), Some(recipient), Some(certifier)) =
                    (text("id"), person("recipient_id"), person("certifier_id"))
                else {
                    return false;
                };
                let Some(visibility) = text("visibility").and_then(AwardVisibility::parse) else {
                    return false;
                };
                let facts = AwardFacts {
                    recipient: recipient.clone(),
                    certifier,
                    visibility,
                    on_profile: int_at(columns, values, "on_profile").is_some_and(|p| p != 0),
                    revoked: int_at(columns, values, "revoked_at").is_some(),
                };
                let keep = can_read_award(
                    &self.reader,
                    &facts,
                    self.people_lead,
                    self.public_profiles.contains(&recipient),
                );
                if keep {
                    self.awards.insert(id.to_owned());
                }
                keep
            }
            "award_evidence" => {
                text("award_id").is_some_and(|a| self.awards.contains(a))
                    && text("observation_id").is_some_and(|o| self.readable.contains(o))
            }
            _ => true,
        }
    }
}

/// Writes the document for `org`, read in one snapshot.
pub async fn export(
    store: &Store,
    org: &OrgId,
    reader: ExportFor<'_>,
    out: &mut impl Write,
) -> Result<u64, StoreError> {
    let backend = store.backend();
    let mut conn = store.read().await?;
    begin_snapshot(&mut conn, backend).await?;
    let result = async {
        let mut sieve = match reader {
            ExportFor::Operator => None,
            ExportFor::Member {
                person,
                people_lead,
            } => Some(Sieve {
                reader: Reader {
                    person: Some(person.clone()),
                    member: true,
                    reports: reports_on(&mut conn, org, person).await?,
                },
                people_lead,
                readable: readable_ids(&mut conn, org, person).await?,
                observers: HashMap::new(),
                observees: HashMap::new(),
                public_profiles: HashSet::new(),
                awards: HashSet::new(),
                check_ins: HashSet::new(),
            }),
        };
        let slug: String = sqlx::query_scalar("SELECT slug FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let migrations = migration_names(&mut conn).await?;
        write!(
            out,
            "{{\"format\":{},\"organization\":{},\"migrations\":{},\"tables\":[",
            Value::from(FORMAT),
            Value::from(slug),
            Value::from(migrations)
        )
        .map_err(io)?;
        let mut total = 0;
        let tables = std::iter::once(("organizations", "id = $1".to_owned()))
            .chain(std::iter::once(("people", format!("id IN ({PEOPLE})"))))
            .chain(org_tables().map(|t| (t, "org_id = $1".to_owned())));
        for (i, (table, filter)) in tables.enumerate() {
            let columns = columns_of(&mut conn, backend, table).await?;
            // Passwords stay on this instance.
            let select: Vec<String> = columns
                .iter()
                .map(|c| {
                    if table == "people" && c == "password_hash" {
                        "'!' AS password_hash".to_owned()
                    } else {
                        c.clone()
                    }
                })
                .collect();
            write!(
                out,
                "{}{{\"table\":{},\"columns\":{},\"rows\":[",
                if i == 0 { "" } else { "," },
                Value::from(table),
                Value::from(columns.clone())
            )
            .map_err(io)?;
            // Table and column names come from constants and the schema.
            let sql = format!(
                "SELECT {} FROM {table} WHERE {filter} ORDER BY {}",
                select.join(", "),
                columns.join(", ")
            );
            let mut n = 0;
            each_row(&mut conn, sql, Some(org.as_str()), |_, values| {
                if let Some(sieve) = sieve.as_mut()
                    && !sieve.keep(table, &columns, &values)
                {
                    return Ok(());
                }
                write!(
                    out,
                    "{}{}",
                    if n == 0 { "" } else { "," },
                    Value::Array(values)
                )
                .map_err(io)?;
                n += 1;
                Ok(())
            })
            .await?;
            total += n;
            write!(out, "]}}").map_err(io)?;
        }
        write!(out, "]}}").map_err(io)?;
        out.flush().map_err(io)?;
        Ok::<_, StoreError>(total)
    }
    .await;
    let _ = conn.execute("ROLLBACK").await;
    result
}

/// Why an organization was not imported; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRefused {
    /// Not a document this version reads.
    NotAnExport(String),
    /// This instance already has the organization (by slug or id).
    OrganizationExists(String),
    /// People of the document whose email belongs to someone else here.
    EmailsTaken(Vec<String>),
}

impl std::fmt::Display for ImportRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportRefused::NotAnExport(why) => write!(f, "not a cairn organization export: {why}"),
            ImportRefused::OrganizationExists(slug) => {
                write!(f, "this instance already has an organization {slug}")
            }
            ImportRefused::EmailsTaken(emails) => write!(
                f,
                "these emails belong to other accounts here: {}",
                emails.join(", ")
            ),
        }
    }
}

/// Imports a document written by `export`, in one transaction. People
/// already here with the same id are kept as they are.
pub async fn import(
    store: &Store,
    doc: &Value,
) -> Result<Result<String, ImportRefused>, StoreError> {
    let not = |why: &str| Ok(Err(ImportRefused::NotAnExport(why.to_owned())));
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return not("the format is not cairn-org/1");
    }
    let known: Vec<&str> = crate::migrate::files(store.backend())
        .iter()
        .map(|(n, _)| *n)
        .collect();
    if let Some(m) = doc
        .get("migrations")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .find(|m| !known.contains(m))
        })
    {
        return not(&format!("made by a newer cairn (migration {m})"));
    }
    let Some(tables) = doc.get("tables").and_then(Value::as_array) else {
        return not("no tables");
    };
    let slug = doc
        .get("organization")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let backend = store.backend();
    let mut tx = store.begin_write().await?;

    for t in tables {
        let (Some(name), Some(columns), Some(rows)) = (
            t.get("table").and_then(Value::as_str),
            t.get("columns").and_then(Value::as_array),
            t.get("rows").and_then(Value::as_array),
        ) else {
            return not("a table without its name, columns or rows");
        };
        let Some(table) = std::iter::once("organizations")
            .chain(std::iter::once("people"))
            .chain(org_tables())
            .find(|x| *x == name)
        else {
            return not(&format!("unknown table {name:?}"));
        };
        let columns: Vec<String> = columns
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let have = columns_of(tx.conn()?, backend, table).await?;
        if let Some(c) = columns.iter().find(|c| !have.contains(c)) {
            return not(&format!("{table} has no column {c:?}"));
        }
        let mut values: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
        for r in rows {
            match r.as_array() {
                Some(v) if v.len() == columns.len() => values.push(v.clone()),
                _ => return not(&format!("a row of {table} does not match its columns")),
            }
        }
        let at = |row: &Vec<Value>, col: &str| {
            columns
                .iter()
                .position(|c| c == col)
                .and_then(|i| row[i].as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        if table == "organizations" {
            for row in &values {
                let clash: Vec<i64> =
                    sqlx::query_scalar("SELECT 1 FROM organizations WHERE id = $1 OR slug = $2")
                        .bind(at(row, "id"))
                        .bind(at(row, "slug"))
                        .fetch_all(tx.conn()?)
                        .await?;
                if !clash.is_empty() {
                    return Ok(Err(ImportRefused::OrganizationExists(at(row, "slug"))));
                }
            }
        }
        if table == "people" {
            // Someone already here (same id) stays as they are; an email
            // taken by another account is a refusal.
            let mut taken = Vec::new();
            let mut new_people = Vec::new();
            for row in values {
                let same: Vec<String> =
                    sqlx::query_scalar("SELECT id FROM people WHERE id = $1 OR email = $2")
                        .bind(at(&row, "id"))
                        .bind(at(&row, "email"))
                        .fetch_all(tx.conn()?)
                        .await?;
                match same.first() {
                    None => new_people.push(row),
                    Some(id) if *id == at(&row, "id") => {}
                    Some(_) => taken.push(at(&row, "email")),
                }
            }
            if !taken.is_empty() {
                return Ok(Err(ImportRefused::EmailsTaken(taken)));
            }
            values = new_people;
        }
        let ints = integer_columns(tx.conn()?, backend, table).await?;
        let integer: Vec<bool> = columns.iter().map(|c| ints.contains(c)).collect();
        insert_rows(tx.conn()?, backend, table, &columns, &integer, &values).await?;
    }
    tx.commit().await?;
    Ok(Ok(slug))
}

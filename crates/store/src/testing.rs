//! Test support: a fresh database per test, on each backend.
//!
//! SQLite: a temporary file (an in-memory database would give every pooled
//! connection its own database). PostgreSQL: a new database in the cluster
//! named by `CAIRN_TEST_POSTGRES_URL` (`scripts/test` starts a private one).
//! Without that URL the PostgreSQL half is skipped and says so, unless
//! `CAIRN_TEST_REQUIRE_POSTGRES=1` (as in CI), where it fails instead.

use std::future::Future;

use sqlx::{Connection, Executor};

use crate::Store;

/// A migrated store that lives as long as this value.
pub struct TestDb {
    pub store: Store,
    pub label: &'static str,
    /// The setting a separate process (the CLI under test) would use.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

// A Drop impl makes closures capture a TestDb whole: with disjoint capture,
// `async move { db.store ... }` would otherwise drop the temporary directory
// (and the database file in it) before the body runs.
impl Drop for TestDb {
    fn drop(&mut self) {}
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("cairn.db").display().to_string();
    let store = Store::open(&url).await.expect("open sqlite");
    TestDb {
        store,
        label: "sqlite",
        url,
        _dir: Some(dir),
    }
}

/// A fresh PostgreSQL database, or None (with a note) when none is configured.
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("CAIRN_TEST_POSTGRES_URL") else {
        if std::env::var("CAIRN_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("CAIRN_TEST_REQUIRE_POSTGRES=1 but CAIRN_TEST_POSTGRES_URL is not set");
        }
        eprintln!(
            "SKIPPED on PostgreSQL: CAIRN_TEST_POSTGRES_URL is not set (scripts/test sets it)"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("cairn_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .expect("connect to CAIRN_TEST_POSTGRES_URL");
    admin
        // The name is generated above from hex digits only.
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let url = with_database(&admin_url, &name);
    let store = Store::open(&url).await.expect("open postgres");
    Some(TestDb {
        store,
        label: "postgres",
        url,
        _dir: None,
    })
}

/// Replaces the database name in a PostgreSQL URL, keeping its parameters.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Runs the same test body on SQLite, then on PostgreSQL when available.
pub async fn for_each_backend<F, Fut>(body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    body(sqlite().await).await;
    if let Some(db) = postgres().await {
        body(db).await;
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_parameters_kept() {
        for (url, expected) in [
            (
                "postgres://u@localhost:5433/postgres",
                "postgres://u@localhost:5433/x",
            ),
            (
                "postgres://u@localhost:5433",
                "postgres://u@localhost:5433/x",
            ),
            (
                "postgres://postgres@/postgres?host=/tmp/s&port=5",
                "postgres://postgres@/x?host=/tmp/s&port=5",
            ),
        ] {
            assert_eq!(with_database(url, "x"), expected);
        }
    }
}

/// Counting SQL statements, for the pages' statement budgets.
///
/// sqlx reports every statement it runs as a `tracing` event with target
/// `sqlx::query` (whatever the backend, and from SQLite's worker threads
/// too), and the SQLite hot reads (`reads`) as `cairn_store::query`; a
/// process-wide subscriber counts both. Tests run one process each
/// under nextest, so the count is exactly the statements of what the test
/// does; under `cargo test` other tests' statements can only add to it,
/// which is why budget tests keep the smallest count of a few tries.
pub mod statements {
    use std::fmt;
    use std::future::Future;
    use std::sync::{Mutex, Once};

    use tracing::field::{Field, Visit};
    use tracing::subscriber::Interest;
    use tracing::{Event, Metadata, Subscriber, span};

    /// The statements' first words, so a page over budget can say which.
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    static INSTALL: Once = Once::new();
    const TARGETS: [&str; 2] = ["sqlx::query", "cairn_store::query"];

    struct Counter;

    impl Subscriber for Counter {
        fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
            if TARGETS.contains(&meta.target()) {
                Interest::always()
            } else {
                Interest::never()
            }
        }
        fn enabled(&self, meta: &Metadata<'_>) -> bool {
            TARGETS.contains(&meta.target())
        }
        fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
            span::Id::from_u64(1)
        }
        fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
        fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
        fn event(&self, event: &Event<'_>) {
            if TARGETS.contains(&event.metadata().target()) {
                let mut summary = Summary(String::new());
                event.record(&mut summary);
                if let Ok(mut seen) = SEEN.lock() {
                    seen.push(summary.0);
                }
            }
        }
        fn enter(&self, _: &span::Id) {}
        fn exit(&self, _: &span::Id) {}
    }

    struct Summary(String);

    impl Visit for Summary {
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "db.statement" || (field.name() == "summary" && self.0.is_empty()) {
                self.0 = value.split_whitespace().collect::<Vec<_>>().join(" ");
                self.0.truncate(160);
            }
        }

        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            if field.name() == "db.statement" {
                let text = format!("{value:?}");
                self.0 = text.split_whitespace().collect::<Vec<_>>().join(" ");
                self.0.truncate(160);
            } else if field.name() == "summary" && self.0.is_empty() {
                self.0 = format!("{value:?}");
            }
        }
    }

    /// Installs the counter as the process's subscriber (once).
    pub fn install() {
        INSTALL.call_once(|| {
            // Another subscriber already installed would leave every count
            // at 0, which the budget tests would notice (they also assert
            // a lower bound), so a failure here needs no panic.
            let _ = tracing::subscriber::set_global_default(Counter);
        });
    }

    /// The statements run while `f` runs, and its output.
    pub async fn count<F: Future>(f: F) -> (usize, F::Output) {
        let (seen, out) = record(f).await;
        (seen.len(), out)
    }

    /// The statements (their first words) run while `f` runs.
    pub async fn record<F: Future>(f: F) -> (Vec<String>, F::Output) {
        install();
        let start = SEEN.lock().map(|s| s.len()).unwrap_or(0);
        let out = f.await;
        let seen = SEEN
            .lock()
            .map(|s| s.get(start..).unwrap_or_default().to_vec())
            .unwrap_or_default();
        (seen, out)
    }
}

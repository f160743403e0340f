//! Writing to the audit log from handlers.
//!
//! An entry is written after the change it records has committed. If the
//! entry cannot be written the change stands (the person saw it succeed),
//! and the failure is logged as an error for the operator.

use cairn_store::audit::{self, Entry};

use crate::App;

pub(crate) async fn note(app: &App, entry: Entry<'_>) {
    if let Err(e) = audit::record(&app.store, &entry, app.now()).await {
        tracing::error!(action = entry.action.as_str(), error = %e, "audit entry not written");
    }
}

/// How a person is named in an entry: name and email, so the entry still
/// says who it was after a rename.
pub(crate) fn about(p: &cairn_store::people::Person) -> String {
    format!("{} <{}>", p.name, p.email)
}

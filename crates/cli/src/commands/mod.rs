//! One module per command; each opens the store itself.

use std::process::ExitCode;

use cairn_store::Store;

use crate::settings::Settings;

pub mod admin;
pub mod files;
pub mod serve;

/// Opens the configured database and applies pending migrations.
pub async fn open(settings: &Settings) -> Result<Store, ExitCode> {
    Store::open(&settings.database_url).await.map_err(|e| {
        eprintln!(
            "cairn: cannot open the database {}: {e}",
            redact(&settings.database_url)
        );
        ExitCode::FAILURE
    })
}

/// A database URL fit for logs: any password hidden.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub async fn migrate(settings: &Settings) -> ExitCode {
    match open(settings).await {
        Ok(store) => {
            store.close().await;
            println!("database is up to date");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

pub use cairn_store::system_now as now;

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        for (url, expected) in [
            ("postgres://u:secret@h/db", "postgres://u:***@h/db"),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("sqlite://cairn.db", "sqlite://cairn.db"),
        ] {
            assert_eq!(redact(url), expected);
        }
    }
}

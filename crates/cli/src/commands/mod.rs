//! One module per command; each opens the store itself.

use std::process::ExitCode;

use cairn_store::Store;

use crate::settings::Settings;

pub mod admin;
pub mod backup;
pub mod files;
pub mod fork;
pub mod people;
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

/// `cairn health ORG`: 0 when nothing is critical, 1 when something is,
/// 2 for an unknown organization.
pub async fn health(settings: &Settings, args: crate::HealthArgs) -> ExitCode {
    let slug = match cairn_domain::OrgSlug::parse(&args.org) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn health: {:?}: {e}", args.org);
            return ExitCode::from(2);
        }
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = async {
        let Some(org) = cairn_store::orgs::by_slug(&store, &slug).await? else {
            return Ok(None);
        };
        cairn_store::health::report(&store, &org, now())
            .await
            .map(Some)
    }
    .await;
    store.close().await;
    let report = match result {
        Ok(Some(r)) => r,
        Ok(None) => {
            eprintln!("cairn health: no organization {slug}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("cairn health: {e}");
            return ExitCode::FAILURE;
        }
    };
    match args.format {
        crate::HealthFormat::Text => print!("{}", report.to_text()),
        crate::HealthFormat::Json => println!("{}", report.to_json()),
    }
    if report.worst() == cairn_domain::health::Severity::Critical {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `cairn seed-synthetic`: bulk synthetic data for the benchmark.
pub async fn seed_synthetic(settings: &Settings, args: crate::SeedArgs) -> ExitCode {
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let params = cairn_store::synthetic::SeedParams {
        orgs: args.orgs,
        members: args.members,
        observations: args.observations,
        seed: args.seed,
    };
    let started = std::time::Instant::now();
    let result = cairn_store::synthetic::seed(&store, &params, now()).await;
    store.close().await;
    match result {
        Ok(s) => {
            println!(
                "seeded {} organizations, {} members, {} observations, {} awards, {} conversations in {:.1} s",
                s.orgs,
                s.members,
                s.observations,
                s.awards,
                s.conversations,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cairn seed-synthetic: {e}");
            ExitCode::FAILURE
        }
    }
}

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

//! `cairn backup` and `cairn restore`.

use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::process::ExitCode;

use cairn_store::{Backend, backup};

use super::open;
use crate::settings::Settings;
use crate::{BackupArgs, BackupFormat, RestoreArgs};

const INPUT_ERROR: u8 = 2;

/// The backup is written next to its destination and renamed into place
/// once complete, so FILE is never a half-written backup.
fn partial(file: &Path) -> std::path::PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    file.with_file_name(name)
}

pub async fn backup(settings: &Settings, args: BackupArgs) -> ExitCode {
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let tmp = partial(&args.file);
    let _ = std::fs::remove_file(&tmp);
    let result: Result<String, String> = match args.format {
        BackupFormat::Dump => match std::fs::File::create(&tmp) {
            Err(e) => Err(format!("cannot create {}: {e}", tmp.display())),
            Ok(f) => {
                let mut out = BufWriter::new(f);
                match backup::dump(&store, &mut out).await {
                    Ok(counts) => match out
                        .into_inner()
                        .map_err(|e| e.into_error())
                        .and_then(|f| f.sync_all())
                    {
                        Ok(()) => Ok(format!(
                            "{} rows in {} tables",
                            counts.iter().map(|(_, n)| n).sum::<u64>(),
                            counts.len()
                        )),
                        Err(e) => Err(format!("cannot write {}: {e}", tmp.display())),
                    },
                    Err(e) => Err(e.to_string()),
                }
            }
        },
        BackupFormat::Sqlite if store.backend() != Backend::Sqlite => {
            store.close().await;
            eprintln!("cairn backup: --format sqlite needs a SQLite database; use --format dump");
            return ExitCode::from(INPUT_ERROR);
        }
        BackupFormat::Sqlite => cairn_store::copy_sqlite_to(&store, &tmp)
            .await
            .map(|()| "a consistent copy of the SQLite database".to_owned())
            .map_err(|e| e.to_string()),
    };
    store.close().await;
    match result.and_then(|what| {
        std::fs::rename(&tmp, &args.file)
            .map(|()| what)
            .map_err(|e| format!("cannot move the backup into place: {e}"))
    }) {
        Ok(what) => {
            println!("backed up {what} to {}", args.file.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            eprintln!("cairn backup: {e}");
            ExitCode::FAILURE
        }
    }
}

pub async fn restore(settings: &Settings, args: RestoreArgs) -> ExitCode {
    let file = match std::fs::File::open(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cairn restore: cannot read {}: {e}", args.file.display());
            return ExitCode::from(INPUT_ERROR);
        }
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = backup::restore(&store, BufReader::new(file)).await;
    store.close().await;
    match result {
        Ok(Ok(counts)) => {
            println!(
                "restored {} rows in {} tables from {}",
                counts.iter().map(|(_, n)| n).sum::<u64>(),
                counts.len(),
                args.file.display()
            );
            ExitCode::SUCCESS
        }
        Ok(Err(backup::RestoreRefused::Malformed { line, message })) => {
            eprintln!("{}:{line}: {message}", args.file.display());
            ExitCode::from(INPUT_ERROR)
        }
        Ok(Err(refused)) => {
            eprintln!("cairn restore: {refused}");
            ExitCode::from(INPUT_ERROR)
        }
        Err(e) => {
            eprintln!("cairn restore: {e}");
            ExitCode::FAILURE
        }
    }
}

pub async fn export_org(settings: &Settings, args: crate::ExportOrgArgs) -> ExitCode {
    let slug = match cairn_domain::OrgSlug::parse(&args.org) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn export-org: {:?}: {e}", args.org);
            return ExitCode::from(INPUT_ERROR);
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
        let mut body = Vec::new();
        cairn_store::org_export::export(
            &store,
            &org.id,
            cairn_store::org_export::ExportFor::Operator,
            &mut body,
        )
        .await?;
        let entry = cairn_store::audit::Entry {
            org: Some(&org.id),
            actor: None,
            action: cairn_domain::audit::AuditAction::Exported,
            subject: "organization".into(),
            detail: "cairn export-org (command line)".into(),
            client_ip: "",
        };
        cairn_store::audit::record(&store, &entry, super::now()).await?;
        Ok::<_, cairn_store::StoreError>(Some(body))
    }
    .await;
    store.close().await;
    match result {
        Ok(Some(body)) => {
            let written = match &args.output {
                None => std::io::Write::write_all(&mut std::io::stdout(), &body),
                Some(path) => std::fs::write(path, &body),
            };
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cairn export-org: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Ok(None) => {
            eprintln!("cairn export-org: no organization {slug}");
            ExitCode::from(INPUT_ERROR)
        }
        Err(e) => {
            eprintln!("cairn export-org: {e}");
            ExitCode::FAILURE
        }
    }
}

pub async fn import_org(settings: &Settings, args: RestoreArgs) -> ExitCode {
    let doc: serde_json::Value = match std::fs::read_to_string(&args.file)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("line {}: {e}", e.line())))
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(INPUT_ERROR);
        }
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = cairn_store::org_export::import(&store, &doc).await;
    store.close().await;
    match result {
        Ok(Ok(slug)) => {
            println!(
                "imported {slug}; its people sign in after `cairn admin reset-password EMAIL`"
            );
            ExitCode::SUCCESS
        }
        Ok(Err(refused)) => {
            eprintln!("cairn import-org: {refused}");
            ExitCode::from(INPUT_ERROR)
        }
        Err(e) => {
            eprintln!("cairn import-org: {e}");
            ExitCode::FAILURE
        }
    }
}

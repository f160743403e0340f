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

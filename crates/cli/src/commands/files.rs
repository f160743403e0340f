//! `import`, `export` and `demo`: framework files in and out.
//!
//! Exit codes: 0 done; 2 the input is at fault (each problem printed as
//! `FILE:LINE:COLUMN: rule`, nothing written); 1 anything else.

use std::path::Path;
use std::process::ExitCode;

use cairn_domain::file::{self, FileProblem, Format};
use cairn_domain::{Framework, MilesScale, Name, OrgSlug, Organization, gruuv_csv};
use cairn_store::Store;
use cairn_store::framework::{self, Changes, ImportSummary};

use super::{now, open};
use crate::settings::Settings;
use crate::{ExportArgs, FormatArg, ImportArgs};

const INPUT_ERROR: u8 = 2;

fn read(path: &Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| {
        eprintln!("{}: cannot read: {e}", path.display());
        ExitCode::from(INPUT_ERROR)
    })
}

fn report(path: &Path, problems: &[FileProblem]) -> ExitCode {
    for p in problems {
        eprintln!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message);
    }
    eprintln!(
        "{}: {} problem(s); nothing was imported",
        path.display(),
        problems.len()
    );
    ExitCode::from(INPUT_ERROR)
}

pub async fn import(settings: &Settings, args: ImportArgs) -> ExitCode {
    match (args.file, args.csv, args.case, args.org) {
        (Some(path), None, None, None) => import_file(settings, &path).await,
        (None, Some(path), None, Some(org)) => import_csv(settings, &path, &org, args.apply).await,
        (None, None, Some(source), org) => import_case(settings, &source, org.as_deref()).await,
        _ => {
            eprintln!(
                "cairn import: give either FILE, or --csv FILE --org ORG, or --case FILE_OR_URL [--org ORG]"
            );
            ExitCode::from(INPUT_ERROR)
        }
    }
}

async fn import_file(settings: &Settings, path: &Path) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let fw = match file::parse(&text) {
        Ok(fw) => fw,
        Err(problems) => return report(path, &problems),
    };
    match open(settings).await {
        Ok(store) => {
            let code = write(&store, &fw, false).await;
            if code == ExitCode::SUCCESS {
                publish_imported(&store, &fw, path).await;
            }
            store.close().await;
            code
        }
        Err(code) => code,
    }
}

/// A framework kept in a file is the source of truth: what is imported
/// is published as the next version, noted "imported from FILE" (unless
/// nothing changed since the latest version).
async fn publish_imported(store: &Store, fw: &Framework, path: &Path) {
    let published = async {
        let org = cairn_store::orgs::by_slug(store, &fw.organization.slug)
            .await?
            .ok_or(cairn_store::StoreError::NotFound)?;
        let current = framework::load(store, &org).await?;
        let snapshot = file::write(current.framework(), file::Format::Json)
            .map_err(|e| cairn_store::StoreError::Other(e.to_string()))?;
        let after = cairn_store::versions::latest(store, &org.id)
            .await?
            .unwrap_or(0);
        let notes = format!("imported from {}", path.display());
        let p = cairn_store::versions::Publish {
            after,
            read_at: current.version,
            snapshot: &snapshot,
            notes: &notes,
            by: None,
        };
        cairn_store::versions::publish(store, &org.id, &p, now()).await
    };
    match published.await {
        Ok(Ok(n)) => println!("published as v{n}"),
        Ok(Err(cairn_store::versions::Refused::NothingToPublish)) => {
            println!("no change since the latest version: nothing published")
        }
        Ok(Err(r)) => eprintln!("cairn import: imported, but not published: {r:?}"),
        Err(e) => eprintln!("cairn import: imported, but not published: {e}"),
    }
}

/// A CASE package's text, from a file or a URL (public addresses only,
/// unless `webhook_allow_private` is set, as `cairn fork` reaches them).
async fn case_text(settings: &Settings, source: &str) -> Result<String, ExitCode> {
    if !source.contains("://") {
        return read(Path::new(source));
    }
    let fetched = async {
        let url = cairn_web::delivery::webhook::check_url(source, settings.webhook_allow_private)?;
        let client = cairn_web::delivery::webhook::client(settings.webhook_allow_private)?;
        let response = client
            .get(url.as_str())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the server answered {status}"));
        }
        response.text().await.map_err(|e| e.to_string())
    };
    fetched.await.map_err(|e| {
        eprintln!("{source}: cannot fetch: {e}");
        ExitCode::from(INPUT_ERROR)
    })
}

/// `cairn import --case`: a CFPackage becomes the organization's framework
/// (what it lacks is archived, as with a framework file), then published;
/// every CFItem is reported (`cairn_domain::case::read`).
async fn import_case(settings: &Settings, source: &str, org: Option<&str>) -> ExitCode {
    let slug = match org.map(OrgSlug::parse).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn import: --org: {e}");
            return ExitCode::from(INPUT_ERROR);
        }
    };
    let text = match case_text(settings, source).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    let imported = match cairn_domain::case::read(&text, slug.as_ref()) {
        Ok(i) => i,
        Err(problems) => return report(Path::new(source), &problems),
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut fw = imported.framework.clone();
    // Another product's package has no miles scale or licence of ours: an
    // organization that exists keeps its own.
    if !imported.cairn {
        match framework::load_by_slug(&store, &fw.organization.slug).await {
            Ok(Some((_, current))) => fw.organization = current.organization,
            Ok(None) => {}
            Err(e) => {
                eprintln!(
                    "cairn: cannot read organization {}: {e}",
                    fw.organization.slug
                );
                store.close().await;
                return ExitCode::FAILURE;
            }
        }
    }
    for line in &imported.report {
        println!("{source}: {line}");
    }
    println!("{}", imported.summary());
    let code = write(&store, &fw, false).await;
    if code == ExitCode::SUCCESS {
        publish_imported(&store, &fw, Path::new(source)).await;
    }
    store.close().await;
    code
}

/// `cairn import --csv`: OurGruuv's abilities or assignments CSV, merged
/// into the organization's framework (`cairn_domain::gruuv_csv`). Lists
/// what would change, as `cairn diff` words it; `--apply` writes it.
async fn import_csv(settings: &Settings, path: &Path, org: &str, apply: bool) -> ExitCode {
    let slug = match OrgSlug::parse(org) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn import: --org {org:?}: {e}");
            return ExitCode::from(INPUT_ERROR);
        }
    };
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let parsed = match gruuv_csv::parse(&text) {
        Ok(p) => p,
        Err(problems) => return report(path, &problems),
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let fw = match framework::load_by_slug(&store, &slug).await {
        Ok(Some((_, fw))) => fw,
        Ok(None) => match new_framework(&slug) {
            Ok(fw) => {
                println!(
                    "creating organization {slug} named {:?}",
                    fw.organization.name.as_str()
                );
                fw
            }
            Err(e) => {
                store.close().await;
                eprintln!("cairn import: --org {slug}: {e}");
                return ExitCode::from(INPUT_ERROR);
            }
        },
        Err(e) => {
            store.close().await;
            eprintln!("cairn: cannot read organization {slug}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let merged = match gruuv_csv::merge(&fw, &parsed) {
        Ok(m) => m,
        Err(problems) => {
            store.close().await;
            return report(path, &problems);
        }
    };
    let changes = cairn_domain::changes::diff(&fw, &merged);
    for c in &changes {
        println!("{}: {}", path.display(), c.describe());
    }
    if changes.is_empty() {
        println!("{}: nothing to change", path.display());
        store.close().await;
        return ExitCode::SUCCESS;
    }
    if !apply {
        println!(
            "{} change(s); nothing was changed: run again with --apply to make them",
            changes.len()
        );
        store.close().await;
        return ExitCode::SUCCESS;
    }
    write(&store, &merged, true).await
}

/// An empty framework for an organization that a CSV import creates; its
/// name is the slug in title case until someone renames it.
pub(crate) fn new_framework(slug: &OrgSlug) -> Result<Framework, cairn_domain::ParseError> {
    let title: String = slug
        .as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Framework {
        organization: Organization {
            slug: slug.clone(),
            name: Name::parse(&title, "the organization name")?,
            miles: MilesScale::default(),
            licence: Default::default(),
            attribution: String::new(),
        },
        abilities: vec![],
        roles: vec![],
        positions: vec![],
    })
}

async fn write(store: &Store, fw: &Framework, close: bool) -> ExitCode {
    let result = framework::replace(store, fw, now()).await;
    if close {
        store.close().await;
    }
    match result {
        Ok(summary) => {
            println!("{}", describe(&fw.organization.slug, &summary));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cairn: import failed, nothing was changed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn describe(slug: &OrgSlug, s: &ImportSummary) -> String {
    let part = |kind: &str, c: &Changes| {
        format!(
            "{kind}: {} created, {} updated, {} archived, {} unchanged",
            c.created, c.updated, c.archived, c.unchanged
        )
    };
    format!(
        "{} {slug}. {}; {}; {}.",
        if s.organization_created {
            "Created"
        } else {
            "Updated"
        },
        part("abilities", &s.abilities),
        part("roles", &s.roles),
        part("positions", &s.positions)
    )
}

pub async fn export(settings: &Settings, args: ExportArgs) -> ExitCode {
    let slug = match OrgSlug::parse(&args.org) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn export: {:?}: {e}", args.org);
            return ExitCode::from(INPUT_ERROR);
        }
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let loaded = framework::load_by_slug(&store, &slug).await;
    if let Ok(Some((org, _))) = &loaded {
        let entry = cairn_store::audit::Entry {
            org: Some(&org.id),
            actor: None,
            action: cairn_domain::audit::AuditAction::Exported,
            subject: "framework".into(),
            detail: "cairn export (command line)".into(),
            client_ip: "",
        };
        if let Err(e) = cairn_store::audit::record(&store, &entry, super::now()).await {
            eprintln!("cairn export: cannot write the audit log: {e}");
            store.close().await;
            return ExitCode::FAILURE;
        }
    }
    if matches!(args.format, FormatArg::Case) {
        let org = match &loaded {
            Ok(Some((org, _))) => org.clone(),
            Ok(None) => {
                eprintln!("cairn export: no organization {slug}");
                store.close().await;
                return ExitCode::from(INPUT_ERROR);
            }
            Err(e) => {
                eprintln!("cairn export: cannot read {slug}: {e}");
                store.close().await;
                return ExitCode::FAILURE;
            }
        };
        let base = settings
            .base_url
            .as_deref()
            .unwrap_or("http://localhost")
            .trim_end_matches('/')
            .to_owned();
        let package = cairn_store::case::package(&store, &org, args.version, &base).await;
        store.close().await;
        let text = match package {
            Ok(Some(p)) => match serde_json::to_string_pretty(&p) {
                Ok(t) => t + "\n",
                Err(e) => {
                    eprintln!("cairn export: {e}");
                    return ExitCode::FAILURE;
                }
            },
            Ok(None) => {
                eprintln!(
                    "cairn export: {slug} has no published version {}",
                    args.version.unwrap_or(0)
                );
                return ExitCode::from(INPUT_ERROR);
            }
            Err(e) => {
                eprintln!("cairn export: cannot read {slug}: {e}");
                return ExitCode::FAILURE;
            }
        };
        return output(args.output.as_deref(), &text);
    }
    // A published version: its file as it was published.
    let published = match (&loaded, args.version) {
        (Ok(Some((org, _))), Some(n)) => {
            match cairn_store::versions::snapshot(&store, &org.id, n).await {
                Ok(Some(text)) => Some(text),
                Ok(None) => {
                    eprintln!("cairn export: {slug} has no published version {n}");
                    store.close().await;
                    return ExitCode::from(INPUT_ERROR);
                }
                Err(e) => {
                    eprintln!("cairn export: cannot read {slug} v{n}: {e}");
                    store.close().await;
                    return ExitCode::FAILURE;
                }
            }
        }
        _ => None,
    };
    store.close().await;
    let fw = match (loaded, published) {
        (Ok(Some(_)), Some(text)) => match file::parse(&text) {
            Ok(fw) => fw,
            Err(p) => {
                eprintln!("cairn export: the stored version does not parse: {p:?}");
                return ExitCode::FAILURE;
            }
        },
        (loaded, _) => match loaded {
            Ok(Some((_, fw))) => fw,
            Ok(None) => {
                eprintln!("cairn export: no organization {slug}");
                return ExitCode::from(INPUT_ERROR);
            }
            Err(e) => {
                eprintln!("cairn export: cannot read {slug}: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    if matches!(args.format, FormatArg::OurgruuvCsv) {
        return export_ourgruuv(settings, &fw, args.output.as_deref());
    }
    let format = match args.format {
        FormatArg::Yaml => Format::Yaml,
        FormatArg::Json | FormatArg::Case | FormatArg::OurgruuvCsv => Format::Json,
    };
    // A published version says which it is, so a fork or a repository
    // copy knows what it holds.
    let version = args.version.and_then(|n| u32::try_from(n).ok());
    let text = match file::write_version(&fw, format, version) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cairn export: {e}");
            return ExitCode::FAILURE;
        }
    };
    output(args.output.as_deref(), &text)
}

/// `--format ourgruuv-csv`: the three files OurGruuv's bulk downloads
/// write, into the folder `-o` names (made when missing).
fn export_ourgruuv(settings: &Settings, fw: &Framework, dir: Option<&Path>) -> ExitCode {
    let Some(dir) = dir else {
        eprintln!(
            "cairn export: --format ourgruuv-csv writes three files: name their folder with -o DIR"
        );
        return ExitCode::from(INPUT_ERROR);
    };
    let base = settings
        .base_url
        .as_deref()
        .unwrap_or("http://localhost")
        .trim_end_matches('/');
    let files = gruuv_csv::write(fw, base);
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("{}: cannot make the folder: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, text) in [
        ("abilities.csv", &files.abilities),
        ("assignments.csv", &files.assignments),
        ("positions.csv", &files.positions),
    ] {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: cannot write: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

/// Standard output, or the file `-o` names.
fn output(path: Option<&Path>, text: &str) -> ExitCode {
    match path {
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}: cannot write: {e}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}

/// The demo framework, parsed (`cairn_store::demo`).
pub fn demo_framework() -> Result<Framework, String> {
    cairn_store::demo::framework()
}

pub async fn demo(settings: &Settings) -> ExitCode {
    let fw = match demo_framework() {
        Ok(fw) => fw,
        Err(e) => {
            eprintln!("cairn demo: the built-in demo is invalid: {e}");
            return ExitCode::FAILURE;
        }
    };
    let store = match open(settings).await {
        Ok(store) => store,
        Err(code) => return code,
    };
    match framework::replace(&store, &fw, now()).await {
        Ok(summary) => println!("{}", describe(&fw.organization.slug, &summary)),
        Err(e) => {
            store.close().await;
            eprintln!("cairn: import failed, nothing was changed: {e}");
            return ExitCode::FAILURE;
        }
    }
    let people = demo_people(&store, &fw.organization.slug).await;
    store.close().await;
    match people {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cairn demo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The demo's people, when the demo organization has none yet
/// (`cairn_store::demo`).
pub async fn demo_people(store: &Store, slug: &OrgSlug) -> Result<(), String> {
    let org = cairn_store::orgs::by_slug(store, slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no organization {slug}"))?;
    if cairn_store::demo::people(store, &org, now())
        .await
        .map_err(|e| e.to_string())?
    {
        println!(
            "added the demo's people to /{slug}; sign in as one with `cairn admin session nadia@fernhill.example`"
        );
    }
    Ok(())
}

/// `cairn diff A B`: the semantic difference between two framework files
/// (`cairn_domain::changes`), a line each, marked; exits 1 when a change
/// raises the bar (so a framework repository's CI asks for a reviewer),
/// 0 when every change is editorial or there is none, 2 on a bad file.
pub fn diff(before: &Path, after: &Path) -> ExitCode {
    let mut parsed = Vec::new();
    for path in [before, after] {
        let text = match read(path) {
            Ok(t) => t,
            Err(code) => return code,
        };
        match file::parse(&text) {
            Ok(fw) => parsed.push(fw),
            Err(problems) => {
                for p in &problems {
                    eprintln!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message);
                }
                return ExitCode::from(INPUT_ERROR);
            }
        }
    }
    let changes = cairn_domain::changes::diff(&parsed[0], &parsed[1]);
    for c in &changes {
        let mark = match c.weight() {
            cairn_domain::changes::Weight::RaisesTheBar => "raises the bar",
            cairn_domain::changes::Weight::Editorial => "editorial",
        };
        println!("{mark}: {}", c.describe());
    }
    let raising = changes
        .iter()
        .filter(|c| c.weight() == cairn_domain::changes::Weight::RaisesTheBar)
        .count();
    println!("{} change(s), {raising} raising the bar", changes.len());
    if raising > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

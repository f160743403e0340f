//! `cairn`: the binary. Each command is one function in its own module;
//! this file only parses the command line and dispatches.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod commands;
mod settings;

#[derive(Parser)]
#[command(
    name = "cairn",
    version,
    about = "cairn: growth frameworks, written down and lived"
)]
struct Cli {
    /// Settings file (TOML). Default: ./cairn.toml when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database: a SQLite file path, sqlite://PATH, or postgres://… [env: CAIRN_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Create or replace an organization's framework from a file.
    Import(ImportArgs),
    /// Write an organization's framework to a file (or standard output).
    Export(ExportArgs),
    /// Load the demo organization (Fernhill), replacing it if present.
    Demo,
    /// The semantic difference between two framework files: each change
    /// marked "raises the bar" or "editorial"; exits 1 when something
    /// raises the bar, so a framework repository's CI can ask for review.
    Diff {
        /// The framework as it was.
        before: PathBuf,
        /// The framework as it is proposed.
        after: PathBuf,
    },
    /// Fork a published framework (a slug here, or its page on another
    /// cairn instance: https://host/ORG) into an empty organization, as
    /// its draft with its lineage; or, with --pull, list what a fork's
    /// upstream changed since and take changes with --take.
    Fork(ForkArgs),
    /// Print an organization's framework health; exits 1 when anything is
    /// critical (⛔️), so it can guard a framework repository in CI.
    Health(HealthArgs),
    /// Fill the database with deterministic synthetic organizations for the
    /// benchmark (organization 0 holds a fifth of the rows).
    SeedSynthetic(SeedArgs),
    /// Back up the whole instance: a logical dump (JSON lines, either
    /// backend, restorable into SQLite or PostgreSQL) or, on SQLite, a
    /// consistent copy of the database file. Works while the server runs.
    Backup(BackupArgs),
    /// Restore a logical dump into a new, empty database.
    Restore(RestoreArgs),
    /// Write everything of one organization as one JSON document (the
    /// same as its admins download from its settings).
    ExportOrg(ExportOrgArgs),
    /// Import an organization exported from another cairn instance.
    ImportOrg(RestoreArgs),
    /// Import people from a CSV in OurGruuv's employee columns: prints
    /// what would change; `--apply` makes the changes in one transaction.
    ImportPeople(ImportPeopleArgs),
    /// Operator tasks: accounts and capabilities.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an account. The password is read from standard input.
    CreateUser {
        email: String,
        /// Display name [default: the part of the email before @]
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new password (read from standard input) and end all sessions.
    ResetPassword { email: String },
    /// Make a person a member of an organization with a capability
    /// (owner, admin, framework-editor, people-lead, or member).
    Grant {
        org: String,
        email: String,
        capability: String,
    },
    /// Start a session for each account and print its cookie
    /// (`cairn_session=…`), one line per email: for scripts that drive the
    /// site as those people, such as the benchmark. Each shows in the
    /// person's sessions list as "cairn admin" and can be ended there.
    Session {
        #[arg(required = true)]
        emails: Vec<String>,
        /// Days until the sessions expire
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=30))]
        days: u16,
    },
    /// Give an organization a new credential signing key (Open Badges):
    /// it signs from now on; the old one is retired but stays published,
    /// so the credentials it signed still verify. Needs credential_key.
    RotateCredentialKey { org: String },
}

#[derive(Args)]
pub struct ImportPeopleArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The organization's address.
    #[arg(long)]
    pub org: String,
    /// Make the changes (without it, only the preview is printed).
    #[arg(long)]
    pub apply: bool,
}

#[derive(Args)]
pub struct BackupArgs {
    /// Where to write it; an existing file is replaced only once the new
    /// backup is complete.
    pub file: PathBuf,
    #[arg(long, value_enum, default_value = "dump")]
    pub format: BackupFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BackupFormat {
    /// JSON lines: every table, one snapshot, either backend.
    Dump,
    /// A copy of the SQLite file (VACUUM INTO); restore by copying it back.
    Sqlite,
}

#[derive(Args)]
pub struct ExportOrgArgs {
    pub org: String,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A dump written by `cairn backup`.
    pub file: PathBuf,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on [env: CAIRN_BIND] [default: 127.0.0.1:3000]
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Public base URL, for links and secure cookies [env: CAIRN_BASE_URL]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Load the demo organization first, unless it already exists.
    #[arg(long)]
    demo: bool,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["file", "csv", "case"]))]
pub struct ImportArgs {
    /// A framework file, YAML or JSON (format: cairn/1).
    file: Option<PathBuf>,
    /// Instead: a CASE 1.1 CFPackage (JSON), a file or an https:// URL
    /// (OpenSALT's `/ims/case/v1p1/CFPackages/{id}`, or another cairn's).
    #[arg(long, value_name = "FILE_OR_URL")]
    case: Option<String>,
    /// Instead: OurGruuv's abilities or assignments CSV export (told
    /// apart by its header), merged into the organization's framework.
    /// Prints what would change; --apply makes the change.
    #[arg(long, value_name = "FILE", requires = "org")]
    csv: Option<PathBuf>,
    /// With --csv: make the changes the preview lists.
    #[arg(long, requires = "csv")]
    apply: bool,
    /// With --csv: the organization the abilities go to; with --case, the
    /// organization the framework goes to (default: the package's own, or
    /// one named after its title).
    #[arg(long, value_name = "ORG")]
    org: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Yaml,
    Json,
    /// A CASE 1.1 CFPackage (JSON), as `/ims/case/v1p1/CFPackages/{id}` serves it.
    Case,
    /// OurGruuv's abilities.csv, assignments.csv (roles) and positions.csv,
    /// into the folder -o names.
    OurgruuvCsv,
}

#[derive(Args)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 100)]
    orgs: u32,
    #[arg(long, default_value_t = 10_000)]
    members: u32,
    #[arg(long, default_value_t = 1_000_000)]
    observations: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum HealthFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct HealthArgs {
    /// The organization's slug.
    org: String,
    #[arg(long, value_enum, default_value = "text")]
    format: HealthFormat,
}

#[derive(Args)]
pub struct ForkArgs {
    /// The framework to fork: an organization's slug on this instance, or
    /// its page's URL on another cairn instance (https://host/ORG).
    source: Option<String>,
    /// The organization to fork into: an empty one, or a new one (made
    /// with no members; add its owner with `cairn admin`).
    #[arg(long, value_name = "ORG")]
    into: Option<String>,
    /// A new organization's name (default: its slug in title case).
    #[arg(long)]
    name: Option<String>,
    /// Read this fork's upstream again and list what it changed since.
    #[arg(long, value_name = "ORG", conflicts_with_all = ["source", "into", "name"])]
    pull: Option<String>,
    /// With --pull: take this change into the draft, named as listed
    /// (ability:SLUG, role:SLUG, position:SLUG or scale). Repeatable.
    #[arg(long, value_name = "CHANGE", requires = "pull")]
    take: Vec<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The organization's slug.
    org: String,
    #[arg(long, value_enum, default_value = "yaml")]
    format: FormatArg,
    /// Write to this file instead of standard output (with
    /// ourgruuv-csv: the folder the three files go to).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A published version instead of the framework as it is now.
    #[arg(long, value_name = "N")]
    version: Option<i64>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = settings::Overrides {
        database_url: cli.database_url,
        bind: match &cli.command {
            Command::Serve(a) => a.bind.clone(),
            _ => None,
        },
        base_url: match &cli.command {
            Command::Serve(a) => a.base_url.clone(),
            _ => None,
        },
    };
    let settings = match settings::load(cli.config.as_deref(), overrides) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cairn: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => commands::serve::run(&settings, args.demo).await,
            Command::Migrate => commands::migrate(&settings).await,
            Command::Import(args) => commands::files::import(&settings, args).await,
            Command::Export(args) => commands::files::export(&settings, args).await,
            Command::Demo => commands::files::demo(&settings).await,
            Command::Diff { before, after } => commands::files::diff(&before, &after),
            Command::Fork(args) => commands::fork::run(&settings, args).await,
            Command::Health(args) => commands::health(&settings, args).await,
            Command::SeedSynthetic(args) => commands::seed_synthetic(&settings, args).await,
            Command::Admin(cmd) => commands::admin::run(&settings, cmd).await,
            Command::Backup(args) => commands::backup::backup(&settings, args).await,
            Command::Restore(args) => commands::backup::restore(&settings, args).await,
            Command::ExportOrg(args) => commands::backup::export_org(&settings, args).await,
            Command::ImportOrg(args) => commands::backup::import_org(&settings, args).await,
            Command::ImportPeople(args) => commands::people::import_people(&settings, args).await,
        }
    })
}

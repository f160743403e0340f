//! `cairn import-people FILE --org ORG [--apply]`: the people CSV import
//! of `/{org}/settings/people/import` from the command line. Without
//! `--apply` it prints the preview and changes nothing; with it, it
//! applies the same plan in one transaction, recorded as made by the
//! organization's first owner, and prints each invitation's link.

use std::process::ExitCode;

use cairn_domain::OrgSlug;
use cairn_domain::membership::{Capability, MemberStatus};
use cairn_domain::people_csv;
use cairn_store::{members, orgs, people_import};

use super::{now, open};
use crate::ImportPeopleArgs;
use crate::settings::Settings;

const INVITATION_DAYS: i64 = 14;

pub async fn import_people(settings: &Settings, args: ImportPeopleArgs) -> ExitCode {
    let shown = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{shown}: cannot read: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rows = match people_csv::parse(&text) {
        Ok(rows) => rows,
        Err(problems) => {
            for p in &problems {
                eprintln!("{shown}:{}: {}", p.line, p.message);
            }
            eprintln!(
                "{shown}: {} problem(s); nothing was changed",
                problems.len()
            );
            // As `cairn import` answers a broken file.
            return ExitCode::from(2);
        }
    };
    let Ok(slug) = OrgSlug::parse(&args.org) else {
        eprintln!(
            "cairn import-people: {:?} is not an organization address",
            args.org
        );
        return ExitCode::FAILURE;
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let code = run(&store, &slug, &shown, &rows, args.apply, settings).await;
    store.close().await;
    code
}

async fn run(
    store: &cairn_store::Store,
    slug: &OrgSlug,
    shown: &str,
    rows: &[people_csv::Row],
    apply: bool,
    settings: &Settings,
) -> ExitCode {
    let fail = |e: cairn_store::StoreError| {
        eprintln!("cairn import-people: {e}");
        ExitCode::FAILURE
    };
    let org = match orgs::by_slug(store, slug).await {
        Ok(Some(o)) => o,
        Ok(None) => {
            eprintln!("cairn import-people: no organization {slug}");
            return ExitCode::FAILURE;
        }
        Err(e) => return fail(e),
    };
    let directory = match people_import::directory(store, &org).await {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let plan = people_csv::plan(rows, &directory);
    for (slug, name) in plan.new_teams() {
        println!("new team {name} ({slug})");
    }
    for (line, text) in plan.describe() {
        println!("{shown}:{line}: {text}");
    }
    for (line, reason) in &plan.refused {
        println!("{shown}:{line}: refused: {reason}");
    }
    if !apply {
        println!(
            "Preview only: nothing was changed. Run again with --apply to make these changes."
        );
        return ExitCode::SUCCESS;
    }
    let owner = match members::list(store, &org.id).await {
        Ok(list) => list
            .into_iter()
            .find(|m| m.status == MemberStatus::Active && m.capabilities.holds(Capability::Owner)),
        Err(e) => return fail(e),
    };
    let Some(owner) = owner else {
        eprintln!(
            "cairn import-people: {slug} has no owner to record the import as (cairn admin grant)"
        );
        return ExitCode::FAILURE;
    };
    let invites = plan.rows.iter().filter(|r| r.invite).count();
    let mut tokens = Vec::with_capacity(invites);
    for _ in 0..invites {
        match cairn_web::secrets::new_secret("") {
            Ok(t) => tokens.push(t),
            Err(e) => {
                eprintln!("cairn import-people: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let hashes: Vec<String> = tokens.iter().map(|t| cairn_web::secrets::hash(t)).collect();
    let at = now();
    let expires = at + INVITATION_DAYS * 24 * 3600 * 1000;
    let made = people_import::Tokens {
        hashes: &hashes,
        expires_at: expires,
    };
    let by = people_import::By {
        person: &owner.person.id,
        client_ip: "cli",
        now: at,
    };
    match people_import::apply(store, &org, &plan, made, by).await {
        Ok(Ok(applied)) => {
            let base = settings.base_url.clone().unwrap_or_default();
            let base = base.trim_end_matches('/');
            for (i, token) in applied.invited.iter().zip(&tokens) {
                println!(
                    "{shown}:{}: invitation for {}: {base}/invite/{token}",
                    i.line,
                    i.email.as_str()
                );
            }
            println!(
                "Applied: {} members changed, {} invited, {} teams created; {} lines refused.",
                applied.members_changed,
                applied.invited.len(),
                applied.teams_created,
                plan.refused.len()
            );
            ExitCode::SUCCESS
        }
        Ok(Err(reason)) => {
            eprintln!("cairn import-people: nothing was changed: {reason}");
            ExitCode::FAILURE
        }
        Err(e) => fail(e),
    }
}

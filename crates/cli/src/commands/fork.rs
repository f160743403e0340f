//! `cairn fork`: an organization's framework forked from a published one,
//! on this instance (by slug) or on another cairn instance (its page's
//! URL, read over its JSON API), as the browser's "Use this framework"
//! does; and `cairn fork --pull ORG`, which reads the fork's upstream
//! again, lists what it changed since, and takes the changes named with
//! `--take` into the draft.
//!
//! Requests to another instance go through the same client as webhooks:
//! only public addresses, unless `webhook_allow_private` is set (an
//! instance on the operator's own network, or a test).

use std::process::ExitCode;

use cairn_domain::changes::Weight;
use cairn_domain::file;
use cairn_domain::fork::{self as rules, Ancestor, Subject};
use cairn_domain::{Name, OrgSlug};
use cairn_store::Store;
use cairn_store::framework::fork::{self, ForkRefused, PullRefused, Source};
use cairn_store::framework::{self, Saved};
use cairn_store::orgs;
use cairn_web::delivery::webhook;

use super::{now, open};
use crate::ForkArgs;
use crate::settings::Settings;

pub async fn run(settings: &Settings, args: ForkArgs) -> ExitCode {
    let store = match open(settings).await {
        Ok(store) => store,
        Err(code) => return code,
    };
    let code = match (&args.pull, &args.source, &args.into) {
        (Some(org), None, None) => pull(settings, &store, org, &args.take).await,
        (None, Some(source), Some(into)) => {
            fork_into(settings, &store, source, into, args.name.as_deref()).await
        }
        _ => {
            eprintln!(
                "cairn fork: give SOURCE and --into ORG to fork, or --pull ORG (with --take CHANGE…) to read a fork's upstream again"
            );
            ExitCode::from(2)
        }
    };
    store.close().await;
    code
}

fn local_url(settings: &Settings, slug: &OrgSlug) -> String {
    let base = settings.base_url.as_deref().unwrap_or("");
    format!("{}/{slug}", base.trim_end_matches('/'))
}

/// Where SOURCE is: a URL (another instance) or a slug here.
async fn source(settings: &Settings, store: &Store, source: &str) -> Result<Source, String> {
    if source.contains("://") {
        return remote(source, settings.webhook_allow_private).await;
    }
    let slug = OrgSlug::parse(source).map_err(|e| format!("{source:?}: {e}"))?;
    let org = orgs::by_slug(store, &slug)
        .await
        .map_err(|e| e.to_string())?
        .filter(|o| o.published)
        .ok_or_else(|| format!("no published framework {slug} here"))?;
    fork::local_source(store, &org, local_url(settings, &slug))
        .await
        .map_err(|e| e.to_string())
}

/// A framework on another cairn instance, from its page's URL
/// (`https://host/ORG`): its latest published version (or, when it has
/// numbered none, its framework as it is), licence and lineage.
async fn remote(url: &str, allow_private: bool) -> Result<Source, String> {
    let parsed = webhook::check_url(url, allow_private).map_err(|e| {
        if e.contains("private network") {
            format!(
                "{url} is on a private network: cairn reaches only public addresses (set webhook_allow_private for an instance on your own network)"
            )
        } else {
            format!("{url}: {e}")
        }
    })?;
    let slug = parsed
        .path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()))
        .ok_or_else(|| format!("{url}: name the framework's page, https://host/ORG"))?;
    let slug = OrgSlug::parse(slug).map_err(|e| format!("{url}: {e}"))?;
    let origin = parsed.origin().ascii_serialization();
    let client = webhook::client(allow_private)?;
    let get = |path: String| {
        let client = client.clone();
        async move {
            let response = client
                .get(&path)
                .header("accept", "application/json")
                .send()
                .await
                .map_err(|e| format!("{path}: {e}"))?;
            let status = response.status().as_u16();
            let body = response.text().await.map_err(|e| format!("{path}: {e}"))?;
            Ok::<(u16, String), String>((status, body))
        }
    };
    let api = format!("{origin}/api/v1/orgs/{slug}");
    let (status, body) = get(format!("{api}/versions/latest")).await?;
    let (status, body) = match status {
        404 => get(format!("{api}/framework")).await?,
        _ => (status, body),
    };
    match status {
        200 => {}
        404 => {
            return Err(format!(
                "{url}: there is no published framework there (it may have been unpublished or removed)"
            ));
        }
        s => return Err(format!("{url}: the instance answered {s}")),
    }
    let contents = file::read(&body).map_err(|problems| {
        format!(
            "{url}: the framework does not read: {}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let (status, body) = get(format!("{api}/lineage")).await?;
    let lineage = if status == 200 {
        parse_lineage(&body).map_err(|e| format!("{api}/lineage: {e}"))?
    } else {
        Vec::new()
    };
    let fw = contents.framework;
    Ok(Source {
        name: fw.organization.name.to_string(),
        url: format!("{origin}/{slug}"),
        org_id: None,
        version: contents.version.map_or(0, i64::from),
        licence: fw.organization.licence,
        lineage,
        framework: fw,
    })
}

fn parse_lineage(body: &str) -> Result<Vec<Ancestor>, String> {
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    v.get("forked_from")
        .and_then(fork::lineage_from_json)
        .ok_or_else(|| "no forked_from list of names, urls and versions".into())
}

async fn fork_into(
    settings: &Settings,
    store: &Store,
    from: &str,
    into: &str,
    name: Option<&str>,
) -> ExitCode {
    let into = match OrgSlug::parse(into) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn fork: --into {into:?}: {e}");
            return ExitCode::from(2);
        }
    };
    let source = match source(settings, store, from).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn fork: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(why) = cairn_domain::licence::fork_refusal(&source.name, source.licence) {
        eprintln!("cairn fork: {why}; nothing was changed");
        return ExitCode::FAILURE;
    }
    let target = match orgs::by_slug(store, &into).await {
        Ok(Some(org)) => org,
        Ok(None) => match create(store, &into, name).await {
            Ok(org) => org,
            Err(e) => {
                eprintln!("cairn fork: {e}");
                return ExitCode::FAILURE;
            }
        },
        Err(e) => {
            eprintln!("cairn fork: {e}");
            return ExitCode::FAILURE;
        }
    };
    match fork::fork(store, &target.id, &source, None, now()).await {
        Ok(Ok(())) => {
            println!(
                "forked {} {} into /{into} as its draft ({} abilities, {} roles, {} positions); publish it from /{into}/changes",
                source.name,
                if source.version > 0 {
                    format!("v{}", source.version)
                } else {
                    "(before its first numbered version)".into()
                },
                source.framework.abilities.len(),
                source.framework.roles.len(),
                source.framework.positions.len(),
            );
            ExitCode::SUCCESS
        }
        Ok(Err(refused)) => {
            eprintln!(
                "cairn fork: {}; nothing was changed",
                match refused {
                    ForkRefused::Licence(why) => why,
                    ForkRefused::NotEmpty => format!(
                        "/{into} already has a framework or a draft: fork into an empty organization"
                    ),
                    ForkRefused::Itself => "a framework cannot be forked into itself".into(),
                }
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("cairn fork: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A new organization with no framework and no members (as `cairn
/// import --csv` makes one, named after its slug unless `name` is given);
/// its first owner is made with `cairn admin`.
async fn create(
    store: &Store,
    slug: &OrgSlug,
    name: Option<&str>,
) -> Result<cairn_store::orgs::OrgRecord, String> {
    let mut empty = super::files::new_framework(slug).map_err(|e| e.to_string())?;
    if let Some(name) = name {
        empty.organization.name =
            Name::parse(name, "the organization name").map_err(|e| e.to_string())?;
    }
    framework::replace(store, &empty, now())
        .await
        .map_err(|e| e.to_string())?;
    orgs::by_slug(store, slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("/{slug} was not created"))
}

async fn pull(settings: &Settings, store: &Store, org: &str, take: &[String]) -> ExitCode {
    let fail = |e: String| {
        eprintln!("cairn fork --pull: {e}");
        ExitCode::FAILURE
    };
    let slug = match OrgSlug::parse(org) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cairn fork --pull: {org:?}: {e}");
            return ExitCode::from(2);
        }
    };
    let record = match orgs::by_slug(store, &slug).await {
        Ok(Some(o)) => o,
        Ok(None) => return fail(format!("no organization {slug}")),
        Err(e) => return fail(e.to_string()),
    };
    let f = match fork::get(store, &record.id).await {
        Ok(Some(f)) => f,
        Ok(None) => return fail(format!("/{slug} is not a fork")),
        Err(e) => return fail(e.to_string()),
    };
    let upstream = match &f.upstream_org_id {
        Some(id) => match orgs::by_id(store, id).await {
            Ok(Some(o)) if o.published => {
                let url = local_url(settings, &o.org.slug);
                fork::local_source(store, &o, url)
                    .await
                    .map_err(|e| e.to_string())
            }
            Ok(_) => Err(format!(
                "{}'s framework is no longer published here: /{slug} keeps everything it took",
                f.upstream_name
            )),
            Err(e) => Err(e.to_string()),
        },
        None => remote(&f.upstream_url, settings.webhook_allow_private).await,
    };
    let upstream = match upstream {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let pending = rules::pending(&f.base, &upstream.framework);
    if take.is_empty() {
        if pending.is_empty() {
            println!(
                "nothing to pull: /{slug} has everything {} has published",
                f.upstream_name
            );
        } else {
            println!(
                "{} is at v{}; /{slug} took v{}. To pull a change: cairn fork --pull {slug} --take CHANGE",
                f.upstream_name, upstream.version, f.upstream_version
            );
            for p in &pending {
                println!("{}  ({})", p.subject.key(), p.label);
                for c in &p.changes {
                    let mark = match c.weight() {
                        Weight::RaisesTheBar => "raises the bar",
                        Weight::Editorial => "editorial",
                    };
                    println!("    [{mark}] {}", c.describe());
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    let mut code = ExitCode::SUCCESS;
    for key in take {
        let Some(subject) = Subject::parse(key) else {
            eprintln!(
                "cairn fork --pull: {key:?} is not a change: name one as listed, e.g. ability:SLUG"
            );
            return ExitCode::from(2);
        };
        match fork::pull(
            store,
            &record.id,
            &subject,
            &upstream.framework,
            upstream.licence,
            upstream.version,
            None,
            now(),
        )
        .await
        {
            Ok(Ok(Saved::Draft)) => println!("{key}: pulled into the draft of /{slug}"),
            Ok(Ok(Saved::Live)) => println!("{key}: pulled, and published in /{slug}"),
            Ok(Err(r)) => {
                code = ExitCode::FAILURE;
                eprintln!(
                    "cairn fork --pull: {key}: {}",
                    match r {
                        PullRefused::NotAFork => format!("/{slug} is not a fork"),
                        PullRefused::Licence(why) => why,
                        PullRefused::NothingToPull =>
                            "nothing to pull: pulled already, or no longer changed".into(),
                        PullRefused::Problems(list) => format!(
                            "pulling it would leave the framework broken (pull what it needs first): {}",
                            list.join("; ")
                        ),
                    }
                );
            }
            Err(e) => return fail(e.to_string()),
        }
    }
    code
}

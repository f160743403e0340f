//! `serve`: the web server, until SIGTERM or Ctrl-C.

use std::process::ExitCode;

use cairn_store::framework;

use super::files::demo_framework;
use super::{now, open, redact};
use crate::settings::Settings;

pub async fn run(settings: &Settings, demo: bool) -> ExitCode {
    init_logging();
    let delivery = match settings.delivery() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cairn serve: {e}");
            return ExitCode::from(2);
        }
    };
    let base = settings
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.bind));
    if let Err(e) = cairn_web::sso::Providers::new(&settings.oidc, &base) {
        eprintln!("cairn serve: {e}");
        return ExitCode::from(2);
    }
    if !settings.oidc.is_empty() && settings.base_url.is_none() {
        eprintln!(
            "cairn serve: [[oidc]] providers need base_url: their redirect URI is BASE_URL/auth/oidc/ID/callback. Set --base-url (or CAIRN_BASE_URL)"
        );
        return ExitCode::from(2);
    }
    if !settings.password_login && settings.oidc.is_empty() {
        eprintln!(
            "cairn serve: password_login = false needs at least one [[oidc]] provider, or nobody can sign in"
        );
        return ExitCode::from(2);
    }
    let store = match open(settings).await {
        Ok(s) => s.with_snapshot_budget((settings.framework_cache_mib as usize) << 20),
        Err(code) => return code,
    };
    if demo && let Err(e) = load_demo_once(&store).await {
        eprintln!("cairn serve: cannot load the demo: {e}");
        return ExitCode::FAILURE;
    }
    let listener = match tokio::net::TcpListener::bind(&settings.bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cairn serve: cannot listen on {}: {e}", settings.bind);
            return ExitCode::FAILURE;
        }
    };
    let address = listener
        .local_addr()
        .map_or_else(|_| settings.bind.clone(), |a| a.to_string());
    // Before the line below: whoever reads the port may stop reading then.
    if demo {
        println!(
            "Try the demo: open http://{address}/ and choose \"Try the demo\" (signs you in as a member of the demo organization)"
        );
    }
    // Tests and scripts read this line to learn the port when binding to :0.
    println!(
        "cairn listening on http://{address} (database {})",
        redact(&settings.database_url)
    );
    let config = cairn_web::WebConfig {
        base_url: settings.base_url.clone(),
        trusted_proxies: settings.trusted_proxies.clone(),
        demo,
        email: delivery.smtp.is_some(),
        allow_private_webhooks: delivery.allow_private,
        oidc: settings.oidc.clone(),
        password_login_off: !settings.password_login,
        credential_key: settings.credential_key.clone(),
    };
    // The delivery worker: sends what the outbox holds, beside the web
    // server, until shutdown (it finishes the message in hand).
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(cairn_web::delivery::run(store.clone(), delivery, stopped));

    let app = cairn_web::App::with_config(store.clone(), &config);
    // Providers down at start are discovered when they come back.
    tokio::spawn(std::sync::Arc::clone(&app.sso).discover_until_done());
    let router = cairn_web::router(app);
    // The peer address reaches handlers (throttling, sessions list, audit
    // log); behind a proxy, X-Forwarded-For is read from trusted proxies only.
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    let _ = stop.send(true);
    if tokio::time::timeout(std::time::Duration::from_secs(40), worker)
        .await
        .is_err()
    {
        tracing::warn!("delivery worker still sending at shutdown; leaving it");
    }
    store.close().await;
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cairn serve: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--demo` loads Fernhill only when it is not there yet, so edits made in
/// the running product survive a restart.
async fn load_demo_once(store: &cairn_store::Store) -> Result<(), String> {
    let fw = demo_framework()?;
    let exists = framework::load_by_slug(store, &fw.organization.slug)
        .await
        .map_err(|e| e.to_string())?;
    if exists.is_none() {
        framework::replace(store, &fw, now())
            .await
            .map_err(|e| e.to_string())?;
        println!("loaded the demo organization at /{}", fw.organization.slug);
    }
    super::files::demo_people(store, &fw.organization.slug).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

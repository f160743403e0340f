//! The delivery worker: runs inside every `cairn serve`, leases due rows of
//! the outbox (`cairn_store::deliveries`), sends them (email over SMTP,
//! webhooks over HTTPS), and marks each sent, to retry, or failed. Nothing
//! is ever sent inside a web request.
//!
//! The guarantee is at-least-once: a server killed after sending and
//! before marking leaves the row to be leased again when its lease
//! expires, and the message goes out a second time under the same id
//! (`Message-ID`, `Idempotency-Key`) for the receiver to drop.

use std::time::Duration;

use cairn_domain::notify::retry_after;
use cairn_store::Store;
use cairn_store::deliveries::{self, Due, Finished, Target};

pub mod mail;
pub mod unsubscribe;
pub mod webhook;

/// The SMTP server to send through.
#[derive(Clone, Debug)]
pub struct Smtp {
    /// `smtp://[user:password@]host[:port]` (add `?tls=required` for
    /// STARTTLS) or `smtps://…`.
    pub url: String,
    /// The sender, `Name <address>` or an address.
    pub from: String,
}

/// How the worker sends.
#[derive(Clone, Debug)]
pub struct Config {
    /// The site's public URL: every link in a message is absolute.
    pub base_url: String,
    /// None: nothing is emailed (email deliveries are skipped).
    pub smtp: Option<Smtp>,
    /// Webhooks may reach loopback and private addresses (tests, or an
    /// operator whose receivers live on the private network).
    pub allow_private: bool,
    pub max_attempts: u32,
    pub backoff_ms: i64,
    /// How long a leased row stays this worker's: longer than the slowest
    /// send (SMTP 30 s, webhooks 10 s).
    pub lease_ms: i64,
    pub poll: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: "http://127.0.0.1:3000".into(),
            smtp: None,
            allow_private: false,
            max_attempts: 8,
            backoff_ms: 30_000,
            lease_ms: 120_000,
            poll: Duration::from_secs(1),
        }
    }
}

/// Why a send did not work.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    /// Trying again cannot help (a 5xx from SMTP, a refused address).
    pub permanent: bool,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> Self {
        SendError {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        SendError {
            message: message.into(),
            permanent: true,
        }
    }
}

/// How long sent deliveries are kept (the deliveries page shows them), and
/// failed ones.
const KEEP_DAYS: i64 = 30;
const KEEP_FAILED_DAYS: i64 = 90;

/// Why an email was not sent, on a server without SMTP.
const NO_SMTP: &str = "no SMTP server is configured";

/// What the worker holds while it runs.
struct Worker {
    store: Store,
    config: Config,
    id: String,
    mailer: Option<mail::Mailer>,
    http: reqwest::Client,
    unsubscribe_key: String,
}

/// Checks the settings a worker would start with: the SMTP URL and sender
/// parse. The message is for the operator.
pub fn check(config: &Config) -> Result<(), String> {
    crate::install_tls_provider();
    if let Some(smtp) = &config.smtp {
        mail::Mailer::new(smtp, &config.base_url)?;
    }
    webhook::client(config.allow_private)?;
    Ok(())
}

/// Runs until `stop` turns true; finishes the send in hand first.
pub async fn run(store: Store, config: Config, mut stop: tokio::sync::watch::Receiver<bool>) {
    crate::install_tls_provider();
    let mailer = match config
        .smtp
        .as_ref()
        .map(|s| mail::Mailer::new(s, &config.base_url))
    {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            tracing::error!(error = %e, "delivery: SMTP settings unusable; not sending");
            return;
        }
        None => None,
    };
    let http = match webhook::client(config.allow_private) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "delivery: no HTTP client; not sending");
            return;
        }
    };
    let id = crate::secrets::new_secret("worker_")
        .map(|s| s[..23].to_owned())
        .unwrap_or_else(|_| format!("worker_{}", std::process::id()));
    let mut worker = Worker {
        store,
        config,
        id,
        mailer,
        http,
        unsubscribe_key: String::new(),
    };
    let (mut last_digest, mut last_prune, mut last_sweep) = (0, 0, 0);
    loop {
        if *stop.borrow() {
            break;
        }
        if worker.unsubscribe_key.is_empty() {
            match unsubscribe::key(&worker.store).await {
                Ok(k) => worker.unsubscribe_key = k,
                Err(e) => tracing::warn!(error = %e, "delivery: no unsubscribe key yet"),
            }
        }
        let now = cairn_store::system_now();
        if now - last_digest > 60_000 {
            last_digest = now;
            if let Err(e) = deliveries::write_digests(&worker.store, now).await {
                tracing::warn!(error = %e, "delivery: digests not written");
            }
        }
        // Stale milestones (`cairn_store::recency`): told once per crossing,
        // whichever server sweeps first.
        if now - last_sweep > 3_600_000 {
            last_sweep = now;
            match cairn_store::recency::nudge_stale(&worker.store, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(milestones = n, "stale milestones told"),
                Err(e) => tracing::warn!(error = %e, "stale milestones not swept"),
            }
        }
        if now - last_prune > 3_600_000 {
            last_prune = now;
            let day = 24 * 3_600_000;
            if let Err(e) = deliveries::prune(
                &worker.store,
                now - KEEP_DAYS * day,
                now - KEEP_FAILED_DAYS * day,
            )
            .await
            {
                tracing::warn!(error = %e, "delivery: old deliveries not pruned");
            }
        }
        let busy = match worker.round(now).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = %e, "delivery: cannot read the outbox");
                false
            }
        };
        if !busy {
            tokio::select! {
                () = tokio::time::sleep(worker.config.poll) => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!("delivery worker stopped");
}

impl Worker {
    /// Leases what is due and sends it; how many were handled.
    async fn round(&self, now: i64) -> Result<usize, cairn_store::StoreError> {
        if self.unsubscribe_key.is_empty() || !deliveries::any_due(&self.store, now).await? {
            return Ok(0);
        }
        if self.mailer.is_none() {
            deliveries::skip_emails(&self.store, NO_SMTP, now).await?;
        }
        let due = deliveries::lease(&self.store, &self.id, now, self.config.lease_ms, 8).await?;
        for d in &due {
            let outcome = self.send(d).await;
            let now = cairn_store::system_now();
            let kept = match outcome {
                Ok(Finished::Sent) => {
                    tracing::info!(id = %d.id, kind = %d.kind, "delivered");
                    deliveries::finish(&self.store, &d.id, &self.id, Finished::Sent, None, now)
                        .await?
                }
                Ok(other) => {
                    deliveries::finish(&self.store, &d.id, &self.id, other, Some(NO_SMTP), now)
                        .await?
                }
                Err(e) => {
                    let jitter = jitter();
                    let again = (!e.permanent)
                        .then(|| {
                            retry_after(
                                d.attempts,
                                self.config.max_attempts,
                                self.config.backoff_ms,
                                jitter,
                            )
                        })
                        .flatten();
                    tracing::warn!(id = %d.id, kind = %d.kind, attempt = d.attempts, error = %e.message, retry = again.is_some(), "delivery failed");
                    match again {
                        Some(after) => {
                            deliveries::retry(&self.store, &d.id, &self.id, &e.message, now + after)
                                .await?
                        }
                        None => {
                            deliveries::finish(
                                &self.store,
                                &d.id,
                                &self.id,
                                Finished::Failed,
                                Some(&e.message),
                                now,
                            )
                            .await?
                        }
                    }
                }
            };
            if !kept {
                tracing::warn!(id = %d.id, "delivery: lease lost before it was marked");
            }
        }
        Ok(due.len())
    }

    async fn send(&self, d: &Due) -> Result<Finished, SendError> {
        match &d.target {
            Target::Email { .. } => match &self.mailer {
                None => Ok(Finished::Skipped),
                Some(m) => {
                    let unsubscribe = d.person.as_ref().and_then(|p| {
                        unsubscribe::link(&self.unsubscribe_key, &self.config.base_url, d, p)
                    });
                    m.send(d, unsubscribe).await.map(|()| Finished::Sent)
                }
            },
            Target::Webhook { url, secret, slack } => webhook::send(
                &self.http,
                self.config.allow_private,
                url,
                secret,
                *slack,
                d,
                &self.config.base_url,
            )
            .await
            .map(|()| Finished::Sent),
        }
    }
}

/// 0..1 from the system's randomness (for spreading retries).
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
}

//! Settings: defaults < cairn.toml < CAIRN_* environment < flags.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    pub base_url: Option<String>,
    /// Addresses of the reverse proxies in front of cairn, whose
    /// `X-Forwarded-For` is believed (comma-separated IPs). Empty: the TCP
    /// peer is the client.
    #[serde(default, deserialize_with = "ip_list")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How much memory (MiB, estimated) the framework snapshots of all
    /// organizations may hold before the least recently used are dropped.
    #[serde(default = "default_cache_mib")]
    pub framework_cache_mib: u32,
    /// The SMTP server notifications, invitations and reset links are
    /// sent through: `smtp://user:password@host:587?tls=required`,
    /// `smtps://…:465`, or `smtp://localhost:25` (no TLS). None: no email.
    #[serde(default)]
    pub smtp_url: Option<String>,
    /// The sender of every email (default `cairn <no-reply@HOST>`, HOST
    /// from the base URL).
    #[serde(default)]
    pub mail_from: Option<String>,
    /// Webhooks may call loopback and private addresses.
    #[serde(default)]
    pub webhook_allow_private: bool,
    /// Tries per delivery before it is marked failed.
    #[serde(default = "default_attempts")]
    pub delivery_attempts: u32,
    /// The pause after the first failed try; it doubles with each.
    #[serde(default = "default_backoff")]
    pub delivery_backoff_seconds: u32,
    /// How long a server holds a delivery it is sending before another
    /// may take it (a server that died holding it).
    #[serde(default = "default_lease")]
    pub delivery_lease_seconds: u32,
    /// OpenID Connect providers: `[[oidc]]` tables (id, name, issuer,
    /// client_id, client_secret or `CAIRN_OIDC_<ID>_CLIENT_SECRET`,
    /// domains, hosted_domain_claim, allow_private).
    #[serde(default)]
    pub oidc: Vec<cairn_web::sso::ProviderConfig>,
    /// Email and password sign-in (off: only the providers).
    #[serde(default = "default_true")]
    pub password_login: bool,
    /// The secret under which organizations' credential signing keys are
    /// encrypted at rest (any long random text; keep it as safe as the
    /// database). None: Open Badges credentials are off.
    #[serde(default)]
    pub credential_key: Option<String>,
}

fn default_true() -> bool {
    true
}

fn default_attempts() -> u32 {
    8
}

fn default_backoff() -> u32 {
    30
}

fn default_lease() -> u32 {
    120
}

fn default_cache_mib() -> u32 {
    (cairn_store::framework::DEFAULT_BUDGET >> 20) as u32
}

fn ip_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<std::net::IpAddr>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum List {
        Text(String),
        Items(Vec<String>),
    }
    let items = match List::deserialize(d)? {
        List::Text(t) => t.split(',').map(str::to_owned).collect(),
        List::Items(v) => v,
    };
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                serde::de::Error::custom(format!("trusted_proxies: {s:?} is not an IP address"))
            })
        })
        .collect()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://cairn.db".into(),
            bind: "127.0.0.1:3000".into(),
            base_url: None,
            trusted_proxies: Vec::new(),
            framework_cache_mib: default_cache_mib(),
            smtp_url: None,
            mail_from: None,
            webhook_allow_private: false,
            delivery_attempts: default_attempts(),
            delivery_backoff_seconds: default_backoff(),
            delivery_lease_seconds: default_lease(),
            oidc: Vec::new(),
            password_login: true,
            credential_key: None,
        }
    }
}

/// Values given as flags; absent ones leave lower layers in charge.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

impl Settings {
    /// How the delivery worker sends, or why it cannot start: with SMTP
    /// the base URL is required, since every link in an email is absolute.
    pub fn delivery(&self) -> Result<cairn_web::delivery::Config, String> {
        let base = self.base_url.clone();
        let smtp = match &self.smtp_url {
            None => None,
            Some(url) => {
                let Some(base) = &base else {
                    return Err(
                        "smtp_url is set but base_url is not: emails need absolute links. \
                         Set --base-url (or CAIRN_BASE_URL) to the address people open cairn at"
                            .into(),
                    );
                };
                let host = base
                    .split("://")
                    .nth(1)
                    .and_then(|rest| rest.split(['/', ':']).next())
                    .filter(|h| !h.is_empty())
                    .unwrap_or("localhost");
                Some(cairn_web::delivery::Smtp {
                    url: url.clone(),
                    from: self
                        .mail_from
                        .clone()
                        .unwrap_or_else(|| format!("cairn <no-reply@{host}>")),
                })
            }
        };
        let config = cairn_web::delivery::Config {
            base_url: base.unwrap_or_else(|| format!("http://{}", self.bind)),
            smtp,
            allow_private: self.webhook_allow_private,
            max_attempts: self.delivery_attempts.max(1),
            backoff_ms: i64::from(self.delivery_backoff_seconds.max(1)) * 1000,
            lease_ms: i64::from(self.delivery_lease_seconds.max(1)) * 1000,
            ..Default::default()
        };
        cairn_web::delivery::check(&config)?;
        Ok(config)
    }
}

pub fn load(config: Option<&Path>, flags: Overrides) -> Result<Settings, String> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    match config {
        Some(path) if !path.exists() => {
            return Err(format!("settings file {} does not exist", path.display()));
        }
        Some(path) => figment = figment.merge(Toml::file(path)),
        None => figment = figment.merge(Toml::file("cairn.toml")),
    }
    figment
        .merge(Env::prefixed("CAIRN_").only(&[
            "database_url",
            "bind",
            "base_url",
            "trusted_proxies",
            "framework_cache_mib",
            "smtp_url",
            "mail_from",
            "webhook_allow_private",
            "delivery_attempts",
            "delivery_backoff_seconds",
            "delivery_lease_seconds",
            "password_login",
            "credential_key",
        ]))
        .merge(Serialized::defaults(flags))
        .extract()
        .map_err(|e| format!("invalid settings: {e}"))
}

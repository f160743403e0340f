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
        ]))
        .merge(Serialized::defaults(flags))
        .extract()
        .map_err(|e| format!("invalid settings: {e}"))
}

//! Webhooks: a JSON POST signed with HMAC-SHA256 over the timestamp and
//! body (`Cairn-Signature: t=…,v1=…`, as Stripe and Slack sign), or Slack's
//! incoming-webhook shape (text and blocks) so a Slack URL works as is.
//! 10 s timeout; redirects are not followed (a 3xx is a failure); loopback
//! and private addresses are refused, both as written in the URL and as
//! any name resolves to, unless the operator allows them.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use cairn_domain::outbound::is_private;
use cairn_store::deliveries::Due;

use super::SendError;

/// Resolves names, dropping private addresses (so a public name that
/// resolves to 127.0.0.1 is refused too).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_private(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

pub fn client(allow_private: bool) -> Result<reqwest::Client, String> {
    // Whoever builds one (the server, `cairn fork`) gets the one provider.
    crate::install_tls_provider();
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .no_proxy()
        .user_agent(concat!("cairn/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        b = b.dns_resolver(Arc::new(PublicOnly));
    }
    b.build().map_err(|e| format!("HTTP client: {e}"))
}

/// Why a webhook URL cannot be used (checked when it is added and again
/// before each call).
pub fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|_| "Enter a full URL, starting with https://".to_owned())?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err("Enter a URL starting with https:// or http://".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("Put no user name or password in the URL; the secret signs each call".into());
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| "Enter a URL with a host name".to_owned())?;
    let literal: Option<IpAddr> = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok();
    let local =
        host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost");
    if !allow_private && (literal.is_some_and(is_private) || local) {
        return Err(
            "This address is on a private network; webhooks may only call public addresses".into(),
        );
    }
    Ok(parsed)
}

/// `t=…,v1=…`: the HMAC-SHA256 of `{t}.{body}` under the secret, hex.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let hex = crate::secrets::hmac_hex(secret, &format!("{t}.{body}"));
    format!("t={t},v1={hex}")
}

/// Slack's mrkdwn needs &, < and > escaped.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The body a delivery sends: the event with its absolute link, or Slack's
/// message shape.
pub fn payload(d: &Due, base: &str, slack: bool) -> String {
    let link = format!("{}{}", base.trim_end_matches('/'), d.href);
    if slack {
        let text = format!("{} {link}", d.subject);
        let block = format!("<{link}|{}>", slack_escape(&d.subject));
        return serde_json::json!({
            "text": text,
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": block}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(&d.org_name)}]}
            ]
        })
        .to_string();
    }
    let mut event: serde_json::Value =
        serde_json::from_str(&d.body).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(map) = event.as_object_mut() {
        map.insert("id".into(), d.id.clone().into());
        map.insert("url".into(), link.into());
    }
    event.to_string()
}

pub async fn send(
    client: &reqwest::Client,
    allow_private: bool,
    url: &str,
    secret: &str,
    slack: bool,
    d: &Due,
    base: &str,
) -> Result<(), SendError> {
    let url = check_url(url, allow_private).map_err(SendError::permanent)?;
    let body = payload(d, base, slack);
    let t = cairn_store::system_now() / 1000;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("cairn-signature", signature(secret, t, &body))
        .header("idempotency-key", &d.id)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            // The chain says why (refused address, timeout, TLS).
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            SendError::transient(message)
        })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    if status.is_redirection() {
        let to = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        return Err(SendError::permanent(format!(
            "HTTP {status}: redirects are not followed (to {to:?})"
        )));
    }
    let text: String = response
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    Err(SendError::transient(format!("HTTP {status}: {text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn webhook_urls_are_checked() {
        let cases: &[(&str, bool, bool)] = &[
            ("https://hooks.slack.com/services/T/B/x", false, true),
            ("http://example.com/hook", false, true),
            ("ftp://example.com/hook", false, false),
            ("https://127.0.0.1/hook", false, false),
            ("https://127.0.0.1/hook", true, true),
            ("https://[::1]/hook", false, false),
            ("https://10.0.0.7/hook", false, false),
            ("https://169.254.169.254/latest", false, false),
            ("https://localhost:8080/", false, false),
            ("https://user:pw@example.com/", false, false),
            ("not a url", false, false),
        ];
        for (url, allow, ok) in cases {
            assert_eq!(check_url(url, *allow).is_ok(), *ok, "{url} allow={allow}");
        }
    }

    /// A name that resolves only to private addresses is refused at
    /// connection time too (what a URL's host turns into, not only what
    /// it says).
    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused() {
        use reqwest::dns::Resolve;
        use std::str::FromStr;
        let name = reqwest::dns::Name::from_str("localhost").expect("name");
        let refused = PublicOnly.resolve(name).await;
        assert!(refused.is_err(), "localhost resolves to loopback only");
        let err = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("no public address"), "{err}");
    }

    #[test]
    fn the_signature_is_stripes_scheme() {
        // HMAC-SHA256("secret", "1700000000.{}"), computed independently
        // with Python's hmac module.
        assert_eq!(
            signature("secret", 1_700_000_000, "{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}

//! OpenID Connect providers (`[[oidc]]` in `cairn.toml`): discovered from
//! their issuer, kept in memory, rediscovered when a provider was down at
//! start or when an ID token names a key the cached JWKS does not have
//! (key rotation works without a restart). Every check of the protocol
//! (signature, `iss`, `aud`, `exp`, `nonce`, the algorithm the discovery
//! document allows, PKCE) is the `openidconnect` crate's; this module only
//! wires it to our HTTP client and says why a sign-in was refused.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    HttpRequest, HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope, SignatureVerificationError, TokenResponse,
};
use serde::Deserialize;

/// One provider, as the operator configures it.
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct ProviderConfig {
    /// In the redirect URI: `BASE_URL/auth/oidc/{id}/callback`.
    pub id: String,
    /// On the button: "Sign in with NAME".
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// Or `CAIRN_OIDC_<ID>_CLIENT_SECRET`.
    #[serde(default)]
    pub client_secret: String,
    /// Domains this provider is authoritative for: a verified email there
    /// proves the person belongs to it (an organization's domain join).
    #[serde(default)]
    pub domains: Vec<String>,
    /// The provider's `hd` claim names the person's domain (Google
    /// Workspace) and may be believed.
    #[serde(default)]
    pub hosted_domain_claim: bool,
    /// The issuer lives on a private network (a Keycloak inside): let
    /// requests to it reach private addresses.
    #[serde(default)]
    pub allow_private: bool,
}

/// Why a provider cannot be used right now.
#[derive(Debug, Clone)]
pub struct Unavailable(pub String);

/// Why a sign-in was refused: shown on the page and in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// What a verified ID token says.
#[derive(Debug, Clone)]
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    pub claims: cairn_domain::sso::Claims,
    pub name: String,
}

struct Provider {
    config: ProviderConfig,
    http: Http,
    metadata: RwLock<Option<Arc<CoreProviderMetadata>>>,
}

/// The configured providers, in configuration order.
pub struct Providers {
    list: Vec<Provider>,
    base_url: String,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.list.iter().map(|p| &p.config.id))
            .finish()
    }
}

/// The HTTP client the protocol runs over: no redirects, 10 s, a body of
/// at most 1 MiB; private addresses refused unless the provider allows.
#[derive(Clone)]
struct Http(reqwest::Client);

#[derive(Debug)]
pub struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| HttpError(chain(&e)))?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.map_err(|e| HttpError(chain(&e)))?;
            if bytes.len() > 1 << 20 {
                return Err(HttpError("the provider's answer is over 1 MiB".into()));
            }
            let mut out = HttpResponse::new(bytes.to_vec());
            *out.status_mut() = status;
            *out.headers_mut() = headers;
            Ok(out)
        })
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

/// A sign-in to start: where to send the browser, and what to keep.
pub struct Start {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl Providers {
    pub fn new(configs: &[ProviderConfig], base_url: &str) -> Result<Providers, String> {
        crate::install_tls_provider();
        let mut list = Vec::new();
        for c in configs {
            if c.id.is_empty()
                || !c
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(format!(
                    "oidc provider id {:?}: use lowercase letters, digits and -",
                    c.id
                ));
            }
            IssuerUrl::new(c.issuer.clone())
                .map_err(|e| format!("oidc provider {}: issuer {:?}: {e}", c.id, c.issuer))?;
            if list.iter().any(|p: &Provider| p.config.id == c.id) {
                return Err(format!("oidc provider {}: configured twice", c.id));
            }
            let http = crate::delivery::webhook::client(c.allow_private)
                .map_err(|e| format!("oidc provider {}: {e}", c.id))?;
            list.push(Provider {
                config: c.clone(),
                http: Http(http),
                metadata: RwLock::new(None),
            });
        }
        Ok(Providers {
            list,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    pub fn none() -> Providers {
        Providers {
            list: Vec::new(),
            base_url: String::new(),
        }
    }

    /// (id, name) of every provider, for the buttons.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.list
            .iter()
            .map(|p| (p.config.id.clone(), p.config.name.clone()))
            .collect()
    }

    pub fn config(&self, id: &str) -> Option<&ProviderConfig> {
        self.find(id).map(|p| &p.config)
    }

    fn find(&self, id: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.config.id == id)
    }

    /// Discovers every provider not discovered yet; the ones that fail are
    /// tried again by the next call. Returns how many are still missing.
    pub async fn discover_missing(&self) -> usize {
        let mut missing = 0;
        for p in &self.list {
            let known = p.metadata.read().is_ok_and(|m| m.is_some());
            if !known && let Err(e) = discover(p).await {
                tracing::warn!(provider = %p.config.id, error = %e.0, "OpenID provider not reachable; retrying");
                missing += 1;
            }
        }
        missing
    }

    /// Keeps discovering, every 30 s, until every provider answered.
    pub async fn discover_until_done(self: Arc<Self>) {
        while self.discover_missing().await > 0 {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }

    async fn metadata(&self, p: &Provider) -> Result<Arc<CoreProviderMetadata>, Unavailable> {
        if let Some(m) = p.metadata.read().ok().and_then(|m| m.clone()) {
            return Ok(m);
        }
        discover(p).await
    }

    fn redirect(&self, id: &str) -> Result<RedirectUrl, Unavailable> {
        RedirectUrl::new(format!("{}/auth/oidc/{id}/callback", self.base_url))
            .map_err(|e| Unavailable(format!("redirect URI: {e}")))
    }

    fn client(
        &self,
        p: &Provider,
        metadata: &CoreProviderMetadata,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        Unavailable,
    > {
        let secret = secret_of(&p.config);
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(p.config.client_id.clone()),
            (!secret.is_empty()).then(|| ClientSecret::new(secret)),
        )
        .set_redirect_uri(self.redirect(&p.config.id)?))
    }

    /// Where to send the browser to sign in with provider `id`.
    pub async fn start(&self, id: &str) -> Result<Option<Start>, Unavailable> {
        let Some(p) = self.find(id) else {
            return Ok(None);
        };
        let metadata = self.metadata(p).await?;
        let client = self.client(p, &metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Some(Start {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        }))
    }

    /// Exchanges the code and verifies the ID token it brings.
    pub async fn finish(
        &self,
        id: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Result<Verified, Refused>, Unavailable> {
        let Some(p) = self.find(id) else {
            return Ok(Err(Refused("unknown provider".into())));
        };
        let metadata = self.metadata(p).await?;
        let client = self.client(p, &metadata)?;
        let request = match client.exchange_code(AuthorizationCode::new(code.to_owned())) {
            Ok(r) => r,
            Err(e) => return Err(Unavailable(format!("no token endpoint: {e}"))),
        };
        let token = match request
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&p.http)
            .await
        {
            Ok(t) => t,
            Err(e) => {
                return Ok(Err(Refused(format!(
                    "the provider did not accept the sign-in code: {}",
                    chain(&e)
                ))));
            }
        };
        let Some(id_token) = token.id_token() else {
            return Ok(Err(Refused("the provider sent no ID token".into())));
        };
        let nonce = Nonce::new(nonce.to_owned());
        let verify = |metadata: &CoreProviderMetadata| -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
            let client = self
                .client(p, metadata)
                .map_err(|e| ClaimsVerificationError::Other(e.0))?;
            let allowed: Vec<CoreJwsSigningAlgorithm> = metadata
                .id_token_signing_alg_values_supported()
                .iter()
                .filter(|a| **a != CoreJwsSigningAlgorithm::None)
                .cloned()
                .collect();
            let verifier = client.id_token_verifier().set_allowed_algs(allowed);
            id_token.claims(&verifier, &nonce).cloned()
        };
        let claims = match verify(&metadata) {
            Ok(c) => c,
            // A key we have not seen (or, from a provider that names no
            // key id, a signature our keys do not verify): the provider may
            // have rotated its keys. Fetch them again, once. An algorithm
            // the discovery document does not allow is refused outright.
            Err(ClaimsVerificationError::SignatureVerification(e))
                if !matches!(e, SignatureVerificationError::DisallowedAlg(_)) =>
            {
                let fresh = discover(p).await?;
                match verify(&fresh) {
                    Ok(c) => c,
                    Err(e) => return Ok(Err(Refused(format!("the ID token: {e}")))),
                }
            }
            Err(e) => return Ok(Err(Refused(format!("the ID token: {e}")))),
        };
        // `hd` is not a standard claim: read it from the token just verified.
        let hd = if p.config.hosted_domain_claim {
            hosted_domain(&id_token.to_string())
        } else {
            None
        };
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default();
        Ok(Ok(Verified {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            claims: cairn_domain::sso::Claims {
                email: claims.email().map(|e| e.as_str().to_owned()),
                email_verified: claims.email_verified().unwrap_or(false),
                hosted_domain: hd,
            },
            name,
        }))
    }
}

fn secret_of(c: &ProviderConfig) -> String {
    let env = format!(
        "CAIRN_OIDC_{}_CLIENT_SECRET",
        c.id.to_ascii_uppercase().replace('-', "_")
    );
    std::env::var(env).unwrap_or_else(|_| c.client_secret.clone())
}

async fn discover(p: &Provider) -> Result<Arc<CoreProviderMetadata>, Unavailable> {
    let issuer = IssuerUrl::new(p.config.issuer.clone()).map_err(|e| Unavailable(e.to_string()))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, &p.http)
        .await
        .map_err(|e| Unavailable(format!("{} is not reachable: {}", p.config.name, chain(&e))))?;
    let metadata = Arc::new(metadata);
    if let Ok(mut m) = p.metadata.write() {
        *m = Some(Arc::clone(&metadata));
    }
    Ok(metadata)
}

/// The `hd` claim of a (verified) compact JWT.
fn hosted_domain(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64url(payload)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("hd")?.as_str().map(str::to_owned)
}

fn base64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            b'=' => continue,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosted_domain_is_read_from_the_token() {
        // {"hd":"acme.com","sub":"1"} in base64url, no padding.
        let jwt = "e30.eyJoZCI6ImFjbWUuY29tIiwic3ViIjoiMSJ9.sig";
        assert_eq!(hosted_domain(jwt).as_deref(), Some("acme.com"));
        assert_eq!(hosted_domain("e30.e30.sig"), None);
        assert_eq!(hosted_domain("nonsense"), None);
    }

    #[test]
    #[rustfmt::skip]
    fn provider_settings_are_checked() {
        let p = |id: &str, issuer: &str| ProviderConfig {
            id: id.into(), name: "X".into(), issuer: issuer.into(), client_id: "c".into(),
            client_secret: String::new(), domains: vec![], hosted_domain_claim: false, allow_private: false,
        };
        assert!(Providers::new(&[p("acme", "https://id.acme.com")], "https://cairn.test").is_ok());
        assert!(Providers::new(&[p("Acme!", "https://id.acme.com")], "https://cairn.test").is_err());
        assert!(Providers::new(&[p("acme", "not a url")], "https://cairn.test").is_err());
        assert!(Providers::new(&[p("a", "https://x.test"), p("a", "https://y.test")], "https://cairn.test").is_err());
    }
}

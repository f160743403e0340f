//! One-click unsubscribe links (RFC 8058): they work without signing in,
//! so each carries a signature of what it unsubscribes from (organization,
//! person, kind) under the instance's key, and nothing else.

use cairn_store::deliveries::{self, Due};
use cairn_store::people::PersonId;
use cairn_store::{Store, StoreError};

const KEY: &str = "unsubscribe";

/// The instance's unsubscribe key (made by the first server that asks).
pub async fn key(store: &Store) -> Result<String, StoreError> {
    let candidate = crate::secrets::new_secret("").map_err(|e| StoreError::Other(e.to_string()))?;
    deliveries::instance_key(store, KEY, &candidate).await
}

fn signature(key: &str, org: &str, person: &str, kind: &str) -> String {
    crate::secrets::hmac_hex(key, &format!("{org}\n{person}\n{kind}"))
}

/// The token of a link: `org.person.kind.signature`.
pub fn token(key: &str, org: &str, person: &str, kind: &str) -> String {
    format!(
        "{org}.{person}.{kind}.{}",
        signature(key, org, person, kind)
    )
}

/// What a token unsubscribes from, if it is genuine.
pub fn verify(key: &str, token: &str) -> Option<(String, PersonId, String)> {
    let mut parts = token.split('.');
    let (org, person, kind, sig) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || key.is_empty() {
        return None;
    }
    let want = signature(key, org, person, kind);
    // Compared in full, whatever differs first.
    let same = want.len() == sig.len()
        && want
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then(|| (org.to_owned(), PersonId::from_form(person), kind.to_owned()))
}

/// The absolute unsubscribe link of a notification email (none for mail
/// that is not a notification: an invitation, a reset link).
pub fn link(key: &str, base: &str, d: &Due, person: &PersonId) -> Option<String> {
    let notification =
        cairn_domain::notify::Kind::parse(&d.kind).is_some() || d.kind == deliveries::DIGEST;
    if !notification || d.org_id.is_empty() {
        return None;
    }
    let kind = if d.kind == deliveries::DIGEST {
        deliveries::DIGEST_SETTING
    } else {
        d.kind.as_str()
    };
    Some(format!(
        "{}/settings/notifications/unsubscribe/{}",
        base.trim_end_matches('/'),
        token(key, &d.org_id, person.as_str(), kind)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_genuine_token_unsubscribes() {
        let t = token("k", "org1", "p1", "observed");
        let (org, person, kind) = verify("k", &t).expect("genuine");
        assert_eq!(
            (org.as_str(), person.as_str(), kind.as_str()),
            ("org1", "p1", "observed")
        );
        let forged = [
            t.replace("observed", "awarded"),
            t.replace("p1", "p2"),
            format!("{t}0"),
            format!("{t}.x"),
            "org1.p1.observed".to_owned(),
            String::new(),
        ];
        for f in &forged {
            assert!(verify("k", f).is_none(), "{f}");
        }
        assert!(verify("other key", &t).is_none());
        assert!(verify("", &t).is_none());
    }
}

//! The cryptography of Open Badges credentials (what they say:
//! `cairn_domain::credentials`). Each organization signs with an Ed25519
//! key of its own, made at first use and kept encrypted at rest
//! (AES-256-GCM under a key derived from the `credential_key` setting);
//! rotating adds a new key and retires the old one, which stays published
//! so what it signed still verifies.
//!
//! A credential is secured as VC-JOSE: a compact JWS, `alg: EdDSA`,
//! `typ: vc+jwt`, `cty: vc`, `kid` the key's address in the
//! organization's JWKS (`/{org}/issuer/jwks.json#key-N`), the payload the
//! credential itself. The status list credential is signed the same way.

use std::fmt;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Seals and opens signing keys under the `credential_key` setting.
#[derive(Clone)]
pub struct Sealer([u8; 32]);

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// The sealing key is the SHA-256 of the setting, so any long random
    /// text serves.
    pub fn new(setting: &str) -> Self {
        Sealer(Sha256::digest(setting.as_bytes()).into())
    }

    fn key(&self) -> Option<LessSafeKey> {
        UnboundKey::new(&AES_256_GCM, &self.0)
            .ok()
            .map(LessSafeKey::new)
    }

    /// base64url(nonce ‖ ciphertext ‖ tag), the nonce fresh and random.
    pub fn seal(&self, plain: &[u8]) -> Result<String, String> {
        let key = self.key().ok_or("no sealing key")?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
        let mut data = plain.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .map_err(|_| "sealing failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend(data);
        Ok(B64.encode(out))
    }

    /// What [`Sealer::seal`] sealed; None when it was sealed under another
    /// setting or changed since.
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let raw = B64.decode(sealed).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, data) = raw.split_at(12);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .key()?
            .open_in_place(nonce, Aad::empty(), &mut data)
            .ok()?;
        Some(plain.to_vec())
    }
}

/// A new signing key: its public half (base64url) and its sealed PKCS#8.
pub fn new_key(sealer: &Sealer) -> Result<(String, String), String> {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map_err(|_| "cannot make a key".to_owned())?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .map_err(|_| "cannot read the key made".to_owned())?;
    Ok((
        B64.encode(pair.public_key().as_ref()),
        sealer.seal(pkcs8.as_ref())?,
    ))
}

/// A compact JWS of `payload`, signed with the sealed key.
pub fn sign(sealer: &Sealer, sealed: &str, kid: &str, payload: &Value) -> Result<String, String> {
    let pkcs8 = sealer
        .open(sealed)
        .ok_or("the signing key cannot be opened: was credential_key changed?")?;
    let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| "the signing key is unreadable")?;
    let header = json!({ "alg": "EdDSA", "kid": kid, "typ": "vc+jwt", "cty": "vc" });
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(payload.to_string())
    );
    let signature = pair.sign(input.as_bytes());
    Ok(format!("{input}.{}", B64.encode(signature.as_ref())))
}

/// The header and payload of a compact JWS whose EdDSA signature the
/// public key (base64url) verifies; None otherwise.
pub fn verify(public_key: &str, jws: &str) -> Option<(Value, Value)> {
    let mut parts = jws.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&B64.decode(h).ok()?).ok()?;
    if header["alg"] != "EdDSA" {
        return None;
    }
    let key = B64.decode(public_key).ok()?;
    UnparsedPublicKey::new(&ED25519, key)
        .verify(format!("{h}.{p}").as_bytes(), &B64.decode(s).ok()?)
        .ok()?;
    let payload: Value = serde_json::from_slice(&B64.decode(p).ok()?).ok()?;
    Some((header, payload))
}

/// The payload of a compact JWS, unverified (to show what it says).
pub fn payload(jws: &str) -> Option<Value> {
    let p = jws.split('.').nth(1)?;
    serde_json::from_slice(&B64.decode(p).ok()?).ok()
}

/// A public key as a JWK, named `kid`.
pub fn jwk(public_key: &str, kid: &str) -> Value {
    json!({ "kty": "OKP", "crv": "Ed25519", "x": public_key, "kid": kid, "alg": "EdDSA", "use": "sig" })
}

/// The Bitstring Status List's `encodedList`: the bits gzipped, then
/// multibase base64url ("u" and no padding).
pub fn encode_status_list(bits: &[u8]) -> Result<String, String> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bits).map_err(|e| e.to_string())?;
    let zipped = gz.finish().map_err(|e| e.to_string())?;
    Ok(format!("u{}", B64.encode(zipped)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_under_their_setting_and_unchanged() {
        let a = Sealer::new("a long random setting");
        let b = Sealer::new("another setting");
        let sealed = a.seal(b"secret").expect("seal");
        assert_ne!(a.seal(b"secret").expect("seal"), sealed, "fresh nonce");
        assert_eq!(a.open(&sealed).as_deref(), Some(&b"secret"[..]));
        assert_eq!(b.open(&sealed), None);
        let mut tampered = sealed.clone().into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        for bad in [tampered.as_str(), "", "AAAA", "!!"] {
            assert_eq!(a.open(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_signature_verifies_with_its_key_only_and_not_once_changed() {
        let sealer = Sealer::new("setting");
        let (public, sealed) = new_key(&sealer).expect("key");
        let (other, _) = new_key(&sealer).expect("key");
        let payload = json!({ "name": "Mentoring: milestone 2" });
        let jws = sign(&sealer, &sealed, "k#key-1", &payload).expect("sign");
        let (header, got) = verify(&public, &jws).expect("verifies");
        assert_eq!(header["kid"], "k#key-1");
        assert_eq!(got, payload);
        assert_eq!(payload_of(&jws), Some(payload.clone()));
        assert!(verify(&other, &jws).is_none(), "another key");
        let forged = sign(
            &sealer,
            &sealed,
            "k",
            &json!({ "name": "Mentoring: milestone 5" }),
        )
        .expect("sign");
        let (h, _) = jws.split_once('.').expect("parts");
        let mixed = format!(
            "{h}.{}",
            forged.split('.').skip(1).collect::<Vec<_>>().join(".")
        );
        assert!(
            verify(&public, &mixed).is_none(),
            "a header from another signature"
        );
        let p = jws.split('.').nth(1).expect("payload");
        let changed = jws.replacen(
            p,
            &B64.encode(json!({ "name": "Mentoring: milestone 5" }).to_string()),
            1,
        );
        assert!(verify(&public, &changed).is_none(), "a changed payload");
        assert!(sign(&Sealer::new("wrong"), &sealed, "k", &payload).is_err());
        for bad in ["", "a.b", "a.b.c.d", "..."] {
            assert!(verify(&public, bad).is_none(), "{bad:?}");
        }
    }

    fn payload_of(jws: &str) -> Option<Value> {
        payload(jws)
    }

    #[test]
    fn the_status_list_is_gzip_in_multibase_base64url() {
        let bits = cairn_domain::credentials::status_bits(&[3]);
        let encoded = encode_status_list(&bits).expect("encode");
        let raw = B64
            .decode(encoded.strip_prefix('u').expect("multibase u"))
            .expect("b64");
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut out)
            .expect("gunzip");
        assert_eq!(out, bits);
        assert!(encoded.len() < 1000, "16 KiB of zeros compress");
    }
}

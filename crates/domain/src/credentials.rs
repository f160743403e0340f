//! Open Badges 3.0 credentials of awarded milestones: what one says. An
//! `OpenBadgeCredential` (W3C Verifiable Credentials 2.0 with the Open
//! Badges 3.0.3 context) names the ability and milestone as its
//! achievement, the milestone's summary and examples as its criteria, the
//! ability's CASE CFItem as its alignment, and the public observations the
//! award cites as its evidence (never any other). Its status is a bit in
//! the organization's Bitstring Status List (revocation).
//!
//! Signing is the web layer's (`cairn_web::credentials`): VC-JOSE, a
//! compact JWS (`alg: EdDSA`, `typ: vc+jwt`) whose payload is the
//! credential. It also carries `issuanceDate` (the same instant as
//! `validFrom`), which the Open Badges 3.0 JSON schema requires.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::framework::{Level, Milestone};
use crate::wording;

pub const CONTEXTS: [&str; 2] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
];

/// The status list's length in bits: 16 KiB, the minimum the Bitstring
/// Status List asks for (so one list hides which entries are in use).
pub const STATUS_BITS: usize = 131_072;

/// The organization's addresses for credentials.
pub struct Issuer<'a> {
    /// The site's address, without a trailing slash.
    pub base: &'a str,
    pub org: &'a str,
    pub name: &'a str,
}

impl Issuer<'_> {
    pub fn id(&self) -> String {
        format!("{}/{}/issuer", self.base, self.org)
    }

    pub fn jwks(&self) -> String {
        format!("{}/{}/issuer/jwks.json", self.base, self.org)
    }

    /// The verification method of key `n` (a JWS's `kid`).
    pub fn key_id(&self, n: i64) -> String {
        format!("{}#key-{n}", self.jwks())
    }

    pub fn status_list(&self) -> String {
        format!("{}/{}/credentials/status", self.base, self.org)
    }

    pub fn credential(&self, id: &str) -> String {
        format!("{}/{}/credentials/{id}", self.base, self.org)
    }

    /// The Open Badges Profile of the organization.
    pub fn profile(&self) -> Value {
        json!({
            "@context": CONTEXTS,
            "id": self.id(),
            "type": ["Profile"],
            "name": self.name,
            "url": format!("{}/{}", self.base, self.org),
        })
    }
}

/// A public observation an award cites.
pub struct Evidence<'a> {
    pub id: &'a str,
    pub observed_on: i64,
    pub story: &'a str,
}

/// What one credential is of.
pub struct Achievement<'a> {
    pub ability_slug: &'a str,
    pub ability_name: &'a str,
    pub level: Level,
    pub milestone: &'a Milestone,
    /// The ability's CASE CFItem identifier (`case::identifier`).
    pub case_item: &'a str,
    /// The published version it was awarded under.
    pub version: Option<i64>,
}

/// The recipient, by a salted hash of their email (Open Badges'
/// IdentityObject): the credential proves it to whoever knows the email,
/// without printing it.
pub struct Recipient<'a> {
    pub email: &'a str,
    pub salt: &'a str,
}

pub fn identity_hash(email: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{}{salt}", email.trim().to_lowercase()).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256${hex}")
}

/// The criteria narrative: the summary, then the examples as a list.
pub fn criteria(m: &Milestone) -> String {
    let mut out = m.summary.as_str().to_owned();
    if !m.examples.is_empty() {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str("For example:\n");
        for e in &m.examples {
            out.push_str(&format!("\n- {e}"));
        }
    }
    out
}

/// The unsigned credential.
#[allow(clippy::too_many_arguments)]
pub fn credential(
    issuer: &Issuer,
    id: &str,
    a: &Achievement,
    recipient: &Recipient,
    evidence: &[Evidence],
    awarded_at: i64,
    issued_at: i64,
    status_index: i64,
) -> Value {
    let name = format!("{}: milestone {}", a.ability_name, a.level);
    let ability = format!(
        "{}/{}/abilities/{}",
        issuer.base, issuer.org, a.ability_slug
    );
    let summary = a.milestone.summary.as_str();
    let description = if summary.trim().is_empty() {
        format!(
            "Milestone {} of {} at {}.",
            a.level, a.ability_name, issuer.name
        )
    } else {
        summary.to_owned()
    };
    let mut achievement = json!({
        "id": format!("{ability}#milestone-{}", a.level),
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": name,
        "description": description,
        "criteria": { "id": ability, "narrative": criteria(a.milestone) },
        "alignment": [{
            "type": ["Alignment"],
            "targetName": a.ability_name,
            "targetUrl": format!("{}{}/CFItems/{}", issuer.base, crate::case::API, a.case_item),
            "targetCode": a.case_item,
            "targetType": "CFItem",
            "targetFramework": issuer.name,
        }],
        "creator": issuer.profile_ref(),
    });
    if let Some(v) = a.version {
        achievement["version"] = json!(format!("v{v}"));
    }
    let status = issuer.status_list();
    let mut out = json!({
        "@context": CONTEXTS,
        "id": issuer.credential(id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "description": format!("{name}, awarded by {} on {}.", issuer.name, wording::date(awarded_at)),
        "issuer": issuer.profile_ref(),
        "validFrom": wording::timestamp(issued_at),
        "issuanceDate": wording::timestamp(issued_at),
        "awardedDate": wording::timestamp(awarded_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": identity_hash(recipient.email, recipient.salt),
                "identityType": "emailAddress",
                "hashed": true,
                "salt": recipient.salt,
            }],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": format!("{status}#{status_index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": status_index.to_string(),
            "statusListCredential": status,
        },
    });
    if !evidence.is_empty() {
        out["evidence"] = evidence
            .iter()
            .map(|e| {
                json!({
                    "id": format!("{}/{}/observations/{}", issuer.base, issuer.org, e.id),
                    "type": ["Evidence"],
                    "name": format!("Observation of {}", wording::date(e.observed_on)),
                    "narrative": e.story,
                })
            })
            .collect();
    }
    out
}

impl Issuer<'_> {
    fn profile_ref(&self) -> Value {
        json!({ "id": self.id(), "type": ["Profile"], "name": self.name })
    }
}

/// The bitstring with `revoked` indexes set, most significant bit first.
pub fn status_bits(revoked: &[i64]) -> Vec<u8> {
    let mut bits = vec![0u8; STATUS_BITS / 8];
    for &i in revoked {
        if let Ok(i) = usize::try_from(i)
            && i < STATUS_BITS
        {
            bits[i / 8] |= 0x80 >> (i % 8);
        }
    }
    bits
}

/// Whether index `i` is set in a status bitstring.
pub fn status_bit(bits: &[u8], i: i64) -> Option<bool> {
    let i = usize::try_from(i).ok()?;
    bits.get(i / 8).map(|b| b & (0x80 >> (i % 8)) != 0)
}

/// The unsigned status list credential; `encoded` is the gzipped
/// bitstring, multibase base64url ("u…").
pub fn status_list(issuer: &Issuer, encoded: &str, at: i64) -> Value {
    let id = issuer.status_list();
    json!({
        "@context": [CONTEXTS[0]],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.id(),
        "validFrom": wording::timestamp(at),
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Markdown;

    #[test]
    fn status_bits_set_exactly_the_revoked_indexes_most_significant_first() {
        let cases: &[(&[i64], &[(i64, bool)])] = &[
            (&[], &[(0, false), (7, false)]),
            (&[0], &[(0, true), (1, false)]),
            (&[7, 8], &[(6, false), (7, true), (8, true), (9, false)]),
            (&[-1, 131_072], &[(0, false), (131_071, false)]),
            (&[131_071], &[(131_071, true), (131_070, false)]),
        ];
        for (revoked, checks) in cases {
            let bits = status_bits(revoked);
            assert_eq!(bits.len(), STATUS_BITS / 8);
            for (i, want) in *checks {
                assert_eq!(status_bit(&bits, *i), Some(*want), "{revoked:?} bit {i}");
            }
        }
        assert_eq!(status_bits(&[0])[0], 0x80);
        assert_eq!(status_bit(&status_bits(&[]), 131_072), None);
    }

    #[test]
    fn identity_hashes_are_salted_sha256_of_the_lowercased_email() {
        // Open Badges' own example: 'a@example.com' salted with 'Kosher'.
        assert_eq!(
            identity_hash("A@example.com ", "Kosher"),
            "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
        );
        assert_ne!(
            identity_hash("a@example.com", "x"),
            identity_hash("a@example.com", "y")
        );
    }

    #[test]
    fn the_credential_says_what_was_awarded_and_cites_only_the_evidence_given() {
        let issuer = Issuer {
            base: "https://c.example",
            org: "fernhill",
            name: "Fernhill",
        };
        let m = Milestone {
            summary: Markdown::new("Handles incidents alone."),
            examples: vec!["Restores checkout.".into(), "Writes the review.".into()],
        };
        let a = Achievement {
            ability_slug: "incident-response",
            ability_name: "Incident Response",
            level: Level::parse(3).expect("level"),
            milestone: &m,
            case_item: "0193-item",
            version: Some(2),
        };
        let r = Recipient {
            email: "ana@example.com",
            salt: "s",
        };
        let ev = [Evidence {
            id: "obs1",
            observed_on: 0,
            story: "Ana fixed it.",
        }];
        let c = credential(&issuer, "cred1", &a, &r, &ev, 0, 86_400_000, 7);
        assert_eq!(c["id"], "https://c.example/fernhill/credentials/cred1");
        assert_eq!(c["name"], "Incident Response: milestone 3");
        let achievement = &c["credentialSubject"]["achievement"];
        assert_eq!(
            achievement["criteria"]["narrative"],
            "Handles incidents alone.\n\nFor example:\n\n- Restores checkout.\n- Writes the review."
        );
        assert_eq!(
            achievement["alignment"][0]["targetUrl"],
            "https://c.example/ims/case/v1p1/CFItems/0193-item"
        );
        assert_eq!(achievement["version"], "v2");
        assert_eq!(c["evidence"].as_array().map(Vec::len), Some(1));
        assert_eq!(c["credentialStatus"]["statusListIndex"], "7");
        assert_eq!(c["validFrom"], "1970-01-02T00:00:00Z");
        assert!(
            !c.to_string().contains("ana@example.com"),
            "the email is only hashed"
        );
        let none = credential(&issuer, "cred2", &a, &r, &[], 0, 0, 0);
        assert!(none.get("evidence").is_none());
    }
}

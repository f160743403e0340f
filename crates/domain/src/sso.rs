//! Single sign-on (OpenID Connect): who a provider's identity is in cairn,
//! and when it may join an organization. An identity is (issuer, subject),
//! never the email: an email only ever *suggests* an account, and only a
//! verified one, and the person must then prove they hold that account.

/// What the provider said about the person signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub email: Option<String>,
    pub email_verified: bool,
    /// Google's hosted domain claim (`hd`), when the provider sends it.
    pub hosted_domain: Option<String>,
}

/// What a sign-in with an identity cairn has not seen before leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstSignIn {
    /// No account uses the email: a new one, from the verified email.
    CreateAccount,
    /// An account uses the (verified) email: its holder signs in to it once
    /// (password, or a provider already linked) to link this identity.
    LinkAfterSigningIn,
    /// Refused: the provider does not vouch for the email.
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoEmail,
    UnverifiedEmail,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NoEmail => {
                "The provider did not give an email address, so cairn cannot make you an account. Ask your administrator to include the email scope."
            }
            Refusal::UnverifiedEmail => {
                "The provider does not say your email address is verified, so cairn cannot use it to sign you in. Verify it with the provider, or sign in with your password."
            }
        }
    }
}

/// The rule for an identity seen for the first time. `account_exists`: a
/// cairn account has the claimed email. A merely matching, unverified
/// email never leads into an account, nor makes a new one.
pub fn first_sign_in(claims: &Claims, account_exists: bool) -> FirstSignIn {
    if claims.email.as_deref().is_none_or(str::is_empty) {
        return FirstSignIn::Refused(Refusal::NoEmail);
    }
    if !claims.email_verified {
        return FirstSignIn::Refused(Refusal::UnverifiedEmail);
    }
    if account_exists {
        FirstSignIn::LinkAfterSigningIn
    } else {
        FirstSignIn::CreateAccount
    }
}

/// An organization's choice for people of its verified domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DomainJoin {
    #[default]
    Off,
    /// They join as plain members at their first sign-in.
    Member,
    /// They ask to join; an admin approves.
    Approval,
}

impl DomainJoin {
    pub const ALL: [DomainJoin; 3] = [DomainJoin::Off, DomainJoin::Member, DomainJoin::Approval];

    pub fn as_str(self) -> &'static str {
        match self {
            DomainJoin::Off => "off",
            DomainJoin::Member => "member",
            DomainJoin::Approval => "approval",
        }
    }

    pub fn parse(s: &str) -> Option<DomainJoin> {
        DomainJoin::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The domain part of an email, lowercased.
pub fn domain_of(email: &str) -> Option<String> {
    let (_, domain) = email.rsplit_once('@')?;
    (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

/// Whether a sign-in through a provider proves the person belongs to
/// `domain`: a verified email at that domain, and the provider vouching
/// for the domain itself: either the operator lists the domain for the
/// provider (`authoritative`), or the provider's `hd` claim names it
/// (Google Workspace).
pub fn proves_domain(claims: &Claims, domain: &str, authoritative: &[String]) -> bool {
    let domain = domain.to_ascii_lowercase();
    let email_domain = claims.email.as_deref().and_then(domain_of);
    let vouched = authoritative
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&domain))
        || claims
            .hosted_domain
            .as_deref()
            .is_some_and(|hd| hd.eq_ignore_ascii_case(&domain));
    claims.email_verified && email_domain.as_deref() == Some(domain.as_str()) && vouched
}

/// Whether a person may remove one of their linked identities: never the
/// last way they have to sign in.
pub fn may_unlink(identities: usize, has_password: bool, password_login: bool) -> bool {
    identities > 1 || (has_password && password_login)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(email: Option<&str>, verified: bool, hd: Option<&str>) -> Claims {
        Claims {
            email: email.map(str::to_owned),
            email_verified: verified,
            hosted_domain: hd.map(str::to_owned),
        }
    }

    #[test]
    #[rustfmt::skip]
    fn an_unverified_email_never_leads_into_an_account() {
        use FirstSignIn::*;
        let cases: &[(Option<&str>, bool, bool, FirstSignIn)] = &[
            (Some("ana@acme.com"), true,  false, CreateAccount),
            (Some("ana@acme.com"), true,  true,  LinkAfterSigningIn),
            (Some("ana@acme.com"), false, true,  Refused(Refusal::UnverifiedEmail)),
            (Some("ana@acme.com"), false, false, Refused(Refusal::UnverifiedEmail)),
            (None,                 true,  false, Refused(Refusal::NoEmail)),
            (Some(""),             true,  true,  Refused(Refusal::NoEmail)),
        ];
        for (email, verified, exists, want) in cases {
            assert_eq!(first_sign_in(&claims(*email, *verified, None), *exists), *want, "{email:?} {verified} {exists}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn a_domain_is_proved_by_a_verified_email_and_a_provider_that_vouches_for_it() {
        let listed = vec!["acme.com".to_owned()];
        let cases: &[(&str, bool, Option<&str>, &[String], bool)] = &[
            ("ana@acme.com",   true,  None,             &listed, true),
            ("ana@ACME.com",   true,  None,             &listed, true),
            ("ana@acme.com",   false, None,             &listed, false),
            ("ana@acme.com",   true,  None,             &[],     false),
            ("ana@acme.com",   true,  Some("acme.com"), &[],     true),
            ("ana@acme.com",   true,  Some("other.com"),&[],     false),
            ("ana@other.com",  true,  Some("acme.com"), &listed, false),
            ("ana@sub.acme.com", true, None,            &listed, false),
            ("ana@evilacme.com", true, None,            &listed, false),
        ];
        for (email, verified, hd, authoritative, want) in cases {
            let c = claims(Some(email), *verified, *hd);
            assert_eq!(proves_domain(&c, "acme.com", authoritative), *want, "{email} {verified} {hd:?}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn the_last_way_to_sign_in_stays() {
        let cases: &[(usize, bool, bool, bool)] = &[
            (1, false, true,  false),
            (1, true,  true,  true),
            (1, true,  false, false),
            (2, false, true,  true),
            (2, false, false, true),
            (0, true,  true,  true),
        ];
        for (n, password, login, want) in cases {
            assert_eq!(may_unlink(*n, *password, *login), *want, "{n} {password} {login}");
        }
        for d in DomainJoin::ALL {
            assert_eq!(DomainJoin::parse(d.as_str()), Some(d));
        }
        assert_eq!(domain_of("a@B.com").as_deref(), Some("b.com"));
        assert_eq!(domain_of("nobody"), None);
    }
}

//! People: who can sign in. Emails and passwords parsed at the edge.

use std::fmt;

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccountError {
    #[error("enter an email address like name@example.com")]
    Email,
    #[error("a password has at least {min} characters")]
    PasswordTooShort { min: usize },
    #[error("a password has at most {max} characters")]
    PasswordTooLong { max: usize },
}

/// An email address, trimmed and lowercased so one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let s = s.trim().to_lowercase();
        let (local, domain) = s.split_once('@').ok_or(AccountError::Email)?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(s))
        } else {
            Err(AccountError::Email)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the rules. Never displayed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// NIST SP 800-63B: length is what matters; no composition rules.
    pub const MIN: usize = 10;
    pub const MAX: usize = 1024;

    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let len = s.chars().count();
        if len < Self::MIN {
            return Err(AccountError::PasswordTooShort { min: Self::MIN });
        }
        if len > Self::MAX {
            return Err(AccountError::PasswordTooLong { max: Self::MAX });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        let cases: &[(&str, Option<&str>)] = &[
            ("ana@example.com", Some("ana@example.com")),
            ("  Ana@Example.COM ", Some("ana@example.com")),
            ("a.b+tag@sub.example.org", Some("a.b+tag@sub.example.org")),
            ("ana", None),
            ("@example.com", None),
            ("ana@", None),
            ("ana@localhost", None),
            ("ana@.com", None),
            ("ana@example.", None),
            ("a@b@example.com", None),
            ("an a@example.com", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Email::parse(input).ok().as_ref().map(Email::as_str),
                *expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn password_rules() {
        let cases: &[(&str, Result<(), AccountError>)] = &[
            ("correct horse", Ok(())),
            ("123456789", Err(AccountError::PasswordTooShort { min: 10 })),
            ("1234567890", Ok(())),
            ("ünïcödé-pässwörd", Ok(())),
            (&"x".repeat(1024), Ok(())),
            (
                &"x".repeat(1025),
                Err(AccountError::PasswordTooLong { max: 1024 }),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                &NewPassword::parse(input).map(|_| ()),
                expected,
                "{} chars",
                input.len()
            );
        }
        assert_eq!(
            format!("{:?}", NewPassword::parse("secret-secret").expect("ok")),
            "NewPassword(…)"
        );
    }
}

/// What an API token may do. Neither scope manages tokens, sessions or
/// the password: that needs a signed-in browser session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// Reads only (GET and HEAD).
    Read,
    /// Reads and changes what its owner may change.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }
}

//! Notifications: who is told what. Every recipient is someone the pages'
//! rules let open what the notification links to; nobody else is told.

use std::collections::HashSet;
use std::hash::Hash;

use crate::visibility::{ObservationFacts, Reader, can_read};

/// A kind of event people are told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An observation of them was published (or re-levelled) where they
    /// may now read it.
    Observed,
    /// They were awarded a milestone.
    Awarded,
    /// A reply on a conversation they took part in.
    Replied,
    /// A conversation they took part in was resolved.
    Resolved,
    /// A milestone of theirs was revoked.
    Revoked,
    /// A step in a check-in of theirs: opened, the other side completed,
    /// finalized.
    CheckIn,
    /// Their position or roles changed.
    Job,
    /// A milestone of theirs, or of someone who reports to them, has not
    /// been evidenced for the organization's threshold (`recency`).
    Stale,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Observed,
        Kind::Awarded,
        Kind::Revoked,
        Kind::Replied,
        Kind::Resolved,
        Kind::CheckIn,
        Kind::Job,
        Kind::Stale,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Observed => "observed",
            Kind::Awarded => "awarded",
            Kind::Replied => "replied",
            Kind::Resolved => "resolved",
            Kind::Revoked => "revoked",
            Kind::CheckIn => "check_in",
            Kind::Job => "job",
            Kind::Stale => "stale",
        }
    }

    /// What the preferences page calls it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Observed => "Someone wrote an observation of you",
            Kind::Awarded => "You were awarded a milestone",
            Kind::Revoked => "A milestone of yours was revoked",
            Kind::Replied => "A reply in a conversation you took part in",
            Kind::Resolved => "A conversation you took part in was resolved",
            Kind::CheckIn => "A step in one of your check-ins",
            Kind::Job => "Your position or roles changed",
            Kind::Stale => {
                "A milestone (yours or a report's) has not been evidenced for a long time"
            }
        }
    }

    /// Kinds a webhook may carry: what every member may read anyway
    /// ([`to_webhook`] decides each event).
    pub const WEBHOOK: [Kind; 2] = [Kind::Observed, Kind::Awarded];

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a person hears of one kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// In the inbox and by email.
    Email,
    /// In the inbox only.
    Inbox,
    /// Not at all.
    Off,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Inbox, Channel::Off];

    /// Without a choice of their own, people hear of everything in the
    /// inbox and by email (when the instance sends email at all).
    pub const DEFAULT: Channel = Channel::Email;

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Inbox => "inbox",
            Channel::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "Inbox and email",
            Channel::Inbox => "Inbox only",
            Channel::Off => "Off",
        }
    }

    pub fn inbox(self) -> bool {
        self != Channel::Off
    }

    pub fn email(self) -> bool {
        self == Channel::Email
    }
}

/// What a webhook may be told of an event: only what every member of the
/// organization may read, since a webhook's audience is unknown (a Slack
/// channel, a log). An observation only at the public level; an award only
/// when it is visible to the whole organization.
pub fn to_webhook(kind: Kind, public: bool) -> bool {
    Kind::WEBHOOK.contains(&kind) && public
}

/// When a delivery that failed its `attempts`-th try (1-based) is tried
/// again, in milliseconds from now: `base_ms` doubling each time, at most
/// an hour, spread by `jitter` (0..1, from the caller's randomness) over
/// ±25 % so servers that failed together do not retry together. `None`
/// once `max_attempts` are spent: the delivery has failed.
pub fn retry_after(attempts: u32, max_attempts: u32, base_ms: i64, jitter: f64) -> Option<i64> {
    if attempts >= max_attempts {
        return None;
    }
    let exp = attempts.saturating_sub(1).min(20);
    let delay = base_ms.saturating_mul(1_i64 << exp).min(3_600_000);
    let spread = 0.75 + 0.5 * jitter.clamp(0.0, 1.0);
    Some(((delay as f64) * spread).round() as i64)
}

/// Text safe for a mail header or a one-line subject: control characters
/// (CR and LF above all, which would start a new header) become spaces,
/// runs of space are folded, and it is cut at 200 characters.
pub fn header_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end();
    out.chars().take(200).collect()
}

/// The people observed who may read the observation as it is now and
/// could not as it was (`before`: None when it was a draft). An observee
/// reads as themselves: their own reports do not matter here.
pub fn newly_observed<P: Eq + Hash + Clone>(
    before: Option<&ObservationFacts<P>>,
    now: &ObservationFacts<P>,
) -> Vec<P> {
    let reads = |o: &ObservationFacts<P>, p: &P| {
        let reader = Reader {
            person: Some(p.clone()),
            member: true,
            reports: HashSet::new(),
        };
        can_read(&reader, o)
    };
    now.observees
        .iter()
        .filter(|p| **p != now.observer)
        .filter(|p| reads(now, p) && before.is_none_or(|b| !reads(b, p)))
        .cloned()
        .collect()
}

/// Who hears of a step in a conversation: everyone who took part in it
/// (its author and whoever replied) and may still read it (active members:
/// conversations are members-only), except whoever took the step.
pub fn participants_to_tell<P: Eq + Clone>(participants: &[(P, bool)], actor: &P) -> Vec<P> {
    let mut out: Vec<P> = Vec::new();
    for (p, active) in participants {
        if *active && p != actor && !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visibility::Privacy;

    fn facts(privacy: Privacy, published: bool) -> ObservationFacts<&'static str> {
        ObservationFacts {
            observer: "olive",
            observees: vec!["ana", "sam"],
            privacy,
            published,
            deleted: false,
        }
    }

    #[test]
    #[rustfmt::skip]
    fn the_people_observed_are_told_once_they_may_read_it() {
        use Privacy::*;
        let cases: &[(Option<(Privacy, bool)>, (Privacy, bool), &[&str])] = &[
            (None,                  (Observees, true),            &["ana", "sam"]),
            (None,                  (Managers, true),             &[]),
            (None,                  (Journal, true),              &[]),
            (None,                  (Public, false),              &[]),
            (Some((Managers, true)), (ObserveesAndManagers, true), &["ana", "sam"]),
            (Some((Observees, true)), (Organization, true),       &[]),
            (Some((Organization, true)), (Observees, true),       &[]),
        ];
        for (before, (privacy, published), want) in cases {
            let before = before.map(|(p, pub_)| facts(p, pub_));
            let got = newly_observed(before.as_ref(), &facts(*privacy, *published));
            assert_eq!(got, *want, "{before:?} → {privacy:?}");
        }
        // The observer observing themselves is not told.
        let mut own = facts(Privacy::Organization, true);
        own.observees = vec!["olive"];
        assert!(newly_observed(None, &own).is_empty());
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn retries_back_off_exponentially_with_jitter_then_stop() {
        let cases: &[(u32, u32, i64, f64, Option<i64>)] = &[
            (1, 5, 1000, 0.5, Some(1000)),
            (2, 5, 1000, 0.5, Some(2000)),
            (3, 5, 1000, 0.5, Some(4000)),
            (3, 5, 1000, 0.0, Some(3000)),
            (3, 5, 1000, 1.0, Some(5000)),
            (4, 5, 1000, 7.0, Some(10000)),
            (5, 5, 1000, 0.5, None),
            (9, 5, 1000, 0.5, None),
            (30, 40, 30_000, 0.5, Some(3_600_000)),
            (0, 5, 1000, 0.5, Some(1000)),
        ];
        for (attempts, max, base, jitter, want) in cases {
            assert_eq!(retry_after(*attempts, *max, *base, *jitter), *want, "{attempts} of {max}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn header_text_cannot_start_a_header() {
        let cases: &[(&str, &str)] = &[
            ("Ana Lima", "Ana Lima"),
            ("Ana\r\nBcc: x@evil.test", "Ana Bcc: x@evil.test"),
            ("  tabs\tand\nlines  ", "tabs and lines"),
            ("\u{7f}\u{0}", ""),
            ("é ü 日本", "é ü 日本"),
        ];
        for (input, want) in cases {
            assert_eq!(header_text(input), *want, "{input:?}");
        }
        assert_eq!(header_text(&"x".repeat(300)).len(), 200);
    }

    #[test]
    #[rustfmt::skip]
    fn a_webhook_hears_only_what_every_member_may_read() {
        let cases: &[(Kind, bool, bool)] = &[
            (Kind::Observed, true,  true),
            (Kind::Observed, false, false),
            (Kind::Awarded,  true,  true),
            (Kind::Awarded,  false, false),
            (Kind::Replied,  true,  false),
            (Kind::CheckIn,  true,  false),
            (Kind::Job,      true,  false),
            (Kind::Stale,    true,  false),
            (Kind::Revoked,  true,  false),
        ];
        for (kind, public, want) in cases {
            assert_eq!(to_webhook(*kind, *public), *want, "{kind:?} {public}");
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("sms"), None);
    }

    #[test]
    #[rustfmt::skip]
    fn a_conversation_tells_who_took_part_except_the_one_who_acted() {
        let cases: &[(&[(&str, bool)], &str, &[&str])] = &[
            (&[("ana", true), ("sam", true)],                 "sam", &["ana"]),
            (&[("ana", true), ("sam", true), ("ana", true)],  "lee", &["ana", "sam"]),
            (&[("ana", false), ("sam", true)],                "lee", &["sam"]),
            (&[("ana", true)],                                "ana", &[]),
        ];
        for (participants, actor, want) in cases {
            assert_eq!(participants_to_tell(participants, actor), *want, "{participants:?} {actor}");
        }
    }
}

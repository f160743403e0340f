//! Throttling: how many attempts a key (an account, a client address) may
//! make within a window before it has to wait.
//!
//! Every attempt counts from the moment it starts, not when it is found to
//! have failed: the store records an attempt and asks [`wait`] in one write
//! transaction, so thirty simultaneous guesses are thirty attempts, and the
//! sixth already waits. A successful attempt is taken back afterwards.

/// At most `max` attempts per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_ms: i64,
}

const FIFTEEN_MINUTES: i64 = 15 * 60 * 1000;

/// Sign-ins (and other password checks) per account.
pub const PER_ACCOUNT: Limit = Limit {
    max: 5,
    window_ms: FIFTEEN_MINUTES,
};

/// Sign-ins, sign-ups and password checks per client address.
pub const PER_ADDRESS: Limit = Limit {
    max: 20,
    window_ms: FIFTEEN_MINUTES,
};

/// Password reset emails per address asked for: a few an hour, so the
/// form cannot be used to flood someone's mailbox.
pub const RESETS_PER_ACCOUNT: Limit = Limit {
    max: 3,
    window_ms: 60 * 60 * 1000,
};

/// Password reset requests per client address.
pub const RESETS_PER_ADDRESS: Limit = Limit {
    max: 10,
    window_ms: 60 * 60 * 1000,
};

/// The attempts a key has made within the window that ends now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recent {
    pub count: i64,
    /// When the oldest of them started.
    pub oldest: Option<i64>,
}

/// Seconds to wait before the next attempt, or None when it may go ahead.
/// The wait lasts until the oldest attempt leaves the window, at least a
/// second.
pub fn wait(recent: Recent, limit: Limit, now: i64) -> Option<i64> {
    (recent.count >= limit.max).then(|| {
        let retry_ms = recent
            .oldest
            .map_or(limit.window_ms, |t| t + limit.window_ms - now);
        (retry_ms.max(1000) + 999) / 1000
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn attempts_beyond_the_limit_wait_until_the_oldest_leaves_the_window() {
        let now = 10 * FIFTEEN_MINUTES;
        let min = 60 * 1000;
        let r = |count, oldest: Option<i64>| Recent { count, oldest };
        let cases = [
            ("no attempts yet",                           r(0, None),               PER_ACCOUNT, None),
            ("4 of 5: the fifth may go ahead",            r(4, Some(now - min)),    PER_ACCOUNT, None),
            ("5 of 5: wait 14 minutes for the oldest",    r(5, Some(now - min)),    PER_ACCOUNT, Some(14 * 60)),
            ("oldest about to leave: wait at least 1 s",  r(5, Some(now - FIFTEEN_MINUTES + 10)), PER_ACCOUNT, Some(1)),
            ("19 of 20 from one address",                 r(19, Some(now)),         PER_ADDRESS, None),
            ("20 of 20 from one address",                 r(20, Some(now)),         PER_ADDRESS, Some(15 * 60)),
            ("a count without a time waits a window",     r(7, None),               PER_ACCOUNT, Some(15 * 60)),
        ];
        for (name, recent, limit, expected) in cases {
            assert_eq!(wait(recent, limit, now), expected, "{name}");
        }
    }
}

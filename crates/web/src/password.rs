//! Password hashing: argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane).
//!
//! Hashing is deliberately slow, so it runs on the blocking pool and at most
//! two at a time: a burst of sign-ins queues instead of starving requests.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use cairn_domain::people::NewPassword;
use tokio::sync::Semaphore;

static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(2)));

fn argon2() -> Result<Argon2<'static>, String> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let _permit = PERMITS
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())
}

/// The PHC string to store.
pub async fn hash(password: &NewPassword) -> Result<String, String> {
    let password = password.expose().to_owned();
    blocking(move || {
        argon2()?
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await?
}

/// Whether `password` matches `stored`. A malformed stored hash is "no".
pub async fn verify(password: &str, stored: &str) -> Result<bool, String> {
    let password = password.to_owned();
    let stored = stored.to_owned();
    blocking(move || {
        Ok(argon2()?
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok())
    })
    .await?
}

/// A hash of nothing anyone knows, verified against when an email is
/// unknown so that both failures take the same time.
static DUMMY: LazyLock<Option<String>> = LazyLock::new(|| {
    argon2()
        .ok()?
        .hash_password(b"no account has this password")
        .ok()
        .map(|h| h.to_string())
});

pub async fn verify_nothing(password: &str) {
    let dummy = tokio::task::spawn_blocking(|| DUMMY.clone())
        .await
        .ok()
        .flatten();
    if let Some(dummy) = dummy {
        let _ = verify(password, &dummy).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let pw = NewPassword::parse("correct horse battery").expect("ok");
        let h = hash(&pw).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h).await.expect("verify"));
        assert!(!verify("wrong horse battery", &h).await.expect("verify"));
        assert!(!verify("x", "not a hash").await.expect("verify"));
    }
}

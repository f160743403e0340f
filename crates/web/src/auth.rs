//! Who is asking. Accounts and sessions arrive with the accounts issue;
//! until then every visitor is anonymous.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
pub use cairn_domain::policy::Actor;

/// Extracts the [`Actor`] of a request.
pub struct CurrentActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for CurrentActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(CurrentActor(Actor::Anonymous))
    }
}

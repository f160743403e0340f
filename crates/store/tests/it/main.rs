//! Store tests: every body runs on SQLite and on PostgreSQL.

mod audit;
mod authoring;
mod awards;
mod backup;
mod check_ins;
mod conversations;
mod credentials;
mod deliveries;
mod forks;
mod framework;
mod insights;
mod jobs;
mod members;
mod notifications;
mod observations;
mod orgs;
mod people;
mod proposals;
mod snapshot;
mod sso;
mod synthetic;
mod throttle;
mod transactions;
mod versions;

use cairn_domain::people::Email;
use cairn_domain::{Framework, Name, file};
use cairn_store::Store;
use cairn_store::people::Person;

pub const DEMO: &str = include_str!("../../../../demo/fernhill.yaml");

pub fn demo() -> Framework {
    file::parse(DEMO).expect("demo parses")
}

/// A person with a fake password hash (these tests never sign in).
pub async fn person(store: &Store, email: &str) -> Person {
    let email = Email::parse(email).expect("email");
    let name = Name::parse(email.as_str().split('@').next().expect("local"), "n").expect("name");
    cairn_store::people::create(store, &email, &name, "$argon2id$fake", 1)
        .await
        .expect("create")
}

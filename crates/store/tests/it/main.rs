//! Store tests: every body runs on SQLite and on PostgreSQL.

mod accounts;
mod audit;
mod authoring;
mod awards;
mod backup;
mod conversations;
mod framework;
mod observations;
mod orgs;
mod synthetic;
mod transactions;

use cairn_domain::{Framework, file};

pub const DEMO: &str = include_str!("../../../../demo/fernhill.yaml");

pub fn demo() -> Framework {
    file::parse(DEMO).expect("demo parses")
}

//! cairn's domain: the framework, its rules and their wording.
//! Pure and synchronous: no IO, no async, no SQL, no HTTP.

pub mod audit;
pub mod awards;
pub mod case;
pub mod changes;
pub mod check_ins;
pub mod compare;
pub mod credentials;
pub mod csv_out;
pub mod eligibility;
pub mod explore;
pub mod file;
pub mod fork;
pub mod framework;
pub mod gruuv_csv;
pub mod health;
pub mod history;
pub mod insights;
pub mod jobs;
pub mod journey;
pub mod licence;
pub mod membership;
pub mod notify;
pub mod outbound;
pub mod people;
pub mod people_csv;
pub mod policy;
pub mod publishing;
pub mod recency;
pub mod requirement;
pub mod sso;
pub mod throttle;
pub mod visibility;
pub mod wording;

pub use framework::{
    Ability, Framework, ItemKind, Level, Markdown, MilesRule, MilesScale, Milestone, Name, OrgSlug,
    Organization, ParseError, Position, Requirement, Role, Slug,
};

//! HTTP tests: the real router in-process, a fresh database per test.

mod abilities;
mod account;
mod api;
mod audit;
mod awards;
mod budgets;
mod conversations;
mod eligibility;
mod framework;
mod framework_import;
mod history;
mod home;
mod jobs;
mod journey;
mod members;
mod observations;
mod orgs;
mod pages;
mod paging;
mod people_import;
mod positions;
mod routes;
mod status;
mod support;
mod trust;
mod xss;

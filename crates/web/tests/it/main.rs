//! HTTP tests: the real router in-process, a fresh database per test.

mod access;
mod accounts;
mod api;
mod audit;
mod authoring;
mod conversations;
mod journey;
mod members;
mod observations;
mod pages;
mod support;
mod sweep;
mod trust;
mod xss;

//! HTTP tests: the real router in-process, a fresh database per test.

mod pages;
mod support;

//! The `cairn` binary, run as a user runs it.

mod admin;
mod backup;
mod browser;
mod crash;
mod files;
mod serve;
mod settings;

use std::path::Path;
use std::process::{Command, Output};

pub const DEMO: &str = include_str!("../../../../demo/fernhill.yaml");

/// Runs `cairn` with `args` in `dir`, with no CAIRN_* settings inherited.
pub fn cairn(dir: &Path, args: &[&str]) -> Output {
    cairn_env(dir, args, &[])
}

pub fn cairn_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cairn"));
    cmd.current_dir(dir).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CAIRN_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run cairn")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

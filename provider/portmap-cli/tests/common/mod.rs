//! Running the built `portmap` binary on the example scenarios.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

/// Exit code, standard output and standard error of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// `examples/NAME/topology.yaml`, relative to the root (the binary runs there).
pub fn scenario(name: &str) -> String {
    format!("examples/{name}/topology.yaml")
}

/// Runs `portmap ARGS` in the workspace root.
pub fn portmap(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_portmap"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("running portmap");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// Runs `portmap ARGS` and expects success.
pub fn ok(args: &[&str]) -> String {
    let r = portmap(args);
    assert_eq!(r.code, 0, "portmap {args:?} failed:\n{}", r.stderr);
    r.stdout
}

/// The five per-product scenarios.
pub const SCENARIOS: [&str; 5] = [
    "1e-platform",
    "plossys",
    "spotfire",
    "tachyon-5",
    "tarantella",
];

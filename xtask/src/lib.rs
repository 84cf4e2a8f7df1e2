//! The project's tooling, in Rust: `cargo xtask release`, `cargo xtask
//! install-mirror`, `cargo xtask bench` and `cargo xtask terraform-path`
//! (the alias is in `.cargo/config.toml`; `scripts/release`,
//! `scripts/install-mirror` and `scripts/bench` run them).
//!
//! - [`terraform`]: which Terraform (or OpenTofu) the project runs, the one
//!   lookup the scripts (`cargo xtask terraform-path`) and the acceptance
//!   harness share. No dependencies: the library without its default
//!   feature `dist` is only this.
//! - `dist` (feature `dist`): the release archives, the registry manifest,
//!   `SHA256SUMS` and its signature, and filesystem mirrors; the protocol
//!   versions come from the provider binary's go-plugin handshake, with the
//!   magic cookie of the protocol crate (`tfplugin::server`).
//! - `bench` (feature `dist`): the performance benchmarks (engine, CLI,
//!   provider process, plans, each data source against Terraform's floor,
//!   criterion), every number against its target; the provider's handshake
//!   uses the same magic cookie constants.
//! - `msrv` (feature `dist`): no locked dependency needs a newer Rust than
//!   the declared `rust-version` (`cargo xtask msrv`, run by CI).

// A command-line tool: its messages go to stderr, the CLI configuration of
// install-mirror and the path of terraform-path to stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod terraform;

#[cfg(feature = "dist")]
pub mod bench;
#[cfg(feature = "dist")]
pub mod dist;
#[cfg(feature = "dist")]
pub mod msrv;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

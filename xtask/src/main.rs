//! `cargo xtask COMMAND`: the project's tooling (see the library's docs).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use xtask::dist::{self, Failure};

const USAGE: &str = "\
The project's tooling (the alias `cargo xtask` is in .cargo/config.toml).

Usage:
  cargo xtask release [--platforms LIST] [--binary [OS_ARCH=]PATH ...] [--cli [OS_ARCH=]PATH ...] [--out DIR] [--no-compress]
      release archives, manifest, SHA256SUMS (and its signature) in dist/ (scripts/release)
  cargo xtask install-mirror [--for terraform|opentofu|both] [--layout packed|unpacked] [--dist DIR] DIR
      a filesystem mirror from the release archives; prints the CLI configuration (scripts/install-mirror)
  cargo xtask terraform-path
      the Terraform the project runs: $PORTMAP_TERRAFORM, else terraform or tofu on PATH,
      else .venv/bin/terraform (scripts/setup)
  cargo xtask msrv
      fails when a locked dependency needs a newer Rust than the declared rust-version (scripts/test)
  cargo xtask bench [--runs N] [--engine-rounds N] [--cli-rounds N] [--floor-runs N] [--floor-nodes N]
                    [--no-engine] [--no-cli] [--no-plan] [--no-floor] [--no-criterion] [--json FILE]
      the performance benchmarks, every number against its target (scripts/bench; about 20 minutes)
  cargo xtask plugin-cookie
      KEY=VALUE, the go-plugin magic cookie Terraform starts providers with

`cargo xtask COMMAND --help` tells more.
";

fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            match &f {
                Failure::Error(msg) => eprintln!("{msg}"),
                Failure::Usage(msg, usage) => {
                    if !msg.is_empty() {
                        eprintln!("{msg}");
                    }
                    eprint!("{usage}");
                }
            }
            ExitCode::from(f.code())
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("release") => finish(dist::release_main(rest)),
        Some("install-mirror") => finish(dist::mirror_main(rest)),
        Some("bench") => finish(xtask::bench::bench_main(rest)),
        // Hidden: what the plan stage of `bench` runs instead of the provider.
        Some("bench-wrap") => match xtask::bench::plans::bench_wrap_main(rest) {
            Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            Err(f) => finish(Err(f)),
        },
        Some("terraform-path") => match xtask::terraform::terraform_path() {
            Ok(p) if rest.is_empty() => {
                println!("{}", p.display());
                ExitCode::SUCCESS
            }
            Ok(_) => {
                eprintln!("terraform-path takes no arguments");
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Some("msrv") => match xtask::msrv::check() {
            Ok(message) => {
                eprintln!("{message}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        },
        Some("plugin-cookie") => {
            println!(
                "{}={}",
                tfplugin::server::MAGIC_COOKIE_KEY,
                tfplugin::server::MAGIC_COOKIE_VALUE
            );
            ExitCode::SUCCESS
        }
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            if let Some(other) = other {
                eprintln!("xtask: unknown command {other}");
            }
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

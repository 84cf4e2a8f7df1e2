//! `cargo run -p portmap-docs` regenerates docs/; `--check` only reports
//! stale files (exit code 1).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = portmap_docs::repo_root();
    let files = match portmap_docs::generate(&root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if std::env::args().any(|a| a == "--check") {
        let stale = portmap_docs::stale(&root, &files);
        for s in &stale {
            eprintln!("{s}");
        }
        return if stale.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    match portmap_docs::write(&root, &files) {
        Ok(()) => {
            println!("wrote {} files under docs/", files.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

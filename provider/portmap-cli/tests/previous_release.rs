//! No churn for existing users: every output of every example topology is
//! byte-identical to what the previous release printed.
//!
//! `tests/previous-release/<input>/` holds the outputs of release 0.1.0
//! (commit f546405, written by that release's `portmap` binary and cloud
//! shapes before any later change): flows and rules in every format, the
//! diagrams, the AWS, Azure and GCP shapes with their default options, and
//! the warnings. The inputs are the example topologies
//! (`examples/*/topology.yaml`) and the extra ones in
//! `tests/previous-release/inputs/` (the quickstart as a file, a generated
//! 60-node landing zone mixing all five products, a topology with IPv6,
//! references and exposures).
//!
//! A change that alters one of these files alters what existing users
//! plan. Only an issue that asks for it may do so, and the CHANGELOG says so;
//! then `PORTMAP_WRITE_PREVIOUS_RELEASE=1 cargo nextest run -p portmap-cli
//! --test previous_release` rewrites them, and the diff is reviewed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{portmap, root};
use portmap_core::cloud::{aws, azure, gcp};

/// Every input: a name and the topology file, relative to the root.
fn inputs() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = common::SCENARIOS
        .iter()
        .map(|s| (s.to_string(), common::scenario(s)))
        .collect();
    let dir = root().join("provider/portmap-cli/tests/previous-release/inputs");
    let mut extra: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    extra.sort();
    for p in extra {
        let name = p.file_stem().unwrap().to_str().unwrap().to_string();
        let rel = p
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        v.push((name, rel));
    }
    v
}

/// The CLI runs whose standard output (and, for `flows`, standard error:
/// the warnings) are compared.
const RUNS: &[(&str, &[&str])] = &[
    ("flows.json", &["flows", "--format", "json"]),
    ("flows.txt", &["flows", "--format", "table"]),
    ("flows.csv", &["flows", "--format", "csv"]),
    ("flows.md", &["flows", "--format", "markdown"]),
    ("rules.json", &["rules", "--format", "json"]),
    ("rules.txt", &["rules", "--format", "table"]),
    ("rules.csv", &["rules", "--format", "csv"]),
    ("rules.md", &["rules", "--format", "markdown"]),
    ("diagram.mmd", &["diagram", "--format", "mermaid"]),
    ("diagram.dot", &["diagram", "--format", "dot"]),
    ("diagram.svg", &["diagram", "--format", "svg"]),
];

/// The cloud shapes with their default options: rules as JSON, then the
/// issues, one per line.
fn shapes(path: &str) -> Vec<(&'static str, String)> {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let file = portmap_core::topology_file::parse(&text, path).unwrap();
    let catalog = portmap_core::Catalog::builtin().unwrap();
    let comp = portmap_core::compute(&file.topology, catalog).unwrap();
    fn render<R: serde::Serialize>(s: &portmap_core::cloud::Shaped<R>) -> String {
        let mut out = serde_json::to_string_pretty(&s.rules).unwrap();
        out.push('\n');
        for i in &s.issues {
            out.push_str(&format!("{i:?}\n"));
        }
        out
    }
    vec![
        (
            "aws.json",
            render(&aws::shape(&comp, &aws::AwsOptions::default())),
        ),
        (
            "azure.json",
            render(&azure::shape(&comp, &azure::AzureOptions::default())),
        ),
        (
            "gcp.json",
            render(&gcp::shape(&comp, &gcp::GcpOptions::default())),
        ),
    ]
}

fn expected_dir(name: &str) -> PathBuf {
    root()
        .join("provider/portmap-cli/tests/previous-release")
        .join(name)
}

fn compare(dir: &Path, file: &str, actual: &str, failures: &mut Vec<String>) {
    let path = dir.join(file);
    if std::env::var_os("PORTMAP_WRITE_PREVIOUS_RELEASE").is_some() {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    match std::fs::read_to_string(&path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
            failures.push(format!(
                "{}: differs from the previous release from line {}:\n  was: {:?}\n  now: {:?}",
                path.display(),
                line + 1,
                expected.lines().nth(line).unwrap_or("<end>"),
                actual.lines().nth(line).unwrap_or("<end>"),
            ));
        }
        Err(e) => failures.push(format!("{}: {e}", path.display())),
    }
}

#[test]
fn every_output_of_every_example_is_what_the_previous_release_printed() {
    let mut failures = Vec::new();
    let inputs = inputs();
    assert!(inputs.len() >= 8, "inputs: {inputs:?}");
    for (name, path) in &inputs {
        let dir = expected_dir(name);
        for (file, args) in RUNS {
            let mut argv: Vec<&str> = vec![args[0], path.as_str()];
            argv.extend_from_slice(&args[1..]);
            let run = portmap(&argv);
            assert_eq!(run.code, 0, "portmap {argv:?}: {}", run.stderr);
            compare(&dir, file, &run.stdout, &mut failures);
            if *file == "flows.json" {
                compare(&dir, "warnings.txt", &run.stderr, &mut failures);
            }
        }
        for (file, text) in shapes(path) {
            compare(&dir, file, &text, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

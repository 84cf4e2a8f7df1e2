//! The fuzz corpora and regression inputs, replayed through the fuzz entry
//! points in every `cargo test`: each committed input under
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` must run without
//! a panic. `scripts/fuzz` runs the same functions under libFuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};

use tfplugin::value::decode_msgpack;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn replay(target: &str, entry: fn(&[u8])) {
    let corpus = portmap_fuzz::replay_dir(&fuzz_dir().join("corpus").join(target), entry)
        .unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"));
    assert!(corpus > 0, "fuzz/corpus/{target} is empty");
    let regressions_dir = fuzz_dir().join("regressions").join(target);
    let regressions = if regressions_dir.is_dir() {
        portmap_fuzz::replay_dir(&regressions_dir, entry).unwrap()
    } else {
        0
    };
    eprintln!("{target}: {corpus} corpus inputs, {regressions} regression inputs");
}

#[test]
fn every_target_is_replayed() {
    let names: Vec<&str> = portmap_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "msgpack_decode",
            "topology_check",
            "catalog_load",
            "topology_file"
        ]
    );
    for (name, _) in portmap_fuzz::TARGETS {
        assert!(
            fuzz_dir()
                .join("fuzz_targets")
                .join(format!("{name}.rs"))
                .is_file(),
            "fuzz/fuzz_targets/{name}.rs"
        );
    }
}

#[test]
fn msgpack_decode() {
    replay("msgpack_decode", portmap_fuzz::msgpack_decode);
}

#[test]
fn topology_check() {
    replay("topology_check", portmap_fuzz::topology_check);
}

#[test]
fn catalog_load() {
    replay("catalog_load", portmap_fuzz::catalog_load);
}

#[test]
fn topology_file() {
    replay("topology_file", portmap_fuzz::topology_file);
}

/// The msgpack seeds are only useful while they decode with the input type
/// (regenerate them with `cargo run --manifest-path fuzz/Cargo.toml
/// --no-default-features --example make_seeds` when the inputs change).
#[test]
fn msgpack_seeds_still_decode() {
    let ty = portmap_fuzz::flows_input_type();
    let dir = fuzz_dir().join("corpus/topology_check");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        decode_msgpack(&bytes, &ty).unwrap_or_else(|e| {
            panic!(
                "{} no longer decodes ({e}); regenerate the seeds with make_seeds",
                path.display()
            )
        });
        n += 1;
    }
    assert!(n >= 5, "the example topologies are seeds");
}

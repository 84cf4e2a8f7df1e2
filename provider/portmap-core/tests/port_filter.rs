//! `compute_for_port` (what `portmap explain --port` computes) gives the
//! same answer as the full computation on every example topology, for
//! every port its flows start or end at and the ports next to those, with
//! and without a protocol: every flow using the port and every rule serving
//! one of them, equal to the full computation's, the same issues and
//! unresolved flows, and nothing the full computation does not have.
//!
//! The expected answers come from `compute`, which makes every flow and
//! rule without a filter.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use std::collections::{BTreeMap, BTreeSet};

use portmap_core::catalog::Protocol;
use portmap_core::{Catalog, Computation, Topology, compute, compute_for_port};

fn example_files() -> Vec<std::path::PathBuf> {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("../../examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("topology.yaml"))
        .filter(|p| p.exists())
        .collect();
    files.sort();
    // With zones: the filter falls back to the full computation.
    files.push(root.join("tests/fixtures/1e-platform-zones.yaml"));
    files
}

/// Every port a flow's range starts or ends at, and its neighbours.
fn ports_of(c: &Computation<'_>) -> BTreeSet<u16> {
    let mut ports = BTreeSet::new();
    for f in &c.flows {
        for p in [f.ports.from, f.ports.to] {
            ports.insert(p);
            ports.insert(p.saturating_sub(1));
            ports.insert(p.saturating_add(1));
        }
    }
    ports
}

fn check(name: &str, t: &Topology, full: &Computation<'_>, port: u16, protocol: Option<Protocol>) {
    let what = format!("{name}, port {port}, {protocol:?}");
    let part = compute_for_port(t, Catalog::builtin().unwrap(), port, protocol)
        .unwrap_or_else(|e| panic!("{what}: {e:#?}"));
    assert_eq!(part.issues, full.issues, "{what}: issues");
    assert_eq!(part.unresolved, full.unresolved, "{what}: unresolved flows");
    // Nothing that the full computation does not have, and each the same.
    let flows: BTreeMap<&str, _> = full.flows.iter().map(|f| (&*f.key, f)).collect();
    for f in &part.flows {
        assert_eq!(Some(&f), flows.get(&*f.key), "{what}: flow {}", f.key);
    }
    assert!(
        part.flows.windows(2).all(|w| w[0].key < w[1].key),
        "{what}: flows out of order"
    );
    for r in part.rules.values() {
        assert_eq!(Some(r), full.rules.get(&r.key), "{what}: rule {}", r.key);
    }
    // Every flow using the port, and every rule serving one of them.
    let using: Vec<_> = full
        .flows
        .iter()
        .filter(|f| f.ports.contains(port) && protocol.is_none_or(|p| f.protocol == p))
        .collect();
    let kept: BTreeSet<&str> = part.flows.iter().map(|f| &*f.key).collect();
    for f in &using {
        assert!(kept.contains(&*f.key), "{what}: flow {} left out", f.key);
    }
    let used: BTreeSet<&str> = using.iter().map(|f| &*f.key).collect();
    for r in full.rules.values() {
        if r.flows.iter().any(|k| used.contains(&**k)) {
            assert!(
                part.rules.contains_key(&r.key),
                "{what}: rule {} left out",
                r.key
            );
        }
    }
}

#[test]
fn the_port_filter_keeps_what_explains_the_port() {
    let catalog = Catalog::builtin().unwrap();
    let mut narrowed = 0;
    let mut checked = 0;
    for file in example_files() {
        let name = file.display().to_string();
        let t: Topology = serde_norway::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let full = compute(&t, catalog).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
        assert!(!full.flows.is_empty(), "{name}: no flows");
        let ports = ports_of(&full);
        for &port in &ports {
            check(&name, &t, &full, port, None);
            checked += 1;
        }
        // With a protocol, at the ports a flow starts at.
        let starts: BTreeSet<u16> = full.flows.iter().map(|f| f.ports.from).collect();
        for &port in &starts {
            for protocol in [Protocol::Tcp, Protocol::Udp] {
                check(&name, &t, &full, port, Some(protocol));
                checked += 1;
            }
        }
        let port = *starts.iter().next().unwrap();
        let part = compute_for_port(&t, catalog, port, None).unwrap();
        if part.flows.len() < full.flows.len() {
            narrowed += 1;
        }
    }
    assert!(checked > 100, "only {checked} ports checked");
    // Most examples take the filtered path (no zones, fronts or accepted
    // risks), so the filter is really exercised.
    assert!(
        narrowed >= 5,
        "the filter narrowed only {narrowed} examples"
    );
}

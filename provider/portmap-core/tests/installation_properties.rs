//! Property tests over random topologies with installations and node
//! overrides: no flow joins two nodes that share no installation of the
//! flow's product, flow keys name their installation, and the rules still
//! allow exactly what the flows require.
//!
//! 2,000 cases per property by default; set PROPTEST_CASES to change it.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use std::collections::{BTreeMap, BTreeSet};

use portmap_core::Catalog;
use portmap_core::topology::{Installation, Node, NodeKind, ProductConfig, Topology};
use proptest::prelude::*;

mod support;

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("built-in catalog")
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000)
}

fn components(pid: &str) -> Vec<String> {
    let p = catalog().product(pid).unwrap();
    p.components
        .iter()
        .map(|c| format!("{pid}/{}", c.id))
        .collect()
}

fn features(pid: &str) -> Vec<String> {
    let p = catalog().product(pid).unwrap();
    p.features.iter().map(|f| f.id.clone()).collect()
}

fn node(comps: Vec<String>) -> impl Strategy<Value = Node> {
    (
        proptest::sample::subsequence(comps.clone(), 1..=comps.len().min(3)),
        0u8..=255,
        any::<bool>(),
    )
        .prop_map(|(components, octet, group)| Node {
            components,
            cidrs: vec![format!("10.0.{octet}.0/24")],
            kind: if group {
                NodeKind::Group
            } else {
                NodeKind::Host
            },
            ..Node::default()
        })
}

/// A feature configuration: a few features on, a few off (never both).
fn config(pid: &str) -> impl Strategy<Value = ProductConfig> + use<> {
    let fs = features(pid);
    (
        proptest::sample::subsequence(fs.clone(), 0..=fs.len().min(3)),
        proptest::sample::subsequence(fs.clone(), 0..=fs.len().min(2)),
    )
        .prop_map(|(on, off)| ProductConfig {
            disabled_features: off.iter().filter(|f| !on.contains(f)).cloned().collect(),
            features: on,
            ..ProductConfig::default()
        })
}

/// An installation of `pid` over a subset of `n` nodes, with overrides on
/// some of them.
fn installation(pid: String, n: usize) -> impl Strategy<Value = Installation> {
    let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
    (
        proptest::sample::subsequence(names, 0..=n),
        config(&pid),
        proptest::collection::vec((any::<prop::sample::Index>(), config(&pid)), 0..=2),
    )
        .prop_map(move |(nodes, cfg, overrides)| {
            let node_overrides = if nodes.is_empty() {
                BTreeMap::new()
            } else {
                overrides
                    .into_iter()
                    .map(|(i, c)| (i.get(&nodes).clone(), c))
                    .collect()
            };
            Installation {
                product: pid.clone(),
                nodes,
                settings: BTreeMap::new(),
                features: cfg.features,
                disabled_features: cfg.disabled_features,
                node_overrides,
                ..Installation::default()
            }
        })
}

fn topology() -> impl Strategy<Value = Topology> {
    const PRODUCTS: [&str; 4] = ["tachyon-5", "tarantella", "plossys", "1e-platform"];
    (
        proptest::sample::select(&PRODUCTS[..]),
        proptest::sample::select(&PRODUCTS[..]),
    )
        .prop_flat_map(|(a, b)| {
            let comps: Vec<String> = components(a).into_iter().chain(components(b)).collect();
            proptest::collection::vec(node(comps), 2..=7).prop_flat_map(move |nodes| {
                let n = nodes.len();
                let insts = proptest::collection::vec(
                    prop_oneof![
                        installation(a.to_string(), n),
                        installation(b.to_string(), n)
                    ],
                    0..=3,
                );
                (Just(nodes), insts)
            })
        })
        .prop_map(|(nodes, insts)| {
            let mut t = Topology::default();
            for (i, n) in nodes.into_iter().enumerate() {
                t.nodes.insert(format!("n{i}"), n);
            }
            for (i, inst) in insts.into_iter().enumerate() {
                t.installations.insert(format!("i{i}"), inst);
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// A flow of an explicit installation joins two of its nodes; a flow of
    /// a product's implicit installation joins two nodes that no
    /// installation of the product lists. So no flow joins two nodes that
    /// share no installation of the flow's product.
    #[test]
    fn no_flow_joins_nodes_that_share_no_installation(t in topology()) {
        let Ok(c) = portmap_core::compute(&t, catalog()) else { return Ok(()) };
        for f in &c.flows {
            match f.installation.as_deref() {
                Some(name) => {
                    let inst = &t.installations[name];
                    prop_assert_eq!(inst.product.as_str(), f.product);
                    prop_assert!(inst.nodes.iter().any(|n| **n == *f.from_node), "{}", f.key);
                    prop_assert!(inst.nodes.iter().any(|n| **n == *f.to_node), "{}", f.key);
                }
                None => {
                    let listed: BTreeSet<&str> = t.installations.values()
                        .filter(|i| i.product == f.product)
                        .flat_map(|i| i.nodes.iter().map(String::as_str))
                        .collect();
                    prop_assert!(!listed.contains(&*f.from_node), "{}", f.key);
                    prop_assert!(!listed.contains(&*f.to_node), "{}", f.key);
                }
            }
        }
    }

    /// Flow keys are unique, sorted, and name the installation:
    /// `product@installation:flow:from>to:protocol:ports`.
    #[test]
    fn flow_keys_name_the_installation(t in topology()) {
        let Ok(c) = portmap_core::compute(&t, catalog()) else { return Ok(()) };
        for w in c.flows.windows(2) {
            prop_assert!(w[0].key < w[1].key, "{} is not before {}", w[0].key, w[1].key);
        }
        for f in &c.flows {
            let owner = match f.installation.as_deref() {
                Some(i) => format!("{}@{i}", f.product),
                None => f.product.to_string(),
            };
            let key = format!("{owner}:{}:{}>{}:{}:{}", f.flow, f.from_node, f.to_node, f.protocol.as_str(), f.ports);
            prop_assert_eq!(&*f.key, key.as_str());
        }
    }

    /// The rules allow exactly what the flows of all installations require.
    #[test]
    fn rules_allow_exactly_what_flows_require(t in topology()) {
        let Ok(c) = portmap_core::compute(&t, catalog()) else { return Ok(()) };
        let required = support::required_by_flows(&c);
        let (ingress, egress) = support::allowed_by_rules(&c);
        prop_assert_eq!(&ingress, &required);
        prop_assert_eq!(&egress, &required);
    }
}

//! Property tests over random topologies of the built-in catalog:
//! exactness (rules allow exactly what the flows require), ingress/egress
//! symmetry, determinism, and key stability when an unrelated node is added.
//!
//! 10,000 cases per property by default; set PROPTEST_CASES to change it.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use std::collections::{BTreeMap, BTreeSet};

use portmap_core::Catalog;
use portmap_core::rules::Direction;
use portmap_core::topology::{Exposure, Node, NodeKind, ProductConfig, SettingInput, Topology};
use proptest::prelude::*;

mod support;

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("built-in catalog")
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}

/// Every component id of one product.
fn product_components(pid: &str) -> Vec<String> {
    let p = catalog().product(pid).unwrap();
    p.components
        .iter()
        .map(|c| format!("{pid}/{}", c.id))
        .collect()
}

fn products() -> Vec<String> {
    catalog().products().iter().map(|p| p.id.clone()).collect()
}

fn cidr() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u8..=223, 0u8..=255, 0u8..=255, 0u8..=255)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}/32")),
        (1u8..=223, 0u8..=255).prop_map(|(a, b)| format!("{a}.{b}.0.0/16")),
        (0u16..=0xffff, 0u16..=0xffff).prop_map(|(a, b)| format!("2001:db8:{a:x}:{b:x}::/64")),
    ]
}

fn node_for(pid: String) -> impl Strategy<Value = Node> {
    let comps = product_components(&pid);
    (
        proptest::sample::subsequence(comps.clone(), 1..=comps.len().min(4)),
        proptest::collection::vec(cidr(), 0..=2),
        any::<bool>(),
        prop_oneof![
            Just(Exposure::Internal),
            Just(Exposure::InternetFacing),
            Just(Exposure::Untrusted)
        ],
    )
        .prop_map(|(components, cidrs, is_group, exposure)| Node {
            components,
            cidrs,
            kind: if is_group {
                NodeKind::Group
            } else {
                NodeKind::Host
            },
            exposure,
            ..Node::default()
        })
}

/// Random settings and features for a product: ports low enough that derived
/// and series ports stay in range.
fn product_config(pid: &str) -> impl Strategy<Value = ProductConfig> + use<> {
    let p = catalog().product(pid).unwrap();
    let settings: Vec<(String, String)> = p
        .settings
        .iter()
        .map(|s| (s.id.clone(), format!("{:?}", s.kind)))
        .collect();
    let features: Vec<String> = p.features.iter().map(|f| f.id.clone()).collect();
    (
        proptest::sample::subsequence(settings.clone(), 0..=settings.len().min(3)),
        proptest::collection::vec(1000u32..60000, 3),
        proptest::sample::subsequence(features.clone(), 0..=features.len().min(4)),
    )
        .prop_map(|(chosen, values, features)| {
            let mut map = BTreeMap::new();
            for (i, (id, kind)) in chosen.into_iter().enumerate() {
                let v = values[i % values.len()];
                let text = match kind.as_str() {
                    "Port" => v.to_string(),
                    "Count" => (v % 4 + 1).to_string(),
                    _ => format!("{}, {}-{}", v, v + 10, v + 20),
                };
                map.insert(id, SettingInput::Text(text));
            }
            ProductConfig {
                settings: map,
                features,
                disabled_features: vec![],
                ..ProductConfig::default()
            }
        })
}

fn topology() -> impl Strategy<Value = Topology> {
    let ps = products();
    proptest::sample::subsequence(ps, 1..=3)
        .prop_flat_map(|chosen| {
            let nodes = proptest::collection::vec(
                proptest::sample::select(chosen.clone()).prop_flat_map(node_for),
                1..=7,
            );
            let configs: Vec<_> = chosen
                .iter()
                .map(|p| {
                    product_config(p).prop_map({
                        let p = p.clone();
                        move |c| (p.clone(), c)
                    })
                })
                .collect();
            (nodes, configs)
        })
        .prop_map(|(nodes, configs)| {
            let mut t = Topology::default();
            for (i, n) in nodes.into_iter().enumerate() {
                t.nodes.insert(format!("n{i}"), n);
            }
            let placed: BTreeSet<String> = t
                .nodes
                .values()
                .flat_map(|n| {
                    n.components
                        .iter()
                        .map(|c| c.split('/').next().unwrap().to_string())
                })
                .collect();
            for (p, c) in configs {
                if placed.contains(&p) {
                    t.products.insert(p, c);
                }
            }
            t
        })
}

/// The rules of one node, direction, peer and protocol.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RuleGroup {
    node: String,
    direction: Direction,
    peer: String,
    protocol: String,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// The (node pair, protocol, port) set the rules allow equals the set the
    /// non-internal firewall flows require, in both directions, and every
    /// rule's peer addresses are exactly the peer node's.
    #[test]
    fn rules_allow_exactly_what_flows_require(t in topology()) {
        let Ok(c) = portmap_core::compute(&t, catalog()) else { return Ok(()) };
        // Every rule's peer addresses are exactly the peer node's.
        for r in c.rules.values() {
            let node = c.node(&r.peer).unwrap();
            let expected: Vec<String> = node.cidrs.iter().map(|n| n.to_string()).collect();
            prop_assert_eq!(&r.peer_cidrs[..], &expected[..]);
        }
        // An ingress rule on B from A allows A → B, as does an egress rule
        // on A to B.
        let required = support::required_by_flows(&c);
        let (ingress, egress) = support::allowed_by_rules(&c);
        prop_assert_eq!(&ingress, &required);
        prop_assert_eq!(&egress, &required);
        // Ranges of one (node, direction, peer, protocol) are disjoint and not adjacent.
        let mut by_group: BTreeMap<RuleGroup, Vec<(u16, u16)>> = BTreeMap::new();
        for r in c.rules.values() {
            by_group.entry(RuleGroup { node: r.node.to_string(), direction: r.direction, peer: r.peer.to_string(), protocol: r.protocol.to_string() }).or_default().push((r.ports.from, r.ports.to));
        }
        for ranges in by_group.values_mut() {
            ranges.sort();
            for w in ranges.windows(2) {
                prop_assert!(u32::from(w[0].1) + 1 < u32::from(w[1].0), "ranges {:?} touch", w);
            }
        }
    }

    /// Same input, identical output.
    #[test]
    fn computation_is_deterministic(t in topology()) {
        let a = portmap_core::compute(&t, catalog());
        let b = portmap_core::compute(&t, catalog());
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a.rules, &b.rules);
                prop_assert_eq!(&a.flows, &b.flows);
                prop_assert_eq!(&a.unresolved, &b.unresolved);
                prop_assert_eq!(&a.issues, &b.issues);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "one run failed and the other did not"),
        }
    }

    /// Flows come sorted by key without duplicates, and every key (of a
    /// flow and of a rule) is made of the record's own fields.
    #[test]
    fn keys_are_sorted_unique_and_made_of_the_fields(t in topology()) {
        let Ok(c) = portmap_core::compute(&t, catalog()) else { return Ok(()) };
        for w in c.flows.windows(2) {
            prop_assert!(w[0].key < w[1].key, "{} is not before {}", w[0].key, w[1].key);
        }
        for f in &c.flows {
            let key = format!("{}:{}:{}>{}:{}:{}", f.product, f.flow, f.from_node, f.to_node, f.protocol.as_str(), f.ports);
            prop_assert_eq!(&*f.key, key.as_str());
        }
        for (k, r) in &c.rules {
            let key = format!("{}:{}:{}:{}:{}", r.node, r.direction.as_str(), r.peer, r.protocol.as_str(), r.ports);
            prop_assert_eq!(&**k, key.as_str());
            prop_assert_eq!(&r.key, k);
            for w in r.flows.windows(2) {
                prop_assert!(w[0] < w[1], "rule {}: flows out of order", k);
            }
        }
    }

    /// Adding a node of a product that is not in play changes no existing rule.
    #[test]
    fn adding_an_unrelated_node_changes_no_rule(t in topology(), extra_cidr in cidr(), which in any::<prop::sample::Index>()) {
        let Ok(before) = portmap_core::compute(&t, catalog()) else { return Ok(()) };
        let placed: BTreeSet<&str> = t.nodes.values().flat_map(|n| n.components.iter().map(|c| c.split('/').next().unwrap())).collect();
        let free: Vec<String> = products().into_iter().filter(|p| !placed.contains(p.as_str())).collect();
        prop_assume!(!free.is_empty());
        let pid = which.get(&free);
        let comps = product_components(pid);
        let mut t2 = t.clone();
        t2.nodes.insert("zz-new".into(), Node { components: vec![comps[0].clone()], cidrs: vec![extra_cidr], ..Node::default() });
        let after = portmap_core::compute(&t2, catalog()).expect("adding a valid node keeps the topology valid");
        for (k, r) in &before.rules {
            prop_assert_eq!(after.rules.get(k), Some(r), "rule {} changed", k);
        }
        prop_assert_eq!(before.rules.len(), after.rules.len());
    }

    /// Every cross-node flow that needs a rule has both its ingress and its
    /// egress rule, each listing the flow.
    #[test]
    fn every_flow_has_ingress_and_egress(t in topology()) {
        let Ok(c) = portmap_core::compute(&t, catalog()) else { return Ok(()) };
        for f in c.flows.iter().filter(|f| f.needs_rule()) {
            let serving = |dir: Direction, node: &str, peer: &str| {
                c.rules.values().any(|r| r.direction == dir && &*r.node == node && &*r.peer == peer && r.protocol == f.protocol
                    && r.ports.covers(&f.ports) && r.flows.contains(&f.key))
            };
            prop_assert!(serving(Direction::Ingress, &f.to_node, &f.from_node), "no ingress for {}", f.key);
            prop_assert!(serving(Direction::Egress, &f.from_node, &f.to_node), "no egress for {}", f.key);
        }
    }
}

//! Property tests of the audit's exactness, on random topologies and random
//! existing rule sets: for every node and direction, `covered ∪ excess` is
//! what the existing rules allow and `missing ∪ covered` what is required.
//!
//! The check is exhaustive, not sampled: every set involved is a union of
//! boxes (protocol × port range × CIDR block), so membership is constant
//! between consecutive boundaries (a range's first port and the one after
//! its last; a block's network address and the one after its last). The
//! test evaluates every combination of boundaries against the raw rules
//! (not the audit's arithmetic) and the audit's output re-read from text.
//!
//! 256 cases by default; set PROPTEST_CASES to change it.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use portmap_core::audit::{ExistingRule, Opening, audit};
use portmap_core::rules::{Computation, Direction};
use portmap_core::topology::{Node, NodeKind, ProductConfig, Topology};
use portmap_core::{Catalog, compute};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

/// Addresses that overlap each other often: hosts, /24s, /16s, /8, /0 and
/// a few IPv6 blocks.
fn cidr() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u8..4, 0u8..4).prop_map(|(a, b)| format!("10.0.{a}.{b}/32")),
        (0u8..4).prop_map(|a| format!("10.0.{a}.0/24")),
        (0u8..3).prop_map(|a| format!("10.{a}.0.0/16")),
        Just("10.0.0.0/8".to_string()),
        Just("0.0.0.0/0".to_string()),
        (0u8..3).prop_map(|a| format!("2001:db8::{a:x}/128")),
        Just("2001:db8::/64".to_string()),
        Just("::/0".to_string()),
    ]
}

const COMPONENTS: &[&str] = &[
    "tachyon-5/master-stack",
    "tachyon-5/response-stack",
    "tachyon-5/sql-server",
    "tachyon-5/client",
    "tachyon-5/browser",
    "plossys/output-engine",
    "plossys/client",
    "plossys/admin",
];

fn node() -> impl Strategy<Value = Node> {
    (
        proptest::sample::subsequence(COMPONENTS, 1..=3),
        proptest::collection::btree_set(cidr(), 0..=2),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(comps, cidrs, group, with_ref)| Node {
            components: comps.iter().map(|s| s.to_string()).collect(),
            reference: (with_ref || cidrs.is_empty()).then(|| "sg-x".to_string()),
            cidrs: cidrs.into_iter().collect(),
            kind: if group {
                NodeKind::Group
            } else {
                NodeKind::Host
            },
            ..Node::default()
        })
}

fn port() -> impl Strategy<Value = i64> {
    prop_oneof![
        proptest::sample::select(vec![
            0i64, 22, 79, 80, 81, 443, 515, 631, 1433, 1434, 4000, 5601, 9000, 65535
        ]),
        0i64..=65535,
    ]
}

fn existing(names: Vec<String>) -> impl Strategy<Value = Vec<ExistingRule>> {
    let one = (
        proptest::sample::select(names.clone()),
        any::<bool>(),
        proptest::sample::select(vec!["tcp", "tcp", "udp", "icmp", "all"]),
        port(),
        port(),
        proptest::collection::vec(cidr(), 0..=2),
        proptest::option::of(proptest::sample::select(names)),
    )
        .prop_map(|(node, ingress, proto, a, b, cidrs, peer)| {
            let peer = if cidrs.is_empty() && peer.is_none() {
                Some(node.clone())
            } else {
                peer
            };
            ExistingRule {
                id: String::new(),
                node,
                direction: if ingress { "ingress" } else { "egress" }.into(),
                protocol: proto.into(),
                from_port: Some(a.min(b)),
                to_port: Some(a.max(b)),
                cidrs: cidrs
                    .into_iter()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                peer,
            }
        });
    proptest::collection::vec(one, 0..=7).prop_map(|mut v| {
        for (i, r) in v.iter_mut().enumerate() {
            r.id = format!("r{i}");
        }
        v
    })
}

fn scenario() -> impl Strategy<Value = (Topology, Vec<ExistingRule>)> {
    proptest::collection::btree_map("n[0-9]", node(), 2..=4).prop_flat_map(|nodes| {
        let names: Vec<String> = nodes.keys().cloned().collect();
        let t = Topology {
            nodes,
            products: BTreeMap::from([(
                "tachyon-5".to_string(),
                ProductConfig {
                    features: vec!["named-sql-instance".into()],
                    ..ProductConfig::default()
                },
            )]),
            ..Topology::default()
        };
        (Just(t), existing(names))
    })
}

/// A point of the space: protocol, port, address (or a node known by
/// reference).
#[derive(Debug, Clone, PartialEq)]
enum Addr {
    Ip(IpAddr),
    Ref(String),
}

fn in_nets(nets: &[IpNet], a: &Addr) -> bool {
    matches!(a, Addr::Ip(ip) if nets.iter().any(|n| n.contains(ip)))
}

fn nets(list: &[String]) -> Vec<IpNet> {
    list.iter()
        .map(|c| portmap_core::topology::parse_cidr(c).unwrap())
        .collect()
}

/// What a peer node stands for, as the audit documents it.
fn peer_has(c: &Computation<'_>, peer: &str, a: &Addr) -> bool {
    let n = c.node(peer).unwrap();
    if n.cidrs.is_empty() {
        n.reference.is_some() && *a == Addr::Ref(peer.to_string())
    } else {
        in_nets(&n.cidrs, a)
    }
}

fn allows(c: &Computation<'_>, e: &ExistingRule, proto: &str, port: u16, a: &Addr) -> bool {
    let proto_ok = e.protocol == "all" || e.protocol == proto;
    let port_ok = !matches!(proto, "tcp" | "udp")
        || e.protocol == "all"
        || (e.from_port.unwrap() as u16 <= port && port <= e.to_port.unwrap() as u16);
    proto_ok
        && port_ok
        && (in_nets(&nets(&e.cidrs), a) || e.peer.as_deref().is_some_and(|p| peer_has(c, p, a)))
}

fn opening_has(o: &Opening, proto: &str, port: u16, a: &Addr) -> bool {
    o.protocol == proto
        && o.from_port.is_none_or(|f| f <= port)
        && o.to_port.is_none_or(|t| port <= t)
        && (in_nets(&nets(&o.cidrs), a) || matches!(a, Addr::Ref(r) if o.peers.contains(r)))
}

fn boundaries(list: &[String], v4: &mut BTreeSet<u32>, v6: &mut BTreeSet<u128>) {
    for n in nets(list) {
        match n {
            IpNet::V4(n) => {
                v4.insert(u32::from(n.network()));
                v4.extend(u32::from(n.broadcast()).checked_add(1));
            }
            IpNet::V6(n) => {
                v6.insert(u128::from(n.network()));
                v6.extend(u128::from(n.broadcast()).checked_add(1));
            }
        }
    }
}

fn check(c: &Computation<'_>, existing: &[ExistingRule]) {
    let a = audit(c, existing, false).unwrap();
    let excess: BTreeMap<&str, &Vec<Opening>> = a
        .excess
        .iter()
        .map(|x| (x.id.as_str(), &x.openings))
        .collect();
    // Every boundary of every set in play.
    let (mut v4, mut v6, mut ports) = (
        BTreeSet::from([0u32]),
        BTreeSet::from([0u128]),
        BTreeSet::from([0u32]),
    );
    let mut refs = BTreeSet::new();
    for n in &c.resolved.nodes {
        boundaries(
            &n.cidrs.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            &mut v4,
            &mut v6,
        );
        refs.insert(n.name.clone());
    }
    let outputs = a
        .excess
        .iter()
        .flat_map(|x| &x.openings)
        .chain(a.missing.values().flat_map(|m| &m.openings));
    for o in outputs {
        boundaries(&o.cidrs, &mut v4, &mut v6);
        ports.extend(o.from_port.map(u32::from));
        ports.extend(o.to_port.map(|p| u32::from(p) + 1));
    }
    for e in existing {
        boundaries(&e.cidrs, &mut v4, &mut v6);
        ports.extend([e.from_port.unwrap() as u32, e.to_port.unwrap() as u32 + 1]);
    }
    for r in c.rules.values() {
        ports.extend([u32::from(r.ports.from), u32::from(r.ports.to) + 1]);
    }
    for f in &c.flows {
        ports.extend([u32::from(f.ports.from), u32::from(f.ports.to) + 1]);
    }
    let addrs: Vec<Addr> = v4
        .iter()
        .map(|&x| Addr::Ip(IpAddr::from(std::net::Ipv4Addr::from(x))))
        .chain(
            v6.iter()
                .map(|&x| Addr::Ip(IpAddr::from(std::net::Ipv6Addr::from(x)))),
        )
        .chain(refs.into_iter().map(Addr::Ref))
        .collect();
    let ports: Vec<u16> = ports
        .into_iter()
        .filter_map(|p| u16::try_from(p).ok())
        .collect();
    for n in &c.resolved.nodes {
        for dir in [Direction::Ingress, Direction::Egress] {
            let here: Vec<&ExistingRule> = existing
                .iter()
                .filter(|e| e.node == n.name && e.direction == dir.as_str())
                .collect();
            let required: Vec<_> = c
                .rules
                .values()
                .filter(|r| *r.node == *n.name && r.direction == dir)
                .collect();
            let mut touched: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for proto in ["tcp", "udp", "icmp", "other"] {
                let ps: &[u16] = if matches!(proto, "tcp" | "udp") {
                    &ports
                } else {
                    &[0]
                };
                for &port in ps {
                    for addr in &addrs {
                        let req = |r: &&&portmap_core::Rule| {
                            r.protocol.as_str() == proto
                                && r.ports.contains(port)
                                && peer_has(c, &r.peer, addr)
                        };
                        let required_here = required.iter().any(|r| req(&r));
                        let mut any_allowed = false;
                        for e in &here {
                            let allowed = allows(c, e, proto, port, addr);
                            any_allowed |= allowed;
                            let in_excess = excess.get(e.id.as_str()).is_some_and(|os| {
                                os.iter().any(|o| opening_has(o, proto, port, addr))
                            });
                            assert_eq!(
                                in_excess,
                                allowed && !required_here,
                                "excess of {} at {proto}/{port} {addr:?}",
                                e.id
                            );
                            if allowed {
                                for r in required.iter().filter(req) {
                                    for f in c.rule_flows(r) {
                                        if f.ports.contains(port) {
                                            touched
                                                .entry(e.id.as_str())
                                                .or_default()
                                                .insert(&f.key);
                                        }
                                    }
                                }
                            }
                        }
                        for r in required.iter().filter(req) {
                            let in_missing = a.missing.get(&*r.key).is_some_and(|m| {
                                m.openings.iter().any(|o| opening_has(o, proto, port, addr))
                            });
                            assert_eq!(
                                in_missing, !any_allowed,
                                "missing of {} at {proto}/{port} {addr:?}",
                                r.key
                            );
                        }
                    }
                }
            }
            for e in &here {
                let want: Vec<&str> = touched
                    .get(e.id.as_str())
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default();
                let got: Vec<&str> = a.covered[&e.id].iter().map(String::as_str).collect();
                assert_eq!(got, want, "covered flows of {}", e.id);
            }
        }
    }
    // Every required rule not listed as missing is wholly allowed; every
    // rule listed is at least partly missing (checked above point by point),
    // and the counts add up.
    assert_eq!(
        a.summary.required_rules_allowed + a.summary.missing_rules,
        c.rules.len()
    );
    assert_eq!(
        a.summary.justified_rules + a.summary.rules_to_narrow + a.summary.rules_to_delete,
        existing.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn covered_and_excess_are_exactly_what_existing_rules_allow((t, existing) in scenario()) {
        let catalog = Catalog::builtin().unwrap();
        let Ok(c) = compute(&t, catalog) else { return Ok(()) };
        check(&c, &existing);
    }
}

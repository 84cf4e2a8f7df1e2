//! The hub-firewall shapes are exact on every example topology: every
//! (source address, destination address, protocol, port) an emitted rule
//! allows is required by a flow crossing a zone boundary between nodes
//! holding those addresses, and every crossing flow is served by a rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use portmap_core::catalog::Protocol;
use portmap_core::cloud::aws_network_firewall::{self, AwsNetworkFirewallOptions};
use portmap_core::cloud::azure_firewall::{self, AzureFirewallOptions};
use portmap_core::flows::FlowRecord;
use portmap_core::{Catalog, Computation, Topology};

fn examples() -> Vec<(String, Computation<'static>)> {
    let dir = format!("{}/../../examples", env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut files: Vec<std::path::PathBuf> =
        entries.iter().map(|p| p.join("topology.yaml")).collect();
    // The 1E platform's DMZ deployment (seed 001) with zones.
    files.push(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/1e-platform-zones.yaml"),
    );
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let t: Topology = serde_norway::from_str(&text).unwrap();
        let c = portmap_core::compute(&t, Catalog::builtin().unwrap())
            .unwrap_or_else(|e| panic!("{}: {e:#?}", file.display()));
        out.push((file.display().to_string(), c));
    }
    for zoned in ["spotfire-dmz", "1e-platform-zones"] {
        let (_, c) = out.iter().find(|(n, _)| n.contains(zoned)).unwrap();
        assert!(!crossing(c).is_empty(), "{zoned}: no crossing flow");
    }
    out
}

fn crossing<'a>(c: &'a Computation<'_>) -> Vec<&'a FlowRecord<'a>> {
    c.flows
        .iter()
        .filter(|f| f.needs_rule())
        .filter(|f| {
            let (a, b) = (c.node(&f.from_node).unwrap(), c.node(&f.to_node).unwrap());
            a.zone != b.zone
        })
        .collect()
}

/// Whether a node is named by `endpoint` (a CIDR or its ref).
fn names(c: &Computation<'_>, node: &str, endpoint: &str) -> bool {
    let n = c.node(node).unwrap();
    n.cidrs.iter().any(|x| x.to_string() == endpoint) || n.reference.as_deref() == Some(endpoint)
}

fn required(
    c: &Computation<'_>,
    flows: &[&FlowRecord<'_>],
    src: &str,
    dst: &str,
    protocol: Protocol,
    port: u16,
) -> bool {
    flows.iter().any(|f| {
        f.protocol == protocol
            && f.ports.contains(port)
            && names(c, &f.from_node, src)
            && names(c, &f.to_node, dst)
    })
}

fn protocol(text: &str) -> Protocol {
    match text {
        "TCP" => Protocol::Tcp,
        "UDP" => Protocol::Udp,
        other => panic!("protocol {other}"),
    }
}

fn ports(text: &str, sep: char) -> (u16, u16) {
    let (a, b) = text.split_once(sep).unwrap_or((text, text));
    (a.parse().unwrap(), b.parse().unwrap())
}

#[test]
fn every_azure_firewall_rule_allows_only_what_crossing_flows_require() {
    for (name, c) in examples() {
        let flows = crossing(&c);
        let (out, _) = azure_firewall::shape(&c, &AzureFirewallOptions::default());
        let mut served = std::collections::BTreeSet::new();
        for k in &out.rule_collections {
            for r in &k.rules {
                let p = protocol(&r.protocols[0]);
                assert_eq!(r.protocols.len(), 1);
                assert!(r.source_addresses.is_empty() || r.source_ip_groups.is_empty());
                assert!(r.destination_addresses.is_empty() || r.destination_ip_groups.is_empty());
                for s in r.source_addresses.iter().chain(&r.source_ip_groups) {
                    for d in r
                        .destination_addresses
                        .iter()
                        .chain(&r.destination_ip_groups)
                    {
                        for range in &r.destination_ports {
                            let (from, to) = ports(range, '-');
                            for port in from..=to {
                                assert!(
                                    required(&c, &flows, s, d, p, port),
                                    "{name}: {} allows {s} -> {d} {p:?}/{port}",
                                    r.name
                                );
                            }
                        }
                    }
                }
                served.extend(r.flows.iter().cloned());
            }
        }
        for f in &flows {
            assert!(served.contains(&*f.key), "{name}: {} unserved", f.key);
        }
    }
}

#[test]
fn every_aws_network_firewall_rule_allows_only_what_crossing_flows_require() {
    for (name, c) in examples() {
        let flows = crossing(&c);
        let (out, _) = aws_network_firewall::shape(&c, &AwsNetworkFirewallOptions::default());
        let mut served = std::collections::BTreeSet::new();
        let mut sids = std::collections::BTreeSet::new();
        for r in &out.rules {
            let p = protocol(&r.protocol);
            let (from, to) = ports(&r.destination_port, ':');
            for port in from..=to {
                assert!(
                    required(&c, &flows, &r.source, &r.destination, p, port),
                    "{name}: {} allows port {port}",
                    r.key
                );
            }
            assert!(sids.insert(r.sid), "{name}: sid {} twice", r.sid);
            served.extend(r.flows.iter().cloned());
        }
        assert_eq!(out.capacity, out.rules.len() as u64);
        for f in &flows {
            assert!(served.contains(&*f.key), "{name}: {} unserved", f.key);
        }
    }
}

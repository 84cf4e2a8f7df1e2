//! Test helpers for the cloud shapes: topologies from the built-in catalog,
//! and the (peer address, protocol, port) sets flows require.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, Protocol};
use crate::ports::{PortRange, PortSet};
use crate::rules::{Computation, Direction};
use crate::topology::{Exposure, Node, NodeKind, ProductConfig, ResolvedNode, Topology};

/// A node from a spec `components | cidrs | options`, each part
/// space-separated; the options are `group`, `internet-facing`, `untrusted`
/// and `ref=<ref>` (defaults: host, internal, no ref).
pub fn n(spec: &str) -> Node {
    let mut parts = spec
        .split('|')
        .map(|p| p.split_whitespace().map(str::to_string).collect::<Vec<_>>());
    let components = parts.next().unwrap_or_default();
    let cidrs = parts.next().unwrap_or_default();
    let mut node = Node {
        components,
        cidrs,
        ..Node::default()
    };
    for o in parts.next().unwrap_or_default() {
        match o.as_str() {
            "group" => node.kind = NodeKind::Group,
            o if o.starts_with("ref=") => node.reference = Some(o["ref=".len()..].to_string()),
            o => node.exposure = Exposure::parse(o).unwrap_or_else(|| panic!("node option {o}")),
        }
    }
    node
}

/// The computation of a topology against the built-in catalog; panics on
/// errors.
pub fn compute(nodes: Vec<(&str, Node)>, features: &[(&str, &[&str])]) -> Computation<'static> {
    let t = Topology {
        nodes: nodes.into_iter().map(|(k, n)| (k.to_string(), n)).collect(),
        products: features
            .iter()
            .map(|(p, fs)| {
                (
                    p.to_string(),
                    ProductConfig {
                        features: fs.iter().map(|s| s.to_string()).collect(),
                        ..ProductConfig::default()
                    },
                )
            })
            .collect(),
        ..Topology::default()
    };
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("built-in catalog: {e:?}"),
    };
    match crate::compute(&t, catalog) {
        Ok(c) => c,
        Err(e) => panic!("compute: {e:#?}"),
    }
}

/// What a shape allows: (node, direction, peer endpoint, protocol) → ports.
/// An endpoint is a CIDR or `ref:<ref>`.
pub type Openings = BTreeMap<(String, Direction, String, Protocol), PortSet>;

/// Adds an opening.
pub fn open(o: &mut Openings, node: &str, d: Direction, endpoint: &str, p: Protocol, r: PortRange) {
    o.entry((node.to_string(), d, endpoint.to_string(), p))
        .or_default()
        .insert(r);
}

/// The openings the firewall flows require, with the peer endpoints a shape
/// uses: `endpoints(direction, node, peer)`.
pub fn required(
    c: &Computation<'_>,
    endpoints: &dyn Fn(Direction, &ResolvedNode, &ResolvedNode) -> Vec<String>,
) -> Openings {
    let mut o = Openings::new();
    for f in c.flows.iter().filter(|f| f.needs_rule()) {
        let (Some(a), Some(b)) = (c.node(&f.from_node), c.node(&f.to_node)) else {
            continue;
        };
        for e in endpoints(Direction::Ingress, b, a) {
            open(&mut o, &b.name, Direction::Ingress, &e, f.protocol, f.ports);
        }
        for e in endpoints(Direction::Egress, a, b) {
            open(&mut o, &a.name, Direction::Egress, &e, f.protocol, f.ports);
        }
    }
    o
}

/// The peer's CIDRs as endpoints.
pub fn cidrs(peer: &ResolvedNode) -> Vec<String> {
    peer.cidrs.iter().map(ToString::to_string).collect()
}

/// Parses `443` or `5701-5703`.
pub fn range(text: &str) -> PortRange {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    match (a.parse(), b.parse()) {
        (Ok(a), Ok(b)) => PortRange::new(a, b),
        _ => panic!("not a port range: {text}"),
    }
}

/// A SEAL PLOSSYS cluster (dual stack) with job clients (dual stack) and
/// administrators (with an application security group ref).
pub fn plossys_nodes() -> Vec<(&'static str, Node)> {
    vec![
        (
            "oe",
            n("plossys/output-engine | 10.1.0.0/28 2001:db8:1::/64 | group"),
        ),
        (
            "clients",
            n("plossys/client | 10.2.0.0/16 2001:db8:2::/48 | group"),
        ),
        (
            "admins",
            n("plossys/admin | 10.3.0.0/24 | group ref=asg-admins"),
        ),
    ]
}

/// A 1E platform server with its SQL Server, a DMZ server for internet
/// clients, and the parties they talk to.
pub fn dmz_nodes() -> Vec<(&'static str, Node)> {
    vec![
        (
            "server",
            n("1e-platform/server | 10.10.0.10 | ref=tag-server"),
        ),
        (
            "sql",
            n("1e-platform/sql-server | 10.10.1.10 | ref=tag-sql"),
        ),
        (
            "dmz",
            n("1e-platform/dmz-server | 192.0.2.10 2001:db8:d::10 | internet-facing ref=tag-dmz"),
        ),
        (
            "internet",
            n("1e-platform/internet-client | 0.0.0.0/0 ::/0 | group untrusted"),
        ),
        (
            "clients",
            n("1e-platform/client 1e-platform/browser | 10.20.0.0/16 | group"),
        ),
        (
            "crl",
            n("1e-platform/crl-distribution-point | 203.0.113.0/24 | group untrusted"),
        ),
        ("mail", n("1e-platform/smtp-relay | 10.10.2.25")),
        (
            "cloud",
            n("1e-platform/cloud-services | 0.0.0.0/0 | group untrusted"),
        ),
    ]
}

/// Scenarios covering every peer and node-side combination: IPv4 and IPv6,
/// refs, groups with flows inside, the internet, wide ranges.
pub fn scenarios() -> Vec<(&'static str, Computation<'static>)> {
    let monitoring = vec![("monitoring", n("plossys/monitoring | 10.4.0.10"))];
    let tarantella = vec![
        (
            "tts",
            n("tarantella/server |  | group internet-facing ref=tts"),
        ),
        (
            "apps",
            n("tarantella/application-server | 10.0.1.0/24 | group"),
        ),
        ("securid", n("tarantella/securid-server |  | ref=securid")),
        (
            "clients",
            n("tarantella/client | 0.0.0.0/0 | group untrusted"),
        ),
    ];
    vec![
        (
            "plossys cluster, dual stack",
            compute([plossys_nodes(), monitoring].concat(), &[]),
        ),
        ("1e platform with a dmz", compute(dmz_nodes(), &[])),
        (
            "tarantella with wide ranges and tag-only peers",
            compute(tarantella, &[("tarantella", &["x-applications", "telnet"])]),
        ),
    ]
}

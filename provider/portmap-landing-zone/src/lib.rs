//! Generated landing zones for the benchmarks: realistic topologies of any
//! size that mix all five built-in products.
//!
//! Shared by portmap-core's criterion benches (`benches/engine.rs`) and its
//! `landing_zone` example (which writes a topology file for the end-to-end
//! benchmark, `scripts/bench`), so both measure the same topologies.
//!
//! # Shape
//!
//! A landing zone is a **hub** holding one installation of each product and
//! **spokes** (sites, VPCs, VNets) holding what uses the hub:
//!
//! - The hub's first ten nodes are each product's main server (a host) and
//!   its clients (a group), so even the 10-node zone mixes all five
//!   products, hosts and groups. Then come the hub's other hosts, product by
//!   product: SQL Servers, the 1E DMZ server, the second and third Spotfire
//!   servers, node managers and database, the second and third Tarantella
//!   array members (the Netlet port series follows the array size), the
//!   PLOSSYS cluster, LDAP/AD, SMTP, the internet (untrusted) and roaming
//!   clients.
//! - Each spoke is ten nodes: six client groups (Tachyon and 1E endpoints,
//!   Spotfire users, Tarantella users, SAP systems printing through PLOSSYS,
//!   administrators' workstations) and four hosts that only the hub talks to
//!   (a Spotfire data source, Tarantella Unix and Windows application servers
//!   and a PLOSSYS island checkout).
//!
//! Groups have an IPv4 and an IPv6 CIDR; hosts a /32, and every other one a
//! /128 too. Every product is configured: settings overridden (1E Switch and
//! DMZ Switch counts, which expand into port series; SQL named-instance
//! ports; Spotfire data-connector ports), features on (named SQL instances,
//! HTTPS connector, PostgreSQL, LDAPS with global catalog, Kerberos,
//! information services, Tarantella printing, security pack and load
//! balancing, PLOSSYS Keycloak) and one default feature off.
//!
//! Components whose number grows with the zone only ever connect to the
//! hub, never to each other, so flows and rules grow linearly with the
//! spokes, as they do in a real landing zone. (Placing one component on
//! thousands of hosts that all talk to each other would make the number of
//! flows quadratic: that is a cluster's nature, not a cost of the engine.)
//!
//! The same size always gives the same topology.

// Each bench or example that includes this module uses part of it.

use std::collections::BTreeMap;

use portmap_core::Topology;
use portmap_core::topology::{Exposure, Node, NodeKind, ProductConfig, SettingInput};

/// Nodes per spoke.
pub const SPOKE_NODES: usize = 10;

/// The sizes the benchmarks use.
pub const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn node(components: &[&str], cidrs: Vec<String>, kind: NodeKind) -> Node {
    Node {
        components: components.iter().map(|c| (*c).to_string()).collect(),
        cidrs,
        reference: None,
        kind,
        exposure: Exposure::Internal,
        description: None,
        ..Node::default()
    }
}

fn host(components: &[&str], v4: String, v6: Option<String>) -> Node {
    let mut cidrs = vec![v4];
    cidrs.extend(v6);
    node(components, cidrs, NodeKind::Host)
}

fn group(components: &[&str], v4: String, v6: String) -> Node {
    node(components, vec![v4, v6], NodeKind::Group)
}

/// The hub, most important nodes first: any prefix of it is a valid zone.
fn hub() -> Vec<(String, Node)> {
    let h4 = |third: u8, fourth: u8| format!("10.0.{third}.{fourth}/32");
    let h6 = |n: u16| Some(format!("2001:db8:ffff:1::{n:x}/128"));
    let g6 = |n: u16| format!("2001:db8:ffff:{n:x}::/64");
    let mut v: Vec<(&str, Node)> = vec![
        // Each product's main server and its clients.
        (
            "hub-t5-server",
            host(&["tachyon-5/server"], h4(1, 10), h6(0x110)),
        ),
        (
            "hub-t5-endpoints",
            group(&["tachyon-5/client"], "10.1.0.0/16".into(), g6(0x100)),
        ),
        (
            "hub-1e-server",
            host(&["1e-platform/server"], h4(2, 10), h6(0x210)),
        ),
        (
            "hub-1e-endpoints",
            group(
                &["1e-platform/client", "1e-platform/browser"],
                "10.2.0.0/16".into(),
                g6(0x200),
            ),
        ),
        ("hub-sf-1", host(&["spotfire/server"], h4(3, 11), h6(0x311))),
        (
            "hub-sf-users",
            group(&["spotfire/client"], "10.3.0.0/16".into(), g6(0x300)),
        ),
        (
            "hub-sgd-1",
            host(&["tarantella/server"], h4(4, 11), h6(0x411)),
        ),
        (
            "hub-sgd-users",
            group(
                &["tarantella/client", "tarantella/netlet-applet"],
                "10.4.0.0/16".into(),
                g6(0x400),
            ),
        ),
        (
            "hub-oe-1",
            host(&["plossys/output-engine"], h4(5, 11), h6(0x511)),
        ),
        (
            "hub-sap",
            group(&["plossys/client"], "10.5.0.0/24".into(), g6(0x500)),
        ),
        // The hub's other hosts.
        (
            "hub-t5-sql",
            host(&["tachyon-5/sql-server"], h4(1, 20), None),
        ),
        ("hub-t5-ssas", host(&["tachyon-5/ssas"], h4(1, 21), None)),
        (
            "hub-t5-catalog",
            host(&["tachyon-5/catalog-server"], h4(1, 30), None),
        ),
        (
            "hub-t5-catalog-sql",
            host(&["tachyon-5/catalog-sql"], h4(1, 31), None),
        ),
        (
            "hub-1e-sql",
            host(&["1e-platform/sql-server"], h4(2, 20), None),
        ),
        (
            "hub-1e-dmz",
            Node {
                exposure: Exposure::InternetFacing,
                ..host(&["1e-platform/dmz-server"], "192.0.2.10/32".into(), None)
            },
        ),
        ("hub-sf-2", host(&["spotfire/server"], h4(3, 12), h6(0x312))),
        ("hub-sf-3", host(&["spotfire/server"], h4(3, 13), h6(0x313))),
        (
            "hub-sf-nm-wp",
            host(
                &[
                    "spotfire/node-manager",
                    "spotfire/web-player",
                    "spotfire/python-service",
                ],
                h4(3, 21),
                None,
            ),
        ),
        (
            "hub-sf-nm-as",
            host(
                &[
                    "spotfire/node-manager",
                    "spotfire/automation-services",
                    "spotfire/terr-service",
                ],
                h4(3, 22),
                None,
            ),
        ),
        ("hub-sf-db", host(&["spotfire/database"], h4(3, 30), None)),
        (
            "hub-sf-monitoring",
            host(&["spotfire/monitoring-client"], h4(3, 40), None),
        ),
        (
            "hub-sgd-2",
            host(&["tarantella/server"], h4(4, 12), h6(0x412)),
        ),
        (
            "hub-sgd-3",
            host(&["tarantella/server"], h4(4, 13), h6(0x413)),
        ),
        (
            "hub-sgd-portal",
            host(&["tarantella/portal-server"], h4(4, 20), None),
        ),
        (
            "hub-oe-2",
            host(&["plossys/output-engine"], h4(5, 12), h6(0x512)),
        ),
        (
            "hub-oe-3",
            host(&["plossys/output-engine"], h4(5, 13), h6(0x513)),
        ),
        (
            "hub-plossys-monitoring",
            host(&["plossys/monitoring"], h4(5, 20), None),
        ),
        (
            "hub-plossys-dpf",
            host(&["plossys/dpf-server"], h4(5, 21), None),
        ),
        (
            "hub-dc",
            host(
                &[
                    "spotfire/ldap-server",
                    "spotfire/domain-controller",
                    "tarantella/ldap-server",
                    "tarantella/windows-server",
                ],
                h4(9, 10),
                h6(0x910),
            ),
        ),
        (
            "hub-smtp",
            host(
                &[
                    "tachyon-5/smtp-relay",
                    "1e-platform/smtp-relay",
                    "spotfire/smtp-server",
                ],
                h4(9, 25),
                None,
            ),
        ),
        (
            "hub-admins",
            group(
                &["tachyon-5/browser", "plossys/admin"],
                "10.0.200.0/24".into(),
                g6(0x9200),
            ),
        ),
        (
            "internet",
            Node {
                exposure: Exposure::Untrusted,
                description: Some("Vendor clouds and CRL distribution points".into()),
                ..group(
                    &[
                        "tachyon-5/cloud-services",
                        "1e-platform/cloud-services",
                        "1e-platform/crl-distribution-point",
                    ],
                    "0.0.0.0/0".into(),
                    "::/0".into(),
                )
            },
        ),
        (
            "roaming",
            Node {
                exposure: Exposure::Untrusted,
                description: Some("Internet-facing 1E clients".into()),
                ..group(
                    &["1e-platform/internet-client"],
                    "0.0.0.0/0".into(),
                    "::/0".into(),
                )
            },
        ),
    ];
    v.drain(..).map(|(n, node)| (n.to_string(), node)).collect()
}

/// Nodes in the hub.
pub fn hub_nodes() -> usize {
    hub().len()
}

/// Spoke `i` (0-based): ten nodes, in its own 10.64.0.0/10 /22 and
/// 2001:db8::/32 /48.
fn spoke(i: usize) -> Vec<(String, Node)> {
    // A /22 per spoke: 1,024 addresses from 10.64.0.0 on.
    let base = (10u32 << 24) | (64 << 16) | ((i as u32) << 10);
    let v4 = |offset: u32, prefix: u8| {
        let a = base + offset;
        format!(
            "{}.{}.{}.{}/{prefix}",
            a >> 24,
            (a >> 16) & 255,
            (a >> 8) & 255,
            a & 255
        )
    };
    let v6_net = |n: u16| format!("2001:db8:{:x}:{n:x}::/64", i + 1);
    let v6_host = |n: u16| format!("2001:db8:{:x}:ff::{n:x}/128", i + 1);
    let alternate = |n: u16| i.is_multiple_of(2).then(|| v6_host(n));
    let p = format!("s{i:04}");
    vec![
        (
            format!("{p}-t5-endpoints"),
            group(&["tachyon-5/client"], v4(0, 24), v6_net(1)),
        ),
        (
            format!("{p}-1e-endpoints"),
            group(&["1e-platform/client"], v4(256, 24), v6_net(2)),
        ),
        (
            format!("{p}-sf-users"),
            group(&["spotfire/client"], v4(512, 25), v6_net(3)),
        ),
        (
            format!("{p}-sgd-users"),
            group(
                &["tarantella/client", "tarantella/netlet-applet"],
                v4(640, 25),
                v6_net(4),
            ),
        ),
        (
            format!("{p}-sap"),
            group(&["plossys/client"], v4(768, 26), v6_net(5)),
        ),
        (
            format!("{p}-admins"),
            group(
                &["1e-platform/browser", "tachyon-5/browser", "plossys/admin"],
                v4(832, 27),
                v6_net(6),
            ),
        ),
        (
            format!("{p}-sf-data"),
            host(&["spotfire/data-source"], v4(1000, 32), alternate(1)),
        ),
        (
            format!("{p}-apps-unix"),
            host(
                &["tarantella/application-server"],
                v4(1001, 32),
                alternate(2),
            ),
        ),
        (
            format!("{p}-apps-win"),
            host(
                &["tarantella/application-server", "tarantella/windows-server"],
                v4(1002, 32),
                alternate(3),
            ),
        ),
        (
            format!("{p}-print"),
            host(&["plossys/island-checkout"], v4(1003, 32), alternate(4)),
        ),
    ]
}

fn product(
    settings: &[(&str, SettingInput)],
    features: &[&str],
    disabled: &[&str],
) -> ProductConfig {
    ProductConfig {
        settings: settings
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
        features: features.iter().map(|f| (*f).to_string()).collect(),
        disabled_features: disabled.iter().map(|f| (*f).to_string()).collect(),
        ..ProductConfig::default()
    }
}

/// The products' configuration: settings and features of every product.
fn products() -> BTreeMap<String, ProductConfig> {
    use SettingInput::{Number, Text};
    [
        (
            "tachyon-5",
            product(
                &[
                    ("switch_port", Number(4100)),
                    ("sql_instance_ports", Text("1533".into())),
                ],
                &["named-sql-instance"],
                &[],
            ),
        ),
        (
            "1e-platform",
            product(
                &[
                    ("switch_count", Number(4)),
                    ("dmz_switch_count", Number(2)),
                    ("sql_instance_ports", Text("1533, 1534".into())),
                ],
                &["named-sql-instance"],
                &[],
            ),
        ),
        (
            "spotfire",
            product(
                &[("data_connector_ports", Text("1433, 5432, 8080-8081".into()))],
                &[
                    "https-connector",
                    "database-postgresql",
                    "ldaps",
                    "global-catalog",
                    "kerberos",
                    "info-services-oracle",
                ],
                &["http-connector"],
            ),
        ),
        (
            "tarantella",
            product(
                &[],
                &["ldaps", "printing", "security-pack", "load-balancing"],
                &["webtop-http"],
            ),
        ),
        ("plossys", product(&[], &["keycloak"], &[])),
    ]
    .into_iter()
    .map(|(id, cfg)| (id.to_string(), cfg))
    .collect()
}

/// A landing zone of exactly `nodes` nodes: the hub (cut to `nodes` when
/// smaller), then spokes, the last one cut to fit.
pub fn landing_zone(nodes: usize) -> Topology {
    let mut all = hub();
    all.truncate(nodes);
    let mut i = 0;
    while all.len() < nodes {
        let need = nodes - all.len();
        all.extend(spoke(i).into_iter().take(need));
        i += 1;
    }
    Topology {
        nodes: all.into_iter().collect(),
        products: products(),
        ..Topology::default()
    }
}

/// A mesh of `sites` Spotfire sites (for the CLI benchmarks of
/// docs/performance.md): each site hosts a server with a node manager, a
/// SQL Server database and a group of users, all in one implicit
/// installation, so every user reaches every server and every server every
/// database: flows and rules grow with the square of the sites, unlike a
/// landing zone's spokes.
pub fn mesh(sites: usize) -> Topology {
    let mut nodes = BTreeMap::new();
    for i in 0..sites {
        let (high, low) = (i / 250, i % 250);
        nodes.insert(
            format!("srv-{i}"),
            host(
                &["spotfire/server", "spotfire/node-manager"],
                format!("10.{high}.{low}.11/32"),
                None,
            ),
        );
        nodes.insert(
            format!("db-{i}"),
            host(
                &["spotfire/database"],
                format!("10.{high}.{low}.12/32"),
                None,
            ),
        );
        nodes.insert(
            format!("users-{i}"),
            node(
                &["spotfire/client"],
                vec![format!("10.{}.{low}.0/24", 100 + high)],
                NodeKind::Group,
            ),
        );
    }
    Topology {
        nodes,
        products: [(
            "spotfire".to_string(),
            product(&[], &["database-sqlserver"], &[]),
        )]
        .into_iter()
        .collect(),
        ..Topology::default()
    }
}

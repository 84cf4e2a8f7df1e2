//! Mistakes accepted silently before issue 23, now warnings at the exact
//! attribute: two nodes with the same address, a port setting equal to
//! another port the same server listens on, two alternatives of an
//! exclusive feature group enabled together. Each case names the warning
//! (path and summary) expected, or none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portmap_core::issue::Severity;
use portmap_core::topology::Topology;
use portmap_core::{Catalog, compute};

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("built-in catalog")
}

/// The warnings of a topology (it must compute), as (path, summary).
fn warnings(yaml: &str) -> Vec<(String, String)> {
    let t: Topology = serde_norway::from_str(yaml).expect("topology YAML");
    let c = match compute(&t, catalog()) {
        Ok(c) => c,
        Err(e) => panic!("compute failed: {e:#?}"),
    };
    c.issues
        .into_iter()
        .filter(|i| i.severity == Severity::Warning)
        .map(|i| (i.path.to_string(), i.summary))
        .collect()
}

/// Runs cases of (name, topology, summary prefix that selects the
/// warnings of the kind under test, the expected (path, summary) of that
/// kind).
/// One case: its name, the topology, the expected (path, summary) list.
type Case<'a> = (&'a str, String, &'a [(&'a str, &'a str)]);

fn check_cases(kind: &str, cases: &[Case<'_>]) {
    for (name, yaml, expected) in cases {
        let found: Vec<(String, String)> = warnings(yaml)
            .into_iter()
            .filter(|(_, summary)| summary.contains(kind))
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect();
        assert_eq!(found, expected, "{name}");
    }
}

#[test]
fn two_nodes_with_the_same_address() {
    let cases: &[Case<'_>] = &[
        (
            "the same single address, written two ways: at the second node",
            r#"
nodes:
  app: { components: [tachyon-5/master-stack], cidrs: [10.0.0.1] }
  sql: { components: [tachyon-5/sql-server], cidrs: [10.0.0.9/32, 10.0.0.1/32] }
"#
            .into(),
            &[(
                "nodes[\"sql\"].cidrs[1]",
                "Address 10.0.0.1/32 is also an address of node \"app\"",
            )],
        ),
        (
            "three nodes on one subnet: the second and the third name the first",
            r#"
nodes:
  a: { components: [tachyon-5/master-stack], cidrs: [10.0.0.0/24] }
  b: { components: [tachyon-5/sql-server], cidrs: [10.0.0.0/24] }
  c: { components: [tachyon-5/client], cidrs: [10.0.0.0/24], kind: group }
"#
            .into(),
            &[
                (
                    "nodes[\"b\"].cidrs[0]",
                    "Address 10.0.0.0/24 is also an address of node \"a\"",
                ),
                (
                    "nodes[\"c\"].cidrs[0]",
                    "Address 10.0.0.0/24 is also an address of node \"a\"",
                ),
            ],
        ),
        (
            "overlapping but not equal networks",
            r#"
nodes:
  app: { components: [tachyon-5/master-stack], cidrs: [10.0.0.1] }
  clients: { components: [tachyon-5/client], cidrs: [10.0.0.0/24], kind: group }
"#
            .into(),
            &[],
        ),
        (
            "the whole internet stands for anywhere, not one network",
            r#"
nodes:
  master: { components: [1e-platform/master-stack], cidrs: [10.40.1.10] }
  dmz: { components: [1e-platform/dmz-server], cidrs: [192.0.2.10], exposure: internet-facing }
  roaming: { components: [1e-platform/internet-client], cidrs: [0.0.0.0/0], kind: group, exposure: untrusted }
  internet: { components: [1e-platform/crl-distribution-point], cidrs: [0.0.0.0/0], kind: group, exposure: untrusted }
"#
            .into(),
            &[],
        ),
    ];
    check_cases("is also an address of node", cases);
}

/// Spotfire's ports (seed 002, "Internal ports"): the public HTTP port 80,
/// the HTTPS connector port 443 and the server back-end registration port
/// 9080 on Spotfire Server; the node manager registration port 9080 and
/// communication port 9443 on node managers.
const SPOTFIRE: &str = r#"
nodes:
  sf: { components: [spotfire/server], cidrs: [10.0.0.1] }
  nm: { components: [spotfire/node-manager, spotfire/web-player], cidrs: [10.0.0.2] }
  db: { components: [spotfire/database], cidrs: [10.0.0.3] }
  users: { components: [spotfire/client], cidrs: [10.8.0.0/16], kind: group }
"#;

/// Spotfire Server and a node manager on one machine.
const SPOTFIRE_ONE_MACHINE: &str = r#"
nodes:
  sf: { components: [spotfire/server, spotfire/node-manager], cidrs: [10.0.0.1] }
  db: { components: [spotfire/database], cidrs: [10.0.0.3] }
  users: { components: [spotfire/client], cidrs: [10.8.0.0/16], kind: group }
"#;

#[test]
fn a_port_setting_equal_to_another_port_of_the_same_server() {
    // Products configured with `features` (the database type is always
    // chosen) and `settings`.
    let spotfire = |features: &str, settings: &str| {
        format!(
            "{SPOTFIRE}products:\n  spotfire: {{ features: [database-postgresql{features}], settings: {{ {settings} }} }}\n"
        )
    };
    let one_machine = |features: &str, settings: &str| {
        format!(
            "{SPOTFIRE_ONE_MACHINE}products:\n  spotfire: {{ features: [database-postgresql{features}], settings: {{ {settings} }} }}\n"
        )
    };
    let cases: &[Case<'_>] = &[
        ("the defaults", spotfire("", ""), &[]),
        (
            "the HTTP port on the registration port",
            spotfire("", "http_port: 9080"),
            &[(
                "products[\"spotfire\"].settings[\"http_port\"]",
                "spotfire: http_port = 9080 is also the Server back-end registration port (`server_registration_port`)",
            )],
        ),
        ("another free port", spotfire("", "http_port: 8080"), &[]),
        (
            "the node manager's port equal to the server's, on different machines",
            spotfire(", https-connector", "nm_communication_port: 443"),
            &[],
        ),
        (
            "the node manager's port equal to the server's, on one machine",
            one_machine(", https-connector", "nm_communication_port: 443"),
            &[(
                "products[\"spotfire\"].settings[\"nm_communication_port\"]",
                "spotfire: nm_communication_port = 443 is also the HTTPS connector port (`https_port`)",
            )],
        ),
        (
            "a port of a feature that is off",
            one_machine("", "nm_communication_port: 443"),
            &[],
        ),
        (
            "two settings set to one port: one warning, at the first",
            spotfire(", https-connector", "http_port: 8000, https_port: 8000"),
            &[(
                "products[\"spotfire\"].settings[\"http_port\"]",
                "spotfire: http_port = 8000 is also the HTTPS connector port (`https_port`)",
            )],
        ),
    ];
    check_cases(" is also ", cases);
}

#[test]
fn two_alternatives_of_an_exclusive_group_enabled_together() {
    let spotfire = |features: &str| {
        format!(
            "{SPOTFIRE}  ldap: {{ components: [spotfire/ldap-server], cidrs: [10.0.0.4] }}\nproducts:\n  spotfire: {{ features: [{features}] }}\n"
        )
    };
    let cases: &[Case<'_>] = &[
        ("one database type", spotfire("database-postgresql"), &[]),
        (
            "two database types",
            spotfire("database-postgresql, database-oracle"),
            &[(
                "products[\"spotfire\"].features",
                "spotfire: database-oracle and database-postgresql are alternatives, and both are enabled",
            )],
        ),
        (
            "LDAPS chosen while LDAP is automatic: a choice, not a conflict",
            spotfire("database-postgresql, ldaps"),
            &[],
        ),
        (
            "a non-exclusive group: both connectors",
            spotfire("database-postgresql, https-connector, http-connector"),
            &[],
        ),
    ];
    check_cases("are alternatives", cases);
}

//! One realistic topology per product (examples/<product>/), planned and
//! applied through a real Terraform, with the exact expected rules worked out
//! by hand from the vendor tables. The expectations below are transcribed
//! from the documents in provider/portmap-core/catalog/sources/, not from the
//! catalog or the program's output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use portmap_acceptance_tests::{Workspace, repo_root};
use serde_json::Value as Json;

/// Applies examples/<name> and returns its outputs.
fn run_example(name: &str) -> Json {
    let ws = Workspace::empty();
    ws.copy_dir(&repo_root().join("examples").join(name));
    ws.apply_outputs()
}

/// The rule keys for a flow A → B on one protocol and port(s): B's ingress
/// from A and A's egress to B.
fn both(out: &mut BTreeSet<String>, from: &str, to: &str, proto: &str, ports: &str) {
    out.insert(format!("{to}:ingress:{from}:{proto}:{ports}"));
    out.insert(format!("{from}:egress:{to}:{proto}:{ports}"));
}

fn rule_keys(outputs: &Json) -> BTreeSet<String> {
    outputs["rules"]
        .as_object()
        .expect("rules is a map")
        .keys()
        .cloned()
        .collect()
}

fn assert_same(actual: &BTreeSet<String>, expected: &BTreeSet<String>) {
    let missing: Vec<&String> = expected.difference(actual).collect();
    let extra: Vec<&String> = actual.difference(expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "rules differ from the hand-worked expectation\nmissing: {missing:#?}\nunexpected: {extra:#?}"
    );
}

#[test]
fn tachyon_5_single_server_with_remote_sql_and_remote_catalog() {
    let out = run_example("tachyon-5");
    let mut e = BTreeSet::new();
    // "Tachyon Servers" / "Tachyon clients" (000_bf0563822ff91805.txt):
    both(&mut e, "consoles", "tachyon", "tcp", "443"); // Master Stack TCP 443 incoming; Browsers TC P 443
    both(&mut e, "consoles", "tachyon", "tcp", "80"); // Master Stack TCP 80 incoming; Browsers TC P 80
    both(&mut e, "endpoints", "tachyon", "tcp", "443"); // Response Stack 443 (Background Channel)
    both(&mut e, "endpoints", "tachyon", "tcp", "4000"); // Response Stack 4000 wss; clients "TC P 4000"
    both(&mut e, "tachyon", "internet", "tcp", "443"); // Master Stack 443 outgoing to the 1E Cloud
    both(&mut e, "tachyon", "smtp", "tcp", "25"); // Master Stack TCP 25 SMTP outgoing
    both(&mut e, "tachyon", "sql", "tcp", "1433"); // Master and Response Stack TDS to SQL Server
    both(&mut e, "ssas", "sql", "tcp", "1433"); // SSAS Server TCP 1433 outgoing
    both(&mut e, "tachyon", "ssas", "tcp", "2382-2383"); // Master Stack TCP 2382/3 ADOMD
    both(&mut e, "sql", "ssas", "tcp", "2382-2383"); // SQL Server (Master Stack) TCP 2382/3 ADOMD outgoing
    // "Firewall requirements for a remote Catalog Web Server":
    both(&mut e, "tachyon", "catalog", "tcp", "80"); // Master Stack 80 outgoing, Catalog Server 80 incoming
    both(&mut e, "consoles", "catalog", "tcp", "80"); // Browsers 80 to the 1E Catalog UI
    both(&mut e, "catalog", "internet", "tcp", "443"); // Catalog Server 443 to the 1E Cloud Catalog Service
    both(&mut e, "catalog", "catalog-sql", "tcp", "1433"); // Catalog Server 1433 outgoing
    assert_same(&rule_keys(&out), &e);

    let rule = &out["rules"]["sql:ingress:tachyon:tcp:1433"];
    assert_eq!(rule["peer_cidrs"], serde_json::json!(["10.10.1.10/32"]));
    assert_eq!(rule["protocol"], "tcp");
    assert_eq!(rule["from_port"], 1433);
    assert!(
        rule["description"]
            .as_str()
            .unwrap()
            .starts_with("tachyon-5: ")
    );
    // No unresolved party: every component the tables name is placed or optional.
    assert_eq!(out["unresolved"], serde_json::json!([]));
}

#[test]
fn one_e_platform_with_remote_response_stack_and_dmz() {
    let out = run_example("1e-platform");
    let mut e = BTreeSet::new();
    // "1E Servers" / "1E Clients" (001_7cc0a8afb31eb551.txt):
    both(&mut e, "consoles", "master", "tcp", "443");
    both(&mut e, "consoles", "master", "tcp", "80");
    both(&mut e, "clients", "response", "tcp", "443"); // Background Channel
    both(&mut e, "clients", "response", "tcp", "4000"); // Switch
    both(&mut e, "master", "internet", "tcp", "443"); // 1E Cloud
    both(&mut e, "master", "smtp", "tcp", "25");
    both(&mut e, "master", "sql", "tcp", "1433");
    both(&mut e, "response", "sql", "tcp", "1433");
    // Remote Response Stack table:
    both(&mut e, "master", "response", "tcp", "443"); // Coordinator/Consumer API to the Core and Background Channel
    both(&mut e, "response", "master", "tcp", "3901"); // instrumentation (ws)
    // DMZ table, with two Switches on the DMZ server (dmz_switch_count = 2):
    both(&mut e, "roaming", "dmz", "tcp", "443"); // internet-facing clients to the Background Channel
    both(&mut e, "roaming", "dmz", "tcp", "4000"); // internet-facing clients to the Switch
    both(&mut e, "master", "dmz", "tcp", "443"); // Consumer API sends content to the Background Channel
    both(&mut e, "dmz", "response", "tcp", "443"); // Switch forwards responses to the Core
    both(&mut e, "dmz", "master", "tcp", "3901"); // Switch instrumentation
    both(&mut e, "response", "dmz", "tcp", "4001-4002"); // "TCP 400n": poke ports 4001 and 4002
    both(&mut e, "dmz", "internet", "tcp", "80"); // CRL Distribution Point
    assert_same(&rule_keys(&out), &e);
    // The 7766 client UI flow stays on the device; the internal table's ports need no rule.
    let connections = out["connections"].as_array().unwrap();
    assert!(
        !connections
            .iter()
            .any(|c| c.as_str().unwrap().contains("/7766"))
    );
    assert!(
        !connections
            .iter()
            .any(|c| c.as_str().unwrap().contains("/3900"))
    );
}

#[test]
fn spotfire_three_node_cluster_with_node_managers_and_ldap() {
    let out = run_example("spotfire");
    let servers = ["spotfire-1", "spotfire-2", "spotfire-3"];
    let nms = ["node-wp", "node-as"];
    let mut e = BTreeSet::new();
    for s in servers {
        // HTTPS connector 443 from clients (the HTTP connector is disabled in this topology).
        both(&mut e, "users", s, "tcp", "443");
        for nm in nms {
            // Server back-end registration 9080 and communication 9443: node managers reach the server.
            both(&mut e, nm, s, "tcp", "9080");
            both(&mut e, nm, s, "tcp", "9443");
            // Node manager registration 9080 and communication 9443: the server reaches node managers.
            both(&mut e, s, nm, "tcp", "9080");
            both(&mut e, s, nm, "tcp", "9443");
        }
        // Service communication 9501 (Web Player on node-wp; Automation Services on node-as)
        // and TERR 9502 (on node-as): 9501 and 9502 are adjacent and both required on node-as.
        both(&mut e, s, "node-wp", "tcp", "9501");
        both(&mut e, s, "node-as", "tcp", "9501-9502");
        // Outbound: PostgreSQL 5432 to the Spotfire database, LDAP 389.
        both(&mut e, s, "db", "tcp", "5432");
        both(&mut e, s, "ldap", "tcp", "389");
        // Clustering 5701, second 5702, third 5703, between all servers of the cluster.
        for t in servers {
            if s != t {
                both(&mut e, s, t, "tcp", "5701-5703");
            }
        }
    }
    // Node managers reach each other's communication port; the Web Player reaches TERR.
    both(&mut e, "node-wp", "node-as", "tcp", "9443");
    both(&mut e, "node-as", "node-wp", "tcp", "9443");
    both(&mut e, "node-wp", "node-as", "tcp", "9502");
    assert_same(&rule_keys(&out), &e);
    assert_eq!(
        out["rules"]["spotfire-2:ingress:spotfire-1:tcp:5701-5703"]["peer_cidrs"],
        serde_json::json!(["10.60.1.11/32"])
    );
}

#[test]
fn tarantella_array_of_two_with_application_servers_and_netlet() {
    let out = run_example("tarantella");
    let servers = ["sgd-1", "sgd-2"];
    let apps = ["apps-unix", "apps-windows"];
    let mut e = BTreeSet::new();
    for s in servers {
        // Clients: 80/tcp and 443/tcp webtops, 3144/tcp standard connections.
        for p in ["80", "443", "3144"] {
            both(&mut e, "users", s, "tcp", p);
        }
        for a in apps {
            both(&mut e, s, a, "tcp", "22"); // SSH
            both(&mut e, s, a, "tcp", "3389"); // Windows Terminal Services
            both(&mut e, a, s, "tcp", "515"); // print jobs (printing enabled)
        }
        both(&mut e, s, "ldap", "tcp", "636"); // LDAPS (chosen instead of LDAP 389)
        // Netlet: the Portal server to the web server 80/tcp, 3144/tcp and the Gateway to 30144/tcp.
        for p in ["80", "3144", "30144"] {
            both(&mut e, "portal", s, "tcp", p);
        }
    }
    // Array replication 5427/tcp between the two servers.
    both(&mut e, "sgd-1", "sgd-2", "tcp", "5427");
    both(&mut e, "sgd-2", "sgd-1", "tcp", "5427");
    assert_same(&rule_keys(&out), &e);
    // The Netlet ports are on the client device (the applet runs in its
    // browser): one login and one application port per array member.
    let flows_out = {
        let ws = Workspace::empty();
        ws.copy_dir(&repo_root().join("examples/tarantella"));
        ws.write("extra.tf", "output \"netlet\" {\n  value = sort([for f in data.portmap_flows.this.flows : \"${f.from_port}/${f.internal}\" if f.flow == \"netlet-login\" || f.flow == \"netlet-application\"])\n}\n");
        ws.apply_outputs()
    };
    assert_eq!(
        flows_out["netlet"],
        serde_json::json!(["4000/true", "4001/true", "4002/true", "4003/true"])
    );
}

#[test]
fn plossys_cluster_of_three_with_monitoring() {
    let out = run_example("plossys");
    let oes = ["oe-1", "oe-2", "oe-3"];
    // "Cluster Installation" ports, transcribed from 004_5e068018b195e0b7.txt, without the
    // conditional rows this topology does not enable (2118/2119 remote printing,
    // 2128/2129 DPF conversion, 32769 Keycloak). 1948 is in: monitoring is used.
    let tcp: [u16; 43] = [
        53, 443, 515, 631, 1898, 1908, 1918, 1928, 1938, 1948, 1958, 1969, 1978, 1988, 1998, 2008,
        2018, 2028, 2038, 2048, 2058, 2068, 2078, 2088, 2098, 2108, 2138, 2198, 4222, 5601, 6222,
        8080, 8081, 8082, 8300, 8301, 8302, 8400, 8500, 9000, 9200, 9300, 27017,
    ];
    // Adjacent required ports form one rule: 8080-8082 and 8300-8302.
    let mut tcp_rules: Vec<String> = tcp
        .iter()
        .filter(|p| ![8081, 8082, 8301, 8302].contains(*p))
        .map(|p| p.to_string())
        .collect();
    tcp_rules.retain(|p| p != "8080" && p != "8300");
    tcp_rules.push("8080-8082".into());
    tcp_rules.push("8300-8302".into());
    assert_eq!(tcp_rules.len(), 39);
    let mut e = BTreeSet::new();
    for a in oes {
        for b in oes {
            if a == b {
                continue;
            }
            for p in &tcp_rules {
                both(&mut e, a, b, "tcp", p);
            }
            // 53 Consul DNS and 8301/8302 Serf LAN/WAN are tcp/udp.
            both(&mut e, a, b, "udp", "53");
            both(&mut e, a, b, "udp", "8301-8302");
        }
        // Single server table: job acceptance IPPS 443, LPR 515, IPP 631 from the job clients.
        for p in ["443", "515", "631"] {
            both(&mut e, "sap", a, "tcp", p);
        }
        both(&mut e, "prometheus", a, "tcp", "1948"); // Prometheus metrics
        both(&mut e, "admins", a, "tcp", "5601"); // Kibana
        both(&mut e, "admins", a, "tcp", "9000"); // PLOSSYS Administrator
        both(&mut e, "admins", a, "tcp", "8500"); // Consul Administrator GUI (cluster)
    }
    assert_same(&rule_keys(&out), &e);
    assert_eq!(e.len(), 534);
}

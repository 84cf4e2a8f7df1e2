//! `portmap explain` on the per-product scenarios. The citations were
//! checked by hand against the vendor documents in
//! provider/portmap-core/catalog/sources/.

mod common;

use common::{ok, portmap, scenario};

/// 001_7cc0a8afb31eb551.txt, table "1E Servers": row 8 is "1E Server
/// (Master Stack) | TCP 1433 | TDS | Outgoing | ... communicating with SQL
/// Server", row 12 "SQL Server (TachyonMaster database) | TCP 1433 | TDS |
/// Incoming".
#[test]
fn a_rule_is_explained_down_to_the_vendor_rows() {
    let out = ok(&[
        "explain",
        &scenario("1e-platform"),
        "--rule",
        "sql:ingress:master:tcp:1433",
    ]);
    let expected = "\
Rule sql:ingress:master:tcp:1433
  Node:         sql (10.40.2.10/32)
  Direction:    ingress: traffic into sql from master
  Peer:         master (10.40.1.10/32)
  Protocol:     tcp
  Ports:        1433
  Description:  1e-platform: Portal, Consumer API, Coordinator, SLA Platform and Catalog to SQL Server

It exists for 1 flow:

  Flow 1e-platform:master-sql:master>sql:tcp:1433 (master → sql, tcp 1433)
    Product:      1E Platform (1e-platform)
    Catalog flow: master-sql
    Components:   1e-platform/master-stack on master → 1e-platform/sql-master on sql
    Purpose:      Portal, Consumer API, Coordinator, SLA Platform and Catalog to SQL Server
    Protocol:     tcp 1433 (TDS)
    Condition:    always
    Document:     001_7cc0a8afb31eb551.txt \"Communication ports (1E platform)\"
    Vendor rows:  table \"1E Servers\", row 8
                  table \"1E Servers\", row 12
    Note:         Not configurable from Setup: an instance on a non-standard port makes the installation fail.
";
    assert_eq!(out, expected);
}

/// A rule serving two flows: the Response Stack's Core application pools
/// write to both databases ("1E Servers" rows 11-13, and rows 4-5 of
/// "Firewall requirements when using a 1E Response Stack that is remote from
/// the 1E Master Stack").
#[test]
fn a_rule_lists_every_flow_it_serves() {
    let out = ok(&[
        "explain",
        &scenario("1e-platform"),
        "--rule",
        "response:egress:sql:tcp:1433",
    ]);
    assert!(out.starts_with("Rule response:egress:sql:tcp:1433\n  Node:         response (10.40.1.20/32)\n  Direction:    egress: traffic from response to sql\n"), "{out}");
    assert!(out.contains("\nIt exists for 2 flows:\n"), "{out}");
    let remote = "Firewall requirements when using a 1E Response Stack that is remote from the 1E Master Stack";
    assert!(out.contains(&format!(
        "    Vendor rows:  table \"1E Servers\", row 12\n                  table \"{remote}\", row 4\n                  table \"{remote}\", row 5\n"
    )), "{out}");
    assert!(out.contains("    Vendor rows:  table \"1E Servers\", row 11\n                  table \"1E Servers\", row 13\n"), "{out}");
}

/// 004_5e068018b195e0b7.txt: 1948 is row 4 of "Single Server Installation"
/// and row 10 of "Cluster Installation" ("Prometheus metrics; needed if
/// monitoring is used"). Prometheus scrapes the three servers (3 flows) and
/// the servers reach each other (6 flows); a server does not check in with
/// itself over the network (the cluster rows are between servers), so
/// there is no internal flow.
#[test]
fn a_port_lists_every_flow_grouped_by_rule() {
    let out = ok(&["explain", &scenario("plossys"), "--port", "1948"]);
    assert!(
        out.starts_with("9 flows use port 1948: 9 needing rules, 0 not.\n"),
        "{out}"
    );
    assert_eq!(out.matches("\nRules ").count(), 9, "{out}");
    let prometheus = "\
Rules oe-1:ingress:prometheus:tcp:1948
  and prometheus:egress:oe-1:tcp:1948
  prometheus → oe-1, tcp 1948

  Flow plossys:monitoring-metrics:prometheus>oe-1:tcp:1948 (prometheus → oe-1, tcp 1948)
    Product:      SEAL PLOSSYS Output Engine (plossys)
    Catalog flow: monitoring-metrics
    Components:   plossys/monitoring on prometheus → plossys/output-engine on oe-1
    Purpose:      Prometheus metrics of seal-checkin
    Protocol:     tcp 1948 (HTTPS)
    Condition:    monitoring
    Document:     004_5e068018b195e0b7.txt \"Used Ports (Inbound Connections)\"
    Vendor rows:  table \"Single Server Installation\", row 4
                  table \"Cluster Installation\", row 10
";
    assert!(out.contains(prometheus), "{out}");
    assert!(!out.contains("No rule needed"), "{out}");
}

/// Consul DNS is "53 | Consul | tcp/udp | DNS", row 1 of "Cluster
/// Installation": with --protocol udp only the UDP flows count.
#[test]
fn a_port_can_be_narrowed_to_a_protocol() {
    let udp = ok(&[
        "explain",
        &scenario("plossys"),
        "--port",
        "53",
        "--protocol",
        "udp",
    ]);
    assert!(
        udp.starts_with("6 flows use udp port 53: 6 needing rules, 0 not.\n"),
        "{udp}"
    );
    assert!(
        udp.contains("    Vendor row:   table \"Cluster Installation\", row 1\n"),
        "{udp}"
    );
    assert!(!udp.contains(":tcp:"), "{udp}");
    let both = ok(&["explain", &scenario("plossys"), "--port", "53"]);
    assert!(
        both.starts_with("12 flows use port 53: 12 needing rules, 0 not.\n"),
        "{both}"
    );
    assert_eq!(
        ok(&["explain", &scenario("plossys"), "--port", "7"]),
        "No flow of this topology uses port 7.\n"
    );
}

/// "Ports used within the 1E Platform that should not affect firewall
/// requirements", row 2: 3901 inside the Master Stack; the DMZ Switches and
/// the remote Response Stack reach it over the network (DMZ table rows 3
/// and 10; remote Response Stack table rows 2 and 3).
#[test]
fn a_port_shows_flows_with_and_without_rules() {
    let out = ok(&["explain", &scenario("1e-platform"), "--port", "3901"]);
    assert!(
        out.starts_with("3 flows use port 3901: 2 needing rules, 1 not.\n"),
        "{out}"
    );
    assert!(
        out.contains("Rules master:ingress:dmz:tcp:3901\n  and dmz:egress:master:tcp:3901\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "Rules master:ingress:response:tcp:3901\n  and response:egress:master:tcp:3901\n"
        ),
        "{out}"
    );
    let table = "Ports used within the 1E Platform that should not affect firewall requirements";
    assert!(out.contains(&format!("    No rule:      both ends run on the same machine\n    Document:     001_7cc0a8afb31eb551.txt \"Communication ports (1E platform)\"\n    Vendor row:   table \"{table}\", row 2\n")), "{out}");
}

#[test]
fn an_unknown_rule_is_exit_code_1_with_a_suggestion() {
    let r = portmap(&[
        "explain",
        &scenario("1e-platform"),
        "--rule",
        "sql:ingres:master:tcp:1433",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: unknown rule \"sql:ingres:master:tcp:1433\". Did you mean \"sql:ingress:master:tcp:1433\"?\n"
    );
    let r = portmap(&[
        "explain",
        &scenario("1e-platform"),
        "--rule",
        "nothing-like-it",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("`portmap rules TOPOLOGY` lists the rule keys"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_command_line_needs_exactly_one_question() {
    for args in [
        vec!["explain", "examples/plossys/topology.yaml"],
        vec![
            "explain",
            "examples/plossys/topology.yaml",
            "--rule",
            "x",
            "--port",
            "1",
        ],
        vec!["explain", "examples/plossys/topology.yaml", "--port", "0"],
        vec![
            "explain",
            "examples/plossys/topology.yaml",
            "--rule",
            "x",
            "--protocol",
            "tcp",
        ],
    ] {
        let r = portmap(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
    let help = ok(&["explain", "--help"]);
    assert!(
        help.contains("portmap explain examples/quickstart/topology.yaml --port 1433"),
        "{help}"
    );
    assert!(
        help.contains(
            "portmap explain examples/quickstart/topology.yaml --rule sql:ingress:app:tcp:1433"
        ),
        "{help}"
    );
}

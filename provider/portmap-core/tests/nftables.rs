//! Host firewall scripts (`portmap rules --format nftables`,
//! `portmap_nftables_rulesets`): whole scripts written by hand from the
//! vendor documents' rows and nftables' syntax.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portmap_core::nftables::{ruleset, rulesets};
use portmap_core::topology::{Node, NodeKind, Topology};
use portmap_core::{Catalog, Computation, compute};

fn node(components: &[&str], cidrs: &[&str]) -> Node {
    Node {
        components: components.iter().map(|s| s.to_string()).collect(),
        cidrs: cidrs.iter().map(|s| s.to_string()).collect(),
        ..Node::default()
    }
}

fn run(nodes: Vec<(&str, Node)>) -> Computation<'static> {
    let t = Topology {
        nodes: nodes.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        ..Topology::default()
    };
    match compute(&t, Catalog::builtin().expect("built-in catalog")) {
        Ok(c) => c,
        Err(issues) => panic!("compute failed: {issues:#?}"),
    }
}

/// Tachyon 5.0 "Communication Ports", table "Tachyon Servers": the Master
/// and Response Stacks reach SQL Server on TCP 1433 (rows 8 and 10) and
/// the SMTP relay on TCP 25. `app` has an IPv4 and an IPv6 address, `smtp`
/// none.
fn tachyon() -> Computation<'static> {
    run(vec![
        (
            "app",
            node(
                &["tachyon-5/master-stack", "tachyon-5/response-stack"],
                &["10.0.1.10/32", "2001:db8:1::10/128"],
            ),
        ),
        ("sql", node(&["tachyon-5/sql-server"], &["10.0.2.10/32"])),
        ("smtp", node(&["tachyon-5/smtp-relay"], &[])),
    ])
}

const HEAD: &str = "\
table inet portmap
delete table inet portmap
table inet portmap {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tiif \"lo\" accept
\t\tct state established,related accept
\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
";

const OUTPUT: &str = "\
\tchain output {
\t\ttype filter hook output priority filter; policy drop;
\t\toif \"lo\" accept
\t\tct state established,related accept
\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
";

fn header(node: &str) -> String {
    format!(
        "#!/usr/sbin/nft -f\n# Host firewall of node \"{node}\", written by portmap: exactly the node's rules.\n# Loading it again replaces the table inet portmap.\n"
    )
}

#[test]
fn the_application_server_may_only_reach_sql_server_and_nothing_may_reach_it() {
    let expected = format!(
        "{}{HEAD}\t}}\n{OUTPUT}\t\t# app:egress:smtp:tcp:25\n\t\t# not rendered: peer \"smtp\" has no addresses\n\t\t# app:egress:sql:tcp:1433\n\t\tip daddr 10.0.2.10/32 tcp dport 1433 accept\n\t}}\n}}\n",
        header("app")
    );
    assert_eq!(ruleset(&tachyon(), "app").unwrap(), expected);
}

#[test]
fn sql_server_accepts_1433_from_both_addresses_of_the_application_server() {
    let expected = format!(
        "{}{HEAD}\t\t# sql:ingress:app:tcp:1433\n\t\tip saddr 10.0.1.10/32 tcp dport 1433 accept\n\t\tip6 saddr 2001:db8:1::10/128 tcp dport 1433 accept\n\t}}\n{OUTPUT}\t}}\n}}\n",
        header("sql")
    );
    assert_eq!(ruleset(&tachyon(), "sql").unwrap(), expected);
}

#[test]
fn a_node_without_addresses_still_gets_its_firewall() {
    let expected = format!(
        "{}{HEAD}\t\t# smtp:ingress:app:tcp:25\n\t\tip saddr 10.0.1.10/32 tcp dport 25 accept\n\t\tip6 saddr 2001:db8:1::10/128 tcp dport 25 accept\n\t}}\n{OUTPUT}\t}}\n}}\n",
        header("smtp")
    );
    assert_eq!(ruleset(&tachyon(), "smtp").unwrap(), expected);
}

#[test]
fn an_unknown_node_has_no_script_and_a_selection_keeps_only_known_nodes() {
    let comp = tachyon();
    assert_eq!(ruleset(&comp, "ap"), None);
    let all = rulesets(&comp, None);
    assert_eq!(
        all.keys().map(String::as_str).collect::<Vec<_>>(),
        ["app", "smtp", "sql"]
    );
    let some: std::collections::BTreeSet<String> = ["sql".to_string(), "nope".to_string()].into();
    let picked = rulesets(&comp, Some(&some));
    assert_eq!(
        picked.keys().map(String::as_str).collect::<Vec<_>>(),
        ["sql"]
    );
    assert_eq!(picked["sql"], all["sql"]);
}

/// Spotfire "Ports and protocols": the Spotfire Servers of a cluster talk
/// to each other on TCP 5701-5703 (the clustering port and the next two, Apache Ignite), so a group of servers over
/// two subnets accepts that range from both subnets, as one range, in both
/// directions.
#[test]
fn a_group_allows_a_port_range_from_and_to_all_its_subnets() {
    let comp = run(vec![(
        "servers",
        Node {
            kind: NodeKind::Group,
            ..node(&["spotfire/server"], &["10.60.1.0/28", "10.60.2.0/28"])
        },
    )]);
    let script = ruleset(&comp, "servers").unwrap();
    let input = script.split("chain output").next().unwrap();
    let output = script.split("chain output").nth(1).unwrap();
    assert!(input.contains(
        "\t\t# servers:ingress:servers:tcp:5701-5703\n\t\tip saddr { 10.60.1.0/28, 10.60.2.0/28 } tcp dport 5701-5703 accept\n"
    ), "{script}");
    assert!(output.contains(
        "\t\t# servers:egress:servers:tcp:5701-5703\n\t\tip daddr { 10.60.1.0/28, 10.60.2.0/28 } tcp dport 5701-5703 accept\n"
    ), "{script}");
}

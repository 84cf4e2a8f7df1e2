//! `portmap rules --format nftables --node NAME`: one node's host firewall.

mod common;

use common::{ok, portmap, scenario};

/// Tachyon 5.0 "Communication Ports", table "Tachyon Servers": SQL Server
/// accepts TCP 1433 from the Tachyon Server (10.10.1.10) and from SSAS
/// (10.10.2.20), and its SLA-BI linked server reaches the SSAS cubes on TCP
/// 2382-2383 (a range, written as one).
#[test]
fn the_sql_server_of_the_tachyon_example_gets_exactly_its_rules() {
    let script = ok(&[
        "rules",
        &scenario("tachyon-5"),
        "--format",
        "nftables",
        "--node",
        "sql",
    ]);
    let expected = "\
#!/usr/sbin/nft -f
# Host firewall of node \"sql\", written by portmap: exactly the node's rules.
# Loading it again replaces the table inet portmap.
table inet portmap
delete table inet portmap
table inet portmap {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tiif \"lo\" accept
\t\tct state established,related accept
\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
\t\t# sql:ingress:ssas:tcp:1433
\t\tip saddr 10.10.2.20/32 tcp dport 1433 accept
\t\t# sql:ingress:tachyon:tcp:1433
\t\tip saddr 10.10.1.10/32 tcp dport 1433 accept
\t}
\tchain output {
\t\ttype filter hook output priority filter; policy drop;
\t\toif \"lo\" accept
\t\tct state established,related accept
\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
\t\t# sql:egress:ssas:tcp:2382-2383
\t\tip daddr 10.10.2.20/32 tcp dport 2382-2383 accept
\t}
}
";
    assert_eq!(script, expected);
}

#[test]
fn an_unknown_node_is_an_error_with_a_suggestion() {
    let r = portmap(&[
        "rules",
        &scenario("tachyon-5"),
        "--format",
        "nftables",
        "--node",
        "sq",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("error: unknown node \"sq\". Did you mean \"sql\"? Nodes: catalog, catalog-sql, consoles, endpoints, internet, smtp, sql, ssas, tachyon."),
        "{}",
        r.stderr
    );
}

#[test]
fn nftables_needs_a_node_and_a_node_needs_nftables() {
    let r = portmap(&["rules", &scenario("tachyon-5"), "--format", "nftables"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("error: --format nftables needs --node NAME, one of: catalog, catalog-sql, consoles, endpoints, internet, smtp, sql, ssas, tachyon"),
        "{}",
        r.stderr
    );
    let r = portmap(&["rules", &scenario("tachyon-5"), "--node", "sql"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("error: --node goes with --format nftables"),
        "{}",
        r.stderr
    );
}

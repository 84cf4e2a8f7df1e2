//! `portmap_nftables_rulesets` through a real Terraform: each node's host
//! firewall as an `nft -f` script, the same text as `portmap rules
//! --format nftables --node NAME`. (The scripts are proven with real
//! packets by `provider/portmap-cli/tests/nftables_packets.rs`.)

use portmap_acceptance_tests::Workspace;

const TOPOLOGY: &str = r#"
locals {
  nodes = {
    app     = { components = ["tachyon-5/master-stack", "tachyon-5/response-stack"], cidrs = ["10.0.1.10/32", "2001:db8:1::10/128"] }
    sql     = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
    clients = { components = ["tachyon-5/client"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
}
"#;

/// Tachyon 5.0 "Communication Ports", table "Tachyon Servers": SQL Server
/// accepts TCP 1433 from the Master and Response Stacks (rows 8 and 10),
/// here on `app`, from both its addresses; it opens nothing itself.
const SQL: &str = "\
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
\t\t# sql:ingress:app:tcp:1433
\t\tip saddr 10.0.1.10/32 tcp dport 1433 accept
\t\tip6 saddr 2001:db8:1::10/128 tcp dport 1433 accept
\t}
\tchain output {
\t\ttype filter hook output priority filter; policy drop;
\t\toif \"lo\" accept
\t\tct state established,related accept
\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
\t}
}
";

#[test]
fn every_node_gets_its_script_and_for_nodes_selects_them() {
    let ws = Workspace::new(&format!(
        r#"{TOPOLOGY}
data "portmap_nftables_rulesets" "all" {{
  nodes = local.nodes
}}

data "portmap_nftables_rulesets" "sql" {{
  nodes     = local.nodes
  for_nodes = ["sql"]
}}

output "all" {{
  value = data.portmap_nftables_rulesets.all.rulesets
}}

output "sql" {{
  value = data.portmap_nftables_rulesets.sql.rulesets
}}
"#
    ));
    let out = ws.apply_outputs();
    let all = out["all"].as_object().expect("rulesets is a map");
    assert_eq!(
        all.keys().map(String::as_str).collect::<Vec<_>>(),
        ["app", "clients", "sql"]
    );
    assert_eq!(all["sql"].as_str().unwrap(), SQL);
    // Tachyon clients reach the Switch on TCP 4000 and the Background
    // Channel on TCP 443 of the Response Stack, on `app`.
    let clients = all["clients"].as_str().unwrap();
    for line in [
        "\t\t# clients:egress:app:tcp:443\n\t\tip daddr 10.0.1.10/32 tcp dport 443 accept\n\t\tip6 daddr 2001:db8:1::10/128 tcp dport 443 accept\n",
        "\t\t# clients:egress:app:tcp:4000\n\t\tip daddr 10.0.1.10/32 tcp dport 4000 accept\n\t\tip6 daddr 2001:db8:1::10/128 tcp dport 4000 accept\n",
    ] {
        assert!(clients.contains(line), "{clients}");
    }
    let app = all["app"].as_str().unwrap();
    assert!(
        app.contains(
            "\t\t# app:ingress:clients:tcp:4000\n\t\tip saddr 10.8.0.0/16 tcp dport 4000 accept\n"
        ),
        "{app}"
    );
    let sql = out["sql"].as_object().expect("rulesets is a map");
    assert_eq!(sql.keys().map(String::as_str).collect::<Vec<_>>(), ["sql"]);
    assert_eq!(sql["sql"], all["sql"]);
}

#[test]
fn the_example_renders_a_cloud_init_file() {
    let example = portmap_acceptance_tests::repo_root()
        .join("examples/data-sources/portmap_nftables_rulesets/data-source.tf");
    let ws = Workspace::new(&std::fs::read_to_string(example).unwrap());
    let out = ws.apply_outputs();
    let cloud_init = out["sql_cloud_init"].as_str().expect("a string");
    assert!(
        cloud_init.contains("/etc/nftables.d/portmap.nft"),
        "{cloud_init}"
    );
    assert!(
        cloud_init.contains("ip6 saddr 2001:db8:1::10/128 tcp dport 1433 accept"),
        "{cloud_init}"
    );
}

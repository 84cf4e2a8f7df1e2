//! `for_nodes` on the three cloud shapes through a real Terraform: a
//! configuration that manages some nodes' firewalls gets exactly their rules,
//! the same objects as in the whole result, and the checks look only at the
//! selected nodes.

use portmap_acceptance_tests::{Workspace, find};

/// Two PLOSSYS Output Engines in a cluster and the SAP systems printing to
/// them.
const TOPOLOGY: &str = r#"
locals {
  nodes = {
    oe-1 = { components = ["plossys/output-engine"], cidrs = ["10.1.0.1/32"] }
    oe-2 = { components = ["plossys/output-engine"], cidrs = ["10.1.0.2/32"] }
    sap  = { kind = "group", components = ["plossys/client"], cidrs = ["10.2.0.0/24"] }
  }
  servers = ["oe-1", "oe-2"]
}
"#;

const SHAPES: [&str; 3] = [
    "portmap_aws_security_group_rules",
    "portmap_azure_nsg_rules",
    "portmap_gcp_firewall_rules",
];

fn shapes() -> String {
    let mut body = String::from(TOPOLOGY);
    for ty in SHAPES {
        body.push_str(&format!(
            r#"
data "{ty}" "all" {{
  nodes = local.nodes
}}

data "{ty}" "servers" {{
  nodes     = local.nodes
  for_nodes = local.servers
}}

output "{ty}_servers" {{
  value = data.{ty}.servers.rules
}}

output "{ty}_all_servers" {{
  value = {{ for k, r in data.{ty}.all.rules : k => r if contains(local.servers, r.node) }}
}}

output "{ty}_all_count" {{
  value = length(data.{ty}.all.rules)
}}
"#
        ));
    }
    body
}

#[test]
fn each_shape_returns_exactly_the_selected_nodes_rules_of_the_whole_result() {
    let ws = Workspace::new(&shapes());
    let out = ws.apply_outputs();
    for ty in SHAPES {
        let selected = out[format!("{ty}_servers")]
            .as_object()
            .expect("rules is a map");
        assert_eq!(
            out[format!("{ty}_servers")],
            out[format!("{ty}_all_servers")],
            "{ty}: the selection is the whole result's rules at the servers"
        );
        assert!(!selected.is_empty(), "{ty}");
        for (k, r) in selected {
            assert!(
                r["node"] == "oe-1" || r["node"] == "oe-2",
                "{ty}: {k} is at {}",
                r["node"]
            );
        }
        // The whole result also has the SAP systems' egress rules.
        let all = out[format!("{ty}_all_count")].as_u64().expect("a number");
        assert!(all as usize > selected.len(), "{ty}: {all}");
    }
    // AWS: the servers' rules, by hand from the PLOSSYS tables: the SAP
    // systems reach each engine on 443, 515 and 631.
    let aws = out["portmap_aws_security_group_rules_servers"]
        .as_object()
        .expect("a map");
    for oe in ["oe-1", "oe-2"] {
        for port in [443, 515, 631] {
            let key = format!("{oe}:ingress:sap:tcp:{port}:10.2.0.0/24");
            let r = aws.get(&key).unwrap_or_else(|| panic!("{key} missing"));
            assert_eq!(r["cidr_ipv4"], "10.2.0.0/24");
            assert_eq!(r["from_port"], port);
            assert_eq!(r["to_port"], port);
        }
    }
}

#[test]
fn the_quota_check_looks_at_the_selected_security_groups_only() {
    // With max_rules = 6 the SAP group's 6 egress rules fit; the engines'
    // inbound rules (the SAP systems' 3 and the other engine's cluster
    // ports) do not. Managing only "sap" plans; managing everything fails
    // at the engines.
    let ws = Workspace::new(&format!(
        r#"{TOPOLOGY}
data "portmap_aws_security_group_rules" "sap" {{
  nodes     = local.nodes
  for_nodes = ["sap"]
  max_rules = 6
}}

output "sap" {{
  value = keys(data.portmap_aws_security_group_rules.sap.rules)
}}
"#
    ));
    let out = ws.apply_outputs();
    let keys: Vec<&str> = out["sap"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|k| k.as_str().expect("a string"))
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert!(
        keys.iter().all(|k| k.starts_with("sap:egress:")),
        "{keys:?}"
    );

    let ws = Workspace::new(&format!(
        r#"{TOPOLOGY}
data "portmap_aws_security_group_rules" "all" {{
  nodes     = local.nodes
  max_rules = 6
}}
"#
    ));
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "oe-1");
    assert!(
        d.summary.contains("quota") || d.detail.contains("quota"),
        "{d:?}"
    );
}

#[test]
fn a_pin_of_a_node_left_out_is_not_reported_as_matching_no_rule() {
    let ws = Workspace::new(&format!(
        r#"{TOPOLOGY}
data "portmap_azure_nsg_rules" "sap" {{
  nodes     = local.nodes
  for_nodes = ["sap"]
  pinned_priorities = {{
    "oe-1:inbound:sap:tcp:ipv4" = 4000
  }}
}}

output "sap" {{
  value = length(data.portmap_azure_nsg_rules.sap.rules)
}}
"#
    ));
    let run = ws.apply();
    assert!(run.ok(), "{}", run.text());
    assert!(!run.text().contains("to pin"), "{}", run.text());
    assert_eq!(ws.outputs()["sap"], 2);
}

#[test]
fn for_nodes_naming_an_undeclared_node_fails_at_the_attribute_in_every_shape() {
    for ty in SHAPES {
        let ws = Workspace::new(&format!(
            r#"{TOPOLOGY}
data "{ty}" "x" {{
  nodes     = local.nodes
  for_nodes = ["oe-3"]
}}
"#
        ));
        let (r, diags) = ws.validate_diagnostics();
        assert!(!r.ok(), "{ty}");
        let d = find(&diags, "Unknown node \"oe-3\"");
        assert!(
            d.code
                .as_deref()
                .unwrap_or_default()
                .contains("for_nodes = [\"oe-3\"]"),
            "{ty}: {d:?}"
        );
    }
}

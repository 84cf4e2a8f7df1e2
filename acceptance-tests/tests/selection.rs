//! `portmap_flows.for_nodes` through a real Terraform: a configuration that
//! manages a few nodes of a shared topology gets exactly their rules and
//! flows, the same objects as in the whole result.

use portmap_acceptance_tests::{Workspace, find};
use serde_json::Value as Json;

const TOPOLOGY: &str = r#"
locals {
  nodes = {
    oe-1 = { components = ["plossys/output-engine"], cidrs = ["10.1.0.1/32"] }
    oe-2 = { components = ["plossys/output-engine"], cidrs = ["10.1.0.2/32"] }
    sap  = { kind = "group", components = ["plossys/client"], cidrs = ["10.2.0.0/24"] }
  }
}

data "portmap_flows" "all" {
  nodes = local.nodes
}
"#;

#[test]
fn for_nodes_returns_the_selected_nodes_rules_and_flows() {
    let ws = Workspace::new(&format!(
        r#"{TOPOLOGY}
data "portmap_flows" "sap" {{
  nodes     = local.nodes
  for_nodes = ["sap"]
}}

output "sap_rules" {{
  value = data.portmap_flows.sap.rules
}}

output "sap_flows" {{
  value = data.portmap_flows.sap.flows
}}

output "all_sap_rules" {{
  value = {{ for k, r in data.portmap_flows.all.rules : k => r if r.node == "sap" }}
}}

output "all_rule_count" {{
  value = length(data.portmap_flows.all.rules)
}}
"#
    ));
    let out = ws.apply_outputs();
    let rules = out["sap_rules"].as_object().expect("rules is a map");
    // PLOSSYS: the SAP systems print to each Output Engine by IPP (631),
    // HTTPS (443) and LPD (515); the engines' cluster traffic is not theirs.
    let keys: Vec<&str> = rules.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "sap:egress:oe-1:tcp:443",
            "sap:egress:oe-1:tcp:515",
            "sap:egress:oe-1:tcp:631",
            "sap:egress:oe-2:tcp:443",
            "sap:egress:oe-2:tcp:515",
            "sap:egress:oe-2:tcp:631",
        ]
    );
    // The same objects as the whole result's rules at "sap".
    assert_eq!(out["sap_rules"], out["all_sap_rules"]);
    assert!(out["all_rule_count"].as_u64().expect("a number") > 6);
    let flows = out["sap_flows"].as_array().expect("flows is a list");
    assert_eq!(flows.len(), 6);
    for f in flows {
        assert_eq!(f["from_node"], Json::from("sap"), "{f}");
        assert_eq!(f["protocol"], Json::from("tcp"), "{f}");
    }
    // Every flow a selected rule serves is among the selected flows.
    let flow_keys: Vec<&Json> = flows.iter().map(|f| &f["key"]).collect();
    for r in rules.values() {
        for k in r["flows"].as_array().expect("a list") {
            assert!(flow_keys.contains(&k), "{k} missing");
        }
    }
}

#[test]
fn for_nodes_naming_an_undeclared_node_fails_at_the_attribute() {
    let ws = Workspace::new(&format!(
        r#"{TOPOLOGY}
data "portmap_flows" "sap" {{
  nodes     = local.nodes
  for_nodes = ["sapp"]
}}
"#
    ));
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Unknown node \"sapp\"");
    assert!(d.detail.contains("Did you mean \"sap\"?"), "{d:?}");
    assert!(
        d.code
            .as_deref()
            .unwrap_or_default()
            .contains("for_nodes = [\"sapp\"]"),
        "{d:?}"
    );
}

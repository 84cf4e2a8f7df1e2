//! Parties fine enough for least privilege, through a real Terraform: the
//! PLOSSYS document (seed 004) names each administrative interface in its
//! own row, so support staff who only read logs in Kibana get tcp/5601 to
//! each Output Engine and nothing else, while `plossys/admin` keeps every
//! interface.

use portmap_acceptance_tests::Workspace;

#[test]
fn support_staff_reach_only_kibana_and_admins_keep_every_interface() {
    let ws = Workspace::new(
        r#"
data "portmap_flows" "this" {
  nodes = {
    oe-1    = { components = ["plossys/output-engine"], cidrs = ["10.1.0.1/32"] }
    oe-2    = { components = ["plossys/output-engine"], cidrs = ["10.1.0.2/32"] }
    support = { kind = "group", components = ["plossys/kibana-user"], cidrs = ["10.3.0.0/24"] }
    admins  = { kind = "group", components = ["plossys/admin"], cidrs = ["10.4.0.0/24"] }
  }
}

output "support_rules" {
  value = sort([for k, r in data.portmap_flows.this.rules : k if r.node == "support" || r.peer == "support"])
}

output "admin_egress" {
  value = sort([for k, r in data.portmap_flows.this.rules : k if r.node == "admins"])
}

output "unresolved" {
  value = [for u in data.portmap_flows.this.unresolved : u.missing_component]
}
"#,
    );
    let out = ws.apply_outputs();
    // Kibana, "GUI for visualising the log data": single-server row 7,
    // cluster row 34.
    assert_eq!(
        out["support_rules"],
        serde_json::json!([
            "oe-1:ingress:support:tcp:5601",
            "oe-2:ingress:support:tcp:5601",
            "support:egress:oe-1:tcp:5601",
            "support:egress:oe-2:tcp:5601",
        ])
    );
    // Two engines form a cluster: the administrators reach Kibana (5601),
    // the Consul GUI (8500, cluster row 43) and PLOSSYS Administrator (9000).
    assert_eq!(
        out["admin_egress"],
        serde_json::json!([
            "admins:egress:oe-1:tcp:5601",
            "admins:egress:oe-1:tcp:8500",
            "admins:egress:oe-1:tcp:9000",
            "admins:egress:oe-2:tcp:5601",
            "admins:egress:oe-2:tcp:8500",
            "admins:egress:oe-2:tcp:9000",
        ])
    );
    // No job clients are placed; nothing else is missing.
    let missing: Vec<String> = out["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(missing.iter().all(|m| m == "plossys/client"), "{missing:?}");
}

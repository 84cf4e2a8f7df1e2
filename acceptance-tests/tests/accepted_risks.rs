//! `accepted_risks` through a real Terraform: with `fail_on_risk = true`
//! the vendor-documented 1E DMZ (unencrypted WebSocket on 3901 from the DMZ
//! Switches, HTTP to the CRL distribution point) plans once both findings
//! are accepted with a reason, and fails at the DMZ node without them.

use portmap_acceptance_tests::{Workspace, find};

const NODES: &str = r#"
locals {
  nodes = {
    master   = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    response = { components = ["1e-platform/response-stack"], cidrs = ["10.40.1.20/32"] }
    sql      = { components = ["1e-platform/sql-server"], cidrs = ["10.40.2.10/32"] }
    dmz      = { components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10/32"], exposure = "internet-facing" }
    internet = { components = ["1e-platform/cloud-services", "1e-platform/crl-distribution-point"], cidrs = ["0.0.0.0/0"], kind = "group", exposure = "untrusted" }
  }
  accepted = {
    "cleartext:dmz>master"                    = "1E requires unencrypted WebSocket on 3901 (CHG-1)"
    "1e-platform:dmz-crl:dmz>internet:tcp:80" = "CRL checks are HTTP by design (CHG-2)"
  }
}
"#;

#[test]
fn fail_on_risk_plans_the_1e_dmz_once_its_findings_are_accepted() {
    let ws = Workspace::new(&format!(
        r#"{NODES}
data "portmap_flows" "dmz" {{
  nodes          = local.nodes
  fail_on_risk   = true
  accepted_risks = local.accepted
}}

data "portmap_aws_security_group_rules" "dmz" {{
  nodes          = local.nodes
  fail_on_risk   = true
  accepted_risks = local.accepted
}}

output "flow_count" {{
  value = length(data.portmap_flows.dmz.flows)
}}

output "aws_rule_count" {{
  value = length(data.portmap_aws_security_group_rules.dmz.rules)
}}
"#
    ));
    let (run, diags) = ws.plan_diagnostics();
    assert!(run.ok(), "{}", run.text());
    assert!(
        diags.iter().all(|d| !d.summary.starts_with("Risk:")),
        "{diags:?}"
    );
    let out = ws.apply_outputs();
    assert!(out["flow_count"].as_u64().unwrap() > 0);
    assert!(out["aws_rule_count"].as_u64().unwrap() > 0);
}

#[test]
fn without_accepted_risks_fail_on_risk_stops_at_the_dmz_node() {
    // Nodes written inline, so that Terraform can underline the node.
    let ws = Workspace::new(
        r#"
data "portmap_flows" "dmz" {
  nodes = {
    master   = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    dmz      = { components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10/32"], exposure = "internet-facing" }
    internet = { components = ["1e-platform/crl-distribution-point"], cidrs = ["0.0.0.0/0"], kind = "group", exposure = "untrusted" }
  }
  fail_on_risk   = true
  accepted_risks = { "cleartext:dmz>master" = "1E requires unencrypted WebSocket on 3901 (CHG-1)" }
}
"#,
    );
    let (run, diags) = ws.plan_diagnostics();
    assert!(!run.ok(), "{}", run.text());
    // The CRL finding is not accepted: an error at the node "internet".
    let d = find(
        &diags,
        "Risk: cleartext protocol from \"dmz\" (internet-facing) to \"internet\"",
    );
    assert_eq!(d.severity, "error");
    assert!(
        d.detail.contains("Finding key: cleartext:dmz>internet."),
        "{}",
        d.detail
    );
    let code = d.code.as_deref().unwrap_or_default();
    assert!(code.contains("internet = {"), "{d:?}");
    // The accepted one is not reported.
    assert!(
        diags.iter().all(|d| !d.summary.contains("to \"master\"")),
        "{diags:?}"
    );
}

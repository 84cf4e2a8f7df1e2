//! Provider-defined functions called through a real Terraform.

use portmap_acceptance_tests::{Workspace, find};
use serde_json::json;

#[test]
fn service_ports_lists_what_a_component_listens_on() {
    let ws = Workspace::new(
        r#"
output "ports" {
  value = [for p in provider::portmap::service_ports("spotfire", "spotfire/server") : "${p.from_component} ${p.protocol}/${p.from_port}-${p.to_port} ${p.condition == null ? "always" : p.condition}"]
}
output "short_id_same" {
  value = provider::portmap::service_ports("spotfire", "server") == provider::portmap::service_ports("spotfire", "spotfire/server")
}
"#,
    );
    let out = ws.apply_outputs();
    // From the Spotfire "Internal ports" table: HTTP 80 and HTTPS 443 from
    // clients and load balancers, 9080/9443 from node managers, 5701-5703
    // between servers, JMX 1099 from monitoring clients.
    assert_eq!(
        out["ports"],
        json!([
            "spotfire/client tcp/80-80 http-connector",
            "spotfire/load-balancer tcp/80-80 http-connector",
            "spotfire/client tcp/443-443 https-connector",
            "spotfire/load-balancer tcp/443-443 https-connector",
            "spotfire/node-manager tcp/9080-9080 always",
            "spotfire/node-manager tcp/9443-9443 always",
            "spotfire/server tcp/5701-5701 always",
            "spotfire/server tcp/5702-5702 always",
            "spotfire/server tcp/5703-5703 always",
            "spotfire/monitoring-client tcp/1099-1099 jmx",
        ])
    );
    assert_eq!(out["short_id_same"], json!(true));
}

#[test]
fn rule_key_matches_the_data_source_keys() {
    let ws = Workspace::new(
        r#"
data "portmap_flows" "this" {
  nodes = {
    app     = { components = ["tachyon-5/server"], cidrs = ["10.0.1.10/32"] }
    clients = { components = ["tachyon-5/client"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
}
output "key" {
  value = provider::portmap::rule_key("app", "ingress", "clients", "tcp", 4000, 4000)
}
output "present" {
  value = contains(keys(data.portmap_flows.this.rules), provider::portmap::rule_key("app", "ingress", "clients", "tcp", 4000, 4000))
}
output "range" {
  value = provider::portmap::rule_key("oe-1", "egress", "oe-2", "udp", 8301, 8302)
}
"#,
    );
    let out = ws.apply_outputs();
    assert_eq!(out["key"], json!("app:ingress:clients:tcp:4000"));
    assert_eq!(out["present"], json!(true));
    assert_eq!(out["range"], json!("oe-1:egress:oe-2:udp:8301-8302"));
}

#[test]
fn function_errors_name_the_argument() {
    let ws = Workspace::new(
        r#"
output "bad" {
  value = provider::portmap::service_ports("spotfire", "spotfire/sever")
}
"#,
    );
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok(), "{}", r.text());
    // With the argument index set, Terraform says which argument and
    // underlines it.
    let d = find(&diags, "Invalid function argument");
    assert!(
        d.detail.contains(
            "component: product spotfire has no component \"sever\". Did you mean \"server\"?"
        ),
        "{d:?}"
    );
    assert_eq!(d.highlight.as_deref(), Some("spotfire/sever"), "{d:?}");

    let ws = Workspace::new(
        r#"
output "bad" {
  value = provider::portmap::rule_key("app", "inbound", "clients", "tcp", 4000, 4000)
}
"#,
    );
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Invalid function argument");
    assert!(
        d.detail
            .contains("direction: \"inbound\" is neither \"ingress\" nor \"egress\"."),
        "{d:?}"
    );
    assert_eq!(d.highlight.as_deref(), Some("inbound"), "{d:?}");
}

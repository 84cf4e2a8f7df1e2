//! `absent_components` through a real Terraform: an air-gapped 1E platform
//! (no 1E Cloud Services, flow master-cloud) plans without the warning that
//! `1e-platform/cloud-services` is not placed, in `products` and in an
//! installation, while the warning about a component it does not declare
//! absent (the SMTP server, flow master-smtp) stays.

use portmap_acceptance_tests::Workspace;

#[test]
fn an_air_gapped_1e_platform_does_not_warn_about_cloud_services() {
    let ws = Workspace::new(
        r#"
locals {
  nodes = {
    master   = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    response = { components = ["1e-platform/response-stack"], cidrs = ["10.40.1.20/32"] }
    sql      = { components = ["1e-platform/sql-server"], cidrs = ["10.40.2.10/32"] }
    clients  = { components = ["1e-platform/client"], cidrs = ["10.50.0.0/16"], kind = "group" }
    consoles = { components = ["1e-platform/browser"], cidrs = ["10.30.5.0/24"], kind = "group" }
  }
}

data "portmap_flows" "products" {
  nodes    = local.nodes
  products = { "1e-platform" = { absent_components = ["1e-platform/cloud-services"] } }
}

data "portmap_flows" "installation" {
  nodes = local.nodes
  installations = {
    air-gapped = {
      product           = "1e-platform"
      nodes             = ["master", "response", "sql", "clients", "consoles"]
      absent_components = ["1e-platform/cloud-services", "1e-platform/smtp-relay"]
    }
  }
}

output "products_unresolved" {
  value = sort([for u in data.portmap_flows.products.unresolved : u.missing_component])
}

output "installation_unresolved" {
  value = [for u in data.portmap_flows.installation.unresolved : u.missing_component]
}

output "installation_flows" {
  value = length(data.portmap_flows.installation.flows)
}
"#,
    );
    let (run, diags) = ws.plan_diagnostics();
    assert!(run.ok(), "{}", run.text());
    let not_placed: Vec<&str> = diags
        .iter()
        .filter(|d| d.summary.contains("is not placed"))
        .map(|d| d.summary.as_str())
        .collect();
    // Only the SMTP server of the data source that does not declare it
    // absent.
    assert_eq!(
        not_placed,
        ["1e-platform/smtp-relay is not placed on any node: 1 flow cannot be placed"],
        "{diags:?}"
    );
    let out = ws.apply_outputs();
    assert_eq!(
        out["products_unresolved"],
        serde_json::json!(["1e-platform/smtp-relay"])
    );
    assert_eq!(out["installation_unresolved"], serde_json::json!([]));
    assert!(out["installation_flows"].as_u64().unwrap() > 0);
}

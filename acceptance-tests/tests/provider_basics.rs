//! The provider inside a real Terraform: schema, reads, diagnostics, unknown
//! inputs, and a clean second plan.

use portmap_acceptance_tests::{Workspace, find, provider_address};
use serde_json::Value as Json;

#[test]
fn schema_loads_with_descriptions() {
    let ws = Workspace::new("provider \"portmap\" {}\n");
    let r = ws.terraform(&["providers", "schema", "-json"]);
    assert!(r.ok(), "{}", r.text());
    let v: Json = serde_json::from_str(&r.stdout).unwrap();
    let schemas = &v["provider_schemas"][provider_address()];
    let catalog = &schemas["data_source_schemas"]["portmap_catalog"]["block"];
    assert!(
        catalog["description"]
            .as_str()
            .unwrap()
            .starts_with("Lists the catalog")
    );
    assert_eq!(
        catalog["attributes"]["product_ids"]["optional"],
        Json::Bool(true)
    );
    let flows = &schemas["data_source_schemas"]["portmap_flows"]["block"];
    assert_eq!(flows["attributes"]["nodes"]["required"], Json::Bool(true));
    assert_eq!(
        flows["attributes"]["nodes"]["nested_type"]["nesting_mode"],
        "map"
    );
    assert!(
        schemas["provider"]["block"]["attributes"]["extra_catalogs"]["optional"]
            .as_bool()
            .unwrap()
    );
}

#[test]
fn catalog_data_source_lists_the_five_products() {
    let ws = Workspace::new(
        r#"
data "portmap_catalog" "all" {}
output "products" {
  value = [for p in data.portmap_catalog.all.products : { id = p.id, document = p.source_document }]
}
"#,
    );
    let out = ws.apply_outputs();
    let products: Vec<(String, String)> = out["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["document"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        products,
        [
            (
                "1e-platform".to_string(),
                "001_7cc0a8afb31eb551.txt".to_string()
            ),
            ("plossys".into(), "004_5e068018b195e0b7.txt".into()),
            ("spotfire".into(), "002_38e233c3d784b099.txt".into()),
            ("tachyon-5".into(), "000_bf0563822ff91805.txt".into()),
            ("tarantella".into(), "003_a45857cbf3bda30e.txt".into()),
        ]
    );
}

#[test]
fn a_bad_cidr_fails_at_its_attribute() {
    let ws = Workspace::new(
        r#"
data "portmap_flows" "this" {
  nodes = {
    app = { components = ["plossys/output-engine"], cidrs = ["10.0.0.0/24", "10.0.0.300/24"] }
  }
}
"#,
    );
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok(), "validate should fail:\n{}", r.text());
    let d = find(&diags, "Invalid address \"10.0.0.300/24\"");
    assert_eq!(d.severity, "error");
    // Terraform underlines the node's entry in the `nodes` map (it cannot go
    // deeper into an attribute expression): v1.15 the whole object, older
    // versions its opening brace. The detail names the element.
    assert!(
        d.highlight.as_deref().is_some_and(|h| h.starts_with('{')),
        "{d:?}"
    );
    assert!(
        d.code
            .as_deref()
            .unwrap_or_default()
            .contains("app = { components"),
        "{d:?}"
    );
    assert!(
        d.detail.starts_with("At nodes[\"app\"].cidrs[1]: "),
        "{d:?}"
    );
}

#[test]
fn an_unknown_component_is_an_error_with_a_suggestion() {
    let ws = Workspace::new(
        r#"
data "portmap_flows" "this" {
  nodes = {
    app = { components = ["tachyon-5/master-stak"] }
  }
}
"#,
    );
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Unknown component \"tachyon-5/master-stak\"");
    assert!(
        d.detail
            .contains("Did you mean \"tachyon-5/master-stack\"?"),
        "{}",
        d.detail
    );
    assert!(
        d.code
            .as_deref()
            .unwrap_or_default()
            .contains("app = { components = [\"tachyon-5/master-stak\"] }"),
        "{d:?}"
    );
    assert!(
        d.detail.starts_with("At nodes[\"app\"].components: "),
        "{d:?}"
    );
}

#[test]
fn an_input_unknown_until_apply_plans_and_applies() {
    let ws = Workspace::new(
        r#"
resource "terraform_data" "sql_address" {
  input = "10.0.2.10/32"
}
data "portmap_flows" "this" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = [terraform_data.sql_address.output] }
  }
}
output "sql_ingress" {
  value = data.portmap_flows.this.rules["sql:ingress:app:tcp:1433"].peer_cidrs
}
output "app_egress" {
  value = data.portmap_flows.this.rules["app:egress:sql:tcp:1433"].peer_cidrs
}
"#,
    );
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert!(plan.ok(), "{}", plan.text());
    assert!(
        plan.stdout.contains("(known after apply)"),
        "{}",
        plan.stdout
    );
    let out = ws.apply_outputs();
    assert_eq!(out["sql_ingress"], serde_json::json!(["10.0.1.10/32"]));
    assert_eq!(out["app_egress"], serde_json::json!(["10.0.2.10/32"]));
}

#[test]
fn a_second_plan_shows_no_changes() {
    let ws = Workspace::new(
        r#"
resource "terraform_data" "rules" {
  input = data.portmap_flows.this.rules
}
data "portmap_flows" "this" {
  nodes = {
    oe      = { components = ["plossys/output-engine"], cidrs = ["10.1.0.0/28"], kind = "group" }
    clients = { components = ["plossys/client"], cidrs = ["10.2.0.0/16"], kind = "group" }
  }
}
"#,
    );
    ws.apply();
    let r = ws.terraform(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(r.code, 0, "expected no changes:\n{}", r.text());
    assert!(r.stdout.contains("No changes."), "{}", r.stdout);
}

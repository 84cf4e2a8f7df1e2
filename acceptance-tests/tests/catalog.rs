//! portmap_catalog through a real Terraform: spot values of each product
//! (checked against the vendor documents), setting overrides, and a
//! user-supplied catalog in the provider block.

use portmap_acceptance_tests::{Workspace, find, repo_root};
use serde_json::json;

#[test]
fn spot_values_of_each_product() {
    let ws = Workspace::new(
        r#"
data "portmap_catalog" "all" {}
locals {
  f = data.portmap_catalog.all.flows
}
output "tachyon_client_switch" {
  value = [for x in local.f : "${x.protocol}/${x.from_port}" if x.product == "tachyon-5" && x.id == "client-switch"]
}
output "spotfire_cluster" {
  value = [for x in local.f : "${x.protocol}/${x.from_port}" if x.product == "spotfire" && startswith(x.id, "cluster")]
}
output "tarantella_array" {
  value = [for x in local.f : "${x.from_component}->${x.to_component} ${x.protocol}/${x.from_port}" if x.product == "tarantella" && x.id == "array"]
}
output "plossys_consul_serf_lan" {
  value = [for x in local.f : "${x.protocol}/${x.from_port} ${x.citation}" if x.product == "plossys" && x.from_port == 8301]
}
output "one_e_dmz_poke" {
  value = [for x in local.f : "${x.protocol}/${x.from_port}-${x.to_port} ${x.condition}" if x.product == "1e-platform" && x.id == "core-dmz-poke"]
}
output "tarantella_securid" {
  value = [for x in local.f : "${x.protocol}/${x.from_port}-${x.to_port}" if x.product == "tarantella" && x.id == "securid-server"]
}
output "spotfire_terr_engines" {
  value = [for x in local.f : "${x.from_port}-${x.to_port} firewall=${x.firewall}" if x.product == "spotfire" && x.id == "terr-engines"]
}
output "plossys_components" {
  value = [for p in data.portmap_catalog.all.products : [for c in p.components : c.id] if p.id == "plossys"][0]
}
"#,
    );
    let out = ws.apply_outputs();
    // 000: "Tachyon clients TC P 4000 WebSocket Secure (wss) Outgoing".
    assert_eq!(out["tachyon_client_switch"], json!(["tcp/4000"]));
    // 002: clustering port 5701, second 5702 (+1), third 5703 (+2).
    assert_eq!(
        out["spotfire_cluster"],
        json!(["tcp/5701", "tcp/5702", "tcp/5703"])
    );
    // 003: "Tarantella server → Another Tarantella server 5427/tcp".
    assert_eq!(
        out["tarantella_array"],
        json!(["tarantella/server->tarantella/server tcp/5427"])
    );
    // 004: "8301 | Consul | tcp/udp | Serf LAN" (cluster table, row 40).
    assert_eq!(
        out["plossys_consul_serf_lan"],
        json!([
            "tcp/8301 004_5e068018b195e0b7.txt, \"Cluster Installation\" row 40",
            "udp/8301 004_5e068018b195e0b7.txt, \"Cluster Installation\" row 40"
        ])
    );
    // 001 DMZ: "TCP 400n" poke port = Switch client port + 1, one Switch by default.
    assert_eq!(out["one_e_dmz_poke"], json!(["tcp/4001-4001 dmz"]));
    // 003: "1024/udp to 65535/udp".
    assert_eq!(out["tarantella_securid"], json!(["udp/1024-65535"]));
    // 002: TERR engine ports 61000-62000, "No firewall configuration needed".
    assert_eq!(
        out["spotfire_terr_engines"],
        json!(["61000-62000 firewall=false"])
    );
    assert_eq!(
        out["plossys_components"],
        json!([
            "plossys/output-engine",
            "plossys/client",
            "plossys/admin",
            "plossys/administrator-gui-user",
            "plossys/kibana-user",
            "plossys/consul-gui-user",
            "plossys/monitoring",
            "plossys/island-checkout",
            "plossys/dpf-server",
            "plossys/rest-client",
            "plossys/infoclient"
        ])
    );
}

#[test]
fn settings_overrides_move_ports_and_series() {
    let ws = Workspace::new(
        r#"
data "portmap_catalog" "x" {
  product_ids = ["tachyon-5", "1e-platform", "tarantella"]
  settings = {
    "tachyon-5"   = { switch_port = 4100 }
    "1e-platform" = { dmz_switch_port = 4200, dmz_switch_count = 3 }
    "tarantella"  = { array_members = 2 }
  }
}
output "switch" {
  value = [for x in data.portmap_catalog.x.flows : x.from_port if x.product == "tachyon-5" && x.id == "client-switch"]
}
output "poke" {
  value = [for x in data.portmap_catalog.x.flows : "${x.from_port}-${x.to_port}" if x.id == "core-dmz-poke"]
}
output "netlet" {
  value = [for x in data.portmap_catalog.x.flows : x.from_port if x.id == "netlet-login"]
}
output "products" {
  value = [for p in data.portmap_catalog.x.products : p.id]
}
"#,
    );
    let out = ws.apply_outputs();
    assert_eq!(out["switch"], json!([4100]));
    assert_eq!(out["poke"], json!(["4201-4203"]));
    assert_eq!(out["netlet"], json!([4000, 4002]));
    assert_eq!(
        out["products"],
        json!(["1e-platform", "tachyon-5", "tarantella"])
    );
}

#[test]
fn a_user_catalog_adds_a_product() {
    let ws = Workspace::empty();
    ws.copy_dir(&repo_root().join("examples/extra-catalog"));
    let out = ws.apply_outputs();
    assert_eq!(
        out["rules"],
        json!([
            "app:egress:app:tcp:7800-7801",
            "app:egress:app:udp:7800-7801",
            "app:egress:db:tcp:5432",
            "app:ingress:app:tcp:7800-7801",
            "app:ingress:app:udp:7800-7801",
            "app:ingress:users:tcp:8443",
            "db:ingress:app:tcp:5432",
            "users:egress:app:tcp:8443"
        ])
    );
}

#[test]
fn a_broken_user_catalog_is_reported_at_its_entry() {
    let ws = Workspace::new(
        r#"
provider "portmap" {
  extra_catalogs = [file("good.yaml"), file("bad.yaml")]
}
data "portmap_catalog" "x" {}
"#,
    );
    let good =
        std::fs::read_to_string(repo_root().join("examples/extra-catalog/acme-crm.yaml")).unwrap();
    ws.write("good.yaml", &good);
    ws.write(
        "bad.yaml",
        &good
            .replace("id: acme-crm", "id: acme-crm-2")
            .replace("to: db", "to: database"),
    );
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok(), "{}", r.text());
    let d = find(&diags, "Invalid catalog product");
    assert!(
        d.detail
            .contains("flows[1].to (app-db): unknown component \"database\""),
        "{d:?}"
    );
    assert!(
        d.code
            .as_deref()
            .unwrap_or_default()
            .contains("file(\"bad.yaml\")"),
        "{d:?}"
    );

    // A product id that collides with the built-in catalog.
    ws.write("bad.yaml", &good.replace("id: acme-crm", "id: plossys"));
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Invalid catalog product");
    assert!(
        d.detail
            .contains("product id \"plossys\" is already defined"),
        "{d:?}"
    );

    // A document that is not a product at all: the error names the line.
    ws.write("bad.yaml", "id: x\nname: [unclosed\n");
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Invalid catalog document");
    assert!(d.detail.starts_with("At line "), "{d:?}");
}

/// The feature groups of a product, with their exclusivity: Spotfire's
/// client connectors (either or both, seed 002: "You can use either of
/// them or, in some cases, both") and its LDAP protocol (LDAP or LDAPS).
#[test]
fn feature_groups_show_their_exclusivity() {
    let ws = Workspace::new(
        r#"
data "portmap_catalog" "spotfire" {
  product_ids = ["spotfire"]
}
output "groups" {
  value = { for g in data.portmap_catalog.spotfire.products[0].groups : g.id => "${g.exclusive} ${join(",", g.features)} ${coalesce(g.required_with, "-")}" }
}
"#,
    );
    let out = ws.apply_outputs();
    assert_eq!(
        out["groups"],
        json!({
            "connectors": "false http-connector,https-connector -",
            "database-type": "true database-oracle,database-sqlserver,database-postgresql spotfire/database",
            "ldap-protocol": "true ldap,ldaps -",
        })
    );
}

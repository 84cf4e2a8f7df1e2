//! Zones, fronting nodes and the zone policy through a real Terraform, and
//! `portmap_perimeter_rules`: the Spotfire DMZ of examples/spotfire-dmz
//! (a reverse proxy in the DMZ fronting the Spotfire Servers, users on the
//! internet and on the internal network).

use portmap_acceptance_tests::{Workspace, find};

const ZONES: &str = r#"
  zones = {
    internet = { exposure = "untrusted" }
    dmz      = { exposure = "internet-facing", accepts_from = ["internet"] }
    internal = { accepts_from = ["dmz"] }
  }
"#;

fn nodes(proxy_fronts: &str) -> String {
    format!(
        r#"
  nodes = {{
    internet-users = {{ components = ["spotfire/client"], cidrs = ["0.0.0.0/0"], kind = "group", zone = "internet" }}
    proxy          = {{ components = ["spotfire/load-balancer"], cidrs = ["192.0.2.20/32"], zone = "dmz"{proxy_fronts} }}
    sf-1           = {{ components = ["spotfire/server"], cidrs = ["10.60.1.11/32"], zone = "internal" }}
    sf-2           = {{ components = ["spotfire/server"], cidrs = ["10.60.1.12/32"], zone = "internal" }}
    db             = {{ components = ["spotfire/database"], cidrs = ["10.60.3.10/32"], zone = "internal" }}
    analysts       = {{ components = ["spotfire/client"], cidrs = ["10.70.0.0/16"], kind = "group", zone = "internal" }}
  }}
  products = {{
    spotfire = {{ features = ["database-postgresql", "https-connector"], disabled_features = ["http-connector"] }}
  }}
"#
    )
}

const FRONTS: &str = r#", fronts = [{ component = "spotfire/server", listen_ports = "443" }]"#;

#[test]
fn the_proxy_takes_the_internet_users_and_the_perimeter_carries_only_crossing_flows() {
    let ws = Workspace::new(&format!(
        r#"
data "portmap_flows" "dmz" {{
{nodes}{ZONES}
}}

data "portmap_perimeter_rules" "dmz" {{
{nodes}{ZONES}
}}

output "internet_flows" {{
  value = {{ for f in data.portmap_flows.dmz.flows : f.key => f.relay if f.from_node == "internet-users" }}
}}

output "policies" {{
  value = [for p in data.portmap_perimeter_rules.dmz.policies : {{
    name = p.name, from = p.from_zone, to = p.to_zone, sources = p.sources,
    destinations = p.destinations, services = p.services, action = p.action
  }}]
}}

output "services" {{
  value = data.portmap_perimeter_rules.dmz.service_objects
}}

output "addresses" {{
  value = {{ for k, a in data.portmap_perimeter_rules.dmz.address_objects : k => a.addresses }}
}}
"#,
        nodes = nodes(FRONTS)
    ));
    let out = ws.apply_outputs();
    assert_eq!(
        out["internet_flows"],
        serde_json::json!({
            "spotfire:client-https:internet-users>proxy:tcp:443": "in front of sf-1, sf-2"
        })
    );
    assert_eq!(
        out["policies"],
        serde_json::json!([
            {
                // d8c48472: the first 32 bits of FNV-1a 64 of the key
                // "dmz>internal:proxy>sf-1,sf-2" (computed apart, in Python).
                "name": "dmz-to-internal-proxy-sf-1-d8c48472",
                "from": "dmz", "to": "internal",
                "sources": ["proxy"], "destinations": ["sf-1", "sf-2"],
                "services": ["tcp-443"], "action": "allow"
            },
            {
                "name": "internet-to-dmz-internet-users-proxy",
                "from": "internet", "to": "dmz",
                "sources": ["internet-users"], "destinations": ["proxy"],
                "services": ["tcp-443"], "action": "allow"
            }
        ])
    );
    assert_eq!(
        out["services"],
        serde_json::json!({ "tcp-443": { "protocol": "tcp", "ports": "443" } })
    );
    assert_eq!(
        out["addresses"],
        serde_json::json!({
            "internet-users": ["0.0.0.0/0"],
            "proxy": ["192.0.2.20/32"],
            "sf-1": ["10.60.1.11/32"],
            "sf-2": ["10.60.1.12/32"]
        })
    );
}

#[test]
fn without_the_proxy_the_zone_policy_stops_the_plan_at_the_zone() {
    let ws = Workspace::new(&format!(
        r#"
data "portmap_perimeter_rules" "dmz" {{
{nodes}{ZONES}
}}
"#,
        nodes = nodes("")
    ));
    let (run, diags) = ws.plan_diagnostics();
    assert!(!run.ok(), "{}", run.text());
    let d = find(
        &diags,
        "2 flows from zone \"internet\" into zone \"internal\", which does not accept connections from \"internet\"",
    );
    assert!(
        d.detail
            .contains("spotfire:client-https:internet-users>sf-1:tcp:443"),
        "{}",
        d.detail
    );
    assert!(
        d.detail
            .contains("fronts = [{ component = \"spotfire/server\" }]"),
        "{}",
        d.detail
    );
    // Terraform shows the refusing zone's line.
    assert!(
        d.code
            .as_deref()
            .is_some_and(|c| c.contains("internal = { accepts_from = [\"dmz\"] }")),
        "{d:?}"
    );
}

#[test]
fn the_documented_example_gives_the_two_policies_of_the_spotfire_dmz() {
    let text = std::fs::read_to_string(
        portmap_acceptance_tests::repo_root()
            .join("examples/data-sources/portmap_perimeter_rules/data-source.tf"),
    )
    .unwrap();
    let out = Workspace::new(&text).apply_outputs();
    assert_eq!(
        out["policies"],
        serde_json::json!([
            "dmz-to-internal-proxy-sf-1-d8c48472: proxy (dmz) -> sf-1 sf-2 (internal) on tcp-443",
            "internet-to-dmz-internet-users-proxy: internet-users (internet) -> proxy (dmz) on tcp-443"
        ])
    );
    assert_eq!(
        out["service_objects"],
        serde_json::json!({ "tcp-443": { "protocol": "tcp", "ports": "443" } })
    );
}

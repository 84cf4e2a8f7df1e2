//! `portmap_azure_firewall_rules` and `portmap_aws_network_firewall_rules`
//! through a real Terraform on the Spotfire DMZ (examples/spotfire-dmz):
//! only the flows crossing a zone boundary, worked out by hand from the
//! topology and the Spotfire tables (seed 002): internet users reach the
//! fronting proxy on 443, and the proxy reaches each Spotfire Server on 443
//! (`https-connector`; the HTTP connector is disabled).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portmap_acceptance_tests::{Workspace, repo_root};

fn workspace() -> Workspace {
    let ws = Workspace::new(
        r#"
locals {
  topology = yamldecode(file("${path.module}/topology.yaml"))
}

data "portmap_azure_firewall_rules" "hub" {
  nodes          = local.topology.nodes
  products       = local.topology.products
  zones          = local.topology.zones
  priority_start = 2000
}

data "portmap_aws_network_firewall_rules" "hub" {
  nodes    = local.topology.nodes
  products = local.topology.products
  zones    = local.topology.zones
}

output "azure" {
  value = data.portmap_azure_firewall_rules.hub.rule_collections
}

output "aws_rules" {
  value = data.portmap_aws_network_firewall_rules.hub.rules
}

output "aws_variables" {
  value = data.portmap_aws_network_firewall_rules.hub.rule_variables
}

output "aws_capacity" {
  value = data.portmap_aws_network_firewall_rules.hub.capacity
}
"#,
    );
    let topology = std::fs::read_to_string(
        repo_root()
            .join("examples")
            .join("spotfire-dmz")
            .join("topology.yaml"),
    )
    .unwrap();
    ws.write("topology.yaml", &topology);
    ws
}

#[test]
fn the_spotfire_dmz_gives_the_hub_rules_of_its_zone_crossings() {
    let out = workspace().apply_outputs();

    // Azure: one collection per zone pair, in zone-pair order.
    let azure = out["azure"].as_array().unwrap();
    type Row = (String, String, String, String);
    let summary: Vec<(String, u64, Vec<Row>)> = azure
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap().to_string(),
                k["priority"].as_u64().unwrap(),
                k["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let j = |a: &str| {
                            r[a].as_array()
                                .unwrap()
                                .iter()
                                .map(|v| v.as_str().unwrap())
                                .collect::<Vec<_>>()
                                .join(",")
                        };
                        (
                            j("protocols"),
                            j("source_addresses"),
                            j("destination_addresses"),
                            j("destination_ports"),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        summary,
        vec![
            (
                s("portmap-dmz-to-internal"),
                2000,
                vec![(
                    s("TCP"),
                    s("192.0.2.20/32"),
                    s("10.60.1.11/32,10.60.1.12/32"),
                    s("443")
                )]
            ),
            (
                s("portmap-internet-to-dmz"),
                2010,
                vec![(s("TCP"), s("0.0.0.0/0"), s("192.0.2.20/32"), s("443"))]
            ),
        ]
    );
    for k in azure {
        assert_eq!(k["action"], "Allow");
        for r in k["rules"].as_array().unwrap() {
            assert!(r["source_ip_groups"].as_array().unwrap().is_empty());
            assert!(!r["flows"].as_array().unwrap().is_empty());
        }
    }

    // AWS: one rule per CIDR pair, sorted by key, with stable sids.
    let rules = out["aws_rules"].as_array().unwrap();
    let got: Vec<(&str, &str, &str, &str)> = rules
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["source"].as_str().unwrap(),
                r["destination"].as_str().unwrap(),
                r["destination_port"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "internet-users>proxy:tcp:443:0.0.0.0/0>192.0.2.20/32",
                "0.0.0.0/0",
                "192.0.2.20/32",
                "443"
            ),
            (
                "proxy>sf-1:tcp:443:192.0.2.20/32>10.60.1.11/32",
                "192.0.2.20/32",
                "10.60.1.11/32",
                "443"
            ),
            (
                "proxy>sf-2:tcp:443:192.0.2.20/32>10.60.1.12/32",
                "192.0.2.20/32",
                "10.60.1.12/32",
                "443"
            ),
        ]
    );
    for r in rules {
        assert_eq!(r["action"], "PASS");
        assert_eq!(r["protocol"], "TCP");
        assert_eq!(r["direction"], "FORWARD");
        assert_eq!(r["source_port"], "ANY");
        let sid = r["sid"].as_u64().unwrap();
        assert!((1..=(1u64 << 31) - 1).contains(&sid));
    }
    assert_eq!(out["aws_capacity"], 3);
    assert_eq!(out["aws_variables"]["PM_PROXY"][0], "192.0.2.20/32");
    assert_eq!(out["aws_variables"]["PM_INTERNET_USERS"][0], "0.0.0.0/0");
    assert_eq!(out["aws_variables"]["PM_SF_2"][0], "10.60.1.12/32");
}

//! `portmap perimeter`: the crossing flows of examples/spotfire-dmz as the
//! perimeter team's request, as JSON and as a router's nftables chain;
//! expectations written by hand from the topology (internet users reach
//! the proxy on 443, the proxy reaches the two servers on 443; everything
//! else stays inside the internal zone).

mod common;

use common::{ok, portmap};

const DMZ: &str = "examples/spotfire-dmz/topology.yaml";

#[test]
fn the_json_has_the_two_policies_and_only_their_objects() {
    let out: serde_json::Value =
        serde_json::from_str(&ok(&["perimeter", DMZ, "--format", "json"])).unwrap();
    assert_eq!(
        out["address_objects"],
        serde_json::json!({
            "internet-users": { "zone": "internet", "addresses": ["0.0.0.0/0"], "ref": null },
            "proxy": { "zone": "dmz", "addresses": ["192.0.2.20/32"], "ref": null },
            "sf-1": { "zone": "internal", "addresses": ["10.60.1.11/32"], "ref": null },
            "sf-2": { "zone": "internal", "addresses": ["10.60.1.12/32"], "ref": null }
        })
    );
    let policies: Vec<(String, String, String)> = out["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_string(),
                p["services"].to_string(),
                p["flows"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        policies,
        [
            (
                "dmz>internal:proxy>sf-1,sf-2".to_string(),
                r#"["tcp-443"]"#.to_string(),
                r#"["spotfire:load-balancer-https:proxy>sf-1:tcp:443","spotfire:load-balancer-https:proxy>sf-2:tcp:443"]"#.to_string()
            ),
            (
                "internet>dmz:internet-users>proxy".to_string(),
                r#"["tcp-443"]"#.to_string(),
                r#"["spotfire:client-https:internet-users>proxy:tcp:443"]"#.to_string()
            ),
        ]
    );
}

#[test]
fn the_router_chain_drops_by_default_and_allows_exactly_the_policies() {
    let nft = ok(&["perimeter", DMZ, "--format", "nftables"]);
    let rules: Vec<&str> = nft
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with(" accept") || l.contains("policy drop"))
        .collect();
    assert_eq!(
        rules,
        [
            "type filter hook forward priority filter; policy drop;",
            "ct state established,related accept",
            "ip saddr 192.0.2.20/32 ip daddr { 10.60.1.11/32, 10.60.1.12/32 } tcp dport 443 accept",
            "ip saddr 0.0.0.0/0 ip daddr 192.0.2.20/32 tcp dport 443 accept",
        ]
    );
}

#[test]
fn the_markdown_request_has_one_row_per_policy() {
    let md = ok(&["perimeter", DMZ, "--format", "markdown"]);
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Policy"))
        .collect();
    assert_eq!(rows.len(), 2, "{md}");
    assert!(rows[1].starts_with("| internet-to-dmz-internet-users-proxy | internet | internet-users (0.0.0.0/0) | dmz | proxy (192.0.2.20/32) | TCP 443 |"), "{md}");
}

#[test]
fn a_topology_without_zones_has_no_perimeter_and_says_so() {
    let run = portmap(&[
        "perimeter",
        "examples/spotfire/topology.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: nodes: line 5: No flow crosses a zone boundary"),
        "{}",
        run.stderr
    );
    let out: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(out["policies"], serde_json::json!([]));
}

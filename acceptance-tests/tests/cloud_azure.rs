//! `portmap_azure_nsg_rules` through a real Terraform, on a SEAL PLOSSYS
//! cluster and on a 1E platform with a DMZ: exact rules worked out from the
//! vendor tables (catalog/sources/004_5e068018b195e0b7.txt and
//! 001_7cc0a8afb31eb551.txt), priorities recomputed from their documented
//! formula, and priorities that stay put when nodes and flows are added.

mod cloud_support;

use cloud_support::{apply_dmz, azure_priority, keys, stable_across};
use portmap_acceptance_tests::{Workspace, find};
use serde_json::{Value as Json, json};

const ADDRESS: &str = "data.portmap_azure_nsg_rules.this";
const ASG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups";

/// A PLOSSYS cluster on a dual-stack group node, job clients, and
/// administrators with an application security group.
fn cluster(extra: &str, products: &str) -> String {
    format!(
        r#"
data "portmap_azure_nsg_rules" "this" {{
  nodes = {{
    oe      = {{ components = ["plossys/output-engine"], cidrs = ["10.1.0.0/28", "2001:db8:1::/64"], kind = "group" }}
    clients = {{ components = ["plossys/client"], cidrs = ["10.2.0.0/16"], kind = "group" }}
    admins  = {{ components = ["plossys/admin"], cidrs = ["10.3.0.0/24"], kind = "group", ref = "{ASG}/asg-admins" }}
    {extra}
  }}
  {products}
}}
"#
    )
}

/// Ports of the rows of "Cluster Installation" that hold without options
/// (monitoring 1948, remote printing 2118/2119, DPF 2128/2129 and Keycloak
/// 32769 are conditional), as `destination_port_ranges`: 8080-8082 and
/// 8300-8302 are consecutive ports.
const CLUSTER_TCP: &[&str] = &[
    "53",
    "443",
    "515",
    "631",
    "1898",
    "1908",
    "1918",
    "1928",
    "1938",
    "1958",
    "1969",
    "1978",
    "1988",
    "1998",
    "2008",
    "2018",
    "2028",
    "2038",
    "2048",
    "2058",
    "2068",
    "2078",
    "2088",
    "2098",
    "2108",
    "2138",
    "2198",
    "4222",
    "5601",
    "6222",
    "8080-8082",
    "8300-8302",
    "8400",
    "8500",
    "9000",
    "9200",
    "9300",
    "27017",
];

fn cluster_tcp() -> Vec<&'static str> {
    CLUSTER_TCP.to_vec()
}

/// An Azure rule: the peer side is `peer_side`, the node side `*` or an ASG.
#[allow(clippy::too_many_arguments)]
fn rule(
    key: &str,
    name: &str,
    ports: &[&str],
    inbound: bool,
    peer_side: Json,
    node_side: Json,
    description: Json,
    flows: Json,
) -> Json {
    let parts: Vec<&str> = key.split(':').collect();
    let (node, peer, protocol) = (
        parts[0],
        parts[2],
        if parts[3] == "tcp" { "Tcp" } else { "Udp" },
    );
    let mut r = json!({
        "node": node, "peer": peer, "name": name, "priority": azure_priority(key),
        "direction": if inbound { "Inbound" } else { "Outbound" }, "access": "Allow", "protocol": protocol,
        "source_port_range": "*", "destination_port_ranges": ports,
        "source_address_prefix": null, "source_address_prefixes": null, "source_application_security_group_ids": null,
        "destination_address_prefix": null, "destination_address_prefixes": null, "destination_application_security_group_ids": null,
        "description": description, "flows": flows,
    });
    let (source, destination) = if inbound {
        (peer_side, node_side)
    } else {
        (node_side, peer_side)
    };
    for (side, v) in [("source", source), ("destination", destination)] {
        let (k, v) = match v {
            Json::String(s) if s == "*" => (format!("{side}_address_prefix"), json!("*")),
            Json::String(s) => (format!("{side}_application_security_group_ids"), json!([s])),
            list => (format!("{side}_address_prefixes"), list),
        };
        r[k] = v;
    }
    r
}

#[test]
fn plossys_cluster_rules_exactly_and_priorities_kept_when_a_node_and_flows_are_added() {
    // Step 2 adds a monitoring server (a new peer, and the metrics port 1948
    // inside the cluster) and enables Keycloak (32769 for administrators and
    // inside the cluster). Existing rules gain ports but keep their names
    // and priorities.
    let (before, after) = stable_across(
        &cluster("", ""),
        &cluster(
            r#"monitoring = { components = ["plossys/monitoring"], cidrs = ["10.4.0.10"] }"#,
            r#"products = { plossys = { features = ["keycloak"] } }"#,
        ),
        ADDRESS,
        "{ name = each.value.name, priority = each.value.priority }",
    );
    let admin_asg = format!("{ASG}/asg-admins");
    let mut expected = vec![
        "admins:egress:oe:tcp:ipv4",
        "admins:egress:oe:tcp:ipv6",
        "clients:egress:oe:tcp:ipv4",
        "clients:egress:oe:tcp:ipv6",
        "oe:egress:oe:tcp:ipv4",
        "oe:egress:oe:tcp:ipv6",
        "oe:egress:oe:udp:ipv4",
        "oe:egress:oe:udp:ipv6",
        "oe:ingress:admins:tcp:ref",
        "oe:ingress:clients:tcp:ipv4",
        "oe:ingress:oe:tcp:ipv4",
        "oe:ingress:oe:tcp:ipv6",
        "oe:ingress:oe:udp:ipv4",
        "oe:ingress:oe:udp:ipv6",
    ];
    expected.sort();
    assert_eq!(keys(&before), expected);
    // Job clients: IPPS 443, LPR 515, IPP 631 (flows in key order).
    let jobs = json!([
        "plossys:client-ipp:clients>oe:tcp:631",
        "plossys:client-ipps:clients>oe:tcp:443",
        "plossys:client-lpr:clients>oe:tcp:515"
    ]);
    let text = json!(
        "plossys: Job acceptance via IPP (seal-ipp-checkin); Job acceptance via IPPS (seal-ipp-checkin); Job acceptance via LPR (seal-checkin)"
    );
    assert_eq!(
        before["oe:ingress:clients:tcp:ipv4"],
        rule(
            "oe:ingress:clients:tcp:ipv4",
            "oe-in-clients-tcp-v4",
            &["443", "515", "631"],
            true,
            json!(["10.2.0.0/16"]),
            json!("*"),
            text.clone(),
            jobs.clone()
        )
    );
    assert_eq!(
        before["clients:egress:oe:tcp:ipv4"],
        rule(
            "clients:egress:oe:tcp:ipv4",
            "clients-out-oe-tcp-v4",
            &["443", "515", "631"],
            false,
            json!(["10.1.0.0/28"]),
            json!("*"),
            text,
            jobs
        )
    );
    // Administrators: Kibana 5601, the Consul GUI 8500 (cluster only) and
    // PLOSSYS Administrator 9000, from their application security group.
    let admin_flows = json!([
        "plossys:admin-consul-gui:admins>oe:tcp:8500",
        "plossys:admin-gui:admins>oe:tcp:9000",
        "plossys:admin-kibana:admins>oe:tcp:5601"
    ]);
    let admin_text = json!(
        "plossys: Consul Administrator GUI; PLOSSYS Administrator (Output Engine GUI); Kibana GUI for the log data"
    );
    assert_eq!(
        before["oe:ingress:admins:tcp:ref"],
        rule(
            "oe:ingress:admins:tcp:ref",
            "oe-in-admins-tcp-asg",
            &["5601", "8500", "9000"],
            true,
            json!(admin_asg),
            json!("*"),
            admin_text.clone(),
            admin_flows.clone()
        )
    );
    assert_eq!(
        before["admins:egress:oe:tcp:ipv6"],
        rule(
            "admins:egress:oe:tcp:ipv6",
            "admins-out-oe-tcp-v6",
            &["5601", "8500", "9000"],
            false,
            json!(["2001:db8:1::/64"]),
            json!(admin_asg),
            admin_text,
            admin_flows
        )
    );
    // Between the cluster's servers, one rule per protocol and family.
    for fam in ["ipv4", "ipv6"] {
        let k = format!("oe:ingress:oe:tcp:{fam}");
        assert_eq!(
            before[&k]["destination_port_ranges"],
            json!(cluster_tcp()),
            "{k}"
        );
        assert_eq!(
            before[&format!("oe:egress:oe:udp:{fam}")]["destination_port_ranges"],
            json!(["53", "8301-8302"])
        );
    }
    assert_eq!(
        before["oe:ingress:oe:tcp:ipv6"]["source_address_prefixes"],
        json!(["2001:db8:1::/64"])
    );
    assert_eq!(
        before["oe:egress:oe:udp:ipv4"]["destination_address_prefixes"],
        json!(["10.1.0.0/28"])
    );
    for (k, r) in before.as_object().unwrap() {
        assert_eq!(r["priority"], json!(azure_priority(k)), "{k}");
        assert!(
            r["description"].as_str().unwrap().chars().count() <= 140,
            "{k}"
        );
    }

    // After: the same names and priorities (checked by the plan), with the
    // new ports on the existing rules, and rules for the new peer.
    for k in keys(&before) {
        assert_eq!(
            (&after[&k]["name"], &after[&k]["priority"]),
            (&before[&k]["name"], &before[&k]["priority"]),
            "{k}"
        );
    }
    let mut with_new = cluster_tcp();
    with_new.insert(with_new.iter().position(|p| *p == "1958").unwrap(), "1948");
    with_new.push("32769");
    assert_eq!(
        after["oe:ingress:oe:tcp:ipv4"]["destination_port_ranges"],
        json!(with_new)
    );
    assert_eq!(
        after["oe:ingress:admins:tcp:ref"]["destination_port_ranges"],
        json!(["5601", "8500", "9000", "32769"])
    );
    let mut new: Vec<String> = keys(&after)
        .into_iter()
        .filter(|k| before.get(k).is_none())
        .collect();
    new.sort();
    assert_eq!(
        new,
        [
            "monitoring:egress:oe:tcp:ipv4",
            "monitoring:egress:oe:tcp:ipv6",
            "oe:ingress:monitoring:tcp:ipv4"
        ]
    );
    assert_eq!(
        after["oe:ingress:monitoring:tcp:ipv4"]["destination_port_ranges"],
        json!(["1948"])
    );
}

#[test]
fn dmz_rules_with_application_security_groups() {
    let asg = |n: &str| format!("{ASG}/asg-{n}");
    let (_, _, rules) = apply_dmz(
        "portmap_azure_nsg_rules",
        "",
        [&asg("server"), &asg("sql"), &asg("dmz")],
    );
    let mut expected = vec![
        "clients:egress:server:tcp:ref",
        "cloud:ingress:server:tcp:ref",
        "crl:ingress:dmz:tcp:ref",
        "dmz:egress:crl:tcp:ipv4",
        "dmz:egress:server:tcp:ref",
        "dmz:ingress:internet:tcp:ipv4",
        "dmz:ingress:internet:tcp:ipv6",
        "dmz:ingress:server:tcp:ref",
        "internet:egress:dmz:tcp:ref",
        "mail:ingress:server:tcp:ref",
        "server:egress:cloud:tcp:ipv4",
        "server:egress:dmz:tcp:ref",
        "server:egress:mail:tcp:ipv4",
        "server:egress:sql:tcp:ref",
        "server:ingress:clients:tcp:ipv4",
        "server:ingress:dmz:tcp:ref",
        "sql:ingress:server:tcp:ref",
    ];
    expected.sort();
    assert_eq!(keys(&rules), expected);
    // Internet-facing clients reach the DMZ Background Channel (443) and the
    // DMZ Switch (4000): one rule per address family, into the DMZ's ASG.
    let internet_flows = json!([
        "1e-platform:internet-client-background-channel:internet>dmz:tcp:443",
        "1e-platform:internet-client-dmz-switch:internet>dmz:tcp:4000"
    ]);
    let text = json!(
        "1e-platform: Internet-facing clients download content from the DMZ Background Channel; Internet-facing clients to the DMZ Switch"
    );
    for (fam, short, prefix) in [("ipv4", "v4", "0.0.0.0/0"), ("ipv6", "v6", "::/0")] {
        let k = format!("dmz:ingress:internet:tcp:{fam}");
        assert_eq!(
            rules[&k],
            rule(
                &k,
                &format!("dmz-in-internet-tcp-{short}"),
                &["443", "4000"],
                true,
                json!([prefix]),
                json!(asg("dmz")),
                text.clone(),
                internet_flows.clone()
            )
        );
    }
    // The DMZ Switches forward responses to the Core (443) and send
    // instrumentation to the Coordinator (3901): ASG to ASG.
    let r = &rules["server:ingress:dmz:tcp:ref"];
    assert_eq!(
        r["source_application_security_group_ids"],
        json!([asg("dmz")])
    );
    assert_eq!(
        r["destination_application_security_group_ids"],
        json!([asg("server")])
    );
    assert_eq!(r["destination_port_ranges"], json!(["443", "3901"]));
    assert_eq!(r["name"], "server-in-dmz-tcp-asg");
    assert_eq!(
        rules["server:ingress:clients:tcp:ipv4"]["destination_port_ranges"],
        json!(["80", "443", "4000"])
    );
    assert_eq!(
        rules["sql:ingress:server:tcp:ref"]["destination_port_ranges"],
        json!(["1433"])
    );
    assert_eq!(
        rules["server:egress:dmz:tcp:ref"]["destination_port_ranges"],
        json!(["443", "4001"])
    );
}

/// Two client networks whose inbound rules on "oe" derive the same
/// priority, found by searching names with the documented formula.
fn colliding_peers() -> (String, String, u64) {
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..10_000 {
        let peer = format!("net{i}");
        let p = azure_priority(&format!("oe:ingress:{peer}:tcp:ipv4"));
        if let Some(other) = seen.insert(p, peer.clone()) {
            return (other, peer, p);
        }
    }
    panic!("no collision");
}

#[test]
fn a_priority_clash_fails_the_plan_and_a_pin_resolves_it_without_moving_the_other_rule() {
    let (a, b, p) = colliding_peers();
    let config = |pins: &str| {
        format!(
            r#"
data "portmap_azure_nsg_rules" "this" {{
  nodes = {{
    oe   = {{ components = ["plossys/output-engine"], cidrs = ["10.1.0.10"] }}
    {a} = {{ components = ["plossys/client"], cidrs = ["10.2.0.0/16"], kind = "group" }}
    {b} = {{ components = ["plossys/client"], cidrs = ["10.3.0.0/16"], kind = "group" }}
  }}
  {pins}
}}
output "rules" {{
  value = {{ for k, r in {ADDRESS}.rules : k => r.priority if r.node == "oe" }}
}}
"#
        )
    };
    let (ka, kb) = (
        format!("oe:ingress:{a}:tcp:ipv4"),
        format!("oe:ingress:{b}:tcp:ipv4"),
    );
    let (first, second) = if ka < kb { (ka, kb) } else { (kb, ka) };
    let ws = Workspace::new(&config(""));
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok());
    let d = find(
        &diags,
        &format!("Rules \"{first}\" and \"{second}\" of node \"oe\" share priority {p}"),
    );
    assert_eq!(d.severity, "error");
    let free = if p == 3999 { 100 } else { p + 1 };
    assert!(
        d.detail.contains(&format!("\"{second}\" = {free}")),
        "{}",
        d.detail
    );

    ws.write(
        "main.tf",
        &format!(
            "{}\n{}",
            portmap_acceptance_tests::header(),
            config(&format!("pinned_priorities = {{ \"{second}\" = {free} }}"))
        ),
    );
    let out = ws.apply_outputs();
    assert_eq!(out["rules"], json!({ first: p, second: free }));
}

#[test]
fn pins_out_of_range_fail_validation() {
    let ws = Workspace::new(&cluster(
        "",
        r#"pinned_priorities = { "oe:ingress:clients:tcp:ipv4" = 4097 }"#,
    ));
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Priority 4097 is out of range");
    assert_eq!(d.highlight.as_deref(), Some("4097"), "{d:?}");
}

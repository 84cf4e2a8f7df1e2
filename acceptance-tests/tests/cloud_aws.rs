//! `portmap_aws_security_group_rules` through a real Terraform, on a SEAL
//! PLOSSYS server and on a 1E platform with a DMZ. The expected rules are
//! worked out from the vendor tables (provider/portmap-core/catalog/sources/
//! 004_5e068018b195e0b7.txt for PLOSSYS, 001_7cc0a8afb31eb551.txt for 1E).

mod cloud_support;

use cloud_support::{DMZ_RISKS, apply_dmz, keys, stable_across, summaries};
use portmap_acceptance_tests::{Workspace, find};
use serde_json::{Value as Json, json};

const ADDRESS: &str = "data.portmap_aws_security_group_rules.this";

/// A PLOSSYS Output Engine server with its own security group (ref), job
/// clients over IPv4 and IPv6, and administrators; `extra` adds nodes.
fn plossys(extra: &str, args: &str) -> String {
    format!(
        r#"
data "portmap_aws_security_group_rules" "this" {{
  nodes = {{
    oe      = {{ components = ["plossys/output-engine"], cidrs = ["10.1.0.10"], ref = "sg-oe" }}
    clients = {{ components = ["plossys/client"], cidrs = ["10.2.0.0/16", "2001:db8:2::/48"], kind = "group" }}
    admins  = {{ components = ["plossys/admin"], cidrs = ["10.3.0.0/24"], kind = "group" }}
    {extra}
  }}
  {args}
}}
"#
    )
}

/// An AWS rule object.
#[allow(clippy::too_many_arguments)]
fn rule(
    node: &str,
    direction: &str,
    peer: &str,
    port: u16,
    cidr: &str,
    description: &str,
    flow: &str,
) -> Json {
    let (v4, v6, refnode, refid) = match cidr {
        "ref" => (
            Json::Null,
            Json::Null,
            json!(peer),
            json!(format!("sg-{peer}")),
        ),
        c if c.contains(':') => (Json::Null, json!(c), Json::Null, Json::Null),
        c => (json!(c), Json::Null, Json::Null, Json::Null),
    };
    json!({
        "node": node, "direction": direction, "peer": peer, "ip_protocol": "tcp",
        "from_port": port, "to_port": port,
        "cidr_ipv4": v4, "cidr_ipv6": v6, "referenced_node": refnode, "referenced_security_group_id": refid, "prefix_list_id": null,
        "description": description, "flows": [flow],
    })
}

#[test]
fn plossys_single_server_rules_exactly_and_unchanged_when_a_node_is_added() {
    let (before, after) = stable_across(
        &plossys("", ""),
        &plossys(
            r#"monitoring = { components = ["plossys/monitoring"], cidrs = ["10.4.0.10"] }"#,
            "",
        ),
        ADDRESS,
        "each.value",
    );
    // "Single Server Installation": IPPS 443, LPR 515 and IPP 631 for job
    // clients; Kibana 5601 and PLOSSYS Administrator 9000 for the
    // administrators. The server's own rules name each client CIDR; the
    // clients' and administrators' egress rules reference its group.
    let jobs = [
        (
            443,
            "plossys: Job acceptance via IPPS (seal-ipp-checkin)",
            "client-ipps",
        ),
        (
            515,
            "plossys: Job acceptance via LPR (seal-checkin)",
            "client-lpr",
        ),
        (
            631,
            "plossys: Job acceptance via IPP (seal-ipp-checkin)",
            "client-ipp",
        ),
    ];
    let admin = [
        (5601, "plossys: Kibana GUI for the log data", "admin-kibana"),
        (
            9000,
            "plossys: PLOSSYS Administrator (Output Engine GUI)",
            "admin-gui",
        ),
    ];
    let mut expected = serde_json::Map::new();
    for (port, text, flow) in jobs {
        let f = format!("plossys:{flow}:clients>oe:tcp:{port}");
        for cidr in ["10.2.0.0/16", "2001:db8:2::/48"] {
            expected.insert(
                format!("oe:ingress:clients:tcp:{port}:{cidr}"),
                rule("oe", "ingress", "clients", port, cidr, text, &f),
            );
        }
        expected.insert(
            format!("clients:egress:oe:tcp:{port}:ref"),
            rule("clients", "egress", "oe", port, "ref", text, &f),
        );
    }
    for (port, text, flow) in admin {
        let f = format!("plossys:{flow}:admins>oe:tcp:{port}");
        expected.insert(
            format!("oe:ingress:admins:tcp:{port}:10.3.0.0/24"),
            rule("oe", "ingress", "admins", port, "10.3.0.0/24", text, &f),
        );
        expected.insert(
            format!("admins:egress:oe:tcp:{port}:ref"),
            rule("admins", "egress", "oe", port, "ref", text, &f),
        );
    }
    assert_eq!(before, Json::Object(expected));
    // Monitoring reads the metrics of seal-checkin on 1948 (row 4).
    let mut new: Vec<String> = keys(&after)
        .into_iter()
        .filter(|k| before.get(k).is_none())
        .collect();
    new.sort();
    assert_eq!(
        new,
        [
            "monitoring:egress:oe:tcp:1948:ref",
            "oe:ingress:monitoring:tcp:1948:10.4.0.10/32"
        ]
    );
}

#[test]
fn dmz_rules_never_allow_all_protocols_and_flag_cleartext() {
    let (ws, body, rules) = apply_dmz(
        "portmap_aws_security_group_rules",
        "",
        ["sg-server", "sg-sql", "sg-dmz"],
    );
    // Every connection of the 1E tables with the DMZ server: browsers and
    // clients to the server (443, 80, 4000), the server to SQL Server (1433),
    // mail (25) and the 1E Cloud (443), internet clients to the DMZ (443,
    // 4000), the server to the DMZ (443, and 4001 to poke the one DMZ
    // Switch), the DMZ to the server (443, 3901) and to the CRL (80).
    let mut expected = vec![
        "clients:egress:server:tcp:443:ref",
        "clients:egress:server:tcp:4000:ref",
        "clients:egress:server:tcp:80:ref",
        "cloud:ingress:server:tcp:443:ref",
        "crl:ingress:dmz:tcp:80:ref",
        "dmz:egress:crl:tcp:80:203.0.113.0/24",
        "dmz:egress:server:tcp:3901:ref",
        "dmz:egress:server:tcp:443:ref",
        "dmz:ingress:internet:tcp:4000:0.0.0.0/0",
        "dmz:ingress:internet:tcp:4000:::/0",
        "dmz:ingress:internet:tcp:443:0.0.0.0/0",
        "dmz:ingress:internet:tcp:443:::/0",
        "dmz:ingress:server:tcp:4001:ref",
        "dmz:ingress:server:tcp:443:ref",
        "internet:egress:dmz:tcp:4000:ref",
        "internet:egress:dmz:tcp:443:ref",
        "mail:ingress:server:tcp:25:ref",
        "server:egress:cloud:tcp:443:0.0.0.0/0",
        "server:egress:dmz:tcp:4001:ref",
        "server:egress:dmz:tcp:443:ref",
        "server:egress:mail:tcp:25:10.10.2.25/32",
        "server:egress:sql:tcp:1433:ref",
        "server:ingress:clients:tcp:4000:10.20.0.0/16",
        "server:ingress:clients:tcp:443:10.20.0.0/16",
        "server:ingress:clients:tcp:80:10.20.0.0/16",
        "server:ingress:dmz:tcp:3901:ref",
        "server:ingress:dmz:tcp:443:ref",
        "sql:ingress:server:tcp:1433:ref",
    ];
    expected.sort();
    assert_eq!(keys(&rules), expected);
    for (k, r) in rules.as_object().unwrap() {
        assert!(
            r["ip_protocol"] == "tcp" || r["ip_protocol"] == "udp",
            "{k}: {r}"
        );
        let set = ["cidr_ipv4", "cidr_ipv6", "referenced_node"]
            .iter()
            .filter(|a| !r[**a].is_null())
            .count();
        assert_eq!(set, 1, "{k}: {r}");
    }
    assert_eq!(
        rules["dmz:ingress:internet:tcp:4000:::/0"],
        json!({
            "node": "dmz", "direction": "ingress", "peer": "internet", "ip_protocol": "tcp", "from_port": 4000, "to_port": 4000,
            "cidr_ipv4": null, "cidr_ipv6": "::/0", "referenced_node": null, "referenced_security_group_id": null, "prefix_list_id": null,
            "description": "1e-platform: Internet-facing clients to the DMZ Switch",
            "flows": ["1e-platform:internet-client-dmz-switch:internet>dmz:tcp:4000"],
        })
    );
    assert_eq!(
        rules["sql:ingress:server:tcp:1433:ref"]["referenced_security_group_id"],
        "sg-server"
    );

    // The same findings stop the plan when asked to.
    ws.write(
        "main.tf",
        &format!(
            "{}\n{}",
            portmap_acceptance_tests::header(),
            body.replace("  nodes = {", "  fail_on_risk = true\n  nodes = {")
        ),
    );
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok());
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == "error")
        .map(|d| d.summary.clone())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    for risk in DMZ_RISKS {
        assert!(errors.contains(&risk.to_string()), "{errors:?}");
    }
}

#[test]
fn the_quota_per_direction_and_family_is_checked_at_plan_time() {
    // oe needs 5 inbound IPv4 rules (3 job ports, 2 administrator ports)
    // and 3 inbound IPv6 rules.
    let ws = Workspace::new(&plossys("", "max_rules = 4"));
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok(), "{}", r.text());
    let d = find(
        &diags,
        "Security group of node \"oe\" needs 5 inbound IPv4 rules; the quota is 4",
    );
    assert_eq!(d.severity, "error");
    assert!(
        d.code
            .as_deref()
            .unwrap_or_default()
            .contains("oe      = { components"),
        "{d:?}"
    );
    assert!(
        d.detail.contains("set max_rules 5") && d.detail.contains("split \"oe\""),
        "{}",
        d.detail
    );
    assert_eq!(
        summaries(&diags, "Security group of node").len(),
        1,
        "{diags:?}"
    );

    let ws = Workspace::new(&plossys("", "max_rules = 1001"));
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "max_rules 1001 is out of range");
    assert_eq!(d.highlight.as_deref(), Some("1001"), "{d:?}");

    let ws = Workspace::new(&plossys("", "max_rules = 60.5"));
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    find(&diags, "A whole number is required");
}

#[test]
fn path_mtu_discovery_adds_the_icmp_rules_a_security_group_needs_on_request() {
    let ws = Workspace::new(&format!(
        "{}\n{}",
        plossys("", "path_mtu_discovery = true\n  for_nodes = [\"oe\"]"),
        r#"output "rules" {
  value = data.portmap_aws_security_group_rules.this.rules
}
"#
    ));
    let out = ws.apply_outputs();
    let rules = out["rules"].as_object().expect("a map");
    // The Output Engine has an IPv4 address only: one ICMP rule,
    // "fragmentation needed" (type 3, code 4) from any router.
    let icmp: Vec<&String> = rules.keys().filter(|k| k.contains(":path-mtu:")).collect();
    assert_eq!(icmp, ["oe:ingress:path-mtu:icmp:0.0.0.0/0"]);
    let r = &rules["oe:ingress:path-mtu:icmp:0.0.0.0/0"];
    assert_eq!(
        (&r["ip_protocol"], &r["from_port"], &r["to_port"]),
        (&json!("icmp"), &json!(3), &json!(4))
    );
    assert_eq!(r["cidr_ipv4"], "0.0.0.0/0");
    assert_eq!(r["peer"], "*");
    assert_eq!(r["flows"], json!([]));
    // Every other rule is a tcp rule the flows require.
    assert!(
        rules
            .iter()
            .filter(|(k, _)| !k.contains(":path-mtu:"))
            .all(|(_, r)| r["ip_protocol"] == "tcp" && !r["flows"].as_array().unwrap().is_empty())
    );
}

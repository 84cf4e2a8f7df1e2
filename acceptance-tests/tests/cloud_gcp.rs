//! `portmap_gcp_firewall_rules` through a real Terraform, on a Tarantella
//! array and on a 1E platform with a DMZ. The expected rules are worked out
//! from the vendor tables (catalog/sources/003_a45857cbf3bda30e.txt for
//! Tarantella, 001_7cc0a8afb31eb551.txt for 1E).

mod cloud_support;

use cloud_support::{apply_dmz, keys, stable_across, summaries};
use portmap_acceptance_tests::{Workspace, find};
use serde_json::{Value as Json, json};

const ADDRESS: &str = "data.portmap_gcp_firewall_rules.this";

/// A Tarantella array on tagged instances serving webtops over HTTPS and
/// the Security Pack to internet clients, and application servers reached
/// over SSH and Windows Terminal Services that do not print through
/// Tarantella (`printing`, on by default, disabled).
fn array(extra: &str) -> String {
    format!(
        r#"
data "portmap_gcp_firewall_rules" "this" {{
  nodes = {{
    tts     = {{ components = ["tarantella/server"], cidrs = ["10.40.1.0/24"], kind = "group", ref = "tarantella", exposure = "internet-facing" }}
    apps    = {{ components = ["tarantella/application-server"], cidrs = ["10.40.2.0/24"], kind = "group", ref = "tarantella-apps" }}
    clients = {{ components = ["tarantella/client"], cidrs = ["0.0.0.0/0", "::/0"], kind = "group", exposure = "untrusted" }}
    {extra}
  }}
  products = {{
    tarantella = {{ settings = {{ array_members = 2 }}, features = ["security-pack"], disabled_features = ["webtop-http", "standard-connections", "printing"] }}
  }}
}}
"#
    )
}

/// A GCP rule with one `allow` block for TCP.
#[allow(clippy::too_many_arguments)]
fn rule(
    node: &str,
    peer: &str,
    name: &str,
    ingress: bool,
    ports: &[&str],
    ranges: [Json; 2],
    target: Json,
    text: &str,
    flows: &[&str],
) -> Json {
    let [source, destination] = ranges;
    json!({
        "node": node, "peer": peer, "name": name, "direction": if ingress { "INGRESS" } else { "EGRESS" }, "priority": 1000,
        "allow": [{ "protocol": "tcp", "ports": ports }],
        "source_ranges": source, "destination_ranges": destination, "source_tags": null, "target_tags": target,
        "source_service_accounts": null, "target_service_accounts": null,
        "description": text, "flows": flows,
    })
}

#[test]
fn tarantella_array_rules_exactly_and_unchanged_when_a_directory_is_added() {
    let (before, after) = stable_across(
        &array(""),
        &array(r#"ldap = { components = ["tarantella/ldap-server"], cidrs = ["10.40.3.10"] }"#),
        ADDRESS,
        "each.value",
    );
    // Clients: HTTPS webtops (443) and the Security Pack (5307); between
    // array members: 5427; to application servers: SSH (22) and Windows
    // Terminal Services (3389).
    let clients = "tarantella: Clients to the Tarantella server over SSL (Security Pack); Clients load webtops from the web server on the Tarantella host over HTTPS";
    let client_flows = [
        "tarantella:client-secure:clients>tts:tcp:5307",
        "tarantella:client-webtop-https:clients>tts:tcp:443",
    ];
    let apps = "tarantella: X and character applications over SSH; Windows applications over Windows Terminal Services";
    let app_flows = [
        "tarantella:ssh:tts>apps:tcp:22",
        "tarantella:windows-terminal-services:tts>apps:tcp:3389",
    ];
    let array_text = "tarantella: Array replication and sharing of static and dynamic data";
    let array_flows = ["tarantella:array:tts>tts:tcp:5427"];
    let tag = |t: &str| json!([t]);
    let expected = json!({
        "tts:ingress:clients:ipv4": rule("tts", "clients", "portmap-tts-in-clients-v4", true, &["443", "5307"], [json!(["0.0.0.0/0"]), Json::Null], tag("tarantella"), clients, &client_flows),
        "tts:ingress:clients:ipv6": rule("tts", "clients", "portmap-tts-in-clients-v6", true, &["443", "5307"], [json!(["::/0"]), Json::Null], tag("tarantella"), clients, &client_flows),
        "clients:egress:tts:ipv4": rule("clients", "tts", "portmap-clients-out-tts-v4", false, &["443", "5307"], [json!(["0.0.0.0/0"]), json!(["10.40.1.0/24"])], Json::Null, clients, &client_flows),
        "tts:ingress:tts:ipv4": rule("tts", "tts", "portmap-tts-in-tts-v4", true, &["5427"], [json!(["10.40.1.0/24"]), Json::Null], tag("tarantella"), array_text, &array_flows),
        "tts:egress:tts:ipv4": rule("tts", "tts", "portmap-tts-out-tts-v4", false, &["5427"], [Json::Null, json!(["10.40.1.0/24"])], tag("tarantella"), array_text, &array_flows),
        "tts:egress:apps:ipv4": rule("tts", "apps", "portmap-tts-out-apps-v4", false, &["22", "3389"], [Json::Null, json!(["10.40.2.0/24"])], tag("tarantella"), apps, &app_flows),
        "apps:ingress:tts:ipv4": rule("apps", "tts", "portmap-apps-in-tts-v4", true, &["22", "3389"], [json!(["10.40.1.0/24"]), Json::Null], tag("tarantella-apps"), apps, &app_flows),
    });
    assert_eq!(before, expected);
    // The directory brings LDAP (389) from the servers.
    let mut new: Vec<String> = keys(&after)
        .into_iter()
        .filter(|k| before.get(k).is_none())
        .collect();
    new.sort();
    assert_eq!(new, ["ldap:ingress:tts:ipv4", "tts:egress:ldap:ipv4"]);
    assert_eq!(
        after["ldap:ingress:tts:ipv4"]["allow"],
        json!([{ "protocol": "tcp", "ports": ["389"] }])
    );
    assert_eq!(
        after["ldap:ingress:tts:ipv4"]["destination_ranges"],
        json!(["10.40.3.10/32"])
    );
    assert_eq!(after["ldap:ingress:tts:ipv4"]["target_tags"], Json::Null);
}

#[test]
fn cleartext_ldap_from_an_internet_facing_array_is_flagged() {
    let ws = Workspace::new(&array(
        r#"ldap = { components = ["tarantella/ldap-server"], cidrs = ["10.40.3.10"] }"#,
    ));
    let r = ws.terraform(&["plan", "-json", "-input=false"]);
    assert!(r.ok(), "{}", r.text());
    let d = r.diagnostics();
    assert_eq!(
        summaries(&d, "Risk:"),
        ["Risk: cleartext protocol from \"tts\" (internet-facing) to \"ldap\""]
    );
    let risk = find(&d, "Risk:");
    assert!(
        risk.detail.contains("tarantella ldap: tcp/389 LDAP"),
        "{}",
        risk.detail
    );
}

#[test]
fn dmz_rules_target_network_tags_and_never_mix_families() {
    let args = "  name_prefix = \"onee\"\n  priority    = 900\n";
    let (_, _, rules) = apply_dmz(
        "portmap_gcp_firewall_rules",
        args,
        ["onee-server", "onee-sql", "onee-dmz"],
    );
    let mut expected = vec![
        "clients:egress:server:ipv4",
        "cloud:ingress:server:ipv4",
        "crl:ingress:dmz:ipv4",
        "dmz:egress:crl:ipv4",
        "dmz:egress:server:ipv4",
        "dmz:ingress:internet:ipv4",
        "dmz:ingress:internet:ipv6",
        "dmz:ingress:server:ipv4",
        "internet:egress:dmz:ipv4",
        "mail:ingress:server:ipv4",
        "server:egress:cloud:ipv4",
        "server:egress:dmz:ipv4",
        "server:egress:mail:ipv4",
        "server:egress:sql:ipv4",
        "server:ingress:clients:ipv4",
        "server:ingress:dmz:ipv4",
        "sql:ingress:server:ipv4",
    ];
    expected.sort();
    assert_eq!(keys(&rules), expected);
    let r = &rules["dmz:ingress:internet:ipv6"];
    assert_eq!(r["name"], "onee-dmz-in-internet-v6");
    assert_eq!(r["priority"], 900);
    assert_eq!(
        r["allow"],
        json!([{ "protocol": "tcp", "ports": ["443", "4000"] }])
    );
    assert_eq!(
        (&r["source_ranges"], &r["target_tags"]),
        (&json!(["::/0"]), &json!(["onee-dmz"]))
    );
    // The internet's IPv6 range cannot reach an IPv4-only DMZ address from
    // the internet node's side: its egress rule has the IPv4 family only.
    assert_eq!(
        rules["internet:egress:dmz:ipv4"]["source_ranges"],
        json!(["0.0.0.0/0"])
    );
    assert_eq!(
        rules["internet:egress:dmz:ipv4"]["destination_ranges"],
        json!(["192.0.2.10/32"])
    );
    // The Response Stack pokes the DMZ Switch (4001); the Consumer API
    // sends content to the DMZ Background Channel (443).
    assert_eq!(
        rules["server:egress:dmz:ipv4"]["allow"],
        json!([{ "protocol": "tcp", "ports": ["443", "4001"] }])
    );
    assert_eq!(
        rules["server:egress:dmz:ipv4"]["target_tags"],
        json!(["onee-server"])
    );
    for (k, r) in rules.as_object().unwrap() {
        let ranges: Vec<&str> = ["source_ranges", "destination_ranges"]
            .iter()
            .flat_map(|a| r[*a].as_array().into_iter().flatten())
            .filter_map(Json::as_str)
            .collect();
        let v6 = ranges.iter().filter(|c| c.contains(':')).count();
        assert!(
            v6 == 0 || v6 == ranges.len(),
            "{k} mixes families: {ranges:?}"
        );
        assert!(
            !r["target_tags"].is_null()
                || !r[if r["direction"] == "INGRESS" {
                    "destination_ranges"
                } else {
                    "source_ranges"
                }]
                .is_null(),
            "{k} has no target"
        );
    }
}

#[test]
fn untargetable_nodes_bad_tags_and_bad_options_are_errors() {
    let ws = Workspace::new(
        r#"
data "portmap_gcp_firewall_rules" "this" {
  nodes = {
    oe      = { components = ["plossys/output-engine"], ref = "Output_Engine" }
    clients = { components = ["plossys/client"], kind = "group", ref = "clients" }
    admins  = { components = ["plossys/admin"], cidrs = ["10.3.0.0/24"], kind = "group" }
  }
}
"#,
    );
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Invalid network tag \"Output_Engine\"");
    assert!(d.detail.starts_with("At nodes[\"oe\"].ref: "), "{d:?}");
    // The clients have a tag but no CIDRs: the Output Engine's ingress rule
    // names them by source tag, but an egress rule cannot name a peer
    // without CIDRs, which is a warning, not an error.
    let w = find(&diags, "No GCP egress rule from \"admins\" to \"oe\"");
    assert_eq!(w.severity, "warning");
    assert!(
        w.detail.contains("plossys admin-gui: tcp/9000"),
        "{}",
        w.detail
    );
    assert!(
        diags
            .iter()
            .all(|d| !d.summary.contains("neither ref nor cidrs")),
        "{diags:?}"
    );

    let ws = Workspace::new(
        r#"
data "portmap_gcp_firewall_rules" "this" {
  nodes = {
    oe      = { components = ["plossys/output-engine"] }
    clients = { components = ["plossys/client"], cidrs = ["10.2.0.0/16"], kind = "group" }
  }
}
"#,
    );
    let (r, diags) = ws.plan_diagnostics();
    assert!(!r.ok());
    let d = find(&diags, "Node \"oe\" has neither ref nor cidrs");
    assert!(
        d.detail
            .contains("applies to every instance in the network"),
        "{d:?}"
    );

    let ws = Workspace::new(
        r#"
data "portmap_gcp_firewall_rules" "this" {
  nodes       = { oe = { components = ["plossys/output-engine"], ref = "oe" } }
  priority    = 70000
  name_prefix = "Prod_"
}
"#,
    );
    let (r, diags) = ws.validate_diagnostics();
    assert!(!r.ok());
    assert_eq!(
        find(&diags, "Priority 70000 is out of range")
            .highlight
            .as_deref(),
        Some("70000")
    );
    assert_eq!(
        find(&diags, "Invalid name prefix \"Prod_\"")
            .highlight
            .as_deref(),
        Some("\"Prod_\"")
    );
}

//! `portmap_audit` through a real Terraform: the quickstart's topology
//! against a brownfield rule set, every expected value worked out by hand
//! from the quickstart's ten rules (`portmap rules` lists them).

use portmap_acceptance_tests::{Workspace, find, repo_root};
use serde_json::{Value as Json, json};

#[test]
fn the_example_audit_reports_covered_excess_missing_and_summary() {
    let example = std::fs::read_to_string(
        repo_root().join("examples/data-sources/portmap_audit/data-source.tf"),
    )
    .unwrap();
    let ws = Workspace::new(&format!(
        r#"{example}
output "covered" {{ value = data.portmap_audit.today.covered }}
output "excess" {{ value = data.portmap_audit.today.excess }}
output "missing_rules" {{ value = data.portmap_audit.today.missing }}
output "summary" {{ value = data.portmap_audit.today.summary }}
"#
    ));
    let (run, diags) = ws.plan_diagnostics();
    assert!(run.ok(), "{}", run.text());
    // The risk checks apply to the existing rules: SSH and more open to
    // the internet at "app", and the widest rules.
    let d = find(
        &diags,
        "existing rule \"sg-app/sgr-1\" opens administration or database ports",
    );
    assert_eq!(d.severity, "warning");
    assert!(d.detail.contains("tcp/22 (SSH, admin)"), "{}", d.detail);
    find(
        &diags,
        "existing rule \"sg-clients/egress\" opens every protocol and port",
    );
    let out = ws.apply_outputs();
    assert_eq!(
        out["clean_up"],
        json!([
            "narrow sg-clients/egress (clients egress)",
            "narrow sg-app/sgr-1 (app ingress)",
            "delete sg-app/sgr-2 (app ingress)",
            "narrow sg-sql/sgr-1 (sql ingress)",
        ])
    );
    assert_eq!(
        out["covered"]["sg-sql/sgr-2"],
        json!([
            "tachyon-5:master-sql-browser:app>sql:udp:1434",
            "tachyon-5:response-sql-browser:app>sql:udp:1434",
            "tachyon-5:response-sql-master-browser:app>sql:udp:1434",
        ])
    );
    assert_eq!(out["covered"]["sg-app/sgr-2"], json!([]));
    // The /24 where the app server's /32 is required: the other 255
    // addresses as eight blocks.
    let sql = &out["excess"][3];
    assert_eq!(sql["openings"][0]["protocol"], json!("tcp"));
    assert_eq!(sql["openings"][0]["from_port"], json!(1433));
    assert_eq!(
        sql["openings"][0]["cidrs"],
        json!([
            "10.0.1.0/29",
            "10.0.1.8/31",
            "10.0.1.11/32",
            "10.0.1.12/30",
            "10.0.1.16/28",
            "10.0.1.32/27",
            "10.0.1.64/26",
            "10.0.1.128/25"
        ])
    );
    assert_eq!(out["excess"][2]["sensitive_ports"], json!(["tcp/22 (SSH)"]));
    // No egress rule at "app": its two rules towards SQL Server are missing.
    assert_eq!(
        out["missing"],
        json!(["app:egress:sql:tcp:1433", "app:egress:sql:udp:1434"])
    );
    let m = &out["missing_rules"]["app:egress:sql:udp:1434"];
    assert_eq!(m["partial"], json!(false));
    assert_eq!(m["cidrs"], json!(["10.0.2.10/32"]));
    let s = &out["summary"];
    let n = |k: &str| s[k].as_f64().unwrap();
    assert_eq!(
        (
            n("existing_rules"),
            n("justified_rules"),
            n("rules_to_narrow"),
            n("rules_to_delete")
        ),
        (5.0, 1.0, 3.0, 1.0)
    );
    assert_eq!(
        (
            n("required_rules"),
            n("required_rules_allowed"),
            n("missing_rules")
        ),
        (10.0, 8.0, 2.0)
    );
    assert_eq!((n("required_flows"), n("flows_allowed")), (10.0, 4.0));
    // Allowed: app 65536 ports x 2^32 addresses (SSH lies inside), sql 256
    // + 1, clients (2 x 65536 + 2) x 2^32. Justified: 3 x 65536 at app, 2
    // at sql, 3 at clients.
    let g = 4294967296.0;
    let allowed = 65536.0 * g + 257.0 + 131074.0 * g;
    assert_eq!(n("allowed_space_ipv4"), allowed);
    assert_eq!(n("excess_space_ipv4"), allowed - 196608.0 - 2.0 - 3.0);
    assert!(n("excess_share_ipv4") > 0.999_999 && n("excess_share_ipv4") < 1.0);
    assert_eq!(out["unjustified_share"], s["excess_share_ipv4"]);
    assert_eq!(n("allowed_space_ipv6"), 0.0);
}

#[test]
fn exact_rules_are_justified_and_nothing_is_missing() {
    let ws = Workspace::new(
        r#"
data "portmap_flows" "f" {
  nodes = {
    oe  = { components = ["plossys/output-engine"], cidrs = ["10.1.0.1/32"] }
    sap = { kind = "group", components = ["plossys/client"], cidrs = ["10.2.0.0/24"] }
  }
}

# Today's rules written from portmap's own rules: all justified.
data "portmap_audit" "a" {
  nodes    = { oe = { components = ["plossys/output-engine"], cidrs = ["10.1.0.1/32"] }, sap = { kind = "group", components = ["plossys/client"], cidrs = ["10.2.0.0/24"] } }
  existing = [for k, r in data.portmap_flows.f.rules : { id = k, node = r.node, direction = r.direction, protocol = r.protocol, from_port = r.from_port, to_port = r.to_port, peer = r.peer }]
}

output "excess" { value = data.portmap_audit.a.excess }
output "missing" { value = data.portmap_audit.a.missing }
output "summary" { value = data.portmap_audit.a.summary }
"#,
    );
    let out = ws.apply_outputs();
    assert_eq!(out["excess"], json!([]));
    assert_eq!(out["missing"], json!({}));
    assert_eq!(out["summary"]["excess_share_ipv4"], json!(0));
    assert_eq!(out["summary"]["missing_rules"], json!(0));
    assert_eq!(
        out["summary"]["justified_rules"],
        out["summary"]["required_rules"]
    );
    assert!(
        out["summary"]["required_rules"].as_u64().unwrap() >= 6,
        "{}",
        out["summary"]
    );
    let _: &Json = &out["summary"];
}

/// examples/audit-hcl: the documented HCL adapters from the attributes of
/// AWS, Azure and GCP rule resources to `existing`, applied through
/// Terraform. Every expected value is worked out by hand from the example's
/// resources; the AWS rules are those of examples/audit (3 justified, 4 to
/// narrow, 4 to delete: the README's numbers).
#[test]
fn the_hcl_adapters_turn_rule_resources_into_existing_rules() {
    let ws = Workspace::empty();
    ws.copy_dir(&repo_root().join("examples/audit-hcl"));
    let out = ws.apply_outputs();
    let aws = &out["summaries"]["aws"];
    assert_eq!(
        (
            &aws["existing_rules"],
            &aws["justified_rules"],
            &aws["rules_to_narrow"],
            &aws["rules_to_delete"],
            &aws["missing_rules"],
        ),
        (&json!(11), &json!(3), &json!(4), &json!(4), &json!(0)),
        "{aws}"
    );
    // Azure: the deny rule allows nothing and the rule naming only the
    // AzureLoadBalancer tag has no addresses; `*` is every address, and a
    // rule with two port ranges is two existing rules.
    let range = |id: &str, from: u16, to: u16, cidrs: Json| json!({ "id": id, "direction": "ingress", "protocol": "tcp", "from_port": from, "to_port": to, "cidrs": cidrs });
    let azure: Vec<Json> = out["azure_existing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().unwrap().remove("node");
            r
        })
        .collect();
    assert_eq!(
        azure,
        [
            range(
                "azurerm_network_security_rule.this[\"app_in_any\"]",
                0,
                65535,
                json!(["0.0.0.0/0", "::/0"])
            ),
            range(
                "azurerm_network_security_rule.this[\"sql_in_db\"]/1433",
                1433,
                1433,
                json!(["10.0.1.10/32", "10.0.1.11/32"])
            ),
            range(
                "azurerm_network_security_rule.this[\"sql_in_db\"]/1440-1450",
                1440,
                1450,
                json!(["10.0.1.10/32", "10.0.1.11/32"])
            ),
            json!({ "id": "azurerm_network_security_rule.this[\"sql_in_lb\"]", "direction": "ingress", "protocol": "all", "from_port": 0, "to_port": 65535, "cidrs": [] }),
        ]
    );
    // GCP: one rule per tag, allow block and port range; the disabled
    // firewall allows nothing.
    let gcp = out["gcp_existing"].as_array().unwrap();
    let ids: Vec<(&str, &str, &Json, &Json)> = gcp
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["node"].as_str().unwrap(),
                &r["from_port"],
                &r["to_port"],
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            (
                "google_compute_firewall.this[\"app_web\"]/tachyon-app/tcp/443",
                "app",
                &json!(443),
                &json!(443)
            ),
            (
                "google_compute_firewall.this[\"app_web\"]/tachyon-app/tcp/4000-4100",
                "app",
                &json!(4000),
                &json!(4100)
            ),
            (
                "google_compute_firewall.this[\"app_web\"]/tachyon-app/icmp",
                "app",
                &Json::Null,
                &Json::Null
            ),
            (
                "google_compute_firewall.this[\"sql_any\"]/tachyon-sql/all",
                "sql",
                &Json::Null,
                &Json::Null
            ),
        ]
    );
    // The audits see the wide rules: every port from any address at "app"
    // on Azure, every protocol from 10.0.0.0/8 at "sql" on GCP.
    let excess = &out["to_delete_or_narrow"];
    assert!(
        excess["azure"]
            .as_array()
            .unwrap()
            .contains(&json!("azurerm_network_security_rule.this[\"app_in_any\"]")),
        "{excess}"
    );
    assert!(
        excess["gcp"].as_array().unwrap().contains(&json!(
            "google_compute_firewall.this[\"sql_any\"]/tachyon-sql/all"
        )),
        "{excess}"
    );
}

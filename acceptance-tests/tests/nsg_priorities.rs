//! `portmap_azure_nsg_priorities` through a real Terraform: priorities known
//! at plan, unique per NSG and direction, kept while a key exists (adding 50
//! keys and removing 20 moves none), no change on re-plan, import of
//! existing priorities, and the upgrade of a version 0 state written by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use portmap_acceptance_tests::{PROVIDER_SOURCE, Workspace};
use serde_json::Value as Json;

/// Rules keyed like `portmap_azure_nsg_rules` keys, spread over two NSGs
/// and both directions; `var.keys` selects which exist.
const CONFIG: &str = r#"
variable "keys" {
  type = list(number)
}

resource "portmap_azure_nsg_priorities" "this" {
  rules = {
    for i in var.keys : "${i % 2 == 0 ? "app" : "db"}:${i % 4 < 2 ? "ingress" : "egress"}:peer-${i}:tcp:443" => {
      nsg       = i % 2 == 0 ? "app" : "db"
      direction = i % 4 < 2 ? "Inbound" : "Outbound"
    }
  }
}

output "priorities" {
  value = portmap_azure_nsg_priorities.this.priorities
}
"#;

/// The documented preferred priority of a new key: 100 + FNV-1a(key) mod
/// 3900 (written here from the rule, not taken from the provider).
fn derived(key: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    100 + (h % 3900) as i64
}

fn slot_of(key: &str) -> (String, String) {
    let mut parts = key.split(':');
    (
        parts.next().unwrap().to_string(),
        parts.next().unwrap().to_string(),
    )
}

fn set_keys(ws: &Workspace, keys: impl IntoIterator<Item = u32>) {
    let list: Vec<String> = keys.into_iter().map(|k| k.to_string()).collect();
    ws.write(
        "terraform.tfvars",
        &format!("keys = [{}]\n", list.join(", ")),
    );
}

fn priorities(out: &Json) -> BTreeMap<String, i64> {
    out["priorities"]
        .as_object()
        .expect("priorities is a map")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().expect("a whole number")))
        .collect()
}

/// Unique per NSG and direction, all within 100–3999.
fn assert_valid(p: &BTreeMap<String, i64>) {
    let mut seen = BTreeSet::new();
    for (k, v) in p {
        assert!((100..=3999).contains(v), "{k} = {v}");
        assert!(seen.insert((slot_of(k), *v)), "{k} shares {v}");
    }
}

fn assert_no_changes(ws: &Workspace) {
    let r = ws.terraform(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(r.code, 0, "the re-plan shows changes:\n{}", r.text());
}

#[test]
fn create_add_50_remove_20_and_nothing_moves() {
    let ws = Workspace::new(CONFIG);
    set_keys(&ws, 0..40);
    let first = priorities(&ws.apply_outputs());
    assert_eq!(first.len(), 40);
    assert_valid(&first);
    // A key whose preferred priority no other key of its NSG and direction
    // shares gets exactly that priority.
    for (k, p) in &first {
        let rivals = first
            .keys()
            .filter(|o| *o != k && slot_of(o) == slot_of(k) && derived(o) == derived(k))
            .count();
        if rivals == 0 {
            assert_eq!(*p, derived(k), "{k}");
        }
    }
    assert_no_changes(&ws);

    // Add 50 keys: known at plan, and the 40 existing keep theirs.
    set_keys(&ws, 0..90);
    let r = ws.terraform(&["plan", "-out=tfplan", "-no-color", "-input=false"]);
    assert!(r.ok(), "{}", r.text());
    let show = ws.terraform(&["show", "-json", "tfplan"]);
    let plan: Json = serde_json::from_str(&show.stdout).unwrap();
    let planned = priorities(
        &plan["planned_values"]["outputs"]["priorities"]
            .as_object()
            .map(|o| serde_json::json!({"priorities": o["value"]}))
            .expect("the output is known at plan"),
    );
    assert_eq!(planned.len(), 90);
    let r = ws.terraform(&["apply", "-no-color", "-input=false", "tfplan"]);
    assert!(r.ok(), "{}", r.text());
    let second = priorities(&ws.outputs());
    assert_eq!(second, planned, "apply gave what the plan showed");
    assert_valid(&second);
    for (k, p) in &first {
        assert_eq!(second[k], *p, "{k} moved");
    }

    // Remove 20 keys: the 70 left keep theirs.
    set_keys(&ws, 20..90);
    let third = priorities(&ws.apply_outputs());
    assert_eq!(third.len(), 70);
    for (k, p) in &third {
        assert_eq!(second[k], *p, "{k} moved");
    }
    assert_no_changes(&ws);
}

#[test]
fn import_keeps_existing_priorities_and_places_new_keys_around_them() {
    let ws = Workspace::new(
        r#"
import {
  to = portmap_azure_nsg_priorities.this
  id = jsonencode({
    "app:ingress:a:tcp:443" = { nsg = "app", direction = "Inbound", priority = 150 }
    "app:ingress:b:tcp:443" = { nsg = "app", direction = "Inbound", priority = 4000 }
    "app:egress:a:tcp:443"  = { nsg = "app", direction = "Outbound", priority = 150 }
  })
}

resource "portmap_azure_nsg_priorities" "this" {
  rules = {
    "app:ingress:a:tcp:443" = { nsg = "app", direction = "Inbound" }
    "app:ingress:b:tcp:443" = { nsg = "app", direction = "Inbound" }
    "app:egress:a:tcp:443"  = { nsg = "app", direction = "Outbound" }
    "app:ingress:c:tcp:443" = { nsg = "app", direction = "Inbound" }
  }
}

output "priorities" {
  value = portmap_azure_nsg_priorities.this.priorities
}
"#,
    );
    let p = priorities(&ws.apply_outputs());
    assert_eq!(p["app:ingress:a:tcp:443"], 150);
    assert_eq!(p["app:ingress:b:tcp:443"], 4000);
    assert_eq!(p["app:egress:a:tcp:443"], 150);
    let c = derived("app:ingress:c:tcp:443");
    assert_eq!(p["app:ingress:c:tcp:443"], if c == 150 { 151 } else { c });
    assert_no_changes(&ws);
}

#[test]
fn a_version_0_state_is_upgraded_and_keeps_its_priorities() {
    let ws = Workspace::new(
        r#"
resource "portmap_azure_nsg_priorities" "this" {
  rules = {
    "app:ingress:a:tcp:443" = { nsg = "app", direction = "Inbound" }
    "db:egress:a:tcp:1433"  = { nsg = "db", direction = "Outbound" }
  }
}

output "priorities" {
  value = portmap_azure_nsg_priorities.this.priorities
}
"#,
    );
    // Version 0 kept each priority as {nsg, direction, priority}.
    let state = serde_json::json!({
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 1,
        "lineage": "7d3b6c1e-0a51-4c3a-9a57-1f0c2b7e9d40",
        "outputs": {
            "priorities": {
                "value": { "app:ingress:a:tcp:443": 321, "db:egress:a:tcp:1433": 4001 },
                "type": ["map", "number"]
            }
        },
        "resources": [{
            "mode": "managed",
            "type": "portmap_azure_nsg_priorities",
            "name": "this",
            "provider": format!("provider[\"registry.terraform.io/{PROVIDER_SOURCE}\"]"),
            "instances": [{
                "schema_version": 0,
                "attributes": {
                    "rules": {
                        "app:ingress:a:tcp:443": { "nsg": "app", "direction": "Inbound" },
                        "db:egress:a:tcp:1433": { "nsg": "db", "direction": "Outbound" }
                    },
                    "priorities": {
                        "app:ingress:a:tcp:443": { "nsg": "app", "direction": "Inbound", "priority": 321 },
                        "db:egress:a:tcp:1433": { "nsg": "db", "direction": "Outbound", "priority": 4001 }
                    }
                },
                "sensitive_attributes": []
            }]
        }],
        "check_results": null
    });
    ws.write("terraform.tfstate", &state.to_string());
    // The upgraded state matches the configuration: nothing to change.
    assert_no_changes(&ws);
    let p = priorities(&ws.apply_outputs());
    assert_eq!(
        p,
        BTreeMap::from([
            ("app:ingress:a:tcp:443".to_string(), 321),
            ("db:egress:a:tcp:1433".to_string(), 4001),
        ])
    );
    let stored: Json = serde_json::from_str(
        &std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap(),
    )
    .unwrap();
    let instance = &stored["resources"][0]["instances"][0];
    assert_eq!(instance["schema_version"], 1);
    assert_eq!(
        instance["attributes"]["priorities"]["app:ingress:a:tcp:443"],
        321
    );
}

#[test]
fn the_example_is_formatted_and_applies_with_a_priority_per_rule() {
    let dir = portmap_acceptance_tests::repo_root()
        .join("examples/resources/portmap_azure_nsg_priorities");
    let ws = Workspace::new(&std::fs::read_to_string(dir.join("resource.tf")).unwrap());
    let r = ws.terraform(&[
        "fmt",
        "-check",
        "-recursive",
        "-diff",
        &dir.display().to_string(),
    ]);
    assert!(r.ok(), "terraform fmt -check:\n{}", r.text());
    ws.write(
        "rules.tf",
        "output \"keys\" {\n  value = keys(data.portmap_azure_nsg_rules.this.rules)\n}\n",
    );
    let out = ws.apply_outputs();
    let p = priorities(&out);
    let keys: Vec<String> = out["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert!(!keys.is_empty());
    assert_eq!(p.keys().cloned().collect::<Vec<_>>(), keys);
    assert_no_changes(&ws);
}

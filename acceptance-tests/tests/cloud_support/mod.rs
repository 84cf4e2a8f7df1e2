//! Helpers shared by the cloud-shape acceptance tests (cloud_aws.rs,
//! cloud_azure.rs, cloud_gcp.rs, cloud_shapes.rs).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use portmap_acceptance_tests::{Diagnostic, Workspace, header};
use serde_json::Value as Json;

/// The values of a data source in the state (`terraform show -json`).
pub fn state_values(ws: &Workspace, address: &str) -> Json {
    let r = ws.terraform(&["show", "-json"]);
    assert!(r.ok(), "{}", r.text());
    let v: Json = serde_json::from_str(&r.stdout).unwrap();
    v["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["address"] == address)
        .unwrap_or_else(|| panic!("no {address} in the state"))["values"]
        .clone()
}

/// Applies `step1` (a configuration with the data source at `address`),
/// with one `terraform_data` per rule holding `input` (an expression of
/// `each.value`); then writes `step2` with the same resources, kept only for
/// the rules of step 1, and plans it with `-detailed-exitcode`. Asserts the
/// plan shows no change, so every rule of step 1 is still there and its
/// `input` unchanged. Applies step 2 and returns both rule maps.
pub fn stable_across(step1: &str, step2: &str, address: &str, input: &str) -> (Json, Json) {
    let resources = |filter: &str| {
        format!(
            "resource \"terraform_data\" \"rule\" {{\n  for_each = {{ for k, v in {address}.rules : k => v {filter}}}\n  input    = {input}\n}}\n"
        )
    };
    let ws = Workspace::new(&format!("{step1}\n{}", resources("")));
    ws.apply();
    let before = state_values(&ws, address)["rules"].clone();
    let old: Vec<String> = before
        .as_object()
        .unwrap()
        .keys()
        .map(|k| format!("{k:?}"))
        .collect();
    ws.write(
        "main.tf",
        &format!(
            "{}\n{step2}\nlocals {{\n  old = [{}]\n}}\n{}",
            header(),
            old.join(", "),
            resources("if contains(local.old, k) ")
        ),
    );
    let r = ws.terraform(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(r.code, 0, "the rules of step 1 changed:\n{}", r.text());
    ws.apply();
    let after = state_values(&ws, address)["rules"].clone();
    (before, after)
}

/// 64-bit FNV-1a, written out from its definition (offset basis
/// 14695981039346656037, prime 1099511628211).
pub fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 14_695_981_039_346_656_037;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(1_099_511_628_211);
    }
    h
}

/// The documented Azure priority of a rule key: 100 + FNV-1a(key) mod 3900.
pub fn azure_priority(key: &str) -> u64 {
    100 + fnv1a(key) % 3900
}

/// The summaries of the diagnostics that start with `prefix`, sorted.
pub fn summaries(diags: &[Diagnostic], prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = diags
        .iter()
        .filter(|d| d.summary.starts_with(prefix))
        .map(|d| d.summary.clone())
        .collect();
    v.sort();
    v
}

/// The keys of a map.
pub fn keys(map: &Json) -> Vec<String> {
    map.as_object().expect("a map").keys().cloned().collect()
}

/// The 1E platform with a DMZ server for internet-facing clients: a server
/// (Master and Response Stack), its SQL Server, the DMZ server, and the
/// parties they talk to. `refs` gives the refs of server, sql and dmz.
pub fn dmz_nodes(refs: [&str; 3]) -> String {
    let [server, sql, dmz] = refs;
    format!(
        r#"
  nodes = {{
    server   = {{ components = ["1e-platform/server"], cidrs = ["10.10.0.10"], ref = "{server}" }}
    sql      = {{ components = ["1e-platform/sql-server"], cidrs = ["10.10.1.10"], ref = "{sql}" }}
    dmz      = {{ components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10"], ref = "{dmz}", exposure = "internet-facing" }}
    internet = {{ components = ["1e-platform/internet-client"], cidrs = ["0.0.0.0/0", "::/0"], kind = "group", exposure = "untrusted" }}
    clients  = {{ components = ["1e-platform/client", "1e-platform/browser"], cidrs = ["10.20.0.0/16"], kind = "group" }}
    crl      = {{ components = ["1e-platform/crl-distribution-point"], cidrs = ["203.0.113.0/24"], kind = "group", exposure = "untrusted" }}
    mail     = {{ components = ["1e-platform/smtp-relay"], cidrs = ["10.10.2.25"] }}
    cloud    = {{ components = ["1e-platform/cloud-services"], cidrs = ["0.0.0.0/0"], kind = "group", exposure = "untrusted" }}
  }}
"#
    )
}

/// Applies the DMZ topology with data source `ty` (named `this`, with the
/// extra arguments `args`), asserts that the plan reports exactly the two
/// cleartext findings of [`DMZ_RISKS`], and returns the workspace, the
/// data source block and its rules.
pub fn apply_dmz(ty: &str, args: &str, refs: [&str; 3]) -> (Workspace, String, Json) {
    let body = format!("data \"{ty}\" \"this\" {{\n{args}{}}}\n", dmz_nodes(refs));
    let ws = Workspace::new(&format!(
        "{body}\noutput \"rules\" {{\n  value = data.{ty}.this.rules\n}}\n"
    ));
    let r = ws.terraform(&["apply", "-auto-approve", "-json", "-input=false"]);
    assert!(r.ok(), "{}", r.text());
    assert_eq!(summaries(&r.diagnostics(), "Risk:"), DMZ_RISKS);
    let rules = ws.outputs()["rules"].clone();
    (ws, body, rules)
}

/// The two cleartext findings of the DMZ topology: the DMZ Switches'
/// instrumentation to the Coordinator (WebSocket ws, 3901) and the DMZ
/// server's CRL check over HTTP (80).
pub const DMZ_RISKS: [&str; 2] = [
    "Risk: cleartext protocol from \"dmz\" (internet-facing) to \"crl\" (untrusted)",
    "Risk: cleartext protocol from \"dmz\" (internet-facing) to \"server\"",
];

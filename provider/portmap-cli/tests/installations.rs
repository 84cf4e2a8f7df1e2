//! Topology files with installations: the CLI reads `installations` and
//! its explanations, diagrams and change requests name the installation.
//! Expected values worked out by hand from the Tarantella catalog rows
//! (client connections 80, 443, 3144; SSH 22 and RDP 3389 to application
//! servers; X applications 6010 and above back to the server).

mod common;

use common::{ok, scenario};

#[test]
fn a_topology_file_with_installations_gives_each_server_its_own_protocols() {
    let out = ok(&[
        "flows",
        &scenario("installations-tarantella"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v["rules"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "apps-unix:egress:sgd:tcp:515",
            "apps-unix:egress:sgd:tcp:6010-65535",
            "apps-unix:ingress:sgd:tcp:22",
            "apps-windows:egress:sgd:tcp:515",
            "apps-windows:ingress:sgd:tcp:3389",
            "sgd:egress:apps-unix:tcp:22",
            "sgd:egress:apps-windows:tcp:3389",
            "sgd:ingress:apps-unix:tcp:515",
            "sgd:ingress:apps-unix:tcp:6010-65535",
            "sgd:ingress:apps-windows:tcp:515",
            "sgd:ingress:users:tcp:3144",
            "sgd:ingress:users:tcp:443",
            "sgd:ingress:users:tcp:80",
            "users:egress:sgd:tcp:3144",
            "users:egress:sgd:tcp:443",
            "users:egress:sgd:tcp:80",
        ]
    );
}

#[test]
fn explain_and_the_change_request_name_the_installation() {
    let out = ok(&[
        "explain",
        &scenario("installations-tarantella"),
        "--rule",
        "apps-windows:ingress:sgd:tcp:3389",
    ]);
    assert!(
        out.contains("Flow tarantella@sgd:windows-terminal-services:sgd>apps-windows:tcp:3389"),
        "{out}"
    );
    assert!(out.contains("    Installation: sgd\n"), "{out}");
    let csv = ok(&[
        "flows",
        &scenario("installations-tarantella"),
        "--format",
        "csv",
    ]);
    assert!(csv.contains("tarantella@sgd: "), "{csv}");
}

#[test]
fn the_diagram_shows_the_installation() {
    let out = ok(&[
        "diagram",
        &scenario("installations-landing-zone"),
        "--format",
        "mermaid",
    ]);
    assert!(out.contains("installation prod (tachyon-5)"), "{out}");
    assert!(out.contains("installation test (tachyon-5)"), "{out}");
}

/// The topology file's JSON Schema names `installations` with its fields,
/// `product` required, and refuses unknown fields.
#[test]
fn the_topology_schema_describes_installations() {
    let text = ok(&["schema", "--topology"]);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let top = &schema["properties"];
    for field in ["nodes", "products", "installations"] {
        assert!(top.get(field).is_some(), "no {field} in {top}");
    }
    let defs = schema
        .get("$defs")
        .or_else(|| schema.get("definitions"))
        .unwrap();
    let inst = &defs["Installation"];
    let required: Vec<&str> = inst["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["product"]);
    for field in [
        "nodes",
        "settings",
        "features",
        "disabled_features",
        "node_overrides",
    ] {
        assert!(inst["properties"].get(field).is_some(), "no {field}");
    }
    assert_eq!(inst["additionalProperties"], serde_json::json!(false));
    // The catalog schema stays the default.
    let catalog: serde_json::Value = serde_json::from_str(&ok(&["schema"])).unwrap();
    assert!(catalog["properties"].get("flows").is_some());
}

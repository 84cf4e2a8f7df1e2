//! `portmap_flows.diagram_mermaid` and `diagram_dot` through a real
//! Terraform: the per-product topologies, read with `yamldecode` as in the
//! examples, give the diagrams worked out by hand from the vendor documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portmap_acceptance_tests::{Workspace, provider_address, repo_root};
use serde_json::Value as Json;

fn diagrams(example: &str) -> (String, String) {
    let ws = Workspace::new(
        r#"
locals {
  topology = yamldecode(file("${path.module}/topology.yaml"))
}

data "portmap_flows" "this" {
  nodes    = local.topology.nodes
  products = try(local.topology.products, {})
}

output "mermaid" {
  value = data.portmap_flows.this.diagram_mermaid
}

output "dot" {
  value = data.portmap_flows.this.diagram_dot
}
"#,
    );
    let topology = std::fs::read_to_string(
        repo_root()
            .join("examples")
            .join(example)
            .join("topology.yaml"),
    )
    .unwrap();
    ws.write("topology.yaml", &topology);
    let out = ws.apply_outputs();
    let text = |k: &str| {
        out[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} is {}", out[k]))
            .to_string()
    };
    (text("mermaid"), text("dot"))
}

fn edge_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains("->"))
        .map(str::trim)
        .collect()
}

#[test]
fn plossys_cluster_diagrams() {
    let (mermaid, dot) = diagrams("plossys");
    assert!(
        mermaid
            .starts_with("---\nconfig:\n  flowchart:\n    wrappingWidth: 400\n---\nflowchart LR\n"),
        "{mermaid}"
    );
    // The Output Engine servers need the same cluster ports both ways: one
    // two-headed edge per pair.
    let cluster = "tcp 53, 443, 515, 631,<br/>1898 … 2198 (24 ports),<br/>4222, 5601, 6222,<br/>8080-8082, 8300-8302,<br/>8400, 8500, 9000, 9200,<br/>9300, 27017<br/>udp 53, 8301-8302";
    assert!(
        mermaid.contains(&format!("  n1b <-->|\"{cluster}\"| n2b\n")),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  n5b -->|\"tcp 443, 515, 631\"| n3b\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("  subgraph n4[\"prometheus\"]\n    n4b[\"plossys/monitoring<br/>10.100.9.10/32\"]\n  end\n"), "{mermaid}");
    assert_eq!(edge_lines(&mermaid).len(), 12, "{mermaid}");

    assert!(dot.starts_with("digraph portmap {\n"), "{dot}");
    let dot_cluster = "tcp 53, 443, 515, 631, 1898 … 2198 (24 ports),\\n4222, 5601, 6222, 8080-8082, 8300-8302, 8400,\\n8500, 9000, 9200, 9300, 27017\\nudp 53, 8301-8302";
    assert!(
        dot.contains(&format!(
            "  \"n2\" -> \"n3\" [label=\"{dot_cluster}\", dir=both];\n"
        )),
        "{dot}"
    );
    assert!(dot.contains("    label=\"sap (group)\";\n"), "{dot}");
    assert_eq!(edge_lines(&dot).len(), 12, "{dot}");
}

/// By hand from 001_7cc0a8afb31eb551.txt, with two Switches on the DMZ
/// server: the same edges as `portmap diagram --format dot`.
#[test]
fn one_e_dmz_diagrams() {
    let (mermaid, dot) = diagrams("1e-platform");
    // clients n0, consoles n1, dmz n2, internet n3, master n4, response n5,
    // roaming n6, smtp n7, sql n8.
    let expected = [
        "\"n0\" -> \"n5\" [label=\"tcp 443, 4000\"];",
        "\"n1\" -> \"n4\" [label=\"tcp 80, 443\"];",
        "\"n2\" -> \"n3\" [label=\"tcp 80\"];",
        "\"n2\" -> \"n4\" [label=\"tcp 3901\"];",
        "\"n2\" -> \"n5\" [label=\"tcp 443\"];",
        "\"n4\" -> \"n2\" [label=\"tcp 443\"];",
        "\"n4\" -> \"n3\" [label=\"tcp 443\"];",
        "\"n4\" -> \"n5\" [label=\"tcp 443\"];",
        "\"n4\" -> \"n7\" [label=\"tcp 25\"];",
        "\"n4\" -> \"n8\" [label=\"tcp 1433\"];",
        "\"n5\" -> \"n2\" [label=\"tcp 4001-4002\"];",
        "\"n5\" -> \"n4\" [label=\"tcp 3901\"];",
        "\"n5\" -> \"n8\" [label=\"tcp 1433\"];",
        "\"n6\" -> \"n2\" [label=\"tcp 443, 4000\"];",
    ];
    assert_eq!(edge_lines(&dot), expected, "{dot}");
    assert!(
        dot.contains("    label=\"dmz (internet-facing)\";\n"),
        "{dot}"
    );
    assert!(
        mermaid.contains("  n6b -->|\"tcp 443, 4000\"| n2b\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  subgraph n6[\"roaming (group, untrusted)\"]\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  style n2 fill:#fff3e0,stroke:#d9822b\n"),
        "{mermaid}"
    );
    assert_eq!(edge_lines(&mermaid).len(), 14, "{mermaid}");
}

#[test]
fn the_schema_describes_both_attributes() {
    let ws = Workspace::new("provider \"portmap\" {}\n");
    let r = ws.terraform(&["providers", "schema", "-json"]);
    assert!(r.ok(), "{}", r.text());
    let v: Json = serde_json::from_str(&r.stdout).unwrap();
    let attrs = &v["provider_schemas"][provider_address()]["data_source_schemas"]["portmap_flows"]
        ["block"]["attributes"];
    for name in ["diagram_mermaid", "diagram_dot"] {
        assert_eq!(attrs[name]["type"], "string", "{name}");
        assert_eq!(attrs[name]["computed"], Json::Bool(true), "{name}");
        let d = attrs[name]["description"].as_str().unwrap();
        assert!(d.starts_with("The ") && d.ends_with('.'), "{name}: {d}");
    }
}

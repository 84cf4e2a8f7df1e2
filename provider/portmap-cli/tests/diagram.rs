//! `portmap diagram` on the per-product scenarios: the SVG is well-formed
//! and names every node; Mermaid and DOT have the edges worked out by hand
//! from the vendor documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SCENARIOS, ok, portmap, root, scenario};

fn node_names(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(scenario(name))).unwrap();
    let v: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    v.get("nodes")
        .and_then(|n| n.as_mapping())
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

fn edges(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains("-->") || l.contains("->"))
        .map(str::trim)
        .collect()
}

#[test]
fn svg_is_well_formed_and_shows_every_node_with_its_addresses() {
    for name in SCENARIOS {
        let svg = ok(&["diagram", &scenario(name), "--format", "svg"]);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| {
                n.descendants()
                    .filter(|t| t.is_text())
                    .filter_map(|t| t.text())
                    .collect::<String>()
            })
            .collect();
        for node in node_names(name) {
            let title = texts
                .iter()
                .any(|t| t == &node || t.starts_with(&format!("{node} (")));
            assert!(title, "{name}: no box titled {node}");
        }
        let width: f64 = doc
            .root_element()
            .attribute("width")
            .unwrap()
            .parse()
            .unwrap();
        assert!(width > 100.0 && width < 4000.0, "{name}: width {width}");
    }
}

#[test]
fn svg_of_the_plossys_cluster_puts_the_cluster_ports_in_a_legend() {
    let svg = ok(&["diagram", &scenario("plossys")]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect()
        })
        .collect();
    let has = |s: &str| texts.iter().any(|t| t == s);
    // The three pairs of Output Engine servers need the same 46 ports both
    // ways: 43 TCP ports of the "Cluster Installation" table (48 rows less
    // remote printing 2118/2119, DPF 2128/2129 and Keycloak 32769, which are
    // off) and UDP 53, 8301, 8302.
    assert_eq!(
        texts.iter().filter(|t| *t == "A (46 ports)").count(),
        3,
        "{texts:#?}"
    );
    assert!(
        has("A: oe-1 ⇄ oe-2, oe-1 ⇄ oe-3, oe-2 ⇄ oe-3"),
        "{texts:#?}"
    );
    assert!(
        has("tcp 53, 443, 515, 631, 1898 … 2198 (24 ports),"),
        "{texts:#?}"
    );
    assert!(has("4222, 5601, 6222, 8080-8082, 8300-8302, 8400,"));
    assert!(has("8500, 9000, 9200, 9300, 27017"));
    assert!(has("udp 53, 8301-8302"));
    // Short labels stay on their edge, one per server.
    assert_eq!(
        texts.iter().filter(|t| *t == "tcp 443, 515, 631").count(),
        3
    );
    assert_eq!(texts.iter().filter(|t| *t == "tcp 1948").count(), 3);
    assert_eq!(
        texts
            .iter()
            .filter(|t| *t == "tcp 5601, 8500, 9000")
            .count(),
        3
    );
    assert!(has("10.100.1.11/32") && has("SAP systems printing through PLOSSYS"));
}

#[test]
fn svg_of_the_1e_dmz_names_both_directions_of_a_pair() {
    let svg = ok(&["diagram", &scenario("1e-platform")]);
    // Master Stack → DMZ Server 443 (DMZ table rows 1 and 8), DMZ Server →
    // Master Stack 3901 (rows 3 and 10): one line with two heads.
    assert!(
        svg.contains(">to master: tcp 3901<") && svg.contains(">to dmz: tcp 443<"),
        "{svg}"
    );
    assert!(svg.contains(">to response: tcp 443<") && svg.contains(">to dmz: tcp 4001-4002<"));
    assert!(
        svg.contains(">dmz (internet-facing)<") && svg.contains(">roaming (group, untrusted)<")
    );
    assert_eq!(
        svg,
        ok(&["diagram", &scenario("1e-platform")]),
        "the SVG is deterministic"
    );
}

#[test]
fn mermaid_of_the_plossys_cluster_has_the_expected_edges() {
    let out = ok(&["diagram", &scenario("plossys"), "--format", "mermaid"]);
    assert!(
        out.starts_with("---\nconfig:\n  flowchart:\n    wrappingWidth: 400\n---\nflowchart LR\n"),
        "{out}"
    );
    // Nodes in name order: admins n0, oe-1 n1, oe-2 n2, oe-3 n3, prometheus n4, sap n5.
    // The cluster rows are between servers: no "internal, no rule" ports on
    // a server's own box.
    assert!(out.contains("  subgraph n1[\"oe-1\"]\n    n1b[\"plossys/output-engine<br/>10.100.1.11/32\"]\n  end\n"), "{out}");
    assert!(out.contains("  subgraph n5[\"sap (group)\"]\n    n5b[\"SAP systems printing through PLOSSYS<br/>plossys/client<br/>10.110.0.0/24\"]\n  end\n"));
    let cluster = "tcp 53, 443, 515, 631,<br/>1898 … 2198 (24 ports),<br/>4222, 5601, 6222,<br/>8080-8082, 8300-8302,<br/>8400, 8500, 9000, 9200,<br/>9300, 27017<br/>udp 53, 8301-8302";
    let expected = [
        // Administrators: Kibana 5601, Consul GUI 8500, PLOSSYS Administrator 9000.
        "n0b -->|\"tcp 5601, 8500, 9000\"| n1b".to_string(),
        "n0b -->|\"tcp 5601, 8500, 9000\"| n2b".into(),
        "n0b -->|\"tcp 5601, 8500, 9000\"| n3b".into(),
        format!("n1b <-->|\"{cluster}\"| n2b"),
        format!("n1b <-->|\"{cluster}\"| n3b"),
        format!("n2b <-->|\"{cluster}\"| n3b"),
        // Prometheus: seal-checkin metrics 1948 ("Single Server" row 4).
        "n4b -->|\"tcp 1948\"| n1b".into(),
        "n4b -->|\"tcp 1948\"| n2b".into(),
        "n4b -->|\"tcp 1948\"| n3b".into(),
        // Job clients: IPPS 443, LPR 515, IPP 631 (rows 1-3).
        "n5b -->|\"tcp 443, 515, 631\"| n1b".into(),
        "n5b -->|\"tcp 443, 515, 631\"| n2b".into(),
        "n5b -->|\"tcp 443, 515, 631\"| n3b".into(),
    ];
    assert_eq!(edges(&out), expected);
}

#[test]
fn dot_of_the_1e_dmz_has_the_expected_edges() {
    let out = ok(&["diagram", &scenario("1e-platform"), "--format", "dot"]);
    assert!(
        out.starts_with("digraph portmap {\n  rankdir=LR;\n"),
        "{out}"
    );
    assert!(out.contains("subgraph \"cluster_n2\" {\n    label=\"dmz (internet-facing)\";\n    style=\"rounded,filled\";\n    fillcolor=\"#fff3e0\";"));
    assert!(
        out.contains(
            "\"n2\" [label=\"1e-platform/dmz-server\\n192.0.2.10/32\", color=\"#d9822b\"];"
        ),
        "{out}"
    );
    assert!(out.contains("\"n4\" [label=\"1e-platform/master-stack\\n10.40.1.10/32\\ninternal, no rule:\\ntcp 443, 3901, 6002, 8081\""), "{out}");
    // Nodes: clients n0, consoles n1, dmz n2, internet n3, master n4,
    // response n5, roaming n6, smtp n7, sql n8. By hand from
    // 001_7cc0a8afb31eb551.txt ("1E Servers", "1E Clients", the remote
    // Response Stack table and the DMZ table, two Switches on the DMZ).
    let expected = [
        "\"n0\" -> \"n5\" [label=\"tcp 443, 4000\"];", // clients: Background Channel, Switch
        "\"n1\" -> \"n4\" [label=\"tcp 80, 443\"];",   // consoles: portal HTTP and HTTPS
        "\"n2\" -> \"n3\" [label=\"tcp 80\"];",        // DMZ: CRL distribution point
        "\"n2\" -> \"n4\" [label=\"tcp 3901\"];",      // DMZ Switches: instrumentation
        "\"n2\" -> \"n5\" [label=\"tcp 443\"];",       // DMZ Switches: responses to the Core
        "\"n4\" -> \"n2\" [label=\"tcp 443\"];",       // Consumer API to the DMZ Background Channel
        "\"n4\" -> \"n3\" [label=\"tcp 443\"];",       // 1E Cloud
        "\"n4\" -> \"n5\" [label=\"tcp 443\"];",       // remote Response Stack
        "\"n4\" -> \"n7\" [label=\"tcp 25\"];",        // SMTP
        "\"n4\" -> \"n8\" [label=\"tcp 1433\"];",      // TachyonMaster database
        "\"n5\" -> \"n2\" [label=\"tcp 4001-4002\"];", // pokes, one per Switch (400n)
        "\"n5\" -> \"n4\" [label=\"tcp 3901\"];",      // remote Response Stack instrumentation
        "\"n5\" -> \"n8\" [label=\"tcp 1433\"];",      // TachyonMaster and TachyonResponses
        "\"n6\" -> \"n2\" [label=\"tcp 443, 4000\"];", // internet-facing clients
    ];
    assert_eq!(edges(&out), expected);
}

#[test]
fn every_format_of_every_scenario_is_deterministic_and_names_every_node() {
    for name in SCENARIOS {
        for format in ["mermaid", "dot"] {
            let a = ok(&["diagram", &scenario(name), "--format", format]);
            assert_eq!(
                a,
                ok(&["diagram", &scenario(name), "--format", format]),
                "{name} {format}"
            );
            for node in node_names(name) {
                assert!(
                    a.contains(&format!("[\"{node}")) || a.contains(&format!("label=\"{node}")),
                    "{name} {format}: {node}"
                );
            }
        }
    }
}

#[test]
fn output_file_and_errors() {
    let dir = std::env::temp_dir().join(format!("portmap-diagram-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plossys.mmd");
    let r = portmap(&[
        "diagram",
        &scenario("plossys"),
        "--format",
        "mermaid",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        ok(&["diagram", &scenario("plossys"), "--format", "mermaid"])
    );
    let r = portmap(&[
        "diagram",
        &scenario("plossys"),
        "-o",
        dir.join("missing/x.svg").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    // FILE: error: MESSAGE, like every diagnostic about a file.
    let missing = dir.join("missing/x.svg");
    assert!(
        r.stderr
            .starts_with(&format!("{}: error: ", missing.display())),
        "{}",
        r.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let r = portmap(&["diagram", "examples/none/topology.yaml"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("examples/none/topology.yaml: error: "),
        "{}",
        r.stderr
    );
    let r = portmap(&["diagram", &scenario("plossys"), "--format", "png"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn an_invalid_topology_is_exit_code_1_with_its_line() {
    let dir = std::env::temp_dir().join(format!("portmap-diagram-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.yaml");
    std::fs::write(
        &file,
        "nodes:\n  app:\n    components: [plossys/output-engin]\n",
    )
    .unwrap();
    let r = portmap(&["diagram", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_explains_the_formats_with_examples() {
    let help = ok(&["diagram", "--help"]);
    for s in [
        "svg",
        "mermaid",
        "dot",
        "portmap diagram examples/quickstart/topology.yaml -o topology.svg",
        "1898 … 2198 (24 ports)",
    ] {
        assert!(help.contains(s), "{s}:\n{help}");
    }
}

/// docs/images holds the rendered PLOSSYS and 1E DMZ diagrams; they must be
/// what the command draws today.
#[test]
fn the_documentation_images_are_current() {
    for name in ["plossys", "1e-platform"] {
        let file = format!("docs/images/{name}-diagram.svg");
        let on_disk = std::fs::read_to_string(root().join(&file)).unwrap();
        assert!(
            on_disk == ok(&["diagram", &scenario(name)]),
            "{file} is stale; run `cargo run -q -p portmap-cli -- diagram {} -o {file}`",
            scenario(name)
        );
    }
}

/// With zones, Mermaid and DOT draw each zone as a box around its nodes
/// (written by hand from examples/spotfire-dmz/topology.yaml: three zones,
/// the proxy alone in the DMZ), and every node's title names its zone.
#[test]
fn diagrams_of_the_spotfire_dmz_group_the_nodes_by_zone() {
    let mermaid = ok(&[
        "diagram",
        "examples/spotfire-dmz/topology.yaml",
        "--format",
        "mermaid",
    ]);
    let zones: Vec<&str> = mermaid
        .lines()
        .filter(|l| l.starts_with("  subgraph z"))
        .collect();
    assert_eq!(
        zones,
        [
            "  subgraph z0[\"zone dmz\"]",
            "  subgraph z1[\"zone internal\"]",
            "  subgraph z2[\"zone internet\"]"
        ]
    );
    let dmz: Vec<&str> = mermaid
        .lines()
        .skip_while(|l| !l.starts_with("  subgraph z0"))
        .take_while(|l| *l != "  end")
        .collect();
    assert_eq!(
        dmz,
        [
            "  subgraph z0[\"zone dmz\"]",
            "    subgraph n4[\"proxy (internet-facing, zone dmz)\"]",
            "      n4b[\"spotfire/load-balancer<br/>192.0.2.20/32\"]",
            "    end"
        ]
    );
    let dot = ok(&[
        "diagram",
        "examples/spotfire-dmz/topology.yaml",
        "--format",
        "dot",
    ]);
    assert!(
        dot.contains("  subgraph \"cluster_z0\" {\n    label=\"zone dmz\";\n"),
        "{dot}"
    );
    assert!(
        dot.contains(
            "    subgraph \"cluster_n4\" {\n      label=\"proxy (internet-facing, zone dmz)\";\n"
        ),
        "{dot}"
    );
    // Braces balance: every zone cluster is closed.
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    // Without zones, no zone box.
    let plain = ok(&[
        "diagram",
        "examples/spotfire/topology.yaml",
        "--format",
        "mermaid",
    ]);
    assert!(!plain.contains("zone"), "{plain}");
}

//! What the three cloud-shape data sources share, through a real Terraform:
//! their schemas, that no rule of any shape is wider than the flows it
//! serves (and no AWS rule allows all protocols), and the examples in
//! examples/aws, examples/azure and examples/gcp.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cloud_support;

use std::collections::{BTreeMap, BTreeSet};

use cloud_support::summaries;
use portmap_acceptance_tests::{Workspace, header, provider_address, repo_root};
use serde_json::Value as Json;

const SHAPES: [&str; 3] = [
    "portmap_aws_security_group_rules",
    "portmap_azure_nsg_rules",
    "portmap_gcp_firewall_rules",
];

fn schemas(ws: &Workspace) -> Json {
    let r = ws.terraform(&["providers", "schema", "-json"]);
    assert!(r.ok(), "{}", r.text());
    let v: Json = serde_json::from_str(&r.stdout).unwrap();
    v["provider_schemas"][provider_address()]["data_source_schemas"].clone()
}

/// Every description of a block and its (nested) attributes.
fn descriptions(block: &Json, at: &str, out: &mut Vec<(String, String)>) {
    out.push((
        at.to_string(),
        block["description"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ));
    for (name, a) in block["attributes"].as_object().into_iter().flatten() {
        let path = format!("{at}.{name}");
        match a.get("nested_type") {
            Some(n) => descriptions(
                &Json::Object(
                    n.as_object()
                        .unwrap()
                        .clone()
                        .into_iter()
                        .chain([("description".to_string(), a["description"].clone())])
                        .collect(),
                ),
                &path,
                out,
            ),
            None => out.push((
                path,
                a["description"].as_str().unwrap_or_default().to_string(),
            )),
        }
    }
}

#[test]
fn the_shapes_share_the_input_and_document_every_attribute() {
    let ws = Workspace::new("provider \"portmap\" {}\n");
    let s = schemas(&ws);
    for shape in SHAPES {
        let b = &s[shape]["block"];
        assert_eq!(
            b["attributes"]["nodes"], s["portmap_flows"]["block"]["attributes"]["nodes"],
            "{shape}: nodes differ from portmap_flows"
        );
        assert_eq!(
            b["attributes"]["products"], s["portmap_flows"]["block"]["attributes"]["products"],
            "{shape}"
        );
        assert_eq!(b["attributes"]["fail_on_risk"]["optional"], true, "{shape}");
        assert_eq!(b["attributes"]["rules"]["computed"], true, "{shape}");
        assert_eq!(
            b["attributes"]["rules"]["nested_type"]["nesting_mode"], "map",
            "{shape}"
        );
        let mut all = Vec::new();
        descriptions(b, shape, &mut all);
        for (path, d) in all {
            assert!(
                d.len() > 10 && d.ends_with('.'),
                "{path}: the description is not a sentence: {d:?}"
            );
        }
    }
    assert_eq!(
        s[SHAPES[0]]["block"]["attributes"]["max_rules"]["type"],
        "number"
    );
    assert_eq!(
        s[SHAPES[1]]["block"]["attributes"]["pinned_priorities"]["type"],
        serde_json::json!(["map", "number"])
    );
    assert_eq!(
        s[SHAPES[2]]["block"]["attributes"]["priority"]["type"],
        "number"
    );
    assert_eq!(
        s[SHAPES[2]]["block"]["attributes"]["name_prefix"]["type"],
        "string"
    );
    let azure = s[SHAPES[1]]["block"]["description"].as_str().unwrap();
    assert!(
        azure.contains("adding a node or a flow never renumbers an existing rule"),
        "{azure}"
    );
}

/// A topology with two products: the 1E platform with a DMZ, and a
/// Tarantella array with SecurID (1024-65535/udp), X applications (6010
/// and above) and telnet.
const TOPOLOGY: &str = r#"
locals {
  nodes = {
    server   = { components = ["1e-platform/server"], cidrs = ["10.10.0.10"], ref = "srv" }
    sql      = { components = ["1e-platform/sql-server"], cidrs = ["10.10.1.10"], ref = "sql" }
    dmz      = { components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10", "2001:db8:d::10"], ref = "dmz", exposure = "internet-facing" }
    internet = { components = ["1e-platform/internet-client"], cidrs = ["0.0.0.0/0", "::/0"], kind = "group", exposure = "untrusted" }
    clients  = { components = ["1e-platform/client", "1e-platform/browser"], cidrs = ["10.20.0.0/16"], kind = "group" }
    crl      = { components = ["1e-platform/crl-distribution-point"], cidrs = ["203.0.113.0/24"], kind = "group", exposure = "untrusted" }
    mail     = { components = ["1e-platform/smtp-relay"], cidrs = ["10.10.2.25"] }
    cloud    = { components = ["1e-platform/cloud-services"], cidrs = ["0.0.0.0/0"], kind = "group", exposure = "untrusted" }
    tts      = { components = ["tarantella/server"], cidrs = ["10.40.1.0/24", "2001:db8:40::/64"], kind = "group", ref = "tts" }
    apps     = { components = ["tarantella/application-server"], cidrs = ["10.40.2.0/24"], kind = "group" }
    securid  = { components = ["tarantella/securid-server"], cidrs = ["10.40.3.10"] }
    desktops = { components = ["tarantella/client"], cidrs = ["10.50.0.0/16"], kind = "group" }
  }
  products = { tarantella = { settings = { array_members = 2 }, features = ["x-applications", "telnet"] } }
}
data "portmap_flows" "this" {
  nodes    = local.nodes
  products = local.products
}
data "portmap_aws_security_group_rules" "this" {
  nodes    = local.nodes
  products = local.products
}
data "portmap_azure_nsg_rules" "this" {
  # On Azure a ref is an application security group id, named after the ref.
  nodes    = { for k, n in local.nodes : k => merge(n, { ref = try("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/${n.ref}", null) }) }
  products = local.products
}
data "portmap_gcp_firewall_rules" "this" {
  nodes    = local.nodes
  products = local.products
}
output "nodes" { value = local.nodes }
output "flows" { value = data.portmap_flows.this.flows }
output "aws" { value = data.portmap_aws_security_group_rules.this.rules }
output "azure" { value = data.portmap_azure_nsg_rules.this.rules }
output "gcp" { value = data.portmap_gcp_firewall_rules.this.rules }
"#;

type Ranges = Vec<(u32, u32)>;

/// Sorted, disjoint, non-adjacent ranges.
fn merge(mut r: Ranges) -> Ranges {
    r.sort();
    let mut out: Ranges = Vec::new();
    for (a, b) in r {
        match out.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn within(union: &Ranges, (a, b): (u32, u32)) -> bool {
    union.iter().any(|&(x, y)| x <= a && b <= y)
}

fn port_range(text: &str) -> (u32, u32) {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    (a.parse().unwrap(), b.parse().unwrap())
}

/// What one rule of a shape allows, in shape-neutral terms.
#[derive(Debug)]
struct Allowed {
    key: String,
    node: String,
    ingress: bool,
    peer: String,
    protocol: String,
    ranges: Ranges,
    endpoints: Vec<String>,
    flows: Vec<String>,
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect()
}

fn s(v: &Json) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn aws(rules: &Json) -> Vec<Allowed> {
    rules
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, r)| {
            let endpoint = [&r["cidr_ipv4"], &r["cidr_ipv6"]]
                .into_iter()
                .find_map(|c| c.as_str().map(str::to_string));
            Allowed {
                key: k.clone(),
                node: s(&r["node"]),
                ingress: r["direction"] == "ingress",
                peer: s(&r["peer"]),
                protocol: s(&r["ip_protocol"]),
                ranges: vec![(
                    r["from_port"].as_u64().unwrap() as u32,
                    r["to_port"].as_u64().unwrap() as u32,
                )],
                endpoints: vec![
                    endpoint.unwrap_or_else(|| {
                        format!("ref:{}", s(&r["referenced_security_group_id"]))
                    }),
                ],
                flows: strings(&r["flows"]),
            }
        })
        .collect()
}

fn azure(rules: &Json) -> Vec<Allowed> {
    rules
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, r)| {
            let ingress = r["direction"] == "Inbound";
            let side = if ingress { "source" } else { "destination" };
            let mut endpoints = strings(&r[format!("{side}_address_prefixes")]);
            endpoints.extend(
                strings(&r[format!("{side}_application_security_group_ids")])
                    .into_iter()
                    .map(|a| format!("ref:{}", a.rsplit('/').next().unwrap_or_default())),
            );
            Allowed {
                key: k.clone(),
                node: s(&r["node"]),
                ingress,
                peer: s(&r["peer"]),
                protocol: s(&r["protocol"]).to_lowercase(),
                ranges: strings(&r["destination_port_ranges"])
                    .iter()
                    .map(|p| port_range(p))
                    .collect(),
                endpoints,
                flows: strings(&r["flows"]),
            }
        })
        .collect()
}

fn gcp(rules: &Json) -> Vec<Allowed> {
    let mut out = Vec::new();
    for (k, r) in rules.as_object().unwrap() {
        let ingress = r["direction"] == "INGRESS";
        let endpoints = if ingress {
            let mut e = strings(&r["source_ranges"]);
            e.extend(
                strings(&r["source_tags"])
                    .into_iter()
                    .map(|t| format!("ref:{t}")),
            );
            e
        } else {
            strings(&r["destination_ranges"])
        };
        for a in r["allow"].as_array().unwrap() {
            out.push(Allowed {
                key: format!("{k} {}", s(&a["protocol"])),
                node: s(&r["node"]),
                ingress,
                peer: s(&r["peer"]),
                protocol: s(&a["protocol"]),
                ranges: strings(&a["ports"]).iter().map(|p| port_range(p)).collect(),
                endpoints: endpoints.clone(),
                flows: strings(&r["flows"]),
            });
        }
    }
    out
}

fn normalized(cidr: &str) -> String {
    if cidr.contains('/') {
        cidr.to_string()
    } else if cidr.contains(':') {
        format!("{cidr}/128")
    } else {
        format!("{cidr}/32")
    }
}

#[test]
fn no_rule_of_any_shape_is_wider_than_its_flows_and_no_aws_rule_allows_all_protocols() {
    let ws = Workspace::new(TOPOLOGY);
    let r = ws.terraform(&["apply", "-auto-approve", "-json", "-input=false"]);
    assert!(r.ok(), "{}", r.text());
    // The catalog's two very wide rows are flagged, by each shape.
    let wide: BTreeSet<String> = summaries(&r.diagnostics(), "Risk: ")
        .into_iter()
        .filter(|s| s.contains(" ports ("))
        .collect();
    assert_eq!(
        wide,
        BTreeSet::from([
            "Risk: 59526 ports (tcp/6010-65535) opened from \"apps\" to \"tts\"".to_string(),
            "Risk: 64512 ports (udp/1024-65535) opened from \"tts\" to \"securid\"".to_string(),
        ])
    );
    let out = ws.outputs();

    // Required: for each firewall flow A → B, B's ingress from A and A's
    // egress to B, on the flow's protocol and ports.
    let mut flows: BTreeMap<String, (String, String, String, (u32, u32))> = BTreeMap::new();
    let mut required: BTreeMap<(String, bool, String, String), Ranges> = BTreeMap::new();
    for f in out["flows"].as_array().unwrap() {
        if f["internal"] == true || f["firewall"] == false {
            continue;
        }
        let ports = (
            f["from_port"].as_u64().unwrap() as u32,
            f["to_port"].as_u64().unwrap() as u32,
        );
        let (from, to, proto) = (s(&f["from_node"]), s(&f["to_node"]), s(&f["protocol"]));
        flows.insert(
            s(&f["key"]),
            (from.clone(), to.clone(), proto.clone(), ports),
        );
        required
            .entry((to.clone(), true, from.clone(), proto.clone()))
            .or_default()
            .push(ports);
        required
            .entry((from, false, to, proto))
            .or_default()
            .push(ports);
    }
    let required: BTreeMap<_, Ranges> = required.into_iter().map(|(k, v)| (k, merge(v))).collect();
    let nodes = &out["nodes"];
    for (shape, allowed) in [
        ("aws", aws(&out["aws"])),
        ("azure", azure(&out["azure"])),
        ("gcp", gcp(&out["gcp"])),
    ] {
        let mut got: BTreeMap<(String, bool, String, String), Ranges> = BTreeMap::new();
        for a in &allowed {
            assert!(
                a.protocol == "tcp" || a.protocol == "udp",
                "{shape} {}: protocol {}",
                a.key,
                a.protocol
            );
            assert!(
                !a.endpoints.is_empty(),
                "{shape} {}: no peer address",
                a.key
            );
            // Every port is required by the flows the rule names, between
            // the rule's node and peer, in its direction and protocol. (A GCP
            // rule names the flows of all its `allow` blocks.)
            let mut own: Ranges = Vec::new();
            for k in &a.flows {
                let (from, to, proto, ports) = flows
                    .get(k)
                    .unwrap_or_else(|| panic!("{shape} {}: unknown flow {k}", a.key));
                let (node, peer) = if a.ingress { (to, from) } else { (from, to) };
                assert_eq!(
                    (node, peer),
                    (&a.node, &a.peer),
                    "{shape} {}: flow {k} is between other nodes",
                    a.key
                );
                if *proto == a.protocol {
                    own.push(*ports);
                }
            }
            let own = merge(own);
            for r in &a.ranges {
                assert!(
                    r.0 >= 1 && r.0 <= r.1 && r.1 <= 65535,
                    "{shape} {}: {r:?}",
                    a.key
                );
                assert!(
                    within(&own, *r),
                    "{shape} {}: ports {r:?} are wider than its flows {own:?}",
                    a.key
                );
            }
            // Every peer address is the peer's: one of its CIDRs or its ref.
            let peer = &nodes[&a.peer];
            let mut theirs: Vec<String> = strings(&peer["cidrs"])
                .iter()
                .map(|c| normalized(c))
                .collect();
            if let Some(r) = peer["ref"].as_str() {
                theirs.push(format!("ref:{r}"));
            }
            for e in &a.endpoints {
                assert!(
                    theirs.contains(e),
                    "{shape} {}: {e} is not an address of {}",
                    a.key,
                    a.peer
                );
            }
            got.entry((
                a.node.clone(),
                a.ingress,
                a.peer.clone(),
                a.protocol.clone(),
            ))
            .or_default()
            .extend(a.ranges.iter().copied());
        }
        // And together the rules open every required port: no more, no
        // less. (Every peer here has CIDRs, so even GCP, whose egress rules
        // cannot name a peer by tag, is complete.)
        let got: BTreeMap<_, Ranges> = got.into_iter().map(|(k, v)| (k, merge(v))).collect();
        assert_eq!(got, required, "{shape}");
    }
    assert!(
        out["aws"]
            .as_object()
            .unwrap()
            .values()
            .all(|r| r["ip_protocol"] != "-1")
    );
}

/// The `each.value.<attribute>` (and `allow.value.<attribute>`) references
/// of a configuration.
fn references(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        out.insert(name);
    }
    out
}

/// The module outputs a configuration iterates over with `for_each`.
fn for_each_outputs(text: &str) -> BTreeSet<String> {
    references(text, "for_each = module.portmap.")
}

#[test]
fn every_attribute_the_examples_feed_to_a_cloud_resource_exists_in_the_shape() {
    for (cloud, shape) in [("aws", SHAPES[0]), ("azure", SHAPES[1]), ("gcp", SHAPES[2])] {
        let dir = repo_root().join("examples").join(cloud);
        let root = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        // The portmap part plans (and applies: it only reads) offline.
        let ws = Workspace::empty();
        ws.copy_dir(&dir.join("portmap"));
        let r = ws.terraform(&["apply", "-auto-approve", "-json", "-input=false"]);
        assert!(r.ok(), "{cloud}: {}", r.text());
        assert!(
            r.diagnostics().iter().all(|d| d.severity != "error"),
            "{cloud}"
        );
        let out = ws.outputs();
        let schema =
            &schemas(&ws)[shape]["block"]["attributes"]["rules"]["nested_type"]["attributes"];
        let used = references(&root, "each.value.");
        for attr in &used {
            assert!(
                schema.get(attr).is_some(),
                "{cloud}: main.tf uses each.value.{attr}, which {shape} rules do not have"
            );
        }
        // The module's outputs that main.tf iterates over hold the data
        // source's rule objects, with every attribute main.tf reads.
        let maps = for_each_outputs(&root);
        assert!(
            !maps.is_empty(),
            "{cloud}: no for_each over the module's rule maps"
        );
        for m in &maps {
            let rules = out[m.as_str()]
                .as_object()
                .unwrap_or_else(|| panic!("{cloud}: module output {m} is not a map"));
            assert!(!rules.is_empty(), "{cloud}: {m} is empty");
            for (k, r) in rules {
                for attr in &used {
                    assert!(r.get(attr).is_some(), "{cloud}: {m}[{k}] has no {attr}");
                }
            }
        }
        let allow = references(&root, "allow.value.");
        for attr in &allow {
            assert!(
                schema["allow"]["nested_type"]["attributes"]
                    .get(attr)
                    .is_some(),
                "{cloud}: allow.value.{attr}"
            );
        }
    }
}

#[test]
fn the_examples_are_formatted_and_the_data_source_examples_apply() {
    let ws = Workspace::empty();
    let examples = repo_root().join("examples");
    let mut dirs: Vec<String> = ["aws", "azure", "gcp"]
        .iter()
        .map(|c| examples.join(c).display().to_string())
        .collect();
    for shape in SHAPES {
        dirs.push(
            examples
                .join("data-sources")
                .join(shape)
                .display()
                .to_string(),
        );
    }
    for d in &dirs {
        let r = ws.terraform(&["fmt", "-check", "-recursive", "-diff", d]);
        assert!(r.ok(), "terraform fmt -check {d}:\n{}", r.text());
    }
    for shape in SHAPES {
        let text = std::fs::read_to_string(
            examples
                .join("data-sources")
                .join(shape)
                .join("data-source.tf"),
        )
        .unwrap();
        let ws = Workspace::new(&text);
        let r = ws.terraform(&["apply", "-auto-approve", "-json", "-input=false"]);
        assert!(r.ok(), "{shape}: {}", r.text());
        let warnings: Vec<String> = r
            .diagnostics()
            .iter()
            .filter(|d| !d.summary.contains("overrides"))
            .map(|d| d.summary.clone())
            .collect();
        assert!(warnings.is_empty(), "{shape}: {warnings:?}");
        let out = ws.outputs();
        assert!(
            out.as_object()
                .unwrap()
                .values()
                .all(|v| v.as_object().is_some_and(|m| !m.is_empty())),
            "{shape}: {out}"
        );
    }
    assert!(header().contains("portmap/portmap"));
}

/// The portmap modules of examples/aws, examples/azure and examples/gcp
/// need nothing but portmap: applied as they are, each returns only the
/// rules of the firewalls it manages (`for_nodes`), and every rule of those
/// nodes.
#[test]
fn the_example_modules_apply_and_return_only_the_managed_nodes_rules() {
    let examples = repo_root().join("examples");
    for (cloud, managed, maps) in [
        (
            "aws",
            "security_groups",
            &["ingress_rules", "egress_rules"][..],
        ),
        ("azure", "azure_nodes", &["rules"][..]),
        ("gcp", "vpc_nodes", &["rules"][..]),
    ] {
        let ws = Workspace::empty();
        ws.copy_dir(&examples.join(cloud).join("portmap"));
        let r = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(r.ok(), "{cloud}: {}", r.text());
        let out = ws.outputs();
        let nodes: Vec<&str> = match managed {
            // The GCP module has no output of its nodes; its README and
            // locals name them.
            "vpc_nodes" => vec!["tarantella", "apps"],
            m => out[m]
                .as_array()
                .unwrap_or_else(|| panic!("{cloud}: output {m}"))
                .iter()
                .map(|n| n.as_str().expect("a name"))
                .collect(),
        };
        let mut seen = BTreeSet::new();
        for m in maps {
            let rules = out[*m]
                .as_object()
                .unwrap_or_else(|| panic!("{cloud}: output {m}"));
            assert!(!rules.is_empty(), "{cloud}: {m} is empty");
            for (k, r) in rules {
                let node = r["node"].as_str().expect("a node");
                assert!(nodes.contains(&node), "{cloud}: {k} at {node}");
                seen.insert(node.to_string());
            }
        }
        for n in &nodes {
            assert!(seen.contains(*n), "{cloud}: no rule at {n}");
        }
        if cloud == "azure" {
            let keys = |v: &Json| {
                v.as_object()
                    .expect("a map")
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(keys(&out["priorities"]), keys(&out["rules"]));
        }
        if cloud == "gcp" {
            assert_eq!(
                out["instance_network_tags"],
                serde_json::json!({ "apps": ["tarantella-apps"], "tarantella": ["tarantella"] })
            );
        }
    }
}

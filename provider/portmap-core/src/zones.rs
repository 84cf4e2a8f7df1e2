//! Zones and fronting: where the perimeter is, which zone may open
//! connections into which, and nodes in front of servers (reverse proxies,
//! load balancers, WAFs).
//!
//! - A flow *crosses* when its two ends are in different zones
//!   ([`crosses`]). Without zones every node is in zone `default` and
//!   nothing crosses.
//! - [`apply_fronts`] redirects clients' flows to a fronted component to the
//!   fronting node: a flow from a client in another zone than the server, or
//!   from an untrusted client to a server that is not, goes to each node
//!   fronting the component instead (on its `listen_ports`, or the same
//!   ports), and from there on to the server: through the fronting node's
//!   own catalog flows to that server when it has any, or else a relayed
//!   flow on the original ports.
//! - [`check_policy`] refuses flows crossing into a zone from a zone its
//!   `accepts_from` does not list, when the topology has a zone policy.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::flows::FlowRecord;
use crate::issue::{Issue, Path};
use crate::ports::PortRange;
use crate::topology::{Exposure, Resolved, ResolvedNode};

/// How many flows a policy error lists before summarizing.
const LISTED_FLOWS: usize = 10;

fn node<'a>(r: &'a Resolved<'_>, name: &str) -> Option<&'a ResolvedNode> {
    r.nodes
        .binary_search_by(|n| n.name.as_str().cmp(name))
        .ok()
        .map(|i| &r.nodes[i])
}

/// Whether a flow's ends are in different zones.
pub fn crosses(r: &Resolved<'_>, flow: &FlowRecord<'_>) -> bool {
    match (node(r, &flow.from_node), node(r, &flow.to_node)) {
        (Some(a), Some(b)) => a.zone != b.zone,
        _ => false,
    }
}

/// Whether any node of the topology names a zone other than `default`.
pub fn has_zones(r: &Resolved<'_>) -> bool {
    !r.zones.is_empty()
        || r.nodes
            .iter()
            .any(|n| n.zone != crate::topology::DEFAULT_ZONE)
}

/// Whether a client reaches a server from outside: from another zone, or
/// untrusted into a node that is not.
fn from_outside(client: &ResolvedNode, server: &ResolvedNode) -> bool {
    client.zone != server.zone
        || (client.exposure == Exposure::Untrusted && server.exposure != Exposure::Untrusted)
}

fn flow_key(flow: &FlowRecord<'_>, from: &str, to: &str, ports: PortRange) -> Rc<str> {
    let mut key = format!(
        "{}:{}:{from}>{to}:{}:",
        flow.owner(),
        flow.flow,
        flow.protocol
    );
    ports.push_to(&mut key);
    key.into()
}

/// A flow made by redirection, with the nodes its `relay` text names.
struct Relayed<'c> {
    flow: FlowRecord<'c>,
    /// `in front of` or `for`.
    prefix: &'static str,
    /// The servers (or clients) it stands for.
    names: Vec<Rc<str>>,
}

/// Redirects the clients' flows to fronted components through the fronting
/// nodes (see the module documentation). Returns the flows sorted by key.
/// Without any `fronts`, the flows come back unchanged.
pub fn apply_fronts<'c>(r: &Resolved<'c>, flows: Vec<FlowRecord<'c>>) -> Vec<FlowRecord<'c>> {
    // component → fronting nodes with their listener ports.
    let mut fronting: BTreeMap<&str, Vec<(&ResolvedNode, Option<&crate::ports::PortSet>)>> =
        BTreeMap::new();
    for n in &r.nodes {
        for (component, listen) in &n.fronts {
            fronting
                .entry(component)
                .or_default()
                .push((n, listen.as_ref()));
        }
    }
    if fronting.is_empty() {
        return flows;
    }
    // Which (owner, fronting node, server) pairs have catalog flows of
    // their own: then those carry the traffic on.
    let mut own_onward: std::collections::BTreeSet<(String, &str, &str)> = Default::default();
    for f in &flows {
        if f.needs_rule() {
            own_onward.insert((f.owner().into_owned(), &f.from_node, &f.to_node));
        }
    }
    let mut out: BTreeMap<Rc<str>, FlowRecord<'c>> = BTreeMap::new();
    let mut relayed: Vec<(FlowRecord<'c>, &'static str, Rc<str>)> = Vec::new();
    for f in &flows {
        let redirect_to: Vec<_> = match (
            f.needs_rule(),
            fronting.get(&*f.to_component),
            node(r, &f.from_node),
            node(r, &f.to_node),
        ) {
            (true, Some(fronts), Some(client), Some(server)) if from_outside(client, server) => {
                fronts
                    .iter()
                    .filter(|(n, _)| n.name != client.name && n.name != server.name)
                    .collect()
            }
            _ => Vec::new(),
        };
        if redirect_to.is_empty() {
            out.entry(f.key.clone()).or_insert_with(|| f.clone());
            continue;
        }
        for (front, listen) in redirect_to {
            let front_name: Rc<str> = front.name.as_str().into();
            let ranges: Vec<PortRange> = match listen {
                Some(set) => set.ranges().to_vec(),
                None => vec![f.ports],
            };
            for range in ranges {
                let mut to_front = f.clone();
                to_front.key = flow_key(f, &f.from_node, &front.name, range);
                to_front.to_node = front_name.clone();
                to_front.ports = range;
                relayed.push((to_front, "in front of", f.to_node.clone()));
            }
            if !own_onward.contains(&(f.owner().into_owned(), front.name.as_str(), &*f.to_node)) {
                let mut onward = f.clone();
                onward.key = flow_key(f, &front.name, &f.to_node, f.ports);
                onward.from_node = front_name.clone();
                relayed.push((onward, "for", f.from_node.clone()));
            }
        }
    }
    // Several servers behind one fronting node give one flow to it, which
    // names them all (and several clients one onward flow).
    let mut merged: BTreeMap<Rc<str>, Relayed<'c>> = BTreeMap::new();
    for (f, prefix, name) in relayed {
        if out.contains_key(&f.key) {
            continue;
        }
        let entry = merged.entry(f.key.clone()).or_insert_with(|| Relayed {
            flow: f,
            prefix,
            names: Vec::new(),
        });
        if !entry.names.contains(&name) {
            entry.names.push(name);
        }
    }
    for (key, relayed) in merged {
        let Relayed {
            flow: mut f,
            prefix,
            names,
        } = relayed;
        let names: Vec<&str> = names.iter().map(|n| &**n).collect();
        f.relay = Some(format!("{prefix} {}", names.join(", ")).into());
        out.insert(key, f);
    }
    out.into_values().collect()
}

/// Warnings for fronted components that no node runs.
pub fn unused_fronts(r: &Resolved<'_>) -> Vec<Issue> {
    let mut issues = Vec::new();
    for n in &r.nodes {
        for (component, _) in &n.fronts {
            if !r.nodes.iter().any(|m| m.components.contains(component)) {
                issues.push(Issue::warning(
                    Path::root().attr("nodes").key(&n.name).attr("fronts"),
                    format!("Node \"{}\" fronts \"{component}\", which no node runs", n.name),
                    "No flow is redirected to it for this component until a node runs the component.",
                ));
            }
        }
    }
    issues
}

/// Errors for flows that cross from a zone into a zone that does not
/// accept connections from it, one per zone pair, when the topology has a
/// zone policy.
pub fn check_policy(r: &Resolved<'_>, flows: &[FlowRecord<'_>]) -> Vec<Issue> {
    if r.zones.is_empty() {
        return Vec::new();
    }
    let mut refused: BTreeMap<(&str, &str), Vec<&FlowRecord<'_>>> = BTreeMap::new();
    for f in flows.iter().filter(|f| f.needs_rule()) {
        let (Some(a), Some(b)) = (node(r, &f.from_node), node(r, &f.to_node)) else {
            continue;
        };
        if a.zone == b.zone {
            continue;
        }
        let accepted = r
            .zones
            .get(&b.zone)
            .is_some_and(|z| z.accepts_from.contains(&a.zone));
        if !accepted {
            refused.entry((&a.zone, &b.zone)).or_default().push(f);
        }
    }
    refused
        .into_iter()
        .map(|((from, to), flows)| {
            let mut lines: Vec<String> = flows
                .iter()
                .take(LISTED_FLOWS)
                .map(|f| format!("- {} ({}/{} {}, {})", f.key, f.protocol, f.ports, f.app_protocol, f.purpose))
                .collect();
            if flows.len() > LISTED_FLOWS {
                lines.push(format!("- and {} more", flows.len() - LISTED_FLOWS));
            }
            let components: Vec<&str> = {
                let mut c: Vec<&str> = flows.iter().map(|f| &*f.to_component).collect();
                c.sort();
                c.dedup();
                c
            };
            Issue::error(
                Path::root().attr("zones").key(to).attr("accepts_from"),
                format!(
                    "{} flow{} from zone \"{from}\" into zone \"{to}\", which does not accept connections from \"{from}\"",
                    flows.len(),
                    if flows.len() == 1 { "" } else { "s" }
                ),
                format!(
                    "The zone policy (zones) refuses these flows:\n{}\nEither put a node in front of {} in a zone that \"{to}\" accepts connections from, and give it fronts = [{{ component = \"{}\" }}], so that the clients connect to it instead; or, if zone \"{from}\" may open these connections, add \"{from}\" to zones[\"{to}\"].accepts_from.",
                    lines.join("\n"),
                    components.join(", "),
                    components.first().copied().unwrap_or_default()
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::issue::{Issue, Severity};
    use crate::topology::Topology;
    use crate::{Catalog, Computation};

    fn topology(yaml: &str) -> Topology {
        serde_norway::from_str(yaml).expect("test topology parses")
    }

    fn catalog() -> &'static Catalog {
        Catalog::builtin().expect("built-in catalog")
    }

    fn compute(yaml: &str) -> Result<Computation<'static>, Vec<Issue>> {
        crate::compute(&topology(yaml), catalog())
    }

    /// `(key, relay)` of every flow needing a rule.
    fn flows(c: &Computation<'_>) -> Vec<(String, Option<String>)> {
        c.flows
            .iter()
            .filter(|f| f.needs_rule())
            .map(|f| (f.key.to_string(), f.relay.as_deref().map(str::to_string)))
            .collect()
    }

    fn errors(issues: &[Issue]) -> Vec<(String, String)> {
        issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| (i.path.to_string(), i.summary.clone()))
            .collect()
    }

    const DMZ: &str = r#"
zones:
  internet: { exposure: untrusted }
  dmz: { exposure: internet-facing, accepts_from: [internet] }
  internal: { accepts_from: [dmz] }
nodes:
  users: { components: [spotfire/client], cidrs: [0.0.0.0/0], kind: group, zone: internet }
  proxy:
    components: [spotfire/load-balancer]
    cidrs: [192.0.2.20]
    zone: dmz
    fronts: [{ component: spotfire/server, listen_ports: "443" }]
  sf-1: { components: [spotfire/server], cidrs: [10.0.0.1], zone: internal }
  analysts: { components: [spotfire/client], cidrs: [10.7.0.0/16], kind: group, zone: internal }
products:
  spotfire: { features: [https-connector], disabled_features: [http-connector] }
"#;

    #[test]
    fn a_fronting_node_takes_the_outside_clients_and_its_own_flows_go_on() {
        let c = compute(DMZ).expect("computes");
        let flows = flows(&c);
        let expected = [
            ("spotfire:client-https:analysts>sf-1:tcp:443", None),
            (
                "spotfire:client-https:users>proxy:tcp:443",
                Some("in front of sf-1"),
            ),
            ("spotfire:load-balancer-https:proxy>sf-1:tcp:443", None),
        ];
        let expected: Vec<(String, Option<String>)> = expected
            .iter()
            .map(|(k, r)| (k.to_string(), r.map(str::to_string)))
            .collect();
        assert_eq!(flows, expected);
    }

    #[test]
    fn without_fronting_the_zone_policy_refuses_the_crossing_and_names_the_way_out() {
        let yaml = DMZ.replace(
            "    fronts: [{ component: spotfire/server, listen_ports: \"443\" }]\n",
            "",
        );
        let issues = compute(&yaml).expect_err("refused");
        assert_eq!(
            errors(&issues),
            [(
                "zones[\"internal\"].accepts_from".to_string(),
                "1 flow from zone \"internet\" into zone \"internal\", which does not accept connections from \"internet\"".to_string()
            )]
        );
        let detail = &issues
            .iter()
            .find(|i| i.severity == Severity::Error)
            .expect("error")
            .detail;
        assert!(
            detail.contains("spotfire:client-https:users>sf-1:tcp:443"),
            "{detail}"
        );
        assert!(
            detail.contains("fronts = [{ component = \"spotfire/server\" }]"),
            "{detail}"
        );
        assert!(
            detail.contains("add \"internet\" to zones[\"internal\"].accepts_from"),
            "{detail}"
        );
    }

    #[test]
    fn allowing_the_zone_pair_lets_the_flow_cross_directly() {
        let yaml = DMZ
            .replace(
                "    fronts: [{ component: spotfire/server, listen_ports: \"443\" }]\n",
                "",
            )
            .replace("accepts_from: [dmz]", "accepts_from: [dmz, internet]");
        let c = compute(&yaml).expect("computes");
        assert!(
            flows(&c)
                .iter()
                .any(|(k, _)| k == "spotfire:client-https:users>sf-1:tcp:443")
        );
    }

    #[test]
    fn a_fronting_node_without_catalog_flows_relays_on_the_original_ports() {
        let yaml = r#"
nodes:
  users: { components: [spotfire/client], cidrs: [203.0.113.0/24], kind: group, exposure: untrusted }
  waf: { components: [1e-platform/browser], cidrs: [192.0.2.30], fronts: [{ component: spotfire/server, listen_ports: "8443" }] }
  sf-1: { components: [spotfire/server], cidrs: [10.0.0.1] }
  sf-2: { components: [spotfire/server], cidrs: [10.0.0.2] }
products:
  spotfire: { features: [https-connector], disabled_features: [http-connector] }
"#;
        let c = compute(yaml).expect("computes");
        let relayed: Vec<(String, Option<String>)> = flows(&c)
            .into_iter()
            .filter(|(k, _)| k.starts_with("spotfire:client-https"))
            .collect();
        let expected = [
            (
                "spotfire:client-https:users>waf:tcp:8443",
                "in front of sf-1, sf-2",
            ),
            ("spotfire:client-https:waf>sf-1:tcp:443", "for users"),
            ("spotfire:client-https:waf>sf-2:tcp:443", "for users"),
        ];
        let expected: Vec<(String, Option<String>)> = expected
            .iter()
            .map(|(k, r)| (k.to_string(), Some(r.to_string())))
            .collect();
        assert_eq!(relayed, expected);
    }

    #[test]
    fn clients_inside_the_servers_zone_are_not_redirected() {
        let yaml = r#"
nodes:
  users: { components: [spotfire/client], cidrs: [10.7.0.0/16], kind: group }
  lb: { components: [spotfire/load-balancer], cidrs: [10.0.9.9], fronts: [{ component: spotfire/server }] }
  sf-1: { components: [spotfire/server], cidrs: [10.0.0.1] }
"#;
        let c = compute(yaml).expect("computes");
        assert!(c.flows.iter().all(|f| f.relay.is_none()));
        assert!(
            flows(&c)
                .iter()
                .any(|(k, _)| k.starts_with("spotfire:client-http:users>sf-1:"))
        );
    }

    #[test]
    fn an_untrusted_peer_into_an_internal_node_is_a_finding_even_without_zones() {
        let yaml = r#"
nodes:
  users: { components: [spotfire/client], cidrs: [0.0.0.0/0], kind: group, exposure: untrusted }
  sf-1: { components: [spotfire/server], cidrs: [10.0.0.1] }
products:
  spotfire: { features: [https-connector], disabled_features: [http-connector] }
"#;
        let c = compute(yaml).expect("computes");
        let found: Vec<String> =
            crate::cloud::risk::findings(&c, &crate::cloud::risk::whole_internet_cidrs)
                .into_iter()
                .map(|f| f.key)
                .collect();
        assert_eq!(found, ["untrusted-peer:users>sf-1"]);
    }

    #[test]
    fn zone_mistakes_are_errors_at_their_attribute() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "zones: { dmz: {} }\nnodes: { a: { components: [spotfire/server], zone: dmx } }",
                "nodes[\"a\"].zone",
                "Node \"a\" is in zone \"dmx\", which zones does not declare",
            ),
            (
                "zones: { dmz: {} }\nnodes: { a: { components: [spotfire/server] } }",
                "nodes[\"a\"]",
                "Node \"a\" has no zone, and zones does not declare zone \"default\"",
            ),
            (
                "zones: { dmz: { accepts_from: [internet] } }\nnodes: { a: { components: [spotfire/server], zone: dmz } }",
                "zones[\"dmz\"].accepts_from[0]",
                "Zone \"dmz\" accepts connections from \"internet\", which zones does not declare",
            ),
            (
                "nodes: { a: { components: [spotfire/server], zone: \"d m z\" } }",
                "nodes[\"a\"].zone",
                "Invalid zone name \"d m z\"",
            ),
            (
                "nodes: { a: { components: [spotfire/server], fronts: [{ component: spotfire/server }] } }",
                "nodes[\"a\"].fronts[0].component",
                "Node \"a\" fronts \"spotfire/server\", which it runs itself",
            ),
            (
                "nodes: { a: { components: [spotfire/client], fronts: [{ component: spotfire/servr }] } }",
                "nodes[\"a\"].fronts[0].component",
                "Unknown component \"spotfire/servr\"",
            ),
            (
                "nodes: { a: { components: [spotfire/client], fronts: [{ component: spotfire/server, listen_ports: \"44x\" }] } }",
                "nodes[\"a\"].fronts[0].listen_ports",
                "Invalid listen_ports \"44x\"",
            ),
        ];
        for (yaml, path, summary) in cases {
            let issues = compute(yaml).err().unwrap_or_default();
            assert_eq!(
                errors(&issues),
                [(path.to_string(), summary.to_string())],
                "{yaml}"
            );
        }
    }
}

//! What the hub-firewall shapes ([`super::azure_firewall`],
//! [`super::aws_network_firewall`]) share: the crossing part of a
//! computation, the warning when nothing crosses a zone, the error for a
//! node the hub cannot name, and the flows of a policy by protocol.
//!
//! Both shapes are built on [`crate::perimeter::policies`], whose policies
//! are exact products (every source may reach every destination on every
//! service, and the flows require exactly that). A hub rule keeps to one
//! policy and one protocol, so it is never wider than the flows.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Protocol;
use crate::flows::FlowRecord;
use crate::issue::{Issue, Path};
use crate::perimeter::Policy;
use crate::rules::Computation;
use crate::topology::ResolvedNode;

use super::node_path;

/// The computation narrowed to the flows (and rules) that cross a zone
/// boundary, for the risk checks: a hub firewall carries nothing else, so
/// its findings are about those flows only.
pub(crate) fn crossing<'c>(c: &Computation<'c>) -> Computation<'c> {
    let zone = |n: &str| c.node(n).map(|n| n.zone.clone());
    Computation {
        resolved: c.resolved.clone(),
        flows: c
            .flows
            .iter()
            .filter(|f| zone(&f.from_node) != zone(&f.to_node))
            .cloned()
            .collect(),
        rules: crate::rules::RuleMap::from_rules(
            c.rules
                .values()
                .filter(|r| zone(&r.node) != zone(&r.peer))
                .cloned()
                .collect(),
        ),
        unresolved: c.unresolved.clone(),
        issues: Vec::new(),
    }
}

/// The warning for a result without policies: no flow crosses a zone.
pub(crate) fn nothing_crosses(platform: &str) -> Issue {
    Issue::warning(
        Path::root().attr("nodes"),
        "No flow crosses a zone boundary",
        format!(
            "The {platform} rules carry only flows between nodes of different zones (nodes without a zone are in zone \"default\"), and no flow of this topology crosses one, so the result is empty. Give the nodes their zones (zone = \"dmz\", \"internal\", ...) to put the hub between them."
        ),
    )
}

/// An error for each node of a policy that the hub can name neither by its
/// addresses nor by a reference (`named_by_ref`), once per node.
pub(crate) fn unnamed_nodes(
    c: &Computation<'_>,
    policies: &[Policy],
    platform: &str,
    named_by_ref: &dyn Fn(&ResolvedNode) -> bool,
    how: &str,
) -> Vec<Issue> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for p in policies {
        for n in p.sources.iter().chain(&p.destinations) {
            let Some(node) = c.node(n) else { continue };
            if node.cidrs.is_empty() && !named_by_ref(node) && seen.insert(n.clone()) {
                out.push(Issue::error(
                    node_path(n).attr("cidrs"),
                    format!("The {platform} needs the addresses of node \"{n}\""),
                    format!(
                        "Node \"{n}\" (zone \"{}\") has a flow crossing a zone boundary, and the hub firewall names the ends of such flows by their addresses{how}. Give \"{n}\" its cidrs.",
                        node.zone
                    ),
                ));
            }
        }
    }
    out
}

/// The flows of a policy with the given protocol, sorted by key.
pub(crate) fn policy_flows<'a, 'c>(
    c: &'a Computation<'c>,
    p: &Policy,
    protocol: Protocol,
) -> Vec<&'a FlowRecord<'c>> {
    p.flows
        .iter()
        .filter_map(|k| {
            c.flows
                .binary_search_by(|f| (*f.key).cmp(k.as_str()))
                .ok()
                .map(|i| &c.flows[i])
        })
        .filter(|f| f.protocol == protocol)
        .collect()
}

/// Policies grouped by zone pair, in zone-pair order.
pub(crate) fn by_zone_pair(policies: &[Policy]) -> BTreeMap<(&str, &str), Vec<&Policy>> {
    let mut out: BTreeMap<(&str, &str), Vec<&Policy>> = BTreeMap::new();
    for p in policies {
        out.entry((p.from_zone.as_str(), p.to_zone.as_str()))
            .or_default()
            .push(p);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::Catalog;
    use crate::issue::{Issue, Severity};
    use crate::rules::Computation;
    use crate::topology::Topology;

    /// The computation of a YAML topology; panics on errors.
    pub(crate) fn topology_compute(yaml: &str) -> Computation<'static> {
        let t: Topology = serde_norway::from_str(yaml).expect("test topology parses");
        let catalog = Catalog::builtin().expect("built-in catalog");
        crate::compute(&t, catalog).unwrap_or_else(|e| panic!("compute: {e:#?}"))
    }

    /// A Spotfire DMZ: internet users, a fronting proxy in the DMZ, one
    /// server and internal analysts; `extra` adds node lines.
    pub(crate) fn dmz(extra: &str) -> Computation<'static> {
        topology_compute(&format!(
            r#"
zones:
  internet: {{ exposure: untrusted }}
  dmz: {{ exposure: internet-facing, accepts_from: [internet] }}
  internal: {{ accepts_from: [dmz] }}
nodes:
  users: {{ components: [spotfire/client], cidrs: [0.0.0.0/0], kind: group, zone: internet }}
  proxy:
    components: [spotfire/load-balancer]
    cidrs: [192.0.2.20]
    zone: dmz
    fronts: [{{ component: spotfire/server, listen_ports: "443" }}]
  sf-1: {{ components: [spotfire/server], cidrs: [10.0.0.1], zone: internal }}
  analysts: {{ components: [spotfire/client], cidrs: [10.7.0.0/16], kind: group, zone: internal }}
{extra}products:
  spotfire: {{ features: [https-connector], disabled_features: [http-connector] }}
"#
        ))
    }

    /// `(path, summary)` of the errors.
    pub(crate) fn errors(issues: &[Issue]) -> Vec<(String, String)> {
        issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| (i.path.to_string(), i.summary.clone()))
            .collect()
    }
}

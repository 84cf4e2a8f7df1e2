//! Least-privilege rules: one per (node, direction, peer, protocol,
//! contiguous port range), each serving exactly the flows that need it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::catalog::{Catalog, Protocol};
use crate::flows::{FlowRecord, FlowSet, Unresolved, compute_flows};
use crate::issue::{Issue, has_errors};
use crate::ports::{PortRange, PortSet};
use crate::topology::{Exposure, NodeKind, Resolved, Topology, resolve};

/// Traffic direction, seen from the rule's node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Into the node.
    Ingress,
    /// Out of the node.
    Egress,
}

impl Direction {
    /// `ingress` or `egress`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A firewall rule for one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable key: `node:direction:peer:protocol:ports`.
    pub key: String,
    /// The node the rule belongs to.
    pub node: String,
    /// Ingress or egress.
    pub direction: Direction,
    /// The other node (the node itself for flows inside a group).
    pub peer: String,
    /// The peer's addresses.
    pub peer_cidrs: Vec<String>,
    /// The peer's reference, if any.
    pub peer_ref: Option<String>,
    /// Transport.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: PortRange,
    /// Short description: product and purposes.
    pub description: String,
    /// Keys of the flows the rule serves.
    pub flows: Vec<String>,
}

/// Longest generic rule description.
pub const MAX_DESCRIPTION: usize = 255;

/// Everything computed from a topology.
#[derive(Debug, Clone)]
pub struct Computation<'c> {
    /// The resolved topology.
    pub resolved: Resolved<'c>,
    /// Every flow, sorted by key.
    pub flows: Vec<FlowRecord>,
    /// Rules by key.
    pub rules: BTreeMap<String, Rule>,
    /// Flows that cannot be placed.
    pub unresolved: Vec<Unresolved>,
    /// Warnings.
    pub issues: Vec<Issue>,
}

impl Computation<'_> {
    /// The flows a rule serves.
    pub fn rule_flows<'a>(&'a self, rule: &'a Rule) -> impl Iterator<Item = &'a FlowRecord> + 'a {
        rule.flows.iter().filter_map(move |k| {
            self.flows
                .binary_search_by(|f| f.key.as_str().cmp(k))
                .ok()
                .map(|i| &self.flows[i])
        })
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&crate::topology::ResolvedNode> {
        self.resolved
            .nodes
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.resolved.nodes[i])
    }
}

/// Resolves a topology and computes its flows and rules. Errors (and the
/// warnings found with them) come back as `Err`.
pub fn compute<'c>(t: &Topology, catalog: &'c Catalog) -> Result<Computation<'c>, Vec<Issue>> {
    let (resolved, mut issues) = resolve(t, catalog);
    let Some(resolved) = resolved else {
        return Err(issues);
    };
    let FlowSet {
        flows,
        unresolved,
        issues: flow_issues,
    } = compute_flows(&resolved);
    issues.extend(flow_issues);
    if has_errors(&issues) {
        return Err(issues);
    }
    let rules = shape_rules(&resolved, &flows);
    issues.extend(address_warnings(&resolved, &rules));
    Ok(Computation {
        resolved,
        flows,
        rules,
        unresolved,
        issues,
    })
}

/// Turns flows into rules. For a flow A → B, B gets an ingress rule from A
/// and A an egress rule to B; ports of the same (node, direction, peer,
/// protocol) merge into maximal contiguous ranges of required ports only.
pub fn shape_rules(r: &Resolved<'_>, flows: &[FlowRecord]) -> BTreeMap<String, Rule> {
    let index: HashMap<&str, usize> = r
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    // Both rule sides of every flow that needs a rule: (node, direction,
    // peer, protocol, flow index). Sorted, each (node, direction, peer,
    // protocol) group is one run, its flows in order.
    let mut sides: Vec<(usize, Direction, usize, Protocol, usize)> =
        Vec::with_capacity(2 * flows.len());
    for (fi, f) in flows.iter().enumerate() {
        if !f.needs_rule() {
            continue;
        }
        let (Some(&a), Some(&b)) = (
            index.get(f.from_node.as_str()),
            index.get(f.to_node.as_str()),
        ) else {
            continue;
        };
        sides.push((b, Direction::Ingress, a, f.protocol, fi));
        sides.push((a, Direction::Egress, b, f.protocol, fi));
    }
    sides.sort_unstable();
    // Each node's addresses as text, made once: a node is the peer of many
    // rules.
    let mut cidrs: Vec<Option<Vec<String>>> = vec![None; r.nodes.len()];
    let mut rules = BTreeMap::new();
    let mut served: Vec<&FlowRecord> = Vec::new();
    let mut key = String::new();
    for group in sides.chunk_by(|x, y| (x.0, x.1, x.2, x.3) == (y.0, y.1, y.2, y.3)) {
        let (node, dir, peer, proto, _) = group[0];
        let set = PortSet::from_ranges(group.iter().map(|s| flows[s.4].ports));
        let peer_cidrs = cidrs[peer]
            .get_or_insert_with(|| r.nodes[peer].cidrs.iter().map(|c| c.to_string()).collect());
        let node = &r.nodes[node];
        let peer = &r.nodes[peer];
        for range in set.ranges() {
            served.clear();
            served.extend(
                group
                    .iter()
                    .map(|s| &flows[s.4])
                    .filter(|f| range.overlaps(&f.ports)),
            );
            key.clear();
            for part in [
                node.name.as_str(),
                dir.as_str(),
                peer.name.as_str(),
                proto.as_str(),
            ] {
                key.push_str(part);
                key.push(':');
            }
            range.push_to(&mut key);
            let rule = Rule {
                key: key.clone(),
                node: node.name.clone(),
                direction: dir,
                peer: peer.name.clone(),
                peer_cidrs: peer_cidrs.clone(),
                peer_ref: peer.reference.clone(),
                protocol: proto,
                ports: *range,
                description: describe(&served, MAX_DESCRIPTION),
                flows: served.iter().map(|f| f.key.clone()).collect(),
            };
            rules.insert(key.clone(), rule);
        }
    }
    rules
}

/// "product: purpose; purpose" for the flows, cut to `max` characters.
pub fn describe(flows: &[&FlowRecord], max: usize) -> String {
    let mut by_product: Vec<(&str, Vec<&str>)> = Vec::new();
    for f in flows {
        match by_product.iter_mut().find(|(p, _)| *p == f.product) {
            Some((_, purposes)) => {
                if !purposes.contains(&f.purpose.as_str()) {
                    purposes.push(&f.purpose);
                }
            }
            None => by_product.push((&f.product, vec![&f.purpose])),
        }
    }
    // Written once into a string of the exact size: a description is kept
    // by every rule.
    let len = by_product
        .iter()
        .map(|(p, ps)| {
            p.len() + 2 + ps.iter().map(|s| s.len()).sum::<usize>() + 2 * ps.len().saturating_sub(1)
        })
        .sum::<usize>()
        + 3 * by_product.len().saturating_sub(1);
    let mut text = String::with_capacity(len);
    for (i, (product, purposes)) in by_product.iter().enumerate() {
        if i > 0 {
            text.push_str(" | ");
        }
        text.push_str(product);
        text.push_str(": ");
        for (j, purpose) in purposes.iter().enumerate() {
            if j > 0 {
                text.push_str("; ");
            }
            text.push_str(purpose);
        }
    }
    // At most `max` bytes is at most `max` characters.
    if text.len() <= max {
        text
    } else {
        truncate(&text, max)
    }
}

/// Cuts text to at most `max` characters, ending with "..." when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{}...", keep.trim_end())
}

fn address_warnings(r: &Resolved<'_>, rules: &BTreeMap<String, Rule>) -> Vec<Issue> {
    let mut peers: BTreeMap<&str, usize> = BTreeMap::new();
    for rule in rules.values() {
        *peers.entry(rule.peer.as_str()).or_default() += 1;
    }
    let mut issues = Vec::new();
    for n in &r.nodes {
        let Some(&count) = peers.get(n.name.as_str()) else {
            continue;
        };
        if n.cidrs.is_empty() && n.reference.is_none() {
            issues.push(Issue::warning(
                crate::issue::Path::root().attr("nodes").key(&n.name).attr("cidrs"),
                format!("Node \"{}\" has no addresses", n.name),
                format!(
                    "{count} rule{} name \"{}\" as peer, but it has neither cidrs nor ref, so they cannot say where the traffic comes from or goes to. Add its CIDRs or a ref.",
                    if count == 1 { "" } else { "s" },
                    n.name
                ),
            ));
        }
        if n.kind == NodeKind::Host
            && n.exposure == Exposure::Internal
            && n.cidrs.iter().any(|c| c.prefix_len() == 0)
        {
            issues.push(Issue::warning(
                crate::issue::Path::root().attr("nodes").key(&n.name).attr("cidrs"),
                format!("Node \"{}\" covers every address", n.name),
                "A host node with 0.0.0.0/0 or ::/0 stands for the whole internet; mark it kind = \"group\" and exposure = \"untrusted\" so the risk checks treat it as such.",
            ));
        }
    }
    issues
}

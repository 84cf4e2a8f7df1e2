//! Least-privilege rules: one per (node, direction, peer, protocol,
//! contiguous port range), each serving exactly the flows that need it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

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
///
/// Text repeated across rules is shared, not copied: the key is the same
/// [`Arc<str>`] as the key of the rule map, node and peer names are those of
/// the flows, a node's CIDR list and reference are made once and shared by
/// every rule that has the node as peer, equal descriptions are one string,
/// and the flow keys are those of the flows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable key: `node:direction:peer:protocol:ports`.
    pub key: Arc<str>,
    /// The node the rule belongs to.
    pub node: Arc<str>,
    /// Ingress or egress.
    pub direction: Direction,
    /// The other node (the node itself for flows inside a group).
    pub peer: Arc<str>,
    /// The peer's addresses.
    pub peer_cidrs: Arc<[String]>,
    /// The peer's reference, if any.
    pub peer_ref: Option<Arc<str>>,
    /// Transport.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: PortRange,
    /// Short description: product and purposes.
    pub description: Arc<str>,
    /// Keys of the flows the rule serves (shared by the egress and the
    /// ingress rule of the same flows).
    pub flows: Arc<[Arc<str>]>,
}

/// Longest generic rule description.
pub const MAX_DESCRIPTION: usize = 255;

/// Everything computed from a topology.
#[derive(Debug, Clone)]
pub struct Computation<'c> {
    /// The resolved topology.
    pub resolved: Resolved<'c>,
    /// Every flow, sorted by key.
    pub flows: Vec<FlowRecord<'c>>,
    /// Rules by key (the same string as the rule's `key`).
    pub rules: BTreeMap<Arc<str>, Rule>,
    /// Flows that cannot be placed.
    pub unresolved: Vec<Unresolved>,
    /// Warnings.
    pub issues: Vec<Issue>,
}

impl<'c> Computation<'c> {
    /// The flows a rule serves.
    pub fn rule_flows<'a>(
        &'a self,
        rule: &'a Rule,
    ) -> impl Iterator<Item = &'a FlowRecord<'c>> + 'a {
        rule.flows.iter().filter_map(move |k| {
            self.flows
                .binary_search_by(|f| f.key.cmp(k))
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
pub fn shape_rules(r: &Resolved<'_>, flows: &[FlowRecord<'_>]) -> BTreeMap<Arc<str>, Rule> {
    let index: HashMap<&str, usize, BuildHasherDefault<Fnv>> = r
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    // Every flow that needs rules as (from, to, protocol, flow index).
    // Sorted, each (from, to, protocol) connection is one run, its flows in
    // order. A connection gives an egress rule on `from` and an ingress rule
    // on `to` per contiguous range, and the two serve the same flows.
    let mut conns: Vec<(usize, usize, Protocol, usize)> = Vec::with_capacity(flows.len());
    for (fi, f) in flows.iter().enumerate() {
        if !f.needs_rule() {
            continue;
        }
        let (Some(&a), Some(&b)) = (index.get(&*f.from_node), index.get(&*f.to_node)) else {
            continue;
        };
        conns.push((a, b, f.protocol, fi));
    }
    conns.sort_unstable();
    // What the two rules of a connection's range share: the range, the
    // description (equal descriptions are one string) and the flow keys.
    let mut parts: Vec<Part> = Vec::new();
    // Per connection: from, to, protocol, its parts, its first flow.
    let mut groups: Vec<(usize, usize, Protocol, std::ops::Range<usize>, usize)> = Vec::new();
    let mut descriptions = Interner::default();
    let mut served: Vec<&FlowRecord<'_>> = Vec::new();
    let mut text = String::new();
    for group in conns.chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2)) {
        let (a, b, proto, fi) = group[0];
        let set = PortSet::from_ranges(group.iter().map(|s| flows[s.3].ports));
        let start = parts.len();
        for range in set.ranges() {
            served.clear();
            served.extend(
                group
                    .iter()
                    .map(|s| &flows[s.3])
                    .filter(|f| range.overlaps(&f.ports)),
            );
            describe_into(&mut text, &served, MAX_DESCRIPTION);
            parts.push((
                *range,
                descriptions.intern(&text),
                served.iter().map(|f| f.key.clone()).collect(),
            ));
        }
        groups.push((a, b, proto, start..parts.len(), fi));
    }
    // Both rules of every connection, in the order of their keys
    // (`node:direction:peer:protocol:ports`): nodes ranked by `name:`,
    // `egress` before `ingress`, `tcp` before `udp`. Made in that order,
    // the map is built without sorting.
    let mut order: Vec<usize> = (0..r.nodes.len()).collect();
    let with_colon = |i: usize| r.nodes[i].name.bytes().chain([b':']);
    order.sort_unstable_by(|&x, &y| with_colon(x).cmp(with_colon(y)));
    let mut rank = vec![0; r.nodes.len()];
    for (k, &i) in order.iter().enumerate() {
        rank[i] = k;
    }
    let mut sides: Vec<(usize, Direction, usize, Protocol, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, &(a, b, proto, ..))| {
            [
                (rank[a], Direction::Egress, rank[b], proto, g),
                (rank[b], Direction::Ingress, rank[a], proto, g),
            ]
        })
        .collect();
    sides.sort_unstable_by_key(|&(node, dir, peer, proto, _)| {
        (node, dir == Direction::Ingress, peer, proto)
    });
    // Each node's addresses as text and its reference, made once: a node is
    // the peer of many rules, which share them.
    let mut peers: Vec<Option<PeerText>> = vec![None; r.nodes.len()];
    let mut rules: Vec<(Arc<str>, Rule)> = Vec::with_capacity(2 * parts.len());
    let mut key = String::new();
    for &(_, dir, _, proto, g) in &sides {
        let (a, b, _, ref range_parts, fi) = groups[g];
        // The names, shared with the flows.
        let f = &flows[fi];
        let (peer, node_name, peer_name) = match dir {
            Direction::Egress => (b, &f.from_node, &f.to_node),
            Direction::Ingress => (a, &f.to_node, &f.from_node),
        };
        let (peer_cidrs, peer_ref) = peers[peer].get_or_insert_with(|| {
            let n = &r.nodes[peer];
            (
                n.cidrs.iter().map(|c| c.to_string()).collect(),
                n.reference.as_deref().map(Arc::from),
            )
        });
        let first = rules.len();
        for (range, description, served) in &parts[range_parts.clone()] {
            key.clear();
            for part in [&**node_name, dir.as_str(), &**peer_name, proto.as_str()] {
                key.push_str(part);
                key.push(':');
            }
            range.push_to(&mut key);
            let key: Arc<str> = Arc::from(key.as_str());
            let rule = Rule {
                key: key.clone(),
                node: node_name.clone(),
                direction: dir,
                peer: peer_name.clone(),
                peer_cidrs: peer_cidrs.clone(),
                peer_ref: peer_ref.clone(),
                protocol: proto,
                ports: *range,
                description: description.clone(),
                flows: served.clone(),
            };
            rules.push((key, rule));
        }
        // The ranges ascend by number, their keys by text ("1000" < "443").
        rules[first..].sort_by(|x, y| x.0.cmp(&y.0));
    }
    // Already in key order, unless names break the ranking above (they
    // cannot contain ':'): `collect` sorts what is not.
    rules.into_iter().collect()
}

/// What the egress and the ingress rule of one connection's range share:
/// the range, the description and the keys of the flows served.
type Part = (PortRange, Arc<str>, Arc<[Arc<str>]>);

/// A peer's addresses as text and its reference, shared by its rules.
type PeerText = (Arc<[String]>, Option<Arc<str>>);

/// A set of strings handed out as shared [`Arc<str>`]s: equal text, one
/// allocation.
#[derive(Default)]
struct Interner {
    set: std::collections::HashSet<Arc<str>, BuildHasherDefault<Fnv>>,
}

impl Interner {
    fn intern(&mut self, text: &str) -> Arc<str> {
        if let Some(a) = self.set.get(text) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(text);
        self.set.insert(a.clone());
        a
    }
}

/// 64-bit FNV-1a, for the interner and the lookups of the shapes: the
/// texts are short, and std's default hasher guards against attacks that
/// cannot happen here at several times the cost.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// "product: purpose; purpose" for the flows, cut to `max` characters.
pub fn describe(flows: &[&FlowRecord<'_>], max: usize) -> String {
    let mut text = String::new();
    describe_into(&mut text, flows, max);
    text
}

/// [`describe`] into `text` (cleared first), without allocating when `text`
/// has room: products in the order they first appear, each with its
/// distinct purposes in the order they first appear. A rule serves few
/// flows, so looking back is cheaper than building a map.
fn describe_into(text: &mut String, flows: &[&FlowRecord<'_>], max: usize) {
    text.clear();
    for (i, f) in flows.iter().enumerate() {
        let product = f.product;
        if flows[..i].iter().any(|g| g.product == product) {
            continue;
        }
        if i > 0 {
            text.push_str(" | ");
        }
        text.push_str(product);
        text.push_str(": ");
        let rest = &flows[i..];
        for (j, g) in rest.iter().enumerate() {
            if g.product != product
                || rest[..j]
                    .iter()
                    .any(|h| h.product == product && h.purpose == g.purpose)
            {
                continue;
            }
            if j > 0 {
                text.push_str("; ");
            }
            text.push_str(g.purpose);
        }
    }
    // At most `max` bytes is at most `max` characters.
    if text.len() > max {
        *text = truncate(text, max);
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

fn address_warnings(r: &Resolved<'_>, rules: &BTreeMap<Arc<str>, Rule>) -> Vec<Issue> {
    // Rules per peer, counted in a hash map: only looked up.
    let mut peers: HashMap<&str, usize, BuildHasherDefault<Fnv>> = HashMap::default();
    for rule in rules.values() {
        *peers.entry(&rule.peer).or_default() += 1;
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

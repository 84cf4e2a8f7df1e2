//! Least-privilege rules: one per (node, direction, peer, protocol,
//! contiguous port range), each serving exactly the flows that need it.

use std::fmt;
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::{Catalog, Protocol};
use crate::flows::{
    Candidate, FlowFilter, FlowRecord, FlowSet, Unresolved, compute_flows, compute_flows_where,
    index_u32, ranks,
};
use crate::issue::{Issue, has_errors};
use crate::ports::{PortRange, PortSet, push_decimal};
use crate::topology::{Exposure, NodeKind, Resolved, ResolvedNode, Topology, resolve};

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
/// [`Rc<str>`] as the key of the rule map, node and peer names are those of
/// the flows, a node's CIDR list and reference are made once and shared by
/// every rule that has the node as peer, equal descriptions are one string,
/// and the flow keys are those of the flows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable key: `node:direction:peer:protocol:ports`.
    pub key: Rc<str>,
    /// The node the rule belongs to.
    pub node: Rc<str>,
    /// Ingress or egress.
    pub direction: Direction,
    /// The other node (the node itself for flows inside a group).
    pub peer: Rc<str>,
    /// The peer's addresses.
    pub peer_cidrs: Rc<[String]>,
    /// The peer's reference, if any.
    pub peer_ref: Option<Rc<str>>,
    /// Transport.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: PortRange,
    /// Short description: product and purposes.
    pub description: Rc<str>,
    /// Keys of the flows the rule serves (shared by the egress and the
    /// ingress rule of the same flows).
    pub flows: Rc<[Rc<str>]>,
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
    /// Rules, sorted by key.
    pub rules: RuleMap,
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
    let (resolved, issues) = resolve(t, catalog);
    let Some(resolved) = resolved else {
        return Err(issues);
    };
    let flows = compute_flows(&resolved);
    finish(resolved, issues, flows)
}

/// What `portmap explain --port` needs, computed for that port only: every
/// flow whose ports contain `port` (of `protocol`, if given), every flow
/// and rule of the connections (from, to, protocol) those flows have, and
/// the same unresolved flows and issues as [`compute`]. Each flow and rule
/// it returns is the one [`compute`] returns; it leaves out the others.
///
/// A rule's range depends on every flow of its connection, not only on the
/// flows using the port, so whole connections are kept. Where other flows
/// could change what is kept or what is reported (fronting nodes, zones,
/// accepted risks, nodes that can get an address warning), it computes
/// everything, as [`compute`] does.
pub fn compute_for_port<'c>(
    t: &Topology,
    catalog: &'c Catalog,
    port: u16,
    protocol: Option<Protocol>,
) -> Result<Computation<'c>, Vec<Issue>> {
    let (resolved, issues) = resolve(t, catalog);
    let Some(resolved) = resolved else {
        return Err(issues);
    };
    if !port_filter_is_exact(&resolved) {
        let flows = compute_flows(&resolved);
        return finish(resolved, issues, flows);
    }
    // First the connections of the flows that use the port (no flow made),
    // then every flow that uses it or belongs to one of them.
    let mut first_pass = PortConnections {
        port,
        protocol,
        connections: FxHashSet::default(),
    };
    compute_flows_where(&resolved, &mut first_pass);
    let PortConnections { connections, .. } = first_pass;
    let flows = compute_flows_where(&resolved, &mut |c: Candidate| {
        uses_port(port, protocol, &c) || connections.contains(&(c.from, c.to, c.protocol))
    });
    finish(resolved, issues, flows)
}

/// Whether a candidate flow is on `port` (of `protocol`, if given).
fn uses_port(port: u16, protocol: Option<Protocol>, c: &Candidate) -> bool {
    c.ports.contains(port) && protocol.is_none_or(|p| p == c.protocol)
}

/// The first pass of [`compute_for_port`]: the connections (from, to,
/// protocol) of the flows on the port, keeping no flow; catalog flows
/// whose ports or protocols rule the port out are skipped whole.
struct PortConnections {
    port: u16,
    protocol: Option<Protocol>,
    connections: FxHashSet<(usize, usize, Protocol)>,
}

impl FlowFilter for PortConnections {
    fn may_keep(&mut self, protocols: &[Protocol], ports: &PortSet) -> bool {
        ports.contains(self.port)
            && protocols
                .iter()
                .any(|p| self.protocol.is_none_or(|q| q == *p))
    }

    fn keep(&mut self, c: Candidate) -> bool {
        if uses_port(self.port, self.protocol, &c) {
            self.connections.insert((c.from, c.to, c.protocol));
        }
        false
    }
}

/// Whether leaving flows out, as [`compute_for_port`] does, changes neither
/// the flows and rules it keeps nor the issues: no fronting node (it
/// redirects flows by what else flows), no zones (the zone policy checks
/// every flow), no accepted risks (checked against every flow) and no node
/// an address warning counts rules for.
fn port_filter_is_exact(r: &Resolved<'_>) -> bool {
    r.zones.is_empty()
        && r.accepted_risks.is_empty()
        && r.nodes
            .iter()
            .all(|n| n.fronts.is_empty() && !address_suspect(n))
}

/// The rest of [`compute`] once the flows are made.
fn finish<'c>(
    resolved: Resolved<'c>,
    mut issues: Vec<Issue>,
    flows: FlowSet<'c>,
) -> Result<Computation<'c>, Vec<Issue>> {
    let FlowSet {
        flows,
        unresolved,
        issues: flow_issues,
    } = flows;
    issues.extend(flow_issues);
    let flows = crate::zones::apply_fronts(&resolved, flows);
    issues.extend(crate::zones::unused_fronts(&resolved));
    issues.extend(crate::zones::check_policy(&resolved, &flows));
    if has_errors(&issues) {
        return Err(issues);
    }
    let rules = shape_rules(&resolved, &flows);
    issues.extend(address_warnings(&resolved, &rules));
    let mut c = Computation {
        resolved,
        flows,
        rules,
        unresolved,
        issues,
    };
    let unknown = crate::cloud::risk::unknown_accepted(&c);
    c.issues.extend(unknown);
    Ok(c)
}

/// Turns flows into rules. For a flow A → B, B gets an ingress rule from A
/// and A an egress rule to B; ports of the same (node, direction, peer,
/// protocol) merge into maximal contiguous ranges of required ports only.
pub fn shape_rules(r: &Resolved<'_>, flows: &[FlowRecord<'_>]) -> RuleMap {
    let (mut conns, order, names) = connections_of_flows(r, flows);
    let (parts, connections) = parts_of_connections(&mut conns, &order);
    // Already in key order, unless names break the ranking of
    // `rules_in_key_order` (they cannot contain ':'): `from_rules` sorts
    // what is not.
    RuleMap::from_rules(rules_in_key_order(r, &names, &parts, &connections))
}

/// Every flow that needs rules, with what its rules need of it, read in one
/// pass in the flows' order (reading the flows by connection instead would
/// jump about memory), and the order in which to read them so that each
/// (from, to, protocol) connection is one run, its flows in order. Also
/// each node's name as the flows share it: the rules share it too, and
/// looking it up later is cheap where going back to a flow would miss the
/// caches on large topologies.
fn connections_of_flows<'f>(
    r: &Resolved<'_>,
    flows: &'f [FlowRecord<'_>],
) -> (Vec<Conn<'f>>, Vec<ConnOrder>, Vec<Option<Rc<str>>>) {
    let index: FxHashMap<&str, usize> = r
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let mut conns: Vec<Conn<'_>> = Vec::with_capacity(flows.len());
    let mut order: Vec<ConnOrder> = Vec::with_capacity(flows.len());
    let mut names: Vec<Option<Rc<str>>> = vec![None; r.nodes.len()];
    for f in flows {
        if !f.needs_rule() {
            continue;
        }
        let (Some(&a), Some(&b)) = (index.get(&*f.from_node), index.get(&*f.to_node)) else {
            continue;
        };
        for (i, name) in [(a, &f.from_node), (b, &f.to_node)] {
            if names[i].is_none() {
                names[i] = Some(name.clone());
            }
        }
        order.push((
            index_u32(a),
            index_u32(b),
            f.protocol,
            index_u32(conns.len()),
        ));
        conns.push(Conn {
            ports: f.ports,
            product: f.product,
            purpose: f.purpose,
            key: Some(f.key.clone()),
        });
    }
    // By `from` node first (counted, in linear time), then each node's few
    // by the rest: sorting the whole list compared 100,000s of keys.
    let order = sorted_by_bucket(
        &order,
        r.nodes.len(),
        |o| o.0 as usize,
        |run| run.sort_unstable(),
    );
    (conns, order, names)
}

/// Where a flow's rules go, and its place among the conns: (from node, to
/// node, protocol, index into the conns).
type ConnOrder = (u32, u32, Protocol, u32);

/// `items` sorted by `bucket` (each less than `buckets`) in linear time,
/// keeping the order of items with one bucket, then each bucket's run
/// sorted by `sort_run`.
fn sorted_by_bucket<T: Copy>(
    items: &[T],
    buckets: usize,
    bucket: impl Fn(&T) -> usize,
    mut sort_run: impl FnMut(&mut [T]),
) -> Vec<T> {
    let Some(&first) = items.first() else {
        return Vec::new();
    };
    // starts[b] is where bucket b begins; starts[buckets] is the end.
    let mut starts = vec![0usize; buckets + 1];
    for x in items {
        starts[bucket(x) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut sorted = vec![first; items.len()];
    let mut next = starts.clone();
    for x in items {
        let b = bucket(x);
        sorted[next[b]] = *x;
        next[b] += 1;
    }
    for run in starts.windows(2) {
        if run[1] - run[0] > 1 {
            sort_run(&mut sorted[run[0]..run[1]]);
        }
    }
    sorted
}

/// One (from, to, protocol) connection: its nodes (indices into the
/// resolved nodes) and its parts (a range of indices into the parts).
struct Connection {
    from: usize,
    to: usize,
    protocol: Protocol,
    parts: std::ops::Range<usize>,
}

/// Each connection's contiguous port ranges, with what the egress and the
/// ingress rule of a range share: the range, the description (equal
/// descriptions are one string) and the keys of the flows it serves (taken
/// out of `conns`).
fn parts_of_connections(
    conns: &mut [Conn<'_>],
    order: &[ConnOrder],
) -> (Vec<Part>, Vec<Connection>) {
    let mut parts: Vec<Part> = Vec::new();
    let mut connections: Vec<Connection> = Vec::new();
    let mut descriptions = Interner::default();
    let mut served: Vec<(&str, &str)> = Vec::new();
    let mut text = String::new();
    for group in order.chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2)) {
        let (from, to, protocol, _) = group[0];
        let set = PortSet::from_ranges(group.iter().map(|o| conns[o.3 as usize].ports));
        let start = parts.len();
        for range in set.ranges() {
            served.clear();
            served.extend(
                group
                    .iter()
                    .map(|o| &conns[o.3 as usize])
                    .filter(|c| range.overlaps(&c.ports))
                    .map(|c| (c.product, c.purpose)),
            );
            describe_into(&mut text, &served, MAX_DESCRIPTION);
            // A flow's ports are one contiguous range, so they lie in one
            // range of the set: each key moves to exactly one part.
            let keys: Rc<[Rc<str>]> = group
                .iter()
                .filter_map(|o| {
                    let c = &mut conns[o.3 as usize];
                    if range.overlaps(&c.ports) {
                        c.key.take()
                    } else {
                        None
                    }
                })
                .collect();
            parts.push((*range, descriptions.intern(&text), keys));
        }
        connections.push(Connection {
            from: from as usize,
            to: to as usize,
            protocol,
            parts: start..parts.len(),
        });
    }
    (parts, connections)
}

/// Both rules of every connection, in the order of their keys
/// (`node:direction:peer:protocol:ports`): nodes ranked by `name:`, `egress`
/// before `ingress`, `tcp` before `udp`. Made in that order, the map is
/// built without sorting.
fn rules_in_key_order(
    r: &Resolved<'_>,
    names: &[Option<Rc<str>>],
    parts: &[Part],
    connections: &[Connection],
) -> Vec<Rule> {
    let node_names: Vec<&str> = r.nodes.iter().map(|n| n.name.as_str()).collect();
    let rank = ranks(&node_names, b":");
    // (node's rank, direction, peer's rank, protocol, connection): 16
    // bytes, two per connection, sorted.
    let sides: Vec<(u32, Direction, u32, Protocol, u32)> = connections
        .iter()
        .enumerate()
        .flat_map(|(g, c)| {
            let g = index_u32(g);
            [
                (rank[c.from], Direction::Egress, rank[c.to], c.protocol, g),
                (rank[c.to], Direction::Ingress, rank[c.from], c.protocol, g),
            ]
        })
        .collect();
    // By node first (counted), then each node's few sides; no two sides
    // are equal in (node, direction, peer, protocol).
    let sides = sorted_by_bucket(
        &sides,
        r.nodes.len(),
        |s| s.0 as usize,
        |run| {
            run.sort_unstable_by_key(|&(_, dir, peer, proto, _)| {
                (dir == Direction::Ingress, peer, proto)
            })
        },
    );
    // Each node's addresses as text and its reference, made once: a node is
    // the peer of many rules, which share them.
    let mut peers: Vec<Option<PeerText>> = vec![None; r.nodes.len()];
    let mut rules: Vec<Rule> = Vec::with_capacity(2 * parts.len());
    let mut key = String::new();
    for &(_, dir, _, proto, g) in &sides {
        let connection = &connections[g as usize];
        let (node, peer) = match dir {
            Direction::Egress => (connection.from, connection.to),
            Direction::Ingress => (connection.to, connection.from),
        };
        // Every node of a connection got its name in the first pass.
        let (Some(node_name), Some(peer_name)) = (&names[node], &names[peer]) else {
            continue;
        };
        let (peer_cidrs, peer_ref) = peers[peer].get_or_insert_with(|| {
            let n = &r.nodes[peer];
            (
                n.cidrs.iter().map(cidr_text).collect(),
                n.reference.as_deref().map(Rc::from),
            )
        });
        let first = rules.len();
        for (range, description, served) in &parts[connection.parts.clone()] {
            key.clear();
            for part in [&**node_name, dir.as_str(), &**peer_name, proto.as_str()] {
                key.push_str(part);
                key.push(':');
            }
            range.push_to(&mut key);
            rules.push(Rule {
                key: Rc::from(key.as_str()),
                node: node_name.clone(),
                direction: dir,
                peer: peer_name.clone(),
                peer_cidrs: peer_cidrs.clone(),
                peer_ref: peer_ref.clone(),
                protocol: proto,
                ports: *range,
                description: description.clone(),
                flows: served.clone(),
            });
        }
        // The ranges ascend by number, their keys by text ("1000" < "443").
        rules[first..].sort_by(|x, y| x.key.cmp(&y.key));
    }
    rules
}

/// A CIDR as it displays (`10.0.1.0/24`): IPv4 without the formatting
/// machinery, which took a tenth of rule shaping; IPv6, whose display
/// compresses zeros, by `Display`.
fn cidr_text(net: &ipnet::IpNet) -> String {
    let ipnet::IpNet::V4(v4) = net else {
        return net.to_string();
    };
    let mut text = String::with_capacity(18);
    for (i, octet) in v4.addr().octets().into_iter().enumerate() {
        if i > 0 {
            text.push('.');
        }
        push_decimal(&mut text, u16::from(octet));
    }
    text.push('/');
    push_decimal(&mut text, u16::from(v4.prefix_len()));
    text
}

/// Rules sorted by key, looked up by key: a map kept as one sorted vector
/// (a rule's key is its own `key`), so building it moves no rule and it
/// holds no copy of the keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleMap {
    rules: Vec<Rule>,
}

impl RuleMap {
    /// The rules in key order, a later rule replacing an earlier one with
    /// the same key.
    pub fn from_rules(mut rules: Vec<Rule>) -> RuleMap {
        if !rules.windows(2).all(|w| w[0].key < w[1].key) {
            // Stable: of equal keys, the last given is the last here.
            rules.sort_by(|x, y| x.key.cmp(&y.key));
            rules.reverse();
            rules.dedup_by(|later, earlier| later.key == earlier.key);
            rules.reverse();
        }
        RuleMap { rules }
    }

    /// The rule with this key.
    pub fn get(&self, key: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|r| (*r.key).cmp(key))
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Whether a rule has this key.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Rc<str>> + ExactSizeIterator {
        self.rules.iter().map(|r| &r.key)
    }

    /// The rules, in key order.
    pub fn values(&self) -> std::slice::Iter<'_, Rule> {
        self.rules.iter()
    }

    /// (key, rule) pairs, in key order.
    pub fn iter(&self) -> RuleMapIter<'_> {
        self.rules.iter().map(|r| (&r.key, r))
    }

    /// The rules, in key order.
    pub fn as_slice(&self) -> &[Rule] {
        &self.rules
    }
}

/// The iterator of [`RuleMap::iter`].
pub type RuleMapIter<'a> =
    std::iter::Map<std::slice::Iter<'a, Rule>, fn(&'a Rule) -> (&'a Rc<str>, &'a Rule)>;

impl<'a> IntoIterator for &'a RuleMap {
    type Item = (&'a Rc<str>, &'a Rule);
    type IntoIter = RuleMapIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A flow that needs rules, as rule shaping reads it: its ports, product,
/// purpose and key (taken by the part that serves it).
struct Conn<'f> {
    ports: PortRange,
    product: &'f str,
    purpose: &'f str,
    key: Option<Rc<str>>,
}

/// What the egress and the ingress rule of one connection's range share:
/// the range, the description and the keys of the flows served.
type Part = (PortRange, Rc<str>, Rc<[Rc<str>]>);

/// A peer's addresses as text and its reference, shared by its rules.
type PeerText = (Rc<[String]>, Option<Rc<str>>);

/// A set of strings handed out as shared [`Rc<str>`]s: equal text, one
/// allocation.
#[derive(Default)]
struct Interner {
    set: FxHashSet<Rc<str>>,
}

impl Interner {
    fn intern(&mut self, text: &str) -> Rc<str> {
        if let Some(a) = self.set.get(text) {
            return a.clone();
        }
        let a: Rc<str> = Rc::from(text);
        self.set.insert(a.clone());
        a
    }
}

/// "product: purpose; purpose" for the flows, cut to `max` characters.
pub fn describe(flows: &[&FlowRecord<'_>], max: usize) -> String {
    let served: Vec<(&str, &str)> = flows.iter().map(|f| (f.product, f.purpose)).collect();
    let mut text = String::new();
    describe_into(&mut text, &served, max);
    text
}

/// [`describe`] into `text` (cleared first), without allocating when `text`
/// has room: products in the order they first appear, each with its
/// distinct purposes in the order they first appear. A rule serves few
/// flows, so looking back is cheaper than building a map.
fn describe_into(text: &mut String, flows: &[(&str, &str)], max: usize) {
    text.clear();
    for (i, &(product, _)) in flows.iter().enumerate() {
        if flows[..i].iter().any(|g| g.0 == product) {
            continue;
        }
        if i > 0 {
            text.push_str(" | ");
        }
        text.push_str(product);
        text.push_str(": ");
        let rest = &flows[i..];
        for (j, &(p, purpose)) in rest.iter().enumerate() {
            if p != product || rest[..j].iter().any(|h| h.0 == product && h.1 == purpose) {
                continue;
            }
            if j > 0 {
                text.push_str("; ");
            }
            text.push_str(purpose);
        }
    }
    // At most `max` bytes is at most `max` characters.
    if text.len() > max {
        *text = truncate(text, max);
    }
}

/// Cuts text to at most `max` bytes of UTF-8, at a character boundary,
/// ending with "..." when cut (for platforms that count bytes; the same as
/// [`truncate`] for ASCII text).
pub fn truncate_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", text[..end].trim_end())
}

/// Cuts text to at most `max` characters, ending with "..." when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{}...", keep.trim_end())
}

/// Whether a node can get an address warning: it has no addresses, or it
/// is a host that covers every address.
fn address_suspect(n: &ResolvedNode) -> bool {
    (n.cidrs.is_empty() && n.reference.is_none())
        || (n.kind == NodeKind::Host && n.cidrs.iter().any(|c| c.prefix_len() == 0))
}

fn address_warnings(r: &Resolved<'_>, rules: &RuleMap) -> Vec<Issue> {
    // Only nodes without addresses, or hosts that cover every address, can
    // get a warning: rules are counted for those alone (usually none).
    let mut peers: FxHashMap<&str, usize> = r
        .nodes
        .iter()
        .filter(|n| address_suspect(n))
        .map(|n| (n.name.as_str(), 0))
        .collect();
    if !peers.is_empty() {
        for rule in rules.values() {
            if let Some(count) = peers.get_mut(&*rule.peer) {
                *count += 1;
            }
        }
    }
    let mut issues = Vec::new();
    for n in &r.nodes {
        let Some(&count) = peers.get(n.name.as_str()).filter(|&&c| c > 0) else {
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

#[cfg(test)]
mod tests {
    use super::{Direction, Rule, RuleMap};
    use crate::catalog::Protocol;
    use crate::ports::PortRange;
    use std::rc::Rc;

    fn rule(key: &str, description: &str) -> Rule {
        Rule {
            key: key.into(),
            node: "a".into(),
            direction: Direction::Egress,
            peer: "b".into(),
            peer_cidrs: Rc::from(Vec::new()),
            peer_ref: None,
            protocol: Protocol::Tcp,
            ports: PortRange { from: 1, to: 1 },
            description: description.into(),
            flows: Rc::from(Vec::new()),
        }
    }

    /// Counting by bucket and sorting each bucket's run gives the order a
    /// full sort gives, for items with equal keys too; items of one
    /// bucket keep their order when the run is not sorted further.
    #[test]
    fn sorted_by_bucket_is_a_sort() {
        let items: Vec<(u32, u32)> = (0..500u32)
            .map(|i| ((i * 7919) % 13, (i * 104_729) % 5))
            .collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        let sorted =
            super::sorted_by_bucket(&items, 13, |x| x.0 as usize, |run| run.sort_unstable());
        assert_eq!(sorted, expected);
        let grouped = super::sorted_by_bucket(&items, 13, |x| x.0 as usize, |_| {});
        let mut stable = items.clone();
        stable.sort_by_key(|x| x.0);
        assert_eq!(grouped, stable);
        assert!(
            super::sorted_by_bucket(&[] as &[(u32, u32)], 3, |x| x.0 as usize, |_| {}).is_empty()
        );
    }

    /// The IPv4 text of a CIDR is what `Display` prints, for every octet
    /// value in every place and every prefix length; IPv6 goes to `Display`.
    #[test]
    fn cidr_text_is_what_display_prints() {
        let mut nets: Vec<ipnet::IpNet> = Vec::new();
        for n in 0..=255u8 {
            for place in 0..4 {
                let mut octets = [10, 0, 1, 0];
                octets[place] = n;
                let addr = std::net::Ipv4Addr::from(octets);
                nets.push(ipnet::Ipv4Net::new(addr, n % 33).unwrap().into());
            }
        }
        nets.push("0.0.0.0/0".parse().unwrap());
        nets.push("255.255.255.255/32".parse().unwrap());
        nets.push("2001:db8::/64".parse().unwrap());
        nets.push("::ffff:10.0.0.1/128".parse().unwrap());
        for net in nets {
            assert_eq!(super::cidr_text(&net), net.to_string());
        }
    }

    /// Rules given out of order come out sorted; of two with one key the
    /// later is kept, as inserting into a map would; lookups find every key
    /// and only those.
    #[test]
    fn rule_map_sorts_replaces_and_finds() {
        let m = RuleMap::from_rules(vec![
            rule("b:1", "first b"),
            rule("a:2", "a"),
            rule("c:3", "c"),
            rule("b:1", "second b"),
        ]);
        let keys: Vec<&str> = m.keys().map(|k| &**k).collect();
        assert_eq!(keys, ["a:2", "b:1", "c:3"]);
        assert_eq!(m.len(), 3);
        assert_eq!(m.get("b:1").map(|r| &*r.description), Some("second b"));
        assert!(m.contains_key("c:3"));
        assert!(!m.contains_key("b:2") && !m.contains_key("") && !m.contains_key("d"));
        let pairs: Vec<(&str, &str)> = m.iter().map(|(k, r)| (&**k, &*r.key)).collect();
        assert_eq!(pairs, [("a:2", "a:2"), ("b:1", "b:1"), ("c:3", "c:3")]);
        assert!(RuleMap::from_rules(Vec::new()).is_empty());
    }
}

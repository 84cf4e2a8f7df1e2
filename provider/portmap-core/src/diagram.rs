//! Topology diagrams: the nodes with what runs on them, and one labelled
//! edge per pair of nodes and direction that needs firewall rules.
//!
//! [`Diagram::new`] builds a small model from a [`Computation`]; [`mermaid`]
//! and [`dot`] write it as a Mermaid flowchart and as Graphviz DOT. Both are
//! deterministic: nodes come in name order, edges in (from, to) order, and
//! identifiers are positional (`n0`, `n1`, ...), never derived from user text.
//!
//! What is drawn:
//! - one box per node (a Mermaid subgraph, a DOT cluster) titled with the
//!   node's name, its kind when it is a group and its exposure when it is
//!   not internal; inside: the description, the components as declared, the
//!   addresses, and the ports of its internal flows (both ends on the same
//!   machine, so no rule) on one line;
//! - one edge from the node that opens connections to the node that listens,
//!   labelled with every protocol and port that needs a rule between the two
//!   (`tcp 443, 515, 631; udp 8301-8302`), never one edge per flow. When both
//!   directions of a pair need exactly the same ports, they are one edge with
//!   arrow heads at both ends. A group node whose members talk to each other
//!   gets an edge to itself.
//!
//! Flows the vendor says need no firewall rule are left out, as are
//! unresolved flows (they have no peer).

use std::collections::BTreeMap;

use crate::catalog::Protocol;
use crate::ports::{PortRange, PortSet};
use crate::rules::Computation;
use crate::topology::{Exposure, NodeKind};

/// A diagram of a computed topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// Nodes, sorted by name.
    pub nodes: Vec<DiagramNode>,
    /// Edges, sorted by (from, to).
    pub edges: Vec<DiagramEdge>,
}

/// One node of the topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramNode {
    /// Positional identifier (`n0`, `n1`, ...), safe in every output language.
    pub id: String,
    /// Node name.
    pub name: String,
    /// Host or group.
    pub kind: NodeKind,
    /// Trust level.
    pub exposure: Exposure,
    /// Free text from the topology.
    pub description: Option<String>,
    /// Component ids as declared on the node.
    pub components: Vec<String>,
    /// The explicit installations the node takes part in, as
    /// `installation prod (tachyon-5)`, by name (none without
    /// `installations`).
    pub installations: Vec<String>,
    /// CIDRs, or `ref X` when the node has only a reference, or
    /// `(no address)`.
    pub addresses: Vec<String>,
    /// Ports of the flows that stay inside the node (both ends on the same
    /// machine) and so need no rule.
    pub internal: Vec<(Protocol, PortSet)>,
    /// Number of such flows.
    pub internal_flows: usize,
    /// The node's zone when the topology has zones (nodes are then grouped
    /// by zone); `None` otherwise.
    pub zone: Option<String>,
}

/// One aggregated edge: every port from one node to another that needs a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramEdge {
    /// Name of the node that opens the connections.
    pub from: String,
    /// Name of the node that listens.
    pub to: String,
    /// The opposite direction needs exactly the same ports and is drawn by
    /// this edge too.
    pub both_ways: bool,
    /// Destination ports per protocol, protocols in order.
    pub ports: Vec<(Protocol, PortSet)>,
    /// Number of flows the edge stands for (both directions when `both_ways`).
    pub flows: usize,
}

impl Diagram {
    /// The nodes grouped by zone, zones by name: one group `None` with
    /// every node when the topology has no zones.
    pub fn zones(&self) -> Vec<(Option<&str>, Vec<&DiagramNode>)> {
        let mut groups: std::collections::BTreeMap<Option<&str>, Vec<&DiagramNode>> =
            std::collections::BTreeMap::new();
        for n in &self.nodes {
            groups.entry(n.zone.as_deref()).or_default().push(n);
        }
        groups.into_iter().collect()
    }
}

impl DiagramNode {
    /// The box title: name, `group` for group nodes, the exposure unless
    /// internal, the zone when the topology has zones, e.g. `roaming
    /// (group, untrusted)`, `proxy (internet-facing, zone dmz)`.
    pub fn title(&self) -> String {
        let mut tags = Vec::new();
        if self.kind == NodeKind::Group {
            tags.push("group");
        }
        if self.exposure != Exposure::Internal {
            tags.push(self.exposure.as_str());
        }
        let zone = self.zone.as_ref().map(|z| format!("zone {z}"));
        if let Some(z) = &zone {
            tags.push(z);
        }
        if tags.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, tags.join(", "))
        }
    }

    /// The lines inside the box: description, components, addresses and the
    /// internal ports.
    pub fn body_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(d) = &self.description {
            lines.extend(wrap(&single_line(d), LINE_WIDTH));
        }
        lines.extend(self.components.iter().cloned());
        lines.extend(self.installations.iter().cloned());
        lines.extend(self.addresses.iter().cloned());
        if !self.internal.is_empty() {
            lines.push("internal, no rule:".to_string());
            lines.extend(protocol_lines(&self.internal, INTERNAL_ITEMS, LINE_WIDTH));
        }
        lines
    }
}

impl DiagramEdge {
    /// The label lines: one or more per protocol, e.g.
    /// `["tcp 443, 515, 631", "udp 8301-8302"]`.
    pub fn label_lines(&self) -> Vec<String> {
        self.label_lines_within(LINE_WIDTH)
    }

    /// The label lines, wrapped at `width` characters.
    pub fn label_lines_within(&self, width: usize) -> Vec<String> {
        protocol_lines(&self.ports, EDGE_ITEMS, width)
    }

    /// The label on one line: `tcp 443, 515, 631; udp 8301-8302`.
    pub fn label(&self) -> String {
        self.ports
            .iter()
            .map(|(proto, set)| format!("{proto} {}", compact_ports(set, EDGE_ITEMS)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Lines are wrapped at this many characters where a list allows it.
pub const LINE_WIDTH: usize = 48;
/// At most this many list items per protocol on an edge label.
pub const EDGE_ITEMS: usize = 16;
/// At most this many list items per protocol for the internal ports in a
/// node box (they need no rule, so the summary is shorter).
pub const INTERNAL_ITEMS: usize = 6;
/// Lists of at most this many items are never compressed.
const PLAIN_ITEMS: usize = 8;
/// A run of at least this many items ...
const RUN_ITEMS: usize = 5;
/// ... each at most this many ports above the previous one is written as one
/// item.
const RUN_GAP: u32 = 100;

/// Writes a port set for a label, compressed honestly.
///
/// The set is first written as its maximal contiguous ranges, so `8080-8082`
/// always means that each of 8080, 8081 and 8082 is open. A hyphenated range
/// is never used for anything else.
///
/// A list of more than 8 items is then shortened:
/// 1. a run of at least 5 consecutive items, each starting at most 100 ports
///    after the previous one ends (a vendor's port series such as PLOSSYS'
///    1898, 1908, ..., 2198), becomes one item `1898 … 2198 (24 ports)`: the
///    first and last port with an ellipsis, and the exact number of open
///    ports in between. The ellipsis says "some ports from here to there",
///    never "all of them", so the label implies no port that is not open;
/// 2. if more than `max_items` items remain, the first `max_items - 1` are
///    kept and the rest become one item of the same `first … last (N ports)`
///    form.
///
/// The exact list is always in the rules and in `portmap flows`; the label
/// is for reading the picture.
pub fn compact_ports(set: &PortSet, max_items: usize) -> String {
    compact_items(set, max_items).join(", ")
}

/// The items of [`compact_ports`]: `443`, `8080-8082`,
/// `1898 … 2198 (24 ports)`.
pub fn compact_items(set: &PortSet, max_items: usize) -> Vec<String> {
    let ranges = set.ranges();
    if ranges.len() <= PLAIN_ITEMS.min(max_items) {
        return ranges.iter().map(PortRange::to_string).collect();
    }
    let mut items: Vec<Item> = Vec::new();
    let mut i = 0;
    while i < ranges.len() {
        let mut j = i + 1;
        while j < ranges.len() && u32::from(ranges[j].from) - u32::from(ranges[j - 1].to) <= RUN_GAP
        {
            j += 1;
        }
        if j - i >= RUN_ITEMS {
            items.push(Item::Run(&ranges[i..j]));
        } else {
            items.extend(ranges[i..j].iter().map(|r| Item::Range(*r)));
        }
        i = j;
    }
    let max_items = max_items.max(2);
    if items.len() > max_items {
        let tail: Vec<PortRange> = items[max_items - 1..]
            .iter()
            .flat_map(Item::ranges)
            .collect();
        items.truncate(max_items - 1);
        items.push(Item::Tail(tail));
    }
    items.iter().map(Item::text).collect()
}

enum Item<'a> {
    Range(PortRange),
    Run(&'a [PortRange]),
    Tail(Vec<PortRange>),
}

impl Item<'_> {
    fn ranges(&self) -> Vec<PortRange> {
        match self {
            Item::Range(r) => vec![*r],
            Item::Run(rs) => rs.to_vec(),
            Item::Tail(rs) => rs.clone(),
        }
    }

    fn text(&self) -> String {
        let rs = self.ranges();
        match (self, rs.first(), rs.last()) {
            (Item::Range(r), _, _) => r.to_string(),
            (_, Some(first), Some(last)) if rs.len() > 1 => {
                let n: u32 = rs.iter().map(PortRange::len).sum();
                format!("{} … {} ({n} ports)", first.from, last.to)
            }
            _ => rs
                .iter()
                .map(PortRange::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Lines of `tcp 443, 515, 631` per protocol, each wrapped at `width`
/// between list items (an item such as `1898 … 2198 (24 ports)` is never
/// split).
fn protocol_lines(ports: &[(Protocol, PortSet)], max_items: usize, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for (proto, set) in ports {
        let items = compact_items(set, max_items);
        let last = items.len().saturating_sub(1);
        let mut cur = format!("{proto}");
        let mut first = true;
        for (i, item) in items.iter().enumerate() {
            let token = if i == last {
                item.clone()
            } else {
                format!("{item},")
            };
            if first {
                cur.push(' ');
                cur.push_str(&token);
                first = false;
            } else if cur.chars().count() + 1 + token.chars().count() > width {
                lines.push(std::mem::take(&mut cur));
                cur = token;
            } else {
                cur.push(' ');
                cur.push_str(&token);
            }
        }
        lines.push(cur);
    }
    lines
}

/// Control characters (newlines included) become spaces.
fn single_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Greedy wrapping after ", " and "; " (port lists) or spaces (prose), at
/// `width` characters. Words longer than a line are kept whole.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_inclusive(' ') {
        let fits = cur.chars().count() + word.trim_end().chars().count() <= width;
        if !cur.is_empty() && !fits {
            lines.push(cur.trim_end().to_string());
            cur.clear();
        }
        cur.push_str(word);
    }
    if !cur.trim().is_empty() || lines.is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    lines
}

type PairKey = (String, String);

impl Diagram {
    /// The diagram of a computation.
    pub fn new(c: &Computation<'_>) -> Diagram {
        let mut internal: BTreeMap<&str, (BTreeMap<Protocol, PortSet>, usize)> = BTreeMap::new();
        let mut pairs: BTreeMap<PairKey, (BTreeMap<Protocol, PortSet>, usize)> = BTreeMap::new();
        for f in &c.flows {
            if f.internal {
                let e = internal.entry(&f.from_node).or_default();
                e.0.entry(f.protocol).or_default().insert(f.ports);
                e.1 += 1;
            } else if f.needs_rule() {
                let e = pairs
                    .entry((f.from_node.to_string(), f.to_node.to_string()))
                    .or_default();
                e.0.entry(f.protocol).or_default().insert(f.ports);
                e.1 += 1;
            }
        }
        // Node index → the explicit installations it takes part in.
        let mut installations: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for state in &c.resolved.products {
            let Some(name) = &state.installation else {
                continue;
            };
            let mut members: Vec<usize> = state.placement.values().flatten().copied().collect();
            members.sort_unstable();
            members.dedup();
            for i in members {
                installations
                    .entry(i)
                    .or_default()
                    .push(format!("installation {name} ({})", state.product.id));
            }
        }
        let zoned = crate::zones::has_zones(&c.resolved);
        let nodes = c
            .resolved
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let addresses = if !n.cidrs.is_empty() {
                    n.cidrs.iter().map(|c| c.to_string()).collect()
                } else if let Some(r) = &n.reference {
                    vec![format!("ref {r}")]
                } else {
                    vec!["(no address)".to_string()]
                };
                let (ports, count) = internal.remove(n.name.as_str()).unwrap_or_default();
                DiagramNode {
                    id: format!("n{i}"),
                    name: n.name.clone(),
                    kind: n.kind,
                    exposure: n.exposure,
                    description: n.description.clone().filter(|d| !d.trim().is_empty()),
                    components: n.declared.iter().cloned().collect(),
                    installations: {
                        let mut names = installations.remove(&i).unwrap_or_default();
                        names.sort();
                        names
                    },
                    addresses,
                    internal: ports.into_iter().collect(),
                    internal_flows: count,
                    zone: zoned.then(|| n.zone.clone()),
                }
            })
            .collect();
        let mut edges = Vec::new();
        for ((from, to), (ports, flows)) in &pairs {
            let reverse = (to.clone(), from.clone());
            let mut both_ways = false;
            let mut flows = *flows;
            if from != to
                && let Some((rports, rflows)) = pairs.get(&reverse)
                && rports == ports
            {
                if from > to {
                    // Drawn already from the other side.
                    continue;
                }
                both_ways = true;
                flows += rflows;
            }
            edges.push(DiagramEdge {
                from: from.clone(),
                to: to.clone(),
                both_ways,
                ports: ports.iter().map(|(p, s)| (*p, s.clone())).collect(),
                flows,
            });
        }
        Diagram { nodes, edges }
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&DiagramNode> {
        self.nodes.iter().find(|n| n.name == name)
    }

    fn id(&self, name: &str) -> String {
        self.node(name)
            .map(|n| n.id.clone())
            .unwrap_or_else(|| "unknown".into())
    }
}

/// Box colours by exposure: (fill, stroke).
pub fn exposure_colors(e: Exposure) -> (&'static str, &'static str) {
    match e {
        Exposure::Internal => ("#eef4fb", "#4a6fa5"),
        Exposure::InternetFacing => ("#fff3e0", "#d9822b"),
        Exposure::Untrusted => ("#fdecea", "#c0392b"),
    }
}

/// Escapes text for a double-quoted Mermaid label. Mermaid decodes
/// `#name;` and `#123;` entities inside labels and renders them as HTML, so
/// `#` itself, the quote, `<`, `>`, `&`, `|` and the backtick (which would
/// start a Markdown string) are written as entities; control characters
/// become spaces. Everything else, Unicode included, is kept.
pub fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted DOT string: backslash and quote are
/// escaped (so no user text can form `\n`, `\l` or `\N`), control
/// characters become spaces. DOT files are UTF-8.
pub fn dot_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| mermaid_escape(l))
        .collect::<Vec<_>>()
        .join("<br/>")
}

fn dot_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| dot_escape(l))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// Mermaid wraps edge labels by itself at 200 pixels, anywhere (even in
/// `8080-8082`); lines of this many characters stay below that.
pub const MERMAID_EDGE_WIDTH: usize = 24;

/// The diagram as a Mermaid flowchart (`flowchart LR`): a subgraph per node
/// titled with the node's name, holding one box with its components and
/// addresses; edges between the boxes. The front matter widens Mermaid's
/// automatic wrapping of node text so that the lines stay as written.
pub fn mermaid(d: &Diagram) -> String {
    let mut out =
        String::from("---\nconfig:\n  flowchart:\n    wrappingWidth: 400\n---\nflowchart LR\n");
    for (z, (zone, members)) in d.zones().into_iter().enumerate() {
        let indent = if zone.is_some() { "  " } else { "" };
        if let Some(zone) = zone {
            out.push_str(&format!(
                "  subgraph z{z}[\"zone {}\"]\n",
                mermaid_escape(zone)
            ));
        }
        for n in members {
            out.push_str(&format!(
                "{indent}  subgraph {}[\"{}\"]\n",
                n.id,
                mermaid_escape(&n.title())
            ));
            out.push_str(&format!(
                "{indent}    {}b[\"{}\"]\n",
                n.id,
                mermaid_lines(&n.body_lines())
            ));
            out.push_str(&format!("{indent}  end\n"));
        }
        if zone.is_some() {
            out.push_str("  end\n");
        }
    }
    for e in &d.edges {
        let arrow = if e.both_ways { "<-->" } else { "-->" };
        out.push_str(&format!(
            "  {}b {arrow}|\"{}\"| {}b\n",
            d.id(&e.from),
            mermaid_lines(&e.label_lines_within(MERMAID_EDGE_WIDTH)),
            d.id(&e.to)
        ));
    }
    for n in &d.nodes {
        let (fill, stroke) = exposure_colors(n.exposure);
        out.push_str(&format!("  style {} fill:{fill},stroke:{stroke}\n", n.id));
        out.push_str(&format!("  style {}b fill:#ffffff,stroke:{stroke}\n", n.id));
    }
    out
}

/// The diagram as Graphviz DOT: a cluster per node titled with the node's
/// name, holding one box with its components and addresses; edges between
/// the boxes, left to right.
pub fn dot(d: &Diagram) -> String {
    let mut out = String::from("digraph portmap {\n");
    out.push_str("  rankdir=LR;\n  newrank=true;\n  nodesep=0.6;\n  ranksep=1.2;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (z, (zone, members)) in d.zones().into_iter().enumerate() {
        let indent = if zone.is_some() { "  " } else { "" };
        if let Some(zone) = zone {
            out.push_str(&format!(
                "  subgraph \"cluster_z{z}\" {{\n    label=\"zone {}\";\n    style=\"dashed\";\n    color=\"#5f6b7a\";\n    fontname=\"Helvetica-Bold\";\n",
                dot_escape(zone)
            ));
        }
        for n in members {
            let (fill, stroke) = exposure_colors(n.exposure);
            out.push_str(&format!("{indent}  subgraph \"cluster_{}\" {{\n", n.id));
            out.push_str(&format!(
                "{indent}    label=\"{}\";\n{indent}    style=\"rounded,filled\";\n{indent}    fillcolor=\"{fill}\";\n{indent}    color=\"{stroke}\";\n{indent}    fontname=\"Helvetica-Bold\";\n",
                dot_escape(&n.title())
            ));
            out.push_str(&format!(
                "{indent}    \"{}\" [label=\"{}\", color=\"{stroke}\"];\n",
                n.id,
                dot_lines(&n.body_lines())
            ));
            out.push_str(&format!("{indent}  }}\n"));
        }
        if zone.is_some() {
            out.push_str("  }\n");
        }
    }
    for e in &d.edges {
        let dir = if e.both_ways { ", dir=both" } else { "" };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [label=\"{}\"{dir}];\n",
            d.id(&e.from),
            d.id(&e.to),
            dot_lines(&e.label_lines())
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::topology::{Node, Topology};

    fn set(ports: &[(u16, u16)]) -> PortSet {
        PortSet::from_ranges(ports.iter().map(|&(a, b)| PortRange::new(a, b)))
    }

    fn singles(ports: &[u16]) -> PortSet {
        PortSet::from_ranges(ports.iter().map(|&p| PortRange::single(p)))
    }

    /// The PLOSSYS cluster ports with monitoring on (tcp).
    fn plossys_tcp() -> PortSet {
        let mut s = singles(&[
            53, 443, 515, 631, 4222, 5601, 6222, 8400, 8500, 9000, 9200, 9300, 27017,
        ]);
        s.extend(&set(&[(8080, 8082), (8300, 8302)]));
        let series = [
            1898, 1908, 1918, 1928, 1938, 1948, 1958, 1969, 1978, 1988, 1998, 2008,
        ];
        s.extend(&singles(&series));
        s.extend(&singles(&[
            2018, 2028, 2038, 2048, 2058, 2068, 2078, 2088, 2098, 2108, 2138, 2198,
        ]));
        s
    }

    #[test]
    fn short_lists_are_written_in_full() {
        assert_eq!(
            compact_ports(&singles(&[443, 515, 631]), EDGE_ITEMS),
            "443, 515, 631"
        );
        assert_eq!(
            compact_ports(&set(&[(4001, 4002), (8080, 8082)]), EDGE_ITEMS),
            "4001-4002, 8080-8082"
        );
        // Eight items stay, even when they would make a run.
        let eight = singles(&[4000, 4002, 4004, 4006, 4008, 4010, 4012, 4014]);
        assert_eq!(
            compact_ports(&eight, EDGE_ITEMS),
            "4000, 4002, 4004, 4006, 4008, 4010, 4012, 4014"
        );
    }

    #[test]
    fn a_port_series_becomes_an_honest_run() {
        assert_eq!(
            compact_ports(&plossys_tcp(), EDGE_ITEMS),
            "53, 443, 515, 631, 1898 … 2198 (24 ports), 4222, 5601, 6222, 8080-8082, 8300-8302, 8400, 8500, 9000, 9200, 9300, 27017"
        );
    }

    #[test]
    fn too_many_items_end_in_one_counted_run() {
        assert_eq!(
            compact_ports(&plossys_tcp(), INTERNAL_ITEMS),
            "53, 443, 515, 631, 1898 … 2198 (24 ports), 4222 … 27017 (15 ports)"
        );
        let spread = singles(&[10, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
        assert_eq!(
            compact_ports(&spread, 4),
            "10, 1000, 2000, 3000 … 9000 (7 ports)"
        );
    }

    /// Parses a compact list back: every hyphenated range must be in the
    /// set entirely, every run's ends must be in it, and the counts must add
    /// up to the size of the set.
    fn check_honest(s: &PortSet, text: &str) {
        let mut total = 0u32;
        for item in text.split(", ") {
            if let Some((a, rest)) = item.split_once(" … ") {
                let (b, count) = rest.split_once(" (").unwrap();
                let (a, b): (u16, u16) = (a.parse().unwrap(), b.parse().unwrap());
                let n: u32 = count.trim_end_matches(" ports)").parse().unwrap();
                assert!(s.contains(a) && s.contains(b), "{item} in {text}");
                let inside = s
                    .ranges()
                    .iter()
                    .filter(|r| a <= r.from && r.to <= b)
                    .map(PortRange::len)
                    .sum::<u32>();
                assert_eq!(inside, n, "{item} in {text}");
                assert!(
                    n < u32::from(b) - u32::from(a) + 1,
                    "{item} would be a range"
                );
                total += n;
            } else {
                let r = PortSet::parse(item).unwrap();
                assert_eq!(r.ranges().len(), 1, "{item}");
                assert!(
                    s.ranges().contains(&r.ranges()[0]),
                    "{item} is not a maximal range of the set"
                );
                total += r.count();
            }
        }
        assert_eq!(total, s.count(), "{text}");
    }

    #[test]
    fn compression_never_implies_a_port_that_is_not_open() {
        // A small deterministic generator: sets of every shape.
        let mut x: u32 = 12345;
        let mut next = |m: u32| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 8) % m
        };
        for _ in 0..500 {
            let mut s = PortSet::new();
            let mut p = 1 + next(500);
            for _ in 0..(1 + next(40)) {
                let len = if next(4) == 0 { next(5) } else { 0 };
                if p + len > 65535 {
                    break;
                }
                s.insert(PortRange::new(p as u16, (p + len) as u16));
                let far = next(3) == 0;
                p += len + 2 + next(if far { 3000 } else { 40 });
            }
            for max in [2, INTERNAL_ITEMS, EDGE_ITEMS] {
                check_honest(&s, &compact_ports(&s, max));
            }
        }
        check_honest(&plossys_tcp(), &compact_ports(&plossys_tcp(), EDGE_ITEMS));
    }

    #[test]
    fn lines_wrap_between_items_only() {
        let d = DiagramEdge {
            from: "a".into(),
            to: "b".into(),
            both_ways: false,
            ports: vec![
                (Protocol::Tcp, plossys_tcp()),
                (Protocol::Udp, set(&[(53, 53), (8301, 8302)])),
            ],
            flows: 46,
        };
        assert_eq!(
            d.label_lines(),
            [
                "tcp 53, 443, 515, 631, 1898 … 2198 (24 ports),",
                "4222, 5601, 6222, 8080-8082, 8300-8302, 8400,",
                "8500, 9000, 9200, 9300, 27017",
                "udp 53, 8301-8302",
            ]
        );
        assert_eq!(
            d.label_lines_within(MERMAID_EDGE_WIDTH),
            [
                "tcp 53, 443, 515, 631,",
                "1898 … 2198 (24 ports),",
                "4222, 5601, 6222,",
                "8080-8082, 8300-8302,",
                "8400, 8500, 9000, 9200,",
                "9300, 27017",
                "udp 53, 8301-8302",
            ]
        );
        assert_eq!(
            d.label(),
            "tcp 53, 443, 515, 631, 1898 … 2198 (24 ports), 4222, 5601, 6222, 8080-8082, 8300-8302, 8400, 8500, 9000, 9200, 9300, 27017; udp 53, 8301-8302"
        );
        assert_eq!(
            wrap("Internet-facing clients of the company", 20),
            ["Internet-facing", "clients of the", "company"]
        );
    }

    fn node(components: &[&str], cidrs: &[&str]) -> Node {
        Node {
            components: components.iter().map(|c| (*c).to_string()).collect(),
            cidrs: cidrs.iter().map(|c| (*c).to_string()).collect(),
            ..Node::default()
        }
    }

    /// Master Stack, SQL Server and consoles of the 1E platform. By hand,
    /// from 001_7cc0a8afb31eb551.txt: consoles reach the Master Stack on
    /// TCP 80 and 443 ("1E Servers" rows 1-2), the Master Stack reaches SQL
    /// Server on TCP 1433 (rows 8 and 12); its internal ports are 6002 (row
    /// 5) and the "should not affect firewall requirements" 443, 3901, 8081.
    fn small() -> Topology {
        let mut t = Topology::default();
        let mut master = node(&["1e-platform/master-stack"], &["10.0.0.10"]);
        master.description = Some("Master \"A\" <main> | #1 & [x]\n`ünï`".into());
        t.nodes.insert("master".into(), master);
        t.nodes.insert(
            "sql".into(),
            node(&["1e-platform/sql-server"], &["10.0.0.20/32"]),
        );
        let mut consoles = node(&["1e-platform/browser"], &["10.1.0.0/24"]);
        consoles.kind = NodeKind::Group;
        t.nodes.insert("consoles".into(), consoles);
        let mut dmz = node(&["1e-platform/dmz-server"], &[]);
        dmz.reference = Some("sg-1".into());
        dmz.exposure = Exposure::InternetFacing;
        t.nodes.insert("dmz".into(), dmz);
        t
    }

    fn diagram(t: &Topology) -> Diagram {
        let catalog = Catalog::builtin().unwrap();
        let c = crate::compute(t, catalog).unwrap();
        Diagram::new(&c)
    }

    #[test]
    fn mermaid_of_a_small_topology() {
        let expected = r##"---
config:
  flowchart:
    wrappingWidth: 400
---
flowchart LR
  subgraph n0["consoles (group)"]
    n0b["1e-platform/browser<br/>10.1.0.0/24"]
  end
  subgraph n1["dmz (internet-facing)"]
    n1b["1e-platform/dmz-server<br/>ref sg-1"]
  end
  subgraph n2["master"]
    n2b["Master #quot;A#quot; #lt;main#gt; #124; #35;1 #amp; [x] #96;ünï#96;<br/>1e-platform/master-stack<br/>10.0.0.10/32<br/>internal, no rule:<br/>tcp 443, 3901, 6002, 8081"]
  end
  subgraph n3["sql"]
    n3b["1e-platform/sql-server<br/>10.0.0.20/32"]
  end
  n0b -->|"tcp 80, 443"| n2b
  n1b -->|"tcp 3901"| n2b
  n2b -->|"tcp 443"| n1b
  n2b -->|"tcp 1433"| n3b
  style n0 fill:#eef4fb,stroke:#4a6fa5
  style n0b fill:#ffffff,stroke:#4a6fa5
  style n1 fill:#fff3e0,stroke:#d9822b
  style n1b fill:#ffffff,stroke:#d9822b
  style n2 fill:#eef4fb,stroke:#4a6fa5
  style n2b fill:#ffffff,stroke:#4a6fa5
  style n3 fill:#eef4fb,stroke:#4a6fa5
  style n3b fill:#ffffff,stroke:#4a6fa5
"##;
        assert_eq!(mermaid(&diagram(&small())), expected);
    }

    #[test]
    fn dot_of_a_small_topology() {
        let d = diagram(&small());
        let out = dot(&d);
        let expected_master = r##"  subgraph "cluster_n2" {
    label="master";
    style="rounded,filled";
    fillcolor="#eef4fb";
    color="#4a6fa5";
    fontname="Helvetica-Bold";
    "n2" [label="Master \"A\" <main> | #1 & [x] `ünï`\n1e-platform/master-stack\n10.0.0.10/32\ninternal, no rule:\ntcp 443, 3901, 6002, 8081", color="#4a6fa5"];
  }
"##;
        assert!(out.contains(expected_master), "{out}");
        let edges: Vec<&str> = out.lines().filter(|l| l.contains("->")).collect();
        assert_eq!(
            edges,
            [
                r##"  "n0" -> "n2" [label="tcp 80, 443"];"##,
                r##"  "n1" -> "n2" [label="tcp 3901"];"##,
                r##"  "n2" -> "n1" [label="tcp 443"];"##,
                r##"  "n2" -> "n3" [label="tcp 1433"];"##,
            ]
        );
        assert!(out.starts_with("digraph portmap {\n  rankdir=LR;\n"));
        assert!(out.contains("label=\"dmz (internet-facing)\";\n    style=\"rounded,filled\";\n    fillcolor=\"#fff3e0\";"));
        assert!(out.ends_with("}\n"));
    }

    fn hostile() -> Diagram {
        let name = "a\"b<c>|d#e&f[g]{h}`i\\n\u{1F525}";
        Diagram {
            nodes: vec![
                DiagramNode {
                    id: "n0".into(),
                    name: name.into(),
                    kind: NodeKind::Group,
                    exposure: Exposure::Untrusted,
                    description: Some("line\nbreak;\t%% not a comment --> x".into()),
                    components: vec!["p/c\"]".into()],
                    installations: Vec::new(),
                    addresses: vec!["0.0.0.0/0".into()],
                    internal: Vec::new(),
                    internal_flows: 0,
                    zone: None,
                },
                DiagramNode {
                    id: "n1".into(),
                    name: "end".into(),
                    kind: NodeKind::Host,
                    exposure: Exposure::Internal,
                    description: None,
                    components: vec!["p/s".into()],
                    installations: Vec::new(),
                    addresses: vec!["(no address)".into()],
                    internal: Vec::new(),
                    internal_flows: 0,
                    zone: None,
                },
            ],
            edges: vec![DiagramEdge {
                from: name.into(),
                to: "end".into(),
                both_ways: true,
                ports: vec![(Protocol::Udp, singles(&[53]))],
                flows: 2,
            }],
        }
    }

    #[test]
    fn mermaid_escapes_hostile_text() {
        let out = mermaid(&hostile());
        let expected = r##"---
config:
  flowchart:
    wrappingWidth: 400
---
flowchart LR
  subgraph n0["a#quot;b#lt;c#gt;#124;d#35;e#amp;f[g]{h}#96;i\n🔥 (group, untrusted)"]
    n0b["line break; %% not a comment --#gt; x<br/>p/c#quot;]<br/>0.0.0.0/0"]
  end
  subgraph n1["end"]
    n1b["p/s<br/>(no address)"]
  end
  n0b <-->|"udp 53"| n1b
  style n0 fill:#fdecea,stroke:#c0392b
  style n0b fill:#ffffff,stroke:#c0392b
  style n1 fill:#eef4fb,stroke:#4a6fa5
  style n1b fill:#ffffff,stroke:#4a6fa5
"##;
        assert_eq!(out, expected);
        // Inside the labels, no character that ends a Mermaid string or
        // starts an entity is left but our own.
        for line in out.lines().filter(|l| l.contains('[') || l.contains('|')) {
            let inner = line
                .split_once('"')
                .map(|(_, r)| r.rsplit_once('"').map(|(l, _)| l).unwrap_or(r))
                .unwrap_or("");
            assert!(
                !inner.contains('"') && !inner.contains('<') || inner.contains("<br/>"),
                "{line}"
            );
        }
    }

    #[test]
    fn dot_escapes_hostile_text() {
        let out = dot(&hostile());
        assert!(
            out.contains(r##"label="a\"b<c>|d#e&f[g]{h}`i\\n🔥 (group, untrusted)";"##),
            "{out}"
        );
        assert!(out.contains(r##""n0" [label="line break; %% not a comment --> x\np/c\"]\n0.0.0.0/0", color="#c0392b"];"##), "{out}");
        assert!(
            out.contains(r##"  "n0" -> "n1" [label="udp 53", dir=both];"##),
            "{out}"
        );
        // Every quote inside a label is escaped: the quotes left pair up.
        for line in out.lines() {
            let unescaped = line.replace("\\\\", "").replace("\\\"", "");
            assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
        }
    }

    #[test]
    fn same_ports_both_ways_make_one_edge_and_output_is_deterministic() {
        let mut t = Topology::default();
        for (name, ip) in [("oe-2", "10.0.0.2"), ("oe-1", "10.0.0.1")] {
            t.nodes
                .insert(name.into(), node(&["plossys/output-engine"], &[ip]));
        }
        t.nodes
            .insert("sap".into(), node(&["plossys/client"], &["10.9.0.0/24"]));
        let d = diagram(&t);
        let pairs: Vec<(&str, &str, bool)> = d
            .edges
            .iter()
            .map(|e| (e.from.as_str(), e.to.as_str(), e.both_ways))
            .collect();
        assert_eq!(
            pairs,
            [
                ("oe-1", "oe-2", true),
                ("sap", "oe-1", false),
                ("sap", "oe-2", false)
            ]
        );
        let both = &d.edges[0];
        assert_eq!(
            both.label_lines().last().map(String::as_str),
            Some("udp 53, 8301-8302")
        );
        // Same topology built in another order: same text.
        let mut t2 = Topology::default();
        for (name, n) in t.nodes.iter().rev() {
            t2.nodes.insert(name.clone(), n.clone());
        }
        assert_eq!(mermaid(&diagram(&t2)), mermaid(&d));
        assert_eq!(dot(&diagram(&t2)), dot(&d));
    }
}

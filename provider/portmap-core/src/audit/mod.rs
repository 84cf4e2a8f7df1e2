//! The brownfield audit: the rules that exist today against the rules the
//! topology requires.
//!
//! Every rule, existing or required, is a set of (protocol, port, address)
//! triples at one node and direction (see [`space`]). For an existing rule
//! `E` at node `n` and direction `d`, with `R(n, d)` the union of the
//! required rules there:
//!
//! - `covered[E]` are the flows `E` allows at least part of (their
//!   requirement at `n`, `d` meets `E`), and `E ∩ R(n, d)` is its covered
//!   part;
//! - `excess[E] = E \ R(n, d)`: ports, protocols and addresses no flow
//!   needs, addresses written as minimal CIDR lists;
//! - a required rule `Q` is missing where `Q \ ∪ existing(n, d)` is not
//!   empty, and that difference is what is missing.
//!
//! So `covered ∪ excess` is exactly what the existing rules allow, and
//! `missing ∪ covered` exactly what is required.
//!
//! The unjustified share of the summary is measured per address family as
//! the number of (port, address) pairs: for every node and direction, the
//! union of the existing rules there, and the part of that union no
//! required rule holds; TCP and UDP count each port, ICMP and the other
//! protocols count as one port each, references (peers known only by
//! `ref`) are not counted. `excess_share_ipv4` is unjustified IPv4 pairs
//! divided by allowed IPv4 pairs (0 when none are allowed).

pub mod adopt;
pub mod space;
pub mod state;

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::catalog::Protocol;
use crate::cloud::risk::{self, ExistingView, WELL_KNOWN_SENSITIVE};
use crate::issue::{Issue, Path, has_errors};
use crate::ports::PortRange;
use crate::rules::{Computation, Direction};
use crate::suggest::did_you_mean;
use crate::topology::{ResolvedNode, parse_cidr};
use space::{Addrs, Proto, Space};

/// A rule that exists today, as the user names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExistingRule {
    /// Free text naming the rule in the user's world (`sg-0abc/sgr-1`).
    pub id: String,
    /// The node the rule is enforced at.
    pub node: String,
    /// `ingress` or `egress`.
    pub direction: String,
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// First port (TCP and UDP; ignored otherwise).
    #[serde(default)]
    pub from_port: Option<i64>,
    /// Last port (TCP and UDP; ignored otherwise).
    #[serde(default)]
    pub to_port: Option<i64>,
    /// Addresses of the other end, IPv4 or IPv6.
    #[serde(default)]
    pub cidrs: Vec<String>,
    /// The other end as a node (a rule referencing a group).
    #[serde(default)]
    pub peer: Option<String>,
}

/// Allowed (protocol, ports): what the protocol word means.
fn parse_protocol(p: &str) -> Option<Vec<Proto>> {
    match p {
        "tcp" => Some(vec![Proto::Tcp]),
        "udp" => Some(vec![Proto::Udp]),
        "icmp" => Some(vec![Proto::Icmp]),
        "all" => Some(Proto::ALL.to_vec()),
        _ => None,
    }
}

fn parse_direction(d: &str) -> Option<Direction> {
    match d {
        "ingress" => Some(Direction::Ingress),
        "egress" => Some(Direction::Egress),
        _ => None,
    }
}

/// An existing rule, checked.
#[derive(Debug, Clone)]
struct Checked<'a> {
    index: usize,
    rule: &'a ExistingRule,
    direction: Direction,
    protos: Vec<Proto>,
    ports: PortRange,
    nets: Vec<IpNet>,
}

fn rule_path(i: usize) -> Path {
    Path::root().attr("existing").index(i)
}

/// Checks existing rules: ids present and unique, direction, protocol,
/// ports (0–65535, not reversed, required for TCP and UDP), CIDRs, and an
/// address or a peer. With `nodes` (the declared node names), `node` and
/// `peer` must name one. Issues carry exact paths (`existing[2].cidrs[0]`).
pub fn check_existing(rules: &[ExistingRule], nodes: Option<&[&str]>) -> Vec<Issue> {
    let mut issues = Vec::new();
    check_all(rules, nodes, &mut issues);
    issues
}

fn check_all<'a>(
    rules: &'a [ExistingRule],
    nodes: Option<&[&str]>,
    issues: &mut Vec<Issue>,
) -> Vec<Checked<'a>> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let p = rule_path(i);
        let before = issues.len();
        if r.id.trim().is_empty() {
            issues.push(Issue::error(p.attr("id"), "Empty rule id", "Each existing rule needs an id naming it in your world, such as \"sg-0abc/sgr-1\"; the audit reports by id."));
        } else if let Some(first) = seen.insert(&r.id, i) {
            issues.push(Issue::error(p.attr("id"), format!("Duplicate rule id \"{}\"", r.id), format!("existing[{first}] has the same id; ids must be unique so the audit's results can be told apart.")));
        }
        let node_ok = |name: &str, attr: &str, issues: &mut Vec<Issue>| {
            if let Some(names) = nodes
                && !names.contains(&name)
            {
                issues.push(Issue::error(
                    p.attr(attr),
                    format!("Unknown node \"{name}\""),
                    format!(
                        "{attr} names a node of the topology.{}",
                        did_you_mean(name, names.iter().copied())
                    ),
                ));
            }
        };
        node_ok(&r.node, "node", issues);
        let direction = parse_direction(&r.direction);
        if direction.is_none() {
            issues.push(Issue::error(
                p.attr("direction"),
                format!("Invalid direction \"{}\"", r.direction),
                format!(
                    "direction is \"ingress\" or \"egress\".{}",
                    did_you_mean(&r.direction, ["ingress", "egress"])
                ),
            ));
        }
        let protos = parse_protocol(&r.protocol);
        if protos.is_none() {
            issues.push(Issue::error(
                p.attr("protocol"),
                format!("Invalid protocol \"{}\"", r.protocol),
                format!(
                    "protocol is \"tcp\", \"udp\", \"icmp\" or \"all\" (every IP protocol).{}",
                    did_you_mean(&r.protocol, ["tcp", "udp", "icmp", "all"])
                ),
            ));
        }
        // `all` allows every port of TCP and UDP; ICMP has none.
        let mut ports = PortRange::new(0, 65535);
        if protos
            .as_ref()
            .is_some_and(|ps| ps.len() == 1 && ps[0].has_ports())
        {
            let port = |v: Option<i64>, attr: &str, issues: &mut Vec<Issue>| -> Option<u16> {
                match v {
                    None => {
                        issues.push(Issue::error(
                            p.attr(attr),
                            format!("Missing {attr}"),
                            format!(
                                "A {} rule needs from_port and to_port (0 to 65535).",
                                r.protocol
                            ),
                        ));
                        None
                    }
                    Some(n) => match u16::try_from(n) {
                        Ok(n) => Some(n),
                        Err(_) => {
                            issues.push(Issue::error(
                                p.attr(attr),
                                format!("Port {n} out of range"),
                                "Ports are 0 to 65535.",
                            ));
                            None
                        }
                    },
                }
            };
            let from = port(r.from_port, "from_port", issues);
            let to = port(r.to_port, "to_port", issues);
            if let (Some(from), Some(to)) = (from, to) {
                if from > to {
                    issues.push(Issue::error(
                        p.attr("to_port"),
                        format!("Reversed port range {from}-{to}"),
                        format!("to_port ({to}) is below from_port ({from}); write from_port = {to}, to_port = {from} if that range is meant."),
                    ));
                } else {
                    ports = PortRange { from, to };
                }
            }
        }
        let mut nets = Vec::new();
        for (j, c) in r.cidrs.iter().enumerate() {
            match parse_cidr(c) {
                Ok(n) => nets.push(n),
                Err(e) => issues.push(Issue::error(
                    p.attr("cidrs").index(j),
                    format!("Invalid address \"{c}\""),
                    e,
                )),
            }
        }
        match &r.peer {
            Some(peer) => node_ok(peer, "peer", issues),
            None if r.cidrs.is_empty() => issues.push(Issue::error(
                p.clone(),
                "Rule without addresses",
                "An existing rule needs cidrs (the addresses at the other end) or peer (a node, for rules that reference a group).",
            )),
            None => {}
        }
        if issues.len() == before
            && let (Some(direction), Some(protos)) = (direction, protos)
        {
            out.push(Checked {
                index: i,
                rule: r,
                direction,
                protos,
                ports,
                nets,
            });
        }
    }
    out
}

/// What part of an existing or required rule a result names: a protocol,
/// its ports (null for ICMP and the other protocols), the addresses as a
/// minimal CIDR list, and the peers known only by reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opening {
    /// `tcp`, `udp`, `icmp`, or `other` (every IP protocol but these three).
    pub protocol: String,
    /// First port, for TCP and UDP.
    pub from_port: Option<u16>,
    /// Last port, for TCP and UDP.
    pub to_port: Option<u16>,
    /// Addresses, as a minimal list of CIDR blocks.
    pub cidrs: Vec<String>,
    /// Nodes addressed by their `ref`.
    pub peers: Vec<String>,
}

fn openings(s: &Space) -> Vec<Opening> {
    let mut out = Vec::new();
    for (proto, parts) in s.parts() {
        for (ports, a) in parts {
            out.push(Opening {
                protocol: proto.as_str().to_string(),
                from_port: proto.has_ports().then_some(ports.from),
                to_port: proto.has_ports().then_some(ports.to),
                cidrs: a.cidrs(),
                peers: a.refs.iter().cloned().collect(),
            });
        }
    }
    out
}

/// What an existing rule allows that no flow needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excess {
    /// The existing rule's id.
    pub id: String,
    /// Its node.
    pub node: String,
    /// Its direction.
    pub direction: String,
    /// `delete` when the rule allows nothing any flow needs, `narrow`
    /// otherwise.
    pub action: String,
    /// Whether the rule allows every address (`0.0.0.0/0` or `::/0`).
    pub any_address: bool,
    /// Whether the rule allows every port (`0-65535`), or every protocol.
    pub all_ports: bool,
    /// Well-known administration and database ports in the unjustified
    /// part, such as `tcp/22 (SSH)`.
    pub sensitive_ports: Vec<String>,
    /// Unjustified (port, address) pairs, IPv4.
    pub space_ipv4: f64,
    /// Unjustified (port, address) pairs, IPv6.
    pub space_ipv6: f64,
    /// Exactly what no flow needs.
    pub openings: Vec<Opening>,
}

/// A required rule the existing rules do not (wholly) allow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    /// The node whose firewall lacks the rule.
    pub node: String,
    /// `ingress` or `egress`.
    pub direction: String,
    /// The other node.
    pub peer: String,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// The peer's addresses.
    pub cidrs: Vec<String>,
    /// The peer's reference.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Product and purposes.
    pub description: String,
    /// Keys of the flows the rule serves.
    pub flows: Vec<String>,
    /// Whether some of the rule is allowed already (only `openings` is
    /// missing).
    pub partial: bool,
    /// Exactly what no existing rule allows.
    pub openings: Vec<Opening>,
}

/// Counts and the unjustified share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Existing rules audited.
    pub existing_rules: usize,
    /// Existing rules that allow nothing beyond what flows need.
    pub justified_rules: usize,
    /// Existing rules that allow some needed and some unneeded traffic.
    pub rules_to_narrow: usize,
    /// Existing rules that allow nothing any flow needs.
    pub rules_to_delete: usize,
    /// Rules portmap computes for the topology.
    pub required_rules: usize,
    /// Of those, the rules wholly allowed today.
    pub required_rules_allowed: usize,
    /// Rules missing wholly or partly.
    pub missing_rules: usize,
    /// Flows that need rules.
    pub required_flows: usize,
    /// Of those, the flows wholly allowed at both ends today.
    pub flows_allowed: usize,
    /// (port, address) pairs the existing rules allow, IPv4.
    pub allowed_space_ipv4: f64,
    /// Of those, the pairs no flow needs.
    pub excess_space_ipv4: f64,
    /// `excess_space_ipv4 / allowed_space_ipv4` (0 when nothing is allowed).
    pub excess_share_ipv4: f64,
    /// (port, address) pairs the existing rules allow, IPv6.
    pub allowed_space_ipv6: f64,
    /// Of those, the pairs no flow needs.
    pub excess_space_ipv6: f64,
    /// `excess_space_ipv6 / allowed_space_ipv6` (0 when nothing is allowed).
    pub excess_share_ipv6: f64,
}

/// The audit's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    /// Existing rule id → keys of the flows it allows (at least partly).
    pub covered: BTreeMap<String, Vec<String>>,
    /// Existing rules with traffic no flow needs, widest exposure first.
    pub excess: Vec<Excess>,
    /// Required rules not (wholly) allowed, by portmap rule key.
    pub missing: BTreeMap<String, Missing>,
    /// Counts and shares.
    pub summary: Summary,
    /// Risk findings on the existing rules, and the computation's warnings.
    #[serde(skip)]
    pub issues: Vec<Issue>,
}

/// The addresses a peer node stands for: its CIDRs, or its reference when
/// it has no CIDRs.
fn node_addrs(n: &ResolvedNode) -> Addrs {
    if !n.cidrs.is_empty() {
        Addrs::of_nets(&n.cidrs)
    } else if n.reference.is_some() {
        Addrs::of_ref(&n.name)
    } else {
        Addrs::default()
    }
}

fn proto_of(p: Protocol) -> Proto {
    match p {
        Protocol::Tcp => Proto::Tcp,
        Protocol::Udp => Proto::Udp,
    }
}

/// Where rules are enforced.
type Place = (String, Direction);

/// Audits existing rules against a computation. Errors in `existing` come
/// back as `Err` with exact paths.
pub fn audit(
    c: &Computation<'_>,
    existing: &[ExistingRule],
    risks_as_errors: bool,
) -> Result<Audit, Vec<Issue>> {
    let names: Vec<&str> = c.resolved.nodes.iter().map(|n| n.name.as_str()).collect();
    let mut issues = Vec::new();
    let checked = check_all(existing, Some(&names), &mut issues);
    if has_errors(&issues) {
        return Err(issues);
    }
    let (allowed, views) = allowed_by_existing(c, &checked);
    issues.extend(risk::check_existing(c, &views, risks_as_errors));
    let required = Required::of(c);
    // What the existing rules allow at each place, together.
    let mut existing_at: BTreeMap<Place, Space> = BTreeMap::new();
    for (e, s) in checked.iter().zip(&allowed) {
        let all = existing_at
            .entry((e.rule.node.clone(), e.direction))
            .or_default();
        *all = all.union(s);
    }
    let judged = judge_existing(&checked, &allowed, &required);
    let missing = missing_rules(c, &required, &existing_at);
    // Flows wholly allowed at every side.
    let mut flow_ok: BTreeMap<&str, bool> = BTreeMap::new();
    for side in &required.flow_sides {
        let have = existing_at.get(&side.place).unwrap_or(&EMPTY);
        let ok = side.space.minus(have).is_empty();
        let e = flow_ok.entry(side.flow).or_insert(true);
        *e = *e && ok;
    }
    let (a4, a6, x4, x6) = allowed_and_excess_space(&existing_at, &required);
    let share = |x: f64, a: f64| if a > 0.0 { x / a } else { 0.0 };
    let summary = Summary {
        existing_rules: existing.len(),
        justified_rules: judged.justified,
        rules_to_narrow: judged.narrow,
        rules_to_delete: judged.delete,
        required_rules: c.rules.len(),
        required_rules_allowed: c.rules.len() - missing.len(),
        missing_rules: missing.len(),
        required_flows: flow_ok.len(),
        flows_allowed: flow_ok.values().filter(|&&ok| ok).count(),
        allowed_space_ipv4: a4,
        excess_space_ipv4: x4,
        excess_share_ipv4: share(x4, a4),
        allowed_space_ipv6: a6,
        excess_space_ipv6: x6,
        excess_share_ipv6: share(x6, a6),
    };
    issues.extend(c.issues.iter().cloned());
    Ok(Audit {
        covered: judged.covered,
        excess: judged.excess,
        missing,
        summary,
        issues,
    })
}

/// Nothing allowed.
static EMPTY: Space = Space::EMPTY;

/// What each existing rule allows (by position in `checked`), and the
/// rules on nodes of the topology as the risk checks see them.
fn allowed_by_existing<'a, 'c>(
    c: &'a Computation<'c>,
    checked: &'a [Checked<'a>],
) -> (Vec<Space>, Vec<ExistingView<'a>>) {
    let mut allowed: Vec<Space> = Vec::with_capacity(checked.len());
    let mut views = Vec::new();
    for e in checked {
        let mut addrs = Addrs::of_nets(&e.nets);
        if let Some(peer) = e.rule.peer.as_deref().and_then(|name| c.node(name)) {
            addrs = addrs.union(&node_addrs(peer));
        }
        let mut s = Space::default();
        for &p in &e.protos {
            s = s.union(&Space::cell(p, e.ports, addrs.clone()));
        }
        allowed.push(s);
        if let Some(n) = c.node(&e.rule.node) {
            let ports_of = |p: Proto| e.protos.contains(&p).then_some(e.ports);
            views.push(ExistingView {
                path: rule_path(e.index),
                id: &e.rule.id,
                node: n,
                direction: e.direction,
                tcp: ports_of(Proto::Tcp),
                udp: ports_of(Proto::Udp),
                all_protocols: e.protos.len() > 1,
                everyone: e.nets.iter().any(|n| n.prefix_len() == 0),
            });
        }
    }
    (allowed, views)
}

/// What the computation requires: per place (node and direction), per
/// rule (in the rule map's order) and per side of each flow.
struct Required<'a> {
    at: BTreeMap<Place, Space>,
    rules: Vec<Space>,
    flow_sides: Vec<FlowSide<'a>>,
}

/// One side of a flow: the place whose rule serves it, and what it needs
/// there.
struct FlowSide<'a> {
    place: Place,
    flow: &'a str,
    space: Space,
}

impl<'a> Required<'a> {
    fn of(c: &'a Computation<'_>) -> Self {
        let mut at: BTreeMap<Place, Space> = BTreeMap::new();
        let mut rules: Vec<Space> = Vec::with_capacity(c.rules.len());
        let mut flow_sides = Vec::new();
        for r in c.rules.values() {
            let addrs = c.node(&r.peer).map(node_addrs).unwrap_or_default();
            let s = Space::cell(proto_of(r.protocol), r.ports, addrs.clone());
            let place = (r.node.to_string(), r.direction);
            let all = at.entry(place.clone()).or_default();
            *all = all.union(&s);
            rules.push(s);
            for f in c.rule_flows(r) {
                flow_sides.push(FlowSide {
                    place: place.clone(),
                    flow: &f.key,
                    space: Space::cell(proto_of(f.protocol), f.ports, addrs.clone()),
                });
            }
        }
        Required {
            at,
            rules,
            flow_sides,
        }
    }

    fn at(&self, place: &Place) -> &Space {
        self.at.get(place).unwrap_or(&EMPTY)
    }
}

/// Each existing rule judged against what its place requires.
struct Judged {
    /// Existing rule id → keys of the flows it allows (at least partly).
    covered: BTreeMap<String, Vec<String>>,
    /// The rules that allow more than required, widest exposure first.
    excess: Vec<Excess>,
    justified: usize,
    narrow: usize,
    delete: usize,
}

fn judge_existing(checked: &[Checked<'_>], allowed: &[Space], required: &Required<'_>) -> Judged {
    let mut judged = Judged {
        covered: BTreeMap::new(),
        excess: Vec::new(),
        justified: 0,
        narrow: 0,
        delete: 0,
    };
    for (e, s) in checked.iter().zip(allowed) {
        let place = (e.rule.node.clone(), e.direction);
        let flows: BTreeSet<&str> = required
            .flow_sides
            .iter()
            .filter(|side| side.place == place && !side.space.intersect(s).is_empty())
            .map(|side| side.flow)
            .collect();
        judged.covered.insert(
            e.rule.id.clone(),
            flows.iter().map(|k| k.to_string()).collect(),
        );
        let x = s.minus(required.at(&place));
        if x.is_empty() {
            judged.justified += 1;
            continue;
        }
        let action = if flows.is_empty() {
            judged.delete += 1;
            "delete"
        } else {
            judged.narrow += 1;
            "narrow"
        };
        judged.excess.push(excess_of(e, &x, action));
    }
    // Widest exposure first: any address, all ports, sensitive ports, then
    // the larger unjustified space, then by id.
    judged.excess.sort_by(|a, b| {
        (b.any_address, b.all_ports, !b.sensitive_ports.is_empty())
            .cmp(&(a.any_address, a.all_ports, !a.sensitive_ports.is_empty()))
            .then(b.space_ipv4.total_cmp(&a.space_ipv4))
            .then(b.space_ipv6.total_cmp(&a.space_ipv6))
            .then(a.id.cmp(&b.id))
    });
    judged
}

/// An existing rule that allows `x` beyond what is required.
fn excess_of(e: &Checked<'_>, x: &Space, action: &str) -> Excess {
    let (v4, v6) = x.measure();
    let mut sensitive = Vec::new();
    if let Some(tcp) = x.parts().get(&Proto::Tcp) {
        for &(from, to, _, service) in WELL_KNOWN_SENSITIVE {
            let r = PortRange { from, to };
            if tcp.iter().any(|(p, _)| p.overlaps(&r)) {
                sensitive.push(format!("tcp/{r} ({service})"));
            }
        }
    }
    let all_ports =
        e.protos.len() > 1 || (e.protos[0].has_ports() && e.ports == PortRange::new(0, 65535));
    Excess {
        id: e.rule.id.clone(),
        node: e.rule.node.clone(),
        direction: e.direction.as_str().to_string(),
        action: action.to_string(),
        any_address: e.nets.iter().any(|n| n.prefix_len() == 0),
        all_ports,
        sensitive_ports: sensitive,
        space_ipv4: v4,
        space_ipv6: v6,
        openings: openings(x),
    }
}

/// The required rules the existing ones do not wholly allow, by key.
fn missing_rules(
    c: &Computation<'_>,
    required: &Required<'_>,
    existing_at: &BTreeMap<Place, Space>,
) -> BTreeMap<String, Missing> {
    let mut missing = BTreeMap::new();
    for (r, s) in c.rules.values().zip(&required.rules) {
        let have = existing_at
            .get(&(r.node.to_string(), r.direction))
            .unwrap_or(&EMPTY);
        let gap = s.minus(have);
        if gap.is_empty() {
            continue;
        }
        missing.insert(
            r.key.to_string(),
            Missing {
                node: r.node.to_string(),
                direction: r.direction.as_str().to_string(),
                peer: r.peer.to_string(),
                protocol: r.protocol.as_str().to_string(),
                from_port: r.ports.from,
                to_port: r.ports.to,
                cidrs: r.peer_cidrs.to_vec(),
                reference: r.peer_ref.as_deref().map(str::to_string),
                description: r.description.to_string(),
                flows: r.flows.iter().map(|k| k.to_string()).collect(),
                partial: gap != *s,
                openings: openings(&gap),
            },
        );
    }
    missing
}

/// The address space the existing rules allow, and how much of it no flow
/// requires: (allowed IPv4, allowed IPv6, excess IPv4, excess IPv6).
fn allowed_and_excess_space(
    existing_at: &BTreeMap<Place, Space>,
    required: &Required<'_>,
) -> (f64, f64, f64, f64) {
    let (mut a4, mut a6, mut x4, mut x6) = (0.0, 0.0, 0.0, 0.0);
    for (place, have) in existing_at {
        let (v4, v6) = have.measure();
        let (w4, w6) = have.minus(required.at(place)).measure();
        a4 += v4;
        a6 += v6;
        x4 += w4;
        x6 += w6;
    }
    (a4, a6, x4, x6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::testkit::{compute, n};

    fn rule(
        id: &str,
        node: &str,
        dir: &str,
        proto: &str,
        ports: (i64, i64),
        cidrs: &[&str],
    ) -> ExistingRule {
        ExistingRule {
            id: id.into(),
            node: node.into(),
            direction: dir.into(),
            protocol: proto.into(),
            from_port: Some(ports.0),
            to_port: Some(ports.1),
            cidrs: cidrs.iter().map(|c| c.to_string()).collect(),
            peer: None,
        }
    }

    fn quickstart() -> Computation<'static> {
        compute(
            vec![
                (
                    "app",
                    n("tachyon-5/master-stack tachyon-5/response-stack | 10.0.1.10/32"),
                ),
                ("sql", n("tachyon-5/sql-server | 10.0.2.10/32")),
                (
                    "clients",
                    n("tachyon-5/client tachyon-5/browser | 10.8.0.0/16 | group"),
                ),
            ],
            &[("tachyon-5", &["named-sql-instance"])],
        )
    }

    /// The quickstart (Switch on its default 4000) against four rules of a
    /// typical brownfield: every TCP port from anywhere at the app server,
    /// SSH from 10/8, SQL Server from the app's /24 instead of its address,
    /// and the AWS default egress rule at the clients. Every value below is
    /// worked out by hand from the ten rules `portmap rules` prints.
    #[test]
    fn a_brownfield_quickstart_audited_by_hand() {
        let c = quickstart();
        let existing = vec![
            rule(
                "sg-app/any",
                "app",
                "ingress",
                "tcp",
                (0, 65535),
                &["0.0.0.0/0"],
            ),
            rule(
                "sg-app/ssh",
                "app",
                "ingress",
                "tcp",
                (22, 22),
                &["10.0.0.0/8"],
            ),
            rule(
                "sg-sql/sql",
                "sql",
                "ingress",
                "tcp",
                (1433, 1433),
                &["10.0.1.0/24"],
            ),
            ExistingRule {
                from_port: None,
                to_port: None,
                ..rule(
                    "sg-clients/egress-all",
                    "clients",
                    "egress",
                    "all",
                    (0, 0),
                    &["0.0.0.0/0"],
                )
            },
        ];
        let a = audit(&c, &existing, false).unwrap();
        assert_eq!(
            a.covered["sg-app/any"],
            [
                "tachyon-5:browser-http:clients>app:tcp:80",
                "tachyon-5:browser-portal:clients>app:tcp:443",
                "tachyon-5:client-background-channel:clients>app:tcp:443",
                "tachyon-5:client-switch:clients>app:tcp:4000",
            ]
        );
        assert!(a.covered["sg-app/ssh"].is_empty());
        assert_eq!(
            a.covered["sg-sql/sql"],
            [
                "tachyon-5:master-sql:app>sql:tcp:1433",
                "tachyon-5:response-sql-master:app>sql:tcp:1433",
                "tachyon-5:response-sql:app>sql:tcp:1433",
            ]
        );
        let order: Vec<&str> = a.excess.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            order,
            [
                "sg-clients/egress-all",
                "sg-app/any",
                "sg-app/ssh",
                "sg-sql/sql"
            ]
        );
        let any = &a.excess[1];
        assert_eq!(
            (any.action.as_str(), any.any_address, any.all_ports),
            ("narrow", true, true)
        );
        let parts: Vec<(Option<u16>, Option<u16>, usize)> = any
            .openings
            .iter()
            .map(|o| (o.from_port, o.to_port, o.cidrs.len()))
            .collect();
        // 0.0.0.0/0 minus 10.8.0.0/16 is 16 blocks (one per prefix bit).
        assert_eq!(
            parts,
            [
                (Some(0), Some(79), 1),
                (Some(80), Some(80), 16),
                (Some(81), Some(442), 1),
                (Some(443), Some(443), 16),
                (Some(444), Some(3999), 1),
                (Some(4000), Some(4000), 16),
                (Some(4001), Some(65535), 1),
            ]
        );
        assert_eq!(any.openings[1].cidrs[0], "0.0.0.0/5");
        assert!(any.openings[1].cidrs.contains(&"10.9.0.0/16".to_string()));
        assert_eq!(any.space_ipv4, 65536.0 * 4294967296.0 - 3.0 * 65536.0);
        let ssh = &a.excess[2];
        assert_eq!(
            (ssh.action.as_str(), ssh.sensitive_ports.clone()),
            ("delete", vec!["tcp/22 (SSH)".to_string()])
        );
        assert_eq!(ssh.space_ipv4, 16777216.0);
        let sql = &a.excess[3];
        assert_eq!(
            sql.openings[0].cidrs,
            [
                "10.0.1.0/29",
                "10.0.1.8/31",
                "10.0.1.11/32",
                "10.0.1.12/30",
                "10.0.1.16/28",
                "10.0.1.32/27",
                "10.0.1.64/26",
                "10.0.1.128/25"
            ]
        );
        assert_eq!(sql.space_ipv4, 255.0);
        let all = &a.excess[0];
        let protos: Vec<&str> = all.openings.iter().map(|o| o.protocol.as_str()).collect();
        assert_eq!(
            protos,
            [
                "tcp", "tcp", "tcp", "tcp", "tcp", "tcp", "tcp", "udp", "icmp", "other"
            ]
        );
        let keys: Vec<&str> = a.missing.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "app:egress:sql:tcp:1433",
                "app:egress:sql:udp:1434",
                "sql:ingress:app:udp:1434"
            ]
        );
        let m = &a.missing["sql:ingress:app:udp:1434"];
        assert_eq!(
            (m.peer.as_str(), m.protocol.as_str(), m.from_port, m.partial),
            ("app", "udp", 1434, false)
        );
        assert_eq!(m.openings[0].cidrs, ["10.0.1.10/32"]);
        let s = &a.summary;
        assert_eq!(
            (
                s.existing_rules,
                s.justified_rules,
                s.rules_to_narrow,
                s.rules_to_delete
            ),
            (4, 0, 3, 1)
        );
        assert_eq!(
            (s.required_rules, s.required_rules_allowed, s.missing_rules),
            (10, 7, 3)
        );
        assert_eq!((s.required_flows, s.flows_allowed), (10, 4));
        // Allowed: app 65536 ports x 2^32 (SSH inside it), sql 256, clients
        // (65536 + 65536 + 1 + 1) x 2^32. Required inside: 3 x 65536 at app,
        // 1 at sql, 3 at clients.
        let g = 4294967296.0;
        assert_eq!(s.allowed_space_ipv4, 65536.0 * g + 256.0 + 131074.0 * g);
        assert_eq!(
            s.excess_space_ipv4,
            s.allowed_space_ipv4 - 3.0 * 65536.0 - 1.0 - 3.0
        );
        let risks: Vec<&str> = a
            .issues
            .iter()
            .filter(|i| i.summary.starts_with("Risk:"))
            .map(|i| i.summary.as_str())
            .collect();
        assert_eq!(
            risks,
            [
                "Risk: existing rule \"sg-app/any\" opens administration or database ports of \"app\" to the whole internet",
                "Risk: existing rule \"sg-app/any\" opens 65536 ports at \"app\"",
                "Risk: existing rule \"sg-clients/egress-all\" opens every protocol and port at \"clients\"",
            ]
        );
    }

    /// A peer rule compares with the peer's addresses; a rule naming exactly
    /// what is required is justified and its required rule not missing.
    #[test]
    fn exact_and_peer_rules_are_justified() {
        let c = quickstart();
        let mut peer = rule(
            "sg-sql/from-app",
            "sql",
            "ingress",
            "tcp",
            (1433, 1433),
            &[],
        );
        peer.peer = Some("app".into());
        let a = audit(
            &c,
            &[
                peer,
                rule("udp", "sql", "ingress", "udp", (1434, 1434), &["10.0.1.10"]),
            ],
            false,
        )
        .unwrap();
        assert!(a.excess.is_empty(), "{:?}", a.excess);
        assert!(!a.missing.contains_key("sql:ingress:app:tcp:1433"));
        assert!(!a.missing.contains_key("sql:ingress:app:udp:1434"));
        assert_eq!(a.summary.justified_rules, 2);
        assert_eq!(a.summary.excess_share_ipv4, 0.0);
    }

    #[test]
    fn bad_existing_rules_are_errors_at_exact_paths() {
        let names = ["app", "sql"];
        let mut r = vec![
            rule("a", "ap", "ingres", "tcpp", (1, 2), &["10.0.0.1/24"]),
            rule("b", "app", "ingress", "tcp", (443, 80), &["10.0.0.0/24"]),
            rule("b", "app", "egress", "udp", (1, 70000), &[]),
        ];
        r[2].from_port = None;
        let issues = check_existing(&r, Some(&names));
        let got: Vec<(String, &str)> = issues
            .iter()
            .map(|i| (i.path.to_string(), i.summary.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("existing[0].node".to_string(), "Unknown node \"ap\""),
                (
                    "existing[0].direction".to_string(),
                    "Invalid direction \"ingres\""
                ),
                (
                    "existing[0].protocol".to_string(),
                    "Invalid protocol \"tcpp\""
                ),
                (
                    "existing[0].cidrs[0]".to_string(),
                    "Invalid address \"10.0.0.1/24\""
                ),
                (
                    "existing[1].to_port".to_string(),
                    "Reversed port range 443-80"
                ),
                ("existing[2].id".to_string(), "Duplicate rule id \"b\""),
                ("existing[2].from_port".to_string(), "Missing from_port"),
                ("existing[2].to_port".to_string(), "Port 70000 out of range"),
                ("existing[2]".to_string(), "Rule without addresses"),
            ]
        );
        assert!(issues[0].detail.contains("Did you mean \"app\"?"));
        assert!(issues[1].detail.contains("Did you mean \"ingress\"?"));
        assert!(issues[2].detail.contains("Did you mean \"tcp\"?"));
    }
}

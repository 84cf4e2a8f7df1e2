//! Host firewalls as nftables scripts: for one node, a complete `nft -f`
//! script whose table `inet portmap` accepts exactly the node's rules.
//!
//! The script:
//! - first creates and deletes the table, then defines it, so loading it
//!   again replaces the previous version atomically (one `nft -f`
//!   transaction) and never stacks rules;
//! - has an `input` and an `output` chain, both `policy drop`;
//! - accepts loopback traffic and packets of established or related
//!   connections (return traffic needs no rule of its own, and ICMP errors
//!   about an allowed connection get through);
//! - accepts IPv6 neighbour solicitations and advertisements with hop limit
//!   255 (link-local plumbing without which no IPv6 address is reachable;
//!   ARP is not seen by an `inet` table);
//! - then one nftables rule per portmap rule and address family, preceded
//!   by a comment with the rule's key: ingress rules in `input` (`saddr` is
//!   the peer's addresses), egress rules in `output` (`daddr`), the
//!   destination port as a port or a range.
//!
//! A rule whose peer has no addresses in one family gives no line for that
//! family; a peer with no addresses at all gives only a comment saying the
//! rule is not rendered. Nothing is ever wider than the rule.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use ipnet::IpNet;

use crate::rules::{Computation, Direction, Rule};

/// The nftables script of a node's host firewall; `None` when no node has
/// this name.
pub fn ruleset(comp: &Computation<'_>, node: &str) -> Option<String> {
    comp.node(node)?;
    let rules: Vec<&Rule> = comp.rules.values().filter(|r| &*r.node == node).collect();
    let mut out = String::new();
    out.push_str("#!/usr/sbin/nft -f\n");
    let _ = writeln!(
        out,
        "# Host firewall of node \"{node}\", written by portmap: exactly the node's rules."
    );
    out.push_str("# Loading it again replaces the table inet portmap.\n");
    out.push_str("table inet portmap\n");
    out.push_str("delete table inet portmap\n");
    out.push_str("table inet portmap {\n");
    for (chain, hook, direction) in [
        ("input", "input", Direction::Ingress),
        ("output", "output", Direction::Egress),
    ] {
        let _ = writeln!(out, "\tchain {chain} {{");
        let _ = writeln!(
            out,
            "\t\ttype filter hook {hook} priority filter; policy drop;"
        );
        let lo = if direction == Direction::Ingress {
            "iif"
        } else {
            "oif"
        };
        let _ = writeln!(out, "\t\t{lo} \"lo\" accept");
        out.push_str("\t\tct state established,related accept\n");
        out.push_str(
            "\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept\n",
        );
        for rule in rules.iter().filter(|r| r.direction == direction) {
            render_rule(comp, rule, &mut out);
        }
        out.push_str("\t}\n");
    }
    out.push_str("}\n");
    Some(out)
}

/// The scripts of the selected nodes (every node when `nodes` is `None`),
/// by node name. Names that are not nodes are left out.
pub fn rulesets(
    comp: &Computation<'_>,
    nodes: Option<&BTreeSet<String>>,
) -> std::collections::BTreeMap<String, String> {
    comp.resolved
        .nodes
        .iter()
        .filter(|n| nodes.is_none_or(|s| s.contains(&n.name)))
        .filter_map(|n| ruleset(comp, &n.name).map(|s| (n.name.clone(), s)))
        .collect()
}

fn render_rule(comp: &Computation<'_>, rule: &Rule, out: &mut String) {
    let _ = writeln!(out, "\t\t# {}", rule.key);
    let cidrs: &[IpNet] = comp.node(&rule.peer).map_or(&[], |n| n.cidrs.as_slice());
    if cidrs.is_empty() {
        let _ = writeln!(
            out,
            "\t\t# not rendered: peer \"{}\" has no addresses",
            rule.peer
        );
        return;
    }
    let addr = match rule.direction {
        Direction::Ingress => "saddr",
        Direction::Egress => "daddr",
    };
    for (family, v6) in [("ip", false), ("ip6", true)] {
        let nets = outermost(cidrs.iter().filter(|c| matches!(c, IpNet::V6(_)) == v6));
        if nets.is_empty() {
            continue;
        }
        let set = if nets.len() == 1 {
            nets[0].to_string()
        } else {
            let list: Vec<String> = nets.iter().map(ToString::to_string).collect();
            format!("{{ {} }}", list.join(", "))
        };
        let _ = writeln!(
            out,
            "\t\t{family} {addr} {set} {} dport {} accept",
            rule.protocol, rule.ports
        );
    }
}

/// The perimeter firewall of a router between the zones (or a Linux hub) as
/// an `nft -f` script: table `inet portmap_perimeter` with a `forward`
/// chain, `policy drop`, that accepts packets of established or related
/// connections and then exactly the perimeter's policies
/// ([`crate::perimeter::policies`]): per policy and address family, the
/// sources' addresses to the destinations' addresses on the services'
/// ports, preceded by a comment with the policy's name and key. A policy
/// whose sources or destinations have no address in a family gives no line
/// for it. Loading it again replaces the table.
pub fn perimeter_ruleset(comp: &Computation<'_>) -> String {
    let mut out = String::new();
    out.push_str("#!/usr/sbin/nft -f\n");
    out.push_str("# Perimeter firewall (forwarded traffic between zones), written by portmap:\n");
    out.push_str("# exactly the flows that cross a zone boundary. Loading it again replaces\n");
    out.push_str("# the table inet portmap_perimeter.\n");
    out.push_str("table inet portmap_perimeter\n");
    out.push_str("delete table inet portmap_perimeter\n");
    out.push_str("table inet portmap_perimeter {\n");
    out.push_str("\tchain forward {\n");
    out.push_str("\t\ttype filter hook forward priority filter; policy drop;\n");
    out.push_str("\t\tct state established,related accept\n");
    let nets_of = |names: &[String], v6: bool| -> Vec<IpNet> {
        let all: Vec<IpNet> = names
            .iter()
            .filter_map(|n| comp.node(n))
            .flat_map(|n| n.cidrs.iter().copied())
            .filter(|c| matches!(c, IpNet::V6(_)) == v6)
            .collect();
        outermost(all.iter())
    };
    let set = |nets: &[String]| {
        if nets.len() == 1 {
            nets[0].clone()
        } else {
            format!("{{ {} }}", nets.join(", "))
        }
    };
    for policy in crate::perimeter::policies(comp) {
        let _ = writeln!(
            out,
            "\t\t# {} ({}): {}",
            policy.name,
            policy.key,
            policy.description.replace('\n', " ")
        );
        for (family, v6) in [("ip", false), ("ip6", true)] {
            let sources: Vec<String> = nets_of(&policy.sources, v6)
                .iter()
                .map(ToString::to_string)
                .collect();
            let destinations: Vec<String> = nets_of(&policy.destinations, v6)
                .iter()
                .map(ToString::to_string)
                .collect();
            if sources.is_empty() || destinations.is_empty() {
                continue;
            }
            for service in &policy.services {
                let ports: Vec<String> = service
                    .ports
                    .ranges()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let _ = writeln!(
                    out,
                    "\t\t{family} saddr {} {family} daddr {} {} dport {} accept",
                    set(&sources),
                    set(&destinations),
                    service.protocol.as_str(),
                    set(&ports)
                );
            }
        }
    }
    out.push_str("\t}\n}\n");
    out
}

/// The networks not contained in another one of the list, sorted: the same
/// addresses, written so nftables accepts them (an anonymous set refuses
/// overlapping intervals).
fn outermost<'a>(nets: impl Iterator<Item = &'a IpNet>) -> Vec<IpNet> {
    let all: Vec<IpNet> = nets.copied().collect();
    let mut kept: Vec<IpNet> = all
        .iter()
        .filter(|n| !all.iter().any(|o| o != *n && o.contains(*n)))
        .copied()
        .collect();
    kept.sort();
    kept.dedup();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn contained_networks_are_dropped_and_the_rest_sorted() {
        let input = nets(&["10.1.0.0/16", "10.0.0.0/8", "10.1.2.3/32", "192.0.2.0/24"]);
        assert_eq!(
            outermost(input.iter()),
            nets(&["10.0.0.0/8", "192.0.2.0/24"])
        );
        let input = nets(&["0.0.0.0/0", "10.0.0.0/8"]);
        assert_eq!(outermost(input.iter()), nets(&["0.0.0.0/0"]));
    }
}

//! Azure: rules in the shape of `azurerm_network_security_rule`, one network
//! security group (NSG) per node.
//!
//! One Azure rule per (node, direction, peer, protocol, peer address family)
//! carries all the port ranges of that peer and protocol in
//! `destination_port_ranges`. The peer side is the peer's application
//! security group when it has a `ref` (`*_application_security_group_ids`),
//! otherwise its address prefixes of one family (Azure refuses a rule whose
//! prefixes mix IPv4 and IPv6: "ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies").
//! The node side is the node's application security group when it has a
//! `ref`, otherwise `*`: whatever the node's own NSG protects.
//!
//! # Priorities
//!
//! A rule's priority is `100 + FNV-1a(key) mod 3900` (so 100–3999), unless
//! `pinned_priorities` pins it. It depends on nothing but the rule's own key
//! (node, direction, peer, protocol, address family): not on other rules, on
//! ports or on order. So adding a node or a flow never renumbers a rule that
//! exists; new ports for an existing peer and protocol only extend its
//! `destination_port_ranges`. When two rules of one NSG and direction derive
//! the same priority, shaping fails with an error naming both and a free
//! priority to pin one of them to; it never resolves the clash by moving a
//! rule. 4000–4096 are never derived and stay free for your own rules, such
//! as a final deny.
//!
//! Limits, from the Azure networking limits (Azure subscription and service
//! limits, "Networking limits - Azure Resource Manager",
//! <https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-resource-manager-virtual-networking-limits>):
//! 1,000 rules per NSG; 4,000 "IP addresses and ranges specified for source
//! or destination in a security group" (separately for source and
//! destination); 100 application security groups "within all security rules
//! of a network security group". Rule properties, from "Network security
//! groups" (<https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview>):
//! the name "can be up to 80 characters long. It must begin with a word
//! character, and it must end with a word character or with '_'"; priority
//! "a number between 100 and 4096"; two rules may not share priority and
//! direction. The description is at most 140 bytes of UTF-8 (Azure counts
//! bytes, so a description is cut at a character boundary within 140 bytes).
//! A `ref` is an application security group's resource id,
//! `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/applicationSecurityGroups/<name>`,
//! or a service tag (`Internet`, `AzureLoadBalancer`, `VirtualNetwork`,
//! `Storage.WestEurope`, ...: letters and digits, with at most one `.` before
//! a region), which a rule names as its `*_address_prefix`; checked at plan.
//! Rules naming a peer by its ref keep the family `ref` in their key.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    Family, Index, Shaped, cut_with_hash, dir_short, families, flow_records, groups, nets_of,
    node_path, risk, stable_hash,
};
use crate::catalog::Protocol;
use crate::issue::{Issue, Path};
use crate::rules::{Computation, Direction, describe, truncate_bytes};

/// Lowest priority Azure accepts.
pub const MIN_PRIORITY: i64 = 100;
/// Highest priority Azure accepts.
pub const MAX_PRIORITY: i64 = 4096;
/// Highest derived priority: 4000–4096 stay free for the user's rules.
pub const MAX_DERIVED: i64 = 3999;
/// Rules per NSG.
pub const MAX_RULES: usize = 1000;
/// Source (and, separately, destination) addresses and ranges per NSG.
pub const MAX_PREFIXES: usize = 4000;
/// Application security groups within all rules of an NSG.
pub const MAX_ASGS: usize = 100;
/// Longest rule name.
pub const MAX_NAME: usize = 80;
/// Longest rule description.
pub const MAX_DESCRIPTION: usize = 140;

/// An Azure network security rule (`portmap_azure_nsg_rules.rules[key]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AzureRule {
    /// The node whose NSG holds the rule.
    pub node: String,
    /// The node at the other end.
    pub peer: String,
    /// Rule name, unique in the NSG.
    pub name: String,
    /// 100–4096, unique per NSG and direction.
    pub priority: i64,
    /// `Inbound` or `Outbound`.
    pub direction: String,
    /// Always `Allow`.
    pub access: String,
    /// `Tcp` or `Udp`.
    pub protocol: String,
    /// Always `*`.
    pub source_port_range: String,
    /// Port ranges such as `443` and `8300-8302`.
    pub destination_port_ranges: Vec<String>,
    /// `*` for the node side of an outbound rule without a node ASG.
    pub source_address_prefix: Option<String>,
    /// The peer's prefixes of one family (inbound).
    pub source_address_prefixes: Option<Vec<String>>,
    /// An ASG (the peer's inbound, the node's outbound).
    pub source_application_security_group_ids: Option<Vec<String>>,
    /// `*` for the node side of an inbound rule without a node ASG.
    pub destination_address_prefix: Option<String>,
    /// The peer's prefixes of one family (outbound).
    pub destination_address_prefixes: Option<Vec<String>>,
    /// An ASG (the node's inbound, the peer's outbound).
    pub destination_application_security_group_ids: Option<Vec<String>>,
    /// Product and purposes, at most 140 characters.
    pub description: String,
    /// Keys of the flows served.
    pub flows: Vec<String>,
}

/// Options of the Azure shape.
#[derive(Debug, Clone, Default)]
pub struct AzureOptions {
    /// Priorities pinned by rule key.
    pub pinned: BTreeMap<String, i64>,
    /// Risk findings are errors.
    pub risks_as_errors: bool,
}

/// The priority derived from a rule key: 100–3999.
pub fn derived_priority(key: &str) -> i64 {
    let span = (MAX_DERIVED - MIN_PRIORITY + 1) as u64;
    MIN_PRIORITY + (stable_hash(key) % span) as i64
}

/// Whether a name is a valid Azure security rule name.
pub fn valid_name(name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let n = name.chars().count();
    (1..=MAX_NAME).contains(&n)
        && name.chars().next().is_some_and(word)
        && name.chars().last().is_some_and(word)
        && name.chars().all(|c| word(c) || c == '.' || c == '-')
}

/// Whether the text is an application security group's resource id:
/// `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/applicationSecurityGroups/<name>`
/// (segment names in any case, as Azure compares them), with a valid name.
pub fn valid_asg_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    let [
        "",
        subscriptions,
        subscription,
        resource_groups,
        group,
        providers,
        namespace,
        kind,
        name,
    ] = parts.as_slice()
    else {
        return false;
    };
    let segment = |s: &str| !s.is_empty() && !s.chars().any(char::is_whitespace);
    subscriptions.eq_ignore_ascii_case("subscriptions")
        && resource_groups.eq_ignore_ascii_case("resourceGroups")
        && providers.eq_ignore_ascii_case("providers")
        && namespace.eq_ignore_ascii_case("Microsoft.Network")
        && kind.eq_ignore_ascii_case("applicationSecurityGroups")
        && segment(subscription)
        && segment(group)
        && valid_name(name)
}

/// Whether the text has the form of an Azure service tag: a name of
/// letters and digits starting with a letter (`Internet`,
/// `AzureLoadBalancer`, `VirtualNetwork`, `AzureCloud`), optionally a `.` and
/// a region of letters and digits (`Storage.WestEurope`). Which tags exist
/// is Azure's to say; the form is what can be checked at plan.
pub fn valid_service_tag(tag: &str) -> bool {
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric());
    let (name, region) = match tag.split_once('.') {
        Some((name, region)) => (name, Some(region)),
        None => (tag, None),
    };
    name.starts_with(|c: char| c.is_ascii_alphabetic()) && word(name) && region.is_none_or(word)
}

/// An error for each node whose `ref` is neither an application security
/// group's resource id nor a service tag.
fn check_refs(c: &Computation<'_>) -> Vec<Issue> {
    c.resolved
        .nodes
        .iter()
        .filter_map(|n| Some((n, n.reference.as_deref()?)))
        .filter(|(_, r)| !valid_asg_id(r) && !valid_service_tag(r))
        .map(|(n, r)| {
            Issue::error(
                node_path(&n.name).attr("ref"),
                format!("Invalid application security group id \"{r}\""),
                "On Azure a node's ref is the resource id of its application security group, /subscriptions/<subscription id>/resourceGroups/<resource group>/providers/Microsoft.Network/applicationSecurityGroups/<name> (for example azurerm_application_security_group.<name>.id), or a service tag such as Internet, AzureLoadBalancer, VirtualNetwork or Storage.WestEurope (letters and digits, optionally a '.' and a region).",
            )
        })
        .collect()
}

/// How a rule names a node by its `ref`: a service tag as the address
/// prefix, otherwise an application security group (an invalid ref is
/// reported by [`check_refs`] and shaped as an ASG, as before tags existed).
fn ref_side(reference: &str) -> Side {
    if valid_service_tag(reference) {
        Side::Tag(reference.to_string())
    } else {
        Side::Asg(reference.to_string())
    }
}

fn pins_path() -> Path {
    Path::root().attr("pinned_priorities")
}

/// Checks pinned priorities: each within 100–4096.
pub fn check_pins(pins: &BTreeMap<String, i64>) -> Vec<Issue> {
    pins.iter()
        .filter(|(_, p)| !(MIN_PRIORITY..=MAX_PRIORITY).contains(*p))
        .map(|(k, p)| {
            Issue::error(
                pins_path().key(k),
                format!("Priority {p} is out of range"),
                format!("Azure security rule priorities are {MIN_PRIORITY} to {MAX_PRIORITY}."),
            )
        })
        .collect()
}

enum Side {
    Any,
    Asg(String),
    Tag(String),
    Prefixes(Vec<String>),
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "Tcp",
        Protocol::Udp => "Udp",
    }
}

/// Shapes the computation's rules for Azure.
pub fn shape(c: &Computation<'_>, o: &AzureOptions) -> Shaped<AzureRule> {
    let mut rules = BTreeMap::new();
    let ix = Index::new(c);
    for g in groups(&ix) {
        let peer_sides: Vec<(&str, &str, Side)> = match &g.peer.reference {
            Some(r) => {
                let side = ref_side(r);
                let short = if matches!(side, Side::Tag(_)) {
                    "tag"
                } else {
                    "asg"
                };
                vec![("ref", short, side)]
            }
            None => families(&g.peer.cidrs)
                .into_iter()
                .map(|f| {
                    (
                        f.key(),
                        f.short(),
                        Side::Prefixes(nets_of(&g.peer.cidrs, f)),
                    )
                })
                .collect(),
        };
        for (proto, ranges) in &g.ports {
            let records: Vec<_> = flow_records(&ix, &g.flows)
                .into_iter()
                .filter(|f| f.protocol == *proto)
                .collect();
            let flows: Vec<String> = records.iter().map(|f| f.key.to_string()).collect();
            let text = truncate_bytes(&describe(&records, usize::MAX), MAX_DESCRIPTION);
            for (fam_key, fam_short, peer_side) in &peer_sides {
                let key = format!(
                    "{}:{}:{}:{}:{}",
                    g.node.name, g.direction, g.peer.name, proto, fam_key
                );
                let full = format!(
                    "{}-{}-{}-{}-{}",
                    g.node.name,
                    dir_short(g.direction),
                    g.peer.name,
                    proto,
                    fam_short
                );
                let node_side = match &g.node.reference {
                    Some(r) => ref_side(r),
                    None => Side::Any,
                };
                let (source, destination) = match g.direction {
                    Direction::Ingress => (clone_side(peer_side), node_side),
                    Direction::Egress => (node_side, clone_side(peer_side)),
                };
                let source = split(source);
                let destination = split(destination);
                let rule = AzureRule {
                    node: g.node.name.clone(),
                    peer: g.peer.name.clone(),
                    name: cut_with_hash(&full, MAX_NAME, &key),
                    priority: o
                        .pinned
                        .get(&key)
                        .copied()
                        .unwrap_or_else(|| derived_priority(&key)),
                    direction: match g.direction {
                        Direction::Ingress => "Inbound".into(),
                        Direction::Egress => "Outbound".into(),
                    },
                    access: "Allow".into(),
                    protocol: protocol_name(*proto).into(),
                    source_port_range: "*".into(),
                    destination_port_ranges: ranges.iter().map(ToString::to_string).collect(),
                    source_address_prefix: source.address_prefix,
                    source_address_prefixes: source.address_prefixes,
                    source_application_security_group_ids: source.application_security_group_ids,
                    destination_address_prefix: destination.address_prefix,
                    destination_address_prefixes: destination.address_prefixes,
                    destination_application_security_group_ids: destination
                        .application_security_group_ids,
                    description: text.clone(),
                    flows: flows.clone(),
                };
                rules.insert(key, rule);
            }
        }
    }
    let mut issues = check_pins(&o.pinned);
    issues.extend(check_refs(c));
    issues.extend(o.pinned.keys().filter(|k| !rules.contains_key(*k)).map(|k| {
        Issue::warning(
            pins_path().key(k),
            format!("No rule \"{k}\" to pin"),
            "The pinned key matches none of the computed rules (keys are node:direction:peer:protocol:family), so the pin has no effect. Remove it, or correct the key.",
        )
    }));
    issues.extend(super::unserved(
        &ix,
        "Azure",
        rules.values().map(|r| {
            let d = if r.direction == "Inbound" {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            (r.node.as_str(), d, r.flows.as_slice())
        }),
        &std::collections::BTreeSet::new(),
    ));
    issues.extend(collisions(&rules));
    issues.extend(quotas(&rules));
    issues.extend(risk::check(
        c,
        &|peer| match peer.reference.as_deref() {
            None => risk::whole_internet_cidrs(peer),
            // Azure compares service tags without regard to case.
            Some(tag) if tag.eq_ignore_ascii_case("Internet") => {
                Some((format!("is the service tag {tag}"), "ref"))
            }
            Some(_) => None,
        },
        o.risks_as_errors,
    ));
    Shaped { rules, issues }
}

fn clone_side(s: &Side) -> Side {
    match s {
        Side::Any => Side::Any,
        Side::Asg(a) => Side::Asg(a.clone()),
        Side::Tag(t) => Side::Tag(t.clone()),
        Side::Prefixes(p) => Side::Prefixes(p.clone()),
    }
}

/// One end of an NSG rule in the rule's three mutually exclusive fields:
/// exactly one is set.
struct SideFields {
    /// `*` or a service tag (`address_prefix`).
    address_prefix: Option<String>,
    /// CIDRs (`address_prefixes`).
    address_prefixes: Option<Vec<String>>,
    /// An application security group (`application_security_group_ids`).
    application_security_group_ids: Option<Vec<String>>,
}

fn split(s: Side) -> SideFields {
    let (address_prefix, address_prefixes, application_security_group_ids) = match s {
        Side::Any => (Some("*".into()), None, None),
        Side::Tag(t) => (Some(t), None, None),
        Side::Prefixes(p) => (None, Some(p), None),
        Side::Asg(a) => (None, None, Some(vec![a])),
    };
    SideFields {
        address_prefix,
        address_prefixes,
        application_security_group_ids,
    }
}

/// Two rules of one NSG and direction with the same priority.
fn collisions(rules: &BTreeMap<String, AzureRule>) -> Vec<Issue> {
    let mut used: BTreeMap<(&str, &str), BTreeMap<i64, Vec<&str>>> = BTreeMap::new();
    for (k, r) in rules {
        used.entry((&r.node, &r.direction))
            .or_default()
            .entry(r.priority)
            .or_default()
            .push(k);
    }
    let mut issues = Vec::new();
    for ((node, dir), by_priority) in &used {
        for (p, keys) in by_priority.iter().filter(|(_, ks)| ks.len() > 1) {
            let free = (0..=(MAX_DERIVED - MIN_PRIORITY))
                .map(|i| {
                    MIN_PRIORITY
                        + (p - MIN_PRIORITY + 1 + i).rem_euclid(MAX_DERIVED - MIN_PRIORITY + 1)
                })
                .find(|q| !by_priority.contains_key(q))
                .unwrap_or(MAX_DERIVED + 1);
            let last = keys.last().copied().unwrap_or_default();
            issues.push(Issue::error(
                pins_path(),
                format!("Rules {} of node \"{node}\" share priority {p}", keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(" and ")),
                format!(
                    "Azure priorities must be unique per NSG and direction ({dir}). Each rule's priority is derived from its own key so that adding nodes and flows never renumbers existing rules; the data source therefore never moves a rule to resolve a clash. Pin one of them, preferably the one you are adding, to a free priority, for example:\n  pinned_priorities = {{\n    \"{last}\" = {free}\n  }}"
                ),
            ));
        }
    }
    issues
}

fn quotas(rules: &BTreeMap<String, AzureRule>) -> Vec<Issue> {
    #[derive(Default)]
    struct Nsg<'a> {
        rules: usize,
        sources: usize,
        destinations: usize,
        asgs: std::collections::BTreeSet<&'a str>,
    }
    let mut by_node: BTreeMap<&str, Nsg<'_>> = BTreeMap::new();
    for r in rules.values() {
        let n = by_node.entry(&r.node).or_default();
        n.rules += 1;
        n.sources += r.source_address_prefixes.as_ref().map_or(0, Vec::len);
        n.destinations += r.destination_address_prefixes.as_ref().map_or(0, Vec::len);
        for a in r
            .source_application_security_group_ids
            .iter()
            .chain(&r.destination_application_security_group_ids)
            .flatten()
        {
            n.asgs.insert(a);
        }
    }
    let advice = |node: &str| {
        format!(
            "Split \"{node}\" into several nodes with their own NSGs, or give peers a ref (an application security group) instead of many CIDRs."
        )
    };
    let mut issues = Vec::new();
    for (node, n) in by_node {
        let mut over = |what: String, limit: usize, count: usize| {
            if count > limit {
                issues.push(Issue::error(
                    node_path(node),
                    format!("NSG of node \"{node}\" needs {count} {what}; Azure allows {limit}"),
                    format!("Azure's networking limits allow {limit} {what} per network security group. {}", advice(node)),
                ));
            }
        };
        over("rules".into(), MAX_RULES, n.rules);
        over(
            "source addresses and ranges".into(),
            MAX_PREFIXES,
            n.sources,
        );
        over(
            "destination addresses and ranges".into(),
            MAX_PREFIXES,
            n.destinations,
        );
        over("application security groups".into(), MAX_ASGS, n.asgs.len());
    }
    issues
}

/// The family of a rule's prefixes, if it has any (for tests and checks).
pub fn prefix_family(r: &AzureRule) -> Option<Family> {
    let p = r
        .source_address_prefixes
        .as_ref()
        .or(r.destination_address_prefixes.as_ref())?;
    p.first()
        .and_then(|s| s.parse::<ipnet::IpNet>().ok())
        .map(|n| Family::of(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_must_be_application_security_group_ids() {
        let id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-print/providers/Microsoft.Network/applicationSecurityGroups/asg-admins";
        assert!(valid_asg_id(id));
        assert!(valid_asg_id(&id.to_lowercase()));
        for bad in [
            "asg-admins",
            "sg-0123456789abcdef0",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg",
            "/subscriptions//resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/a",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/a-",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/a/extra",
        ] {
            assert!(!valid_asg_id(bad), "{bad}");
        }
        let c = compute(
            vec![
                (
                    "oe",
                    n(&format!("plossys/output-engine | 10.1.0.10 | ref={id}")),
                ),
                (
                    "admins",
                    n("plossys/admin | 10.3.0.0/24 | group ref=asg-admins"),
                ),
            ],
            &[],
        );
        let e: Vec<(String, String)> = shape(&c, &AzureOptions::default())
            .issues
            .iter()
            .filter(|i| i.is_error())
            .map(|i| (i.path.to_string(), i.summary.clone()))
            .collect();
        assert_eq!(
            e,
            vec![(
                "nodes[\"admins\"].ref".to_string(),
                "Invalid application security group id \"asg-admins\"".to_string()
            )]
        );
    }

    #[test]
    fn descriptions_are_cut_within_140_bytes_at_a_character_boundary() {
        // 139 ASCII bytes then "é" (2 bytes): 141 bytes in 140 characters.
        let text = format!("{}é", "a".repeat(139));
        assert_eq!(text.chars().count(), 140);
        let cut = truncate_bytes(&text, MAX_DESCRIPTION);
        assert_eq!(cut, format!("{}...", "a".repeat(137)));
        // "é" straddling the cut: cut before it, never inside it.
        // 135 bytes, "é" at bytes 135-136, "é" at 137-138: room for 137
        // bytes before "...", so the second "é" goes.
        let text = format!("{}éé{}", "a".repeat(135), "b".repeat(10));
        let cut = truncate_bytes(&text, MAX_DESCRIPTION);
        assert_eq!(cut, format!("{}é...", "a".repeat(135)));
        assert_eq!(cut.len(), 140);
        // 136 bytes, "é" at 136-137: the cut at 137 would split it.
        let text = format!("{}éé{}", "a".repeat(136), "b".repeat(10));
        assert_eq!(
            truncate_bytes(&text, MAX_DESCRIPTION),
            format!("{}...", "a".repeat(136))
        );
        assert_eq!(truncate_bytes("short é", MAX_DESCRIPTION), "short é");
    }
    use crate::cloud::testkit::{
        Openings, cidrs, compute, n, open, plossys_nodes, range, required, scenarios,
    };
    use crate::topology::{Node, ResolvedNode};

    fn openings(rules: &BTreeMap<String, AzureRule>) -> Openings {
        let mut o = Openings::new();
        for r in rules.values() {
            let d = if r.direction == "Inbound" {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            let (prefixes, asgs, single) = match d {
                Direction::Ingress => (
                    &r.source_address_prefixes,
                    &r.source_application_security_group_ids,
                    &r.source_address_prefix,
                ),
                Direction::Egress => (
                    &r.destination_address_prefixes,
                    &r.destination_application_security_group_ids,
                    &r.destination_address_prefix,
                ),
            };
            // The peer side is a single prefix only when it is the peer's
            // service tag (its ref), never `*`.
            let endpoints: Vec<String> = match (prefixes, asgs, single) {
                (Some(p), None, None) => p.clone(),
                (None, Some(a), None) => a.iter().map(|a| format!("ref:{a}")).collect(),
                (None, None, Some(tag)) if valid_service_tag(tag) => vec![format!("ref:{tag}")],
                other => panic!(
                    "peer side is not exactly one of prefixes, ASGs and a service tag: {other:?}"
                ),
            };
            let p = if r.protocol == "Tcp" {
                Protocol::Tcp
            } else {
                Protocol::Udp
            };
            for e in &endpoints {
                for pr in &r.destination_port_ranges {
                    open(&mut o, &r.node, d, e, p, range(pr));
                }
            }
        }
        o
    }

    fn policy(_: Direction, _: &ResolvedNode, peer: &ResolvedNode) -> Vec<String> {
        match &peer.reference {
            Some(r) => vec![format!("ref:{r}")],
            None => cidrs(peer),
        }
    }

    #[test]
    fn exactly_what_the_flows_require_in_valid_rules() {
        for (name, c) in scenarios() {
            let s = shape(&c, &AzureOptions::default());
            // The scenarios' refs are short names shared with the other
            // shapes, not resource ids: refs_must_be_application_security_group_ids
            // tests that error.
            assert!(
                s.issues.iter().all(|i| !i.is_error()
                    || i.summary
                        .starts_with("Invalid application security group id")),
                "{name}: {:#?}",
                s.issues
            );
            let mut names = std::collections::BTreeSet::new();
            for r in s.rules.values() {
                assert!(valid_name(&r.name), "{name}: {r:?}");
                assert!(
                    names.insert((r.node.clone(), r.name.clone())),
                    "{name}: duplicate name {}",
                    r.name
                );
                assert!(
                    (MIN_PRIORITY..=MAX_DERIVED).contains(&r.priority),
                    "{name}: {r:?}"
                );
                assert!(r.description.chars().count() <= MAX_DESCRIPTION);
                assert_eq!(
                    (r.access.as_str(), r.source_port_range.as_str()),
                    ("Allow", "*")
                );
                for side in [
                    (
                        &r.source_address_prefix,
                        &r.source_address_prefixes,
                        &r.source_application_security_group_ids,
                    ),
                    (
                        &r.destination_address_prefix,
                        &r.destination_address_prefixes,
                        &r.destination_application_security_group_ids,
                    ),
                ] {
                    let set = [side.0.is_some(), side.1.is_some(), side.2.is_some()]
                        .iter()
                        .filter(|b| **b)
                        .count();
                    assert_eq!(set, 1, "{name}: {r:?}");
                }
                for list in [&r.source_address_prefixes, &r.destination_address_prefixes]
                    .into_iter()
                    .flatten()
                {
                    let fams: std::collections::BTreeSet<Family> = list
                        .iter()
                        .filter_map(|s| s.parse::<ipnet::IpNet>().ok())
                        .map(|n| Family::of(&n))
                        .collect();
                    assert_eq!(fams.len(), 1, "{name}: mixed families {r:?}");
                }
            }
            assert_eq!(openings(&s.rules), required(&c, &policy), "{name}");
        }
    }

    #[test]
    fn a_ref_that_is_a_service_tag_names_the_peer_as_its_address_prefix() {
        let asg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg-oe";
        let c = compute(
            vec![
                (
                    "oe",
                    n(&format!("plossys/output-engine | 10.1.0.10 | ref={asg}")),
                ),
                ("lb", n("plossys/client | | group ref=AzureLoadBalancer")),
                ("admins", n("plossys/admin | | group ref=Internet")),
            ],
            &[],
        );
        let s = shape(&c, &AzureOptions::default());
        // The PLOSSYS tables: clients print on 443, 515 and 631;
        // administrators reach Kibana (5601) and the Administrator (9000).
        let r = &s.rules["oe:ingress:lb:tcp:ref"];
        assert_eq!(
            r.source_address_prefix.as_deref(),
            Some("AzureLoadBalancer")
        );
        assert_eq!(r.source_address_prefixes, None);
        assert_eq!(r.source_application_security_group_ids, None);
        assert_eq!(
            r.destination_application_security_group_ids,
            Some(vec![asg.to_string()])
        );
        assert_eq!(r.destination_port_ranges, ["443", "515", "631"]);
        assert_eq!(r.name, "oe-in-lb-tcp-tag");
        let r = &s.rules["lb:egress:oe:tcp:ref"];
        assert_eq!(
            r.source_address_prefix.as_deref(),
            Some("AzureLoadBalancer")
        );
        assert_eq!(r.name, "lb-out-oe-tcp-asg");
        // A sensitive port (administration) open to the service tag
        // Internet is a risk finding at the node's ref.
        let risk = s
            .issues
            .iter()
            .find(|i| i.summary.starts_with("Risk:") && i.summary.contains("whole internet"))
            .expect("a finding");
        assert_eq!(risk.path, node_path("admins").attr("ref"));
        assert!(
            risk.detail.contains("is the service tag Internet"),
            "{}",
            risk.detail
        );
        assert!(!s.issues.iter().any(Issue::is_error), "{:#?}", s.issues);
        for tag in [
            "Internet",
            "AzureLoadBalancer",
            "VirtualNetwork",
            "Storage.WestEurope",
            "AzureCloud.eastus2",
        ] {
            assert!(valid_service_tag(tag), "{tag}");
        }
        for not in [
            "",
            "asg-admins",
            "sg-0aaa1111",
            "Storage.",
            ".WestEurope",
            "A.b.c",
            "1Internet",
            "Internet ",
        ] {
            assert!(!valid_service_tag(not), "{not}");
        }
    }

    #[test]
    fn one_rule_per_peer_protocol_and_family_with_all_its_ports() {
        let c = compute(
            vec![
                (
                    "oe",
                    n("plossys/output-engine | 10.1.0.0/28 2001:db8:1::/64 | group ref=asg-oe"),
                ),
                (
                    "clients",
                    n("plossys/client | 10.2.0.0/16 2001:db8:2::/48 | group"),
                ),
            ],
            &[],
        );
        let s = shape(&c, &AzureOptions::default());
        let r = &s.rules["oe:ingress:clients:tcp:ipv6"];
        assert_eq!(r.name, "oe-in-clients-tcp-v6");
        assert_eq!(r.priority, derived_priority("oe:ingress:clients:tcp:ipv6"));
        assert_eq!(
            (r.direction.as_str(), r.protocol.as_str()),
            ("Inbound", "Tcp")
        );
        // IPPS, LPR, IPP.
        assert_eq!(r.destination_port_ranges, vec!["443", "515", "631"]);
        assert_eq!(
            r.source_address_prefixes,
            Some(vec!["2001:db8:2::/48".to_string()])
        );
        assert_eq!(
            r.destination_application_security_group_ids,
            Some(vec!["asg-oe".to_string()])
        );
        assert_eq!(
            r.description,
            "plossys: Job acceptance via IPP (seal-ipp-checkin); Job acceptance via IPPS (seal-ipp-checkin); Job acceptance via LPR (seal-checkin)"
        );
        let out = &s.rules["clients:egress:oe:tcp:ref"];
        assert_eq!(out.source_address_prefix.as_deref(), Some("*"));
        assert_eq!(
            out.destination_application_security_group_ids,
            Some(vec!["asg-oe".to_string()])
        );
        // Inside the group: DNS over UDP, and Serf LAN/WAN.
        let udp = &s.rules["oe:ingress:oe:udp:ref"];
        assert_eq!(udp.destination_port_ranges, vec!["53", "8301-8302"]);
    }

    fn plossys(extra: Vec<(&'static str, Node)>, features: &[&str]) -> Computation<'static> {
        compute([plossys_nodes(), extra].concat(), &[("plossys", features)])
    }

    #[test]
    fn adding_a_node_or_a_flow_never_renumbers() {
        let before = shape(&plossys(vec![], &[]), &AzureOptions::default()).rules;
        // A node: monitoring adds a peer of oe (and the metrics port 1948
        // inside the cluster, a new flow on an existing rule).
        let after = shape(
            &plossys(
                vec![("monitoring", n("plossys/monitoring | 10.4.0.10"))],
                &[],
            ),
            &AzureOptions::default(),
        )
        .rules;
        assert!(after.len() > before.len());
        for (k, r) in &before {
            let a = &after[k];
            assert_eq!((&a.name, a.priority), (&r.name, r.priority), "{k}");
        }
        let inside = &after["oe:ingress:oe:tcp:ipv4"];
        assert!(inside.destination_port_ranges.contains(&"1948".to_string()));
        assert!(
            !before["oe:ingress:oe:tcp:ipv4"]
                .destination_port_ranges
                .contains(&"1948".to_string())
        );
        // A flow: Keycloak adds port 32769 for administrators and inside the
        // cluster; every rule keeps its name and priority.
        let c = plossys(vec![], &["keycloak"]);
        let flows_added = shape(&c, &AzureOptions::default()).rules;
        assert_eq!(
            flows_added.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>()
        );
        for (k, r) in &before {
            assert_eq!(
                (&flows_added[k].name, flows_added[k].priority),
                (&r.name, r.priority),
                "{k}"
            );
        }
        assert!(
            flows_added["oe:ingress:admins:tcp:ref"]
                .destination_port_ranges
                .contains(&"32769".to_string())
        );
    }

    /// Two peers whose inbound rules on "oe" derive the same priority.
    fn colliding_peers() -> (String, String) {
        let mut seen: BTreeMap<i64, String> = BTreeMap::new();
        for i in 0..10_000 {
            let peer = format!("c{i}");
            let p = derived_priority(&format!("oe:ingress:{peer}:tcp:ipv4"));
            if let Some(other) = seen.insert(p, peer.clone()) {
                return (other, peer);
            }
        }
        panic!("no collision found");
    }

    #[test]
    fn a_clash_is_an_error_and_a_pin_resolves_it_without_moving_the_other() {
        let (a, b) = colliding_peers();
        let nodes = || {
            vec![
                ("oe", n("plossys/output-engine | 10.1.0.10")),
                (a.as_str(), n("plossys/client | 10.2.0.0/16 | group")),
                (b.as_str(), n("plossys/client | 10.3.0.0/16 | group")),
            ]
        };
        let c = compute(nodes(), &[]);
        let s = shape(&c, &AzureOptions::default());
        let ka = format!("oe:ingress:{a}:tcp:ipv4");
        let kb = format!("oe:ingress:{b}:tcp:ipv4");
        let p = s.rules[&ka].priority;
        let err: Vec<&Issue> = s.issues.iter().filter(|i| i.is_error()).collect();
        assert_eq!(err.len(), 1, "{err:#?}");
        let (first, second) = if ka < kb { (&ka, &kb) } else { (&kb, &ka) };
        assert_eq!(
            err[0].summary,
            format!("Rules \"{first}\" and \"{second}\" of node \"oe\" share priority {p}")
        );
        assert_eq!(err[0].path.to_string(), "pinned_priorities");
        let suggested = p + 1;
        assert!(
            err[0]
                .detail
                .contains(&format!("\"{second}\" = {suggested}")),
            "{}",
            err[0].detail
        );
        let pinned = AzureOptions {
            pinned: [(second.clone(), suggested)].into_iter().collect(),
            risks_as_errors: false,
        };
        let s = shape(&c, &pinned);
        assert!(s.issues.iter().all(|i| !i.is_error()), "{:#?}", s.issues);
        assert_eq!(s.rules[first].priority, p);
        assert_eq!(s.rules[second].priority, suggested);
    }

    #[test]
    fn bad_and_unknown_pins() {
        let c = plossys(vec![], &[]);
        let pins = [
            ("oe:ingress:clients:tcp:ipv4".to_string(), 99),
            ("nope".to_string(), 200),
        ]
        .into_iter()
        .collect();
        let s = shape(
            &c,
            &AzureOptions {
                pinned: pins,
                risks_as_errors: false,
            },
        );
        let texts: Vec<(String, String, bool)> = s
            .issues
            .iter()
            .filter(|i| i.path.to_string().starts_with("pinned"))
            .map(|i| (i.path.to_string(), i.summary.clone(), i.is_error()))
            .collect();
        assert_eq!(
            texts,
            vec![
                (
                    "pinned_priorities[\"oe:ingress:clients:tcp:ipv4\"]".into(),
                    "Priority 99 is out of range".into(),
                    true
                ),
                (
                    "pinned_priorities[\"nope\"]".into(),
                    "No rule \"nope\" to pin".into(),
                    false
                ),
            ]
        );
    }

    #[test]
    fn long_names_are_cut_with_a_hash() {
        let long_a = format!("a{}", "x".repeat(62));
        let long_b = format!("b{}", "y".repeat(62));
        let c = compute(
            vec![
                (long_a.as_str(), n("plossys/output-engine | 10.1.0.10")),
                (long_b.as_str(), n("plossys/client | 10.2.0.0/16 | group")),
            ],
            &[],
        );
        let s = shape(&c, &AzureOptions::default());
        for (k, r) in &s.rules {
            assert!(valid_name(&r.name), "{r:?}");
            assert_eq!(r.name.chars().count(), MAX_NAME);
            assert!(r.name.ends_with(&crate::cloud::short_hash(k)));
        }
    }

    #[test]
    fn too_many_prefixes_for_one_nsg() {
        let many: Vec<String> = (0..4001u32)
            .map(|i| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255))
            .collect();
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.1.0.10")),
                (
                    "clients",
                    n(&format!("plossys/client | {} | group", many.join(" "))),
                ),
            ],
            &[],
        );
        let s = shape(&c, &AzureOptions::default());
        let e: Vec<&str> = s
            .issues
            .iter()
            .filter(|i| i.is_error())
            .map(|i| i.summary.as_str())
            .collect();
        // 443, 515 and 631 share one Tcp rule with 4001 source prefixes; the
        // clients' outbound rule names the one address of "oe".
        assert_eq!(
            e,
            vec!["NSG of node \"oe\" needs 4001 source addresses and ranges; Azure allows 4000"]
        );
    }
}

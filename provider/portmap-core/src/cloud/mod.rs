//! Cloud shapes: the least-privilege rules of a [`Computation`] in the exact
//! argument shape of each platform's firewall resource, checked against the
//! platform's limits, plus the risk checks they share.
//!
//! - [`aws`] shapes `aws_vpc_security_group_ingress_rule` / `..._egress_rule`.
//! - [`azure`] shapes `azurerm_network_security_rule`.
//! - [`gcp`] shapes `google_compute_firewall`.
//! - [`azure_firewall`] and [`aws_network_firewall`] shape the hub
//!   firewalls' rules (Azure Firewall network rule collections, AWS Network
//!   Firewall stateful rules) from the flows crossing a zone boundary
//!   ([`crate::perimeter::policies`]).
//! - [`risk`] finds sensitive ports open to the internet, cleartext protocols at
//!   trust boundaries, very wide port ranges.
//!
//! Each shape returns serde-serializable rules keyed by a stable,
//! content-derived key (ready for Terraform's `for_each`) and the issues
//! found: quota errors and risk warnings, with the path of the input to fix.
//! Shapes never widen a rule: every (peer address, protocol, port) a shape
//! allows is required by a firewall flow of the computation.

pub mod aws;
pub mod aws_network_firewall;
pub mod azure;
pub mod azure_firewall;
pub mod azure_priorities;
pub mod gcp;
pub(crate) mod hub;
pub mod risk;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;

use ipnet::IpNet;

use crate::flows::FlowRecord;
use crate::issue::{Issue, Path};
use crate::rules::{Computation, Direction};
use crate::topology::ResolvedNode;

/// The rules of one shape, by key, and the issues found while shaping.
#[derive(Debug, Clone)]
pub struct Shaped<R> {
    /// Rules by stable key.
    pub rules: BTreeMap<String, R>,
    /// Quota errors, risk warnings and shape-specific problems.
    pub issues: Vec<Issue>,
}

/// The computation as the shapes see it when only some nodes' firewalls are
/// wanted (`for_nodes`): the rules of the selected nodes, and the flows with
/// a selected end. Every node stays resolved (peers are named by their
/// addresses and refs), and rules and flows are the whole computation's own,
/// so keys, priorities, names and descriptions are those of the whole
/// result. What a shape checks on its rules (quotas, priority clashes,
/// flows left without a rule, risks) then looks only at the selected nodes:
/// the others are not managed by the configuration that selects. `None`
/// selects every node; the computation is then borrowed, not copied.
pub fn select<'a, 'c>(
    c: &'a Computation<'c>,
    nodes: Option<&BTreeSet<String>>,
) -> std::borrow::Cow<'a, Computation<'c>> {
    let Some(nodes) = nodes else {
        return std::borrow::Cow::Borrowed(c);
    };
    let wanted = |name: &str| nodes.contains(name);
    std::borrow::Cow::Owned(Computation {
        resolved: c.resolved.clone(),
        flows: c
            .flows
            .iter()
            .filter(|f| wanted(&f.from_node) || wanted(&f.to_node))
            .cloned()
            .collect(),
        rules: crate::rules::RuleMap::from_rules(
            c.rules
                .values()
                .filter(|r| wanted(&r.node))
                .cloned()
                .collect(),
        ),
        unresolved: c.unresolved.clone(),
        issues: c.issues.clone(),
    })
}

/// An IP address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The family of a network.
    pub fn of(net: &IpNet) -> Family {
        match net {
            IpNet::V4(_) => Family::V4,
            IpNet::V6(_) => Family::V6,
        }
    }

    /// `ipv4` or `ipv6`, as used in rule keys.
    pub fn key(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }

    /// `IPv4` or `IPv6`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }

    /// `v4` or `v6`, as used in rule names.
    pub fn short(self) -> &'static str {
        match self {
            Family::V4 => "v4",
            Family::V6 => "v6",
        }
    }
}

/// The networks of one family, as strings, in their (sorted) order.
pub fn nets_of(nets: &[IpNet], family: Family) -> Vec<String> {
    nets.iter()
        .filter(|n| Family::of(n) == family)
        .map(ToString::to_string)
        .collect()
}

/// The families present among the networks, IPv4 first.
pub fn families(nets: &[IpNet]) -> Vec<Family> {
    let mut out: Vec<Family> = nets.iter().map(Family::of).collect();
    out.sort();
    out.dedup();
    out
}

/// A 64-bit FNV-1a hash of the text. Unlike `std`'s hasher it is fixed by
/// definition, so names and priorities derived from it are the same in
/// every build and on every platform.
pub fn stable_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The first 32 bits of [`stable_hash`] as 8 lower-case hex digits.
pub fn short_hash(text: &str) -> String {
    format!("{:08x}", stable_hash(text) >> 32)
}

/// `base` if it has at most `max` characters; otherwise its first
/// characters, then `-` and the [`short_hash`] of `hash_of`, `max` characters
/// in all. Names that are cut stay distinct (the hash is of the whole name)
/// and stable (the same input always gives the same name).
pub fn cut_with_hash(base: &str, max: usize, hash_of: &str) -> String {
    if base.chars().count() <= max {
        return base.to_string();
    }
    let suffix = short_hash(hash_of);
    let keep = max.saturating_sub(suffix.len() + 1);
    let head: String = base.chars().take(keep).collect();
    format!("{}-{suffix}", head.trim_end_matches('-'))
}

/// Word for a direction in rule names: `in` or `out`.
pub(crate) fn dir_short(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "in",
        Direction::Egress => "out",
    }
}

/// The path of a node in the input.
pub(crate) fn node_path(name: &str) -> Path {
    Path::root().attr("nodes").key(name)
}

/// A rule of the computation grouped for shapes that put several port
/// ranges (and protocols) into one platform rule.
#[derive(Debug, Clone)]
pub(crate) struct Group<'a> {
    pub node: &'a ResolvedNode,
    pub direction: Direction,
    pub peer: &'a ResolvedNode,
    /// Port ranges by protocol, ascending, as the computation's rules have
    /// them (disjoint, never adjacent).
    pub ports: BTreeMap<crate::catalog::Protocol, Vec<crate::ports::PortRange>>,
    /// Keys of the flows served, sorted.
    pub flows: Vec<Rc<str>>,
}

/// The lookups a shape makes for every rule, hashed once instead of a
/// binary search by name each time: nodes by name, and flows by key.
pub(crate) struct Index<'a, 'c> {
    c: &'a Computation<'c>,
    nodes: FxHashMap<&'a str, &'a ResolvedNode>,
    flows: FxHashMap<&'a str, &'a FlowRecord<'c>>,
}

impl<'a, 'c> Index<'a, 'c> {
    /// The index of a computation.
    pub(crate) fn new(c: &'a Computation<'c>) -> Self {
        Index {
            c,
            nodes: node_index(c),
            flows: c.flows.iter().map(|f| (&*f.key, f)).collect(),
        }
    }

    /// A node by name.
    pub(crate) fn node(&self, name: &str) -> Option<&'a ResolvedNode> {
        self.nodes.get(name).copied()
    }

    /// A flow by key.
    pub(crate) fn flow(&self, key: &str) -> Option<&'a FlowRecord<'c>> {
        self.flows.get(key).copied()
    }
}

/// The computation's nodes by name.
pub(crate) fn node_index<'a>(c: &'a Computation<'_>) -> FxHashMap<&'a str, &'a ResolvedNode> {
    c.resolved
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n))
        .collect()
}

/// Groups the computation's rules by (node, direction, peer), keeping the
/// port ranges of each protocol.
pub(crate) fn groups<'a>(ix: &Index<'a, '_>) -> Vec<Group<'a>> {
    let mut out: BTreeMap<(&str, Direction, &str), Group<'a>> = BTreeMap::new();
    for r in ix.c.rules.values() {
        let (Some(node), Some(peer)) = (ix.node(&r.node), ix.node(&r.peer)) else {
            continue;
        };
        let g = out
            .entry((&*r.node, r.direction, &*r.peer))
            .or_insert_with(|| Group {
                node,
                direction: r.direction,
                peer,
                ports: BTreeMap::new(),
                flows: Vec::new(),
            });
        g.ports.entry(r.protocol).or_default().push(r.ports);
        g.flows.extend(r.flows.iter().cloned());
    }
    out.into_values()
        .map(|mut g| {
            for ranges in g.ports.values_mut() {
                ranges.sort();
            }
            g.flows.sort();
            g.flows.dedup();
            g
        })
        .collect()
}

/// The flow records of a list of flow keys, for descriptions.
pub(crate) fn flow_records<'a, 'c>(
    ix: &Index<'a, 'c>,
    keys: &[Rc<str>],
) -> Vec<&'a FlowRecord<'c>> {
    keys.iter().filter_map(|k| ix.flow(k)).collect()
}

/// One line per flow, for warnings that name the flows left without a rule:
/// `- product flow: tcp/443 (purpose)`.
pub(crate) fn flow_lines(ix: &Index<'_, '_>, flows: &[Rc<str>]) -> String {
    flow_records(ix, flows)
        .iter()
        .map(|f| {
            format!(
                "- {} {}: {}/{} ({})",
                f.product, f.flow, f.protocol, f.ports, f.purpose
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The end of a rule of the computation: its node, direction and peer.
pub(crate) type End<'a> = (&'a str, Direction, &'a str);

/// Nothing dropped silently: a warning for every rule of the computation
/// (node, direction, peer) whose flows a shape serves with no rule of that
/// node and direction, naming the flows, unless the shape has reported that
/// end itself (`reported`). `served` lists each shaped rule's node,
/// direction and flow keys.
pub(crate) fn unserved<'r>(
    ix: &Index<'_, '_>,
    platform: &str,
    served: impl Iterator<Item = (&'r str, Direction, &'r [String])>,
    reported: &std::collections::BTreeSet<(String, Direction, String)>,
) -> Vec<Issue> {
    let mut done: FxHashSet<(&str, Direction, &str)> = FxHashSet::default();
    for (node, direction, flows) in served {
        for f in flows {
            done.insert((node, direction, f));
        }
    }
    let mut missing: BTreeMap<End<'_>, Vec<Rc<str>>> = BTreeMap::new();
    for r in ix.c.rules.values() {
        for f in r.flows.iter() {
            if !done.contains(&(&*r.node, r.direction, &**f)) {
                missing
                    .entry((&r.node, r.direction, &r.peer))
                    .or_default()
                    .push(f.clone());
            }
        }
    }
    missing
        .into_iter()
        .filter(|((node, direction, peer), _)| {
            !reported.contains(&(node.to_string(), *direction, peer.to_string()))
        })
        .map(|((node, direction, peer), mut flows)| {
            flows.sort();
            flows.dedup();
            let why = match ix.node(peer) {
                Some(p) if p.cidrs.is_empty() && p.reference.is_none() => {
                    format!("\"{peer}\" has neither cidrs nor ref, so no rule can name it.")
                }
                _ => format!("No {platform} rule could name both \"{node}\" and \"{peer}\"."),
            };
            Issue::warning(
                node_path(peer),
                format!("No {platform} {direction} rule at \"{node}\" for \"{peer}\""),
                format!(
                    "{why} These flows get no {direction} rule at \"{node}\":\n{}",
                    flow_lines(ix, &flows)
                ),
            )
        })
        .collect()
}

/// Makes every issue an error when `as_errors`.
pub(crate) fn escalate(issues: Vec<Issue>, as_errors: bool) -> Vec<Issue> {
    if !as_errors {
        return issues;
    }
    issues
        .into_iter()
        .map(|i| Issue {
            severity: crate::issue::Severity::Error,
            ..i
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a() {
        // Reference values of 64-bit FNV-1a.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(short_hash("a"), "af63dc4c");
    }

    #[test]
    fn cutting_keeps_short_names_and_hashes_long_ones() {
        assert_eq!(cut_with_hash("abc", 10, "abc"), "abc");
        let long = "a".repeat(100);
        let cut = cut_with_hash(&long, 20, &long);
        assert_eq!(cut.chars().count(), 20);
        assert!(cut.starts_with("aaaaaaaaaaa-"));
        assert_ne!(cut, cut_with_hash(&"a".repeat(101), 20, &"a".repeat(101)));
    }

    #[test]
    fn shaping_is_deterministic_whatever_the_input_order() {
        use testkit::{compute, n};
        let a = compute(
            vec![
                (
                    "oe",
                    n("plossys/output-engine | 2001:db8:1::/64 10.1.0.0/28 | group"),
                ),
                (
                    "clients",
                    n("plossys/client | 10.3.0.0/16 10.2.0.0/16 | group"),
                ),
                (
                    "admins",
                    n("plossys/admin plossys/monitoring | 10.4.0.0/24 | group ref=asg"),
                ),
            ],
            &[],
        );
        let b = compute(
            vec![
                (
                    "admins",
                    n("plossys/monitoring plossys/admin | 10.4.0.0/24 | group ref=asg"),
                ),
                (
                    "clients",
                    n("plossys/client | 10.2.0.0/16 10.3.0.0/16 | group"),
                ),
                (
                    "oe",
                    n("plossys/output-engine | 10.1.0.0/28 2001:db8:1::/64 | group"),
                ),
            ],
            &[],
        );
        let json = |c: &Computation<'_>| {
            (
                serde_json::to_string(&aws::shape(c, &aws::AwsOptions::default()).rules).ok(),
                serde_json::to_string(&azure::shape(c, &azure::AzureOptions::default()).rules).ok(),
                serde_json::to_string(&gcp::shape(c, &gcp::GcpOptions::default()).rules).ok(),
            )
        };
        assert_eq!(json(&a), json(&b));
        assert_eq!(json(&a), json(&a));
    }

    #[test]
    fn a_selection_shapes_exactly_the_whole_results_rules_of_its_nodes() {
        use testkit::scenarios;
        fn only<R: Clone>(
            rules: &BTreeMap<String, R>,
            keep: &dyn Fn(&R) -> bool,
        ) -> Vec<(String, R)> {
            rules
                .iter()
                .filter(|(_, r)| keep(r))
                .map(|(k, r)| (k.clone(), r.clone()))
                .collect()
        }
        for (name, c) in scenarios() {
            let names: Vec<String> = c.resolved.nodes.iter().map(|n| n.name.clone()).collect();
            // Every single node, and every node but the first.
            let mut selections: Vec<BTreeSet<String>> =
                names.iter().map(|n| BTreeSet::from([n.clone()])).collect();
            selections.push(names.iter().skip(1).cloned().collect());
            for sel in selections {
                let part = select(&c, Some(&sel));
                let wanted = |node: &str| sel.contains(node);
                assert!(part.rules.values().all(|r| wanted(&r.node)), "{name}");
                assert_eq!(
                    part.rules.len(),
                    c.rules.values().filter(|r| wanted(&r.node)).count(),
                    "{name} {sel:?}"
                );
                let whole = aws::shape(&c, &aws::AwsOptions::default());
                let mine = aws::shape(&part, &aws::AwsOptions::default());
                assert_eq!(
                    mine.rules.into_iter().collect::<Vec<_>>(),
                    only(&whole.rules, &|r: &aws::AwsRule| wanted(&r.node)),
                    "aws {name} {sel:?}"
                );
                let whole = azure::shape(&c, &azure::AzureOptions::default());
                let mine = azure::shape(&part, &azure::AzureOptions::default());
                assert_eq!(
                    mine.rules.into_iter().collect::<Vec<_>>(),
                    only(&whole.rules, &|r: &azure::AzureRule| wanted(&r.node)),
                    "azure {name} {sel:?}"
                );
                let whole = gcp::shape(&c, &gcp::GcpOptions::default());
                let mine = gcp::shape(&part, &gcp::GcpOptions::default());
                assert_eq!(
                    mine.rules.into_iter().collect::<Vec<_>>(),
                    only(&whole.rules, &|r: &gcp::GcpRule| wanted(&r.node)),
                    "gcp {name} {sel:?}"
                );
                // Warnings about flows left without a rule name only
                // selected nodes' rules.
                for i in &mine.issues {
                    if let Some(rest) = i.summary.strip_prefix("No GCP ") {
                        assert!(
                            sel.iter().any(|n| rest.contains(&format!("at \"{n}\""))
                                || rest.contains(&format!("from \"{n}\""))),
                            "{name} {sel:?}: {}",
                            i.summary
                        );
                    }
                }
            }
        }
        // No selection borrows the computation.
        let (_, c) = scenarios().remove(0);
        assert!(matches!(select(&c, None), std::borrow::Cow::Borrowed(_)));
    }

    /// A shaped rule's node, direction and flow keys.
    type Served = (String, Direction, Vec<String>);

    /// Every flow a rule of the computation serves ends, at that rule's node
    /// and direction, in a shaped rule or in an issue about that node and
    /// peer that names the flow.
    fn assert_nothing_dropped<R>(
        name: &str,
        c: &Computation<'_>,
        s: &Shaped<R>,
        served: &dyn Fn(&R) -> Served,
    ) {
        let mut done = std::collections::BTreeSet::new();
        for r in s.rules.values() {
            let (node, d, flows) = served(r);
            for f in flows {
                done.insert((node.clone(), d, f));
            }
        }
        for r in c.rules.values() {
            for f in r.flows.iter() {
                if done.contains(&(r.node.to_string(), r.direction, f.to_string())) {
                    continue;
                }
                let Some(flow) = c.flows.iter().find(|x| x.key == *f) else {
                    panic!("{name}: no flow {f}")
                };
                let named = s.issues.iter().any(|i| {
                    let text = format!("{}\n{}", i.summary, i.detail);
                    text.contains(&format!("\"{}\"", r.node))
                        && text.contains(&format!("\"{}\"", r.peer))
                        && text.contains(&format!("- {} {}: ", flow.product, flow.flow))
                });
                assert!(
                    named,
                    "{name}: {f} at {} {} dropped silently: {:#?}",
                    r.node, r.direction, s.issues
                );
            }
        }
    }

    #[test]
    fn every_flow_ends_in_a_rule_or_a_warning_naming_it_in_every_shape() {
        use testkit::{compute, n, scenarios};
        let mut all = scenarios();
        all.push((
            "no common family, a peer without addresses, a tag-only peer",
            compute(
                vec![
                    ("oe", n("plossys/output-engine | 2001:db8:1::10")),
                    ("clients", n("plossys/client | 10.2.0.0/16 | group")),
                    ("admins", n("plossys/admin |  | group")),
                    ("monitoring", n("plossys/monitoring |  | ref=mon")),
                ],
                &[],
            ),
        ));
        let dir = |s: &str| {
            if ["ingress", "Inbound", "INGRESS"].contains(&s) {
                Direction::Ingress
            } else {
                Direction::Egress
            }
        };
        for (name, c) in &all {
            let a = aws::shape(c, &aws::AwsOptions::default());
            assert_nothing_dropped(name, c, &a, &|r| {
                (r.node.clone(), dir(&r.direction), r.flows.clone())
            });
            let z = azure::shape(c, &azure::AzureOptions::default());
            assert_nothing_dropped(name, c, &z, &|r| {
                (r.node.clone(), dir(&r.direction), r.flows.clone())
            });
            let g = gcp::shape(c, &gcp::GcpOptions::default());
            assert_nothing_dropped(name, c, &g, &|r| {
                (r.node.clone(), dir(&r.direction), r.flows.clone())
            });
        }
        // The last topology drops flows in every shape; each gets its
        // warning. Clients (IPv4 only) and the IPv6-only Output Engine share
        // no family, which only GCP cannot express.
        let (_, c) = &all[all.len() - 1];
        let summaries = |issues: &[Issue]| -> Vec<String> {
            issues
                .iter()
                .filter(|i| i.summary.starts_with("No "))
                .map(|i| i.summary.clone())
                .collect()
        };
        let g = gcp::shape(c, &gcp::GcpOptions::default());
        let gs = summaries(&g.issues);
        assert!(
            gs.contains(
                &"No GCP ingress rule at \"oe\" for \"clients\": no common address family"
                    .to_string()
            ),
            "{gs:#?}"
        );
        assert!(
            gs.contains(&"No GCP ingress rule at \"oe\" for \"admins\"".to_string()),
            "{gs:#?}"
        );
        let a = aws::shape(c, &aws::AwsOptions::default());
        let as_ = summaries(&a.issues);
        assert!(
            as_.contains(&"No AWS ingress rule at \"oe\" for \"admins\"".to_string()),
            "{as_:#?}"
        );
        assert!(!as_.iter().any(|s| s.contains("\"clients\"")), "{as_:#?}");
    }

    #[test]
    fn families_split_and_sort() {
        let nets: Vec<IpNet> = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1/32"]
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        assert_eq!(families(&nets), vec![Family::V4, Family::V6]);
        assert_eq!(
            nets_of(&nets, Family::V4),
            vec!["10.0.0.0/8", "192.0.2.1/32"]
        );
        assert_eq!(nets_of(&nets, Family::V6), vec!["2001:db8::/32"]);
    }
}

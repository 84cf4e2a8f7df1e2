//! AWS Network Firewall: the standard (5-tuple) stateful rules of an
//! `aws_networkfirewall_rule_group` of type `STATEFUL`.
//!
//! Built on [`crate::perimeter::policies`]: each rule keeps to one policy
//! (an exact product of sources × destinations × services), one protocol
//! and one contiguous range of that protocol's ports, so it is never wider
//! than the flows.
//!
//! # One CIDR per header side
//!
//! A standard rule's `Header` takes "the source IP address or address range
//! to inspect for, in CIDR notation. To match with any address, specify
//! ANY" (and the same for the destination; Network Firewall API reference,
//! `Header`, <https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_Header.html>):
//! one CIDR, and no IP set variable. Rule variables "can be used in
//! Suricata-compatible and domain list rule definitions. They are not
//! supported in stateful rule IP header definitions" (Landing Zone
//! Accelerator on AWS, `NfwRuleVariableDefinitionConfig`). So a rule names
//! one source CIDR and one destination CIDR: one rule per (source CIDR,
//! destination CIDR, protocol, contiguous port range), each exact. Pairs of
//! CIDRs of different address families get no rule (no packet matches
//! them). The nodes' addresses are still given as `rule_variables` IP sets
//! (`PM_<NODE>`), for Suricata rule strings of your own.
//!
//! # Capacity and sids
//!
//! "Estimate a stateful rule group's capacity as the number of rules that
//! you expect to have in it during its lifetime. [...] The maximum capacity
//! setting for a stateful rule group is 50,000." (Network Firewall developer
//! guide, "Setting rule group capacity in AWS Network Firewall",
//! <https://docs.aws.amazon.com/network-firewall/latest/developerguide/nwfw-rule-group-capacity.html>).
//! `capacity` is the number of rules; more than 50,000 is an error.
//!
//! Every stateful rule must carry a `sid` rule option (Network Firewall API
//! reference, `RuleOption`: "You must include a sid (signature ID)"), and
//! Suricata: "The keyword sid gives every signature its own id. This id is
//! stated with a number greater than zero" (Suricata rules, meta keywords).
//! A rule's sid is 1 + FNV-1a(key) mod (2^31 − 1), so 1 to 2^31 − 1 (within
//! a signed 32-bit integer, which every tool reads), and depends on nothing
//! but the rule's key; when two keys derive the same sid, the later key in
//! key order takes the next free one.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{hub, risk, short_hash, stable_hash};
use crate::catalog::Protocol;
use crate::issue::{Issue, Path};
use crate::perimeter::{Policy, policies};
use crate::ports::PortRange;
use crate::rules::{Computation, describe};

/// Most capacity a stateful rule group can have.
pub const MAX_CAPACITY: u64 = 50_000;
/// Highest sid derived.
pub const MAX_SID: u64 = (1 << 31) - 1;
/// Prefix of the IP set variables.
pub const VARIABLE_PREFIX: &str = "PM_";
/// Longest description.
pub const MAX_DESCRIPTION: usize = 255;

/// A standard stateful rule (`stateful_rule` block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatefulRule {
    /// Content-derived key: `SOURCE>DESTINATION:PROTOCOL:PORTS:SOURCE_CIDR>DESTINATION_CIDR`.
    pub key: String,
    /// `PASS`.
    pub action: String,
    /// `TCP` or `UDP`.
    pub protocol: String,
    /// One source CIDR.
    pub source: String,
    /// `ANY`.
    pub source_port: String,
    /// One destination CIDR.
    pub destination: String,
    /// `443` or `5701:5703`.
    pub destination_port: String,
    /// `FORWARD`.
    pub direction: String,
    /// Signature id, unique in the rule group.
    pub sid: u64,
    /// The node whose address is `source` (its name in the topology).
    pub source_node: String,
    /// The node whose address is `destination`.
    pub destination_node: String,
    /// Products and purposes.
    pub description: String,
    /// Keys of the flows served.
    pub flows: Vec<String>,
}

/// `portmap_aws_network_firewall_rules`' output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwsNetworkFirewallOutput {
    /// IP set variables: `PM_<NODE>` → the node's CIDRs.
    pub rule_variables: BTreeMap<String, Vec<String>>,
    /// Rules, sorted by key.
    pub rules: Vec<StatefulRule>,
    /// The rule group's required capacity: the number of rules.
    pub capacity: u64,
}

/// Options of the shape.
#[derive(Debug, Clone, Default)]
pub struct AwsNetworkFirewallOptions {
    /// Risk findings are errors.
    pub risks_as_errors: bool,
}

/// The variable name base of a node: `PM_` and the name upper-cased, every
/// character but ASCII letters and digits as `_`.
pub fn variable_base(node: &str) -> String {
    let body: String = node
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{VARIABLE_PREFIX}{body}")
}

/// Variable names of the nodes: [`variable_base`], and when several nodes
/// share a base, each of them `_` and the upper-case [`short_hash`] of its
/// name.
pub fn variable_names<'a>(nodes: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let mut by_base: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for n in nodes {
        by_base.entry(variable_base(n)).or_default().insert(n);
    }
    let mut out = BTreeMap::new();
    for (base, names) in by_base {
        if names.len() == 1 {
            for n in names {
                out.insert(n.to_string(), base.clone());
            }
        } else {
            for n in names {
                out.insert(
                    n.to_string(),
                    format!("{base}_{}", short_hash(n).to_ascii_uppercase()),
                );
            }
        }
    }
    out
}

/// The sid derived from a rule key: 1 to 2^31 − 1.
pub fn derived_sid(key: &str) -> u64 {
    1 + stable_hash(key) % MAX_SID
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
    }
}

/// `443` or `5701:5703`.
pub fn suricata_ports(r: PortRange) -> String {
    if r.from == r.to {
        r.from.to_string()
    } else {
        format!("{}:{}", r.from, r.to)
    }
}

fn rules_of(c: &Computation<'_>, p: &Policy, out: &mut Vec<StatefulRule>) {
    for service in &p.services {
        let records = hub::policy_flows(c, p, service.protocol);
        for range in service.ports.ranges() {
            let served: Vec<_> = records
                .iter()
                .copied()
                .filter(|f| f.ports.overlaps(range))
                .collect();
            let description = describe(&served, MAX_DESCRIPTION);
            let flows: Vec<String> = served.iter().map(|f| f.key.to_string()).collect();
            for s in &p.sources {
                let Some(sn) = c.node(s) else { continue };
                for d in &p.destinations {
                    let Some(dn) = c.node(d) else { continue };
                    for sc in &sn.cidrs {
                        for dc in &dn.cidrs {
                            if super::Family::of(sc) != super::Family::of(dc) {
                                continue;
                            }
                            out.push(StatefulRule {
                                key: format!(
                                    "{s}>{d}:{}:{range}:{sc}>{dc}",
                                    service.protocol.as_str()
                                ),
                                action: "PASS".into(),
                                protocol: protocol_name(service.protocol).into(),
                                source: sc.to_string(),
                                source_port: "ANY".into(),
                                destination: dc.to_string(),
                                destination_port: suricata_ports(*range),
                                direction: "FORWARD".into(),
                                sid: 0,
                                source_node: s.clone(),
                                destination_node: d.clone(),
                                description: description.clone(),
                                flows: flows.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
}

/// Gives each rule (sorted by key) its derived sid, or the next free one
/// when an earlier key took it.
fn assign_sids(rules: &mut [StatefulRule]) {
    let mut used = BTreeSet::new();
    for r in rules {
        let mut sid = derived_sid(&r.key);
        while !used.insert(sid) {
            sid = if sid >= MAX_SID { 1 } else { sid + 1 };
        }
        r.sid = sid;
    }
}

/// Shapes the crossing flows of the computation as AWS Network Firewall
/// standard stateful rules.
pub fn shape(
    c: &Computation<'_>,
    o: &AwsNetworkFirewallOptions,
) -> (AwsNetworkFirewallOutput, Vec<Issue>) {
    let policies = policies(c);
    let mut issues = Vec::new();
    if policies.is_empty() {
        issues.push(hub::nothing_crosses("AWS Network Firewall"));
    }
    issues.extend(hub::unnamed_nodes(
        c,
        &policies,
        "AWS Network Firewall",
        &|_| false,
        " (a standard stateful rule's header takes a CIDR; a ref cannot stand for them)",
    ));
    let mut rules = Vec::new();
    for p in &policies {
        rules_of(c, p, &mut rules);
    }
    rules.sort_by(|a, b| a.key.cmp(&b.key));
    assign_sids(&mut rules);
    let names = variable_names(
        policies
            .iter()
            .flat_map(|p| p.sources.iter().chain(&p.destinations))
            .map(String::as_str),
    );
    let rule_variables: BTreeMap<String, Vec<String>> = names
        .iter()
        .filter_map(|(node, var)| {
            let n = c.node(node)?;
            (!n.cidrs.is_empty()).then(|| {
                (
                    var.clone(),
                    n.cidrs.iter().map(ToString::to_string).collect(),
                )
            })
        })
        .collect();
    let capacity = rules.len() as u64;
    if capacity > MAX_CAPACITY {
        issues.push(Issue::error(
            Path::root().attr("nodes"),
            format!(
                "The rule group needs capacity {capacity}; a stateful rule group allows {MAX_CAPACITY}"
            ),
            format!(
                "A stateful rule group's capacity is the number of its rules, at most {MAX_CAPACITY}, and each rule names one source CIDR and one destination CIDR, so nodes with many CIDRs multiply the rules. Merge their CIDRs into fewer, wider ones, or split the zones across rule groups."
            ),
        ));
    }
    let crossing = hub::crossing(c);
    issues.extend(risk::check(
        &crossing,
        &risk::whole_internet_cidrs,
        o.risks_as_errors,
    ));
    (
        AwsNetworkFirewallOutput {
            rule_variables,
            rules,
            capacity,
        },
        issues,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::hub::tests::{dmz, errors, topology_compute};

    #[test]
    fn two_zones_give_exact_rules_sids_variables_and_capacity() {
        let c = dmz("");
        let (out, issues) = shape(&c, &AwsNetworkFirewallOptions::default());
        assert!(errors(&issues).is_empty(), "{issues:#?}");
        let got: Vec<(&str, &str, &str, &str, &str, u64)> = out
            .rules
            .iter()
            .map(|r| {
                (
                    r.key.as_str(),
                    r.protocol.as_str(),
                    r.source.as_str(),
                    r.destination.as_str(),
                    r.destination_port.as_str(),
                    r.sid,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "proxy>sf-1:tcp:443:192.0.2.20/32>10.0.0.1/32",
                    "TCP",
                    "192.0.2.20/32",
                    "10.0.0.1/32",
                    "443",
                    derived_sid("proxy>sf-1:tcp:443:192.0.2.20/32>10.0.0.1/32"),
                ),
                (
                    "users>proxy:tcp:443:0.0.0.0/0>192.0.2.20/32",
                    "TCP",
                    "0.0.0.0/0",
                    "192.0.2.20/32",
                    "443",
                    derived_sid("users>proxy:tcp:443:0.0.0.0/0>192.0.2.20/32"),
                ),
            ]
        );
        assert_eq!(out.capacity, 2);
        let r = &out.rules[0];
        assert_eq!(
            (
                r.action.as_str(),
                r.source_port.as_str(),
                r.direction.as_str()
            ),
            ("PASS", "ANY", "FORWARD")
        );
        assert_eq!(
            out.rule_variables,
            BTreeMap::from([
                ("PM_PROXY".to_string(), vec!["192.0.2.20/32".to_string()]),
                ("PM_SF_1".to_string(), vec!["10.0.0.1/32".to_string()]),
                ("PM_USERS".to_string(), vec!["0.0.0.0/0".to_string()]),
            ])
        );
        for r in &out.rules {
            assert!((1..=MAX_SID).contains(&r.sid));
        }
    }

    #[test]
    fn sids_are_fixed_by_the_hash_and_collisions_take_the_next_free_one() {
        // FNV-1a of "" is 0xcbf29ce484222325.
        assert_eq!(derived_sid(""), 1 + 0xcbf2_9ce4_8422_2325 % MAX_SID);
        let rule = |key: &str| StatefulRule {
            key: key.into(),
            action: String::new(),
            protocol: String::new(),
            source: String::new(),
            source_port: String::new(),
            destination: String::new(),
            destination_port: String::new(),
            direction: String::new(),
            sid: 0,
            source_node: String::new(),
            destination_node: String::new(),
            description: String::new(),
            flows: vec![],
        };
        let mut rules = vec![rule("a"), rule("a")];
        assign_sids(&mut rules);
        assert_eq!(rules[0].sid, derived_sid("a"));
        assert_eq!(rules[1].sid, derived_sid("a") % MAX_SID + 1);
    }

    #[test]
    fn variable_names_are_upper_case_and_collisions_get_a_hash() {
        let names = variable_names(["sf-1", "sf_1", "db"]);
        assert_eq!(names["db"], "PM_DB");
        let a = &names["sf-1"];
        let b = &names["sf_1"];
        assert_ne!(a, b);
        assert_eq!(
            a,
            &format!("PM_SF_1_{}", short_hash("sf-1").to_ascii_uppercase())
        );
        assert!(b.starts_with("PM_SF_1_"));
    }

    #[test]
    fn ranges_use_the_suricata_colon_form_one_rule_per_range_and_cidr_pair() {
        assert_eq!(suricata_ports(PortRange::new(5701, 5703)), "5701:5703");
        assert_eq!(suricata_ports(PortRange::single(443)), "443");
        // Two proxy addresses, one per family, and a dual-stack server:
        // same-family pairs only.
        let c = topology_compute(
            r#"
zones:
  dmz: { exposure: internet-facing }
  internal: { accepts_from: [dmz] }
nodes:
  proxy: { components: [spotfire/load-balancer], cidrs: [192.0.2.20, "2001:db8::20"], kind: group, zone: dmz }
  sf-1: { components: [spotfire/server], cidrs: [10.0.0.1, "2001:db8:1::1"], zone: internal }
products:
  spotfire: { features: [https-connector], disabled_features: [http-connector] }
"#,
        );
        let (out, _) = shape(&c, &AwsNetworkFirewallOptions::default());
        let pairs: Vec<(&str, &str)> = out
            .rules
            .iter()
            .map(|r| (r.source.as_str(), r.destination.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("192.0.2.20/32", "10.0.0.1/32"),
                ("2001:db8::20/128", "2001:db8:1::1/128")
            ]
        );
        assert_eq!(out.capacity, 2);
    }

    #[test]
    fn over_capacity_is_an_error_with_the_count() {
        // 250 × 201 address pairs on 443.
        let users: Vec<String> = (0..250).map(|i| format!("198.51.{i}.0/24")).collect();
        let servers: Vec<String> = (0..201).map(|i| format!("192.0.{i}.1")).collect();
        let c = topology_compute(&format!(
            r#"
zones:
  internet: {{ exposure: untrusted }}
  dmz: {{ exposure: internet-facing, accepts_from: [internet] }}
nodes:
  users: {{ components: [spotfire/client], cidrs: [{}], kind: group, zone: internet }}
  sf: {{ components: [spotfire/server], cidrs: [{}], kind: group, zone: dmz }}
products:
  spotfire: {{ features: [https-connector], disabled_features: [http-connector] }}
"#,
            users.join(", "),
            servers.join(", ")
        ));
        let (out, issues) = shape(&c, &AwsNetworkFirewallOptions::default());
        assert_eq!(out.capacity, 250 * 201);
        assert_eq!(
            errors(&issues),
            vec![(
                "nodes".to_string(),
                "The rule group needs capacity 50250; a stateful rule group allows 50000"
                    .to_string()
            )]
        );
    }

    #[test]
    fn a_node_without_addresses_is_an_error_even_with_a_ref() {
        let c = dmz("  extra: { components: [spotfire/client], zone: internet, ref: sg-1 }\n");
        let (_, issues) = shape(&c, &AwsNetworkFirewallOptions::default());
        assert_eq!(
            errors(&issues),
            vec![(
                "nodes[\"extra\"].cidrs".to_string(),
                "The AWS Network Firewall needs the addresses of node \"extra\"".to_string()
            )]
        );
    }

    #[test]
    fn no_zones_gives_nothing_and_a_warning() {
        let c = topology_compute(
            r#"
nodes:
  sf-1: { components: [spotfire/server], cidrs: [10.0.0.1] }
  analysts: { components: [spotfire/client], cidrs: [10.7.0.0/16], kind: group }
"#,
        );
        let (out, issues) = shape(&c, &AwsNetworkFirewallOptions::default());
        assert!(out.rules.is_empty());
        assert_eq!(out.capacity, 0);
        assert!(
            issues
                .iter()
                .any(|i| i.summary == "No flow crosses a zone boundary"),
            "{issues:#?}"
        );
    }
}

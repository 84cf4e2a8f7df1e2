//! Azure Firewall: the network rules of an
//! `azurerm_firewall_policy_rule_collection_group`, one network rule
//! collection per zone pair.
//!
//! Built on [`crate::perimeter::policies`]: each rule keeps to one policy
//! (an exact product of sources × destinations × services) and one
//! protocol, with that protocol's ports of the policy, so it is never wider
//! than the flows. A node whose `ref` is an Azure IP Group's resource id
//! (it contains `/ipGroups/`, in any case) is named by its IP group in
//! `*_ip_groups`; other nodes by their CIDRs in `*_addresses`. A rule never
//! mixes both kinds on one side: a policy with both is split into separate
//! rules, each still an exact product.
//!
//! Limits, from "Azure Firewall limits" (Azure subscription and service
//! limits, <https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-firewall-limits>,
//! source `includes/firewall-limits.md` of MicrosoftDocs/azure-docs):
//! "20,000 unique source-destination combinations in network rules", where
//! "Unique source-destination combinations in network rules = (number of IP
//! protocols) × (number of source IP addresses) × (number of destination IP
//! addresses) × (number of destination ports ÷ 14, rounded up to the nearest
//! whole number)". Summed over the rules shaped here; each CIDR, IP group
//! and port entry (`443` or a range `5701-5703`) counts as one, since an IP
//! group's content is not known at plan (the count is then a lower bound).
//! Rule collection priorities: "The priority of the network rule
//! collection. The range is 100 - 65000" (azurerm,
//! `firewall_policy_rule_collection_group`, network_rule_collection
//! `priority`, <https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/firewall_policy_rule_collection_group>).
//! Names follow the Azure rule name rules of [`super::azure`]: at most 80
//! characters, cut with a hash of the key.

use serde::Serialize;

use super::{cut_with_hash, hub, risk};
use crate::catalog::Protocol;
use crate::issue::{Issue, Path};
use crate::perimeter::{Policy, policies};
use crate::rules::{Computation, describe};
use crate::topology::ResolvedNode;

/// Lowest rule collection priority.
pub const MIN_PRIORITY: i64 = 100;
/// Highest rule collection priority.
pub const MAX_PRIORITY: i64 = 65000;
/// Priority of the first collection unless `priority_start` says otherwise.
pub const DEFAULT_PRIORITY_START: i64 = 1000;
/// Priority step between consecutive collections.
pub const PRIORITY_STEP: i64 = 10;
/// Longest collection and rule name.
pub const MAX_NAME: usize = 80;
/// Unique source-destination combinations in network rules per policy.
pub const MAX_COMBINATIONS: u64 = 20_000;
/// Destination ports counted as one combination.
pub const PORTS_PER_COMBINATION: u64 = 14;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 255;

/// A network rule (`rule` block of a `network_rule_collection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkRule {
    /// Unique in its collection.
    pub name: String,
    /// `["TCP"]` or `["UDP"]`: one protocol, so ports never apply to another.
    pub protocols: Vec<String>,
    /// Source CIDRs (empty when the sources are IP groups).
    pub source_addresses: Vec<String>,
    /// Source IP group ids (empty when the sources are addresses).
    pub source_ip_groups: Vec<String>,
    /// Destination CIDRs.
    pub destination_addresses: Vec<String>,
    /// Destination IP group ids.
    pub destination_ip_groups: Vec<String>,
    /// `443`, `5701-5703`.
    pub destination_ports: Vec<String>,
    /// Products and purposes.
    pub description: String,
    /// Keys of the flows served.
    pub flows: Vec<String>,
}

/// A network rule collection: one zone pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCollection {
    /// `portmap-FROM-to-TO`.
    pub name: String,
    /// `priority_start` + 10 × its index.
    pub priority: i64,
    /// `Allow`.
    pub action: String,
    /// Zone of the sources.
    pub from_zone: String,
    /// Zone of the destinations.
    pub to_zone: String,
    /// Its rules.
    pub rules: Vec<NetworkRule>,
}

/// `portmap_azure_firewall_rules`' output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AzureFirewallOutput {
    /// Rule collections, sorted by zone pair.
    pub rule_collections: Vec<RuleCollection>,
}

/// Options of the shape.
#[derive(Debug, Clone)]
pub struct AzureFirewallOptions {
    /// Priority of the first collection.
    pub priority_start: i64,
    /// Risk findings are errors.
    pub risks_as_errors: bool,
}

impl Default for AzureFirewallOptions {
    fn default() -> Self {
        AzureFirewallOptions {
            priority_start: DEFAULT_PRIORITY_START,
            risks_as_errors: false,
        }
    }
}

/// Whether a `ref` is an Azure IP Group's resource id.
pub fn is_ip_group(reference: &str) -> bool {
    reference.to_ascii_lowercase().contains("/ipgroups/")
}

fn ip_group(n: &ResolvedNode) -> Option<&str> {
    n.reference.as_deref().filter(|r| is_ip_group(r))
}

fn priority_path() -> Path {
    Path::root().attr("priority_start")
}

/// Checks `priority_start`: within 100–65000.
pub fn check_priority_start(start: i64) -> Vec<Issue> {
    if (MIN_PRIORITY..=MAX_PRIORITY).contains(&start) {
        return Vec::new();
    }
    vec![Issue::error(
        priority_path(),
        format!("Priority {start} is out of range"),
        format!("Azure Firewall rule collection priorities are {MIN_PRIORITY} to {MAX_PRIORITY}."),
    )]
}

/// The combinations a rule counts towards [`MAX_COMBINATIONS`].
pub fn combinations(r: &NetworkRule) -> u64 {
    let n = |v: &[String]| v.len() as u64;
    n(&r.protocols)
        * (n(&r.source_addresses) + n(&r.source_ip_groups))
        * (n(&r.destination_addresses) + n(&r.destination_ip_groups))
        * n(&r.destination_ports).div_ceil(PORTS_PER_COMBINATION)
}

/// One side of a rule: addresses or IP groups.
#[derive(Default)]
struct Side {
    addresses: Vec<String>,
    ip_groups: Vec<String>,
    /// Nodes on this side, for the split's name.
    nodes: Vec<String>,
}

/// The nodes of a side split into those named by IP group and the others,
/// each part non-empty; `(suffix, side)`.
fn sides(c: &Computation<'_>, names: &[String]) -> Vec<(&'static str, Side)> {
    let mut groups = Side::default();
    let mut addresses = Side::default();
    for name in names {
        let Some(n) = c.node(name) else { continue };
        if let Some(g) = ip_group(n) {
            if !groups.ip_groups.iter().any(|x| x == g) {
                groups.ip_groups.push(g.to_string());
            }
            groups.nodes.push(name.clone());
        } else if !n.cidrs.is_empty() {
            for cidr in &n.cidrs {
                let text = cidr.to_string();
                if !addresses.addresses.contains(&text) {
                    addresses.addresses.push(text);
                }
            }
            addresses.nodes.push(name.clone());
        }
    }
    let mut out = Vec::new();
    if !addresses.nodes.is_empty() {
        addresses.addresses.sort();
        out.push(("addr", addresses));
    }
    if !groups.nodes.is_empty() {
        groups.ip_groups.sort();
        out.push(("ipg", groups));
    }
    out
}

fn rules_of(c: &Computation<'_>, p: &Policy) -> Vec<NetworkRule> {
    let sources = sides(c, &p.sources);
    let destinations = sides(c, &p.destinations);
    let split = sources.len() > 1 || destinations.len() > 1;
    let mut out = Vec::new();
    for service in &p.services {
        let proto = service.protocol;
        let records = hub::policy_flows(c, p, proto);
        let flows: Vec<String> = records.iter().map(|f| f.key.to_string()).collect();
        let description = describe(&records, MAX_DESCRIPTION);
        for (s_kind, s) in &sources {
            for (d_kind, d) in &destinations {
                let key = format!("{}:{}:{s_kind}>{d_kind}", p.key, proto.as_str());
                let base = if split {
                    format!("{}-{}-{s_kind}-{d_kind}", p.name, proto.as_str())
                } else {
                    format!("{}-{}", p.name, proto.as_str())
                };
                out.push(NetworkRule {
                    name: cut_with_hash(&base, MAX_NAME, &key),
                    protocols: vec![protocol_name(proto).to_string()],
                    source_addresses: s.addresses.clone(),
                    source_ip_groups: s.ip_groups.clone(),
                    destination_addresses: d.addresses.clone(),
                    destination_ip_groups: d.ip_groups.clone(),
                    destination_ports: service
                        .ports
                        .ranges()
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    description: description.clone(),
                    flows: flows.clone(),
                });
            }
        }
    }
    out
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
    }
}

/// Shapes the crossing flows of the computation as Azure Firewall network
/// rule collections.
pub fn shape(c: &Computation<'_>, o: &AzureFirewallOptions) -> (AzureFirewallOutput, Vec<Issue>) {
    let policies = policies(c);
    let mut issues = check_priority_start(o.priority_start);
    if policies.is_empty() {
        issues.push(hub::nothing_crosses("Azure Firewall"));
    }
    issues.extend(hub::unnamed_nodes(
        c,
        &policies,
        "Azure Firewall",
        &|n| ip_group(n).is_some(),
        " or, on Azure, by an IP group (a ref holding the IP group's resource id, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/ipGroups/<name>)",
    ));
    let mut collections = Vec::new();
    for (i, ((from, to), group)) in hub::by_zone_pair(&policies).into_iter().enumerate() {
        let base = format!("portmap-{from}-to-{to}");
        let rules: Vec<NetworkRule> = group.iter().flat_map(|p| rules_of(c, p)).collect();
        collections.push(RuleCollection {
            name: cut_with_hash(&base, MAX_NAME, &format!("{from}>{to}")),
            priority: o.priority_start + PRIORITY_STEP * i as i64,
            action: "Allow".into(),
            from_zone: from.to_string(),
            to_zone: to.to_string(),
            rules,
        });
    }
    if let Some(last) = collections.last()
        && (MIN_PRIORITY..=MAX_PRIORITY).contains(&o.priority_start)
        && last.priority > MAX_PRIORITY
    {
        issues.push(Issue::error(
            priority_path(),
            format!(
                "The last of {} rule collections would get priority {}",
                collections.len(),
                last.priority
            ),
            format!(
                "Rule collections get priority_start + {PRIORITY_STEP} × their index, and Azure Firewall rule collection priorities are {MIN_PRIORITY} to {MAX_PRIORITY}. Use a priority_start of at most {}.",
                MAX_PRIORITY - PRIORITY_STEP * (collections.len() as i64 - 1)
            ),
        ));
    }
    let total: u64 = collections
        .iter()
        .flat_map(|k| &k.rules)
        .map(combinations)
        .sum();
    if total > MAX_COMBINATIONS {
        issues.push(Issue::error(
            Path::root().attr("nodes"),
            format!(
                "The network rules need {total} unique source-destination combinations; Azure Firewall allows {MAX_COMBINATIONS}"
            ),
            format!(
                "Azure Firewall's limits allow {MAX_COMBINATIONS} unique source-destination combinations in network rules, counted as protocols × source addresses × destination addresses × (destination ports ÷ {PORTS_PER_COMBINATION}, rounded up), summed over the rules. Name nodes with many CIDRs by an IP group (a ref), merge their CIDRs into fewer, wider ones, or split the zones."
            ),
        ));
    }
    let crossing = hub::crossing(c);
    issues.extend(risk::check(
        &crossing,
        &|peer| match ip_group(peer) {
            Some(_) => None,
            None => risk::whole_internet_cidrs(peer),
        },
        o.risks_as_errors,
    ));
    (
        AzureFirewallOutput {
            rule_collections: collections,
        },
        issues,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::hub::tests::{dmz, errors, topology_compute};

    #[test]
    fn two_zones_give_one_collection_per_zone_pair_with_exact_rules() {
        let c = dmz("");
        let (out, issues) = shape(&c, &AzureFirewallOptions::default());
        assert!(errors(&issues).is_empty(), "{issues:#?}");
        type Row = (String, String, String, String, String);
        let got: Vec<(String, i64, Vec<Row>)> = out
            .rule_collections
            .iter()
            .map(|k| {
                (
                    k.name.clone(),
                    k.priority,
                    k.rules
                        .iter()
                        .map(|r| {
                            (
                                r.name.clone(),
                                r.protocols.join(","),
                                r.source_addresses.join(","),
                                r.destination_addresses.join(","),
                                r.destination_ports.join(","),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            got,
            vec![
                (
                    s("portmap-dmz-to-internal"),
                    1000,
                    vec![(
                        s("dmz-to-internal-proxy-sf-1-tcp"),
                        s("TCP"),
                        s("192.0.2.20/32"),
                        s("10.0.0.1/32"),
                        s("443")
                    )]
                ),
                (
                    s("portmap-internet-to-dmz"),
                    1010,
                    vec![(
                        s("internet-to-dmz-users-proxy-tcp"),
                        s("TCP"),
                        s("0.0.0.0/0"),
                        s("192.0.2.20/32"),
                        s("443")
                    )]
                ),
            ]
        );
        let r = &out.rule_collections[1].rules[0];
        assert_eq!(r.flows, vec!["spotfire:client-https:users>proxy:tcp:443"]);
        assert_eq!(out.rule_collections[1].action, "Allow");
    }

    #[test]
    fn an_ip_group_ref_is_named_in_ip_groups_and_never_mixed_with_addresses() {
        let g = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/IPGroups/ipg-sf";
        let c = topology_compute(&format!(
            r#"
zones:
  dmz: {{ exposure: internet-facing }}
  internal: {{ accepts_from: [dmz] }}
nodes:
  proxy:
    components: [spotfire/load-balancer]
    cidrs: [192.0.2.20]
    zone: dmz
  sf-1: {{ components: [spotfire/server], cidrs: [10.0.0.1], zone: internal, ref: "{g}" }}
  sf-2: {{ components: [spotfire/server], cidrs: [10.0.0.2], zone: internal }}
products:
  spotfire: {{ features: [https-connector], disabled_features: [http-connector] }}
"#
        ));
        let (out, issues) = shape(&c, &AzureFirewallOptions::default());
        assert!(errors(&issues).is_empty(), "{issues:#?}");
        let rules = &out.rule_collections[0].rules;
        let got: Vec<(&str, Vec<String>, Vec<String>)> = rules
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.destination_addresses.clone(),
                    r.destination_ip_groups.clone(),
                )
            })
            .collect();
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[0].1, vec!["10.0.0.2/32".to_string()]);
        assert!(got[0].2.is_empty());
        assert!(got[1].1.is_empty());
        assert_eq!(got[1].2, vec![g.to_string()]);
        assert!(got[0].0.ends_with("-tcp-addr-addr"), "{}", got[0].0);
        assert!(got[1].0.ends_with("-tcp-addr-ipg"), "{}", got[1].0);
    }

    #[test]
    fn a_node_without_addresses_is_an_error_at_its_cidrs() {
        let c = dmz("  extra: { components: [spotfire/client], zone: internet }\n");
        let (_, issues) = shape(&c, &AzureFirewallOptions::default());
        assert_eq!(
            errors(&issues),
            vec![(
                "nodes[\"extra\"].cidrs".to_string(),
                "The Azure Firewall needs the addresses of node \"extra\"".to_string()
            )]
        );
    }

    #[test]
    fn priorities_stay_within_100_to_65000() {
        let c = dmz("");
        let o = |p| AzureFirewallOptions {
            priority_start: p,
            risks_as_errors: false,
        };
        assert_eq!(errors(&shape(&c, &o(64990)).1), vec![]);
        let e = errors(&shape(&c, &o(64995)).1);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, "priority_start");
        assert!(e[0].1.contains("priority 65005"), "{e:?}");
        let e = errors(&shape(&c, &o(99)).1);
        assert_eq!(
            e,
            vec![(
                "priority_start".to_string(),
                "Priority 99 is out of range".to_string()
            )]
        );
    }

    #[test]
    fn too_many_combinations_is_an_error_with_the_count() {
        // 150 internet CIDRs to 150 server addresses on 443: 150 × 150.
        let users: Vec<String> = (0..150).map(|i| format!("198.51.{i}.0/24")).collect();
        let servers: Vec<String> = (0..150).map(|i| format!("192.0.{i}.1")).collect();
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
        let (out, issues) = shape(&c, &AzureFirewallOptions::default());
        let total: u64 = out
            .rule_collections
            .iter()
            .flat_map(|k| &k.rules)
            .map(combinations)
            .sum();
        assert_eq!(total, 150 * 150);
        let e = errors(&issues);
        assert_eq!(
            e,
            vec![(
                "nodes".to_string(),
                "The network rules need 22500 unique source-destination combinations; Azure Firewall allows 20000".to_string()
            )]
        );
    }

    #[test]
    fn combinations_count_ports_by_fourteen() {
        let r = NetworkRule {
            name: "x".into(),
            protocols: vec!["TCP".into()],
            source_addresses: vec!["10.0.0.0/8".into(), "10.1.0.0/16".into()],
            source_ip_groups: vec![],
            destination_addresses: vec![],
            destination_ip_groups: vec!["g".into()],
            destination_ports: (0..15).map(|p| p.to_string()).collect(),
            description: String::new(),
            flows: vec![],
        };
        assert_eq!(combinations(&r), 2 * 2);
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
        let (out, issues) = shape(&c, &AzureFirewallOptions::default());
        assert!(out.rule_collections.is_empty());
        assert!(
            issues
                .iter()
                .any(|i| i.summary == "No flow crosses a zone boundary"
                    && i.path.to_string() == "nodes"),
            "{issues:#?}"
        );
    }
}

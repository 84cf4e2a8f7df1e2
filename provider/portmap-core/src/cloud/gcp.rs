//! GCP: rules in the shape of `google_compute_firewall`.
//!
//! VPC firewall rules belong to the network, not to a machine, so each rule
//! names its targets: the node's network tag (`target_tags`, from its `ref`)
//! or, for a node without a `ref`, its own addresses (`destination_ranges`
//! of an ingress rule, `source_ranges` of an egress rule). A node with
//! neither cannot be targeted; that is an error, since a rule without
//! targets applies to every instance in the network.
//!
//! One rule per (node, direction, peer, address family) carries one `allow`
//! block per protocol with all its ports. The peer side is the peer's CIDRs
//! of that family; a peer without CIDRs is named by its tag in `source_tags`
//! (ingress only: egress rules have no destination tags, so such flows are
//! reported and get no egress rule). A rule never mixes IPv4 and IPv6
//! ranges ("A firewall rule can contain either IPv4 or IPv6 ranges, but not
//! both": Google Cloud, "Use VPC firewall rules"), and address families a
//! node-side range list lacks are left out, since no such traffic can reach
//! the node.
//!
//! A `ref` containing `@` is a service account's email instead of a tag:
//! the node is then targeted with `target_service_accounts` and named as a
//! source with `source_service_accounts`, Google's recommended scoping,
//! since a service account cannot be set on an instance by whoever can
//! edit its tags. A rule cannot mix the two kinds ("you cannot mix and match
//! service accounts and network tags in any firewall rule": Google Cloud,
//! "VPC firewall rules", Filtering using service accounts versus network
//! tags); where a node and a peer without CIDRs are named by different
//! kinds, the flows get no rule and a warning names them.
//!
//! Limits: names are 1-63 characters matching `[a-z]([-a-z0-9]*[a-z0-9])?`
//! (RFC 1035), unique in the project; priorities are 0-65535, default 1000
//! (Compute Engine API, `firewalls` resource; the same rules for network
//! tags). Source and destination ranges: at most 5,000 per rule (Google
//! Cloud, "VPC quotas and limits", <https://cloud.google.com/vpc/docs/quota>,
//! per firewall rule). Names that are not already valid (upper case, `_`,
//! `.`, too long) are lower-cased, made valid and suffixed with a hash of
//! the rule key, so they stay unique and stable.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde::Serialize;

use super::{
    Family, Index, Shaped, dir_short, families, flow_lines, flow_records, groups, nets_of,
    node_path, risk, short_hash,
};
use crate::issue::{Issue, Path};
use crate::rules::{Computation, Direction, MAX_DESCRIPTION, describe};
use crate::topology::ResolvedNode;

/// Longest name (and network tag).
pub const MAX_NAME: usize = 63;
/// Source or destination ranges per rule.
pub const MAX_RANGES: usize = 5000;
/// Priority of the rules unless set.
pub const DEFAULT_PRIORITY: i64 = 1000;
/// Highest priority.
pub const MAX_PRIORITY: i64 = 65535;
/// Name prefix unless set.
pub const DEFAULT_NAME_PREFIX: &str = "portmap";
/// Longest name prefix.
pub const MAX_NAME_PREFIX: usize = 20;

/// An `allow` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GcpAllow {
    /// `tcp` or `udp`.
    pub protocol: String,
    /// Ports and ranges such as `443` and `8300-8302`.
    pub ports: Vec<String>,
}

/// A VPC firewall rule (`portmap_gcp_firewall_rules.rules[key]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GcpRule {
    /// The node the rule lets traffic into or out of.
    pub node: String,
    /// The node at the other end.
    pub peer: String,
    /// RFC 1035 name, unique for the topology.
    pub name: String,
    /// `INGRESS` or `EGRESS`.
    pub direction: String,
    /// The rules' priority.
    pub priority: i64,
    /// One block per protocol.
    pub allow: Vec<GcpAllow>,
    /// Source ranges (the peer's for ingress, the node's for egress).
    pub source_ranges: Option<Vec<String>>,
    /// Destination ranges (the node's for ingress, the peer's for egress).
    pub destination_ranges: Option<Vec<String>>,
    /// The peer's tag, for an ingress rule from a peer without CIDRs.
    pub source_tags: Option<Vec<String>>,
    /// The node's tag.
    pub target_tags: Option<Vec<String>>,
    /// The peer's service account, for an ingress rule from a peer without
    /// CIDRs whose ref is a service account. Left out of the JSON when null
    /// (as the next), so rules without service accounts keep their bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_service_accounts: Option<Vec<String>>,
    /// The node's service account, when its ref is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_service_accounts: Option<Vec<String>>,
    /// Product and purposes.
    pub description: String,
    /// Keys of the flows served.
    pub flows: Vec<String>,
}

/// Options of the GCP shape.
#[derive(Debug, Clone)]
pub struct GcpOptions {
    /// Priority of every rule.
    pub priority: i64,
    /// Start of every rule name.
    pub name_prefix: String,
    /// Risk findings are errors.
    pub risks_as_errors: bool,
}

impl Default for GcpOptions {
    fn default() -> Self {
        GcpOptions {
            priority: DEFAULT_PRIORITY,
            name_prefix: DEFAULT_NAME_PREFIX.into(),
            risks_as_errors: false,
        }
    }
}

/// Whether the text is a valid RFC 1035 name of at most `max` characters:
/// a lower-case letter, then lower-case letters, digits and `-`, not ending
/// with `-`.
pub fn valid_name(s: &str, max: usize) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars().all(ok)
}

/// Checks the options: priority 0-65535, and a name prefix that starts a
/// valid name.
pub fn check_options(priority: Option<i64>, name_prefix: Option<&str>) -> Vec<Issue> {
    let mut issues = Vec::new();
    if let Some(p) = priority.filter(|p| !(0..=MAX_PRIORITY).contains(p)) {
        issues.push(Issue::error(
            Path::root().attr("priority"),
            format!("Priority {p} is out of range"),
            "GCP firewall rule priorities are 0 to 65535 (lower wins; the default is 1000).",
        ));
    }
    if let Some(n) = name_prefix.filter(|n| !valid_name(n, MAX_NAME_PREFIX)) {
        issues.push(Issue::error(
            Path::root().attr("name_prefix"),
            format!("Invalid name prefix \"{n}\""),
            format!("The prefix starts every rule name, so it must be 1-{MAX_NAME_PREFIX} lower-case letters, digits and '-', start with a letter and not end with '-'."),
        ));
    }
    issues
}

/// A valid, stable, unique name for a rule: `raw` when it is valid already,
/// otherwise `raw` made valid, cut, and suffixed with the hash of `key`.
pub fn rule_name(raw: &str, key: &str) -> String {
    if valid_name(raw, MAX_NAME) {
        return raw.to_string();
    }
    let clean: String = raw
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let head: String = clean.chars().take(MAX_NAME - 9).collect();
    format!("{}-{}", head.trim_end_matches('-'), short_hash(key))
}

/// Whether the text has the form of a service account's email: one `@`
/// between a non-empty name of lower-case letters, digits and `-`, and a
/// domain of lower-case labels separated by `.` (such as
/// `print@my-project.iam.gserviceaccount.com` or
/// `123456789-compute@developer.gserviceaccount.com`).
pub fn valid_service_account(email: &str) -> bool {
    let Some((name, domain)) = email.split_once('@') else {
        return false;
    };
    let label = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    label(name) && domain.contains('.') && domain.split('.').all(label)
}

/// How one end of a rule is named: by network tag, by service account or by
/// address ranges.
enum End {
    Tag(String),
    Account(String),
    Ranges(Vec<IpNet>),
}

impl End {
    /// Whether the end is a tag and the other a service account, or the
    /// reverse: no GCP rule can name both.
    fn mixes_with(&self, other: &End) -> bool {
        matches!(
            (self, other),
            (End::Tag(_), End::Account(_)) | (End::Account(_), End::Tag(_))
        )
    }
}

#[derive(Default)]
struct Parts {
    fam: Option<Family>,
    source_ranges: Option<Vec<String>>,
    destination_ranges: Option<Vec<String>>,
    source_tags: Option<Vec<String>>,
    target_tags: Option<Vec<String>>,
    source_service_accounts: Option<Vec<String>>,
    target_service_accounts: Option<Vec<String>>,
    /// Both ends are named by service accounts (no address family).
    accounts: bool,
}

/// The rules of one (node, direction, peer) without ports: one per address
/// family both ends can use (one without family when both are tags). The
/// node's tag is the target; the peer's tag is a source tag (ingress only).
fn parts(direction: Direction, node: &End, peer: &End) -> Vec<Parts> {
    let fams: Vec<Option<Family>> = match (node, peer) {
        (End::Ranges(n), End::Ranges(p)) => {
            let node_fams = families(n);
            families(p)
                .into_iter()
                .filter(|f| node_fams.contains(f))
                .map(Some)
                .collect()
        }
        (End::Ranges(r), End::Tag(_) | End::Account(_))
        | (End::Tag(_) | End::Account(_), End::Ranges(r)) => {
            families(r).into_iter().map(Some).collect()
        }
        (End::Tag(_) | End::Account(_), End::Tag(_) | End::Account(_)) => vec![None],
    };
    let ingress = direction == Direction::Ingress;
    fams.into_iter()
        .map(|fam| {
            let mut p = Parts {
                fam,
                ..Parts::default()
            };
            let ranges = |nets: &[IpNet]| fam.map(|f| nets_of(nets, f));
            match node {
                End::Tag(t) => p.target_tags = Some(vec![t.clone()]),
                End::Account(a) => p.target_service_accounts = Some(vec![a.clone()]),
                End::Ranges(n) if ingress => p.destination_ranges = ranges(n),
                End::Ranges(n) => p.source_ranges = ranges(n),
            }
            match peer {
                End::Tag(t) => p.source_tags = Some(vec![t.clone()]),
                End::Account(a) => p.source_service_accounts = Some(vec![a.clone()]),
                End::Ranges(n) if ingress => p.source_ranges = ranges(n),
                End::Ranges(n) => p.destination_ranges = ranges(n),
            }
            p.accounts = fam.is_none() && matches!(node, End::Account(_));
            p
        })
        .collect()
}

/// Shapes the computation's rules for GCP.
pub fn shape(c: &Computation<'_>, o: &GcpOptions) -> Shaped<GcpRule> {
    let mut rules = BTreeMap::new();
    let mut issues = Vec::new();
    let mut bad_tags = BTreeSet::new();
    let mut untargeted = BTreeSet::new();
    // The ends whose unserved flows an issue already names.
    let mut reported = BTreeSet::new();
    let mut tag = |n: &ResolvedNode, issues: &mut Vec<Issue>| -> Option<End> {
        let t = n.reference.clone()?;
        if t.contains('@') {
            if !valid_service_account(&t) && bad_tags.insert(n.name.clone()) {
                issues.push(Issue::error(
                    node_path(&n.name).attr("ref"),
                    format!("Invalid service account \"{t}\""),
                    "On GCP a ref with '@' is a service account's email, such as print@my-project.iam.gserviceaccount.com: lower-case letters, digits and '-' before the '@', a domain of such labels after it.",
                ));
            }
            return Some(End::Account(t));
        }
        if !valid_name(&t, MAX_NAME) && bad_tags.insert(n.name.clone()) {
            issues.push(Issue::error(
                node_path(&n.name).attr("ref"),
                format!("Invalid network tag \"{t}\""),
                "On GCP a node's ref is its network tag: 1-63 lower-case letters, digits and '-', starting with a letter and not ending with '-', or its service account's email.",
            ));
        }
        Some(End::Tag(t))
    };
    let ix = Index::new(c);
    for g in groups(&ix) {
        let node = match tag(g.node, &mut issues) {
            Some(end) => end,
            None if !g.node.cidrs.is_empty() => End::Ranges(g.node.cidrs.clone()),
            None => {
                reported.insert((g.node.name.clone(), g.direction, g.peer.name.clone()));
                if untargeted.insert(g.node.name.clone()) {
                    issues.push(Issue::error(
                        node_path(&g.node.name),
                        format!("Node \"{}\" has neither ref nor cidrs", g.node.name),
                        "A GCP firewall rule without target tags or ranges applies to every instance in the network. Give the node its network tag as ref, or its CIDRs.",
                    ));
                }
                continue;
            }
        };
        let peer = if !g.peer.cidrs.is_empty() {
            End::Ranges(g.peer.cidrs.clone())
        } else if g.peer.reference.is_none() {
            continue;
        } else if g.direction == Direction::Egress {
            issues.push(egress_to_tag(&ix, &g.node.name, &g.peer.name, &g.flows));
            reported.insert((g.node.name.clone(), g.direction, g.peer.name.clone()));
            continue;
        } else {
            match tag(g.peer, &mut issues) {
                Some(end) => end,
                None => continue,
            }
        };
        if node.mixes_with(&peer) {
            issues.push(tags_and_accounts(&ix, &g));
            reported.insert((g.node.name.clone(), g.direction, g.peer.name.clone()));
            continue;
        }
        let allow: Vec<GcpAllow> = g
            .ports
            .iter()
            .map(|(p, ranges)| GcpAllow {
                protocol: p.as_str().to_string(),
                ports: ranges.iter().map(ToString::to_string).collect(),
            })
            .collect();
        let description = describe(&flow_records(&ix, &g.flows), MAX_DESCRIPTION);
        let parts = parts(g.direction, &node, &peer);
        if parts.is_empty() && matches!((&node, &peer), (End::Ranges(_), End::Ranges(_))) {
            issues.push(no_common_family(&ix, &g));
            reported.insert((g.node.name.clone(), g.direction, g.peer.name.clone()));
        }
        for p in parts {
            let no_family = if p.accounts {
                ("sa", "sa")
            } else {
                ("tag", "tag")
            };
            let (fam_key, fam_short) = p.fam.map_or(no_family, |f| (f.key(), f.short()));
            let key = format!(
                "{}:{}:{}:{}",
                g.node.name, g.direction, g.peer.name, fam_key
            );
            let raw = format!(
                "{}-{}-{}-{}-{}",
                o.name_prefix,
                g.node.name,
                dir_short(g.direction),
                g.peer.name,
                fam_short
            );
            for (list, which) in [
                (&p.source_ranges, "source"),
                (&p.destination_ranges, "destination"),
            ] {
                let n = list.as_ref().map_or(0, Vec::len);
                if n > MAX_RANGES {
                    issues.push(Issue::error(
                        node_path(if (which == "source") == (g.direction == Direction::Ingress) { &g.peer.name } else { &g.node.name }).attr("cidrs"),
                        format!("GCP rule \"{key}\" needs {n} {which} ranges; GCP allows {MAX_RANGES}"),
                        "A VPC firewall rule holds at most 5,000 source and 5,000 destination ranges. Aggregate the node's CIDRs, give it a network tag (ref), or split it into several nodes.",
                    ));
                }
            }
            rules.insert(
                key.clone(),
                GcpRule {
                    node: g.node.name.clone(),
                    peer: g.peer.name.clone(),
                    name: rule_name(&raw, &key),
                    direction: match g.direction {
                        Direction::Ingress => "INGRESS".into(),
                        Direction::Egress => "EGRESS".into(),
                    },
                    priority: o.priority,
                    allow: allow.clone(),
                    source_ranges: p.source_ranges,
                    destination_ranges: p.destination_ranges,
                    source_tags: p.source_tags,
                    target_tags: p.target_tags,
                    source_service_accounts: p.source_service_accounts,
                    target_service_accounts: p.target_service_accounts,
                    description: description.clone(),
                    flows: g.flows.iter().map(|k| k.to_string()).collect(),
                },
            );
        }
    }
    issues.extend(super::unserved(
        &ix,
        "GCP",
        rules
            .values()
            .map(|r| (r.node.as_str(), gcp_direction(r), r.flows.as_slice())),
        &reported,
    ));
    issues.extend(risk::check(
        c,
        &risk::whole_internet_cidrs,
        o.risks_as_errors,
    ));
    Shaped { rules, issues }
}

fn gcp_direction(r: &GcpRule) -> Direction {
    if r.direction == "INGRESS" {
        Direction::Ingress
    } else {
        Direction::Egress
    }
}

fn egress_to_tag(ix: &Index<'_, '_>, node: &str, peer: &str, flows: &[std::rc::Rc<str>]) -> Issue {
    Issue::warning(
        node_path(peer).attr("cidrs"),
        format!("No GCP egress rule from \"{node}\" to \"{peer}\""),
        format!(
            "\"{peer}\" has a ref but no cidrs, and a GCP egress rule can only name destinations by IP range (there are no destination tags), so these flows get no egress rule:\n{}\nGCP allows all egress unless you deny it; if you do, give \"{peer}\" its CIDRs.",
            flow_lines(ix, flows)
        ),
    )
}

/// A node and a peer without CIDRs, one named by a network tag and the
/// other by a service account: no GCP rule can name both.
fn tags_and_accounts(ix: &Index<'_, '_>, g: &super::Group<'_>) -> Issue {
    let (node, peer) = (&g.node.name, &g.peer.name);
    Issue::warning(
        node_path(peer).attr("ref"),
        format!(
            "No GCP {} rule at \"{node}\" for \"{peer}\": a network tag and a service account",
            g.direction
        ),
        format!(
            "One of \"{node}\" and \"{peer}\" is named by a network tag and the other by a service account, and a GCP firewall rule cannot mix the two, so these flows get no rule:\n{}\nName both by the same kind, or give \"{peer}\" its CIDRs.",
            flow_lines(ix, &g.flows)
        ),
    )
}

/// A node and a peer, both named by ranges, with no address family in
/// common: a GCP rule holds one family, so no rule can connect them.
fn no_common_family(ix: &Index<'_, '_>, g: &super::Group<'_>) -> Issue {
    let fams = |n: &ResolvedNode| {
        families(&n.cidrs)
            .iter()
            .map(|f| f.label())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let (node, peer) = (&g.node.name, &g.peer.name);
    Issue::warning(
        node_path(node).attr("cidrs"),
        format!(
            "No GCP {} rule at \"{node}\" for \"{peer}\": no common address family",
            g.direction
        ),
        format!(
            "\"{node}\" has only {} addresses and no ref, \"{peer}\" only {}; a GCP firewall rule holds one address family, so these flows get no rule:\n{}\nGive \"{node}\" its network tag as ref, or addresses of the peer's family.",
            fams(g.node),
            fams(g.peer),
            flow_lines(ix, &g.flows)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Protocol;
    use crate::cloud::testkit::{
        Openings, compute, dmz_nodes, n, open, range, required, scenarios,
    };

    /// What a rule allows, seen from its node: the peer endpoints are the
    /// peer-side ranges or tags.
    fn openings(rules: &BTreeMap<String, GcpRule>) -> Openings {
        let mut o = Openings::new();
        for r in rules.values() {
            let d = if r.direction == "INGRESS" {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            let endpoints: Vec<String> = match d {
                Direction::Ingress => match (
                    &r.source_ranges,
                    r.source_tags
                        .as_ref()
                        .or(r.source_service_accounts.as_ref()),
                ) {
                    (Some(s), None) => s.clone(),
                    (None, Some(t)) => t.iter().map(|t| format!("ref:{t}")).collect(),
                    other => panic!("ingress source: {other:?}"),
                },
                Direction::Egress => r.destination_ranges.clone().unwrap_or_default(),
            };
            for a in &r.allow {
                let p = if a.protocol == "tcp" {
                    Protocol::Tcp
                } else {
                    Protocol::Udp
                };
                for e in &endpoints {
                    for pr in &a.ports {
                        open(&mut o, &r.node, d, e, p, range(pr));
                    }
                }
            }
        }
        o
    }

    /// The documented policy: peer CIDRs; a tag for ingress from a peer
    /// without CIDRs; families the node's own ranges lack are left out.
    fn policy(d: Direction, node: &ResolvedNode, peer: &ResolvedNode) -> Vec<String> {
        let node_fams = families(&node.cidrs);
        let reachable = |n: &IpNet| node.reference.is_some() || node_fams.contains(&Family::of(n));
        if peer.cidrs.is_empty() {
            return match (&peer.reference, d) {
                (Some(r), Direction::Ingress) => vec![format!("ref:{r}")],
                _ => vec![],
            };
        }
        peer.cidrs
            .iter()
            .filter(|n| reachable(n))
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn exactly_what_the_flows_require_in_valid_rules() {
        for (name, c) in scenarios() {
            let s = shape(&c, &GcpOptions::default());
            assert!(
                s.issues.iter().all(|i| !i.is_error()),
                "{name}: {:#?}",
                s.issues
            );
            let mut names = BTreeSet::new();
            for r in s.rules.values() {
                assert!(valid_name(&r.name, MAX_NAME), "{name}: {r:?}");
                assert!(names.insert(r.name.clone()), "{name}: duplicate {}", r.name);
                let fams: BTreeSet<Family> = r
                    .source_ranges
                    .iter()
                    .chain(&r.destination_ranges)
                    .flatten()
                    .filter_map(|s| s.parse::<IpNet>().ok())
                    .map(|n| Family::of(&n))
                    .collect();
                assert!(fams.len() <= 1, "{name}: mixed families {r:?}");
                assert!(
                    r.target_tags.is_some()
                        || r.target_service_accounts.is_some()
                        || (r.direction == "INGRESS" && r.destination_ranges.is_some())
                        || (r.direction == "EGRESS" && r.source_ranges.is_some()),
                    "{name}: untargeted {r:?}"
                );
            }
            assert_eq!(openings(&s.rules), required(&c, &policy), "{name}");
        }
    }

    #[test]
    fn a_ref_with_an_at_sign_is_a_service_account_never_mixed_with_tags() {
        let oe_sa = "oe@print-prod.iam.gserviceaccount.com";
        let admin_sa = "admins@print-prod.iam.gserviceaccount.com";
        let c = compute(
            vec![
                (
                    "oe",
                    n(&format!("plossys/output-engine | 10.1.0.10 | ref={oe_sa}")),
                ),
                (
                    "admins",
                    n(&format!("plossys/admin | | group ref={admin_sa}")),
                ),
                ("clients", n("plossys/client | | group ref=print-clients")),
                ("sap", n("plossys/client | 10.2.0.0/24 | group")),
            ],
            &[],
        );
        let s = shape(&c, &GcpOptions::default());
        // Administrators reach Kibana (5601) and the PLOSSYS Administrator
        // (9000): service account to service account, no address family.
        let r = &s.rules["oe:ingress:admins:sa"];
        assert_eq!(r.source_service_accounts, Some(vec![admin_sa.to_string()]));
        assert_eq!(r.target_service_accounts, Some(vec![oe_sa.to_string()]));
        assert_eq!((&r.source_tags, &r.target_tags), (&None, &None));
        assert_eq!((&r.source_ranges, &r.destination_ranges), (&None, &None));
        assert_eq!(r.name, "portmap-oe-in-admins-sa");
        let ports: Vec<&str> = r.allow[0].ports.iter().map(String::as_str).collect();
        assert_eq!(ports, ["5601", "9000"]);
        // The SAP systems print on 443, 515 and 631: their range to the
        // engine's service account.
        let r = &s.rules["oe:ingress:sap:ipv4"];
        assert_eq!(r.source_ranges, Some(vec!["10.2.0.0/24".to_string()]));
        assert_eq!(r.target_service_accounts, Some(vec![oe_sa.to_string()]));
        // Clients named by a tag cannot reach a node named by a service
        // account in one rule: no rule, and a warning naming the flows.
        assert!(!s.rules.keys().any(|k| k.starts_with("oe:ingress:clients")));
        let w = s
            .issues
            .iter()
            .find(|i| i.summary.contains("a network tag and a service account"))
            .expect("a warning");
        assert_eq!(w.path, node_path("clients").attr("ref"));
        assert!(w.detail.contains("tcp/631"), "{}", w.detail);
        assert!(!s.issues.iter().any(Issue::is_error), "{:#?}", s.issues);
        // Without service accounts the JSON has no such attributes.
        let j = serde_json::to_value(&s.rules["oe:ingress:sap:ipv4"]).unwrap();
        assert_eq!(j["target_service_accounts"][0], oe_sa);
        let (_, plain) = scenarios().remove(1);
        let plain = shape(&plain, &GcpOptions::default());
        let j = serde_json::to_value(&plain.rules["dmz:ingress:internet:ipv6"]).unwrap();
        assert!(j.get("target_service_accounts").is_none(), "{j}");
        for ok in [oe_sa, "123456789-compute@developer.gserviceaccount.com"] {
            assert!(valid_service_account(ok), "{ok}");
        }
        for not in [
            "oe@",
            "@x.com",
            "oe@localhost",
            "Oe@p.iam.gserviceaccount.com",
            "a@b@c.com",
            "oe@p..com",
        ] {
            assert!(!valid_service_account(not), "{not}");
        }
    }

    #[test]
    fn the_dmz_rules_of_the_1e_platform() {
        let (_, c) = scenarios().remove(1);
        let s = shape(&c, &GcpOptions::default());
        // Internet-facing clients reach the DMZ server on HTTPS (Background
        // Channel) and 4000 (the DMZ Switch), over IPv4 and IPv6.
        let r = &s.rules["dmz:ingress:internet:ipv6"];
        assert_eq!(
            r,
            &GcpRule {
                node: "dmz".into(),
                peer: "internet".into(),
                name: "portmap-dmz-in-internet-v6".into(),
                direction: "INGRESS".into(),
                priority: 1000,
                allow: vec![GcpAllow { protocol: "tcp".into(), ports: vec!["443".into(), "4000".into()] }],
                source_ranges: Some(vec!["::/0".into()]),
                destination_ranges: None,
                source_tags: None,
                target_tags: Some(vec!["tag-dmz".into()]),
                source_service_accounts: None,
                target_service_accounts: None,
                description: "1e-platform: Internet-facing clients download content from the DMZ Background Channel; Internet-facing clients to the DMZ Switch".into(),
                flows: vec![
                    "1e-platform:internet-client-background-channel:internet>dmz:tcp:443".into(),
                    "1e-platform:internet-client-dmz-switch:internet>dmz:tcp:4000".into(),
                ],
            }
        );
        // The Consumer API sends content to the DMZ Background Channel (443)
        // and the Response Stack pokes the DMZ Switch (4001); the Core gets
        // responses on 443 and the Coordinator instrumentation on 3901.
        assert_eq!(
            s.rules["server:egress:dmz:ipv4"].allow[0].ports,
            vec!["443", "4001"]
        );
        assert_eq!(
            s.rules["server:ingress:dmz:ipv4"].allow[0].ports,
            vec!["443", "3901"]
        );
        assert_eq!(
            s.rules["server:ingress:dmz:ipv4"].source_ranges,
            Some(vec!["192.0.2.10/32".into()])
        );
        // The server has no IPv6 address, but its tag reaches it either way.
        assert!(s.rules.contains_key("server:ingress:dmz:ipv6"));
    }

    #[test]
    fn odd_node_names_get_valid_hashed_names() {
        let c = compute(
            vec![
                ("OE_1.prod", n("plossys/output-engine | 10.1.0.10")),
                ("9clients", n("plossys/client | 10.2.0.0/16 | group")),
            ],
            &[],
        );
        let s = shape(&c, &GcpOptions::default());
        let r = &s.rules["OE_1.prod:ingress:9clients:ipv4"];
        assert_eq!(
            r.name,
            format!(
                "portmap-oe-1-prod-in-9clients-v4-{}",
                short_hash("OE_1.prod:ingress:9clients:ipv4")
            )
        );
        assert!(valid_name(&r.name, MAX_NAME));
        // Ranges on both sides when the node has no tag.
        assert_eq!(r.destination_ranges, Some(vec!["10.1.0.10/32".into()]));
        assert_eq!(r.source_ranges, Some(vec!["10.2.0.0/16".into()]));
    }

    #[test]
    fn untargetable_nodes_and_bad_tags_are_errors() {
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine |  | ref=Not_A_Tag")),
                ("clients", n("plossys/client | 10.2.0.0/16 | group")),
                ("admins", n("plossys/admin |  | group")),
            ],
            &[],
        );
        let s = shape(&c, &GcpOptions::default());
        let e: Vec<(String, &str)> = s
            .issues
            .iter()
            .filter(|i| i.is_error())
            .map(|i| (i.path.to_string(), i.summary.as_str()))
            .collect();
        assert_eq!(
            e,
            vec![
                (
                    "nodes[\"admins\"]".to_string(),
                    "Node \"admins\" has neither ref nor cidrs"
                ),
                (
                    "nodes[\"oe\"].ref".to_string(),
                    "Invalid network tag \"Not_A_Tag\""
                ),
            ]
        );
    }

    #[test]
    fn options_are_checked() {
        assert!(check_options(Some(1000), Some("portmap")).is_empty());
        let e = check_options(Some(70000), Some("Prod_"));
        assert_eq!(
            e.iter().map(|i| i.path.to_string()).collect::<Vec<_>>(),
            vec!["priority", "name_prefix"]
        );
    }

    #[test]
    fn adding_a_node_keeps_every_rule() {
        let (_, before) = scenarios().remove(1);
        let a = shape(&before, &GcpOptions::default()).rules;
        let consumers = (
            "consumers",
            n("1e-platform/consumer | 10.30.0.0/16 | group"),
        );
        let b = shape(
            &compute([dmz_nodes(), vec![consumers]].concat(), &[]),
            &GcpOptions::default(),
        )
        .rules;
        assert!(b.len() > a.len());
        for (k, r) in &a {
            assert_eq!(b.get(k), Some(r), "{k}");
        }
    }
}

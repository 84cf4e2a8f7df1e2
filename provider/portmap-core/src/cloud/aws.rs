//! AWS: rules in the shape of `aws_vpc_security_group_ingress_rule` and
//! `aws_vpc_security_group_egress_rule`, one security group per node.
//!
//! Each rule of the computation becomes one AWS rule per peer address: the
//! peer's security group when the peer has a `ref` (`referenced_node`),
//! otherwise one rule per peer CIDR (`cidr_ipv4` or `cidr_ipv6`), since an
//! AWS rule holds exactly one source or destination. The protocol is always
//! `tcp` or `udp` with a port range, never `-1` (all traffic).
//!
//! Limits, from the Amazon VPC User Guide, "Amazon VPC quotas", Security
//! groups (<https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html>):
//! 60 inbound and 60 outbound rules per security group by default, "enforced
//! separately for IPv4 rules and IPv6 rules", adjustable, and "this quota
//! multiplied by the quota for security groups per network interface cannot
//! exceed 1,000". A rule referencing a security group counts as one rule
//! ("Security group rules", Security group size); AWS does not say which
//! family's quota it uses, so it is counted in both. A `ref` of the form
//! `pl-…` names a managed prefix list (`prefix_list_id`) instead; AWS counts
//! such a rule as many times as the list's maximum entries, which portmap
//! cannot see, so it is counted once in both families and the docs say so. Descriptions: "Up to 255
//! characters in length. Allowed characters are a-z, A-Z, 0-9, spaces, and
//! ._-:/()#,@[]+=&;{}!$*" (Amazon EC2 API Reference, `IpRange` and
//! `SecurityGroupRuleRequest`, Description).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use serde::Serialize;

use std::rc::Rc;

use super::{Family, Index, Shaped, flow_records, node_path, risk};
use crate::issue::Issue;
use crate::rules::{Computation, Direction, describe};

/// Default rules per security group, per direction and IP family.
pub const DEFAULT_MAX_RULES: u32 = 60;
/// Largest quota AWS allows (with one security group per interface).
pub const MAX_RULES_LIMIT: u32 = 1000;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 255;

/// An AWS security group rule (`portmap_aws_security_group_rules.rules[key]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwsRule {
    /// The node whose security group holds the rule.
    pub node: String,
    /// `ingress` or `egress`: which resource type takes the rule.
    pub direction: String,
    /// The node at the other end.
    pub peer: String,
    /// `tcp` or `udp`; `icmp` or `icmpv6` for the path-MTU rules.
    pub ip_protocol: String,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// The peer's IPv4 CIDR, or null.
    pub cidr_ipv4: Option<String>,
    /// The peer's IPv6 CIDR, or null.
    pub cidr_ipv6: Option<String>,
    /// The peer node, when the rule references its security group.
    pub referenced_node: Option<String>,
    /// The peer's `ref`, when the rule references its security group.
    pub referenced_security_group_id: Option<String>,
    /// The peer's `ref`, when it names an AWS managed prefix list (`pl-…`).
    /// Left out of the JSON when null, so the rules of topologies without
    /// prefix lists are the same bytes as before it existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<String>,
    /// Product and purposes, in AWS's character set.
    pub description: String,
    /// Keys of the flows served.
    pub flows: Vec<String>,
}

/// Options of the AWS shape.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// Rules per security group, per direction and IP family.
    pub max_rules: u32,
    /// Risk findings are errors.
    pub risks_as_errors: bool,
    /// Add each node's inbound rules for path MTU discovery (see
    /// [`path_mtu_rules`]).
    pub path_mtu_discovery: bool,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            max_rules: DEFAULT_MAX_RULES,
            risks_as_errors: false,
            path_mtu_discovery: false,
        }
    }
}

/// The peer of a path-MTU rule: any router on the path, never a node
/// (`*` is no valid node name).
pub const PATH_MTU_PEER: &str = "*";

/// The inbound rules path MTU discovery needs at each node that has rules:
/// ICMP "fragmentation needed" (type 3, code 4) for IPv4 and ICMPv6
/// "packet too big" (type 2, code 0) for IPv6, from any address, since the
/// router that sends them is anywhere on the path (Amazon VPC User Guide,
/// "Path MTU Discovery"; RFC 1191, RFC 8201). A node gets the family of its
/// own addresses (both when it has none). AWS rules take the ICMP type as
/// `from_port` and the code as `to_port`. They serve no flow: the option
/// is the user's choice, for paths whose MTU is below the instances' own
/// (VPN, Transit Gateway, the internet with jumbo frames inside the VPC).
pub fn path_mtu_rules(
    c: &Computation<'_>,
    rules: &BTreeMap<String, AwsRule>,
) -> BTreeMap<String, AwsRule> {
    let with_rules: std::collections::BTreeSet<&str> =
        rules.values().map(|r| r.node.as_str()).collect();
    let nodes = super::node_index(c);
    let mut out = BTreeMap::new();
    for node in with_rules {
        let fams = nodes
            .get(node)
            .map_or_else(Vec::new, |n| super::families(&n.cidrs));
        let fams = if fams.is_empty() {
            vec![Family::V4, Family::V6]
        } else {
            fams
        };
        for f in fams {
            let (protocol, icmp_type, code, any, text) = match f {
                Family::V4 => (
                    "icmp",
                    3,
                    4,
                    "0.0.0.0/0",
                    "Path MTU discovery: ICMP fragmentation needed (type 3 code 4) from routers on the path",
                ),
                Family::V6 => (
                    "icmpv6",
                    2,
                    0,
                    "::/0",
                    "Path MTU discovery: ICMPv6 packet too big (type 2) from routers on the path",
                ),
            };
            let rule = AwsRule {
                node: node.to_string(),
                direction: Direction::Ingress.as_str().to_string(),
                peer: PATH_MTU_PEER.to_string(),
                ip_protocol: protocol.to_string(),
                from_port: icmp_type,
                to_port: code,
                cidr_ipv4: (f == Family::V4).then(|| any.to_string()),
                cidr_ipv6: (f == Family::V6).then(|| any.to_string()),
                referenced_node: None,
                referenced_security_group_id: None,
                prefix_list_id: None,
                description: description(text),
                flows: Vec::new(),
            };
            out.insert(format!("{node}:ingress:path-mtu:{protocol}:{any}"), rule);
        }
    }
    out
}

/// Checks `max_rules`: 1 to 1000.
pub fn check_max_rules(max_rules: i64) -> Option<Issue> {
    (!(1..=i64::from(MAX_RULES_LIMIT)).contains(&max_rules)).then(|| {
        Issue::error(
            crate::issue::Path::root().attr("max_rules"),
            format!("max_rules {max_rules} is out of range"),
            format!("The rules quota per security group is at least 1 and at most {MAX_RULES_LIMIT}: AWS caps it times the security groups per network interface at 1,000."),
        )
    })
}

/// Whether a `ref` names an AWS managed prefix list (`pl-` and hexadecimal
/// digits, as AWS writes prefix list ids) rather than a security group.
pub fn is_prefix_list_id(reference: &str) -> bool {
    reference
        .strip_prefix("pl-")
        .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether AWS accepts the character in a rule description.
pub fn description_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == ' ' || "._-:/()#,@[]+=&;{}!$*".contains(c)
}

/// The ASCII spelling of a Latin letter with a diacritic or a ligature
/// (`é` → `e`, `ß` → `ss`, `Æ` → `AE`), and of typographic dashes; `None`
/// for anything else.
pub fn transliterate(c: char) -> Option<&'static str> {
    let s = match c {
        'À'..='Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' | 'Ć' | 'Č' => "C",
        'ç' | 'ć' | 'č' => "c",
        'Ď' | 'Đ' | 'Ð' => "D",
        'ď' | 'đ' | 'ð' => "d",
        'È'..='Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'Ğ' => "G",
        'ğ' => "g",
        'Ì'..='Ï' | 'Ī' | 'Į' | 'İ' => "I",
        'ì'..='ï' | 'ī' | 'į' | 'ı' => "i",
        'Ł' | 'Ľ' | 'Ĺ' => "L",
        'ł' | 'ľ' | 'ĺ' => "l",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ñ' | 'ń' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ř' | 'Ŕ' => "R",
        'ř' | 'ŕ' => "r",
        'Ś' | 'Š' | 'Ş' => "S",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'Ť' | 'Ţ' => "T",
        'ť' | 'ţ' => "t",
        'Ù'..='Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ù'..='ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ý' | 'Ÿ' => "Y",
        'ý' | 'ÿ' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        'Þ' => "TH",
        'þ' => "th",
        '\u{2010}'..='\u{2015}' | '\u{2212}' => "-",
        _ => return None,
    };
    Some(s)
}

/// A description in AWS's character set, at most 255 characters: every
/// character AWS allows is kept, Latin letters with diacritics are
/// transliterated (`é` → `e`, see [`transliterate`]), `|` becomes `/`, `>`
/// becomes `-`, other characters become spaces, and runs of spaces shrink
/// to one.
pub fn description(text: &str) -> String {
    let mut mapped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if description_char(c) => mapped.push(c),
            '|' => mapped.push('/'),
            '>' => mapped.push('-'),
            c => mapped.push_str(transliterate(c).unwrap_or(" ")),
        }
    }
    let squeezed = mapped
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    crate::rules::truncate(&squeezed, MAX_DESCRIPTION)
}

/// Shapes the computation's rules for AWS.
pub fn shape(c: &Computation<'_>, o: &AwsOptions) -> Shaped<AwsRule> {
    // Gathered in a list and made maps at once (sorting a list that is
    // nearly in order already), not inserted one by one.
    let mut rules: Vec<(String, AwsRule)> = Vec::new();
    // The computation's flow keys of each rule, to describe merged rules.
    let mut served: Vec<(String, &[Rc<str>])> = Vec::new();
    let nodes = super::node_index(c);
    // A description is shared by many rules: each is converted once.
    let mut descriptions: FxHashMap<&str, String> = FxHashMap::default();
    for r in c.rules.values() {
        let Some(&peer) = nodes.get(&*r.peer) else {
            continue;
        };
        let base = AwsRule {
            node: r.node.to_string(),
            direction: r.direction.as_str().to_string(),
            peer: r.peer.to_string(),
            ip_protocol: r.protocol.as_str().to_string(),
            from_port: r.ports.from,
            to_port: r.ports.to,
            cidr_ipv4: None,
            cidr_ipv6: None,
            referenced_node: None,
            referenced_security_group_id: None,
            prefix_list_id: None,
            description: descriptions
                .entry(&r.description)
                .or_insert_with(|| description(&r.description))
                .clone(),
            flows: r.flows.iter().map(|k| k.to_string()).collect(),
        };
        if let Some(reference) = &peer.reference {
            let rule = if is_prefix_list_id(reference) {
                AwsRule {
                    prefix_list_id: Some(reference.clone()),
                    ..base
                }
            } else {
                AwsRule {
                    referenced_node: Some(peer.name.clone()),
                    referenced_security_group_id: Some(reference.clone()),
                    ..base
                }
            };
            let key = format!("{}:ref", r.key);
            served.push((key.clone(), &r.flows));
            rules.push((key, rule));
            continue;
        }
        // The rule has the peer's addresses as text already, in the order
        // of the peer's `cidrs`.
        debug_assert_eq!(peer.cidrs.len(), r.peer_cidrs.len());
        for (net, text) in peer.cidrs.iter().zip(r.peer_cidrs.iter()) {
            let mut rule = base.clone();
            match Family::of(net) {
                Family::V4 => rule.cidr_ipv4 = Some(text.clone()),
                Family::V6 => rule.cidr_ipv6 = Some(text.clone()),
            }
            let mut key = String::with_capacity(r.key.len() + 1 + text.len());
            key.push_str(&r.key);
            key.push(':');
            key.push_str(text);
            served.push((key.clone(), &r.flows));
            rules.push((key, rule));
        }
    }
    // Of equal keys the last is kept, as inserting each into a map would.
    let served: BTreeMap<String, &[Rc<str>]> = served.into_iter().collect();
    let rules: BTreeMap<String, AwsRule> = rules.into_iter().collect();
    let ix = Index::new(c);
    let mut rules = merge_duplicates(rules, &served, &ix);
    if o.path_mtu_discovery {
        let extra = path_mtu_rules(c, &rules);
        rules.extend(extra);
    }
    let mut issues = quota(&rules, o.max_rules);
    issues.extend(super::unserved(
        &ix,
        "AWS",
        rules.values().map(|r| {
            let d = if r.direction == Direction::Ingress.as_str() {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            (r.node.as_str(), d, r.flows.as_slice())
        }),
        &std::collections::BTreeSet::new(),
    ));
    issues.extend(risk::check(
        c,
        &|peer| {
            peer.reference
                .is_none()
                .then(|| risk::whole_internet_cidrs(peer))
                .flatten()
        },
        o.risks_as_errors,
    ));
    Shaped { rules, issues }
}

/// What an AWS rule allows, in which security group: rules with the same
/// content are duplicates.
type Content<'r> = (
    &'r str,
    &'r str,
    &'r str,
    u16,
    u16,
    Option<&'r str>,
    Option<&'r str>,
    Option<&'r str>,
    Option<&'r str>,
);

fn content(r: &AwsRule) -> Content<'_> {
    (
        &r.node,
        &r.direction,
        &r.ip_protocol,
        r.from_port,
        r.to_port,
        r.cidr_ipv4.as_deref(),
        r.cidr_ipv6.as_deref(),
        r.referenced_security_group_id.as_deref(),
        r.prefix_list_id.as_deref(),
    )
}

/// Merges the rules AWS would refuse as duplicates
/// (`InvalidPermission.Duplicate`): two rules of one security group with the
/// same direction, protocol, ports and peer address or group, as when two
/// peers share a CIDR or a `ref`. The merged rule keeps the first key (and
/// its peer), serves the flows of all, and is described by all of them.
/// Rules that are not duplicates are returned unchanged.
fn merge_duplicates(
    rules: BTreeMap<String, AwsRule>,
    served: &BTreeMap<String, &[Rc<str>]>,
    ix: &Index<'_, '_>,
) -> BTreeMap<String, AwsRule> {
    // The first key (in key order) of each content; only looked up.
    let mut first: FxHashMap<Content<'_>, &str> = FxHashMap::default();
    let mut merged: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, r) in &rules {
        match first.entry(content(r)) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(k);
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                merged.entry(*e.get()).or_default().push(k);
            }
        }
    }
    if merged.is_empty() {
        return rules;
    }
    let mut changes: Vec<(String, Vec<String>, AwsRule)> = Vec::new();
    for (keep, others) in &merged {
        let Some(rule) = rules.get(*keep) else {
            continue;
        };
        let mut flows: Vec<Rc<str>> = std::iter::once(*keep)
            .chain(others.iter().copied())
            .filter_map(|k| served.get(k))
            .flat_map(|f| f.iter().cloned())
            .collect();
        flows.sort();
        flows.dedup();
        let text = describe(&flow_records(ix, &flows), crate::rules::MAX_DESCRIPTION);
        let rule = AwsRule {
            description: description(&text),
            flows: flows.iter().map(ToString::to_string).collect(),
            ..rule.clone()
        };
        changes.push((
            keep.to_string(),
            others.iter().map(ToString::to_string).collect(),
            rule,
        ));
    }
    let mut rules = rules;
    for (keep, others, rule) in changes {
        for o in others {
            rules.remove(&o);
        }
        rules.insert(keep, rule);
    }
    rules
}

/// The quota check: rules per security group, direction and family. The
/// advice is computed: which peers' refs would save how many rules (a peer
/// with a ref needs one rule per protocol and port range instead of one per
/// CIDR and range), which peers need the most rules, and the smallest
/// `max_rules` that fits.
fn quota(rules: &BTreeMap<String, AwsRule>, max: u32) -> Vec<Issue> {
    /// Per peer of one group: rules in this family, and the distinct
    /// (protocol, ports) they allow; whether it already has a ref.
    #[derive(Default)]
    struct PeerUse<'a> {
        rules: u32,
        ports: std::collections::BTreeSet<(&'a str, u16, u16)>,
        by_ref: bool,
    }
    type Count<'a> = (u32, BTreeMap<&'a str, PeerUse<'a>>);
    let mut counts: BTreeMap<(&str, &str, Family), Count<'_>> = BTreeMap::new();
    for r in rules.values() {
        let families: &[Family] = match (&r.cidr_ipv4, &r.cidr_ipv6) {
            (Some(_), _) => &[Family::V4],
            (_, Some(_)) => &[Family::V6],
            _ => &[Family::V4, Family::V6],
        };
        for f in families {
            let (n, peers) = counts.entry((&r.node, &r.direction, *f)).or_default();
            *n += 1;
            let u = peers.entry(&r.peer).or_default();
            u.rules += 1;
            u.ports.insert((&r.ip_protocol, r.from_port, r.to_port));
            u.by_ref |= r.referenced_security_group_id.is_some() || r.prefix_list_id.is_some();
        }
    }
    counts
        .into_iter()
        .filter(|(_, (n, _))| *n > max)
        .map(|((node, dir, fam), (n, peers))| {
            let way = if dir == Direction::Ingress.as_str() { "inbound" } else { "outbound" };
            let mut savings: Vec<(u32, &str)> = peers
                .iter()
                .filter(|(_, u)| !u.by_ref)
                .map(|(p, u)| (u.rules.saturating_sub(u.ports.len() as u32), *p))
                .filter(|(s, _)| *s > 0)
                .collect();
            savings.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let all_refs: u32 = savings.iter().map(|(s, _)| s).sum();
            let mut chosen = Vec::new();
            let mut left = n;
            for (s, p) in &savings {
                if left <= max {
                    break;
                }
                left -= s;
                chosen.push(format!("\"{p}\" (saves {s})"));
            }
            let refs = if savings.is_empty() {
                format!("Refs would not help: every peer without a ref already needs one rule per port range ({n} with refs too).")
            } else if left <= max {
                format!("Give a ref (its security group) to {}: {n} → {left} rules, within the quota.", chosen.join(", "))
            } else {
                format!("Refs for every peer without one would save {all_refs} rules, still {} over the quota.", n - all_refs - max)
            };
            let mut top: Vec<(u32, &str)> = peers.iter().map(|(p, u)| (u.rules, *p)).collect();
            top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let top: Vec<String> = top
                .iter()
                .take(3)
                .map(|(r, p)| format!("\"{p}\" {r}"))
                .collect();
            let fits = n - all_refs.min(n);
            let quota = if fits < n {
                format!("max_rules {n} (or {fits} with all those refs)")
            } else {
                format!("max_rules {n}")
            };
            Issue::error(
                node_path(node),
                format!("Security group of node \"{node}\" needs {n} {way} {} rules; the quota is {max}", fam.label()),
                format!(
                    "AWS allows {max} {way} rules per security group for each IP family (the default quota is {DEFAULT_MAX_RULES}; see \"Amazon VPC quotas\"): one rule per peer CIDR (or ref) and port range. {refs} The peers needing the most rules: {}. Otherwise: split \"{node}\" into several nodes (fewer components each, each with its own security group), or have the quota raised to at least {n} and set {quota} (rules x security groups per interface may not exceed 1,000, so at most {} groups per interface).",
                    top.join(", "),
                    MAX_RULES_LIMIT / n.max(1),
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Protocol;
    use crate::cloud::testkit::{
        Openings, cidrs, compute, n, open, plossys_nodes, range, required, scenarios,
    };

    fn openings(rules: &BTreeMap<String, AwsRule>) -> Openings {
        let mut o = Openings::new();
        for r in rules.values() {
            let endpoint = match (
                &r.cidr_ipv4,
                &r.cidr_ipv6,
                &r.referenced_security_group_id,
                &r.prefix_list_id,
            ) {
                (Some(a), None, None, None) => a.clone(),
                (None, Some(a), None, None) => a.clone(),
                (None, None, Some(rf), None) | (None, None, None, Some(rf)) => format!("ref:{rf}"),
                other => panic!(
                    "not exactly one of cidr_ipv4, cidr_ipv6, referenced, prefix list: {other:?}"
                ),
            };
            let d = if r.direction == "ingress" {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            let p = match r.ip_protocol.as_str() {
                "tcp" => Protocol::Tcp,
                "udp" => Protocol::Udp,
                other => panic!("protocol {other}"),
            };
            open(
                &mut o,
                &r.node,
                d,
                &endpoint,
                p,
                range(&format!("{}-{}", r.from_port, r.to_port)),
            );
        }
        o
    }

    fn policy(
        _: Direction,
        _: &crate::topology::ResolvedNode,
        peer: &crate::topology::ResolvedNode,
    ) -> Vec<String> {
        match &peer.reference {
            Some(r) => vec![format!("ref:{r}")],
            None => cidrs(peer),
        }
    }

    #[test]
    fn exactly_what_the_flows_require_never_all_protocols() {
        for (name, c) in scenarios() {
            let s = shape(&c, &AwsOptions::default());
            for r in s.rules.values() {
                assert!(
                    r.ip_protocol == "tcp" || r.ip_protocol == "udp",
                    "{name}: {r:?}"
                );
                assert!(
                    r.from_port >= 1 && r.from_port <= r.to_port,
                    "{name}: {r:?}"
                );
                assert!(
                    r.description.chars().count() <= MAX_DESCRIPTION
                        && r.description.chars().all(description_char),
                    "{name}: {r:?}"
                );
            }
            assert_eq!(openings(&s.rules), required(&c, &policy), "{name}");
        }
    }

    #[test]
    fn path_mtu_discovery_adds_one_icmp_rule_per_family_of_each_node_with_rules() {
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.1.0.10 2001:db8:1::10")),
                ("clients", n("plossys/client | 10.2.0.0/16 | group")),
                ("admins", n("plossys/admin | | group ref=sg-admins")),
            ],
            &[],
        );
        let plain = shape(&c, &AwsOptions::default());
        let with = shape(
            &c,
            &AwsOptions {
                path_mtu_discovery: true,
                ..AwsOptions::default()
            },
        );
        let added: Vec<&str> = with
            .rules
            .keys()
            .filter(|k| !plain.rules.contains_key(*k))
            .map(String::as_str)
            .collect();
        // oe has IPv4 and IPv6 addresses, clients IPv4 only, admins none
        // (so both families).
        assert_eq!(
            added,
            [
                "admins:ingress:path-mtu:icmp:0.0.0.0/0",
                "admins:ingress:path-mtu:icmpv6:::/0",
                "clients:ingress:path-mtu:icmp:0.0.0.0/0",
                "oe:ingress:path-mtu:icmp:0.0.0.0/0",
                "oe:ingress:path-mtu:icmpv6:::/0",
            ]
        );
        let r = &with.rules["oe:ingress:path-mtu:icmp:0.0.0.0/0"];
        assert_eq!(
            (r.ip_protocol.as_str(), r.from_port, r.to_port),
            ("icmp", 3, 4)
        );
        assert_eq!(r.cidr_ipv4.as_deref(), Some("0.0.0.0/0"));
        assert_eq!((r.peer.as_str(), r.direction.as_str()), ("*", "ingress"));
        assert!(r.flows.is_empty());
        let r = &with.rules["oe:ingress:path-mtu:icmpv6:::/0"];
        assert_eq!(
            (r.ip_protocol.as_str(), r.from_port, r.to_port),
            ("icmpv6", 2, 0)
        );
        assert_eq!(r.cidr_ipv6.as_deref(), Some("::/0"));
        // Every other rule is unchanged, and no issue is added.
        for (k, r) in &plain.rules {
            assert_eq!(Some(r), with.rules.get(k), "{k}");
        }
        assert_eq!(plain.issues.len(), with.issues.len());
    }

    #[test]
    fn a_ref_naming_a_managed_prefix_list_fills_prefix_list_id() {
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.1.0.10")),
                ("clients", n("plossys/client | | group ref=pl-0a1b2c3d")),
                ("admins", n("plossys/admin | | group ref=sg-admins")),
            ],
            &[],
        );
        let s = shape(&c, &AwsOptions::default());
        // The clients reach the Output Engine on 443, 515 and 631 (the
        // PLOSSYS tables); each ingress rule names the list, not a group.
        for port in [443, 515, 631] {
            let r = &s.rules[&format!("oe:ingress:clients:tcp:{port}:ref")];
            assert_eq!(r.prefix_list_id.as_deref(), Some("pl-0a1b2c3d"));
            assert_eq!(r.referenced_node, None);
            assert_eq!(r.referenced_security_group_id, None);
            assert_eq!((r.from_port, r.to_port), (port, port));
            let j = serde_json::to_value(r).unwrap();
            assert_eq!(j["prefix_list_id"], "pl-0a1b2c3d");
        }
        let r = &s.rules["oe:ingress:admins:tcp:9000:ref"];
        assert_eq!(r.referenced_security_group_id.as_deref(), Some("sg-admins"));
        assert_eq!(r.prefix_list_id, None);
        // Left out of the JSON when null: the bytes of older outputs.
        let j = serde_json::to_value(r).unwrap();
        assert!(j.get("prefix_list_id").is_none(), "{j}");
        assert!(is_prefix_list_id("pl-63a5400a"));
        for not in ["pl-", "pl-xyz", "sg-0a1b", "PL-63a5400a", "pl-63a5400a "] {
            assert!(!is_prefix_list_id(not), "{not}");
        }
    }

    #[test]
    fn one_rule_per_cidr_or_one_reference() {
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.1.0.10")),
                (
                    "clients",
                    n("plossys/client | 10.2.0.0/16 2001:db8:2::/48 | group"),
                ),
                (
                    "admins",
                    n("plossys/admin | 10.3.0.0/24 | group ref=sg-admins"),
                ),
            ],
            &[],
        );
        let s = shape(&c, &AwsOptions::default());
        let keys: Vec<&str> = s.rules.keys().map(String::as_str).collect();
        // From the catalog: clients reach the Output Engine on 443 (IPPS),
        // 515 (LPR) and 631 (IPP); administrators on 5601 (Kibana) and 9000
        // (PLOSSYS Administrator). Both ends of each get a rule.
        assert_eq!(
            keys,
            vec![
                "admins:egress:oe:tcp:5601:10.1.0.10/32",
                "admins:egress:oe:tcp:9000:10.1.0.10/32",
                "clients:egress:oe:tcp:443:10.1.0.10/32",
                "clients:egress:oe:tcp:515:10.1.0.10/32",
                "clients:egress:oe:tcp:631:10.1.0.10/32",
                "oe:ingress:admins:tcp:5601:ref",
                "oe:ingress:admins:tcp:9000:ref",
                "oe:ingress:clients:tcp:443:10.2.0.0/16",
                "oe:ingress:clients:tcp:443:2001:db8:2::/48",
                "oe:ingress:clients:tcp:515:10.2.0.0/16",
                "oe:ingress:clients:tcp:515:2001:db8:2::/48",
                "oe:ingress:clients:tcp:631:10.2.0.0/16",
                "oe:ingress:clients:tcp:631:2001:db8:2::/48",
            ]
        );
        let r = &s.rules["oe:ingress:clients:tcp:443:2001:db8:2::/48"];
        assert_eq!(
            r,
            &AwsRule {
                node: "oe".into(),
                direction: "ingress".into(),
                peer: "clients".into(),
                ip_protocol: "tcp".into(),
                from_port: 443,
                to_port: 443,
                cidr_ipv4: None,
                cidr_ipv6: Some("2001:db8:2::/48".into()),
                referenced_node: None,
                referenced_security_group_id: None,
                prefix_list_id: None,
                description: "plossys: Job acceptance via IPPS (seal-ipp-checkin)".into(),
                flows: vec!["plossys:client-ipps:clients>oe:tcp:443".into()],
            }
        );
        let r = &s.rules["oe:ingress:admins:tcp:9000:ref"];
        assert_eq!(
            (
                r.referenced_node.as_deref(),
                r.referenced_security_group_id.as_deref()
            ),
            (Some("admins"), Some("sg-admins"))
        );
        assert_eq!(
            (r.cidr_ipv4.as_deref(), r.cidr_ipv6.as_deref()),
            (None, None)
        );
    }

    #[test]
    fn peers_sharing_a_cidr_or_a_ref_get_one_rule_not_duplicates() {
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.1.0.10")),
                ("clients", n("plossys/client | 10.8.0.0/16 | group")),
                ("consoles", n("plossys/client | 10.8.0.0/16 | group")),
                (
                    "admins",
                    n("plossys/admin | 10.3.0.0/24 | group ref=sg-ops"),
                ),
                (
                    "monitors",
                    n("plossys/admin | 10.4.0.0/24 | group ref=sg-ops"),
                ),
            ],
            &[],
        );
        let s = shape(&c, &AwsOptions::default());
        let ingress: Vec<&str> = s
            .rules
            .iter()
            .filter(|(_, r)| r.node == "oe" && r.direction == "ingress")
            .map(|(k, _)| k.as_str())
            .collect();
        // Clients reach the Output Engine on 443, 515 and 631 and
        // administrators on 5601 and 9000 (as in one_rule_per_cidr_or_one_reference):
        // once each, although two peers share each address or group.
        assert_eq!(
            ingress,
            vec![
                "oe:ingress:admins:tcp:5601:ref",
                "oe:ingress:admins:tcp:9000:ref",
                "oe:ingress:clients:tcp:443:10.8.0.0/16",
                "oe:ingress:clients:tcp:515:10.8.0.0/16",
                "oe:ingress:clients:tcp:631:10.8.0.0/16",
            ]
        );
        let r = &s.rules["oe:ingress:clients:tcp:443:10.8.0.0/16"];
        assert_eq!(
            r.flows,
            vec![
                "plossys:client-ipps:clients>oe:tcp:443",
                "plossys:client-ipps:consoles>oe:tcp:443",
            ]
        );
        assert_eq!(
            r.description,
            "plossys: Job acceptance via IPPS (seal-ipp-checkin)"
        );
        assert_eq!(s.rules["oe:ingress:admins:tcp:9000:ref"].flows.len(), 2);
        // The egress rules of the two groups are in two security groups:
        // nothing to merge.
        assert!(
            s.rules
                .contains_key("clients:egress:oe:tcp:443:10.1.0.10/32")
        );
        assert!(
            s.rules
                .contains_key("consoles:egress:oe:tcp:443:10.1.0.10/32")
        );
        // No two rules of one group allow the same thing.
        let mut seen = std::collections::BTreeSet::new();
        for r in s.rules.values() {
            let content = (
                &r.node,
                &r.direction,
                &r.ip_protocol,
                r.from_port,
                r.to_port,
                &r.cidr_ipv4,
                &r.cidr_ipv6,
                &r.referenced_security_group_id,
            );
            assert!(seen.insert(content), "duplicate {r:?}");
        }
    }

    #[test]
    fn max_rules_is_checked() {
        assert!(check_max_rules(60).is_none() && check_max_rules(1000).is_none());
        let e = check_max_rules(1001).map(|i| (i.path.to_string(), i.summary));
        assert_eq!(
            e,
            Some(("max_rules".into(), "max_rules 1001 is out of range".into()))
        );
        assert!(check_max_rules(0).is_some());
    }

    #[test]
    fn descriptions_use_only_aws_characters() {
        assert_eq!(description("a | b & c > d — é"), "a / b & c - d - e");
        assert_eq!(
            description("Überwachung: Drucker für Büro & Straße (Zürich) ™"),
            "Uberwachung: Drucker fur Buro & Strasse (Zurich)"
        );
        assert_eq!(description("Œuvre, Łódź, naïve"), "OEuvre, Lodz, naive");
        let long = "x".repeat(300);
        assert_eq!(description(&long).chars().count(), MAX_DESCRIPTION);
    }

    #[test]
    fn quota_per_direction_and_family() {
        let c = scenarios().remove(0).1;
        let s = shape(
            &c,
            &AwsOptions {
                max_rules: 5,
                ..AwsOptions::default()
            },
        );
        let errors: Vec<&Issue> = s.issues.iter().filter(|i| i.is_error()).collect();
        assert!(!errors.is_empty());
        let oe = errors.iter().find(|i| {
            i.summary.starts_with("Security group of node \"oe\" needs")
                && i.summary.contains("inbound IPv4")
        });
        let Some(oe) = oe else { panic!("{errors:#?}") };
        assert_eq!(oe.path.to_string(), "nodes[\"oe\"]");
        assert!(oe.summary.ends_with("the quota is 5"));
        // Each of the Output Engine's peers has one CIDR per family, so a
        // ref saves nothing: the advice must not pretend it does.
        assert!(oe.detail.contains("Refs would not help"), "{}", oe.detail);
        assert!(
            shape(&c, &AwsOptions::default())
                .issues
                .iter()
                .all(|i| !i.is_error())
        );
    }

    #[test]
    fn quota_advice_names_the_refs_that_bring_a_group_under_it() {
        // Clients reach the Output Engine on 443, 515 and 631: with three
        // CIDRs, 9 inbound IPv4 rules; a ref makes them 3. Administrators
        // (one CIDR) need 2 (5601, 9000); a ref saves nothing there.
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.1.0.10")),
                (
                    "clients",
                    n("plossys/client | 10.2.0.0/16 10.3.0.0/16 10.4.0.0/16 | group"),
                ),
                ("admins", n("plossys/admin | 10.5.0.0/24 | group")),
            ],
            &[],
        );
        let s = shape(
            &c,
            &AwsOptions {
                max_rules: 8,
                ..AwsOptions::default()
            },
        );
        let e: Vec<&Issue> = s.issues.iter().filter(|i| i.is_error()).collect();
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(
            e[0].summary,
            "Security group of node \"oe\" needs 11 inbound IPv4 rules; the quota is 8"
        );
        assert!(
            e[0].detail.contains(
                "Give a ref (its security group) to \"clients\" (saves 6): 11 → 5 rules, within the quota."
            ),
            "{}",
            e[0].detail
        );
        assert!(
            e[0].detail
                .contains("The peers needing the most rules: \"clients\" 9, \"admins\" 2.")
        );
        assert!(
            e[0].detail
                .contains("set max_rules 11 (or 5 with all those refs)")
        );
        assert!(e[0].detail.contains("at most 90 groups per interface"));
    }

    #[test]
    fn adding_a_node_keeps_every_key_and_rule() {
        let before = scenarios().remove(0).1;
        let monitoring = ("monitoring", n("plossys/monitoring | 10.4.0.10"));
        let dpf = ("dpf", n("plossys/dpf-server | 10.5.0.10"));
        let after = compute([plossys_nodes(), vec![monitoring, dpf]].concat(), &[]);
        let a = shape(&before, &AwsOptions::default()).rules;
        let b = shape(&after, &AwsOptions::default()).rules;
        for (k, r) in &a {
            assert_eq!(b.get(k), Some(r), "{k}");
        }
        assert!(b.len() > a.len());
    }
}

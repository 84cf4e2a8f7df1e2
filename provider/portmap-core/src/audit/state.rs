//! Existing rules from Terraform state: the firewall rule resources that
//! `terraform show -json` prints, as the [`ExistingRule`]s the audit reads.
//!
//! Read from `values.root_module` and its `child_modules`, recursively
//! (managed resources only):
//!
//! - `aws_vpc_security_group_ingress_rule`, `aws_vpc_security_group_egress_rule`
//!   (one rule each: `cidr_ipv4`, `cidr_ipv6`, `referenced_security_group_id`
//!   or `prefix_list_id`);
//! - `aws_security_group_rule` (`type`; one rule per entry of `cidr_blocks`,
//!   `ipv6_cidr_blocks`, `prefix_list_ids`, plus `source_security_group_id`
//!   and `self`);
//! - the inline `ingress` and `egress` blocks of `aws_security_group`
//!   (likewise, with `security_groups`);
//! - `azurerm_network_security_rule` (one rule per destination port range
//!   and peer address; `Deny` rules are reported, never read as allows);
//! - `google_compute_firewall` (one rule per target tag, `allow` block,
//!   port entry and peer range; `deny` blocks are reported).
//!
//! A rule's node comes from the [`GroupMap`]: the security group id, the
//! network security group name or the GCP target tag (or target service
//! account) names a node. Referenced groups (security groups, prefix lists,
//! application security groups, GCP source tags and service accounts) name
//! the peer node through `peers`, or through `groups`. What cannot be said
//! exactly as an allow rule of a node is [`Skipped`], with the reason:
//! deny rules, unmapped groups, address tags such as `Internet` or
//! `VirtualNetwork`, source port restrictions, protocols other than TCP,
//! UDP, ICMP and all, disabled firewalls. Nothing is guessed.
//!
//! Read as the audit models rules: a rule is enforced at its node, so the
//! local side of a rule (the destination prefixes of an Azure inbound rule,
//! the source prefixes of an outbound one, the `destination_ranges` of a GCP
//! ingress rule) is not read, and ICMP types and codes are read as all of
//! ICMP.
//!
//! A rule's `id` is the resource instance address, with `#N` (N from 0)
//! when the resource yields several parts (rules or skipped parts), in the
//! order above.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ExistingRule;
use crate::topology::parse_cidr;

/// Which node each cloud group is, and which node a referenced group
/// stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupMap {
    /// Group identifier → node: security group ids (`sg-0abc…`), network
    /// security group names, GCP target tags or target service accounts.
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
    /// Referenced identifier → peer node: prefix list ids, application
    /// security group ids, GCP source tags and service accounts, or
    /// security groups referenced but not holding rules. Identifiers of
    /// `groups` are peers as well; `peers` wins where both name one.
    #[serde(default)]
    pub peers: BTreeMap<String, String>,
}

impl GroupMap {
    /// Parses a map file (YAML or JSON): `{groups: {…}, peers: {…}}`.
    pub fn parse(text: &str) -> Result<GroupMap, String> {
        serde_norway::from_str(text).map_err(|e| {
            format!("not a group map ({{groups: {{ID: NODE}}, peers: {{ID: NODE}}}}): {e}")
        })
    }

    fn node(&self, group: &str) -> Option<&str> {
        self.groups.get(group).map(String::as_str)
    }

    fn peer(&self, id: &str) -> Option<&str> {
        self.peers
            .get(id)
            .or_else(|| self.groups.get(id))
            .map(String::as_str)
    }

    /// Names in the map that are not nodes: `(section, identifier, node)`.
    pub fn unknown_nodes<'m>(&'m self, nodes: &[&str]) -> Vec<(&'static str, &'m str, &'m str)> {
        let mut out = Vec::new();
        for (section, m) in [("groups", &self.groups), ("peers", &self.peers)] {
            for (id, node) in m {
                if !nodes.contains(&node.as_str()) {
                    out.push((section, id.as_str(), node.as_str()));
                }
            }
        }
        out
    }
}

/// An existing rule read from state, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateRule {
    /// The rule, its `id` the address (with `#N` when the resource yields
    /// several parts).
    pub rule: ExistingRule,
    /// The resource instance address.
    pub address: String,
    /// The resource type (`aws_vpc_security_group_ingress_rule`, ...).
    pub resource_type: String,
    /// How many parts (rules and skipped parts) the resource yields: 1 when
    /// this rule is the whole resource.
    pub parts: usize,
    /// The group the rule is in (security group id, NSG name, target tag).
    pub group: String,
    /// The cloud's id of the rule, when the resource is one rule
    /// (`security_group_rule_id` of the AWS rule resources).
    pub rule_id: Option<String>,
}

/// A rule, or part of one, that is not read as an allow rule of a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The address, with `#N` as for rules.
    pub id: String,
    /// The resource type, as in the state.
    pub resource_type: String,
    /// `deny`, `disabled`, `unmapped_group`, `unmapped_peer`,
    /// `address_tag`, `source_ports`, `protocol`, `no_target`, `no_peer`
    /// or `invalid`.
    pub kind: String,
    /// What exactly, in words.
    pub detail: String,
}

/// The existing rules of a state, and what was skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FromState {
    /// Rules, in the order of the state.
    pub rules: Vec<StateRule>,
    /// Parts not read as allow rules, in the order of the state.
    pub skipped: Vec<Skipped>,
    /// The `aws_security_group` resources whose id the map names.
    pub security_groups: Vec<GroupResource>,
}

/// A security group resource of a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupResource {
    /// The resource instance address.
    pub address: String,
    /// The security group id.
    pub id: String,
    /// The node it is.
    pub node: String,
}

impl FromState {
    /// The rules as the audit reads them.
    pub fn existing(&self) -> Vec<ExistingRule> {
        self.rules.iter().map(|r| r.rule.clone()).collect()
    }
}

/// One part a resource yields.
enum Part {
    Rule { rule: ExistingRule, group: String },
    Skip { kind: &'static str, detail: String },
}

fn skip(kind: &'static str, detail: impl Into<String>) -> Part {
    Part::Skip {
        kind,
        detail: detail.into(),
    }
}

/// The resource types read.
pub const RESOURCE_TYPES: [&str; 6] = [
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_security_group_rule",
    "aws_security_group",
    "azurerm_network_security_rule",
    "google_compute_firewall",
];

/// Reads the JSON of `terraform show -json` (a state, not a plan).
pub fn from_state(json: &str, map: &GroupMap) -> Result<FromState, String> {
    let doc: Value = serde_json::from_str(json)
        .map_err(|e| format!("not JSON of `terraform show -json`: {e}"))?;
    let Some(obj) = doc.as_object() else {
        return Err("not JSON of `terraform show -json`: expected an object".into());
    };
    if !obj.contains_key("format_version") {
        return Err("not JSON of `terraform show -json`: no format_version".into());
    }
    let mut out = FromState::default();
    let Some(values) = obj.get("values") else {
        if obj.contains_key("planned_values") {
            return Err("this is a plan; give the JSON of the state: `terraform show -json` without a plan file".into());
        }
        // An empty state has no values.
        return Ok(out);
    };
    if let Some(root) = values.get("root_module") {
        walk(root, map, &mut out);
    }
    Ok(out)
}

fn walk(module: &Value, map: &GroupMap, out: &mut FromState) {
    for r in arr(module, "resources") {
        if r.get("mode").and_then(Value::as_str) != Some("managed") {
            continue;
        }
        let (Some(address), Some(ty)) = (str_of(r, "address"), str_of(r, "type")) else {
            continue;
        };
        if !RESOURCE_TYPES.contains(&ty) {
            continue;
        }
        let empty = Value::Null;
        let v = r.get("values").unwrap_or(&empty);
        if ty == "aws_security_group"
            && let Some(id) = str_of(v, "id")
            && let Some(node) = map.node(id)
        {
            out.security_groups.push(GroupResource {
                address: address.to_string(),
                id: id.to_string(),
                node: node.to_string(),
            });
        }
        let parts = match ty {
            "aws_vpc_security_group_ingress_rule" => aws_vpc(v, "ingress", map),
            "aws_vpc_security_group_egress_rule" => aws_vpc(v, "egress", map),
            "aws_security_group_rule" => aws_sg_rule(v, map),
            "aws_security_group" => aws_inline(v, map),
            "azurerm_network_security_rule" => azure(v, map),
            _ => gcp(v, map),
        };
        let n = parts.len();
        for (i, p) in parts.into_iter().enumerate() {
            let id = if n > 1 {
                format!("{address}#{i}")
            } else {
                address.to_string()
            };
            match p {
                Part::Rule { mut rule, group } => {
                    rule.id = id;
                    out.rules.push(StateRule {
                        rule,
                        address: address.to_string(),
                        resource_type: ty.to_string(),
                        parts: n,
                        group,
                        rule_id: str_of(v, "security_group_rule_id")
                            .filter(|_| n == 1 && ty != "aws_security_group")
                            .map(str::to_string),
                    });
                }
                Part::Skip { kind, detail } => out.skipped.push(Skipped {
                    id,
                    resource_type: ty.to_string(),
                    kind: kind.to_string(),
                    detail,
                }),
            }
        }
    }
    for child in arr(module, "child_modules") {
        walk(child, map, out);
    }
}

fn arr<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A non-empty string attribute.
fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The non-empty strings of a list (or set) attribute.
fn strs<'v>(v: &'v Value, key: &str) -> Vec<&'v str> {
    arr(v, key)
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
        .collect()
}

fn int_of(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(|x| {
        x.as_i64()
            .or_else(|| x.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
    })
}

/// An AWS protocol word or number as the audit's protocol.
fn aws_protocol(p: &str) -> Option<&'static str> {
    match p.to_ascii_lowercase().as_str() {
        "-1" | "all" => Some("all"),
        "tcp" | "6" => Some("tcp"),
        "udp" | "17" => Some("udp"),
        "icmp" | "1" => Some("icmp"),
        _ => None,
    }
}

/// The rule skeleton (no addresses) of an AWS protocol and ports, or why not.
fn aws_base(
    node: &str,
    direction: &str,
    protocol: Option<&str>,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<ExistingRule, (&'static str, String)> {
    let Some(p) = protocol else {
        return Err(("invalid", "no protocol in the state".into()));
    };
    let Some(proto) = aws_protocol(p) else {
        return Err((
            "protocol",
            format!("protocol \"{p}\": only tcp, udp, icmp and all (-1) are audited"),
        ));
    };
    let (from_port, to_port) = if matches!(proto, "tcp" | "udp") {
        match (from, to) {
            (Some(f), Some(t)) if (0..=65535).contains(&f) && (f..=65535).contains(&t) => {
                (Some(f), Some(t))
            }
            _ => {
                return Err((
                    "invalid",
                    format!("{proto} without a valid port range ({from:?} to {to:?})"),
                ));
            }
        }
    } else {
        (None, None)
    };
    Ok(ExistingRule {
        id: String::new(),
        node: node.to_string(),
        direction: direction.to_string(),
        protocol: proto.to_string(),
        from_port,
        to_port,
        cidrs: Vec::new(),
        peer: None,
    })
}

fn with_cidr(base: &ExistingRule, cidr: &str, group: &str) -> Part {
    match parse_cidr(cidr) {
        Ok(net) => Part::Rule {
            rule: ExistingRule {
                cidrs: vec![net.to_string()],
                ..base.clone()
            },
            group: group.to_string(),
        },
        Err(e) => skip("invalid", format!("address {cidr}: {e}")),
    }
}

fn with_peer(base: &ExistingRule, id: &str, what: &str, group: &str, map: &GroupMap) -> Part {
    match map.peer(id) {
        Some(node) => Part::Rule {
            rule: ExistingRule {
                peer: Some(node.to_string()),
                ..base.clone()
            },
            group: group.to_string(),
        },
        None => skip(
            "unmapped_peer",
            format!("{what} {id} names no node (add it to the map's peers)"),
        ),
    }
}

fn unmapped_group(what: &str, group: Option<&str>) -> Vec<Part> {
    vec![match group {
        Some(g) => skip(
            "unmapped_group",
            format!("{what} {g} names no node (add it to the map's groups)"),
        ),
        None => skip("invalid", format!("no {what} in the state")),
    }]
}

fn aws_vpc(v: &Value, direction: &str, map: &GroupMap) -> Vec<Part> {
    let group = str_of(v, "security_group_id");
    let Some(node) = group.and_then(|g| map.node(g)) else {
        return unmapped_group("security group", group);
    };
    let group = group.unwrap_or_default();
    let base = match aws_base(
        node,
        direction,
        str_of(v, "ip_protocol"),
        int_of(v, "from_port"),
        int_of(v, "to_port"),
    ) {
        Ok(b) => b,
        Err((kind, detail)) => return vec![skip(kind, detail)],
    };
    let part = if let Some(c) = str_of(v, "cidr_ipv4").or_else(|| str_of(v, "cidr_ipv6")) {
        with_cidr(&base, c, group)
    } else if let Some(sg) = str_of(v, "referenced_security_group_id") {
        with_peer(&base, sg, "referenced security group", group, map)
    } else if let Some(pl) = str_of(v, "prefix_list_id") {
        with_peer(&base, pl, "prefix list", group, map)
    } else {
        skip(
            "no_peer",
            "no cidr_ipv4, cidr_ipv6, referenced_security_group_id or prefix_list_id",
        )
    };
    vec![part]
}

/// One rule of `aws_security_group_rule` or of an inline block: the peers
/// of `cidr_blocks`, `ipv6_cidr_blocks`, `prefix_list_ids`, the referenced
/// groups and `self`.
fn aws_classic(
    v: &Value,
    node: &str,
    group: &str,
    direction: &str,
    referenced: &[&str],
    map: &GroupMap,
) -> Vec<Part> {
    let base = match aws_base(
        node,
        direction,
        str_of(v, "protocol"),
        int_of(v, "from_port"),
        int_of(v, "to_port"),
    ) {
        Ok(b) => b,
        Err((kind, detail)) => return vec![skip(kind, detail)],
    };
    let mut parts = Vec::new();
    for c in strs(v, "cidr_blocks")
        .into_iter()
        .chain(strs(v, "ipv6_cidr_blocks"))
    {
        parts.push(with_cidr(&base, c, group));
    }
    for pl in strs(v, "prefix_list_ids") {
        parts.push(with_peer(&base, pl, "prefix list", group, map));
    }
    for sg in referenced {
        parts.push(with_peer(
            &base,
            sg,
            "referenced security group",
            group,
            map,
        ));
    }
    if v.get("self").and_then(Value::as_bool) == Some(true) {
        parts.push(Part::Rule {
            rule: ExistingRule {
                peer: Some(node.to_string()),
                ..base.clone()
            },
            group: group.to_string(),
        });
    }
    if parts.is_empty() {
        parts.push(skip(
            "no_peer",
            "no addresses, prefix lists or referenced groups",
        ));
    }
    parts
}

fn aws_sg_rule(v: &Value, map: &GroupMap) -> Vec<Part> {
    let group = str_of(v, "security_group_id");
    let Some(node) = group.and_then(|g| map.node(g)) else {
        return unmapped_group("security group", group);
    };
    let direction = match str_of(v, "type") {
        Some(d @ ("ingress" | "egress")) => d,
        other => {
            return vec![skip(
                "invalid",
                format!("type {other:?}: not ingress or egress"),
            )];
        }
    };
    let referenced: Vec<&str> = str_of(v, "source_security_group_id").into_iter().collect();
    aws_classic(
        v,
        node,
        group.unwrap_or_default(),
        direction,
        &referenced,
        map,
    )
}

fn aws_inline(v: &Value, map: &GroupMap) -> Vec<Part> {
    let blocks: Vec<(&str, &Value)> = ["ingress", "egress"]
        .into_iter()
        .flat_map(|d| arr(v, d).iter().map(move |b| (d, b)))
        .collect();
    if blocks.is_empty() {
        return Vec::new();
    }
    let group = str_of(v, "id");
    let Some(node) = group.and_then(|g| map.node(g)) else {
        return unmapped_group("security group", group);
    };
    let group = group.unwrap_or_default();
    let mut parts = Vec::new();
    for (d, b) in blocks {
        parts.extend(aws_classic(
            b,
            node,
            group,
            d,
            &strs(b, "security_groups"),
            map,
        ));
    }
    parts
}

/// The strings of a singular attribute, or else of its plural one.
fn one_or_many<'v>(v: &'v Value, one: &str, many: &str) -> Vec<&'v str> {
    match str_of(v, one) {
        Some(s) => vec![s],
        None => strs(v, many),
    }
}

/// An Azure port range: `*`, `443` or `8000-8080`.
fn azure_ports(s: &str) -> Option<(i64, i64)> {
    let s = s.trim();
    if s == "*" {
        return Some((0, 65535));
    }
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b) = (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?);
    (a <= b).then_some((i64::from(a), i64::from(b)))
}

fn azure(v: &Value, map: &GroupMap) -> Vec<Part> {
    let group = str_of(v, "network_security_group_name");
    let Some(node) = group.and_then(|g| map.node(g)) else {
        return unmapped_group("network security group", group);
    };
    let group = group.unwrap_or_default();
    let access = str_of(v, "access").unwrap_or_default();
    if !access.eq_ignore_ascii_case("allow") {
        let what = if access.eq_ignore_ascii_case("deny") {
            "deny"
        } else {
            "invalid"
        };
        return vec![skip(
            what,
            format!(
                "access {access:?} at priority {}: not an allow rule; it blocks what lower-priority allow rules of the group allow, which the audit does not subtract",
                int_of(v, "priority").map_or("?".to_string(), |p| p.to_string())
            ),
        )];
    }
    let direction = match str_of(v, "direction") {
        Some(d) if d.eq_ignore_ascii_case("inbound") => "ingress",
        Some(d) if d.eq_ignore_ascii_case("outbound") => "egress",
        other => return vec![skip("invalid", format!("direction {other:?}"))],
    };
    let word = str_of(v, "protocol").unwrap_or_default();
    let protocol = match word.to_ascii_lowercase().as_str() {
        "tcp" => "tcp",
        "udp" => "udp",
        "icmp" => "icmp",
        "*" => "all",
        _ => {
            return vec![skip(
                "protocol",
                format!("protocol \"{word}\": only Tcp, Udp, Icmp and * are audited"),
            )];
        }
    };
    let source_ports = one_or_many(v, "source_port_range", "source_port_ranges");
    if source_ports != ["*"] {
        return vec![skip(
            "source_ports",
            format!(
                "source ports {}: portmap's rules do not restrict source ports, and the audit reads rules as allowing every source port",
                source_ports.join(", ")
            ),
        )];
    }
    // The other end: sources of inbound rules, destinations of outbound ones.
    let (prefixes, asgs) = if direction == "ingress" {
        (
            one_or_many(v, "source_address_prefix", "source_address_prefixes"),
            strs(v, "source_application_security_group_ids"),
        )
    } else {
        (
            one_or_many(
                v,
                "destination_address_prefix",
                "destination_address_prefixes",
            ),
            strs(v, "destination_application_security_group_ids"),
        )
    };
    let ranges = if protocol == "tcp" || protocol == "udp" {
        let words = one_or_many(v, "destination_port_range", "destination_port_ranges");
        let mut ranges = Vec::new();
        for w in &words {
            match azure_ports(w) {
                Some(r) => ranges.push(Some(r)),
                None => return vec![skip("invalid", format!("destination port range {w:?}"))],
            }
        }
        if ranges.is_empty() {
            return vec![skip("invalid", "no destination port range")];
        }
        ranges
    } else {
        vec![None]
    };
    let mut parts = Vec::new();
    for r in ranges {
        let base = ExistingRule {
            id: String::new(),
            node: node.to_string(),
            direction: direction.to_string(),
            protocol: protocol.to_string(),
            from_port: r.map(|r| r.0),
            to_port: r.map(|r| r.1),
            cidrs: Vec::new(),
            peer: None,
        };
        for p in &prefixes {
            if *p == "*" {
                parts.push(Part::Rule {
                    rule: ExistingRule {
                        cidrs: vec!["0.0.0.0/0".into(), "::/0".into()],
                        ..base.clone()
                    },
                    group: group.to_string(),
                });
            } else if parse_cidr(p).is_ok() {
                parts.push(with_cidr(&base, p, group));
            } else {
                parts.push(skip(
                    "address_tag",
                    format!("address {p:?} is a service tag or not an address; its addresses are not CIDRs portmap can compare"),
                ));
            }
        }
        for a in &asgs {
            parts.push(with_peer(
                &base,
                a,
                "application security group",
                group,
                map,
            ));
        }
    }
    if parts.is_empty() {
        parts.push(skip(
            "no_peer",
            "no address prefixes or application security groups",
        ));
    }
    parts
}

fn gcp(v: &Value, map: &GroupMap) -> Vec<Part> {
    if v.get("disabled").and_then(Value::as_bool) == Some(true) {
        return vec![skip("disabled", "the firewall rule is disabled")];
    }
    let direction = match str_of(v, "direction") {
        Some("INGRESS") | None => "ingress",
        Some("EGRESS") => "egress",
        Some(other) => return vec![skip("invalid", format!("direction {other:?}"))],
    };
    let mut parts = Vec::new();
    for block in arr(v, "deny") {
        let mut what = format!("deny {}", str_of(block, "protocol").unwrap_or("?"));
        let ports = strs(block, "ports");
        if !ports.is_empty() {
            what = format!("{what} {}", ports.join(","));
        }
        parts.push(skip(
            "deny",
            format!("{what}: not an allow rule; it blocks what lower-priority allow rules allow, which the audit does not subtract"),
        ));
    }
    if arr(v, "allow").is_empty() {
        return parts;
    }
    let targets: Vec<&str> = strs(v, "target_tags")
        .into_iter()
        .chain(strs(v, "target_service_accounts"))
        .collect();
    if targets.is_empty() {
        parts.push(skip(
            "no_target",
            "no target_tags or target_service_accounts: the rule applies to every instance of the network, which is no one node",
        ));
        return parts;
    }
    let (ranges, peer_ids) = if direction == "ingress" {
        (
            strs(v, "source_ranges"),
            strs(v, "source_tags")
                .into_iter()
                .chain(strs(v, "source_service_accounts"))
                .collect::<Vec<_>>(),
        )
    } else {
        (strs(v, "destination_ranges"), Vec::new())
    };
    for t in targets {
        let Some(node) = map.node(t) else {
            parts.push(skip(
                "unmapped_group",
                format!("target {t} names no node (add it to the map's groups)"),
            ));
            continue;
        };
        for block in arr(v, "allow") {
            let p = str_of(block, "protocol").unwrap_or_default();
            let proto = match p.to_ascii_lowercase().as_str() {
                "tcp" | "6" => "tcp",
                "udp" | "17" => "udp",
                "icmp" | "1" => "icmp",
                "all" => "all",
                _ => {
                    parts.push(skip(
                        "protocol",
                        format!("protocol \"{p}\": only tcp, udp, icmp and all are audited"),
                    ));
                    continue;
                }
            };
            let mut port_ranges = Vec::new();
            if matches!(proto, "tcp" | "udp") {
                let ports = strs(block, "ports");
                if ports.is_empty() {
                    port_ranges.push(Some((0, 65535)));
                }
                for w in ports {
                    match azure_ports(w).filter(|_| w != "*") {
                        Some(r) => port_ranges.push(Some(r)),
                        None => parts.push(skip("invalid", format!("port {w:?}"))),
                    }
                }
            } else {
                port_ranges.push(None);
            }
            for r in port_ranges {
                let base = ExistingRule {
                    id: String::new(),
                    node: node.to_string(),
                    direction: direction.to_string(),
                    protocol: proto.to_string(),
                    from_port: r.map(|r| r.0),
                    to_port: r.map(|r| r.1),
                    cidrs: Vec::new(),
                    peer: None,
                };
                for c in &ranges {
                    parts.push(with_cidr(&base, c, t));
                }
                for id in &peer_ids {
                    parts.push(with_peer(
                        &base,
                        id,
                        "source tag or service account",
                        t,
                        map,
                    ));
                }
                if ranges.is_empty() && peer_ids.is_empty() {
                    parts.push(skip(
                        "no_peer",
                        format!(
                            "no {} in the state",
                            if direction == "ingress" {
                                "source_ranges, source_tags or source_service_accounts"
                            } else {
                                "destination_ranges"
                            }
                        ),
                    ));
                }
            }
        }
    }
    parts
}

//! Adoption on AWS: Terraform `moved` blocks that take the existing rule
//! resources into portmap's keyed resources, so that applying the portmap
//! configuration keeps every existing rule that is exactly a portmap rule.
//!
//! An existing rule is moved when it is a whole
//! `aws_vpc_security_group_ingress_rule` / `..._egress_rule` resource
//! instance and a rule of the AWS shape ([`crate::cloud::aws`]) allows
//! exactly the same: same security group (node), direction, protocol and
//! ports, and the same peer CIDR or referenced security group (peer node).
//! It moves to `aws_vpc_security_group_<direction>_rule.<name>["<key>"]`,
//! the key being the AWS shape's. Each portmap rule takes at most one
//! existing rule. Every other existing rule must change (it is deleted, or
//! replaced by portmap's), and every portmap rule no existing rule matches
//! is created. Moved blocks cannot change a resource's type: an
//! `aws_security_group_rule` that is exactly one portmap rule (one peer, no
//! instance key, its `security_group_rule_id` known) is forgotten with a
//! `removed` block (`destroy = false`) and imported by that id, after the
//! moves have taken their keys; other `aws_security_group_rule`s and the
//! inline rules of `aws_security_group` change.

use std::collections::BTreeMap;

use serde::Serialize;

use super::state::FromState;
use crate::cloud::aws::{self, AwsOptions, AwsRule};
use crate::rules::Computation;

/// Names of the portmap configuration's resources.
#[derive(Debug, Clone)]
pub struct AdoptOptions {
    /// The name of the `aws_vpc_security_group_ingress_rule` and
    /// `..._egress_rule` resources keyed by the AWS shape (`this`).
    pub rule_resource: String,
    /// The name of the `aws_security_group` resource keyed by node, if the
    /// security groups are adopted too (`node`).
    pub group_resource: Option<String>,
    /// The address of the module holding those resources (`module.fw`),
    /// empty for the root module.
    pub module: String,
}

impl Default for AdoptOptions {
    fn default() -> Self {
        AdoptOptions {
            rule_resource: "this".into(),
            group_resource: None,
            module: String::new(),
        }
    }
}

/// One `moved` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The existing address.
    pub from: String,
    /// The portmap address.
    pub to: String,
    /// The portmap key (an AWS rule key, or a node for a security group).
    pub key: String,
}

/// A `removed` block (destroy = false) and an `import` block: an
/// `aws_security_group_rule` holding exactly one portmap rule becomes that
/// rule by its security group rule id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Import {
    /// The address forgotten.
    pub removed: String,
    /// The portmap address imported.
    pub to: String,
    /// The security group rule id (`sgr-…`).
    pub id: String,
    /// The portmap key.
    pub key: String,
}

/// An existing rule that no portmap rule is exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The existing rule's id (its address, `#N` for a part).
    pub id: String,
    /// Why it cannot be kept as it is.
    pub reason: String,
}

/// The adoption plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adoption {
    /// Security groups moved to the keyed group resource.
    pub group_moves: Vec<Move>,
    /// Rules moved to the keyed rule resources.
    pub moves: Vec<Move>,
    /// Rules already at their portmap address (no block needed).
    pub in_place: Vec<Move>,
    /// Rules of another resource type that are exactly a portmap rule:
    /// removed from state without destroying, and imported.
    pub imports: Vec<Import>,
    /// Existing rules that must change.
    pub change: Vec<Change>,
    /// Keys of the portmap rules that will be created.
    pub create: Vec<String>,
}

/// The peer of a rule: a CIDR or a node whose group is referenced.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Peer {
    Cidr(String),
    Group(String),
}

/// What one AWS rule allows, to match an existing rule with the shape's
/// rule that allows the same.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Content {
    node: String,
    direction: String,
    protocol: String,
    from_port: u16,
    to_port: u16,
    peer: Peer,
}

fn portmap_content(r: &AwsRule) -> Option<Content> {
    let peer = match (&r.cidr_ipv4, &r.cidr_ipv6, &r.referenced_node) {
        (Some(c), _, _) | (None, Some(c), _) => Peer::Cidr(c.clone()),
        (None, None, Some(n)) => Peer::Group(n.clone()),
        (None, None, None) => return None,
    };
    Some(Content {
        node: r.node.clone(),
        direction: r.direction.clone(),
        protocol: r.ip_protocol.clone(),
        from_port: r.from_port,
        to_port: r.to_port,
        peer,
    })
}

/// A string in HCL quotes.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

fn describe(r: &super::ExistingRule) -> String {
    let ports = match (r.from_port, r.to_port) {
        (Some(f), Some(t)) if f == t => format!(" {f}"),
        (Some(f), Some(t)) => format!(" {f}-{t}"),
        _ => String::new(),
    };
    let other = match &r.peer {
        Some(p) => format!("group of {p}"),
        None => r.cidrs.join(", "),
    };
    let dir = if r.direction == "ingress" {
        "from"
    } else {
        "to"
    };
    format!("{} {}{ports} {dir} {other}", r.node, r.protocol)
}

/// What an existing rule allows, if it is one AWS rule (one peer).
fn state_content(r: &super::ExistingRule) -> Option<Content> {
    let port = |p: Option<i64>| p.and_then(|p| u16::try_from(p).ok());
    let (from, to) = (port(r.from_port)?, port(r.to_port)?);
    let peer = match (&r.peer, r.cidrs.as_slice()) {
        (None, [cidr]) => Peer::Cidr(cidr.clone()),
        (Some(p), []) => Peer::Group(p.clone()),
        _ => return None,
    };
    Some(Content {
        node: r.node.clone(),
        direction: r.direction.clone(),
        protocol: r.protocol.clone(),
        from_port: from,
        to_port: to,
        peer,
    })
}

/// Plans the adoption of the existing AWS rules of `state` by the AWS shape
/// of `c`: first the rules of the same resource type (moved), then single
/// `aws_security_group_rule`s with a security group rule id (removed from
/// state without destroying, and imported).
pub fn adopt_aws(c: &Computation<'_>, state: &FromState, o: &AdoptOptions) -> Adoption {
    let shaped = aws::shape(c, &AwsOptions::default());
    let prefix = if o.module.is_empty() {
        String::new()
    } else {
        format!("{}.", o.module)
    };
    let mut by_content: BTreeMap<Content, &str> = BTreeMap::new();
    for (k, r) in &shaped.rules {
        if let Some(content) = portmap_content(r) {
            by_content.entry(content).or_insert(k);
        }
    }
    let target = |r: &super::ExistingRule, key: &str| {
        format!(
            "{prefix}aws_vpc_security_group_{}_rule.{}[{}]",
            r.direction,
            o.rule_resource,
            hcl_string(key)
        )
    };
    let mut taken: BTreeMap<&str, &str> = BTreeMap::new();
    let (mut moves, mut in_place, mut imports) = (Vec::new(), Vec::new(), Vec::new());
    // (index in the state, change)
    let mut change: Vec<(usize, Change)> = Vec::new();
    let mut later = Vec::new();
    for (i, s) in state.rules.iter().enumerate() {
        let r = &s.rule;
        if !s.resource_type.starts_with("aws_") {
            change.push((
                i,
                Change {
                    id: r.id.clone(),
                    reason: format!("{} is not an AWS rule", s.resource_type),
                },
            ));
            continue;
        }
        let Some(key) = state_content(r).and_then(|c| by_content.get(&c).copied()) else {
            change.push((
                i,
                Change {
                    id: r.id.clone(),
                    reason: format!("no portmap rule is exactly {}", describe(r)),
                },
            ));
            continue;
        };
        if s.resource_type != format!("aws_vpc_security_group_{}_rule", r.direction) {
            later.push((i, key));
            continue;
        }
        if let Some(first) = taken.get(key) {
            change.push((
                i,
                Change {
                    id: r.id.clone(),
                    reason: format!("a duplicate of {first}, which becomes portmap's {key}"),
                },
            ));
            continue;
        }
        taken.insert(key, &r.id);
        let m = Move {
            from: s.address.clone(),
            to: target(r, key),
            key: key.to_string(),
        };
        if m.from == m.to {
            in_place.push(m);
        } else {
            moves.push(m);
        }
    }
    for (i, key) in later {
        let s = &state.rules[i];
        let r = &s.rule;
        let to_type = format!("aws_vpc_security_group_{}_rule", r.direction);
        let reason = if let Some(first) = taken.get(key) {
            format!("{} is portmap's {key}, which {first} becomes", describe(r))
        } else if s.resource_type == "aws_security_group_rule"
            && s.parts == 1
            && !s.address.contains('[')
            && let Some(id) = &s.rule_id
        {
            taken.insert(key, &r.id);
            imports.push(Import {
                removed: s.address.clone(),
                to: target(r, key),
                id: id.clone(),
                key: key.to_string(),
            });
            continue;
        } else {
            format!(
                "{} is portmap's {key}, but moved blocks cannot change the resource type ({} to {to_type}) and it cannot be imported alone: replace it",
                describe(r),
                s.resource_type
            )
        };
        change.push((
            i,
            Change {
                id: r.id.clone(),
                reason,
            },
        ));
    }
    change.sort_by_key(|(i, _)| *i);
    let create = shaped
        .rules
        .keys()
        .filter(|k| !taken.contains_key(k.as_str()))
        .cloned()
        .collect();
    let mut group_moves = Vec::new();
    if let Some(name) = &o.group_resource {
        for g in &state.security_groups {
            let to = format!("{prefix}aws_security_group.{name}[{}]", hcl_string(&g.node));
            if to != g.address {
                group_moves.push(Move {
                    from: g.address.clone(),
                    to,
                    key: g.node.clone(),
                });
            }
        }
    }
    Adoption {
        group_moves,
        moves,
        in_place,
        imports,
        change: change.into_iter().map(|(_, c)| c).collect(),
        create,
    }
}

/// The `moved` blocks (and `removed` and `import` blocks), with a header
/// counting what moves, what changes and what is created, and those lists
/// as comments.
pub fn moved_blocks(a: &Adoption) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Generated by `portmap adopt`: {} rules moved, {} imported, {} already in place, {} to change, {} to create{}.\n",
        a.moves.len(),
        a.imports.len(),
        a.in_place.len(),
        a.change.len(),
        a.create.len(),
        if a.group_moves.is_empty() {
            String::new()
        } else {
            format!(", {} security groups moved", a.group_moves.len())
        }
    ));
    for m in a.group_moves.iter().chain(&a.moves) {
        out.push_str(&format!(
            "\nmoved {{\n  from = {}\n  to   = {}\n}}\n",
            m.from, m.to
        ));
    }
    if !a.imports.is_empty() {
        out.push_str("\n# Rules of another resource type that are exactly portmap's: forgotten\n# (not destroyed) and imported by their security group rule id\n# (Terraform 1.7 or later).\n");
    }
    for i in &a.imports {
        out.push_str(&format!(
            "\nremoved {{\n  from = {}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}\n\nimport {{\n  to = {}\n  id = {}\n}}\n",
            i.removed,
            i.to,
            hcl_string(&i.id)
        ));
    }
    if !a.change.is_empty() {
        out.push_str("\n# Existing rules that must change (portmap deletes or replaces them):\n");
        for c in &a.change {
            out.push_str(&format!("#   {}: {}\n", c.id, c.reason));
        }
    }
    if !a.create.is_empty() {
        out.push_str("\n# Portmap rules that will be created:\n");
        for k in &a.create {
            out.push_str(&format!("#   {k}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::ExistingRule;
    use crate::audit::state::StateRule;
    use crate::cloud::testkit::{compute, n};

    fn state_rule(
        address: &str,
        ty: &str,
        parts: usize,
        (node, dir, proto, port): (&str, &str, &str, i64),
        cidr: Option<&str>,
        peer: Option<&str>,
    ) -> StateRule {
        StateRule {
            rule: ExistingRule {
                id: if parts > 1 {
                    format!("{address}#0")
                } else {
                    address.into()
                },
                node: node.into(),
                direction: dir.into(),
                protocol: proto.into(),
                from_port: Some(port),
                to_port: Some(port),
                cidrs: cidr.into_iter().map(str::to_string).collect(),
                peer: peer.map(str::to_string),
            },
            address: address.into(),
            resource_type: ty.into(),
            parts,
            group: format!("sg-{node}"),
            rule_id: (parts == 1).then(|| "sgr-1".to_string()),
        }
    }

    /// The quickstart with security group references between app and sql:
    /// rules between them are `…:ref` keys; the clients are CIDRs.
    #[test]
    fn in_place_duplicates_references_and_rules_that_cannot_be_imported() {
        let c = compute(
            vec![
                (
                    "app",
                    n(
                        "tachyon-5/master-stack tachyon-5/response-stack | 10.0.1.10/32 | ref=sg-app",
                    ),
                ),
                ("sql", n("tachyon-5/sql-server | 10.0.2.10/32 | ref=sg-sql")),
                (
                    "clients",
                    n("tachyon-5/client tachyon-5/browser | 10.8.0.0/16 | group"),
                ),
            ],
            &[],
        );
        let ingress = "aws_vpc_security_group_ingress_rule";
        let state = FromState {
            rules: vec![
                state_rule(
                    "aws_vpc_security_group_ingress_rule.this[\"app:ingress:clients:tcp:443:10.8.0.0/16\"]",
                    ingress,
                    1,
                    ("app", "ingress", "tcp", 443),
                    Some("10.8.0.0/16"),
                    None,
                ),
                state_rule(
                    "aws_vpc_security_group_ingress_rule.https_again",
                    ingress,
                    1,
                    ("app", "ingress", "tcp", 443),
                    Some("10.8.0.0/16"),
                    None,
                ),
                state_rule(
                    "aws_security_group_rule.sql_from_app_classic",
                    "aws_security_group_rule",
                    1,
                    ("sql", "ingress", "tcp", 1433),
                    None,
                    Some("app"),
                ),
                state_rule(
                    "aws_vpc_security_group_ingress_rule.sql_from_app",
                    ingress,
                    1,
                    ("sql", "ingress", "tcp", 1433),
                    None,
                    Some("app"),
                ),
                state_rule(
                    "aws_security_group_rule.web",
                    "aws_security_group_rule",
                    2,
                    ("clients", "egress", "tcp", 443),
                    None,
                    Some("app"),
                ),
                state_rule(
                    "azurerm_network_security_rule.x",
                    "azurerm_network_security_rule",
                    1,
                    ("app", "ingress", "tcp", 80),
                    Some("10.8.0.0/16"),
                    None,
                ),
            ],
            ..FromState::default()
        };
        let a = adopt_aws(&c, &state, &AdoptOptions::default());
        assert_eq!(
            a.in_place,
            [Move {
                from: "aws_vpc_security_group_ingress_rule.this[\"app:ingress:clients:tcp:443:10.8.0.0/16\"]".into(),
                to: "aws_vpc_security_group_ingress_rule.this[\"app:ingress:clients:tcp:443:10.8.0.0/16\"]".into(),
                key: "app:ingress:clients:tcp:443:10.8.0.0/16".into(),
            }]
        );
        // The reference to the app's group is portmap's `:ref` rule; the
        // same-type rule wins over the earlier aws_security_group_rule.
        assert_eq!(
            a.moves,
            [Move {
                from: "aws_vpc_security_group_ingress_rule.sql_from_app".into(),
                to: "aws_vpc_security_group_ingress_rule.this[\"sql:ingress:app:tcp:1433:ref\"]"
                    .into(),
                key: "sql:ingress:app:tcp:1433:ref".into(),
            }]
        );
        assert!(a.imports.is_empty());
        let change: Vec<(&str, &str)> = a
            .change
            .iter()
            .map(|c| (c.id.as_str(), c.reason.as_str()))
            .collect();
        assert_eq!(
            change,
            [
                (
                    "aws_vpc_security_group_ingress_rule.https_again",
                    "a duplicate of aws_vpc_security_group_ingress_rule.this[\"app:ingress:clients:tcp:443:10.8.0.0/16\"], which becomes portmap's app:ingress:clients:tcp:443:10.8.0.0/16"
                ),
                (
                    "aws_security_group_rule.sql_from_app_classic",
                    "sql tcp 1433 from group of app is portmap's sql:ingress:app:tcp:1433:ref, which aws_vpc_security_group_ingress_rule.sql_from_app becomes"
                ),
                (
                    "aws_security_group_rule.web#0",
                    "clients tcp 443 to group of app is portmap's clients:egress:app:tcp:443:ref, but moved blocks cannot change the resource type (aws_security_group_rule to aws_vpc_security_group_egress_rule) and it cannot be imported alone: replace it"
                ),
                (
                    "azurerm_network_security_rule.x",
                    "azurerm_network_security_rule is not an AWS rule"
                ),
            ]
        );
        assert!(
            a.create
                .contains(&"clients:egress:app:tcp:443:ref".to_string())
        );
        assert!(
            !a.create
                .contains(&"sql:ingress:app:tcp:1433:ref".to_string())
        );

        // In a module, under another name: nothing is in place any more.
        let o = AdoptOptions {
            rule_resource: "rule".into(),
            group_resource: None,
            module: "module.fw".into(),
        };
        let a = adopt_aws(&c, &state, &o);
        assert!(a.in_place.is_empty());
        assert_eq!(
            a.moves[0].to,
            "module.fw.aws_vpc_security_group_ingress_rule.rule[\"app:ingress:clients:tcp:443:10.8.0.0/16\"]"
        );
    }

    #[test]
    fn hcl_strings_escape_quotes_and_templates() {
        assert_eq!(hcl_string("a\"b\\c${d}%{e}"), "\"a\\\"b\\\\c$${d}%%{e}\"");
    }
}

//! Tables built from computations and catalogs: the change-board export,
//! the rule list and the catalog listing.

use crate::output::CatalogOutput;
use crate::render::Table;
use crate::rules::Computation;

fn node_addresses(c: &Computation<'_>, name: &str) -> String {
    match c.node(name) {
        Some(n) if !n.cidrs.is_empty() => n
            .cidrs
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        Some(n) => n
            .reference
            .clone()
            .map(|r| format!("ref {r}"))
            .unwrap_or_else(|| "(no address)".into()),
        None => String::new(),
    }
}

/// The firewall request a change board expects: one row per connection that
/// needs a rule.
pub fn change_request(c: &Computation<'_>) -> Table {
    let mut t = Table::new(&[
        "Source",
        "Source CIDRs",
        "Destination",
        "Destination CIDRs",
        "Protocol",
        "Ports",
        "Application protocol",
        "Purpose",
        "Condition",
        "Vendor reference",
    ]);
    for f in c.flows.iter().filter(|f| f.needs_rule()) {
        t.push(vec![
            f.from_node.to_string(),
            node_addresses(c, &f.from_node),
            f.to_node.to_string(),
            node_addresses(c, &f.to_node),
            f.protocol.as_str().to_uppercase(),
            f.ports.to_string(),
            f.app_protocol.to_string(),
            format!("{}: {}", f.owner(), f.purpose),
            f.condition.as_deref().unwrap_or("always").to_string(),
            f.citation.to_string(),
        ]);
    }
    t
}

/// Every flow, internal ones included.
pub fn flow_list(c: &Computation<'_>) -> Table {
    let mut t = Table::new(&["Flow", "From", "To", "Protocol", "Ports", "Purpose", "Rule"]);
    for f in &c.flows {
        let rule = if f.needs_rule() {
            "yes"
        } else if !f.firewall {
            "no (vendor: no firewall rule)"
        } else {
            "no (internal)"
        };
        t.push(vec![
            format!("{}:{}", f.owner(), f.flow),
            format!("{} ({})", f.from_node, f.from_component),
            format!("{} ({})", f.to_node, f.to_component),
            f.protocol.as_str().to_string(),
            f.ports.to_string(),
            f.purpose.to_string(),
            rule.to_string(),
        ]);
    }
    t
}

/// The rules, by key.
pub fn rule_list(c: &Computation<'_>) -> Table {
    let mut t = Table::new(&[
        "Rule",
        "Node",
        "Direction",
        "Peer",
        "Peer addresses",
        "Protocol",
        "Ports",
        "Description",
    ]);
    for r in c.rules.values() {
        let addr = if !r.peer_cidrs.is_empty() {
            r.peer_cidrs.join(" ")
        } else {
            r.peer_ref
                .as_ref()
                .map(|x| format!("ref {x}"))
                .unwrap_or_else(|| "(no address)".into())
        };
        t.push(vec![
            r.key.to_string(),
            r.node.to_string(),
            r.direction.as_str().to_string(),
            r.peer.to_string(),
            addr,
            r.protocol.as_str().to_string(),
            r.ports.to_string(),
            r.description.to_string(),
        ]);
    }
    t
}

/// The catalog's flows.
pub fn catalog_list(o: &CatalogOutput) -> Table {
    let mut t = Table::new(&[
        "Product",
        "Flow",
        "From",
        "To",
        "Protocol",
        "Ports",
        "Application protocol",
        "Condition",
        "Rule",
        "Vendor reference",
    ]);
    for f in &o.flows {
        let ports = match (f.from_port, f.to_port) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => format!("({})", f.ports_expression),
        };
        let rule = match (f.firewall, f.scope.as_str()) {
            (false, _) => "no (vendor: no firewall rule)",
            (true, "host") => "no (same machine)",
            _ => "yes",
        };
        t.push(vec![
            f.product.clone(),
            f.id.clone(),
            f.from_component.clone(),
            f.to_component.clone(),
            f.protocol.clone(),
            ports,
            f.app_protocol.clone(),
            f.condition.clone().unwrap_or_else(|| "always".into()),
            rule.to_string(),
            f.citation.clone(),
        ]);
    }
    t
}

/// The audit as a clean-up request for a change board: one row per part
/// of an existing rule to remove (widest exposure first, as in
/// [`crate::audit::Audit::excess`]) and per required rule to add.
pub fn audit_request(a: &crate::audit::Audit) -> Table {
    use crate::audit::Opening;
    let ports = |o: &Opening| match (o.from_port, o.to_port) {
        (Some(f), Some(t)) if f == t => f.to_string(),
        (Some(f), Some(t)) => format!("{f}-{t}"),
        _ => "all".to_string(),
    };
    let addrs = |o: &Opening| {
        let mut v = o.cidrs.clone();
        v.extend(o.peers.iter().map(|p| format!("node {p} (ref)")));
        v.join(" ")
    };
    let mut t = Table::new(&[
        "#",
        "Action",
        "Rule",
        "Node",
        "Direction",
        "Protocol",
        "Ports",
        "Addresses",
        "Reason",
    ]);
    let mut n = 0;
    for e in &a.excess {
        let mut why: Vec<String> = Vec::new();
        if e.action == "delete" {
            why.push("no flow needs it".into());
        }
        if e.any_address {
            why.push("open to any address".into());
        }
        if e.all_ports {
            why.push("all ports".into());
        }
        why.extend(e.sensitive_ports.iter().cloned());
        for o in &e.openings {
            n += 1;
            t.push(vec![
                n.to_string(),
                if e.action == "delete" {
                    "delete"
                } else {
                    "narrow: remove"
                }
                .to_string(),
                e.id.clone(),
                e.node.clone(),
                e.direction.clone(),
                o.protocol.clone(),
                ports(o),
                addrs(o),
                why.join("; "),
            ]);
        }
    }
    for (key, m) in &a.missing {
        for o in &m.openings {
            n += 1;
            t.push(vec![
                n.to_string(),
                if m.partial { "add (part)" } else { "add" }.to_string(),
                key.clone(),
                m.node.clone(),
                m.direction.clone(),
                o.protocol.clone(),
                ports(o),
                addrs(o),
                format!("required by {} flow(s): {}", m.flows.len(), m.description),
            ]);
        }
    }
    t
}

/// The audit's summary in a few lines.
pub fn audit_summary(s: &crate::audit::Summary) -> String {
    format!(
        "Existing rules: {} ({} justified, {} to narrow, {} to delete).\nRequired rules: {} ({} allowed today, {} missing); flows allowed at both ends: {} of {}.\nUnjustified share of the allowed address-by-port space: IPv4 {:.8}% ({} of {} pairs), IPv6 {:.8}%.\n",
        s.existing_rules,
        s.justified_rules,
        s.rules_to_narrow,
        s.rules_to_delete,
        s.required_rules,
        s.required_rules_allowed,
        s.missing_rules,
        s.flows_allowed,
        s.required_flows,
        100.0 * s.excess_share_ipv4,
        s.excess_space_ipv4,
        s.allowed_space_ipv4,
        100.0 * s.excess_share_ipv6,
    )
}

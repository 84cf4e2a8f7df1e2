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

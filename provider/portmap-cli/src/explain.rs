//! `portmap explain`: why a rule exists, and which flows use a port, down to
//! the vendor document, table and row.

use std::fmt::Write as _;
use std::rc::Rc;

use portmap_core::catalog::{Flow, Product, Protocol};
use portmap_core::flows::FlowRecord;
use portmap_core::rules::{Computation, Direction, Rule};
use portmap_core::suggest::nearest;
use rustc_hash::FxHashMap;

/// The explanation of the rule `key`, or an error message (with a "did you
/// mean" when a key is close).
pub fn rule(c: &Computation<'_>, key: &str) -> Result<String, String> {
    let Some(rule) = c.rules.get(key) else {
        let hint = match nearest(key, c.rules.keys().map(|k| &**k)) {
            Some(k) => format!(" Did you mean \"{k}\"?"),
            None if c.rules.is_empty() => " The topology needs no rule at all.".to_string(),
            None => " `portmap rules TOPOLOGY` lists the rule keys.".to_string(),
        };
        return Err(format!("unknown rule \"{key}\".{hint}"));
    };
    let mut out = String::new();
    let _ = writeln!(out, "Rule {}", rule.key);
    field(
        &mut out,
        2,
        "Node",
        &format!("{} ({})", rule.node, addresses(c, &rule.node)),
    );
    let dir = match rule.direction {
        Direction::Ingress => format!("ingress: traffic into {} from {}", rule.node, rule.peer),
        Direction::Egress => format!("egress: traffic from {} to {}", rule.node, rule.peer),
    };
    field(&mut out, 2, "Direction", &dir);
    field(
        &mut out,
        2,
        "Peer",
        &format!("{} ({})", rule.peer, rule_peer_addresses(rule)),
    );
    field(&mut out, 2, "Protocol", rule.protocol.as_str());
    field(&mut out, 2, "Ports", &rule.ports.to_string());
    field(&mut out, 2, "Description", &rule.description);
    let flows: Vec<&FlowRecord> = c.rule_flows(rule).collect();
    let _ = writeln!(
        out,
        "\nIt exists for {} flow{}:",
        flows.len(),
        if flows.len() == 1 { "" } else { "s" }
    );
    let mut catalog = CatalogFlows::new(c);
    for f in flows {
        out.push('\n');
        flow(&mut out, &mut catalog, f);
    }
    Ok(out)
}

/// Text of a flow list kept before it goes to the writer: the explanation
/// of a port on a mesh runs to hundreds of megabytes, and is written as it
/// is made instead of held.
const CHUNK: usize = 1 << 16;

fn flush_chunk(out: &mut String, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if out.len() >= CHUNK {
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    Ok(())
}

/// Every flow whose ports contain `port` (of `protocol`, if given), grouped
/// by the rules that serve them; flows that need no rule come last. Written
/// to `w` as it is made.
pub fn write_port(
    c: &Computation<'_>,
    port: u16,
    protocol: Option<Protocol>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let what = match protocol {
        Some(p) => format!("{p} port {port}"),
        None => format!("port {port}"),
    };
    let flows: Vec<&FlowRecord> = c
        .flows
        .iter()
        .filter(|f| f.ports.contains(port) && protocol.is_none_or(|p| f.protocol == p))
        .collect();
    if flows.is_empty() {
        return w.write_all(format!("No flow of this topology uses {what}.\n").as_bytes());
    }
    // The ingress rule of a flow's destination and the egress rule of its
    // source are shaped from the same flows, so they serve the same ones:
    // group by the pair.
    let serving = serving_rules(c, &flows);
    // (ingress, egress, flow): rules as indices into the sorted rule map,
    // so sorting orders the groups by their keys, and each group's flows
    // in the flows' order.
    let mut groups: Vec<(usize, usize, usize)> = Vec::new();
    let mut no_rule: Vec<&FlowRecord> = Vec::new();
    for (fi, f) in flows.iter().enumerate() {
        match serving[fi] {
            ServingRules {
                ingress: Some(i),
                egress: Some(e),
            } => groups.push((i, e, fi)),
            _ => no_rule.push(f),
        }
    }
    groups.sort_unstable();
    let rules = c.rules.as_slice();
    let mut catalog = CatalogFlows::new(c);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} flow{} use{} {what}: {} needing rules, {} not.",
        flows.len(),
        if flows.len() == 1 { "" } else { "s" },
        if flows.len() == 1 { "s" } else { "" },
        flows.len() - no_rule.len(),
        no_rule.len()
    );
    for group in groups.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        let (ingress, egress) = (&rules[group[0].0], &rules[group[0].1]);
        let r = ingress;
        for part in [
            "\nRules ",
            &ingress.key,
            "\n  and ",
            &egress.key,
            "\n  ",
            &r.peer,
            " → ",
            &r.node,
            ", ",
            r.protocol.as_str(),
            " ",
        ] {
            out.push_str(part);
        }
        r.ports.push_to(&mut out);
        out.push('\n');
        for &(_, _, fi) in group {
            out.push('\n');
            flow(&mut out, &mut catalog, flows[fi]);
            flush_chunk(&mut out, w)?;
        }
    }
    if !no_rule.is_empty() {
        let _ = writeln!(out, "\nNo rule needed");
        for f in no_rule {
            out.push('\n');
            flow(&mut out, &mut catalog, f);
            flush_chunk(&mut out, w)?;
        }
    }
    w.write_all(out.as_bytes())
}

/// The first ingress and the first egress rule (in key order) that serve a
/// flow, as indices into the rule map.
#[derive(Default, Clone, Copy)]
struct ServingRules {
    ingress: Option<usize>,
    egress: Option<usize>,
}

/// The rules serving each of `flows` (by position), found in one pass over
/// the rules: linear in the rules' flow lists, where asking every rule for
/// every flow was quadratic on meshes.
fn serving_rules(c: &Computation<'_>, flows: &[&FlowRecord]) -> Vec<ServingRules> {
    let by_key: FxHashMap<&str, usize> = flows
        .iter()
        .enumerate()
        .map(|(i, f)| (&*f.key, i))
        .collect();
    let mut serving = vec![ServingRules::default(); flows.len()];
    for (ri, rule) in c.rules.values().enumerate() {
        for key in rule.flows.iter() {
            let Some(&i) = by_key.get(&**key) else {
                continue;
            };
            let slot = match rule.direction {
                Direction::Ingress => &mut serving[i].ingress,
                Direction::Egress => &mut serving[i].egress,
            };
            if slot.is_none() {
                *slot = Some(ri);
            }
        }
    }
    serving
}

/// One line of an explanation: `name:` padded to 13 characters at
/// `indent`, then the value (an empty name pads a continuation line).
fn field(out: &mut String, indent: usize, name: &str, value: &str) {
    field_of_parts(out, indent, name, &[value]);
}

/// [`field`] with a value made of `parts`, written one after the other
/// without the formatting machinery: a port's explanation on a mesh runs
/// to hundreds of thousands of flows.
fn field_of_parts(out: &mut String, indent: usize, name: &str, parts: &[&str]) {
    const LABEL_WIDTH: usize = 13;
    const SPACES: &str = "                    ";
    out.push_str(&SPACES[..indent.min(SPACES.len())]);
    let mut width = 0;
    if !name.is_empty() {
        out.push_str(name);
        out.push(':');
        width = name.chars().count() + 1;
    }
    out.push_str(&SPACES[..LABEL_WIDTH.saturating_sub(width)]);
    out.push(' ');
    for part in parts {
        out.push_str(part);
    }
    out.push('\n');
}

fn addresses(c: &Computation<'_>, node: &str) -> String {
    match c.node(node) {
        Some(n) if !n.cidrs.is_empty() => n
            .cidrs
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Some(n) => n
            .reference
            .as_ref()
            .map(|r| format!("ref {r}"))
            .unwrap_or_else(|| "no address".into()),
        None => "no address".into(),
    }
}

fn rule_peer_addresses(r: &Rule) -> String {
    if !r.peer_cidrs.is_empty() {
        r.peer_cidrs.join(", ")
    } else {
        r.peer_ref
            .as_ref()
            .map(|x| format!("ref {x}"))
            .unwrap_or_else(|| "no address".into())
    }
}

fn catalog_flow<'c>(c: &Computation<'c>, f: &FlowRecord) -> Option<(&'c Product, &'c Flow)> {
    let state = c
        .resolved
        .products
        .iter()
        .find(|s| s.product.id == f.product)?;
    let flow = state.product.flows.iter().find(|x| x.id == f.flow)?;
    Some((state.product, flow))
}

/// The catalog's product and flow of each flow explained, looked up once
/// per catalog flow, with the product's line of the explanation.
struct CatalogFlows<'a, 'c> {
    c: &'a Computation<'c>,
    found: FxHashMap<(&'a str, &'a str), Option<CatalogFlow>>,
}

/// The lines of a flow's explanation that come from its catalog flow
/// alone, made once per catalog flow: its product (`Name (id)`), and its
/// document, vendor rows and note. On a mesh, 100,000s of flows share
/// them.
#[derive(Clone)]
struct CatalogFlow {
    product_line: Rc<str>,
    source_lines: Rc<str>,
}

impl<'a, 'c> CatalogFlows<'a, 'c> {
    fn new(c: &'a Computation<'c>) -> Self {
        CatalogFlows {
            c,
            found: FxHashMap::default(),
        }
    }

    fn of(&mut self, f: &'a FlowRecord) -> Option<CatalogFlow> {
        let c = self.c;
        self.found
            .entry((f.product, f.flow))
            .or_insert_with(|| {
                catalog_flow(c, f).map(|(product, flow)| {
                    let mut product_line = String::new();
                    let name = format!("{} ({})", product.name, product.id);
                    field(&mut product_line, 4, "Product", &name);
                    let mut source_lines = String::new();
                    source(&mut source_lines, product, flow);
                    CatalogFlow {
                        product_line: product_line.into(),
                        source_lines: source_lines.into(),
                    }
                })
            })
            .clone()
    }
}

/// One flow: key, ends, purpose, condition, citations and note.
fn flow<'a>(out: &mut String, catalog: &mut CatalogFlows<'a, '_>, f: &'a FlowRecord) {
    let mut ports = String::new();
    f.ports.push_to(&mut ports);
    let protocol = f.protocol.as_str();
    for part in [
        "  Flow ",
        &f.key,
        " (",
        &f.from_node,
        " → ",
        &f.to_node,
        ", ",
        protocol,
        " ",
        &ports,
        ")\n",
    ] {
        out.push_str(part);
    }
    let found = catalog.of(f);
    match &found {
        Some(cf) => out.push_str(&cf.product_line),
        None => field(out, 4, "Product", f.product),
    }
    if let Some(name) = &f.installation {
        field(out, 4, "Installation", name);
    }
    field(out, 4, "Catalog flow", f.flow);
    field_of_parts(
        out,
        4,
        "Components",
        &[
            &f.from_component,
            " on ",
            &f.from_node,
            " → ",
            &f.to_component,
            " on ",
            &f.to_node,
        ],
    );
    field(out, 4, "Purpose", f.purpose);
    field_of_parts(
        out,
        4,
        "Protocol",
        &[protocol, " ", &ports, " (", f.app_protocol, ")"],
    );
    field(
        out,
        4,
        "Condition",
        f.condition.as_deref().unwrap_or("always"),
    );
    if !f.needs_rule() {
        let why = if f.internal {
            "both ends run on the same machine"
        } else {
            "the vendor says it needs no firewall rule"
        };
        field(out, 4, "No rule", why);
    }
    match found {
        Some(cf) => out.push_str(&cf.source_lines),
        None => field(out, 4, "Citation", &f.citation),
    }
}

/// The lines of a catalog flow's source: the vendor document, the rows
/// of its tables and the catalog's note.
fn source(out: &mut String, p: &Product, flow: &Flow) {
    field_of_parts(
        out,
        4,
        "Document",
        &[&p.source.document, " \"", &p.source.title, "\""],
    );
    let mut row = String::new();
    for (i, cite) in flow.citations.iter().enumerate() {
        let title = p
            .table(&cite.table)
            .map(|t| t.title.as_str())
            .unwrap_or(&cite.table);
        let name = match (i, flow.citations.len()) {
            (0, 1) => "Vendor row",
            (0, _) => "Vendor rows",
            _ => "",
        };
        row.clear();
        let _ = write!(row, "{}", cite.row);
        field_of_parts(out, 4, name, &["table \"", title, "\", row ", &row]);
    }
    if let Some(note) = &flow.note {
        field(out, 4, "Note", note.trim());
    }
}

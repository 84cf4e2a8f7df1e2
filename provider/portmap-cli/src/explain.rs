//! `portmap explain`: why a rule exists, and which flows use a port, down to
//! the vendor document, table and row.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

use portmap_core::catalog::{Flow, Product, Protocol};
use portmap_core::flows::FlowRecord;
use portmap_core::rules::{Computation, Direction, Rule};
use portmap_core::suggest::nearest;

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
    for f in flows {
        out.push('\n');
        flow(&mut out, c, f);
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
        let _ = writeln!(out, "\nRules {}\n  and {}", ingress.key, egress.key);
        let r = ingress;
        let _ = writeln!(out, "  {} → {}, {} {}", r.peer, r.node, r.protocol, r.ports);
        for &(_, _, fi) in group {
            out.push('\n');
            flow(&mut out, c, flows[fi]);
            flush_chunk(&mut out, w)?;
        }
    }
    if !no_rule.is_empty() {
        let _ = writeln!(out, "\nNo rule needed");
        for f in no_rule {
            out.push('\n');
            flow(&mut out, c, f);
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

/// Hashes the addresses of shared keys: one multiplication, its high bits
/// folded into the low ones the table indexes by.
#[derive(Default)]
struct AddressHash(u64);

impl Hasher for AddressHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_usize(usize::from(b) ^ (self.0 as usize).rotate_left(8));
        }
    }

    fn write_usize(&mut self, n: usize) {
        let x = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = x ^ (x >> 29);
    }
}

/// The rules serving each of `flows` (by position), found in one pass over
/// the rules: linear in the rules' flow lists, where asking every rule for
/// every flow was quadratic on meshes. A rule's flow keys are the flows'
/// own shared strings, so they are found by address, cheaply on meshes of
/// a million rules; a key that is an equal copy is found by its text.
fn serving_rules(c: &Computation<'_>, flows: &[&FlowRecord]) -> Vec<ServingRules> {
    let by_address: HashMap<usize, usize, BuildHasherDefault<AddressHash>> = flows
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.as_ptr() as usize, i))
        .collect();
    let by_text: HashMap<&str, usize> = flows
        .iter()
        .enumerate()
        .map(|(i, f)| (&*f.key, i))
        .collect();
    let mut serving = vec![ServingRules::default(); flows.len()];
    for (ri, rule) in c.rules.values().enumerate() {
        for key in rule.flows.iter() {
            let found = match by_address.get(&(key.as_ptr() as usize)) {
                Some(&i) if *flows[i].key == **key => Some(i),
                _ => by_text.get(&**key).copied(),
            };
            let Some(i) = found else {
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

fn field(out: &mut String, indent: usize, name: &str, value: &str) {
    let label = if name.is_empty() {
        String::new()
    } else {
        format!("{name}:")
    };
    let _ = writeln!(out, "{:indent$}{label:<13} {value}", "");
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

/// One flow: key, ends, purpose, condition, citations and note.
fn flow(out: &mut String, c: &Computation<'_>, f: &FlowRecord) {
    let _ = writeln!(
        out,
        "  Flow {} ({} → {}, {} {})",
        f.key, f.from_node, f.to_node, f.protocol, f.ports
    );
    let found = catalog_flow(c, f);
    let product = match found {
        Some((p, _)) => format!("{} ({})", p.name, p.id),
        None => f.product.to_string(),
    };
    field(out, 4, "Product", &product);
    if let Some(name) = &f.installation {
        field(out, 4, "Installation", name);
    }
    field(out, 4, "Catalog flow", f.flow);
    field(
        out,
        4,
        "Components",
        &format!(
            "{} on {} → {} on {}",
            f.from_component, f.from_node, f.to_component, f.to_node
        ),
    );
    field(out, 4, "Purpose", f.purpose);
    field(
        out,
        4,
        "Protocol",
        &format!("{} {} ({})", f.protocol, f.ports, f.app_protocol),
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
        Some((p, flow)) => {
            field(
                out,
                4,
                "Document",
                &format!("{} \"{}\"", p.source.document, p.source.title),
            );
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
                field(
                    out,
                    4,
                    name,
                    &format!("table \"{title}\", row {}", cite.row),
                );
            }
            if let Some(note) = &flow.note {
                field(out, 4, "Note", note.trim());
            }
        }
        None => field(out, 4, "Citation", &f.citation),
    }
}

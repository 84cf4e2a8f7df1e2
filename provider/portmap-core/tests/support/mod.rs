//! What the core's property tests share: the exactness check, "rules allow
//! exactly what the flows require", stated once.
//!
//! A directory module (`tests/support/mod.rs`), so cargo does not build it
//! as a test of its own; each test file that needs it says `mod support;`.

use std::collections::BTreeMap;

use portmap_core::ports::PortSet;
use portmap_core::rules::{Computation, Direction};

/// Traffic from one node to another over one protocol.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pair {
    pub from_node: String,
    pub to_node: String,
    pub protocol: String,
}

fn pair(from_node: &str, to_node: &str, protocol: &str) -> Pair {
    Pair {
        from_node: from_node.to_string(),
        to_node: to_node.to_string(),
        protocol: protocol.to_string(),
    }
}

/// The ports each (from, to, protocol) needs: those of the flows that need
/// a rule.
pub fn required_by_flows(c: &Computation<'_>) -> BTreeMap<Pair, PortSet> {
    let mut required: BTreeMap<Pair, PortSet> = BTreeMap::new();
    for f in c.flows.iter().filter(|f| f.needs_rule()) {
        required
            .entry(pair(&f.from_node, &f.to_node, f.protocol.as_str()))
            .or_default()
            .insert(f.ports);
    }
    required
}

/// The ports the rules allow for each (from, to, protocol): by the
/// ingress rules (on `to`, from `from`) and by the egress rules (on
/// `from`, to `to`).
pub fn allowed_by_rules(c: &Computation<'_>) -> (BTreeMap<Pair, PortSet>, BTreeMap<Pair, PortSet>) {
    let mut ingress: BTreeMap<Pair, PortSet> = BTreeMap::new();
    let mut egress: BTreeMap<Pair, PortSet> = BTreeMap::new();
    for r in c.rules.values() {
        let side = match r.direction {
            Direction::Ingress => ingress.entry(pair(&r.peer, &r.node, r.protocol.as_str())),
            Direction::Egress => egress.entry(pair(&r.node, &r.peer, r.protocol.as_str())),
        };
        side.or_default().insert(r.ports);
    }
    (ingress, egress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portmap_core::Catalog;
    use portmap_core::topology::Topology;

    /// The check sees a missing port: the quickstart's rules against its
    /// flows are equal, and stop being equal when one required port is
    /// added that no rule allows.
    #[test]
    fn a_port_no_rule_allows_makes_the_maps_differ() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/quickstart/topology.yaml"
        ))
        .expect("quickstart topology");
        let t: Topology = portmap_core::topology_file::parse(&text, "quickstart")
            .expect("parses")
            .topology;
        let c = portmap_core::compute(&t, Catalog::builtin().expect("catalog")).expect("computes");
        let mut required = required_by_flows(&c);
        let (ingress, egress) = allowed_by_rules(&c);
        assert!(!required.is_empty());
        assert_eq!(ingress, required);
        assert_eq!(egress, required);
        let first = required.values_mut().next().expect("a pair");
        first.insert(portmap_core::ports::PortRange::single(1));
        assert_ne!(ingress, required);
    }
}

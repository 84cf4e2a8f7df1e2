//! From a resolved topology to every required connection.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::catalog::{Flow, Protocol, Scope, Sensitivity, values::eval_ports};
use crate::issue::{Issue, Path};
use crate::ports::{PortRange, PortSet};
use crate::topology::{NodeKind, ProductState, Resolved};

/// One required connection between two nodes, on one protocol and one port
/// or contiguous range.
///
/// Text repeated across flows is shared, not copied: catalog text is
/// borrowed from the catalog (`'c`), and node names, component ids,
/// citations and conditions are [`Arc<str>`]s made once per node or catalog
/// flow. Only the key is the flow's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord<'c> {
    /// Content-derived key: `product:flow:from>to:protocol:ports`.
    pub key: Arc<str>,
    /// Product id.
    pub product: &'c str,
    /// Catalog flow id within the product.
    pub flow: &'c str,
    /// Node that opens the connection.
    pub from_node: Arc<str>,
    /// Node that listens.
    pub to_node: Arc<str>,
    /// Full component id on the `from` side.
    pub from_component: Arc<str>,
    /// Full component id on the `to` side.
    pub to_component: Arc<str>,
    /// Transport.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: PortRange,
    /// Application protocol.
    pub app_protocol: &'c str,
    /// Short purpose.
    pub purpose: &'c str,
    /// Vendor document, table and row(s).
    pub citation: Arc<str>,
    /// The catalog condition, if any.
    pub condition: Option<Arc<str>>,
    /// Both ends on one machine: no rule.
    pub internal: bool,
    /// The catalog says a firewall must allow it.
    pub firewall: bool,
    /// Database or administration port.
    pub sensitive: Option<Sensitivity>,
    /// Unencrypted application protocol.
    pub cleartext: bool,
}

impl FlowRecord<'_> {
    /// Whether this flow needs firewall rules.
    pub fn needs_rule(&self) -> bool {
        self.firewall && !self.internal
    }
}

/// A flow that cannot be placed: one end's component runs nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// `product:flow`.
    pub key: String,
    /// Product id.
    pub product: String,
    /// Catalog flow id.
    pub flow: String,
    /// Full component id of the `from` side.
    pub from_component: String,
    /// Full component id of the `to` side.
    pub to_component: String,
    /// The component that is not placed.
    pub missing_component: String,
    /// Nodes running the other end.
    pub present_nodes: Vec<String>,
    /// `tcp`, `udp` or `tcp, udp`.
    pub protocol: String,
    /// Ports, e.g. `443` or `4001-4002`.
    pub ports: String,
    /// Short purpose.
    pub purpose: String,
    /// Vendor document, table and row(s).
    pub citation: String,
}

/// Every flow of a resolved topology, sorted by key, with the unresolved ones.
#[derive(Debug, Clone, Default)]
pub struct FlowSet<'c> {
    /// Flows, sorted by key.
    pub flows: Vec<FlowRecord<'c>>,
    /// Unresolved flows, sorted by key.
    pub unresolved: Vec<Unresolved>,
    /// Warnings (and errors from settings that push a port out of range).
    pub issues: Vec<Issue>,
}

fn flow_condition_holds(state: &ProductState<'_>, flow: &Flow) -> bool {
    match &flow.condition {
        None => true,
        Some(c) => c.holds(&|f| state.features.contains(f)),
    }
}

/// The settings a flow's ports depend on.
pub fn flow_settings(flow: &Flow) -> Vec<&str> {
    use crate::catalog::{PortBase, PortExpr};
    let mut out = Vec::new();
    for e in &flow.ports {
        match e {
            PortExpr::Base(PortBase::Setting { setting, .. }) => out.push(setting.as_str()),
            PortExpr::List { ports_setting } => out.push(ports_setting.as_str()),
            PortExpr::Series { series } => {
                if let PortBase::Setting { setting, .. } = &series.start {
                    out.push(setting.as_str());
                }
                out.push(series.count.as_str());
            }
            _ => {}
        }
    }
    out
}

/// Computes every flow of the topology.
pub fn compute_flows<'c>(r: &Resolved<'c>) -> FlowSet<'c> {
    let mut out = FlowSet::default();
    // Each node's name, shared by all its flows (and then its rules).
    let names: Vec<Arc<str>> = r.nodes.iter().map(|n| Arc::from(n.name.as_str())).collect();
    let mut empty_ports: BTreeMap<(String, String), Vec<&Flow>> = BTreeMap::new();
    for state in &r.products {
        let product = state.product;
        let pp = Path::root().attr("products").key(&product.id);
        for flow in &product.flows {
            // Ports are checked for every flow, so a bad setting is reported
            // even while the flow's feature is off.
            let ports = match eval_ports(&flow.ports, &state.settings) {
                Ok(p) => p,
                Err(e) => {
                    let used = flow_settings(flow);
                    let path = match used.iter().find(|s| state.overridden.contains(**s)) {
                        Some(s) => pp.attr("settings").key(s),
                        None => pp.attr("settings"),
                    };
                    out.issues.push(Issue::error(
                        path,
                        format!(
                            "Setting gives an invalid port for {} flow {}",
                            product.id, flow.id
                        ),
                        format!(
                            "{e}. Choose a value that keeps every port of the flow within 1-65535."
                        ),
                    ));
                    continue;
                }
            };
            if !flow_condition_holds(state, flow) {
                continue;
            }
            let from_nodes = state.nodes_of(&flow.from);
            let to_nodes = state.nodes_of(&flow.to);
            let from_full = format!("{}/{}", product.id, flow.from);
            let to_full = format!("{}/{}", product.id, flow.to);
            if from_nodes.is_empty() || to_nodes.is_empty() {
                if from_nodes.is_empty() && to_nodes.is_empty() {
                    continue;
                }
                let (missing, present) = if from_nodes.is_empty() {
                    (&flow.from, to_nodes)
                } else {
                    (&flow.to, from_nodes)
                };
                if product.component(missing).is_some_and(|c| c.optional) {
                    continue;
                }
                out.unresolved.push(Unresolved {
                    key: format!("{}:{}", product.id, flow.id),
                    product: product.id.clone(),
                    flow: flow.id.clone(),
                    from_component: from_full,
                    to_component: to_full,
                    missing_component: format!("{}/{}", product.id, missing),
                    present_nodes: present.iter().map(|&i| r.nodes[i].name.clone()).collect(),
                    protocol: flow
                        .protocol
                        .list()
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    ports: if ports.is_empty() {
                        format!("(none: {})", flow_settings(flow).join(", "))
                    } else {
                        ports.to_string()
                    },
                    purpose: flow.purpose.clone(),
                    citation: product.citation_text(flow),
                });
                continue;
            }
            if ports.is_empty() {
                empty_ports
                    .entry((product.id.clone(), flow_settings(flow).join(", ")))
                    .or_default()
                    .push(flow);
                continue;
            }
            let mut same_node_pair = false;
            // Made once per catalog flow, shared by its flows.
            let condition: Option<Arc<str>> = flow.condition.as_ref().map(|c| c.to_string().into());
            let citation: Arc<str> = product.citation_text(flow).into();
            let from_component: Arc<str> = from_full.as_str().into();
            let to_component: Arc<str> = to_full.as_str().into();
            let protocols = flow.protocol.list();
            let mut key = String::new();
            for &a in from_nodes {
                for &b in to_nodes {
                    if flow.scope == Scope::Host && a != b {
                        continue;
                    }
                    same_node_pair |= a == b;
                    let na = &r.nodes[a];
                    let nb = &r.nodes[b];
                    let internal =
                        a == b && (na.kind == NodeKind::Host || flow.scope == Scope::Host);
                    for &proto in &protocols {
                        for range in ports.ranges() {
                            // `product:flow:from>to:protocol:ports`, built
                            // without the formatting machinery, then copied
                            // at its exact size.
                            key.clear();
                            for (part, sep) in [
                                (product.id.as_str(), ':'),
                                (flow.id.as_str(), ':'),
                                (na.name.as_str(), '>'),
                                (nb.name.as_str(), ':'),
                                (proto.as_str(), ':'),
                            ] {
                                key.push_str(part);
                                key.push(sep);
                            }
                            range.push_to(&mut key);
                            out.flows.push(FlowRecord {
                                key: key.as_str().into(),
                                product: &product.id,
                                flow: &flow.id,
                                from_node: names[a].clone(),
                                to_node: names[b].clone(),
                                from_component: from_component.clone(),
                                to_component: to_component.clone(),
                                protocol: proto,
                                ports: *range,
                                app_protocol: &flow.app_protocol,
                                purpose: &flow.purpose,
                                citation: citation.clone(),
                                condition: condition.clone(),
                                internal,
                                firewall: flow.firewall,
                                sensitive: flow.sensitive,
                                cleartext: flow.cleartext,
                            });
                        }
                    }
                }
            }
            if flow.scope == Scope::Host && flow.firewall && !same_node_pair {
                out.issues.push(Issue::warning(
                    Path::root().attr("nodes"),
                    format!("{from_full} and {to_full} run on different nodes"),
                    format!(
                        "{} flow {} ({}) connects two components on the same machine, but no node runs both, so it is left out. Place {} on the nodes that run {}.",
                        product.id, flow.id, flow.purpose, to_full, from_full
                    ),
                ));
            }
        }
    }
    for ((pid, settings), flows) in empty_ports {
        let list: Vec<String> = flows
            .iter()
            .map(|f| format!("- {} ({})", f.id, f.purpose))
            .collect();
        out.issues.push(Issue::warning(
            Path::root().attr("products").key(&pid).attr("settings"),
            format!("{pid}: set {settings} to compute {} flow{}", flows.len(), if flows.len() == 1 { "" } else { "s" }),
            format!(
                "These flows are required, but their ports come from {settings}, which is empty (the vendor gives no number), so no rule is computed for them:\n{}\nSet {settings} in products[\"{pid}\"].settings with the port numbers in use, e.g. \"1533\".",
                list.join("\n")
            ),
        ));
    }
    out.flows = sorted_by_key(std::mem::take(&mut out.flows));
    out.flows.dedup_by(|a, b| a.key == b.key);
    out.unresolved.sort_by(|a, b| a.key.cmp(&b.key));
    out.issues.extend(unresolved_warnings(&out.unresolved));
    out
}

/// The flows sorted by key, equal keys in their order: an order of indices
/// is sorted, then each flow moved once, instead of moving the (large)
/// flows at every step of the sort.
fn sorted_by_key(flows: Vec<FlowRecord<'_>>) -> Vec<FlowRecord<'_>> {
    let mut order: Vec<usize> = (0..flows.len()).collect();
    order.sort_unstable_by(|&a, &b| flows[a].key.cmp(&flows[b].key).then(a.cmp(&b)));
    let mut slots: Vec<Option<FlowRecord<'_>>> = flows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn unresolved_warnings(unresolved: &[Unresolved]) -> Vec<Issue> {
    let mut by_missing: BTreeMap<&str, Vec<&Unresolved>> = BTreeMap::new();
    for u in unresolved {
        by_missing
            .entry(u.missing_component.as_str())
            .or_default()
            .push(u);
    }
    by_missing
        .into_iter()
        .map(|(missing, us)| {
            let lines: Vec<String> = us
                .iter()
                .map(|u| {
                    format!(
                        "- {} ({} {}): {}; {} → {}",
                        u.key, u.protocol, u.ports, u.purpose, u.from_component, u.to_component
                    )
                })
                .collect();
            Issue::warning(
                Path::root().attr("nodes"),
                format!(
                    "{missing} is not placed on any node: {} flow{} cannot be placed",
                    us.len(),
                    if us.len() == 1 { "" } else { "s" }
                ),
                format!(
                    "No node runs {missing}, so these flows have no peer and get no rules:\n{}\nAdd a node for {missing} (with its CIDRs) if the deployment uses it.",
                    lines.join("\n")
                ),
            )
        })
        .collect()
}

/// Ports of a flow at the given state, for docs and explanations.
pub fn flow_ports(state: &ProductState<'_>, flow: &Flow) -> Result<PortSet, String> {
    eval_ports(&flow.ports, &state.settings)
}

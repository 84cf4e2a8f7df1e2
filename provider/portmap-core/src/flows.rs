//! From a resolved topology to every required connection.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::catalog::{Flow, Product, Protocol, Scope, Sensitivity, values::eval_ports};
use crate::issue::{Issue, Path};
use crate::ports::{PortRange, PortSet};
use crate::topology::{
    NodeKind, PairConfig, ProductState, Resolved, deliberately_absent_components,
};

/// One required connection between two nodes, on one protocol and one port
/// or contiguous range.
///
/// Text repeated across flows is shared, not copied: catalog text is
/// borrowed from the catalog (`'c`), and node names, component ids,
/// citations and conditions are [`Rc<str>`]s made once per node or catalog
/// flow. Only the key is the flow's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord<'c> {
    /// Content-derived key: `product:flow:from>to:protocol:ports`, with
    /// `product@installation` for an explicit installation.
    pub key: Rc<str>,
    /// Product id.
    pub product: &'c str,
    /// The explicit installation the flow belongs to (`None` for the
    /// product's implicit installation).
    pub installation: Option<Rc<str>>,
    /// Catalog flow id within the product.
    pub flow: &'c str,
    /// Node that opens the connection.
    pub from_node: Rc<str>,
    /// Node that listens.
    pub to_node: Rc<str>,
    /// Full component id on the `from` side.
    pub from_component: Rc<str>,
    /// Full component id on the `to` side.
    pub to_component: Rc<str>,
    /// Transport.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: PortRange,
    /// Application protocol.
    pub app_protocol: &'c str,
    /// Short purpose.
    pub purpose: &'c str,
    /// Vendor document, table and row(s).
    pub citation: Rc<str>,
    /// The catalog condition, if any.
    pub condition: Option<Rc<str>>,
    /// Both ends on one machine: no rule.
    pub internal: bool,
    /// The catalog says a firewall must allow it.
    pub firewall: bool,
    /// Database or administration port.
    pub sensitive: Option<Sensitivity>,
    /// Unencrypted application protocol.
    pub cleartext: bool,
    /// For a flow redirected by a fronting node (`fronts`): how it stands
    /// in for the client's connection (`in front of sf-1`, `for clients in
    /// internet-users`); `None` for a catalog flow as computed.
    pub relay: Option<Rc<str>>,
}

impl FlowRecord<'_> {
    /// The installation as flow keys name it: the product id for the
    /// implicit installation, `product@installation` for an explicit one.
    pub fn owner(&self) -> std::borrow::Cow<'_, str> {
        match &self.installation {
            None => self.product.into(),
            Some(i) => format!("{}@{i}", self.product).into(),
        }
    }

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

fn flow_condition_holds(features: &BTreeSet<String>, flow: &Flow) -> bool {
    match &flow.condition {
        None => true,
        Some(c) => c.holds(&|f| features.contains(f)),
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
    compute_flows_where(r, &mut |_| true)
}

/// One flow as [`compute_flows_where`] offers it to its filter, before the
/// flow is made: its end nodes (indices into `Resolved::nodes`), protocol
/// and port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The `from` node.
    pub from: usize,
    /// The `to` node.
    pub to: usize,
    /// Transport.
    pub protocol: Protocol,
    /// The flow's ports (one range).
    pub ports: PortRange,
}

/// What [`compute_flows_where`] asks of each flow before it makes it. Any
/// `FnMut(Candidate) -> bool` is one that accepts every plan.
pub trait FlowFilter {
    /// Whether any flow of a catalog flow with these protocols and ports
    /// may be kept: `false` skips its node pairs without offering their
    /// candidates to [`FlowFilter::keep`] one by one.
    fn may_keep(&mut self, protocols: &[Protocol], ports: &PortSet) -> bool {
        let _ = (protocols, ports);
        true
    }

    /// Whether to make the flow of this candidate.
    fn keep(&mut self, candidate: Candidate) -> bool;
}

impl<F: FnMut(Candidate) -> bool> FlowFilter for F {
    fn keep(&mut self, candidate: Candidate) -> bool {
        self(candidate)
    }
}

/// [`compute_flows`], making only the flows `filter` accepts: the same
/// unresolved flows and issues (they do not depend on the filter), and the
/// accepted flows exactly as `compute_flows` makes them, in the same order.
pub fn compute_flows_where<'c>(r: &Resolved<'c>, filter: &mut dyn FlowFilter) -> FlowSet<'c> {
    // The flows are planned first, each as an entry whose `order` sorts as
    // its key will (`product:flow:from>to:protocol:ports`): every part is
    // ranked by its text and the separator after it. Sorting the small
    // entries and making the flows in their order replaces sorting 100,000s
    // of keys (string comparisons, scattered in memory) and moving the
    // large flows, and the flows are made at their exact number.
    let key_names: Vec<String> = r.products.iter().map(ProductState::key_name).collect();
    let product_rank = ranks(&key_names, b":");
    let node_names: Vec<&str> = r.nodes.iter().map(|n| n.name.as_str()).collect();
    let mut planning = Planning {
        r,
        filter,
        from_rank: ranks(&node_names, b">"),
        to_rank: ranks(&node_names, b":"),
        out: FlowSet::default(),
        empty_ports: BTreeMap::new(),
        plans: Vec::new(),
        plans_kept: Vec::new(),
        entries: Vec::new(),
    };
    for (si, state) in r.products.iter().enumerate() {
        let product = state.product;
        let mut installation = InstallationPlanning {
            state,
            key_name: &key_names[si],
            product_rank: product_rank[si],
            flow_rank: ranks(
                &product
                    .flows
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>(),
                b":",
            ),
            config_path: state.config_path(),
            installation: state.installation.as_deref().map(Rc::from),
            deliberately_absent: deliberately_absent_components(product, &state.config),
            pair_configs: BTreeMap::new(),
        };
        for (fi, flow) in product.flows.iter().enumerate() {
            planning.plan_flow(&mut installation, fi, flow);
        }
    }
    planning.finish()
}

/// The settings and flows of an installation whose ports come from an
/// empty setting, by (installation's key name, settings): where it is
/// configured, and the flows.
type EmptyPorts<'c> = BTreeMap<(String, String), (Path, Vec<&'c Flow>)>;

/// What [`compute_flows_where`] gathers while it plans the flows of every
/// installation.
struct Planning<'r, 'c, 'k> {
    r: &'r Resolved<'c>,
    filter: &'k mut dyn FlowFilter,
    /// Each node's rank as the `from` part of a key, and as the `to` part.
    from_rank: Vec<u32>,
    to_rank: Vec<u32>,
    /// Unresolved flows and issues so far (the flows are made at the end).
    out: FlowSet<'c>,
    empty_ports: EmptyPorts<'c>,
    plans: Vec<Plan<'c>>,
    /// Whether the filter may keep flows of each plan (by index).
    plans_kept: Vec<bool>,
    entries: Vec<Entry>,
}

/// What the flows of one installation share while they are planned.
struct InstallationPlanning<'s, 'c> {
    state: &'s ProductState<'c>,
    key_name: &'s str,
    product_rank: u32,
    /// Each catalog flow's rank as the flow part of a key.
    flow_rank: Vec<u32>,
    config_path: Path,
    installation: Option<Rc<str>>,
    /// Components the installation does without on purpose: their flows
    /// are left out like an optional party's, without a warning.
    deliberately_absent: BTreeSet<String>,
    /// The configurations of node pairs with overrides, made once per
    /// pair of overrides (none without overrides).
    pair_configs: BTreeMap<Ends, PairConfig>,
}

/// The plans of one catalog flow's node pairs, by the pairs' overrides:
/// `None` where the flow does not apply.
#[derive(Default)]
struct PairPlans {
    plans: Vec<(Ends, Option<usize>)>,
    /// Whether the flow is already listed among those with empty ports.
    empty_reported: bool,
}

impl<'c> Planning<'_, 'c, '_> {
    /// Plans the flows of one catalog flow in one installation.
    fn plan_flow(&mut self, inst: &mut InstallationPlanning<'_, 'c>, fi: usize, flow: &'c Flow) {
        let state = inst.state;
        let product = state.product;
        // Ports are checked for every flow, so a bad setting is reported
        // even while the flow's feature is off.
        let ports = match eval_ports(&flow.ports, &state.settings) {
            Ok(p) => p,
            Err(e) => {
                let used = flow_settings(flow);
                let path = match used.iter().find(|s| state.overridden.contains(**s)) {
                    Some(s) => inst.config_path.attr("settings").key(s),
                    None => inst.config_path.attr("settings"),
                };
                self.out.issues.push(port_error(product, flow, path, &e));
                return;
            }
        };
        let base_on = flow_condition_holds(&state.features, flow);
        let overrides = !state.overrides.is_empty();
        if !base_on && !overrides {
            return;
        }
        let from_nodes = state.nodes_of(&flow.from);
        let to_nodes = state.nodes_of(&flow.to);
        let from_full = format!("{}/{}", product.id, flow.from);
        let to_full = format!("{}/{}", product.id, flow.to);
        if from_nodes.is_empty() || to_nodes.is_empty() {
            if base_on && let Some(u) = self.unresolved(inst, flow, &ports, &from_full, &to_full) {
                self.out.unresolved.push(u);
            }
            return;
        }
        if ports.is_empty() && !overrides {
            self.report_empty_ports(inst, flow);
            return;
        }
        let shared = Shared {
            condition: flow.condition.as_ref().map(|c| c.to_string().into()),
            citation: product.citation_text(flow).into(),
            from_component: from_full.as_str().into(),
            to_component: to_full.as_str().into(),
            installation: inst.installation.clone(),
        };
        let mut pair_plans = PairPlans::default();
        let mut plan_of = |this: &mut Self, inst: &mut InstallationPlanning<'_, 'c>, ends: Ends| {
            this.pair_plan(
                inst,
                flow,
                (base_on, &ports),
                &shared,
                &mut pair_plans,
                ends,
            )
        };
        if flow.scope != Scope::Host {
            self.plan_pairs(inst, fi, flow, &mut plan_of);
            return;
        }
        let (applies, same_node_pair) = self.plan_host_pairs(inst, fi, flow, &mut plan_of);
        if applies && flow.firewall && !same_node_pair {
            self.out.issues.push(Issue::warning(
                Path::root().attr("nodes"),
                format!("{from_full} and {to_full} run on different nodes"),
                format!(
                    "{} flow {} ({}) connects two components on the same machine, but no node runs both, so it is left out. Place {} on the nodes that run {}.",
                    product.id, flow.id, flow.purpose, to_full, from_full
                ),
            ));
        }
    }

    /// The entries of a catalog flow between the nodes of its two ends,
    /// every pair of them. `plan_of` gives the plan of a pair by its ends'
    /// overrides.
    fn plan_pairs(
        &mut self,
        inst: &mut InstallationPlanning<'_, 'c>,
        fi: usize,
        flow: &'c Flow,
        plan_of: &mut impl FnMut(&mut Self, &mut InstallationPlanning<'_, 'c>, Ends) -> Option<usize>,
    ) {
        let state = inst.state;
        let from_nodes = state.nodes_of(&flow.from);
        let to_nodes = state.nodes_of(&flow.to);
        // When the filter may keep none of the plans, the pairs are not
        // walked.
        let plans = self.plan_every_combination(inst, flow, plan_of);
        if !plans.iter().flatten().any(|&pi| self.plans_kept[pi]) {
            return;
        }
        for &a in from_nodes {
            for &b in to_nodes {
                let ends = (state.override_of(a), state.override_of(b));
                let Some(pi) = plan_of(self, inst, ends) else {
                    continue;
                };
                // A component to itself (cluster members, node managers
                // to each other) is a flow between members: one host
                // does not talk to itself over it.
                if a == b && flow.from == flow.to && self.r.nodes[a].kind == NodeKind::Host {
                    continue;
                }
                self.plan_entries(inst, fi, pi, a, b);
            }
        }
    }

    /// The entries of a flow between two components of one machine
    /// (`scope: host`): a node paired with itself only. Returns whether
    /// the flow applies to some pair of its ends' nodes, and whether some
    /// node runs both ends.
    fn plan_host_pairs(
        &mut self,
        inst: &mut InstallationPlanning<'_, 'c>,
        fi: usize,
        flow: &'c Flow,
        plan_of: &mut impl FnMut(&mut Self, &mut InstallationPlanning<'_, 'c>, Ends) -> Option<usize>,
    ) -> (bool, bool) {
        let state = inst.state;
        let from_nodes = state.nodes_of(&flow.from);
        let to_nodes = state.nodes_of(&flow.to);
        // Every pair decides whether the flow applies; its plan is its
        // combination's. Walking every pair instead costs the product of
        // the ends' node counts.
        let applies = self
            .plan_every_combination(inst, flow, plan_of)
            .iter()
            .any(Option::is_some);
        debug_assert!(to_nodes.is_sorted(), "placements list nodes in order");
        let mut same_node_pair = false;
        for &a in from_nodes {
            if to_nodes.binary_search(&a).is_err() {
                continue;
            }
            let ends = (state.override_of(a), state.override_of(a));
            if let Some(pi) = plan_of(self, inst, ends) {
                same_node_pair = true;
                self.plan_entries(inst, fi, pi, a, a);
            }
        }
        (applies, same_node_pair)
    }

    /// The plans of every combination of the two ends' overrides, made in
    /// the order the node pairs meet them (the combinations of the ends'
    /// overrides, each end's in the order of its nodes): `None` where the
    /// flow does not apply.
    fn plan_every_combination(
        &mut self,
        inst: &mut InstallationPlanning<'_, 'c>,
        flow: &'c Flow,
        plan_of: &mut impl FnMut(&mut Self, &mut InstallationPlanning<'_, 'c>, Ends) -> Option<usize>,
    ) -> Vec<Option<usize>> {
        let state = inst.state;
        let from_ends = overrides_in_order(state, state.nodes_of(&flow.from));
        let to_ends = overrides_in_order(state, state.nodes_of(&flow.to));
        let mut plans = Vec::with_capacity(from_ends.len() * to_ends.len());
        for &from_end in &from_ends {
            for &to_end in &to_ends {
                plans.push(plan_of(self, inst, (from_end, to_end)));
            }
        }
        plans
    }

    /// The plan of a flow between nodes with the overrides `ends`, made
    /// the first time a pair with these overrides meets it: `None` where
    /// the flow does not apply (its feature is off, or its ports are bad or
    /// empty, which is reported once).
    fn pair_plan(
        &mut self,
        inst: &mut InstallationPlanning<'_, 'c>,
        flow: &'c Flow,
        (base_on, ports): (bool, &PortSet),
        shared: &Shared,
        pair_plans: &mut PairPlans,
        ends: Ends,
    ) -> Option<usize> {
        if let Some(&(_, pi)) = pair_plans.plans.iter().find(|(e, _)| *e == ends) {
            return pi;
        }
        let state = inst.state;
        let (on, pair_ports) = if ends == (None, None) {
            (base_on, Ok(ports.clone()))
        } else {
            let cfg = inst
                .pair_configs
                .entry(ends)
                .or_insert_with(|| state.pair_config(ends.0, ends.1, &self.r.nodes));
            (
                flow_condition_holds(&cfg.features, flow),
                eval_ports(&flow.ports, &cfg.settings),
            )
        };
        let pi = match pair_ports {
            _ if !on => None,
            Err(e) => {
                let path = match flow_settings(flow).first() {
                    Some(s) => state.setting_path(ends.0, ends.1, &self.r.nodes, s),
                    None => inst.config_path.attr("settings"),
                };
                self.out
                    .issues
                    .push(port_error(state.product, flow, path, &e));
                None
            }
            Ok(p) if p.is_empty() => {
                if !pair_plans.empty_reported {
                    pair_plans.empty_reported = true;
                    self.report_empty_ports(inst, flow);
                }
                None
            }
            Ok(p) => {
                let plan = Plan::new(state.product, flow, p, shared);
                let kept = self.filter.may_keep(&plan.protocols, &plan.ports);
                self.plans.push(plan);
                self.plans_kept.push(kept);
                Some(self.plans.len() - 1)
            }
        };
        pair_plans.plans.push((ends, pi));
        pi
    }

    /// The entries of the flows of plan `pi` from node `a` to node `b`:
    /// one per protocol and port range that the filter keeps.
    fn plan_entries(
        &mut self,
        inst: &InstallationPlanning<'_, 'c>,
        fi: usize,
        pi: usize,
        a: usize,
        b: usize,
    ) {
        if !self.plans_kept[pi] {
            return;
        }
        let plan = &self.plans[pi];
        for (pr, &proto) in plan.protocols.iter().enumerate() {
            for (ri, &rr) in plan.range_rank.iter().enumerate() {
                if !self.filter.keep(Candidate {
                    from: a,
                    to: b,
                    protocol: proto,
                    ports: plan.ports.ranges()[ri],
                }) {
                    continue;
                }
                self.entries.push(Entry {
                    order: (
                        inst.product_rank,
                        inst.flow_rank[fi],
                        self.from_rank[a],
                        self.to_rank[b],
                        pr as u32,
                        rr,
                    ),
                    seq: index_u32(self.entries.len()),
                    plan: index_u32(pi),
                    from: index_u32(a),
                    to: index_u32(b),
                    protocol: proto,
                    range: index_u32(ri),
                });
            }
        }
    }

    /// Lists a flow among those whose ports come from an empty setting.
    fn report_empty_ports(&mut self, inst: &InstallationPlanning<'_, 'c>, flow: &'c Flow) {
        self.empty_ports
            .entry((inst.key_name.to_string(), flow_settings(flow).join(", ")))
            .or_insert_with(|| (inst.config_path.clone(), Vec::new()))
            .1
            .push(flow);
    }

    /// A flow one of whose ends runs nowhere, unless that is on purpose: the
    /// missing end is optional, deliberately absent, or stood in for by a
    /// narrower party that is placed.
    fn unresolved(
        &self,
        inst: &InstallationPlanning<'_, 'c>,
        flow: &Flow,
        ports: &PortSet,
        from_full: &str,
        to_full: &str,
    ) -> Option<Unresolved> {
        let state = inst.state;
        let product = state.product;
        let from_nodes = state.nodes_of(&flow.from);
        let to_nodes = state.nodes_of(&flow.to);
        let (missing, present) = match (from_nodes.is_empty(), to_nodes.is_empty()) {
            (true, false) => (&flow.from, to_nodes),
            (false, true) => (&flow.to, from_nodes),
            _ => return None,
        };
        if product.component(missing).is_some_and(|c| c.optional)
            || inst.deliberately_absent.contains(missing.as_str())
        {
            return None;
        }
        // A narrower party for one of its audiences is placed: the
        // topology chose it instead of the broader component.
        let narrower_placed = product.components.iter().any(|c| {
            c.part_of.as_deref() == Some(missing.as_str()) && !state.nodes_of(&c.id).is_empty()
        });
        if narrower_placed {
            return None;
        }
        Some(Unresolved {
            key: format!("{}:{}", inst.key_name, flow.id),
            product: product.id.clone(),
            flow: flow.id.clone(),
            from_component: from_full.to_string(),
            to_component: to_full.to_string(),
            missing_component: format!("{}/{}", product.id, missing),
            present_nodes: present
                .iter()
                .map(|&i| self.r.nodes[i].name.clone())
                .collect(),
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
        })
    }

    /// The flows of the planned entries in key order, the unresolved flows
    /// and every warning.
    fn finish(self) -> FlowSet<'c> {
        let Planning {
            r,
            mut out,
            empty_ports,
            plans,
            mut entries,
            ..
        } = self;
        for ((pid, settings), (config_path, flows)) in empty_ports {
            out.issues
                .push(empty_ports_warning(&pid, &settings, &config_path, &flows));
        }
        // Entries with equal orders keep the order in which they were
        // planned. They come in runs already in order (one catalog flow's
        // node pairs), which the stable sort merges.
        entries.sort_by_key(|e| e.order);
        // Each node's name, shared by all its flows (and then its rules).
        let names: Vec<Rc<str>> = r.nodes.iter().map(|n| Rc::from(n.name.as_str())).collect();
        out.flows = make_flows(r, &names, &plans, &entries);
        // The ranks order every key the catalog and the node name rules allow
        // as its text does; should a catalog id hold a separator, the flows are
        // sorted by their keys after all.
        let in_order = out.flows.windows(2).zip(entries.windows(2)).all(|(f, e)| {
            match f[0].key.cmp(&f[1].key) {
                Ordering::Less => true,
                Ordering::Equal => e[0].order == e[1].order,
                Ordering::Greater => false,
            }
        });
        if !in_order {
            out.flows = sorted_by_key(std::mem::take(&mut out.flows), &entries);
        }
        out.flows.dedup_by(|a, b| a.key == b.key);
        out.unresolved.sort_by(|a, b| a.key.cmp(&b.key));
        let warnings = unresolved_warnings(&out.unresolved);
        out.issues.extend(warnings);
        out
    }
}

/// The distinct overrides of `nodes` (`None` for a node without one), in
/// the order of the nodes that first have them.
fn overrides_in_order(state: &ProductState<'_>, nodes: &[usize]) -> Vec<Option<usize>> {
    if state.overrides.is_empty() {
        return vec![None];
    }
    let mut seen = BTreeSet::new();
    nodes
        .iter()
        .map(|&n| state.override_of(n))
        .filter(|o| seen.insert(*o))
        .collect()
}

/// The warning for the flows of an installation whose ports come from
/// `settings`, which are empty.
fn empty_ports_warning(pid: &str, settings: &str, config_path: &Path, flows: &[&Flow]) -> Issue {
    let list: Vec<String> = flows
        .iter()
        .map(|f| format!("- {} ({})", f.id, f.purpose))
        .collect();
    Issue::warning(
        config_path.attr("settings"),
        format!(
            "{pid}: set {settings} to compute {} flow{}",
            flows.len(),
            if flows.len() == 1 { "" } else { "s" }
        ),
        format!(
            "These flows are required, but their ports come from {settings}, which is empty (the vendor gives no number), so no rule is computed for them:\n{}\nSet {settings} in {config_path}.settings with the port numbers in use, e.g. \"1533\".",
            list.join("\n")
        ),
    )
}

/// The overrides of a flow's two ends (indices into
/// `ProductState::overrides`).
type Ends = (Option<usize>, Option<usize>);

/// What the flows of one catalog flow in one installation share, whatever
/// their configuration.
struct Shared {
    condition: Option<Rc<str>>,
    citation: Rc<str>,
    from_component: Rc<str>,
    to_component: Rc<str>,
    installation: Option<Rc<str>>,
}

/// A catalog flow that applies with one configuration, with what its flows
/// share.
struct Plan<'c> {
    product: &'c Product,
    flow: &'c Flow,
    ports: PortSet,
    /// The rank of each range of `ports` among them, as text.
    range_rank: Vec<u32>,
    /// The flow's protocols, in the order of their names.
    protocols: Vec<Protocol>,
    condition: Option<Rc<str>>,
    citation: Rc<str>,
    from_component: Rc<str>,
    to_component: Rc<str>,
    installation: Option<Rc<str>>,
}

impl<'c> Plan<'c> {
    fn new(product: &'c Product, flow: &'c Flow, ports: PortSet, shared: &Shared) -> Self {
        let range_rank = ranks(
            &ports
                .ranges()
                .iter()
                .map(|range| {
                    let mut text = String::new();
                    range.push_to(&mut text);
                    text
                })
                .collect::<Vec<_>>(),
            &[],
        );
        let mut protocols = flow.protocol.list();
        protocols.sort_unstable_by_key(|p| p.as_str());
        Plan {
            product,
            flow,
            ports,
            range_rank,
            protocols,
            condition: shared.condition.clone(),
            citation: shared.citation.clone(),
            from_component: shared.from_component.clone(),
            to_component: shared.to_component.clone(),
            installation: shared.installation.clone(),
        }
    }
}

fn port_error(product: &Product, flow: &Flow, path: Path, e: &str) -> Issue {
    Issue::error(
        path,
        format!(
            "Setting gives an invalid port for {} flow {}",
            product.id, flow.id
        ),
        format!("{e}. Choose a value that keeps every port of the flow within 1-65535."),
    )
}

/// One flow to make: its plan, nodes, protocol and range (an index into the
/// plan's port ranges), and ranks that sort as its key.
struct Entry {
    /// Ranks of product, flow, `from` and `to` node, protocol and range.
    order: (u32, u32, u32, u32, u32, u32),
    /// Its place in the order in which flows are planned.
    seq: u32,
    plan: u32,
    from: u32,
    to: u32,
    protocol: Protocol,
    range: u32,
}

/// An index into a vector as a `u32`, for the 100,000s of small records
/// that are sorted (an [`Entry`] takes 48 bytes instead of 72; rule
/// shaping's sides 16 instead of 40). Vectors of 2^32 nodes, plans or
/// entries do not fit in memory.
pub(crate) fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// For each text, its rank among `texts` when each is followed by `sep`,
/// compared as bytes; equal texts have equal ranks.
pub(crate) fn ranks<T: AsRef<str>>(texts: &[T], sep: &[u8]) -> Vec<u32> {
    let with_sep = |i: usize| texts[i].as_ref().bytes().chain(sep.iter().copied());
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_unstable_by(|&x, &y| with_sep(x).cmp(with_sep(y)));
    let mut rank = vec![0; texts.len()];
    let mut next = 0;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && texts[order[k - 1]].as_ref() != texts[i].as_ref() {
            next += 1;
        }
        rank[i] = next;
    }
    rank
}

/// The flows of the entries, in the entries' order, at their exact number.
fn make_flows<'c>(
    r: &Resolved<'c>,
    names: &[Rc<str>],
    plans: &[Plan<'c>],
    entries: &[Entry],
) -> Vec<FlowRecord<'c>> {
    let mut flows = Vec::with_capacity(entries.len());
    let mut key = String::new();
    for e in entries {
        let Plan {
            product,
            flow,
            ports,
            condition,
            citation,
            from_component,
            to_component,
            installation,
            ..
        } = &plans[e.plan as usize];
        let (a, b) = (e.from as usize, e.to as usize);
        let (na, nb) = (&r.nodes[a], &r.nodes[b]);
        let range = ports.ranges()[e.range as usize];
        // `product:flow:from>to:protocol:ports`, built without the
        // formatting machinery, then copied at its exact size.
        key.clear();
        key.push_str(&product.id);
        if let Some(i) = installation {
            key.push('@');
            key.push_str(i);
        }
        key.push(':');
        for (part, sep) in [
            (flow.id.as_str(), ':'),
            (na.name.as_str(), '>'),
            (nb.name.as_str(), ':'),
            (e.protocol.as_str(), ':'),
        ] {
            key.push_str(part);
            key.push(sep);
        }
        range.push_to(&mut key);
        flows.push(FlowRecord {
            key: key.as_str().into(),
            product: &product.id,
            installation: installation.clone(),
            flow: &flow.id,
            from_node: names[a].clone(),
            to_node: names[b].clone(),
            from_component: from_component.clone(),
            to_component: to_component.clone(),
            protocol: e.protocol,
            ports: range,
            app_protocol: &flow.app_protocol,
            purpose: &flow.purpose,
            citation: citation.clone(),
            condition: condition.clone(),
            internal: a == b && (na.kind == NodeKind::Host || flow.scope == Scope::Host),
            firewall: flow.firewall,
            sensitive: flow.sensitive,
            cleartext: flow.cleartext,
            relay: None,
        });
    }
    flows
}

/// The flows sorted by key, equal keys in the order they were planned
/// (`entries[i]` is the entry of `flows[i]`): an order of indices is sorted, then each flow
/// moved once, instead of moving the (large) flows at every step of the
/// sort.
fn sorted_by_key<'c>(flows: Vec<FlowRecord<'c>>, entries: &[Entry]) -> Vec<FlowRecord<'c>> {
    let mut order: Vec<usize> = (0..flows.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        flows[a]
            .key
            .cmp(&flows[b].key)
            .then(entries[a].seq.cmp(&entries[b].seq))
    });
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

#[cfg(test)]
mod tests {
    use super::ranks;

    /// Ranks order texts as the texts followed by the separator do, and
    /// equal texts share a rank: checked against comparing the strings for
    /// every pair, with names that are prefixes of each other and bytes on
    /// both sides of the separators.
    #[test]
    fn ranks_order_as_the_text_with_its_separator() {
        let texts = [
            "web", "web-1", "web.1", "a", "web", "web1", "w", "", "web;", "web=", "web<x", "z",
        ];
        for sep in [&b">"[..], &b":"[..], &b""[..]] {
            let rank = ranks(&texts, sep);
            for i in 0..texts.len() {
                for j in 0..texts.len() {
                    let with = |k: usize| [texts[k].as_bytes(), sep].concat();
                    assert_eq!(
                        rank[i].cmp(&rank[j]),
                        with(i).cmp(&with(j)),
                        "{:?} vs {:?} with {:?}",
                        texts[i],
                        texts[j],
                        sep
                    );
                }
            }
        }
    }
}

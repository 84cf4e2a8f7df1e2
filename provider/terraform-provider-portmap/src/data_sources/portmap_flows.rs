//! `portmap_flows`: every connection a topology requires and the
//! least-privilege ingress and egress rules that allow exactly those.

use portmap_core::output::FlowsOutput;
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::cloud_shape::risks_as_errors;
use super::topology_input::{self, check_selection, selection};
use crate::convert::{diagnostics, json, read_state};
use crate::provider::Context;

/// `portmap_flows` as a [`DataSource`]; the module documentation says what it computes.
pub struct PortmapFlows;

pub(crate) fn flow_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "key",
            Type::String,
            "Content-derived key: `product:flow:from_node>to_node:protocol:ports`.",
        ),
        Attribute::computed("product", Type::String, "Product id."),
        Attribute::computed("flow", Type::String, "Catalog flow id within the product."),
        Attribute::computed("from_node", Type::String, "Node that opens the connection."),
        Attribute::computed("to_node", Type::String, "Node that listens."),
        Attribute::computed(
            "from_component",
            Type::String,
            "Component (`product/component`) that opens the connection.",
        ),
        Attribute::computed("to_component", Type::String, "Component that listens."),
        Attribute::computed(
            "protocol",
            Type::String,
            "Transport protocol: `tcp` or `udp`.",
        ),
        Attribute::computed("from_port", Type::Number, "First destination port."),
        Attribute::computed(
            "to_port",
            Type::Number,
            "Last destination port (equal to `from_port` for a single port).",
        ),
        Attribute::computed(
            "app_protocol",
            Type::String,
            "Application protocol, as the vendor names it.",
        ),
        Attribute::computed("purpose", Type::String, "What the connection is for."),
        Attribute::computed(
            "citation",
            Type::String,
            "The vendor document, table and row(s) that require the connection.",
        ),
        Attribute::computed(
            "condition",
            Type::String,
            "The catalog condition (feature expression) under which the flow exists; null when unconditional.",
        ),
        Attribute::computed(
            "internal",
            Type::Bool,
            "Whether both ends run on one machine (the same host node, or a same-machine flow), so no network rule is needed.",
        ),
        Attribute::computed(
            "firewall",
            Type::Bool,
            "Whether the vendor says a firewall must allow it; false for ports the document lists as internal or needing no firewall configuration.",
        ),
        Attribute::computed(
            "relay",
            Type::String,
            "For a flow redirected by a node that `fronts` its destination component: `in front of SERVER` on the way from the client to the fronting node (`to_node`), `for CLIENT` on the way on from the fronting node to the server. Null for every other flow.",
        ),
    ]
}

pub(crate) fn rule_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "node",
            Type::String,
            "The node the rule belongs to (where it is enforced).",
        ),
        Attribute::computed(
            "direction",
            Type::String,
            "`ingress` (traffic into `node` from `peer`) or `egress` (traffic from `node` to `peer`).",
        ),
        Attribute::computed(
            "peer",
            Type::String,
            "The node at the other end; the node itself for flows inside a group node.",
        ),
        Attribute::computed(
            "peer_cidrs",
            Type::list(Type::String),
            "The peer's addresses, normalized.",
        ),
        Attribute::computed("peer_ref", Type::String, "The peer's `ref`, or null."),
        Attribute::computed(
            "protocol",
            Type::String,
            "Transport protocol: `tcp` or `udp`.",
        ),
        Attribute::computed("from_port", Type::Number, "First destination port."),
        Attribute::computed(
            "to_port",
            Type::Number,
            "Last destination port. A range only ever covers ports that flows require.",
        ),
        Attribute::computed(
            "description",
            Type::String,
            "Short readable description: product and purposes.",
        ),
        Attribute::computed(
            "flows",
            Type::list(Type::String),
            "Keys of the flows (in `flows`) this rule serves.",
        ),
    ]
}

pub(crate) fn unresolved_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("key", Type::String, "`product:flow`."),
        Attribute::computed("product", Type::String, "Product id."),
        Attribute::computed("flow", Type::String, "Catalog flow id."),
        Attribute::computed(
            "from_component",
            Type::String,
            "Component that opens the connection.",
        ),
        Attribute::computed("to_component", Type::String, "Component that listens."),
        Attribute::computed(
            "missing_component",
            Type::String,
            "The component no node runs.",
        ),
        Attribute::computed(
            "present_nodes",
            Type::list(Type::String),
            "Nodes running the other end.",
        ),
        Attribute::computed("protocol", Type::String, "Transport protocol(s)."),
        Attribute::computed("ports", Type::String, "Ports the flow would use."),
        Attribute::computed("purpose", Type::String, "What the connection is for."),
        Attribute::computed(
            "citation",
            Type::String,
            "The vendor document, table and row(s).",
        ),
    ]
}

impl DataSource for PortmapFlows {
    fn type_name(&self) -> &'static str {
        "portmap_flows"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Computes every connection a deployment needs from where product components run, and the least-privilege ingress and egress rules that allow exactly those connections. Each rule and flow is traceable to the vendor table row that requires it.",
            )
            .attributes(topology_input::attributes())
            .attribute(Attribute::optional(
                "for_nodes",
                Type::set(Type::String),
                "Only return what these nodes (keys of `nodes`) need: the rules enforced at them, and the flows from or to them. The computation still covers the whole topology, so the selected rules, their keys and their flows are exactly those of the whole result. All nodes when null. Use it when one configuration manages the firewalls of a few nodes of a large shared topology (a spoke of a landing zone): Terraform's plan time grows with the number of objects a data source returns.",
            ))
            .attribute(topology_input::accepted_risks())
            .attribute(super::cloud_shape::fail_on_risk())
            .attribute(
                Attribute::nested("flows", ObjectNesting::List, flow_attributes(), "Every required connection between nodes, one object per protocol and port or contiguous port range, sorted by key. Internal flows (both ends on one machine) are listed too, with `internal = true`.")
                    .make_computed(),
            )
            .attribute(
                Attribute::nested("rules", ObjectNesting::Map, rule_attributes(), "Least-privilege rules keyed by a stable content-derived key `node:direction:peer:protocol:ports`: one per node, direction, peer, protocol and contiguous port range. For a flow A → B, B gets an ingress rule from A and A an egress rule to B. Adding an unrelated node never changes an existing key.")
                    .make_computed(),
            )
            .attribute(
                Attribute::nested("unresolved", ObjectNesting::List, unresolved_attributes(), "Flows that cannot be placed because one end's component runs on no node. Each is also reported as a warning.")
                    .make_computed(),
            )
            .attribute(Attribute::computed(
                "diagram_mermaid",
                Type::String,
                "The topology as a Mermaid flowchart, ready for a README or pull request: one subgraph per node with its components and addresses, and one edge per pair of nodes and direction labelled with the protocols and ports that need rules (a single two-headed edge when both directions need the same ports). Long port lists are shortened: `8080-8082` is always a range of open ports, while `1898 … 2198 (24 ports)` stands for that many open ports between the two, not for all of them.",
            ))
            .attribute(Attribute::computed(
                "diagram_dot",
                Type::String,
                "The same diagram as Graphviz DOT: one cluster per node with its components and addresses, and labelled edges for the ports that need rules. Render it with `dot -Tsvg`, or use `portmap diagram` for an SVG without Graphviz.",
            )),
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        let mut issues = topology_input::validate(ctx, config);
        issues.extend(check_selection(config, selection(config).as_ref()));
        diagnostics(&issues)
    }

    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        let selected = selection(config);
        let selection_issues = check_selection(config, selected.as_ref());
        if !selection_issues.is_empty() {
            return (None, diagnostics(&selection_issues));
        }
        let comp = match topology_input::compute(ctx, config) {
            Ok(c) => c,
            Err(issues) => return (None, diagnostics(&issues)),
        };
        let as_errors = risks_as_errors(config);
        let mut issues = comp.issues.clone();
        issues.extend(portmap_core::cloud::risk::check_flows(
            &portmap_core::cloud::select(&comp, selected.as_ref()),
            as_errors,
        ));
        let diags = diagnostics(&issues);
        if diags.has_errors() {
            return (None, diags);
        }
        let out = FlowsOutput::for_nodes(&comp, selected.as_ref());
        let diagram = portmap_core::diagram::Diagram::new(&comp);
        read_state(
            self.type_name(),
            &self.schema(),
            config,
            vec![
                ("flows", json(&out.flows, "flows")),
                ("rules", json(&out.rules, "rules")),
                ("unresolved", json(&out.unresolved, "unresolved")),
                (
                    "diagram_mermaid",
                    Ok(portmap_core::diagram::mermaid(&diagram).into()),
                ),
                (
                    "diagram_dot",
                    Ok(portmap_core::diagram::dot(&diagram).into()),
                ),
            ],
            diags,
        )
    }
}

//! `portmap_audit`: the rules that exist today against the rules the
//! topology requires (covered, excess, missing, summary).

use portmap_core::audit::{ExistingRule, audit, check_existing};
use portmap_core::issue::{Issue, Path};
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::cloud_shape::risks_as_errors;
use super::topology_input;
use crate::convert::whole;
use crate::convert::{diagnostics, json, read_state};
use crate::provider::Context;

/// `portmap_audit` as a [`DataSource`]; the module documentation says what it computes.
pub struct PortmapAudit;

fn existing_attributes() -> Vec<Attribute> {
    vec![
        Attribute::required(
            "id",
            Type::String,
            "Free text naming the rule in your world, such as `sg-0abc/sgr-1` or the resource address; the results are reported by it. Unique.",
        ),
        Attribute::required(
            "node",
            Type::String,
            "The node (a key of `nodes`) whose firewall holds the rule.",
        ),
        Attribute::required(
            "direction",
            Type::String,
            "`ingress` (traffic into `node`) or `egress` (traffic out of it).",
        ),
        Attribute::required(
            "protocol",
            Type::String,
            "`tcp`, `udp`, `icmp` (every ICMP type) or `all` (every IP protocol and port).",
        ),
        Attribute::optional(
            "from_port",
            Type::Number,
            "First port, 0 to 65535; required for `tcp` and `udp`, ignored otherwise.",
        ),
        Attribute::optional(
            "to_port",
            Type::Number,
            "Last port, at least `from_port`; required for `tcp` and `udp`, ignored otherwise.",
        ),
        Attribute::optional(
            "cidrs",
            Type::list(Type::String),
            "The addresses at the other end: IPv4 and IPv6 CIDR blocks or single addresses.",
        ),
        Attribute::optional(
            "peer",
            Type::String,
            "The other end as a node, for rules that reference a security group, application security group or tag: the rule allows that node's `cidrs` (or, when it has none, its `ref`). Give `cidrs`, `peer` or both.",
        ),
    ]
}

fn opening_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "protocol",
            Type::String,
            "`tcp`, `udp`, `icmp`, or `other` (the IP protocols besides these three, which `all` allows).",
        ),
        Attribute::computed(
            "from_port",
            Type::Number,
            "First port, for `tcp` and `udp`; null otherwise.",
        ),
        Attribute::computed(
            "to_port",
            Type::Number,
            "Last port, for `tcp` and `udp`; null otherwise.",
        ),
        Attribute::computed(
            "cidrs",
            Type::list(Type::String),
            "The addresses, as the minimal list of CIDR blocks that covers exactly them (a /16 rule where a /24 is required shows the other 255 /24s as eight blocks).",
        ),
        Attribute::computed(
            "peers",
            Type::list(Type::String),
            "Nodes known only by their `ref` (no `cidrs`), named by node.",
        ),
    ]
}

fn openings(description: &str) -> Attribute {
    Attribute::nested(
        "openings",
        ObjectNesting::List,
        opening_attributes(),
        description,
    )
    .make_computed()
}

fn excess_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("id", Type::String, "The existing rule's `id`."),
        Attribute::computed("node", Type::String, "Its node."),
        Attribute::computed("direction", Type::String, "Its direction."),
        Attribute::computed(
            "action",
            Type::String,
            "`delete` when the rule allows nothing any flow needs, `narrow` when it allows some of what flows need and more.",
        ),
        Attribute::computed(
            "any_address",
            Type::Bool,
            "Whether the rule allows every address (`0.0.0.0/0` or `::/0`).",
        ),
        Attribute::computed(
            "all_ports",
            Type::Bool,
            "Whether the rule allows every port (`0-65535`) or every protocol.",
        ),
        Attribute::computed(
            "sensitive_ports",
            Type::list(Type::String),
            "Well-known administration and database ports in the unjustified part, such as `tcp/22 (SSH)`.",
        ),
        Attribute::computed(
            "space_ipv4",
            Type::Number,
            "Unjustified (port, address) pairs over IPv4.",
        ),
        Attribute::computed(
            "space_ipv6",
            Type::Number,
            "Unjustified (port, address) pairs over IPv6.",
        ),
        openings("Exactly what the rule allows that no flow needs, by protocol and port range."),
    ]
}

fn missing_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("node", Type::String, "The node the rule is enforced at."),
        Attribute::computed("direction", Type::String, "`ingress` or `egress`."),
        Attribute::computed("peer", Type::String, "The node at the other end."),
        Attribute::computed("protocol", Type::String, "`tcp` or `udp`."),
        Attribute::computed("from_port", Type::Number, "First port."),
        Attribute::computed("to_port", Type::Number, "Last port."),
        Attribute::computed("cidrs", Type::list(Type::String), "The peer's addresses."),
        Attribute::computed("ref", Type::String, "The peer's `ref`, or null."),
        Attribute::computed(
            "description",
            Type::String,
            "Product and purposes of the flows served.",
        ),
        Attribute::computed(
            "flows",
            Type::list(Type::String),
            "Keys of the flows the rule serves.",
        ),
        Attribute::computed(
            "partial",
            Type::Bool,
            "Whether the existing rules allow part of the rule already (only `openings` is missing).",
        ),
        openings("Exactly what of the rule no existing rule allows."),
    ]
}

fn summary_attributes() -> Vec<Attribute> {
    let n = |name: &str, d: &str| Attribute::computed(name, Type::Number, d);
    vec![
        n("existing_rules", "Existing rules audited."),
        n(
            "justified_rules",
            "Existing rules that allow nothing beyond what flows need.",
        ),
        n(
            "rules_to_narrow",
            "Existing rules that allow what flows need and more.",
        ),
        n(
            "rules_to_delete",
            "Existing rules that allow nothing any flow needs.",
        ),
        n(
            "required_rules",
            "Rules the topology requires (those of `portmap_flows`).",
        ),
        n(
            "required_rules_allowed",
            "Required rules the existing rules allow wholly.",
        ),
        n(
            "missing_rules",
            "Required rules not allowed, wholly or partly.",
        ),
        n("required_flows", "Flows that need firewall rules."),
        n(
            "flows_allowed",
            "Flows the existing rules allow wholly, at both ends.",
        ),
        n(
            "allowed_space_ipv4",
            "(port, address) pairs over IPv4 the existing rules allow: per node and direction, the union of the existing rules there; TCP and UDP count each port, ICMP and the other protocols one each.",
        ),
        n(
            "excess_space_ipv4",
            "Of those, the pairs no required rule holds.",
        ),
        n(
            "excess_share_ipv4",
            "`excess_space_ipv4 / allowed_space_ipv4`: the share of the allowed IPv4 address-by-port space that no flow justifies (0 when nothing is allowed).",
        ),
        n("allowed_space_ipv6", "The same over IPv6."),
        n("excess_space_ipv6", "The same over IPv6."),
        n("excess_share_ipv6", "The same over IPv6."),
    ]
}

/// `existing` decoded from a wholly known value; elements with unknown
/// values are left out (`None` overall when the list is not known).
fn decode_existing(config: &Value) -> (Option<Vec<ExistingRule>>, Vec<Issue>) {
    let Some(v) = config.get("existing") else {
        return (Some(Vec::new()), Vec::new());
    };
    if v.is_null() {
        return (Some(Vec::new()), Vec::new());
    }
    if !v.is_wholly_known() {
        return (None, Vec::new());
    }
    let mut issues = Vec::new();
    let text = |r: &Value, a: &str| {
        r.get(a)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let rules = v
        .as_list()
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut port = |a: &str| match r.get(a) {
                Some(p) if !p.is_null() => whole(p, Path::root().attr("existing").index(i).attr(a))
                    .map_err(|e| issues.push(e))
                    .ok(),
                _ => None,
            };
            let (from_port, to_port) = (port("from_port"), port("to_port"));
            ExistingRule {
                id: text(r, "id"),
                node: text(r, "node"),
                direction: text(r, "direction"),
                protocol: text(r, "protocol"),
                from_port,
                to_port,
                cidrs: r
                    .get("cidrs")
                    .and_then(Value::as_list)
                    .unwrap_or(&[])
                    .iter()
                    .map(|c| c.as_str().unwrap_or_default().to_string())
                    .collect(),
                peer: r.get("peer").and_then(Value::as_str).map(str::to_string),
            }
        })
        .collect();
    (Some(rules), issues)
}

impl DataSource for PortmapAudit {
    fn type_name(&self) -> &'static str {
        "portmap_audit"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Audits the firewall rules that exist today against what the topology requires (the rules of `portmap_flows`): which flows each existing rule allows, exactly what each allows that no flow needs (ports, protocols and address ranges, by CIDR and port arithmetic, widest exposure first), which required rules no existing rule allows, and the share of the allowed address-by-port space that is unjustified. The risk checks of the cloud shapes apply to the existing rules too (warnings, or errors with `fail_on_risk`). Feed `existing` from your current rules, for example with a `for` expression over your security group rule resources that maps their arguments to `id`, `node`, `direction`, `protocol`, `from_port`, `to_port` and `cidrs`: the guide \"Auditing and adopting existing rules\" (`docs/guides/audit.md`) has tested adapters for `aws_vpc_security_group_ingress_rule`/`_egress_rule`, `azurerm_network_security_rule` and `google_compute_firewall`, and `portmap existing --from-state` reads them from `terraform show -json`.",
            )
            .attributes(topology_input::attributes())
            .attribute(
                Attribute::nested("existing", ObjectNesting::List, existing_attributes(), "The rules that exist today, one object per rule: a node, a direction, a protocol, a port range and the addresses (`cidrs`) or node (`peer`) at the other end.")
                    .make_required(),
            )
            .attribute(Attribute::optional(
                "fail_on_risk",
                Type::Bool,
                "When true, the risk findings on existing rules (administration or database ports open to `0.0.0.0/0` or `::/0`, cleartext protocols into an `internet-facing` or `untrusted` node, 1,000 ports or more, every protocol) are errors instead of warnings. Defaults to false.",
            ))
            .attribute(Attribute::computed(
                "covered",
                Type::map(Type::list(Type::String)),
                "Existing rule id → the keys of the flows (as in `portmap_flows`) it allows, wholly or in part, at its node and direction. Empty for a rule no flow needs.",
            ))
            .attribute(
                Attribute::nested("excess", ObjectNesting::List, excess_attributes(), "The existing rules that allow something no flow needs, with exactly that part, widest exposure first: rules open to any address, then rules over all ports, then those whose unjustified part holds well-known administration or database ports, then by unjustified IPv4 and IPv6 space, then by id. Rules that allow only what flows need are not listed.")
                    .make_computed(),
            )
            .attribute(
                Attribute::nested("missing", ObjectNesting::Map, missing_attributes(), "The required rules no existing rule allows wholly, keyed like the rules of `portmap_flows` (`node:direction:peer:protocol:ports`): the rule portmap would create, and exactly the part that is missing.")
                    .make_computed(),
            )
            .attribute(
                Attribute::nested("summary", ObjectNesting::Single, summary_attributes(), "Counts, and the allowed and unjustified address-by-port space per address family: for every node and direction, the union of the existing rules there, and the part of it no required rule holds, counted as (port, address) pairs (ICMP and other protocols count as one port; peers known only by `ref` are not counted).")
                    .make_computed(),
            ),
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        let mut issues = topology_input::validate(ctx, config);
        let (rules, found) = decode_existing(config);
        issues.extend(found);
        if let Some(rules) = rules {
            let nodes = config.get("nodes").and_then(Value::as_map);
            let names: Option<Vec<&str>> = nodes.map(|m| m.keys().map(String::as_str).collect());
            issues.extend(check_existing(&rules, names.as_deref()));
        }
        diagnostics(&issues)
    }

    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        let (rules, found) = decode_existing(config);
        if !found.is_empty() {
            return (None, diagnostics(&found));
        }
        let comp = match topology_input::compute(ctx, config) {
            Ok(c) => c,
            Err(issues) => return (None, diagnostics(&issues)),
        };
        let as_errors = risks_as_errors(config);
        let a = match audit(&comp, &rules.unwrap_or_default(), as_errors) {
            Ok(a) => a,
            Err(issues) => return (None, diagnostics(&issues)),
        };
        let diags = diagnostics(&a.issues);
        if diags.has_errors() {
            return (None, diags);
        }
        read_state(
            self.type_name(),
            &self.schema(),
            config,
            vec![
                ("covered", json(&a.covered, "covered")),
                ("excess", json(&a.excess, "excess")),
                ("missing", json(&a.missing, "missing")),
                ("summary", json(&a.summary, "summary")),
            ],
            diags,
        )
    }
}

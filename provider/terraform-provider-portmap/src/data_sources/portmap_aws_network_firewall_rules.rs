//! `portmap_aws_network_firewall_rules`: the flows crossing a zone boundary
//! as the standard stateful rules of an AWS Network Firewall rule group
//! (`aws_networkfirewall_rule_group`).

use portmap_core::cloud::aws_network_firewall::{self, AwsNetworkFirewallOptions};
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, ObjectNesting, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::hub_shape;
use crate::convert::json;
use crate::provider::Context;

/// `portmap_aws_network_firewall_rules` as a [`DataSource`]; the module documentation says what it computes.
pub struct PortmapAwsNetworkFirewallRules;

const TYPE_NAME: &str = "portmap_aws_network_firewall_rules";

const DESCRIPTION: &str = "Computes the rules of the hub firewall, AWS Network Firewall, for the flows that cross a zone boundary (nodes without a `zone` are in zone `default`), in the shape of the standard (5-tuple) `stateful_rule` blocks of an `aws_networkfirewall_rule_group` of type `STATEFUL`. Flows inside a zone are left to the nodes' own security groups (see `portmap_aws_security_group_rules`). A standard rule's header takes one CIDR (or `ANY`) as source and destination and no IP set variable, so there is one `PASS` rule per source CIDR, destination CIDR, protocol and contiguous range of required ports (`443`, `5701:5703`), direction `FORWARD`: every rule allows only what a flow requires. Pairs of CIDRs of different IP families get no rule, since no packet could match them. Each rule has a stable `sid` derived from its key, and `capacity` is the rule group's required capacity (a stateful rule group needs one unit per rule). The nodes' CIDRs are also given as IP set variables (`rule_variables`, `PM_<NODE>`) for Suricata rule strings of your own. A node with a crossing flow and no CIDRs fails the plan (a `ref` cannot stand for addresses here), and so does a capacity over 50,000, the most a stateful rule group allows; risky rules are warnings (see `fail_on_risk`). A topology where no flow crosses a zone gives no rule and a warning.";

fn rule_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "key",
            Type::String,
            "A stable, content-derived key: `SOURCE>DESTINATION:PROTOCOL:PORTS:SOURCE_CIDR>DESTINATION_CIDR`, with node names.",
        ),
        Attribute::computed("action", Type::String, "Always `PASS`, for `action`."),
        Attribute::computed(
            "protocol",
            Type::String,
            "`TCP` or `UDP`, for the header's `protocol`.",
        ),
        Attribute::computed(
            "source",
            Type::String,
            "One CIDR of the source node, for the header's `source`.",
        ),
        Attribute::computed(
            "source_port",
            Type::String,
            "Always `ANY`, for the header's `source_port`.",
        ),
        Attribute::computed(
            "destination",
            Type::String,
            "One CIDR of the destination node, for the header's `destination`.",
        ),
        Attribute::computed(
            "destination_port",
            Type::String,
            "One port (`443`) or a contiguous range in Suricata's colon form (`5701:5703`), for the header's `destination_port`: only ports that flows require.",
        ),
        Attribute::computed(
            "direction",
            Type::String,
            "Always `FORWARD`, for the header's `direction`: only traffic from the source to the destination opens a connection.",
        ),
        Attribute::computed(
            "sid",
            Type::Number,
            "The signature id, for the `sid` rule option: 1 plus the 64-bit FNV-1a hash of the key modulo 2^31 − 1, so it depends on the rule's own key only; when two keys derive the same sid, the later key in key order takes the next free one. Unique in the rule group.",
        ),
        Attribute::computed("source_node", Type::String, "The source node."),
        Attribute::computed("destination_node", Type::String, "The destination node."),
        Attribute::computed(
            "description",
            Type::String,
            "Products and purposes of the flows served.",
        ),
        Attribute::computed(
            "flows",
            Type::list(Type::String),
            "Keys of the flows (as in `data.portmap_flows`) the rule serves, which trace it to the vendor table rows that require it.",
        ),
    ]
}

impl DataSource for PortmapAwsNetworkFirewallRules {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        hub_shape::schema(
            DESCRIPTION,
            Vec::new(),
            vec![
                Attribute::computed(
                    "rule_variables",
                    Type::map(Type::list(Type::String)),
                    "IP set variables for `rule_variables { ip_sets { ... } }`: the name (`PM_` and the node name upper-cased, other characters than letters and digits as `_`; nodes whose names collide get `_` and a hash of their name) and the CIDRs of each node some rule names.",
                ),
                Attribute::nested(
                    "rules",
                    ObjectNesting::List,
                    rule_attributes(),
                    "The stateful rules, sorted by key, for the `stateful_rule` blocks (a `dynamic \"stateful_rule\"` block).",
                )
                .make_computed(),
                Attribute::computed(
                    "capacity",
                    Type::Number,
                    "The rule group's required capacity, for `capacity`: the number of rules. A rule group's capacity cannot change after creation, so give it room to grow.",
                ),
            ],
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        hub_shape::validate(TYPE_NAME, ctx, config, Vec::new())
    }

    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        hub_shape::read(
            TYPE_NAME,
            &self.schema(),
            ctx,
            config,
            Vec::new(),
            &|c, as_errors| {
                let (out, issues) = aws_network_firewall::shape(
                    c,
                    &AwsNetworkFirewallOptions {
                        risks_as_errors: as_errors,
                    },
                );
                (
                    vec![
                        (
                            "rule_variables",
                            json(&out.rule_variables, "rule_variables"),
                        ),
                        ("rules", json(&out.rules, "rules")),
                        ("capacity", json(&out.capacity, "capacity")),
                    ],
                    issues,
                )
            },
        )
    }
}

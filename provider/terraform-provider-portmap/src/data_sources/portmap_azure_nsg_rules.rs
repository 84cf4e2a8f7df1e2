//! `portmap_azure_nsg_rules`: the least-privilege rules in the shape of
//! `azurerm_network_security_rule`, with priorities that never renumber.

use std::collections::BTreeSet;

use std::collections::BTreeMap;

use portmap_core::Computation;
use portmap_core::cloud::azure::{self, AzureOptions};
use portmap_core::issue::{Issue, Path};
use tfplugin::schema::Attribute;
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::cloud_shape::{CloudShape, Shape, common_rule_attributes, shaped_json};
use crate::convert::whole;

/// The data source's shape.
pub struct PortmapAzureNsgRules;

/// The data source.
pub fn data_source() -> Box<dyn DataSource> {
    Box::new(CloudShape(PortmapAzureNsgRules))
}

/// The known pins, and the issues of the ones that are not whole numbers.
fn pins(config: &Value) -> (BTreeMap<String, i64>, Vec<Issue>) {
    let mut out = BTreeMap::new();
    let mut issues = Vec::new();
    let path = Path::root().attr("pinned_priorities");
    for (k, v) in config
        .get("pinned_priorities")
        .and_then(Value::as_map)
        .into_iter()
        .flatten()
    {
        if v.is_null() || v.is_unknown() {
            continue;
        }
        match whole(v, path.key(k)) {
            Ok(n) => {
                out.insert(k.clone(), n);
            }
            Err(e) => issues.push(e),
        }
    }
    (out, issues)
}

fn side(which: &str) -> [Attribute; 3] {
    let (peer_way, node_way) = if which == "source" {
        ("inbound", "outbound")
    } else {
        ("outbound", "inbound")
    };
    [
        Attribute::computed(
            format!("{which}_address_prefix"),
            Type::String,
            format!(
                "`*` (whatever the node's NSG protects) for {node_way} rules of a node without `ref`, for `{which}_address_prefix`; a `ref` that is a service tag (`Internet`, `AzureLoadBalancer`, `VirtualNetwork`, `Storage.WestEurope`), the peer's in {peer_way} rules or the node's in {node_way} rules; null otherwise."
            ),
        ),
        Attribute::computed(
            format!("{which}_address_prefixes"),
            Type::list(Type::String),
            format!(
                "For {peer_way} rules with a peer without `ref`, the peer's prefixes of one IP family, for `{which}_address_prefixes`; null otherwise."
            ),
        ),
        Attribute::computed(
            format!("{which}_application_security_group_ids"),
            Type::list(Type::String),
            format!(
                "A `ref` as a one-element list, for `{which}_application_security_group_ids`: the peer's in {peer_way} rules, the node's in {node_way} rules; null otherwise. Exactly one of the three {which} attributes is set, never prefixes and an application security group together."
            ),
        ),
    ]
}

impl Shape for PortmapAzureNsgRules {
    const TYPE_NAME: &'static str = "portmap_azure_nsg_rules";

    const DESCRIPTION: &'static str = "Computes the least-privilege rules of a deployment, like `portmap_flows`, in the exact shape of `azurerm_network_security_rule`, with one network security group (NSG) per node, ready for `for_each`. One rule per node, direction, peer, protocol and address family allows all the port ranges that flows require, in `destination_port_ranges`. The peer side is the peer's application security group when it has a `ref`, otherwise its address prefixes of one IP family (Azure refuses rules that mix IPv4 and IPv6); the node side is the node's application security group when it has a `ref`, otherwise `*`, whatever the node's NSG protects. A `ref` may also be a service tag (`Internet`, `AzureLoadBalancer`, `VirtualNetwork`, `Storage.WestEurope`: letters and digits, optionally a `.` and a region), which the rule names as its single address prefix: a node such as Azure's load balancer or a PaaS service is then named the way Azure knows it. A node whose `ref` is the `Internet` tag is treated like `0.0.0.0/0` by the risk checks. Priorities are stable: each rule's priority is derived from its own key alone (100 plus the 64-bit FNV-1a hash of the key modulo 3900, so 100 to 3999), so adding a node or a flow never renumbers an existing rule, and new ports for an existing peer and protocol only extend that rule's `destination_port_ranges`. When two rules of one NSG and direction derive the same priority, the plan fails naming both and a free priority to pin one of them to in `pinned_priorities`; a rule is never moved silently. Priorities 4000 to 4096 are never derived, so they are free for your own rules, such as a final deny. The plan also fails when an NSG would exceed Azure's networking limits (1,000 rules; 4,000 source and 4,000 destination addresses and ranges; 100 application security groups) and warns about risky rules (see `fail_on_risk`).";

    const RULES_DESCRIPTION: &'static str = "Azure network security rules keyed by a stable, content-derived key `node:direction:peer:protocol:family`, where the family is `ipv4`, `ipv6` or `ref` (the peer's application security group or service tag). Adding an unrelated node never changes an existing key, name or priority.";

    fn rule_attributes(&self) -> Vec<Attribute> {
        let mut a = common_rule_attributes(
            "The node whose network security group holds the rule; map it to the NSG for `network_security_group_name`.",
        );
        a.extend([
            Attribute::computed("name", Type::String, "Rule name, for `name`: `node-in-peer-protocol-family` or `node-out-...`, unique in the NSG. A name longer than 80 characters is cut and ends with a hash of the key, so it stays unique and starts and ends with a word character."),
            Attribute::computed("priority", Type::Number, "For `priority`: 100 to 3999 derived from the key, or the pinned value; unique per NSG and direction, and never renumbered when nodes or flows are added."),
            Attribute::computed("direction", Type::String, "`Inbound` or `Outbound`, for `direction`."),
            Attribute::computed("access", Type::String, "Always `Allow`, for `access`."),
            Attribute::computed("protocol", Type::String, "`Tcp` or `Udp`, for `protocol`."),
            Attribute::computed("source_port_range", Type::String, "Always `*`, for `source_port_range`."),
            Attribute::computed("destination_port_ranges", Type::list(Type::String), "Ports and port ranges such as `443` and `8300-8302`, for `destination_port_ranges`: only ports that flows require."),
        ]);
        a.extend(side("source"));
        a.extend(side("destination"));
        a.push(Attribute::computed(
            "description",
            Type::String,
            "Product and purposes of the flows served, for `description`: at most 140 characters.",
        ));
        a
    }

    fn arguments(&self) -> Vec<Attribute> {
        vec![Attribute::optional(
            "pinned_priorities",
            Type::map(Type::Number),
            "Priorities to use instead of the derived ones, by rule key, each from 100 to 4096. Use it to resolve a priority clash the plan reports: pin the rule you are adding, so that no existing rule moves.",
        )]
    }

    fn check_arguments(&self, config: &Value) -> Vec<Issue> {
        let (pinned, mut issues) = pins(config);
        issues.extend(azure::check_pins(&pinned));
        issues
    }

    fn shape(
        &self,
        c: &Computation<'_>,
        config: &Value,
        selected: Option<&BTreeSet<String>>,
        risks_as_errors: bool,
    ) -> Result<(serde_json::Value, Vec<Issue>), String> {
        let (mut pinned, _) = pins(config);
        // A pin of a node left out by `for_nodes` has no rule here, and
        // that is no mistake: its key starts with the node's name (node
        // names hold no `:`).
        pinned.retain(|key, _| {
            selected.is_none_or(|s| s.contains(key.split(':').next().unwrap_or(key)))
        });
        shaped_json(azure::shape(
            c,
            &AzureOptions {
                pinned,
                risks_as_errors,
            },
        ))
    }
}

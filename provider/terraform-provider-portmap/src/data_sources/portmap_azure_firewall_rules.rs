//! `portmap_azure_firewall_rules`: the flows crossing a zone boundary as
//! the network rule collections of an Azure Firewall Policy
//! (`azurerm_firewall_policy_rule_collection_group`).

use portmap_core::cloud::azure_firewall::{self, AzureFirewallOptions, DEFAULT_PRIORITY_START};
use portmap_core::issue::Issue;
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, ObjectNesting, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::hub_shape;
use crate::convert::{integer, json};
use crate::provider::Context;

/// `portmap_azure_firewall_rules` as a [`DataSource`]; the module documentation says what it computes.
pub struct PortmapAzureFirewallRules;

const TYPE_NAME: &str = "portmap_azure_firewall_rules";

const DESCRIPTION: &str = "Computes the rules of the hub firewall, Azure Firewall, for the flows that cross a zone boundary (nodes without a `zone` are in zone `default`), in the shape of the `network_rule_collection` blocks of an `azurerm_firewall_policy_rule_collection_group`. Flows inside a zone are left to the nodes' own security groups (see `portmap_azure_nsg_rules`). There is one rule collection per zone pair, sorted by zone pair, named `portmap-FROM-to-TO`, with priority `priority_start` plus 10 times its index. Each rule allows one protocol, and is an exact product: every source may reach every destination on every one of its ports, and the flows require exactly that, so nothing is wider than the vendor tables. A node whose `ref` is an IP group's resource id (it contains `/ipGroups/`) is named by the IP group in `source_ip_groups` or `destination_ip_groups`; other nodes are named by their CIDRs in `source_addresses` or `destination_addresses`, and a rule never mixes both on one side. A node with a crossing flow and neither CIDRs nor an IP group fails the plan. The plan also fails when the rules exceed Azure Firewall's limit of 20,000 unique source-destination combinations in network rules (protocols × source addresses × destination addresses × destination ports ÷ 14 rounded up, summed over the rules; an IP group counts as one address, since its content is not known at plan) or a priority falls outside 100 to 65000, and it warns about risky rules (see `fail_on_risk`). A topology where no flow crosses a zone gives no rule collection and a warning.";

fn rule_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "name",
            Type::String,
            "Rule name, for `name`: the policy's zone pair, first source and destination, and protocol, unique in its collection; at most 80 characters (a longer name is cut and ends with a hash).",
        ),
        Attribute::computed(
            "protocols",
            Type::list(Type::String),
            "`[\"TCP\"]` or `[\"UDP\"]`, for `protocols`: one protocol per rule, so its ports never apply to another protocol.",
        ),
        Attribute::computed(
            "source_addresses",
            Type::list(Type::String),
            "The sources' CIDRs, for `source_addresses`; empty when the sources are named by IP groups.",
        ),
        Attribute::computed(
            "source_ip_groups",
            Type::list(Type::String),
            "The sources' IP group ids, for `source_ip_groups`; empty when the sources are named by addresses.",
        ),
        Attribute::computed(
            "destination_addresses",
            Type::list(Type::String),
            "The destinations' CIDRs, for `destination_addresses`; empty when the destinations are named by IP groups.",
        ),
        Attribute::computed(
            "destination_ip_groups",
            Type::list(Type::String),
            "The destinations' IP group ids, for `destination_ip_groups`; empty when the destinations are named by addresses.",
        ),
        Attribute::computed(
            "destination_ports",
            Type::list(Type::String),
            "Ports and port ranges such as `443` and `5701-5703`, for `destination_ports`: only ports that flows require.",
        ),
        Attribute::computed(
            "description",
            Type::String,
            "Products and purposes of the flows served, for `description`.",
        ),
        Attribute::computed(
            "flows",
            Type::list(Type::String),
            "Keys of the flows (as in `data.portmap_flows`) the rule serves, which trace it to the vendor table rows that require it.",
        ),
    ]
}

fn collection_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "name",
            Type::String,
            "Collection name, for `name`: `portmap-FROM-to-TO`, at most 80 characters.",
        ),
        Attribute::computed(
            "priority",
            Type::Number,
            "For `priority`: `priority_start` plus 10 times the collection's index in zone-pair order, within 100 to 65000.",
        ),
        Attribute::computed("action", Type::String, "Always `Allow`, for `action`."),
        Attribute::computed("from_zone", Type::String, "The zone of the sources."),
        Attribute::computed("to_zone", Type::String, "The zone of the destinations."),
        Attribute::nested(
            "rules",
            ObjectNesting::List,
            rule_attributes(),
            "The network rules, for the `rule` blocks (a `dynamic \"rule\"` block).",
        )
        .make_computed(),
    ]
}

fn priority_start(config: &Value) -> (i64, Vec<Issue>) {
    match integer(config, "priority_start") {
        Ok(Some(p)) => (p, azure_firewall::check_priority_start(p)),
        Ok(None) => (DEFAULT_PRIORITY_START, Vec::new()),
        Err(e) => (DEFAULT_PRIORITY_START, vec![e]),
    }
}

impl DataSource for PortmapAzureFirewallRules {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        hub_shape::schema(
            DESCRIPTION,
            vec![Attribute::optional(
                "priority_start",
                Type::Number,
                "The priority of the first rule collection, from 100 to 65000; the others follow in steps of 10. Defaults to 1000. The plan fails when the last collection's priority would exceed 65000.",
            )],
            vec![
                Attribute::nested(
                    "rule_collections",
                    ObjectNesting::List,
                    collection_attributes(),
                    "The network rule collections, one per zone pair (from the sources' zone to the destinations' zone), sorted by zone pair, for the `network_rule_collection` blocks (a `dynamic \"network_rule_collection\"` block).",
                )
                .make_computed(),
            ],
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        hub_shape::validate(TYPE_NAME, ctx, config, priority_start(config).1)
    }

    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        let (start, issues) = priority_start(config);
        hub_shape::read(
            TYPE_NAME,
            &self.schema(),
            ctx,
            config,
            issues,
            &|c, as_errors| {
                let (out, issues) = azure_firewall::shape(
                    c,
                    &AzureFirewallOptions {
                        priority_start: start,
                        risks_as_errors: as_errors,
                    },
                );
                (
                    vec![(
                        "rule_collections",
                        json(&out.rule_collections, "rule_collections"),
                    )],
                    issues,
                )
            },
        )
    }
}

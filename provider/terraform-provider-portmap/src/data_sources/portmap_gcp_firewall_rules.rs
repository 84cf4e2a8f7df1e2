//! `portmap_gcp_firewall_rules`: the least-privilege rules in the shape of
//! `google_compute_firewall`.

use std::collections::BTreeSet;

use portmap_core::Computation;
use portmap_core::cloud::gcp::{self, DEFAULT_NAME_PREFIX, DEFAULT_PRIORITY, GcpOptions};
use portmap_core::issue::Issue;
use tfplugin::schema::{Attribute, ObjectNesting};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::cloud_shape::{CloudShape, Shape, common_rule_attributes, shaped_json};
use crate::convert::integer;

/// The data source's shape.
pub struct PortmapGcpFirewallRules;

/// The data source.
pub fn data_source() -> Box<dyn DataSource> {
    Box::new(CloudShape(PortmapGcpFirewallRules))
}

fn name_prefix(config: &Value) -> Option<&str> {
    config.get("name_prefix").and_then(Value::as_str)
}

impl Shape for PortmapGcpFirewallRules {
    const TYPE_NAME: &'static str = "portmap_gcp_firewall_rules";

    const DESCRIPTION: &'static str = "Computes the least-privilege rules of a deployment, like `portmap_flows`, in the exact shape of `google_compute_firewall`, ready for `for_each`. VPC firewall rules belong to the network, so each rule targets its node by the node's network tag (`target_tags`, from its `ref`) or, for a node without `ref`, by the node's own addresses (`destination_ranges` of ingress rules, `source_ranges` of egress rules); a node with neither fails the plan, since a rule without targets applies to every instance in the network. One rule per node, direction, peer and IP family holds one `allow` block per protocol with only the ports that flows require, and never mixes IPv4 and IPv6 ranges. Peers are named by their CIDRs; a peer without CIDRs is named by its tag in `source_tags` of ingress rules (egress rules cannot name tags, so such flows are reported in a warning instead). A `ref` containing `@` is a service account's email instead of a network tag, used in `target_service_accounts` and `source_service_accounts`; since a GCP rule cannot mix tags and service accounts, the flows between a node and a peer without CIDRs named by different kinds get no rule and a warning that names them. The plan fails on what GCP would reject (more than 5,000 source or destination ranges in a rule, the per-rule limit of Google Cloud's VPC quotas and limits; a `ref` that is neither a valid network tag nor a service account's email) and warns about risky rules (see `fail_on_risk`).";

    const RULES_DESCRIPTION: &'static str = "GCP firewall rules keyed by a stable, content-derived key `node:direction:peer:family`, where the family is `ipv4`, `ipv6`, `tag` (both ends named by network tags) or `sa` (both named by service accounts). Adding an unrelated node never changes an existing key, name or rule.";

    fn rule_attributes(&self) -> Vec<Attribute> {
        let mut a = common_rule_attributes(
            "The node the rule lets traffic into (`INGRESS`) or out of (`EGRESS`).",
        );
        a.extend([
            Attribute::computed("name", Type::String, "Rule name, for `name`: `<name_prefix>-<node>-in-<peer>-<family>` (or `-out-`), with family `v4`, `v6`, `tag` or `sa`; an RFC 1035 name of at most 63 characters. A name that would be invalid (upper case, `_`, `.`, too long) is lower-cased, cut and ends with a hash of the key, so names stay unique and stable."),
            Attribute::computed("direction", Type::String, "`INGRESS` or `EGRESS`, for `direction`."),
            Attribute::computed("priority", Type::Number, "The `priority` argument's value, for `priority`."),
            Attribute::nested(
                "allow",
                ObjectNesting::List,
                vec![
                    Attribute::computed("protocol", Type::String, "`tcp` or `udp`."),
                    Attribute::computed("ports", Type::list(Type::String), "Ports and port ranges such as `443` and `8300-8302`: only ports that flows require."),
                ],
                "One object per protocol, for the `allow` blocks (a `dynamic \"allow\"` block).",
            )
            .make_computed(),
            Attribute::computed("source_ranges", Type::list(Type::String), "For `source_ranges`: the peer's CIDRs of one IP family in ingress rules, the node's CIDRs of that family in egress rules of a node without `ref`; null otherwise."),
            Attribute::computed("destination_ranges", Type::list(Type::String), "For `destination_ranges`: the peer's CIDRs of one IP family in egress rules, the node's CIDRs of that family in ingress rules of a node without `ref`; null otherwise."),
            Attribute::computed("source_tags", Type::list(Type::String), "For `source_tags`: the peer's `ref` in ingress rules from a peer without CIDRs; null otherwise."),
            Attribute::computed("target_tags", Type::list(Type::String), "For `target_tags`: the node's `ref` as its network tag, or null when the node has no `ref` or its `ref` is a service account."),
            Attribute::computed("source_service_accounts", Type::list(Type::String), "For `source_service_accounts`: the peer's `ref` in ingress rules from a peer without CIDRs whose `ref` is a service account's email (it contains `@`); null otherwise."),
            Attribute::computed("target_service_accounts", Type::list(Type::String), "For `target_service_accounts`: the node's `ref` when it is a service account's email, Google's recommended way to target instances; null otherwise."),
            Attribute::computed("description", Type::String, "Product and purposes of the flows served, for `description`."),
        ]);
        a
    }

    fn arguments(&self) -> Vec<Attribute> {
        vec![
            Attribute::optional(
                "priority",
                Type::Number,
                "The priority of every rule, from 0 to 65535; lower numbers win. Defaults to 1000. Use a lower number than your own deny rules have, since a deny rule wins at equal priority.",
            ),
            Attribute::optional(
                "name_prefix",
                Type::String,
                "The start of every rule name: 1 to 20 lower-case letters, digits and `-`, starting with a letter and not ending with `-`. Defaults to `portmap`. Firewall rule names are unique in a project, so give each deployment that shares a project its own prefix.",
            ),
        ]
    }

    fn check_arguments(&self, config: &Value) -> Vec<Issue> {
        match integer(config, "priority") {
            Ok(p) => gcp::check_options(p, name_prefix(config)),
            Err(e) => {
                let mut issues = vec![e];
                issues.extend(gcp::check_options(None, name_prefix(config)));
                issues
            }
        }
    }

    fn shape(
        &self,
        c: &Computation<'_>,
        config: &Value,
        _: Option<&BTreeSet<String>>,
        risks_as_errors: bool,
    ) -> Result<(serde_json::Value, Vec<Issue>), String> {
        let o = GcpOptions {
            priority: integer(config, "priority")
                .ok()
                .flatten()
                .unwrap_or(DEFAULT_PRIORITY),
            name_prefix: name_prefix(config)
                .unwrap_or(DEFAULT_NAME_PREFIX)
                .to_string(),
            risks_as_errors,
        };
        shaped_json(gcp::shape(c, &o))
    }
}

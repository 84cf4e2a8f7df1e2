//! `portmap_aws_security_group_rules`: the least-privilege rules in the shape
//! of `aws_vpc_security_group_ingress_rule` / `..._egress_rule`.

use std::collections::BTreeSet;

use portmap_core::Computation;
use portmap_core::cloud::aws::{self, AwsOptions, DEFAULT_MAX_RULES};
use portmap_core::issue::Issue;
use tfplugin::schema::Attribute;
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::cloud_shape::{CloudShape, Shape, common_rule_attributes, shaped_json};
use crate::convert::integer;

/// The data source's shape.
pub struct PortmapAwsSecurityGroupRules;

/// The data source.
pub fn data_source() -> Box<dyn DataSource> {
    Box::new(CloudShape(PortmapAwsSecurityGroupRules))
}

impl Shape for PortmapAwsSecurityGroupRules {
    const TYPE_NAME: &'static str = "portmap_aws_security_group_rules";

    const DESCRIPTION: &'static str = "Computes the least-privilege rules of a deployment, like `portmap_flows`, in the exact shape of the `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule` resources, with one security group per node, ready for `for_each`. Each rule allows one protocol (`tcp` or `udp`, never `-1`), one contiguous range of ports that flows require, and one peer: the peer's security group when the peer has a `ref` (`referenced_node`), or its managed prefix list when the `ref` is a prefix list id (`pl-…`, for `prefix_list_id`), otherwise one of the peer's CIDRs (`cidr_ipv4` or `cidr_ipv6`), since an AWS rule holds a single source or destination. The plan fails when a security group would exceed the rules quota (by default 60 inbound and 60 outbound rules per IP family, from the Amazon VPC quotas; see `max_rules`) and warns about risky rules (see `fail_on_risk`). Keep every `ref` known at plan time and map `referenced_node` to the security group in your configuration, because `for_each` keys must be known when Terraform plans.";

    const RULES_DESCRIPTION: &'static str = "AWS security group rules keyed by a stable, content-derived key `node:direction:peer:protocol:ports:address`, where the address is the peer CIDR or `ref`. Adding an unrelated node never changes an existing key or rule. Give the rules whose `direction` is `ingress` to `aws_vpc_security_group_ingress_rule` and the others to `aws_vpc_security_group_egress_rule`.";

    fn rule_attributes(&self) -> Vec<Attribute> {
        let mut a = common_rule_attributes(
            "The node whose security group holds the rule; map it to the group for `security_group_id`.",
        );
        a.extend([
            Attribute::computed("direction", Type::String, "`ingress` or `egress`: the resource type the rule is for."),
            Attribute::computed("ip_protocol", Type::String, "`tcp` or `udp`, for `ip_protocol`; never `-1` or a protocol whose ports AWS ignores. With `path_mtu_discovery`, also `icmp` and `icmpv6` for its rules, whose `from_port` is the ICMP type and `to_port` the code."),
            Attribute::computed("from_port", Type::Number, "First port of the range, for `from_port`."),
            Attribute::computed("to_port", Type::Number, "Last port of the range, for `to_port`. The range holds only ports that flows require."),
            Attribute::computed("cidr_ipv4", Type::String, "The peer's IPv4 CIDR, for `cidr_ipv4`, or null. Exactly one of `cidr_ipv4`, `cidr_ipv6`, `referenced_node` and `prefix_list_id` is set."),
            Attribute::computed("cidr_ipv6", Type::String, "The peer's IPv6 CIDR, for `cidr_ipv6`, or null."),
            Attribute::computed("referenced_node", Type::String, "The peer node when it has a `ref` naming a security group: map it to the peer's security group for `referenced_security_group_id`. Null otherwise."),
            Attribute::computed("referenced_security_group_id", Type::String, "The peer's `ref` as written, set together with `referenced_node`: usable directly as `referenced_security_group_id` when your refs are security group ids known at plan time. Null otherwise."),
            Attribute::computed("prefix_list_id", Type::String, "The peer's `ref` when it names an AWS managed prefix list (`pl-` and hexadecimal digits, such as the list of an AWS service's addresses or your own list of partner networks), for `prefix_list_id`; `referenced_node` is then null. Null otherwise. AWS counts a rule referencing a prefix list as many rules as the list's maximum entries, which the provider cannot see: it counts it as one rule in each IP family, so check the quota of groups with such rules yourself."),
            Attribute::computed("description", Type::String, "Product and purposes of the flows served, for `description`: at most 255 characters, all of them letters, digits, spaces or `._-:/()#,@[]+=;{}!$*`, as AWS requires."),
        ]);
        a
    }

    fn arguments(&self) -> Vec<Attribute> {
        vec![
            Attribute::optional(
                "path_mtu_discovery",
                Type::Bool,
                "When true, every security group that holds rules also gets the inbound rules path MTU discovery needs: ICMP \"fragmentation needed\" (type 3, code 4) from `0.0.0.0/0` for a node with IPv4 addresses, and ICMPv6 \"packet too big\" (type 2) from `::/0` for one with IPv6 addresses (both for a node without addresses), keyed `node:ingress:path-mtu:icmp:0.0.0.0/0` and `node:ingress:path-mtu:icmpv6:::/0` with `peer` `*` and no flows. They come from any router on the path, so no narrower source exists. Defaults to false: inside one VPC every path has the instances' MTU and these messages never occur, security groups drop them unless allowed, and the rules are not required by any vendor flow; turn it on when nodes talk across a VPN, Transit Gateway, Direct Connect or the internet while their interfaces use jumbo frames (9001 bytes), where large TCP segments otherwise stall silently (Amazon VPC User Guide, \"Path MTU Discovery\"). The rules count towards `max_rules`.",
            ),
            Attribute::optional(
                "max_rules",
                Type::Number,
                "Your account's quota of inbound (and of outbound) rules per security group, for each IP family: 60 unless raised (Amazon VPC quotas, \"Inbound or outbound rules per security group\"). A security group needing more rules in one direction and family fails the plan, with advice. A rule referencing a security group counts in both families. From 1 to 1000, since AWS caps this quota times the security groups per network interface at 1,000.",
            ),
        ]
    }

    fn check_arguments(&self, config: &Value) -> Vec<Issue> {
        match integer(config, "max_rules") {
            Ok(Some(n)) => aws::check_max_rules(n).into_iter().collect(),
            Ok(None) => Vec::new(),
            Err(e) => vec![e],
        }
    }

    fn shape(
        &self,
        c: &Computation<'_>,
        config: &Value,
        _: Option<&BTreeSet<String>>,
        risks_as_errors: bool,
    ) -> Result<(serde_json::Value, Vec<Issue>), String> {
        let max_rules = integer(config, "max_rules")
            .ok()
            .flatten()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(DEFAULT_MAX_RULES);
        shaped_json(aws::shape(
            c,
            &AwsOptions {
                max_rules,
                risks_as_errors,
                path_mtu_discovery: config
                    .get("path_mtu_discovery")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
        ))
    }
}

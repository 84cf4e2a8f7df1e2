//! The cloud shape: what the per-node data sources
//! (`portmap_aws_security_group_rules`, `portmap_azure_nsg_rules`,
//! `portmap_gcp_firewall_rules`) share: the `nodes` and `products` input,
//! `for_nodes`, `fail_on_risk`, the computed `rules` map, and validate/read
//! around the core's shaping. Each data source module supplies a [`Shape`];
//! [`CloudShape`] makes it a data source.

use std::collections::BTreeSet;

use portmap_core::Computation;
use portmap_core::cloud::select;
use portmap_core::issue::{Issue, Path};
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::topology_input::{self, check_selection, selection};
use crate::convert::{diagnostics, read_state};
use crate::provider::Context;

/// What differs between the cloud-shape data sources.
pub trait Shape: Send + Sync {
    /// Full type name.
    const TYPE_NAME: &'static str;
    /// The data source's description (the docs' introduction).
    const DESCRIPTION: &'static str;
    /// The description of the computed `rules` map.
    const RULES_DESCRIPTION: &'static str;
    /// The attributes of one rule object.
    fn rule_attributes(&self) -> Vec<Attribute>;
    /// Arguments besides `nodes`, `products` and `fail_on_risk`.
    fn arguments(&self) -> Vec<Attribute>;
    /// Checks those arguments (known values only), with paths.
    fn check_arguments(&self, config: &Value) -> Vec<Issue>;
    /// Shapes the computation, already narrowed to the nodes of
    /// `for_nodes` (`selected`, `None` for all): the rules as JSON objects
    /// by key, and the issues (quota errors, risk findings).
    fn shape(
        &self,
        c: &Computation<'_>,
        config: &Value,
        selected: Option<&BTreeSet<String>>,
        risks_as_errors: bool,
    ) -> Result<(serde_json::Value, Vec<Issue>), String>;
}

/// A cloud shape as a data source.
pub struct CloudShape<S>(pub S);

/// The `fail_on_risk` argument.
pub fn fail_on_risk() -> Attribute {
    Attribute::optional(
        "fail_on_risk",
        Type::Bool,
        "When true, the risk checks are errors that stop the plan instead of warnings. The checks flag a database or administration port (the catalog marks them sensitive) opened from `0.0.0.0/0` or `::/0`; a cleartext protocol (HTTP, telnet, rexec, rlogin, rsh, LDAP without TLS, SMB and others the catalog marks) between a node and a node whose `exposure` is `internet-facing` or `untrusted`; and any flow needing 1,000 ports or more, such as the catalog's `1024-65535/udp` and \"6010 and above\" rows. Findings that `accepted_risks` accepts are neither warnings nor errors. Defaults to false.",
    )
}

/// Whether `fail_on_risk` is set: risk findings are errors, not warnings.
pub fn risks_as_errors(config: &Value) -> bool {
    config
        .get("fail_on_risk")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The `for_nodes` argument.
fn for_nodes() -> Attribute {
    Attribute::optional(
        "for_nodes",
        Type::set(Type::String),
        "Only return the rules of these nodes (keys of `nodes`): the firewalls this configuration manages, leaving out, say, a group of clients or an on-premises network. The computation still covers the whole topology, so every rule returned is exactly the one of the whole result (same key, peer, ports and description, and for Azure the same priority). The checks look at the selection only, since the other nodes' firewalls are not managed here: the rules quota, Azure priority clashes, the warnings about flows left without a rule, and the risk findings about flows with no selected end are left out. All nodes when null.",
    )
}

impl<S: Shape> CloudShape<S> {
    fn rules_attribute(&self) -> Attribute {
        Attribute::nested(
            "rules",
            ObjectNesting::Map,
            self.0.rule_attributes(),
            S::RULES_DESCRIPTION,
        )
        .make_computed()
    }
}

impl<S: Shape> DataSource for CloudShape<S> {
    fn type_name(&self) -> &'static str {
        S::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(S::DESCRIPTION)
                .attributes(topology_input::attributes())
                .attribute(for_nodes())
                .attributes(self.0.arguments())
                .attribute(topology_input::accepted_risks())
                .attribute(fail_on_risk())
                .attribute(self.rules_attribute()),
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        let mut issues = topology_input::validate(ctx, config);
        issues.extend(self.0.check_arguments(config));
        issues.extend(check_selection(config, selection(config).as_ref()));
        issues.extend(unknown_addresses(S::TYPE_NAME, config));
        diagnostics(&issues)
    }

    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        let selected = selection(config);
        let mut issues = self.0.check_arguments(config);
        issues.extend(check_selection(config, selected.as_ref()));
        let comp = match topology_input::compute_after(ctx, config, &mut issues) {
            Ok(c) => c,
            Err(diagnostics) => return (None, diagnostics),
        };
        let as_errors = risks_as_errors(config);
        let shaped = select(&comp, selected.as_ref());
        let rules = self
            .0
            .shape(&shaped, config, selected.as_ref(), as_errors)
            .map(|(json, found)| {
                issues.extend(found);
                json
            });
        let diags = diagnostics(&issues);
        if diags.has_errors() {
            return (None, diags);
        }
        read_state(
            S::TYPE_NAME,
            &self.schema(),
            config,
            vec![("rules", rules)],
            diags,
        )
    }
}

/// Warnings for node addresses and refs unknown at validation: Terraform
/// then reads the data source during apply, so `rules` is unknown at plan
/// and `for_each = data.<type>.<name>.rules` fails with "Invalid for_each
/// argument". Said at the attribute, with the consequence and the fix.
pub fn unknown_addresses(type_name: &str, config: &Value) -> Vec<Issue> {
    let consequence = format!(
        "While it is unknown, Terraform reads data.{type_name} only during apply, so its rules are unknown at plan and for_each = data.{type_name}.<name>.rules fails with \"Invalid for_each argument\"."
    );
    let fix = "Give addresses known at plan: variables, locals, or cidrsubnet() of a known range. For a peer that only exists after apply, give the node a ref whose value is known at plan (an Azure ASG id or a GCP network tag can be written from its name; an AWS security group id is known once the group exists, so create the groups first, for example in their own configuration or with -target).";
    let nodes_path = Path::root().attr("nodes");
    let Some(nodes) = config.get("nodes") else {
        return Vec::new();
    };
    if nodes.is_unknown() {
        return vec![Issue::warning(
            nodes_path,
            "The nodes are unknown until apply",
            format!("{consequence} {fix}"),
        )];
    }
    let Some(map) = nodes.as_map() else {
        return Vec::new();
    };
    let mut issues = Vec::new();
    for (name, node) in map {
        for (attr, what) in [("cidrs", "addresses of node"), ("ref", "ref of node")] {
            let unknown = if node.is_unknown() {
                attr == "cidrs"
            } else {
                node.get(attr).is_some_and(|v| !v.is_wholly_known())
            };
            if unknown {
                let path = if node.is_unknown() {
                    nodes_path.key(name)
                } else {
                    nodes_path.key(name).attr(attr)
                };
                issues.push(Issue::warning(
                    path,
                    format!("The {what} \"{name}\" may change at apply: unknown at plan"),
                    format!("{consequence} {fix}"),
                ));
            }
        }
    }
    issues
}

/// Serializes shaped rules for [`Shape::shape`].
pub fn shaped_json<R: serde::Serialize>(
    shaped: portmap_core::cloud::Shaped<R>,
) -> Result<(serde_json::Value, Vec<Issue>), String> {
    let j = serde_json::to_value(&shaped.rules)
        .map_err(|e| format!("provider bug: encoding rules: {e}"))?;
    Ok((j, shaped.issues))
}

/// The common attributes of every rule object: node, peer, description,
/// flows.
pub fn common_rule_attributes(node: &str) -> Vec<Attribute> {
    vec![
        Attribute::computed("node", Type::String, node),
        Attribute::computed(
            "peer",
            Type::String,
            "The node at the other end of the traffic; the node itself for flows between the servers of a group node.",
        ),
        Attribute::computed(
            "flows",
            Type::list(Type::String),
            "Keys of the flows (as in `data.portmap_flows`) the rule serves, which trace it to the vendor table rows that require it.",
        ),
    ]
}

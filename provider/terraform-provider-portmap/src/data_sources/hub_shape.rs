//! The hub shape: what the zone-to-zone data sources
//! (`portmap_perimeter_rules`, `portmap_azure_firewall_rules`,
//! `portmap_aws_network_firewall_rules`) share: the topology input,
//! `accepted_risks`, `fail_on_risk`, and validate/read around the core's
//! shaping of the flows that cross a zone boundary.

use portmap_core::Computation;
use portmap_core::issue::Issue;
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Value;

use super::cloud_shape::{fail_on_risk, risks_as_errors, unknown_addresses};
use super::topology_input;
use crate::convert::{diagnostics, read_state};
use crate::provider::Context;

/// The computed attributes of a hub shape, each as JSON or the provider
/// bug that kept it from encoding ([`crate::convert::json`]).
pub type ComputedAttributes = Vec<(&'static str, Result<serde_json::Value, String>)>;

/// What a hub shape computes from the computation and `fail_on_risk`: its
/// computed attributes, and the issues.
pub type HubShape<'s> = dyn Fn(&Computation<'_>, bool) -> (ComputedAttributes, Vec<Issue>) + 's;

/// Reads a hub shape: checks the arguments, computes
/// the topology, shapes it with `shape` (given `fail_on_risk`) and returns
/// the computed attributes it gives.
pub fn read(
    type_name: &str,
    schema: &Schema,
    ctx: &Context,
    config: &Value,
    argument_issues: Vec<Issue>,
    shape: &HubShape<'_>,
) -> (Option<Value>, Diagnostics) {
    let mut issues = argument_issues;
    let comp = match topology_input::compute_after(ctx, config, &mut issues) {
        Ok(c) => c,
        Err(diagnostics) => return (None, diagnostics),
    };
    let as_errors = risks_as_errors(config);
    let (attrs, found) = shape(&comp, as_errors);
    issues.extend(found);
    let diags = diagnostics(&issues);
    if diags.has_errors() {
        return (None, diags);
    }
    read_state(type_name, schema, config, attrs, diags)
}

/// The schema of a hub shape: the topology input, the shape's own
/// arguments, `accepted_risks`, `fail_on_risk` and its computed attributes.
pub fn schema(description: &str, arguments: Vec<Attribute>, computed: Vec<Attribute>) -> Schema {
    Schema::new(
        Block::new(description)
            .attributes(topology_input::attributes())
            .attributes(arguments)
            .attribute(topology_input::accepted_risks())
            .attribute(fail_on_risk())
            .attributes(computed),
    )
}

/// Validates a hub shape's configuration.
pub fn validate(
    type_name: &str,
    ctx: &Context,
    config: &Value,
    argument_issues: Vec<Issue>,
) -> Diagnostics {
    let mut issues = topology_input::validate(ctx, config);
    issues.extend(argument_issues);
    issues.extend(unknown_addresses(type_name, config));
    diagnostics(&issues)
}

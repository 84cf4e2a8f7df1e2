//! The data sources, one module each, named after the data source, and
//! what several of them share: the topology input (`topology_input`), the
//! per-node cloud shape (`cloud_shape`) and the zone-to-zone hub shape
//! (`hub_shape`).

mod portmap_audit;
mod portmap_aws_network_firewall_rules;
mod portmap_aws_security_group_rules;
mod portmap_azure_firewall_rules;
mod portmap_azure_nsg_rules;
mod portmap_catalog;
mod portmap_flows;
mod portmap_gcp_firewall_rules;
mod portmap_nftables_rulesets;
mod portmap_perimeter_rules;

mod cloud_shape;
mod hub_shape;
pub(crate) mod topology_input;

use tfplugin::diag::Diagnostics;
use tfplugin::schema::Schema;
use tfplugin::value::Value;

use crate::provider::Context;

/// A data source.
pub trait DataSource: Send + Sync {
    /// Full type name (`portmap_flows`).
    fn type_name(&self) -> &'static str;
    /// Its schema; descriptions become the docs.
    fn schema(&self) -> Schema;
    /// Checks a configuration that may hold unknown values.
    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics;
    /// Computes the state from a wholly known configuration.
    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics);
}

/// Every data source of the provider.
pub fn all() -> Vec<Box<dyn DataSource>> {
    vec![
        Box::new(portmap_catalog::PortmapCatalog),
        Box::new(portmap_flows::PortmapFlows),
        portmap_aws_security_group_rules::data_source(),
        portmap_azure_nsg_rules::data_source(),
        portmap_gcp_firewall_rules::data_source(),
        Box::new(portmap_azure_firewall_rules::PortmapAzureFirewallRules),
        Box::new(portmap_aws_network_firewall_rules::PortmapAwsNetworkFirewallRules),
        Box::new(portmap_nftables_rulesets::PortmapNftablesRulesets),
        Box::new(portmap_audit::PortmapAudit),
        Box::new(portmap_perimeter_rules::PortmapPerimeterRules),
    ]
}

#[cfg(test)]
mod tests {
    //! Every data source that reads a topology, on every example topology:
    //! the core's serde output and the schema's computed attributes are
    //! declared apart, and an attribute the output never fills would reach
    //! users as a silent null. (One the schema lacks is already an error of
    //! `convert::read_state`.)
    #![allow(clippy::disallowed_methods)]

    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::Arc;

    use portmap_core::Catalog;
    use portmap_core::topology::{SettingInput, Topology};
    use tfplugin::schema::{Attribute, AttributeKind, Block};
    use tfplugin::value::{Type, Value};

    use super::topology_input::{decode, encode};
    use super::{DataSource, all};
    use crate::provider::Context;

    fn examples() -> Vec<(String, Topology)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path().join("topology.yaml");
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let file = portmap_core::topology_file::parse(&text, &path.display().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            out.push((path.display().to_string(), file.topology));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(out.len() >= 10, "the examples are found");
        out
    }

    /// Settings as Terraform sends them: text.
    fn settings_as_text(t: &mut Topology) {
        let as_text = |settings: &mut BTreeMap<String, SettingInput>| {
            for v in settings.values_mut() {
                *v = SettingInput::Text(v.text());
            }
        };
        t.products
            .values_mut()
            .for_each(|p| as_text(&mut p.settings));
        for i in t.installations.values_mut() {
            as_text(&mut i.settings);
            i.node_overrides
                .values_mut()
                .for_each(|o| as_text(&mut o.settings));
        }
    }

    #[test]
    fn encode_is_the_inverse_of_decode_on_every_example() {
        for (name, mut topology) in examples() {
            settings_as_text(&mut topology);
            let (decoded, unknowns, issues) = decode(&encode(&topology));
            assert!(issues.is_empty(), "{name}: {issues:?}");
            assert!(!unknowns.any(), "{name}");
            assert_eq!(decoded, topology, "{name}");
        }
    }

    /// Paths (`flows[*].relay`) of the computed attributes of a block: an
    /// object's attribute is `PATH[*].NAME`, whether the object stands alone
    /// or is an element of a collection.
    fn computed_paths(block: &Block) -> Vec<String> {
        fn walk_type(path: &str, ty: &Type, out: &mut Vec<String>) {
            match ty {
                Type::Object { attrs, .. } => {
                    for (name, ty) in attrs {
                        walk_type(&format!("{path}[*].{name}"), ty, out);
                    }
                }
                Type::List(element) | Type::Set(element) | Type::Map(element)
                    if matches!(**element, Type::Object { .. }) =>
                {
                    walk_type(path, element, out)
                }
                _ => out.push(path.to_string()),
            }
        }
        fn walk(
            prefix: &str,
            attributes: &[Attribute],
            computed_only: bool,
            out: &mut Vec<String>,
        ) {
            for a in attributes {
                if computed_only && !a.computed {
                    continue;
                }
                let path = format!("{prefix}{}", a.name);
                match &a.kind {
                    AttributeKind::Nested { attributes, .. } => {
                        walk(&format!("{path}[*]."), attributes, false, out)
                    }
                    AttributeKind::Type(ty) => walk_type(&path, ty, out),
                }
            }
        }
        let mut out = Vec::new();
        walk("", &block.attributes, true, &mut out);
        out
    }

    /// Records the paths of `value` (at `path`) that hold something other
    /// than null, in the form of [`computed_paths`].
    fn filled_paths(path: &str, value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Null => {}
            Value::Object(attributes) => {
                for (name, v) in attributes {
                    filled_paths(&format!("{path}[*].{name}"), v, out);
                }
            }
            Value::List(elements) | Value::Set(elements)
                if elements.iter().any(|e| matches!(e, Value::Object(_))) =>
            {
                elements.iter().for_each(|e| filled_paths(path, e, out));
            }
            Value::Map(elements) if elements.values().any(|e| matches!(e, Value::Object(_))) => {
                elements.values().for_each(|e| filled_paths(path, e, out));
            }
            _ => {
                out.insert(path.to_string());
            }
        }
    }

    /// Computed attributes no example fills, each with why that is right.
    const NULL_IN_EVERY_EXAMPLE: &[(&str, &str, &str)] = &[];

    /// The examples, and each again with an IPv6 address added to every
    /// node that has addresses, and with every node given a `ref` of each
    /// form the shapes know, with and without its addresses: the attributes
    /// that only refs and IPv6 fill.
    fn examples_and_variants() -> Vec<Topology> {
        let refs: [&dyn Fn(&str) -> String; 5] = [
            &|_| "sg-0a1b2c3d4e5f60718".to_string(),
            &|_| "pl-0a1b2c3d4e5f60718".to_string(),
            &|name| {
                format!(
                    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/{name}"
                )
            },
            &|name| format!("{name}-tag"),
            &|name| format!("{name}@project.iam.gserviceaccount.com"),
        ];
        let mut out = Vec::new();
        for (_, topology) in examples() {
            let mut ipv6 = topology.clone();
            for (i, node) in ipv6.nodes.values_mut().enumerate() {
                if !node.cidrs.is_empty() {
                    node.cidrs.push(format!("2001:db8:{i:x}::/64"));
                }
            }
            out.push(ipv6);
            for reference in refs {
                let mut with_refs = topology.clone();
                for (name, node) in &mut with_refs.nodes {
                    node.reference = Some(reference(name));
                }
                // A peer known only by its ref (no addresses).
                let mut only_refs = with_refs.clone();
                only_refs.nodes.values_mut().for_each(|n| n.cidrs.clear());
                out.push(with_refs);
                out.push(only_refs);
            }
            out.push(topology);
        }
        out
    }

    #[test]
    fn every_computed_attribute_is_filled_by_some_example() {
        let catalog = Arc::new(Catalog::builtin().unwrap().clone());
        let ctx = Context {
            catalog,
            configured: true,
        };
        let topologies = examples_and_variants();
        let reads_a_topology: Vec<Box<dyn DataSource>> = all()
            .into_iter()
            .filter(|d| !matches!(d.type_name(), "portmap_catalog" | "portmap_audit"))
            .collect();
        assert_eq!(reads_a_topology.len(), 8);
        let mut unfilled = Vec::new();
        for data_source in &reads_a_topology {
            let schema = data_source.schema();
            let mut filled = BTreeSet::new();
            for topology in &topologies {
                let config = encode(topology);
                if let (Some(Value::Object(state)), _) = data_source.read(&ctx, &config) {
                    for (name, v) in &state {
                        filled_paths(name, v, &mut filled);
                    }
                }
            }
            for path in computed_paths(&schema.block) {
                let excused = NULL_IN_EVERY_EXAMPLE
                    .iter()
                    .any(|(d, p, _)| *d == data_source.type_name() && *p == path);
                if !filled.contains(&path) && !excused {
                    unfilled.push(format!("{}.{path}", data_source.type_name()));
                }
            }
        }
        assert!(
            unfilled.is_empty(),
            "computed attributes that no example fills (a field missing from the output struct, or add an example): {unfilled:#?}"
        );
    }
}

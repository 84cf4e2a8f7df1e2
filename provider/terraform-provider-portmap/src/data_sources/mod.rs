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

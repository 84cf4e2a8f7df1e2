//! The data sources, one module each, named after the data source.

pub mod portmap_audit;
pub mod portmap_aws_network_firewall_rules;
pub mod portmap_aws_security_group_rules;
pub mod portmap_azure_firewall_rules;
pub mod portmap_azure_nsg_rules;
pub mod portmap_catalog;
pub mod portmap_flows;
pub mod portmap_gcp_firewall_rules;
pub mod portmap_nftables_rulesets;
pub mod portmap_perimeter_rules;

use std::sync::Arc;

use portmap_core::Catalog;
use tfplugin::diag::Diagnostics;
use tfplugin::schema::Schema;
use tfplugin::value::Value;

/// What a read needs besides its configuration.
pub struct Context {
    /// The built-in catalog plus the provider block's `extra_catalogs`.
    pub catalog: Arc<Catalog>,
    /// Whether the provider was configured (user catalogs are loaded).
    pub configured: bool,
}

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

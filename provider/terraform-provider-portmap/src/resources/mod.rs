//! The managed resources, one module each, named after the resource.

pub mod portmap_azure_nsg_priorities;

use tfplugin::diag::Diagnostics;
use tfplugin::schema::Schema;
use tfplugin::server::{ApplyRequest, PlanRequest, PlannedChange};
use tfplugin::value::Value;

/// A managed resource. Its state lives only in Terraform's state: reading
/// it back changes nothing.
pub trait Resource: Send + Sync {
    /// Full type name (`portmap_azure_nsg_priorities`).
    fn type_name(&self) -> &'static str;
    /// Its schema (with its version); descriptions become the docs.
    fn schema(&self) -> Schema;
    /// Checks a configuration that may hold unknown values.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// Upgrades a state of an older schema version (decoded without a
    /// schema) to the current one.
    fn upgrade(&self, version: i64, state: &Value) -> (Option<Value>, Diagnostics);
    /// Plans a create or an update.
    fn plan(&self, change: &PlanRequest) -> (Option<PlannedChange>, Diagnostics);
    /// Applies a planned change (a null planned state: a destroy).
    fn apply(&self, change: &ApplyRequest) -> (Option<Value>, Diagnostics);
    /// The state of an import ID.
    fn import(&self, id: &str) -> (Option<Value>, Diagnostics);
}

/// Every managed resource of the provider.
pub fn all() -> Vec<Box<dyn Resource>> {
    vec![Box::new(
        portmap_azure_nsg_priorities::PortmapAzureNsgPriorities,
    )]
}

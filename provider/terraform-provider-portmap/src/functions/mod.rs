//! Provider-defined functions, one module each, named after the function.

use tfplugin::schema::Function as FunctionSchema;
use tfplugin::server::FunctionError;
use tfplugin::value::Value;

use crate::data_sources::Context;

/// A provider-defined function.
pub trait Function: Send + Sync {
    /// Name, called as `provider::portmap::<name>`.
    fn name(&self) -> &'static str;
    /// Parameters, return type and descriptions.
    fn definition(&self) -> FunctionSchema;
    /// Calls the function with wholly known arguments.
    fn call(&self, ctx: &Context, arguments: &[Value]) -> Result<Value, FunctionError>;
}

/// Every function of the provider.
pub fn all() -> Vec<Box<dyn Function>> {
    Vec::new()
}

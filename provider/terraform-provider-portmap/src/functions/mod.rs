//! Provider-defined functions, one module each, named after the function.
//!
//! Functions read only the built-in catalog, never the provider block's
//! `extra_catalogs`. Hosts differ in whether the provider is configured when
//! a function is called: Terraform never configures a provider for its
//! functions, OpenTofu does during plan and apply but not during validate.
//! Reading only the built-in catalog gives the same answer in every host and
//! phase; products from `extra_catalogs` are read with `data.portmap_catalog`.

pub mod rule_key;
pub mod service_ports;

use portmap_core::Catalog;
use tfplugin::schema::Function as FunctionSchema;
use tfplugin::server::FunctionError;
use tfplugin::value::Value;

/// A provider-defined function.
pub trait Function: Send + Sync {
    /// Name, called as `provider::portmap::<name>`.
    fn name(&self) -> &'static str;
    /// Parameters, return type and descriptions.
    fn definition(&self) -> FunctionSchema;
    /// Calls the function with wholly known arguments; `catalog` is always
    /// the built-in catalog, whether or not the provider is configured.
    fn call(&self, catalog: &Catalog, arguments: &[Value]) -> Result<Value, FunctionError>;
}

/// Every function of the provider.
pub fn all() -> Vec<Box<dyn Function>> {
    vec![
        Box::new(service_ports::ServicePorts),
        Box::new(rule_key::RuleKey),
    ]
}

/// The string argument at `i`.
pub(crate) fn arg_str<'a>(
    args: &'a [Value],
    i: usize,
    name: &str,
) -> Result<&'a str, FunctionError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FunctionError {
            text: format!("{name}: a string is required."),
            argument: Some(i as i64),
        })
}

/// The port number argument at `i` (a whole number 1-65535).
pub(crate) fn arg_port(args: &[Value], i: usize, name: &str) -> Result<u16, FunctionError> {
    let err = |what: String| FunctionError {
        text: format!("{name}: {what}"),
        argument: Some(i as i64),
    };
    let v = args
        .get(i)
        .ok_or_else(|| err("a port number is required.".into()))?;
    match v.as_i64() {
        Some(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Some(n) => Err(err(format!("{n} is not a port number (1-65535)."))),
        None => Err(err(format!(
            "{} is not a whole number.",
            v.as_f64()
                .map(|f| f.to_string())
                .unwrap_or_else(|| "the value".into())
        ))),
    }
}

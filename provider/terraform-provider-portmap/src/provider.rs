//! The provider: its configuration, its catalog, and dispatch to the data
//! sources, resources and functions.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use portmap_core::Catalog;
use portmap_core::catalog::parse_product;
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, Block, ProviderSchema, Schema};
use tfplugin::server::{ApplyRequest, FunctionError, PlanRequest, PlannedChange, Provider};
use tfplugin::value::{Type, Value};

use crate::data_sources::{self, DataSource};
use crate::functions::{self, Function};
use crate::resources::{self, Resource};

/// What a data source's validate and read need besides the configuration.
pub(crate) struct Context {
    /// The built-in catalog plus the provider block's `extra_catalogs`;
    /// the built-in one alone (shared, not copied) before configuration.
    pub(crate) catalog: Arc<Catalog>,
    /// Whether the provider was configured (user catalogs are loaded).
    pub(crate) configured: bool,
}

/// The portmap provider: serves the data sources, the resource and the
/// functions, with the built-in catalog plus the provider block's
/// `extra_catalogs` once configured.
pub struct PortmapProvider {
    data_sources: BTreeMap<&'static str, Box<dyn DataSource>>,
    resources: BTreeMap<&'static str, Box<dyn Resource>>,
    functions: BTreeMap<&'static str, Box<dyn Function>>,
    /// The catalog after ConfigureProvider (built-in + extra catalogs).
    configured: RwLock<Option<Arc<Catalog>>>,
}

impl Default for PortmapProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// The provider block's schema.
pub fn provider_schema() -> Schema {
    Schema::new(
        Block::new(
            "The portmap provider computes the network flows and least-privilege firewall rules that enterprise products need, from a built-in catalog of their vendors' port documents. It works offline and needs no credentials; all its configuration is optional.",
        )
        .attribute(Attribute::optional(
            "extra_catalogs",
            Type::list(Type::String),
            "Additional catalog products, each a YAML or JSON document in the catalog file format (one product per document; see the catalog JSON Schema in the docs), typically `file(\"my-product.yaml\")`. They are checked like the built-in catalog; a product may not reuse a built-in product id.",
        )),
    )
}

impl PortmapProvider {
    /// A provider with every data source and function.
    pub fn new() -> Self {
        PortmapProvider {
            data_sources: data_sources::all()
                .into_iter()
                .map(|d| (d.type_name(), d))
                .collect(),
            resources: resources::all()
                .into_iter()
                .map(|r| (r.type_name(), r))
                .collect(),
            functions: functions::all()
                .into_iter()
                .map(|f| (f.name(), f))
                .collect(),
            configured: RwLock::new(None),
        }
    }

    fn resource(&self, type_name: &str) -> Result<&dyn Resource, Diagnostics> {
        self.resources
            .get(type_name)
            .map(|r| r.as_ref())
            .ok_or_else(|| {
                Diagnostic::error(
                    "Unknown resource",
                    format!("The portmap provider has no resource \"{type_name}\"."),
                )
                .into()
            })
    }

    fn context(&self) -> Result<Context, Diagnostics> {
        let configured = match self.configured.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        match configured {
            Some(catalog) => Ok(Context {
                catalog,
                configured: true,
            }),
            None => Ok(Context {
                catalog: builtin_arc()?,
                configured: false,
            }),
        }
    }
}

/// The built-in catalog, shared (not copied) by every request of an
/// unconfigured provider.
fn builtin_arc() -> Result<Arc<Catalog>, Diagnostics> {
    static SHARED: std::sync::OnceLock<Arc<Catalog>> = std::sync::OnceLock::new();
    if let Some(c) = SHARED.get() {
        return Ok(c.clone());
    }
    match Catalog::builtin() {
        Ok(c) => Ok(SHARED.get_or_init(|| Arc::new(c.clone())).clone()),
        Err(errs) => Err(builtin_broken(errs)),
    }
}

fn builtin_broken(errs: &[portmap_core::catalog::CatalogError]) -> Diagnostics {
    errs.iter()
        .map(|e| {
            Diagnostic::error(
                "The built-in catalog is broken (a bug in this build of the provider)",
                e.to_string(),
            )
        })
        .collect()
}

/// Parses the `extra_catalogs` strings; errors point at the failing element.
fn extra_catalogs(config: &Value) -> (Vec<(String, portmap_core::catalog::Product)>, Diagnostics) {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    let Some(list) = config.get("extra_catalogs").and_then(Value::as_list) else {
        return (out, diags);
    };
    for (i, v) in list.iter().enumerate() {
        let Some(text) = v.as_str() else { continue };
        let origin = format!("extra_catalogs[{i}]");
        match parse_product(text, &origin) {
            Ok(p) => out.push((origin, p)),
            Err(e) => diags.0.push(
                Diagnostic::error(
                    "Invalid catalog document",
                    format!("{}{}. The document must be one product in the catalog file format (YAML or JSON).", if e.location.is_empty() { String::new() } else { format!("At {}: ", e.location) }, e.message),
                )
                .at(AttributePath::new().attr("extra_catalogs").index(i as i64)),
            ),
        }
    }
    (out, diags)
}

fn catalog_errors(errs: Vec<portmap_core::catalog::CatalogError>) -> Diagnostics {
    errs.into_iter()
        .map(|e| {
            let d = Diagnostic::error(
                "Invalid catalog product",
                if e.location.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.location, e.message)
                },
            );
            match e
                .origin
                .strip_prefix("extra_catalogs[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|n| n.parse::<i64>().ok())
            {
                Some(i) => d.at(AttributePath::new().attr("extra_catalogs").index(i)),
                None => d,
            }
        })
        .collect()
}

impl Provider for PortmapProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: provider_schema(),
            resources: self
                .resources
                .iter()
                .map(|(k, r)| ((*k).to_string(), r.schema()))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(k, d)| ((*k).to_string(), d.schema()))
                .collect(),
            functions: self
                .functions
                .iter()
                .map(|(k, f)| ((*k).to_string(), f.definition()))
                .collect(),
        }
    }

    fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let (extra, mut diags) = extra_catalogs(config);
        if !extra.is_empty() {
            match Catalog::builtin() {
                Ok(b) => {
                    if let Err(errs) = b.with_extra(extra) {
                        diags.0.extend(catalog_errors(errs).0);
                    }
                }
                Err(errs) => diags.0.extend(builtin_broken(errs).0),
            }
        }
        diags
    }

    fn configure_provider(&self, _terraform_version: &str, config: &Value) -> Diagnostics {
        let builtin = match Catalog::builtin() {
            Ok(b) => b,
            Err(errs) => return builtin_broken(errs),
        };
        let (extra, diags) = extra_catalogs(config);
        if diags.has_errors() {
            return diags;
        }
        let catalog = if extra.is_empty() {
            match builtin_arc() {
                Ok(c) => c,
                Err(d) => return d,
            }
        } else {
            match builtin.with_extra(extra) {
                Ok(c) => Arc::new(c),
                Err(errs) => return catalog_errors(errs),
            }
        };
        match self.configured.write() {
            Ok(mut g) => *g = Some(catalog),
            Err(poisoned) => *poisoned.into_inner() = Some(catalog),
        }
        diags
    }

    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let Some(ds) = self.data_sources.get(type_name) else {
            return Diagnostic::error(
                "Unknown data source",
                format!("The portmap provider has no data source \"{type_name}\"."),
            )
            .into();
        };
        match self.context() {
            Ok(ctx) => ds.validate(&ctx, config),
            Err(d) => d,
        }
    }

    fn read_data_source(&self, type_name: &str, config: &Value) -> (Option<Value>, Diagnostics) {
        let Some(ds) = self.data_sources.get(type_name) else {
            return (
                None,
                Diagnostic::error(
                    "Unknown data source",
                    format!("The portmap provider has no data source \"{type_name}\"."),
                )
                .into(),
            );
        };
        match self.context() {
            Ok(ctx) => ds.read(&ctx, config),
            Err(d) => (None, d),
        }
    }

    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.resource(type_name) {
            Ok(r) => r.validate(config),
            Err(d) => d,
        }
    }

    fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        state: &Value,
    ) -> (Option<Value>, Diagnostics) {
        match self.resource(type_name) {
            Ok(r) => r.upgrade(version, state),
            Err(d) => (None, d),
        }
    }

    fn plan_resource_change(
        &self,
        type_name: &str,
        change: &PlanRequest,
    ) -> (Option<PlannedChange>, Diagnostics) {
        match self.resource(type_name) {
            Ok(r) => r.plan(change),
            Err(d) => (None, d),
        }
    }

    fn apply_resource_change(
        &self,
        type_name: &str,
        change: &ApplyRequest,
    ) -> (Option<Value>, Diagnostics) {
        match self.resource(type_name) {
            Ok(r) => r.apply(change),
            Err(d) => (None, d),
        }
    }

    fn import_resource_state(&self, type_name: &str, id: &str) -> (Option<Value>, Diagnostics) {
        match self.resource(type_name) {
            Ok(r) => r.import(id),
            Err(d) => (None, d),
        }
    }

    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        let Some(f) = self.functions.get(name) else {
            return Err(FunctionError {
                text: format!("The portmap provider has no function \"{name}\"."),
                argument: None,
            });
        };
        // Always the built-in catalog, configured or not: see `functions`.
        let catalog = builtin_arc().map_err(|d| FunctionError {
            text: d.0.first().map(|x| x.detail.clone()).unwrap_or_default(),
            argument: None,
        })?;
        f.call(&catalog, arguments)
    }
}

//! Protocol-independent request handling: decode values with the schema,
//! call the provider off the async executor, catch its panics, encode the
//! results. Each protocol version's gRPC service only converts wire types
//! to and from these calls.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{ApplyRequest, FunctionError, PlanRequest, Provider};
use crate::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::schema::ProviderSchema;
use crate::value::{Type, Value, decode_json, decode_msgpack, encode_msgpack};

/// A `DynamicValue` as it came off the wire.
#[derive(Debug, Default)]
pub(crate) struct WireValue {
    pub(crate) msgpack: Vec<u8>,
    pub(crate) json: Vec<u8>,
}

pub(crate) struct Core<P> {
    provider: Arc<P>,
    schema: OnceCell<Result<Arc<ProviderSchema>, String>>,
}

impl<P: Provider> Core<P> {
    pub(crate) fn new(provider: P) -> Self {
        Self {
            provider: Arc::new(provider),
            schema: OnceCell::new(),
        }
    }

    /// The provider's schema, computed once (on first use, after the
    /// handshake) and cached.
    pub(crate) async fn schema(&self) -> Result<Arc<ProviderSchema>, Diagnostics> {
        let provider = Arc::clone(&self.provider);
        let cached = self
            .schema
            .get_or_init(|| async move { blocking(move || provider.schema()).await.map(Arc::new) })
            .await;
        cached.clone().map_err(|panic| {
            Diagnostic::error(
                "Provider schema unavailable",
                format!("The provider panicked while describing its schema: {panic}. This is a bug in the provider."),
            )
            .into()
        })
    }

    pub(crate) async fn validate_provider_config(&self, config: Option<WireValue>) -> Diagnostics {
        let schema = match self.schema().await {
            Ok(s) => s,
            Err(d) => return d,
        };
        let config = match decode(
            config,
            &schema.provider.block.value_type(),
            "provider configuration",
        ) {
            Ok(v) => v,
            Err(d) => return d.into(),
        };
        let provider = Arc::clone(&self.provider);
        blocking(move || provider.validate_provider_config(&config))
            .await
            .unwrap_or_else(|p| panicked("ValidateProviderConfig", &p))
    }

    pub(crate) async fn configure_provider(
        &self,
        terraform_version: String,
        config: Option<WireValue>,
    ) -> Diagnostics {
        let schema = match self.schema().await {
            Ok(s) => s,
            Err(d) => return d,
        };
        let config = match decode(
            config,
            &schema.provider.block.value_type(),
            "provider configuration",
        ) {
            Ok(v) => v,
            Err(d) => return d.into(),
        };
        let provider = Arc::clone(&self.provider);
        blocking(move || provider.configure_provider(&terraform_version, &config))
            .await
            .unwrap_or_else(|p| panicked("ConfigureProvider", &p))
    }

    pub(crate) async fn validate_data_source_config(
        &self,
        type_name: String,
        config: Option<WireValue>,
    ) -> Diagnostics {
        let schema = match self.schema().await {
            Ok(s) => s,
            Err(d) => return d,
        };
        let Some(ds) = schema.data_sources.get(&type_name) else {
            return unknown_data_source(&type_name).into();
        };
        let config = match decode(config, &ds.block.value_type(), "data source configuration") {
            Ok(v) => v,
            Err(d) => return d.into(),
        };
        let provider = Arc::clone(&self.provider);
        blocking(move || provider.validate_data_source_config(&type_name, &config))
            .await
            .unwrap_or_else(|p| panicked("ValidateDataResourceConfig", &p))
    }

    /// The new state (msgpack) and diagnostics.
    pub(crate) async fn read_data_source(
        &self,
        type_name: String,
        config: Option<WireValue>,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        let schema = match self.schema().await {
            Ok(s) => s,
            Err(d) => return (None, d),
        };
        let Some(ds) = schema.data_sources.get(&type_name) else {
            return (None, unknown_data_source(&type_name).into());
        };
        let ty = ds.block.value_type();
        let config = match decode(config, &ty, "data source configuration") {
            Ok(v) => v,
            Err(d) => return (None, d.into()),
        };
        let provider = Arc::clone(&self.provider);
        let name = type_name.clone();
        let (state, mut diags) =
            match blocking(move || provider.read_data_source(&name, &config)).await {
                Ok(r) => r,
                Err(p) => return (None, panicked("ReadDataSource", &p)),
            };
        let Some(state) = state else {
            if !diags.has_errors() {
                diags.push(Diagnostic::error(
                    "Provider returned no state",
                    format!("Reading data source {type_name} returned neither a state nor an error. This is a bug in the provider."),
                ));
            }
            return (None, diags);
        };
        match encode_msgpack(&state, &ty) {
            Ok(bytes) => (Some(bytes), diags),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "Provider produced an invalid state",
                        format!("The state of data source {type_name} does not match its schema: {e}. This is a bug in the provider."),
                    )
                    .at(e.path),
                );
                (None, diags)
            }
        }
    }

    /// The type, version and schema of a managed resource.
    async fn resource(&self, type_name: &str) -> Result<(Type, i64), Diagnostics> {
        let schema = self.schema().await?;
        match schema.resources.get(type_name) {
            Some(r) => Ok((r.block.value_type(), r.version)),
            None => Err(Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource {type_name:?}."),
            )
            .into()),
        }
    }

    pub(crate) async fn validate_resource_config(
        &self,
        type_name: String,
        config: Option<WireValue>,
    ) -> Diagnostics {
        let (ty, _) = match self.resource(&type_name).await {
            Ok(r) => r,
            Err(d) => return d,
        };
        let config = match decode(config, &ty, "resource configuration") {
            Ok(v) => v,
            Err(d) => return d.into(),
        };
        let provider = Arc::clone(&self.provider);
        blocking(move || provider.validate_resource_config(&type_name, &config))
            .await
            .unwrap_or_else(|p| panicked("ValidateResourceConfig", &p))
    }

    /// The state (msgpack) in the current schema, from the JSON Terraform
    /// stored with schema version `version`.
    pub(crate) async fn upgrade_resource_state(
        &self,
        type_name: String,
        version: i64,
        raw_json: Vec<u8>,
        has_flatmap: bool,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        let (ty, current) = match self.resource(&type_name).await {
            Ok(r) => r,
            Err(d) => return (None, d),
        };
        if raw_json.is_empty() {
            let detail = if has_flatmap {
                format!(
                    "The stored {type_name} state is in the legacy flatmap format, which this provider cannot read."
                )
            } else {
                format!("Terraform sent no stored state for {type_name}.")
            };
            return (
                None,
                Diagnostic::error("Cannot upgrade the resource state", detail).into(),
            );
        }
        if version > current {
            return (
                None,
                Diagnostic::error(
                    "Resource state from a newer provider",
                    format!("The stored {type_name} state has schema version {version}, but this provider knows versions up to {current}. It was written by a newer version of the provider: use that version or newer."),
                )
                .into(),
            );
        }
        if version == current {
            return match decode_json(&raw_json, &ty) {
                Ok(state) => encode_state(&state, &ty, &type_name, Diagnostics::new()),
                Err(e) => (
                    None,
                    Diagnostic::error(
                        "Invalid stored state",
                        format!("The stored {type_name} state does not match the resource's schema version {version}: {e}"),
                    )
                    .into(),
                ),
            };
        }
        let old = match decode_json(&raw_json, &Type::Dynamic) {
            Ok(v) => v,
            Err(e) => {
                return (
                    None,
                    Diagnostic::error(
                        "Invalid stored state",
                        format!("The stored {type_name} state cannot be read: {e}"),
                    )
                    .into(),
                );
            }
        };
        let provider = Arc::clone(&self.provider);
        let name = type_name.clone();
        match blocking(move || provider.upgrade_resource_state(&name, version, &old)).await {
            Ok((state, diags)) => self.finish_state(state, diags, &ty, &type_name, "upgrading"),
            Err(p) => (None, panicked("UpgradeResourceState", &p)),
        }
    }

    /// The refreshed state (msgpack; null when the object is gone).
    pub(crate) async fn read_resource(
        &self,
        type_name: String,
        current_state: Option<WireValue>,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        let (ty, _) = match self.resource(&type_name).await {
            Ok(r) => r,
            Err(d) => return (None, d),
        };
        let state = match decode(current_state, &ty, "resource state") {
            Ok(v) => v,
            Err(d) => return (None, d.into()),
        };
        let provider = Arc::clone(&self.provider);
        let name = type_name.clone();
        match blocking(move || provider.read_resource(&name, &state)).await {
            Ok((Some(state), diags)) => encode_state(&state, &ty, &type_name, diags),
            // Gone: a null new state tells Terraform to drop it.
            Ok((None, diags)) if !diags.has_errors() => {
                encode_state(&Value::Null, &ty, &type_name, diags)
            }
            Ok((None, diags)) => (None, diags),
            Err(p) => (None, panicked("ReadResource", &p)),
        }
    }

    /// The planned state (msgpack) and the paths that force a replacement.
    pub(crate) async fn plan_resource_change(
        &self,
        type_name: String,
        prior_state: Option<WireValue>,
        proposed_new_state: Option<WireValue>,
        config: Option<WireValue>,
    ) -> (Option<Vec<u8>>, Vec<AttributePath>, Diagnostics) {
        let (ty, _) = match self.resource(&type_name).await {
            Ok(r) => r,
            Err(d) => return (None, Vec::new(), d),
        };
        let decoded = decode(prior_state, &ty, "prior state").and_then(|prior| {
            Ok(PlanRequest {
                prior_state: prior,
                proposed_new_state: decode(proposed_new_state, &ty, "proposed new state")?,
                config: decode(config, &ty, "resource configuration")?,
            })
        });
        let request = match decoded {
            Ok(r) => r,
            Err(d) => return (None, Vec::new(), d.into()),
        };
        if request.proposed_new_state.is_null() {
            // A destroy: nothing to plan.
            let (state, diags) = encode_state(&Value::Null, &ty, &type_name, Diagnostics::new());
            return (state, Vec::new(), diags);
        }
        let provider = Arc::clone(&self.provider);
        let name = type_name.clone();
        match blocking(move || provider.plan_resource_change(&name, &request)).await {
            Ok((Some(planned), diags)) => {
                let (state, diags) = encode_state(&planned.state, &ty, &type_name, diags);
                (state, planned.requires_replace, diags)
            }
            Ok((None, diags)) => {
                let (state, diags) = self.finish_state(None, diags, &ty, &type_name, "planning");
                (state, Vec::new(), diags)
            }
            Err(p) => (None, Vec::new(), panicked("PlanResourceChange", &p)),
        }
    }

    /// The new state (msgpack) after applying a planned change.
    pub(crate) async fn apply_resource_change(
        &self,
        type_name: String,
        prior_state: Option<WireValue>,
        planned_state: Option<WireValue>,
        config: Option<WireValue>,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        let (ty, _) = match self.resource(&type_name).await {
            Ok(r) => r,
            Err(d) => return (None, d),
        };
        let decoded = decode(prior_state, &ty, "prior state").and_then(|prior| {
            Ok(ApplyRequest {
                prior_state: prior,
                planned_state: decode(planned_state, &ty, "planned state")?,
                config: decode(config, &ty, "resource configuration")?,
            })
        });
        let request = match decoded {
            Ok(r) => r,
            Err(d) => return (None, d.into()),
        };
        let provider = Arc::clone(&self.provider);
        let name = type_name.clone();
        match blocking(move || provider.apply_resource_change(&name, &request)).await {
            Ok((state, diags)) => self.finish_state(state, diags, &ty, &type_name, "applying"),
            Err(p) => (None, panicked("ApplyResourceChange", &p)),
        }
    }

    /// The imported state (msgpack).
    pub(crate) async fn import_resource_state(
        &self,
        type_name: String,
        id: String,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        let (ty, _) = match self.resource(&type_name).await {
            Ok(r) => r,
            Err(d) => return (None, d),
        };
        let provider = Arc::clone(&self.provider);
        let name = type_name.clone();
        match blocking(move || provider.import_resource_state(&name, &id)).await {
            Ok((state, diags)) => self.finish_state(state, diags, &ty, &type_name, "importing"),
            Err(p) => (None, panicked("ImportResourceState", &p)),
        }
    }

    /// Encodes a provider's resulting state; `None` must come with an error.
    fn finish_state(
        &self,
        state: Option<Value>,
        mut diags: Diagnostics,
        ty: &Type,
        type_name: &str,
        doing: &str,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        match state {
            Some(state) => encode_state(&state, ty, type_name, diags),
            None => {
                if !diags.has_errors() {
                    diags.push(Diagnostic::error(
                        "Provider returned no state",
                        format!("While {doing} {type_name}, the provider returned neither a state nor an error. This is a bug in the provider."),
                    ));
                }
                (None, diags)
            }
        }
    }

    /// The result (msgpack) or the function error.
    pub(crate) async fn call_function(
        &self,
        name: String,
        arguments: Vec<WireValue>,
    ) -> Result<Vec<u8>, FunctionError> {
        let schema = self.schema().await.map_err(|d| {
            FunctionError::new(
                d.first()
                    .map(|d| format!("{}: {}", d.summary, d.detail))
                    .unwrap_or_default(),
            )
        })?;
        let Some(func) = schema.functions.get(&name) else {
            return Err(FunctionError::new(format!(
                "The provider has no function named {name:?}."
            )));
        };
        let fixed = func.parameters.len();
        if arguments.len() < fixed {
            return Err(FunctionError::new(format!(
                "Function {name} takes {fixed} argument(s), {} given.",
                arguments.len()
            )));
        }
        if arguments.len() > fixed && func.variadic_parameter.is_none() {
            return Err(FunctionError::new(format!(
                "Function {name} takes {fixed} argument(s), {} given.",
                arguments.len()
            )));
        }
        let mut args = Vec::with_capacity(fixed + 1);
        let mut variadic = Vec::new();
        for (i, wire) in arguments.into_iter().enumerate() {
            let param = func.parameters.get(i).or(func.variadic_parameter.as_ref());
            let Some(param) = param else { break };
            let v = decode(Some(wire), &param.ty, &format!("argument {:?}", param.name)).map_err(
                |d| FunctionError {
                    text: format!("{}: {}", d.summary, d.detail),
                    argument: i64::try_from(i).ok(),
                },
            )?;
            // Terraform rejects a null argument itself unless the parameter
            // allows null; OpenTofu sends it, as an empty DynamicValue.
            if v.is_null() && !param.allow_null_value {
                return Err(FunctionError {
                    text: format!("{}: the argument must not be null.", param.name),
                    argument: i64::try_from(i).ok(),
                });
            }
            if i < fixed {
                args.push(v)
            } else {
                variadic.push(v)
            }
        }
        if func.variadic_parameter.is_some() {
            args.push(Value::List(variadic));
        }
        let return_type = func.return_type.clone();
        let provider = Arc::clone(&self.provider);
        let fname = name.clone();
        let result = blocking(move || provider.call_function(&fname, &args))
            .await
            .map_err(|p| {
                FunctionError::new(format!(
                    "The provider panicked in function {name}: {p}. This is a bug in the provider."
                ))
            })??;
        encode_msgpack(&result, &return_type).map_err(|e| {
            FunctionError::new(format!(
                "Function {name} returned a value that does not match its return type: {e}. This is a bug in the provider."
            ))
        })
    }

    pub(crate) async fn stop(&self) -> Result<(), String> {
        let provider = Arc::clone(&self.provider);
        blocking(move || provider.stop()).await
    }
}

/// Encodes a resource state with its schema type.
fn encode_state(
    state: &Value,
    ty: &Type,
    type_name: &str,
    mut diags: Diagnostics,
) -> (Option<Vec<u8>>, Diagnostics) {
    match encode_msgpack(state, ty) {
        Ok(bytes) => (Some(bytes), diags),
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "Provider produced an invalid state",
                    format!("The state of resource {type_name} does not match its schema: {e}. This is a bug in the provider."),
                )
                .at(e.path),
            );
            (None, diags)
        }
    }
}

fn unknown_data_source(type_name: &str) -> Diagnostic {
    Diagnostic::error(
        "Unknown data source type",
        format!("This provider has no data source {type_name:?}."),
    )
}

fn panicked(method: &str, message: &str) -> Diagnostics {
    Diagnostic::error(
        "Provider panicked",
        format!("The provider panicked while handling {method}: {message}. This is a bug in the provider."),
    )
    .into()
}

/// Decodes a wire value with the schema type. A missing value is null.
fn decode(wire: Option<WireValue>, ty: &Type, what: &str) -> Result<Value, Diagnostic> {
    let Some(wire) = wire else {
        return Ok(Value::Null);
    };
    if wire.msgpack.is_empty() {
        if !wire.json.is_empty() {
            return Err(Diagnostic::error(
                "Unsupported value encoding",
                format!(
                    "The {what} arrived JSON-encoded; this provider only reads msgpack (what Terraform sends)."
                ),
            ));
        }
        return Ok(Value::Null);
    }
    decode_msgpack(&wire.msgpack, ty).map_err(|e| {
        Diagnostic::error(
            "Invalid value",
            format!("The {what} sent by Terraform does not match the provider's schema: {e}"),
        )
        .at(e.path)
    })
}

/// Runs provider code on the blocking pool; a panic becomes `Err(message)`.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(f))).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(payload)) => Err(panic_message(payload.as_ref())),
        Err(e) if e.is_panic() => Err(panic_message(e.into_panic().as_ref())),
        Err(e) => Err(format!("the task was cancelled: {e}")),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

//! Protocol-independent request handling: decode values with the schema,
//! call the provider off the async executor, catch its panics, encode the
//! results. Each protocol version's gRPC service only converts wire types
//! to and from these calls.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{FunctionError, Provider};
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::ProviderSchema;
use crate::value::{Type, Value, decode_msgpack, encode_msgpack};

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

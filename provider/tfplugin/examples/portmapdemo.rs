//! A tiny provider to try the protocol layer with a real Terraform (and to
//! test the process boundary: handshake, exit codes).
//!
//! - data source `portmapdemo_echo`: `input` (required string), `nodes`
//!   (optional map of objects with optional typed fields), computed `output`
//!   and `node_count`;
//! - functions `provider::portmapdemo::upper(s)` and
//!   `provider::portmapdemo::join(sep, parts...)` (variadic).
//!
//! Build with `cargo build -p portmap-tfplugin --example
//! terraform-provider-portmapdemo` and point a Terraform CLI config's
//! `dev_overrides` for `example/portmapdemo` at `target/debug/examples`.

use std::process::ExitCode;

use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::schema::{
    Attribute, Block, Function, ObjectNesting, Parameter, ProviderSchema, Schema,
};
use tfplugin::server::{FunctionError, Provider, serve};
use tfplugin::value::{Type, Value};

struct Demo {
    prefix: std::sync::Mutex<String>,
}

impl Provider for Demo {
    fn schema(&self) -> ProviderSchema {
        let node = vec![
            Attribute::optional(
                "cidrs",
                Type::list(Type::String),
                "Networks the node is in.",
            ),
            Attribute::optional("public", Type::Bool, "Whether the node faces the internet."),
        ];
        let echo = Block::new("Echoes `input` back as `output`.")
            .attribute(Attribute::required("input", Type::String, "What to echo."))
            .attribute(Attribute::nested(
                "nodes",
                ObjectNesting::Map,
                node,
                "Some nodes, by name.",
            ))
            .attribute(Attribute::computed(
                "output",
                Type::String,
                "The provider's prefix, then `input`.",
            ))
            .attribute(Attribute::computed(
                "node_count",
                Type::Number,
                "How many nodes were given.",
            ));
        let mut schema =
            ProviderSchema {
                provider: Schema::new(Block::new("The demo provider.").attribute(
                    Attribute::optional("prefix", Type::String, "Prepended to every echoed value."),
                )),
                ..ProviderSchema::default()
            };
        schema
            .data_sources
            .insert("portmapdemo_echo".into(), Schema::new(echo));
        schema.functions.insert(
            "upper".into(),
            Function::new(Type::String, "Upper-cases a string.").parameter(Parameter::new(
                "s",
                Type::String,
                "The text.",
            )),
        );
        schema.functions.insert(
            "join".into(),
            Function::new(Type::String, "Joins strings with a separator.")
                .parameter(Parameter::new("sep", Type::String, "The separator."))
                .variadic(Parameter::new("parts", Type::String, "The strings.")),
        );
        schema
    }

    fn configure_provider(&self, _terraform_version: &str, config: &Value) -> Diagnostics {
        if let Some(prefix) = config.get("prefix").and_then(Value::as_str)
            && let Ok(mut p) = self.prefix.lock()
        {
            *p = prefix.to_owned();
        }
        Diagnostics::new()
    }

    fn validate_data_source_config(&self, _type_name: &str, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if config.get("input").and_then(Value::as_str) == Some("") {
            diags.push(
                Diagnostic::error("Empty input", "`input` must not be empty.")
                    .at(AttributePath::root("input")),
            );
        }
        diags
    }

    fn read_data_source(&self, _type_name: &str, config: &Value) -> (Option<Value>, Diagnostics) {
        let prefix = self.prefix.lock().map(|p| p.clone()).unwrap_or_default();
        let input = config
            .get("input")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let nodes = config.get("nodes").cloned().unwrap_or_default();
        let count = nodes.as_map().map_or(0, |m| m.len());
        let state = Value::object([
            ("input", Value::from(input)),
            ("nodes", nodes),
            ("output", Value::from(format!("{prefix}{input}"))),
            ("node_count", Value::from(count)),
        ]);
        (Some(state), Diagnostics::new())
    }

    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        match name {
            "upper" => {
                let s = arguments
                    .first()
                    .and_then(Value::as_str)
                    .ok_or_else(|| FunctionError::argument(0, "expected a string"))?;
                Ok(Value::from(s.to_uppercase()))
            }
            "join" => {
                let sep = arguments
                    .first()
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let parts: Vec<&str> = arguments
                    .get(1)
                    .and_then(Value::as_list)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                Ok(Value::from(parts.join(sep)))
            }
            other => Err(FunctionError::new(format!("no function {other}"))),
        }
    }
}

fn main() -> ExitCode {
    serve(Demo {
        prefix: std::sync::Mutex::new(String::new()),
    })
}

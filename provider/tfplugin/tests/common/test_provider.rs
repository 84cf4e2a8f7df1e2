//! The test provider the protocol tests serve.
//!
//! - `test_echo`: echoes `input` as `output` ("echo: <input>"), with `nodes`
//!   (a map of nested objects) passed through; validation flags empty
//!   inputs and CIDRs without a `/`.
//! - `test_panic`: panics when read.
//! - `test_slow`: a read that blocks until `StopProvider` (then fails with
//!   "Interrupted") or 10 s; counts the reads in progress.
//! - `test_gather`: a read that waits until `parties` reads are in the
//!   provider at the same time (or fails after 10 s): proof that requests
//!   run concurrently.
//! - functions `upper`, `join` (variadic), `boom` (panics) and `kind`
//!   (a dynamic parameter: the kind of value it got).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::schema::{
    Attribute, Block, Function, ObjectNesting, Parameter, ProviderSchema, Schema,
};
use tfplugin::server::{FunctionError, Provider};
use tfplugin::value::{Type, Value};

/// How long `test_slow` and `test_gather` wait at most.
pub const SLOW_READ_LIMIT: Duration = Duration::from_secs(10);

/// State the tests can watch from outside the server.
#[derive(Debug, Default)]
pub struct Probe {
    /// `test_slow` reads that have started.
    pub slow_started: AtomicUsize,
    /// StopProvider calls seen.
    pub stops: AtomicUsize,
    stopped: Mutex<bool>,
    stop_signal: Condvar,
    gathered: Mutex<usize>,
    gather_signal: Condvar,
}

impl Probe {
    /// Waits (polling) until `n` slow reads have started.
    pub async fn slow_reads_started(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.slow_started.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "the slow read never started");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

#[derive(Default)]
pub struct TestProvider {
    pub probe: Arc<Probe>,
}

impl TestProvider {
    pub fn new() -> Self {
        Self::default()
    }

    /// A provider reporting to `probe`.
    pub fn with_probe(probe: Arc<Probe>) -> Self {
        Self { probe }
    }
}

pub fn echo_block() -> Block {
    Block::new("Echo.")
        .attribute(Attribute::required("input", Type::String, "In."))
        .attribute(Attribute::nested(
            "nodes",
            ObjectNesting::Map,
            vec![
                Attribute::optional("cidrs", Type::list(Type::String), "Networks."),
                Attribute::optional("public", Type::Bool, "Public?"),
            ],
            "Nodes.",
        ))
        .attribute(Attribute::computed("output", Type::String, "Out."))
}

pub fn slow_block() -> Block {
    Block::new("Slow.")
        .attribute(Attribute::optional("input", Type::String, "In."))
        .attribute(Attribute::computed("output", Type::String, "Out."))
}

pub fn gather_block() -> Block {
    Block::new("Gathers.")
        .attribute(Attribute::required("input", Type::String, "In."))
        .attribute(Attribute::required(
            "parties",
            Type::Number,
            "How many reads to wait for.",
        ))
        .attribute(Attribute::computed("output", Type::String, "Out."))
}

pub fn provider_block() -> Block {
    Block::new("Test.").attribute(Attribute::optional("region", Type::String, "R."))
}

impl Provider for TestProvider {
    fn schema(&self) -> ProviderSchema {
        let mut s = ProviderSchema {
            provider: Schema::new(provider_block()),
            ..Default::default()
        };
        s.data_sources
            .insert("test_echo".into(), Schema::new(echo_block()));
        s.data_sources.insert(
            "test_panic".into(),
            Schema::new(Block::new("Panics.").attribute(Attribute::optional(
                "x",
                Type::String,
                "X.",
            ))),
        );
        s.data_sources
            .insert("test_slow".into(), Schema::new(slow_block()));
        s.data_sources
            .insert("test_gather".into(), Schema::new(gather_block()));
        s.functions.insert(
            "upper".into(),
            Function::new(Type::String, "Upper.").parameter(Parameter::new(
                "s",
                Type::String,
                "S.",
            )),
        );
        s.functions.insert(
            "join".into(),
            Function::new(Type::String, "Join.")
                .parameter(Parameter::new("sep", Type::String, "Sep."))
                .variadic(Parameter::new("parts", Type::String, "Parts.")),
        );
        s.functions
            .insert("boom".into(), Function::new(Type::String, "Panics."));
        s.functions.insert(
            "kind".into(),
            Function::new(Type::String, "The kind of value.")
                .parameter(Parameter::new("v", Type::Dynamic, "Anything.").allow_null()),
        );
        s
    }

    fn configure_provider(&self, terraform_version: &str, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get("region").and_then(Value::as_str) == Some("bad") {
            d.push(
                Diagnostic::error("Bad region", terraform_version)
                    .at(AttributePath::root("region")),
            );
        }
        d
    }

    fn validate_data_source_config(&self, _type_name: &str, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get("input").and_then(Value::as_str) == Some("") {
            d.push(Diagnostic::error("Empty input", "").at(AttributePath::root("input")));
        }
        if let Some(nodes) = config.get("nodes").and_then(Value::as_map) {
            for (name, node) in nodes {
                if let Some(cidrs) = node.get("cidrs").and_then(Value::as_list) {
                    for (i, c) in cidrs.iter().enumerate() {
                        if c.as_str().is_some_and(|c| !c.contains('/')) {
                            d.push(
                                Diagnostic::error("Not a CIDR", "").at(AttributePath::root(
                                    "nodes",
                                )
                                .key(name.clone())
                                .attr("cidrs")
                                .index(i as i64)),
                            );
                        }
                    }
                }
            }
        }
        d
    }

    fn read_data_source(&self, type_name: &str, config: &Value) -> (Option<Value>, Diagnostics) {
        let input = config
            .get("input")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut state = config.as_map().cloned().unwrap_or_default();
        match type_name {
            "test_panic" => panic!("the test provider panics on purpose"),
            "test_slow" => {
                self.probe.slow_started.fetch_add(1, Ordering::SeqCst);
                let stopped = self.probe.stopped.lock().unwrap();
                let (stopped, _) = self
                    .probe
                    .stop_signal
                    .wait_timeout_while(stopped, SLOW_READ_LIMIT, |s| !*s)
                    .unwrap();
                if *stopped {
                    return (
                        None,
                        Diagnostic::error("Interrupted", "Terraform asked the provider to stop.")
                            .into(),
                    );
                }
                state.insert("output".into(), Value::from(format!("slow: {input}")));
            }
            "test_gather" => {
                let parties = config.get("parties").and_then(Value::as_i64).unwrap_or(1) as usize;
                let mut n = self.probe.gathered.lock().unwrap();
                *n += 1;
                self.probe.gather_signal.notify_all();
                let (n, timeout) = self
                    .probe
                    .gather_signal
                    .wait_timeout_while(n, SLOW_READ_LIMIT, |n| *n < parties)
                    .unwrap();
                if timeout.timed_out() {
                    return (
                        None,
                        Diagnostic::error(
                            "Not concurrent",
                            format!(
                                "only {} of {parties} reads were in the provider at once",
                                *n
                            ),
                        )
                        .into(),
                    );
                }
                state.insert("output".into(), Value::from(format!("gathered: {input}")));
            }
            _ => {
                state.insert("output".into(), Value::from(format!("echo: {input}")));
            }
        }
        (Some(Value::Object(state)), Diagnostics::new())
    }

    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        match name {
            "upper" => Ok(Value::from(
                arguments[0].as_str().unwrap_or_default().to_uppercase(),
            )),
            "join" => {
                let sep = arguments[0].as_str().unwrap_or_default();
                let parts: Vec<&str> = arguments[1]
                    .as_list()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                if parts.contains(&"bad") {
                    return Err(FunctionError::argument(1, "no bad parts"));
                }
                Ok(Value::from(parts.join(sep)))
            }
            "boom" => panic!("boom went the function"),
            "kind" => Ok(Value::from(arguments[0].kind())),
            _ => Err(FunctionError::new("unknown")),
        }
    }

    fn stop(&self) {
        self.probe.stops.fetch_add(1, Ordering::SeqCst);
        *self.probe.stopped.lock().unwrap() = true;
        self.probe.stop_signal.notify_all();
    }
}

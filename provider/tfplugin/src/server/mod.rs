//! The plugin server: implement [`Provider`], call [`serve`] from `main`.
//!
//! What [`serve`] does, in order:
//! 1. checks `TF_PLUGIN_MAGIC_COOKIE` (a person running the binary by hand
//!    gets a short explanation on stderr and exit status 1);
//! 2. negotiates the protocol version from `PLUGIN_PROTOCOL_VERSIONS`: 6
//!    when offered, else 5 (`TFPLUGIN_PROTOCOL_VERSION_OVERRIDE=5` forces 5
//!    while debugging);
//! 3. listens on 127.0.0.1 (within `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` when
//!    set) and, unless `TF_DISABLE_PLUGIN_TLS` is set, prepares AutoMTLS with
//!    a fresh certificate, accepting only the client certificate from
//!    `PLUGIN_CLIENT_CERT`;
//! 4. prints the single handshake line on stdout;
//! 5. serves `tfplugin6.Provider` (or `tfplugin5.Provider`) and
//!    `plugin.GRPCController` until Terraform calls `Shutdown`, then exits
//!    with status 0.
//!
//! The two protocol versions share everything but their wire types: the
//! `v5` and `v6` modules only convert messages to and from the
//! protocol-independent `core`. Protocol 5 has no nested attributes; `v5`
//! lowers them to attributes of the implied object type, with optional
//! attribute markers for the nested attributes the user may leave out.
//!
//! Nothing but the handshake line is ever written to stdout; logs go to
//! stderr (level from `TF_LOG_PROVIDER` or `TF_LOG`, default warnings).
//!
//! Provider methods are synchronous and run on a blocking thread pool. A
//! panic in one becomes an error diagnostic (or a function error) carrying
//! the panic message; the plugin keeps serving.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

use crate::diag::{Diagnostic, Diagnostics};
use crate::proto::plugin as controller_pb;
use crate::proto::tfplugin5 as pb5;
use crate::proto::tfplugin6 as pb6;
use crate::schema::ProviderSchema;
use crate::value::Value;

mod conn;
mod core;
mod handshake;
mod log;
mod tls;
mod v5;
mod v6;
mod wire;

pub use handshake::{
    CORE_PROTOCOL_VERSION, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSIONS,
};

/// Largest request accepted (Terraform's own plugin SDKs allow 256 MiB).
const MAX_MESSAGE_SIZE: usize = 256 << 20;
/// After `Shutdown`, how long the server waits for its connections to wind
/// down before the process exits anyway. Terraform closes its connection
/// right after `Shutdown` returns and has nothing else in flight by then;
/// go-plugin's own Go servers stop hard at this point.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(250);

/// What a provider does. Every method is synchronous; the server calls them
/// off its async executor, possibly several at a time.
///
/// Configuration values arrive decoded with the schema's types: an object
/// with every attribute of the block present (null when unset; unknown
/// during validation when they depend on something not yet created).
pub trait Provider: Send + Sync + 'static {
    /// The provider's schemas. Called once per process, lazily (after the
    /// handshake), and cached.
    fn schema(&self) -> ProviderSchema;

    /// Checks the `provider` block. May see unknown values.
    fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let _ = config;
        Diagnostics::new()
    }

    /// Receives the `provider` block before any data source is read.
    fn configure_provider(&self, terraform_version: &str, config: &Value) -> Diagnostics {
        let _ = (terraform_version, config);
        Diagnostics::new()
    }

    /// Checks a data source's configuration. May see unknown values.
    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let _ = (type_name, config);
        Diagnostics::new()
    }

    /// Reads a data source: returns its state (the configuration with the
    /// computed attributes filled in; it must conform to the schema), or
    /// `None` with error diagnostics. Terraform never calls this with
    /// unknown values (it defers the read to apply).
    fn read_data_source(&self, type_name: &str, config: &Value) -> (Option<Value>, Diagnostics);

    /// Checks a managed resource's configuration. May see unknown values.
    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let _ = (type_name, config);
        Diagnostics::new()
    }

    /// Upgrades a state written with an older schema version (`version`,
    /// lower than the resource schema's) to the current schema. `state` is
    /// the stored JSON decoded without a schema (objects as objects, arrays
    /// as tuples, see [`crate::value::decode_json`]); the result must
    /// conform to the current schema. States already at the current version
    /// never reach the provider: this crate decodes them with the schema.
    fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        state: &Value,
    ) -> (Option<Value>, Diagnostics) {
        let _ = state;
        (
            None,
            Diagnostic::error(
                "Cannot upgrade the resource state",
                format!(
                    "The provider cannot upgrade a {type_name} state of schema version {version}."
                ),
            )
            .into(),
        )
    }

    /// Refreshes a managed resource's state: the new state, or `None` (and
    /// no error) when the resource no longer exists. The default keeps the
    /// state unchanged (a resource that lives only in Terraform's state).
    fn read_resource(&self, type_name: &str, state: &Value) -> (Option<Value>, Diagnostics) {
        let _ = type_name;
        (Some(state.clone()), Diagnostics::new())
    }

    /// Plans a create or an update (destroys are planned by this crate: the
    /// planned state is null). The planned state must keep the configured
    /// attributes as configured; computed attributes not known before apply
    /// are [`Value::Unknown`]. The default plans the proposed state.
    fn plan_resource_change(
        &self,
        type_name: &str,
        change: &PlanRequest,
    ) -> (Option<PlannedChange>, Diagnostics) {
        let _ = type_name;
        (
            Some(PlannedChange {
                state: change.proposed_new_state.clone(),
                requires_replace: Vec::new(),
            }),
            Diagnostics::new(),
        )
    }

    /// Applies a planned change: the new state (null after a destroy). It
    /// must match every value of the planned state that was known.
    fn apply_resource_change(
        &self,
        type_name: &str,
        change: &ApplyRequest,
    ) -> (Option<Value>, Diagnostics) {
        let _ = change;
        (
            None,
            Diagnostic::error(
                "Cannot apply the change",
                format!("The provider does not implement changes of {type_name}."),
            )
            .into(),
        )
    }

    /// Imports an existing object by the user's import ID: its state
    /// (Terraform then reads it with [`Provider::read_resource`]).
    fn import_resource_state(&self, type_name: &str, id: &str) -> (Option<Value>, Diagnostics) {
        let _ = id;
        (
            None,
            Diagnostic::error(
                "Import not supported",
                format!("The resource type {type_name} cannot be imported."),
            )
            .into(),
        )
    }

    /// Calls a provider-defined function. `arguments` holds one value per
    /// positional parameter, decoded with its type; when the function has a
    /// variadic parameter, one more value follows: a list of the variadic
    /// arguments (possibly empty).
    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        let _ = arguments;
        Err(FunctionError::new(format!(
            "The provider has no function named {name:?}."
        )))
    }

    /// Terraform asks the provider to stop what it is doing (the user
    /// interrupted it). Called while other methods may still be running.
    fn stop(&self) {}
}

/// What `PlanResourceChange` gets: null prior state for a create.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    /// The state before the change (null when creating).
    pub prior_state: Value,
    /// Terraform's proposal: the configuration, with computed attributes the
    /// configuration leaves null taken from the prior state.
    pub proposed_new_state: Value,
    /// The configuration (may hold unknown values).
    pub config: Value,
}

/// What `ApplyResourceChange` gets.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyRequest {
    /// The state before the change (null when creating).
    pub prior_state: Value,
    /// The planned state (null when destroying), with the values unknown at
    /// plan still unknown.
    pub planned_state: Value,
    /// The configuration, now wholly known (null when destroying).
    pub config: Value,
}

/// A planned state and the attributes whose change forces a replacement.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedChange {
    pub state: Value,
    pub requires_replace: Vec<crate::diag::AttributePath>,
}

/// A function call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// What went wrong, for the user.
    pub text: String,
    /// The 0-based index of the argument at fault, if one is.
    pub argument: Option<i64>,
}

impl FunctionError {
    /// An error not tied to one argument.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: None,
        }
    }

    /// An error caused by the argument at `index` (0-based).
    pub fn argument(index: i64, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: Some(index),
        }
    }
}

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.argument {
            Some(i) => write!(f, "argument {i}: {}", self.text),
            None => f.write_str(&self.text),
        }
    }
}

impl std::error::Error for FunctionError {}

/// Runs the plugin server: the entry point of a provider binary's `main`.
/// Returns when Terraform shuts the plugin down (success), or at once with a
/// failure status when the process was not started by Terraform or cannot
/// serve.
pub fn serve<P: Provider>(provider: P) -> ExitCode {
    serve_with_env(
        provider,
        &|key| std::env::var(key).ok(),
        &mut std::io::stdout(),
    )
}

/// [`serve`] with the environment and stdout supplied by the caller (for
/// tests: no process-wide environment or stdout involved).
#[doc(hidden)]
pub fn serve_with_env<P: Provider>(
    provider: P,
    env: &dyn Fn(&str) -> Option<String>,
    handshake_out: &mut dyn Write,
) -> ExitCode {
    match run(provider, env, handshake_out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            ExitCode::FAILURE
        }
    }
}

fn run<P: Provider>(
    provider: P,
    env: &dyn Fn(&str) -> Option<String>,
    handshake_out: &mut dyn Write,
) -> Result<(), String> {
    let hs = handshake::read_env(env).map_err(|e| e.to_string())?;
    log::init(env);

    let listener = handshake::bind(hs.port_range).map_err(|e| e.to_string())?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot configure the listener: {e}"))?;

    let (tls, cert_der) = match &hs.client_cert_pem {
        Some(pem) => {
            let client_cert = tls::parse_client_cert(pem)?;
            let identity = tls::generate_identity()?;
            let config = tls::server_config(&identity, client_cert)?;
            (Some(Arc::new(config)), Some(identity.cert_der))
        }
        None => {
            tracing::warn!("TF_DISABLE_PLUGIN_TLS is set: serving without TLS");
            (None, None)
        }
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;

    let line = handshake::line(hs.protocol, addr, cert_der.as_ref().map(|c| c.as_ref()));
    handshake_out
        .write_all(line.as_bytes())
        .and_then(|()| handshake_out.flush())
        .map_err(|e| format!("cannot write the handshake to stdout: {e}"))?;
    tracing::debug!(
        %addr,
        tls = tls.is_some(),
        protocol = hs.protocol.number(),
        "plugin listening"
    );

    let result = runtime.block_on(serve_grpc(provider, hs.protocol, listener, tls));
    // Do not wait for provider calls still running on blocking threads.
    runtime.shutdown_background();
    result
}

async fn serve_grpc<P: Provider>(
    provider: P,
    protocol: handshake::ProtocolVersion,
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| format!("cannot register the listener: {e}"))?;
    let (conn_tx, conn_rx) = mpsc::channel(16);
    tokio::spawn(conn::accept_loop(listener, tls, conn_tx));

    // go-plugin plugins ignore interrupts: Terraform forwards Ctrl-C as
    // StopProvider and ends the plugin itself.
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("ignoring interrupt; Terraform stops plugins through the protocol");
        }
    });

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let core = Arc::new(core::Core::new(provider));
    let controller = controller_pb::grpc_controller_server::GrpcControllerServer::new(Controller {
        shutdown: shutdown_tx,
    });

    let mut graceful = shutdown_rx.clone();
    let mut builder = tonic::transport::Server::builder();
    let router = match protocol {
        handshake::ProtocolVersion::V6 => builder.add_service(
            pb6::provider_server::ProviderServer::new(v6::ProviderV6::new(core))
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        ),
        handshake::ProtocolVersion::V5 => builder.add_service(
            pb5::provider_server::ProviderServer::new(v5::ProviderV5::new(core))
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        ),
    };
    let server = router.add_service(controller).serve_with_incoming_shutdown(
        ReceiverStream::new(conn_rx),
        async move {
            let _ = graceful.wait_for(|stop| *stop).await;
        },
    );
    let mut forced = shutdown_rx;
    let deadline = async move {
        let _ = forced.wait_for(|stop| *stop).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result.map_err(|e| format!("the gRPC server failed: {e}")),
        () = deadline => {
            tracing::debug!("connections still open {SHUTDOWN_GRACE:?} after Shutdown; exiting anyway");
            Ok(())
        }
    }
}

/// go-plugin's controller: `Shutdown` ends the plugin process.
struct Controller {
    shutdown: watch::Sender<bool>,
}

#[tonic::async_trait]
impl controller_pb::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: tonic::Request<controller_pb::Empty>,
    ) -> Result<tonic::Response<controller_pb::Empty>, tonic::Status> {
        tracing::debug!("Shutdown requested");
        self.shutdown.send_replace(true);
        Ok(tonic::Response::new(controller_pb::Empty {}))
    }
}

//! Terraform and OpenTofu as hosts, at the gRPC level (issue 22): what
//! OpenTofu (1.12) does that Terraform (1.15) does not, over protocol 6 and
//! protocol 5, against the real portmap provider served in-process over
//! mutual TLS.
//!
//! - OpenTofu calls functions on the configured provider during plan and
//!   apply, and on an unconfigured one during validate; Terraform never
//!   configures a provider for its functions. Functions read only the
//!   built-in catalog, so both call orders give the same answers.
//! - OpenTofu offers the protocol versions as "6,5", Terraform as "5,6".
//! - OpenTofu calls GetResourceIdentitySchemas on every schema load.
//! - OpenTofu sends a null function argument as an empty DynamicValue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use terraform_provider_portmap::PortmapProvider;
use tfplugin::proto::tfplugin5 as pb5;
use tfplugin::proto::tfplugin5::provider_client::ProviderClient as ClientV5;
use tfplugin::proto::tfplugin6 as pb6;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient as ClientV6;
use tfplugin::server::Provider;
use tfplugin::test_client::{
    InProcess, join, provider_client, provider_client_v5, shutdown, start,
};
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};
use tonic::transport::Channel;

/// A product of the user's own, in the catalog format (the example the
/// README shows for `extra_catalogs`).
const ACME_CRM: &str = include_str!("../../../examples/extra-catalog/acme-crm.yaml");

/// What `service_ports("spotfire", "server")` returns, as
/// `<from_component> <protocol>/<from>-<to>`, from the Spotfire "Internal
/// ports" table (the same list the acceptance test checks through
/// Terraform): HTTP 80 and HTTPS 443 from clients and load balancers,
/// 9080/9443 from node managers, 5701-5703 between servers, JMX 1099 from
/// monitoring clients.
const SPOTFIRE_SERVER: [&str; 10] = [
    "spotfire/client tcp/80-80",
    "spotfire/load-balancer tcp/80-80",
    "spotfire/client tcp/443-443",
    "spotfire/load-balancer tcp/443-443",
    "spotfire/node-manager tcp/9080-9080",
    "spotfire/node-manager tcp/9443-9443",
    "spotfire/server tcp/5701-5701",
    "spotfire/server tcp/5702-5702",
    "spotfire/server tcp/5703-5703",
    "spotfire/monitoring-client tcp/1099-1099",
];

/// A function's answer: the msgpack result, or the error text and the
/// argument it names.
type Answer = Result<Vec<u8>, (String, Option<i64>)>;

/// A client of either protocol, as the host that negotiated it.
enum Host {
    V5(ClientV5<Channel>),
    V6(ClientV6<Channel>),
}

impl Host {
    /// Starts the provider as a host offering `offered` would, and
    /// connects with the protocol it answered.
    async fn start(offered: &str) -> (InProcess, Host) {
        let srv = start(
            PortmapProvider::new(),
            &[("PLUGIN_PROTOCOL_VERSIONS", offered)],
        );
        let host = match srv.handshake.protocol {
            5 => Host::V5(provider_client_v5(&srv.handshake).await),
            _ => Host::V6(provider_client(&srv.handshake).await),
        };
        (srv, host)
    }

    /// Calls a function with msgpack arguments (an empty vector is an
    /// empty DynamicValue).
    async fn call(&mut self, name: &str, arguments: Vec<Vec<u8>>) -> Answer {
        let (result, error) = match self {
            Host::V5(c) => {
                let r = c
                    .call_function(pb5::call_function::Request {
                        name: name.into(),
                        arguments: arguments
                            .into_iter()
                            .map(|msgpack| pb5::DynamicValue {
                                msgpack,
                                json: vec![],
                            })
                            .collect(),
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (
                    r.result.map(|v| v.msgpack),
                    r.error.map(|e| (e.text, e.function_argument)),
                )
            }
            Host::V6(c) => {
                let r = c
                    .call_function(pb6::call_function::Request {
                        name: name.into(),
                        arguments: arguments
                            .into_iter()
                            .map(|msgpack| pb6::DynamicValue {
                                msgpack,
                                json: vec![],
                            })
                            .collect(),
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (
                    r.result.map(|v| v.msgpack),
                    r.error.map(|e| (e.text, e.function_argument)),
                )
            }
        };
        match (result, error) {
            (Some(r), None) => Ok(r),
            (None, Some(e)) => Err(e),
            other => panic!("a result or an error, not {other:?}"),
        }
    }

    /// ConfigureProvider; returns the diagnostics' summaries and details.
    async fn configure(&mut self, config: Vec<u8>) -> Vec<String> {
        let diags: Vec<(String, String)> = match self {
            Host::V5(c) => c
                .configure(pb5::configure::Request {
                    terraform_version: "1.12.6".into(),
                    config: Some(pb5::DynamicValue {
                        msgpack: config,
                        json: vec![],
                    }),
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
                .into_iter()
                .map(|d| (d.summary, d.detail))
                .collect(),
            Host::V6(c) => c
                .configure_provider(pb6::configure_provider::Request {
                    terraform_version: "1.12.6".into(),
                    config: Some(pb6::DynamicValue {
                        msgpack: config,
                        json: vec![],
                    }),
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
                .into_iter()
                .map(|d| (d.summary, d.detail))
                .collect(),
        };
        diags
            .into_iter()
            .map(|(s, d)| format!("{s}: {d}"))
            .collect()
    }

    /// ReadDataSource; returns the state's msgpack.
    async fn read(&mut self, type_name: &str, config: Vec<u8>) -> Vec<u8> {
        let (state, diags) = match self {
            Host::V5(c) => {
                let r = c
                    .read_data_source(pb5::read_data_source::Request {
                        type_name: type_name.into(),
                        config: Some(pb5::DynamicValue {
                            msgpack: config,
                            json: vec![],
                        }),
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (r.state.map(|s| s.msgpack), format!("{:?}", r.diagnostics))
            }
            Host::V6(c) => {
                let r = c
                    .read_data_source(pb6::read_data_source::Request {
                        type_name: type_name.into(),
                        config: Some(pb6::DynamicValue {
                            msgpack: config,
                            json: vec![],
                        }),
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .unwrap()
                    .into_inner();
                (r.state.map(|s| s.msgpack), format!("{:?}", r.diagnostics))
            }
        };
        state.unwrap_or_else(|| panic!("no state: {diags}"))
    }

    /// GetResourceIdentitySchemas: the number of schemas and of diagnostics.
    async fn identity_schemas(&mut self) -> (usize, usize) {
        match self {
            Host::V5(c) => {
                let r = c
                    .get_resource_identity_schemas(pb5::get_resource_identity_schemas::Request {})
                    .await
                    .unwrap()
                    .into_inner();
                (r.identity_schemas.len(), r.diagnostics.len())
            }
            Host::V6(c) => {
                let r = c
                    .get_resource_identity_schemas(pb6::get_resource_identity_schemas::Request {})
                    .await
                    .unwrap()
                    .into_inner();
                (r.identity_schemas.len(), r.diagnostics.len())
            }
        }
    }
}

fn string(s: &str) -> Vec<u8> {
    encode_msgpack(&Value::from(s), &Type::String).unwrap()
}

fn number(n: i64) -> Vec<u8> {
    encode_msgpack(&Value::from(n), &Type::Number).unwrap()
}

fn schema() -> tfplugin::schema::ProviderSchema {
    PortmapProvider::new().schema()
}

/// The provider block as a host sends it, with `extra_catalogs` holding
/// the ACME CRM product.
fn provider_config_with_acme() -> Vec<u8> {
    let ty = schema().provider.block.value_type();
    encode_msgpack(
        &Value::object([("extra_catalogs", Value::list([ACME_CRM]))]),
        &ty,
    )
    .unwrap()
}

/// `service_ports` results as `<from_component> <protocol>/<from>-<to>`.
fn port_lines(msgpack: &[u8]) -> Vec<String> {
    let ty = schema().functions["service_ports"].return_type.clone();
    let v = decode_msgpack(msgpack, &ty).unwrap();
    v.as_list()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap().to_owned();
            let n = |k: &str| p.get(k).and_then(Value::as_i64).unwrap();
            format!(
                "{} {}/{}-{}",
                s("from_component"),
                s("protocol"),
                n("from_port"),
                n("to_port")
            )
        })
        .collect()
}

/// The product ids `data.portmap_catalog` lists (all of them: no filter).
async fn catalog_products(host: &mut Host) -> Vec<String> {
    let ty = schema().data_sources["portmap_catalog"].block.value_type();
    let nulls = Value::object(
        ty.attribute_types()
            .unwrap()
            .keys()
            .map(|k| (k.clone(), Value::Null)),
    );
    let state = decode_msgpack(
        &host
            .read("portmap_catalog", encode_msgpack(&nulls, &ty).unwrap())
            .await,
        &ty,
    )
    .unwrap();
    state
        .get("products")
        .and_then(Value::as_list)
        .unwrap()
        .iter()
        .map(|p| p.get("id").and_then(Value::as_str).unwrap().to_owned())
        .collect()
}

/// The two function calls whose answers must not depend on the host or the
/// phase: a built-in product, and a product only `extra_catalogs` has.
async fn check_functions(host: &mut Host, when: &str) -> (Vec<u8>, String) {
    let builtin = host
        .call("service_ports", vec![string("spotfire"), string("server")])
        .await
        .unwrap_or_else(|e| panic!("{when}: {e:?}"));
    assert_eq!(port_lines(&builtin), SPOTFIRE_SERVER, "{when}");
    let (text, argument) = host
        .call("service_ports", vec![string("acme-crm"), string("app")])
        .await
        .expect_err(when);
    assert_eq!(argument, Some(0), "{when}: {text}");
    assert!(
        text.starts_with("product: the built-in catalog has no product \"acme-crm\".")
            && text.contains("Functions read only the built-in catalog, never extra_catalogs"),
        "{when}: {text}"
    );
    (builtin, text)
}

/// Both call orders, on the protocol the host `offered` leads to.
async fn functions_ignore_extra_catalogs(offered: &str, protocol: u32) {
    // Terraform (every phase) and OpenTofu validate: functions on an
    // unconfigured provider, then the provider is configured and they are
    // called again in the same process.
    let (srv, mut host) = Host::start(offered).await;
    assert_eq!(srv.handshake.protocol, protocol, "offered {offered}");
    let before = check_functions(&mut host, "before ConfigureProvider").await;
    assert_eq!(
        host.configure(provider_config_with_acme()).await,
        Vec::<String>::new()
    );
    let after = check_functions(&mut host, "after ConfigureProvider").await;
    assert_eq!(before, after, "the same bytes before and after configuring");
    // The configuration did take: the data sources see the extra product.
    let products = catalog_products(&mut host).await;
    assert!(products.contains(&"acme-crm".to_owned()), "{products:?}");
    shutdown(&srv.handshake).await;
    join(srv.thread).await;

    // OpenTofu plan and apply: configured first, with extra_catalogs.
    let (srv, mut host) = Host::start(offered).await;
    assert_eq!(
        host.configure(provider_config_with_acme()).await,
        Vec::<String>::new()
    );
    let configured_first = check_functions(&mut host, "configured first").await;
    assert_eq!(configured_first, before);
    shutdown(&srv.handshake).await;
    join(srv.thread).await;
}

#[tokio::test]
async fn functions_give_the_same_answer_configured_or_not_protocol_6() {
    functions_ignore_extra_catalogs("6,5", 6).await;
}

#[tokio::test]
async fn functions_give_the_same_answer_configured_or_not_protocol_5() {
    functions_ignore_extra_catalogs("5", 5).await;
}

#[tokio::test]
async fn versions_offered_in_either_order_pick_protocol_6() {
    // OpenTofu offers "6,5", Terraform "5,6"; a host offering only 5 gets 5.
    for (offered, protocol) in [("6,5", 6), ("5,6", 6), ("5", 5), ("6", 6)] {
        let (srv, mut host) = Host::start(offered).await;
        assert_eq!(srv.handshake.protocol, protocol, "offered {offered}");
        // The negotiated service answers a real call.
        let key = host
            .call(
                "rule_key",
                vec![
                    string("app"),
                    string("ingress"),
                    string("clients"),
                    string("tcp"),
                    number(4100),
                    number(4100),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            decode_msgpack(&key, &Type::String).unwrap().as_str(),
            Some("app:ingress:clients:tcp:4100"),
            "offered {offered}"
        );
        shutdown(&srv.handshake).await;
        join(srv.thread).await;
    }
}

#[tokio::test]
async fn resource_identity_schemas_are_empty_over_both_protocols() {
    for (offered, protocol) in [("6,5", 6), ("5", 5)] {
        let (srv, mut host) = Host::start(offered).await;
        assert_eq!(srv.handshake.protocol, protocol);
        // No schemas (the provider has no managed resource with an
        // identity), no diagnostics, and not Unimplemented.
        assert_eq!(host.identity_schemas().await, (0, 0), "protocol {protocol}");
        // Called again, as OpenTofu does on every schema load.
        assert_eq!(host.identity_schemas().await, (0, 0), "protocol {protocol}");
        shutdown(&srv.handshake).await;
        join(srv.thread).await;
    }
}

#[tokio::test]
async fn a_null_function_argument_sent_empty_names_its_argument() {
    for (offered, protocol) in [("6,5", 6), ("5", 5)] {
        let (srv, mut host) = Host::start(offered).await;
        assert_eq!(srv.handshake.protocol, protocol);
        // service_ports(null, "server"): the first argument, by name.
        let e = host
            .call("service_ports", vec![Vec::new(), string("server")])
            .await
            .unwrap_err();
        assert_eq!(
            e,
            (
                "product: the argument must not be null.".to_owned(),
                Some(0)
            ),
            "protocol {protocol}"
        );
        // rule_key(..., to_port = null): the sixth argument (index 5).
        let e = host
            .call(
                "rule_key",
                vec![
                    string("app"),
                    string("ingress"),
                    string("clients"),
                    string("tcp"),
                    number(4100),
                    Vec::new(),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(
            e,
            (
                "to_port: the argument must not be null.".to_owned(),
                Some(5)
            ),
            "protocol {protocol}"
        );
        // The provider still serves after both.
        let ok = host
            .call("service_ports", vec![string("spotfire"), string("server")])
            .await
            .unwrap();
        assert_eq!(port_lines(&ok), SPOTFIRE_SERVER);
        shutdown(&srv.handshake).await;
        join(srv.thread).await;
    }
}

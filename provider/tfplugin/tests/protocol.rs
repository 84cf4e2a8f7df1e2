//! Protocol-level tests: a tiny provider served in-process (or the example
//! binary as a child process), driven by a tonic client the way Terraform
//! drives a provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use common::test_provider::{TestProvider, echo_block};
use common::{ClientAuth, channel, join, provider_client, shutdown, start};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::server::Provider;
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).unwrap(),
        json: vec![],
    })
}

async fn schema_works(
    client: &mut ProviderClient<tonic::transport::Channel>,
) -> pb::get_provider_schema::Response {
    client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner()
}

fn is_success(code: ExitCode) -> bool {
    format!("{code:?}") == format!("{:?}", ExitCode::SUCCESS)
}

/// Status 0, well before the server's 2 s grace period for in-flight work.
fn assert_exits_promptly((code, took): (ExitCode, Duration)) {
    assert!(is_success(code), "{code:?}");
    eprintln!("exit {took:?} after Shutdown");
    assert!(
        took < Duration::from_millis(1500),
        "exit took {took:?} after Shutdown"
    );
}

#[tokio::test]
async fn tls_client_with_the_announced_certificate_is_served() {
    let srv = start(TestProvider::new(), &[]);
    assert!(srv.handshake.server_cert.is_some(), "TLS is on by default");
    let mut client = provider_client(&srv.handshake).await;
    let resp = schema_works(&mut client).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert!(
        resp.server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );
    let echo = &resp.data_source_schemas["test_echo"];
    let block = echo.block.as_ref().unwrap();
    let input = block.attributes.iter().find(|a| a.name == "input").unwrap();
    assert_eq!(input.r#type, br#""string""#.to_vec());
    assert!(input.required);
    let nodes = block.attributes.iter().find(|a| a.name == "nodes").unwrap();
    assert_eq!(
        nodes.nested_type.as_ref().unwrap().nesting,
        pb::schema::object::NestingMode::Map as i32
    );
    assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    let join_fn = &resp.functions["join"];
    assert_eq!(
        join_fn.variadic_parameter.as_ref().unwrap().r#type,
        br#""string""#.to_vec()
    );
    assert_eq!(
        join_fn.r#return.as_ref().unwrap().r#type,
        br#""string""#.to_vec()
    );
    assert!(resp.provider.is_some());

    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

async fn refused(hs: &common::Handshake, auth: ClientAuth) -> String {
    match channel(hs, auth).await {
        Err(e) => e,
        Ok(ch) => {
            let err = ProviderClient::new(ch)
                .get_provider_schema(pb::get_provider_schema::Request {})
                .await
                .expect_err("an unauthenticated client must not be served");
            format!("{err:?}")
        }
    }
}

#[tokio::test]
async fn tls_client_with_another_certificate_is_refused() {
    let srv = start(TestProvider::new(), &[]);
    let err = refused(&srv.handshake, ClientAuth::Other).await;
    assert!(!err.is_empty());
    // The server keeps serving Terraform.
    let mut client = provider_client(&srv.handshake).await;
    schema_works(&mut client).await;
    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

#[tokio::test]
async fn tls_client_without_a_certificate_is_refused() {
    let srv = start(TestProvider::new(), &[]);
    let err = refused(&srv.handshake, ClientAuth::Nothing).await;
    assert!(!err.is_empty());
    let mut client = provider_client(&srv.handshake).await;
    schema_works(&mut client).await;
    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

#[tokio::test]
async fn plaintext_only_when_tls_is_disabled() {
    let srv = start(
        TestProvider::new(),
        &[("TF_DISABLE_PLUGIN_TLS", "1"), ("PLUGIN_CLIENT_CERT", "")],
    );
    assert!(
        srv.handshake.line.ends_with("|grpc|\n"),
        "{:?}",
        srv.handshake.line
    );
    assert!(srv.handshake.server_cert.is_none());
    let mut client = provider_client(&srv.handshake).await;
    schema_works(&mut client).await;
    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

#[tokio::test]
async fn port_range_is_respected() {
    let srv = start(
        TestProvider::new(),
        &[("PLUGIN_MIN_PORT", "21000"), ("PLUGIN_MAX_PORT", "21999")],
    );
    assert!(
        (21000..=21999).contains(&srv.handshake.addr.port()),
        "{}",
        srv.handshake.addr
    );
    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

#[tokio::test]
async fn data_source_validate_and_read() {
    let srv = start(TestProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;
    let ty = echo_block().value_type();

    // Configure with the provider block.
    let provider_ty = TestProvider::new().schema().provider.block.value_type();
    let resp = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dv(&Value::object([("region", "bad")]), &provider_ty),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    assert_eq!(resp.diagnostics[0].detail, "1.15.5");

    // Unknown values reach validation (input from a resource not yet created).
    let config = Value::object([
        ("input", Value::Unknown),
        ("nodes", Value::Null),
        ("output", Value::Null),
    ]);
    let bytes = encode_msgpack(&config, &ty).unwrap();
    assert!(bytes.windows(3).any(|w| w == [0xd4, 0, 0]));
    let resp = client
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "test_echo".into(),
            config: dv(&config, &ty),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

    // A diagnostic with a path into a map of nested objects.
    let config = Value::object([
        ("input", Value::from("x")),
        (
            "nodes",
            Value::map([(
                "app",
                Value::object([
                    ("cidrs", Value::list(["10.0.0.0/8", "oops"])),
                    ("public", Value::Null),
                ]),
            )]),
        ),
        ("output", Value::Null),
    ]);
    let resp = client
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "test_echo".into(),
            config: dv(&config, &ty),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    use pb::attribute_path::step::Selector;
    let steps: Vec<_> = resp.diagnostics[0]
        .attribute
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|s| s.selector.clone().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec![
            Selector::AttributeName("nodes".into()),
            Selector::ElementKeyString("app".into()),
            Selector::AttributeName("cidrs".into()),
            Selector::ElementKeyInt(1),
        ]
    );

    // Read: the state comes back with the computed attribute set.
    let resp = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "test_echo".into(),
            config: dv(&config, &ty),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = decode_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("output").and_then(Value::as_str), Some("echo: x"));
    assert_eq!(state.get("nodes"), config.get("nodes"));

    // Unknown type names and malformed values are error diagnostics.
    let resp = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "test_nope".into(),
            config: dv(&config, &ty),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.state.is_none());
    assert_eq!(
        resp.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
    assert!(resp.diagnostics[0].detail.contains("test_nope"));
    let resp = client
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "test_echo".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![0x81, 0xa5, b'i', b'n', b'p', b'u', b't', 0xc3],
                json: vec![],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    assert_eq!(
        resp.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );

    // A resource type the provider does not have: an error diagnostic.
    let resp = client
        .read_resource(pb::read_resource::Request {
            type_name: "test_nope".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.new_state.is_none());
    assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");

    // Everything not implemented says so.
    let status = client
        .move_resource_state(pb::move_resource_state::Request::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented);

    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

#[tokio::test]
async fn panicking_provider_gives_a_diagnostic_and_the_server_keeps_serving() {
    let srv = start(TestProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;
    let ty = Type::object([("x", Type::String)]);
    for _ in 0..2 {
        let resp = client
            .read_data_source(pb::read_data_source::Request {
                type_name: "test_panic".into(),
                config: dv(&Value::object([("x", "y")]), &ty),
                provider_meta: None,
                client_capabilities: None,
            })
            .await
            .expect("a panic must not kill the RPC")
            .into_inner();
        assert!(resp.state.is_none());
        assert_eq!(resp.diagnostics.len(), 1);
        assert_eq!(
            resp.diagnostics[0].severity,
            pb::diagnostic::Severity::Error as i32
        );
        assert_eq!(resp.diagnostics[0].summary, "Provider panicked");
        assert!(
            resp.diagnostics[0]
                .detail
                .contains("the test provider panics on purpose")
        );
    }
    let resp = client
        .call_function(pb::call_function::Request {
            name: "boom".into(),
            arguments: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.unwrap().text.contains("boom went the function"));
    // Still serving.
    schema_works(&mut client).await;
    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

#[tokio::test]
async fn functions() {
    let srv = start(TestProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;
    let s = |v: &str| dv(&Value::from(v), &Type::String).unwrap();
    let call = |name: &str, args: Vec<pb::DynamicValue>| pb::call_function::Request {
        name: name.into(),
        arguments: args,
    };

    let resp = client
        .call_function(call("upper", vec![s("abc")]))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.is_none(), "{:?}", resp.error);
    let v = decode_msgpack(&resp.result.unwrap().msgpack, &Type::String).unwrap();
    assert_eq!(v.as_str(), Some("ABC"));

    // Variadic arguments arrive one DynamicValue each; the provider gets a list.
    let resp = client
        .call_function(call("join", vec![s("-"), s("a"), s("b"), s("c")]))
        .await
        .unwrap()
        .into_inner();
    let v = decode_msgpack(&resp.result.unwrap().msgpack, &Type::String).unwrap();
    assert_eq!(v.as_str(), Some("a-b-c"));
    let resp = client
        .call_function(call("join", vec![s("-")]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode_msgpack(&resp.result.unwrap().msgpack, &Type::String)
            .unwrap()
            .as_str(),
        Some("")
    );

    let resp = client
        .call_function(call("join", vec![s("-"), s("bad")]))
        .await
        .unwrap()
        .into_inner();
    let err = resp.error.unwrap();
    assert_eq!(err.text, "no bad parts");
    assert_eq!(err.function_argument, Some(1));

    // A number where a string is expected: the argument is named.
    let resp = client
        .call_function(call(
            "upper",
            vec![dv(&Value::from(1), &Type::Number).unwrap()],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.error.unwrap().function_argument, Some(0));

    let resp = client
        .call_function(call("nope", vec![]))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.unwrap().text.contains("nope"));
    let resp = client
        .call_function(call("upper", vec![]))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.is_some());

    let resp = client
        .get_functions(pb::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.functions.len(), 4);
    let meta = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.data_sources.len(), 4);
    assert_eq!(meta.functions.len(), 4);
    let stop = client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stop.error, "");

    shutdown(&srv.handshake).await;
    assert_exits_promptly(join(srv.thread).await);
}

#[test]
fn no_cookie_prints_a_friendly_message_and_fails() {
    let out = Command::new(common::example_binary())
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plugin for Terraform/OpenTofu"), "{stderr}");
    assert!(stderr.contains("not meant to be run directly"), "{stderr}");
    assert!(stderr.contains("README"), "{stderr}");

    let out = Command::new(common::example_binary())
        .env_clear()
        .env(common::COOKIE.0, "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn no_common_protocol_is_a_clear_error() {
    let out = Command::new(common::example_binary())
        .env_clear()
        .env(common::COOKIE.0, common::COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "3,4")
        .env("PLUGIN_CLIENT_CERT", common::CLIENT_CERT_PEM)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("protocol 5, 6"), "{stderr}");
    assert!(stderr.contains("3,4"), "{stderr}");
}

#[test]
fn tls_without_client_cert_is_a_clear_error() {
    let out = Command::new(common::example_binary())
        .env_clear()
        .env(common::COOKIE.0, common::COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PLUGIN_CLIENT_CERT"));
}

// Multi-threaded so the client's connections keep being driven while the test
// waits for the child (the server's HTTP/2 graceful shutdown waits for them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_binary_handshakes_serves_and_exits_0_on_shutdown() {
    let started = Instant::now();
    let mut child = Command::new(common::example_binary())
        .env_clear()
        .env(common::COOKIE.0, common::COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", common::CLIENT_CERT_PEM)
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env(
            "TF_LOG",
            std::env::var("TEST_PLUGIN_LOG").unwrap_or_default(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain stderr as Terraform does (a full pipe would block the plugin).
    let mut stderr = child.stderr.take().unwrap();
    let stderr_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let handshake_after = started.elapsed();
    let hs = common::parse_handshake(&line);
    assert!((10000..=25000).contains(&hs.addr.port()));
    assert!(hs.server_cert.is_some());
    // Generous bound for a debug build on a loaded machine; typically a few ms.
    assert!(
        handshake_after < Duration::from_secs(2),
        "handshake took {handshake_after:?}"
    );

    let mut client = provider_client(&hs).await;
    let resp = schema_works(&mut client).await;
    assert!(resp.data_source_schemas.contains_key("portmapdemo_echo"));
    let resp = client
        .call_function(pb::call_function::Request {
            name: "join".into(),
            arguments: ["+", "a", "b"]
                .iter()
                .map(|s| dv(&Value::from(*s), &Type::String).unwrap())
                .collect(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode_msgpack(&resp.result.unwrap().msgpack, &Type::String)
            .unwrap()
            .as_str(),
        Some("a+b")
    );

    shutdown(&hs).await;
    let shutdown_at = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the plugin did not exit after Shutdown"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
    let exit_after = shutdown_at.elapsed();
    let err = stderr_reader.join().unwrap();
    assert!(
        exit_after < Duration::from_millis(1500),
        "exit took {exit_after:?} after Shutdown\n{err}"
    );
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "only the handshake line goes to stdout");
    eprintln!("handshake line after {handshake_after:?}, exit {exit_after:?} after Shutdown");
}

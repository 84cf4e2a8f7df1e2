//! Protocol hardening at the gRPC level, over mutual TLS as Terraform
//! connects: concurrency, StopProvider and Shutdown during a request,
//! malformed and mistyped values, unknown names, refused clients, and a
//! start without the magic cookie.
//!
//! Behaviour defined here:
//! - Requests run concurrently (64 reads are in the provider at once) and
//!   each gets its own answer.
//! - `StopProvider` while a request runs: answered at once (the provider's
//!   `stop` runs beside the request); the running request ends as the
//!   provider decides (here: an "Interrupted" error diagnostic); the server
//!   keeps serving.
//! - `Shutdown` while a request runs: answered at once; the process ends
//!   with status 0 within the 250 ms grace period, not waiting for the
//!   provider call, and the client's pending call fails with a transport
//!   error instead of hanging.
//! - Malformed msgpack, a wrong type, a JSON-only value, an unknown data
//!   source or function: an error diagnostic (or function error) naming the
//!   problem, never a gRPC error, a panic or a dead server.
//! - A client without Terraform's certificate, with its certificate but
//!   another key, or over TLS 1.2 is refused; the server keeps serving
//!   Terraform.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::test_provider::{Probe, TestProvider, echo_block, gather_block, slow_block};
use common::{ClientAuth, channel, join, provider_client, shutdown, start};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};
use tonic::transport::Channel;

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).unwrap(),
        json: vec![],
    })
}

fn raw(msgpack: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack,
        json: vec![],
    })
}

fn read_req(type_name: &str, config: Option<pb::DynamicValue>) -> pb::read_data_source::Request {
    pb::read_data_source::Request {
        type_name: type_name.into(),
        config,
        provider_meta: None,
        client_capabilities: None,
    }
}

fn validate_req(
    type_name: &str,
    config: Option<pb::DynamicValue>,
) -> pb::validate_data_resource_config::Request {
    pb::validate_data_resource_config::Request {
        type_name: type_name.into(),
        config,
    }
}

fn is_success(code: ExitCode) -> bool {
    format!("{code:?}") == format!("{:?}", ExitCode::SUCCESS)
}

async fn still_serves(client: &mut ProviderClient<Channel>) {
    let resp = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("the server still serves")
        .into_inner();
    assert!(resp.diagnostics.is_empty());
}

fn echo_config(input: &str, node: &str) -> Value {
    Value::object([
        ("input", Value::from(input)),
        (
            "nodes",
            Value::map([(
                node,
                Value::object([
                    ("cidrs", Value::list([format!("10.0.{}.0/24", input.len())])),
                    ("public", Value::from(input.len().is_multiple_of(2))),
                ]),
            )]),
        ),
        ("output", Value::Null),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_reads_each_get_their_own_answer() {
    let srv = start(TestProvider::new(), &[]);
    let client = provider_client(&srv.handshake).await;
    let ty = echo_block().value_type();
    // Different inputs, different outputs: each answer is checked against
    // its own request.
    let mut tasks = Vec::new();
    for i in 0..64 {
        let mut client = client.clone();
        let ty = ty.clone();
        tasks.push(tokio::spawn(async move {
            let input = format!("request-{i}-{}", "x".repeat(i));
            let node = format!("node{i}");
            let config = echo_config(&input, &node);
            let resp = client
                .read_data_source(read_req("test_echo", dv(&config, &ty)))
                .await
                .unwrap()
                .into_inner();
            assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
            let state = decode_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
            assert_eq!(
                state.get("output").and_then(Value::as_str),
                Some(format!("echo: {input}").as_str())
            );
            assert_eq!(state.get("nodes"), config.get("nodes"));
            i
        }));
    }
    let mut done: Vec<usize> = Vec::new();
    for t in tasks {
        done.push(t.await.unwrap());
    }
    done.sort_unstable();
    assert_eq!(done, (0..64).collect::<Vec<_>>());
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_reads_are_in_the_provider_at_the_same_time() {
    let srv = start(TestProvider::new(), &[]);
    // Terraform multiplexes its calls on one connection; use two as well.
    let first = provider_client(&srv.handshake).await;
    let second = provider_client(&srv.handshake).await;
    let ty = gather_block().value_type();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let mut client = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let ty = ty.clone();
        tasks.push(tokio::spawn(async move {
            let config = Value::object([
                ("input", Value::from(format!("g{i}"))),
                ("parties", Value::from(64)),
                ("output", Value::Null),
            ]);
            let resp = client
                .read_data_source(read_req("test_gather", dv(&config, &ty)))
                .await
                .unwrap()
                .into_inner();
            assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
            let state = decode_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
            assert_eq!(
                state.get("output").and_then(Value::as_str),
                Some(format!("gathered: g{i}").as_str())
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    eprintln!("64 gathered reads in {:?}", started.elapsed());
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_provider_during_a_slow_read_interrupts_it_and_the_server_keeps_serving() {
    let probe = Arc::new(Probe::default());
    let srv = start(TestProvider::with_probe(Arc::clone(&probe)), &[]);
    let mut client = provider_client(&srv.handshake).await;
    let ty = slow_block().value_type();
    let config = Value::object([("input", Value::from("s")), ("output", Value::Null)]);
    let mut reader = client.clone();
    let slow = tokio::spawn(async move {
        let started = Instant::now();
        let resp = reader
            .read_data_source(read_req("test_slow", dv(&config, &ty)))
            .await
            .unwrap()
            .into_inner();
        (resp, started.elapsed())
    });
    probe.slow_reads_started(1).await;

    let asked = Instant::now();
    let stop = client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stop.error, "");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "StopProvider took {:?}",
        asked.elapsed()
    );
    assert_eq!(probe.stops.load(Ordering::SeqCst), 1);

    let (resp, took) = slow.await.unwrap();
    assert!(resp.state.is_none());
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    assert_eq!(resp.diagnostics[0].summary, "Interrupted");
    assert!(took < Duration::from_secs(5), "the read took {took:?}");

    still_serves(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_during_a_slow_read_exits_promptly_and_the_pending_call_fails() {
    let probe = Arc::new(Probe::default());
    let srv = start(TestProvider::with_probe(Arc::clone(&probe)), &[]);
    let client = provider_client(&srv.handshake).await;
    let ty = slow_block().value_type();
    let mut pending = Vec::new();
    for i in 0..3 {
        let mut reader = client.clone();
        let ty = ty.clone();
        pending.push(tokio::spawn(async move {
            let config = Value::object([
                ("input", Value::from(format!("s{i}"))),
                ("output", Value::Null),
            ]);
            reader
                .read_data_source(read_req("test_slow", dv(&config, &ty)))
                .await
        }));
    }
    probe.slow_reads_started(3).await;

    let asked = Instant::now();
    shutdown(&srv.handshake).await;
    let (code, took) = join(srv.thread).await;
    assert!(is_success(code), "{code:?}");
    eprintln!("exit {took:?} after Shutdown with 3 reads in the provider");
    // The grace period is 250 ms; the provider calls would take 10 s.
    assert!(
        asked.elapsed() < Duration::from_millis(1500),
        "exit took {:?} after Shutdown",
        asked.elapsed()
    );
    for p in pending {
        let outcome = tokio::time::timeout(Duration::from_secs(5), p)
            .await
            .expect("a pending call must not hang after Shutdown")
            .unwrap();
        let status = outcome.expect_err("the server is gone: the pending call fails");
        eprintln!("pending call: {:?}", status.code());
    }
    // The provider was never told to stop: its calls were abandoned.
    assert_eq!(probe.stops.load(Ordering::SeqCst), 0);
}

/// Payloads that are not msgpack values of the echo configuration type.
fn malformed() -> Vec<(&'static str, Vec<u8>)> {
    let ty = echo_block().value_type();
    let valid = encode_msgpack(&echo_config("x", "app"), &ty).unwrap();
    let mut trailing = valid.clone();
    trailing.push(0xc0);
    let mut bad_utf8 = vec![0x83, 0xa5];
    bad_utf8.extend_from_slice(b"input");
    bad_utf8.extend_from_slice(&[0xa2, 0xff, 0xfe]);
    bad_utf8.extend_from_slice(&[0xa5]);
    bad_utf8.extend_from_slice(b"nodes");
    bad_utf8.push(0xc0);
    bad_utf8.extend_from_slice(&[0xa6]);
    bad_utf8.extend_from_slice(b"output");
    bad_utf8.push(0xc0);
    vec![
        ("reserved marker", vec![0xc1]),
        ("truncated", valid[..valid.len() / 2].to_vec()),
        ("trailing bytes", trailing),
        (
            "map32 claiming 4 billion entries",
            vec![0xdf, 0xff, 0xff, 0xff, 0xff],
        ),
        (
            "str32 longer than the data",
            vec![0xdb, 0x7f, 0xff, 0xff, 0xff, b'a'],
        ),
        ("an array, not an object", vec![0x93, 1, 2, 3]),
        ("unsupported extension type", vec![0xd4, 5, 0]),
        ("invalid UTF-8 in a string", bad_utf8),
        ("dynamic values nested 50,000 deep", nested_dynamic(50_000)),
        (
            "random bytes",
            (0u32..4096)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
        ),
    ]
}

/// `[["list","dynamic"], [[["list","dynamic"], [...]]]]`, `levels` deep.
fn nested_dynamic(levels: usize) -> Vec<u8> {
    let ty = br#"["list","dynamic"]"#;
    let mut out = Vec::new();
    for _ in 0..levels {
        out.push(0x92);
        out.push(0xc4);
        out.push(ty.len() as u8);
        out.extend_from_slice(ty);
        out.push(0x91);
    }
    out.push(0xc0);
    out
}

#[tokio::test]
async fn malformed_msgpack_is_an_error_diagnostic_and_the_server_keeps_serving() {
    let srv = start(TestProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;
    for (what, bytes) in malformed() {
        let resp = client
            .validate_data_resource_config(validate_req("test_echo", raw(bytes.clone())))
            .await
            .unwrap_or_else(|e| panic!("{what}: a gRPC error instead of a diagnostic: {e}"))
            .into_inner();
        assert_eq!(resp.diagnostics.len(), 1, "{what}: {:?}", resp.diagnostics);
        let d = &resp.diagnostics[0];
        assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32, "{what}");
        assert_eq!(d.summary, "Invalid value", "{what}");
        eprintln!("{what}: {}", d.detail);

        let resp = client
            .read_data_source(read_req("test_echo", raw(bytes.clone())))
            .await
            .unwrap()
            .into_inner();
        assert!(resp.state.is_none(), "{what}");
        assert_eq!(resp.diagnostics[0].summary, "Invalid value", "{what}");

        let resp = client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.15.5".into(),
                config: raw(bytes.clone()),
                client_capabilities: None,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resp.diagnostics[0].summary, "Invalid value", "{what}");

        let resp = client
            .call_function(pb::call_function::Request {
                name: "kind".into(),
                arguments: vec![pb::DynamicValue {
                    msgpack: bytes,
                    json: vec![],
                }],
            })
            .await
            .unwrap()
            .into_inner();
        // A dynamic argument: these bytes are not a [type, value] pair
        // (or not a well-formed one).
        let err = resp
            .error
            .unwrap_or_else(|| panic!("{what}: no function error"));
        assert_eq!(err.function_argument, Some(0), "{what}");
    }
    // A dynamic value whose type is nested far too deeply.
    let deep_type = format!("{}\"string\"{}", "[\"list\",".repeat(100), "]".repeat(100));
    let mut bytes = vec![0x92, 0xc6];
    bytes.extend_from_slice(&(deep_type.len() as u32).to_be_bytes());
    bytes.extend_from_slice(deep_type.as_bytes());
    bytes.push(0x90);
    let resp = client
        .call_function(pb::call_function::Request {
            name: "kind".into(),
            arguments: vec![pb::DynamicValue {
                msgpack: bytes,
                json: vec![],
            }],
        })
        .await
        .unwrap()
        .into_inner();
    let err = resp.error.unwrap();
    assert!(err.text.contains("too deep"), "{}", err.text);

    still_serves(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test]
async fn a_wrong_type_in_a_value_names_the_attribute() {
    use pb::attribute_path::step::Selector;
    let srv = start(TestProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;
    // Typed as the schema says, but with a number for `input` and a string
    // for `nodes["app"].cidrs`: encode each with a lying type.
    let lying = Type::object([
        ("input", Type::Number),
        ("nodes", Type::Dynamic),
        ("output", Type::String),
    ]);
    let bytes = encode_msgpack(
        &Value::object([
            ("input", Value::from(42)),
            ("nodes", Value::Null),
            ("output", Value::Null),
        ]),
        &lying,
    )
    .unwrap();
    let resp = client
        .read_data_source(read_req("test_echo", raw(bytes)))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.state.is_none());
    let d = &resp.diagnostics[0];
    assert_eq!(d.summary, "Invalid value");
    assert!(
        d.detail.contains("a string is required, found an integer"),
        "{}",
        d.detail
    );
    let steps: Vec<_> = d
        .attribute
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|s| s.selector.clone().unwrap())
        .collect();
    assert_eq!(steps, vec![Selector::AttributeName("input".into())]);

    let lying = Type::object([
        ("input", Type::String),
        (
            "nodes",
            Type::map(Type::object([
                ("cidrs", Type::String),
                ("public", Type::Bool),
            ])),
        ),
        ("output", Type::String),
    ]);
    let bytes = encode_msgpack(
        &Value::object([
            ("input", Value::from("x")),
            (
                "nodes",
                Value::map([(
                    "app",
                    Value::object([
                        ("cidrs", Value::from("10.0.0.0/8")),
                        ("public", Value::Null),
                    ]),
                )]),
            ),
            ("output", Value::Null),
        ]),
        &lying,
    )
    .unwrap();
    let resp = client
        .validate_data_resource_config(validate_req("test_echo", raw(bytes)))
        .await
        .unwrap()
        .into_inner();
    let d = &resp.diagnostics[0];
    assert!(
        d.detail.contains("a list is required, found a string"),
        "{}",
        d.detail
    );
    let steps: Vec<_> = d
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
        ]
    );

    // An attribute the schema does not have, and one missing.
    let bytes = encode_msgpack(
        &Value::object([("input", Value::from("x")), ("extra", Value::from(true))]),
        &Type::object([("input", Type::String), ("extra", Type::Bool)]),
    )
    .unwrap();
    let resp = client
        .validate_data_resource_config(validate_req("test_echo", raw(bytes)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Invalid value");

    // JSON-only values (the protocol allows them; Terraform sends msgpack).
    let resp = client
        .read_data_source(read_req(
            "test_echo",
            Some(pb::DynamicValue {
                msgpack: vec![],
                json: br#"{"input":"x"}"#.to_vec(),
            }),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Unsupported value encoding");

    // A wrongly typed function argument names the argument.
    let resp = client
        .call_function(pb::call_function::Request {
            name: "join".into(),
            arguments: vec![
                dv(&Value::from("-"), &Type::String).unwrap(),
                dv(&Value::from("a"), &Type::String).unwrap(),
                dv(&Value::list(["b"]), &Type::list(Type::String)).unwrap(),
            ],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.error.unwrap().function_argument, Some(2));

    still_serves(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test]
async fn unknown_data_sources_and_functions_are_errors() {
    let srv = start(TestProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;
    let config = dv(
        &Value::object([("x", "y")]),
        &Type::object([("x", Type::String)]),
    );
    let resp = client
        .validate_data_resource_config(validate_req("test_nope", config.clone()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    assert_eq!(resp.diagnostics[0].summary, "Unknown data source type");
    assert!(resp.diagnostics[0].detail.contains("\"test_nope\""));
    let resp = client
        .read_data_source(read_req("test_nope", config))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.state.is_none());
    assert_eq!(resp.diagnostics[0].summary, "Unknown data source type");
    let resp = client
        .read_data_source(read_req("", None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Unknown data source type");

    let resp = client
        .call_function(pb::call_function::Request {
            name: "nope".into(),
            arguments: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    let err = resp.error.unwrap();
    assert!(
        err.text.contains("no function named \"nope\""),
        "{}",
        err.text
    );
    assert_eq!(err.function_argument, None);
    // Too many arguments for a function without a variadic parameter.
    let s = dv(&Value::from("a"), &Type::String).unwrap();
    let resp = client
        .call_function(pb::call_function::Request {
            name: "upper".into(),
            arguments: vec![s.clone(), s],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.unwrap().text.contains("takes 1 argument"));

    // This provider has no resources: the resource RPCs answer with an
    // error diagnostic naming the type, and no state.
    let resp = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_nope".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.planned_state.is_none());
    assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");
    assert!(resp.diagnostics[0].detail.contains("\"test_nope\""));
    let resp = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_nope".into(),
            id: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.imported_resources.is_empty());
    assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");

    still_serves(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

async fn refused(hs: &common::Handshake, auth: ClientAuth) -> String {
    match channel(hs, auth).await {
        Err(e) => e,
        Ok(ch) => {
            let err = ProviderClient::new(ch)
                .get_provider_schema(pb::get_provider_schema::Request {})
                .await
                .expect_err("this client must not be served");
            format!("{err:?}")
        }
    }
}

#[tokio::test]
async fn clients_without_terraforms_certificate_and_key_over_tls13_are_refused() {
    let srv = start(TestProvider::new(), &[]);
    for auth in [
        ClientAuth::Other,
        ClientAuth::Nothing,
        ClientAuth::ExpectedCertWrongKey,
        ClientAuth::ExpectedTls12Only,
    ] {
        let name = match auth {
            ClientAuth::Other => "another certificate",
            ClientAuth::Nothing => "no certificate",
            ClientAuth::ExpectedCertWrongKey => "Terraform's certificate with another key",
            ClientAuth::ExpectedTls12Only => "TLS 1.2",
            ClientAuth::Expected => unreachable!(),
        };
        let err = refused(&srv.handshake, auth).await;
        eprintln!("{name}: {err}");
        assert!(!err.is_empty(), "{name}");
    }
    // Plain HTTP/2 without TLS is refused too.
    let plain = common::Handshake {
        server_cert: None,
        ..srv.handshake.clone()
    };
    let err = refused(&plain, ClientAuth::Expected).await;
    assert!(!err.is_empty());
    // Terraform is still served.
    let mut client = provider_client(&srv.handshake).await;
    still_serves(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[test]
fn without_the_magic_cookie_nothing_is_served() {
    let cert = common::CLIENT_CERT_PEM;
    // The right cookie but for its last character.
    let right = tfplugin::server::MAGIC_COOKIE_VALUE;
    let wrong = format!("{}x", &right[..right.len() - 1]);
    let wrong = wrong.as_str();
    let cases: [(&str, Option<&str>); 3] = [
        ("missing", None),
        ("wrong", Some(wrong)),
        ("empty", Some("")),
    ];
    for (what, cookie) in cases {
        let env = |k: &str| match k {
            k if k == tfplugin::server::MAGIC_COOKIE_KEY => cookie.map(str::to_owned),
            "PLUGIN_PROTOCOL_VERSIONS" => Some("5,6".to_owned()),
            "PLUGIN_CLIENT_CERT" => Some(cert.to_owned()),
            _ => None,
        };
        let mut stdout = Vec::new();
        let started = Instant::now();
        let code = tfplugin::server::serve_with_env(TestProvider::new(), &env, &mut stdout);
        assert!(!is_success(code), "{what} cookie: {code:?}");
        assert!(
            stdout.is_empty(),
            "{what} cookie: no handshake, no listener"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{what} cookie: returns at once"
        );
    }
}

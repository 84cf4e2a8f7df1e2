//! Protocol 5 at the gRPC level: the same provider served as
//! `tfplugin5.Provider` when the host offers only protocol 5 (or when
//! `TFPLUGIN_PROTOCOL_VERSION_OVERRIDE=5` asks for it), over the same mutual
//! TLS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::test_provider::{Probe, TestProvider, echo_block, provider_block, slow_block};
use common::{ClientAuth, channel, join, provider_client_v5, shutdown, start};
use tfplugin::proto::tfplugin5 as pb;
use tfplugin::proto::tfplugin5::provider_client::ProviderClient;
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};
use tonic::transport::Channel;

const ONLY_5: (&str, &str) = ("PLUGIN_PROTOCOL_VERSIONS", "5");

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).unwrap(),
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

fn is_success(code: ExitCode) -> bool {
    format!("{code:?}") == format!("{:?}", ExitCode::SUCCESS)
}

async fn schema(client: &mut ProviderClient<Channel>) -> pb::get_provider_schema::Response {
    client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema")
        .into_inner()
}

#[tokio::test]
async fn protocol_5_is_served_when_6_is_not_offered_and_6_is_preferred() {
    let srv = start(TestProvider::new(), &[ONLY_5]);
    assert_eq!(srv.handshake.protocol, 5);
    assert!(srv.handshake.line.starts_with("1|5|tcp|127.0.0.1:"));
    let mut client = provider_client_v5(&srv.handshake).await;
    let resp = schema(&mut client).await;
    assert!(resp.diagnostics.is_empty());
    assert!(
        resp.server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );
    // The protocol 6 service is not there.
    let v6 = tfplugin::proto::tfplugin6::provider_client::ProviderClient::new(
        channel(&srv.handshake, ClientAuth::Expected).await.unwrap(),
    )
    .get_provider_schema(tfplugin::proto::tfplugin6::get_provider_schema::Request {})
    .await
    .unwrap_err();
    assert_eq!(v6.code(), tonic::Code::Unimplemented);
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));

    for offered in ["5,6", "6,5", "6"] {
        let srv = start(
            TestProvider::new(),
            &[("PLUGIN_PROTOCOL_VERSIONS", offered)],
        );
        assert_eq!(srv.handshake.protocol, 6, "offered {offered}");
        shutdown(&srv.handshake).await;
        assert!(is_success(join(srv.thread).await.0));
    }
    // The debugging override picks 5 although 6 is offered.
    let srv = start(
        TestProvider::new(),
        &[("TFPLUGIN_PROTOCOL_VERSION_OVERRIDE", "5")],
    );
    assert_eq!(srv.handshake.protocol, 5);
    let mut client = provider_client_v5(&srv.handshake).await;
    schema(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test]
async fn schema_lowers_nested_attributes_to_object_types() {
    let srv = start(TestProvider::new(), &[ONLY_5]);
    let mut client = provider_client_v5(&srv.handshake).await;
    let resp = schema(&mut client).await;
    let block = resp.data_source_schemas["test_echo"].block.clone().unwrap();
    let input = block.attributes.iter().find(|a| a.name == "input").unwrap();
    assert_eq!(input.r#type, br#""string""#.to_vec());
    assert!(input.required);
    let nodes = block.attributes.iter().find(|a| a.name == "nodes").unwrap();
    assert!(nodes.optional && !nodes.required && !nodes.computed);
    assert_eq!(
        String::from_utf8(nodes.r#type.clone()).unwrap(),
        r#"["map",["object",{"cidrs":["list","string"],"public":"bool"},["cidrs","public"]]]"#
    );
    assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    assert_eq!(resp.data_source_schemas.len(), 4);
    let join_fn = &resp.functions["join"];
    assert_eq!(
        join_fn.variadic_parameter.as_ref().unwrap().r#type,
        br#""string""#.to_vec()
    );
    let provider = resp.provider.unwrap().block.unwrap();
    assert_eq!(provider.attributes[0].name, "region");

    let meta = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.data_sources.len(), 4);
    assert_eq!(meta.functions.len(), 4);
    let funcs = client
        .get_functions(pb::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(funcs.functions.len(), 4);
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test]
async fn provider_config_validate_configure_read() {
    use pb::attribute_path::step::Selector;
    let srv = start(TestProvider::new(), &[ONLY_5]);
    let mut client = provider_client_v5(&srv.handshake).await;
    let provider_ty = provider_block().value_type();

    // PrepareProviderConfig is protocol 5's validation; the configuration
    // comes back unchanged.
    let config = dv(&Value::object([("region", "eu")]), &provider_ty);
    let resp = client
        .prepare_provider_config(pb::prepare_provider_config::Request {
            config: config.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty());
    assert_eq!(resp.prepared_config, config);

    let resp = client
        .configure(pb::configure::Request {
            terraform_version: "1.15.5".into(),
            config: dv(&Value::object([("region", "bad")]), &provider_ty),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    assert_eq!(resp.diagnostics[0].detail, "1.15.5");
    assert_eq!(
        resp.diagnostics[0].attribute.as_ref().unwrap().steps[0].selector,
        Some(Selector::AttributeName("region".into()))
    );

    // Values are the same as in protocol 6: every attribute present.
    let ty = echo_block().value_type();
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
        .validate_data_source_config(pb::validate_data_source_config::Request {
            type_name: "test_echo".into(),
            config: dv(&config, &ty),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
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
    // Unknown values reach validation.
    let unknown = Value::object([("input", Value::Unknown)]);
    let resp = client
        .validate_data_source_config(pb::validate_data_source_config::Request {
            type_name: "test_echo".into(),
            config: dv(&unknown, &ty),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

    let resp = client
        .read_data_source(read_req("test_echo", dv(&config, &ty)))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = decode_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("output").and_then(Value::as_str), Some("echo: x"));
    assert_eq!(state.get("nodes"), config.get("nodes"));

    // Unknown data sources, malformed values, panics: error diagnostics.
    let resp = client
        .read_data_source(read_req("test_nope", dv(&config, &ty)))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.state.is_none());
    assert_eq!(resp.diagnostics[0].summary, "Unknown data source type");
    let resp = client
        .read_data_source(read_req(
            "test_echo",
            Some(pb::DynamicValue {
                msgpack: vec![0xc1],
                json: vec![],
            }),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Invalid value");
    let resp = client
        .read_data_source(read_req(
            "test_panic",
            dv(
                &Value::object([("x", "y")]),
                &Type::object([("x", Type::String)]),
            ),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Provider panicked");
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
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test]
async fn functions() {
    let srv = start(TestProvider::new(), &[ONLY_5]);
    let mut client = provider_client_v5(&srv.handshake).await;
    let s = |v: &str| dv(&Value::from(v), &Type::String).unwrap();
    let call = |name: &str, args: Vec<pb::DynamicValue>| pb::call_function::Request {
        name: name.into(),
        arguments: args,
    };
    let result = |resp: pb::call_function::Response| {
        decode_msgpack(&resp.result.unwrap().msgpack, &Type::String)
            .unwrap()
            .as_str()
            .map(str::to_owned)
    };

    let resp = client
        .call_function(call("upper", vec![s("abc")]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result(resp).as_deref(), Some("ABC"));
    let resp = client
        .call_function(call("join", vec![s("-"), s("a"), s("b")]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result(resp).as_deref(), Some("a-b"));
    let resp = client
        .call_function(call("join", vec![s("-"), s("bad")]))
        .await
        .unwrap()
        .into_inner();
    let err = resp.error.unwrap();
    assert_eq!(err.text, "no bad parts");
    assert_eq!(err.function_argument, Some(1));
    let resp = client
        .call_function(call(
            "kind",
            vec![dv(&Value::list([1, 2]), &Type::Dynamic).unwrap()],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result(resp).as_deref(), Some("list"));
    let resp = client
        .call_function(call("boom", vec![]))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.unwrap().text.contains("boom went the function"));
    let resp = client
        .call_function(call("nope", vec![]))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.unwrap().text.contains("nope"));
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_during_a_slow_read_and_concurrent_reads() {
    let probe = Arc::new(Probe::default());
    let srv = start(TestProvider::with_probe(Arc::clone(&probe)), &[ONLY_5]);
    let mut client = provider_client_v5(&srv.handshake).await;

    // 64 concurrent reads, each with its own answer.
    let ty = echo_block().value_type();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let mut client = client.clone();
        let ty = ty.clone();
        tasks.push(tokio::spawn(async move {
            let config = Value::object([("input", Value::from(format!("v5-{i}")))]);
            let resp = client
                .read_data_source(read_req("test_echo", dv(&config, &ty)))
                .await
                .unwrap()
                .into_inner();
            let state = decode_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
            assert_eq!(
                state.get("output").and_then(Value::as_str),
                Some(format!("echo: v5-{i}").as_str())
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    let sty = slow_block().value_type();
    let mut reader = client.clone();
    let slow = tokio::spawn(async move {
        reader
            .read_data_source(read_req(
                "test_slow",
                dv(&Value::object([("input", "s")]), &sty),
            ))
            .await
            .unwrap()
            .into_inner()
    });
    probe.slow_reads_started(1).await;
    let asked = Instant::now();
    let stop = client
        .stop(pb::stop::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stop.error, "");
    assert!(asked.elapsed() < Duration::from_secs(2));
    let resp = slow.await.unwrap();
    assert_eq!(resp.diagnostics[0].summary, "Interrupted");
    schema(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

#[tokio::test]
async fn refused_clients() {
    let srv = start(TestProvider::new(), &[ONLY_5]);
    for auth in [
        ClientAuth::Other,
        ClientAuth::Nothing,
        ClientAuth::ExpectedCertWrongKey,
    ] {
        let refused = match channel(&srv.handshake, auth).await {
            Err(_) => true,
            Ok(ch) => ProviderClient::new(ch)
                .get_schema(pb::get_provider_schema::Request {})
                .await
                .is_err(),
        };
        assert!(refused);
    }
    let mut client = provider_client_v5(&srv.handshake).await;
    schema(&mut client).await;
    shutdown(&srv.handshake).await;
    assert!(is_success(join(srv.thread).await.0));
}

// The example binary as Terraform starts it, offering only protocol 5.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_binary_speaks_protocol_5() {
    let mut child = Command::new(common::example_binary())
        .env_clear()
        .env(common::COOKIE.0, common::COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .env("PLUGIN_CLIENT_CERT", common::CLIENT_CERT_PEM)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let stderr_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let hs = common::parse_handshake(&line);
    assert_eq!(hs.protocol, 5, "{line}");
    let mut client = provider_client_v5(&hs).await;
    let resp = schema(&mut client).await;
    assert!(resp.data_source_schemas.contains_key("portmapdemo_echo"));
    let resp = client
        .call_function(pb::call_function::Request {
            name: "upper".into(),
            arguments: vec![dv(&Value::from("v5"), &Type::String).unwrap()],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode_msgpack(&resp.result.unwrap().msgpack, &Type::String)
            .unwrap()
            .as_str(),
        Some("V5")
    );
    shutdown(&hs).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the plugin did not exit");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0), "{}", stderr_reader.join().unwrap());
}

//! The real portmap provider at the gRPC level: served in-process by
//! `tfplugin::server::serve_with_env` over mutual TLS (AutoMTLS with the test
//! P-521 client certificate) and driven by a tonic client as Terraform
//! drives it, over protocol 6 and protocol 5.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeMap;

use portmap_core::Catalog;
use portmap_core::topology::{Node, NodeKind, ProductConfig, SettingInput, Topology};
use terraform_provider_portmap::PortmapProvider;
use tfplugin::proto::tfplugin5 as pb5;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::server::Provider;
use tfplugin::test_client::{join, provider_client, provider_client_v5, shutdown, start};
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};

fn flows_type() -> Type {
    PortmapProvider::new().schema().data_sources["portmap_flows"]
        .block
        .value_type()
}

/// Topology number `i`: a Tachyon 5 server, its SQL Server and its clients,
/// with node names, addresses and the Switch port all depending on `i`.
fn topology(i: usize) -> Topology {
    let node = |components: &[&str], cidr: String, kind| Node {
        components: components.iter().map(|c| (*c).to_owned()).collect(),
        cidrs: vec![cidr],
        kind,
        ..Node::default()
    };
    let mut t = Topology::default();
    t.nodes.insert(
        format!("app{i}"),
        node(
            &["tachyon-5/master-stack", "tachyon-5/response-stack"],
            format!("10.{i}.1.10/32"),
            NodeKind::Host,
        ),
    );
    t.nodes.insert(
        format!("sql{i}"),
        node(
            &["tachyon-5/sql-server"],
            format!("10.{i}.2.10/32"),
            NodeKind::Host,
        ),
    );
    t.nodes.insert(
        format!("clients{i}"),
        node(
            &["tachyon-5/client", "tachyon-5/browser"],
            format!("10.{}.0.0/16", 100 + i),
            NodeKind::Group,
        ),
    );
    t.products.insert(
        "tachyon-5".into(),
        ProductConfig {
            settings: BTreeMap::from([(
                "switch_port".to_owned(),
                SettingInput::Text((4000 + i).to_string()),
            )]),
            ..ProductConfig::default()
        },
    );
    t
}

fn expected_rule_keys(t: &Topology) -> Vec<String> {
    let catalog = Catalog::builtin().unwrap();
    let comp = portmap_core::compute(t, catalog).unwrap();
    comp.rules.keys().map(|k| k.to_string()).collect()
}

/// Checks a `portmap_flows` state against topology `i`.
fn check_state(i: usize, state: &Value) {
    let rules = state.get("rules").and_then(Value::as_map).unwrap();
    let keys: Vec<String> = rules.keys().cloned().collect();
    assert_eq!(keys, expected_rule_keys(&topology(i)), "topology {i}");
    // The Switch rule, by hand: the clients reach the server on the port
    // this topology sets, from their own network.
    let switch = format!("app{i}:ingress:clients{i}:tcp:{}", 4000 + i);
    let rule = rules
        .get(&switch)
        .unwrap_or_else(|| panic!("no rule {switch} in {keys:?}"));
    assert_eq!(
        rule.get("from_port").and_then(Value::as_i64),
        Some(4000 + i as i64)
    );
    assert_eq!(
        rule.get("peer_cidrs"),
        Some(&Value::list([format!("10.{}.0.0/16", 100 + i)]))
    );
    let egress = format!("clients{i}:egress:app{i}:tcp:{}", 4000 + i);
    assert!(rules.contains_key(&egress), "no rule {egress}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_flows_reads_of_different_topologies() {
    let srv = start(PortmapProvider::new(), &[]);
    let client = provider_client(&srv.handshake).await;
    let ty = flows_type();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let mut client = client.clone();
        let ty = ty.clone();
        tasks.push(tokio::spawn(async move {
            let resp = client
                .read_data_source(pb::read_data_source::Request {
                    type_name: "portmap_flows".into(),
                    config: Some(pb::DynamicValue {
                        msgpack: encode_msgpack(
                            &terraform_provider_portmap::fuzzing::encode(&topology(i)),
                            &ty,
                        )
                        .unwrap(),
                        json: vec![],
                    }),
                    provider_meta: None,
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner();
            let errors: Vec<_> = resp
                .diagnostics
                .iter()
                .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
                .collect();
            assert!(errors.is_empty(), "topology {i}: {errors:?}");
            let state = decode_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
            check_state(i, &state);
            i
        }));
    }
    let mut done = Vec::new();
    for t in tasks {
        done.push(t.await.unwrap());
    }
    assert_eq!(done, (0..64).collect::<Vec<_>>());
    shutdown(&srv.handshake).await;
    join(srv.thread).await;
}

#[tokio::test]
async fn validation_diagnostics_carry_attribute_paths() {
    use pb::attribute_path::step::Selector;
    let srv = start(PortmapProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;
    let mut t = topology(1);
    t.nodes.get_mut("app1").unwrap().cidrs = vec!["10.0.1.10/33".into()];
    let resp = client
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "portmap_flows".into(),
            config: Some(pb::DynamicValue {
                msgpack: encode_msgpack(
                    &terraform_provider_portmap::fuzzing::encode(&t),
                    &flows_type(),
                )
                .unwrap(),
                json: vec![],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    let steps: Vec<_> = resp.diagnostics[0]
        .attribute
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|s| s.selector.clone().unwrap())
        .collect();
    // Terraform underlines an attribute and one key; the detail has the
    // full path.
    assert_eq!(
        steps,
        vec![
            Selector::AttributeName("nodes".into()),
            Selector::ElementKeyString("app1".into()),
        ]
    );
    assert!(
        resp.diagnostics[0]
            .detail
            .contains(r#"nodes["app1"].cidrs[0]"#),
        "{}",
        resp.diagnostics[0].detail
    );
    // Malformed bytes and unknown names: error diagnostics, still serving.
    let resp = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "portmap_flows".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![0x81, 0xa5, b'n', b'o', b'd', b'e', b's', 0xc1],
                json: vec![],
            }),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.state.is_none());
    assert_eq!(resp.diagnostics[0].summary, "Invalid value");
    let resp = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "portmap_nope".into(),
            config: None,
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Unknown data source type");
    shutdown(&srv.handshake).await;
    join(srv.thread).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_5_serves_the_same_provider() {
    let srv = start(PortmapProvider::new(), &[("PLUGIN_PROTOCOL_VERSIONS", "5")]);
    assert_eq!(srv.handshake.protocol, 5);
    let mut client = provider_client_v5(&srv.handshake).await;
    let schema = client
        .get_schema(pb5::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.diagnostics.is_empty());
    // Every attribute type parses; nested attributes are lowered to object
    // types whose value type is the protocol 6 one.
    let provider = PortmapProvider::new().schema();
    for (name, s) in &schema.data_source_schemas {
        let block = s.block.as_ref().unwrap();
        let ours = &provider.data_sources[name].block;
        for a in &block.attributes {
            let ty = Type::from_json_bytes(&a.r#type)
                .unwrap_or_else(|e| panic!("{name}.{}: {e}", a.name));
            let expected = ours.find_attribute(&a.name).unwrap().value_type();
            assert_eq!(
                ty.attribute_types().map(|m| m.keys().collect::<Vec<_>>()),
                expected
                    .attribute_types()
                    .map(|m| m.keys().collect::<Vec<_>>()),
                "{name}.{}",
                a.name
            );
        }
    }
    let nodes = schema.data_source_schemas["portmap_flows"]
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .find(|a| a.name == "nodes")
        .unwrap();
    assert!(nodes.required);
    let nodes_ty = String::from_utf8(nodes.r#type.clone()).unwrap();
    assert!(nodes_ty.starts_with(r#"["map",["object",{"#), "{nodes_ty}");
    assert!(
        nodes_ty.ends_with(r#"["cidrs","description","exposure","fronts","kind","ref","zone"]]]"#),
        "{nodes_ty}"
    );

    // Concurrent reads over protocol 5, each checked.
    let ty = flows_type();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let mut client = client.clone();
        let ty = ty.clone();
        tasks.push(tokio::spawn(async move {
            let resp = client
                .read_data_source(pb5::read_data_source::Request {
                    type_name: "portmap_flows".into(),
                    config: Some(pb5::DynamicValue {
                        msgpack: encode_msgpack(
                            &terraform_provider_portmap::fuzzing::encode(&topology(i)),
                            &ty,
                        )
                        .unwrap(),
                        json: vec![],
                    }),
                    provider_meta: None,
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner();
            let state = decode_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
            check_state(i, &state);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    // A function over protocol 5.
    let args = [
        Value::from("app"),
        Value::from("ingress"),
        Value::from("clients"),
        Value::from("tcp"),
        Value::from(4100),
        Value::from(4100),
    ];
    let types = [
        Type::String,
        Type::String,
        Type::String,
        Type::String,
        Type::Number,
        Type::Number,
    ];
    let resp = client
        .call_function(pb5::call_function::Request {
            name: "rule_key".into(),
            arguments: args
                .iter()
                .zip(&types)
                .map(|(v, t)| pb5::DynamicValue {
                    msgpack: encode_msgpack(v, t).unwrap(),
                    json: vec![],
                })
                .collect(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.error.is_none(), "{:?}", resp.error);
    let key = decode_msgpack(&resp.result.unwrap().msgpack, &Type::String).unwrap();
    assert_eq!(key.as_str(), Some("app:ingress:clients:tcp:4100"));

    shutdown(&srv.handshake).await;
    join(srv.thread).await;
}

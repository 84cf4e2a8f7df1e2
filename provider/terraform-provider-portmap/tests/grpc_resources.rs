//! The managed-resource RPCs at the gRPC level, over protocols 6 and 5:
//! `portmap_azure_nsg_priorities` validated, planned, applied, read,
//! upgraded from schema version 0 and imported as Terraform drives it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use terraform_provider_portmap::PortmapProvider;
use tfplugin::proto::tfplugin5 as pb5;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::server::Provider;
use tfplugin::test_client::{join, provider_client, provider_client_v5, shutdown, start};
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};

const TYPE: &str = "portmap_azure_nsg_priorities";

fn ty() -> Type {
    PortmapProvider::new().schema().resources[TYPE]
        .block
        .value_type()
}

/// The documented preferred priority: 100 + FNV-1a(key) mod 3900.
fn derived(key: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    100 + (h % 3900) as i64
}

fn rules(entries: &[(&str, &str, &str)]) -> Value {
    Value::map(entries.iter().map(|(k, nsg, dir)| {
        (
            *k,
            Value::object([("nsg", Value::from(*nsg)), ("direction", Value::from(*dir))]),
        )
    }))
}

fn config(rules: Value) -> Value {
    Value::object([("rules", rules), ("priorities", Value::Null)])
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, &ty()).unwrap(),
        json: vec![],
    })
}

fn dv5(v: &Value) -> Option<pb5::DynamicValue> {
    Some(pb5::DynamicValue {
        msgpack: encode_msgpack(v, &ty()).unwrap(),
        json: vec![],
    })
}

fn priority(state: &Value, key: &str) -> i64 {
    state.get("priorities").unwrap().as_map().unwrap()[key]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn protocol_6_plans_applies_reads_upgrades_and_imports() {
    use pb::attribute_path::step::Selector;
    let srv = start(PortmapProvider::new(), &[]);
    let mut client = provider_client(&srv.handshake).await;

    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(schema.resource_schemas[TYPE].version, 1);
    let meta = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.resources[0].type_name, TYPE);

    // A misspelled direction: an error at the rule, with a suggestion.
    let bad = config(rules(&[("k", "app", "inbound")]));
    let resp = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: TYPE.into(),
            config: dv(&bad),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    assert_eq!(resp.diagnostics[0].summary, "Invalid direction \"inbound\"");
    assert!(
        resp.diagnostics[0]
            .detail
            .contains("Did you mean \"Inbound\"?")
    );
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
            Selector::AttributeName("rules".into()),
            Selector::ElementKeyString("k".into())
        ]
    );

    // Create: priorities known at plan, the preferred ones when free.
    let cfg = config(rules(&[("a", "app", "Inbound"), ("b", "app", "Outbound")]));
    let plan = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&Value::Null),
            proposed_new_state: dv(&cfg),
            config: dv(&cfg),
            prior_private: b"kept".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.planned_private, b"kept");
    let planned = decode_msgpack(&plan.planned_state.unwrap().msgpack, &ty()).unwrap();
    assert!(planned.is_wholly_known());
    assert_eq!(priority(&planned, "a"), derived("a"));
    assert_eq!(priority(&planned, "b"), derived("b"));
    let applied = client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&Value::Null),
            planned_state: dv(&planned),
            config: dv(&cfg),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = decode_msgpack(&applied.new_state.unwrap().msgpack, &ty()).unwrap();
    assert_eq!(state, planned);

    // Unknown rules: unknown priorities, no error.
    let unknown = config(Value::Unknown);
    let plan = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&state),
            proposed_new_state: dv(&unknown),
            config: dv(&unknown),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let planned = decode_msgpack(&plan.planned_state.unwrap().msgpack, &ty()).unwrap();
    assert!(planned.get("priorities").unwrap().is_unknown());

    // Read keeps the state.
    let read = client
        .read_resource(pb::read_resource::Request {
            type_name: TYPE.into(),
            current_state: dv(&state),
            private: b"p".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.private, b"p");
    assert_eq!(
        decode_msgpack(&read.new_state.unwrap().msgpack, &ty()).unwrap(),
        state
    );

    // Destroy: planned and applied as null.
    let plan = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&state),
            proposed_new_state: dv(&Value::Null),
            config: dv(&Value::Null),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plan.planned_state.unwrap().msgpack, vec![0xc0]);
    let applied = client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&state),
            planned_state: dv(&Value::Null),
            config: dv(&Value::Null),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.new_state.unwrap().msgpack, vec![0xc0]);

    // Upgrade from version 0, and a version 1 state read as it is.
    let v0 = br#"{"rules":{"a":{"nsg":"app","direction":"Inbound"}},"priorities":{"a":{"nsg":"app","direction":"Inbound","priority":777}}}"#;
    let up = client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: TYPE.into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: v0.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(up.diagnostics.is_empty(), "{:?}", up.diagnostics);
    let upgraded = decode_msgpack(&up.upgraded_state.unwrap().msgpack, &ty()).unwrap();
    assert_eq!(
        upgraded,
        Value::object([
            ("rules", rules(&[("a", "app", "Inbound")])),
            ("priorities", Value::map([("a", 777)])),
        ])
    );
    let v1 = br#"{"rules":{"a":{"nsg":"app","direction":"Inbound"}},"priorities":{"a":777}}"#;
    let up = client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: TYPE.into(),
            version: 1,
            raw_state: Some(pb::RawState {
                json: v1.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode_msgpack(&up.upgraded_state.unwrap().msgpack, &ty()).unwrap(),
        upgraded
    );
    let up = client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: TYPE.into(),
            version: 2,
            raw_state: Some(pb::RawState {
                json: v1.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(up.upgraded_state.is_none());
    assert_eq!(
        up.diagnostics[0].summary,
        "Resource state from a newer provider"
    );

    // Import, and a malformed import ID.
    let imported = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            id: r#"{"a":{"nsg":"app","direction":"Inbound","priority":777}}"#.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(imported.imported_resources.len(), 1);
    assert_eq!(imported.imported_resources[0].type_name, TYPE);
    let state = imported.imported_resources[0].state.as_ref().unwrap();
    assert_eq!(decode_msgpack(&state.msgpack, &ty()).unwrap(), upgraded);
    let imported = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            id: "app/Inbound/777".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(imported.imported_resources.is_empty());
    assert_eq!(imported.diagnostics[0].summary, "Invalid import ID");

    // An unknown resource type.
    let resp = client
        .read_resource(pb::read_resource::Request {
            type_name: "portmap_nope".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");

    shutdown(&srv.handshake).await;
    join(srv.thread).await;
}

#[tokio::test]
async fn protocol_5_serves_the_same_resource() {
    let srv = start(PortmapProvider::new(), &[("PLUGIN_PROTOCOL_VERSIONS", "5")]);
    assert_eq!(srv.handshake.protocol, 5);
    let mut client = provider_client_v5(&srv.handshake).await;
    let schema = client
        .get_schema(pb5::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let block = schema.resource_schemas[TYPE].block.as_ref().unwrap();
    let rules_attr = block.attributes.iter().find(|a| a.name == "rules").unwrap();
    assert_eq!(
        String::from_utf8(rules_attr.r#type.clone()).unwrap(),
        r#"["map",["object",{"direction":"string","nsg":"string"}]]"#
    );

    let resp = client
        .validate_resource_type_config(pb5::validate_resource_type_config::Request {
            type_name: TYPE.into(),
            config: dv5(&config(rules(&[("k", "", "Inbound")]))),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Empty NSG name");

    // Prior: "a" at 150; a new key "b" whose preferred priority is 150
    // (found by brute force here) takes 151.
    let b = (0..)
        .map(|i| format!("b{i}"))
        .find(|k| derived(k) == 150)
        .unwrap();
    let prior = Value::object([
        ("rules", rules(&[("a", "app", "Inbound")])),
        ("priorities", Value::map([("a", 150)])),
    ]);
    let cfg = config(rules(&[("a", "app", "Inbound"), (&b, "app", "Inbound")]));
    let proposed = Value::object([
        ("rules", cfg.get("rules").unwrap().clone()),
        ("priorities", prior.get("priorities").unwrap().clone()),
    ]);
    let plan = client
        .plan_resource_change(pb5::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv5(&prior),
            proposed_new_state: dv5(&proposed),
            config: dv5(&cfg),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = decode_msgpack(&plan.planned_state.unwrap().msgpack, &ty()).unwrap();
    assert_eq!(priority(&planned, "a"), 150);
    assert_eq!(priority(&planned, &b), 151);
    let applied = client
        .apply_resource_change(pb5::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv5(&prior),
            planned_state: dv5(&planned),
            config: dv5(&cfg),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode_msgpack(&applied.new_state.unwrap().msgpack, &ty()).unwrap(),
        planned
    );

    let up = client
        .upgrade_resource_state(pb5::upgrade_resource_state::Request {
            type_name: TYPE.into(),
            version: 0,
            raw_state: Some(pb5::RawState {
                json: br#"{"rules":{"a":{"nsg":"app","direction":"Inbound"}},"priorities":{"a":{"nsg":"app","direction":"Inbound","priority":150}}}"#.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode_msgpack(&up.upgraded_state.unwrap().msgpack, &ty()).unwrap(),
        prior
    );

    let read = client
        .read_resource(pb5::read_resource::Request {
            type_name: TYPE.into(),
            current_state: dv5(&prior),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode_msgpack(&read.new_state.unwrap().msgpack, &ty()).unwrap(),
        prior
    );

    let imported = client
        .import_resource_state(pb5::import_resource_state::Request {
            type_name: TYPE.into(),
            id: r#"{"a":{"nsg":"app","direction":"Inbound","priority":150}}"#.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let state = imported.imported_resources[0].state.as_ref().unwrap();
    assert_eq!(decode_msgpack(&state.msgpack, &ty()).unwrap(), prior);

    shutdown(&srv.handshake).await;
    join(srv.thread).await;
}

//! The msgpack codec and cty JSON type encoding, against byte forms cty
//! (Terraform's value library) produces and accepts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use tfplugin::diag::AttributePath;
use tfplugin::schema::{Attribute, Block, ObjectNesting};
use tfplugin::value::{Number, Type, Value, decode_msgpack, encode_msgpack};

fn roundtrip(v: &Value, ty: &Type) -> Vec<u8> {
    let bytes = encode_msgpack(v, ty).unwrap_or_else(|e| panic!("encode {v:?} as {ty}: {e}"));
    let back =
        decode_msgpack(&bytes, ty).unwrap_or_else(|e| panic!("decode {bytes:02x?} as {ty}: {e}"));
    assert_eq!(&back, v, "round trip through {bytes:02x?}");
    bytes
}

fn obj_ty() -> Type {
    Type::object([
        ("name", Type::String),
        ("port", Type::Number),
        ("tags", Type::list(Type::String)),
        ("on", Type::Bool),
    ])
}

#[test]
fn null_and_unknown_for_every_type() {
    let types = [
        Type::Bool,
        Type::Number,
        Type::String,
        Type::Dynamic,
        Type::list(Type::String),
        Type::set(Type::Number),
        Type::map(Type::Bool),
        obj_ty(),
        Type::tuple([Type::String, Type::Number]),
    ];
    for ty in &types {
        assert_eq!(roundtrip(&Value::Null, ty), vec![0xc0], "{ty}");
        assert_eq!(
            roundtrip(&Value::Unknown, ty),
            vec![0xd4, 0x00, 0x00],
            "{ty}"
        );
    }
}

#[test]
fn primitives_have_ctys_byte_forms() {
    assert_eq!(roundtrip(&Value::from(true), &Type::Bool), vec![0xc3]);
    assert_eq!(roundtrip(&Value::from(false), &Type::Bool), vec![0xc2]);
    assert_eq!(
        roundtrip(&Value::from("x"), &Type::String),
        vec![0xa1, b'x']
    );
    assert_eq!(roundtrip(&Value::from(""), &Type::String), vec![0xa0]);
    assert_eq!(roundtrip(&Value::from(1), &Type::Number), vec![0x01]);
    assert_eq!(roundtrip(&Value::from(-1), &Type::Number), vec![0xff]);
    assert_eq!(roundtrip(&Value::from(300), &Type::Number)[0], 0xcd);
    let half = Value::Number(Number::from_f64(0.5).unwrap());
    assert_eq!(
        roundtrip(&half, &Type::Number),
        [&[0xcb][..], &0.5f64.to_be_bytes()].concat()
    );
    let big = Value::Number(Number::parse("123456789012345678901234567890").unwrap());
    let bytes = roundtrip(&big, &Type::Number);
    assert_eq!(bytes[0], 0xbe, "big numbers travel as their decimal text");
    let long = "x".repeat(40);
    assert_eq!(
        roundtrip(&Value::from(long.as_str()), &Type::String)[..2],
        [0xd9, 40]
    );
}

#[test]
fn numbers_in_every_encoding_are_accepted() {
    let n = |bytes: &[u8]| decode_msgpack(bytes, &Type::Number).unwrap();
    assert_eq!(n(&[0x05]).as_i64(), Some(5));
    assert_eq!(n(&[0xe0]).as_i64(), Some(-32));
    assert_eq!(n(&[0xcc, 200]).as_i64(), Some(200));
    assert_eq!(n(&[0xcd, 0x01, 0x00]).as_i64(), Some(256));
    assert_eq!(n(&[0xce, 0, 1, 0, 0]).as_i64(), Some(65536));
    assert_eq!(
        n(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).to_string_lossy(),
        "18446744073709551615"
    );
    assert_eq!(n(&[0xd0, 0x80]).as_i64(), Some(-128));
    assert_eq!(n(&[0xd1, 0xff, 0x00]).as_i64(), Some(-256));
    assert_eq!(n(&[0xd2, 0xff, 0xff, 0xff, 0x00]).as_i64(), Some(-256));
    assert_eq!(
        n(&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]).as_i64(),
        Some(i64::MIN)
    );
    assert_eq!(
        n(&[&[0xca][..], &1.5f32.to_be_bytes()].concat()).as_f64(),
        Some(1.5)
    );
    assert_eq!(
        n(&[&[0xcb][..], &(-2.25f64).to_be_bytes()].concat()).as_f64(),
        Some(-2.25)
    );
    // Integral floats are integers.
    assert_eq!(
        n(&[&[0xcb][..], &42.0f64.to_be_bytes()].concat()).as_i64(),
        Some(42)
    );
    // The string form (cty's fallback for numbers float64 cannot hold).
    assert_eq!(n(b"\xa217").as_i64(), Some(17));
    assert_eq!(n(b"\xa31.5").as_f64(), Some(1.5));
    assert_eq!(n(b"\xa31e3").as_i64(), Some(1000));
    let big = n(b"\xb5100000000000000000001");
    assert_eq!(big.as_i64(), None);
    assert_eq!(
        encode_msgpack(&big, &Type::Number).unwrap(),
        b"\xb5100000000000000000001".to_vec()
    );
    // Not numbers.
    assert!(decode_msgpack(b"\xa3abc", &Type::Number).is_err());
    assert!(
        decode_msgpack(
            &[&[0xcb][..], &f64::NAN.to_be_bytes()].concat(),
            &Type::Number
        )
        .is_err()
    );
    assert!(decode_msgpack(&[0xc3], &Type::Number).is_err());
}

trait Lossy {
    fn to_string_lossy(&self) -> String;
}
impl Lossy for Value {
    fn to_string_lossy(&self) -> String {
        self.as_number()
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

#[test]
fn every_unknown_form_is_accepted_and_other_extensions_are_not() {
    let ty = Type::String;
    for bytes in [
        &[0xd4, 0x00, 0x00][..],               // fixext1, cty's form
        &[0xd5, 0x00, 0x00, 0x00],             // fixext2
        &[0xc7, 0x00, 0x00],                   // ext8 with no data
        &[0xd6, 0x00, 1, 2, 3, 4],             // fixext4
        &[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], // refined unknown (not null)
    ] {
        assert_eq!(
            decode_msgpack(bytes, &ty).unwrap(),
            Value::Unknown,
            "{bytes:02x?}"
        );
    }
    let err = decode_msgpack(&[0xd4, 0x05, 0x00], &ty).unwrap_err();
    assert!(err.message.contains("extension type 5"), "{err}");
    assert!(decode_msgpack(&[0xd4, 0x7f, 0x00], &Type::Number).is_err());
    assert!(
        decode_msgpack(&[0xc7, 0x03, 0x0c, 0xa1, b'x', 0x00], &ty).is_err(),
        "refinements must be a map"
    );
}

#[test]
fn objects_need_every_attribute_and_no_others() {
    let ty = obj_ty();
    let v = Value::object([
        ("name", Value::from("web")),
        ("port", Value::from(443)),
        ("tags", Value::list(["a", "b"])),
        ("on", Value::Null),
    ]);
    let bytes = roundtrip(&v, &ty);
    assert_eq!(bytes[0], 0x84, "a map with all 4 attributes");

    // Missing attribute: a 1-entry map for a 4-attribute object.
    let err = decode_msgpack(&[0x81, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x'], &ty).unwrap_err();
    assert!(err.message.contains("4 attributes"), "{err}");

    // Extra attribute (the count matches, a name does not).
    let mut m = BTreeMap::new();
    m.insert("name".to_owned(), Value::from("x"));
    m.insert("port".to_owned(), Value::from(1));
    m.insert("tags".to_owned(), Value::Null);
    m.insert("bogus".to_owned(), Value::Null);
    let other_ty = Type::object([
        ("name", Type::String),
        ("port", Type::Number),
        ("tags", Type::list(Type::String)),
        ("bogus", Type::String),
    ]);
    let bytes = encode_msgpack(&Value::Object(m), &other_ty).unwrap();
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(err.path, AttributePath::root("bogus"));
    assert!(err.message.contains("unsupported attribute"));

    // Duplicate key.
    let dup = [0x82, 0xa1, b'a', 0x01, 0xa1, b'a', 0x02];
    assert!(
        decode_msgpack(
            &dup,
            &Type::object([("a", Type::Number), ("b", Type::Number)])
        )
        .is_err()
    );

    // Encoding: missing attributes are written as null; unknown extras are refused.
    let sparse = Value::object([("name", "web")]);
    let back = decode_msgpack(&encode_msgpack(&sparse, &ty).unwrap(), &ty).unwrap();
    assert_eq!(back.get("port"), Some(&Value::Null));
    let err = encode_msgpack(&Value::object([("nmae", "typo")]), &ty).unwrap_err();
    assert_eq!(err.path, AttributePath::root("nmae"));
}

#[test]
fn nested_values_and_error_paths() {
    let block = Block::new("x").attribute(Attribute::nested(
        "nodes",
        ObjectNesting::Map,
        vec![
            Attribute::optional("cidrs", Type::list(Type::String), ""),
            Attribute::optional("public", Type::Bool, ""),
        ],
        "",
    ));
    let ty = block.value_type();
    let v = Value::object([(
        "nodes",
        Value::map([
            (
                "app",
                Value::object([
                    ("cidrs", Value::list(["10.0.0.0/8"])),
                    ("public", Value::from(true)),
                ]),
            ),
            (
                "db",
                Value::object([("cidrs", Value::Unknown), ("public", Value::Null)]),
            ),
        ]),
    )]);
    roundtrip(&v, &ty);

    // A number where cidrs[0] should be a string.
    let bad = Value::object([(
        "nodes",
        Value::map([(
            "app",
            Value::object([("cidrs", Value::list([7])), ("public", Value::Null)]),
        )]),
    )]);
    let loose = Type::object([(
        "nodes",
        Type::map(Type::object([
            ("cidrs", Type::list(Type::Number)),
            ("public", Type::Bool),
        ])),
    )]);
    let bytes = encode_msgpack(&bad, &loose).unwrap();
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(err.path.to_string(), r#"nodes["app"].cidrs[0]"#);
    assert!(err.message.contains("a string is required"), "{err}");
    assert!(err.to_string().starts_with(r#"nodes["app"].cidrs[0]: "#));

    // Encoding errors carry the path too.
    let err = encode_msgpack(&bad, &ty).unwrap_err();
    assert_eq!(err.path.to_string(), r#"nodes["app"].cidrs[0]"#);
}

#[test]
fn collections() {
    roundtrip(&Value::list(Vec::<Value>::new()), &Type::list(Type::String));
    roundtrip(&Value::set([1, 2, 3]), &Type::set(Type::Number));
    roundtrip(&Value::map([("a", 1), ("b", 2)]), &Type::map(Type::Number));
    roundtrip(
        &Value::tuple([Value::from("a"), Value::from(1)]),
        &Type::tuple([Type::String, Type::Number]),
    );
    // A tuple must have exactly its elements.
    let err = decode_msgpack(
        &[0x91, 0xa1, b'a'],
        &Type::tuple([Type::String, Type::Number]),
    )
    .unwrap_err();
    assert!(err.message.contains("2 elements"));
    // Lists accept set/tuple values on encode (same wire form).
    let bytes = encode_msgpack(&Value::set(["a"]), &Type::list(Type::String)).unwrap();
    assert_eq!(bytes, vec![0x91, 0xa1, b'a']);
    // Wrong kinds are errors, not panics.
    assert!(encode_msgpack(&Value::from("a"), &Type::list(Type::String)).is_err());
    assert!(encode_msgpack(&Value::from(1), &Type::String).is_err());
    assert!(decode_msgpack(&[0x80], &Type::list(Type::String)).is_err());
    assert!(decode_msgpack(&[0x90], &Type::map(Type::String)).is_err());
    // Map keys must be strings.
    assert!(decode_msgpack(&[0x81, 0x01, 0x02], &Type::map(Type::Number)).is_err());
}

#[test]
fn dynamic_values_carry_their_type() {
    let bytes = roundtrip(&Value::from("x"), &Type::Dynamic);
    let mut want = vec![0x92, 0xc4, 8];
    want.extend_from_slice(br#""string""#);
    want.extend_from_slice(&[0xa1, b'x']);
    assert_eq!(bytes, want);

    let v = Value::object([("a", Value::list([1, 2])), ("b", Value::Null)]);
    let bytes = encode_msgpack(&v, &Type::Dynamic).unwrap();
    let type_json = br#"["object",{"a":["list","number"],"b":"dynamic"}]"#;
    assert!(bytes.windows(type_json.len()).any(|w| w == type_json));
    assert_eq!(decode_msgpack(&bytes, &Type::Dynamic).unwrap(), v);

    // Inside an object attribute of type dynamic.
    let ty = Type::object([("any", Type::Dynamic)]);
    roundtrip(&Value::object([("any", Value::map([("k", true)]))]), &ty);
    roundtrip(&Value::object([("any", Value::Unknown)]), &ty);

    // The type may also arrive as a msgpack str.
    let mut as_str = vec![0x92, 0xa8];
    as_str.extend_from_slice(br#""number""#);
    as_str.push(0x07);
    assert_eq!(
        decode_msgpack(&as_str, &Type::Dynamic).unwrap().as_i64(),
        Some(7)
    );

    // Mixed element types cannot be given one list type.
    assert!(
        encode_msgpack(
            &Value::list([Value::from(1), Value::from("a")]),
            &Type::Dynamic
        )
        .is_err()
    );
    // Nulls unify with anything.
    roundtrip(
        &Value::list([Value::Null, Value::from("a")]),
        &Type::Dynamic,
    );

    // Malformed dynamic wrappers.
    assert!(decode_msgpack(&[0x91, 0xc0], &Type::Dynamic).is_err());
    assert!(decode_msgpack(&[0xa1, b'x'], &Type::Dynamic).is_err());
    assert!(decode_msgpack(b"\x92\xa5bogus\x01", &Type::Dynamic).is_err());
}

#[test]
fn malformed_input_is_an_error() {
    let ty = Type::list(Type::String);
    let cases: &[(&str, &[u8], &Type)] = &[
        ("empty", &[], &Type::String),
        ("truncated string", &[0xa5, b'a', b'b'], &Type::String),
        ("truncated array", &[0x93, 0xa1, b'a'], &ty),
        ("truncated int", &[0xcd, 0x01], &Type::Number),
        ("truncated float", &[0xcb, 0, 0], &Type::Number),
        (
            "huge array prefix",
            &[0xdd, 0xff, 0xff, 0xff, 0xff, 0xa0],
            &ty,
        ),
        (
            "huge map prefix",
            &[0xdf, 0xff, 0xff, 0xff, 0xff],
            &Type::map(Type::String),
        ),
        (
            "huge string prefix",
            &[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'],
            &Type::String,
        ),
        (
            "huge ext prefix",
            &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00],
            &Type::String,
        ),
        ("trailing bytes", &[0xc3, 0xc3], &Type::Bool),
        (
            "trailing after object",
            &[0x80, 0x00],
            &Type::object(Vec::<(String, Type)>::new()),
        ),
        ("reserved marker", &[0xc1], &Type::Bool),
        ("wrong ext type", &[0xd4, 0x01, 0x00], &Type::Bool),
        ("invalid utf-8", &[0xa2, 0xff, 0xfe], &Type::String),
        ("string for bool", &[0xa1, b'x'], &Type::Bool),
    ];
    for (what, bytes, ty) in cases {
        assert!(
            decode_msgpack(bytes, ty).is_err(),
            "{what}: {bytes:02x?} decoded"
        );
    }
    // The trailing-bytes error is explicit.
    let err = decode_msgpack(&[0xc3, 0xc3], &Type::Bool).unwrap_err();
    assert!(err.message.contains("after the value"), "{err}");
}

#[test]
fn nesting_is_bounded() {
    // A dynamic value whose type nests 200 lists deep.
    let mut type_json = String::new();
    for _ in 0..200 {
        type_json.push_str("[\"list\",");
    }
    type_json.push_str("\"string\"");
    type_json.push_str(&"]".repeat(200));
    let mut bytes = vec![0x92, 0xc5];
    bytes.extend_from_slice(&(type_json.len() as u16).to_be_bytes());
    bytes.extend_from_slice(type_json.as_bytes());
    bytes.push(0xc0);
    assert!(decode_msgpack(&bytes, &Type::Dynamic).is_err());

    // A deeply nested type built directly, with matching deeply nested data.
    let mut ty = Type::String;
    for _ in 0..1000 {
        ty = Type::list(ty);
    }
    let mut data = vec![0x91; 1000];
    data.push(0xa0);
    let err = decode_msgpack(&data, &ty).unwrap_err();
    assert!(err.message.contains("nested too deeply"), "{err}");
}

#[test]
fn cty_json_types_round_trip() {
    let cases: &[(&str, Type)] = &[
        (r#""string""#, Type::String),
        (r#""number""#, Type::Number),
        (r#""bool""#, Type::Bool),
        (r#""dynamic""#, Type::Dynamic),
        (r#"["list","string"]"#, Type::list(Type::String)),
        (r#"["set","number"]"#, Type::set(Type::Number)),
        (
            r#"["map",["object",{"a":"number"}]]"#,
            Type::map(Type::object([("a", Type::Number)])),
        ),
        (
            r#"["object",{"a":"number","b":"string"}]"#,
            Type::object([("b", Type::String), ("a", Type::Number)]),
        ),
        (
            r#"["object",{"a":"number","b":"string"},["b"]]"#,
            Type::object_with_optional([("a", Type::Number), ("b", Type::String)], ["b"]),
        ),
        (
            r#"["tuple",["string","bool"]]"#,
            Type::tuple([Type::String, Type::Bool]),
        ),
        (
            r#"["object",{}]"#,
            Type::object(Vec::<(String, Type)>::new()),
        ),
    ];
    for (json, ty) in cases {
        assert_eq!(String::from_utf8(ty.to_json_bytes()).unwrap(), *json);
        assert_eq!(&Type::from_json_bytes(json.as_bytes()).unwrap(), ty);
    }
    for bad in [
        r#""strin""#,
        r#"["list"]"#,
        r#"["list","string","x"]"#,
        r#"["object",{"a":"number"},["c"]]"#,
        r#"["object",[]]"#,
        r#"["tuple","string"]"#,
        r#"["capsule",{}]"#,
        r#"42"#,
        r#"not json"#,
    ] {
        assert!(Type::from_json_bytes(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn block_value_types() {
    let block = Block::new("")
        .attribute(Attribute::required("a", Type::String, ""))
        .attribute(Attribute::nested(
            "one",
            ObjectNesting::Single,
            vec![Attribute::optional("x", Type::Bool, "")],
            "",
        ))
        .attribute(Attribute::nested(
            "many",
            ObjectNesting::List,
            vec![Attribute::optional("x", Type::Bool, "")],
            "",
        ))
        .attribute(Attribute::nested(
            "uniq",
            ObjectNesting::Set,
            vec![Attribute::optional("x", Type::Bool, "")],
            "",
        ))
        .attribute(Attribute::nested(
            "named",
            ObjectNesting::Map,
            vec![Attribute::optional("x", Type::Bool, "")],
            "",
        ));
    let x = || Type::object([("x", Type::Bool)]);
    assert_eq!(
        block.value_type(),
        Type::object([
            ("a", Type::String),
            ("one", x()),
            ("many", Type::list(x())),
            ("uniq", Type::set(x())),
            ("named", Type::map(x())),
        ])
    );
}

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic)
    ];
    leaf.prop_recursive(4, 16, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-c]", inner.clone(), 0..4).prop_map(|attrs| {
                Type::Object {
                    attrs,
                    optional: Default::default(),
                }
            }),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_value(ty: Type) -> BoxedStrategy<Value> {
    let special = prop_oneof![Just(Value::Null), Just(Value::Unknown)];
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::from).boxed(),
        Type::Number => prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("not NaN", |f| Number::from_f64(f).map(Value::Number)),
            "-?[1-9][0-9]{0,30}\\.[0-9]{1,10}"
                .prop_map(|s| Value::Number(Number::parse(&s).unwrap())),
        ]
        .boxed(),
        Type::String => ".{0,8}".prop_map(Value::from).boxed(),
        Type::Dynamic => prop_oneof![
            any::<bool>().prop_map(Value::from),
            "[a-z]{0,4}".prop_map(Value::from)
        ]
        .boxed(),
        Type::List(t) => prop::collection::vec(arb_value(*t), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(t) => prop::collection::vec(arb_value(*t), 0..3)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(t) => prop::collection::btree_map("[a-z]{0,3}", arb_value(*t), 0..3)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object { attrs, .. } => {
            let fields: Vec<(String, BoxedStrategy<Value>)> =
                attrs.into_iter().map(|(k, t)| (k, arb_value(t))).collect();
            fields
                .into_iter()
                .map(|(k, s)| s.prop_map(move |v| (k.clone(), v)))
                .collect::<Vec<_>>()
                .prop_map(|kvs| Value::Object(kvs.into_iter().collect()))
                .boxed()
        }
        Type::Tuple(ts) => ts
            .into_iter()
            .map(arb_value)
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
    };
    prop_oneof![1 => special, 6 => known].boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_value_round_trips((ty, v) in arb_type().prop_flat_map(|t| (Just(t.clone()), arb_value(t)))) {
        let bytes = encode_msgpack(&v, &ty).unwrap();
        prop_assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn arbitrary_bytes_never_panic(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = Type::from_json_bytes(&bytes);
    }

    #[test]
    fn truncations_of_valid_data_are_errors((ty, v) in arb_type().prop_flat_map(|t| (Just(t.clone()), arb_value(t)))) {
        let bytes = encode_msgpack(&v, &ty).unwrap();
        for cut in 0..bytes.len() {
            prop_assert!(decode_msgpack(&bytes[..cut], &ty).is_err());
        }
    }
}

//! Values from Terraform's JSON state encoding (`RawState.json`, what
//! `UpgradeResourceState` receives): the form Terraform writes resource
//! attributes in its state file.
//!
//! With a concrete type, the JSON is read as that type: objects may leave
//! attributes out (they become null: Terraform drops null attributes from
//! older states in some versions) but may not carry unknown ones. With
//! [`Type::Dynamic`] the type is inferred from the JSON itself (objects
//! become objects, arrays tuples): what a provider gets to upgrade a state
//! written with an older schema, whose type it knows and this crate does not.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::msgpack::DecodeError;
use super::{Number, Type, Value};
use crate::diag::{AttributePath, PathStep};

/// Deepest value nesting accepted.
const MAX_DEPTH: usize = 128;

/// Decodes Terraform's JSON encoding of a value of type `ty`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| DecodeError {
        path: AttributePath::new(),
        message: format!("invalid JSON: {e}"),
    })?;
    let mut path = AttributePath::new();
    from_json(&json, ty, &mut path, 0)
}

fn error(path: &AttributePath, message: impl Into<String>) -> DecodeError {
    DecodeError {
        path: path.clone(),
        message: message.into(),
    }
}

fn from_json(
    json: &Json,
    ty: &Type,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Value, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(error(path, "the value is nested too deeply"));
    }
    if json.is_null() {
        return Ok(Value::Null);
    }
    let mismatch = || error(path, format!("expected {ty}, found {}", json_kind(json)));
    match (ty, json) {
        (Type::Bool | Type::Dynamic, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::String | Type::Dynamic, Json::String(s)) => Ok(Value::String(s.clone())),
        (Type::Number | Type::Dynamic, Json::Number(n)) => Number::parse(&n.to_string())
            .map(Value::Number)
            .ok_or_else(|| error(path, format!("invalid number {n}"))),
        // cty's JSON encoding writes numbers as strings when asked to.
        (Type::Number, Json::String(s)) => Number::parse(s)
            .map(Value::Number)
            .ok_or_else(|| error(path, format!("invalid number {s:?}"))),
        (Type::List(elem) | Type::Set(elem), Json::Array(items)) => {
            let values = elements(items, |_| elem, path, depth)?;
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(values)
            } else {
                Value::Set(values)
            })
        }
        (Type::Tuple(types), Json::Array(items)) => {
            if types.len() != items.len() {
                return Err(error(
                    path,
                    format!(
                        "expected a tuple of {} elements, found {}",
                        types.len(),
                        items.len()
                    ),
                ));
            }
            Ok(Value::Tuple(elements(items, |i| &types[i], path, depth)?))
        }
        (Type::Dynamic, Json::Array(items)) => Ok(Value::Tuple(elements(
            items,
            |_| &Type::Dynamic,
            path,
            depth,
        )?)),
        (Type::Map(elem), Json::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                path.push(PathStep::Key(k.clone()));
                let value = from_json(v, elem, path, depth + 1)?;
                path.pop();
                out.insert(k.clone(), value);
            }
            Ok(Value::Map(out))
        }
        (Type::Object { attrs, .. }, Json::Object(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(error(path, format!("unsupported attribute {extra:?}")));
            }
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attrs {
                path.push(PathStep::Attr(name.clone()));
                let value = match entries.get(name) {
                    Some(v) => from_json(v, attr_ty, path, depth + 1)?,
                    None => Value::Null,
                };
                path.pop();
                out.insert(name.clone(), value);
            }
            Ok(Value::Object(out))
        }
        (Type::Dynamic, Json::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (name, v) in entries {
                path.push(PathStep::Attr(name.clone()));
                let value = from_json(v, &Type::Dynamic, path, depth + 1)?;
                path.pop();
                out.insert(name.clone(), value);
            }
            Ok(Value::Object(out))
        }
        _ => Err(mismatch()),
    }
}

fn elements<'t>(
    items: &[Json],
    ty_of: impl Fn(usize) -> &'t Type,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Vec<Value>, DecodeError> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        path.push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
        let value = from_json(item, ty_of(i), path, depth + 1)?;
        path.pop();
        out.push(value);
    }
    Ok(out)
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn rules_type() -> Type {
        Type::object([
            (
                "rules",
                Type::map(Type::object([
                    ("nsg", Type::String),
                    ("direction", Type::String),
                ])),
            ),
            ("priorities", Type::map(Type::Number)),
            ("tags", Type::set(Type::String)),
        ])
    }

    #[test]
    fn typed_objects_fill_missing_attributes_with_null() {
        let v = decode_json(
            br#"{"rules":{"a":{"nsg":"app","direction":"Inbound"}},"priorities":{"a":150}}"#,
            &rules_type(),
        )
        .unwrap();
        assert_eq!(
            v,
            Value::object([
                (
                    "rules",
                    Value::map([(
                        "a",
                        Value::object([("direction", "Inbound"), ("nsg", "app")])
                    )])
                ),
                ("priorities", Value::map([("a", 150)])),
                ("tags", Value::Null),
            ])
        );
    }

    #[test]
    fn unknown_attributes_and_wrong_types_are_errors_with_paths() {
        let e = decode_json(br#"{"priorities":{"a":"x"}}"#, &rules_type()).unwrap_err();
        assert_eq!(e.to_string(), r#"priorities["a"]: invalid number "x""#);
        let e = decode_json(br#"{"extra":1}"#, &rules_type()).unwrap_err();
        assert_eq!(e.message, r#"unsupported attribute "extra""#);
        let e = decode_json(br#"{"tags":"a"}"#, &rules_type()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tags: expected set of string, found a string"
        );
        assert!(decode_json(b"{", &rules_type()).is_err());
    }

    #[test]
    fn dynamic_infers_objects_and_tuples() {
        let v = decode_json(br#"{"a":[1,"x",true,null],"b":{"c":2.5}}"#, &Type::Dynamic).unwrap();
        assert_eq!(
            v,
            Value::object([
                (
                    "a",
                    Value::Tuple(vec![
                        Value::from(1),
                        Value::from("x"),
                        Value::Bool(true),
                        Value::Null
                    ])
                ),
                (
                    "b",
                    Value::object([("c", Value::Number(Number::from_f64(2.5).unwrap()))])
                ),
            ])
        );
    }
}

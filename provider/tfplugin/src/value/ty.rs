//! cty types and their JSON encoding (the form Terraform uses in schemas and
//! in dynamically-typed msgpack values).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value as Json;

/// Deepest type nesting accepted when parsing a type.
pub(crate) const MAX_TYPE_DEPTH: usize = 64;

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type: the concrete type travels with the value.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    /// An object with a fixed set of attributes. `optional` names attributes
    /// that may be omitted in a type *constraint* (only meaningful for
    /// function parameters); values always carry every attribute.
    Object {
        attrs: BTreeMap<String, Type>,
        optional: BTreeSet<String>,
    },
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(t)`
    pub fn list(t: Type) -> Self {
        Self::List(Box::new(t))
    }

    /// `set(t)`
    pub fn set(t: Type) -> Self {
        Self::Set(Box::new(t))
    }

    /// `map(t)`
    pub fn map(t: Type) -> Self {
        Self::Map(Box::new(t))
    }

    /// `object({...})` with no optional attributes.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Self {
        Self::Object {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// `object({...})` where the attributes named in `optional` may be omitted
    /// (a type constraint, for function parameters).
    pub fn object_with_optional<K: Into<String>, O: Into<String>>(
        attrs: impl IntoIterator<Item = (K, Type)>,
        optional: impl IntoIterator<Item = O>,
    ) -> Self {
        Self::Object {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: optional.into_iter().map(Into::into).collect(),
        }
    }

    /// `tuple([...])`
    pub fn tuple(elems: impl IntoIterator<Item = Type>) -> Self {
        Self::Tuple(elems.into_iter().collect())
    }

    /// The attributes of an object type.
    pub fn attribute_types(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Self::Object { attrs, .. } => Some(attrs),
            _ => None,
        }
    }

    /// The element type of a list, set or map type.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Self::List(t) | Self::Set(t) | Self::Map(t) => Some(t),
            _ => None,
        }
    }

    /// cty's JSON type encoding, e.g. `"string"`, `["list","string"]`,
    /// `["object",{"a":"number"},["a"]]`.
    pub fn to_json(&self) -> Json {
        match self {
            Self::Bool => Json::from("bool"),
            Self::Number => Json::from("number"),
            Self::String => Json::from("string"),
            Self::Dynamic => Json::from("dynamic"),
            Self::List(t) => Json::Array(vec!["list".into(), t.to_json()]),
            Self::Set(t) => Json::Array(vec!["set".into(), t.to_json()]),
            Self::Map(t) => Json::Array(vec!["map".into(), t.to_json()]),
            Self::Object { attrs, optional } => {
                let map: serde_json::Map<String, Json> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                let mut v = vec!["object".into(), Json::Object(map)];
                if !optional.is_empty() {
                    v.push(Json::Array(
                        optional.iter().map(|o| Json::from(o.as_str())).collect(),
                    ));
                }
                Json::Array(v)
            }
            Self::Tuple(elems) => Json::Array(vec![
                "tuple".into(),
                Json::Array(elems.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// [`Type::to_json`] as compact bytes, the form schema `type` fields carry.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        // Serializing a serde_json::Value to a Vec cannot fail.
        serde_json::to_vec(&self.to_json()).unwrap_or_default()
    }

    /// Parses cty's JSON type encoding.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, TypeError> {
        let json: Json =
            serde_json::from_slice(bytes).map_err(|e| TypeError(format!("invalid JSON: {e}")))?;
        Self::from_json(&json)
    }

    /// Parses cty's JSON type encoding from a JSON value.
    pub fn from_json(json: &Json) -> Result<Self, TypeError> {
        Self::from_json_at(json, 0)
    }

    fn from_json_at(json: &Json, depth: usize) -> Result<Self, TypeError> {
        if depth > MAX_TYPE_DEPTH {
            return Err(TypeError("type nesting is too deep".into()));
        }
        match json {
            Json::String(s) => match s.as_str() {
                "bool" => Ok(Self::Bool),
                "number" => Ok(Self::Number),
                "string" => Ok(Self::String),
                "dynamic" => Ok(Self::Dynamic),
                other => Err(TypeError(format!("unknown primitive type {other:?}"))),
            },
            Json::Array(parts) => {
                let kind = parts
                    .first()
                    .and_then(Json::as_str)
                    .ok_or_else(|| TypeError("a type array must start with its kind".into()))?;
                let arg = |n: usize| {
                    if parts.len() != n {
                        Err(TypeError(format!("{kind} type must have {} element(s)", n)))
                    } else {
                        Ok(&parts[1])
                    }
                };
                match kind {
                    "list" => Ok(Self::list(Self::from_json_at(arg(2)?, depth + 1)?)),
                    "set" => Ok(Self::set(Self::from_json_at(arg(2)?, depth + 1)?)),
                    "map" => Ok(Self::map(Self::from_json_at(arg(2)?, depth + 1)?)),
                    "tuple" => {
                        let elems = arg(2)?.as_array().ok_or_else(|| {
                            TypeError("tuple element types must be an array".into())
                        })?;
                        let elems = elems
                            .iter()
                            .map(|e| Self::from_json_at(e, depth + 1))
                            .collect::<Result<_, _>>()?;
                        Ok(Self::Tuple(elems))
                    }
                    "object" => {
                        if parts.len() != 2 && parts.len() != 3 {
                            return Err(TypeError("object type must have 2 or 3 elements".into()));
                        }
                        let map = parts[1].as_object().ok_or_else(|| {
                            TypeError("object attribute types must be a JSON object".into())
                        })?;
                        let mut attrs = BTreeMap::new();
                        for (k, v) in map {
                            attrs.insert(k.clone(), Self::from_json_at(v, depth + 1)?);
                        }
                        let mut optional = BTreeSet::new();
                        if let Some(opt) = parts.get(2) {
                            let opt = opt.as_array().ok_or_else(|| {
                                TypeError("optional attribute names must be an array".into())
                            })?;
                            for name in opt {
                                let name = name.as_str().ok_or_else(|| {
                                    TypeError("optional attribute names must be strings".into())
                                })?;
                                if !attrs.contains_key(name) {
                                    return Err(TypeError(format!(
                                        "optional attribute {name:?} is not an attribute"
                                    )));
                                }
                                optional.insert(name.to_owned());
                            }
                        }
                        Ok(Self::Object { attrs, optional })
                    }
                    other => Err(TypeError(format!("unsupported type kind {other:?}"))),
                }
            }
            _ => Err(TypeError("a type must be a JSON string or array".into())),
        }
    }
}

impl fmt::Display for Type {
    /// A human-readable name, as in Terraform's messages ("list of string").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool => f.write_str("bool"),
            Self::Number => f.write_str("number"),
            Self::String => f.write_str("string"),
            Self::Dynamic => f.write_str("dynamic"),
            Self::List(t) => write!(f, "list of {t}"),
            Self::Set(t) => write!(f, "set of {t}"),
            Self::Map(t) => write!(f, "map of {t}"),
            Self::Object { .. } => f.write_str("object"),
            Self::Tuple(_) => f.write_str("tuple"),
        }
    }
}

/// A malformed cty JSON type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError(pub String);

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid type: {}", self.0)
    }
}

impl std::error::Error for TypeError {}

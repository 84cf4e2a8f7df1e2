//! Terraform (cty) values and types, and their wire encodings.
//!
//! - [`Value`]: a configuration or state value, possibly null or unknown.
//! - [`Number`]: a cty number (exact for `i64` and `f64`).
//! - [`Type`]: a cty type, with cty's JSON type encoding.
//! - [`decode_msgpack`] / [`encode_msgpack`]: the type-directed msgpack codec
//!   Terraform uses for `DynamicValue`s.

use std::collections::BTreeMap;

mod json;
mod msgpack;
mod number;
mod ty;

pub use json::decode_json;
pub use msgpack::{DecodeError, EncodeError, decode_msgpack, encode_msgpack};
pub use number::{NanError, Number};
pub use ty::{Type, TypeError};

/// A Terraform value. Values do not carry their type: the schema gives it.
///
/// Build output values with the constructors and `From` impls:
///
/// ```
/// use tfplugin::value::Value;
/// let v = Value::object([
///     ("name", Value::from("web")),
///     ("port", Value::from(443)),
///     ("tags", Value::list(["a", "b"])),
///     ("note", Value::Null),
/// ]);
/// assert_eq!(v.get("port").and_then(Value::as_i64), Some(443));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// Not set.
    #[default]
    Null,
    /// Not known until apply (for example an attribute of a resource that has
    /// not been created yet). Refinements Terraform may attach to unknown
    /// values (prefix, bounds) are not kept.
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl Value {
    /// A list value.
    pub fn list<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Self {
        Self::List(items.into_iter().map(Into::into).collect())
    }

    /// A set value.
    pub fn set<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Self {
        Self::Set(items.into_iter().map(Into::into).collect())
    }

    /// A tuple value.
    pub fn tuple<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Self {
        Self::Tuple(items.into_iter().map(Into::into).collect())
    }

    /// A map value.
    pub fn map<K: Into<String>, T: Into<Value>>(entries: impl IntoIterator<Item = (K, T)>) -> Self {
        Self::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// An object value.
    pub fn object<K: Into<String>, T: Into<Value>>(
        attrs: impl IntoIterator<Item = (K, T)>,
    ) -> Self {
        Self::Object(
            attrs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the value itself is unknown (elements may still be unknown
    /// when this is false; see [`Value::is_wholly_known`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown)
    }

    /// Whether neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Self::Unknown => false,
            Self::List(v) | Self::Set(v) | Self::Tuple(v) => v.iter().all(Self::is_wholly_known),
            Self::Map(m) | Self::Object(m) => m.values().all(Self::is_wholly_known),
            _ => true,
        }
    }

    /// The string, for a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, for a bool value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, for a number value.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Self::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `i64`, for an integral number value within range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as `f64`, for a number value.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    /// An attribute of an object value (or an element of a map value).
    pub fn get(&self, attr: &str) -> Option<&Value> {
        match self {
            Self::Object(m) | Self::Map(m) => m.get(attr),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple value.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Self::List(v) | Self::Set(v) | Self::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The entries of a map or object value.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Self::Map(m) | Self::Object(m) => Some(m),
            _ => None,
        }
    }

    /// A short name of the kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Unknown => "unknown",
            Self::Bool(_) => "bool",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::List(_) => "list",
            Self::Set(_) => "set",
            Self::Map(_) => "map",
            Self::Object(_) => "object",
            Self::Tuple(_) => "tuple",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Self::String(s.clone())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Self::Number(n)
    }
}

macro_rules! value_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Self::Number(Number::from(v))
            }
        }
    )*};
}
value_from_number!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` becomes null.
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    /// A list.
    fn from(v: Vec<T>) -> Self {
        Self::list(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        let v = Value::object([
            ("a", Value::from("x")),
            ("n", Value::from(7u8)),
            ("l", Value::list([1, 2])),
            ("u", Value::list([Value::Unknown])),
            ("none", Value::from(None::<String>)),
        ]);
        assert_eq!(v.get("a").and_then(Value::as_str), Some("x"));
        assert_eq!(v.get("n").and_then(Value::as_i64), Some(7));
        assert_eq!(
            v.get("l").and_then(Value::as_list).map(<[Value]>::len),
            Some(2)
        );
        assert!(v.get("none").is_some_and(Value::is_null));
        assert!(!v.is_wholly_known());
        assert!(!v.is_unknown());
        assert!(v.get("a").is_some_and(Value::is_wholly_known));
        assert_eq!(v.as_map().map(BTreeMap::len), Some(5));
        assert_eq!(Value::from(true).as_bool(), Some(true));
        assert_eq!(Value::from(1.5f64.to_string()).as_str(), Some("1.5"));
        assert_eq!(Value::from(vec!["a"]), Value::List(vec![Value::from("a")]));
    }
}

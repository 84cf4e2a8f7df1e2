//! The type-directed msgpack encoding of cty values, as Terraform sends and
//! expects `DynamicValue.msgpack`.
//!
//! - null is msgpack nil, for every type;
//! - unknown is the extension type 0 (`d4 00 00`). On decode any extension-0
//!   form is accepted, and so is cty's "refined unknown" extension (type 12,
//!   whose refinements are dropped);
//! - bool, string as msgpack bool and str (bin accepted on decode);
//! - numbers as integers when integral within i64, else float64, else their
//!   decimal text (ints, uints, floats and strings accepted on decode);
//! - lists, sets and tuples as arrays; maps as maps;
//! - objects as maps holding **every** attribute (missing or extra
//!   attributes are rejected on decode);
//! - `dynamic` as a two-element array `[JSON type (bin), value]`, or a
//!   plain nil / unknown.
//!
//! The decoder works on untrusted bytes: it never panics, bounds nesting,
//! never allocates more than the remaining input could fill, and rejects
//! trailing bytes. Errors name the attribute path where they happened.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rmp::Marker;

use super::number::WireNumber;
use super::ty::MAX_TYPE_DEPTH;
use super::{Number, Type, Value};
use crate::diag::{AttributePath, PathStep};

/// Deepest value nesting accepted (Terraform schemas are far shallower).
const MAX_DEPTH: usize = 128;

/// cty's extension type for a wholly unknown value.
const EXT_UNKNOWN: i8 = 0;
/// cty's extension type for an unknown value with refinements.
const EXT_UNKNOWN_REFINED: i8 = 12;
/// cty refuses refinement payloads larger than this.
const MAX_REFINEMENT_LEN: usize = 1024;

/// A msgpack payload that does not hold a value of the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the value the problem is (empty: the whole value).
    pub path: AttributePath,
    pub message: String,
}

/// A value that does not conform to the type it is encoded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// Where in the value the problem is (empty: the whole value).
    pub path: AttributePath,
    pub message: String,
}

fn fmt_at(f: &mut fmt::Formatter<'_>, path: &AttributePath, message: &str) -> fmt::Result {
    if path.is_empty() {
        f.write_str(message)
    } else {
        write!(f, "{path}: {message}")
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_at(f, &self.path, &self.message)
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_at(f, &self.path, &self.message)
    }
}

impl std::error::Error for DecodeError {}
impl std::error::Error for EncodeError {}

/// Decodes a msgpack `DynamicValue` of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut d = Decoder {
        input: bytes,
        path: AttributePath::new(),
    };
    let v = d.value(ty, 0)?;
    if !d.input.is_empty() {
        return Err(d.err(format!(
            "{} unexpected byte(s) after the value",
            d.input.len()
        )));
    }
    Ok(v)
}

/// One msgpack item, with its payload borrowed from the input.
enum Token<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext(i8, &'a [u8]),
}

impl Token<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Self::Nil => "nil",
            Self::Bool(_) => "a bool",
            Self::Int(_) | Self::UInt(_) => "an integer",
            Self::Float(_) => "a float",
            Self::Str(_) => "a string",
            Self::Bin(_) => "binary data",
            Self::Array(_) => "an array",
            Self::Map(_) => "a map",
            Self::Ext(..) => "an extension value",
        }
    }
}

struct Decoder<'a> {
    input: &'a [u8],
    path: AttributePath,
}

impl<'a> Decoder<'a> {
    fn err(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.input.len() {
            return Err(self.err("unexpected end of msgpack data"));
        }
        let (head, rest) = self.input.split_at(n);
        self.input = rest;
        Ok(head)
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn len8(&mut self) -> Result<usize, DecodeError> {
        Ok(usize::from(self.be::<1>()?[0]))
    }
    fn len16(&mut self) -> Result<usize, DecodeError> {
        Ok(usize::from(u16::from_be_bytes(self.be()?)))
    }
    fn len32(&mut self) -> Result<usize, DecodeError> {
        usize::try_from(u32::from_be_bytes(self.be()?)).map_err(|_| self.err("length too large"))
    }

    fn next(&mut self) -> Result<Token<'a>, DecodeError> {
        let marker = rmp::decode::read_marker(&mut self.input)
            .map_err(|_| self.err("unexpected end of msgpack data"))?;
        Ok(match marker {
            Marker::Null => Token::Nil,
            Marker::True => Token::Bool(true),
            Marker::False => Token::Bool(false),
            Marker::FixPos(n) => Token::Int(i64::from(n)),
            Marker::FixNeg(n) => Token::Int(i64::from(n)),
            Marker::U8 => Token::Int(i64::from(self.be::<1>()?[0])),
            Marker::U16 => Token::Int(i64::from(u16::from_be_bytes(self.be()?))),
            Marker::U32 => Token::Int(i64::from(u32::from_be_bytes(self.be()?))),
            Marker::U64 => Token::UInt(u64::from_be_bytes(self.be()?)),
            Marker::I8 => Token::Int(i64::from(i8::from_be_bytes(self.be()?))),
            Marker::I16 => Token::Int(i64::from(i16::from_be_bytes(self.be()?))),
            Marker::I32 => Token::Int(i64::from(i32::from_be_bytes(self.be()?))),
            Marker::I64 => Token::Int(i64::from_be_bytes(self.be()?)),
            Marker::F32 => Token::Float(f64::from(f32::from_be_bytes(self.be()?))),
            Marker::F64 => Token::Float(f64::from_be_bytes(self.be()?)),
            Marker::FixStr(n) => Token::Str(self.take(usize::from(n))?),
            Marker::Str8 => {
                let n = self.len8()?;
                Token::Str(self.take(n)?)
            }
            Marker::Str16 => {
                let n = self.len16()?;
                Token::Str(self.take(n)?)
            }
            Marker::Str32 => {
                let n = self.len32()?;
                Token::Str(self.take(n)?)
            }
            Marker::Bin8 => {
                let n = self.len8()?;
                Token::Bin(self.take(n)?)
            }
            Marker::Bin16 => {
                let n = self.len16()?;
                Token::Bin(self.take(n)?)
            }
            Marker::Bin32 => {
                let n = self.len32()?;
                Token::Bin(self.take(n)?)
            }
            Marker::FixArray(n) => Token::Array(usize::from(n)),
            Marker::Array16 => Token::Array(self.len16()?),
            Marker::Array32 => Token::Array(self.len32()?),
            Marker::FixMap(n) => Token::Map(usize::from(n)),
            Marker::Map16 => Token::Map(self.len16()?),
            Marker::Map32 => Token::Map(self.len32()?),
            Marker::FixExt1 => self.ext(1)?,
            Marker::FixExt2 => self.ext(2)?,
            Marker::FixExt4 => self.ext(4)?,
            Marker::FixExt8 => self.ext(8)?,
            Marker::FixExt16 => self.ext(16)?,
            Marker::Ext8 => {
                let n = self.len8()?;
                self.ext(n)?
            }
            Marker::Ext16 => {
                let n = self.len16()?;
                self.ext(n)?
            }
            Marker::Ext32 => {
                let n = self.len32()?;
                self.ext(n)?
            }
            Marker::Reserved => return Err(self.err("invalid msgpack marker 0xc1")),
        })
    }

    fn ext(&mut self, len: usize) -> Result<Token<'a>, DecodeError> {
        let ty = i8::from_be_bytes(self.be()?);
        Ok(Token::Ext(ty, self.take(len)?))
    }

    /// Checks that an extension value is one of cty's unknown encodings.
    fn unknown(&self, ext_type: i8, data: &[u8]) -> Result<Value, DecodeError> {
        match ext_type {
            EXT_UNKNOWN => Ok(Value::Unknown),
            EXT_UNKNOWN_REFINED => {
                if data.len() > MAX_REFINEMENT_LEN {
                    return Err(self.err("oversized unknown value refinements"));
                }
                // The payload, when present, is a msgpack map of refinements.
                let is_map = data.first().is_none_or(|&b| (0x80..=0x8f).contains(&b) || b == 0xde || b == 0xdf);
                if data.len() > 1 && !is_map {
                    return Err(self.err("malformed unknown value refinements"));
                }
                Ok(Value::Unknown)
            }
            other => Err(self.err(format!(
                "unsupported msgpack extension type {other} (only unknown values, type 0, are expected)"
            ))),
        }
    }

    fn string(&self, bytes: &[u8], what: &str) -> Result<String, DecodeError> {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| self.err(format!("{what} is not valid UTF-8")))
    }

    /// Room for `n` items that each take at least `min_bytes` of input.
    fn capacity(&self, n: usize, min_bytes: usize) -> Result<usize, DecodeError> {
        if n.saturating_mul(min_bytes) > self.input.len() {
            return Err(self.err(format!(
                "collection claims {n} elements but the data ends first"
            )));
        }
        Ok(n)
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.err("value is nested too deeply"));
        }
        let tok = self.next()?;
        match tok {
            Token::Nil => return Ok(Value::Null),
            Token::Ext(t, data) => return self.unknown(t, data),
            _ => {}
        }
        let wrong = |d: &Self, want: &str, tok: &Token<'_>| {
            d.err(format!("{want} is required, found {}", tok.describe()))
        };
        match ty {
            Type::Bool => match tok {
                Token::Bool(b) => Ok(Value::Bool(b)),
                other => Err(wrong(self, "a bool", &other)),
            },
            Type::Number => match tok {
                Token::Int(i) => Ok(Value::Number(Number::from(i))),
                Token::UInt(u) => Ok(Value::Number(Number::from_u64(u))),
                Token::Float(f) => Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| self.err("NaN is not a valid number")),
                Token::Str(s) => std::str::from_utf8(s)
                    .ok()
                    .and_then(Number::parse)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        self.err("a number is required, found a string that is not a number")
                    }),
                other => Err(wrong(self, "a number", &other)),
            },
            Type::String => match tok {
                Token::Str(s) | Token::Bin(s) => Ok(Value::String(self.string(s, "string")?)),
                other => Err(wrong(self, "a string", &other)),
            },
            Type::List(ety) | Type::Set(ety) => {
                let Token::Array(n) = tok else {
                    let want = if matches!(ty, Type::List(_)) {
                        "a list"
                    } else {
                        "a set"
                    };
                    return Err(wrong(self, want, &tok));
                };
                let items = self.elements(n, |_| ety, depth)?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(items)
                } else {
                    Value::Set(items)
                })
            }
            Type::Tuple(etys) => {
                let Token::Array(n) = tok else {
                    return Err(wrong(self, "a tuple", &tok));
                };
                if n != etys.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {n}",
                        etys.len()
                    )));
                }
                let items = self.elements(n, |i| &etys[i], depth)?;
                Ok(Value::Tuple(items))
            }
            Type::Map(ety) => {
                let Token::Map(n) = tok else {
                    return Err(wrong(self, "a map", &tok));
                };
                self.capacity(n, 2)?;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let key = self.key()?;
                    self.path.push(PathStep::Key(key.clone()));
                    let v = self.value(ety, depth + 1)?;
                    self.path.pop();
                    if m.insert(key.clone(), v).is_some() {
                        return Err(self.err(format!("duplicate map key {key:?}")));
                    }
                }
                Ok(Value::Map(m))
            }
            Type::Object { attrs, .. } => {
                let Token::Map(n) = tok else {
                    return Err(wrong(self, "an object", &tok));
                };
                if n != attrs.len() {
                    return Err(self.err(format!(
                        "an object with {} attributes is required ({n} given)",
                        attrs.len()
                    )));
                }
                self.capacity(n, 2)?;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let key = self.key()?;
                    let Some(aty) = attrs.get(&key) else {
                        self.path.push(PathStep::Attr(key));
                        return Err(self.err("unsupported attribute"));
                    };
                    self.path.push(PathStep::Attr(key.clone()));
                    let v = self.value(aty, depth + 1)?;
                    if m.insert(key, v).is_some() {
                        return Err(self.err("attribute given twice"));
                    }
                    self.path.pop();
                }
                Ok(Value::Object(m))
            }
            Type::Dynamic => {
                let Token::Array(2) = tok else {
                    return Err(self.err(format!(
                        "a dynamically-typed value must be a two-element array [type, value], found {}",
                        tok.describe()
                    )));
                };
                let type_json = match self.next()? {
                    Token::Str(b) | Token::Bin(b) => b,
                    other => return Err(wrong(self, "a JSON type", &other)),
                };
                let inner =
                    Type::from_json_bytes(type_json).map_err(|e| self.err(e.to_string()))?;
                if type_depth(&inner) + depth > MAX_DEPTH {
                    return Err(self.err("value is nested too deeply"));
                }
                self.value(&inner, depth + 1)
            }
        }
    }

    fn elements<'t>(
        &mut self,
        n: usize,
        ety: impl Fn(usize) -> &'t Type,
        depth: usize,
    ) -> Result<Vec<Value>, DecodeError> {
        let mut items = Vec::with_capacity(self.capacity(n, 1)?);
        for i in 0..n {
            self.path
                .push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
            items.push(self.value(ety(i), depth + 1)?);
            self.path.pop();
        }
        Ok(items)
    }

    fn key(&mut self) -> Result<String, DecodeError> {
        match self.next()? {
            Token::Str(b) | Token::Bin(b) => self.string(b, "key"),
            other => Err(self.err(format!("keys must be strings, found {}", other.describe()))),
        }
    }
}

fn type_depth(ty: &Type) -> usize {
    match ty {
        Type::List(t) | Type::Set(t) | Type::Map(t) => 1 + type_depth(t),
        Type::Object { attrs, .. } => 1 + attrs.values().map(type_depth).max().unwrap_or(0),
        Type::Tuple(ts) => 1 + ts.iter().map(type_depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Encodes `v` as a msgpack `DynamicValue` of type `ty`.
///
/// Lenient where it is unambiguous: a list type accepts a `List`, `Set` or
/// `Tuple` value (and likewise for set and tuple types), a map or object type
/// accepts a `Map` or `Object` value, and attributes missing from an object
/// value are written as null. Values of the wrong kind and attributes the
/// type does not have are errors.
pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder {
        out: Vec::new(),
        path: AttributePath::new(),
    };
    e.value(v, ty, 0)?;
    Ok(e.out)
}

struct Encoder {
    out: Vec<u8>,
    path: AttributePath,
}

impl Encoder {
    fn err(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn io<T, E: fmt::Debug>(&self, r: Result<T, E>) -> Result<T, EncodeError> {
        r.map_err(|e| self.err(format!("msgpack write failed: {e:?}")))
    }

    fn len(&self, n: usize) -> Result<u32, EncodeError> {
        u32::try_from(n).map_err(|_| self.err("collection too large for msgpack"))
    }

    fn value(&mut self, v: &Value, ty: &Type, depth: usize) -> Result<(), EncodeError> {
        if depth > MAX_DEPTH {
            return Err(self.err("value is nested too deeply"));
        }
        match v {
            Value::Unknown => {
                self.out.extend_from_slice(&[0xd4, 0, 0]);
                return Ok(());
            }
            Value::Null => {
                let r = rmp::encode::write_nil(&mut self.out);
                return self.io(r);
            }
            _ => {}
        }
        let mismatch = |e: &Self| e.err(format!("a {ty} value is required, found {}", v.kind()));
        match (ty, v) {
            (Type::Dynamic, _) => {
                let inner = infer_type(v).map_err(|m| self.err(m))?;
                if type_depth(&inner) > MAX_TYPE_DEPTH {
                    return Err(self.err("value is nested too deeply"));
                }
                let r = rmp::encode::write_array_len(&mut self.out, 2);
                self.io(r)?;
                let r = rmp::encode::write_bin(&mut self.out, &inner.to_json_bytes());
                self.io(r)?;
                self.value(v, &inner, depth + 1)
            }
            (Type::Bool, Value::Bool(b)) => {
                let r = rmp::encode::write_bool(&mut self.out, *b);
                self.io(r)
            }
            (Type::Number, Value::Number(n)) => match n.wire() {
                WireNumber::Int(i) => {
                    let r = rmp::encode::write_sint(&mut self.out, i);
                    self.io(r).map(drop)
                }
                WireNumber::Float(f) => {
                    let r = rmp::encode::write_f64(&mut self.out, f);
                    self.io(r)
                }
                WireNumber::Text(s) => {
                    let r = rmp::encode::write_str(&mut self.out, s);
                    self.io(r)
                }
            },
            (Type::String, Value::String(s)) => {
                let r = rmp::encode::write_str(&mut self.out, s);
                self.io(r)
            }
            (
                Type::List(ety) | Type::Set(ety),
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
            ) => {
                let n = self.len(items.len())?;
                let r = rmp::encode::write_array_len(&mut self.out, n);
                self.io(r)?;
                for (i, item) in items.iter().enumerate() {
                    self.path
                        .push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
                Ok(())
            }
            (Type::Tuple(etys), Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
                if items.len() != etys.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {}",
                        etys.len(),
                        items.len()
                    )));
                }
                let n = self.len(items.len())?;
                let r = rmp::encode::write_array_len(&mut self.out, n);
                self.io(r)?;
                for (i, (item, ety)) in items.iter().zip(etys).enumerate() {
                    self.path
                        .push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
                Ok(())
            }
            (Type::Map(ety), Value::Map(m) | Value::Object(m)) => {
                let n = self.len(m.len())?;
                let r = rmp::encode::write_map_len(&mut self.out, n);
                self.io(r)?;
                for (k, item) in m {
                    let r = rmp::encode::write_str(&mut self.out, k);
                    self.io(r)?;
                    self.path.push(PathStep::Key(k.clone()));
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
                Ok(())
            }
            (Type::Object { attrs, .. }, Value::Object(m) | Value::Map(m)) => {
                if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                    self.path.push(PathStep::Attr(extra.clone()));
                    return Err(self.err("unsupported attribute (not in the schema)"));
                }
                let n = self.len(attrs.len())?;
                let r = rmp::encode::write_map_len(&mut self.out, n);
                self.io(r)?;
                for (k, aty) in attrs {
                    let r = rmp::encode::write_str(&mut self.out, k);
                    self.io(r)?;
                    self.path.push(PathStep::Attr(k.clone()));
                    self.value(m.get(k).unwrap_or(&Value::Null), aty, depth + 1)?;
                    self.path.pop();
                }
                Ok(())
            }
            _ => Err(mismatch(self)),
        }
    }
}

/// The type a value of a `dynamic` attribute is sent with. Null and unknown
/// parts are typed `dynamic`; collection elements must agree on one type.
fn infer_type(v: &Value) -> Result<Type, String> {
    Ok(match v {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::list(unify_all(items.iter())?),
        Value::Set(items) => Type::set(unify_all(items.iter())?),
        Value::Map(m) => Type::map(unify_all(m.values())?),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect::<Result<_, _>>()?),
        Value::Object(m) => Type::Object {
            attrs: m
                .iter()
                .map(|(k, v)| Ok((k.clone(), infer_type(v)?)))
                .collect::<Result<_, String>>()?,
            optional: BTreeSet::new(),
        },
    })
}

fn unify_all<'a>(items: impl Iterator<Item = &'a Value>) -> Result<Type, String> {
    let mut acc = Type::Dynamic;
    for item in items {
        acc = unify(acc, infer_type(item)?).ok_or_else(|| {
            "the elements of a collection in a dynamic value must all have the same type".to_owned()
        })?;
    }
    Ok(acc)
}

/// The one type both `a` and `b` conform to, treating `dynamic` (from nulls
/// and unknowns) as a wildcard.
fn unify(a: Type, b: Type) -> Option<Type> {
    match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => Some(t),
        (Type::List(x), Type::List(y)) => Some(Type::list(unify(*x, *y)?)),
        (Type::Set(x), Type::Set(y)) => Some(Type::set(unify(*x, *y)?)),
        (Type::Map(x), Type::Map(y)) => Some(Type::map(unify(*x, *y)?)),
        (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => Some(Type::Tuple(
            xs.into_iter()
                .zip(ys)
                .map(|(x, y)| unify(x, y))
                .collect::<Option<_>>()?,
        )),
        (Type::Object { attrs: xa, .. }, Type::Object { attrs: ya, .. })
            if xa.keys().eq(ya.keys()) =>
        {
            let attrs = xa
                .into_iter()
                .zip(ya)
                .map(|((k, x), (_, y))| Some((k, unify(x, y)?)))
                .collect::<Option<_>>()?;
            Some(Type::Object {
                attrs,
                optional: BTreeSet::new(),
            })
        }
        (x, y) if x == y => Some(x),
        _ => None,
    }
}

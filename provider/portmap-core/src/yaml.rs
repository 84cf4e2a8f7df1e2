//! YAML reading helpers: the typed deserializers silently keep the last of
//! duplicate mapping keys, so documents are first checked for them.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Walks any YAML value and fails on a mapping with a repeated key.
struct NoDuplicates;

impl<'de> Deserialize<'de> for NoDuplicates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_none<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NoDuplicates, D::Error> {
        NoDuplicates::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<serde_norway::Value>()? {
            let text = match &key {
                serde_norway::Value::String(s) => s.clone(),
                other => serde_norway::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            if !seen.insert(text.clone()) {
                return Err(de::Error::custom(format!("duplicate key \"{text}\"")));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<NoDuplicates, A::Error> {
        let (_, v) = data.variant::<serde_norway::Value>()?;
        de::VariantAccess::newtype_variant::<NoDuplicates>(v)
    }
}

/// Fails with serde_norway's positioned error when `text` has a mapping with
/// a repeated key (or is not YAML at all).
pub fn check_no_duplicate_keys(text: &str) -> Result<(), serde_norway::Error> {
    serde_norway::from_str::<NoDuplicates>(text).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_at_any_depth_with_their_line() {
        assert!(check_no_duplicate_keys("a: 1\nb: [1, {c: 2, d: 3}]\n").is_ok());
        let e = check_no_duplicate_keys("a: 1\nb:\n  c: 1\n  c: 2\n")
            .err()
            .map(|e| (e.to_string(), e.location().map(|l| l.line())));
        let (msg, line) = e.unwrap_or_default();
        assert!(msg.contains("duplicate key \"c\""), "{msg}");
        assert!(matches!(line, Some(3 | 4)), "{line:?}");
        assert!(check_no_duplicate_keys("x: [1\n").is_err());
    }
}

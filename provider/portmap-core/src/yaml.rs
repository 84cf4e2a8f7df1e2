//! YAML reading helpers: the typed deserializers silently keep the last of
//! duplicate mapping keys, so documents are first checked for them; and the
//! YAML parser takes time quadratic in the depth of nested flow collections
//! (`{a: {a: {a: …`) before its recursion limit refuses them, so documents
//! nested deeper than any valid one are refused before they reach it.

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

/// Deepest nesting of flow collections accepted; the YAML deserializer
/// refuses anything nested deeper than 128 levels anyway.
pub const MAX_FLOW_DEPTH: usize = 128;

/// Fails with serde_norway's positioned error when `text` has a mapping with
/// a repeated key (or is not YAML at all), and, before parsing, when its
/// flow collections are nested deeper than [`MAX_FLOW_DEPTH`].
pub fn check_no_duplicate_keys(text: &str) -> Result<(), serde_norway::Error> {
    if let Some((line, column)) = too_deep(text, MAX_FLOW_DEPTH) {
        return Err(de::Error::custom(format!(
            "flow collections ([ ] and {{ }}) nested more than {MAX_FLOW_DEPTH} levels deep, \
             from line {line}, column {column}"
        )));
    }
    serde_norway::from_str::<NoDuplicates>(text).map(|_| ())
}

/// The line and column (1-based) of the first `[` or `{` that opens a flow
/// collection nested deeper than `limit`, by one linear scan that skips
/// quoted scalars and comments. Brackets inside plain scalars (`a: x[1]`)
/// are counted too, which can only make the count higher for documents
/// with more than `limit` unbalanced ones: no valid document is refused.
fn too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    #[derive(PartialEq)]
    enum State {
        Plain,
        Single,
        Double,
        Comment,
    }
    let mut state = State::Plain;
    let mut depth = 0usize;
    let (mut line, mut column) = (1usize, 0usize);
    // The previous character outside quotes, to tell a quote that starts a
    // scalar from an apostrophe inside one, and a comment from a `#` in text.
    let mut prev = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
        }
        match state {
            State::Comment => {
                if c == '\n' {
                    state = State::Plain;
                }
            }
            State::Single => {
                if c == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                        column += 1;
                    } else {
                        state = State::Plain;
                    }
                }
            }
            State::Double => match c {
                '\\' => {
                    if chars.next() == Some('\n') {
                        line += 1;
                        column = 0;
                    } else {
                        column += 1;
                    }
                }
                '"' => state = State::Plain,
                _ => {}
            },
            State::Plain => {
                let starts_scalar =
                    prev.is_whitespace() || matches!(prev, ':' | ',' | '[' | '{' | '-');
                match c {
                    '#' if prev.is_whitespace() => state = State::Comment,
                    '\'' if starts_scalar => state = State::Single,
                    '"' if starts_scalar => state = State::Double,
                    '[' | '{' => {
                        depth += 1;
                        if depth > limit {
                            return Some((line, column));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        prev = c;
    }
    None
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

    #[test]
    fn refuses_deep_flow_nesting_before_parsing() {
        // 40,000 levels took seconds to refuse in the parser (quadratic).
        let deep = format!("nodes: {}", "{a: ".repeat(40_000));
        let msg = check_no_duplicate_keys(&deep)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(msg.contains("nested more than 128 levels"), "{msg}");
        assert!(msg.contains("line 1, column 520"), "{msg}");
        assert_eq!(too_deep(&deep, MAX_FLOW_DEPTH), Some((1, 8 + 4 * 128)));
        let lists = format!("a:\n  - {}", "[".repeat(129));
        assert_eq!(too_deep(&lists, MAX_FLOW_DEPTH), Some((2, 4 + 129)));
    }

    #[test]
    fn counts_only_real_flow_brackets() {
        let at_limit = format!("a: {}1{}\n", "[".repeat(128), "]".repeat(128));
        assert_eq!(too_deep(&at_limit, MAX_FLOW_DEPTH), None);
        // The parser's own limit counts the top mapping too.
        let parses = format!("a: {}1{}\n", "[".repeat(127), "]".repeat(127));
        assert!(check_no_duplicate_keys(&parses).is_ok());
        // Brackets in quoted scalars, comments and after closing brackets
        // do not add up; apostrophes inside plain scalars do not open quotes.
        let quoted = format!(
            "a: '{o}'\nb: \"{o}\\\"{o}\"\nc: it's {{x}} # {o}\nd: 'it''s {o}'\n",
            o = "[".repeat(200)
        );
        assert_eq!(too_deep(&quoted, MAX_FLOW_DEPTH), None);
        let parsed = check_no_duplicate_keys(&quoted).map_err(|e| e.to_string());
        assert_eq!(parsed, Ok(()));
        let sequential = "[1]\n".repeat(1000);
        assert_eq!(too_deep(&sequential, 1), None);
        assert_eq!(too_deep("a: [[1]]", 1), Some((1, 5)));
    }
}

//! Conversions between Terraform values and the core's types.

use portmap_core::issue::{Issue, Path, Severity, Step};
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::{Number, Type, Value};

/// A core path as a Terraform attribute path.
pub fn attribute_path(p: &Path) -> AttributePath {
    let mut out = AttributePath::new();
    for s in p.steps() {
        out = match s {
            Step::Attr(a) => out.attr(a.clone()),
            Step::Key(k) => out.key(k.clone()),
            Step::Index(i) => out.index(i64::try_from(*i).unwrap_or(i64::MAX)),
        };
    }
    out
}

/// The longest prefix of a path that Terraform can show in the source: a
/// top-level attribute, plus one index or key into it. (Terraform locates
/// diagnostics inside nested blocks, but not inside attribute expressions
/// such as the map literal of `nodes`; deeper steps would make it fall back
/// to the whole block.)
pub fn renderable(p: &Path) -> Path {
    let steps = p.steps();
    let mut n = steps
        .iter()
        .take_while(|s| matches!(s, Step::Attr(_)))
        .count()
        .min(1);
    if n == 1 && matches!(steps.get(1), Some(Step::Key(_) | Step::Index(_))) {
        n = 2;
    }
    Path(steps[..n.min(steps.len())].to_vec())
}

/// A core issue as a Terraform diagnostic. It points at the most precise
/// place Terraform can underline; when that is shorter than the issue's
/// path, the detail starts with the full path.
pub fn diagnostic(i: &Issue) -> Diagnostic {
    let shown = renderable(&i.path);
    let detail = if shown == i.path || i.path.steps().is_empty() {
        i.detail.clone()
    } else if i.detail.is_empty() {
        format!("At {}.", i.path)
    } else {
        format!("At {}: {}", i.path, i.detail)
    };
    let d = match i.severity {
        Severity::Error => Diagnostic::error(i.summary.clone(), detail),
        Severity::Warning => Diagnostic::warning(i.summary.clone(), detail),
    };
    if shown.steps().is_empty() {
        d
    } else {
        d.at(attribute_path(&shown))
    }
}

/// Core issues as diagnostics.
pub fn diagnostics(issues: &[Issue]) -> Diagnostics {
    issues.iter().map(diagnostic).collect()
}

/// Converts JSON (the core's serde output objects) to a value of type `ty`,
/// moving its strings. Object attributes missing from the JSON become null.
/// A mismatch is a bug in the provider, reported as an error naming the
/// path, which starts with `path` (the path is only built on error: results
/// have tens of thousands of values).
pub fn from_json(j: serde_json::Value, ty: &Type, path: &str) -> Result<Value, String> {
    convert(j, ty).map_err(|m| {
        let at: String = m.steps.iter().rev().map(String::as_str).collect();
        format!("provider bug: {path}{at}{}", m.message)
    })
}

/// Why a JSON value does not fit its type, and where (innermost step first).
struct Mismatch {
    steps: Vec<String>,
    message: String,
}

impl Mismatch {
    fn at(mut self, step: String) -> Self {
        self.steps.push(step);
        self
    }
}

fn convert(j: serde_json::Value, ty: &Type) -> Result<Value, Mismatch> {
    use serde_json::Value as J;
    let bad = |j: &J| Mismatch {
        steps: Vec::new(),
        message: format!(" is {j} but the schema says {ty}"),
    };
    match (ty, j) {
        (_, J::Null) => Ok(Value::Null),
        (Type::String, J::String(s)) => Ok(Value::String(s)),
        (Type::String, J::Number(n)) => Ok(Value::String(n.to_string())),
        (Type::Bool, J::Bool(b)) => Ok(Value::Bool(b)),
        (Type::Number, J::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Value::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(Value::Number(Number::from(u)))
            } else {
                match n.as_f64().and_then(Number::from_f64) {
                    Some(x) => Ok(Value::Number(x)),
                    None => Err(bad(&J::Number(n))),
                }
            }
        }
        (Type::List(t) | Type::Set(t), J::Array(items)) => {
            let items = items
                .into_iter()
                .enumerate()
                .map(|(i, x)| convert(x, t).map_err(|m| m.at(format!("[{i}]"))))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        (Type::Map(t), J::Object(m)) => m
            .into_iter()
            .map(|(k, x)| match convert(x, t) {
                Ok(v) => Ok((k, v)),
                Err(m) => Err(m.at(format!("[{k:?}]"))),
            })
            .collect::<Result<_, _>>()
            .map(Value::Map),
        (Type::Object { attrs, .. }, J::Object(mut m)) => {
            let object = attrs
                .iter()
                .map(|(k, t)| match m.remove(k) {
                    Some(x) => convert(x, t)
                        .map(|v| (k.clone(), v))
                        .map_err(|e| e.at(format!(".{k}"))),
                    None => Ok((k.clone(), Value::Null)),
                })
                .collect::<Result<_, _>>()
                .map(Value::Object)?;
            match m.keys().next() {
                Some(extra) => Err(Mismatch {
                    steps: vec![format!(".{extra}")],
                    message: " is not in the schema".to_string(),
                }),
                None => Ok(object),
            }
        }
        (_, j) => Err(bad(&j)),
    }
}

/// The strings of a list or set value: known strings, with `None` for
/// unknown elements. `None` overall if the value is null or unknown.
pub fn strings(v: Option<&Value>) -> Option<Vec<Option<String>>> {
    let v = v?;
    if v.is_null() || v.is_unknown() {
        return None;
    }
    Some(
        v.as_list()?
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect(),
    )
}

/// Sets attributes of an object value (a state built from the config).
pub fn with_attrs(config: &Value, attrs: Vec<(&str, Value)>) -> Value {
    let mut m = config.as_map().cloned().unwrap_or_default();
    for (k, v) in attrs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// The state of a read: the configuration with the computed attributes set,
/// each converted from a serde value to its schema type. A conversion
/// failure is a provider bug, reported as an error naming the data source.
pub fn read_state(
    type_name: &str,
    schema: &tfplugin::schema::Schema,
    config: &Value,
    computed: Vec<(&str, Result<serde_json::Value, String>)>,
    mut diags: Diagnostics,
) -> (Option<Value>, Diagnostics) {
    let mut attrs = Vec::new();
    for (name, json) in computed {
        let ty = schema
            .block
            .find_attribute(name)
            .map(tfplugin::schema::Attribute::value_type)
            .unwrap_or(Type::Dynamic);
        match json.and_then(|j| from_json(j, &ty, name)) {
            Ok(v) => attrs.push((name, v)),
            Err(e) => diags.0.push(Diagnostic::error(
                format!("Internal error in {type_name}"),
                e,
            )),
        }
    }
    if diags.has_errors() {
        (None, diags)
    } else {
        (Some(with_attrs(config, attrs)), diags)
    }
}

/// A serde value as JSON, for [`read_state`].
pub fn json<T: serde::Serialize>(v: &T, what: &str) -> Result<serde_json::Value, String> {
    serde_json::to_value(v).map_err(|e| format!("provider bug: encoding {what}: {e}"))
}

/// A whole-number argument: `Ok(None)` when null or unknown.
pub fn integer(config: &Value, name: &str) -> Result<Option<i64>, Issue> {
    match config.get(name) {
        None => Ok(None),
        Some(v) if v.is_null() || v.is_unknown() => Ok(None),
        Some(v) => whole(v, Path::root().attr(name)).map(Some),
    }
}

/// A known number as a whole number, or an error at `path`.
pub fn whole(v: &Value, path: Path) -> Result<i64, Issue> {
    v.as_i64().ok_or_else(|| {
        Issue::error(
            path,
            "A whole number is required",
            format!(
                "{} is not a whole number.",
                v.as_f64()
                    .map(|f| f.to_string())
                    .unwrap_or_else(|| "The value".into())
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules_type() -> Type {
        Type::map(Type::object([
            ("node", Type::String),
            ("from_port", Type::Number),
            ("flows", Type::list(Type::String)),
            ("peer_ref", Type::String),
        ]))
    }

    #[test]
    fn converts_values_and_nulls_missing_attributes() {
        let j = json!({"a:ingress": {"node": "app", "from_port": 443, "flows": ["k1", "k2"]}});
        let v = from_json(j, &rules_type(), "rules");
        let mut rule = std::collections::BTreeMap::new();
        rule.insert("node".to_string(), Value::String("app".into()));
        rule.insert("from_port".to_string(), Value::from(443i64));
        rule.insert(
            "flows".to_string(),
            Value::List(vec![Value::String("k1".into()), Value::String("k2".into())]),
        );
        rule.insert("peer_ref".to_string(), Value::Null);
        let mut rules = std::collections::BTreeMap::new();
        rules.insert("a:ingress".to_string(), Value::Object(rule));
        assert_eq!(v, Ok(Value::Map(rules)));
    }

    #[test]
    fn mismatches_name_the_whole_path() {
        let j = json!({"r1": {"node": "app", "flows": ["k1", 7, true]}});
        assert_eq!(
            from_json(j, &rules_type(), "rules"),
            Err(
                r#"provider bug: rules["r1"].flows[2] is true but the schema says string"#
                    .to_string()
            )
        );
        let j = json!({"r1": {"node": "app", "extra": 1}});
        assert_eq!(
            from_json(j, &rules_type(), "rules"),
            Err(r#"provider bug: rules["r1"].extra is not in the schema"#.to_string())
        );
        assert_eq!(
            from_json(json!([1]), &Type::String, "x"),
            Err("provider bug: x is [1] but the schema says string".to_string())
        );
    }
}

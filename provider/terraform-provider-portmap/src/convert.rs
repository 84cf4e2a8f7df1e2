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

/// Converts JSON (the core's serde output objects) to a value of type `ty`.
/// Object attributes missing from the JSON become null. A mismatch is a bug
/// in the provider, reported as an error naming the path.
pub fn from_json(j: &serde_json::Value, ty: &Type, path: &str) -> Result<Value, String> {
    use serde_json::Value as J;
    let bad = || {
        Err(format!(
            "provider bug: {path} is {j} but the schema says {ty}"
        ))
    };
    match (ty, j) {
        (_, J::Null) => Ok(Value::Null),
        (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
        (Type::String, J::Number(n)) => Ok(Value::String(n.to_string())),
        (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Number, J::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Value::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(Value::Number(Number::from(u)))
            } else {
                match n.as_f64().and_then(Number::from_f64) {
                    Some(x) => Ok(Value::Number(x)),
                    None => bad(),
                }
            }
        }
        (Type::List(t), J::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, x)| from_json(x, t, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        (Type::Set(t), J::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, x)| from_json(x, t, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Set),
        (Type::Map(t), J::Object(m)) => m
            .iter()
            .map(|(k, x)| from_json(x, t, &format!("{path}[{k:?}]")).map(|v| (k.clone(), v)))
            .collect::<Result<_, _>>()
            .map(Value::Map),
        (Type::Object { attrs, .. }, J::Object(m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(format!("provider bug: {path}.{extra} is not in the schema"));
            }
            attrs
                .iter()
                .map(|(k, t)| match m.get(k) {
                    Some(x) => from_json(x, t, &format!("{path}.{k}")).map(|v| (k.clone(), v)),
                    None => Ok((k.clone(), Value::Null)),
                })
                .collect::<Result<_, _>>()
                .map(Value::Object)
        }
        _ => bad(),
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
        match json.and_then(|j| from_json(&j, &ty, name)) {
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

//! Cross-reference checks of one product: what the type system cannot say.

use std::collections::BTreeSet;

use super::CatalogError;
use super::model::{Condition, Placement, PortBase, PortExpr, Product, SettingKind};
use super::values::{Settings, default_value, eval_ports};

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && !s.ends_with('-')
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

/// Checks a product; returns every problem found (empty = valid).
pub fn check_product(p: &Product, origin: &str) -> Vec<CatalogError> {
    let mut errs = Vec::new();
    let mut err = |location: String, message: String| {
        errs.push(CatalogError {
            origin: origin.to_string(),
            location,
            message,
        });
    };

    if !is_kebab(&p.id) {
        err(
            "id".into(),
            format!(
                "product id \"{}\" must be lower-case letters, digits and dashes",
                p.id
            ),
        );
    }
    for (field, value) in [
        ("name", &p.name),
        ("vendor", &p.vendor),
        ("version", &p.version),
        ("description", &p.description),
    ] {
        if value.trim().is_empty() {
            err(field.into(), format!("{field} must not be empty"));
        }
    }
    if p.source.document.trim().is_empty() {
        err(
            "source.document".into(),
            "the source document must be named".into(),
        );
    }
    let mut tables = BTreeSet::new();
    for (i, t) in p.source.tables.iter().enumerate() {
        if !tables.insert(t.id.as_str()) {
            err(
                format!("source.tables[{i}].id"),
                format!("duplicate table id \"{}\"", t.id),
            );
        }
        if t.rows == 0 {
            err(
                format!("source.tables[{i}].rows"),
                "a table has at least one row".into(),
            );
        }
    }

    // Components.
    let mut comps = BTreeSet::new();
    for (i, c) in p.components.iter().enumerate() {
        if !is_kebab(&c.id) {
            err(
                format!("components[{i}].id"),
                format!(
                    "component id \"{}\" must be lower-case letters, digits and dashes",
                    c.id
                ),
            );
        }
        if !comps.insert(c.id.as_str()) {
            err(
                format!("components[{i}].id"),
                format!("duplicate component id \"{}\"", c.id),
            );
        }
        if c.name.trim().is_empty() || c.description.trim().is_empty() {
            err(
                format!("components[{i}]"),
                format!("component \"{}\" needs a name and a description", c.id),
            );
        }
    }
    let bundles: BTreeSet<&str> = p
        .components
        .iter()
        .filter(|c| !c.includes.is_empty())
        .map(|c| c.id.as_str())
        .collect();
    for (i, c) in p.components.iter().enumerate() {
        for (j, inc) in c.includes.iter().enumerate() {
            if !comps.contains(inc.as_str()) {
                err(
                    format!("components[{i}].includes[{j}]"),
                    format!("unknown component \"{inc}\""),
                );
            } else if bundles.contains(inc.as_str()) {
                err(
                    format!("components[{i}].includes[{j}]"),
                    format!("\"{inc}\" is itself a bundle; bundles do not nest"),
                );
            }
        }
    }
    for (i, c) in p.components.iter().enumerate() {
        let Some(broader) = &c.part_of else { continue };
        if !comps.contains(broader.as_str()) {
            err(
                format!("components[{i}].part_of"),
                format!("unknown component \"{broader}\""),
            );
        } else if broader == &c.id {
            err(
                format!("components[{i}].part_of"),
                "a component cannot be part of itself".to_string(),
            );
        } else if bundles.contains(broader.as_str()) {
            err(
                format!("components[{i}].part_of"),
                format!("\"{broader}\" is a bundle; name a component that flows use"),
            );
        }
    }
    let real_component = |id: &str| comps.contains(id) && !bundles.contains(id);

    // Settings.
    let mut settings = BTreeSet::new();
    for (i, s) in p.settings.iter().enumerate() {
        if !is_snake(&s.id) {
            err(
                format!("settings[{i}].id"),
                format!("setting id \"{}\" must be lower-case snake case", s.id),
            );
        }
        if !settings.insert(s.id.as_str()) {
            err(
                format!("settings[{i}].id"),
                format!("duplicate setting id \"{}\"", s.id),
            );
        }
        if let Err(e) = default_value(s) {
            err(
                format!("settings[{i}].default"),
                format!("invalid default for \"{}\": {e}", s.id),
            );
        }
        if let Some(c) = &s.count_of {
            if s.kind != SettingKind::Count {
                err(
                    format!("settings[{i}].count_of"),
                    "only count settings can follow a component count".into(),
                );
            }
            if !real_component(c) {
                err(
                    format!("settings[{i}].count_of"),
                    format!("unknown component \"{c}\""),
                );
            }
        }
        if s.max.is_some() && s.kind != SettingKind::Count {
            err(
                format!("settings[{i}].max"),
                "only count settings have a max".into(),
            );
        }
    }
    let setting_kind = |id: &str| p.settings.iter().find(|s| s.id == id).map(|s| s.kind);

    // Features.
    let mut features = BTreeSet::new();
    for (i, f) in p.features.iter().enumerate() {
        if !is_kebab(&f.id) {
            err(
                format!("features[{i}].id"),
                format!(
                    "feature id \"{}\" must be lower-case letters, digits and dashes",
                    f.id
                ),
            );
        }
        if !features.insert(f.id.as_str()) {
            err(
                format!("features[{i}].id"),
                format!("duplicate feature id \"{}\"", f.id),
            );
        }
        let placed: Vec<&String> = match &f.auto {
            Some(Placement::Placed(c)) | Some(Placement::Multiple(c)) => vec![c],
            Some(Placement::Apart([a, b])) => vec![a, b],
            None => vec![],
        };
        for c in placed {
            if !real_component(c) {
                err(
                    format!("features[{i}].auto"),
                    format!("unknown component \"{c}\""),
                );
            }
        }
    }
    let mut groups = BTreeSet::new();
    for (i, g) in p.groups.iter().enumerate() {
        if !is_kebab(&g.id) || !groups.insert(g.id.as_str()) {
            err(
                format!("groups[{i}].id"),
                format!("group id \"{}\" is not a new kebab-case id", g.id),
            );
        }
        if let Some(c) = &g.required_with
            && !real_component(c)
        {
            err(
                format!("groups[{i}].required_with"),
                format!("unknown component \"{c}\""),
            );
        }
        if !p
            .features
            .iter()
            .any(|f| f.group.as_deref() == Some(g.id.as_str()))
        {
            err(
                format!("groups[{i}]"),
                format!("group \"{}\" has no features", g.id),
            );
        }
        let defaults = p
            .features
            .iter()
            .filter(|f| f.group.as_deref() == Some(g.id.as_str()) && f.default)
            .count();
        if g.exclusive && defaults > 1 {
            err(
                format!("groups[{i}]"),
                format!(
                    "exclusive group \"{}\" has {defaults} default features; at most one",
                    g.id
                ),
            );
        }
    }
    for (i, f) in p.features.iter().enumerate() {
        if let Some(g) = &f.group
            && !groups.contains(g.as_str())
        {
            err(
                format!("features[{i}].group"),
                format!("unknown group \"{g}\""),
            );
        }
    }

    // Flows.
    let defaults = Settings::defaults(p);
    let mut flow_ids = BTreeSet::new();
    for (i, f) in p.flows.iter().enumerate() {
        let at = |field: &str| format!("flows[{i}].{field} ({})", f.id);
        if !is_kebab(&f.id) {
            err(
                at("id"),
                format!(
                    "flow id \"{}\" must be lower-case letters, digits and dashes",
                    f.id
                ),
            );
        }
        if !flow_ids.insert(f.id.as_str()) {
            err(at("id"), format!("duplicate flow id \"{}\"", f.id));
        }
        for (field, c) in [("from", &f.from), ("to", &f.to)] {
            if bundles.contains(c.as_str()) {
                err(
                    at(field),
                    format!("\"{c}\" is a bundle; flows name the bundled components"),
                );
            } else if !comps.contains(c.as_str()) {
                err(at(field), format!("unknown component \"{c}\""));
            }
        }
        if f.ports.is_empty() {
            err(
                at("ports"),
                "a flow has at least one port expression".into(),
            );
        }
        for (j, e) in f.ports.iter().enumerate() {
            let mut need = |id: &str, kind: SettingKind| match setting_kind(id) {
                None => err(
                    format!("flows[{i}].ports[{j}] ({})", f.id),
                    format!("unknown setting \"{id}\""),
                ),
                Some(k) if k != kind => err(
                    format!("flows[{i}].ports[{j}] ({})", f.id),
                    format!("setting \"{id}\" is a {k:?} setting, {kind:?} expected"),
                ),
                Some(_) => {}
            };
            match e {
                PortExpr::Base(PortBase::Setting { setting, .. }) => {
                    need(setting, SettingKind::Port)
                }
                PortExpr::List { ports_setting } => need(ports_setting, SettingKind::Ports),
                PortExpr::Series { series } => {
                    if let PortBase::Setting { setting, .. } = &series.start {
                        need(setting, SettingKind::Port);
                    }
                    need(&series.count, SettingKind::Count);
                    if series.step == 0 {
                        err(
                            format!("flows[{i}].ports[{j}] ({})", f.id),
                            "a series step is at least 1".into(),
                        );
                    }
                }
                _ => {}
            }
        }
        if let Err(e) = eval_ports(&f.ports, &defaults) {
            err(
                at("ports"),
                format!("ports do not evaluate at the default settings: {e}"),
            );
        }
        if let Some(c) = &f.condition {
            check_condition(c, &features, &mut |m| err(at("condition"), m));
        }
        if f.app_protocol.trim().is_empty() || f.purpose.trim().is_empty() {
            err(
                at("purpose"),
                "a flow needs an app_protocol and a purpose".into(),
            );
        }
        if f.citations.is_empty() {
            err(
                at("citations"),
                "every flow cites at least one vendor table row".into(),
            );
        }
        for (j, c) in f.citations.iter().enumerate() {
            match p.table(&c.table) {
                None => err(
                    format!("flows[{i}].citations[{j}] ({})", f.id),
                    format!("unknown table \"{}\"", c.table),
                ),
                Some(t) if c.row == 0 || c.row > t.rows => err(
                    format!("flows[{i}].citations[{j}] ({})", f.id),
                    format!("table \"{}\" has rows 1-{}, not {}", c.table, t.rows, c.row),
                ),
                Some(_) => {}
            }
        }
    }
    errs
}

fn check_condition(c: &Condition, features: &BTreeSet<&str>, err: &mut dyn FnMut(String)) {
    match c {
        Condition::Feature(f) if !features.contains(f.as_str()) => {
            err(format!("unknown feature \"{f}\""))
        }
        Condition::Feature(_) => {}
        Condition::All { all: cs } | Condition::Any { any: cs } => {
            if cs.is_empty() {
                err("all/any need at least one condition".into());
            }
            for c in cs {
                check_condition(c, features, err);
            }
        }
        Condition::Not { not } => check_condition(not, features, err),
    }
}

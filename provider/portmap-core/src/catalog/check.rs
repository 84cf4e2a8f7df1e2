//! Cross-reference checks of one product: what the type system cannot say.

use std::collections::BTreeSet;

use super::CatalogError;
use super::model::{Condition, Flow, Placement, PortBase, PortExpr, Product, SettingKind};
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

/// Checks a product; returns every problem found (empty = valid), in the
/// order of the document: header and sources, components, settings,
/// features and their groups, flows.
pub fn check_product(p: &Product, origin: &str) -> Vec<CatalogError> {
    let mut check = ProductCheck {
        product: p,
        origin,
        errors: Vec::new(),
        component_ids: BTreeSet::new(),
        bundle_ids: p
            .components
            .iter()
            .filter(|c| !c.includes.is_empty())
            .map(|c| c.id.as_str())
            .collect(),
        feature_ids: BTreeSet::new(),
        default_settings: Settings::defaults(p),
    };
    check.header_and_sources();
    check.components();
    check.settings();
    check.features();
    check.groups();
    for (index, flow) in p.flows.iter().enumerate() {
        check.flow(index, flow);
    }
    check.errors
}

/// One product being checked: the ids declared so far, and the problems.
struct ProductCheck<'p> {
    product: &'p Product,
    origin: &'p str,
    errors: Vec<CatalogError>,
    /// Component ids, bundles included (after [`ProductCheck::components`]).
    component_ids: BTreeSet<&'p str>,
    /// Components that only stand for others (`includes`).
    bundle_ids: BTreeSet<&'p str>,
    /// Feature ids (after [`ProductCheck::features`]).
    feature_ids: BTreeSet<&'p str>,
    /// The settings at their defaults, at which every flow's ports must
    /// evaluate.
    default_settings: Settings,
}

impl<'p> ProductCheck<'p> {
    fn error(&mut self, location: String, message: String) {
        self.errors.push(CatalogError {
            origin: self.origin.to_string(),
            location,
            message,
        });
    }

    /// A component that flows can name: declared and not a bundle.
    fn is_real_component(&self, id: &str) -> bool {
        self.component_ids.contains(id) && !self.bundle_ids.contains(id)
    }

    fn setting_kind(&self, id: &str) -> Option<SettingKind> {
        self.product
            .settings
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.kind)
    }

    fn header_and_sources(&mut self) {
        let p = self.product;
        if !is_kebab(&p.id) {
            self.error(
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
                self.error(field.into(), format!("{field} must not be empty"));
            }
        }
        if p.source.document.trim().is_empty() {
            self.error(
                "source.document".into(),
                "the source document must be named".into(),
            );
        }
        let mut tables = BTreeSet::new();
        for (i, t) in p.source.tables.iter().enumerate() {
            if !tables.insert(t.id.as_str()) {
                self.error(
                    format!("source.tables[{i}].id"),
                    format!("duplicate table id \"{}\"", t.id),
                );
            }
            if t.rows == 0 {
                self.error(
                    format!("source.tables[{i}].rows"),
                    "a table has at least one row".into(),
                );
            }
        }
    }

    /// Component ids, then what bundles include and what narrower parties
    /// are part of.
    fn components(&mut self) {
        let p = self.product;
        for (i, c) in p.components.iter().enumerate() {
            if !is_kebab(&c.id) {
                self.error(
                    format!("components[{i}].id"),
                    format!(
                        "component id \"{}\" must be lower-case letters, digits and dashes",
                        c.id
                    ),
                );
            }
            if !self.component_ids.insert(c.id.as_str()) {
                self.error(
                    format!("components[{i}].id"),
                    format!("duplicate component id \"{}\"", c.id),
                );
            }
            if c.name.trim().is_empty() || c.description.trim().is_empty() {
                self.error(
                    format!("components[{i}]"),
                    format!("component \"{}\" needs a name and a description", c.id),
                );
            }
        }
        for (i, c) in p.components.iter().enumerate() {
            for (j, included) in c.includes.iter().enumerate() {
                if !self.component_ids.contains(included.as_str()) {
                    self.error(
                        format!("components[{i}].includes[{j}]"),
                        format!("unknown component \"{included}\""),
                    );
                } else if self.bundle_ids.contains(included.as_str()) {
                    self.error(
                        format!("components[{i}].includes[{j}]"),
                        format!("\"{included}\" is itself a bundle; bundles do not nest"),
                    );
                }
            }
        }
        for (i, c) in p.components.iter().enumerate() {
            let Some(broader) = &c.part_of else { continue };
            if !self.component_ids.contains(broader.as_str()) {
                self.error(
                    format!("components[{i}].part_of"),
                    format!("unknown component \"{broader}\""),
                );
            } else if broader == &c.id {
                self.error(
                    format!("components[{i}].part_of"),
                    "a component cannot be part of itself".to_string(),
                );
            } else if self.bundle_ids.contains(broader.as_str()) {
                self.error(
                    format!("components[{i}].part_of"),
                    format!("\"{broader}\" is a bundle; name a component that flows use"),
                );
            }
        }
    }

    fn settings(&mut self) {
        let p = self.product;
        let mut setting_ids = BTreeSet::new();
        for (i, s) in p.settings.iter().enumerate() {
            if !is_snake(&s.id) {
                self.error(
                    format!("settings[{i}].id"),
                    format!("setting id \"{}\" must be lower-case snake case", s.id),
                );
            }
            if !setting_ids.insert(s.id.as_str()) {
                self.error(
                    format!("settings[{i}].id"),
                    format!("duplicate setting id \"{}\"", s.id),
                );
            }
            if let Err(e) = default_value(s) {
                self.error(
                    format!("settings[{i}].default"),
                    format!("invalid default for \"{}\": {e}", s.id),
                );
            }
            if let Some(c) = &s.count_of {
                if s.kind != SettingKind::Count {
                    self.error(
                        format!("settings[{i}].count_of"),
                        "only count settings can follow a component count".into(),
                    );
                }
                if !self.is_real_component(c) {
                    self.error(
                        format!("settings[{i}].count_of"),
                        format!("unknown component \"{c}\""),
                    );
                }
            }
            if s.max.is_some() && s.kind != SettingKind::Count {
                self.error(
                    format!("settings[{i}].max"),
                    "only count settings have a max".into(),
                );
            }
        }
    }

    fn features(&mut self) {
        let p = self.product;
        for (i, f) in p.features.iter().enumerate() {
            if !is_kebab(&f.id) {
                self.error(
                    format!("features[{i}].id"),
                    format!(
                        "feature id \"{}\" must be lower-case letters, digits and dashes",
                        f.id
                    ),
                );
            }
            if !self.feature_ids.insert(f.id.as_str()) {
                self.error(
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
                if !self.is_real_component(c) {
                    self.error(
                        format!("features[{i}].auto"),
                        format!("unknown component \"{c}\""),
                    );
                }
            }
        }
    }

    /// Feature groups, then the group each feature names.
    fn groups(&mut self) {
        let p = self.product;
        let mut group_ids = BTreeSet::new();
        for (i, g) in p.groups.iter().enumerate() {
            if !is_kebab(&g.id) || !group_ids.insert(g.id.as_str()) {
                self.error(
                    format!("groups[{i}].id"),
                    format!("group id \"{}\" is not a new kebab-case id", g.id),
                );
            }
            if let Some(c) = &g.required_with
                && !self.is_real_component(c)
            {
                self.error(
                    format!("groups[{i}].required_with"),
                    format!("unknown component \"{c}\""),
                );
            }
            let members = || {
                p.features
                    .iter()
                    .filter(|f| f.group.as_deref() == Some(g.id.as_str()))
            };
            if members().next().is_none() {
                self.error(
                    format!("groups[{i}]"),
                    format!("group \"{}\" has no features", g.id),
                );
            }
            let defaults = members().filter(|f| f.default).count();
            if g.exclusive && defaults > 1 {
                self.error(
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
                && !group_ids.contains(g.as_str())
            {
                self.error(
                    format!("features[{i}].group"),
                    format!("unknown group \"{g}\""),
                );
            }
        }
    }

    /// One flow: its id, its ends, its ports, its condition, its purpose and
    /// its citations.
    fn flow(&mut self, i: usize, f: &'p Flow) {
        let at = |field: &str| format!("flows[{i}].{field} ({})", f.id);
        if !is_kebab(&f.id) {
            self.error(
                at("id"),
                format!(
                    "flow id \"{}\" must be lower-case letters, digits and dashes",
                    f.id
                ),
            );
        }
        if self.flow_ids_seen(i, f) {
            self.error(at("id"), format!("duplicate flow id \"{}\"", f.id));
        }
        for (field, c) in [("from", &f.from), ("to", &f.to)] {
            if self.bundle_ids.contains(c.as_str()) {
                self.error(
                    at(field),
                    format!("\"{c}\" is a bundle; flows name the bundled components"),
                );
            } else if !self.component_ids.contains(c.as_str()) {
                self.error(at(field), format!("unknown component \"{c}\""));
            }
        }
        self.flow_ports(i, f);
        if let Some(c) = &f.condition {
            let mut found = Vec::new();
            check_condition(c, &self.feature_ids, &mut |m| found.push(m));
            for message in found {
                self.error(at("condition"), message);
            }
        }
        if f.app_protocol.trim().is_empty() || f.purpose.trim().is_empty() {
            self.error(
                at("purpose"),
                "a flow needs an app_protocol and a purpose".into(),
            );
        }
        if f.citations.is_empty() {
            self.error(
                at("citations"),
                "every flow cites at least one vendor table row".into(),
            );
        }
        for (j, c) in f.citations.iter().enumerate() {
            let location = format!("flows[{i}].citations[{j}] ({})", f.id);
            match self.product.table(&c.table) {
                None => self.error(location, format!("unknown table \"{}\"", c.table)),
                Some(t) if c.row == 0 || c.row > t.rows => self.error(
                    location,
                    format!("table \"{}\" has rows 1-{}, not {}", c.table, t.rows, c.row),
                ),
                Some(_) => {}
            }
        }
    }

    /// Whether an earlier flow has the same id.
    fn flow_ids_seen(&self, i: usize, f: &Flow) -> bool {
        self.product.flows[..i].iter().any(|other| other.id == f.id)
    }

    /// The settings a flow's port expressions name (each of the right
    /// kind), and that they evaluate at the default settings.
    fn flow_ports(&mut self, i: usize, f: &Flow) {
        if f.ports.is_empty() {
            self.error(
                format!("flows[{i}].ports ({})", f.id),
                "a flow has at least one port expression".into(),
            );
        }
        for (j, expression) in f.ports.iter().enumerate() {
            let location = format!("flows[{i}].ports[{j}] ({})", f.id);
            let mut named: Vec<(&str, SettingKind)> = Vec::new();
            match expression {
                PortExpr::Base(PortBase::Setting { setting, .. }) => {
                    named.push((setting, SettingKind::Port))
                }
                PortExpr::List { ports_setting } => named.push((ports_setting, SettingKind::Ports)),
                PortExpr::Series { series } => {
                    if let PortBase::Setting { setting, .. } = &series.start {
                        named.push((setting, SettingKind::Port));
                    }
                    named.push((&series.count, SettingKind::Count));
                }
                _ => {}
            }
            for (id, kind) in named {
                match self.setting_kind(id) {
                    None => self.error(location.clone(), format!("unknown setting \"{id}\"")),
                    Some(k) if k != kind => self.error(
                        location.clone(),
                        format!("setting \"{id}\" is a {k:?} setting, {kind:?} expected"),
                    ),
                    Some(_) => {}
                }
            }
            if let PortExpr::Series { series } = expression
                && series.step == 0
            {
                self.error(location, "a series step is at least 1".into());
            }
        }
        if let Err(e) = eval_ports(&f.ports, &self.default_settings) {
            self.error(
                format!("flows[{i}].ports ({})", f.id),
                format!("ports do not evaluate at the default settings: {e}"),
            );
        }
    }
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

//! Setting values and the evaluation of port expressions.

use std::collections::BTreeMap;

use super::model::{PortBase, PortExpr, Product, Setting, SettingDefault, SettingKind};
use crate::ports::{PortRange, PortSet, parse_port};

/// The value of a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    /// A port setting (`http_port`), 1-65535.
    Port(u16),
    /// A count setting (the number of instances of a series), at least 1.
    Count(u32),
    /// A list of ports and ranges.
    Ports(PortSet),
}

impl std::fmt::Display for SettingValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingValue::Port(p) => write!(f, "{p}"),
            SettingValue::Count(n) => write!(f, "{n}"),
            SettingValue::Ports(s) => write!(f, "{s}"),
        }
    }
}

/// Largest count any `count` setting accepts when the catalog gives no `max`.
pub const DEFAULT_MAX_COUNT: u32 = 64;

/// Parses a user's text for a setting ("4100", "1521, 5000-5010").
pub fn parse_setting(setting: &Setting, text: &str) -> Result<SettingValue, String> {
    let text = text.trim();
    match setting.kind {
        SettingKind::Port => parse_port(text)
            .map(SettingValue::Port)
            .map_err(|e| format!("{e}; {} takes one port number", setting.id)),
        SettingKind::Count => {
            let max = setting.max.unwrap_or(DEFAULT_MAX_COUNT);
            match text.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => Ok(SettingValue::Count(n)),
                _ => Err(format!(
                    "\"{text}\" is not a whole number from 1 to {max}; {} is a count",
                    setting.id
                )),
            }
        }
        SettingKind::Ports => PortSet::parse(text).map(SettingValue::Ports).map_err(|e| {
            format!(
                "{e}; {} takes a list such as \"1521, 5000-5010\"",
                setting.id
            )
        }),
    }
}

/// The catalog default of a setting.
pub fn default_value(setting: &Setting) -> Result<SettingValue, String> {
    let text = match &setting.default {
        SettingDefault::Number(n) => n.to_string(),
        SettingDefault::Text(t) => t.clone(),
    };
    match (&setting.kind, &setting.default) {
        (SettingKind::Ports, SettingDefault::Number(_)) => {
            Err("a ports setting's default is a string".into())
        }
        (SettingKind::Port | SettingKind::Count, SettingDefault::Text(_)) => {
            Err("a port or count setting's default is a number".into())
        }
        _ => parse_setting(setting, &text),
    }
}

/// The settings of one product: defaults overridden by the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, SettingValue>,
}

impl Settings {
    /// Every setting at its catalog default. Settings whose default does not
    /// parse (a broken catalog, refused by the checks) are left out.
    pub fn defaults(product: &Product) -> Settings {
        let values = product
            .settings
            .iter()
            .filter_map(|s| default_value(s).ok().map(|v| (s.id.clone(), v)))
            .collect();
        Settings { values }
    }

    /// A setting's value.
    pub fn get(&self, id: &str) -> Option<&SettingValue> {
        self.values.get(id)
    }

    /// Sets a value.
    pub fn set(&mut self, id: &str, value: SettingValue) {
        self.values.insert(id.to_string(), value);
    }

    /// All values, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &SettingValue)> {
        self.values.iter()
    }

    fn port(&self, id: &str) -> Result<u16, String> {
        match self.values.get(id) {
            Some(SettingValue::Port(p)) => Ok(*p),
            Some(_) => Err(format!("setting {id} is not a port")),
            None => Err(format!("unknown setting {id}")),
        }
    }

    fn count(&self, id: &str) -> Result<u32, String> {
        match self.values.get(id) {
            Some(SettingValue::Count(n)) => Ok(*n),
            Some(_) => Err(format!("setting {id} is not a count")),
            None => Err(format!("unknown setting {id}")),
        }
    }
}

fn offset_port(base: u16, offset: i64, what: &str) -> Result<u16, String> {
    let p = i64::from(base) + offset;
    if (1..=65535).contains(&p) {
        Ok(p as u16)
    } else {
        Err(format!("{what} gives port {p}, outside 1-65535"))
    }
}

fn eval_base(base: &PortBase, settings: &Settings) -> Result<(u16, String), String> {
    match base {
        PortBase::Fixed(p) => Ok((*p, p.to_string())),
        PortBase::Setting { setting, offset } => {
            let v = settings.port(setting)?;
            let what = if *offset == 0 {
                setting.clone()
            } else {
                format!("{setting} {offset:+}")
            };
            Ok((offset_port(v, i64::from(*offset), &what)?, what))
        }
    }
}

/// The ports a list of port expressions stands for, at the given settings.
pub fn eval_ports(exprs: &[PortExpr], settings: &Settings) -> Result<PortSet, String> {
    let mut set = PortSet::new();
    for e in exprs {
        match e {
            PortExpr::Base(b) => {
                let (p, _) = eval_base(b, settings)?;
                if p == 0 {
                    return Err("port 0 is not a port".into());
                }
                set.insert(PortRange::single(p));
            }
            PortExpr::Range { range: [a, b] } => {
                if *a == 0 || a > b {
                    return Err(format!("range {a}-{b} is not valid"));
                }
                set.insert(PortRange::new(*a, *b));
            }
            PortExpr::AndAbove { and_above } => {
                if *and_above == 0 {
                    return Err("port 0 is not a port".into());
                }
                set.insert(PortRange::new(*and_above, u16::MAX));
            }
            PortExpr::List { ports_setting } => match settings.get(ports_setting) {
                Some(SettingValue::Ports(s)) => set.extend(s),
                Some(_) => return Err(format!("setting {ports_setting} is not a port list")),
                None => return Err(format!("unknown setting {ports_setting}")),
            },
            PortExpr::Series { series } => {
                let (start, what) = eval_base(&series.start, settings)?;
                let n = settings.count(&series.count)?;
                for i in 0..n {
                    let off = i64::from(i) * i64::from(series.step);
                    let p = offset_port(
                        start,
                        off,
                        &format!("instance {} of the series starting at {what}", i + 1),
                    )?;
                    set.insert(PortRange::single(p));
                }
            }
        }
    }
    Ok(set)
}

/// A short human rendering of a port expression list, as the catalog writes
/// it: `switch_port + 1, step 1, × switch_count`.
pub fn describe_ports(exprs: &[PortExpr]) -> String {
    fn base(b: &PortBase) -> String {
        match b {
            PortBase::Fixed(p) => p.to_string(),
            PortBase::Setting { setting, offset: 0 } => format!("{{{setting}}}"),
            PortBase::Setting { setting, offset } => format!("{{{setting}}} {offset:+}"),
        }
    }
    exprs
        .iter()
        .map(|e| match e {
            PortExpr::Base(b) => base(b),
            PortExpr::Range { range: [a, b] } => format!("{a}-{b}"),
            PortExpr::AndAbove { and_above } => format!("{and_above} and above"),
            PortExpr::List { ports_setting } => format!("{{{ports_setting}}}"),
            PortExpr::Series { series } => format!(
                "one per {{{}}}: {}, then every {}",
                series.count,
                base(&series.start),
                series.step
            ),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

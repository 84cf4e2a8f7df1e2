//! `portmap_azure_nsg_priorities`: Azure rule priorities kept in state, so
//! that they never clash and never move (see
//! `portmap_core::cloud::azure_priorities` for the assignment rule).

use std::collections::BTreeMap;

use portmap_core::cloud::azure::{MAX_DERIVED, MAX_PRIORITY, MIN_PRIORITY};
use portmap_core::cloud::azure_priorities::{Assignment, Slot, assign, check_slot, parse_import};
use portmap_core::issue::Path;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};
use tfplugin::server::{ApplyRequest, PlanRequest, PlannedChange};
use tfplugin::value::{Type, Value};

use super::Resource;
use crate::convert;

/// `portmap_azure_nsg_priorities` as a [`Resource`]; the module documentation says what it manages.
pub struct PortmapAzureNsgPriorities;

/// The schema version of the state. Version 0 (a pre-release layout) kept
/// each priority as an object `{nsg, direction, priority}`.
pub const SCHEMA_VERSION: i64 = 1;

const TYPE_NAME: &str = "portmap_azure_nsg_priorities";

impl Resource for PortmapAzureNsgPriorities {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(format!(
                "Azure security rule priorities kept in Terraform state: unique per NSG and direction, known at plan, and never changed while a rule key exists, so adding rules never clashes with or moves an existing rule (the priorities `portmap_azure_nsg_rules` derives from each key alone can clash, about one time in three in an NSG of 60 rules).\n\n\
                 How priorities are assigned: a key keeps its priority while it exists with the same `nsg` and `direction`. A removed key frees its priority. New keys, in key order, take the priority `portmap_azure_nsg_rules` would derive for them when it is free in their NSG and direction, else the next free one above it, wrapping from {MAX_DERIVED} to {MIN_PRIORITY}. Only {MIN_PRIORITY}–{MAX_DERIVED} are assigned: {}–{MAX_PRIORITY} stay free for your own rules, such as a deny-all at {MAX_PRIORITY} and an `AzureLoadBalancer` allow above it. An NSG and direction whose {} priorities are all taken is an error at plan naming the rule that found none.\n\n\
                 Import: the ID is a JSON object from rule key to `{{nsg, direction, priority}}` (priorities {MIN_PRIORITY}–{MAX_PRIORITY}, unique per NSG and direction), for example `jsonencode({{ for k, r in data.portmap_azure_nsg_rules.this.rules : k => {{ nsg = r.node, direction = r.direction, priority = r.priority }} }})` to keep the priorities existing rules already have. Imported priorities above {MAX_DERIVED} are kept too.\n\n\
                 The resource lives only in Terraform's state: it creates nothing in Azure. Schema version {SCHEMA_VERSION}; states of version 0 are upgraded.",
                MAX_DERIVED + 1,
                MAX_DERIVED - MIN_PRIORITY + 1,
            ))
            .attribute(
                Attribute::nested(
                    "rules",
                    ObjectNesting::Map,
                    vec![
                        Attribute::required(
                            "nsg",
                            Type::String,
                            "The network security group holding the rule, any name unique to it (typically the rule's `node` from `portmap_azure_nsg_rules`).",
                        ),
                        Attribute::required(
                            "direction",
                            Type::String,
                            "`Inbound` or `Outbound` (the rule's `direction`).",
                        ),
                    ],
                    "The rules to give priorities, by rule key (typically `{ for k, r in data.portmap_azure_nsg_rules.this.rules : k => { nsg = r.node, direction = r.direction } }`).",
                )
                .make_required(),
            )
            .attribute(Attribute::computed(
                "priorities",
                Type::map(Type::Number),
                "The priority of each rule, by rule key: use `priority = portmap_azure_nsg_priorities.this.priorities[each.key]` in `azurerm_network_security_rule`. Known at plan whenever `rules` is.",
            )),
        )
        .with_version(SCHEMA_VERSION)
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let Some(rules) = config.get("rules").and_then(Value::as_map) else {
            return Diagnostics::new();
        };
        let mut issues = Vec::new();
        for (key, rule) in rules {
            let path = Path::root().attr("rules").key(key);
            issues.extend(check_slot(
                rule.get("nsg").and_then(Value::as_str),
                rule.get("direction").and_then(Value::as_str),
                &path,
            ));
        }
        convert::diagnostics(&issues)
    }

    fn upgrade(&self, version: i64, state: &Value) -> (Option<Value>, Diagnostics) {
        if version != 0 {
            return (
                None,
                error(
                    "Cannot upgrade the state",
                    format!("{TYPE_NAME} has no schema version {version}."),
                ),
            );
        }
        match upgrade_v0(state) {
            Ok(v) => (Some(v), Diagnostics::new()),
            Err(e) => (
                None,
                error(
                    "Cannot upgrade the state",
                    format!("The stored {TYPE_NAME} state of schema version 0 is malformed: {e}."),
                ),
            ),
        }
    }

    fn plan(&self, change: &PlanRequest) -> (Option<PlannedChange>, Diagnostics) {
        let rules = change
            .proposed_new_state
            .get("rules")
            .cloned()
            .unwrap_or_default();
        let (priorities, diags) = priorities(&change.prior_state, &rules);
        (
            priorities.map(|p| PlannedChange {
                state: state(rules, p),
                requires_replace: Vec::new(),
            }),
            diags,
        )
    }

    fn apply(&self, change: &ApplyRequest) -> (Option<Value>, Diagnostics) {
        if change.planned_state.is_null() {
            return (Some(Value::Null), Diagnostics::new());
        }
        let rules = change.config.get("rules").cloned().unwrap_or_default();
        let (priorities, diags) = priorities(&change.prior_state, &rules);
        (priorities.map(|p| state(rules, p)), diags)
    }

    fn import(&self, id: &str) -> (Option<Value>, Diagnostics) {
        match parse_import(id) {
            Ok(assigned) => {
                let rules = Value::Map(
                    assigned
                        .iter()
                        .map(|(k, a)| (k.clone(), slot_value(&a.nsg, &a.direction)))
                        .collect(),
                );
                let priorities = Value::Map(
                    assigned
                        .iter()
                        .map(|(k, a)| (k.clone(), Value::from(a.priority)))
                        .collect(),
                );
                (Some(state(rules, priorities)), Diagnostics::new())
            }
            Err(e) => (None, error("Invalid import ID", e)),
        }
    }
}

fn error(summary: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(summary, detail).into()
}

fn state(rules: Value, priorities: Value) -> Value {
    Value::object([("rules", rules), ("priorities", priorities)])
}

fn slot_value(nsg: &str, direction: &str) -> Value {
    Value::object([("nsg", nsg), ("direction", direction)])
}

/// The priorities of `rules` given the prior state: unknown while `rules`
/// is not wholly known (the keys or their NSGs decide every new priority).
fn priorities(prior_state: &Value, rules: &Value) -> (Option<Value>, Diagnostics) {
    if !rules.is_wholly_known() {
        return (Some(Value::Unknown), Diagnostics::new());
    }
    let wanted: BTreeMap<String, Slot> = rules
        .as_map()
        .into_iter()
        .flatten()
        .filter_map(|(k, r)| {
            Some((
                k.clone(),
                Slot {
                    nsg: r.get("nsg")?.as_str()?.to_owned(),
                    direction: r.get("direction")?.as_str()?.to_owned(),
                },
            ))
        })
        .collect();
    match assign(&prior_assignments(prior_state), &wanted) {
        Ok(p) => (
            Some(Value::Map(
                p.into_iter().map(|(k, p)| (k, Value::from(p))).collect(),
            )),
            Diagnostics::new(),
        ),
        Err(issues) => (None, convert::diagnostics(&issues)),
    }
}

/// The assignment a state records (empty for a null state).
fn prior_assignments(state: &Value) -> BTreeMap<String, Assignment> {
    let rules = state.get("rules").and_then(Value::as_map);
    let priorities = state.get("priorities").and_then(Value::as_map);
    let (Some(rules), Some(priorities)) = (rules, priorities) else {
        return BTreeMap::new();
    };
    priorities
        .iter()
        .filter_map(|(k, p)| {
            let rule = rules.get(k)?;
            Some((
                k.clone(),
                Assignment {
                    nsg: rule.get("nsg")?.as_str()?.to_owned(),
                    direction: rule.get("direction")?.as_str()?.to_owned(),
                    priority: p.as_i64()?,
                },
            ))
        })
        .collect()
}

/// Version 0 kept `priorities` as objects `{nsg, direction, priority}`;
/// version 1 keeps the number alone (`rules` already holds the NSG and
/// direction).
fn upgrade_v0(state: &Value) -> Result<Value, String> {
    let entries = |attr: &str| match state.get(attr) {
        Some(Value::Object(m) | Value::Map(m)) => Ok(m.clone()),
        Some(Value::Null) | None => Ok(BTreeMap::new()),
        Some(other) => Err(format!("\"{attr}\" is {}, not an object", other.kind())),
    };
    let mut rules = BTreeMap::new();
    for (key, rule) in entries("rules")? {
        let field = |name: &str| {
            rule.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("rules[\"{key}\"].{name} is not a string"))
        };
        rules.insert(
            key.clone(),
            slot_value(&field("nsg")?, &field("direction")?),
        );
    }
    let mut priorities = BTreeMap::new();
    for (key, p) in entries("priorities")? {
        let priority = p
            .get("priority")
            .and_then(Value::as_i64)
            .ok_or_else(|| format!("priorities[\"{key}\"].priority is not a whole number"))?;
        priorities.insert(key, Value::from(priority));
    }
    Ok(state_of(rules, priorities))
}

fn state_of(rules: BTreeMap<String, Value>, priorities: BTreeMap<String, Value>) -> Value {
    state(Value::Map(rules), Value::Map(priorities))
}

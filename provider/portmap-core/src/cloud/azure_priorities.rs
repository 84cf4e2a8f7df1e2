//! Azure priorities kept in Terraform state (`portmap_azure_nsg_priorities`):
//! zero clashes, zero moves.
//!
//! The Azure shape derives each rule's priority from its key alone
//! ([`derived_priority`]), which never moves a rule but can clash. This
//! module assigns priorities with memory of the previous assignment:
//!
//! 1. **A key keeps its priority** while it exists and its NSG and direction
//!    stay the same (imported priorities anywhere in 100–4096 included).
//! 2. **A removed key frees its priority** for later keys.
//! 3. **New keys**, in key order, take their derived priority
//!    ([`derived_priority`], the same one the Azure shape gives them without
//!    this resource) when it is free in their NSG and direction, else the
//!    next free priority above it, wrapping from 3999 back to 100. Same prior
//!    assignment and same keys, same result.
//! 4. Priorities are assigned from 100–3999 only: 4000–4096 stay free for
//!    the user's own rules, such as a deny-all at 4096 and the rules above
//!    it, as in the Azure shape. An NSG and direction with every one of the
//!    3,900 priorities taken is an error at the key that found none.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::azure::{MAX_DERIVED, MAX_PRIORITY, MIN_PRIORITY, derived_priority};
use crate::issue::{Issue, Path};
use crate::suggest::did_you_mean;

/// The two directions of an Azure security rule, spelled as Azure does.
pub const DIRECTIONS: [&str; 2] = ["Inbound", "Outbound"];

/// Priorities this resource assigns to new keys per NSG and direction.
pub const ASSIGNABLE: i64 = MAX_DERIVED - MIN_PRIORITY + 1;

/// Where a rule goes: its NSG and direction.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    /// The NSG (any name: the node name of `portmap_azure_nsg_rules`).
    pub nsg: String,
    /// `Inbound` or `Outbound`.
    pub direction: String,
}

/// A key's priority in its NSG and direction.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub nsg: String,
    pub direction: String,
    pub priority: i64,
}

impl Assignment {
    fn slot(&self) -> Slot {
        Slot {
            nsg: self.nsg.clone(),
            direction: self.direction.clone(),
        }
    }
}

fn rules_path() -> Path {
    Path::root().attr("rules")
}

/// Checks one rule's NSG and direction; `path` is the rule's path.
pub fn check_slot(nsg: Option<&str>, direction: Option<&str>, path: &Path) -> Vec<Issue> {
    let mut issues = Vec::new();
    if nsg.is_some_and(|n| n.trim().is_empty()) {
        issues.push(Issue::error(
            path.attr("nsg"),
            "Empty NSG name",
            "Each rule names the network security group that holds it, typically the rule's `node` from portmap_azure_nsg_rules.",
        ));
    }
    if let Some(d) = direction
        && !DIRECTIONS.contains(&d)
    {
        issues.push(Issue::error(
            path.attr("direction"),
            format!("Invalid direction \"{d}\""),
            format!(
                "An Azure security rule's direction is \"Inbound\" or \"Outbound\" (as portmap_azure_nsg_rules gives it).{}",
                did_you_mean(d, DIRECTIONS)
            ),
        ));
    }
    issues
}

/// Assigns every key of `rules` a priority, keeping the priorities of
/// `prior` (the previous assignment) for the keys still in the same NSG and
/// direction. Errors name the keys that found no free priority.
pub fn assign(
    prior: &BTreeMap<String, Assignment>,
    rules: &BTreeMap<String, Slot>,
) -> Result<BTreeMap<String, i64>, Vec<Issue>> {
    let mut used: BTreeMap<Slot, BTreeSet<i64>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    let mut new_keys = Vec::new();
    for (key, slot) in rules {
        let kept = prior.get(key).filter(|a| {
            a.nsg == slot.nsg
                && a.direction == slot.direction
                && (MIN_PRIORITY..=MAX_PRIORITY).contains(&a.priority)
        });
        match kept {
            // A priority two kept keys share (only in a hand-edited state):
            // the first key keeps it, the other gets a new one.
            Some(a) if used.entry(a.slot()).or_default().insert(a.priority) => {
                out.insert(key.clone(), a.priority);
            }
            _ => new_keys.push(key),
        }
    }
    let mut issues = Vec::new();
    for key in new_keys {
        let Some(slot) = rules.get(key) else { continue };
        let taken = used.entry(slot.clone()).or_default();
        let start = derived_priority(key) - MIN_PRIORITY;
        let free = (0..ASSIGNABLE)
            .map(|i| MIN_PRIORITY + (start + i).rem_euclid(ASSIGNABLE))
            .find(|p| !taken.contains(p));
        match free {
            Some(p) => {
                taken.insert(p);
                out.insert(key.clone(), p);
            }
            None => issues.push(Issue::error(
                rules_path().key(key),
                format!("No free priority in NSG \"{}\" ({})", slot.nsg, slot.direction),
                format!(
                    "Every priority from {MIN_PRIORITY} to {MAX_DERIVED} of NSG \"{}\", direction {}, is held by another rule, so rule \"{key}\" cannot be placed. {}–{MAX_PRIORITY} stay free for your own rules (such as a deny-all at {MAX_PRIORITY}). Azure allows at most 1,000 rules per NSG: split the rules over more NSGs.",
                    slot.nsg,
                    slot.direction,
                    MAX_DERIVED + 1
                ),
            )),
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(issues)
    }
}

/// Reads an import ID: a JSON object from rule key to
/// `{"nsg": ..., "direction": ..., "priority": ...}`. Priorities must be
/// whole numbers in 100–4096, unique per NSG and direction.
pub fn parse_import(id: &str) -> Result<BTreeMap<String, Assignment>, String> {
    let parsed: BTreeMap<String, Assignment> = serde_json::from_str(id).map_err(|e| {
        format!(
            "The import ID must be a JSON object from rule key to {{\"nsg\" = ..., \"direction\" = ..., \"priority\" = ...}}, for example jsonencode({{ \"app:ingress:clients:tcp:ipv4\" = {{ nsg = \"app\", direction = \"Inbound\", priority = 1234 }} }}): {e}."
        )
    })?;
    let mut seen: BTreeMap<(Slot, i64), &str> = BTreeMap::new();
    for (key, a) in &parsed {
        if let Some(issue) = check_slot(Some(&a.nsg), Some(&a.direction), &Path::root())
            .into_iter()
            .next()
        {
            return Err(format!(
                "Rule \"{key}\": {} {}",
                issue.summary, issue.detail
            ));
        }
        if !(MIN_PRIORITY..=MAX_PRIORITY).contains(&a.priority) {
            return Err(format!(
                "Rule \"{key}\": priority {} is outside Azure's {MIN_PRIORITY}–{MAX_PRIORITY}.",
                a.priority
            ));
        }
        if let Some(other) = seen.insert((a.slot(), a.priority), key) {
            return Err(format!(
                "Rules \"{other}\" and \"{key}\" share priority {} in NSG \"{}\" ({}); Azure allows one rule per priority, NSG and direction.",
                a.priority, a.nsg, a.direction
            ));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn slot(nsg: &str, direction: &str) -> Slot {
        Slot {
            nsg: nsg.into(),
            direction: direction.into(),
        }
    }

    fn assigned(
        keys: &BTreeMap<String, Slot>,
        priorities: &BTreeMap<String, i64>,
    ) -> BTreeMap<String, Assignment> {
        priorities
            .iter()
            .map(|(k, p)| {
                let s = &keys[k];
                (
                    k.clone(),
                    Assignment {
                        nsg: s.nsg.clone(),
                        direction: s.direction.clone(),
                        priority: *p,
                    },
                )
            })
            .collect()
    }

    fn keys(n: usize, nsg: &str, direction: &str) -> BTreeMap<String, Slot> {
        (0..n)
            .map(|i| (format!("{nsg}:{direction}:peer{i}"), slot(nsg, direction)))
            .collect()
    }

    #[test]
    fn a_free_derived_priority_is_taken_as_is() {
        let rules = keys(1, "app", "Inbound");
        let got = assign(&BTreeMap::new(), &rules).unwrap();
        let key = "app:Inbound:peer0";
        assert_eq!(got[key], derived_priority(key));
    }

    #[test]
    fn clashing_keys_get_the_next_free_priority_and_nothing_moves_later() {
        // Two keys whose derived priorities are equal: search by brute force
        // for a pair (worked out here, not by the code under test).
        let mut by_priority: BTreeMap<i64, String> = BTreeMap::new();
        let (first, second) = (0..)
            .find_map(|i| {
                let k = format!("k{i}");
                let p = derived_priority(&k);
                by_priority.insert(p, k.clone()).map(|other| (other, k))
            })
            .unwrap();
        let p = derived_priority(&first);
        let rules: BTreeMap<String, Slot> = [first.clone(), second.clone()]
            .into_iter()
            .map(|k| (k, slot("app", "Inbound")))
            .collect();
        let got = assign(&BTreeMap::new(), &rules).unwrap();
        // Key order decides: the smaller key takes the derived priority.
        let (lo, hi) = if first < second {
            (&first, &second)
        } else {
            (&second, &first)
        };
        assert_eq!(got[lo], p);
        let next = if p == MAX_DERIVED {
            MIN_PRIORITY
        } else {
            p + 1
        };
        assert_eq!(got[hi], next);
        // The other NSG or direction does not compete.
        let mut split = rules.clone();
        split.insert(hi.clone(), slot("app", "Outbound"));
        let got = assign(&BTreeMap::new(), &split).unwrap();
        assert_eq!((got[lo], got[hi]), (p, p));
    }

    #[test]
    fn kept_keys_never_move_removed_keys_free_their_priority() {
        let mut rules = keys(60, "app", "Inbound");
        let first = assign(&BTreeMap::new(), &rules).unwrap();
        let distinct: BTreeSet<i64> = first.values().copied().collect();
        assert_eq!(distinct.len(), 60);
        assert!(first.values().all(|p| (100..=3999).contains(p)));
        // Add 50 keys, remove 20: the 40 kept keep their priority.
        let prior = assigned(&rules, &first);
        let removed: Vec<String> = rules.keys().take(20).cloned().collect();
        for k in &removed {
            rules.remove(k);
        }
        for i in 0..50 {
            rules.insert(format!("new{i}"), slot("app", "Inbound"));
        }
        let second = assign(&prior, &rules).unwrap();
        for (k, p) in &second {
            if let Some(old) = first.get(k) {
                assert_eq!(p, old, "{k} moved");
            }
        }
        assert_eq!(second.len(), 90);
        let distinct: BTreeSet<i64> = second.values().copied().collect();
        assert_eq!(distinct.len(), 90);
        // Same input, same answer.
        assert_eq!(assign(&prior, &rules).unwrap(), second);
    }

    #[test]
    fn a_removed_priority_is_reused_by_a_new_key_that_derives_it() {
        let old = "old-key".to_string();
        let p = derived_priority(&old);
        let prior = BTreeMap::from([(
            old,
            Assignment {
                nsg: "app".into(),
                direction: "Inbound".into(),
                priority: p,
            },
        )]);
        // A new key deriving the same priority, found by brute force.
        let new = (0..)
            .map(|i| format!("n{i}"))
            .find(|k| derived_priority(k) == p)
            .unwrap();
        let rules = BTreeMap::from([(new.clone(), slot("app", "Inbound"))]);
        assert_eq!(assign(&prior, &rules).unwrap()[&new], p);
    }

    #[test]
    fn a_key_moved_to_another_nsg_is_placed_anew_and_imported_high_priorities_stay() {
        let prior = BTreeMap::from([
            (
                "a".to_string(),
                Assignment {
                    nsg: "app".into(),
                    direction: "Inbound".into(),
                    priority: 4050,
                },
            ),
            (
                "b".to_string(),
                Assignment {
                    nsg: "app".into(),
                    direction: "Inbound".into(),
                    priority: 4051,
                },
            ),
        ]);
        let rules = BTreeMap::from([
            ("a".to_string(), slot("app", "Inbound")),
            ("b".to_string(), slot("db", "Inbound")),
        ]);
        let got = assign(&prior, &rules).unwrap();
        assert_eq!(got["a"], 4050);
        assert_eq!(got["b"], derived_priority("b"));
    }

    #[test]
    fn a_full_nsg_is_an_error_at_the_key_that_found_no_priority() {
        let rules = keys(3901, "app", "Inbound");
        let issues = assign(&BTreeMap::new(), &rules).unwrap_err();
        assert_eq!(issues.len(), 1);
        // Keys are placed in key order: the last key finds no priority.
        let last = rules.keys().last().unwrap();
        assert_eq!(issues[0].path, Path::root().attr("rules").key(last));
        assert_eq!(
            issues[0].summary,
            "No free priority in NSG \"app\" (Inbound)"
        );
        // 3,900 fit exactly: every one of 100..=3999.
        let rules = keys(3900, "app", "Inbound");
        let got: BTreeSet<i64> = assign(&BTreeMap::new(), &rules)
            .unwrap()
            .into_values()
            .collect();
        assert_eq!(got, (100..=3999).collect());
    }

    #[test]
    fn import_ids_are_checked() {
        let ok = parse_import(
            r#"{"a":{"nsg":"app","direction":"Inbound","priority":150},"b":{"nsg":"app","direction":"Outbound","priority":150}}"#,
        )
        .unwrap();
        assert_eq!(ok["a"].priority, 150);
        assert_eq!(ok["b"].direction, "Outbound");
        let dup = parse_import(
            r#"{"a":{"nsg":"app","direction":"Inbound","priority":150},"b":{"nsg":"app","direction":"Inbound","priority":150}}"#,
        )
        .unwrap_err();
        assert!(dup.contains("share priority 150"), "{dup}");
        let range =
            parse_import(r#"{"a":{"nsg":"app","direction":"Inbound","priority":99}}"#).unwrap_err();
        assert!(range.contains("outside Azure's 100–4096"), "{range}");
        let dir = parse_import(r#"{"a":{"nsg":"app","direction":"inbound","priority":200}}"#)
            .unwrap_err();
        assert!(dir.contains("Did you mean \"Inbound\"?"), "{dir}");
        assert!(parse_import("app/Inbound/200").is_err());
    }
}

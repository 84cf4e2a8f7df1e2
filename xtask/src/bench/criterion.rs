//! The criterion stage: `cargo bench -p portmap-core --bench engine`, then
//! the median estimates criterion wrote under `<target>/criterion`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use serde::Serialize;
use serde_json::Value;

use super::engine::ENGINE_SIZES;
use super::{BenchTools, log};
use crate::dist::Failure;

/// The benchmark groups of `benches/engine.rs`.
pub const CRITERION_GROUPS: [&str; 5] = ["flows_rules", "output", "aws", "azure", "gcp"];

/// One criterion median estimate and its confidence interval, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CriterionEstimate {
    /// The median's point estimate.
    pub median_ms: f64,
    /// Its confidence interval's lower bound.
    pub low_ms: f64,
    /// Its upper bound.
    pub high_ms: f64,
}

/// Estimates by group and size.
pub type CriterionResults = BTreeMap<String, BTreeMap<usize, CriterionEstimate>>;

/// The median estimate of a criterion `estimates.json` text (nanoseconds
/// there, ms here).
pub fn median_estimate_of(estimates_json: &str) -> Option<CriterionEstimate> {
    let e: Value = serde_json::from_str(estimates_json).ok()?;
    let median = &e["median"];
    let ms = |v: &Value| v.as_f64().map(|ns| ns / 1e6);
    Some(CriterionEstimate {
        median_ms: ms(&median["point_estimate"])?,
        low_ms: ms(&median["confidence_interval"]["lower_bound"])?,
        high_ms: ms(&median["confidence_interval"]["upper_bound"])?,
    })
}

/// Every `<group>/<size>/new/estimates.json` under `criterion_directory`
/// that exists and reads.
pub fn read_criterion_estimates(criterion_directory: &Path) -> CriterionResults {
    let mut out = CriterionResults::new();
    for group in CRITERION_GROUPS {
        for size in ENGINE_SIZES {
            let file = criterion_directory
                .join(group)
                .join(size.to_string())
                .join("new")
                .join("estimates.json");
            let Some(estimate) = std::fs::read_to_string(file)
                .ok()
                .and_then(|t| median_estimate_of(&t))
            else {
                continue;
            };
            out.entry(group.to_owned())
                .or_default()
                .insert(size, estimate);
        }
    }
    out
}

/// Runs the criterion benches and reads their estimates.
pub fn run_criterion_stage(tools: &BenchTools) -> Result<CriterionResults, Failure> {
    log("criterion: cargo bench -p portmap-core --bench engine (a few minutes)");
    let status = super::nested_cargo_command()
        .args([
            "bench",
            "--quiet",
            "-p",
            "portmap-core",
            "--bench",
            "engine",
        ])
        .current_dir(&tools.root)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| Failure::Error(format!("bench: cannot run cargo bench: {e}")))?;
    if !status.success() {
        return Err(Failure::Error(format!(
            "bench: cargo bench failed ({status})"
        )));
    }
    Ok(read_criterion_estimates(
        &tools.target_dir.join("criterion"),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const ESTIMATES: &str = r#"{
      "mean": {"confidence_interval": {"confidence_level": 0.95, "lower_bound": 1.0, "upper_bound": 2.0}, "point_estimate": 1.5, "standard_error": 0.1},
      "median": {"confidence_interval": {"confidence_level": 0.95, "lower_bound": 81000000.0, "upper_bound": 84500000.0}, "point_estimate": 82250000.0, "standard_error": 100.0}
    }"#;

    #[test]
    fn the_median_estimate_is_read_in_ms() {
        assert_eq!(
            median_estimate_of(ESTIMATES),
            Some(CriterionEstimate {
                median_ms: 82.25,
                low_ms: 81.0,
                high_ms: 84.5
            })
        );
        assert_eq!(median_estimate_of("{\"mean\": {}}"), None);
    }

    #[test]
    fn estimates_are_read_by_group_and_size_from_the_new_directories() {
        let dir = tempfile::tempdir().unwrap();
        let put = |group: &str, size: &str, which: &str, text: &str| {
            let d = dir.path().join(group).join(size).join(which);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("estimates.json"), text).unwrap();
        };
        put("flows_rules", "10000", "new", ESTIMATES);
        put(
            "aws",
            "10",
            "new",
            ESTIMATES.replace("82250000.0", "500000.0").as_str(),
        );
        // A previous run's estimate, an unknown group and a broken file are
        // not read.
        put("gcp", "100", "base", ESTIMATES);
        put("other", "100", "new", ESTIMATES);
        put("azure", "1000", "new", "{");
        let got = read_criterion_estimates(dir.path());
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got["flows_rules"][&10_000].median_ms, 82.25);
        assert_eq!(got["aws"][&10].median_ms, 0.5);
        assert!(!got.contains_key("gcp") && !got.contains_key("azure"));
    }
}

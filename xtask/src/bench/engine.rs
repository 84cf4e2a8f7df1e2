//! The engine stage: the core in process, through the `landing_zone`
//! example of portmap-core (`time`, `stats` and `peak`), which prints one
//! JSON object per line.

use serde::Serialize;
use serde_json::Value;

use super::summary::median_of_samples;
use super::{BenchTools, log, output_of_checked};
use crate::dist::Failure;

/// The landing-zone sizes of the engine stage and of criterion.
pub const ENGINE_SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// Fresh processes measuring the 10,000-node peak.
const PEAK_PROCESSES: usize = 3;

/// What the engine stage measured (JSON keys as the Python bench wrote
/// them).
#[derive(Debug, Serialize)]
pub struct EngineResults {
    /// The generator's `time` lines: `stage`, `nodes`, `median_ms`, ...
    pub timings: Vec<Value>,
    /// The generator's `stats` lines: `nodes`, `flows`, `rules`, ...
    pub counts: Vec<Value>,
    /// Peak memory of flows + rules on 10,000 nodes.
    pub peak_10k: EnginePeak,
}

/// `landing_zone peak 10000`, medians over fresh processes.
#[derive(Debug, Serialize)]
pub struct EnginePeak {
    /// VmHWM before computing, MiB.
    pub hwm_before_mib: f64,
    /// VmHWM after computing, MiB.
    pub hwm_after_mib: f64,
    /// Processes measured.
    pub runs: usize,
}

/// Each non-empty line of `text` as JSON.
pub fn json_lines(text: &str) -> Result<Vec<Value>, Failure> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line)
                .map_err(|e| Failure::Error(format!("bench: not a JSON line ({e}): {line}")))
        })
        .collect()
}

/// The number `key` of the line of `lines` whose `stage` and `nodes` are
/// the ones asked (`stage` `None` for lines without one, as `stats`).
pub fn engine_number(lines: &[Value], stage: Option<&str>, nodes: usize, key: &str) -> Option<f64> {
    lines
        .iter()
        .find(|line| {
            line["nodes"].as_u64() == Some(nodes as u64)
                && stage.is_none_or(|s| line["stage"].as_str() == Some(s))
        })
        .and_then(|line| line[key].as_f64())
}

/// Runs the engine stage.
pub fn run_engine_stage(tools: &BenchTools, rounds: usize) -> Result<EngineResults, Failure> {
    log(&format!(
        "engine: flows + rules and cloud shapes, {rounds} interleaved rounds"
    ));
    let sizes: Vec<String> = ENGINE_SIZES.iter().map(usize::to_string).collect();
    let timings = json_lines(&output_of_checked(
        std::process::Command::new(&tools.generator)
            .arg("time")
            .arg(rounds.to_string())
            .args(&sizes),
    )?)?;
    let counts = json_lines(&output_of_checked(
        std::process::Command::new(&tools.generator)
            .arg("stats")
            .args(&sizes),
    )?)?;
    let mut before = Vec::new();
    let mut after = Vec::new();
    for _ in 0..PEAK_PROCESSES {
        let peak = json_lines(&output_of_checked(
            std::process::Command::new(&tools.generator).args(["peak", "10000"]),
        )?)?;
        let field = |key: &str| peak.first().and_then(|p| p[key].as_f64());
        match (field("hwm_before_kib"), field("hwm_after_kib")) {
            (Some(b), Some(a)) => {
                before.push(b / 1024.0);
                after.push(a / 1024.0);
            }
            _ => {
                return Err(Failure::Error(format!(
                    "bench: unexpected peak output {peak:?}"
                )));
            }
        }
    }
    Ok(EngineResults {
        timings,
        counts,
        peak_10k: EnginePeak {
            hwm_before_mib: median_of_samples(&before).unwrap_or(f64::NAN),
            hwm_after_mib: median_of_samples(&after).unwrap_or(f64::NAN),
            runs: PEAK_PROCESSES,
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn generator_lines_are_found_by_stage_and_size() {
        let lines = json_lines(
            "{\"stage\":\"flows_rules\",\"nodes\":10,\"median_ms\":0.5}\n\
             \n\
             {\"stage\":\"aws\",\"nodes\":10,\"median_ms\":0.25}\n\
             {\"stage\":\"flows_rules\",\"nodes\":100,\"median_ms\":3.0}\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            engine_number(&lines, Some("aws"), 10, "median_ms"),
            Some(0.25)
        );
        assert_eq!(
            engine_number(&lines, Some("flows_rules"), 100, "median_ms"),
            Some(3.0)
        );
        assert_eq!(engine_number(&lines, Some("gcp"), 10, "median_ms"), None);
        assert_eq!(engine_number(&lines, None, 100, "median_ms"), Some(3.0));
    }

    #[test]
    fn a_line_that_is_not_json_is_an_error_that_quotes_it() {
        match json_lines("{\"nodes\": 1}\nwarning: something\n") {
            Err(Failure::Error(msg)) => assert!(msg.ends_with("warning: something"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }
}

//! The plan stage: `terraform plan` interleaved over five working
//! directories (A, A2, B, C, C1), then the provider processes' CPU time and
//! peak RSS per plan through a wrapper (`cargo xtask bench-wrap`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use super::summary::{Summary, median_of_samples};
use super::terraform_runs::TerraformRunner;
use super::{BenchTools, log, output_of_checked, summary_or_empty, write_file};
use crate::dist::Failure;
use crate::terraform::dev_overrides_configuration;

/// The plan directories, in the order of each round.
pub const PLAN_DIRECTORIES: [&str; 5] = ["A", "A2", "B", "C", "C1"];

/// Wrapped rounds measuring the provider's processes.
const USAGE_ROUNDS: usize = 3;

/// The last provider process exits a little after Terraform.
const LAST_PROVIDER_EXIT_WAIT: Duration = Duration::from_millis(300);

/// What the stage measured: a summary (ms) per directory, flattened into
/// the object as the Python bench wrote it, and `provider_usage`.
#[derive(Debug, Serialize)]
pub struct PlanResults {
    /// Plan wall time per directory, ms.
    #[serde(flatten)]
    pub directories: BTreeMap<String, Summary>,
    /// The provider processes of each plan (not A).
    pub provider_usage: BTreeMap<String, ProviderUsage>,
}

/// The provider processes of one plan, medians over wrapped rounds.
#[derive(Debug, Serialize)]
pub struct ProviderUsage {
    /// CPU time summed over the plan's provider processes, ms.
    pub cpu_ms: f64,
    /// The largest peak RSS of them, MiB.
    pub peak_rss_mib: f64,
    /// How many provider processes the plan started.
    pub processes: f64,
    /// Wrapped rounds.
    pub rounds: usize,
}

/// The `terraform` block and the provider's configuration.
pub const PROVIDER_HEADER_TF: &str = "terraform {
  required_providers {
    portmap = {
      source = \"portmap/portmap\"
    }
  }
}

provider \"portmap\" {}
";

/// A: no provider at all.
pub const NO_PROVIDER_TF: &str = "# A: no provider at all: what Terraform itself costs.
locals {
  greeting = \"hello\"
}

output \"greeting\" {
  value = local.greeting
}
";

/// A2: one data source that lists nothing.
pub fn empty_catalog_tf() -> String {
    format!(
        "{PROVIDER_HEADER_TF}
# A2: the provider, one data source that lists nothing: the protocol's cost.
data \"portmap_catalog\" \"none\" {{
  product_ids = []
}}

output \"products\" {{
  value = length(data.portmap_catalog.none.products)
}}
"
    )
}

/// C and C1: the generated landing zone (topology.yaml) in one
/// portmap_flows named `name`, printing only the numbers of flows and rules.
pub fn landing_zone_tf(comment: &str, name: &str, selection: &str) -> String {
    format!(
        "{PROVIDER_HEADER_TF}
# {comment}
locals {{
  topology = yamldecode(file(\"${{path.module}}/topology.yaml\"))
}}

data \"portmap_flows\" \"{name}\" {{
  nodes    = local.topology.nodes
  products = local.topology.products{selection}
}}

output \"counts\" {{
  value = {{
    flows = length(data.portmap_flows.{name}.flows)
    rules = length(data.portmap_flows.{name}.rules)
  }}
}}
"
    )
}

/// The `for_nodes` line of C1: the ten nodes of spoke 42.
pub const ONE_SPOKE_SELECTION: &str = "\n  for_nodes = [for name in keys(local.topology.nodes) : name if startswith(name, \"s0042-\")]";

/// Writes the CLI configuration for `provider_directory` to `file` and
/// returns a runner using it.
pub fn runner_for_provider(
    tools: &BenchTools,
    provider_directory: &Path,
    file: &Path,
) -> Result<TerraformRunner, Failure> {
    write_file(file, &dev_overrides_configuration(provider_directory))?;
    Ok(TerraformRunner::with_cli_configuration(
        &tools.terraform()?,
        file,
    ))
}

fn prepare_plan_directories(tools: &BenchTools) -> Result<Vec<(&'static str, PathBuf)>, Failure> {
    let topology =
        output_of_checked(Command::new(&tools.generator).args(["write", "1000", "yaml"]))?;
    let texts = [
        ("A", NO_PROVIDER_TF.to_owned()),
        ("A2", empty_catalog_tf()),
        (
            "C",
            landing_zone_tf(
                "C: a generated landing zone (topology.yaml) in one portmap_flows.",
                "zone",
                "",
            ),
        ),
        (
            "C1",
            landing_zone_tf(
                "C1: the same landing zone, but only what one spoke's ten nodes need.",
                "spoke",
                ONE_SPOKE_SELECTION,
            ),
        ),
    ];
    let mut dirs = Vec::new();
    for name in PLAN_DIRECTORIES {
        let dir = tools.work.join("plans").join(name);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure::Error(format!("bench: {}: {e}", dir.display())))?;
        if let Some((_, text)) = texts.iter().find(|(n, _)| *n == name) {
            write_file(&dir.join("main.tf"), text)?;
        }
        if name == "B" {
            copy_quickstart(&tools.root, &dir)?;
        }
        if name.starts_with('C') {
            write_file(&dir.join("topology.yaml"), &topology)?;
        }
        dirs.push((name, dir));
    }
    Ok(dirs)
}

fn copy_quickstart(root: &Path, dest: &Path) -> Result<(), Failure> {
    let source = root.join("examples").join("quickstart");
    let entries = std::fs::read_dir(&source)
        .map_err(|e| Failure::Error(format!("bench: {}: {e}", source.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "tf") {
            std::fs::copy(&path, dest.join(entry.file_name()))
                .map_err(|e| Failure::Error(format!("bench: copying {}: {e}", path.display())))?;
        }
    }
    Ok(())
}

/// Runs the plan stage.
pub fn run_plan_stage(tools: &BenchTools, runs: usize) -> Result<PlanResults, Failure> {
    let dirs = prepare_plan_directories(tools)?;
    let provider_directory = tools.provider.parent().unwrap_or(Path::new("."));
    let runner = runner_for_provider(tools, provider_directory, &tools.work.join("terraformrc"))?;
    log("terraform plan: warm-up (one plan per directory)");
    for (name, dir) in &dirs {
        let (_, out) = runner.timed_plan(dir)?;
        if name.starts_with('C') && !out.contains("rules") {
            return Err(Failure::Error(format!(
                "bench: plan {name} printed no rule count:\n{out}"
            )));
        }
    }
    let names: Vec<&str> = dirs.iter().map(|(n, _)| *n).collect();
    log(&format!(
        "terraform plan: {runs} interleaved rounds of {}",
        names.join(" ")
    ));
    let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for round in 0..runs {
        let mut line = Vec::new();
        for (name, dir) in &dirs {
            let (ms, _) = runner.timed_plan(dir)?;
            samples.entry((*name).to_owned()).or_default().push(ms);
            line.push(format!("{name} {ms:.0} ms"));
        }
        log(&format!(
            "  round {}/{runs}: {}",
            round + 1,
            line.join(", ")
        ));
    }
    log(&format!(
        "terraform plan: provider CPU time and peak RSS per plan ({USAGE_ROUNDS} more rounds, wrapped)"
    ));
    let provider_usage = measure_provider_usage(tools, &dirs)?;
    Ok(PlanResults {
        directories: samples
            .iter()
            .map(|(name, s)| (name.clone(), summary_or_empty(s)))
            .collect(),
        provider_usage,
    })
}

/// The wrapper Terraform starts instead of the provider: a shell script
/// that runs `cargo xtask bench-wrap` (this binary) on the provider.
pub fn provider_wrapper_script(xtask: &Path, log_directory: &Path, provider: &Path) -> String {
    let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
    format!(
        "#!/bin/sh\n# Runs the provider as Terraform asked and records its CPU time and peak RSS.\n\
         exec {} bench-wrap {} {} \"$@\"\n",
        quote(xtask),
        quote(log_directory),
        quote(provider)
    )
}

/// The CPU time and peak RSS of each plan's provider processes (not timed:
/// the wrapper adds a process start to every provider start).
fn measure_provider_usage(
    tools: &BenchTools,
    dirs: &[(&'static str, PathBuf)],
) -> Result<BTreeMap<String, ProviderUsage>, Failure> {
    let wrapped = tools.work.join("wrapped");
    let logs = tools.work.join("usage");
    std::fs::create_dir_all(&wrapped)
        .map_err(|e| Failure::Error(format!("bench: {}: {e}", wrapped.display())))?;
    let xtask = std::env::current_exe()
        .map_err(|e| Failure::Error(format!("bench: where is this binary? {e}")))?;
    let wrapper = wrapped.join("terraform-provider-portmap");
    write_file(
        &wrapper,
        &provider_wrapper_script(&xtask, &logs, &tools.provider),
    )?;
    make_executable(&wrapper)?;
    let runner = runner_for_provider(tools, &wrapped, &tools.work.join("terraformrc-wrapped"))?;
    let mut samples: BTreeMap<String, [Vec<f64>; 3]> = BTreeMap::new();
    for _ in 0..USAGE_ROUNDS {
        for (name, dir) in dirs.iter().filter(|(n, _)| *n != "A") {
            let _ = std::fs::remove_dir_all(&logs);
            std::fs::create_dir_all(&logs)
                .map_err(|e| Failure::Error(format!("bench: {}: {e}", logs.display())))?;
            runner.timed_plan(dir)?;
            std::thread::sleep(LAST_PROVIDER_EXIT_WAIT);
            let records = read_usage_records(&logs);
            let entry = samples.entry((*name).to_owned()).or_default();
            entry[0].push(records.iter().map(|r| r.0).sum());
            entry[1].push(records.iter().map(|r| r.1).fold(0.0, f64::max) / 1024.0);
            entry[2].push(records.len() as f64);
        }
    }
    Ok(samples
        .into_iter()
        .map(|(name, [cpu, peak, processes])| {
            let usage = ProviderUsage {
                cpu_ms: median_of_samples(&cpu).unwrap_or(f64::NAN),
                peak_rss_mib: median_of_samples(&peak).unwrap_or(f64::NAN),
                processes: median_of_samples(&processes).unwrap_or(f64::NAN),
                rounds: USAGE_ROUNDS,
            };
            (name, usage)
        })
        .collect())
}

/// (CPU ms, peak KiB) of each record the wrapper wrote in `logs`.
fn read_usage_records(logs: &Path) -> Vec<(f64, f64)> {
    let Ok(entries) = std::fs::read_dir(logs) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .filter_map(|v| Some((v["cpu_ms"].as_f64()?, v["maxrss_kib"].as_f64()?)))
        .collect()
}

/// chmod 755.
pub fn make_executable(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Failure::Error(format!("bench: chmod {}: {e}", path.display())))
}

/// `cargo xtask bench-wrap LOG_DIR PROGRAM [ARGS...]` (hidden): runs
/// PROGRAM with this process's standard streams, then writes
/// `{"cpu_ms", "maxrss_kib"}` to `LOG_DIR/<its pid>` and exits with its
/// code. CPU time is the larger of this process's waited-for children's
/// (clock ticks of `/proc/self/stat`) and the child's threads' time on CPU
/// read while it ran; the peak is the largest VmHWM read while it ran.
pub fn bench_wrap_main(args: &[String]) -> Result<i32, Failure> {
    let [log_directory, program, rest @ ..] = args else {
        return Err(Failure::Error(
            "bench-wrap LOG_DIR PROGRAM [ARGS...]".into(),
        ));
    };
    let mut child = Command::new(program)
        .args(rest)
        .spawn()
        .map_err(|e| Failure::Error(format!("bench-wrap: cannot run {program}: {e}")))?;
    let watcher = super::procfs::PeakWatcher::watch_with_cpu(child.id());
    let status = child
        .wait()
        .map_err(|e| Failure::Error(format!("bench-wrap: waiting for {program}: {e}")))?;
    let (peak_kib, threads_cpu_ns) = watcher.finish();
    // Clock ticks count the whole process but only in 10 ms steps; the
    // threads' time is exact but misses what a thread used after the last
    // reading. Both are lower bounds: the larger one is the better.
    let ticks_ms = super::procfs::waited_children_cpu_ms().unwrap_or(0.0);
    let cpu_ms = ticks_ms.max(threads_cpu_ns as f64 / 1e6);
    let record = serde_json::json!({ "cpu_ms": cpu_ms, "maxrss_kib": peak_kib });
    let file = Path::new(log_directory).join(child.id().to_string());
    let _ = std::fs::write(file, record.to_string());
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn landing_zone_plans_count_flows_and_rules_of_their_data_source() {
        let c = landing_zone_tf("C: zone", "zone", "");
        assert!(c.contains("data \"portmap_flows\" \"zone\" {"));
        assert!(c.contains("rules = length(data.portmap_flows.zone.rules)"));
        assert!(c.contains("yamldecode(file(\"${path.module}/topology.yaml\"))"));
        assert!(!c.contains("for_nodes"));
        let c1 = landing_zone_tf("C1", "spoke", ONE_SPOKE_SELECTION);
        assert!(c1.contains("products = local.topology.products\n  for_nodes = [for name"));
        assert!(c1.contains("startswith(name, \"s0042-\")"));
    }

    #[test]
    fn the_wrapper_execs_this_binary_with_quoted_paths() {
        let text = provider_wrapper_script(
            Path::new("/t/debug/xtask"),
            Path::new("/tmp/it's"),
            Path::new("/t/release/terraform-provider-portmap"),
        );
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(text.ends_with(
            "exec '/t/debug/xtask' bench-wrap '/tmp/it'\\''s' '/t/release/terraform-provider-portmap' \"$@\"\n"
        ));
    }

    #[test]
    fn the_wrapper_records_its_child_and_passes_its_exit_code() {
        let logs = tempfile::tempdir().unwrap();
        let args: Vec<String> = [
            logs.path().display().to_string(),
            "sh".into(),
            "-c".into(),
            "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 7".into(),
        ]
        .into();
        assert_eq!(bench_wrap_main(&args).unwrap(), 7);
        let records = read_usage_records(logs.path());
        assert_eq!(records.len(), 1);
        let (cpu_ms, peak_kib) = records[0];
        assert!(cpu_ms >= 0.0, "{cpu_ms}");
        assert!(peak_kib > 0.0, "{peak_kib}");
    }
}

//! The CLI stage: `portmap explain --port`, `flows --format json` and
//! `rules --format json` on generated meshes of Spotfire sites (flows grow
//! with the square of the sites), and `explain --port 443` on landing zones
//! of 1,000 and 10,000 nodes; wall time, peak RSS and bytes written.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;

use super::procfs::PeakWatcher;
use super::summary::median_of_samples;
use super::{BenchTools, log, output_of_checked};
use crate::dist::Failure;

/// Meshes (sites) of every command.
pub const MESH_SITES: [usize; 3] = [100, 200, 400];
/// Meshes of `explain --port 1433`: also 800 sites, its target.
pub const EXPLAIN_MESH_SITES: [usize; 4] = [100, 200, 400, 800];
/// Landing zones (nodes) of `explain --port 443`: its ×10 target.
pub const EXPLAIN_ZONE_NODES: [usize; 2] = [1_000, 10_000];

/// One command on one workload, medians of the rounds (JSON keys as the
/// Python bench wrote them; `sites` is the nodes for `explain_zone`).
#[derive(Debug, Clone, Serialize)]
pub struct CliResult {
    /// `explain`, `flows_json`, `rules_json` or `explain_zone`.
    pub command: String,
    /// Sites of the mesh, or nodes of the zone.
    pub sites: usize,
    /// Wall time, seconds.
    pub wall_s: f64,
    /// Peak RSS of the command's process, MiB.
    pub peak_mib: f64,
    /// Bytes written to stdout, MiB.
    pub written_mib: f64,
}

/// One run of a command: wall seconds, peak RSS (MiB) and bytes written.
#[derive(Debug, Clone, Copy)]
pub struct MeasuredRun {
    /// Spawn to exit, seconds.
    pub wall_s: f64,
    /// The largest VmHWM read while it ran, MiB.
    pub peak_mib: f64,
    /// Bytes it wrote to stdout (counted, not kept).
    pub written_bytes: u64,
}

/// Runs `program args`, counting (not keeping) its stdout and discarding
/// its stderr; fails when it fails.
pub fn measure_command(program: &Path, args: &[String]) -> Result<MeasuredRun, Failure> {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Failure::Error(format!("bench: cannot run {}: {e}", program.display())))?;
    let watcher = PeakWatcher::watch(child.id());
    let mut written_bytes = 0u64;
    if let Some(mut stdout) = child.stdout.take() {
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            match stdout.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => written_bytes += n as u64,
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| Failure::Error(format!("bench: waiting for {}: {e}", program.display())))?;
    let wall_s = start.elapsed().as_secs_f64();
    let (peak_kib, _) = watcher.finish();
    if !status.success() {
        return Err(Failure::Error(format!(
            "bench: {} {} failed ({status})",
            program.display(),
            args.join(" ")
        )));
    }
    Ok(MeasuredRun {
        wall_s,
        peak_mib: peak_kib as f64 / 1024.0,
        written_bytes,
    })
}

/// The command lines of the stage: (command, size, arguments of `portmap`).
pub fn cli_workloads(work: &Path) -> Vec<(&'static str, usize, Vec<String>)> {
    let mesh = |n: usize| work.join(format!("mesh-{n}.yaml")).display().to_string();
    let zone = |n: usize| work.join(format!("zone-{n}.yaml")).display().to_string();
    let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let mut runs = Vec::new();
    for n in EXPLAIN_MESH_SITES {
        runs.push(("explain", n, args(&["explain", &mesh(n), "--port", "1433"])));
    }
    for n in MESH_SITES {
        runs.push((
            "flows_json",
            n,
            args(&["flows", &mesh(n), "--format", "json"]),
        ));
        runs.push((
            "rules_json",
            n,
            args(&["rules", &mesh(n), "--format", "json"]),
        ));
    }
    for n in EXPLAIN_ZONE_NODES {
        runs.push((
            "explain_zone",
            n,
            args(&["explain", &zone(n), "--port", "443"]),
        ));
    }
    runs
}

fn write_generated(tools: &BenchTools, args: &[&str], dest: &Path) -> Result<(), Failure> {
    let text = output_of_checked(Command::new(&tools.generator).args(args))?;
    std::fs::write(dest, text)
        .map_err(|e| Failure::Error(format!("bench: writing {}: {e}", dest.display())))
}

/// Runs the CLI stage: `rounds` interleaved rounds of every command.
pub fn run_cli_stage(tools: &BenchTools, rounds: usize) -> Result<Vec<CliResult>, Failure> {
    log(&format!(
        "CLI on meshes of {EXPLAIN_MESH_SITES:?} sites and zones of {EXPLAIN_ZONE_NODES:?} nodes, \
         {rounds} interleaved rounds"
    ));
    for n in EXPLAIN_MESH_SITES {
        let dest = tools.work.join(format!("mesh-{n}.yaml"));
        write_generated(tools, &["write-mesh", &n.to_string()], &dest)?;
    }
    for n in EXPLAIN_ZONE_NODES {
        let dest = tools.work.join(format!("zone-{n}.yaml"));
        write_generated(tools, &["write", &n.to_string()], &dest)?;
    }
    let workloads = cli_workloads(&tools.work);
    let mut samples: Vec<Vec<MeasuredRun>> = vec![Vec::new(); workloads.len()];
    for round in 0..rounds {
        for (i, (_, _, args)) in workloads.iter().enumerate() {
            samples[i].push(measure_command(&tools.cli, args)?);
        }
        log(&format!("  CLI round {}/{rounds} done", round + 1));
    }
    Ok(workloads
        .iter()
        .zip(&samples)
        .map(|((command, size, _), runs)| {
            let walls: Vec<f64> = runs.iter().map(|r| r.wall_s).collect();
            let peaks: Vec<f64> = runs.iter().map(|r| r.peak_mib).collect();
            CliResult {
                command: (*command).to_owned(),
                sites: *size,
                wall_s: median_of_samples(&walls).unwrap_or(f64::NAN),
                peak_mib: median_of_samples(&peaks).unwrap_or(f64::NAN),
                written_mib: runs.first().map_or(0.0, |r| r.written_bytes as f64)
                    / (1u64 << 20) as f64,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_command_is_measured_by_its_bytes_and_exit() {
        let run = measure_command(
            Path::new("sh"),
            &["-c".into(), "head -c 3000000 /dev/zero".into()],
        )
        .unwrap();
        assert_eq!(run.written_bytes, 3_000_000);
        assert!(run.wall_s > 0.0);
        let failed = measure_command(Path::new("sh"), &["-c".into(), "exit 3".into()]);
        assert!(matches!(failed, Err(Failure::Error(msg)) if msg.contains("failed")));
    }

    #[test]
    fn every_command_and_size_has_one_workload() {
        let w = cli_workloads(Path::new("/w"));
        let count = |c: &str| w.iter().filter(|(cmd, _, _)| *cmd == c).count();
        assert_eq!(
            (
                count("explain"),
                count("flows_json"),
                count("rules_json"),
                count("explain_zone")
            ),
            (4, 3, 3, 2)
        );
        let explain_800 = w
            .iter()
            .find(|(c, n, _)| *c == "explain" && *n == 800)
            .unwrap();
        assert_eq!(
            explain_800.2,
            ["explain", "/w/mesh-800.yaml", "--port", "1433"]
        );
    }
}

//! The report: every number against its target, stage by stage, on stdout.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::BenchResults;
use super::cli_stage::{CliResult, EXPLAIN_MESH_SITES, EXPLAIN_ZONE_NODES, MESH_SITES};
use super::criterion::CriterionResults;
use super::engine::{ENGINE_SIZES, EngineResults, engine_number};
use super::floor::FloorResults;
use super::plans::PlanResults;
use super::process_stage::ProcessResults;
use super::summary::{ratio_line_against_target, verdict_against_limit};

/// The targets the report judges against (docs/performance.md).
pub mod targets {
    /// Flows + rules on 10,000 nodes, ms (interleaved rounds and criterion).
    pub const ENGINE_10K_MS: f64 = 75.0;
    /// Time ratio of ×10 nodes (1,000 → 10,000; reported for every step).
    pub const ENGINE_SCALING: f64 = 11.0;
    /// Peak memory of flows + rules on 10,000 nodes, MB.
    pub const ENGINE_10K_PEAK_MB: f64 = 200.0;
    /// Spawn to handshake line, ms.
    pub const HANDSHAKE_MS: f64 = 5.0;
    /// Idle RSS of the provider, MB.
    pub const IDLE_RSS_MB: f64 = 30.0;
    /// Quickstart plan against a plan of an empty portmap_catalog.
    pub const QUICKSTART_VS_EMPTY_CATALOG: f64 = 1.15;
    /// 1,000-node plan against the quickstart.
    pub const LANDING_ZONE_VS_QUICKSTART: f64 = 2.0;
    /// A CLI command's peak may be 2× its output plus this, MiB.
    pub const CLI_PEAK_CONSTANT_MIB: f64 = 64.0;
    /// `explain --port 443`, time ratio 1,000 → 10,000 nodes.
    pub const EXPLAIN_SCALING: f64 = 12.0;
    /// `explain --port 1433` on the 800-site mesh, seconds.
    pub const EXPLAIN_MESH_800_S: f64 = 1.0;
}

fn load_text(load: Option<[f64; 3]>) -> String {
    load.map_or_else(
        || "?".to_owned(),
        |l| format!("{:.1}/{:.1}/{:.1}", l[0], l[1], l[2]),
    )
}

/// The whole report.
pub fn report_text(results: &BenchResults) -> String {
    let m = &results.machine;
    let mut out = format!(
        "\n== portmap benchmarks, {}: {}, {} CPUs, {} GiB, {}; load average {} before, {} after\n",
        m.date,
        m.cpu.as_deref().unwrap_or("?"),
        m.nproc,
        m.memory_gib.map_or("?".into(), |g| g.to_string()),
        m.rustc,
        load_text(m.load_before),
        load_text(m.load_after),
    );
    if let Some(t) = &m.terraform {
        let _ = writeln!(out, "Terraform: {t}");
    }
    if let Some(e) = &results.engine {
        out.push_str(&engine_section(e));
    }
    if let Some(c) = &results.cli {
        out.push_str(&cli_section(c));
    }
    if let Some(c) = &results.criterion {
        out.push_str(&criterion_section(c));
    }
    if let Some(p) = &results.process {
        out.push_str(&process_section(p));
    }
    if let Some(p) = &results.plan {
        out.push_str(&plan_section(p));
    }
    if let Some(f) = &results.floor {
        out.push_str(&floor_section(f));
    }
    out
}

/// The ×10 steps of `ms_at` over the engine sizes, as target lines.
fn scaling_lines(out: &mut String, what: &str, ms_at: impl Fn(usize) -> Option<f64>) {
    for pair in ENGINE_SIZES.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if let (Some(x), Some(y)) = (ms_at(a), ms_at(b)) {
            let r = y / x;
            let _ = writeln!(
                out,
                "target: {what}x10 nodes ({a} -> {b}) <= x{} time: x{r:.1}, {}",
                targets::ENGINE_SCALING,
                verdict_against_limit(r, targets::ENGINE_SCALING)
            );
        }
    }
}

fn engine_section(e: &EngineResults) -> String {
    let mut out = String::from("\n-- engine (in process; medians of interleaved rounds, ms)\n");
    let _ = writeln!(
        out,
        "{:>7} {:>8} {:>8} {:>12} {:>9} {:>9} {:>9} {:>9}",
        "nodes", "flows", "rules", "flows+rules", "(cpu)", "aws", "azure", "gcp"
    );
    let t = |stage: &str, n: usize| engine_number(&e.timings, Some(stage), n, "median_ms");
    let cell = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
    for n in ENGINE_SIZES {
        let count = |key: &str| {
            engine_number(&e.counts, None, n, key).map_or_else(|| "-".into(), |v| format!("{v:.0}"))
        };
        // CPU time comes from /proc/thread-self/schedstat, updated at
        // scheduler ticks: meaningless for short runs.
        let cpu = engine_number(&e.timings, Some("flows_rules"), n, "median_cpu_ms")
            .filter(|_| t("flows_rules", n).is_some_and(|ms| ms >= 20.0));
        let _ = writeln!(
            out,
            "{n:>7} {:>8} {:>8} {:>12} {:>9} {:>9} {:>9} {:>9}",
            count("flows"),
            count("rules"),
            cell(t("flows_rules", n)),
            cell(cpu),
            cell(t("aws", n)),
            cell(t("azure", n)),
            cell(t("gcp", n)),
        );
    }
    if let Some(v) = t("flows_rules", 10_000) {
        let _ = writeln!(
            out,
            "target: 10,000 nodes flows + rules <= {} ms: {v:.1} ms, {}",
            targets::ENGINE_10K_MS,
            verdict_against_limit(v, targets::ENGINE_10K_MS)
        );
    }
    scaling_lines(&mut out, "", |n| t("flows_rules", n));
    let pk = &e.peak_10k;
    let _ = writeln!(
        out,
        "target: peak memory, 10,000 nodes <= {} MB: {:.1} MiB (of which {:.1} MiB before computing), {}",
        targets::ENGINE_10K_PEAK_MB,
        pk.hwm_after_mib,
        pk.hwm_before_mib,
        verdict_against_limit(pk.hwm_after_mib, targets::ENGINE_10K_PEAK_MB)
    );
    out
}

fn cli_section(results: &[CliResult]) -> String {
    let mut out = String::from(
        "\n-- CLI on Spotfire meshes (sites) and landing zones (explain_zone: nodes); medians of interleaved rounds\n",
    );
    let _ = writeln!(
        out,
        "{:>12} {:>6} {:>8} {:>9} {:>12} {:>13}",
        "command", "size", "wall s", "peak MiB", "written MiB", "peak/written"
    );
    for x in results {
        let ratio = if x.written_mib >= 1.0 {
            format!("{:.2}", x.peak_mib / x.written_mib)
        } else {
            "-".into()
        };
        let _ = writeln!(
            out,
            "{:>12} {:>6} {:>8.2} {:>9.1} {:>12.1} {ratio:>13}",
            x.command, x.sites, x.wall_s, x.peak_mib, x.written_mib
        );
    }
    let by: BTreeMap<(&str, usize), &CliResult> = results
        .iter()
        .map(|x| ((x.command.as_str(), x.sites), x))
        .collect();
    let wall = |c: &str, n: usize| by.get(&(c, n)).map(|x| x.wall_s);
    for (command, sizes) in [
        ("explain", &EXPLAIN_MESH_SITES[..]),
        ("flows_json", &MESH_SITES[..]),
        ("rules_json", &MESH_SITES[..]),
    ] {
        for pair in sizes.windows(2) {
            if let (Some(a), Some(b)) = (wall(command, pair[0]), wall(command, pair[1])) {
                // Flows grow with the square of the sites: x2 sites is x4 work.
                let _ = writeln!(
                    out,
                    "{command}: x2 sites ({} -> {}) costs x{:.1} time (linear in the output: about x4)",
                    pair[0],
                    pair[1],
                    b / a
                );
            }
        }
    }
    let [a, b] = EXPLAIN_ZONE_NODES;
    if let (Some(x), Some(y)) = (wall("explain_zone", a), wall("explain_zone", b)) {
        let r = y / x;
        let _ = writeln!(
            out,
            "target: explain --port 443, x10 nodes ({a} -> {b}) <= x{} time: x{r:.1}, {}",
            targets::EXPLAIN_SCALING,
            verdict_against_limit(r, targets::EXPLAIN_SCALING)
        );
    }
    let n = EXPLAIN_MESH_SITES[EXPLAIN_MESH_SITES.len() - 1];
    if let Some(v) = wall("explain", n) {
        let _ = writeln!(
            out,
            "target: explain --port 1433 on the {n}-site mesh <= {} s: {v:.2} s, {}",
            targets::EXPLAIN_MESH_800_S,
            verdict_against_limit(v, targets::EXPLAIN_MESH_800_S)
        );
    }
    for ((command, n), x) in &by {
        if x.written_mib < 1.0 {
            continue;
        }
        let limit = 2.0 * x.written_mib + targets::CLI_PEAK_CONSTANT_MIB;
        let _ = writeln!(
            out,
            "target: {command} peak <= 2x written + {} MiB ({n}): {:.0} MiB for {:.0} MiB, {}",
            targets::CLI_PEAK_CONSTANT_MIB,
            x.peak_mib,
            x.written_mib,
            verdict_against_limit(x.peak_mib, limit)
        );
    }
    out
}

fn criterion_section(c: &CriterionResults) -> String {
    let mut out = String::from("\n-- criterion (median estimate, ms)\n");
    let header: Vec<String> = ENGINE_SIZES.iter().map(|n| format!("{n:>10}")).collect();
    let _ = writeln!(out, "{:>12} {}", "group", header.join(" "));
    for (group, by) in c {
        let cells: Vec<String> = ENGINE_SIZES
            .iter()
            .map(|n| {
                by.get(n).map_or_else(
                    || format!("{:>10}", "-"),
                    |e| format!("{:>10.3}", e.median_ms),
                )
            })
            .collect();
        let _ = writeln!(out, "{group:>12} {}", cells.join(" "));
    }
    let flows_rules = |n: usize| {
        c.get("flows_rules")
            .and_then(|by| by.get(&n))
            .map(|e| e.median_ms)
    };
    if let Some(v) = flows_rules(10_000) {
        let _ = writeln!(
            out,
            "target: criterion, 10,000 nodes flows + rules <= {} ms: {v:.1} ms, {}",
            targets::ENGINE_10K_MS,
            verdict_against_limit(v, targets::ENGINE_10K_MS)
        );
    }
    scaling_lines(&mut out, "criterion, ", flows_rules);
    out
}

fn process_section(p: &ProcessResults) -> String {
    let mut out = String::from(
        "\n-- provider process (ms from spawn to the first stdout line; median [min-max])\n",
    );
    for (mode, s) in &p.handshake_ms {
        let _ = writeln!(
            out,
            "{mode:>12}: {:.2} [{:.2}-{:.2}] over {} runs",
            s.median, s.min, s.max, s.runs
        );
    }
    let median = |mode: &str| p.handshake_ms.get(mode).map(|s| s.median);
    if let Some(floor) = median("spawn_floor") {
        let _ = writeln!(
            out,
            "(spawning /bin/echo and reading its line takes {floor:.2} ms of that)"
        );
    }
    if let Some(v) = median("no_tls") {
        let mut line = format!(
            "target: handshake <= {} ms after start: no TLS {v:.2} ms, {}",
            targets::HANDSHAKE_MS,
            verdict_against_limit(v, targets::HANDSHAKE_MS)
        );
        if let Some(m) = median("automtls") {
            let _ = write!(
                line,
                "; AutoMTLS {m:.2} ms, {}",
                verdict_against_limit(m, targets::HANDSHAKE_MS)
            );
        }
        let _ = writeln!(out, "{line}");
    }
    let r = p.idle_rss_mib.median;
    let _ = writeln!(
        out,
        "target: idle RSS <= {} MB: {r:.1} MiB (VmHWM {:.1} MiB), {}",
        targets::IDLE_RSS_MB,
        p.idle_hwm_mib.median,
        verdict_against_limit(r, targets::IDLE_RSS_MB)
    );
    out
}

fn plan_section(pl: &PlanResults) -> String {
    let mut out = String::from("\n-- terraform plan (ms; median [min-max], interleaved)\n");
    let labels = [
        ("A", "no provider"),
        ("A2", "empty portmap_catalog"),
        ("B", "quickstart"),
        ("C", "1,000-node landing zone"),
        ("C1", "one spoke (for_nodes)"),
    ];
    for (k, label) in labels {
        if let Some(s) = pl.directories.get(k) {
            let _ = writeln!(
                out,
                "{k:>3} {label:<24} {:8.0} [{:.0}-{:.0}] over {} runs",
                s.median, s.min, s.max, s.runs
            );
        }
    }
    let m = |k: &str| pl.directories.get(k).map(|s| s.median);
    if let (Some(a), Some(a2), Some(b), Some(c)) = (m("A"), m("A2"), m("B"), m("C")) {
        let _ = writeln!(
            out,
            "provider on top of Terraform: B - A = {:.0} ms (A2 - A = {:.0} ms)",
            b - a,
            a2 - a
        );
        let (r1, r2) = (b / a2, c / b);
        let _ = writeln!(
            out,
            "target: quickstart <= x{} empty catalog: x{r1:.3}, {}",
            targets::QUICKSTART_VS_EMPTY_CATALOG,
            verdict_against_limit(r1, targets::QUICKSTART_VS_EMPTY_CATALOG)
        );
        let _ = writeln!(
            out,
            "target: 1,000 nodes <= x{} quickstart: x{r2:.3}, {}",
            targets::LANDING_ZONE_VS_QUICKSTART,
            verdict_against_limit(r2, targets::LANDING_ZONE_VS_QUICKSTART)
        );
        if let Some(c1) = m("C1") {
            let _ = writeln!(
                out,
                "(not a target) 1,000 nodes, one spoke's rules (for_nodes): x{:.3} quickstart",
                c1 / b
            );
        }
    }
    for (k, u) in &pl.provider_usage {
        let _ = writeln!(
            out,
            "provider processes in plan {k}: {:.0}, CPU {:.0} ms in all, peak RSS {:.1} MiB (medians of {})",
            u.processes, u.cpu_ms, u.peak_rss_mib, u.rounds
        );
    }
    out
}

/// The floor stage's section: a table, then one target line per case.
pub fn floor_section(f: &FloorResults) -> String {
    let mut out = format!(
        "\n-- floor: each data source against the same configuration reading its values from a JSON file \
         (zoned {}-node landing zone; ms, medians of {} interleaved runs)\n",
        f.nodes, f.runs
    );
    let _ = writeln!(
        out,
        "{:<36} {:>6} {:>10} {:>10} {:>10} {:>7}",
        "data source", "nodes", "JSON KiB", "plan", "floor", "ratio"
    );
    for c in &f.cases {
        let _ = writeln!(
            out,
            "{:<36} {:>6} {:>10.0} {:>10.0} {:>10.0} {:>7.3}",
            c.name,
            c.nodes,
            c.result_bytes as f64 / 1024.0,
            c.plan_ms.median,
            c.floor_ms.median,
            c.ratio
        );
    }
    for c in &f.cases {
        let label = format!("target: {} ({} nodes) within its floor", c.name, c.nodes);
        let _ = writeln!(
            out,
            "{}",
            ratio_line_against_target(&label, c.plan_ms.median, c.floor_ms.median, f.target)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::super::floor::FloorCaseResult;
    use super::super::summary::Summary;
    use super::*;

    fn summary(median: f64) -> Summary {
        Summary {
            median,
            min: median - 1.0,
            max: median + 1.0,
            runs: 3,
        }
    }

    #[test]
    fn the_floor_section_has_one_judged_line_per_case() {
        let f = FloorResults {
            nodes: 100,
            runs: 3,
            target: 1.1,
            cases: vec![
                FloorCaseResult {
                    name: "portmap_flows".into(),
                    data_source: "portmap_flows".into(),
                    nodes: 100,
                    result_bytes: 2048,
                    plan_ms: summary(1500.0),
                    floor_ms: summary(1000.0),
                    ratio: 1.5,
                },
                FloorCaseResult {
                    name: "portmap_nftables_rulesets".into(),
                    data_source: "portmap_nftables_rulesets".into(),
                    nodes: 100,
                    result_bytes: 1024,
                    plan_ms: summary(1050.0),
                    floor_ms: summary(1000.0),
                    ratio: 1.05,
                },
            ],
        };
        let text = floor_section(&f);
        assert!(text.contains("zoned 100-node landing zone"), "{text}");
        assert!(text.contains(
            "target: portmap_flows (100 nodes) within its floor: 1,500 / 1,000 ms = x1.500 (target <= x1.1), MISSED"
        ), "{text}");
        assert!(text.contains(
            "target: portmap_nftables_rulesets (100 nodes) within its floor: 1,050 / 1,000 ms = x1.050 (target <= x1.1), met"
        ), "{text}");
        let table_row = text
            .lines()
            .find(|l| l.starts_with("portmap_flows "))
            .unwrap();
        assert!(table_row.ends_with("1.500"), "{table_row}");
        assert!(table_row.contains(" 2 "), "{table_row}");
    }
}

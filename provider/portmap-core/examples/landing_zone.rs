//! Generated landing zones for the benchmarks (the same generator as the
//! criterion benches, the crate `portmap-landing-zone`).
//!
//! ```text
//! cargo run --release -p portmap-core --example landing_zone -- write 1000 [yaml|json]
//!     prints the topology of a 1,000-node landing zone (the `nodes` and
//!     `products` arguments of portmap_flows, and a `portmap flows` file)
//! cargo run --release -p portmap-core --example landing_zone -- write-mesh 400 [yaml|json]
//!     prints a mesh of 400 Spotfire sites (every site hosts servers, so
//!     flows grow with the square of the sites), for the CLI benchmarks
//! cargo run --release -p portmap-core --example landing_zone -- stats 10 100 1000 10000
//!     prints, per size, the numbers of nodes, flows, rules and cloud rules
//! cargo run --release -p portmap-core --example landing_zone -- time 15 10 100 1000 10000
//!     times flows + rules (`compute`) and each cloud shape on each size,
//!     interleaved (every size once per round, 15 rounds), and prints the
//!     median, minimum and maximum wall time and the median CPU time per
//!     size, in milliseconds, as JSON lines (flows + rules includes dropping
//!     the result: the provider pays for it too)
//! cargo run --release -p portmap-core --example landing_zone -- peak 10000
//!     computes flows + rules once and prints the process's peak resident
//!     memory before and after (VmHWM, Linux), as JSON
//! ```
//!
//! `scripts/bench` runs these; docs/performance.md has the results.
#![allow(clippy::print_stdout)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use std::process::ExitCode;
use std::time::Instant;

use portmap_core::cloud::{aws, azure, gcp};
use portmap_core::{Catalog, Topology, compute};

use portmap_landing_zone as landing_zone;

/// The provider's allocator: the timings are the engine's as the provider
/// runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Result<T> = std::result::Result<T, String>;

fn catalog() -> Result<&'static Catalog> {
    Catalog::builtin().map_err(|e| format!("the built-in catalog does not load: {e:?}"))
}

fn sizes(args: &[String]) -> Result<Vec<usize>> {
    let v = args
        .iter()
        .map(|a| a.parse::<usize>().map_err(|e| format!("{a}: {e}")))
        .collect::<Result<Vec<_>>>()?;
    Ok(if v.is_empty() {
        landing_zone::SIZES.to_vec()
    } else {
        v
    })
}

fn write(args: &[String]) -> Result<()> {
    let n: usize = args
        .first()
        .ok_or("write: give the number of nodes")?
        .parse()
        .map_err(|e| format!("write: {e}"))?;
    let t = landing_zone::landing_zone(n);
    print_topology(&t, args.get(1), &format!("landing zone of {n} nodes"))
}

/// `write-mesh SITES [yaml|json]`: a mesh of Spotfire sites.
fn write_mesh(args: &[String]) -> Result<()> {
    let n: usize = args
        .first()
        .ok_or("write-mesh: give the number of sites")?
        .parse()
        .map_err(|e| format!("write-mesh: {e}"))?;
    let t = landing_zone::mesh(n);
    print_topology(&t, args.get(1), &format!("mesh of {n} sites"))
}

fn print_topology(t: &Topology, format: Option<&String>, what: &str) -> Result<()> {
    let text = match format.map(String::as_str).unwrap_or("yaml") {
        "yaml" => serde_norway::to_string(t).map_err(|e| e.to_string())?,
        "json" => serde_json::to_string_pretty(t).map_err(|e| e.to_string())? + "\n",
        other => return Err(format!("write: unknown format {other:?} (yaml or json)")),
    };
    print!("# A generated {what} (provider/portmap-landing-zone/src/lib.rs).\n{text}");
    Ok(())
}

fn stats(args: &[String]) -> Result<()> {
    let catalog = catalog()?;
    for n in sizes(args)? {
        let t = landing_zone::landing_zone(n);
        let c = compute(&t, catalog).map_err(|e| format!("{n} nodes: {e:?}"))?;
        let internal = c.flows.iter().filter(|f| !f.needs_rule()).count();
        let warnings = c.issues.len();
        let aws = aws::shape(&c, &aws::AwsOptions::default());
        let azure = azure::shape(&c, &azure::AzureOptions::default());
        let gcp = gcp::shape(&c, &gcp::GcpOptions::default());
        println!(
            "{{\"nodes\": {}, \"groups\": {}, \"flows\": {}, \"flows_without_rule\": {internal}, \"rules\": {}, \"unresolved\": {}, \"warnings\": {warnings}, \"aws_rules\": {}, \"azure_rules\": {}, \"gcp_rules\": {}}}",
            t.nodes.len(),
            t.nodes
                .values()
                .filter(|n| n.kind == portmap_core::topology::NodeKind::Group)
                .count(),
            c.flows.len(),
            c.rules.len(),
            c.unresolved.len(),
            aws.rules.len(),
            azure.rules.len(),
            gcp.rules.len(),
        );
    }
    Ok(())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn summary(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (median, v[0], v[n - 1])
}

/// CPU time of this thread so far, in nanoseconds (Linux
/// `/proc/thread-self/schedstat`); `None` elsewhere. Unlike wall time it
/// does not count the time other processes hold the CPU. The kernel updates
/// it at scheduler ticks, so it only means something for runs of tens of
/// milliseconds or more.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `f`, returning its result, its wall time and its CPU time (ms).
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, Option<f64>) {
    let cpu = thread_cpu_ns();
    let start = Instant::now();
    let out = f();
    let wall = ms(start.elapsed());
    let cpu = cpu.zip(thread_cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e6);
    (out, wall, cpu)
}

fn time(args: &[String]) -> Result<()> {
    let catalog = catalog()?;
    let rounds: usize = args
        .first()
        .ok_or("time: give the number of rounds")?
        .parse()
        .map_err(|e| format!("time: {e}"))?;
    let sizes = sizes(&args[1..])?;
    let zones: Vec<Topology> = sizes
        .iter()
        .map(|&n| landing_zone::landing_zone(n))
        .collect();
    const STAGES: [&str; 4] = ["flows_rules", "aws", "azure", "gcp"];
    // wall[size][stage], cpu[size][stage]
    let mut wall = vec![vec![Vec::with_capacity(rounds); STAGES.len()]; sizes.len()];
    let mut cpu = wall.clone();
    // One warm-up round (page faults, catalog parse, caches).
    for t in &zones {
        let c = compute(t, catalog).map_err(|e| format!("{e:?}"))?;
        std::hint::black_box(aws::shape(&c, &aws::AwsOptions::default()));
    }
    for _ in 0..rounds {
        for (i, t) in zones.iter().enumerate() {
            // flows + rules, dropping the result included: the provider
            // pays for both.
            let (c, w, p) = timed(|| compute(std::hint::black_box(t), catalog));
            let c = c.map_err(|e| format!("{e:?}"))?;
            let mut record = |stage: usize, w: f64, p: Option<f64>| {
                wall[i][stage].push(w);
                cpu[i][stage].extend(p);
            };
            let shapes: [(f64, Option<f64>); 3] = [
                {
                    let (r, w, p) = timed(|| aws::shape(&c, &aws::AwsOptions::default()));
                    drop(r);
                    (w, p)
                },
                {
                    let (r, w, p) = timed(|| azure::shape(&c, &azure::AzureOptions::default()));
                    drop(r);
                    (w, p)
                },
                {
                    let (r, w, p) = timed(|| gcp::shape(&c, &gcp::GcpOptions::default()));
                    drop(r);
                    (w, p)
                },
            ];
            let ((), dw, dp) = timed(|| drop(c));
            record(0, w + dw, p.zip(dp).map(|(a, b)| a + b));
            for (s, (w, p)) in shapes.into_iter().enumerate() {
                record(s + 1, w, p);
            }
        }
    }
    for (i, n) in sizes.iter().enumerate() {
        for (s, stage) in STAGES.iter().enumerate() {
            let (median, min, max) = summary(&mut wall[i][s]);
            let cpu = if cpu[i][s].is_empty() {
                "null".to_string()
            } else {
                format!("{:.3}", summary(&mut cpu[i][s]).0)
            };
            println!(
                "{{\"stage\": \"{stage}\", \"nodes\": {n}, \"runs\": {rounds}, \"median_ms\": {median:.3}, \"min_ms\": {min:.3}, \"max_ms\": {max:.3}, \"median_cpu_ms\": {cpu}}}"
            );
        }
    }
    Ok(())
}

/// VmHWM (peak resident set) of this process, in KiB.
fn vm_hwm_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("/proc/self/status: {e} (peak memory is measured on Linux)"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/self/status".into())
}

fn peak(args: &[String]) -> Result<()> {
    let n: usize = args
        .first()
        .ok_or("peak: give the number of nodes")?
        .parse()
        .map_err(|e| format!("peak: {e}"))?;
    let catalog = catalog()?;
    let t = landing_zone::landing_zone(n);
    let before = vm_hwm_kib()?;
    let start = Instant::now();
    let c = compute(&t, catalog).map_err(|e| format!("{e:?}"))?;
    let elapsed = ms(start.elapsed());
    let after = vm_hwm_kib()?;
    println!(
        "{{\"nodes\": {n}, \"flows\": {}, \"rules\": {}, \"compute_ms\": {elapsed:.3}, \"hwm_before_kib\": {before}, \"hwm_after_kib\": {after}}}",
        c.flows.len(),
        c.rules.len()
    );
    Ok(())
}

/// Times each phase of `compute` separately (median of interleaved rounds).
fn phases(args: &[String]) -> Result<()> {
    use portmap_core::flows::compute_flows;
    use portmap_core::rules::shape_rules;
    use portmap_core::topology::resolve;
    let catalog = catalog()?;
    let rounds: usize = args
        .first()
        .ok_or("phases: give the number of rounds")?
        .parse()
        .map_err(|e| format!("phases: {e}"))?;
    let sizes = sizes(&args[1..])?;
    let zones: Vec<Topology> = sizes
        .iter()
        .map(|&n| landing_zone::landing_zone(n))
        .collect();
    const PHASES: [&str; 5] = ["resolve", "flows", "rules", "drop", "total"];
    let mut samples = vec![vec![Vec::with_capacity(rounds); PHASES.len()]; sizes.len()];
    for round in 0..=rounds {
        for (i, t) in zones.iter().enumerate() {
            let t0 = Instant::now();
            let (resolved, _) = resolve(t, catalog);
            let resolved = resolved.ok_or("the landing zone does not resolve")?;
            let t1 = Instant::now();
            let flows = compute_flows(&resolved);
            let t2 = Instant::now();
            let rules = shape_rules(&resolved, &flows.flows);
            let t3 = Instant::now();
            drop((rules, flows, resolved));
            let t4 = Instant::now();
            if round > 0 {
                for (p, d) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0]
                    .into_iter()
                    .enumerate()
                {
                    samples[i][p].push(ms(d));
                }
            }
        }
    }
    for (i, n) in sizes.iter().enumerate() {
        let line: Vec<String> = PHASES
            .iter()
            .enumerate()
            .map(|(p, name)| format!("\"{name}_ms\": {:.3}", summary(&mut samples[i][p]).0))
            .collect();
        println!("{{\"nodes\": {n}, {}}}", line.join(", "));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("write") => write(&args[1..]),
        Some("write-mesh") => write_mesh(&args[1..]),
        Some("stats") => stats(&args[1..]),
        Some("time") => time(&args[1..]),
        Some("peak") => peak(&args[1..]),
        Some("phases") => phases(&args[1..]),
        _ => Err(
            "usage: landing_zone write N [yaml|json] | write-mesh SITES [yaml|json] | stats [N...] | time ROUNDS [N...] | peak N"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("landing_zone: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

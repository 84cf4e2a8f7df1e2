//! `cargo xtask bench` (`scripts/bench`): the performance benchmarks in one
//! command, each number printed against its target (docs/performance.md
//! explains the method and has the results). Nothing fails on a missed
//! target: timings on a shared machine are reported, not enforced.
//!
//! Stages, each in its module: [`engine`] (the core in process),
//! [`cli_stage`] (the `portmap` command on large inputs),
//! [`process_stage`] (the provider's start and idle memory), [`plans`]
//! (`terraform plan` A, A2, B, C, C1), [`floor`] (each data source against
//! Terraform's floor for the same values) and [`criterion`]; [`report`]
//! prints them, `--json FILE` writes them with the keys of the Python
//! script this replaced.

pub mod cli_stage;
pub mod criterion;
pub mod engine;
pub mod floor;
pub mod options;
pub mod plans;
pub mod process_stage;
pub mod procfs;
pub mod report;
pub mod summary;
pub mod terraform_runs;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::dist::Failure;
use options::BenchOptions;
use summary::Summary;

/// Handshakes measured at least, whatever `--runs` says.
const MINIMUM_HANDSHAKE_RUNS: usize = 20;

/// A progress message on stderr.
pub fn log(msg: &str) {
    eprintln!("bench: {msg}");
}

/// `$CARGO` (set when run by cargo), else `cargo`.
pub fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Whether `name` is a variable `cargo run` sets for the program it runs
/// (this one), which a nested cargo must not see: some of them make it
/// rebuild the whole release tree (the package's own `CARGO_PKG_*`,
/// `CARGO_MANIFEST_*` and its `LD_LIBRARY_PATH` of target directories).
pub fn set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "RUST_RECURSION_COUNT"
                | "LD_LIBRARY_PATH"
        )
}

/// A `cargo` command with the environment of the shell that ran `cargo
/// xtask` rather than the one `cargo run` gave this process.
pub fn nested_cargo_command() -> Command {
    let mut command = Command::new(cargo_program());
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_run) {
            command.env_remove(name);
        }
    }
    command
}

/// The stdout of `command`, which must succeed (its stderr is kept for
/// the error).
pub fn output_of_checked(command: &mut Command) -> Result<String, Failure> {
    let shown = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Failure::Error(format!("bench: cannot run {shown}: {e}")))?;
    if !output.status.success() {
        return Err(Failure::Error(format!(
            "bench: {shown} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    String::from_utf8(output.stdout)
        .map_err(|e| Failure::Error(format!("bench: {shown} printed something not UTF-8: {e}")))
}

/// Writes `text` to `path`.
pub fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::Error(format!("bench: writing {}: {e}", path.display())))
}

/// The summary of `samples`, or a summary of NaN over 0 runs when there
/// are none (a stage whose every run failed to read still reports).
pub fn summary_or_empty(samples: &[f64]) -> Summary {
    Summary::of_samples(samples).unwrap_or(Summary {
        median: f64::NAN,
        min: f64::NAN,
        max: f64::NAN,
        runs: 0,
    })
}

/// The built binaries and the scratch directory every stage uses.
#[derive(Debug)]
pub struct BenchTools {
    /// The workspace root.
    pub root: PathBuf,
    /// `$CARGO_TARGET_DIR`, else `<root>/target`.
    pub target_dir: PathBuf,
    /// The release provider.
    pub provider: PathBuf,
    /// The release `landing_zone` example of portmap-core.
    pub generator: PathBuf,
    /// The release `portmap` CLI.
    pub cli: PathBuf,
    /// A fresh directory, removed at the end.
    pub work: PathBuf,
    terraform: std::cell::OnceCell<PathBuf>,
}

impl BenchTools {
    /// The Terraform of the plan stages, looked up once: `PORTMAP_TERRAFORM`
    /// when set, else the v1.15.5 shim `scripts/setup terraform` installs
    /// (what scripts/test uses), through the project's one lookup.
    pub fn terraform(&self) -> Result<PathBuf, Failure> {
        if let Some(found) = self.terraform.get() {
            return Ok(found.clone());
        }
        let found = if std::env::var_os(crate::terraform::ENV).is_some_and(|v| !v.is_empty()) {
            crate::terraform::terraform_path().map_err(Failure::Error)?
        } else {
            log("scripts/setup terraform (Terraform v1.15.5 shim, idempotent)");
            let status = Command::new(self.root.join("scripts").join("setup"))
                .arg("terraform")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| Failure::Error(format!("bench: scripts/setup: {e}")))?;
            if !status.success() {
                return Err(Failure::Error(
                    "bench: scripts/setup terraform failed".into(),
                ));
            }
            let shim = self.root.join(crate::terraform::SHIM);
            crate::terraform::find(
                |name| (name == crate::terraform::ENV).then(|| shim.clone().into_os_string()),
                &shim,
            )
            .map_err(Failure::Error)?
        };
        Ok(self.terraform.get_or_init(|| found).clone())
    }
}

/// Where and when the run was made.
#[derive(Debug, Default, Serialize)]
pub struct Machine {
    /// UTC date, YYYY-MM-DD.
    pub date: String,
    /// CPUs available.
    pub nproc: usize,
    /// `uname -r`.
    pub kernel: String,
    /// lscpu's model name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// MemTotal, GiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_gib: Option<f64>,
    /// Load averages when the run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_before: Option<[f64; 3]>,
    /// `rustc --version`.
    pub rustc: String,
    /// `terraform version`'s first line and the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform: Option<String>,
    /// Load averages when the run ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_after: Option<[f64; 3]>,
}

/// Everything one run measured (`--json`).
#[derive(Debug, Default, Serialize)]
pub struct BenchResults {
    /// The machine and the load.
    pub machine: Machine,
    /// The engine stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<engine::EngineResults>,
    /// The CLI stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli: Option<Vec<cli_stage::CliResult>>,
    /// The provider process stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<process_stage::ProcessResults>,
    /// The plan stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<plans::PlanResults>,
    /// The floor stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<floor::FloorResults>,
    /// The criterion stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<criterion::CriterionResults>,
}

/// The first line of `program args`' stdout, trimmed.
fn first_output_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().next().map(|l| l.trim().to_owned())
}

/// The machine's description, and the load now.
fn describe_machine() -> Machine {
    let cpu = Command::new("lscpu").output().ok().and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Model name:").map(|v| v.trim().to_owned()))
    });
    Machine {
        date: first_output_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_default(),
        nproc: std::thread::available_parallelism().map_or(0, usize::from),
        kernel: first_output_line("uname", &["-r"]).unwrap_or_default(),
        cpu,
        memory_gib: procfs::memory_gib(),
        load_before: procfs::load_averages_now(),
        rustc: first_output_line("rustc", &["--version"]).unwrap_or_default(),
        terraform: None,
        load_after: None,
    }
}

/// Builds the release provider, generator and CLI.
fn build_release_binaries(
    root: &Path,
    target_dir: &Path,
    work: PathBuf,
) -> Result<BenchTools, Failure> {
    let builds: [(&str, &[&str]); 3] = [
        ("the provider", &["-p", "terraform-provider-portmap"]),
        (
            "the landing-zone generator",
            &["-p", "portmap-core", "--example", "landing_zone"],
        ),
        ("the portmap CLI", &["-p", "portmap-cli"]),
    ];
    for (what, args) in builds {
        log(&format!("building {what} (release)"));
        let status = nested_cargo_command()
            .args(["build", "--release", "--quiet"])
            .args(args)
            .current_dir(root)
            .status()
            .map_err(|e| Failure::Error(format!("bench: cannot run cargo: {e}")))?;
        if !status.success() {
            return Err(Failure::Error(format!("bench: building {what} failed")));
        }
    }
    let release = target_dir.join("release");
    let tools = BenchTools {
        root: root.to_path_buf(),
        target_dir: target_dir.to_path_buf(),
        provider: release.join("terraform-provider-portmap"),
        generator: release.join("examples").join("landing_zone"),
        cli: release.join("portmap"),
        work,
        terraform: std::cell::OnceCell::new(),
    };
    for binary in [&tools.provider, &tools.generator, &tools.cli] {
        if !binary.exists() {
            return Err(Failure::Error(format!(
                "bench: {} was not built",
                binary.display()
            )));
        }
    }
    Ok(tools)
}

/// `cargo xtask bench [OPTIONS]`.
pub fn bench_main(args: &[String]) -> Result<(), Failure> {
    let options = options::parse_bench_arguments(args)?;
    // Fewer rounds than the defaults' order of magnitude: medians of so few
    // plans on a shared machine are not a measurement.
    if options.runs < 10 || options.floor_runs < 5 {
        log("fewer than 10 plan runs (or 5 floor runs): a smoke run, not a measurement");
    }
    let root = crate::repo_root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"));
    let work = std::env::temp_dir().join(format!("portmap-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)
        .map_err(|e| Failure::Error(format!("bench: {}: {e}", work.display())))?;
    let mut results = BenchResults {
        machine: describe_machine(),
        ..BenchResults::default()
    };
    let outcome = build_release_binaries(&root, &target_dir, work.clone())
        .and_then(|tools| run_stages(&tools, &options, &mut results));
    let _ = std::fs::remove_dir_all(&work);
    outcome?;
    results.machine.load_after = procfs::load_averages_now();
    print!("{}", report::report_text(&results));
    if let Some(file) = &options.json {
        let text = serde_json::to_string_pretty(&results)
            .map_err(|e| Failure::Error(format!("bench: {e}")))?;
        write_file(file, &(text + "\n"))?;
        log(&format!("results written to {}", file.display()));
    }
    Ok(())
}

fn run_stages(
    tools: &BenchTools,
    options: &BenchOptions,
    results: &mut BenchResults,
) -> Result<(), Failure> {
    if options.engine {
        results.engine = Some(engine::run_engine_stage(tools, options.engine_rounds)?);
    }
    if options.cli {
        results.cli = Some(cli_stage::run_cli_stage(tools, options.cli_rounds)?);
    }
    results.process = Some(process_stage::run_process_stage(
        tools,
        options.runs.max(MINIMUM_HANDSHAKE_RUNS),
    )?);
    if options.plan || options.floor {
        let terraform = tools.terraform()?;
        let runner = terraform_runs::TerraformRunner::with_cli_configuration(
            &terraform,
            Path::new("/dev/null"),
        );
        results.machine.terraform = Some(format!(
            "{} ({})",
            runner.version_line(),
            terraform.display()
        ));
    }
    if options.plan {
        results.plan = Some(plans::run_plan_stage(tools, options.runs)?);
    }
    if options.floor {
        results.floor = Some(floor::run_floor_stage(
            tools,
            options.floor_nodes,
            options.floor_runs,
            true,
        )?);
    }
    if options.criterion {
        results.criterion = Some(criterion::run_criterion_stage(tools)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_variables_of_cargo_run_are_not_passed_on() {
        for name in [
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_MANIFEST_DIR",
            "LD_LIBRARY_PATH",
        ] {
            assert!(set_by_cargo_run(name), "{name}");
        }
        for name in [
            "CARGO_TARGET_DIR",
            "CARGO_HOME",
            "CARGO_INCREMENTAL",
            "PATH",
            "RUSTFLAGS",
        ] {
            assert!(!set_by_cargo_run(name), "{name}");
        }
    }
}

//! The options of `cargo xtask bench` (`scripts/bench`), parsed in the
//! style of the other xtask commands: a usage error names the argument and
//! prints the usage text (exit 2).

use std::path::PathBuf;

use crate::dist::Failure;

/// The usage text (`--help`).
pub const BENCH_USAGE: &str = include_str!("usage.txt");

/// What one run of the benchmark does.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchOptions {
    /// `--runs N`: timed `terraform plan` runs per directory of the plan
    /// stage (and handshakes: at least 20).
    pub runs: usize,
    /// `--engine-rounds N`: interleaved rounds of the in-process engine.
    pub engine_rounds: usize,
    /// `--cli-rounds N`: interleaved rounds of the CLI commands.
    pub cli_rounds: usize,
    /// `--floor-runs N`: timed plans per directory of the floor stage.
    pub floor_runs: usize,
    /// `--floor-nodes N`: the size of the landing zone the floor stage's
    /// data sources read.
    pub floor_nodes: usize,
    /// Not `--no-engine`.
    pub engine: bool,
    /// Not `--no-cli`.
    pub cli: bool,
    /// Not `--no-plan`.
    pub plan: bool,
    /// Not `--no-floor`.
    pub floor: bool,
    /// Not `--no-criterion`.
    pub criterion: bool,
    /// `--json FILE`: every number, as JSON, written there too.
    pub json: Option<PathBuf>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            runs: 12,
            engine_rounds: 15,
            cli_rounds: 3,
            floor_runs: 8,
            floor_nodes: 100,
            engine: true,
            cli: true,
            plan: true,
            floor: true,
            criterion: true,
            json: None,
        }
    }
}

fn bench_usage_failure(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into(), BENCH_USAGE)
}

/// A positive whole number given to `option`.
fn positive_count(option: &str, text: &str) -> Result<usize, Failure> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(bench_usage_failure(format!(
            "bench: {option} needs a whole number of at least 1, not {text:?}"
        ))),
    }
}

/// Parses the arguments after `bench`. `--help` is a usage "failure" with
/// an empty message, as in the other commands.
pub fn parse_bench_arguments(args: &[String]) -> Result<BenchOptions, Failure> {
    let mut options = BenchOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| bench_usage_failure(format!("bench: {arg} needs {what}")))
        };
        match arg.as_str() {
            "--runs" => options.runs = positive_count(arg, &value("a number")?)?,
            "--engine-rounds" => options.engine_rounds = positive_count(arg, &value("a number")?)?,
            "--cli-rounds" => options.cli_rounds = positive_count(arg, &value("a number")?)?,
            "--floor-runs" => options.floor_runs = positive_count(arg, &value("a number")?)?,
            "--floor-nodes" => options.floor_nodes = positive_count(arg, &value("a number")?)?,
            "--json" => options.json = Some(PathBuf::from(value("a file")?)),
            "--no-engine" => options.engine = false,
            "--no-cli" => options.cli = false,
            "--no-plan" => options.plan = false,
            "--no-floor" => options.floor = false,
            "--no-criterion" => options.criterion = false,
            "-h" | "--help" => return Err(bench_usage_failure("")),
            other => {
                return Err(bench_usage_failure(format!(
                    "bench: unknown argument {other}"
                )));
            }
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(args: &[&str]) -> Result<BenchOptions, Failure> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        parse_bench_arguments(&args)
    }

    fn usage_message(result: Result<BenchOptions, Failure>) -> String {
        match result {
            Err(Failure::Usage(msg, usage)) => {
                assert_eq!(usage, BENCH_USAGE);
                msg
            }
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn no_arguments_run_everything_with_the_documented_defaults() {
        let o = parse(&[]).unwrap();
        assert_eq!(
            (
                o.runs,
                o.engine_rounds,
                o.cli_rounds,
                o.floor_runs,
                o.floor_nodes
            ),
            (12, 15, 3, 8, 100)
        );
        assert!(o.engine && o.cli && o.plan && o.floor && o.criterion);
        assert_eq!(o.json, None);
    }

    #[test]
    fn every_option_is_read() {
        let o = parse(&[
            "--no-criterion",
            "--runs",
            "1",
            "--engine-rounds",
            "2",
            "--cli-rounds",
            "3",
            "--floor-runs",
            "4",
            "--floor-nodes",
            "30",
            "--no-plan",
            "--no-engine",
            "--no-cli",
            "--no-floor",
            "--json",
            "out.json",
        ])
        .unwrap();
        assert_eq!(
            o,
            BenchOptions {
                runs: 1,
                engine_rounds: 2,
                cli_rounds: 3,
                floor_runs: 4,
                floor_nodes: 30,
                engine: false,
                cli: false,
                plan: false,
                floor: false,
                criterion: false,
                json: Some(PathBuf::from("out.json")),
            }
        );
    }

    #[test]
    fn an_unknown_option_is_a_usage_error_that_names_it() {
        let msg = usage_message(parse(&["--runs", "3", "--fast"]));
        assert_eq!(msg, "bench: unknown argument --fast");
    }

    #[test]
    fn a_missing_or_bad_number_is_a_usage_error() {
        assert_eq!(
            usage_message(parse(&["--runs"])),
            "bench: --runs needs a number"
        );
        assert_eq!(
            usage_message(parse(&["--floor-runs", "0"])),
            "bench: --floor-runs needs a whole number of at least 1, not \"0\""
        );
        assert!(usage_message(parse(&["--engine-rounds", "many"])).contains("\"many\""));
    }

    #[test]
    fn help_is_the_usage_without_a_message() {
        assert_eq!(usage_message(parse(&["--help"])), "");
        assert_eq!(usage_message(parse(&["-h"])), "");
        assert!(BENCH_USAGE.contains("--no-floor"));
    }
}

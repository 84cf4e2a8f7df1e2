//! Running Terraform on the benchmark's working directories: the CLI
//! configuration that points `portmap/portmap` at a local provider
//! (`dev_overrides`), the environment, a timed `terraform plan`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use crate::dist::Failure;

/// The arguments of every timed plan.
pub const PLAN_ARGUMENTS: [&str; 4] = ["plan", "-input=false", "-no-color", "-lock=false"];

/// One Terraform and the environment it runs with.
#[derive(Debug, Clone)]
pub struct TerraformRunner {
    /// The Terraform found by the project's one lookup.
    pub terraform: PathBuf,
    /// This process's environment without TF_* and PLUGIN_*, plus the CLI
    /// configuration, no checkpoint calls and automation mode.
    pub env: Vec<(String, String)>,
}

impl TerraformRunner {
    /// A runner whose CLI configuration is the file `cli_configuration`.
    pub fn with_cli_configuration(terraform: &Path, cli_configuration: &Path) -> TerraformRunner {
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| !k.starts_with("TF_") && !k.starts_with("PLUGIN_"))
            .collect();
        env.push((
            "TF_CLI_CONFIG_FILE".into(),
            cli_configuration.display().to_string(),
        ));
        env.push(("CHECKPOINT_DISABLE".into(), "1".into()));
        env.push(("TF_IN_AUTOMATION".into(), "1".into()));
        TerraformRunner {
            terraform: terraform.to_path_buf(),
            env,
        }
    }

    fn command_in(&self, directory: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(&self.terraform);
        command
            .args(args)
            .current_dir(directory)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        command
    }

    /// Runs `terraform ARGS` in `directory`; its stdout, or an error with
    /// everything it printed.
    pub fn run_in(&self, directory: &Path, args: &[&str]) -> Result<String, Failure> {
        let output = self.command_in(directory, args).output().map_err(|e| {
            Failure::Error(format!(
                "bench: cannot run {}: {e}",
                self.terraform.display()
            ))
        })?;
        checked_terraform_output(directory, args, output)
    }

    /// A timed `terraform plan` in `directory`: ms and stdout.
    pub fn timed_plan(&self, directory: &Path) -> Result<(f64, String), Failure> {
        let start = Instant::now();
        let output = self
            .command_in(directory, &PLAN_ARGUMENTS)
            .output()
            .map_err(|e| {
                Failure::Error(format!(
                    "bench: cannot run {}: {e}",
                    self.terraform.display()
                ))
            })?;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        Ok((
            ms,
            checked_terraform_output(directory, &PLAN_ARGUMENTS, output)?,
        ))
    }

    /// `terraform version`'s first line, with no CLI configuration.
    pub fn version_line(&self) -> String {
        Command::new(&self.terraform)
            .arg("version")
            .env_clear()
            .envs(
                std::env::vars()
                    .filter(|(k, _)| !k.starts_with("TF_"))
                    .chain([
                        ("TF_CLI_CONFIG_FILE".into(), "/dev/null".into()),
                        ("CHECKPOINT_DISABLE".into(), "1".into()),
                    ]),
            )
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "?".into())
    }
}

fn checked_terraform_output(
    directory: &Path,
    args: &[&str],
    output: Output,
) -> Result<String, Failure> {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    Err(Failure::Error(format!(
        "bench: terraform {} failed in {}:\n{stdout}\n{}",
        args.join(" "),
        directory.display(),
        String::from_utf8_lossy(&output.stderr)
    )))
}

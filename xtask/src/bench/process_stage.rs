//! The provider process stage: time from spawn to the go-plugin handshake
//! line (without TLS, and with AutoMTLS when openssl can make a client
//! certificate), next to spawning `/bin/echo`; idle RSS after the
//! handshake.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use tfplugin::server::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};

use super::procfs::process_status_kib;
use super::summary::Summary;
use super::{BenchTools, log, summary_or_empty};
use crate::dist::Failure;

/// How long the provider idles after its handshake before its RSS is read.
const IDLE_WAIT: Duration = Duration::from_millis(200);

/// What the stage measured (JSON keys as the Python bench wrote them).
#[derive(Debug, Serialize)]
pub struct ProcessResults {
    /// `no_tls`, `automtls` (when openssl made a certificate) and
    /// `spawn_floor` (`/bin/echo`), ms.
    pub handshake_ms: BTreeMap<String, Summary>,
    /// The first line of each mode, cut to 60 characters.
    pub handshake_lines: BTreeMap<String, String>,
    /// VmRSS of the idle provider, MiB.
    pub idle_rss_mib: Summary,
    /// VmHWM of the idle provider, MiB.
    pub idle_hwm_mib: Summary,
}

/// The environment a provider gets from Terraform, without TF_* and
/// PLUGIN_* variables of this process: the magic cookie of the protocol
/// crate and protocol version 6.
fn provider_environment() -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| !k.starts_with("TF_") && !k.starts_with("PLUGIN_"))
        .collect();
    env.push((MAGIC_COOKIE_KEY.to_owned(), MAGIC_COOKIE_VALUE.to_owned()));
    env.push(("PLUGIN_PROTOCOL_VERSIONS".to_owned(), "6".to_owned()));
    env
}

/// A P-521 client certificate in PEM, as Terraform sends, when openssl
/// can make one.
fn client_certificate(work: &Path) -> Option<String> {
    let (key, cert) = (work.join("client.key"), work.join("client.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read_to_string(cert).ok()
}

/// Spawns `program` and returns the ms until its first stdout line, the
/// still-running child and the line.
fn first_line_ms(
    program: &Path,
    args: &[&str],
    env: &[(String, String)],
) -> Result<(f64, Child, String), Failure> {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Failure::Error(format!("bench: cannot run {}: {e}", program.display())))?;
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    if line.is_empty() {
        let status = child.wait().ok();
        return Err(Failure::Error(format!(
            "bench: {} printed nothing ({status:?})",
            program.display()
        )));
    }
    Ok((elapsed, child, line.trim().to_owned()))
}

/// Runs the stage: `runs` interleaved spawns of each mode.
pub fn run_process_stage(tools: &BenchTools, runs: usize) -> Result<ProcessResults, Failure> {
    log(&format!(
        "provider process: start-to-handshake and idle RSS, {runs} interleaved runs"
    ));
    let base = provider_environment();
    let mut modes: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    let mut no_tls = base.clone();
    no_tls.push(("TF_DISABLE_PLUGIN_TLS".into(), "1".into()));
    modes.push(("no_tls", no_tls));
    if let Some(pem) = client_certificate(&tools.work) {
        let mut mtls = base.clone();
        mtls.push(("PLUGIN_CLIENT_CERT".into(), pem));
        modes.push(("automtls", mtls));
    }
    let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut lines = BTreeMap::new();
    let (mut rss, mut hwm) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (ms, mut echo, _) = first_line_ms(
            Path::new("/bin/echo"),
            &["1|6|tcp|127.0.0.1:1|grpc|"],
            &base,
        )?;
        let _ = echo.wait();
        samples.entry("spawn_floor".into()).or_default().push(ms);
        for (mode, env) in &modes {
            let (ms, mut provider, line) = first_line_ms(&tools.provider, &[], env)?;
            samples.entry((*mode).into()).or_default().push(ms);
            let cut: String = line.chars().take(60).collect();
            let cut = if line.chars().count() > 60 {
                cut + "..."
            } else {
                cut
            };
            lines.insert((*mode).to_owned(), cut);
            if *mode == "no_tls" {
                std::thread::sleep(IDLE_WAIT);
                let pid = provider.id();
                if let Some(kib) = process_status_kib(pid, "VmRSS") {
                    rss.push(kib as f64 / 1024.0);
                }
                if let Some(kib) = process_status_kib(pid, "VmHWM") {
                    hwm.push(kib as f64 / 1024.0);
                }
            }
            let _ = provider.kill();
            let _ = provider.wait();
        }
    }
    Ok(ProcessResults {
        handshake_ms: samples
            .iter()
            .map(|(mode, s)| (mode.clone(), summary_or_empty(s)))
            .collect(),
        handshake_lines: lines,
        idle_rss_mib: summary_or_empty(&rss),
        idle_hwm_mib: summary_or_empty(&hwm),
    })
}

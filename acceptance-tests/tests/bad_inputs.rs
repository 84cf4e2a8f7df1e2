//! The bad-input corpus: every file in acceptance-tests/bad-inputs/ is a
//! configuration that real Terraform must reject (or warn about) with the
//! diagnostic its header names:
//!
//! ```text
//! # severity: error            (or warning: then the plan must succeed)
//! # summary: Invalid address "10.0.0.300/24"   (the summary contains this)
//! # detail: At nodes["app"].cidrs[1]:           (optional: the detail contains this)
//! # line: app = {                               (optional: the source Terraform shows contains this)
//! ```
//!
//! None of them may crash the plugin.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Mutex;

use portmap_acceptance_tests::{Run, Workspace};

struct Case {
    name: String,
    body: String,
    severity: String,
    summary: String,
    detail: Option<String>,
    line: Option<String>,
}

fn cases() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bad-inputs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let body = std::fs::read_to_string(&p).unwrap();
            let header = |key: &str| {
                body.lines()
                    .take_while(|l| l.starts_with('#'))
                    .find_map(|l| {
                        l.strip_prefix(&format!("# {key}:"))
                            .map(|v| v.trim().to_string())
                    })
            };
            Case {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                severity: header("severity").unwrap_or_else(|| "error".into()),
                summary: header("summary")
                    .unwrap_or_else(|| panic!("{}: no summary header", p.display())),
                detail: header("detail"),
                line: header("line"),
                body,
            }
        })
        .collect()
}

/// Signs that the plugin crashed or stopped answering.
const CRASH: &[&str] = &[
    "panicked",
    "Plugin did not respond",
    "plugin exited",
    "The plugin encountered an error",
    "rpc error",
    "connection reset",
];

fn check(case: &Case) -> Result<(), String> {
    let ws = Workspace::new(&case.body);
    let run: Run = ws.terraform(&["plan", "-json", "-input=false"]);
    let all = format!("{}\n{}", run.stdout, run.stderr);
    if let Some(sign) = CRASH.iter().find(|s| all.contains(*s)) {
        return Err(format!("the plugin crashed ({sign}):\n{}", run.text()));
    }
    let diags = run.diagnostics();
    let Some(d) = diags
        .iter()
        .find(|d| d.severity == case.severity && d.summary.contains(&case.summary))
    else {
        return Err(format!(
            "no {} with summary containing {:?}; got:\n{}",
            case.severity,
            case.summary,
            diags
                .iter()
                .map(|d| format!(
                    "  [{}] {} — {}",
                    d.severity,
                    d.summary,
                    d.detail.lines().next().unwrap_or("")
                ))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    };
    if let Some(detail) = &case.detail
        && !d.detail.contains(detail)
    {
        return Err(format!(
            "detail does not contain {detail:?}: {:?}",
            d.detail
        ));
    }
    if let Some(line) = &case.line {
        let code = d.code.clone().unwrap_or_default();
        if !code.contains(line) {
            return Err(format!(
                "Terraform shows {code:?}, which does not contain {line:?}"
            ));
        }
    }
    match case.severity.as_str() {
        "error" if run.ok() => Err("the plan succeeded but an error was expected".into()),
        "warning" if !run.ok() => Err(format!(
            "a warning was expected but the plan failed:\n{}",
            run.text()
        )),
        _ => Ok(()),
    }
}

#[test]
fn every_bad_input_gets_its_diagnostic_and_nothing_crashes() {
    let mut cases = cases();
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    // PORTMAP_BAD_INPUTS=10 runs only the cases whose file name starts so.
    if let Ok(prefix) = std::env::var("PORTMAP_BAD_INPUTS") {
        cases.retain(|c| c.name.starts_with(&prefix));
    }
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(case) = cases.get(i) else { break };
                    if let Err(e) = check(case) {
                        failures.lock().unwrap().push(format!("{}: {e}", case.name));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

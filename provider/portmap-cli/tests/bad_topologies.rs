//! The CLI on invalid topology files: exit code 1 and a message that names
//! the file and line (or the attribute), never a crash. Each file under
//! tests/bad-topologies/ states the expected message parts in `# expect:`
//! header lines (JSON files, which have no comments, are listed below).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn expectations(path: &std::path::Path, text: &str) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    match name.as_str() {
        "09-json-syntax.json" => vec![
            "bad-topologies/09-json-syntax.json: error: line 3, column".into(),
            "trailing comma".into(),
        ],
        "10-json-wrong-type.json" => vec![
            "bad-topologies/10-json-wrong-type.json: error: line 3, column".into(),
            "invalid type: string".into(),
        ],
        "14-binary.yaml" => vec!["bad-topologies/14-binary.yaml: error: ".into()],
        _ => text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect:").map(|s| s.trim().to_string()))
            .collect(),
    }
}

#[test]
fn bad_topology_files_fail_cleanly_with_file_and_line() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("bad-topologies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 14);
    let mut failures = Vec::new();
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let expected = expectations(path, &text);
        assert!(!expected.is_empty(), "{}: no expectations", path.display());
        let rel = path.strip_prefix(&dir).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_portmap"))
            .args(["flows", &rel.to_string_lossy()])
            .current_dir(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{}: exit code {:?}, expected 1\n{stderr}",
                rel.display(),
                out.status.code()
            ));
            continue;
        }
        if !out.stdout.is_empty() {
            failures.push(format!("{}: printed to stdout on failure", rel.display()));
        }
        for e in &expected {
            if !stderr.contains(e.as_str()) {
                failures.push(format!("{}: stderr lacks {e:?}:\n{stderr}", rel.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

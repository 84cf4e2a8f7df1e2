//! `cargo xtask msrv`: the declared `rust-version` is true of the locked
//! dependencies. Cargo checks a dependency's `rust-version` only against
//! the toolchain that builds it, so a dependency that needs a newer Rust
//! than the workspace declares goes unnoticed on a newer toolchain (the one
//! CI has). This reads `cargo metadata` and names every package whose
//! `rust-version` is newer than the workspace's. Standard-library APIs are
//! checked by clippy's `incompatible_msrv` lint.

use std::process::Command;

use serde_json::Value as Json;

/// A `rust-version` as numbers (`1.88` → `[1, 88, 0]`).
pub fn parse_version(text: &str) -> Option<[u64; 3]> {
    let mut parts = text.trim().split('.');
    let mut out = [0u64; 3];
    for slot in &mut out {
        match parts.next() {
            Some(p) => *slot = p.parse().ok()?,
            None => break,
        }
    }
    if parts.next().is_some() {
        return None;
    }
    Some(out)
}

/// From `cargo metadata` output: the workspace's declared `rust-version`
/// (that of its members, which must agree) and every package that declares
/// a newer one, as `name version (rust-version X)`.
pub fn newer_than_declared(metadata: &Json) -> Result<(String, Vec<String>), String> {
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .ok_or("cargo metadata: no workspace_members")?
        .iter()
        .filter_map(Json::as_str)
        .collect();
    let rust_version = |p: &Json| p["rust_version"].as_str().map(str::to_string);
    let mut declared: Option<String> = None;
    for p in packages
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(&id)))
    {
        let name = p["name"].as_str().unwrap_or("?");
        let Some(v) = rust_version(p) else {
            return Err(format!("workspace member {name} declares no rust-version"));
        };
        match &declared {
            Some(d) if *d != v => {
                return Err(format!(
                    "workspace members disagree on rust-version: {d} and {v} ({name})"
                ));
            }
            _ => declared = Some(v),
        }
    }
    let declared = declared.ok_or("cargo metadata: no workspace members")?;
    let limit =
        parse_version(&declared).ok_or(format!("rust-version {declared} is not a version"))?;
    let mut newer = Vec::new();
    for p in packages {
        let Some(v) = rust_version(p) else { continue };
        match parse_version(&v) {
            Some(needed) if needed > limit => newer.push(format!(
                "{} {} (rust-version {v})",
                p["name"].as_str().unwrap_or("?"),
                p["version"].as_str().unwrap_or("?")
            )),
            Some(_) => {}
            None => newer.push(format!(
                "{} {} (rust-version {v} does not parse)",
                p["name"].as_str().unwrap_or("?"),
                p["version"].as_str().unwrap_or("?")
            )),
        }
    }
    newer.sort();
    Ok((declared, newer))
}

/// Runs the check on this workspace; the message for the user either way.
pub fn check() -> Result<String, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(crate::repo_root())
        .output()
        .map_err(|e| format!("msrv: cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "msrv: cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let metadata: Json =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("msrv: cargo metadata: {e}"))?;
    let (declared, newer) = newer_than_declared(&metadata)?;
    if newer.is_empty() {
        Ok(format!(
            "msrv: no locked dependency needs a Rust newer than the declared {declared}"
        ))
    } else {
        Err(format!(
            "msrv: the workspace declares rust-version {declared}, but these locked packages need a newer Rust:\n  {}\nRaise rust-version in Cargo.toml ([workspace.package]) or lock older versions.",
            newer.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(dependency_rust_version: &str) -> Json {
        json!({
            "workspace_members": ["path+file:///w/a#0.1.0", "path+file:///w/b#0.1.0"],
            "packages": [
                {"id": "path+file:///w/a#0.1.0", "name": "a", "version": "0.1.0", "rust_version": "1.88"},
                {"id": "path+file:///w/b#0.1.0", "name": "b", "version": "0.1.0", "rust_version": "1.88"},
                {"id": "registry+x#dep@2.0.0", "name": "dep", "version": "2.0.0", "rust_version": dependency_rust_version},
                {"id": "registry+x#old@1.0.0", "name": "old", "version": "1.0.0", "rust_version": null}
            ]
        })
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert_eq!(parse_version("1.88"), Some([1, 88, 0]));
        assert_eq!(parse_version("1.9.1"), Some([1, 9, 1]));
        assert!(parse_version("1.100").unwrap() > parse_version("1.88").unwrap());
        assert_eq!(parse_version("1.x"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
    }

    #[test]
    fn a_dependency_needing_a_newer_rust_is_named() {
        assert_eq!(
            newer_than_declared(&metadata("1.88.0")),
            Ok(("1.88".to_string(), vec![]))
        );
        assert_eq!(
            newer_than_declared(&metadata("1.89")),
            Ok((
                "1.88".to_string(),
                vec!["dep 2.0.0 (rust-version 1.89)".to_string()]
            ))
        );
    }

    #[test]
    fn members_must_agree() {
        let mut m = metadata("1.0");
        m["packages"][1]["rust_version"] = json!("1.90");
        assert!(newer_than_declared(&m).unwrap_err().contains("disagree"));
    }
}

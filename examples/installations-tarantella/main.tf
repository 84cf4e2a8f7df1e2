# Tarantella with a Windows RDP-only and a Unix SSH + X application server:
# topology.yaml declares the installation and its node overrides (the same file works with
# `portmap flows topology.yaml`). Plan it with a dev_overrides CLI
# configuration, as in scripts/quickstart.

terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

provider "portmap" {}

locals {
  topology = yamldecode(file("${path.module}/topology.yaml"))
}

data "portmap_flows" "this" {
  nodes         = local.topology.nodes
  products      = try(local.topology.products, {})
  installations = local.topology.installations
}

# The rules, keyed by stable keys, ready for for_each: SSH 22 only to
# apps-unix, RDP 3389 only to apps-windows, X 6010-65535 only from apps-unix.
output "rules" {
  value = data.portmap_flows.this.rules
}

# The flow keys name the installation: tarantella@sgd:...
output "flow_keys" {
  value = [for f in data.portmap_flows.this.flows : f.key if f.firewall && !f.internal]
}

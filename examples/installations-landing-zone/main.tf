# Production and test of one product in one topology, sharing a SQL Server:
# topology.yaml declares the two installations (the same file works with
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

# The rules, keyed by stable keys, ready for for_each. None joins a
# production node to a test node.
output "rules" {
  value = data.portmap_flows.this.rules
}

# The flow keys name the installation: tachyon-5@prod:..., tachyon-5@test:...
output "flow_keys" {
  value = [for f in data.portmap_flows.this.flows : f.key if f.firewall && !f.internal]
}

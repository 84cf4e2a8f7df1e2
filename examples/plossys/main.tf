# The plossys scenario: topology.yaml says what runs where (the same file works
# with `portmap flows topology.yaml`). Plan it with a dev_overrides CLI
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
  nodes    = local.topology.nodes
  products = try(local.topology.products, {})
}

# The rules, keyed by stable keys, ready for for_each.
output "rules" {
  value = data.portmap_flows.this.rules
}

# The firewall request: one line per connection that needs a rule.
output "connections" {
  value = [
    for f in data.portmap_flows.this.flows :
    "${f.from_node} -> ${f.to_node} ${f.protocol}/${f.from_port == f.to_port ? f.from_port : "${f.from_port}-${f.to_port}"}: ${f.purpose} [${f.citation}]"
    if f.firewall && !f.internal
  ]
}

output "unresolved" {
  value = data.portmap_flows.this.unresolved
}

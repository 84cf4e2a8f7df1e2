# Quickstart: the firewall rules of a 1E Tachyon 5.0 single server with a
# remote SQL Server, its clients and its console users.
#
# Run it with `scripts/quickstart` from the repository root (it builds the
# provider and runs Terraform with a dev_overrides CLI configuration).

terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

provider "portmap" {}

data "portmap_flows" "this" {
  nodes = {
    app     = { components = ["tachyon-5/master-stack", "tachyon-5/response-stack"], cidrs = ["10.0.1.10/32"] }
    sql     = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
    clients = { components = ["tachyon-5/client", "tachyon-5/browser"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
  products = {
    "tachyon-5" = { settings = { switch_port = 4100 }, features = ["named-sql-instance"] }
  }
}

# One line per rule: what each firewall must allow.
output "rules" {
  value = {
    for key, r in data.portmap_flows.this.rules :
    key => "${r.direction} ${r.protocol}/${r.from_port == r.to_port ? r.from_port : "${r.from_port}-${r.to_port}"} ${r.direction == "ingress" ? "from" : "to"} ${r.peer} (${join(", ", r.peer_cidrs)}): ${r.description}"
  }
}

# Why the Switch rule exists, down to the vendor document's rows.
output "switch_rule_citations" {
  value = [
    for f in data.portmap_flows.this.flows : f.citation
    if contains(data.portmap_flows.this.rules["app:ingress:clients:tcp:4100"].flows, f.key)
  ]
}

# Parties the catalog requires that this topology leaves out.
output "unresolved" {
  value = [for u in data.portmap_flows.this.unresolved : "${u.missing_component}: ${u.key} (${u.protocol} ${u.ports})"]
}

# A 1E Tachyon 5.0 single server with a remote SQL Server, its clients and
# console users: every flow, and the rules each firewall must allow.
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

# The ingress rules of the Tachyon server, ready for for_each.
output "app_ingress" {
  value = {
    for k, r in data.portmap_flows.this.rules : k => r
    if r.node == "app" && r.direction == "ingress"
  }
}

# Why a rule exists: the vendor rows behind the flows it serves.
output "switch_rule_citations" {
  value = distinct([
    for f in data.portmap_flows.this.flows : f.citation
    if contains(data.portmap_flows.this.rules["app:ingress:clients:tcp:4100"].flows, f.key)
  ])
}

# A configuration that manages only the SQL Server's firewall: the same
# topology, but only the rules enforced at "sql" and the flows to or from it
# (on a large shared topology this keeps the plan fast).
data "portmap_flows" "sql_only" {
  nodes     = data.portmap_flows.this.nodes
  products  = data.portmap_flows.this.products
  for_nodes = ["sql"]
}

output "sql_rule_keys" {
  value = keys(data.portmap_flows.sql_only.rules)
}

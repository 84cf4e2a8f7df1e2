# Priorities kept in state: a new rule never clashes with an existing one,
# and no existing rule ever moves.
data "portmap_azure_nsg_rules" "this" {
  nodes = {
    plossys = { components = ["plossys/output-engine"], cidrs = ["10.1.0.0/24"], kind = "group" }
    clients = { components = ["plossys/client"], cidrs = ["10.20.0.0/16"], kind = "group" }
  }
}

resource "portmap_azure_nsg_priorities" "this" {
  rules = {
    for k, r in data.portmap_azure_nsg_rules.this.rules : k => { nsg = r.node, direction = r.direction }
  }
}

# In azurerm_network_security_rule (for_each = data.portmap_azure_nsg_rules.this.rules):
#   priority = portmap_azure_nsg_priorities.this.priorities[each.key]
output "priorities" {
  value = portmap_azure_nsg_priorities.this.priorities
}

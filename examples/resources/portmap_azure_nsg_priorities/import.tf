# Keep the priorities your rules already have (for example the derived ones
# of portmap_azure_nsg_rules): the import ID is a JSON object from rule key
# to {nsg, direction, priority}.
import {
  to = portmap_azure_nsg_priorities.this
  id = jsonencode({
    for k, r in data.portmap_azure_nsg_rules.this.rules :
    k => { nsg = r.node, direction = r.direction, priority = r.priority }
  })
}

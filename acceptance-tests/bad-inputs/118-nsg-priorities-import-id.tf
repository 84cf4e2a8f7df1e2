# severity: error
# summary: Invalid import ID
# detail: share priority 200 in NSG "app" (Inbound)

import {
  to = portmap_azure_nsg_priorities.x
  id = jsonencode({
    a = { nsg = "app", direction = "Inbound", priority = 200 }
    b = { nsg = "app", direction = "Inbound", priority = 200 }
  })
}

resource "portmap_azure_nsg_priorities" "x" {
  rules = {
    a = { nsg = "app", direction = "Inbound" }
    b = { nsg = "app", direction = "Inbound" }
  }
}

# A SEAL PLOSSYS cluster in one subnet, its job clients and administrators.
# Priorities are derived from each rule's key, so adding nodes or flows
# later never renumbers these rules.
data "portmap_azure_nsg_rules" "this" {
  nodes = {
    plossys = { components = ["plossys/output-engine"], cidrs = ["10.1.0.0/24"], kind = "group" }
    clients = { components = ["plossys/client"], cidrs = ["10.20.0.0/16", "2001:db8:20::/48"], kind = "group" }
    admins  = { components = ["plossys/admin"], cidrs = ["10.30.5.0/24"], kind = "group" }
  }
  # Only needed when the plan reports two rules with the same priority.
  pinned_priorities = {}
}

# Name, priority and ports of each inbound rule of the cluster's NSG.
output "plossys_inbound" {
  value = {
    for k, r in data.portmap_azure_nsg_rules.this.rules : r.name => "${r.priority}: ${join(", ", r.destination_port_ranges)}"
    if r.node == "plossys" && r.direction == "Inbound"
  }
}

# severity: error
# summary: Priority 99 is out of range
# detail: Azure Firewall rule collection priorities are 100 to 65000
# line: priority_start = 99

data "portmap_azure_firewall_rules" "x" {
  zones = {
    dmz      = { exposure = "internet-facing" }
    internal = { accepts_from = ["dmz"] }
  }
  nodes = {
    proxy = { components = ["spotfire/load-balancer"], cidrs = ["192.0.2.20/32"], zone = "dmz" }
    sf-1  = { components = ["spotfire/server"], cidrs = ["10.60.1.11/32"], zone = "internal" }
  }
  priority_start = 99
}

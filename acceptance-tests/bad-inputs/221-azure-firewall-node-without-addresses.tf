# severity: error
# summary: The Azure Firewall needs the addresses of node "proxy"
# detail: Give "proxy" its cidrs
# line: proxy = { components = ["spotfire/load-balancer"], zone = "dmz" }

data "portmap_azure_firewall_rules" "x" {
  zones = {
    dmz      = { exposure = "internet-facing" }
    internal = { accepts_from = ["dmz"] }
  }
  nodes = {
    proxy = { components = ["spotfire/load-balancer"], zone = "dmz" }
    sf-1  = { components = ["spotfire/server"], cidrs = ["10.60.1.11/32"], zone = "internal" }
  }
}

# severity: warning
# summary: No flow crosses a zone boundary
# detail: no flow of this topology crosses one

data "portmap_aws_network_firewall_rules" "x" {
  nodes = {
    proxy = { components = ["spotfire/load-balancer"], cidrs = ["192.0.2.20/32"] }
    sf-1  = { components = ["spotfire/server"], cidrs = ["10.60.1.11/32"] }
  }
}

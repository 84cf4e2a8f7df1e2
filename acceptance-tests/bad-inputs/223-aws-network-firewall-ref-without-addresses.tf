# severity: error
# summary: The AWS Network Firewall needs the addresses of node "proxy"
# detail: a ref cannot stand for them

data "portmap_aws_network_firewall_rules" "x" {
  zones = {
    dmz      = { exposure = "internet-facing" }
    internal = { accepts_from = ["dmz"] }
  }
  nodes = {
    proxy = { components = ["spotfire/load-balancer"], ref = "sg-0123456789abcdef0", zone = "dmz" }
    sf-1  = { components = ["spotfire/server"], cidrs = ["10.60.1.11/32"], zone = "internal" }
  }
}

# severity: error
# summary: Node "sf" is in zone "dmx", which zones does not declare
# detail: With a zone policy (zones), every node's zone is declared there
# line: sf  = { components = ["spotfire/server"], cidrs = ["10.0.0.1"], zone = "dmx" }

data "portmap_flows" "x" {
  zones = {
    dmz      = {}
    internal = { accepts_from = ["dmz"] }
  }
  nodes = {
    sf  = { components = ["spotfire/server"], cidrs = ["10.0.0.1"], zone = "dmx" }
    lb  = { components = ["spotfire/load-balancer"], cidrs = ["10.0.0.2"], zone = "dmz" }
  }
}

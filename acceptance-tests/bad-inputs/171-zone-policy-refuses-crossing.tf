# severity: error
# summary: 1 flow from zone "internet" into zone "internal", which does not accept connections from "internet"
# detail: The zone policy (zones) refuses these flows:
# line: internal = { accepts_from = ["dmz"] }

data "portmap_perimeter_rules" "x" {
  zones = {
    internet = { exposure = "untrusted" }
    dmz      = { accepts_from = ["internet"] }
    internal = { accepts_from = ["dmz"] }
  }
  nodes = {
    users = { components = ["spotfire/client"], cidrs = ["0.0.0.0/0"], kind = "group", zone = "internet" }
    sf    = { components = ["spotfire/server"], cidrs = ["10.0.0.1"], zone = "internal" }
  }
}

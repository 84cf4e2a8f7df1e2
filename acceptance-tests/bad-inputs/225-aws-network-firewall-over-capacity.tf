# severity: error
# summary: The rule group needs capacity 50250; a stateful rule group allows 50000
# detail: A stateful rule group's capacity is the number of its rules

data "portmap_aws_network_firewall_rules" "x" {
  zones = {
    internet = { exposure = "untrusted" }
    dmz      = { exposure = "internet-facing", accepts_from = ["internet"] }
  }
  nodes = {
    users = { components = ["spotfire/client"], kind = "group", zone = "internet", cidrs = [for i in range(250) : "198.51.${i}.0/24"] }
    sf    = { components = ["spotfire/server"], kind = "group", zone = "dmz", cidrs = [for i in range(201) : "192.0.${i}.1/32"] }
  }
  products = {
    spotfire = { features = ["https-connector"], disabled_features = ["http-connector"] }
  }
}

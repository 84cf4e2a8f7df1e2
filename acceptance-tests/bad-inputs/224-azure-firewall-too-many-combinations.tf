# severity: error
# summary: The network rules need 22500 unique source-destination combinations; Azure Firewall allows 20000
# detail: protocols × source addresses × destination addresses

data "portmap_azure_firewall_rules" "x" {
  zones = {
    internet = { exposure = "untrusted" }
    dmz      = { exposure = "internet-facing", accepts_from = ["internet"] }
  }
  nodes = {
    users = { components = ["spotfire/client"], kind = "group", zone = "internet", cidrs = [for i in range(150) : "198.51.${i}.0/24"] }
    sf    = { components = ["spotfire/server"], kind = "group", zone = "dmz", cidrs = [for i in range(150) : "192.0.${i}.1/32"] }
  }
  products = {
    spotfire = { features = ["https-connector"], disabled_features = ["http-connector"] }
  }
}

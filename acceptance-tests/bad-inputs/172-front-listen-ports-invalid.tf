# severity: error
# summary: Invalid listen_ports "44three"
# line: proxy = {

data "portmap_flows" "x" {
  nodes = {
    sf = { components = ["spotfire/server"], cidrs = ["10.0.0.1"] }
    proxy = {
      components = ["spotfire/load-balancer"]
      cidrs      = ["192.0.2.20"]
      fronts     = [{ component = "spotfire/server", listen_ports = "44three" }]
    }
  }
}

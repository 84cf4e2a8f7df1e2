# severity: error
# summary: Setting gives an invalid port for spotfire flow cluster-third
# detail: cluster_port +2 gives port 65536
# line: spotfire = {

data "portmap_flows" "x" {
  nodes = {
    s = { components = ["spotfire/server"] }
  }
  products = {
    spotfire = { settings = { cluster_port = 65534 } }
  }
}

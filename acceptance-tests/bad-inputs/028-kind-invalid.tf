# severity: error
# summary: Invalid node kind "cluster"
# detail: kind is "host"
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output-engine"], kind = "cluster" }
  }
}

# severity: error
# summary: Invalid node kind "Group"
# detail: kind is "host"
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output-engine"], kind = "Group" }
  }
}

# severity: error
# summary: Node "sf" fronts "spotfire/server", which it runs itself
# detail: A node fronts components that run on other nodes
# line: sf = {

data "portmap_flows" "x" {
  nodes = {
    sf = {
      components = ["spotfire/server"]
      cidrs      = ["10.0.0.1"]
      fronts     = [{ component = "spotfire/server" }]
    }
  }
}

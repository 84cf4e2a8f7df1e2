# severity: error
# summary: Unknown node "app-2"
# detail: "app-2" is not a key of nodes.
# line: for_nodes = ["app-1", "app-2"]

data "portmap_flows" "x" {
  nodes = {
    app-1 = { components = ["tachyon-5/server"] }
  }
  for_nodes = ["app-1", "app-2"]
}

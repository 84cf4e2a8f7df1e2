# severity: error
# summary: Invalid node name ""
# detail: a node name cannot be empty

data "portmap_flows" "x" {
  nodes = {
    "" = { components = ["plossys/output-engine"] }
  }
}

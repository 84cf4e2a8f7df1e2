# severity: error
# summary: No nodes declared
# detail: Declare at least one node
# line: nodes = {}

data "portmap_flows" "x" {
  nodes = {}
}

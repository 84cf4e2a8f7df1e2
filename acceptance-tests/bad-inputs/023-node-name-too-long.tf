# severity: error
# summary: Invalid node name "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
# detail: at most 63 characters
# line: nnnn

data "portmap_flows" "x" {
  nodes = {
    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" = { components = ["plossys/output-engine"] }
  }
}

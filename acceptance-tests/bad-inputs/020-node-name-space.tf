# severity: error
# summary: Invalid node name "bad name"
# detail: node names use letters, digits
# line: "bad name" = {

data "portmap_flows" "x" {
  nodes = {
    "bad name" = { components = ["plossys/output-engine"] }
  }
}

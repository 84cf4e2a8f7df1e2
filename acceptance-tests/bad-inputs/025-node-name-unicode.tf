# severity: error
# summary: Invalid node name "nœud"
# detail: node names use letters, digits
# line: "nœud" = {

data "portmap_flows" "x" {
  nodes = {
    "nœud" = { components = ["plossys/output-engine"] }
  }
}

# severity: error
# summary: Invalid node name "a:b"
# detail: node names use letters, digits
# line: "a:b" = {

data "portmap_flows" "x" {
  nodes = {
    "a:b" = { components = ["plossys/output-engine"] }
  }
}

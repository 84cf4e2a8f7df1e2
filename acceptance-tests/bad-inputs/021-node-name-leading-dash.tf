# severity: error
# summary: Invalid node name "-oe"
# detail: start with a letter or digit
# line: "-oe" = {

data "portmap_flows" "x" {
  nodes = {
    "-oe" = { components = ["plossys/output-engine"] }
  }
}

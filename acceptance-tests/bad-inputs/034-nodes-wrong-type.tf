# severity: error
# summary: Incorrect attribute value type
# line: nodes = "app"

data "portmap_flows" "x" {
  nodes = "app"
}

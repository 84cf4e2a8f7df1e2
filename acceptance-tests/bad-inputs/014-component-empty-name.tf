# severity: error
# summary: Unknown component "plossys/"
# detail: Product plossys has no component ""
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/"] }
  }
}

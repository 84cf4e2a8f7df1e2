# severity: error
# summary: Incorrect attribute value type

data "portmap_flows" "x" {
  nodes = {
    app = { components = "plossys/output-engine" }
  }
}
